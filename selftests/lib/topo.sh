# shellcheck shell=bash
# topo.sh - the fixed MPTCP selftest topology. Sourced (after test.sh).
#
#   netns $TOPO_CLI          netns $TOPO_RTR               netns $TOPO_SRV
#   cveth1 10.0.1.1/24 --- rc1 [shaping] rs1 --- sveth1 10.0.1.2/24
#   cveth2 10.0.2.1/24 --- rc2 [shaping] rs2 --- sveth2 10.0.2.2/24
#   cvethI 10.0.I.1/24 --- rcI [shaping] rsI --- svethI 10.0.I.2/24  (I <= 8)
#
# Path I is a veth pair from the client to a router namespace and one from
# the router to the server. The router has no addresses: it forwards
# whatever enters on rcI out of rsI and the other way round (policy rules
# "iif rcI" / "iif rsI"), and static neighbour entries replace ARP on the
# whole path, so client and server see each other on one /24 per path.
# Link emulation (topo_path_set) sits on the router's egress devices: a
# dropped packet is a loss in the network, as on a real bottleneck. A qdisc
# on the sender's own device would drop locally instead (NET_XMIT_DROP):
# TCP then retries at once, counting the bytes in tcpi_bytes_sent again,
# and enters CWR instead of loss recovery.
#
# The client always connects to 10.0.1.2 (the server announces nothing):
# the initial subflow uses path 1, and for every path I >= 2 the client
# has an in-kernel PM endpoint "10.0.I.1 dev cvethI id I subflow", so each
# connection opens one extra subflow 10.0.I.1 -> 10.0.1.2 on path I. Client
# policy routing keeps each source address on its path: rule "from
# 10.0.I.1 lookup 100+I", table 100+I = "default via 10.0.I.2 dev cvethI"
# plus an "unreachable default" of lowest priority, so the traffic of a
# path that is down never leaks onto another one. The server answers
# 10.0.I.1 through the connected route of svethI. Client and server:
# net.mptcp.enabled=1, "ip mptcp limits set subflow 8 add_addr_accepted 8";
# everywhere rp_filter off and IPv6 off (no router solicitations, MLD or
# DAD traffic: link counters count the tests' packets only). IPv4 only.
#
# Functions (all print what failed on stderr and return non-zero):
#   topo_setup NPATHS            build it; exports TOPO_CLI TOPO_RTR TOPO_SRV
#   topo_cleanup                 remove everything (idempotent, trap-safe)
#   topo_path_set I [delay MS] [rate MBIT] [loss PCT] [queue MS]
#                                emulation of path I, both directions
#   topo_have_netem              true if delay/loss can be emulated
#   topo_path_down I / topo_path_up I   the client's device of path I
#   topo_endpoint_backup I [on|off]     path I's client address backup
#   topo_link_bytes I [tx|rx]    byte counter of cvethI (default tx)
#   topo_set_scheduler NAME      net.mptcp.scheduler on client and server
#   topo_xfer BYTES [CLIENT ARGS...]  one mptcp_xfer transfer; the client's
#                                output is in the file $TOPO_XFER_OUT
#   topo_xfer_start BYTES [ARGS...] / topo_xfer_wait   the same in two
#                                steps, to change paths during a transfer
#   xfer_get KEY                 a value from $TOPO_XFER_OUT
#   topo_cli_dev I / topo_srv_dev I     device names of path I
#
# Typical test:
#
#	. "$dir/../lib/test.sh"; . "$dir/../lib/topo.sh"
#	trap topo_cleanup EXIT
#	subtest "two paths"
#	topo_setup 2 || fail "topology setup"
#	topo_path_set 1 rate 50 && topo_path_set 2 rate 50 || fail "shaping"
#	topo_xfer 10485760 --wait-subflows 2 || fail "transfer"
#	assert_eq "$(xfer_get received)" 10485760 "received"
#
# Settings (environment, read when sourced): TOPO_PREFIX (namespace name
# prefix, default mpb), OUTPUT (build dir, default <repo>/build) or
# TOPO_XFER_BIN (the mptcp_xfer binary), TOPO_XFER_TIMEOUT (seconds,
# default 120), TOPO_QUEUE_MS (bottleneck queue, default 20), TOPO_KEEP=1
# (cleanup leaves the namespaces for debugging). Needs root, bash >= 5,
# ip (iproute2), tc, ethtool, sysctl, ping, and a kernel with MPTCP,
# network namespaces, veth, policy routing (IP_MULTIPLE_TABLES), sch_tbf
# (rate) and sch_netem (delay, loss); /run must be writable (ip netns).
#
# Every process costs about 0.1 s in the TCG guest, so this library runs
# few: ip and tc batches, builtins instead of sleep/cat/awk.

