#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the test command, the demo and the VM harness: which Debian
# packages make up each kernel of the matrix, and how to fetch them.
# Everything slow is cached under $DROPMON_CACHE, keyed by version.

DROPMON_CACHE=${DROPMON_CACHE:-/var/cache/dropmon}
DROPMON_TOP=${DROPMON_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
DROPMON_KERNELS_DEFAULT="5.10 6.1 6.12 7"
dm_tests_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

dm_log() { printf '[dropmon] %s\n' "$*" >&2; }

# Stop processes this shell started: TERM to each, up to 5 s for each to
# go, then KILL, and reap them.
dm_stop_pids() {	# PID...
	local p i
	for p in "$@"; do
		kill "$p" 2>/dev/null
	done
	for p in "$@"; do
		for i in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

# Check results for the host-side test scripts, one line each; $failed
# says whether any failed.
failed=0
pass() { echo "PASS: $1"; }
fail() {	# NAME EXPECTED SAW
	echo "FAIL: $1: expected $2, saw $3"
	failed=1
}
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$2" "$3"; fi; }

# One step of the test command: run CMD, add its PASS/FAIL lines to the
# log $DM_RUN_LOG, and count as a failure a step that exits non-zero
# without a FAIL line, or prints fewer than MIN PASS lines (a step that
# checked nothing, or stopped part-way, must not pass).
dm_step() {	# NAME MIN CMD...
	local name=$1 min=$2 rc fails passes step_log
	shift 2
	dm_log "== $name"
	step_log=$(mktemp)
	"$@" 2>&1 | grep -v '^unit: [0-9]* passed' | tee "$step_log"
	rc=${PIPESTATUS[0]}
	fails=$(grep -c 'FAIL: ' "$step_log")
	passes=$(grep -c 'PASS: ' "$step_log")
	cat "$step_log" >>"$DM_RUN_LOG"
	rm -f "$step_log"
	if [ "$rc" != 0 ] && [ "$fails" = 0 ]; then
		echo "FAIL: $name: expected exit 0, saw $rc" | tee -a "$DM_RUN_LOG"
	fi
	if [ "$passes" -lt "$min" ]; then
		echo "FAIL: $name: expected at least $min PASS lines, saw $passes" | tee -a "$DM_RUN_LOG"
	fi
}
oneline() { tr '\n' ' ' | sed 's/  */ /g; s/ $//'; }
# In a subshell (a command substitution) it exits 97, which dm_on_err
# takes as "already said why"; callers without dm_strict check for it
# with `|| exit 2`.
dm_die() {
	printf '[dropmon] error: %s\n' "$*" >&2
	[ "$BASH_SUBSHELL" = 0 ] || exit 97
	exit 2
}

# A script that stops at its first failure calls dm_strict.  Every check
# that can fail for a known reason has its own dm_die naming the cause and
# the fix; anything else that fails ends here, with the command, where it
# ran and what to do, never as a bare exit status.  With DM_ERR_TAG set
# the same is also said as a FAIL line, which the test command counts.
# The script then exits 2, as dm_die does.
dm_on_err() {	# RC COMMAND
	local i where=
	# 97: a command substitution that already said why.
	if [ "$1" = 97 ]; then
		[ "$BASH_SUBSHELL" = 0 ] && exit 2
		exit 97
	fi
	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		where="$where${where:+ <- }${BASH_SOURCE[i]#"$DROPMON_TOP/"}:${BASH_LINENO[i - 1]}"
	done
	printf '[dropmon] error: `%s` exited %s at %s\n' "$2" "$1" "$where" >&2
	printf '[dropmon] nothing checked that command, so this is a harness bug: rerun with `bash -x %s` to see why it failed, and add a check with a message there\n' \
		"${0#"$DROPMON_TOP/"}" >&2
	# On stderr, so that no command substitution can swallow it; the
	# test command's steps read both.
	if [ -n "${DM_ERR_TAG:-}" ]; then
		echo "[$DM_ERR_TAG] FAIL: harness: expected \`$2\` to succeed, saw exit $1 at $where" >&2
	fi
	[ "$BASH_SUBSHELL" = 0 ] || exit 97
	exit 2
}
dm_strict() {
	set -eEuo pipefail
	shopt -s inherit_errexit
	trap 'dm_on_err $? "$BASH_COMMAND"' ERR
}

# Run apt-get (on this machine, or with RUNNER in the chroot) with its
# output in a log; when it fails, show apt's own last lines and stop.
dm_apt_run() {	# RUNNER WHAT apt-get-args...
	local run=$1 what=$2 log rc=0
	shift 2
	log=$(mktemp)
	mkdir -p "$DROPMON_CACHE"
	# One apt-get of the harness at a time: a second `apt-get update`
	# would not wait for the lists lock, and apt-cache would read lists
	# half rewritten.
	(
		flock -w 900 9 || { echo "E: waited 900 s for $DROPMON_CACHE/.apt.lock"; exit 100; }
		$run env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q "$@" 9>&-
	) 9>"$DROPMON_CACHE/.apt.lock" >"$log" 2>&1 || rc=$?
	if [ $rc != 0 ]; then
		printf '[dropmon] apt-get %s: its last lines:\n' "$*" >&2
		tail -n 15 "$log" | sed 's/^/    /' >&2
		rm -f "$log"
		dm_die "apt-get $what failed (exit $rc, apt's reason above); fix the apt sources or the package names, then run the command again"
	fi
	rm -f "$log"
}

dm_apt_updated=
# DM_APT_UPDATED=1 in the environment: the test command updated the lists
# at its start, for every step.
dm_apt_update() {
	[ -n "$dm_apt_updated" ] || [ -n "${DM_APT_UPDATED:-}" ] && return 0
	dm_apt_run "" update update
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
	dm_apt_run "" "install ${missing[*]}" install -y --no-install-recommends "${missing[@]}"
}

# PKG=VERSION for package $2's candidate and for each of its versioned
# dependencies whose apt candidate does not satisfy them, as arguments to
# apt-get install ($1: "" for this machine, dm_chroot_run for the chroot).
# Named exactly, the build packages of a new Debian ABI (linux-kbuild-*)
# replace the previous ABI's even where the pin at priority 50 would keep
# what is installed.
dm_apt_exact() {	# RUNNER PKG
	local run=$1 pkg=$2 ver deps name op want have v pick
	ver=$({ $run apt-cache show --no-all-versions "$pkg" 2>/dev/null || :; } |
		sed -n 's/^Version: //p' | head -n 1)
	[ -n "$ver" ] || dm_die "apt knows no package $pkg; run apt-get update, or check the suites in /etc/apt/sources.list.d"
	echo "$pkg=$ver"
	deps=$({ $run apt-cache show "$pkg=$ver" 2>/dev/null || :; } | sed -n 's/^Depends: //p' | head -n 1)
	# Alternatives (a | b) are left to apt; so are names with an
	# architecture qualifier, and << constraints.
	echo "$deps" | tr ',' '\n' |
		sed -n 's/^ *\([a-z0-9][a-z0-9.+-]*\) (\(=\|>=\) \([^)]*\)) *$/\1 \2 \3/p' |
		while read -r name op want; do
			# apt's own choice stands where it satisfies the dependency
			# (what is installed, or the pinned suites' newest): naming
			# a version would only pull one from a suite pinned at 50.
			have=$({ $run apt-cache policy "$name" 2>/dev/null || :; } | sed -n 's/^ *Candidate: //p')
			if [ -n "$have" ] && [ "$have" != "(none)" ] &&
				dpkg --compare-versions "$have" "$op" "$want"; then
				continue
			fi
			# Else the oldest version the archive has that satisfies it:
			# the build package of the same ABI (a rebuild where that one
			# is gone).
			pick=
			for v in $({ $run apt-cache madison "$name" 2>/dev/null || :; } | awk -F' *[|] *' '{ print $2 }'); do
				if dpkg --compare-versions "$v" "$op" "$want" &&
					{ [ -z "$pick" ] || dpkg --compare-versions "$v" lt "$pick"; }; then
					pick=$v
				fi
			done
			if [ -n "$pick" ]; then echo "$name=$pick"; fi
		done
}

# Install the headers of kernel release $1 with the exact build packages
# they were built with, unless they are installed already.
dm_headers_install() {	# KREL [RUNNER]
	local run=${2:-} args
	$run dpkg-query -W -f='${Status}' "linux-headers-$1" 2>/dev/null | grep -q 'install ok installed' &&
		return 0
	args=$(dm_apt_exact "$run" "linux-headers-$1") || exit 2
	dm_log "installing $(echo $args)${run:+ in the chroot}"
	dm_apt_run "$run" "install linux-headers-$1" install -y --no-install-recommends $args
}

# Host tools the harness itself needs.
dm_host_deps() {
	dm_apt_install qemu-system-x86 busybox-static cpio xz-utils iproute2 \
		gcc make libc6-dev sparse perl kmod
}

# The fewest checks each in-guest suite of tests/guest/suite.sh makes on
# any kernel; tests/vm.sh fails a boot whose suite made fewer, so a suite
# that stopped part-way cannot pass.  Raise a figure with the suite.
dm_suite_min() {
	case "$1" in
	main) echo 564 ;;
	parallel) echo 10 ;;
	smoke) echo 14 ;;
	sig) echo 10 ;;
	stress) echo 16 ;;
	accounting) echo 12 ;;
	faults) echo 23 ;;
	memory) echo 18 ;;
	selftest) echo 8 ;;
	demo | bench) echo 2 ;;
	*) echo 1 ;;
	esac
}

