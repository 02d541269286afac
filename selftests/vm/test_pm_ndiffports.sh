#!/usr/bin/env bash
# bpf/ndiffports.bpf.c (bpf_ndiffports) on the client, the in-kernel path
# manager on the server. The policy promises `subflows` subflows (the
# initial one included), all over the connection's initial address pair,
# each from its own source port; endpoints are not used. The topology has
# 2 paths, so the client's endpoint 10.0.2.1 is there to be ignored.
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
BYTES=$((12 * MB))

# setup SUBFLOWS: 2 paths of 4 Mbit/s (12 MB take 12 s or more on path 1:
# time to read the subflows mid-transfer), small client send buffers (the
# subflows stay ESTABLISHED until the end), bpf_ndiffports loaded with
# subflows=SUBFLOWS and selected on the client.
setup() {
	topo_setup 2 && topo_path_set 1 delay 5 rate 4 && topo_path_set 2 delay 5 rate 4 &&
		ip netns exec "$TOPO_CLI" sysctl -qw net.ipv4.tcp_wmem="4096 16384 262144" &&
		sched_load ndiffports --set "subflows=$1" && pm_use "$SCHED_NAME"
}

teardown() {
	topo_cleanup
	sched_unload_all
}

# nr_distinct WORDS...: how many different words
nr_distinct() {
	local -A seen=()
	local w

	for w; do
		seen[$w]=1
	done
	echo "${#seen[@]}"
}

subtest "subflows=3: 3 subflows 10.0.1.1 -> 10.0.1.2, distinct source ports"
if setup 3; then
	if topo_xfer_start "$BYTES" --wait-subflows 3 --wait-timeout 60; then
		diag_wait subflows -ge 3 60
		assert_eq "$(diag_get subflows)" 3 "established subflows (INET_DIAG)"
		assert_eq "$(diag_get pair.10.0.1.1-10.0.1.2)" 3 "subflows 10.0.1.1-10.0.1.2"
		assert_eq "$(diag_get addr.10.0.2.1.subflows)" 0 "subflows from endpoint 10.0.2.1"
		# shellcheck disable=SC2046 # one word per port
		assert_eq "$(nr_distinct $(diag_ports 10.0.1.1))" 3 \
			"distinct source ports of 10.0.1.1 ($(diag_ports 10.0.1.1))"
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$BYTES" "bytes received"
		assert_eq "$(xfer_get subflows)" 3 "distinct subflows over the transfer"
		# subflows sharing a local address are summed under it, remotes listed
		assert_str_eq "$(xfer_get subflow.10.0.1.1.remote)" 10.0.1.2 \
			"remotes of 10.0.1.1 (MPTCP_FULL_INFO)"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_eq "$(sched_stat created)" 2 "stats created"
		assert_eq "$(sched_stat create_failed)" 0 "stats create_failed"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

subtest "subflows=1: the initial subflow only"
if setup 1; then
	if topo_xfer_start "$BYTES"; then
		diag_wait subflows -ge 1 60 || fail "no subflow"
		# the policy acts on the established event: give it time to misbehave
		sleep 3
		diag_read || fail "diag"
		assert_eq "$(diag_get subflows)" 1 "established subflows (INET_DIAG)"
		assert_eq "$(diag_get pair.10.0.1.1-10.0.1.2)" 1 "subflows 10.0.1.1-10.0.1.2"
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$BYTES" "bytes received"
		assert_eq "$(xfer_get subflows)" 1 "distinct subflows over the transfer"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_eq "$(sched_stat created)" 0 "stats created"
		assert_eq "$(sched_stat create_failed)" 0 "stats create_failed"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

kernel_clean_subtest

test_exit
