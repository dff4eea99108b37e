#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A kernel dropmon cannot support must fail the build with one clear line
# saying why, not a wall of compiler errors.  Each case is a copy of the
# 6.1 headers' build directory with one thing taken away: CONFIG_DEBUG_FS,
# CONFIG_TRACEPOINTS, CONFIG_64BIT (a 32-bit kernel), or a version older
# than 5.10 (VERSION/PATCHLEVEL
# given on the command line, as the top Makefile would set them).
#
# Under DKMS (DROPMON_DKMS=1, as dkms.conf builds) each of these builds a
# stub instead, with the same line as one warning: a dropmon.ko that
# refuses to load.  Then the real kernel hook: dkms's
# /etc/kernel/header_postinst.d/dkms, as a linux-headers package's
# postinst runs it, for a headers tree without CONFIG_DEBUG_FS with
# dropmon added to DKMS, must exit 0, install the stub, and say why in
# dkms's make.log; the host is left as found.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

dm_kernel_prepare 6.1 >/dev/null
W=$DROPMON_TOP/build/unsupported
rm -rf "$W" && mkdir -p "$W"

# A private copy of the build directory whose auto.conf lacks option $1.
fake_kdir() {
	local d=$W/kdir-$KREL-$1 l
	if [ -d "$d" ]; then
		echo "$d"
		return
	fi
	cp -a "$KBUILD" "$d"
	for l in scripts tools; do
		[ -L "$d/$l" ] && ln -sfn "$(readlink -f "$KBUILD/$l")" "$d/$l"
	done
	[ -n "$1" ] && sed -i "/^$1=/d" "$d/include/config/auto.conf"
	echo "$d"
}

# case NAME WANT-LINE KDIR [MAKE-ARGS...]
case_() {
	local name=$1 want=$2 kdir=$3 src out lines
	shift 3
	src=$W/src-$name
	mkdir -p "$src" && cp -a "$DROPMON_TOP/Kbuild" "$DROPMON_TOP/module" "$src/"
	out=$(make -s -C "$kdir" M="$src" "$@" modules 2>&1)
	rc=$?
	lines=$(echo "$out" | grep -c 'dropmon:')
	if [ $rc != 0 ] && [ "$lines" = 1 ] && echo "$out" | grep -qF "$want" &&
		! echo "$out" | grep -q 'error:' && [ ! -f "$src/dropmon.ko" ]; then
		pass "unsupported $name: the build stops with one line: $want"
	else
		fail "unsupported $name" "exit!=0 and one line '$want'" "exit $rc: $(echo "$out" | head -n 3 | oneline)"
	fi
}

# stub NAME WANT-LINE KDIR [MAKE-ARGS...]: the same under DKMS.
stub() {
	local name=$1 want=$2 kdir=$3 src out desc
	shift 3
	src=$W/stub-$name
	mkdir -p "$src" && cp -a "$DROPMON_TOP/Kbuild" "$DROPMON_TOP/module" "$src/"
	out=$(make -s -C "$kdir" M="$src" DROPMON_DKMS=1 "$@" modules 2>&1)
	rc=$?
	desc=$(/sbin/modinfo -F description "$src/dropmon.ko" 2>/dev/null)
	[ "$(/sbin/modinfo -F version "$src/dropmon.ko" 2>/dev/null)" = "$(dm_version)" ] || desc="$desc (version: $(/sbin/modinfo -F version "$src/dropmon.ko" 2>&1))"
	if [ $rc = 0 ] && [ "$(echo "$out" | grep -c 'dropmon:')" = 1 ] &&
		echo "$out" | grep -F "$want" | grep -qF "; DKMS installs a stub that refuses to load" &&
		[ "$desc" = "dropmon stub for a kernel it cannot support: refuses to load" ]; then
		pass "unsupported $name under DKMS: a stub that refuses to load, and one warning: $want"
	else
		fail "unsupported $name under DKMS" "exit 0, one warning '$want', the stub's dropmon.ko" \
			"exit $rc: $(echo "$out" | head -n 3 | oneline); modinfo: ${desc:-no dropmon.ko}"
	fi
}

