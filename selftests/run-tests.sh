#!/usr/bin/env bash
# The test suite: host-side tests, then every VM selftest in one boot of the
# patched kernel. Ends with the line "N passed, N failed".
#
#   selftests/run-tests.sh [host|vm]...     (default: both)
#   TESTS='test_first*' selftests/run-tests.sh vm    only matching scripts
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../scripts/common.sh"
export OUTPUT=${OUTPUT:-$REPO_TOP/build}
pattern=${TESTS:-test_*}
[ $# -gt 0 ] || set -- host vm

log=$(mktemp -d /tmp/mptcp-bpf-tests.XXXXXX)
results=$log/results.txt
: >"$results"

# Lines "PASS: ..." / "FAIL: ..." / "SKIP: ..." from a log, CRs stripped.
collect() {
	tr -d '\r' <"$1" | grep -aE '^(PASS|FAIL|SKIP): ' >>"$results"
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
	*)
		die "unknown test set '$what' (host or vm)"
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
