#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-guest half of `make bench` (tests/bench.sh boots it with TCG
# thread=multi for real parallelism).  Prints machine-readable lines that
# the host turns into the table:
#   BENCH tag=CFG.rROUND keys=K cpus=C iters=I cpu=N ns=T   (per CPU)
#   E2E cfg=CFG round=R sent=N seconds=S
#   STATUS key=value ...                                     (dropmon's)
#   READ bytes=B ns=T
#   NETDM tag=CFG.rROUND keys=K cpus=C events=E dropped=D   (packet mode)
#   NETDM tag=CFG.rROUND phase=bench|e2e messages=M bytes=B overruns=O
#   CLAIM tag=CFG.rROUND keys=N cpus=C iters=N cpu=N ns=T    (per CPU)
#   CLAIMCFG / CLAIMSTATUS / SAMPLES ...                     (the claim runs')
# Probes are attached and detached only while no event is being fired:
# qemu 7.2's multi-threaded TCG oopses guests when kernel code is patched
# under traffic.

ROUNDS=$(sed -n 's/.*dmrounds=\([0-9]*\).*/\1/p' /proc/cmdline)
ROUNDS=${ROUNDS:-11}
ITERS=200000
M=/lib/modules
PORT=9
CONFIGS="none empty dropmon dropmon-parent drop_monitor drop_monitor-pkt bpftrace"
CASES="1:0 64:0 4096:0 1:1"	# keys:cpus (cpus=0: all online)
PKT_CASES="64:0"		# drop_monitor's packet mode: K=64 only
# The claim path: each of CLAIM_WARM + N fresh keys (core kernel text,
# 8 bytes apart) fired once per CPU, N timed, right after the module
# loads with an interval no run reaches; N is min(512, sample_cap -
# CLAIM_WARM) so that every claim also samples.
CLAIM_CONFIGS="none dropmon dropmon-nosample dropmon-parent"
CLAIM_WARM=32
CLAIM_IVL=3600000

if grep -q reason /sys/kernel/tracing/events/skb/kfree_skb/format; then
	BT='tracepoint:skb:kfree_skb { @[args->location, args->reason] = count(); }'
else
	BT='tracepoint:skb:kfree_skb { @[args->location] = count(); }'
fi

attach() {
	case $1 in
	empty) insmod $M/dmempty.ko || echo "BENCHERR dmempty did not load" ;;
	dropmon) insmod $M/dropmon.ko || echo "BENCHERR dropmon did not load" ;;
	dropmon-parent) insmod $M/dropmon-parent.ko || echo "BENCHERR dropmon-parent did not load" ;;
	drop_monitor) dmgen netdm start ;;
	drop_monitor-pkt)
		# A listener of the NET_DM group, so that the clones really go
		# out over netlink, then packet mode cut to 128 bytes, queue
		# length left at its default (1000 per CPU).
		: >/tmp/nl.err
		dmgen netdm listen 3600 >/tmp/nl.out 2>/tmp/nl.err &
		NLPID=$!
		i=0
		while ! grep -q ready /tmp/nl.err && [ $i -lt 100 ]; do
			usleep 100000
			i=$((i + 1))
		done
		grep -q ready /tmp/nl.err ||
			echo "BENCHERR drop_monitor-pkt: no listener: $(head -c 300 /tmp/nl.err)"
		dmgen netdm start packet 128 || TAG=drop_monitor-pkt-failed
		;;
	bpftrace)
		# Under TCG, bpftrace's LLVM compile takes tens of seconds.
		t0=$(date +%s)
		bpftrace -e "$BT" >/tmp/bt.out 2>&1 &
		BTPID=$!
		i=0
		while ! grep -q Attaching /tmp/bt.out && [ $i -lt 3000 ]; do
			usleep 100000
			i=$((i + 1))
		done
		sleep 2
		if grep -q Attaching /tmp/bt.out; then
			echo "bench: bpftrace attached in $(($(date +%s) - t0)) s"
		else
			echo "BENCHERR bpftrace did not attach in 300 s: $(head -c 300 /tmp/bt.out)"
			TAG=bpftrace-failed
		fi
		;;
	esac
}

