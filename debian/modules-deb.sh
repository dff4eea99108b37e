#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prebuilt per-kernel packages, for hosts with no compiler and no headers:
#
#   debian/modules-deb.sh [--out DIR] [--moddir lib/modules] KREL
#       dropmon-modules-KREL_<version>-<rev>_<arch>.deb: dropmon.ko built
#       against KDIR (default /lib/modules/KREL/build), stripped of debug
#       info and BTF, signed when KEY and CERT are set (the kernel's sign-file,
#       sha256, before compression), compressed as that kernel's .config
#       compresses its own modules, in MODDIR/KREL/updates/; it depends on
#       exactly linux-image-KREL, conflicts with dropmon-dkms (the two
#       would install the same module), and runs depmod in postinst and
#       postrm.  DROPMON_BUILT_KO=FILE packages FILE instead of building
#       (a build made elsewhere, in a chroot; if it is signed already, it
#       was stripped before, and is packaged as it is).
#   debian/modules-deb.sh [--out DIR] --meta FLAVOUR KREL
#       dropmon-modules-FLAVOUR: depends on dropmon-modules-KREL, the
#       current ABI, as linux-image-FLAVOUR depends on linux-image-KREL;
#       its version grows with KREL's, so that an upgrade follows the ABI.
#
# Reproducible: every file's time is the changelog's (SOURCE_DATE_EPOCH),
# owner root, and dpkg-deb writes the same archive for the same input.
# The .deb goes to DIR (default build/debs); its path is printed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "modules-deb.sh: $*" >&2; exit 1; }
usage="usage: debian/modules-deb.sh [--out DIR] [--moddir lib/modules] KREL | [--out DIR] --meta FLAVOUR KREL"

out=$top/build/debs
moddir=lib/modules
meta=
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=${2:?$usage}; shift 2 ;;
	--moddir) moddir=${2:?$usage}; moddir=${moddir#/}; shift 2 ;;
	--meta) meta=${2:?$usage}; shift 2 ;;
	-*) die "unknown option $1; $usage" ;;
	*) break ;;
	esac
done
[ $# = 1 ] || die "$usage"
krel=$1
case "$krel" in
*/* | "" | .*) die "KREL: expected a kernel release such as 6.1.0-57-cloud-amd64, saw '$krel'" ;;
esac

version=$(sed -n 's/^#define DROPMON_VERSION[[:space:]]*"\(.*\)"/\1/p' "$top/module/dropmon.h")
[ -n "$version" ] || die "no DROPMON_VERSION in $top/module/dropmon.h"
debver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
[ "${debver%-*}" = "$version" ] ||
	die "debian/changelog says $debver, module/dropmon.h $version: make them agree"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(dpkg-parsechangelog -l "$top/debian/changelog" -S Timestamp)}
arch=$(dpkg --print-architecture)
maint=$(sed -n 's/^Maintainer: //p' "$top/debian/control" | head -n 1)
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022

# The package's documentation, as dh would install it.
docs() {	# PKG-ROOT PACKAGE
	local d=$1/usr/share/doc/$2
	mkdir -p "$d"
	cp "$top/debian/copyright" "$d/copyright"
	gzip -9n -c "$top/debian/changelog" >"$d/changelog.Debian.gz"
}

# dpkg-deb of the tree $1 with its control file written, into $out.
build_deb() {	# PKG-ROOT DEB-NAME
	local root=$1 f
	(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
		xargs -0r md5sum) >"$root/DEBIAN/md5sums"
	[ -s "$root/DEBIAN/md5sums" ] || rm -f "$root/DEBIAN/md5sums"
	find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	for f in "$root/DEBIAN"/post*; do
		[ -e "$f" ] && chmod 0755 "$f"
	done
	dpkg-deb --root-owner-group -Zxz --build "$root" "$out/$2" >/dev/null
	echo "$out/$2"
}

description() {	# SYNOPSIS
	cat <<DESC
Description: $1
 dropmon is a loadable kernel module that hooks the kfree_skb tracepoint and
 counts every dropped packet by kernel code location, drop reason, device,
 network namespace and protocol.  It publishes a snapshot every few seconds
 in debugfs (/sys/kernel/debug/dropmon/stats).
DESC
}

if [ -n "$meta" ]; then
	case "$meta" in
	*/* | "" | .*) die "FLAVOUR: expected a kernel flavour such as cloud-amd64, saw '$meta'" ;;
	esac
	# 6.1.0-57-cloud-amd64 -> 6.1.0.57: grows with the ABI.
	abi=$(sed 's/-\?'"$meta"'$//; s/[^0-9A-Za-z.]\+/./g' <<<"$krel")
	pkg=dropmon-modules-$meta
	root=$work/$pkg
	mkdir -p "$root/DEBIAN"
	docs "$root" "$pkg"
	{
		echo "Package: $pkg"
		echo "Source: dropmon ($debver)"
		echo "Version: ${debver%-*}+$abi-${debver##*-}"
		echo "Architecture: $arch"
		echo "Maintainer: $maint"
		echo "Installed-Size: $(du -s --apparent-size --block-size=1K --exclude=DEBIAN "$root" | cut -f1)"
		echo "Depends: dropmon-modules-$krel (= $debver)"
		echo "Section: kernel"
		echo "Priority: optional"
		description "dropmon module for the latest $meta kernel"
		echo " ."
		echo " This metapackage depends on the dropmon module package for the"
		echo " latest $meta kernel, as linux-image-$meta depends on its image:"
		echo " dropmon-modules-$krel."
	} >"$root/DEBIAN/control"
	build_deb "$root" "${pkg}_${debver%-*}+$abi-${debver##*-}_$arch.deb"
	exit 0