# Where each kernel of the matrix comes from: a headers meta package and
# the suite that holds the generation we want.  Its Depends name the ABI.
dm_kernel_source() {
	case "$1" in
	5.10) echo linux-headers-cloud-amd64/bullseye-security ;;
	6.1) echo linux-headers-cloud-amd64/bookworm-security ;;
	6.12) echo linux-headers-6.12-cloud-amd64/bookworm-security ;;
	7) echo linux-headers-cloud-amd64/trixie-backports ;;
	*) dm_die "unknown kernel '$1'; the matrix is: $DROPMON_KERNELS_DEFAULT" ;;
	esac
}

# Kernels whose headers need a newer glibc than this machine's: built in
# the trixie chroot.
dm_kernel_in_chroot() { [ "$1" = 7 ]; }

dm_kernel_release_lookup() {
	{ apt-cache show "$1" 2>/dev/null || :; } |
		sed -n 's/^Depends:.*linux-headers-\([0-9][^ ,]*\).*/\1/p' | head -n 1
}

# The release string (uname -r) of kernel $1, e.g. 6.1.0-56-cloud-amd64.
# For "debug" and "sig", that kernel's (built first if it is not cached).
dm_kernel_release() {
	local src rel
	if [ "$1" = debug ] || [ "$1" = sig ]; then
		. "$dm_tests_dir/debug-kernel.sh"
		dm_debug_kernel "$1"
		echo "$DK_REL"
		return 0
	fi
	src=$(dm_kernel_source "$1") || exit 2
	rel=$(dm_kernel_release_lookup "$src")
	[ -n "$rel" ] || rel=$(dm_kernel_release_lookup "${src%/*}")
	[ -n "$rel" ] || dm_die "no package ${src%/*} in ${src#*/} in the apt sources"
	echo "$rel"
}

