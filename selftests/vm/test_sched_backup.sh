#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test_sched_backup.sh - bpf/backup.bpf.c keeps its handover promise. Two
# paths of 20 Mbit/s and 10 ms RTT; path 2's client address is a backup
# endpoint (topo_endpoint_backup 2, set before the connection, so its
# subflow joins as a backup). The policy is loaded by mptcp-sched with its
# defaults (failover_rtos=1).
#   1. Primary up: the backup path carries < 1% of the bytes (by bytes_acked
#      and by its link's tx bytes, which then hold little but pure ACKs).
#   2. The primary's device goes down once it has sent 2 MiB of a 10 MiB
#      transfer (~1 s at 20 Mbit/s; by progress, not time, so a slow VM
#      cannot make it happen before the transfer starts): the transfer
#      completes, byte exact, and the backup carried everything the
#      primary had not sent before it went down (path 1's link counter is
#      frozen while its device is down, so that bound is exact); the
#      policy counted a failover.
#   3. The same in a 30 MiB transfer, and the primary comes up again as
#      soon as the backup has sent 1 MiB (so the backup carried the
#      outage): new data returns to the primary: path 1's link sent
#      >= 7.5 MiB after it came back, more than the 4 MiB (tcp_wmem max)
#      its socket could have held when it went down, so most of it is
#      data scheduled after the recovery; the policy counted failovers
#      >= 1 and a failback after the outage. The outage is kept short (the
#      failover plus ~0.4 s; only builtins run between down and up): TCP
#      retries the primary with exponential backoff, so the wait for its
#      recovery after "up" grows with the outage; ~25 MiB (>= 10 s at
#      20 Mbit/s) remain to be sent when it comes back.
# Every subtest also checks MPTcpExtSchedFallback <= 1% of the policy's
# rounds (backup picks a subflow to wait for rather than nothing while any
# subflow is active), and subtest 1 MPTCP-level reinjections <= 5%.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../lib/test.sh
. "$dir/../lib/test.sh"
# shellcheck source=SCRIPTDIR/../lib/topo.sh
. "$dir/../lib/topo.sh"
# shellcheck source=SCRIPTDIR/../lib/sched.sh
. "$dir/../lib/sched.sh"
trap 'park_stop; topo_cleanup; sched_unload_all' EXIT
kernel_problems_mark

BYTES=$((10 * 1024 * 1024))
BYTES_LONG=$((30 * 1024 * 1024))
RATE=20		# Mbit/s, both paths
DELAY=5		# ms one way, both paths
DOWN_AFTER=$((2 * 1024 * 1024))	# path 1 link tx when it goes down
UP_AFTER=$((1024 * 1024))	# path 2 link tx while path 1 is down
BACK_MIN=$((BYTES_LONG / 4))	# path 1 link tx after it came back
WAIT_MAX=60			# s, for DOWN_AFTER or UP_AFTER

# setup_case - both paths, path 2 backup, bpf_backup selected.
setup_case() {
	topo_setup 2 || { fail "topology setup"; return 1; }
	if ! topo_path_set 1 delay "$DELAY" rate "$RATE" ||
	   ! topo_path_set 2 delay "$DELAY" rate "$RATE"; then
		fail "path emulation"
		return 1
	fi
	topo_endpoint_backup 2 || { fail "path 2 backup endpoint"; return 1; }
	sched_load backup || { fail "mptcp-sched load backup"; return 1; }
	topo_set_scheduler "$SCHED_NAME" || { fail "select $SCHED_NAME"; return 1; }
	link_mark || { fail "link counters"; return 1; }
}

end_case() {
	park_stop
	topo_cleanup
	[ -z "$SCHED_NAME" ] || sched_unload "$SCHED_NAME"
	SCHED_NAME=""
}

# Polling the link counters with topo_link_bytes costs a process per
# read, which in a busy TCG guest can take long enough to overshoot by
# megabytes. A process parked in the client namespace lets bash read that
# namespace's /proc/PID/net/dev with builtins instead.
PARK_PID=""
PARK_FIFO=""

