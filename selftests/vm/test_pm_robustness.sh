#!/usr/bin/env bash
# The kernel's side of the path-manager API under misuse (vmlinux/patches
# 0005, 0006): a policy that calls every action with bad arguments gets a
# precise negative errno for each and the connection carries on; a policy
# passing a NULL subflow is refused by the verifier; a path manager
# unloaded while a connection uses it costs that connection nothing, and
# new connections still work. Any kernel WARNING, BUG or lockdep report
# fails the run (vmtest); the last subtest also checks dmesg itself.
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/../lib/test.sh"
. "$dir/../lib/topo.sh"
. "$dir/../lib/sched.sh"
trap 'topo_cleanup; sched_unload_all' EXIT

BUILD=${OUTPUT:-$dir/../../build}
MB=$((1024 * 1024))

# errno values (include/uapi/asm-generic/errno*.h)
EPERM=1
ENOENT=2
EINVAL=22
ERANGE=34
EAFNOSUPPORT=97
EADDRNOTAVAIL=99
ENOBUFS=105
EDQUOT=122

kernel_problems_mark

subtest "actions with bad arguments: each refused with its errno, data intact"
# Client limit of 1 extra subflow: of every subflow the policy requests
# only create_ok is valid and within it; its valid announces (which fill
# the queue) do not add subflows (selftests/bpf/pm_bad_args.bpf.c).
obj=$BUILD/selftests/bpf/pm_bad_args.bpf.o
if topo_setup 2 && topo_path_set 1 delay 5 && topo_path_set 2 delay 5 &&
   ip -n "$TOPO_CLI" mptcp limits set subflow 1 &&
   sched_load "$obj" && pm_use "$SCHED_NAME"; then
	bytes=$((4 * MB))
	if topo_xfer "$bytes" --wait-subflows 2 --wait-timeout 60; then
		assert_eq "$(xfer_get received)" "$bytes" "bytes received"
		assert_eq "$(xfer_get subflows)" 2 "distinct subflows (initial + create_ok)"
		assert_str_eq "$(xfer_get subflow.10.0.2.1.remote)" 10.0.1.2 \
			"remote of the subflow from 10.0.2.1"
	else
		fail "transfer under $SCHED_NAME"
	fi
	# `closed` runs when the client's socket is destroyed, after the transfer
	for ((i = 0; i < 50; i++)); do
		results_read pm_bad && [ "$(result closed_calls)" = 1 ] && break
		sleep 0.2
	done
	results_read pm_bad || fail "read the results of $SCHED_NAME"
	assert_eq "$(result init_calls)" 1 "init callbacks"
	assert_eq "$(result established_calls)" 1 "established callbacks"
	assert_eq "$(result closed_calls)" 1 "closed callbacks"
	while read -r probe want; do
		assert_eq "$(result "$probe")" "$want" "$probe"
	done <<-EOF
		init_create		-$EPERM
		init_timer		-$EPERM
		init_announce		-$EPERM
		init_withdraw		-$EPERM
		init_remote_get		-$ENOENT
		create_ifindex_neg	-$EINVAL
		create_family_mismatch	-$EAFNOSUPPORT
		create_remote_unspec	-$EAFNOSUPPORT
		create_unspec		-$EAFNOSUPPORT
		create_bad_family	-$EAFNOSUPPORT
		create_v6_on_v4		-$EAFNOSUPPORT
		create_not_endpoint	-$EADDRNOTAVAIL
		timer_zero		-$ERANGE
		timer_too_long		-$ERANGE
		timer_max		0
		withdraw_zero		-$EINVAL
		withdraw_unknown	-$ENOENT
		announce_unspec		-$EINVAL
		announce_not_endpoint	-$EADDRNOTAVAIL
		announce_v6_not_endpoint -$EADDRNOTAVAIL
		announce_initial	-$EINVAL
		endpoint_get_range	-$ENOENT
		remote_get_range	-$ENOENT
		remote_get_first	0
		create_ok		0
		create_over_limit	-$EDQUOT
		queued			7
		create_queue_full	-$ENOBUFS
		announce_queue_full	-$ENOBUFS
		timer_queue_full	0
		closed_timer		-$EPERM
		closed_create		-$EPERM
	EOF
else
	fail "setup"
fi
topo_cleanup
sched_unload_all

subtest "a policy passing a NULL subflow is refused at load"
obj=$BUILD/selftests/bpf/pm_null_subflow.bpf.o
if [ ! -f "$obj" ]; then
	fail "$obj is missing: build it with make"
elif out=$("$SCHED_LOADER" load "$obj" 2>&1); then
	sched_unload "$out"
	fail "loaded as '$out': the verifier accepted a NULL subflow"
else
	assert_contains "$out" "Possibly NULL pointer passed to trusted R2" \
		"the loader's error (verifier log)"
	pm_available bpf_t_pm_null && fail "bpf_t_pm_null is registered"
fi

subtest "unloading bpf_fullmesh during a transfer: data intact, name gone, new connections work"
# 4 Mbit/s per path, 12 MB: 12 s or more; unloaded once both subflows run.
if topo_setup 2 && topo_path_set 1 delay 5 rate 4 && topo_path_set 2 delay 5 rate 4 &&
   ip netns exec "$TOPO_CLI" sysctl -qw net.ipv4.tcp_wmem="4096 16384 262144" &&
   sched_load fullmesh && pm_use "$SCHED_NAME"; then
	bytes=$((12 * MB))
	if topo_xfer_start "$bytes" --wait-subflows 2 --wait-timeout 60; then
		diag_wait subflows -ge 2 60 || fail "2 subflows before the unload"
		sched_unload bpf_fullmesh || fail "unload bpf_fullmesh"
		if pm_available bpf_fullmesh; then
			fail "bpf_fullmesh still in: $(cat /proc/sys/net/mptcp/available_path_managers)"
		else
			echo "  ok: bpf_fullmesh not in available_path_managers: $(cat /proc/sys/net/mptcp/available_path_managers)"
		fi
		diag_read || fail "diag"
		assert_eq "$(diag_get subflows)" 2 "subflows right after the unload"
		topo_xfer_wait || fail "transfer during the unload"
		assert_eq "$(xfer_get received)" "$bytes" "bytes received (unloaded mid-transfer)"
		# the netns still names it: new connections get no path manager
		echo "  info: client net.mptcp.path_manager: $(ip netns exec "$TOPO_CLI" sysctl -n net.mptcp.path_manager)"
		if topo_xfer $((2 * MB)); then
			assert_eq "$(xfer_get received)" $((2 * MB)) "bytes received after the unload"
			assert_eq "$(xfer_get subflows)" 1 "subflows of a connection after the unload"
		else
			fail "transfer after the unload"
		fi
	else
		fail "transfer start"
	fi
else
	fail "setup"
fi
topo_cleanup
sched_unload_all

kernel_clean_subtest

test_exit
