#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make release, twice, one PASS/FAIL line per check: the first run's
# build/release/ must hold the source package and every .deb (dropmon-dkms,
# dropmon-tools, dropmon-modules-<KREL> for each kernel of the matrix, the
# metapackage), a MANIFEST naming each module package's kernel, and
# SHA256SUMS that sha256sum -c accepts; the second run, from the same
# commit, must write byte-identical files.  lintian -I --pedantic on all
# of them: no tag at all, every override with a comment (its reason).
# The first run's release is left in build/release for tests/prebuilt.sh.
# Then make install DESTDIR= puts everything under DESTDIR.
#
#   tests/release.sh [KERNEL...]     default: every kernel of the matrix
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kernels=${*:-$DROPMON_KERNELS_DEFAULT}
out=$DROPMON_TOP/build/release
first=$DROPMON_TOP/build/release.1
arch=$(dpkg --print-architecture)
debver=$(dpkg-parsechangelog -l "$DROPMON_TOP/debian/changelog" -S Version)
ver=$(dm_version) || exit 1

for run in 1 2; do
	start=$(date +%s)
	"$DROPMON_TOP/debian/release.sh" $kernels >"$DROPMON_TOP/build/release-$run.log" 2>&1
	rc=$?
	check "make release (run $run, $(($(date +%s) - start)) s): exit 0" 0 "$rc"
	[ "$rc" = 0 ] || { tail -n 15 "$DROPMON_TOP/build/release-$run.log" >&2; exit 1; }
	if [ $run = 1 ]; then
		rm -rf "$first" && cp -a "$out" "$first"
	fi
done

# What the release holds.
want=("dropmon_$ver.orig.tar.gz" "dropmon_$debver.dsc" "dropmon_$debver.debian.tar.xz"
	"dropmon-dkms_${debver}_all.deb" "dropmon-tools_${debver}_$arch.deb")
rels=()
for k in $kernels; do
	rel=$( (dm_kernel_release "$k") 2>/dev/null)
	rels+=("$rel")
	want+=("dropmon-modules-${rel}_${debver}_$arch.deb")
done
meta=$(cd "$first" && ls dropmon-modules-cloud-amd64_*_"$arch".deb 2>/dev/null)
want+=("${meta:-dropmon-modules-cloud-amd64_?.deb}" MANIFEST SHA256SUMS)
saw=$(cd "$first" && ls | LC_ALL=C sort | oneline)
check "release: exactly the expected files" "$(printf '%s\n' "${want[@]}" | LC_ALL=C sort | oneline)" "$saw"
check "release: sha256sum -c SHA256SUMS" "0 $((${#want[@]} - 1))" \
	"$(cd "$first" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1; echo $?) $(wc -l <"$first/SHA256SUMS")"
for rel in "${rels[@]}"; do
	check "release: MANIFEST names the package for $rel and its linux-image" 1 \
		"$(grep -c "^dropmon-modules-${rel}_${debver}_$arch.deb serves Linux $rel (matrix kernel [0-9.]*): depends on linux-image-$rel, installs /" "$first/MANIFEST")"
	d=$(dpkg-deb -f "$first/dropmon-modules-${rel}_${debver}_$arch.deb" Depends Conflicts 2>&1 | oneline)
	check "release: dropmon-modules-$rel depends on exactly linux-image-$rel, conflicts with dropmon-dkms" \
		"Depends: linux-image-$rel Conflicts: dropmon-dkms" "$d"
done
check "release: dropmon-dkms depends on dkms (>= 2.1.0.0), as dh_dkms writes it without BUILD_EXCLUSIVE" 1 \
	"$(dpkg-deb -f "$first/dropmon-dkms_${debver}_all.deb" Depends | grep -c 'dkms (>= 2\.1\.0\.0)')"
meta_rel=$( (dm_kernel_release 6.1) 2>/dev/null)
check "release: the metapackage depends on the module package of bookworm's cloud kernel ($meta_rel)" \
	"dropmon-modules-$meta_rel (= $debver)" "$(dpkg-deb -f "$first/$meta" Depends 2>&1)"

# Reproducible: the second run wrote the same bytes.
saw=$(diff <(cd "$first" && sha256sum * | LC_ALL=C sort -k2) <(cd "$out" && sha256sum * | LC_ALL=C sort -k2) | grep '^>' | awk '{ print $3 }' | oneline)
check "release: run 2 is byte-identical to run 1 (SOURCE_DATE_EPOCH)" "" "$saw"

# lintian on everything: no tag, and every override says why.
dm_apt_install lintian
lint=$(cd "$first" && lintian -I --pedantic --no-tag-display-limit *.deb "dropmon_$debver.dsc" 2>&1)
rc=$?
echo "$lint" | sed 's/^/[lintian] /' >&2
check "lintian -I --pedantic: every package and the source, no tag (exit $rc)" "" \
	"$(grep -E '^[EWIPX]: ' <<<"$lint" | oneline)"
for f in "$DROPMON_TOP"/debian/*lintian-overrides "$DROPMON_TOP"/debian/source/lintian-overrides; do
	[ -f "$f" ] || continue
	bare=$(awk '/^#/ { c = 1; next } /^[[:space:]]*$/ { next } { if (!c) print; c = 0 }' "$f" | oneline)
	check "lintian overrides: each with a comment saying why (${f#"$DROPMON_TOP"/})" "" "$bare"
done

# make install DESTDIR=: everything under DESTDIR, depmod's index too,
# nothing in this machine's /lib/modules.
rel61=$( (dm_kernel_release 6.1) 2>/dev/null)
D=$DROPMON_TOP/build/install-destdir
rm -rf "$D" "$D.tree" && mkdir -p "$D.tree"
dm_copy_checkout "$D.tree"
before=$(find "/lib/modules/$rel61" -name 'dropmon.ko*' 2>/dev/null | oneline)
out=$(make -s -C "$D.tree" install DESTDIR="$D" PREFIX=/usr KDIR="/usr/src/linux-headers-$rel61" 2>&1)
check "make install DESTDIR=... PREFIX=/usr: exit 0" 0 "$?"
saw=$(cd "$D" && find . -type f ! -name 'modules.*' | LC_ALL=C sort | oneline)
# (modules_install puts an external module in extra/.)
check "make install DESTDIR: exactly the module, the tool, its man page, rules and unit under DESTDIR" \
	"./etc/systemd/system/dropmon-show.service ./lib/modules/$rel61/extra/dropmon.ko ./usr/sbin/dropmon-show ./usr/share/dropmon/prometheus/dropmon-rules.yml ./usr/share/man/man8/dropmon-show.8" \
	"$saw"
check "make install DESTDIR: depmod -b indexed it there" "extra/dropmon.ko:" \
	"$(grep dropmon "$D/lib/modules/$rel61/modules.dep" 2>&1)"
check "make install DESTDIR: nothing in this machine's /lib/modules/$rel61" "$before" \
	"$(find "/lib/modules/$rel61" -name 'dropmon.ko*' 2>/dev/null | oneline)"
check "make install DESTDIR: the unit runs PREFIX's dropmon-show" 2 \
	"$(grep -c '/usr/sbin/dropmon-show' "$D/etc/systemd/system/dropmon-show.service")"
rm -rf "$D" "$D.tree"
exit $failed
