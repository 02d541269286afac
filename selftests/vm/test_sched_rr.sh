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
trap 'topo_cleanup; sched_unload_all' EXIT

BYTES=$((10 * 1024 * 1024))
RATE=20		# Mbit/s, every path
DELAY=5		# ms one way, every path

# run_case NPATHS - NPATHS equal paths, bpf_rr with one segment per turn,
# one transfer; true if it ran and was byte exact.
run_case() {
	local n=$1 i

	topo_setup "$n" || { fail "topology setup"; return 1; }
	for ((i = 1; i <= n; i++)); do
		topo_path_set "$i" delay "$DELAY" rate "$RATE" ||
			{ fail "path $i emulation"; return 1; }
	done
	sched_load rr --set segments=1 --set cwnd_limited=0 ||
		{ fail "mptcp-sched load rr"; return 1; }
	topo_set_scheduler "$SCHED_NAME" || { fail "select $SCHED_NAME"; return 1; }
	link_mark || { fail "link counters"; return 1; }
	topo_xfer "$BYTES" --wait-subflows "$n" || { fail "transfer"; return 1; }
	echo "  info: transfer $(xfer_get duration_ms) ms"
	assert_eq "$(xfer_get received)" "$BYTES" "bytes received" &&
	assert_str_eq "$(xfer_get pattern)" ok "pattern check by the server" &&
	assert_eq "$(xfer_get subflows)" "$n" "subflows" || return 1
	assert_le "$(xfer_get mptcp.bytes_retrans)" $((BYTES / 20)) \
		"MPTCP-level reinjected bytes (<= 5% of the payload)"
	return 0
}

end_case() {
	topo_cleanup
	[ -z "$SCHED_NAME" ] || sched_unload "$SCHED_NAME"
	SCHED_NAME=""
}

# check_even NPATHS LOW HIGH [turns] - every path's share of the policy's
# turns is LOW%..HIGH%, and (without "turns") its share of the bytes and
# of the link tx bytes too; with "turns" those are only printed.
check_even() {
	local n=$1 low=$2 high=$3 only=${4:-} i sum_b=0 sum_l=0 turns
	local -a b l

	for ((i = 1; i <= n; i++)); do
		b[i]=$(xfer_path_bytes "$i") l[i]=$(link_tx "$i")
		sum_b=$((sum_b + ${b[i]:-0})) sum_l=$((sum_l + ${l[i]:-0}))
	done
	for ((i = 1; i <= n; i++)); do
		if [ "$only" = turns ]; then
			[ "$sum_b" -gt 0 ] && [ "$sum_l" -gt 0 ] &&
			echo "  info: path $i share of bytes_acked $((100 * ${b[i]:-0} / sum_b))%" \
			     "(${b[i]:-?} of $sum_b), of link tx bytes $((100 * ${l[i]:-0} / sum_l))%"
			continue
		fi
		assert_percent_between "${b[i]}" "$sum_b" "$low" "$high" "path $i share of bytes_acked"
		assert_percent_between "${l[i]}" "$sum_l" "$low" "$high" "path $i share of link tx bytes"
	done
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
run_case 2 && check_even 2 40 60
end_case

subtest "3 equal paths: each has 23%..43% of the turns"
run_case 3 && check_even 3 23 43 turns
end_case

test_exit