# SIGINT, then at most 30 s for it to exit, then SIGKILL: never hang here.
stop_bpftrace() {
	kill -INT $BTPID 2>/dev/null
	i=0
	while kill -0 $BTPID 2>/dev/null && [ $i -lt 300 ]; do
		usleep 100000
		i=$((i + 1))
	done
	kill -KILL $BTPID 2>/dev/null
	wait $BTPID 2>/dev/null
}

detach() {
	case $1 in
	empty) rmmod dmempty ;;
	dropmon | dropmon-parent) rmmod dropmon ;;	# both are named dropmon
	drop_monitor) dmgen netdm stop ;;
	drop_monitor-pkt)
		# The queued clones go out within a second.
		sleep 1
		dmgen netdm stop
		kill -TERM $NLPID 2>/dev/null
		wait $NLPID 2>/dev/null
		echo "NETDM tag=$TAG.r$r phase=$PHASE $(sed 's/^netdm listen: //' /tmp/nl.out)"
		;;
	bpftrace) stop_bpftrace ;;
	esac
}

netdm_dropped() { dmgen netdm stats | sed 's/^dropped=//'; }

# The list of configurations rotated by $1 places.
rotate() {
	n=$1
	set -- $CONFIGS
	while [ "$n" -gt 0 ]; do
		first=$1
		shift
		set -- "$@" "$first"
		n=$((n - 1))
	done
	echo "$@"
}

insmod $M/drop_monitor.ko
dmesg -c >/dev/null
echo "PARENT $(cat /etc/dropmon-parent)"
PHASE=bench
r=1
while [ $r -le "$ROUNDS" ]; do
	for cfg in $(rotate $((r - 1))); do
		TAG=$cfg
		attach $cfg
		cases=$CASES
		[ $cfg = drop_monitor-pkt ] && cases=$PKT_CASES
		for c in $cases; do
			echo "bench: round $r $cfg keys=${c%:*} cpus=${c#*:}"
			[ $cfg = drop_monitor-pkt ] && d0=$(netdm_dropped)
			insmod $M/dmbench.ko tag=$TAG.r$r keys=${c%:*} cpus=${c#*:} iters=$ITERS
			rmmod dmbench
			out=$(dmesg -c | grep -o 'BENCH .*')
			echo "$out"
			[ $cfg = drop_monitor-pkt ] &&
				echo "NETDM tag=$TAG.r$r keys=${c%:*} cpus=$(echo "$out" | grep -c .) events=$((ITERS * $(echo "$out" | grep -c .))) dropped=$(($(netdm_dropped) - d0))"
		done
		detach $cfg
	done
	echo "round $r of $ROUNDS done"
	r=$((r + 1))
done

# The claim path.  Each run loads its module afresh (empty tables), fires
# CLAIM_WARM + N new keys once per CPU and unloads it.
insmod $M/dropmon.ko interval_ms=$CLAIM_IVL
cap=$(sed -n 's/^sample_cap=//p' /sys/kernel/debug/dropmon/status)
rmmod dropmon
N=$((cap - CLAIM_WARM))
[ $N -gt 512 ] && N=512
echo "CLAIMCFG sample_cap=$cap n=$N warm=$CLAIM_WARM interval_ms=$CLAIM_IVL stride=8"
claim_load() {
	case $1 in
	dropmon) insmod $M/dropmon.ko interval_ms=$2 ;;
	dropmon-nosample) insmod $M/dropmon.ko interval_ms=$2 stack_depth=0 sample_bytes=0 ;;
	dropmon-parent) insmod $M/dropmon-parent.ko interval_ms=$2 ;;
	none) return 0 ;;
	esac || echo "BENCHERR claim: $1 did not load"
}
claim_run() {
	insmod $M/dmbench.ko tag=$1 keys=$((CLAIM_WARM + N)) warm=$CLAIM_WARM once=1 stride=8 cpus=0
	rmmod dmbench
}
CONFIGS_MAIN=$CONFIGS
CONFIGS=$CLAIM_CONFIGS
r=1
while [ $r -le "$ROUNDS" ]; do
	for cfg in $(rotate $((r - 1))); do
		claim_load $cfg $CLAIM_IVL
		claim_run $cfg.r$r
		dmesg -c | grep -o 'BENCH .*' | sed 's/^BENCH /CLAIM /'
		if [ $cfg != none ]; then
			[ $r = 1 ] && echo "CLAIMSTATUS cfg=$cfg $(grep -E '^(sample_cap|stack_depth|sample_bytes|rotations|stack_unmatched)=' /sys/kernel/debug/dropmon/status | tr '\n' ' ')"
			rmmod dropmon
		fi
	done
	r=$((r + 1))
