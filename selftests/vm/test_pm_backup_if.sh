#!/usr/bin/env bash
# bpf/backup_if.bpf.c (bpf_backup_if) on the client, the in-kernel path
# manager on the server, the default scheduler on both. Path 2's client
# device cveth2 is the backup interface (backup_ifmask = 1 << its ifindex,
# check_ms=200). The policy promises: the subflow on the backup interface
# is opened as a backup; when no primary subflow is active it is promoted
# (MP_PRIO), and demoted again once a primary is back.
#
# The backup flag is read from the kernel over INET_DIAG
# (selftests/tools/mptcp_subflows): on the client MPTCP_SUBFLOW_FLAG_BKUP_LOC
# (this host marked the subflow backup: MP_JOIN backup bit, MP_PRIO sent),
# on the server MPTCP_SUBFLOW_FLAG_BKUP_REM (the peer did). Bytes per
# subflow come from MPTCP_FULL_INFO (mptcp_xfer), counters from the policy.
dir=$(cd "$(dirname "$0")" && pwd)
# transfers that wait for a path to fail and come back: room under load
TOPO_XFER_TIMEOUT=${TOPO_XFER_TIMEOUT:-300}
. "$dir/../lib/test.sh"
. "$dir/../lib/topo.sh"
. "$dir/../lib/sched.sh"
trap 'topo_cleanup; sched_unload_all' EXIT
kernel_problems_mark

MB=$((1024 * 1024))

# setup RATE1 RATE2: 2 paths (Mbit/s), small client send buffers (subflows
# stay ESTABLISHED to the end), bpf_backup_if with cveth2 as the backup
# interface, selected on the client.
setup() {
	local out

	topo_setup 2 && topo_path_set 1 delay 5 rate "$1" &&
		topo_path_set 2 delay 5 rate "$2" &&
		ip netns exec "$TOPO_CLI" sysctl -qw net.ipv4.tcp_wmem="4096 16384 262144" ||
		return 1
	out=$(ip -n "$TOPO_CLI" -j link show dev cveth2) || return 1
	if ! [[ $out =~ \"ifindex\":([0-9]+) ]] || [ "${BASH_REMATCH[1]}" -ge 32 ]; then
		echo "  setup: no usable ifindex for cveth2 in: $out" >&2
		return 1
	fi
	sched_load backup_if --set "backup_ifmask=$((1 << BASH_REMATCH[1]))" \
		--set check_ms=200 && pm_use "$SCHED_NAME"
}

teardown() {
	topo_cleanup
	sched_unload_all
}

# check_flags WHEN BACKUP: the subflow from 10.0.2.1 is (BACKUP=1) or is
# not (0) a backup, on both ends; the initial subflow never is.
check_flags() {
	diag_read || fail "diag on the client"
	assert_eq "$(diag_get addr.10.0.2.1.subflows)" 1 "$1: client subflows from 10.0.2.1"
	assert_eq "$(diag_get addr.10.0.2.1.backup)" "$2" "$1: client BKUP_LOC of 10.0.2.1's subflow"
	assert_eq "$(diag_get addr.10.0.1.1.backup)" 0 "$1: client BKUP_LOC of the initial subflow"
	diag_read "$TOPO_SRV" || fail "diag on the server"
	assert_eq "$(diag_get pair.10.0.1.2-10.0.2.1.peer_backup)" "$2" \
		"$1: server BKUP_REM of the subflow from 10.0.2.1"
	assert_eq "$(diag_get pair.10.0.1.2-10.0.1.1.peer_backup)" 0 \
		"$1: server BKUP_REM of the initial subflow"
}

subtest "subflow on the backup interface is a backup and idle while path 1 is up"
# 8 Mbit/s each, 12 MB: 12 s or more on path 1
if setup 8 8; then
	bytes=$((12 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 2 --wait-timeout 60; then
		diag_wait subflows -ge 2 60 || fail "2 subflows"
		check_flags "path 1 up" 1
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_eq "$(xfer_get subflows)" 2 "distinct subflows over the transfer"
		# bytes_acked counts SYN and FIN: a byte each
		assert_percent_between "$(xfer_path_bytes 2)" "$bytes" 0 0 \
			"share of path 2 (backup) in bytes acked"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_eq "$(sched_stat created)" 1 "stats created"
		assert_eq "$(sched_stat promoted)" 0 "stats promoted"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

subtest "path 1 down: the backup is promoted, the transfer completes over path 2"
# 8 Mbit/s each, 16 MB: path 1 dies after 2 s, path 2 carries the rest
if setup 8 8; then
	bytes=$((16 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 2 --wait-timeout 60; then
		diag_wait subflows -ge 2 60 || fail "2 subflows"
		sleep 2
		link_mark || fail "link counters"
		topo_path_down 1 || fail "path 1 down"
		pm_stat_wait "$SCHED_NAME" promoted 1 60
		assert_eq "$(sched_stat promoted)" 1 "stats promoted"
		check_flags "promoted" 0
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		# what path 1 had not delivered went over path 2 (its link counter:
		# mptcp_xfer's last sample of path 2 may miss its final acks)
		acked1=$(xfer_path_bytes 1)
		assert_gt "$(link_tx 2)" $((bytes - acked1)) \
			"path 2 link tx bytes after path 1 died (path 1 acked $acked1)"
		sched_stats_read "$SCHED_NAME" || fail "stats"
		assert_eq "$(sched_stat demoted)" 0 "stats demoted (path 1 stays down)"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

subtest "path 1 back: the promoted subflow is demoted, path 1 carries again"
# Path 2 at 1 Mbit/s, so that the 16 MB cannot end on it while path 1 is
# down (at most 0.125 MB/s), path 1 at 8 Mbit/s.
if setup 8 1; then
	bytes=$((16 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 2 --wait-timeout 60; then
		diag_wait subflows -ge 2 60 || fail "2 subflows"
		sleep 2
		topo_path_down 1 || fail "path 1 down"
		pm_stat_wait "$SCHED_NAME" promoted 1 60
		assert_eq "$(sched_stat promoted)" 1 "stats promoted"
		topo_path_up 1 || fail "path 1 up"
		link_mark || fail "link counters"
		pm_stat_wait "$SCHED_NAME" demoted 1 90
		assert_eq "$(sched_stat demoted)" 1 "stats demoted"
		check_flags "demoted" 1
		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_gt "$(link_tx 1)" $((1 * MB)) "path 1 link tx bytes after it came back"
		assert_eq "$(xfer_get subflows)" 2 "distinct subflows over the transfer"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

kernel_clean_subtest

test_exit
