# shellcheck shell=bash
# Shared settings for the mptcp-bpf scripts: where the kernel cache lives and
# which kernel source we build. Sourced, never run.

# Kernel builds, the Debian source package and the tools built from it live
# outside the repository so that fresh clones and CI runs reuse them.
MPTCP_BPF_CACHE=${MPTCP_BPF_CACHE:-/var/cache/mptcp-bpf}

# The tested kernel: Debian's linux-source-7.2 package, this exact version.
# If the archive no longer serves it, fetch-kernel-source.sh falls back to
# the newest linux-source-7.x it offers and says so.
KERNEL_PKG_PINNED=${KERNEL_PKG_PINNED:-linux-source-7.2=7.2.13-1}

REPO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
	echo "Error: $*" >&2
	exit 1
}

log() {
	printf '  %-8s %s\n' "$1" "$2"
}

# The version of the kernel source in the cache ("7.2.13"), once fetched.
kernel_version() {
	cat "$MPTCP_BPF_CACHE/src/VERSION" 2>/dev/null
}
