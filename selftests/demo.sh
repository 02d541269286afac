#!/usr/bin/env bash
# The demo `make demo` runs in the VM: two paths between a client and a
# server namespace, a 20 MB MPTCP transfer under the in-kernel default,
# then under BPF schedulers loaded with mptcp-sched, and a table of the
# bytes each path carried, read from the kernel (MPTCP_FULL_INFO).
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/lib/test.sh"
. "$dir/lib/topo.sh"
. "$dir/lib/sched.sh"
BUILD=${OUTPUT:-$dir/../build}
LOADER=$BUILD/mptcp-sched
BYTES=$((20 * 1024 * 1024))
trap 'topo_cleanup; for s in bpf_first bpf_minrtt bpf_red; do "$LOADER" unload $s >/dev/null 2>&1; done' EXIT

mb() { awk -v b="${1:-0}" 'BEGIN { printf "%6.1f MB", b / 1048576 }'; }
pct() { awk -v p="${1:-0}" -v t="$2" 'BEGIN { printf "%3d%%", t ? 100 * p / t : 0 }'; }

echo "== topology: path 1 = 10 ms, 50 Mbit/s; path 2 = 40 ms, 50 Mbit/s"
topo_setup 2 && topo_path_set 1 delay 10 rate 50 && topo_path_set 2 delay 40 rate 50 ||
	die "topology setup failed"

rows=()
run() {
	local sched=$1 p1 p2 total
	topo_set_scheduler "$sched" || die "cannot select $sched"
	topo_xfer "$BYTES" --wait-subflows 2 || die "transfer under $sched failed"
	p1=$(xfer_get subflow.10.0.1.1.bytes_acked)
	p2=$(xfer_get subflow.10.0.2.1.bytes_acked)
	total=$BYTES
	rows+=("$(printf '%-12s %s (%s)   %s (%s)   %s of %s bytes, pattern %s' "$sched" \
		"$(mb "$p1")" "$(pct "$p1" "$total")" "$(mb "$p2")" "$(pct "$p2" "$total")" \
		"$(xfer_get received)" "$BYTES" "$(xfer_get pattern)")")
}

run default
for policy in first minrtt redundant; do
	echo "== mptcp-sched load $policy"
	"$LOADER" load "$policy" || die "mptcp-sched load $policy failed"
done
echo "== mptcp-sched list"
"$LOADER" list
run bpf_first
run bpf_minrtt
run bpf_red

echo
echo "== bytes each path carried (acked at the sender, from MPTCP_FULL_INFO),"
echo "   as a share of the $BYTES-byte payload (redundant sends it on both)"
printf '%-12s %-18s %-18s %s\n' scheduler "path 1 (10 ms)" "path 2 (40 ms)" delivered
printf '%s\n' "${rows[@]}"
echo
echo "== mptcp-sched stats bpf_minrtt"
"$LOADER" stats bpf_minrtt
echo "== MPTcpExtSchedFallback in the client namespace: $(mib_get "$TOPO_CLI" SchedFallback)"
