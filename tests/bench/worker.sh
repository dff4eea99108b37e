#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-guest half of tests/bench-worker.sh: dropmon's worker at full
# scale.  For each max_keys of $WSETTINGS (kernel command line
# dmwsettings=, default "1024 65536"), dmbench fires keys=max_keys
# distinct locations from every online CPU for a few seconds, so that
# every CPU's table fills each interval; dropmon runs with
# interval_ms=max(100, max_keys / 16), the shortest the module accepts (and, as the control, 3600000: the same storm, no
# rotation).  Prints machine-readable lines:
#   WSTATUS mk=K ...            status, sampled every 0.5 s during a storm
#   WREAD mk=K file=F when=W bytes=B ns=T keys=N
#   WSPIN mk=K phase=P cpu=C ...   dmgen spin's line, per CPU
#   WROT mk=K seconds=S rotations=N   rotations during a storm
#   WSTORM mk=K phase=P BENCH ...      dmbench's line, per CPU
# Nothing is loaded or unloaded while an event fires, so TCG thread=multi
# is safe: the probe is attached before a storm and detached after it.

M=/lib/modules
D=/sys/kernel/debug/dropmon
SECS=$(sed -n 's/.*dmwsecs=\([0-9]*\).*/\1/p' /proc/cmdline)
SECS=${SECS:-12}
WSETTINGS=$(sed -n 's/.*dmwsettings=\([0-9,]*\).*/\1/p' /proc/cmdline | tr , ' ')
WSETTINGS=${WSETTINGS:-1024 65536}
STRIDE=8
NCPU=$(nproc)

st() { sed -n "s/^$1=//p" $D/status; }
keys_of() { head -n 1 $D/$1 | sed 's/.* keys=\([0-9]*\) .*/\1/'; }

storm() {	# max_keys seconds: fire in the background
	insmod $M/dmbench.ko tag=storm keys=$1 cpus=0 seconds=$2 stride=$STRIDE &
	STORM=$!
}

storm_wait() {
	wait $STORM
	rmmod dmbench
	dmesg -c | grep -o 'BENCH .*' | sed "s/^/WSTORM mk=$MK phase=$1 /"
}

spinners() {	# seconds: one spinner pinned to each CPU
	c=0
	SPINS=
	while [ $c -lt "$NCPU" ]; do
		dmgen -c $c spin $1 >/tmp/spin.$c &
		SPINS="$SPINS $!"
		c=$((c + 1))
	done
}

spinners_report() {	# phase
	wait $SPINS
	c=0
	while [ $c -lt "$NCPU" ]; do
		echo "WSPIN mk=$MK phase=$1 cpu=$c $(sed 's/^spin: //' /tmp/spin.$c)"
		c=$((c + 1))
	done
}

readtimes() {	# when
	for f in stats totals; do
		r=$(dmgen readtime $D/$f 3 | sed 's/readtime: //')
		echo "WREAD mk=$MK file=$f when=$1 $r keys=$(keys_of $f)"
	done
}

echo "worker bench: kernel $(uname -r), $NCPU CPUs, settings: $WSETTINGS, storms of $SECS s"
dmesg -c >/dev/null

# The floor: what a busy process sees with nothing else running.
MK=none
spinners 3
spinners_report idle

for MK in $WSETTINGS; do
	# The control: the same storm, interval_ms=3600000 (no rotation).
	insmod $M/dropmon.ko max_keys=$MK interval_ms=3600000
	storm $MK $SECS
	sleep 2
	spinners $((SECS - 4))
	spinners_report norotate
	storm_wait norotate
	rmmod dropmon

	# The shortest interval the module accepts for this max_keys.
	IV=$((MK / 16 > 100 ? MK / 16 : 100))
	insmod $M/dropmon.ko max_keys=$MK interval_ms=$IV
	# The worker's own cost: storm, no spinners, status every 0.5 s,
	# then reads while the storm still fills every interval.
	storm $MK $((SECS + 8))
	sleep 1
	r0=$(st rotations)
	i=0
	while [ $i -lt $((2 * (SECS - 4))) ]; do
		echo "WSTATUS mk=$MK t=$i $(grep -E '^(rotations|rotate_ns_last|merge_ns_last|merge_ns_max|table_bytes|alloc_failures)=' $D/status | tr '\n' ' ')"
		usleep 500000
		i=$((i + 1))
	done
	r1=$(st rotations)
	echo "WROT mk=$MK seconds=$((SECS - 4)) rotations=$((r1 - r0))"
	readtimes storm
	storm_wait status
	echo "WSTATUSEND mk=$MK $(tr '\n' ' ' <$D/status)"
	# Scheduling delays while the worker rotates full tables.
	storm $MK $SECS
	sleep 2
	spinners $((SECS - 4))
	spinners_report rotate
	storm_wait rotate
	sleep 1
	readtimes quiet
	rmmod dropmon
done
dmesg | grep -E 'WARNING|BUG|stall|hung|Oops' | head -n 5 | sed 's/^/WDMESG /'
echo "worker bench: done"
