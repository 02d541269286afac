#!/usr/bin/env bash
# The path-manager events and actions no policy test covers (vmlinux/
# patches: mptcp_pm_ops), with the recording policy selftests/bpf/
# pm_events.bpf.c (bpf_t_pm_events):
#
#  1. on the client, facing the in-kernel PM of a server that announces,
#     re-prioritises and removes 10.0.2.2: address_announced (ADD_ADDR),
#     prio_changed (MP_PRIO) and address_removed (RM_ADDR) are called with
#     what the peer sent, and a subflow the policy opened to the announced
#     address comes, turns backup and goes as the kernel reports it;
#  2. on the server, its announce and withdraw actions reach the wire: the
#     client's in-kernel PM counts the ADD_ADDR, joins the address, counts
#     the RM_ADDR and loses that subflow; `ip mptcp monitor` on the client
#     sees both events;
#  3. a withdraw of an id the connection never announced is refused
#     (-ENOENT), sends no RM_ADDR, and the connection is unharmed.
#
# Numbers come from the kernel: the policy's own record (its .data map,
# results_read), INET_DIAG (selftests/tools/mptcp_subflows), the MIB
# counters of each namespace (fresh per subtest, so absolute values) and
# MPTCP_FULL_INFO (mptcp_xfer). Every transfer is byte-exact.
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/../lib/test.sh"
. "$dir/../lib/topo.sh"
. "$dir/../lib/sched.sh"
trap 'mon_stop; topo_cleanup; sched_unload_all' EXIT
kernel_problems_mark

BUILD=${OUTPUT:-$dir/../../build}
OBJ=$BUILD/selftests/bpf/pm_events.bpf.o
MB=$((1024 * 1024))

SIG_ADDR=10.0.2.2	# the server's signal endpoint, on path 2
SIG_ID=5		# its id: not a path number, so a wrong id shows
BOGUS_ID=42		# an id no one announces (subtest 3)
ENOENT=2
WITHDRAW_MS=10000	# subtest 2: withdraw this long after established
NOT_RUN=1		# pm_events.bpf.c: a probe that never ran

# ip4 NUM: an IPv4 address as the policy records it (host order), dotted
ip4() {
	local n=${1:-0}

	echo "$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))"
}

