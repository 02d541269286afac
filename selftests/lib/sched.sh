# shellcheck shell=bash
# Helpers for the scheduler selftests. Sourced after test.sh and topo.sh.
#
#   sched_register OBJ           bpftool struct_ops register, link pinned in
#                                bpffs; prints nothing, fails loudly
#   sched_unregister OBJ         remove the pinned link (kernel unregisters)
#   sched_available NAME         true if NAME is in available_schedulers
#   mib_get NS COUNTER           an MPTcpExt MIB counter (e.g. SchedFallback)
#                                of network namespace NS
#   xfer_start BYTES [ARGS...]   topo_xfer in the background
#   xfer_finish                  wait for it; sets TOPO_XFER_OUT, returns
#                                its status
#   sched_cleanup                unregister everything sched_register did
#
# Objects are plain .bpf.o files registered with the tree's bpftool, so
# these tests do not depend on our loader.

SCHED_BPFTOOL=${BPFTOOL:-${MPTCP_BPF_CACHE:-/var/cache/mptcp-bpf}/tools/current/bpftool/bpftool}
SCHED_PIN_ROOT=/sys/fs/bpf/mptcp-bpf-selftests
_SCHED_PINS=""

_sched_pin_dir() {
	echo "$SCHED_PIN_ROOT/$(basename "$1" .bpf.o)"
}

sched_register() {
	local obj=$1 dir out

	dir=$(_sched_pin_dir "$obj")
	if [ ! -f "$obj" ]; then
		echo "  sched_register: $obj is missing: build it with make" >&2
		return 1
	fi
	mkdir -p "$dir" || return 1
	if ! out=$("$SCHED_BPFTOOL" struct_ops register "$obj" "$dir" 2>&1); then
		echo "  sched_register: bpftool struct_ops register $obj failed:" >&2
		echo "$out" | tail -n 20 | sed 's/^/    /' >&2
		rmdir "$dir" 2>/dev/null
		return 1
	fi
	_SCHED_PINS="$_SCHED_PINS $dir"
}

sched_unregister() {
	local dir

	dir=$(_sched_pin_dir "$1")
	rm -rf "$dir"
}

sched_available() {
	tr ' ' '\n' </proc/sys/net/mptcp/available_schedulers | grep -qxF "$1"
}

mib_get() {
	ip netns exec "$1" awk -v name="$2" '
		$1 == "MPTcpExt:" && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == "MPTcpExt:" && hdr { if (name in col) { print $col[name]; found = 1 } }
		END { exit !found }' /proc/net/netstat
}

xfer_start() {
	_XFER_STATE=$(mktemp)
	(
		topo_xfer "$@"
		echo "$? $TOPO_XFER_OUT" >"$_XFER_STATE"
	) &
	_XFER_PID=$!
	# the background transfer took this port
	_TOPO_PORT=$((_TOPO_PORT + 1))
}

xfer_finish() {
	local rc out

	wait "$_XFER_PID"
	read -r rc out <"$_XFER_STATE" || { rc=1; out=""; }
	rm -f "$_XFER_STATE"
	TOPO_XFER_OUT=$out
	return "$rc"
}

sched_cleanup() {
	local dir

	for dir in $_SCHED_PINS; do
		rm -rf "$dir"
	done
	_SCHED_PINS=""
}
