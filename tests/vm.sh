#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build dropmon for one Debian kernel, boot that kernel in qemu (TCG, no
# network) with a minimal initramfs, run one in-guest suite and report its
# checks as "[kernel/suite] PASS: ..." / "FAIL: ..." lines.
#
#   tests/vm.sh KERNEL SUITE [single|multi]
#
# KERNEL is a matrix entry (5.10, 6.1, 6.12, 7); SUITE is a function of
# tests/guest/suite.sh; the third argument picks qemu's TCG threading:
# "single" for anything that patches kernel code under traffic (loading
# or unloading the probe), "multi" for true parallelism.
# With DROPMON_KO=/path/to/dropmon.ko[.xz] (for the "smoke" suite), that
# file, as DKMS installed it, goes to the same path under
# /lib/modules/$KREL in the guest (DROPMON_KO_REL, else read off
# DROPMON_KO's own path) instead of a fresh build.
# DROPMON_VM_MODULES=DIR puts all of DIR (a root's /lib/modules/$KREL)
# there instead, with DROPMON_KO in it.
# DROPMON_VM_EXTRA names a script sourced while the initramfs ($R) is
# assembled; DROPMON_VM_MEM (MiB) and DROPMON_VM_APPEND (kernel command
# line) adjust the boot; DROPMON_SUITE_FILE replaces tests/guest/suite.sh
# (tests/selftest.sh plants faults that way).
# The guest boots with ignore_loglevel, so that every kernel message
# reaches the console ($B/SUITE.console), which must hold no oops, warning,
# lockdep or RCU report, stall, hung task or OOM kill.  The suite prints on
# a second serial port ($B/SUITE.log).
# Exit status: 0 if every check passed, the suite reached its done line
# with at least its minimum number of checks (dm_suite_min in lib.sh) and
# exited 0, and the console is clean; 1 otherwise; 2 if the harness
# itself could not run (a message says why).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dm_strict

kernel=${1:?usage: tests/vm.sh KERNEL SUITE [single|multi]}
suite=${2:?usage: tests/vm.sh KERNEL SUITE [single|multi]}
accel=${3:-single}
vm_timeout=${DROPMON_VM_TIMEOUT:-1200}
# DROPMON_SUITE_FILE: another suite.sh (the harness's own planted faults).
suite_file=${DROPMON_SUITE_FILE:-$here/guest/suite.sh}
tag="$kernel/$suite"
# A harness step that fails is a failed check, never a silent exit.
DM_ERR_TAG=$tag

dm_kernel_prepare "$kernel"
B=$DROPMON_TOP/build/$KREL
mkdir -p "$B"
# An earlier run's output must not stand for this one's (tests/fleet.sh
# reads the main suite's), however this run ends.
rm -f "$B/$suite.log" "$B/$suite.log.clean" "$B/$suite.console" "$B/$suite.console.clean"

dm_build_module() {
	src=$(dm_module_tree "$KREL/src")
	dm_module_make "$src" -s modules >"$B/build.log" 2>&1 ||
		{ cat "$B/build.log" >&2; dm_die "module build against $KREL failed"; }
}

# The test modules of tests/bench (the benchmark's, and dmjunk, dmskb
# and dmbench for the main suite), with dropmon's compat flags, in $tsrc.
dm_build_test_modules() {
	tsrc=$(dm_module_tree "$KREL/testmods")
	cp "$DROPMON_TOP"/tests/bench/{Kbuild,*.c} "$tsrc/"
	dm_module_make "$tsrc" -s modules >"$B/testmods-build.log" 2>&1 ||
		{ cat "$B/testmods-build.log" >&2; dm_die "test modules (tests/bench) failed to build against $KREL"; }
}

# Copy a dynamic executable and the libraries it needs into the initramfs.
dm_copy_dynamic() {
	local bin=$1 root=$2 lib
	mkdir -p "$root$(dirname "$bin")"
	cp -L "$bin" "$root$bin"
	for lib in $(ldd "$bin" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# A kernel module of the image, decompressed if the image ships .ko.xz.
dm_copy_kmod() {
	local name=$1 root=$2 f
	f=$(find "$KMODS" -name "$name.ko" -o -name "$name.ko.xz" | head -n 1)
	[ -n "$f" ] || dm_die "$name.ko is not in linux-image-$KREL"
	case "$f" in
	*.xz) xz -dc "$f" >"$root/lib/modules/$name.ko" ;;
	*) cp "$f" "$root/lib/modules/$name.ko" ;;
	esac
}

