#!/usr/bin/env bash
# bpf/first.bpf.c end to end: registered as struct_ops, listed in
# available_schedulers, selected per netns by sysctl, and a 10 MB transfer
# on two paths where the first path carries every byte and the second none.
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/../lib/test.sh"
. "$dir/../lib/topo.sh"
. "$dir/../lib/sched.sh"
trap 'topo_cleanup; sched_cleanup' EXIT

OBJ=${OUTPUT:-$dir/../../build}/bpf/first.bpf.o
BYTES=$((10 * 1024 * 1024))

subtest "bpf_first registers and is listed in available_schedulers"
if sched_register "$OBJ"; then
	sched_available bpf_first || fail "bpf_first not in: $(cat /proc/sys/net/mptcp/available_schedulers)"
else
	fail "register $OBJ"
fi

subtest "bpf_first: path 1 carries all $BYTES bytes, path 2 none"
if topo_setup 2 && topo_path_set 1 delay 5 && topo_path_set 2 delay 5 &&
   topo_set_scheduler bpf_first; then
	tx2_before=$(topo_link_bytes 2)
	if topo_xfer "$BYTES" --wait-subflows 2; then
		assert_eq "$(xfer_get received)" "$BYTES" "bytes received"
		assert_eq "$(xfer_get subflows)" 2 "subflows seen"
		assert_ge "$(xfer_get subflow.10.0.1.1.bytes_acked)" "$BYTES" "path 1 bytes acked"
		assert_eq "$(xfer_get subflow.10.0.2.1.bytes_sent)" 0 "path 2 data bytes sent"
		# cross-check with the link: path 2 carried only acks/options
		assert_lt $(($(topo_link_bytes 2) - tx2_before)) 200000 "path 2 link tx bytes"
		assert_eq "$(mib_get "$TOPO_CLI" SchedFallback)" 0 "MPTcpExtSchedFallback"
	else
		fail "transfer"
	fi
else
	fail "topology setup"
fi

subtest "unregistering removes bpf_first from available_schedulers"
sched_unregister "$OBJ"
sleep 0.2
if sched_available bpf_first; then
	fail "bpf_first still listed after its link was removed"
else
	echo "  ok: bpf_first no longer listed"
fi

test_exit
