#!/usr/bin/env bash
# Build libbpf (static) and bpftool from the cached kernel source tree, so the
# library, the skeleton generator and the kernel's BTF come from one source.
# Output: $MPTCP_BPF_CACHE/tools/linux-<ver>/{libbpf,bpftool}, with the
# symlink tools/current pointing at it. Idempotent.
set -euo pipefail
. "$(dirname "$0")/common.sh"

version=$("$REPO_TOP/scripts/fetch-kernel-source.sh")
src=$MPTCP_BPF_CACHE/src/linux-$version
out=$MPTCP_BPF_CACHE/tools/linux-$version

mkdir -p "$out"
exec 9>"$MPTCP_BPF_CACHE/tools.lock"
flock 9

if [ ! -f "$out/libbpf/libbpf.a" ]; then
	log LIBBPF "$src/tools/lib/bpf -> $out/libbpf" >&2
	mkdir -p "$out/libbpf"
	make -s -C "$src/tools/lib/bpf" OUTPUT="$out/libbpf/" BUILD_STATIC_ONLY=1 \
		DESTDIR="$out/libbpf" prefix= LIBDIR=/ -j"$(nproc)" install >"$out/libbpf.log" 2>&1 ||
		die "libbpf build failed; see $out/libbpf.log"
fi

# Debian 12's <linux/bpf.h> predates struct_ops links; userspace built
# against this libbpf uses the UAPI headers of the same tree.
if [ ! -f "$out/libbpf/include/linux/bpf.h" ]; then
	mkdir -p "$out/libbpf/include/linux"
	cp "$src"/tools/include/uapi/linux/{bpf.h,bpf_common.h,btf.h} "$out/libbpf/include/linux/"
fi

if [ ! -x "$out/bpftool/bpftool" ]; then
	log BPFTOOL "$src/tools/bpf/bpftool -> $out/bpftool" >&2
	mkdir -p "$out/bpftool"
	make -s -C "$src/tools/bpf/bpftool" OUTPUT="$out/bpftool/" -j"$(nproc)" \
		>"$out/bpftool.log" 2>&1 || die "bpftool build failed; see $out/bpftool.log"
fi

ln -sfn "linux-$version" "$MPTCP_BPF_CACHE/tools/current"
echo "$out"