# Make kernel $1 ready: headers installed (on this machine, or in the
# chroot), image unpacked in the cache.  Sets KREL, KBUILD (headers build
# dir, as the build sees it), KROOT (unpacked image), KIMG (its vmlinuz),
# KMODS (its modules), KCHROOT (1 if the build runs in the chroot).
# "debug" is the debug kernel of tests/debug-kernel.sh, built from source
# once and cached: KBUILD is its O= build tree, KROOT its cache dir; "sig"
# is its module-signing kernel, the same way.
dm_kernel_prepare() {
	if [ "$1" = debug ] || [ "$1" = sig ]; then
		. "$dm_tests_dir/debug-kernel.sh"
		dm_debug_kernel "$1"
		KREL=$DK_REL
		KBUILD=$DK_DIR/build
		KROOT=$DK_DIR
		KIMG=$DK_DIR/bzImage
		KMODS=$DK_DIR/root/lib/modules/$DK_REL
		KCHROOT=
		[ -d "$KMODS" ] || dm_die "no modules in $KMODS; remove $DK_DIR to build again"
		export KREL KBUILD KROOT KIMG KMODS KCHROOT
		return 0
	fi
	# The lists are brought up to date once per run before the lookup,
	# so that the harness follows the ABI Debian publishes today.
	case "$1" in 5.10 | 7) dm_extra_suites ;; esac
	dm_apt_update
	KREL=$(dm_kernel_release "$1") || exit 2
	KBUILD=/usr/src/linux-headers-$KREL
	KCHROOT=
	if dm_kernel_in_chroot "$1"; then
		KCHROOT=1
		dm_chroot
		if [ ! -f "$DROPMON_CHROOT$KBUILD/Makefile" ]; then
			dm_apt_run dm_chroot_run "update in the chroot" update
			dm_headers_install "$KREL" dm_chroot_run
		fi
		[ -f "$DROPMON_CHROOT$KBUILD/Makefile" ] || dm_die "$KBUILD is missing in the chroot"
	else
		dm_headers_install "$KREL"
		[ -f "$KBUILD/Makefile" ] || dm_die "$KBUILD is missing after installing linux-headers-$KREL"
	fi
	KROOT=$DROPMON_CACHE/kernels/$KREL
	if [ ! -f "$KROOT/.dropmon-ready" ]; then
		local tmp pkgs p deb
		tmp=$(mktemp -d)
		chmod 0777 "$tmp"
		dm_apt_update
		dm_log "fetching linux-image-$KREL"
		# 7.x splits the image into linux-binary (vmlinuz) and
		# linux-modules; older ones have it all in linux-image.
		pkgs=
		for p in linux-image linux-binary linux-modules; do
			if apt-cache show "$p-$KREL" >/dev/null 2>&1; then
				pkgs="$pkgs $p-$KREL"
			fi
		done
		[ -n "$pkgs" ] || dm_die "apt knows no linux-image-$KREL (nor linux-binary/linux-modules); run apt-get update"
		(cd "$tmp" && dm_apt_run "" "download$pkgs" download $pkgs)
		rm -rf "$KROOT.tmp" && mkdir -p "$KROOT.tmp"
		for deb in "$tmp"/*.deb; do
			dpkg -x "$deb" "$KROOT.tmp" || dm_die "dpkg -x $deb failed"
		done
		touch "$KROOT.tmp/.dropmon-ready"
		rm -rf "$tmp" "$KROOT" && mv "$KROOT.tmp" "$KROOT"
	fi
	# 7.x moved both under /usr/lib/modules/$KREL.
	KIMG=$KROOT/boot/vmlinuz-$KREL
	[ -f "$KIMG" ] || KIMG=$KROOT/usr/lib/modules/$KREL/vmlinuz
	KMODS=$KROOT/lib/modules/$KREL
	[ -d "$KMODS" ] || KMODS=$KROOT/usr/lib/modules/$KREL
	[ -f "$KIMG" ] && [ -d "$KMODS" ] || dm_die "no kernel image or modules in $KROOT; remove it to fetch again"
	export KREL KBUILD KROOT KIMG KMODS KCHROOT
}

# tests/fresh.sh, prebuilt.sh and pkg-lifecycle.sh, which make a root and
# mount in it, run as root in a mount namespace of their own with private
# propagation: no mount made there reaches this machine's (where / and /dev
# are shared, unmounting the root's /dev/pts would unmount the machine's),
# and all of them go with the namespace however the script ends.
dm_own_mount_ns() {	# "$@" of the script
	[ "$(id -u)" = 0 ] || dm_die "${0##*/} makes a root and mounts in it: run it as root"
	if [ -n "${DM_OWN_NS:-}" ]; then
		unset DM_OWN_NS
		return 0
	fi
	DM_OWN_NS=1 exec unshare --mount --propagation private "$0" "$@"
	dm_die "unshare --mount failed; ${0##*/} needs a mount namespace of its own"
}

