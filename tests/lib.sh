#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the test command, the demo and the VM harness: which Debian
# packages make up each kernel of the matrix, and how to fetch them.
# Everything slow is cached under $DROPMON_CACHE, keyed by version.

DROPMON_CACHE=${DROPMON_CACHE:-/var/cache/dropmon}
DROPMON_TOP=${DROPMON_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
DROPMON_KERNELS_DEFAULT="6.1 6.12"

dm_log() { printf '[dropmon] %s\n' "$*" >&2; }
dm_die() { printf '[dropmon] error: %s\n' "$*" >&2; exit 2; }

dm_apt_updated=
dm_apt_update() {
	[ -n "$dm_apt_updated" ] && return 0
	apt-get update -q >/dev/null || dm_die "apt-get update failed; check the apt sources"
	dm_apt_updated=1
}

# Install Debian packages that are missing.
dm_apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || dm_die "need root to install: ${missing[*]}"
	dm_apt_update
	dm_log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null || dm_die "apt-get install ${missing[*]} failed"
}

# Host tools the harness itself needs.
dm_host_deps() {
	dm_apt_install qemu-system-x86 busybox-static cpio xz-utils iproute2 \
		gcc make libc6-dev sparse perl kmod
}

# The headers meta package that names the newest ABI of kernel $1.
dm_kernel_meta() {
	case "$1" in
	6.1) echo linux-headers-cloud-amd64 ;;
	6.12) echo linux-headers-6.12-cloud-amd64 ;;
	*) dm_die "unknown kernel '$1'; known: $DROPMON_KERNELS_DEFAULT" ;;
	esac
}

# The release string (uname -r) of kernel $1, e.g. 6.1.0-56-cloud-amd64.
dm_kernel_release() {
	local meta rel
	meta=$(dm_kernel_meta "$1")
	rel=$(apt-cache depends "$meta" 2>/dev/null |
		awk '/Depends: linux-headers-/ { sub("linux-headers-", "", $2); print $2; exit }')
	if [ -z "$rel" ]; then
		dm_apt_update
		rel=$(apt-cache depends "$meta" 2>/dev/null |
			awk '/Depends: linux-headers-/ { sub("linux-headers-", "", $2); print $2; exit }')
	fi
	[ -n "$rel" ] || dm_die "no package $meta in the apt sources"
	echo "$rel"
}

# Make kernel $1 ready: headers installed, image unpacked in the cache.
# Sets KREL, KBUILD (headers build dir), KROOT (unpacked image root).
dm_kernel_prepare() {
	KREL=$(dm_kernel_release "$1")
	dm_apt_install "linux-headers-$KREL"
	KBUILD=/usr/src/linux-headers-$KREL
	[ -f "$KBUILD/Makefile" ] || dm_die "$KBUILD is missing after installing linux-headers-$KREL"
	KROOT=$DROPMON_CACHE/kernels/$KREL
	if [ ! -f "$KROOT/boot/vmlinuz-$KREL" ]; then
		local tmp
		tmp=$(mktemp -d)
		dm_apt_update
		dm_log "fetching linux-image-$KREL"
		chmod 0777 "$tmp"
		(cd "$tmp" && apt-get download -q "linux-image-$KREL" >/dev/null) ||
			dm_die "apt-get download linux-image-$KREL failed"
		rm -rf "$KROOT.tmp" && mkdir -p "$KROOT.tmp"
		dpkg -x "$tmp"/linux-image-*.deb "$KROOT.tmp" || dm_die "dpkg -x failed"
		rm -rf "$tmp" "$KROOT" && mv "$KROOT.tmp" "$KROOT"
	fi
	export KREL KBUILD KROOT
}

# checkpatch.pl and its data files, from Debian's linux-source-6.1.
dm_checkpatch() {
	local dir=$DROPMON_CACHE/checkpatch
	if [ ! -f "$dir/checkpatch.pl" ]; then
		dm_apt_install linux-source-6.1
		mkdir -p "$dir.tmp"
		tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$dir.tmp" --wildcards \
			--strip-components=2 'linux-source-6.1/scripts/checkpatch.pl' \
			'linux-source-6.1/scripts/spelling.txt' \
			'linux-source-6.1/scripts/const_structs.checkpatch' ||
			dm_die "cannot extract checkpatch.pl from linux-source-6.1"
		rm -rf "$dir" && mv "$dir.tmp" "$dir"
	fi
	echo "$dir/checkpatch.pl"
}
