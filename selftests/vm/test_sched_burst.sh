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
# shellcheck source=SCRIPTDIR/../lib/sched_case.sh
. "$dir/../lib/sched_case.sh"
trap 'topo_cleanup; sched_unload_all' EXIT
kernel_problems_mark

BYTES=$((10 * 1024 * 1024))
EQUAL_MIN=25	# % each of two equal paths carries
FAST_MIN=50	# % the 30 Mbit/s path carries next to a 10 Mbit/s one

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
if sched_case_run 2 equal burst; then
	assert_path_share 1 2 "$EQUAL_MIN" 100
	assert_path_share 2 2 "$EQUAL_MIN" 100
	check_counters
fi
sched_case_end

subtest "10 and 30 Mbit/s paths: the 30 Mbit/s path carries >= $FAST_MIN%"
if sched_case_run 2 unequal burst; then
	assert_path_share 2 2 "$FAST_MIN" 100
	check_counters
fi
sched_case_end

kernel_clean_subtest

test_exit
