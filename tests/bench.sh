#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: dropmon against what a user would pick instead, in one boot.
# It reports figures; it is not a test.
#
#   tests/bench.sh [KERNEL] [ROUNDS]      default: 6.1, 11 rounds
#
# In a qemu guest with TCG thread=multi (2 vCPUs truly in parallel), the
# dmbench module fires the kfree_skb tracepoint from a kthread bound to
# each CPU, over K prepared skbs, for each configuration: nothing
# attached, an empty probe, dropmon (defaults), the kernel's drop_monitor
# in summary mode, and bpftrace counting by location and reason.  Rounds
# rotate the order of the configurations.  Per configuration and case the
# table gives the median over rounds of ns per event per CPU, its spread
# (min..max), the extra cost over nothing attached, and that extra as a
# multiple of the empty probe's.  Absolute numbers come from TCG and mean
# nothing across runs: compare ratios within one run.
#
# Results: a table on the terminal and build/bench-KREL.json.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dm_strict

kernel=${1:-6.1}
rounds=${2:-11}
dm_host_deps
dm_apt_install bpftrace
dm_kernel_prepare "$kernel"
log=$DROPMON_TOP/build/$KREL/bench.log.clean
json=$DROPMON_TOP/build/bench-$KREL.json

# BENCH_REPORT_ONLY=1 renders the last run's log again without a boot.
[ -n "${BENCH_REPORT_ONLY:-}" ] ||
	DROPMON_VM_EXTRA=$here/bench/extra.sh DROPMON_VM_MEM=2048 \
		DROPMON_VM_APPEND="dmrounds=$rounds" DROPMON_VM_TIMEOUT=1800 \
		"$here/vm.sh" "$kernel" bench multi || true
grep -q '^BENCH ' "$log" || dm_die "no benchmark results in $log"
grep '^BENCHERR' "$log" >&2 || true

date=$(date -u +%Y-%m-%d)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

# Per (config, case, round): mean ns/event over the CPUs of that run.
grep '^BENCH ' "$log" | awk '
	{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	  cfg = f["tag"]; rnd = cfg; sub(/\.r[0-9]+$/, "", cfg); sub(/.*\.r/, "", rnd)
	  if (cfg == "fill" || cfg ~ /-failed$/) next
	  key = cfg " " f["keys"] " " (f["cpus"] == 1 ? "1cpu" : "all") " " rnd
	  sum[key] += f["ns"] / f["iters"]; n[key]++ }
	END { for (k in sum) printf "%s %.3f\n", k, sum[k] / n[k] }' |
	sort >"$DROPMON_TOP/build/bench-$KREL.runs"

# The median of a[1..m], for both awk programs below (sorts a in place).
awk_median='
	function median(a, m,   i, j, t) {
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}'

# Median, min, max over rounds; extra over "none" paired by round.
awk "$awk_median"'
	{ v[$1, $2, $3, $4] = $5; cfgs[$1] = 1; cases[$2 " " $3] = 1; rounds[$4] = 1 }
	END {
		for (c in cfgs) for (k in cases) {
			split(k, kk, " "); m = 0; e = 0
			for (r in rounds) if ((c, kk[1], kk[2], r) in v) {
				x[++m] = v[c, kk[1], kk[2], r]
				d[++e] = v[c, kk[1], kk[2], r] - v["none", kk[1], kk[2], r]
			}
			if (!m) continue
			med = median(x, m); lo = x[1]; hi = x[m]
			printf "%s %s %s %.2f %.2f %.2f %.2f %d\n", c, kk[1], kk[2], med, lo, hi, median(d, e), m
		}
	}' "$DROPMON_TOP/build/bench-$KREL.runs" | sort >"$DROPMON_TOP/build/bench-$KREL.summary"