park_start() {
	local tries

	PARK_FIFO=$(mktemp -u "${TMPDIR:-/tmp}/backup-sleep.XXXXXX") &&
		mkfifo "$PARK_FIFO" || return 1
	ip netns exec "$TOPO_CLI" sleep 3600 &
	PARK_PID=$!
	for ((tries = 0; tries < 100; tries++)); do
		dev_tx 1 && return 0	# once it runs in the namespace
		nap 0.05
	done
	echo "  park_start: no cveth1 in /proc/$PARK_PID/net/dev" >&2
	return 1
}

park_stop() {
	[ -z "$PARK_PID" ] || { kill "$PARK_PID"; wait "$PARK_PID"; } 2>/dev/null
	[ -z "$PARK_FIFO" ] || rm -f "$PARK_FIFO"
	PARK_PID="" PARK_FIFO=""
}

# nap SECS - sleep without a process (a read timing out on our FIFO).
nap() {
	read -r -t "$1" <>"$PARK_FIFO"
	return 0
}

# dev_tx I - set DEV_TX to path I's client-side tx byte counter.
dev_tx() {
	local line
	local -a f

	DEV_TX=""
	while IFS= read -r line; do
		line=${line#"${line%%[! ]*}"}
		[[ $line == "cveth$1:"* ]] || continue
		read -r -a f <<<"${line#*:}"
		DEV_TX=${f[8]}
		return 0
	done <"/proc/$PARK_PID/net/dev" 2>/dev/null
	return 1
}

# wait_dev_tx PATH BYTES - poll until PATH's link counter reaches BYTES
# (at most WAIT_MAX s).
wait_dev_tx() {
	local end=$((SECONDS + WAIT_MAX))

	while dev_tx "$1" && [ "$DEV_TX" -lt "$2" ]; do
		if [ "$SECONDS" -ge "$end" ]; then
			fail "path $1 link tx still $DEV_TX < $2 after $WAIT_MAX s"
			return 1
		fi
		nap 0.02
	done
	[ -n "$DEV_TX" ] || fail "no link counter for path $1"
}

# check_xfer BYTES - the transfer was byte exact over both subflows.
check_xfer() {
	echo "  info: transfer $(xfer_get duration_ms) ms"
	assert_eq "$(xfer_get received)" "$1" "bytes received" &&
	assert_str_eq "$(xfer_get pattern)" ok "pattern check by the server" &&
	assert_eq "$(xfer_get subflows)" 2 "subflows"
}

# check_fallback - the core's takeovers vs the policy's rounds (read by
# sched_stats_read).
check_fallback() {
	local picks

	picks=$(sched_stat picked)
	assert_le "$(mib_get "$TOPO_CLI" SchedFallback)" $((picks / 100)) \
		"MPTcpExtSchedFallback (<= 1% of $picks rounds)"
}

subtest "primary up: the backup path carries < 1%"
if setup_case && topo_xfer "$BYTES" --wait-subflows 2 && check_xfer "$BYTES"; then
	b1=$(xfer_path_bytes 1) b2=$(xfer_path_bytes 2)
	assert_percent_between "$b1" $((b1 + b2)) 99 100 "primary share of bytes_acked"
	assert_lt "$b2" $(((b1 + b2) / 100)) "backup bytes_acked (< 1% of $((b1 + b2)))"
	l2=$(link_tx 2)
	assert_lt "$l2" $((BYTES / 100)) "backup link tx bytes (< 1% of the payload)"
	assert_le "$(xfer_get mptcp.bytes_retrans)" $((BYTES / 20)) \
		"MPTCP-level reinjected bytes (<= 5% of the payload)"
	if sched_stats_read "$SCHED_NAME"; then
		assert_gt "$(sched_stat primary_rounds)" 0 "policy: primary_rounds"
		echo "  info: policy: backup_rounds $(sched_stat backup_rounds)," \
		     "failovers $(sched_stat failovers), failbacks $(sched_stat failbacks)"
		check_fallback
	else
		fail "stats of $SCHED_NAME"
	fi
elif [ "$SUBTEST_FAILED" = 0 ]; then
	fail "transfer"
fi
end_case

subtest "primary down after 2 MiB (~1 s): the transfer completes over the backup"
if setup_case && park_start && dev_tx 1 && tx1_start=$DEV_TX &&
   topo_xfer_start "$BYTES" --wait-subflows 2; then
	wait_dev_tx 1 $((tx1_start + DOWN_AFTER))
	topo_path_down 1 || fail "path 1 down"
	# frozen while the device is down: all path 1 ever sent
	tx1_down=$(link_tx 1)
	echo "  info: path 1 down after sending $tx1_down bytes"
	if topo_xfer_wait && check_xfer "$BYTES"; then
		assert_lt "$tx1_down" "$BYTES" "path 1 link tx before it went down (mid-transfer)"
		assert_ge "$(xfer_path_bytes 2)" $((BYTES - tx1_down)) \
			"backup bytes_acked >= the payload minus what path 1 sent before going down"
		if sched_stats_read "$SCHED_NAME"; then
			assert_ge "$(sched_stat failovers)" 1 "policy: failovers"
			assert_gt "$(sched_stat backup_rounds)" 0 "policy: backup_rounds"
			check_fallback
		else
			fail "stats of $SCHED_NAME"
		fi
	else
		fail "transfer with the primary down"
	fi
elif [ "$SUBTEST_FAILED" = 0 ]; then
	fail "transfer start"
fi
end_case

subtest "primary down after 2 MiB, up once the backup sent 1 MiB: new data returns to the primary"
if setup_case && park_start && dev_tx 1 && tx1_start=$DEV_TX &&
   topo_xfer_start "$BYTES_LONG" --wait-subflows 2; then
	wait_dev_tx 1 $((tx1_start + DOWN_AFTER))
	# a failback counted from here on follows the outage
	sched_stats_read "$SCHED_NAME" || fail "stats of $SCHED_NAME before the outage"
	failbacks_before=$(sched_stat failbacks)
	dev_tx 2 && tx2_down=$DEV_TX
	topo_path_down 1 || fail "path 1 down"
	t_down=${EPOCHREALTIME/./}
	# builtins only until "up": the outage stays as short as the failover
	wait_dev_tx 2 $((tx2_down + UP_AFTER))
	dev_tx 1 && tx1_up=$DEV_TX
	dev_tx 2 && tx2_up=$DEV_TX
	topo_path_up 1 || fail "path 1 up"
	echo "  info: path 1 was down for $(((${EPOCHREALTIME/./} - t_down) / 1000)) ms;" \
	     "it had sent $((tx1_up - tx1_start)) bytes"
	if topo_xfer_wait && check_xfer "$BYTES_LONG"; then
		dev_tx 2 && echo "  info: after path 1 came back, path 2 sent $((DEV_TX - tx2_up)) bytes"
		dev_tx 1 && assert_ge $((DEV_TX - tx1_up)) "$BACK_MIN" "path 1 link tx after it came back"
		if sched_stats_read "$SCHED_NAME"; then
			assert_ge "$(sched_stat failovers)" 1 "policy: failovers"
			assert_ge "$(sched_stat failbacks)" 1 "policy: failbacks"
			assert_gt "$(sched_stat failbacks)" "${failbacks_before:-x}" \
				"policy: failbacks after the outage (were $failbacks_before)"
			check_fallback
		else
			fail "stats of $SCHED_NAME"
		fi
	else
		fail "transfer with the primary down and up"
	fi
elif [ "$SUBTEST_FAILED" = 0 ]; then
	fail "transfer start"
fi
end_case

kernel_clean_subtest

test_exit
