#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A kernel dropmon cannot support must fail the build with one clear line
# saying why, not a wall of compiler errors.  Each case is a copy of the
# 6.1 headers' build directory with one thing taken away: CONFIG_DEBUG_FS,
# CONFIG_TRACEPOINTS, CONFIG_64BIT (a 32-bit kernel), or a version older
# than 5.10 (VERSION/PATCHLEVEL
# given on the command line, as the top Makefile would set them).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

dm_kernel_prepare 6.1 >/dev/null
W=$DROPMON_TOP/build/unsupported
rm -rf "$W" && mkdir -p "$W"

# A private copy of the build directory whose auto.conf lacks option $1.
fake_kdir() {
	local d=$W/kdir-$1 l
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

case_ no-debugfs "this kernel is built without CONFIG_DEBUG_FS" "$(fake_kdir CONFIG_DEBUG_FS)"
case_ no-tracepoints "this kernel is built without CONFIG_TRACEPOINTS" "$(fake_kdir CONFIG_TRACEPOINTS)"
case_ 32-bit "this is a 32-bit kernel; dropmon supports 64-bit kernels only" "$(fake_kdir CONFIG_64BIT)"
case_ linux-4.19 "kernel 4.19 is older than 5.10" "$KBUILD" VERSION=4 PATCHLEVEL=19
exit $failed
