#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test_sched_burst.sh - bpf/burst.bpf.c, the default scheduler's logic in
# BPF, aggregates: each burst goes to the subflow whose queued data would
# leave soonest (queued bytes / pacing rate), so every path with capacity
# takes a part. One 10 MiB transfer per subtest, the policy loaded by
# mptcp-sched:
#   - 2 paths of 20 Mbit/s (10 and 20 ms RTT): each carries >= 25%;
#   - 2 paths of 10 and 30 Mbit/s (10 ms RTT): the 30 Mbit/s path carries
#     more than the 10 Mbit/s one (>= 50%; 75% at full use of both).
# Shares from the kernel's per-subflow bytes_acked and, as a cross-check,
# from the client's link tx bytes. Also: byte exact; MPTCP-level
# reinjections <= 5% of the payload; the policy's counters (bursts on both
# subflows, no backup); MPTcpExtSchedFallback <= 1% of the policy's rounds
# (burst picks a subflow to wait for rather than nothing).
set -u
dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../lib/test.sh
. "$dir/../lib/test.sh"
# shellcheck source=SCRIPTDIR/../lib/topo.sh
. "$dir/../lib/topo.sh"
# shellcheck source=SCRIPTDIR/../lib/sched.sh
. "$dir/../lib/sched.sh"
trap 'topo_cleanup; sched_unload_all' EXIT

BYTES=$((10 * 1024 * 1024))
EQUAL_MIN=25	# % each of two equal paths carries
FAST_MIN=50	# % the 30 Mbit/s path carries next to a 10 Mbit/s one

# run_case SHAPE-FUNCTION - two paths, bpf_burst, one transfer; true if
# it ran and was byte exact.
run_case() {
	topo_setup 2 || { fail "topology setup"; return 1; }
	"$1" || { fail "path emulation ($1)"; return 1; }
	sched_load burst || { fail "mptcp-sched load burst"; return 1; }
	topo_set_scheduler "$SCHED_NAME" || { fail "select $SCHED_NAME"; return 1; }
	link_mark || { fail "link counters"; return 1; }
	topo_xfer "$BYTES" --wait-subflows 2 || { fail "transfer"; return 1; }
	echo "  info: transfer $(xfer_get duration_ms) ms"
	assert_eq "$(xfer_get received)" "$BYTES" "bytes received" &&
	assert_str_eq "$(xfer_get pattern)" ok "pattern check by the server" &&
	assert_eq "$(xfer_get subflows)" 2 "subflows" || return 1
	assert_le "$(xfer_get mptcp.bytes_retrans)" $((BYTES / 20)) \
		"MPTCP-level reinjected bytes (<= 5% of the payload)"
	return 0
}

end_case() {
	topo_cleanup
	[ -z "$SCHED_NAME" ] || sched_unload "$SCHED_NAME"
	SCHED_NAME=""
}

# check_share PATH LOW: PATH's share of bytes_acked and of link tx bytes
# is LOW%..100%.
check_share() {
	local p=$1 low=$2 b1 b2 l1 l2 b l

	b1=$(xfer_path_bytes 1) b2=$(xfer_path_bytes 2)
	l1=$(link_tx 1) l2=$(link_tx 2)
	b=b$p l=l$p
	assert_percent_between "${!b}" $((b1 + b2)) "$low" 100 "path $p share of bytes_acked"
	assert_percent_between "${!l}" $((l1 + l2)) "$low" 100 "path $p share of link tx bytes"
}

check_counters() {
	local picks

	sched_stats_read "$SCHED_NAME" || { fail "stats of $SCHED_NAME"; return; }
	picks=$(sched_stat picked)
	assert_gt "$(sched_stat 'picked[0]')" 0 "policy: bursts on subflow 1"
	assert_gt "$(sched_stat 'picked[1]')" 0 "policy: bursts on subflow 2"
	assert_eq "$(sched_stat backup_used)" 0 "policy: backup_used (there is no backup)"
	assert_le "$(mib_get "$TOPO_CLI" SchedFallback)" $((picks / 100)) \
		"MPTcpExtSchedFallback (<= 1% of $picks rounds)"
}

equal() { topo_path_set 1 delay 5 rate 20 && topo_path_set 2 delay 10 rate 20; }
unequal() { topo_path_set 1 delay 5 rate 10 && topo_path_set 2 delay 5 rate 30; }

subtest "2 paths of 20 Mbit/s (10 and 20 ms RTT): each carries >= $EQUAL_MIN%"
if run_case equal; then
	check_share 1 "$EQUAL_MIN"
	check_share 2 "$EQUAL_MIN"
	check_counters
fi
end_case

subtest "10 and 30 Mbit/s paths: the 30 Mbit/s path carries >= $FAST_MIN%"
if run_case unequal; then
	check_share 2 "$FAST_MIN"
	check_counters
fi
end_case

test_exit