# Run a shell command in ROOT as a fresh login would: root, a clean
# environment, no terminal.
dm_in_root() {	# ROOT COMMAND
	chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive /bin/bash -c "$2" </dev/null
}

# A root for tests/fresh.sh, prebuilt.sh and pkg-lifecycle.sh: this
# machine's apt configuration, less what dropmon itself added (the extra
# suites and their pin), as a fresh machine has it; then /proc, /sys and
# /dev mounted (the caller unshares its mount namespace first).
dm_root_apt_config() {	# ROOT
	local root=$1 f
	rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
	[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/"
	for f in /etc/apt/sources.list.d/*; do
		case "${f##*/}" in dropmon-*) continue ;; esac
		cp "$f" "$root/etc/apt/sources.list.d/"
	done
	cp -a /etc/apt/trusted.gpg.d/. "$root/etc/apt/trusted.gpg.d/" 2>/dev/null
	cp -a /usr/share/keyrings/. "$root/usr/share/keyrings/"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
	return 0
}
dm_root_mount() {	# ROOT
	mount -t proc proc "$1/proc" && mount -t sysfs sysfs "$1/sys" && mount --rbind /dev "$1/dev" &&
		mount --make-rslave "$1/dev" || dm_die "cannot mount /proc, /sys and /dev in $1"
}
# tests/fresh.sh's cached pristine root (bookworm minbase and the README's
# prerequisites), unpacked in ROOT, configured and mounted as above.
dm_pristine_root() {	# ROOT
	local tarball
	tarball=$(ls -t "$DROPMON_CACHE"/fresh/bookworm-*.tar 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || dm_die "no pristine root in $DROPMON_CACHE/fresh: tests/fresh.sh makes it (make check runs it before)"
	mkdir -p "$1"
	tar -C "$1" -xf "$tarball" || dm_die "cannot unpack $tarball; remove it, and tests/fresh.sh makes it again"
	dm_root_apt_config "$1"
	dm_root_mount "$1"
}
# Every mount under ROOT unmounted, deepest first; prints what stays.
dm_root_umount() {	# ROOT
	local m
	for m in $(awk -v r="$1" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	awk -v r="$1" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo
}

# The one version, DROPMON_VERSION in module/dropmon.h of tree $1 (this
# checkout by default).
dm_version() {	# [TOP]
	local v
	v=$(sed -n 's/^#define DROPMON_VERSION[[:space:]]*"\(.*\)"/\1/p' "${1:-$DROPMON_TOP}/module/dropmon.h")
	[ -n "$v" ] || { dm_log "no DROPMON_VERSION in ${1:-$DROPMON_TOP}/module/dropmon.h"; return 1; }
	echo "$v"
}

# Copy the checkout into directory $1 as a clone of it would be, with
# what is not committed yet: the tracked files and the new ones git does
# not ignore (a tree without .git: everything but build/).
dm_copy_checkout() {	# DIR
	if git -C "$DROPMON_TOP" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$DROPMON_TOP" && git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
			xargs -0 cp -a --parents -t "$1")
	else
		tar -C "$DROPMON_TOP" --exclude=./build --exclude=./.git -cf - . | tar -C "$1" -xf -
	fi
}

# The name DKMS must give the installed module for the kernel whose
# headers' .config is $1: compressed as the kernel's own modules are.
dm_expected_ko() {	# CONFIG
	if grep -qx 'CONFIG_MODULE_COMPRESS_XZ=y' "$1"; then
		echo dropmon.ko.xz
	elif grep -qx 'CONFIG_MODULE_COMPRESS_GZIP=y' "$1"; then
		echo dropmon.ko.gz
	elif grep -qx 'CONFIG_MODULE_COMPRESS_ZSTD=y' "$1"; then
		echo dropmon.ko.zst
	else
		echo dropmon.ko
	fi
}

# A fresh copy of the module's sources for kernel $KREL, in a place the
# build can see: $DROPMON_TOP/build/NAME, or inside the chroot.
# Prints the directory (as this machine sees it).
dm_module_tree() {
	local dir
	if [ -n "$KCHROOT" ]; then
		dir=$DROPMON_CHROOT/build/$1
	else
		dir=$DROPMON_TOP/build/$1
	fi
	rm -rf "$dir" && mkdir -p "$dir"
	cp -a "$DROPMON_TOP/Kbuild" "$DROPMON_TOP/module" "$dir/"
	echo "$dir"
}

# make -C $KBUILD M=DIR ARGS..., on this machine or in the chroot.
dm_module_make() {
	local dir=$1
	shift
	if [ -n "$KCHROOT" ]; then
		dm_chroot_run make -C "$KBUILD" M="${dir#"$DROPMON_CHROOT"}" "$@"
	else
		make -C "$KBUILD" M="$dir" "$@"
	fi
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

# The suites beyond bookworm that the matrix needs, derived from this
# machine's own apt configuration (same URIs, other suites) and pinned at
# priority 50, so that nothing installed from bookworm is ever upgraded
# from them.  No archive host name is written anywhere but /etc/apt.
dm_extra_suites() {
	local list=/etc/apt/sources.list.d/dropmon-extra.sources
	local pin=/etc/apt/preferences.d/dropmon-extra
	local uri suri s
	[ -f "$list" ] && [ -f "$pin" ] && return 0
	uri=$(dm_archive_uri) || exit 2
	suri=$(dm_apt_suites | awk '$2 == "bookworm-security" { print $1; exit }')
	{
		printf 'Types: deb\nURIs: %s\nSuites: bullseye trixie trixie-backports\n' "$uri"
		printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		if [ -n "$suri" ]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: bullseye-security\n' "$suri"
			printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		fi
	} >"$list.tmp" || dm_die "cannot write $list.tmp"
	for s in bullseye bullseye-security trixie trixie-backports; do
		printf 'Package: *\nPin: release n=%s\nPin-Priority: 50\n\n' "$s"
	done >"$pin" || dm_die "cannot write $pin"
	mv "$list.tmp" "$list" || dm_die "cannot write $list"
	# New suites: update now, whatever was updated before.
	dm_apt_run "" update update
	dm_apt_updated=1
}

# "URI SUITE" for every deb suite of this machine's apt sources, from
# deb822 .sources files and one-line sources.list files alike (a machine
# installed from Debian's installer may have either).  DM_APT_SOURCES
# names other files (tests/selftest.sh).
dm_apt_suites() {
	local f
	for f in ${DM_APT_SOURCES:-/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources}; do
		[ -f "$f" ] || continue
		case "${f##*/}" in dropmon-*) continue ;; esac
		case "$f" in
		*.sources)
			awk 'function flush(i, j) {
				if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no")
					for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], su[j]
				nu = ns = 0; types = enabled = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			tolower($1) == "types:" { types = $0 }
			tolower($1) == "uris:" { nu = 0; for (i = 2; i <= NF; i++) u[++nu] = $i }
			tolower($1) == "suites:" { ns = 0; for (i = 2; i <= NF; i++) su[++ns] = $i }
			tolower($1) == "enabled:" { enabled = tolower($2) }
			END { flush() }' "$f"
			;;
		*)
			awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
				print $i, $(i + 1) }' "$f"
			;;
		esac
	done
}

