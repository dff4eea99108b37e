#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The worker at full scale: what one rotation costs when every CPU's table
# fills each interval, how long a read of stats and totals takes, and the
# longest scheduling delay a busy process sees on each CPU, without
# rotations and during them.  It reports figures; it is not a test.
#
#   tests/bench-worker.sh [KERNEL] [SETTINGS] [SECONDS]
#       default: 6.1, "1024 65536" (max_keys values; interval_ms=100), 12 s storms
#
# One boot, TCG thread=multi (nothing is loaded or unloaded while an event
# fires; see tests/bench/worker.sh).  Output: build/bench-worker-KREL.txt.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dm_strict

kernel=${1:-6.1}
settings=${2:-1024 65536}
secs=${3:-12}
dm_host_deps
dm_apt_install bpftrace
dm_kernel_prepare "$kernel"
log=$DROPMON_TOP/build/$KREL/bench.log.clean
out=$DROPMON_TOP/build/bench-worker-$KREL.txt

# BENCH_REPORT_ONLY=1 renders the last run's log again without a boot.
# vm.sh exits 1 when a check failed (the benchmark has none that matter
# here); 2 when it could not run at all, which must not report the last
# run's log as this one's.
if [ -z "${BENCH_REPORT_ONLY:-}" ]; then
	rm -f "$log"
	rc=0
	DROPMON_BENCH_GUEST=worker.sh DROPMON_VM_EXTRA=$here/bench/extra.sh DROPMON_VM_MEM=2048 \
		DROPMON_VM_APPEND="dmwsettings=$(echo "$settings" | tr ' ' ,) dmwsecs=$secs" \
		DROPMON_VM_TIMEOUT=1800 "$here/vm.sh" "$kernel" bench multi || rc=$?
	[ "$rc" -le 1 ] || dm_die "the worker benchmark's guest could not run (tests/vm.sh exit $rc); see its message above"
fi

grep -q '^worker bench: done' "$log" || dm_die "the worker benchmark did not finish; see $log"

ms() { awk '{ printf "%.1f", $1 / 1e6 }'; }
{
	echo "dropmon worker benchmark, $(date -u +%Y-%m-%d), kernel $KREL, qemu TCG thread=multi, 2 vCPUs"
	echo "commit $(git -C "$DROPMON_TOP" rev-parse --short HEAD)$(git -C "$DROPMON_TOP" diff --quiet HEAD -- module || echo '+dirty')"
	echo "storm: dmbench fires keys=max_keys distinct locations (core kernel text) from every CPU for $secs s"
	echo
	for mk in $settings; do
		echo "max_keys=$mk interval_ms=100:"
		grep "^WSTATUS mk=$mk " "$log" | tr ' ' '\n' | sed -n 's/^rotate_ns_last=//p' | grep -vx 0 | sort -n | uniq |
			awk '{ a[NR] = $1 } END { if (NR) printf "  rotate_ns_last over the storm (distinct samples): n=%d min=%.1f median=%.1f max=%.1f ms\n", NR, a[1] / 1e6, a[int((NR + 1) / 2)] / 1e6, a[NR] / 1e6 }'
		grep "^WSTATUS mk=$mk " "$log" | tr ' ' '\n' | sed -n 's/^merge_ns_last=//p' | grep -vx 0 | sort -n | uniq |
			awk '{ a[NR] = $1 } END { if (NR) printf "  merge_ns_last over the storm (distinct samples):  n=%d min=%.1f median=%.1f max=%.1f ms\n", NR, a[1] / 1e6, a[int((NR + 1) / 2)] / 1e6, a[NR] / 1e6 }'
		end=$(sed -n "s/^WSTATUSEND mk=$mk //p" "$log")
		echo "  after the storm: $(echo "$end" | tr ' ' '\n' | grep -E '^(rotations|merge_ns_max|table_bytes|accumulator_bytes|snapshot_bytes|alloc_failures)=' | tr '\n' ' ')"
		echo "  merge_ns_max=$(echo "$end" | tr ' ' '\n' | sed -n 's/^merge_ns_max=//p' | ms) ms"
		sed -n "s/^WROT mk=$mk //p" "$log" |
			awk '{ split($1, s, "="); split($2, r, "="); printf "  rotations during the storm: %d in %d s (%.0f ms apart; 100 if the worker keeps up)\n", r[2], s[2], r[2] ? 1000 * s[2] / r[2] : 0 }'
		grep "^WREAD mk=$mk " "$log" | awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			printf "  read %-6s %-5s keys=%-6s bytes=%-9s %8.1f ms\n", f["file"], f["when"], f["keys"], f["bytes"], f["ns"] / 1e6 }'
		for p in norotate rotate; do
			grep "^WSPIN mk=$mk phase=$p " "$log" | awk -v p=$p '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
				printf "  busy loop, storm, %-8s cpu%s: max gap %7.1f ms, gaps >1 ms %5d, >10 ms %4d, >100 ms %3d, time in gaps >1 ms %6.0f ms\n",
					(p == "rotate" ? "rotating" : "no rot."), f["cpu"], f["max_gap_ns"] / 1e6, f["gaps_over_1ms"], f["gaps_over_10ms"], f["gaps_over_100ms"], f["ns_in_gaps_over_1ms"] / 1e6 }'
		done
		grep "^WSTORM mk=$mk " "$log" | awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			printf "  storm (%s) cpu%s: %d events in %.1f s\n", f["phase"], f["cpu"], f["iters"], f["ns"] / 1e9 }'
		echo
	done
	grep "^WSPIN mk=none " "$log" | awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		printf "idle floor (nothing loaded, no storm) cpu%s: max gap %.1f ms, gaps >1 ms %d\n", f["cpu"], f["max_gap_ns"] / 1e6, f["gaps_over_1ms"] }'
	grep '^WDMESG' "$log" || echo "guest dmesg: no warning, BUG, stall, hung task or oops"
} | tee "$out"
dm_log "wrote $out (raw lines: $log)"
