#!/usr/bin/env bash
# Install, from Debian's archive, whatever the build and the tests need and
# is missing. Idempotent and quiet when everything is there.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# command or file that proves a package is installed -> package
declare -A need=(
	[clang-19]=clang-19 [llvm-strip-19]=llvm-19 [pahole]=dwarves
	[bc]=bc [bison]=bison [flex]=flex [cpio]=cpio [rsync]=rsync
	[/usr/include/libelf.h]=libelf-dev [/usr/include/zlib.h]=zlib1g-dev
	[/usr/include/openssl/ssl.h]=libssl-dev [/usr/include/sys/capability.h]=libcap-dev
	[/usr/include/zstd.h]=libzstd-dev [pkg-config]=pkg-config
	[qemu-system-x86_64]=qemu-system-x86 [ip]=iproute2 [iperf3]=iperf3
	[mptcpize]=mptcpize [ethtool]=ethtool [socat]=socat [nft]=nftables
	[iptables]=iptables [tcpdump]=tcpdump [ping]=iputils-ping
	[nc]=netcat-openbsd [python3]=python3 [gcc]=gcc [make]=make
	[git]=git [xz]=xz-utils [objcopy]=binutils [flock]=util-linux
)

missing=()
for what in "${!need[@]}"; do
	if [[ $what == /* ]]; then
		[ -e "$what" ] && continue
	else
		command -v "$what" >/dev/null 2>&1 && continue
	fi
	missing+=("${need[$what]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}); run 'make setup' as root"
log APT "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -qq update >/dev/null || die "apt-get update failed"
apt-get -qq install -y --no-install-recommends "${missing[@]}" >/dev/null ||
	die "apt-get install ${missing[*]} failed"
