#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test_sched_rr.sh - bpf/rr.bpf.c, loaded by mptcp-sched with
# "--set segments=1 --set cwnd_limited=0", spreads one transfer evenly
# over equal paths: turns go round the subflows, each turn one segment
# (at least one page fragment), and without cwnd_limited no subflow with
# send-buffer room misses its turn. Equal paths of 20 Mbit/s and 10 ms
# RTT, one 10 MiB transfer per subtest:
#   - 2 paths: each carries 40%..60% of the bytes (the kernel's
#     per-subflow bytes_acked, cross-checked with the client's link tx
#     bytes) and has 40%..60% of the policy's turns;
#   - 3 paths: each has 23%..43% (1/3 +- 10 points) of the policy's turns.
#     The bytes per path are printed, not asserted: a turn is "the rest of
#     the current page fragment" (the core's __subflow_push_pending), whose
#     size depends on how much the previous subflow took, and with 3
#     subflows the byte shares came out between 16% and 46%.
# Also: byte exact; MPTCP-level reinjections <= 5% of the payload;
# MPTcpExtSchedFallback <= 1% of the policy's rounds (rr returns "nothing"
# only when no subflow has send-buffer room).
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
RATE=20		# Mbit/s, every path
DELAY=5		# ms one way, every path

# equal NPATHS - every path "delay $DELAY rate $RATE"
equal() {
	local i

	for ((i = 1; i <= $1; i++)); do
		topo_path_set "$i" delay "$DELAY" rate "$RATE" || return 1
	done
}

# check_even NPATHS LOW HIGH [turns] - every path's share of the policy's
# turns is LOW%..HIGH%, and (without "turns") its share of the bytes and
# of the link tx bytes too; with "turns" those are only printed.
check_even() {
	local n=$1 low=$2 high=$3 only=${4:-} i turns

	if [ "$only" = turns ]; then
		path_share_info "$n"
	else
		for ((i = 1; i <= n; i++)); do
			assert_path_share "$i" "$n" "$low" "$high"
		done
	fi
	sched_stats_read "$SCHED_NAME" || { fail "stats of $SCHED_NAME"; return; }
	turns=$(sched_stat picked)
	for ((i = 0; i < n; i++)); do
		assert_percent_between "$(sched_stat "picked[$i]")" "$turns" "$low" "$high" \
			"policy: subflow $((i + 1)) share of the turns"
	done
	assert_le "$(mib_get "$TOPO_CLI" SchedFallback)" $((turns / 100)) \
		"MPTcpExtSchedFallback (<= 1% of $turns rounds)"
}

subtest "2 equal paths: each carries 40%..60%"
sched_case_run 2 equal rr --set segments=1 --set cwnd_limited=0 && check_even 2 40 60
sched_case_end

subtest "3 equal paths: each has 23%..43% of the turns"
sched_case_run 3 equal rr --set segments=1 --set cwnd_limited=0 && check_even 3 23 43 turns
sched_case_end

kernel_clean_subtest

test_exit