TOPO_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPO_REPO_DIR=$(cd "$TOPO_LIB_DIR/../.." && pwd)
TOPO_XFER_BIN=${TOPO_XFER_BIN:-${OUTPUT:-$TOPO_REPO_DIR/build}/selftests/mptcp_xfer}
TOPO_SERVER_ADDR=10.0.1.2
TOPO_XFER_TIMEOUT=${TOPO_XFER_TIMEOUT:-120}
TOPO_QUEUE_MS=${TOPO_QUEUE_MS:-20}
TOPO_MAX_PATHS=8
TOPO_CLI=""
TOPO_RTR=""
TOPO_SRV=""
TOPO_NPATHS=0
TOPO_DIR=""
TOPO_XFER_OUT=""
TOPO_XFER_SRV_OUT=""
_TOPO_PIDS=""
_TOPO_XFER_CPID=""
_TOPO_XFER_SPID=""
_TOPO_XFER_BASE=""
_TOPO_PORT=20000
_TOPO_NETEM=""
_TOPO_SHAPE=()		# per path: "", tbf, netem, netem+tbf (topo_path_set)
_TOPO_OFFLOAD=()	# per path: on (default), off (_topo_offload)

_topo_err() {
	echo "topo: $*" >&2
	return 1
}

# _topo_run CMD... - run a command; on failure print it and its output.
_topo_run() {
	local out

	if ! out=$("$@" 2>&1); then
		_topo_err "failed: $*${out:+: $out}"
		return 1
	fi
}

# _topo_nsexec NS CMD... - the same, in namespace NS.
_topo_nsexec() {
	local ns=$1 out

	shift
	if ! out=$(ip netns exec "$ns" "$@" 2>&1); then
		_topo_err "$ns: failed: $*${out:+: $out}"
		return 1
	fi
}

# _topo_batch CMD NS FILE - run FILE with "CMD -n NS -batch" (CMD: ip or
# tc; NS "" for the initial namespace). They stop at the first failing
# line, which is printed with the error.
_topo_batch() {
	local cmd=$1 ns=$2 file=$3 out line
	local -a nsarg=()

	[ -z "$ns" ] || nsarg=(-n "$ns")
	if out=$("$cmd" "${nsarg[@]}" -batch "$file" 2>&1); then
		return 0
	fi
	if [[ $out =~ Command\ failed\ .*:([0-9]+) ]]; then
		line=$(sed -n "${BASH_REMATCH[1]}p" "$file")
	fi
	_topo_err "$cmd${ns:+ -n $ns}: failed: ${line:-$file}: $out"
	return 1
}

# _topo_sleep SECS - sleep without a process: a read timing out on a FIFO
# nobody writes to.
_topo_sleep() {
	read -r -t "$1" <>"$TOPO_DIR/sleep.fifo"
	return 0
}

