#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test_sched_minrtt.sh - bpf/minrtt.bpf.c keeps its promise: data goes to
# the lowest-RTT subflow that has room in its congestion window; a slower
# path only takes what the fast one cannot. Two paths, 10 ms and 50 ms
# RTT, one 10 MiB transfer per subtest, the policy loaded by mptcp-sched:
#   - neither path rate-limited: the 10 ms path carries >= 90% of the
#     bytes (the 50 ms path only gets what overflows the 10 ms path's
#     congestion window while it grows);
#   - the 10 ms path limited to 10 Mbit/s, the 50 ms one to 50 Mbit/s:
#     the 50 ms path carries >= 30% (see SPILL_MIN).
# Each: byte exact; shares from the kernel's per-subflow bytes_acked
# (MPTCP_FULL_INFO) and, as a cross-check, from the client's link tx
# counters; MPTCP-level reinjections (mptcp.bytes_retrans) stay below 5%
# of the payload, as they must on paths that lose nothing but what their
# queues drop; the policy's own counters moved and agree; the core took over
# (MPTcpExtSchedFallback) in at most 1% of the policy's rounds plus
# START_FALLBACKS. minrtt never returns "nothing" while a subflow is active
# (none_available stays 0); it waits (MPTCP_SCHED_WAIT) when no window has
# room, and the core honours a wait only while data is in flight. In the
# first rounds of a transfer the data is queued on the subflow but not yet
# sent (the push loop transmits when it lets go of the subflow), so a wait
# there falls back to the default: 2 per transfer, in each of 7 transfers
# measured.
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
FAST_MIN=90	# % the 10 ms path carries when it is not rate-limited
# With the 10 ms path at 10 Mbit/s and the 50 ms one at 50 Mbit/s, the
# 10 ms path's window is full most of the time and minrtt sends the rest
# on the 50 ms path: once both are saturated that path carries 50/60 =
# 83%. Its slow start (50 ms RTT, ~0.4 s to fill 50 Mbit/s) and minrtt's
# preference for the 10 ms path lower that; 30% is three times the
# spill-over the first subtest tolerates, so a policy that merely
# overflows (or ignores) the second path cannot reach it.
SPILL_MIN=30
# Waits the core cannot honour at the start of a transfer (see above).
START_FALLBACKS=4

# check_counters: bpf_minrtt's counters for this transfer (read into
# sched_stat), and the core's fallback count.
check_counters() {
	local picks

	sched_stats_read "$SCHED_NAME" || { fail "stats of $SCHED_NAME"; return 1; }
	picks=$(sched_stat picked)
	assert_gt "$(sched_stat 'picked[0]')" 0 "policy: picks of the 10 ms subflow"
	assert_eq "$(sched_stat backup_used)" 0 "policy: backup_used (there is no backup)"
	assert_eq "$(sched_stat none_available)" 0 "policy: none_available"
	assert_le "$(mib_get "$TOPO_CLI" SchedFallback)" $((picks / 100 + START_FALLBACKS)) \
		"MPTcpExtSchedFallback (<= 1% of $picks rounds + $START_FALLBACKS)"
}

unlimited() { topo_path_set 1 delay 5 && topo_path_set 2 delay 25; }
fast_limited() { topo_path_set 1 delay 5 rate 10 && topo_path_set 2 delay 25 rate 50; }

subtest "10 ms and 50 ms paths, no rate limit: the 10 ms path carries >= $FAST_MIN%"
if sched_case_run 2 unlimited minrtt; then
	assert_path_share 1 2 "$FAST_MIN" 100
	if check_counters; then
		assert_gt "$(sched_stat 'picked[0]')" $((9 * $(sched_stat 'picked[1]'))) \
			"policy: picks of the 10 ms subflow > 9 x those of the 50 ms one"
	fi
fi
sched_case_end

subtest "10 ms path at 10 Mbit/s, 50 ms path at 50 Mbit/s: the 50 ms path carries >= $SPILL_MIN%"
if sched_case_run 2 fast_limited minrtt; then
	assert_path_share 2 2 "$SPILL_MIN" 100
	if check_counters; then
		assert_gt "$(sched_stat 'picked[1]')" 0 "policy: picks of the 50 ms subflow"
		echo "  info: policy: rounds waiting for a congestion window: $(sched_stat cwnd_waits)"
	fi
fi
sched_case_end

kernel_clean_subtest

test_exit
