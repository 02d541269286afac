#!/usr/bin/env bash
# The kernel's safety net under broken schedulers (vmlinux/patches 0001):
# a scheduler that picks nothing, one that returns an error, one that
# always waits for an ACK and one that keeps picking a dead subflow all
# still deliver every byte, and the core
# counts each round it had to take over in MPTcpExtSchedFallback. A
# scheduler unloaded in the middle of a transfer costs nothing either.
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/../lib/test.sh"
. "$dir/../lib/topo.sh"
. "$dir/../lib/sched.sh"
trap 'topo_cleanup; sched_cleanup' EXIT
kernel_problems_mark

BUILD=${OUTPUT:-$dir/../../build}
BYTES=$((10 * 1024 * 1024))

# run_bad OBJ NAME: a full transfer under a broken scheduler
run_bad() {
	local obj=$BUILD/selftests/bpf/$1.bpf.o name=$2

	topo_setup 2 && topo_path_set 1 delay 5 && topo_path_set 2 delay 5 ||
		{ fail "topology setup"; return; }
	sched_register "$obj" || { fail "register $obj"; return; }
	topo_set_scheduler "$name" || { fail "select $name"; return; }
	if topo_xfer "$BYTES" --wait-subflows 2; then
		assert_eq "$(xfer_get received)" "$BYTES" "bytes received"
		assert_gt "$(mib_get "$TOPO_CLI" SchedFallback)" 0 "MPTcpExtSchedFallback"
	else
		fail "transfer under $name"
	fi
	topo_cleanup
	sched_unregister "$obj"
}

subtest "a scheduler that picks no subflow: default takes over, data intact"
run_bad sched_pick_none bpf_t_none

subtest "a scheduler that returns an error: default takes over, data intact"
run_bad sched_error bpf_t_error

subtest "a scheduler that always waits: default sends when nothing is in flight"
run_bad sched_wait_always bpf_t_wait

subtest "a scheduler that keeps picking a dead subflow: transfer completes"
# bpf_t_last always picks the last subflow (path 2); path 2 dies 1 s into a
# 20 Mbit/s transfer. Once the kernel marks that subflow stale, the core
# drops the pick and the default scheduler moves the data to path 1.
obj=$BUILD/selftests/bpf/sched_last.bpf.o
if topo_setup 2 && topo_path_set 1 delay 5 rate 20 && topo_path_set 2 delay 5 rate 20 &&
   ip netns exec "$TOPO_CLI" sysctl -qw net.mptcp.stale_loss_cnt=2 &&
   sched_register "$obj" && topo_set_scheduler bpf_t_last; then
	topo_xfer_start "$BYTES" --wait-subflows 2
	sleep 1
	topo_path_down 2 || fail "path 2 down"
	if topo_xfer_wait; then
		assert_eq "$(xfer_get received)" "$BYTES" "bytes received"
		assert_gt "$(xfer_get subflow.10.0.2.1.bytes_sent)" 0 "path 2 carried data before it died"
		assert_gt "$(mib_get "$TOPO_CLI" SchedFallback)" 0 "MPTcpExtSchedFallback"
	else
		fail "transfer with a dead path"
	fi
else
	fail "setup"
fi
topo_cleanup
sched_unregister "$obj"

subtest "unloading the scheduler in the middle of a transfer"
obj=$BUILD/bpf/first.bpf.o
if topo_setup 2 && topo_path_set 1 delay 5 rate 20 && topo_path_set 2 delay 5 rate 20 &&
   sched_register "$obj" && topo_set_scheduler bpf_first; then
	topo_xfer_start "$BYTES" --wait-subflows 2
	sleep 1
	sched_unregister "$obj"
	sched_available bpf_first && fail "bpf_first still listed after unload"
	if topo_xfer_wait; then
		assert_eq "$(xfer_get received)" "$BYTES" "bytes received (unloaded mid-transfer)"
	else
		fail "transfer during unload"
	fi
	# new connections fall back to the default scheduler
	if topo_xfer $((1024 * 1024)); then
		assert_eq "$(xfer_get received)" $((1024 * 1024)) "bytes received after unload"
	else
		fail "transfer after unload"
	fi
else
	fail "setup"
fi

kernel_clean_subtest

test_exit
