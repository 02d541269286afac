# shellcheck shell=bash
# Test helpers for selftests/{host,vm}/test_*.sh. Sourced.
#
# A test script is a sequence of subtests:
#
#	subtest "first: only path 1 carries data"
#	run_xfer ... || fail "transfer"          (a failed setup is a failure)
#	assert_ge "$bytes1" 10485760 "path 1 bytes" || true
#	subtest_end
#
# Every assert prints its tag, the actual and the expected value when it
# fails and marks the current subtest failed. subtest_end prints one line
# "PASS: <test>: <subtest>" or "FAIL: ...", which the runner counts;
# "SKIP: ..." only when a prerequisite is truly absent (skip "reason").
# The script exits non-zero if any subtest failed.

TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
SUBTEST=""
SUBTEST_FAILED=0
TEST_FAILURES=0
SUBTEST_SKIPPED=0

subtest() {
	[ -z "$SUBTEST" ] || subtest_end
	SUBTEST=$1
	SUBTEST_FAILED=0
	SUBTEST_SKIPPED=0
	echo "# --- $TEST_NAME: $SUBTEST"
}

subtest_end() {
	[ -n "$SUBTEST" ] || return 0
	if [ "$SUBTEST_SKIPPED" = 1 ]; then
		echo "SKIP: $TEST_NAME: $SUBTEST"
	elif [ "$SUBTEST_FAILED" = 0 ]; then
		echo "PASS: $TEST_NAME: $SUBTEST"
	else
		echo "FAIL: $TEST_NAME: $SUBTEST"
		TEST_FAILURES=$((TEST_FAILURES + 1))
	fi
	SUBTEST=""
}

# fail "what failed" - mark the current subtest failed; returns 1.
fail() {
	echo "  failed: $*" >&2
	SUBTEST_FAILED=1
	return 1
}

skip() {
	echo "  skipped: $*" >&2
	SUBTEST_SKIPPED=1
}

_assert() {
	local op=$1 actual=$2 expected=$3 tag=$4
	if ! [[ $actual =~ ^-?[0-9]+$ ]]; then
		fail "$tag: actual value '$actual' is not a number (expected $op $expected)"
		return 1
	fi
	if ! test "$actual" "$op" "$expected"; then
		fail "$tag: actual $actual, expected $op $expected"
		return 1
	fi
	echo "  ok: $tag: $actual $op $expected"
}

assert_eq() { _assert -eq "$@"; }
assert_ne() { _assert -ne "$@"; }
assert_ge() { _assert -ge "$@"; }
assert_le() { _assert -le "$@"; }
assert_gt() { _assert -gt "$@"; }
assert_lt() { _assert -lt "$@"; }

# assert_str_eq ACTUAL EXPECTED TAG
assert_str_eq() {
	if [ "$1" != "$2" ]; then
		fail "$3: actual '$1', expected '$2'"
		return 1
	fi
	echo "  ok: $3: '$1'"
}

# assert_contains HAYSTACK NEEDLE TAG
assert_contains() {
	case $1 in
	*"$2"*) echo "  ok: $3: contains '$2'" ;;
	*) fail "$3: '$2' not found in: $1"; return 1 ;;
	esac
}

# assert_percent_between PART TOTAL LOW HIGH TAG: LOW <= 100*PART/TOTAL <= HIGH
assert_percent_between() {
	local part=$1 total=$2 low=$3 high=$4 tag=$5 pct
	if ! [[ $part =~ ^[0-9]+$ && $total =~ ^[0-9]+$ ]] || [ "$total" -eq 0 ]; then
		fail "$tag: cannot compute a share from '$part' of '$total'"
		return 1
	fi
	pct=$((100 * part / total))
	if [ "$pct" -lt "$low" ] || [ "$pct" -gt "$high" ]; then
		fail "$tag: actual $pct% ($part of $total), expected $low%..$high%"
		return 1
	fi
	echo "  ok: $tag: $pct% ($part of $total) within $low%..$high%"
}

# Call at the end of every test script.
test_exit() {
	subtest_end
	[ "$TEST_FAILURES" = 0 ]
}
