#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mptcp-sched on the patched kernel (run in the VM): load, list, info, use,
# stats and unload a built-in and a file object; refuse a duplicate name;
# show the verifier's reason for a rejected program; 100 load/unload rounds
# leave nothing behind. Numbers are read from the kernel (sysctl lists,
# bpffs, bpftool's view of the link) and from the loader's -j output.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/test.sh"
OUTPUT=${OUTPUT:-$(cd "$here/../.." && pwd)/build}
LOADER=$OUTPUT/mptcp-sched
OBJS=$OUTPUT/selftests/bpf
BPFTOOL=${BPFTOOL:-${MPTCP_BPF_CACHE:-/var/cache/mptcp-bpf}/tools/current/bpftool/bpftool}
PIN_ROOT=/sys/fs/bpf/mptcp-sched
SYSCTL=/proc/sys/net/mptcp

tmp=$(mktemp -d /tmp/test_loader.XXXXXX)

cleanup() {
	echo default >"$SYSCTL/scheduler" 2>/dev/null
	for d in "$PIN_ROOT"/*/; do
		[ -d "$d" ] && "$LOADER" unload "$(basename "$d")" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# run_loader ARGS...: sets $rc, $out (stdout) and $err (stderr).
run_loader() {
	"$LOADER" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# json_eval FILE EXPR: a Python expression over the document "d".
json_eval() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# registered NAME: how often NAME is in available_schedulers (0 or 1).
registered() { tr ' ' '\n' <"$SYSCTL/available_schedulers" | grep -cx "$1"; }
npins() { find "$PIN_ROOT" -mindepth 1 2>/dev/null | wc -l; }

# mptcp_xfer BYTES: one MPTCP connection over loopback carrying BYTES.
mptcp_xfer() {
	python3 - "$1" <<'EOF'
import socket, sys, threading
IPPROTO_MPTCP = 262
n = int(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
got = []
def sink():
    c, _ = srv.accept()
    total = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        total += len(b)
    got.append(total)
t = threading.Thread(target=sink)
t.start()
cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
cli.connect(srv.getsockname())
cli.sendall(b"x" * n)
cli.close()
t.join()
print(got[0])
EOF
}

subtest "setup: patched kernel, loader, test objects"
for f in "$LOADER" "$OBJS/sched_tunables.bpf.o" "$OBJS/bad_verifier.bpf.o"; do
	[ -e "$f" ] || fail "missing $f; run make"
done
[ -d "$SYSCTL" ] || fail "no $SYSCTL: this kernel has no MPTCP"
[ -x "$BPFTOOL" ] || fail "no bpftool at $BPFTOOL"
grep -qa bpf_struct_ops_mptcp_sched_ops /sys/kernel/btf/vmlinux ||
	fail "this kernel has no BPF struct_ops for mptcp_sched_ops"
if [ "$SUBTEST_FAILED" = 1 ]; then
	test_exit
	exit 1
fi

subtest "load first: registered and pinned"
run_loader load first
assert_eq "$rc" 0 "exit status of 'load first'" || echo "$err" >&2
assert_str_eq "$out" bpf_first "printed name"
assert_eq "$(registered bpf_first)" 1 "bpf_first in available_schedulers"
[ -e "$PIN_ROOT/bpf_first/link" ] || fail "$PIN_ROOT/bpf_first/link is missing"

subtest "list -j: ids of the pinned link, map and program"
"$LOADER" -j list >"$tmp/list.json"
assert_eq "$?" 0 "exit status of list -j"
link_id=$(json_eval "$tmp/list.json" '[p["link_id"] for p in d["loaded"] if p["name"] == "bpf_first"][0]')
assert_gt "$link_id" 0 "link id"
assert_gt "$(json_eval "$tmp/list.json" '[p["map_id"] for p in d["loaded"] if p["name"] == "bpf_first"][0]')" 0 "map id"
assert_eq "$(json_eval "$tmp/list.json" '[len(p["prog_ids"]) for p in d["loaded"] if p["name"] == "bpf_first"][0]')" 1 "programs"
assert_eq "$(json_eval "$tmp/list.json" 'd["schedulers"]["available"].count("bpf_first")')" 1 "listed as available"
"$BPFTOOL" -j link show id "$link_id" >"$tmp/link.json"
assert_str_eq "$(json_eval "$tmp/link.json" 'd["type"]')" struct_ops "kernel's type of link $link_id"

subtest "info NAME: the loaded policy read back from the kernel"
"$LOADER" -j info bpf_first >"$tmp/info.json"
assert_eq "$?" 0 "exit status of info -j bpf_first"
assert_eq "$(json_eval "$tmp/info.json" 'd["link_id"]')" "$link_id" "link id"
assert_str_eq "$(json_eval "$tmp/info.json" 'd["type"]')" mptcp_sched_ops "type"
assert_str_eq "$(json_eval "$tmp/info.json" 'd["callbacks"][0]["name"]')" get_send "callback"
assert_str_eq "$(json_eval "$tmp/info.json" 'd["callbacks"][0]["prog"]')" first_get_send "program"

subtest "use bpf_first, then default"
run_loader use bpf_first
assert_eq "$rc" 0 "exit status of 'use bpf_first'"
assert_str_eq "$(cat "$SYSCTL/scheduler")" bpf_first "net.mptcp.scheduler"
assert_ge "$(mptcp_xfer 1048576)" 1048576 "bytes received with bpf_first"
run_loader use default
assert_eq "$rc" 0 "exit status of 'use default'"
assert_str_eq "$(cat "$SYSCTL/scheduler")" default "net.mptcp.scheduler"

subtest "double load: already registered (-EEXIST)"
before=$(npins)
run_loader load first
assert_ne "$rc" 0 "exit status of the second 'load first'"
assert_contains "$err" "already registered" "stderr"
assert_eq "$(npins)" "$before" "pinned objects"
assert_eq "$(registered bpf_first)" 1 "bpf_first in available_schedulers"
run_loader load first --name default
assert_ne "$rc" 0 "exit status of 'load first --name default'"
assert_contains "$err" "already registered" "stderr"

subtest "tunables and stats: --set, --name, stats -j, stats --watch"
run_loader load "$OBJS/sched_tunables.bpf.o" --set segments=4 --set bias=-5 --name bpf_tt2
assert_eq "$rc" 0 "exit status of load --set --name" || echo "$err" >&2
assert_eq "$(registered bpf_tt2)" 1 "bpf_tt2 in available_schedulers"
"$LOADER" -j info bpf_tt2 >"$tmp/info2.json"
assert_eq "$(json_eval "$tmp/info2.json" '[t["value"] for t in d["tunables"] if t["name"] == "segments"][0]')" 4 "segments"
assert_eq "$(json_eval "$tmp/info2.json" '[t["value"] for t in d["tunables"] if t["name"] == "bias"][0]')" -5 "bias"
assert_eq "$(json_eval "$tmp/info2.json" '[t["value"] for t in d["tunables"] if t["name"] == "verbose_stats"][0]')" 1 "verbose_stats (default)"
"$LOADER" use bpf_tt2
assert_ge "$(mptcp_xfer 4194304)" 4194304 "bytes received with bpf_tt2"
"$LOADER" use default
"$LOADER" -j stats bpf_tt2 >"$tmp/stats.json"
calls=$(json_eval "$tmp/stats.json" 'd["stats"]["calls"]')
picked0=$(json_eval "$tmp/stats.json" 'd["stats"]["picked"][0]')
assert_gt "$calls" 0 "get_send calls"
assert_gt "$picked0" 0 "picks of subflow 0, counted by segments"
assert_eq "$((picked0 % 4))" 0 "picks of subflow 0 are multiples of segments=4"
timeout --preserve-status -s INT 2.5 "$LOADER" -j stats bpf_tt2 --watch 1 >"$tmp/watch.json"
assert_eq "$?" 0 "exit status of stats --watch after SIGINT"
assert_ge "$(wc -l <"$tmp/watch.json")" 2 "rounds printed by --watch"

subtest "unload: unregistered and unpinned"
for n in bpf_first bpf_tt2; do
	run_loader unload "$n"
	assert_eq "$rc" 0 "exit status of 'unload $n'"
	assert_eq "$(registered "$n")" 0 "$n in available_schedulers"
	[ ! -e "$PIN_ROOT/$n" ] || fail "$PIN_ROOT/$n still exists"
done
run_loader unload bpf_first
assert_ne "$rc" 0 "exit status of unloading it again"
assert_contains "$err" "no policy named 'bpf_first'" "stderr"

subtest "verifier rejection: the reason is shown, nothing is left"
before=$(npins)
run_loader load "$OBJS/bad_verifier.bpf.o"
assert_ne "$rc" 0 "exit status of loading bad_verifier"
assert_contains "$err" "cannot load bpf_bad" "stderr"
assert_contains "$err" "BEGIN PROG LOAD LOG" "stderr"
assert_contains "$err" "unbounded memory access" "stderr"
assert_eq "$(npins)" "$before" "pinned objects"
assert_eq "$(registered bpf_bad)" 0 "bpf_bad in available_schedulers"

# sched_maps: struct_ops maps of type mptcp_sched_ops the kernel holds.
sched_maps() { "$BPFTOOL" struct_ops list 2>/dev/null | grep -c mptcp_sched_ops; }

subtest "100 load/unload rounds leave nothing behind"
maps_before=$(sched_maps)
failures=0
for _ in $(seq 100); do
	"$LOADER" load first >/dev/null 2>"$tmp/err" || { failures=$((failures + 1)); cat "$tmp/err" >&2; }
	"$LOADER" unload bpf_first 2>"$tmp/err" || { failures=$((failures + 1)); cat "$tmp/err" >&2; }
done
assert_eq "$failures" 0 "failed load/unload commands"
assert_eq "$(npins)" 0 "pinned objects"
assert_eq "$(registered bpf_first)" 0 "bpf_first in available_schedulers"
# maps are freed after an RCU grace period: give them a moment
for _ in $(seq 50); do
	[ "$(sched_maps)" -le "$maps_before" ] && break
	sleep 0.1
done
assert_eq "$(sched_maps)" "$maps_before" "mptcp_sched_ops struct_ops maps"

test_exit
