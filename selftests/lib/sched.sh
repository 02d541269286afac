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

# Path managers (mptcp_pm_ops), loaded with sched_load like schedulers and
# selected per network namespace; the subflows as INET_DIAG reports them:
#
#   pm_use NAME [NS]             net.mptcp.path_manager=NAME in NS (default
#                                the client, $TOPO_CLI), checked read back
#   pm_available NAME            true if NAME is in available_path_managers
#   pm_stat_wait NAME COUNTER MIN SECS   poll NAME's counters (every 0.2 s)
#                                until COUNTER >= MIN; non-zero if it was
#                                still below after SECS; sched_stat reads
#                                the last poll. Not in $(...): the counters
#                                read would stay in the subshell
#   diag_read [NS] [PORT]        the established MPTCP subflows of NS
#                                (default $TOPO_CLI; PORT: one connection's)
#                                from selftests/tools/mptcp_subflows. Once
#                                the client has handed all its data to the
#                                subflows they are in FIN_WAIT1: the tests
#                                keep send buffers small (tcp_wmem) so that
#                                this happens only at the very end
#   diag_get KEY                 a value of the last diag_read, e.g.
#                                "subflows", "pair.10.0.2.1-10.0.1.2",
#                                "addr.10.0.2.1.backup", "pair.10.0.1.2-
#                                10.0.2.1.peer_backup" (absent: prints 0
#                                for the counts pair.* and addr.*, else
#                                nothing and returns 1)
#   diag_wait KEY OP VALUE SECS [NS]   diag_read until "diag_get KEY" OP
#                                VALUE (OP: test's -eq -ge -le ...), polling
#                                every 0.2 s; non-zero if never true within
#                                SECS; diag_get reads the last poll (so not
#                                in $(...) either)
#   diag_ports IP                the source ports of the subflows from IP
#                                in the last diag_read, space-separated
#   results_read PREFIX          the .data map of a loaded test policy
#                                (selftests/bpf/*.bpf.c: its initialised
#                                globals, e.g. `results`), found by name
#                                among the maps bpftool lists: libbpf names
#                                it after the first 8 characters of the
#                                object's name, so PREFIX "pm_bad" finds
#                                "pm_bad_a.data" (pm_bad_args.bpf.o); dumped
#                                as JSON for result
#   result NAME                  one integer member of that dump (the first
#                                "NAME": in it); nothing and non-zero if absent
#   kernel_problems              how many lines of the kernel log report a
#                                problem (WARNING, BUG, Oops, lockdep, hung
#                                task...: vmtest.sh's list); a test compares
#                                it before and after to pin one on itself:
#   kernel_problems_mark         at its start, and
#   kernel_clean_subtest         as its last subtest

SCHED_DIAG_BIN=${OUTPUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}/selftests/mptcp_subflows
_SCHED_DIAG=""

pm_use() {
	local name=$1 ns=${2:-$TOPO_CLI} cur

	if ! ip netns exec "$ns" sysctl -qw "net.mptcp.path_manager=$name" ||
	   ! cur=$(ip netns exec "$ns" sysctl -n net.mptcp.path_manager) ||
	   [ "$cur" != "$name" ]; then
		echo "  pm_use: net.mptcp.path_manager=$name failed in $ns (now '${cur:-?}'; available: $(cat /proc/sys/net/mptcp/available_path_managers))" >&2
		return 1
	fi
}

pm_available() {
	local -a names
	local n

	read -r -a names </proc/sys/net/mptcp/available_path_managers
	for n in "${names[@]}"; do
		[ "$n" = "$1" ] && return 0
	done
	return 1
}

pm_stat_wait() {
	local name=$1 counter=$2 min=$3 end=$((SECONDS + $4)) v=""

	while :; do
		sched_stats_read "$name" && v=$(sched_stat "$counter") || v=""
		[ -n "$v" ] && [ "$v" -ge "$min" ] && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

diag_read() {
	local ns=${1:-$TOPO_CLI}
	local -a port=()

	[ -z "${2:-}" ] || port=(--port "$2")
	if ! _SCHED_DIAG=$(ip netns exec "$ns" "$SCHED_DIAG_BIN" "${port[@]}"); then
		echo "  diag_read: mptcp_subflows in $ns failed" >&2
		_SCHED_DIAG=""
		return 1
	fi
}

diag_get() {
	local k v

	while read -r k v; do
		if [ "$k" = "$1" ]; then
			echo "$v"
			return 0
		fi
	done <<<"$_SCHED_DIAG"
	case $1 in
	pair.*|addr.*) echo 0 ;;
	*) return 1 ;;
	esac
}

diag_wait() {
	local key=$1 op=$2 want=$3 end=$((SECONDS + $4)) ns=${5:-$TOPO_CLI} v=""

	while :; do
		diag_read "$ns" && v=$(diag_get "$key") || v=""
		[ -n "$v" ] && test "$v" "$op" "$want" && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

diag_ports() {
	local k v ports=""

	while read -r k v; do
		[[ $k == "subflow.$1:"*.remote ]] || continue
		k=${k#"subflow.$1:"}
		ports="$ports${ports:+ }${k%.remote}"
	done <<<"$_SCHED_DIAG"
	echo "$ports"
}

kernel_problems() {
	dmesg | grep -cE 'Oops|BUG:|WARNING:|Kernel panic|general protection fault|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|rcu_sched detected stall|refcount_t:'
}

# kernel_problems_mark, then kernel_clean_subtest as a test's last subtest:
# no new kernel problem line in between, so the test that caused one
# fails by name (vmtest.sh only fails the whole VM run).
kernel_problems_mark() {
	_KERNEL_PROBLEMS=$(kernel_problems)
}

kernel_clean_subtest() {
	subtest "no kernel warning, BUG or lockdep report during this test"
	assert_eq "$(kernel_problems)" "${_KERNEL_PROBLEMS:-0}" "kernel problem lines in dmesg"
}

_SCHED_RESULTS=""

results_read() {
	local maps id=""

	_SCHED_RESULTS=""
	maps=$("$SCHED_BPFTOOL" -j map show) || return 1
	while [[ $maps =~ \"id\":([0-9]+),\"type\":\"[a-z_]+\",\"name\":\"([^\"]*)\"(.*) ]]; do
		if [[ ${BASH_REMATCH[2]} == "$1"*.data ]]; then
			id=${BASH_REMATCH[1]}
			break
		fi
		maps=${BASH_REMATCH[3]}
	done
	if [ -z "$id" ]; then
		echo "  results_read: no $1*.data map loaded" >&2
		return 1
	fi
	_SCHED_RESULTS=$("$SCHED_BPFTOOL" -j map dump id "$id")
}

result() {
	if [[ $_SCHED_RESULTS =~ \"$1\":(-?[0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo "  result: no '$1' in: ${_SCHED_RESULTS:-(nothing read)}" >&2
		return 1
	fi
}
