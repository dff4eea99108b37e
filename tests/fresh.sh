#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's first command on a fresh machine, on every run of the test
# command, so that a path which runs only on a cold cache cannot break
# unseen.  One PASS/FAIL line per check:
#   - a pristine Debian bookworm root (debootstrap --variant=minbase) with
#     only the prerequisites the README's first lines name, this machine's
#     apt sources and keyrings, the checkout (git ls-files), /proc, /sys
#     and /dev, and an empty /var/cache/dropmon;
#   - `make demo` in it, its output asserted: exit 0, the udp4/udp6/tcp4
#     NO_SOCKET rows with their exact counts in both intervals and the
#     totals, dropmon-show's table, and no colour in a log;
#   - a Debian ABI change on a machine that holds the previous one: an
#     older linux-kbuild-5.10 installed first, then the current 5.10
#     headers must still install;
#   - every other kernel of the matrix from the empty cache through
#     fetch, header install and module build: 5.10, 6.12 and 7.x with its
#     trixie chroot.  (Their suites run in the test command's own steps.)
# Each part is timed ("FRESH" lines).  Mounts and the root are removed
# however it ends.  The pristine root is cached as a tarball keyed by the
# day and the package list: it holds nothing of dropmon's.
#
#   tests/fresh.sh [KERNEL...]     default: the matrix but 6.1 (the demo's);
#                                  "none": the demo alone
#
# Inside the root it runs itself as `tests/fresh.sh --build KERNEL` and
# `tests/fresh.sh --old-kbuild`.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# --- inside the root ------------------------------------------------------
# Fetch, install the headers and build the module for one kernel, as the
# test command's steps do; prints "FRESH-BUILT <krel>".
fresh_build() {
	dm_strict
	dm_host_deps
	dm_kernel_prepare "$1"
	local b
	b=$(dm_module_tree "fresh-$KREL")
	dm_module_make "$b" -s modules >"$b.log" 2>&1 ||
		{ tail -n 20 "$b.log" >&2; dm_die "module build against $KREL failed"; }
	[ -f "$b/dropmon.ko" ] || dm_die "no dropmon.ko after building against $KREL"
	echo "FRESH-BUILT $KREL"
}

# What a kept machine holds when Debian publishes a new 5.10 ABI: the
# previous generation's linux-kbuild-5.10, which the pin at priority 50
# never upgrades.  Prints "FRESH-OLD-KBUILD <old> <wanted>".
fresh_old_kbuild() {
	dm_strict
	local rel want old
	dm_extra_suites
	dm_apt_update
	rel=$(dm_kernel_release 5.10) || exit 2
	want=$({ apt-cache show "linux-headers-$rel" || :; } |
		sed -n 's/^Depends:.* linux-kbuild-5\.10 (>= \([^)]*\)).*/\1/p' | head -n 1)
	[ -n "$want" ] || dm_die "linux-headers-$rel asks for no version of linux-kbuild-5.10: nothing to simulate"
	old=$({ apt-cache madison linux-kbuild-5.10 || :; } | awk -F' *[|] *' '{ print $2 }' |
		while read -r v; do
			dpkg --compare-versions "$v" lt "$want" && echo "$v"
		done | head -n 1)
	[ -n "$old" ] || dm_die "the archive has no linux-kbuild-5.10 older than $want to simulate an ABI change with"
	dm_apt_run "" "install linux-kbuild-5.10=$old" install -y --no-install-recommends "linux-kbuild-5.10=$old"
	echo "FRESH-OLD-KBUILD $old $want"
}

case "${1:-}" in
--build)
	fresh_build "$2"
	exit
	;;
--old-kbuild)
	fresh_old_kbuild
	exit
	;;
esac

