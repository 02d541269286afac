#!/usr/bin/env bash
# `make bench`, run in the VM: goodput of each BPF scheduler against the
# in-kernel default measured in the same run, as a ratio, on two scenarios:
#
#   equal:  two unshaped veth paths (CPU-bound: the cost of scheduling)
#   hetero: path 1 10 ms / 50 Mbit/s, path 2 40 ms / 50 Mbit/s
#
# Each figure is the median of BENCH_RUNS transfers (default 3) of
# BENCH_MB megabytes (default 64 equal, 20 hetero). Numbers under qemu TCG
# are only comparable within one run.
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/lib/test.sh"
. "$dir/lib/topo.sh"
. "$dir/lib/sched.sh"
BUILD=${OUTPUT:-$dir/../build}
LOADER=$BUILD/mptcp-sched
RUNS=${BENCH_RUNS:-3}
SCHEDS="default bpf_burst bpf_minrtt bpf_rr bpf_first"
POLICIES="burst minrtt rr first"
trap 'topo_cleanup; for p in $POLICIES; do "$LOADER" unload bpf_$p >/dev/null 2>&1; done' EXIT

for p in $POLICIES; do
	"$LOADER" load "$p" >/dev/null || die "mptcp-sched load $p failed"
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The sender's MPTCP-level retransmissions (data sent again on another
# subflow after the MPTCP retransmit timer fired) so far.
mptcp_rtx() { mib_get "$TOPO_CLI" MPTCPRetrans || echo 0; }

# bench SCENARIO BYTES: one line per scheduler: goodput median, its ratio
# to the default's, MPTCP-level retransmitted segments per transfer
bench() {
	local scenario=$1 bytes=$2 sched ms mbps base="" i rtx0
	printf '%-8s %-12s %10s %10s %10s\n' "$scenario" scheduler "Mbit/s" "vs default" "MPTCP rtx"
	for sched in $SCHEDS; do
		topo_set_scheduler "$sched" || die "select $sched"
		rtx0=$(mptcp_rtx)
		for i in $(seq "$RUNS"); do
			topo_xfer "$bytes" --wait-subflows 2 >/dev/null ||
				die "transfer under $sched failed"
			[ "$(xfer_get received)" = "$bytes" ] || die "short transfer under $sched"
			xfer_get duration_ms
		done >"$TOPO_DIR/bench.ms"
		ms=$(median <"$TOPO_DIR/bench.ms")
		mbps=$(awk -v b="$bytes" -v ms="$ms" 'BEGIN { printf "%.1f", b * 8 / ms / 1000 }')
		[ -n "$base" ] || base=$mbps
		printf '%-8s %-12s %10s %10s %10s\n' "" "$sched" "$mbps" \
			"$(awk -v a="$mbps" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
			$((($(mptcp_rtx) - rtx0) / RUNS))
	done
}

topo_setup 2 || die "topology setup failed"
bench equal $((${BENCH_MB:-64} * 1024 * 1024))
topo_path_set 1 delay 10 rate 50 && topo_path_set 2 delay 40 rate 50 || die "netem"
bench hetero $((${BENCH_MB_HETERO:-20} * 1024 * 1024))