# _topo_fixed VALUE DIGITS - a decimal VALUE ("12", "0.5") times 10^DIGITS,
# as an integer (bash has no floating point).
_topo_fixed() {
	local int=${1%%.*} frac="" zeros=000000000

	[[ $1 == *.* ]] && frac=${1#*.}
	frac=${frac:0:$2}
	frac=$frac${zeros:0:$(($2 - ${#frac}))}
	echo $((10#${int:-0} * 10 ** $2 + 10#${frac:-0}))
}

topo_cli_dev() { echo "cveth$1"; }
topo_srv_dev() { echo "sveth$1"; }

# _topo_macs I - the fixed MAC addresses of path I's devices, for the
# static neighbour entries, in mac_cli (cvethI), mac_srv (svethI), mac_rc
# and mac_rs (router: rcI, rsI): 02:00:0a:00:<I>:<01|02|fe|fd>. printf -v
# rather than $(...): forks are dear in the TCG guest.
_topo_macs() {
	local p

	printf -v p '02:00:0a:00:%02x' "$1"
	mac_cli=$p:01
	mac_srv=$p:02
	mac_rc=$p:fe
	mac_rs=$p:fd
}

# _topo_check_path I - I is a path of the current topology.
_topo_check_path() {
	if [ "$TOPO_NPATHS" -eq 0 ]; then
		_topo_err "no topology: call topo_setup first"
		return 1
	fi
	if ! [[ ${1:-} =~ ^[1-9][0-9]*$ ]] || [ "$1" -gt "$TOPO_NPATHS" ]; then
		_topo_err "path '${1:-}' is not one of 1..$TOPO_NPATHS"
		return 1
	fi
}

_topo_check_prereqs() {
	local cmd

	if [ "$EUID" != 0 ]; then
		_topo_err "must run as root (network namespaces)"
		return 1
	fi
	for cmd in ip tc ethtool sysctl ping mkfifo; do
		if ! command -v "$cmd" >/dev/null; then
			_topo_err "'$cmd' not found in PATH"
			return 1
		fi
	done
	if [ ! -e /proc/sys/net/mptcp/enabled ]; then
		_topo_err "no net.mptcp sysctls: kernel without CONFIG_MPTCP"
		return 1
	fi
}

# _topo_sysctls NS ROLE - what a namespace gets before its devices exist
# (they inherit the defaults): rp_filter and IPv6 off; MPTCP on client and
# server, forwarding on the router.
_topo_sysctls() {
	local ns=$1 role=$2
	local -a kv=(net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0)

	if [ -e /proc/sys/net/ipv6/conf/default/disable_ipv6 ]; then
		kv+=(net.ipv6.conf.all.disable_ipv6=1
		     net.ipv6.conf.default.disable_ipv6=1)
	fi
	case $role in
	router) kv+=(net.ipv4.ip_forward=1) ;;
	*) kv+=(net.mptcp.enabled=1) ;;
	esac
	_topo_nsexec "$ns" sysctl -q -w "${kv[@]}"
}

# The ip batch lines of path I, per namespace.

# _topo_client_path I - client neighbour and route of path I (also used by
# topo_path_up: a device going down loses both).
_topo_client_path() {
	local mac_cli mac_srv mac_rc mac_rs

	_topo_macs "$1"
	echo "neigh replace 10.0.$1.2 lladdr $mac_rc dev cveth$1 nud permanent"
	echo "route replace default via 10.0.$1.2 dev cveth$1 table $((100 + $1))"
}

_topo_client_lines() {
	local i=$1 mac_cli mac_srv mac_rc mac_rs

	_topo_macs "$i"
	echo "link add cveth$i address $mac_cli type veth peer name rc$i address $mac_rc netns $TOPO_RTR"
	echo "addr add 10.0.$i.1/24 dev cveth$i"
	echo "link set cveth$i up"
	echo "rule add from 10.0.$i.1 table $((100 + i))"
	echo "route add unreachable default metric 4294967295 table $((100 + i))"
	_topo_client_path "$i"
	[ "$i" -lt 2 ] || echo "mptcp endpoint add 10.0.$i.1 dev cveth$i id $i subflow"
}

_topo_server_lines() {
	local i=$1 mac_cli mac_srv mac_rc mac_rs

	_topo_macs "$i"
	echo "link add sveth$i address $mac_srv type veth peer name rs$i address $mac_rs netns $TOPO_RTR"
	echo "addr add 10.0.$i.2/24 dev sveth$i"
	echo "link set sveth$i up"
	echo "neigh add 10.0.$i.1 lladdr $mac_rs dev sveth$i nud permanent"
}

# The router: a wire from rcI to rsI and back.
_topo_router_lines() {
	local i=$1 mac_cli mac_srv mac_rc mac_rs

	_topo_macs "$i"
	echo "link set rc$i up"
	echo "link set rs$i up"
	echo "rule add iif rc$i table $((100 + i))"
	echo "rule add iif rs$i table $((200 + i))"
	echo "route add default via 10.0.$i.2 dev rs$i onlink table $((100 + i))"
	echo "route add default via 10.0.$i.1 dev rc$i onlink table $((200 + i))"
	echo "neigh add 10.0.$i.2 lladdr $mac_srv dev rs$i nud permanent"
	echo "neigh add 10.0.$i.1 lladdr $mac_cli dev rc$i nud permanent"
}

# _topo_build - create everything: one ip batch per namespace.
_topo_build() {
	local d=$TOPO_DIR i

	printf 'netns add %s\n' "$TOPO_CLI" "$TOPO_RTR" "$TOPO_SRV" >"$d/netns.batch"
	_topo_batch ip "" "$d/netns.batch" || return 1
	_topo_sysctls "$TOPO_CLI" client && _topo_sysctls "$TOPO_RTR" router &&
		_topo_sysctls "$TOPO_SRV" server || return 1
	{
		echo "link set lo up"
		echo "mptcp limits set subflow 8 add_addr_accepted 8"
		for ((i = 1; i <= TOPO_NPATHS; i++)); do _topo_client_lines "$i"; done
	} >"$d/client.batch"
	{
		echo "link set lo up"
		echo "mptcp limits set subflow 8 add_addr_accepted 8"
		for ((i = 1; i <= TOPO_NPATHS; i++)); do _topo_server_lines "$i"; done
	} >"$d/server.batch"
	{
		echo "link set lo up"
		for ((i = 1; i <= TOPO_NPATHS; i++)); do _topo_router_lines "$i"; done
	} >"$d/router.batch"
	_topo_batch ip "$TOPO_CLI" "$d/client.batch" &&
	_topo_batch ip "$TOPO_SRV" "$d/server.batch" &&
	_topo_batch ip "$TOPO_RTR" "$d/router.batch"
}

# _topo_check - every path routes on its own device and answers a ping.
_topo_check() {
	local i out paths=()

	for ((i = 1; i <= TOPO_NPATHS; i++)); do
		echo "route get $TOPO_SERVER_ADDR from 10.0.$i.1"
		paths+=("$i")
	done >"$TOPO_DIR/check.batch"
	out=$(ip -n "$TOPO_CLI" -batch "$TOPO_DIR/check.batch" 2>&1)
	for i in "${paths[@]}"; do
		if ! [[ $out =~ from\ 10\.0\.$i\.1\ via\ 10\.0\.$i\.2\ dev\ cveth$i\  ]]; then
			_topo_err "path $i: 10.0.$i.1 -> $TOPO_SERVER_ADDR does not route via cveth$i: $out"
			return 1
		fi
	done
	# shellcheck disable=SC2016 # expanded by sh -c
	_topo_nsexec "$TOPO_CLI" sh -c 'dst=$1; shift
		for i; do
			ping -n -q -c 1 -W 2 -I "10.0.$i.1" "$dst" >/dev/null ||
				{ echo "path $i: no reply to ping 10.0.$i.1 -> $dst"; exit 1; }
		done' sh "$TOPO_SERVER_ADDR" "${paths[@]}"
}

# topo_setup NPATHS - build the topology; on failure clean up and return 1.
topo_setup() {
	local n=${1:-}

	if ! [[ $n =~ ^[1-9]$ ]] || [ "$n" -gt "$TOPO_MAX_PATHS" ]; then
		_topo_err "topo_setup: NPATHS must be 1..$TOPO_MAX_PATHS, got '$n'"
		return 1
	fi
	if [ -n "$TOPO_DIR" ]; then
		_topo_err "topo_setup: a topology exists already ($TOPO_CLI): topo_cleanup first"
		return 1
	fi
	_topo_check_prereqs || return 1
	if ! TOPO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/topo.XXXXXX"); then
		_topo_err "mktemp -d in ${TMPDIR:-/tmp} failed"
		TOPO_DIR=""
		return 1
	fi
	TOPO_CLI="${TOPO_PREFIX:-mpb}-cli-$$-$RANDOM"
	TOPO_RTR=${TOPO_CLI/-cli-/-rtr-}
	TOPO_SRV=${TOPO_CLI/-cli-/-srv-}
	export TOPO_CLI TOPO_RTR TOPO_SRV
	TOPO_NPATHS=$n
	if ! _topo_run mkfifo "$TOPO_DIR/sleep.fifo" || ! _topo_build ||
	   ! _topo_check; then
		topo_cleanup
		return 1
	fi
}

# topo_cleanup - kill what topo_xfer started, delete the namespaces (and
# with them the veths), remove the work directory. Safe to call twice.
topo_cleanup() {
	local pid ns

	for pid in $_TOPO_PIDS; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	_TOPO_PIDS=""
	_TOPO_XFER_CPID=""
	_TOPO_XFER_SPID=""
	if [ "${TOPO_KEEP:-0}" = 1 ] && [ -n "$TOPO_DIR" ]; then
		echo "topo: TOPO_KEEP=1: leaving $TOPO_CLI $TOPO_RTR $TOPO_SRV $TOPO_DIR" >&2
	elif [ -n "$TOPO_DIR" ]; then	# the namespaces exist only with it
		for ns in "$TOPO_CLI" "$TOPO_RTR" "$TOPO_SRV"; do
			[ -e "/run/netns/$ns" ] && echo "netns del $ns"
		done >"$TOPO_DIR/cleanup.batch"
		[ ! -s "$TOPO_DIR/cleanup.batch" ] ||
			ip -force -batch "$TOPO_DIR/cleanup.batch" >/dev/null 2>&1
		rm -rf "$TOPO_DIR"
	fi
	TOPO_CLI=""
	TOPO_RTR=""
	TOPO_SRV=""
	TOPO_DIR=""
	TOPO_NPATHS=0
	_TOPO_SHAPE=()
	_TOPO_OFFLOAD=()
	return 0
}

# topo_have_netem - true if the kernel has sch_netem (delay and loss).
topo_have_netem() {
	if [ -z "$TOPO_RTR" ]; then
		_topo_err "topo_have_netem: call topo_setup first"
		return 1
	fi
	if [ -z "$_TOPO_NETEM" ]; then
		_TOPO_NETEM=no
		printf 'qdisc add dev lo root handle 1: netem\nqdisc del dev lo root\n' \
			>"$TOPO_DIR/netem.tc"
		if tc -n "$TOPO_RTR" -batch "$TOPO_DIR/netem.tc" >/dev/null 2>&1; then
			_TOPO_NETEM=yes
		fi
	fi
	[ "$_TOPO_NETEM" = yes ]
}

# _topo_offload I on|off - TSO and GSO of path I's endpoints (cvethI,
# svethI). On by default: under TCG every packet costs, and 64 KB segments
# make the VM an order of magnitude faster; but netem drops a segment as a
# whole, so paths with random loss turn them off (see topo_path_set). A
# device without them segments in software before it transmits, so this
# also works for connections that exist already.
_topo_offload() {
	local i=$1 state=$2

	[ "${_TOPO_OFFLOAD[i]:-on}" != "$state" ] || return 0
	_topo_nsexec "$TOPO_CLI" ethtool -K "cveth$i" tso "$state" gso "$state" &&
	_topo_nsexec "$TOPO_SRV" ethtool -K "sveth$i" tso "$state" gso "$state" ||
		return 1
	_TOPO_OFFLOAD[i]=$state
}

# _topo_qdisc_lines DEV OLD NEW NETEM_ARGS TBF_ARGS - tc batch lines that
# move the router device DEV's qdiscs from shape OLD to NEW ("", tbf,
# netem, netem+tbf). Same shape: changed in place, so a running transfer
# keeps its queued packets; otherwise the old root is deleted first.
_topo_qdisc_lines() {
	local dev=$1 old=$2 new=$3 netem=$4 tbf=$5 op=add

	if [ "$old" = "$new" ]; then
		op=change
	elif [ -n "$old" ]; then
		echo "qdisc del dev $dev root"
	fi
	case $new in
	tbf)
		echo "qdisc $op dev $dev root handle 1: tbf $tbf" ;;
	netem)
		echo "qdisc $op dev $dev root handle 1: netem $netem" ;;
	netem+tbf)
		echo "qdisc $op dev $dev root handle 1: netem $netem"
		echo "qdisc $op dev $dev parent 1:1 handle 10: tbf $tbf" ;;
	esac
}

# _topo_tbf_args RATE DELAY QUEUE - tbf parameters for RATE Mbit/s: burst
# 10 ms at the rate (>= 2 packets, so that timer granularity cannot cap
# the rate); limit (the queue) QUEUE ms at the rate, by default
# max(TOPO_QUEUE_MS, 2 x DELAY), about one BDP.
_topo_tbf_args() {
	local bps q_us burst limit

	bps=$(_topo_fixed "$1" 6)
	if [ -n "$3" ]; then
		q_us=$(_topo_fixed "$3" 3)
	else
		q_us=$((2 * $(_topo_fixed "${2:-0}" 3)))
		[ "$q_us" -ge $((TOPO_QUEUE_MS * 1000)) ] || q_us=$((TOPO_QUEUE_MS * 1000))
	fi
	burst=$((bps / 800))
	[ "$burst" -ge 3028 ] || burst=3028
	limit=$((bps * q_us / 8000000))
	[ "$limit" -ge 4542 ] || limit=4542
	echo "rate ${bps}bit burst $burst limit $limit"
}

# topo_path_set I [delay MS] [rate MBIT] [loss PCT] [queue MS]
#
# Sets the whole emulation of path I (a parameter left out means none of
# it; no parameter at all removes the emulation) in both directions: on
# the router's rsI (client to server) and rcI (server to client), so
# "delay 5" is a 10 ms base RTT and "loss 1" drops 1% each way.
#   rate:  tbf at the rate, its queue holding "queue" ms at that rate
#          (default max(TOPO_QUEUE_MS, 2 x delay): about one BDP);
#   delay, loss: netem, as the root in front of the tbf (packets are
#          delayed, then queue for the bottleneck); needs sch_netem
#          (topo_have_netem), else this fails.
# When a path keeps the same set of qdiscs (say delay+rate -> delay+rate+
# loss 100) they are changed in place, without dropping queued packets.
# With a loss, TSO/GSO go off on the path's endpoints (netem would drop
# whole 64 KB segments, not packets); without, they are on.
topo_path_set() {
	local i=${1:-} delay="" rate="" loss="" queue="" shape=""
	local netem="" tbf="" old

	_topo_check_path "$i" || return 1
	shift
	while [ $# -gt 0 ]; do
		if [ $# -lt 2 ] || ! [[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]]; then
			_topo_err "topo_path_set $i: '$1' needs a number, got '${2:-}'"
			return 1
		fi
		case $1 in
		delay) delay=$2 ;;
		rate) rate=$2 ;;
		loss) loss=$2 ;;
		queue) queue=$2 ;;
		*) _topo_err "topo_path_set $i: unknown parameter '$1' (delay|rate|loss|queue)"
		   return 1 ;;
		esac
		shift 2
	done
	if [ -n "$delay$loss" ]; then
		if ! topo_have_netem; then
			_topo_err "topo_path_set $i: delay/loss need sch_netem, which this kernel lacks (CONFIG_NET_SCH_NETEM)"
			return 1
		fi
		shape=netem
		# a pure delay line (the queue is the tbf's): room for 50k packets
		netem="limit 50000${delay:+ delay ${delay}ms}${loss:+ loss ${loss}%}"
	fi
	if [ -n "$rate" ]; then
		if [ "$(_topo_fixed "$rate" 6)" -lt 100000 ]; then
			_topo_err "topo_path_set $i: rate $rate Mbit/s is below 0.1"
			return 1
		fi
		shape=${shape:+$shape+}tbf
		tbf=$(_topo_tbf_args "$rate" "$delay" "$queue")
	fi
	if [ "$(_topo_fixed "${loss:-0}" 6)" -gt 0 ]; then
		_topo_offload "$i" off || return 1
	else
		_topo_offload "$i" on || return 1
	fi
	old=${_TOPO_SHAPE[i]:-}
	if [ "$old" = unknown ]; then	# after a failure: clear whatever is left
		tc -n "$TOPO_RTR" qdisc del dev "rs$i" root >/dev/null 2>&1
		tc -n "$TOPO_RTR" qdisc del dev "rc$i" root >/dev/null 2>&1
		old=""
	fi
	{
		_topo_qdisc_lines "rs$i" "$old" "$shape" "$netem" "$tbf"
		_topo_qdisc_lines "rc$i" "$old" "$shape" "$netem" "$tbf"
	} >"$TOPO_DIR/path$i.tc"
	_TOPO_SHAPE[i]=unknown
	if [ -s "$TOPO_DIR/path$i.tc" ]; then
		_topo_batch tc "$TOPO_RTR" "$TOPO_DIR/path$i.tc" || return 1
	fi
	_TOPO_SHAPE[i]=$shape
}

