# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/vm.sh (DROPMON_VM_EXTRA) while it assembles the
# benchmark's initramfs in $R: the benchmark modules built against the
# same kernel, the kernel's drop_monitor.ko, bpftrace with its libraries,
# and the in-guest driver (DROPMON_BENCH_GUEST, default guest.sh).
bsrc=$(dm_module_tree "$KREL/bench")
cp "$DROPMON_TOP"/tests/bench/{Kbuild,dmbench.c,dmempty.c} "$bsrc/"
dm_module_make "$bsrc" -s modules >"$B/bench-build.log" 2>&1 ||
	{ cat "$B/bench-build.log" >&2; dm_die "benchmark modules failed to build against $KREL"; }
cp "$bsrc/dmbench.ko" "$bsrc/dmempty.ko" "$R/lib/modules/"
dm_copy_kmod drop_monitor "$R"
dm_copy_dynamic /usr/bin/bpftrace "$R"
cp "$DROPMON_TOP/tests/bench/${DROPMON_BENCH_GUEST:-guest.sh}" "$R/bench.sh"
