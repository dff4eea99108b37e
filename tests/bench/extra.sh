# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/vm.sh (DROPMON_VM_EXTRA) while it assembles the
# benchmark's initramfs in $R: the benchmark modules (vm.sh built them
# in $tsrc against the same kernel), the kernel's drop_monitor.ko,
# bpftrace with its libraries, and the in-guest driver.
cp "$tsrc/dmbench.ko" "$tsrc/dmempty.ko" "$R/lib/modules/"
dm_copy_kmod drop_monitor "$R"
dm_copy_dynamic /usr/bin/bpftrace "$R"
cp "$DROPMON_TOP/tests/bench/${DROPMON_BENCH_GUEST:-guest.sh}" "$R/bench.sh"
