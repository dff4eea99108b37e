#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The prebuilt packages as a fleet host installs them, one PASS/FAIL line
# per check, in a pristine bookworm root (tests/fresh.sh's, cached) less
# the README's prerequisites: no gcc, no make, no kernel headers.
#   - a stand-in linux-image-KREL (the real one's module index files, and
#     its Depends on kmod) for the 6.1 kernel of the matrix, then
#     `apt install ./dropmon-modules-KREL*.deb ./dropmon-tools*.deb` from
#     build/release (tests/release.sh made it);
#   - the installed files are exactly the package's; modinfo shows the
#     version; depmod (postinst) lists it;
#   - dropmon-dkms cannot be unpacked beside it (Conflicts);
#   - the kernel booted in qemu with the root's /lib/modules/KREL in its
#     initramfs: modprobe dropmon and the smoke suite;
#   - apt purge leaves none of its files, and depmod's index (postrm) no
#     longer lists the module;
#   - then with dropmon-dkms unpacked, the module package is refused
#     (Conflicts, the other way);
#   - make deb-modules KREL= KEY= CERT= signs: modinfo shows the signer.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

dm_own_mount_ns "$@"
rel_dir=$DROPMON_TOP/build/release
arch=$(dpkg --print-architecture)
debver=$(dpkg-parsechangelog -l "$DROPMON_TOP/debian/changelog" -S Version)
ver=$(dm_version) || exit 1
dm_kernel_prepare 6.1 >/dev/null
mods_deb=$rel_dir/dropmon-modules-${KREL}_${debver}_$arch.deb
tools_deb=$rel_dir/dropmon-tools_${debver}_$arch.deb
dkms_deb=$rel_dir/dropmon-dkms_${debver}_all.deb
meta_deb=$(ls "$rel_dir"/dropmon-modules-cloud-amd64_*_"$arch".deb 2>/dev/null | head -n 1)
for f in "$mods_deb" "$tools_deb" "$dkms_deb" "$meta_deb"; do
	[ -f "$f" ] || dm_die "no $f: run tests/release.sh (make release) first"
done

T=$(mktemp -d /var/tmp/dropmon-prebuilt.XXXXXX) || dm_die "mktemp in /var/tmp failed"
root=$T/root
cleanup() {
	[ -z "$(dm_root_umount "$root")" ] && rm -rf --one-file-system "$T"
}
trap cleanup EXIT
dm_pristine_root "$root"
in_root() { dm_in_root "$root" "$1"; }
apt_root() { in_root "apt-get -o DPkg::Lock::Timeout=600 -q -y $1"; }

# A fleet host: no compiler, no make, no headers.
in_root "dpkg --purge make git >/dev/null 2>&1; apt-get -q -y autoremove --purge >/dev/null 2>&1"
check "prebuilt: the root has no gcc, make or kernel headers" "" \
	"$(in_root 'command -v gcc cc make; ls -d /usr/src/linux-headers-* 2>/dev/null' | oneline)"

# The stand-in for linux-image-$KREL: what depmod needs of it.
si=$T/standin
mkdir -p "$si/DEBIAN" "$si/lib/modules/$KREL/kernel"
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -f "$KMODS/$f" ] && cp "$KMODS/$f" "$si/lib/modules/$KREL/"
done
cat >"$si/DEBIAN/control" <<CONTROL
Package: linux-image-$KREL
Version: 0~dropmon.standin
Architecture: $arch
Maintainer: dropmon tests <dropmon@dropmon.invalid>
Depends: kmod
Description: stand-in for linux-image-$KREL (tests/prebuilt.sh)
 Its module index files only, for the dropmon tests.
