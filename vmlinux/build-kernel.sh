#!/usr/bin/env bash
# Build the patched test kernel, cached outside the repository.
#
#   build-kernel.sh            build (or reuse) and print the image directory
#   build-kernel.sh --dir      print the image directory without building
#   build-kernel.sh --unpatched [--dir]   the same kernel without the series
#                              (same config): the reference the kselftest
#                              gate is compared against
#
# Cache layout ($MPTCP_BPF_CACHE, default /var/cache/mptcp-bpf):
#   src/linux-<ver>/   git tree: tag "base" is Debian's pristine source; the
#                      checked-out commit is base + vmlinux/patches/*.patch
#   obj/linux-<ver>/   the kbuild output directory (O=), reused across builds
#   src/linux-<ver>-unpatched/, obj/linux-<ver>-unpatched/   --unpatched:
#                      a git worktree at "base" and its own output directory
#   images/<key>/      bzImage + vmlinux.btf of one finished build, where key
#                      hashes the source version, the patches, the config
#                      fragment and this script
#
# Only files a changed patch touches get a new mtime (the series is applied
# through a scratch index and checked out as one commit), so changing one
# patch rebuilds incrementally.
set -euo pipefail
. "$(dirname "$0")/../scripts/common.sh"

here=$REPO_TOP/vmlinux
unpatched=0
if [ "${1:-}" = --unpatched ]; then
	unpatched=1
	shift
fi
version=$("$REPO_TOP/scripts/fetch-kernel-source.sh")
src=$MPTCP_BPF_CACHE/src/linux-$version
obj=$MPTCP_BPF_CACHE/obj/linux-$version

shopt -s nullglob
patches=("$here"/patches/*.patch)
if [ $unpatched = 1 ]; then
	patches=()
	obj=$obj-unpatched
fi
key=$( (echo "$version"; [ $unpatched = 0 ] || echo unpatched
	cat "${patches[@]}" "$here/config.fragment" "$0") | sha256sum | cut -c1-16)
images=$MPTCP_BPF_CACHE/images/$key

if [ "${1:-}" = --dir ]; then
	echo "$images"
	exit 0
fi
if [ -f "$images/bzImage" ]; then
	echo "$images"
	exit 0
fi

mkdir -p "$obj" "$MPTCP_BPF_CACHE/images"
exec 9>"$MPTCP_BPF_CACHE/build.lock"
flock 9

# Apply the series to base in a scratch index, commit it, and move the work
# tree there: git rewrites only the files whose content differs.
apply_series() {
	local idx tree commit
	idx=$(mktemp "$MPTCP_BPF_CACHE/index.XXXXXX")
	GIT_INDEX_FILE=$idx git -C "$src" read-tree base
	for p in "${patches[@]}"; do
		GIT_INDEX_FILE=$idx git -C "$src" apply --cached "$p" ||
			die "patch $(basename "$p") does not apply to linux $version"
	done
	tree=$(GIT_INDEX_FILE=$idx git -C "$src" write-tree)
	rm -f "$idx"
	commit=$(git -C "$src" commit-tree "$tree" -p base -m "mptcp-bpf series $key")
	git -C "$src" checkout -q -f --detach "$commit"
}

if [ $unpatched = 1 ]; then
	# A worktree of the cached tree at the pristine tag: the patched tree
	# and its incremental build stay untouched.
	worktree=$src-unpatched
	[ -d "$worktree" ] || git -C "$src" worktree add -q --detach "$worktree" base
	src=$worktree
	log PATCH "none: pristine linux $version" >&2
else
	log PATCH "${#patches[@]} patches onto linux $version" >&2
	apply_series
fi

log CONFIG "tinyconfig + vmlinux/config.fragment" >&2
make -s -C "$src" O="$obj" tinyconfig >/dev/null
"$src"/scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "$here/config.fragment" >/dev/null
make -s -C "$src" O="$obj" olddefconfig >/dev/null
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$here/config.fragment" | while read -r line; do
	grep -qxF "$line" "$obj/.config" || echo "$line"
done)
[ -z "$missing" ] || die "the kernel dropped these options from vmlinux/config.fragment (missing dependency?):
$missing"

log KBUILD "make -j$(nproc) bzImage (log: $obj/build.log)" >&2
start=$(date +%s)
if ! make -C "$src" O="$obj" -j"$(nproc)" bzImage >"$obj/build.log" 2>&1; then
	grep -E 'error|Error' "$obj/build.log" | head -n 30 >&2
	die "kernel build failed; full log in $obj/build.log"
fi
log DONE "kernel built in $(($(date +%s) - start)) s" >&2

tmp=$images.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
cp "$obj/arch/x86/boot/bzImage" "$tmp/"
objcopy -O binary --only-section=.BTF "$obj/vmlinux" "$tmp/vmlinux.btf"
echo "$version $(cat "$MPTCP_BPF_CACHE/src/PACKAGE")" >"$tmp/VERSION"
mv "$tmp" "$images"
echo "$images"