# topo_path_down I - set the client's device of path I down, as when a
# phone loses its WiFi: its routes go, its subflow fails with local errors
# and the router's end loses carrier. For a silent failure (a blackhole:
# the subflow only sees timeouts) use "topo_path_set I loss 100" instead.
topo_path_down() {
	_topo_check_path "${1:-}" || return 1
	_topo_run ip -n "$TOPO_CLI" link set "cveth$1" down
}

# topo_path_up I - the client's device up again, its routes restored.
topo_path_up() {
	_topo_check_path "${1:-}" || return 1
	{
		echo "link set cveth$1 up"
		_topo_client_path "$1"
	} >"$TOPO_DIR/up$1.batch"
	_topo_batch ip "$TOPO_CLI" "$TOPO_DIR/up$1.batch"
}

# topo_endpoint_backup I [on|off] - set (default) or clear the backup flag
# of path I's client address: "ip mptcp endpoint change id I backup", which
# also sends MP_PRIO on existing connections' subflows from that address.
# Path 1 has no endpoint (its address carries the initial subflow): one is
# added, "10.0.1.1 dev cveth1 id 1 backup" (no subflow flag, so it creates
# nothing), which the kernel consults for the initial subflow's priority.
topo_endpoint_backup() {
	local i=${1:-} flag

	_topo_check_path "$i" || return 1
	case ${2:-on} in
	on) flag=backup ;;
	off) flag=nobackup ;;
	*) _topo_err "topo_endpoint_backup $i: '$2' is not on|off"; return 1 ;;
	esac
	if [ "$i" = 1 ] && ! ip -n "$TOPO_CLI" mptcp endpoint show id 1 >/dev/null 2>&1; then
		[ "$flag" = backup ] || return 0
		_topo_run ip -n "$TOPO_CLI" mptcp endpoint add 10.0.1.1 \
			dev cveth1 id 1 backup
		return
	fi
	_topo_run ip -n "$TOPO_CLI" mptcp endpoint change id "$i" "$flag"
}