dm_build_initramfs() {
	local R=$B/initramfs
	rm -rf "$R"
	mkdir -p "$R"/{bin,sbin,usr/sbin,usr/bin,lib/modules,proc,sys,dev,tmp,run,etc,root}
	cp /bin/busybox "$R/bin/busybox"
	cp "$here/guest/init" "$R/init"
	cp "$suite_file" "$R/suite.sh"
	cp "$src/dropmon.ko" "$R/lib/modules/dropmon.ko"
	cp "$tsrc/dmjunk.ko" "$R/lib/modules/dmjunk.ko"
	cp "$tsrc/dmskb.ko" "$R/lib/modules/dmskb.ko"
	cp "$tsrc/dmsock.ko" "$R/lib/modules/dmsock.ko"
	cp "$tsrc/dmbench.ko" "$R/lib/modules/dmbench.ko"
	cp "$here/helpers/dmgen" "$R/bin/dmgen"
	cp "$DROPMON_TOP/tools/dropmon-show-static" "$R/usr/sbin/dropmon-show"
	dm_copy_kmod veth "$R"
	dm_copy_dynamic /usr/sbin/ip "$R"
	# kmod's modprobe and depmod, as a fleet host runs them.
	dm_copy_dynamic /usr/bin/kmod "$R"
	ln -s /usr/bin/kmod "$R/usr/sbin/modprobe"
	ln -s /usr/bin/kmod "$R/usr/sbin/depmod"
	if [ -n "${DROPMON_KO:-}" ]; then
		# The module as DKMS installed it, at the same path under
		# /lib/modules/$KREL (DROPMON_KO_REL, else read off DROPMON_KO's
		# own path), so that the smoke suite checks where DKMS put it;
		# the guest runs depmod, and modprobe takes its options from
		# modprobe.d.
		local m=$R/lib/modules/$KREL rel=${DROPMON_KO_REL:-}
		if [ -z "$rel" ] && [[ "$DROPMON_KO" == */lib/modules/"$KREL"/* ]]; then
			rel=${DROPMON_KO#*/lib/modules/"$KREL"/}
		fi
		case "/$rel/" in
		// | */../* | //*) dm_die "DROPMON_KO_REL: expected the module's path under /lib/modules/$KREL, saw '$rel' (DROPMON_KO=$DROPMON_KO)" ;;
		esac
		mkdir -p "$m/$(dirname "$rel")" "$R/etc/modprobe.d"
		if [ -n "${DROPMON_VM_MODULES:-}" ]; then
			# The whole /lib/modules/$KREL of a root (tests/prebuilt.sh).
			cp -a "$DROPMON_VM_MODULES/." "$m/"
		else
			cp "$DROPMON_KO" "$m/$rel"
			for f in modules.builtin modules.builtin.modinfo modules.order; do
				if [ -f "$KMODS/$f" ]; then cp "$KMODS/$f" "$m/"; fi
			done
		fi
		echo "$rel" >"$R/etc/dropmon-ko-rel"
		echo "options dropmon interval_ms=500 max_keys=2048" >"$R/etc/modprobe.d/dropmon.conf"
	fi
	dm_version >"$R/etc/dropmon-version" || exit 1
	# A caller's additions (the benchmark's modules and tools).
	if [ -n "${DROPMON_VM_EXTRA:-}" ]; then
		. "$DROPMON_VM_EXTRA"
	fi
	chmod +x "$R/init" "$R/suite.sh"
	(cd "$R" && find . | cpio -o -H newc --quiet) | gzip -1 >"$B/initramfs.cpio.gz"
}

dm_build_module
dm_build_test_modules
# Two lanes of guests run at once (tests/run) and share tools/ and
# tests/helpers: one make of them at a time.
mkdir -p "$DROPMON_TOP/build"
dm_shared_make() { flock "$DROPMON_TOP/build/.shared-make.lock" make "$@"; }
dm_shared_make -s -C "$here/helpers" >/dev/null
dm_shared_make -s -C "$DROPMON_TOP/tools" static >/dev/null
dm_build_initramfs

log=$B/$suite.log
console=$B/$suite.console
# The demo's colour follows this terminal, not the guest's serial port.
color=never
[ -t 1 ] && color=always
dm_log "booting $KREL ($tag, tcg thread=$accel)"
set +e
timeout --foreground -k 10 "$vm_timeout" qemu-system-x86_64 \
	-m "${DROPMON_VM_MEM:-1024}" -smp 2 -accel "tcg,thread=$accel" -nic none -no-reboot \
	-display none -monitor none -serial stdio -serial "file:$log" \
	-kernel "$KIMG" -initrd "$B/initramfs.cpio.gz" \
	-append "console=ttyS0 ignore_loglevel panic=-1 panic_on_warn=1 oops=panic dmsuite=$suite dmcolor=$color ${DROPMON_VM_APPEND:-}" \
	</dev/null >"$console" 2>&1
qrc=$?
set -e
[ -f "$log" ] || : >"$log"
[ $qrc = 124 ] && why="timed out after ${vm_timeout}s" || why="qemu exited $qrc"

# What the guest's suite printed (ttyS1), and the kernel's console (ttyS0).
tr -d '\r' <"$log" >"$log.clean"
tr -d '\r' <"$console" >"$console.clean"
status=0
# The demo shows what the guest printed, from its banner to the end marker.
# Only its FAIL lines; every other suite's checks are prefixed with the tag.
if [ "$suite" = demo ]; then
	sed -n '/^dropmon guest:/,/^DROPMON-GUEST-END/p' "$log.clean" | { grep -v '^PASS: ' || true; }
	{ grep -E '^FAIL: ' "$log.clean" || true; } | sed "s|^|[$tag] |"
else
	{ grep -E '^(PASS|FAIL): ' "$log.clean" || true; } | sed "s|^|[$tag] |"
fi
# The figures the reliability suites report, for the README.
{ grep -aE '^(STRESS|ACCOUNTING|FAULTS|MEMORY) ' "$log.clean" || true; } | sed "s|^|[$tag] |"
if grep -q '^FAIL: ' "$log.clean"; then status=1; fi

# A suite that ended early, however it ended, must not pass: it has to
# reach its done line with at least its minimum number of checks, every
# one of them printed here, and exit 0.
vm_fail() { echo "[$tag] FAIL: $1"; status=1; }
min=$(dm_suite_min "$suite")
passes=$(grep -c '^PASS: ' "$log.clean" || true)
fails=$(grep -c '^FAIL: ' "$log.clean" || true)
done_line=$(sed -n '/^DROPMON-SUITE-DONE /h; ${x;p}' "$log.clean")
end_line=$(sed -n '/^DROPMON-GUEST-END /h; ${x;p}' "$log.clean")
if [ -z "$end_line" ]; then
	grep -q 'no second serial port' "$console.clean" && why="$why; the guest had no ttyS1 and printed on the console"
	vm_fail "guest: expected the end marker, saw none ($why); log: $log, console: $console"
elif [ "$end_line" != "DROPMON-GUEST-END rc=0" ]; then
	vm_fail "guest: expected the suite to exit 0, saw '$end_line'; log: $log"
fi
checks=$(echo "$done_line" | sed -n 's/.* checks=\([0-9]*\) .*/\1/p')
if [ -z "$checks" ]; then
	vm_fail "guest: expected the suite's done line, saw '$(grep -av '^PASS: ' "$log.clean" | tail -n 2 | oneline)'; log: $log"
else
	[ "$checks" = $((passes + fails)) ] ||
		vm_fail "guest: expected every one of the suite's $checks checks printed, saw $passes PASS and $fails FAIL lines"
	[ "$checks" -ge "$min" ] ||
		vm_fail "guest: expected at least $min checks in the $suite suite, saw $checks"
fi
[ "$passes" -ge "$min" ] || vm_fail "guest: expected at least $min PASS lines, saw $passes"

# One pattern for the console and the suite's own dmesg checks.
bad_re=$(sed -n "s/^DM_BAD_RE='\(.*\)'\$/\1/p" "$suite_file")
[ -n "$bad_re" ] || vm_fail "harness: expected DM_BAD_RE in $suite_file, saw none"
grc=0
grep -nE "${bad_re:-.}" "$console.clean" >"$B/$suite.oops" || grc=$?
if [ $grc = 0 ]; then
	vm_fail "console: expected no oops, panic, warning, stall or OOM, saw: $(head -n 3 "$B/$suite.oops" | oneline)"
elif [ $grc != 1 ]; then
	vm_fail "console: expected grep to read $console.clean, saw exit $grc"
fi
# The main suite's samples, as pcapng through dropmon-show --pcap, read
# back by tshark on this host (tests/samples-pcap.sh): a real consumer of
# what the guest really sampled.
if [ "$suite" = main ]; then
	dm_shared_make -s -C "$DROPMON_TOP/tools" dropmon-show >"$B/pcap.build.log" 2>&1 ||
		vm_fail "pcap: expected make -C tools dropmon-show to build, saw $(tail -n 2 "$B/pcap.build.log" | oneline)"
	prc=0
	"$here/samples-pcap.sh" "$log.clean" "$B/pcap" >"$B/pcap.log" 2>&1 || prc=$?
	{ grep -E '^(PASS|FAIL): ' "$B/pcap.log" || true; } | sed "s|^|[$tag] |"
	grep -q '^FAIL: ' "$B/pcap.log" && status=1
	[ "$prc" = 0 ] || grep -q '^FAIL: ' "$B/pcap.log" ||
		vm_fail "pcap: expected tests/samples-pcap.sh to exit 0, saw $prc: $(tail -n 2 "$B/pcap.log" | oneline)"
fi
# A console that was not captured, or cut off, is no clean console: it
# must run from the kernel's banner to the power-off.
# (The debug kernel prints no timestamps.)
krel_re=$(printf '%s' "$KREL" | sed 's/[].+[]/\\&/g')
grep -qE "^(\[ *[0-9.]+\] )?Linux version $krel_re " "$console.clean" ||
	vm_fail "console: expected the banner 'Linux version $KREL', saw $(head -c 200 "$console.clean" | oneline); console: $console"
grep -qE '^(\[ *[0-9.]+\] )?reboot: Power down$' "$console.clean" ||
	vm_fail "console: expected 'reboot: Power down' at the end, saw '$(tail -n 2 "$console.clean" | oneline)'; console: $console"
exit $status
