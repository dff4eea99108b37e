#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make release: everything a fleet installs, in build/release/:
#   dropmon_<v>.orig.tar.gz        git archive of HEAD (what is committed), no debian/
#   dropmon_<v>-<r>.dsc, .debian.tar.xz   the source package, from the orig
#   dropmon-dkms_*.deb, dropmon-tools_*.deb   built from that source
#   dropmon-modules-<KREL>_*.deb   one per kernel of the matrix (7.x built
#                                  in the trixie chroot), signed when KEY
#                                  and CERT are set
#   dropmon-modules-cloud-amd64_*.deb   the metapackage: the current ABI of
#                                  bookworm's linux-image-cloud-amd64 (6.1)
#   MANIFEST                       which kernel ABI each module package serves
#   SHA256SUMS                     of all of the above
# Reproducible: run twice from the same commit in the same place, every
# file is byte-identical (SOURCE_DATE_EPOCH is the changelog's date; the
# builds run in fixed directories under build/).  The unit tests do not run
# here (DEB_BUILD_OPTIONS=nocheck): make check runs them.  The kernels come as the
# test harness fetches them (tests/lib.sh: headers from the apt sources,
# 7.x in its chroot); run as root.
#
#   debian/release.sh [KERNEL...]     default: every kernel of the matrix
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
dm_strict

kernels=${*:-$DROPMON_KERNELS_DEFAULT}
[ "$(id -u)" = 0 ] || dm_die "make release installs kernel headers and build tools: run it as root"
command -v git >/dev/null && git -C "$top" rev-parse HEAD >/dev/null 2>&1 ||
	dm_die "make release archives the git HEAD of $top: run it in a git checkout"
dm_apt_install dpkg-dev debhelper dh-dkms dkms build-essential xz-utils git
version=$(dm_version)
debver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Timestamp)
export SOURCE_DATE_EPOCH
out=$top/build/release
work=$top/build/release-work
rm -rf "$out" "$work"
mkdir -p "$out" "$work"

if ! git -C "$top" diff --quiet HEAD --; then
	dm_log "the checkout has uncommitted changes: the release holds HEAD ($(git -C "$top" rev-parse --short HEAD)) without them"
fi
orig=dropmon_$version.orig.tar.gz
# Upstream's tree without debian/, which the .debian.tar.xz carries.
git -C "$top" archive --format=tar --prefix="dropmon-$version/" HEAD -- . ':!debian' |
	gzip -9n >"$out/$orig"

# The source package and the two arch/indep packages, from the orig.
cp "$out/$orig" "$work/"
tar -xzf "$work/$orig" -C "$work"
git -C "$top" archive --format=tar HEAD debian | tar -x -C "$work/dropmon-$version"
dm_log "dpkg-buildpackage (source and binaries; log: $work/build.log)"
(cd "$work/dropmon-$version" && DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -sa) \
	>"$work/build.log" 2>&1 ||
	{ tail -n 30 "$work/build.log" >&2; dm_die "dpkg-buildpackage failed; see $work/build.log"; }
for f in "$work"/dropmon_"$debver".dsc "$work"/dropmon_"$debver".debian.tar.xz \
	"$work"/dropmon-dkms_"$debver"_all.deb "$work"/dropmon-tools_"$debver"_*.deb; do
	[ -f "$f" ] || dm_die "dpkg-buildpackage made no ${f##*/}; see $work/build.log"
	cp "$f" "$out/"
done

# One module package per kernel.
manifest=()
for k in $kernels; do
	(dm_kernel_prepare "$k" >/dev/null)
	dm_kernel_prepare "$k" >/dev/null
	moddir=lib/modules
	case "$KMODS" in */usr/lib/modules/*) moddir=usr/lib/modules ;; esac
	# The module from the same source as the source package: the orig.
	if [ -n "$KCHROOT" ]; then
		tree=$DROPMON_CHROOT/build/release-$KREL
		rm -rf "$tree" && mkdir -p "$tree"
		cp -a "$work/dropmon-$version/Kbuild" "$work/dropmon-$version/module" "$tree/"
		dm_module_make "$tree" -s modules >"$work/build-$KREL.log" 2>&1 ||
			{ tail -n 20 "$work/build-$KREL.log" >&2; dm_die "dropmon does not build against $KREL in the chroot"; }
		strip --strip-debug --remove-section=.BTF "$tree/dropmon.ko"
		if [ -n "${KEY:-}" ] || [ -n "${CERT:-}" ]; then
			[ -r "${KEY:-}" ] && [ -r "${CERT:-}" ] || dm_die "KEY and CERT must both name readable files"
			cp "$KEY" "$tree/sign.key" && cp "$CERT" "$tree/sign.crt"
			dm_chroot_run "$KBUILD/scripts/sign-file" sha256 "${tree#"$DROPMON_CHROOT"}/sign.key" \
				"${tree#"$DROPMON_CHROOT"}/sign.crt" "${tree#"$DROPMON_CHROOT"}/dropmon.ko" ||
				dm_die "sign-file in the chroot failed"
			rm -f "$tree/sign.key" "$tree/sign.crt"
		fi
		deb=$(DROPMON_BUILT_KO=$tree/dropmon.ko KDIR=$DROPMON_CHROOT$KBUILD \
			"$work/dropmon-$version/debian/modules-deb.sh" --out "$out" --moddir "$moddir" "$KREL")
	else
		deb=$(KDIR=$KBUILD "$work/dropmon-$version/debian/modules-deb.sh" --out "$out" --moddir "$moddir" "$KREL")
	fi
	manifest+=("${deb##*/} serves Linux $KREL (matrix kernel $k): depends on linux-image-$KREL, installs /$moddir/$KREL/updates/")
done

# The metapackage follows bookworm's linux-image-cloud-amd64.
meta_rel=$(dm_kernel_release 6.1)
[ -f "$out/dropmon-modules-${meta_rel}_${debver}_$(dpkg --print-architecture).deb" ] ||
	dm_die "the metapackage needs dropmon-modules-$meta_rel (kernel 6.1) in the release"
deb=$("$work/dropmon-$version/debian/modules-deb.sh" --out "$out" --meta cloud-amd64 "$meta_rel")
manifest+=("${deb##*/} follows linux-image-cloud-amd64 (bookworm): depends on dropmon-modules-$meta_rel")

{
	echo "dropmon $debver, from git $(git -C "$top" rev-parse HEAD)"
	printf '%s\n' "${manifest[@]}"
} >"$out/MANIFEST"
(cd "$out" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort |
	xargs sha256sum >SHA256SUMS)
dm_log "release in $out: $(cd "$out" && ls | wc -l) files; SHA256SUMS and MANIFEST list them"
