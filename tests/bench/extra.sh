# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/vm.sh (DROPMON_VM_EXTRA) while it assembles the
# benchmark's initramfs in $R: the benchmark modules (vm.sh built them
# in $tsrc against the same kernel), the kernel's drop_monitor.ko,
# bpftrace with its libraries, the in-guest driver, and dropmon as of
# the parent commit (below).
cp "$tsrc/dmbench.ko" "$tsrc/dmempty.ko" "$R/lib/modules/"
dm_copy_kmod drop_monitor "$R"
dm_copy_dynamic /usr/bin/bpftrace "$R"
cp "$DROPMON_TOP/tests/bench/${DROPMON_BENCH_GUEST:-guest.sh}" "$R/bench.sh"

# The parent commit's dropmon (BENCH_PARENT, default bcd4c06: the commit
# before samples), built from that commit's module/ and Kbuild the same
# way, as /lib/modules/dropmon-parent.ko: its module name is dropmon too,
# so the guest never loads both at once.
bench_parent=${BENCH_PARENT:-bcd4c06}
psrc=$(dm_module_tree "$KREL/parent")
rm -rf "$psrc/module" "$psrc/Kbuild"
git -C "$DROPMON_TOP" archive "$bench_parent" module Kbuild | tar -x -C "$psrc"
dm_module_make "$psrc" -s modules >"$B/parent-build.log" 2>&1 ||
	{ cat "$B/parent-build.log" >&2; dm_die "dropmon at $bench_parent failed to build against $KREL"; }
cp "$psrc/dropmon.ko" "$R/lib/modules/dropmon-parent.ko"
git -C "$DROPMON_TOP" rev-parse --short "$bench_parent" >"$R/etc/dropmon-parent"