done
CONFIGS=$CONFIGS_MAIN
# Once: the same claims with a short interval, to see them sampled.
hseq() { sed -n 's/.* seq=\([0-9]*\) .*/\1/p' /sys/kernel/debug/dropmon/$1 | head -n 1; }
claim_load dropmon 2000
claim_run check
dmesg -c >/dev/null
i=0
while s=$(hseq samples); [ "${s:-0}" = 0 ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
echo "SAMPLES $(head -n 1 /sys/kernel/debug/dropmon/samples)"
head -n 40 /sys/kernel/debug/dropmon/samples | sed 's/^/SAMPLES /'
echo "CLAIMSTATUS cfg=check $(grep -E '^(rotations|stack_unmatched|sample_alloc_failures)=' /sys/kernel/debug/dropmon/status | tr '\n' ' ')"
rmmod dropmon

# End to end: a UDP flood to a closed port from every CPU, each
# configuration paired with a run with nothing attached.
PHASE=e2e
r=1
while [ $r -le "$ROUNDS" ]; do
	for cfg in $(rotate $((r - 1))); do
		TAG=$cfg
		attach $cfg
		dmgen -c 0 flood 2 $PORT >/tmp/f0 &
		a=$!
		dmgen -c 1 flood 2 $PORT >/tmp/f1 &
		b=$!
		wait $a $b
		detach $cfg
		echo "E2E cfg=$TAG round=$r sent=$(($(sed 's/.*sent=//' /tmp/f0) + $(sed 's/.*sent=//' /tmp/f1))) seconds=2"
	done
	r=$((r + 1))
done

# The worker and the reader with a full table (max_keys rows): the fill
# takes milliseconds, so it lands in one interval, whose snapshot (stats)
# then holds max_keys rows; it is read while it is still the newest.
hkeys() { head -n 1 /sys/kernel/debug/dropmon/$1 | sed 's/.* keys=\([0-9]*\) .*/\1/'; }
insmod $M/dropmon.ko
try=0
r="no full snapshot after 5 tries"
while [ $try -lt 5 ]; do
	s=$(hseq stats)
	insmod $M/dmbench.ko tag=fill keys=1024 cpus=0 iters=20000
	rmmod dmbench
	while [ "$(hseq stats)" -le "$s" ]; do usleep 100000; done
	s=$(hseq stats)
	[ "$(hkeys stats)" = 1024 ] || { try=$((try + 1)); continue; }
	r=$(dmgen readtime /sys/kernel/debug/dropmon/stats 20 | sed 's/readtime: //')
	[ "$(hseq stats)" = "$s" ] && break
	try=$((try + 1))
done
echo "STATUS $(tr '\n' ' ' </sys/kernel/debug/dropmon/status) stats_keys=$(hkeys stats) totals_keys=$(hkeys totals)"
echo "READ stats_keys=$(hkeys stats) $r"
rmmod dropmon
rmmod drop_monitor
