#!/usr/bin/env bash
# bpf/one_per_iface.bpf.c (bpf_one_per_if) on the client, the in-kernel
# path manager on the server. The policy promises at most one subflow per
# local interface, from the first endpoint on it, and to use an endpoint
# added later (a new interface) on its next check (check_ms=200 here).
#
# Subflows are read from the kernel: INET_DIAG on the client during the
# transfer (selftests/tools/mptcp_subflows) and the distinct subflows
# mptcp_xfer saw (MPTCP_FULL_INFO); counters are the policy's own.
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/../lib/test.sh"
. "$dir/../lib/topo.sh"
. "$dir/../lib/sched.sh"
trap 'topo_cleanup; sched_unload_all' EXIT
kernel_problems_mark

MB=$((1024 * 1024))

# setup NPATHS: every path 4 Mbit/s, small client send buffers (subflows
# stay ESTABLISHED to the end), bpf_one_per_if selected on the client.
setup() {
	local i

	topo_setup "$1" || return 1
	for ((i = 1; i <= $1; i++)); do
		topo_path_set "$i" delay 5 rate 4 || return 1
	done
	ip netns exec "$TOPO_CLI" sysctl -qw net.ipv4.tcp_wmem="4096 16384 262144" &&
		sched_load one_per_iface --set check_ms=200 && pm_use "$SCHED_NAME"
}

teardown() {
	topo_cleanup
	sched_unload_all
}

subtest "two endpoints on cveth2: one subflow from that interface"
# 10.0.2.3 is a second address and endpoint on cveth2, routed like
# 10.0.2.1 (client: table 102; server: its neighbour entry is the router's
# rs2, 02:00:0a:00:02:fd, see topo.sh): a subflow from it would work (the
# ping checks it), the policy must not open one.
if setup 2 && ip -n "$TOPO_CLI" addr add 10.0.2.3/24 dev cveth2 &&
   ip -n "$TOPO_CLI" rule add from 10.0.2.3 table 102 &&
   ip -n "$TOPO_SRV" neigh add 10.0.2.3 lladdr 02:00:0a:00:02:fd dev sveth2 nud permanent &&
   ip netns exec "$TOPO_CLI" ping -q -n -c 1 -W 5 -I 10.0.2.3 10.0.1.2 >/dev/null &&
   ip -n "$TOPO_CLI" mptcp endpoint add 10.0.2.3 dev cveth2 id 12 subflow; then
	bytes=$((12 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 2 --wait-timeout 60; then
		diag_wait subflows -ge 2 60 || fail "2 subflows"
		# 10 more checks, 2 s at check_ms 200, for a wrong one to appear
		sched_stats_read "$SCHED_NAME" || fail "stats"
		checks=$(sched_stat checks)
		pm_stat_wait "$SCHED_NAME" checks $((${checks:-0} + 10)) 60 ||
			fail "the policy stopped checking"
		diag_read || fail "diag"
		assert_eq "$(diag_get subflows)" 2 "established subflows (INET_DIAG)"
		assert_eq "$(diag_get addr.10.0.1.1.subflows)" 1 "subflows from 10.0.1.1 (initial)"
		assert_eq "$(diag_get addr.10.0.2.1.subflows)" 1 "subflows from 10.0.2.1 (first on cveth2)"
		assert_eq "$(diag_get addr.10.0.2.3.subflows)" 0 "subflows from 10.0.2.3 (second on cveth2)"
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_eq "$(xfer_get subflows)" 2 "distinct subflows over the transfer"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_eq "$(sched_stat created)" 1 "stats created"
		assert_ge "$(sched_stat skipped_same_iface)" 10 "stats skipped_same_iface"
		assert_eq "$(sched_stat create_failed)" 0 "stats create_failed"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

subtest "an endpoint on a new interface mid-connection: a subflow from it"
# 3 paths, endpoint 3 (cveth3) deleted before the connection and added
# back once it runs with its 2 subflows. 16 MB: 16 s or more on 2 paths.
if setup 3 && ip -n "$TOPO_CLI" mptcp endpoint delete id 3; then
	bytes=$((16 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 2 --wait-timeout 60; then
		diag_wait subflows -ge 2 60 || fail "2 subflows"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		checks=$(sched_stat checks)
		pm_stat_wait "$SCHED_NAME" checks $((${checks:-0} + 5)) 60 ||
			fail "the policy stopped checking"
		diag_read || fail "diag"
		assert_eq "$(diag_get subflows)" 2 "established subflows before the new endpoint"
		ip -n "$TOPO_CLI" mptcp endpoint add 10.0.3.1 dev cveth3 id 3 subflow ||
			fail "endpoint add"
		diag_wait addr.10.0.3.1.subflows -ge 1 60
		assert_eq "$(diag_get addr.10.0.3.1.subflows)" 1 "subflows from 10.0.3.1 (new)"
		assert_eq "$(diag_get subflows)" 3 "established subflows after the new endpoint"
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_eq "$(xfer_get subflows)" 3 "distinct subflows over the transfer"
		assert_gt "$(xfer_path_bytes 3)" 0 "bytes acked on the new subflow from 10.0.3.1"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_eq "$(sched_stat created)" 2 "stats created"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

kernel_clean_subtest

test_exit