# --- on this machine ------------------------------------------------------
dm_own_mount_ns "$@"
kernels=${*:-5.10 6.12 7}
[ "$kernels" = none ] && kernels=
T=$(mktemp -d /var/tmp/dropmon-fresh.XXXXXX) || dm_die "mktemp in /var/tmp failed; is /var/tmp there and writable?"
case "$T" in /var/tmp/dropmon-fresh.?*) ;; *) dm_die "mktemp gave '$T', not a new /var/tmp/dropmon-fresh.* directory" ;; esac
root=$T/root
log=$T/log
keep=$DROPMON_TOP/build/fresh
mkdir -p "$keep"

fresh_cleanup() {
	local left
	left=$(dm_root_umount "$root")
	if [ -n "$left" ]; then
		echo "FAIL: fresh: cleanup: expected no mounts left under $root, saw: $(echo "$left" | oneline)"
		return
	fi
	# --one-file-system: never through a mount that would not go away.
	rm -rf --one-file-system "$T"
}
trap fresh_cleanup EXIT

secs() { echo $(($(date +%s) - $1)); }
times=

# The prerequisites are whatever the README tells a newcomer to install
# first: its first `apt-get install` line.
prereq=$(sed -n '1,20{s/^ *apt-get install -y \([a-z0-9 .+-]*[a-z0-9]\) *#.*/\1/p}' "$DROPMON_TOP/README" | head -n 1)
if [ -n "$prereq" ]; then
	pass "fresh: the README's first lines name the prerequisites: $prereq"
else
	fail "fresh: prerequisites" "an 'apt-get install -y PKG... # ...' line in the README's first 20 lines" none
	exit 1
fi

# The pristine root: bookworm minbase plus the prerequisites, cached.
dm_apt_install debootstrap
start=$(date +%s)
key=$(date +%Y%m%d)-$(echo "bookworm minbase $prereq" | sha256sum | cut -c 1-12)
tarball=$DROPMON_CACHE/fresh/bookworm-$key.tar
if [ ! -f "$tarball" ]; then
	dm_log "making a pristine bookworm root (debootstrap --variant=minbase, about 2 minutes, once a day)"
	mkdir -p "$DROPMON_CACHE/fresh" "$T/boot"
	if ! debootstrap --variant=minbase --include="$(echo $prereq | tr ' ' ,)" \
		bookworm "$T/boot" "$(dm_archive_uri)" >"$keep/debootstrap.log" 2>&1; then
		tail -n 5 "$keep/debootstrap.log" | sed 's/^/    /' >&2
		fail "fresh: debootstrap bookworm" "exit 0" "a failure; see $keep/debootstrap.log"
		exit 1
	fi
	rm -f "$DROPMON_CACHE"/fresh/bookworm-*.tar
	tar -C "$T/boot" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball" ||
		dm_die "cannot write $tarball"
	rm -rf --one-file-system "$T/boot"
fi
mkdir -p "$root"
tar -C "$root" -xf "$tarball" || dm_die "cannot unpack $tarball; remove it to make it again"
times="$times pristine_root=$(secs "$start")s"

# A fresh machine's apt configuration is this machine's, less what
# dropmon itself added (the extra suites and their pin).
dm_root_apt_config "$root"
check "fresh: the root has no dropmon cache" "" "$(ls -A "$root/var/cache/dropmon" 2>/dev/null)"
check "fresh: the root has none of the harness's packages" "" \
	"$(chroot "$root" dpkg-query -W -f='${Package}\n' qemu-system-x86 busybox-static sparse dkms 2>/dev/null | oneline)"

# The checkout, as a clone has it.
mkdir -p "$root/root/dropmon"
dm_copy_checkout "$root/root/dropmon" || dm_die "cannot copy the checkout (git ls-files) into $root"
dm_root_mount "$root"

# Run a command in the root as a fresh login would: root, a clean
# environment, no terminal.
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb /bin/bash -c "cd /root/dropmon && $1" </dev/null
}

