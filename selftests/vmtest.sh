#!/usr/bin/env bash
# Boot the cached, patched test kernel in qemu and run one command in it.
#
#   selftests/vmtest.sh [--timeout SECS] CMD [ARGS...]
#   selftests/vmtest.sh --shell            interactive shell in the guest
#
# The guest's root is this host's / shared read-only over virtio-9p, with
# tmpfs on /tmp and /run, bpffs on /sys/fs/bpf, and a writable results
# directory at /tmp/results (host: $VMTEST_RESULTS, a fresh temp dir by
# default). The command runs in the current directory.
#
# Exit status: the command's, or 1 if the kernel logged an oops, BUG,
# WARNING, panic, lockdep/KASAN report or hung task, or if the guest never
# reported a status (crash); 124 on timeout. On failure the console tail
# is shown. KVM is used when /dev/kvm is usable, TCG otherwise.
# VMTEST_KERNEL=path/to/bzImage boots another kernel (e.g. an unpatched one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../scripts/common.sh"

timeout=${VMTEST_TIMEOUT:-1800}
shell=0
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--shell) shell=1; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $shell = 1 ] || [ $# -gt 0 ] || die "usage: $0 [--timeout SECS] CMD [ARGS...] | --shell"

image=${VMTEST_KERNEL:-$("$REPO_TOP/vmlinux/build-kernel.sh" --dir)/bzImage}
[ -f "$image" ] || die "no kernel image at $image; run 'make kernel' first"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found; run 'make setup'"
# The guest sees this host's / but mounts its own tmpfs on /tmp and /run.
for d in "$PWD" "$REPO_TOP"; do
	case $d/ in
	/tmp/*|/run/*)
		die "$d is under /tmp or /run, which the guest replaces with its own tmpfs; clone or copy the repository elsewhere (e.g. /var/tmp or /root)" ;;
	esac
done

results=${VMTEST_RESULTS:-$(mktemp -d /tmp/mptcp-bpf-vm.XXXXXX)}
mkdir -p "$results"
rm -f "$results/exit-status" "$results/dmesg"
console=$results/console.log

# The command, run by selftests/vm-init.sh in the guest.
{
	printf 'cd %q\n' "$PWD"
	# the build directory the tests use, when not the default one
	[ -z "${OUTPUT:-}" ] || printf 'export OUTPUT=%q\n' "$OUTPUT"
	[ -z "${MPTCP_BPF_CACHE:-}" ] || printf 'export MPTCP_BPF_CACHE=%q\n' "$MPTCP_BPF_CACHE"
	if [ $shell = 1 ]; then
		echo 'exec setsid -c /bin/bash -i </dev/ttyS0 >/dev/ttyS0 2>&1'
	else
		printf '%q ' "$@"
		echo
	fi
} >"$results/cmd"

if [ -w /dev/kvm ]; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel tcg,thread=multi -cpu max)
fi

# quiet: only errors reach the console live; the full kernel log is
# written to $results/dmesg by the guest and checked below.
append="console=ttyS0 quiet panic=-1 oops=panic root=hostroot rootfstype=9p
	rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro
	init=$here/vm-init.sh"

qemu=(qemu-system-x86_64 "${accel[@]}" -smp 2 -m 2G -nographic -no-reboot
	-kernel "$image" -append "$(echo $append)" -nic none
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot
	-fsdev local,id=results,path="$results",security_model=none,multidevs=remap
	-device virtio-9p-pci,fsdev=results,mount_tag=results)

if [ $shell = 1 ]; then
	exec "${qemu[@]}"
fi

rc=0
timeout -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 | tee "$console" || true
[ "${PIPESTATUS[0]}" = 124 ] && rc=124

bad='Oops|BUG:|WARNING:|Kernel panic|general protection fault|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|rcu_sched detected stall|refcount_t:|kernel BUG'
if [ $rc = 124 ]; then
	echo "vmtest: timed out after $timeout s" >&2
elif [ ! -f "$results/exit-status" ]; then
	echo "vmtest: the guest did not report an exit status (crash?)" >&2
	rc=1
else
	rc=$(cat "$results/exit-status")
fi
# The kernel's own lines: all of dmesg, and the timestamped console lines
# (a panic reaches only the console); test output never counts.
kernel_log() {
	cat "$results/dmesg" 2>/dev/null
	tr -d '\r' <"$console" | grep -aE '^\[ *[0-9]+\.[0-9]+\]'
}
# Read the whole log before deciding: with pipefail, grep -q exiting early
# would fail the pipeline (SIGPIPE) and hide the problem.
problems=$(kernel_log | grep -E -A20 "$bad" || true)
if [ -n "$problems" ]; then
	echo "vmtest: the kernel reported a problem:" >&2
	echo "$problems" | head -60 >&2
	[ "$rc" != 0 ] || rc=1
fi
if [ "$rc" != 0 ]; then
	echo "vmtest: exit status $rc; console tail ($console):" >&2
	tail -n 30 "$console" >&2
fi
exit "$rc"
