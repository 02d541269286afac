# shellcheck shell=bash
# Helpers for the scheduler selftests. Sourced after test.sh and topo.sh.
#
#   sched_register OBJ           bpftool struct_ops register, link pinned in
#                                bpffs; prints nothing, fails loudly
#   sched_unregister OBJ         remove the pinned link (kernel unregisters)
#   sched_available NAME         true if NAME is in available_schedulers
#   mib_get NS COUNTER           an MPTcpExt MIB counter (e.g. SchedFallback)
#                                of network namespace NS
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

sched_cleanup() {
	local dir

	for dir in $_SCHED_PINS; do
		rm -rf "$dir"
	done
	_SCHED_PINS=""
}

# Transitional names for topo_xfer_start / topo_xfer_wait.
xfer_start() { topo_xfer_start "$@"; }
xfer_finish() { topo_xfer_wait; }

# Policies loaded with the project's loader, as the test_sched_<policy>.sh
# tests do (the mptcp-sched -j output is parsed in bash: in the TCG guest
# every process costs about 0.1 s):
#
#   sched_load POLICY [ARGS...]  mptcp-sched load POLICY ARGS (a built-in
#                                name or an object file; ARGS e.g. --set
#                                k=v); sets SCHED_NAME, the registered name
#   sched_unload NAME            mptcp-sched unload NAME
#   sched_unload_all             unload what sched_load loaded (for traps)
#   sched_stats_read NAME        read NAME's counters (mptcp-sched -j stats)
#   sched_stat COUNTER           one of them: "picked[1]" an element of an
#                                array counter, "picked" the sum of all
#   xfer_path_bytes I [FIELD]    bytes_acked (or FIELD, e.g. bytes_sent)
#                                of path I's subflow in the last transfer
#   link_mark                    remember every path's link tx counter
#   link_tx I                    bytes path I's client device sent since

SCHED_LOADER=${OUTPUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}/mptcp-sched
SCHED_NAME=""
_SCHED_LOADED=""
_SCHED_STATS=""
_SCHED_LINK_MARK=()

sched_load() {
	local out

	SCHED_NAME=""
	if ! out=$("$SCHED_LOADER" load "$@" 2>&1) || ! [[ $out =~ ^[A-Za-z0-9_.-]+$ ]]; then
		echo "  sched_load: mptcp-sched load $* failed: $out" >&2
		return 1
	fi
	_SCHED_LOADED="$_SCHED_LOADED $out"
	# shellcheck disable=SC2034 # for the caller
	SCHED_NAME=$out
}

sched_unload() {
	local name rest=""

	for name in $_SCHED_LOADED; do
		[ "$name" = "$1" ] || rest="$rest $name"
	done
	_SCHED_LOADED=$rest
	"$SCHED_LOADER" unload "$1" >/dev/null
}

sched_unload_all() {
	local name

	for name in $_SCHED_LOADED; do
		"$SCHED_LOADER" unload "$name" >/dev/null 2>&1
	done
	_SCHED_LOADED=""
}

sched_stats_read() {
	_SCHED_STATS=""
	if ! _SCHED_STATS=$("$SCHED_LOADER" -j stats "$1"); then
		echo "  sched_stats_read: mptcp-sched -j stats $1 failed" >&2
		_SCHED_STATS=""
		return 1
	fi
}

sched_stat() {
	local key=${1%%[*} idx="" v sum=0
	local -a arr

	[[ $1 == *\[*\] ]] && { idx=${1#*[}; idx=${idx%]}; }
	if [[ $_SCHED_STATS =~ \"$key\":\ *\[([0-9,\ ]*)\] ]]; then
		IFS=', ' read -r -a arr <<<"${BASH_REMATCH[1]}"
		if [ -n "$idx" ]; then
			if [ -z "${arr[idx]:-}" ]; then
				echo "  sched_stat: '$1' is out of range" >&2
				return 1
			fi
			echo "${arr[idx]}"
			return
		fi
		for v in "${arr[@]}"; do
			sum=$((sum + v))
		done
		echo "$sum"
	elif [ -z "$idx" ] && [[ $_SCHED_STATS =~ \"$key\":\ *([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo "  sched_stat: no counter '$1' in: ${_SCHED_STATS:-(nothing read)}" >&2
		return 1
	fi
}

xfer_path_bytes() {
	xfer_get "subflow.10.0.$1.1.${2:-bytes_acked}"
}

link_mark() {
	local i

	_SCHED_LINK_MARK=()
	for ((i = 1; i <= TOPO_NPATHS; i++)); do
		_SCHED_LINK_MARK[i]=$(topo_link_bytes "$i") || return 1
	done
}

link_tx() {
	local now

	now=$(topo_link_bytes "$1") || return 1
	echo $((now - ${_SCHED_LINK_MARK[$1]:-0}))
}
