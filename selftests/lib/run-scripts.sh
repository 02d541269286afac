#!/usr/bin/env bash
# Run test scripts one by one and print their PASS/FAIL/SKIP lines.
#
#   run-scripts.sh [--timeout SECS] SCRIPT...
#
# A script that exits non-zero without reporting a failure (it crashed, or
# timed out) gets a FAIL line of its own, so nothing fails silently.
set -u
timeout=600
if [ "${1:-}" = --timeout ]; then
	timeout=$2
	shift 2
fi

rc=0
for t in "$@"; do
	name=$(basename "$t" .sh)
	out=$(mktemp)
	echo "### $name"
	start=$(date +%s)
	timeout -k 5 "$timeout" "$t" 2>&1 | tee "$out"
	status=${PIPESTATUS[0]}
	echo "### $name: exit $status, $(($(date +%s) - start)) s"
	if [ "$status" != 0 ]; then
		rc=1
		if ! grep -q '^FAIL: ' "$out"; then
			if [ "$status" = 124 ]; then
				echo "FAIL: $name: timed out after $timeout s"
			else
				echo "FAIL: $name: exited with status $status"
			fi
		fi
	elif ! grep -qE '^(PASS|SKIP): ' "$out"; then
		echo "FAIL: $name: reported no result"
		rc=1
	fi
	rm -f "$out"
done
exit $rc
