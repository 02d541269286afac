#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_default_sched.sh - the in-kernel "default" scheduler on two equal
# paths. It checks the test infrastructure every scheduler test relies on
# (selftests/lib/topo.sh, mptcp_xfer) against a scheduler whose behaviour
# is known: two paths of 50 Mbit/s each (plus 5 ms one-way delay when the
# kernel has sch_netem), one 10 MiB transfer, and
#   - the transfer is byte exact (received == sent, pattern ok);
#   - it had exactly 2 subflows, one per path, both to 10.0.1.2;
#   - each path carried at least 10% of the bytes the subflows had acked;
#   - the link counters agree: each path's client-side tx_bytes is at
#     least what the kernel says its subflow had acked, and at most its
#     bytes_sent plus header overhead.
# Needs root; binaries from $OUTPUT (default <repo>/build).
set -u

dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../lib/test.sh
. "$dir/../lib/test.sh"
# shellcheck source=SCRIPTDIR/../lib/topo.sh
. "$dir/../lib/topo.sh"

BYTES=10485760		# 10 MiB
RATE=50			# Mbit/s per path
DELAY=5			# ms one way, when sch_netem exists
MIN_SHARE=10		# % of bytes_acked each path must carry

trap topo_cleanup EXIT

# get_num KEY - a number from the transfer's output, or fail.
get_num() {
	local v

	v=$(xfer_get "$1")
	if ! [[ $v =~ ^[0-9]+$ ]]; then
		fail "no number for '$1' in the client output ($TOPO_XFER_OUT)"
		return 1
	fi
	echo "$v"
}

# abort MSG - a failed setup: fail the subtest and stop the test.
abort() {
	fail "$*"
	test_exit
	exit 1
}

subtest "setup: 2 paths of $RATE Mbit/s, scheduler default"
if [ "$(id -u)" != 0 ]; then
	skip "needs root (network namespaces)"
	test_exit
	exit
fi
topo_setup 2 || abort "topology setup"
topo_set_scheduler default || abort "net.mptcp.scheduler=default"
shape=(rate "$RATE")
if topo_have_netem; then
	shape+=(delay "$DELAY")
else
	echo "  note: no sch_netem in this kernel: paths without delay"
fi
for i in 1 2; do
	topo_path_set "$i" "${shape[@]}" || abort "shaping path $i"
done
echo "  ok: $TOPO_CLI <-> $TOPO_RTR <-> $TOPO_SRV: ${shape[*]}"

subtest "transfer $BYTES bytes, byte exact"
declare -A link_before
for i in 1 2; do
	link_before[$i]=$(topo_link_bytes "$i") || abort "link counter of path $i"
done
start=${EPOCHREALTIME/./}
topo_xfer "$BYTES" --wait-subflows 2 || abort "transfer"
elapsed_ms=$(((${EPOCHREALTIME/./} - start) / 1000))
assert_eq "$(xfer_get sent)" "$BYTES" "bytes sent"
assert_eq "$(xfer_get received)" "$BYTES" "bytes the server received"
assert_str_eq "$(xfer_get pattern)" ok "pattern check by the server"
if duration=$(get_num duration_ms); then
	echo "  info: transfer $duration ms ($((BYTES * 8 / 1000 / (duration + 1))) Mbit/s), whole step $elapsed_ms ms"
fi

subtest "2 subflows, one per path"
assert_eq "$(xfer_get subflows)" 2 "distinct subflows"
for i in 1 2; do
	assert_str_eq "$(xfer_get "subflow.10.0.$i.1.remote")" 10.0.1.2 \
		"remote of the subflow from 10.0.$i.1"
done

subtest "each path carries >= $MIN_SHARE% of the data"
total=$(xfer_get total.bytes_acked)
assert_ge "$total" "$BYTES" "bytes acked over all subflows"
for i in 1 2; do
	assert_percent_between "$(xfer_get "subflow.10.0.$i.1.bytes_acked")" \
		"$total" "$MIN_SHARE" 100 "share of path $i"
done

subtest "link counters match the kernel's per-subflow accounting"
for i in 1 2; do
	if ! acked=$(get_num "subflow.10.0.$i.1.bytes_acked") ||
	   ! sent=$(get_num "subflow.10.0.$i.1.bytes_sent"); then
		continue
	fi
	after=$(topo_link_bytes "$i") || { fail "link counter of path $i"; continue; }
	tx=$((after - link_before[$i]))
	assert_ge "$tx" "$acked" "path $i: link tx_bytes >= subflow bytes_acked"
	# headers (~5% at MSS 1448 with MPTCP options) and the few pure ACKs
	assert_le "$tx" $((sent * 115 / 100 + 65536)) \
		"path $i: link tx_bytes <= 115% of subflow bytes_sent + 64 KiB"
done

test_exit
