#!/usr/bin/env bash
# Build the kernel's own MPTCP selftests (tools/testing/selftests/net/mptcp
# of the cached kernel source) and stage them for selftests/kselftest/run.sh.
#
#   selftests/kselftest/build.sh        prints the staged directory
#
# Nothing is written into the source tree:
#   $MPTCP_BPF_CACHE/obj/linux-<ver>-uapi/usr/include   the tree's UAPI
#       headers (`make headers`, O= that directory; Debian 12's
#       /usr/include/linux/mptcp.h is too old for the helpers)
#   $OUTPUT/kselftest/net/mptcp/    the helper binaries (mptcp_connect,
#       mptcp_diag, mptcp_inq, mptcp_sockopt, pm_nl_ctl) next to copies of
#       the scripts, mptcp_lib.sh, settings and config
#   $OUTPUT/kselftest/net/lib.sh, net/lib/sh/   what mptcp_lib.sh sources
# The layout is the one the scripts expect (`. $(dirname $0)/../lib.sh`).
#
# The scripts must be the community's, unmodified: the build fails if the
# checked-out tree differs from the pristine tag "base" under
# tools/testing/selftests/net/ (our series never touches them).
set -euo pipefail
. "$(dirname "$0")/../../scripts/common.sh"

OUTPUT=${OUTPUT:-$REPO_TOP/build}
version=$("$REPO_TOP/scripts/fetch-kernel-source.sh")
src=$MPTCP_BPF_CACHE/src/linux-$version
hdr=$MPTCP_BPF_CACHE/obj/linux-$version-uapi
stage=$OUTPUT/kselftest
sel=tools/testing/selftests/net

[ -d "$src/$sel/mptcp" ] || die "no MPTCP selftests in $src/$sel/mptcp"
mkdir -p "$hdr" "$stage"

# build-kernel.sh moves the source tree to another commit under this lock.
exec 9>"$MPTCP_BPF_CACHE/build.lock"
flock 9

git -C "$src" diff --quiet base -- "$sel" ||
	die "$src/$sel differs from the pristine tag 'base': the gate runs the community's selftests unmodified"

log HEADERS "$src -> $hdr/usr/include" >&2
make -s -C "$src" O="$hdr" headers >"$hdr/headers.log" 2>&1 ||
	die "make headers failed; see $hdr/headers.log"

log KSFT "$sel/mptcp -> $stage/net/mptcp" >&2
rm -rf "$stage/net"
mkdir -p "$stage/net/mptcp" "$stage/net/lib/sh"
make -C "$src/$sel/mptcp" OUTPUT="$stage/net/mptcp" \
	KHDR_INCLUDES="-isystem $hdr/usr/include" -j"$(nproc)" all \
	>"$stage/build.log" 2>&1 || {
	tail -n 30 "$stage/build.log" >&2
	die "building the MPTCP selftest helpers failed; see $stage/build.log"
}
for bin in mptcp_connect mptcp_diag mptcp_inq mptcp_sockopt pm_nl_ctl; do
	[ -x "$stage/net/mptcp/$bin" ] || die "helper $bin was not built"
done
cp -p "$src/$sel"/mptcp/*.sh "$src/$sel/mptcp/settings" "$src/$sel/mptcp/config" "$stage/net/mptcp/"
cp -p "$src/$sel/lib.sh" "$stage/net/"
cp -p "$src/$sel"/lib/sh/*.sh "$stage/net/lib/sh/"
echo "linux $version $(git -C "$src" rev-parse --short HEAD) (selftests as in tag base)" >"$stage/SOURCE"
echo "$stage"