fi

kdir=${KDIR:-/lib/modules/$krel/build}
config=$kdir/.config
[ -f "$config" ] || die "no $config: install linux-headers-$krel, or set KDIR"

if [ -n "${DROPMON_BUILT_KO:-}" ]; then
	[ -f "$DROPMON_BUILT_KO" ] || die "DROPMON_BUILT_KO=$DROPMON_BUILT_KO: no such file"
	cp "$DROPMON_BUILT_KO" "$work/dropmon.ko"
else
	# Always the same path, so that the same source gives the same bytes.
	src=$top/build/deb-modules/$krel
	rm -rf "$src" && mkdir -p "$src"
	cp -a "$top/Kbuild" "$top/module" "$src/"
	make -s -C "$kdir" M="$src" modules >"$work/build.log" 2>&1 ||
		{ tail -n 20 "$work/build.log" >&2; die "dropmon does not build against $kdir"; }
	cp "$src/dropmon.ko" "$work/dropmon.ko"
fi
is_signed() { cmp -s <(tail -c 28 "$1") <(printf "~Module signature appended~\n"); }
signed=
if is_signed "$work/dropmon.ko"; then
	# Signed where it was built (the chroot's sign-file), stripped first.
	signed=$(/sbin/modinfo -F signer "$work/dropmon.ko")
else
	# As make modules_install does with INSTALL_MOD_STRIP=1, and the
	# BTF that pahole adds where the headers have a vmlinux (6.12): it
	# differs from build to build, and dropmon needs none.
	strip --strip-debug --remove-section=.BTF "$work/dropmon.ko"
fi
if [ -z "$signed" ] && { [ -n "${KEY:-}" ] || [ -n "${CERT:-}" ]; }; then
	[ -r "${KEY:-}" ] && [ -r "${CERT:-}" ] || die "KEY=${KEY:-} CERT=${CERT:-}: both must name readable files"
	[ -x "$kdir/scripts/sign-file" ] || die "no $kdir/scripts/sign-file to sign with"
	"$kdir/scripts/sign-file" sha256 "$KEY" "$CERT" "$work/dropmon.ko"
	signed=$(/sbin/modinfo -F signer "$work/dropmon.ko")
fi

pkg=dropmon-modules-$krel
root=$work/$pkg
dest=$root/$moddir/$krel/updates
mkdir -p "$dest" "$root/DEBIAN"
if grep -qx 'CONFIG_MODULE_COMPRESS_XZ=y' "$config"; then
	# kbuild's own: xz --check=crc32 --lzma2=dict=1MiB
	xz --check=crc32 --lzma2=dict=1MiB -T1 -c "$work/dropmon.ko" >"$dest/dropmon.ko.xz"
elif grep -qx 'CONFIG_MODULE_COMPRESS_GZIP=y' "$config"; then
	gzip -9n -c "$work/dropmon.ko" >"$dest/dropmon.ko.gz"
elif grep -qx 'CONFIG_MODULE_COMPRESS_ZSTD=y' "$config"; then
	zstd -q -T1 -19 -c "$work/dropmon.ko" >"$dest/dropmon.ko.zst"
else
	cp "$work/dropmon.ko" "$dest/dropmon.ko"
fi
chmod 0644 "$dest"/dropmon.ko*
docs "$root" "$pkg"
{
	echo "Package: $pkg"
	echo "Source: dropmon"
	echo "Version: $debver"
	echo "Architecture: $arch"
	echo "Maintainer: $maint"
	echo "Installed-Size: $(du -s --apparent-size --block-size=1K --exclude=DEBIAN "$root" | cut -f1)"
	echo "Depends: linux-image-$krel"
	echo "Recommends: dropmon-tools"
	echo "Conflicts: dropmon-dkms"
	echo "Provides: dropmon-modules"
	echo "Section: kernel"
	echo "Priority: optional"
	description "dropmon module for Linux $krel"
	echo " ."
	echo " This package provides dropmon.ko built for Linux $krel${signed:+, signed by \"$signed\"},"
	echo " for hosts with no compiler or headers; dropmon-dkms builds it on the host"
	echo " instead."
} >"$root/DEBIAN/control"
for s in postinst postrm; do
	cat >"$root/DEBIAN/$s" <<SCRIPT
#!/bin/sh
# dropmon-modules-$krel $s: the module index of Linux $krel.
set -e

case "\$1" in
$([ $s = postinst ] && echo configure || echo 'remove | purge'))
	if [ -d /$moddir/$krel/kernel ] && command -v depmod >/dev/null; then
		depmod -a $krel
	fi
	;;
esac

exit 0
SCRIPT
done
build_deb "$root" "${pkg}_${debver}_$arch.deb"