# The archive URI of this machine's bookworm suite, for debootstrap and
# the extra suites.
dm_archive_uri() {
	local uri
	uri=$(dm_apt_suites | awk '$2 == "bookworm" { print $1; exit }')
	[ -n "$uri" ] || dm_die "no bookworm suite in the apt sources (/etc/apt/sources.list or /etc/apt/sources.list.d/); add Debian's bookworm archive there"
	echo "$uri"
}

# A trixie chroot with gcc-14 for the 7.x headers, which need trixie's
# glibc.  Made once with debootstrap and cached.
DROPMON_CHROOT=$DROPMON_CACHE/chroot-trixie
dm_chroot() {
	local c=$DROPMON_CHROOT uri
	if [ ! -f "$c/.dropmon-ready" ]; then
		dm_apt_install debootstrap
		uri=$(dm_archive_uri) || exit 2
		dm_log "creating a trixie chroot in $c (debootstrap, a few minutes, once)"
		rm -rf "$c"
		debootstrap --variant=minbase \
			--include=gcc-14,make,binutils,libc6-dev,kmod,xz-utils,sparse,bc,flex,bison,libelf-dev,dkms \
			trixie "$c" "$uri" >"$DROPMON_CACHE/debootstrap.log" 2>&1 ||
			dm_die "debootstrap trixie failed; see $DROPMON_CACHE/debootstrap.log"
		printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$uri" >"$c/etc/apt/sources.list.d/debian.sources"
		rm -f "$c/etc/apt/sources.list"
		dm_apt_run dm_chroot_run "update in the chroot" update
		touch "$c/.dropmon-ready"
	fi
}

# Run a command in the chroot with /proc and /dev mounted (objtool needs them).
dm_chroot_run() {
	local c=$DROPMON_CHROOT rc=0
	mountpoint -q "$c/proc" || mount -t proc proc "$c/proc" || dm_die "cannot mount /proc in $c"
	mountpoint -q "$c/dev" || mount --bind /dev "$c/dev" || dm_die "cannot bind /dev into $c"
	chroot "$c" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
	umount "$c/dev" "$c/proc" 2>/dev/null
	return $rc
}
