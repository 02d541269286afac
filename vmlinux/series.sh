#!/usr/bin/env bash
# Maintainers' workflow for the kernel patch series in vmlinux/patches.
#
#   vmlinux/series.sh edit     git worktree $MPTCP_BPF_CACHE/edit/linux-<ver>,
#                              branch "mptcp-bpf" = base + the series (git am)
#   (edit, `git commit` or `git rebase -i base` there as usual)
#   vmlinux/series.sh export   re-export base..mptcp-bpf into vmlinux/patches
#   vmlinux/series.sh check    scripts/checkpatch.pl --strict on every patch
#
# The build (vmlinux/build-kernel.sh) only reads vmlinux/patches, so after
# `export` a `make kernel` rebuilds just what the changed patches touch.
set -euo pipefail
. "$(dirname "$0")/../scripts/common.sh"

version=$("$REPO_TOP/scripts/fetch-kernel-source.sh")
src=$MPTCP_BPF_CACHE/src/linux-$version
edit=$MPTCP_BPF_CACHE/edit/linux-$version
patches=$REPO_TOP/vmlinux/patches

case "${1:-}" in
edit)
	if [ ! -d "$edit" ]; then
		git -C "$src" worktree add -q -b mptcp-bpf "$edit" base
		shopt -s nullglob
		set -- "$patches"/*.patch
		[ $# -eq 0 ] || git -C "$edit" am -q "$@"
	fi
	echo "$edit"
	;;
export)
	[ -d "$edit" ] || die "no edit tree; run '$0 edit' first"
	rm -f "$patches"/*.patch
	git -C "$edit" format-patch -q --no-signature --zero-commit -N \
		-o "$patches" base..mptcp-bpf
	ls "$patches"
	;;
check)
	rc=0
	# FILE_PATH_CHANGES: "does MAINTAINERS need updating?" for new files
	# under net/mptcp/, which the MPTCP entry already covers (F: net/mptcp/).
	for p in "$patches"/*.patch; do
		"$src/scripts/checkpatch.pl" --strict --no-tree -q \
			--ignore FILE_PATH_CHANGES "$p" || rc=1
	done
	[ $rc = 0 ] && echo "checkpatch --strict: all patches clean"
	exit $rc
	;;
*)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
