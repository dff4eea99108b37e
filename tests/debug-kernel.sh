#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel of the matrix entry "debug": Debian's newest
# linux-source-7.N that apt offers (7.3 today; dm_debug_source below), from
# trixie-backports, configured as tinyconfig plus the fragments of
# tests/kconfig/ (merged with
# the kernel's scripts/kconfig/merge_config.sh, the way WireGuard's qemu
# harness does), with KASAN, kmemleak, lockdep, debug objects and fault
# injection.  The build fails if any line of a fragment is not in the final
# .config.  Built once per fragments, source package and compiler, cached
# outside the checkout:
#
#   $DROPMON_CACHE/debug-kernel/<version>-<hash>/
#     src/                         the kernel source (srctree of build/)
#     build/                       the O= tree: make -C build M=DIR modules
#     bzImage                      what qemu boots
#     root/lib/modules/<release>/  make modules_install (veth.ko, ...)
#     release                      the release string (uname -r)
#     build.log, build-seconds     the last build's output and duration
#     .dropmon-ready               written last; without it the dir is rebuilt
#
# The tree is built in place (the O= tree holds absolute paths) and is never
# moved.  Takes about 10 minutes on 2 cores, once.
#
#   tests/debug-kernel.sh [debug|sig]   build or reuse; prints the cache dir
#
# Sourced (tests/lib.sh does, for "dm_kernel_prepare debug"), it defines
# dm_debug_kernel [debug|sig], which builds or reuses and sets DK_DIR and
# DK_REL.
#
# "sig" is a second kernel from the same source for tests/sig.sh: the base
# fragment and tests/kconfig/sig.config (module signatures, sha256, not
# forced: the guest boots with module.sig_enforce=1), with two test keys
# made by openssl before the build and kept in its cache dir, never in
# the checkout: keys/trusted.{key,x509,pem}, whose certificate the kernel
# trusts (CONFIG_SYSTEM_TRUSTED_KEYS), and keys/other.{key,x509}, which it
# does not.  In-tree modules are signed by the kernel's own generated key
# (MODULE_SIG_ALL).  $DROPMON_CACHE/sig-kernel/<version>-<hash>/, as above.

if ! declare -F dm_apt_install >/dev/null; then
	. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
fi

dm_debug_kconfig_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/kconfig
# The source package the debug kernel is built from: 7.x runs tracepoint
# probes under SRCU-fast with preemption enabled, which is what its
# DEBUG_PREEMPT and PROVE_RCU must see dropmon's probe do.  Its suite
# (trixie-backports, pinned at 50) comes from dm_extra_suites.  Checked
# against 7.3's Kconfig: every symbol of the fragments exists but
# PROC_SYSCTL (7.x has only SYSCTL); x86 defaults to PREEMPT_LAZY there,
# and debug.config's PREEMPT (full preemption) is still a choice of it.
# DROPMON_DEBUG_SOURCE names another source package.
dm_debug_source_pkg=${DROPMON_DEBUG_SOURCE:-}

# The newest linux-source-7.N that apt offers (trixie-backports keeps one
# series, and moves on), else the newest one installed here.
dm_debug_source() {
	local pkg
	[ -n "$dm_debug_source_pkg" ] && return 0
	dm_apt_update
	pkg=$(apt-cache pkgnames linux-source-7. | grep -E '^linux-source-7\.[0-9]+$' | sort -V | tail -n 1)
	[ -n "$pkg" ] || pkg=$(dpkg-query -W -f='${Package}\n' 'linux-source-7.*' 2>/dev/null |
		grep -E '^linux-source-7\.[0-9]+$' | sort -V | tail -n 1)
	[ -n "$pkg" ] || dm_die "apt offers no linux-source-7.N package and none is installed: the trixie-backports suite (dm_extra_suites in tests/lib.sh) is missing from the apt sources, or its lists are stale; run apt-get update, or name one with DROPMON_DEBUG_SOURCE="
	dm_debug_source_pkg=$pkg
}
# Bump when the recipe below changes in a way that changes the kernel.
dm_debug_recipe=2

# The fragments of flavour $1, in merge order.
dm_debug_flavour() {
	case "$1" in
	debug) dm_debug_fragments=("$dm_debug_kconfig_dir/base.config" "$dm_debug_kconfig_dir/debug.config") ;;
	sig) dm_debug_fragments=("$dm_debug_kconfig_dir/base.config" "$dm_debug_kconfig_dir/sig.config") ;;
	*) dm_die "unknown kernel flavour '$1' (debug or sig)" ;;
	esac
	dm_debug_name=$1
}

# Every CONFIG_X=V line of the fragments must be in the final .config
# exactly, and no "# CONFIG_X is not set" may be set; of a symbol that
# several fragments set, the last one's (merge_config.sh's rule).
# Prints what is not.
dm_debug_verify_config() {
	local config=$1 f line sym
	local -A want=() from=()
	local -a order=()
	shift
	for f in "$@"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*) sym=${line%%=*} ;;
			"# CONFIG_"*" is not set")
				sym=${line#\# }
				sym=${sym%% *}
				;;
			*) continue ;;
			esac
			[ -n "${want[$sym]+set}" ] || order+=("$sym")
			want[$sym]=$line
			from[$sym]=${f##*/}
		done <"$f"
	done
	for sym in "${order[@]}"; do
		line=${want[$sym]}
		case "$line" in
		CONFIG_*=*)
			grep -qxF -- "$line" "$config" ||
				echo "${from[$sym]}: wanted $line, got: $(grep "^$sym=" "$config" || echo 'not set')"
			;;
		*)
			if grep -q "^$sym=" "$config"; then
				echo "${from[$sym]}: wanted $sym not set, got: $(grep "^$sym=" "$config")"
			fi
			;;
		esac
	done
}