# results_wait NAME OP VALUE SECS: read the policy's results (every 0.2 s)
# until "result NAME" OP VALUE; non-zero if never within SECS. result then
# reads the last poll, so not in $(...).
results_wait() {
	local end=$((SECONDS + $4)) v

	while :; do
		results_read pm_event && v=$(result "$1") && test "$v" "$2" "$3" &&
			return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# to_sig: the client's subflows to $SIG_ADDR in the last diag_read, from
# any of its addresses (the in-kernel PM lets routing pick the source)
to_sig() {
	local i n=0

	for ((i = 1; i <= TOPO_NPATHS; i++)); do
		n=$((n + $(diag_get "pair.10.0.$i.1-$SIG_ADDR")))
	done
	echo "$n"
}

# to_sig_wait OP VALUE SECS: diag_read until "to_sig" OP VALUE
to_sig_wait() {
	local end=$((SECONDS + $3))

	while :; do
		diag_read && test "$(to_sig)" "$1" "$2" && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# mon_start / mon_stop: `ip mptcp monitor` in the client's namespace, its
# output in $MON_OUT. The kernel only builds events while someone listens,
# and nothing says when the monitor has subscribed: give it a second.
MON_PID=""
MON_OUT=""
mon_start() {
	MON_OUT=$TOPO_DIR/monitor.out
	ip -n "$TOPO_CLI" mptcp monitor >"$MON_OUT" 2>&1 &
	MON_PID=$!
	sleep 1
}

mon_stop() {
	[ -n "$MON_PID" ] || return 0
	kill "$MON_PID" 2>/dev/null
	wait "$MON_PID" 2>/dev/null
	MON_PID=""
}

# mon_lines WORD...: the monitor's lines that contain every WORD
mon_lines() {
	local line w ok

	while IFS= read -r line; do
		ok=1
		for w; do
			[[ $line == *"$w"* ]] || { ok=0; break; }
		done
		[ "$ok" = 0 ] || echo "$line"
	done <"$MON_OUT"
}

# setup: 2 paths of 4 Mbit/s, the server's signal endpoint, small client
# send buffers (its subflows stay ESTABLISHED, as INET_DIAG lists them,
# until the very end), bpf_t_pm_events loaded with ARGS (--set ...)
setup() {
	topo_setup 2 && topo_path_set 1 delay 5 rate 4 && topo_path_set 2 delay 5 rate 4 &&
		ip netns exec "$TOPO_CLI" sysctl -qw net.ipv4.tcp_wmem="4096 16384 262144" &&
		sched_load "$OBJ" "$@"
}

teardown() {
	mon_stop
	topo_cleanup
	sched_unload_all
}

subtest "client policy: ADD_ADDR, MP_PRIO, RM_ADDR from the in-kernel PM reach its callbacks"
# 16 MB at 4 Mbit/s per path: 17 s or more, and longer once the subflow on
# path 2 is a backup; the three steps take a few seconds.
if setup && pm_use "$SCHED_NAME" &&
   ip -n "$TOPO_SRV" mptcp endpoint add "$SIG_ADDR" dev sveth2 id "$SIG_ID" signal; then
	bytes=$((16 * MB))
	if topo_xfer_start "$bytes"; then
		# ADD_ADDR: address_announced opens 10.0.2.1 (the first subflow
		# endpoint) -> 10.0.2.2
		diag_wait pair.10.0.2.1-$SIG_ADDR -ge 1 60
		assert_eq "$(diag_get pair.10.0.2.1-$SIG_ADDR)" 1 "client subflows 10.0.2.1-$SIG_ADDR (INET_DIAG)"
		assert_eq "$(diag_get pair.10.0.2.1-$SIG_ADDR.peer_backup)" 0 \
			"its BKUP_REM before the server's endpoint is backup"
		results_read pm_event || fail "read the results of $SCHED_NAME"
		assert_eq "$(result address_announced_calls)" 1 "address_announced calls"
		assert_str_eq "$(ip4 "$(result announced_addr)")" "$SIG_ADDR" "address_announced addr"
		assert_eq "$(result announced_id)" "$SIG_ID" "address_announced id"
		assert_eq "$(result announced_create)" 0 "subflow_create to the announced address"
		assert_ge "$(result subflow_established_calls)" 1 "subflow_established calls"
		assert_eq "$(result prio_changed_calls)" 0 "prio_changed calls before the MP_PRIO"

		# MP_PRIO: the server's in-kernel PM sends it on its subflows
		# from 10.0.2.2 when that endpoint becomes a backup
		ip -n "$TOPO_SRV" mptcp endpoint change id "$SIG_ID" backup ||
			fail "endpoint change id $SIG_ID backup"
		results_wait prio_changed_calls -ge 1 30
		assert_eq "$(result prio_changed_calls)" 1 "prio_changed calls"
		assert_eq "$(result prio_backup)" 1 "prio_changed: the subflow's peer-backup bit"
		assert_str_eq "$(ip4 "$(result prio_local)")" 10.0.2.1 "prio_changed: subflow local address"
		assert_str_eq "$(ip4 "$(result prio_remote)")" "$SIG_ADDR" "prio_changed: subflow remote address"
		diag_wait pair.10.0.2.1-$SIG_ADDR.peer_backup -ge 1 30
		assert_eq "$(diag_get pair.10.0.2.1-$SIG_ADDR.peer_backup)" 1 \
			"BKUP_REM of 10.0.2.1-$SIG_ADDR after the MP_PRIO (INET_DIAG)"
		assert_eq "$(diag_get pair.10.0.1.1-10.0.1.2.peer_backup)" 0 \
			"BKUP_REM of the initial subflow"
		assert_eq "$(result address_removed_calls)" 0 "address_removed calls before the RM_ADDR"

		# RM_ADDR: deleting the endpoint withdraws the address; the
		# kernel closes the client's subflows to it after the callback
		ip -n "$TOPO_SRV" mptcp endpoint delete id "$SIG_ID" ||
			fail "endpoint delete id $SIG_ID"
		results_wait address_removed_calls -ge 1 30
		assert_eq "$(result address_removed_calls)" 1 "address_removed calls"
		assert_eq "$(result removed_id)" "$SIG_ID" "address_removed id"
		diag_wait pair.10.0.2.1-$SIG_ADDR -eq 0 30
		assert_eq "$(diag_get pair.10.0.2.1-$SIG_ADDR)" 0 "client subflows 10.0.2.1-$SIG_ADDR after the RM_ADDR"
		results_wait closed_to_announced -ge 1 30
		assert_eq "$(result closed_to_announced)" 1 "subflow_closed calls for subflows to $SIG_ADDR"
		assert_str_eq "$(ip4 "$(result closed_local)")" 10.0.2.1 "subflow_closed local address"
		assert_str_eq "$(ip4 "$(result closed_remote)")" "$SIG_ADDR" "subflow_closed remote address"
		echo "  info: subflow_closed reason $(result closed_reason)," \
			"subflow_established calls $(result subflow_established_calls)"

		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_ge "$(xfer_get subflow.10.0.2.1.bytes_acked)" 1 \
			"bytes acked on 10.0.2.1-$SIG_ADDR before it was a backup (MPTCP_FULL_INFO)"
		assert_ge "$(mib_get "$TOPO_CLI" AddAddr)" 1 "client MPTcpExtAddAddr"
		assert_ge "$(mib_get "$TOPO_CLI" MPPrioRx)" 1 "client MPTcpExtMPPrioRx"
		assert_ge "$(mib_get "$TOPO_CLI" RmAddr)" 1 "client MPTcpExtRmAddr"
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
teardown

subtest "server policy: its announce and withdraw reach the client's in-kernel PM"
# The client accepts the address and opens a subflow to it (add_addr_accepted
# 2, subflow 2: the limits also leave room for the topology's subflow
# endpoint 10.0.2.1). The policy withdraws WITHDRAW_MS after established:
# time to see the subflow (about 1 s under TCG) and read the policy's
# record before the timeout even on a loaded host; 16 MB at 4 Mbit/s per
# path take 17 s or more, so the withdraw comes mid-transfer.
if setup --set announce_signal=1 --set "withdraw_ms=$WITHDRAW_MS" \
	 --set create_on_announce=0 &&
   pm_use "$SCHED_NAME" "$TOPO_SRV" &&
   ip -n "$TOPO_SRV" mptcp endpoint add "$SIG_ADDR" dev sveth2 id "$SIG_ID" signal &&
   ip -n "$TOPO_CLI" mptcp limits set add_addr_accepted 2 subflow 2; then
	mon_start
	bytes=$((16 * MB))
	if topo_xfer_start "$bytes"; then
		to_sig_wait -ge 1 30
		results_read pm_event || fail "read the results of $SCHED_NAME"
		assert_eq "$(to_sig)" 1 "client subflows to $SIG_ADDR after the announce (INET_DIAG)"
		assert_ge "$(mib_get "$TOPO_CLI" AddAddr)" 1 "client MPTcpExtAddAddr"
		assert_eq "$(result established_calls)" 1 "server established calls"
		assert_eq "$(result announce_ok)" 1 "announces the kernel accepted"
		assert_eq "$(result announce_ret)" 0 "bpf_mptcp_pm_announce()"
		assert_str_eq "$(ip4 "$(result announce_addr)")" "$SIG_ADDR" "announced address"
		assert_eq "$(result announce_id)" "$SIG_ID" "announced id"
		assert_eq "$(result timer_ret)" 0 "bpf_mptcp_pm_timer_arm()"
		# read as the subflow was seen: it came before the withdraw
		assert_eq "$(result timeout_calls)" 0 "timeout calls when the subflow was seen"

		# the timeout: RM_ADDR, and both ends close the subflow
		results_wait timeout_calls -ge 1 60
		assert_eq "$(result timeout_calls)" 1 "timeout calls"
		assert_eq "$(result withdraw_ok)" 1 "withdraws the kernel accepted"
		assert_eq "$(result withdraw_ret)" 0 "bpf_mptcp_pm_withdraw()"
		assert_eq "$(result withdrawn_id)" "$SIG_ID" "withdrawn id"
		to_sig_wait -eq 0 30
		assert_eq "$(to_sig)" 0 "client subflows to $SIG_ADDR after the withdraw (INET_DIAG)"
		diag_read "$TOPO_SRV" || fail "diag on the server"
		assert_eq "$(diag_get addr.$SIG_ADDR.subflows)" 0 "server subflows from $SIG_ADDR after the withdraw"
		assert_ge "$(mib_get "$TOPO_CLI" RmAddr)" 1 "client MPTcpExtRmAddr"
		echo "  info: server AddAddrTx $(mib_get "$TOPO_SRV" AddAddrTx)" \
			"RmAddrTx $(mib_get "$TOPO_SRV" RmAddrTx)" \
			"AddAddrTxDrop $(mib_get "$TOPO_SRV" AddAddrTxDrop)" \
			"RmAddrTxDrop $(mib_get "$TOPO_SRV" RmAddrTxDrop);" \
			"server subflow_established $(result subflow_established_calls)" \
			"subflow_closed $(result subflow_closed_calls)"

		topo_xfer_wait || fail "transfer"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_contains "$(xfer_get subflow.10.0.2.1.remote)" "$SIG_ADDR" \
			"remotes of 10.0.2.1 over the transfer (MPTCP_FULL_INFO)"
	else
		fail "transfer start"
	fi
	mon_stop
	# the ADD_ADDR names the address; the RM_ADDR only its id
	ann=$(mon_lines ANNOUNCED "$SIG_ADDR")
	rem=$(mon_lines REMOVED "remid=$SIG_ID")
	echo "  info: monitor: ${ann:-(no ANNOUNCED)} / ${rem:-(no REMOVED)}"
	assert_eq "$(grep -c . <<<"$ann")" 1 "ANNOUNCED events for $SIG_ADDR (ip mptcp monitor)"
	assert_eq "$(grep -c . <<<"$rem")" 1 "REMOVED events for id $SIG_ID (ip mptcp monitor)"
else
	fail "setup"
fi
teardown

subtest "withdraw of an id the connection never announced"
# RFC 8684 has RM_ADDR name an address id the sender announced; the
# in-kernel PM only removes what it announced, the userspace PM refuses an
# id it does not know, and so does bpf_mptcp_pm_withdraw(): -ENOENT, and
# no RM_ADDR goes out. The policy withdraws BOGUS_ID when established; the
# connection must not suffer.
if setup --set "withdraw_id=$BOGUS_ID" --set create_on_announce=0 &&
   pm_use "$SCHED_NAME" "$TOPO_SRV"; then
	mon_start
	bytes=$((4 * MB))
	if topo_xfer "$bytes" --wait-subflows 2 --wait-timeout 60; then
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_eq "$(xfer_get subflows)" 2 "distinct subflows (initial + 10.0.2.1, none lost)"
	else
		fail "transfer"
	fi
	results_read pm_event || fail "read the results of $SCHED_NAME"
	ret=$(result bogus_withdraw_ret)
	assert_ne "$ret" "$NOT_RUN" "bpf_mptcp_pm_withdraw($BOGUS_ID) was called"
	mon_stop
	assert_eq "$ret" "-$ENOENT" "bpf_mptcp_pm_withdraw($BOGUS_ID) (-ENOENT)"
	assert_eq "$(mib_get "$TOPO_SRV" RmAddrTx)" 0 "server MPTcpExtRmAddrTx"
	assert_eq "$(mib_get "$TOPO_CLI" RmAddr)" 0 "client MPTcpExtRmAddr"
	assert_eq "$(mon_lines REMOVED "remid=$BOGUS_ID" | grep -c .)" 0 \
		"REMOVED events for id $BOGUS_ID (ip mptcp monitor)"
else
	fail "setup"
fi
teardown

kernel_clean_subtest

test_exit
