# shellcheck shell=bash
# The steps every scheduler test (selftests/vm/test_sched_*.sh) repeats:
# a topology, one policy loaded with mptcp-sched and selected, one
# byte-checked transfer, the path shares read from the kernel. Needs
# test.sh, topo.sh and sched.sh sourced first.
#
#   sched_case_run NPATHS SHAPE POLICY [LOAD-ARG...]
#       NPATHS paths shaped by the function SHAPE (called with NPATHS),
#       POLICY loaded (`mptcp-sched load POLICY LOAD-ARG...`) and selected
#       on the client, link counters marked, one transfer of $BYTES that
#       waits for NPATHS subflows. Asserts the bytes received, the
#       server's pattern check, NPATHS subflows and MPTCP-level
#       reinjections <= 5% of the payload (healthy paths: only what their
#       queues drop goes twice). True if the transfer ran byte-exact.
#   sched_case_end
#       topology and policy gone, for the next subtest.
#   assert_path_share PATH NPATHS LOW HIGH
#       PATH's share of the NPATHS paths' bytes_acked (MPTCP_FULL_INFO)
#       and of their client link tx bytes is LOW%..HIGH%.
#   path_share_info NPATHS
#       the same shares of every path, printed for the log.

sched_case_run() {
	local n=$1 shape=$2 policy=$3

	shift 3
	topo_setup "$n" || { fail "topology setup"; return 1; }
	"$shape" "$n" || { fail "path emulation ($shape)"; return 1; }
	sched_load "$policy" "$@" || { fail "mptcp-sched load $policy $*"; return 1; }
	topo_set_scheduler "$SCHED_NAME" || { fail "select $SCHED_NAME"; return 1; }
	link_mark || { fail "link counters"; return 1; }
	topo_xfer "$BYTES" --wait-subflows "$n" || { fail "transfer"; return 1; }
	echo "  info: transfer $(xfer_get duration_ms) ms"
	assert_eq "$(xfer_get received)" "$BYTES" "bytes received" &&
	assert_str_eq "$(xfer_get pattern)" ok "pattern check by the server" &&
	assert_eq "$(xfer_get subflows)" "$n" "subflows" || return 1
	assert_le "$(xfer_get mptcp.bytes_retrans)" $((BYTES / 20)) \
		"MPTCP-level reinjected bytes (<= 5% of the payload)"
	return 0
}

sched_case_end() {
	topo_cleanup
	[ -z "$SCHED_NAME" ] || sched_unload "$SCHED_NAME"
	SCHED_NAME=""
}

# _path_totals NPATHS: sets _PB[i], _PL[i] (bytes_acked, link tx of path
# i) and _PB_SUM, _PL_SUM.
_path_totals() {
	local i

	_PB=() _PL=() _PB_SUM=0 _PL_SUM=0
	for ((i = 1; i <= $1; i++)); do
		_PB[i]=$(xfer_path_bytes "$i") _PL[i]=$(link_tx "$i")
		_PB_SUM=$((_PB_SUM + ${_PB[i]:-0})) _PL_SUM=$((_PL_SUM + ${_PL[i]:-0}))
	done
}

assert_path_share() {
	local p=$1

	_path_totals "$2"
	assert_percent_between "${_PB[p]}" "$_PB_SUM" "$3" "$4" "path $p share of bytes_acked"
	assert_percent_between "${_PL[p]}" "$_PL_SUM" "$3" "$4" "path $p share of link tx bytes"
}

path_share_info() {
	local i

	_path_totals "$1"
	[ "$_PB_SUM" -gt 0 ] && [ "$_PL_SUM" -gt 0 ] || return 0
	for ((i = 1; i <= $1; i++)); do
		echo "  info: path $i share of bytes_acked $((100 * ${_PB[i]:-0} / _PB_SUM))%" \
		     "(${_PB[i]:-?} of $_PB_SUM), of link tx bytes $((100 * ${_PL[i]:-0} / _PL_SUM))%"
	done
}