CONTROL
dpkg-deb --root-owner-group --build "$si" "$T/standin.deb" >/dev/null
mkdir -p "$root/tmp/debs"
cp "$T/standin.deb" "$mods_deb" "$tools_deb" "$dkms_deb" "$meta_deb" "$root/tmp/debs/"
chmod -R a+rX "$root/tmp/debs"
b_mods=/tmp/debs/${mods_deb##*/}
b_tools=/tmp/debs/${tools_deb##*/}
b_dkms=/tmp/debs/${dkms_deb##*/}
b_meta=/tmp/debs/${meta_deb##*/}

out=$(apt_root "update" 2>&1 && apt_root "install --no-install-recommends /tmp/debs/standin.deb" 2>&1)
check "prebuilt: apt-get update, and the stand-in linux-image-$KREL installs" 0 "$?"
out=$(apt_root "install --no-install-recommends $b_meta $b_mods $b_tools" 2>&1)
rc=$?
check "prebuilt: apt install ./${meta_deb##*/} ./${mods_deb##*/} ./${tools_deb##*/}" 0 "$rc"
[ "$rc" = 0 ] || tail -n 15 <<<"$out" >&2

ko=lib/modules/$KREL/updates/dropmon.ko
check "prebuilt: dpkg -L: exactly the expected files" \
	"/$ko /usr/share/doc/dropmon-modules-$KREL/changelog.Debian.gz /usr/share/doc/dropmon-modules-$KREL/copyright" \
	"$(in_root "dpkg -L dropmon-modules-$KREL" | while read -r f; do [ -d "$root$f" ] || echo "$f"; done | LC_ALL=C sort | oneline)"
check "prebuilt: updates/ holds dropmon.ko only" "dropmon.ko" "$(ls "$root/lib/modules/$KREL/updates" | oneline)"
check "prebuilt: modinfo shows the version" "$ver" "$(in_root "modinfo -F version /$ko" 2>&1)"
check "prebuilt: the postinst's depmod lists it" "updates/dropmon.ko:" \
	"$(grep dropmon "$root/lib/modules/$KREL/modules.dep" 2>&1)"
check "prebuilt: dropmon-show is installed" "dropmon-show $ver" \
	"$(in_root 'dropmon-show --version' 2>&1 | head -n 1 | awk '{ print $1, $2 }')"

out=$(in_root "dpkg --unpack $b_dkms" 2>&1)
rc=$?
check "prebuilt: Conflicts: dropmon-dkms cannot be unpacked beside dropmon-modules-$KREL" "fails conflicts" \
	"$([ $rc != 0 ] && echo fails || echo "exit 0") $(grep -qi 'conflicts with dropmon-dkms\|dropmon-dkms conflicts\|conflicting packages' <<<"$out" && echo conflicts)"

# The kernel with the root's /lib/modules/$KREL: modprobe and the smoke suite.
sm=$(DROPMON_KO=$root/$ko DROPMON_KO_REL=updates/dropmon.ko DROPMON_VM_MODULES=$root/lib/modules/$KREL \
	"$here/vm.sh" 6.1 smoke single 2>&1)
rc=$?
echo "$sm"
grep -q 'FAIL: ' <<<"$sm" && failed=1
check "prebuilt: the smoke suite on 6.1 with the root's /lib/modules/$KREL (exit status)" 0 "$rc"

out=$(apt_root "purge dropmon-modules-cloud-amd64 dropmon-modules-$KREL dropmon-tools" 2>&1)
check "prebuilt: apt purge dropmon-modules-cloud-amd64 dropmon-modules-$KREL dropmon-tools" 0 "$?"
check "prebuilt: purge leaves none of the files" "" \
	"$(ls -d "$root/$ko" "$root/usr/share/doc/dropmon-modules-$KREL" "$root/usr/share/doc/dropmon-modules-cloud-amd64" "$root/usr/sbin/dropmon-show" \
		"$root/etc/modprobe.d/dropmon.conf" "$root/etc/modules-load.d/dropmon.conf" 2>/dev/null | oneline)"
check "prebuilt: the postrm's depmod no longer lists the module" "0 yes" \
	"$(grep -c dropmon "$root/lib/modules/$KREL/modules.dep" 2>/dev/null) $([ -f "$root/lib/modules/$KREL/modules.dep" ] && echo yes)"

out=$(in_root "dpkg --unpack $b_dkms" 2>&1)
check "prebuilt: dropmon-dkms unpacks alone" 0 "$?"
out=$(in_root "dpkg -i $b_mods" 2>&1)
rc=$?
check "prebuilt: Conflicts, the other way: dropmon-modules-$KREL refused beside dropmon-dkms" "fails conflicts" \
	"$([ $rc != 0 ] && echo fails || echo "exit 0") $(grep -qi 'conflicts with dropmon-dkms\|dropmon-dkms conflicts\|conflicting packages' <<<"$out" && echo conflicts)"

# make deb-modules, signed.
openssl req -new -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 -subj "/CN=dropmon prebuilt test/" \
	-keyout "$T/k.key" -outform DER -out "$T/k.x509" >/dev/null 2>&1
out=$(make -s -C "$DROPMON_TOP" deb-modules KREL="$KREL" KDIR="$KBUILD" KEY="$T/k.key" CERT="$T/k.x509" 2>&1)
rc=$?
deb=$(tail -n 1 <<<"$out")
mkdir -p "$T/x"
dpkg-deb -x "$deb" "$T/x" 2>/dev/null
check "make deb-modules KREL=$KREL KEY= CERT=: modinfo shows the signer and the version" \
	"0 dropmon prebuilt test sha256 $ver" \
	"$rc $(/sbin/modinfo -F signer "$T/x/$ko" 2>&1) $(/sbin/modinfo -F sig_hashalgo "$T/x/$ko" 2>&1) $(/sbin/modinfo -F version "$T/x/$ko" 2>&1)"
rm -f "$deb"
exit $failed