# The targets of the performance issue, as ratios within this run.  The
# same dropmon load serves every case of a round, and in TCG where a module
# lands moves its cost by up to 2x from load to load, so the ratios between
# two cases of dropmon are taken per round, then the median.
targets=$(awk "$awk_median"'
	function extra(c, k, p, r) { return v[c, k, p, r] - v["none", k, p, r] }
	function paired(k1, p1, k2, p2,   r, m, a) {
		m = 0
		for (r in rounds)
			if (("dropmon", k1, p1, r) in v && ("dropmon", k2, p2, r) in v &&
			    extra("dropmon", k2, p2, r) > 0)
				a[++m] = extra("dropmon", k1, p1, r) / extra("dropmon", k2, p2, r)
		return m ? median(a, m) : -1
	}
	FILENAME ~ /summary$/ { x[$1, $2, $3] = $7; next }
	{ v[$1, $2, $3, $4] = $5; rounds[$4] = 1 }
	END {
		printf "xempty_k1_1cpu %.2f\n", x["dropmon", 1, "1cpu"] / x["empty", 1, "1cpu"]
		printf "xempty_k1_all %.2f\n", x["dropmon", 1, "all"] / x["empty", 1, "all"]
		printf "xempty_k64 %.2f\n", x["dropmon", 64, "all"] / x["empty", 64, "all"]
		printf "xdrop_monitor_k1_1cpu %.2f\n", x["dropmon", 1, "1cpu"] / x["drop_monitor", 1, "1cpu"]
		printf "xdrop_monitor_k1_all %.2f\n", x["dropmon", 1, "all"] / x["drop_monitor", 1, "all"]
		printf "xdrop_monitor_k64 %.2f\n", x["dropmon", 64, "all"] / x["drop_monitor", 64, "all"]
		printf "xbpftrace_k64 %.3f\n", x["dropmon", 64, "all"] / x["bpftrace", 64, "all"]
		printf "all_over_1cpu_k1 %.2f\n", paired(1, "all", 1, "1cpu")
		printf "overflow_over_hit %.2f\n", paired(4096, "all", 64, "all")
	}' "$DROPMON_TOP/build/bench-$KREL.summary" "$DROPMON_TOP/build/bench-$KREL.runs")

# End to end: packets per second, and the change against nothing attached.
e2e=$(grep '^E2E ' "$log" | awk '
	{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	  pps[f["cfg"], f["round"]] = f["sent"] / f["seconds"]; cfg[f["cfg"]] = 1; r[f["round"]] = 1 }
	END { for (c in cfg) { m = 0; s = 0; b = 0
		for (x in r) if ((c, x) in pps) { s += pps[c, x]; b += pps["none", x]; m++ }
		printf "%s %.0f %+.1f\n", c, s / m, 100 * (s - b) / b } }' | sort)
status=$(sed -n 's/^STATUS //p' "$log" | head -n 1)
read_line=$(sed -n 's/^READ //p' "$log" | head -n 1)

parent=$(sed -n 's/^PARENT //p' "$log" | head -n 1)

# Hit path against the parent commit's module, per case.
parent_cmp=$(awk "$awk_median"'
	FILENAME ~ /summary$/ { s[$1, $2, $3] = $0; next }
	{ v[$1, $2, $3, $4] = $5; rounds[$4] = 1; cases[$2 " " $3] = 1 }
	END {
		for (k in cases) {
			split(k, kk, " ")
			if (!(("dropmon", kk[1], kk[2]) in s) || !(("dropmon-parent", kk[1], kk[2]) in s)) continue
			split(s["dropmon", kk[1], kk[2]], a, " "); split(s["dropmon-parent", kk[1], kk[2]], b, " ")
			m = 0
			for (r in rounds) if (("dropmon", kk[1], kk[2], r) in v && ("dropmon-parent", kk[1], kk[2], r) in v &&
			    v["dropmon-parent", kk[1], kk[2], r] - v["none", kk[1], kk[2], r] > 0)
				q[++m] = (v["dropmon", kk[1], kk[2], r] - v["none", kk[1], kk[2], r]) / (v["dropmon-parent", kk[1], kk[2], r] - v["none", kk[1], kk[2], r])
			printf "%06d %-5s  dropmon %7.2f (%6.2f..%-6.2f) extra %6.2f   parent %7.2f (%6.2f..%-6.2f) extra %6.2f   extra ratio %.2f, paired %.2f\n",
				kk[1], kk[2], a[4], a[5], a[6], a[7], b[4], b[5], b[6], b[7],
				(b[7] > 0 ? a[7] / b[7] : -1), (m ? median(q, m) : -1)
		}
	}' "$DROPMON_TOP/build/bench-$KREL.summary" "$DROPMON_TOP/build/bench-$KREL.runs" |
	sort | awk '{ k = $1 + 0; $1 = ""; printf "  keys=%-5s%s\n", k, $0 }')

# drop_monitor's packet mode: what its queues dropped, what was sent.
netdm=$(grep '^NETDM ' "$log" | awk "$awk_median"'
	{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
	/ keys=/ { k = f["keys"]; n[k]++; d[k, n[k]] = 100 * f["dropped"] / f["events"]; ev[k] = f["events"] }
	/ phase=/ { p = f["phase"]; np[p]++; mm[p, np[p]] = f["messages"]; ov[p, np[p]] = f["overruns"] }
	END {
		for (k in n) {
			m = n[k]; for (i = 1; i <= m; i++) x[i] = d[k, i]
			med = median(x, m)
			printf "  K=%s: %s events a run; dropped by its queues (NET_DM_ATTR_STATS_DROPPED) %.1f%% (%.1f..%.1f)\n", k, ev[k], med, x[1], x[m]
		}
		for (p in np) {
			m = np[p]; for (i = 1; i <= m; i++) { x[i] = mm[p, i]; y[i] = ov[p, i] }
			med = median(x, m); lo = x[1]; hi = x[m]; mo = median(y, m)
			printf "  messages the listener received, %s phase: %d (%d..%d) an attach, socket overruns %d\n", p, med, lo, hi, mo
		}
	}')

# The claim path: ns per claim (per CPU, mean over CPUs, median over
# rounds), extra over the same run with nothing attached, paired by round.
claim=$(grep '^CLAIM ' "$log" | awk "$awk_median"'
	{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	  cfg = f["tag"]; rnd = cfg; sub(/\.r[0-9]+$/, "", cfg); sub(/.*\.r/, "", rnd)
	  s[cfg, rnd] += f["ns"] / f["iters"]; c[cfg, rnd]++; cfgs[cfg] = 1; rounds[rnd] = 1; N = f["iters"] }
	function ex(c, r) { return s[c, r] / cnt[c, r] - s["none", r] / cnt["none", r] }
	function pair(c1, c2,   r, m, a) { m = 0
		for (r in rounds) if ((c1, r) in s && (c2, r) in s && ("none", r) in s) a[++m] = ex(c1, r) - (c2 == "none" ? 0 : ex(c2, r))
		return m ? median(a, m) : 0 }
	END {
		for (k in c) cnt[k] = c[k]
		printf "claim path: the first event of a new key, %d fresh keys per CPU, each fired once on both CPUs right after the module loads (ns per claim per CPU, median of rounds, min..max; extra over nothing attached, paired by round):\n", N
		split("none dropmon dropmon-nosample dropmon-parent", order, " ")
		desc["none"] = "nothing attached"; desc["dropmon"] = "claim + sample (stack_depth=16, sample_bytes=128)"
		desc["dropmon-nosample"] = "claim, stack_depth=0 sample_bytes=0"; desc["dropmon-parent"] = "claim at the parent, no samples"
		for (o = 1; o <= 4; o++) { cf = order[o]; if (!(cf in cfgs)) continue
			m = 0; e = 0
			for (r in rounds) if ((cf, r) in s) { x[++m] = s[cf, r] / cnt[cf, r]; if (("none", r) in s) d[++e] = ex(cf, r) }
			med = median(x, m)
			printf "  %-16s %10.2f %10.2f..%-10.2f %9.2f  %s\n", cf, med, x[1], x[m], e ? median(d, e) : 0, desc[cf]
			E[cf] = e ? median(d, e) : 0
		}
		printf "  sampling adds (dropmon - dropmon-nosample, paired by round): %.2f ns a claim\n", pair("dropmon", "dropmon-nosample")
		printf "  claim without samples against the parent (dropmon-nosample - dropmon-parent, paired): %.2f ns\n", pair("dropmon-nosample", "dropmon-parent")
		printf "CLAIMX %.2f %.2f %.2f\n", E["dropmon"], E["dropmon-nosample"], E["dropmon-parent"]
	}')
claimx=$(echo "$claim" | sed -n 's/^CLAIMX //p')
claim=$(echo "$claim" | grep -v '^CLAIMX ')
if [ -n "$claimx" ]; then
	hit64=$(awk '$1 == "dropmon" && $2 == 64 && $3 == "all" { print $7 }' "$DROPMON_TOP/build/bench-$KREL.summary")
	ccfg=$(sed -n 's/^CLAIMCFG //p' "$log" | head -n 1)
	unm=$(sed -n 's/^CLAIMSTATUS cfg=check .*stack_unmatched=\([0-9]*\).*/\1/p' "$log" | head -n 1)
	storm=$(echo "$claimx" | awk -v h="${hit64:-0}" '{
		printf "  a storm of new keys, max_keys=1024 claims per CPU per 5 s interval at most: with samples %.0f us = %.4f%% of one CPU, without %.0f us = %.4f%%, at the parent %.0f us = %.4f%%\n",
			1024 * $1 / 1000, 100 * 1024 * $1 / 5e9, 1024 * $2 / 1000, 100 * 1024 * $2 / 5e9, 1024 * $3 / 1000, 100 * 1024 * $3 / 5e9
		if (h > 0) printf "  one claim costs %.0f hits with samples, %.0f without, %.0f at the parent (hit: dropmon K=64 extra %.2f ns)\n", $1 / h, $2 / h, $3 / h, h
	}')
	claim="$claim
  ($ccfg; stack_unmatched=${unm:-?} of 2 x keys in the check run with a 2 s interval: the stride locations are no call sites, so each stack walk is a full one)
$storm"
fi

# The table.
{
	echo "dropmon benchmark, $date, kernel $KREL, qemu TCG thread=multi, 2 vCPUs on: $cpu"
	echo "ns per event per CPU (median of $rounds rounds, min..max); extra = over nothing attached, paired by round; xempty = extra / empty probe's extra"
	echo "TCG numbers: compare ratios within this run only."
	nerr=$(grep -c '^BENCHERR' "$log" || true)
	[ "$nerr" = 0 ] ||
		echo "left out: $nerr round(s) where a configuration failed to start ($(grep '^BENCHERR' "$log" | cut -c10-60 | sort -u | tr '\n' ' '))"
	echo
	# The config column: 13 wide as ever, wider for a longer name.
	w=$(awk '{ if (length($1) > w) w = length($1) } END { print (w > 13 ? w : 13) }' "$DROPMON_TOP/build/bench-$KREL.summary")
	printf "%-${w}s %-6s %-5s %10s %21s %9s %8s\n" config keys cpus median 'min..max' extra xempty
	awk -v w="$w" '{ e[$2, $3] = ($1 == "empty") ? $7 : e[$2, $3]; l[NR] = $0 }
		END { for (i = 1; i <= NR; i++) { split(l[i], f, " ")
			x = e[f[2], f[3]] > 0 ? sprintf("%.2f", f[7] / e[f[2], f[3]]) : "-"
			printf "%-" w "s %-6s %-5s %10.2f %10.2f..%-10.2f %9.2f %8s\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7], x } }' \
		"$DROPMON_TOP/build/bench-$KREL.summary" | sort -k2,2n -k3,3 -k1,1
	if grep -q '^dropmon-parent ' "$DROPMON_TOP/build/bench-$KREL.summary"; then
		echo
		echo "hit path: dropmon against dropmon-parent (the module of $parent, loaded from its own file), this run; extra ratio = dropmon's extra / the parent's, of the medians and paired by round:"
		echo "$parent_cmp"
	fi
	if [ -n "$netdm" ]; then
		echo
		echo "drop_monitor packet mode (drop_monitor-pkt: a clone of every dropped skb, cut to 128 bytes, queue_len 1000 per CPU, one listener on the NET_DM group), per run, median (min..max) over rounds:"
		echo "$netdm"
	fi
	if [ -n "$claim" ]; then
		echo
		echo "$claim"
	fi
	echo
	echo "end to end, UDP flood to a closed port from both CPUs (packets/s, change vs nothing attached):"
	echo "$e2e" | awk '{ printf "  %-13s %12s pps %6s%%\n", $1, $2, $3 }'
	echo
	echo "dropmon with a full table (max_keys=1024 keys on every CPU):"
	echo "  $status" | tr ' ' '\n' | grep -E 'merge_ns_max|table_bytes|accumulator_bytes|snapshot_bytes|slot_bytes|row_bytes|possible_cpus|stats_keys|totals_keys' | sed 's/^/  /'
	echo "  read of stats with a full table ($read_line)"
	echo
	echo "targets (dropmon's extra cost; the two dropmon-over-dropmon ratios paired by round):"
	echo "$targets" | awk '
	BEGIN {
		d["xempty_k1_1cpu"] = "<= 3x the empty probe, K=1, 1 CPU";	lim["xempty_k1_1cpu"] = 3
		d["xempty_k1_all"] = "<= 3x the empty probe, K=1, all CPUs";	lim["xempty_k1_all"] = 3
		d["xempty_k64"] = "<= 3x the empty probe, K=64";		lim["xempty_k64"] = 3
		d["xdrop_monitor_k1_1cpu"] = "below drop_monitor, K=1, 1 CPU";	lim["xdrop_monitor_k1_1cpu"] = 0.999
		d["xdrop_monitor_k1_all"] = "below drop_monitor, K=1, all CPUs"; lim["xdrop_monitor_k1_all"] = 0.999
		d["xdrop_monitor_k64"] = "<= 1/2 of drop_monitor, K=64";	lim["xdrop_monitor_k64"] = 0.5
		d["xbpftrace_k64"] = "<= 1/10 of bpftrace, K=64";		lim["xbpftrace_k64"] = 0.1
		d["all_over_1cpu_k1"] = "K=1: all CPUs <= 1.2x one CPU";	lim["all_over_1cpu_k1"] = 1.2
		d["overflow_over_hit"] = "overflow (K=4096) <= 1.5x a hit (K=64)"; lim["overflow_over_hit"] = 1.5
	}
	{ printf "  %-42s %6s  %s\n", d[$1], $2, ($2 >= 0 && $2 + 0 <= lim[$1]) ? "met" : "MISSED" }'
} | tee "$DROPMON_TOP/build/bench-$KREL.txt"

# The JSON.
{
	printf '{"date":"%s","kernel":"%s","machine":"qemu TCG thread=multi, 2 vCPUs","host_cpu":"%s","rounds":%s,"cases":[' \
		"$date" "$KREL" "$cpu" "$rounds"
	awk '{ printf "%s{\"config\":\"%s\",\"keys\":%s,\"cpus\":\"%s\",\"median_ns\":%s,\"min_ns\":%s,\"max_ns\":%s,\"extra_ns\":%s,\"rounds\":%s}", (NR > 1 ? "," : ""), $1, $2, $3, $4, $5, $6, $7, $8 }' \
		"$DROPMON_TOP/build/bench-$KREL.summary"
	printf '],"e2e":['
	echo "$e2e" | awk '{ printf "%s{\"config\":\"%s\",\"pps\":%s,\"change_pct\":%s}", (NR > 1 ? "," : ""), $1, $2, $3 + 0 }'
	printf '],"status":{'
	echo "$status" | tr ' ' '\n' | grep '=' | awk -F= '{ printf "%s\"%s\":\"%s\"", (NR > 1 ? "," : ""), $1, $2 }'
	printf '},"read":"%s","targets":{' "$read_line"
	echo "$targets" | awk '{ printf "%s\"%s\":%s", (NR > 1 ? "," : ""), $1, $2 }'
	printf '}}\n'
} >"$json"
dm_log "wrote $json"
