#!/usr/bin/env bash
# The test suite: host-side tests, every VM selftest in one boot of the
# patched kernel, then the kernel's own MPTCP selftests in another boot
# (the kselftest gate, selftests/kselftest/README.md). Ends with the line
# "N passed, N failed".
#
#   selftests/run-tests.sh [host|vm|kselftest]...  (default: all three)
#   TESTS='test_first*' selftests/run-tests.sh vm    only matching scripts
#   KSELFTEST_JOIN=all selftests/run-tests.sh kselftest   every mptcp_join.sh
#                                     group (default: the CI subset, "ci")
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../scripts/common.sh"
export OUTPUT=${OUTPUT:-$REPO_TOP/build}
pattern=${TESTS:-test_*}
[ $# -gt 0 ] || set -- host vm kselftest

log=$(mktemp -d /tmp/mptcp-bpf-tests.XXXXXX)
results=$log/results.txt
: >"$results"

# Lines "PASS: ..." / "FAIL: ..." / "SKIP: ..." from a log, CRs stripped,
# up to vmtest.sh's own messages (its console tail would repeat them).
collect() {
	tr -d '\r' <"$1" | sed '/^vmtest: /,$d' | grep -aE '^(PASS|FAIL|SKIP): ' >>"$results"
}

for what in "$@"; do
	case $what in
	host)
		# The committed vmlinux.h must describe the kernel we boot.
		if "$REPO_TOP/vmlinux/gen-vmlinux-h.sh" --check; then
			echo "PASS: vmlinux_h: matches the test kernel's BTF" >>"$results"
		else
			echo "FAIL: vmlinux_h: stale, run 'make vmlinux-h'" >>"$results"
		fi
		mapfile -t scripts < <(ls "$here"/host/$pattern.sh 2>/dev/null)
		[ ${#scripts[@]} -eq 0 ] && continue
		"$here/lib/run-scripts.sh" "${scripts[@]}" 2>&1 | tee "$log/host.log"
		collect "$log/host.log"
		;;
	vm)
		mapfile -t scripts < <(ls "$here"/vm/$pattern.sh 2>/dev/null)
		[ ${#scripts[@]} -eq 0 ] && continue
		VMTEST_RESULTS=$log/vm "$here/vmtest.sh" "$here/lib/run-scripts.sh" \
			"${scripts[@]}" 2>&1 | tee "$log/vm.log"
		vm_status=${PIPESTATUS[0]}
		collect "$log/vm.log"
		# A kernel problem or crash fails the run even if every script
		# reported PASS before it.
		if [ "$vm_status" != 0 ] && ! grep -q '^FAIL: ' "$results"; then
			echo "FAIL: vmtest: the VM run failed (status $vm_status), see $log/vm.log" >>"$results"
		fi
		;;
	kselftest)
		if ! "$here/kselftest/build.sh" >"$log/kselftest-build.log" 2>&1; then
			echo "FAIL: kselftest: building the selftests failed, see $log/kselftest-build.log" >>"$results"
			continue
		fi
		# shellcheck disable=SC2086 # KSELFTEST_SCRIPTS: a list
		VMTEST_TIMEOUT=${VMTEST_TIMEOUT:-3600} VMTEST_RESULTS=$log/kselftest "$here/vmtest.sh" \
			"$here/kselftest/run.sh" --join "${KSELFTEST_JOIN:-ci}" ${KSELFTEST_SCRIPTS:-} 2>&1 |
			tee "$log/kselftest.log"
		vm_status=${PIPESTATUS[0]}
		collect "$log/kselftest.log"
		if [ "$vm_status" != 0 ] && ! grep -q '^FAIL: kselftest: ' "$results"; then
			last=$(tr -d '\r' <"$log/kselftest.log" | sed -n 's/^### kselftest: \([^:]*\):.*/\1/p' | tail -n1)
			echo "FAIL: kselftest: the VM run failed (status $vm_status) during ${last:-boot}, see $log/kselftest.log" >>"$results"
		fi
		;;
	*)
		die "unknown test set '$what' (host, vm or kselftest)"
		;;
	esac
done

passed=$(grep -c '^PASS: ' "$results")
failed=$(grep -c '^FAIL: ' "$results")
skipped=$(grep -c '^SKIP: ' "$results")
echo
echo "=== summary (logs in $log)"
grep -E '^(FAIL|SKIP): ' "$results"
[ "$skipped" = 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
