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
# Probes are attached and detached only while no event is being fired:
# qemu 7.2's multi-threaded TCG oopses guests when kernel code is patched
# under traffic.

ROUNDS=$(sed -n 's/.*dmrounds=\([0-9]*\).*/\1/p' /proc/cmdline)
ROUNDS=${ROUNDS:-11}
ITERS=200000
M=/lib/modules
PORT=9
CONFIGS="none empty dropmon drop_monitor bpftrace"
CASES="1:0 64:0 4096:0 1:1"	# keys:cpus (cpus=0: all online)

if grep -q reason /sys/kernel/tracing/events/skb/kfree_skb/format; then
	BT='tracepoint:skb:kfree_skb { @[args->location, args->reason] = count(); }'
else
	BT='tracepoint:skb:kfree_skb { @[args->location] = count(); }'
fi

attach() {
	case $1 in
	empty) insmod $M/dmempty.ko ;;
	dropmon) insmod $M/dropmon.ko ;;
	drop_monitor) dmgen netdm start ;;
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
	dropmon) rmmod dropmon ;;
	drop_monitor) dmgen netdm stop ;;
	bpftrace) stop_bpftrace ;;
	esac
}

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
r=1
while [ $r -le "$ROUNDS" ]; do
	for cfg in $(rotate $((r - 1))); do
		TAG=$cfg
		attach $cfg
		for c in $CASES; do
			echo "bench: round $r $cfg keys=${c%:*} cpus=${c#*:}"
			insmod $M/dmbench.ko tag=$TAG.r$r keys=${c%:*} cpus=${c#*:} iters=$ITERS
			rmmod dmbench
			dmesg -c | grep -o 'BENCH .*'
		done
		detach $cfg
	done
	echo "round $r of $ROUNDS done"
	r=$((r + 1))
done

# End to end: a UDP flood to a closed port from every CPU, each
# configuration paired with a run with nothing attached.
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
hseq() { sed -n 's/.* seq=\([0-9]*\) .*/\1/p' /sys/kernel/debug/dropmon/$1 | head -n 1; }
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
