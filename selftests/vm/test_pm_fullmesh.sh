#!/usr/bin/env bash
# bpf/fullmesh.bpf.c (bpf_fullmesh) on the client, the in-kernel path
# manager on the server. The policy promises a subflow from every local
# endpoint (subflow flag) to every peer address (the initial one and those
# the server announces), bounded by `ip mptcp limits`, and to reopen
# missing subflows every retry_ms until the mesh is whole again.
#
# Subflows are counted as the kernel reports them: INET_DIAG on the client
# while the transfer runs (selftests/tools/mptcp_subflows) and the distinct
# subflows mptcp_xfer saw over the transfer (MPTCP_FULL_INFO); counters are
# the policy's own (mptcp-sched -j stats). Every transfer is byte-exact.
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/../lib/test.sh"
. "$dir/../lib/topo.sh"
. "$dir/../lib/sched.sh"
trap 'topo_cleanup; sched_unload_all' EXIT
kernel_problems_mark

MB=$((1024 * 1024))

# setup NPATHS RATE [SIGNAL...]: topology, every path "delay 5 rate RATE"
# (Mbit/s), the server announcing path SIGNAL's address for each SIGNAL
# given, bpf_fullmesh loaded and selected on the client.
setup() {
	local n=$1 rate=$2 i

	shift 2
	topo_setup "$n" || return 1
	for ((i = 1; i <= n; i++)); do
		topo_path_set "$i" delay 5 rate "$rate" || return 1
	done
	for i in "$@"; do
		ip -n "$TOPO_SRV" mptcp endpoint add "10.0.$i.2" dev "sveth$i" signal ||
			return 1
	done
	# small send buffers: the client hands its data to the subflows as
	# they send it, so they stay ESTABLISHED (not FIN_WAIT1) to the end
	ip netns exec "$TOPO_CLI" sysctl -qw net.ipv4.tcp_wmem="4096 16384 262144" &&
		sched_load fullmesh && pm_use "$SCHED_NAME"
}

teardown() {
	topo_cleanup
	sched_unload_all
}

# check_mesh EXPECTED PAIR...: the client's subflows, now, are exactly the
# given local-remote address pairs, one subflow each.
check_mesh() {
	local want=$1 pair

	shift
	diag_wait subflows -ge "$want" 60
	assert_eq "$(diag_get subflows)" "$want" "established subflows (INET_DIAG)"
	for pair; do
		assert_eq "$(diag_get "pair.$pair")" 1 "subflows $pair"
	done
}

# xfer_subflows: the subflows mptcp_xfer saw, for the log
xfer_subflows() {
	local k v

	while read -r k v; do
		[[ $k == subflow.*.remote ]] && echo "  info: ${k%.remote} -> $v"
	done <"$TOPO_XFER_OUT"
}

# sorted LIST: a comma-separated list, sorted (xfer lists remotes as seen)
sorted() {
	tr , '\n' <<<"$1" | sort | paste -sd,
}