# The sig kernel's keys, in $1/keys (before its build).  The fragment
# that names the trusted certificate is $1/keys/trusted.config.
dm_sig_keys() {
	local k=$1/keys n
	mkdir -p "$k"
	for n in trusted other; do
		openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
			-subj "/CN=dropmon test key $n/" -keyout "$k/$n.key" \
			-outform DER -out "$k/$n.x509" >/dev/null 2>&1 &&
			openssl x509 -inform DER -in "$k/$n.x509" -out "$k/$n.pem" ||
			dm_die "openssl could not make the $n test key in $k"
	done
	echo "CONFIG_SYSTEM_TRUSTED_KEYS=\"$k/trusted.pem\"" >"$k/trusted.config"
	dm_debug_fragments+=("$k/trusted.config")
}

# Build the kernel in $1 (a fresh directory).  Output goes to $1/build.log.
dm_debug_build() {
	local dir=$1 src=$1/src b=$1/build log=$1/build.log start missing rel
	local mk=(make -C "$src" O="$b" ARCH=x86_64 LOCALVERSION=)
	start=$(date +%s)
	dm_log "building the $dm_debug_name kernel in $dir (once; about 10 minutes on 2 cores; log: $log)"
	tar -xJf "/usr/src/$dm_debug_source_pkg.tar.xz" -C "$dir" ||
		dm_die "cannot extract /usr/src/$dm_debug_source_pkg.tar.xz"
	mv "$dir/$dm_debug_source_pkg" "$src"
	mkdir -p "$b"
	[ "$dm_debug_name" = sig ] && dm_sig_keys "$dir"
	{
		"${mk[@]}" tinyconfig &&
			(cd "$src" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$b" \
				"$b/.config" "${dm_debug_fragments[@]}")
	} >"$log" 2>&1 || { tail -n 30 "$log" >&2; dm_die "configuring the $dm_debug_name kernel failed; see $log"; }
	missing=$(dm_debug_verify_config "$b/.config" "${dm_debug_fragments[@]}")
	if [ -n "$missing" ]; then
		printf '%s\n' "$missing" | tee -a "$log" >&2
		dm_die "the $dm_debug_name kernel's .config lacks what tests/kconfig/ asks for (a dependency is missing?); see $log"
	fi
	"${mk[@]}" -j"$(nproc)" all >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; dm_die "building the $dm_debug_name kernel failed; see $log"; }
	"${mk[@]}" INSTALL_MOD_PATH="$dir/root" modules_install >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; dm_die "modules_install of the $dm_debug_name kernel failed; see $log"; }
	rel=$("${mk[@]}" -s kernelrelease) && [ -n "$rel" ] ||
		dm_die "no kernelrelease in $b"
	cp "$b/arch/x86/boot/bzImage" "$dir/bzImage"
	echo "$rel" >"$dir/release"
	[ -n "$(find "$dir/root/lib/modules/$rel" -name veth.ko)" ] ||
		dm_die "no veth.ko in $dir/root/lib/modules/$rel"
	echo $(($(date +%s) - start)) >"$dir/build-seconds"
	dm_log "built the $dm_debug_name kernel $rel in $(cat "$dir/build-seconds") s"
}

# Build the debug (or sig) kernel or reuse the cached one; sets DK_DIR and
# DK_REL.
dm_debug_kernel() {
	local ver key top f
	dm_debug_flavour "${1:-debug}"
	top=$DROPMON_CACHE/$dm_debug_name-kernel
	dm_extra_suites
	dm_debug_source
	dm_apt_install build-essential flex bison bc libelf-dev libssl-dev cpio \
		xz-utils kmod python3 openssl "$dm_debug_source_pkg"
	ver=$(dpkg-query -W -f='${Version}' "$dm_debug_source_pkg")
	key=$({
		echo "recipe $dm_debug_recipe"
		echo "$dm_debug_source_pkg $ver"
		gcc --version | sed -n 1p
		for f in "${dm_debug_fragments[@]}"; do
			echo "== ${f##*/}"
			cat "$f"
		done
	} | sha256sum | cut -c 1-12)
	DK_DIR=$top/${ver%%-*}-$key
	mkdir -p "$top"
	# One build at a time; a second caller waits and then reuses it.
	exec {dm_debug_lock}>"$top/.lock"
	flock "$dm_debug_lock"
	if [ ! -f "$DK_DIR/.dropmon-ready" ]; then
		rm -rf "$DK_DIR"
		mkdir -p "$DK_DIR"
		dm_debug_build "$DK_DIR"
		touch "$DK_DIR/.dropmon-ready"
	fi
	flock -u "$dm_debug_lock"
	exec {dm_debug_lock}>&-
	for f in "$top"/*/; do
		[ "${f%/}" = "$DK_DIR" ] ||
			dm_log "$f is another $dm_debug_name kernel (about 2 GB: another source, recipe, compiler or fragments); nothing uses it now, remove it to free the space"
	done
	DK_REL=$(cat "$DK_DIR/release")
	[ -n "$DK_REL" ] && [ -f "$DK_DIR/bzImage" ] && [ -f "$DK_DIR/build/Makefile" ] ||
		dm_die "$DK_DIR is incomplete; remove it to build again"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	dm_strict
	dm_debug_kernel "${1:-debug}"
	echo "$DK_DIR"
fi
