#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test_sched_redundant.sh - bpf/redundant.bpf.c (bpf_red) keeps its
# promise: every round goes on every active subflow (the core's redundant
# data path, vmlinux/patches 0004) and a subflow with a full send buffer
# is waited for, not left out, so each path carries the whole payload.
# Paths of 20 Mbit/s each with distinct delays, one 10 MiB transfer per
# subtest, the policy loaded by mptcp-sched:
#   - 2 paths (10 and 20 ms RTT), then 3 paths (10, 20 and 30 ms RTT):
#     each path's subflow acked >= 95% of the payload, and each path's
#     link sent at least that many bytes.
# The 5% margin: the core copies a round to the other picked subflows
# best effort (__subflow_push_copy stops when a subflow fills up during
# the copy). Each subtest also checks: byte exact; MPTCP-level
# reinjections <= 5% of the payload (copies are not reinjections: the
# kernel counts those in mptcp.bytes_retrans only when its retransmit
# timer resends data); the policy's counters (every subflow took part in
# rounds, copies were made, no backup rounds); MPTcpExtSchedFallback <= 1%
# of the policy's rounds (bpf_red returns "nothing" only when no subflow
# is active).
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
COPY_MIN=95	# % of the payload every path carries

# staggered NPATHS - path I "delay 5 x I rate $RATE" (I x 10 ms RTT)
staggered() {
	local i

	for ((i = 1; i <= $1; i++)); do
		topo_path_set "$i" delay $((5 * i)) rate "$RATE" || return 1
	done
}

# assert_payload_share BYTES TAG - BYTES >= COPY_MIN% of the payload (it
# may be more: retransmissions, headers).
assert_payload_share() {
	local pct='?'

	[[ $1 =~ ^[0-9]+$ ]] && pct=$((100 * $1 / BYTES))
	assert_ge "$1" $((BYTES * COPY_MIN / 100)) "$2 ($pct% of the payload, >= $COPY_MIN%)"
}

# check_copies NPATHS - every path carried >= COPY_MIN% of the payload,
# by its subflow's bytes_acked and by its link's tx bytes; the policy's
# and the core's counters.
check_copies() {
	local n=$1 i rounds

	for ((i = 1; i <= n; i++)); do
		assert_payload_share "$(xfer_path_bytes "$i")" "path $i bytes_acked"
		assert_payload_share "$(link_tx "$i")" "path $i link tx bytes"
	done
	sched_stats_read "$SCHED_NAME" || { fail "stats of $SCHED_NAME"; return; }
	for ((i = 0; i < n; i++)); do
		assert_gt "$(sched_stat "picked[$i]")" 0 "policy: rounds subflow $((i + 1)) took part in"
	done
	assert_gt "$(sched_stat copies)" 0 "policy: copies"
	assert_eq "$(sched_stat backup_rounds)" 0 "policy: backup_rounds (there is no backup)"
	echo "  info: policy: rounds waiting for a full subflow: $(sched_stat waited)"
	# rounds: those of the first subflow picked, i.e. picks minus copies
	rounds=$(($(sched_stat picked) - $(sched_stat copies)))
	assert_le "$(mib_get "$TOPO_CLI" SchedFallback)" $((rounds / 100)) \
		"MPTcpExtSchedFallback (<= 1% of $rounds rounds)"
}

subtest "2 paths ($RATE Mbit/s, 10 and 20 ms RTT): each carries >= $COPY_MIN% of the payload"
sched_case_run 2 staggered redundant && check_copies 2
sched_case_end

subtest "3 paths ($RATE Mbit/s, 10, 20 and 30 ms RTT): each carries >= $COPY_MIN% of the payload"
sched_case_run 3 staggered redundant && check_copies 3
sched_case_end

kernel_clean_subtest

test_exit