# topo_link_bytes I [tx|rx] - byte counter (stats64) of the client's device
# of path I; tx: all the client sent on path I, headers included, before
# any loss on the path.
topo_link_bytes() {
	local dir=${2:-tx} out

	_topo_check_path "${1:-}" || return 1
	case $dir in
	tx|rx) ;;
	*) _topo_err "topo_link_bytes $1: '$dir' is not tx|rx"; return 1 ;;
	esac
	out=$(ip -n "$TOPO_CLI" -j -s link show dev "cveth$1" 2>&1)
	if ! [[ $out =~ \"$dir\":\{\"bytes\":([0-9]+) ]]; then
		_topo_err "no $dir bytes for cveth$1 in: $out"
		return 1
	fi
	echo "${BASH_REMATCH[1]}"
}

# topo_set_scheduler NAME - net.mptcp.scheduler=NAME on client and server.
topo_set_scheduler() {
	local name=${1:-} ns

	if [ -z "$name" ] || [ -z "$TOPO_CLI" ]; then
		_topo_err "topo_set_scheduler: needs a NAME and a topology"
		return 1
	fi
	for ns in "$TOPO_CLI" "$TOPO_SRV"; do
		# shellcheck disable=SC2016 # expanded by bash -c
		_topo_nsexec "$ns" bash -c 'f=/proc/sys/net/mptcp
			if ! echo "$1" 2>/dev/null >$f/scheduler; then
				read -r avail <$f/available_schedulers
				echo "kernel rejected net.mptcp.scheduler=$1 (available: $avail)"
				exit 1
			fi
			read -r cur <$f/scheduler
			[ "$cur" = "$1" ] || { echo "net.mptcp.scheduler is $cur"; exit 1; }' \
			bash "$name" || return 1
	done
}

# _topo_wait_pid PID SECS - wait for PID (a child) to exit, kill it after
# SECS. Returns PID's exit status.
_topo_wait_pid() {
	local pid=$1 tenths=$(($2 * 10))

	while kill -0 "$pid" 2>/dev/null && [ "$tenths" -gt 0 ]; do
		_topo_sleep 0.1
		tenths=$((tenths - 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		_topo_err "pid $pid still running after $2 s: killed"
		kill "$pid" 2>/dev/null
	fi
	wait "$pid"
}

_topo_forget_pid() {
	local p rest=""

	for p in $_TOPO_PIDS; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	_TOPO_PIDS=$rest
}

# _topo_show_err SIDE FILE - print a side's stderr, indented.
_topo_show_err() {
	local line

	[ -s "$2" ] || return 0
	while IFS= read -r line; do
		echo "  $1: $line" >&2
	done <"$2"
}

# topo_xfer_start BYTES [CLIENT ARGS...] - start an mptcp_xfer server in
# $TOPO_SRV and, once it listens, its client in $TOPO_CLI sending BYTES to
# 10.0.1.2 (client arguments appended, e.g. --wait-subflows 2), both in
# the background: change the paths meanwhile, then topo_xfer_wait. Client
# stdout goes to the file $TOPO_XFER_OUT, server stdout to
# $TOPO_XFER_SRV_OUT. One transfer at a time.
topo_xfer_start() {
	local bytes=${1:-} port spid ready base tries

	if [ -z "$TOPO_DIR" ]; then
		_topo_err "topo_xfer: no topology: call topo_setup first"
		return 1
	fi
	if [ -n "$_TOPO_XFER_CPID" ]; then
		_topo_err "topo_xfer: a transfer is running: topo_xfer_wait first"
		return 1
	fi
	if [ ! -x "$TOPO_XFER_BIN" ]; then
		_topo_err "topo_xfer: $TOPO_XFER_BIN is missing: build it with make"
		return 1
	fi
	if [ -z "$bytes" ]; then
		_topo_err "topo_xfer: needs a byte count"
		return 1
	fi
	shift
	_TOPO_PORT=$((_TOPO_PORT + 1))
	port=$_TOPO_PORT
	base="$TOPO_DIR/xfer.$port"
	ready="$base.ready"
	_TOPO_XFER_BASE=$base
	TOPO_XFER_OUT="$base.client.out"
	TOPO_XFER_SRV_OUT="$base.server.out"
	export TOPO_XFER_OUT TOPO_XFER_SRV_OUT
	: >"$TOPO_XFER_OUT"

	ip netns exec "$TOPO_SRV" "$TOPO_XFER_BIN" server --listen 0.0.0.0 \
		--port "$port" --ready-file "$ready" --timeout "$TOPO_XFER_TIMEOUT" \
		>"$TOPO_XFER_SRV_OUT" 2>"$base.server.err" &
	spid=$!
	_TOPO_PIDS="$_TOPO_PIDS $spid"
	for ((tries = 1; tries <= 500; tries++)); do
		[ -e "$ready" ] || ! kill -0 "$spid" 2>/dev/null && break
		_topo_sleep 0.02
	done
	if [ ! -e "$ready" ]; then
		_topo_err "topo_xfer: server not listening on port $port after $tries tries"
		_topo_wait_pid "$spid" 1
		_topo_forget_pid "$spid"
		_topo_show_err server "$base.server.err"
		return 1
	fi
	_TOPO_XFER_SPID=$spid
	ip netns exec "$TOPO_CLI" "$TOPO_XFER_BIN" client \
		--connect "$TOPO_SERVER_ADDR" --port "$port" --bytes "$bytes" \
		--timeout "$TOPO_XFER_TIMEOUT" "$@" \
		>"$TOPO_XFER_OUT" 2>"$base.client.err" &
	_TOPO_XFER_CPID=$!
	_TOPO_PIDS="$_TOPO_PIDS $_TOPO_XFER_CPID"
}

# topo_xfer_wait - wait for the transfer topo_xfer_start started; print
# both sides' stderr; non-zero if either side failed.
topo_xfer_wait() {
	local cpid=$_TOPO_XFER_CPID spid=$_TOPO_XFER_SPID crc src

	if [ -z "$cpid" ]; then
		_topo_err "topo_xfer_wait: no transfer running"
		return 1
	fi
	_TOPO_XFER_CPID=""
	_TOPO_XFER_SPID=""
	# the client enforces --timeout itself; this only guards against a hang
	_topo_wait_pid "$cpid" $((TOPO_XFER_TIMEOUT + 10))
	crc=$?
	# a client that failed before connecting leaves the server waiting
	_topo_wait_pid "$spid" $((crc ? 3 : TOPO_XFER_TIMEOUT))
	src=$?
	_topo_forget_pid "$cpid"
	_topo_forget_pid "$spid"
	_topo_show_err client "$_TOPO_XFER_BASE.client.err"
	_topo_show_err server "$_TOPO_XFER_BASE.server.err"
	if [ "$crc" != 0 ] || [ "$src" != 0 ]; then
		_topo_err "transfer failed: client exit $crc, server exit $src"
		return 1
	fi
}

# topo_xfer BYTES [CLIENT ARGS...] - topo_xfer_start, then topo_xfer_wait.
topo_xfer() {
	topo_xfer_start "$@" && topo_xfer_wait
}

# xfer_get KEY - the value of KEY in the last transfer's client output;
# prints nothing and returns 1 if absent.
xfer_get() {
	local k v

	[ -n "$TOPO_XFER_OUT" ] && [ -r "$TOPO_XFER_OUT" ] || return 1
	while read -r k v; do
		if [ "$k" = "${1:-}" ]; then
			echo "$v"
			return 0
		fi
	done <"$TOPO_XFER_OUT"
	return 1
}