# make demo, from nothing.
start=$(date +%s)
in_root "make demo" >"$log.demo" 2>&1
rc=$?
t=$(secs "$start")
times="$times demo=${t}s"
cp "$log.demo" "$keep/demo.log"
check "fresh: make demo exits 0 (${t} s)" 0 "$rc"
[ "$rc" = 0 ] || tail -n 20 "$log.demo" | sed 's/^/    /' >&2
tab=$(printf '\t')
# One stats row: COUNT, SYMBOL's pattern, REASON, PROTO, on lo in the root netns.
row() { grep -cE "^$1${tab}0x[0-9a-f]+${tab}($2)\\+0x[0-9a-f]+/0x[0-9a-f]+${tab}vmlinux${tab}NO_SOCKET${tab}lo${tab}[0-9]+${tab}$3\$" "$log.demo"; }
for want in "300 __udp4_lib_rcv|udp_rcv ipv4" "200 __udp6_lib_rcv|udpv6_rcv ipv6" "50 tcp_v4_rcv ipv4" \
	"600 __udp4_lib_rcv|udp_rcv ipv4" "400 __udp6_lib_rcv|udpv6_rcv ipv6" "100 tcp_v4_rcv ipv4"; do
	set -- $want
	check "fresh: demo: cat stats has the row $1 $2 NO_SOCKET lo $3" 1 "$(row "$@")"
done
check "fresh: demo: the header of both intervals" 2 \
	"$(grep -cE '^# dropmon format=2 seq=[0-9]+ interval_ms=2000 .* lost=0 evicted=0$' "$log.demo")"
check "fresh: demo: dropmon-show prints its table three times" 3 \
	"$(grep -cE '^COUNT +RATE/s +LOCATION +MODULE +REASON +DEV +NETNS +PROTO$' "$log.demo")"
# A live dropmon-show names the root netns "host" (issue 13).
check "fresh: demo: dropmon-show's totals row for udp4, its netns named host" 1 \
	"$(grep -cE '^ *900 +[0-9.]+ +(__udp4_lib_rcv|udp_rcv)\+0x[0-9a-f]+/0x[0-9a-f]+ +vmlinux +NO_SOCKET +lo +[0-9]+ host +ipv4$' "$log.demo")"
check "fresh: demo: no colour escape codes in a log" 0 "$(grep -c "$(printf '\033')" "$log.demo")"

# A new Debian ABI on a machine that holds the previous one.
case " $kernels " in
*" 5.10 "*)
	start=$(date +%s)
	out=$(in_root "tests/fresh.sh --old-kbuild" 2>&1)
	rc=$?
	old=$(echo "$out" | sed -n 's/^FRESH-OLD-KBUILD //p')
	check "fresh: an older ABI's linux-kbuild-5.10 installed first (${old%% *})" "0 yes" \
		"$rc $([ -n "$old" ] && echo yes)"
	[ "$rc" = 0 ] || echo "$out" | tail -n 15 | sed 's/^/    /' >&2
	times="$times old_kbuild=$(secs "$start")s"
	;;
esac

# Every other kernel from the empty cache: fetch, headers, build.
for k in $kernels; do
	start=$(date +%s)
	out=$(in_root "tests/fresh.sh --build $k" 2>&1)
	rc=$?
	t=$(secs "$start")
	times="$times kernel_$k=${t}s"
	echo "$out" >"$keep/build-$k.log"
	rel=$(echo "$out" | sed -n 's/^FRESH-BUILT //p')
	check "fresh $k: fetched, headers installed and dropmon built from an empty cache ($rel, ${t} s)" \
		"0 yes" "$rc $([ -n "$rel" ] && echo yes)"
	[ "$rc" = 0 ] || echo "$out" | tail -n 15 | sed 's/^/    /' >&2
	if [ "$k" = 5.10 ] && [ -n "${old:-}" ]; then
		check "fresh 5.10: the headers brought their own linux-kbuild-5.10 over the older one" \
			"${old#* }" "$(chroot "$root" dpkg-query -W -f='${Version}' linux-kbuild-5.10 2>/dev/null)"
	fi
done
echo "FRESH$times"
exit $failed