# 4 Mbit/s per path and 12 MB: 8 s or more once every subflow is up (the
# client waits for them before it sends), time to read them mid-transfer.
subtest "2 paths, server announces 10.0.2.2: 3 subflows, the promised pairs"
if setup 2 4 2; then
	bytes=$((12 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 3 --wait-timeout 60; then
		check_mesh 3 10.0.1.1-10.0.1.2 10.0.2.1-10.0.1.2 10.0.2.1-10.0.2.2
		# the initial address is no endpoint: nothing from it to 10.0.2.2
		assert_eq "$(diag_get pair.10.0.1.1-10.0.2.2)" 0 "subflows 10.0.1.1-10.0.2.2"
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_eq "$(xfer_get subflows)" 3 "distinct subflows over the transfer" || xfer_subflows
		assert_str_eq "$(sorted "$(xfer_get subflow.10.0.2.1.remote)")" \
			"10.0.1.2,10.0.2.2" "remotes of 10.0.2.1 (MPTCP_FULL_INFO)"
		assert_str_eq "$(xfer_get subflow.10.0.1.1.remote)" 10.0.1.2 \
			"remotes of 10.0.1.1 (MPTCP_FULL_INFO)"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_eq "$(sched_stat created)" 2 "stats created"
		assert_eq "$(sched_stat announced)" 1 "stats announced"
		assert_eq "$(sched_stat create_failed)" 0 "stats create_failed"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

subtest "3 paths, server announces 10.0.2.2 and 10.0.3.2: 2 x 3 + 1 = 7 subflows"
if setup 3 4 2 3; then
	bytes=$((12 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 7 --wait-timeout 60; then
		check_mesh 7 10.0.1.1-10.0.1.2 \
			10.0.2.1-10.0.1.2 10.0.2.1-10.0.2.2 10.0.2.1-10.0.3.2 \
			10.0.3.1-10.0.1.2 10.0.3.1-10.0.2.2 10.0.3.1-10.0.3.2
		assert_eq "$(diag_get addr.10.0.1.1.subflows)" 1 "subflows from 10.0.1.1"
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_eq "$(xfer_get subflows)" 7 "distinct subflows over the transfer" || xfer_subflows
		for a in 10.0.2.1 10.0.3.1; do
			assert_str_eq "$(sorted "$(xfer_get "subflow.$a.remote")")" \
				"10.0.1.2,10.0.2.2,10.0.3.2" "remotes of $a (MPTCP_FULL_INFO)"
		done
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_eq "$(sched_stat created)" 6 "stats created"
		assert_eq "$(sched_stat announced)" 2 "stats announced"
		assert_eq "$(sched_stat create_failed)" 0 "stats create_failed"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

subtest "client limits subflow 1 on 3 paths: 2 subflows, the refused one counted"
if setup 3 4 && ip -n "$TOPO_CLI" mptcp limits set subflow 1; then
	bytes=$((12 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 2 --wait-timeout 60; then
		diag_wait subflows -ge 2 60
		assert_eq "$(diag_get subflows)" 2 "established subflows (INET_DIAG)"
		assert_eq "$(diag_get pair.10.0.2.1-10.0.1.2)" 1 "subflows 10.0.2.1-10.0.1.2 (endpoint id 2 first)"
		assert_eq "$(diag_get addr.10.0.3.1.subflows)" 0 "subflows from 10.0.3.1 (over the limit)"
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_eq "$(xfer_get subflows)" 2 "distinct subflows over the transfer"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_eq "$(sched_stat created)" 1 "stats created"
		assert_ge "$(sched_stat create_failed)" 1 "stats create_failed (-EDQUOT)"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

subtest "path 2 down and up during a transfer: byte-exact, its subflow kept or back"
# 5 Mbit/s per path, 16 MB: at least 13 s with both paths. Down, the
# subflow of path 2 stays established (it only sees errors and timeouts)
# and the kernel moves its data to path 1; once back, path 2 has a subflow
# again: the same one (recovered) or, had it died, one the policy reopened.
if setup 2 5; then
	bytes=$((16 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 2 --wait-timeout 60; then
		diag_wait subflows -ge 2 60 || fail "2 subflows before the cycle"
		before=$(diag_ports 10.0.2.1)
		sleep 1
		topo_path_down 2 || fail "path 2 down"
		sleep 2
		topo_path_up 2 || fail "path 2 up"
		link_mark || fail "link counters"
		diag_wait addr.10.0.2.1.subflows -ge 1 60
		assert_eq "$(diag_get addr.10.0.2.1.subflows)" 1 "subflows from 10.0.2.1 after path 2 is back"
		after=$(diag_ports 10.0.2.1)
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		echo "  info: 10.0.2.1 port $before -> $after; path 2 tx after up $(link_tx 2) B;" \
			"MPTcpExtSubflowStale $(mib_get "$TOPO_CLI" SubflowStale)" \
			"SubflowRecover $(mib_get "$TOPO_CLI" SubflowRecover);" \
			"stats created $(sched_stat created) closed $(sched_stat closed)"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

subtest "endpoint 10.0.2.1 deleted and re-added mid-transfer: a new subflow from it"
# The subflow closes with the endpoint; the policy's retries (retry_ms
# 1000) find nothing to open without it. Once the endpoint is back, a new
# subflow 10.0.2.1 -> 10.0.1.2 must appear (a new source port). The
# client's limit of 1 extra subflow also checks that the closed one was
# given back. 5 Mbit/s per path, 24 MB: at least 20 s.
if setup 2 5 && ip -n "$TOPO_CLI" mptcp limits set subflow 1; then
	bytes=$((24 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 2 --wait-timeout 60; then
		diag_wait subflows -ge 2 60 || fail "2 subflows before the delete"
		old=$(diag_ports 10.0.2.1)
		[ -n "$old" ] || fail "no subflow from 10.0.2.1 before the delete"
		problems=$(kernel_problems)
		ip -n "$TOPO_CLI" mptcp endpoint delete id 2 || fail "endpoint delete"
		diag_wait addr.10.0.2.1.subflows -eq 0 60
		assert_eq "$(diag_get addr.10.0.2.1.subflows)" 0 "subflows from 10.0.2.1 after the delete"
		assert_eq "$(kernel_problems)" "$problems" \
			"kernel problem lines in dmesg after 'ip mptcp endpoint delete'"
		# past a retry that follows the close
		pm_stat_wait "$SCHED_NAME" retries 1 60
		assert_ge "$(sched_stat retries)" 1 "stats retries after the close"
		assert_ge "$(sched_stat closed)" 1 "stats closed"
		sleep 2
		sched_stats_read "$SCHED_NAME" || fail "stats"
		created=$(sched_stat created)
		ip -n "$TOPO_CLI" mptcp endpoint add 10.0.2.1 dev cveth2 id 2 subflow ||
			fail "endpoint re-add"
		diag_wait addr.10.0.2.1.subflows -ge 1 60
		assert_eq "$(diag_get addr.10.0.2.1.subflows)" 1 "subflows from 10.0.2.1 after the re-add"
		assert_eq "$(diag_get subflows)" 2 "established subflows after the re-add (limit 1)"
		new=$(diag_ports 10.0.2.1)
		[ -z "$new" ] || assert_ne "$new" "$old" "source port of the new 10.0.2.1 subflow (old $old)"
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		if [ -n "$new" ]; then
			assert_ge "$(xfer_get "subflow.10.0.2.1:$new.bytes_acked")" 1 \
				"bytes acked on the new subflow 10.0.2.1:$new"
		fi
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_gt "$(sched_stat created)" "$created" "stats created after the re-add"
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
