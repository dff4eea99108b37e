#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS for real, one PASS/FAIL line per check: for every kernel of the
# matrix, `dkms add`, `dkms build` and `dkms install` of the source tree
# as dkms.conf describes it (7.x in the trixie chroot, whose headers need
# trixie's glibc); then boot that kernel with the module as DKMS
# installed it and run the "smoke" suite (depmod, modprobe with options
# from modprobe.d, exact counts, modprobe -r); then `dkms remove` must
# leave nothing behind.
#
#   tests/dkms.sh [KERNEL...]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kernels=${*:-$DROPMON_KERNELS_DEFAULT}
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$DROPMON_TOP/dkms.conf")

# dkms on this machine, or in the chroot for the kernels built there.
run_dkms() {
	if [ -n "$KCHROOT" ]; then
		dm_chroot_run dkms "$@"
	else
		dkms "$@"
	fi
}

# ROOT/usr/src/dropmon-VER: what DKMS builds from (as the .deb ships it).
dkms_source() {
	local dst=$1/usr/src/dropmon-$VER
	rm -rf "$dst" && mkdir -p "$dst"
	cp -a "$DROPMON_TOP/Kbuild" "$DROPMON_TOP/Makefile" "$DROPMON_TOP/module" \
		"$DROPMON_TOP/dkms.conf" "$dst/"
}

leftovers() {	# ROOT KREL
	{
		find "$1/lib/modules/$2" -name 'dropmon.ko*' 2>/dev/null
		ls -d "$1/var/lib/dkms/dropmon" 2>/dev/null
	} | tr '\n' ' '
}

dkms_kernel() {
	local k=$1 root log ko
	dm_kernel_prepare "$k" >/dev/null
	root=${KCHROOT:+$DROPMON_CHROOT}
	log=$DROPMON_TOP/build/dkms-$KREL.log
	mkdir -p "$DROPMON_TOP/build"
	dkms_source "$root"
	run_dkms remove "dropmon/$VER" --all >/dev/null 2>&1

	if run_dkms add "dropmon/$VER" >"$log" 2>&1; then
		pass "dkms $k: add"
	else
		fail "dkms $k: add" "exit 0" "$(tail -n 3 "$log" | oneline)"
		return
	fi
	if run_dkms build "dropmon/$VER" -k "$KREL" >>"$log" 2>&1; then
		pass "dkms $k: build against $KREL"
	else
		fail "dkms $k: build against $KREL" "exit 0" "$(tail -n 5 "$log" | oneline)"
	fi
	if run_dkms install "dropmon/$VER" -k "$KREL" >>"$log" 2>&1; then
		pass "dkms $k: install"
	else
		fail "dkms $k: install" "exit 0" "$(tail -n 5 "$log" | oneline)"
	fi
	ko=$(find "$root/lib/modules/$KREL/updates/dkms" -name 'dropmon.ko*' 2>/dev/null | head -n 1)
	if [ -n "$ko" ]; then
		pass "dkms $k: installed ${ko#"$root"}"
		DROPMON_KO=$ko "$here/vm.sh" "$k" smoke single || failed=1
	else
		fail "dkms $k: installed module" "/lib/modules/$KREL/updates/dkms/dropmon.ko*" none
	fi

	run_dkms remove "dropmon/$VER" --all >>"$log" 2>&1 ||
		fail "dkms $k: remove" "exit 0" "$(tail -n 3 "$log" | oneline)"
	rm -rf "$root/usr/src/dropmon-$VER"
	local left
	left=$(leftovers "$root" "$KREL")
	if [ -z "$left" ]; then
		pass "dkms $k: remove leaves nothing behind"
	else
		fail "dkms $k: remove leaves nothing behind" "no files" "$left"
	fi
}

dm_apt_install dkms
for k in $kernels; do
	dkms_kernel "$k"
done
exit $failed
