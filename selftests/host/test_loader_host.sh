#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mptcp-sched on a kernel without the MPTCP BPF struct_ops (the build host):
# every error path that needs no patched kernel. Each failure must exit
# non-zero, say what failed on stderr ("Error: ..." with the key words
# asserted below), leave nothing new under /sys/fs/bpf/mptcp-sched and
# mount nothing.
#
# Needs: $OUTPUT/mptcp-sched and $OUTPUT/selftests/bpf/*.bpf.o (make);
# root for the privilege and kernel subtests (skipped otherwise).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/test.sh"
OUTPUT=${OUTPUT:-$(cd "$here/../.." && pwd)/build}
LOADER=$OUTPUT/mptcp-sched
OBJS=$OUTPUT/selftests/bpf
PIN_ROOT=/sys/fs/bpf/mptcp-sched

tmp=$(mktemp -d /tmp/test_loader_host.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# run_loader ARGS...: sets $rc, $out (stdout) and $err (stderr).
run_loader() {
	"$LOADER" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

pins() { ls -A "$PIN_ROOT" 2>/dev/null | tr '\n' ' '; }
bpffs_mounts() { grep -c ' bpf ' /proc/mounts; }

# expect_fail "NEEDLE|NEEDLE..." ARGS...: the loader fails with each
# needle on stderr, and pins nothing and mounts nothing.
expect_fail() {
	local needles=$1 before mounts n
	shift
	before=$(pins)
	mounts=$(bpffs_mounts)
	run_loader "$@"
	assert_ne "$rc" 0 "exit status of 'mptcp-sched $*'"
	assert_contains "$err" "Error: " "stderr"
	IFS='|' read -ra n <<<"$needles"
	for needle in "${n[@]}"; do
		assert_contains "$err" "$needle" "stderr"
	done
	assert_str_eq "$(pins)" "$before" "entries under $PIN_ROOT"
	assert_eq "$(bpffs_mounts)" "$mounts" "bpffs mounts"
}

# json_eval FILE EXPR: a Python expression over the document "d".
json_eval() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

is_root() { [ "$(id -u)" = 0 ]; }

subtest "setup: loader and test objects are built"
for f in "$LOADER" "$OBJS/no_struct_ops.bpf.o" "$OBJS/tcp_ca_ops.bpf.o" \
	 "$OBJS/sched_tunables.bpf.o"; do
	[ -e "$f" ] || fail "missing $f; run make"
done
if [ "$SUBTEST_FAILED" = 1 ]; then
	test_exit
	exit 1
fi

subtest "--help and help exit 0 and list the commands"
run_loader --help
assert_eq "$rc" 0 "exit status of --help"
for c in load unload use list stats info; do
	assert_contains "$out" "  $c" "--help output"
done
run_loader help
assert_eq "$rc" 0 "exit status of 'help'"

subtest "no command: usage on stderr, non-zero"
run_loader
assert_ne "$rc" 0 "exit status"
assert_contains "$err" "Usage:" "stderr"

subtest "unknown command"
expect_fail "unknown command 'frobnicate'|--help" frobnicate

subtest "unknown option"
expect_fail "unknown option '--frob'" list --frob

subtest "option of another command"
expect_fail "option --watch does not apply to 'load'" load "$OBJS/sched_tunables.bpf.o" --watch 1

subtest "missing object file"
expect_fail "cannot open object|No such file" load "$tmp/missing.bpf.o"

subtest "unknown built-in name"
expect_fail "no object file and no built-in policy named 'no_such_policy'|built-ins:" \
	load no_such_policy

subtest "not an ELF file"
echo "not an object" >"$tmp/text.o"
expect_fail "not an ELF file" load "$tmp/text.o"

subtest "an ELF file that is not a BPF object"
expect_fail "not a BPF object|machine" load "$(type -P true)"

subtest "object without a struct_ops map"
expect_fail "has no struct_ops map" load "$OBJS/no_struct_ops.bpf.o"

subtest "struct_ops of another type"
expect_fail "tcp_congestion_ops|not an MPTCP policy" load "$OBJS/tcp_ca_ops.bpf.o"
expect_fail "tcp_congestion_ops|not an MPTCP policy" info "$OBJS/tcp_ca_ops.bpf.o"

subtest "unknown tunable"
expect_fail "tunable 'nope' of bpf_tsttun|no such tunable|segments, bias, verbose_stats" \
	load "$OBJS/sched_tunables.bpf.o" --set nope=1

subtest "tunable out of range"
expect_fail "tunable 'segments' of bpf_tsttun: 0 is out of range 1..1024" \
	load "$OBJS/sched_tunables.bpf.o" --set segments=0
expect_fail "tunable 'segments' of bpf_tsttun: 1025 is out of range 1..1024" \
	load "$OBJS/sched_tunables.bpf.o" --set segments=1025
expect_fail "tunable 'segments' of bpf_tsttun: -1 is out of range 1..1024" \
	load "$OBJS/sched_tunables.bpf.o" --set segments=-1
expect_fail "tunable 'bias' of bpf_tsttun: -6 is out of range -5..5" \
	load "$OBJS/sched_tunables.bpf.o" --set bias=-6
expect_fail "tunable 'verbose_stats' of bpf_tsttun: 2 is out of range 0..1" \
	load "$OBJS/sched_tunables.bpf.o" --set verbose_stats=2

subtest "tunable value that is not a number"
expect_fail "tunable 'segments' of bpf_tsttun: 'many' is not an integer" \
	load "$OBJS/sched_tunables.bpf.o" --set segments=many
expect_fail "expected KEY=VALUE" load "$OBJS/sched_tunables.bpf.o" --set segments

subtest "name too long or malformed"
expect_fail "name 'bpf_sixteen_char' (from --name) is too long|at most 15" \
	load "$OBJS/sched_tunables.bpf.o" --name bpf_sixteen_char
expect_fail "name 'a b' (from --name)|character" \
	load "$OBJS/sched_tunables.bpf.o" --name "a b"
expect_fail "empty" load "$OBJS/sched_tunables.bpf.o" --name=

subtest "info on an object: type, callbacks, tunables, stats (no kernel needed)"
"$LOADER" -j info "$OBJS/sched_tunables.bpf.o" >"$tmp/info.json"
assert_eq "$?" 0 "exit status of info -j"
assert_str_eq "$(json_eval "$tmp/info.json" 'd["type"]')" mptcp_sched_ops "type"
assert_str_eq "$(json_eval "$tmp/info.json" 'd["name"]')" bpf_tsttun "registered name"
assert_eq "$(json_eval "$tmp/info.json" 'len(d["callbacks"])')" 1 "callbacks"
assert_eq "$(json_eval "$tmp/info.json" 'len(d["tunables"])')" 3 "tunables"
assert_eq "$(json_eval "$tmp/info.json" '[t["default"] for t in d["tunables"] if t["name"] == "segments"][0]')" 1 "segments default"
assert_eq "$(json_eval "$tmp/info.json" '[t["max"] for t in d["tunables"] if t["name"] == "segments"][0]')" 1024 "segments max"
assert_eq "$(json_eval "$tmp/info.json" '[t["min"] for t in d["tunables"] if t["name"] == "bias"][0]')" -5 "bias min"
assert_eq "$(json_eval "$tmp/info.json" 'len(d["stats_fields"])')" 2 "stats fields"

subtest "kernel without MPTCP struct_ops"
if ! is_root; then
	skip "needs root"
elif grep -qa bpf_struct_ops_mptcp_sched_ops /sys/kernel/btf/vmlinux; then
	skip "this kernel has the MPTCP struct_ops (the VM tests cover it)"
else
	expect_fail "has no BPF struct_ops for mptcp_sched_ops|$(uname -r)|boot the mptcp-bpf patched kernel" \
		load "$OBJS/sched_tunables.bpf.o"
	expect_fail "has no BPF struct_ops for mptcp_sched_ops" \
		load "$OBJS/sched_tunables.bpf.o" --set segments=8 --name bpf_ok
fi

subtest "not root: missing capabilities"
if ! is_root; then
	skip "needs root to drop to nobody"
else
	# run_as_nobody ARGS...: $rc and $err of the loader run as uid 65534
	run_as_nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$LOADER" "$@" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		err=$(cat "$tmp/err")
	}
	for args in "load $OBJS/sched_tunables.bpf.o" "list" "unload bpf_x" \
		    "stats bpf_x"; do
		before=$(pins)
		# shellcheck disable=SC2086 # split into words on purpose
		run_as_nobody $args
		assert_ne "$rc" 0 "exit status of '$args' as nobody"
		assert_contains "$err" "CAP_BPF" "stderr of '$args'"
		assert_contains "$err" "run it as root" "stderr of '$args'"
		assert_str_eq "$(pins)" "$before" "entries under $PIN_ROOT"
	done
	run_as_nobody use default
	assert_ne "$rc" 0 "exit status of 'use default' as nobody"
	assert_contains "$err" "CAP_NET_ADMIN" "stderr of 'use'"
fi

subtest "unknown names for unload, stats, use"
if ! is_root; then
	skip "needs root"
else
	expect_fail "no policy named 'bpf_nope' was loaded by mptcp-sched|loaded:" unload bpf_nope
	expect_fail "no policy named 'bpf_nope'" stats bpf_nope
	expect_fail "no scheduler or path manager named 'bpf_nope'|schedulers:" use bpf_nope
fi

test_exit
