#!/usr/bin/env bash
# Fetch Debian's linux-source-7.x package with a private apt sources list (the
# system's apt configuration is left untouched) and unpack it into a git tree
# in the cache: commit "base" is the pristine source, our series goes on top.
#
# Prints the kernel version used. Idempotent: a second run does nothing.
set -euo pipefail
. "$(dirname "$0")/common.sh"

apt_dir=$MPTCP_BPF_CACHE/apt
src_dir=$MPTCP_BPF_CACHE/src
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$MPTCP_BPF_CACHE/debs" "$src_dir"

if [ -f "$src_dir/VERSION" ] && [ -d "$src_dir/linux-$(kernel_version)/.git" ]; then
	kernel_version
	exit 0
fi

# 7.x lives in sid, forky and trixie-backports; bookworm has only 6.12.
cat >"$apt_dir/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian forky main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
SOURCES
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir" -o Dir::State::Status=/dev/null
	-o APT::Sandbox::User=root)

log APT "updating private package lists ($apt_dir)" >&2
apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update of the private sources list failed; is deb.debian.org reachable?"

pkg=$KERNEL_PKG_PINNED
if ! apt-cache "${apt_opts[@]}" show "$pkg" >/dev/null 2>&1; then
	# Fall back to the newest 7.x the archive serves.
	newest=$(apt-cache "${apt_opts[@]}" search --names-only '^linux-source-7\.[0-9]+$' | awk '{print $1}' | sort -V | tail -n1)
	[ -n "$newest" ] || die "no linux-source-7.x package in sid, forky or trixie-backports"
	ver=$(apt-cache "${apt_opts[@]}" policy "$newest" | awk '/Candidate:/ {print $2}')
	echo "warning: $pkg is no longer in the archive; using $newest=$ver (the patch series is tested on $pkg)" >&2
	pkg="$newest=$ver"
fi

log FETCH "$pkg" >&2
(cd "$MPTCP_BPF_CACHE/debs" && apt-get "${apt_opts[@]}" -qq download "$pkg" >&2) ||
	die "apt-get download $pkg failed"
deb=$(ls -t "$MPTCP_BPF_CACHE"/debs/"${pkg%%=*}"_*.deb | head -n1)

tmp=$(mktemp -d "$MPTCP_BPF_CACHE/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/deb"
log UNPACK "$(basename "$deb")" >&2
tar -C "$tmp" -xaf "$tmp"/deb/usr/src/linux-source-*.tar.*
tree=$(find "$tmp" -maxdepth 1 -name 'linux-source-*' -type d)
version=$(make -s -C "$tree" kernelversion)

log GIT "recording the pristine source as commit 'base'" >&2
git -C "$tree" init -q
git -C "$tree" config gc.auto 0
git -C "$tree" config user.name mptcp-bpf
git -C "$tree" config user.email mptcp-bpf@localhost
# Debian's top-level .gitignore ignores everything ("/*"): add by force.
git -C "$tree" add -A -f .
git -C "$tree" commit -q -m "Debian $(basename "$deb" .deb) (pristine)"
git -C "$tree" tag base
rm -rf "$src_dir/linux-$version"
mv "$tree" "$src_dir/linux-$version"
echo "$version" >"$src_dir/VERSION"
echo "$(basename "$deb" .deb)" >"$src_dir/PACKAGE"
echo "$version"