kd_nodebugfs=$(fake_kdir CONFIG_DEBUG_FS)
case_ no-debugfs "this kernel is built without CONFIG_DEBUG_FS" "$kd_nodebugfs"
case_ no-tracepoints "this kernel is built without CONFIG_TRACEPOINTS" "$(fake_kdir CONFIG_TRACEPOINTS)"
case_ 32-bit "this is a 32-bit kernel; dropmon supports 64-bit kernels only" "$(fake_kdir CONFIG_64BIT)"
case_ linux-4.19 "kernel 4.19 is older than 5.10" "$KBUILD" VERSION=4 PATCHLEVEL=19
stub no-debugfs "this kernel is built without CONFIG_DEBUG_FS" "$kd_nodebugfs"
stub no-tracepoints "this kernel is built without CONFIG_TRACEPOINTS" "$(fake_kdir CONFIG_TRACEPOINTS)"
stub 32-bit "this is a 32-bit kernel; dropmon supports 64-bit kernels only" "$(fake_kdir CONFIG_64BIT)"
stub linux-4.19 "kernel 4.19 is older than 5.10" "$KBUILD" VERSION=4 PATCHLEVEL=19
# 6.12's modpost reads the Kbuild file again: still one warning.
kbuild61=$KBUILD krel61=$KREL
dm_kernel_prepare 6.12 >/dev/null
stub no-debugfs-6.12 "this kernel is built without CONFIG_DEBUG_FS" "$(fake_kdir CONFIG_DEBUG_FS)"
KBUILD=$kbuild61 KREL=$krel61

# --- the kernel hook, for real ----------------------------------------------

dm_apt_install dkms
ver=$(dm_version) || exit 1
hook=/etc/kernel/header_postinst.d/dkms
fake=$KREL-nodebugfs
if [ -n "$(dkms status -m dropmon 2>/dev/null)" ] || [ -e "/usr/src/dropmon-$ver" ] ||
	[ -e "/lib/modules/$fake" ]; then
	fail "kernel hook" "no dropmon in DKMS, /usr/src or /lib/modules/$fake" \
		"$(dkms status -m dropmon 2>&1 | oneline) $(ls -d "/usr/src/dropmon-$ver" "/lib/modules/$fake" 2>/dev/null | oneline)"
	exit 1
fi
mok_before=$(ls /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null)
hook_cleanup() {
	dkms remove "dropmon/$ver" --all >/dev/null 2>&1
	rm -rf "/usr/src/dropmon-$ver" /var/lib/dkms/dropmon "/lib/modules/$fake"
	[ -n "$mok_before" ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
}
trap hook_cleanup EXIT
mkdir -p "/lib/modules/$fake"
ln -s "$kd_nodebugfs" "/lib/modules/$fake/build"
if make -s -C "$DROPMON_TOP" dkms-source >/dev/null && dkms add "dropmon/$ver" >"$W/dkms-add.log" 2>&1; then
	out=$("$hook" "$fake" 2>&1)
	rc=$?
	check "kernel hook $hook $fake (no CONFIG_DEBUG_FS): exit status" 0 "$rc"
	saw=$(dkms status -m dropmon -v "$ver" -k "$fake" 2>&1 | oneline)
	check "kernel hook: dkms status says installed" "dropmon/$ver, $fake, $(uname -m): installed" "$saw"
	f=$(find "/lib/modules/$fake" -name 'dropmon.ko*' | head -n 1)
	saw=$( [ -n "$f" ] && /sbin/modinfo -F description "$f")
	check "kernel hook: the installed module is the stub" \
		"dropmon stub for a kernel it cannot support: refuses to load" "$saw"
	saw=$(grep -c "module/support\.mk:[0-9]*: dropmon: this kernel is built without CONFIG_DEBUG_FS; dropmon publishes its stats in debugfs; DKMS installs a stub that refuses to load$" \
		"/var/lib/dkms/dropmon/$ver/$fake/$(uname -m)/log/make.log" 2>/dev/null)
	check "kernel hook: make.log says why" 1 "${saw:-0}"
	[ "$rc" = 0 ] || echo "$out" | tail -n 10 >&2
else
	fail "kernel hook: make dkms-source and dkms add" "exit 0" "$(oneline <"$W/dkms-add.log")"
fi
exit $failed
