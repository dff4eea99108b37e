#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dropmon's in-guest suite, the same on every kernel.  Each check prints
# "PASS: name" or "FAIL: name: expected X, saw Y".  Run as:
#   sh /suite.sh main       everything; boot with TCG thread=single
#   sh /suite.sh parallel   exact counting from both CPUs; thread=multi
#   sh /suite.sh smoke      the module as DKMS installed it, via modprobe
#   sh /suite.sh sig        module.sig_enforce=1: signed loads, the rest refused
#   sh /suite.sh stress     reload under storm, readers, netns churn (single)
#   sh /suite.sh accounting exact counts across rotations from both CPUs (multi)
#   sh /suite.sh faults     allocation failures in load, rotation and reads
#   sh /suite.sh memory     256 possible CPUs: the memory budget (possible_cpus=256)
#   sh /suite.sh demo       the demo's output, no checks
#   sh /suite.sh selftest   planted inputs that the suite's own checks must fail

D=/sys/kernel/debug/dropmon
KO=/lib/modules/dropmon.ko
PORT=9			# nothing listens on the discard port
N=500
IP=/usr/sbin/ip		# iproute2; busybox's ip lacks netns and veth

# Every check leaves a line in $CHECKS as well, also from subshells: the
# suite's last line says how many ran, and tests/vm.sh requires at least
# the suite's minimum, so a suite that died part-way cannot pass.
CHECKS=/tmp/dropmon-checks
pass() { echo "PASS: $1"; echo P >>$CHECKS; }
fail() { echo "FAIL: $1: $2"; echo F >>$CHECKS; }
check_eq() {	# name expected seen
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', saw '$3'"; fi
}
check_match() {	# name ERE seen
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then pass "$1"
	else fail "$1" "expected a match for /$2/, saw '$3'"; fi
}
check_rc() {	# name expected-rc command...
	name=$1 want=$2
	shift 2
	"$@" >/tmp/rc.out 2>&1
	rc=$?
	if [ "$rc" = "$want" ]; then pass "$name"
	else fail "$name" "expected exit $want, saw $rc: $(head -c 200 /tmp/rc.out)"; fi
}

# The kernel's differences, read from the kernel itself.
if grep -q ' __udp4_lib_rcv$' /proc/kallsyms; then U4=__udp4_lib_rcv; else U4=udp_rcv; fi
if grep -q ' __udp6_lib_rcv$' /proc/kallsyms; then U6=__udp6_lib_rcv; else U6=udpv6_rcv; fi
if grep -q reason /sys/kernel/tracing/events/skb/kfree_skb/format 2>/dev/null; then
	NOSOCK=NO_SOCKET
else
	NOSOCK=-
fi
ROOTNS=$(readlink /proc/self/ns/net | tr -dc 0-9)
# The kernel's version as major x 1000 + minor: 6.12 is 6012.
KV=$(uname -r | awk -F'[.-]' '{ print $1 * 1000 + $2 }')
# Drops in process context (dmgen netlink and unixqueue): no device
# (dev '-'), protocol 0, freed in a syscall, where a kernel that
# runs tracepoint probes preemptible (7.x: SRCU-fast) runs dropmon's
# probe with preemption on.  netlink_unicast() frees a message to a port
# id no socket holds, unix_release_sock() the datagrams queued on a
# receiver closed unread (6.1: NOT_SPECIFIED, 6.12 on: SOCKET_CLOSE).
# Their locations are matched on the symbol without its offset, allowing
# for the compiler inlining either into its caller or cloning it
# (.isra.0, .constprop.0), so that a kernel built another way still
# counts them; each must still land at one location.
NLPID=2147483646
# Their netns: a unix datagram keeps its sender's socket in skb->sk, so
# it counts under that socket's netns (probe.c, dropmon_sock_dev()); a
# netlink message refused in netlink_unicast() has no skb->sk, and the
# tracepoint names no socket: netns 0.
UX_NS=$ROOTNS
NL_NS=0
NL_RE='^netlink_(unicast|sendmsg)(\.[a-z]+\.[0-9]+)*$'
UX_RE='^unix_(release_sock|release)(\.[a-z]+\.[0-9]+)*$'
# The interval of the main suite: polling every snapshot needs it to be
# well above what one poll costs, which KASAN and lockdep multiply.
case $(uname -r) in
*-dropmon-debug) INT=3000 ;;
*) INT=500 ;;
esac
# The totals tests do a veth pair, frames and a snapshot pair an
# interval: 1.5 s is ample on the distro kernels, not under KASAN, where
# 5 s missed an interval in two of three CI runs (df25bf8; the cold run
# of db17fe4, at its third interval): the veth's deletion waits for RCU.
case $(uname -r) in
*-dropmon-debug) TK_DEFAULT=10000 ;;
*) TK_DEFAULT=1500 ;;
esac

load() { insmod "$KO" "$@"; }
unload() { rmmod dropmon; }

# Copy one view once: every helper below reads the same snapshot.
snap() { cat "$D/$1" >"/tmp/$1"; }
hdr() { head -n 1 "/tmp/$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# Sum of the counts of matching rows in the copied view $1:
#   sum VIEW SYMBOL REASON DEV PROTO [NETNS]   (SYMBOL or REASON "*": any)
sum() {
	awk -F'\t' -v s="$2" -v r="$3" -v d="$4" -v p="$5" -v n="$6" '
		/^#/ { next }
		(s == "*" || index($3, s "+") == 1) && (r == "*" || $5 == r) &&
		$6 == d && $8 == p && (n == "" || $7 == n) { c += $1 }
		END { print c + 0 }' "/tmp/$1"
}

# Sum of the counts of the process-context rows (dev '-', netns NETNS,
# default 0, protocol 0x0000) whose symbol without its offset matches ERE:
#   psum VIEW ERE [NETNS]
psum() {
	awk -F'\t' -v re="$2" -v ns="${3:-0}" '/^#/ { next }
		{ s = $3; sub(/\+.*/, "", s) }
		s ~ re && $6 == "-" && $7 == ns && $8 == "0x0000" { c += $1 }
		END { print c + 0 }' "/tmp/$1"
}
# The symbols (without offset) of those rows, one line, sorted.
#   psyms VIEW ERE [NETNS]
psyms() {
	awk -F'\t' -v re="$2" -v ns="${3:-0}" '/^#/ { next }
		{ s = $3; sub(/\+.*/, "", s) }
		s ~ re && $6 == "-" && $7 == ns && $8 == "0x0000" { print s }' "/tmp/$1" |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}

# "ok ok" when sum(count) + lost + evicted == drops and rows == keys in view $1.
invariant() { invariant_of "/tmp/$1"; }
# "noheader" when the file lacks either header line (an empty file too).
invariant_of() {
	awk -F'\t' '
		NR == 1 { if ($0 !~ /^# dropmon format=2 seq=[0-9]+ interval_ms=[0-9]+ start_ns=[0-9]+ end_ns=[0-9]+ keys=[0-9]+ drops=[0-9]+ lost=[0-9]+ evicted=[0-9]+$/)
				bad = 1
			  for (i = 1; i <= split($0, h, " "); i++) {
				split(h[i], kv, "="); H[kv[1]] = kv[2] }
			  next }
		NR == 2 { if ($0 != "# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto")
				bad = 1
			  next }
		{ s += $1; n++ }
		END { if (bad || NR < 2) { print "noheader"; exit }
		      a = (s + H["lost"] + H["evicted"] == H["drops"]) ? "ok" : "sum=" s "+lost=" H["lost"] "+evicted=" H["evicted"] "!=drops=" H["drops"]
		      b = (n == H["keys"]) ? "ok" : "rows=" n "!=keys=" H["keys"]
		      print a, b }' "$1"
}

# Wait until view $1 has seq >= $2 (at most $3 s, default 30).
wait_seq() {
	i=0
	while snap "$1" && [ "$(hdr "$1" seq)" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -gt $((${3:-30} * 10)) ] && return 1
		usleep 100000
	done
}

# Wait until everything sent so far is in the totals: two more intervals.
settle() {
	snap totals
	wait_seq totals $(($(hdr totals seq) + 2)) || fail settle "expected totals seq to advance, saw $(hdr totals seq)"
}

# What a kernel says when something went wrong: oopses, warnings,
# lockdep and RCU reports, stalls, hung tasks, the OOM killer, UBSAN, a
# kmemleak that turned itself off and SLUB's "BUG kmalloc-64 (...)".  tests/vm.sh greps the console for the
# same line.
DM_BAD_RE='Kernel panic|Oops|BUG:|WARNING:|general protection|sleeping function called from invalid context|suspicious RCU usage|circular locking|rcu: INFO:|detected stall|stalls on CPU|INFO: task .* blocked for more than|Out of memory|oom-kill|invoked oom-killer|UBSAN:|kmemleak: .*disabled|BUG [a-z0-9_-]+ \('

check_dmesg() {	# name
	if ! dmesg >/tmp/dmesg.now 2>&1 || [ ! -s /tmp/dmesg.now ]; then
		fail "$1: dmesg clean" "expected dmesg to read the kernel log, saw '$(head -c 200 /tmp/dmesg.now)'"
		return
	fi
	bad=$(grep -E "$DM_BAD_RE" /tmp/dmesg.now | head -n 3)
	check_eq "$1: dmesg clean" "" "$bad"
}

# The kernel log after a marker, instead of wiping it with dmesg -c: a
# wiped report is lost to every later check (lockdep reports only its
# first splat).
DM_MARK=0
dmesg_mark() {
	DM_MARK=$((DM_MARK + 1))
	echo "dropmon-test: mark $DM_MARK" >/dev/kmsg
}
dmesg_since() { dmesg | sed -n "/dropmon-test: mark $DM_MARK\$/,\$p"; }

# The taint bits that loading dropmon itself sets: O (out-of-tree, 4096)
# and E (unsigned, 8192).
DM_TAINT_OK=$((4096 | 8192))

# The end of every suite: the boot as a whole stayed clean (dmesg, taint,
# lockdep still on), then one line with the number of checks.  Exits 1 if
# any check failed.
suite_done() {	# suite
	check_dmesg "$1: end of suite"
	t=$(cat /proc/sys/kernel/tainted)
	check_eq "$1: no taint beyond dropmon's own O and E (tainted=$t)" 0 $((t & ~DM_TAINT_OK))
	if [ -f /proc/lockdep_stats ]; then
		check_match "$1: lockdep still on (debug_locks: 1)" '^ *debug_locks: *1$' \
			"$(grep debug_locks /proc/lockdep_stats)"
	fi
	n=$(wc -l <$CHECKS)
	f=$(grep -c F $CHECKS)
	echo "DROPMON-SUITE-DONE suite=$1 checks=$n failed=$f"
	[ "$f" = 0 ]
}

# --- load, format, exclusive loading -----------------------------------
t_format() {
	check_rc "load" 0 load interval_ms=3600000
	check_eq "stats mode" 400 "$(stat -c %a $D/stats)"
	check_eq "totals mode" 400 "$(stat -c %a $D/totals)"
	check_eq "samples mode" 400 "$(stat -c %a $D/samples)"
	check_eq "samples_totals mode" 400 "$(stat -c %a $D/samples_totals)"
	for v in samples samples_totals; do
		check_eq "$v at seq 0: the header alone" "# dropmon-samples format=1 seq=0 keys=0 unsampled=0" \
			"$(cat $D/$v | tr '\n' '|' | sed 's/|$//')"
	done
	for v in stats totals; do
		snap $v
		check_match "$v header at seq 0" \
			'^# dropmon format=2 seq=0 interval_ms=3600000 start_ns=[0-9]+ end_ns=[0-9]+ keys=0 drops=0 lost=0 evicted=0$' \
			"$(head -n 1 /tmp/$v)"
		check_eq "$v column header" "$(printf '# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto')" \
			"$(sed -n 2p /tmp/$v)"
		check_eq "$v has no rows" 2 "$(wc -l </tmp/$v)"
	done
	check_eq "params visible" "1024 3600000" \
		"$(cat /sys/module/dropmon/parameters/max_keys) $(cat /sys/module/dropmon/parameters/interval_ms)"
	insmod "$KO" >/tmp/twice 2>&1
	check_eq "second load refused" "17 File exists" "$? $(grep -o 'File exists' /tmp/twice)"
	check_eq "still loaded once" 1 "$(grep -c '^dropmon ' /proc/modules)"
	unload
	# Nothing at all is left, not even an empty directory.
	check_eq "unloaded: $D is gone" "absent" \
		"$(if [ -e $D ] || [ -L $D ]; then ls -la $D 2>&1 | tr '\n' ' ' | head -c 200; else echo absent; fi)"
	check_dmesg format
}

# --- parameters ----------------------------------------------------------
t_params() {
	for p in max_keys=15 max_keys=65537 max_keys=0 max_keys=-1 max_keys=abc \
		 max_keys=99999999999 interval_ms=99 interval_ms=3600001 \
		 interval_ms=0 interval_ms=1x; do
		name=${p%%=*} val=${p#*=}
		case $name in
		max_keys) range="16 to 65536" ;;
		*) range="100 to 3600000" ;;
		esac
		dmesg_mark
		load "$p" >/tmp/ins 2>&1
		rc=$?
		# busybox insmod exits with the errno: 22 is EINVAL.
		check_eq "refuse $p" "rc=22 Invalid argument" \
			"rc=$rc $(grep -o 'Invalid argument' /tmp/ins)"
		check_eq "refuse $p: message" \
			"dropmon: $name=$val is invalid: it must be a number from $range" \
			"$(dmesg_since | grep -o "dropmon: $name=.*" | head -n 1)"
		grep -q '^dropmon ' /proc/modules && unload
	done
	for p in max_keys=16 max_keys=65536 interval_ms=100 interval_ms=3600000; do
		check_rc "accept $p" 0 load "$p"
		unload
	done
	# The worker keeps up only with interval_ms >= max_keys / 16.
	dmesg_mark
	load max_keys=65536 interval_ms=4095 >/tmp/ins 2>&1
	check_eq "refuse max_keys=65536 interval_ms=4095" "rc=22 Invalid argument" \
		"rc=$? $(grep -o 'Invalid argument' /tmp/ins)"
	check_eq "refuse max_keys=65536 interval_ms=4095: message" \
		"dropmon: interval_ms=4095 is too short for max_keys=65536: the worker needs interval_ms of at least max_keys / 16 = 4096 to keep up" \
		"$(dmesg_since | grep -o "dropmon: interval_ms=.*" | head -n 1)"
	grep -q '^dropmon ' /proc/modules && unload
	for p in "max_keys=65536 interval_ms=4096" "max_keys=1600 interval_ms=100"; do
		check_rc "accept $p" 0 load $p
		unload
	done
	check_dmesg params
}

# --- exact counts -------------------------------------------------------
# count NAME SYMBOL PROTO DMGEN-ARGS...: N drops of one key, exactly.
count() {
	name=$1 sym=$2 proto=$3
	shift 3
	snap totals
	before=$(sum totals "$sym" "$NOSOCK" lo "$proto" "$ROOTNS")
	dmgen "$@" || fail "$name" "dmgen $* failed"
	settle
	after=$(sum totals "$sym" "$NOSOCK" lo "$proto" "$ROOTNS")
	check_eq "$name: $sym $NOSOCK lo $proto counts exactly $N" $N $((after - before))
}

# count_proc NAME ERE NETNS DMGEN-ARGS...: N process-context drops,
# exactly, at one location, in netns NETNS: dmgen exits 0 only when each
# of its N sends had the outcome that frees exactly one skb.
count_proc() {
	name=$1 re=$2 pns=$3
	shift 3
	snap totals
	before=$(psum totals "$re" "$pns")
	dmgen "$@" || fail "$name" "dmgen $* failed"
	settle
	after=$(psum totals "$re" "$pns")
	syms=$(psyms totals "$re" "$pns")
	check_eq "$name: process context, ${syms:-no symbol matching $re} - netns $pns 0x0000 counts exactly $N" \
		$N $((after - before))
	check_match "$name: one location ($re)" '^[^ ]+$' "$syms"
}

t_counts() {
	count udp4 "$U4" ipv4 udp4 $N $PORT
	count udp6 "$U6" ipv6 udp6 $N $PORT
	count tcp4 tcp_v4_rcv ipv4 tcp4 $N $PORT
	count tcp6 tcp_v6_rcv ipv6 tcp6 $N $PORT
	count_proc netlink "$NL_RE" "$NL_NS" netlink $N $NLPID
	count_proc unix "$UX_RE" "$UX_NS" unixqueue $N
	snap totals
	locs=$(awk -F'\t' -v a="$U4+" -v b="$U6+" '!/^#/ && $6 == "lo" &&
		(index($3, a) == 1 || index($3, b) == 1 || $3 ~ /^tcp_v[46]_rcv\+/) { print $2 }' /tmp/totals |
		sort -u | wc -l)
	check_eq "four protocols, four locations" 4 "$locs"
	row=$(awk -F'\t' -v a="$U4+" '!/^#/ && index($3, a) == 1 && $6 == "lo"' /tmp/totals | head -n 1)
	check_match "row format" \
		"^[0-9]+	0xffffffff[0-9a-f]{8}	$U4\\+0x[0-9a-f]+/0x[0-9a-f]+	vmlinux	$NOSOCK	lo	$ROOTNS	ipv4\$" "$row"
	for v in stats totals; do
		snap $v
		check_eq "$v invariant" "ok ok" "$(invariant $v)"
	done
	# dropmon-show reads the same file and prints the classic line.
	dropmon-show --totals --classic >/tmp/show 2>/tmp/show.err
	check_eq "dropmon-show exit" 0 $?
	snap totals
	want="$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS"): $U4+"
	line=$(grep -F -- "$want" /tmp/show | head -n 1)
	check_match "dropmon-show classic line" \
		"^[0-9]+: $U4\\+0x[0-9a-f]+/0x[0-9a-f]+@lo \\(vmlinux\\) $NOSOCK\$" "$line"
	check_eq "dropmon-show one line per row" "$(($(wc -l </tmp/totals) - 2))" "$(wc -l </tmp/show)"
}

# --- every mode of dropmon-show against the live module ----------------------
# Run right after t_counts: the totals hold exactly N udp4 drops on lo.
# Run a command with its output in /tmp/o (stderr in /tmp/o.err): that it
# exits 0 is a check of its own, since an output that says "nothing" or
# "no colour" proves nothing when the command failed.
out_ok() {	# name command...
	oname=$1
	shift
	"$@" >/tmp/o 2>/tmp/o.err
	orc=$?
	if [ "$orc" = 0 ]; then pass "$oname: exit 0"
	else fail "$oname: exit 0" "expected exit 0, saw $orc: $(head -c 200 /tmp/o.err)"; fi
}

t_show_modes() {
	snap totals
	u4="$U4\\+0x[0-9a-f]+/0x[0-9a-f]+"
	esc=$(printf '\033')
	out_ok "show table" dropmon-show --totals
	check_match "show table: header" "^dropmon totals +seq [0-9]+ .* drops [0-9]+ +lost 0 " "$(head -n 1 /tmp/o)"
	check_match "show table: the udp4 row (the root netns: host)" "^ *$N +[0-9.]+ +$u4 +vmlinux +$NOSOCK +lo +$ROOTNS host +ipv4\$" \
		"$(grep -E " $U4\\+" /tmp/o)"
	check_eq "show table: no colour off a terminal" 0 "$(grep -c "$esc" /tmp/o)"
	out_ok "show table --color=always" dropmon-show --totals --color=always
	check_match "show table: colour when asked" '[1-9]' "$(grep -c "$esc" /tmp/o)"
	out_ok "show table: NO_COLOR" env NO_COLOR=1 dropmon-show --totals --color=auto
	check_eq "show table: NO_COLOR: the table, no colour" "header=1 escapes=0" \
		"header=$(grep -c '^dropmon totals ' /tmp/o) escapes=$(grep -c "$esc" /tmp/o)"
	out_ok "show -n 1" dropmon-show --totals --classic -n 1
	check_eq "show -n 1: one line" 1 "$(wc -l </tmp/o)"
	want=$(awk -F'\t' '!/^#/ && $6 == "lo" && $8 == "ipv6"' /tmp/totals | wc -l)
	out_ok "show --dev 'l?' --proto ipv6" dropmon-show --totals --classic --dev 'l?' --proto ipv6
	check_eq "show --dev lo --proto ipv6: the ipv6 rows on lo" "$want" "$(grep -c '@lo ' /tmp/o)"
	out_ok "show --module --netns" \
		dropmon-show --totals --classic --dev lo --proto ipv6 --module vmlinux --netns $ROOTNS
	check_eq "show --module --netns: filters combine" "$want" "$(wc -l </tmp/o)"
	out_ok "show --dev nomatch" dropmon-show --totals --classic --dev 'nomatch*'
	check_eq "show --dev nomatch: nothing" 0 "$(wc -l </tmp/o)"
	v4=$(awk -F'\t' '!/^#/ && $8 == "ipv4" { s += $1 } END { print s + 0 }' /tmp/totals)
	out_ok "show --by proto --json" dropmon-show --totals --json --by proto
	check_match "show --by proto --json: ipv4 summed over its rows" "\"count\":$v4,[^}]*\"proto\":\"ipv4\"" \
		"$(cat /tmp/o)"
	out_ok "show --raw" dropmon-show --totals --classic --raw --location "$U4*" --dev lo --proto ipv4
	check_match "show --raw: addresses" "^$N: 0xffffffff[0-9a-f]{8}@lo \\(vmlinux\\) $NOSOCK\$" \
		"$(cat /tmp/o)"
	out_ok "show --json" dropmon-show --totals --json
	j=$(cat /tmp/o)
	check_match "show --json: one object for totals" "^\\{\"format\":2,\"view\":\"totals\",\"seq\":[0-9]+," "$j"
	check_match "show --json: the udp4 row" "\\{\"count\":$N,[^}]*\"symbol\":\"$u4\",\"module\":\"vmlinux\",\"reason\":\"$NOSOCK\",\"dev\":\"lo\",\"netns\":$ROOTNS,\"netns_name\":\"host\",\"netns_source\":\"host\",\"netns_pid\":1,\"netns_container\":null,\"proto\":\"ipv4\"\\}" "$j"
	# Samples of the live module: the udp4 row's stack and packet.
	out_ok "show --totals -v" dropmon-show --totals --classic -v --location "$U4*" --dev lo --proto ipv4
	check_match "show -v: the udp4 row's frame 0 is its symbol" "^    frame 0  $u4 \\(vmlinux\\)\$" \
		"$(sed -n 2p /tmp/o)"
	check_match "show -v: the udp4 row's packet, decoded" \
		"^    packet   ipv4 udp 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$PORT len [0-9]+ \\(mac header, [0-9]+ of [0-9]+ bytes\\)\$" \
		"$(grep '^    packet ' /tmp/o | head -n 1)"
	out_ok "show --totals --json -v" dropmon-show --totals --json -v --location "$U4*" --dev lo --proto ipv4
	check_match "show --json -v: the udp4 row's sample" \
		"\"sample\":\\{\"stack\":\\[\\{\"symbol\":\"$u4\",\"module\":\"vmlinux\"\\}.*\"l3\":\"ipv4\".*\"dst\":\"127\\.0\\.0\\.1\".*\"l4\":\"udp\".*\"dport\":$PORT," \
		"$(cat /tmp/o)"
	check_rc "show --prometheus --output" 0 dropmon-show --prometheus --output /tmp/dm.prom
	check_match "show --prometheus: the udp4 series" \
		"^dropmon_drops_total\\{location=\"$U4\\+0x[0-9a-f]+\",module=\"vmlinux\",reason=\"$NOSOCK\",dev=\"lo\",netns=\"$ROOTNS\",netns_name=\"host\",proto=\"ipv4\"\\} $N\$" \
		"$(grep "location=\"$U4+" /tmp/dm.prom)"
	check_match "show --prometheus: seq and lost" "^dropmon_lost_total 0\$" "$(grep '^dropmon_lost_total' /tmp/dm.prom)"
	# Watch without a terminal: one block per new snapshot, by seq.
	out_ok "show --watch --count 2" dropmon-show -w --count 2 --classic
	cat /tmp/o /tmp/o.err >/tmp/w
	set -- $(sed -n 's/^=== dropmon stats seq \([0-9]*\) .*/\1/p' /tmp/w)
	check_eq "show --watch off a terminal: two blocks, consecutive seqs" "2 $((${1:-0} + 1))" "$# ${2:-}"
	# It notices an unload and a reload, and keeps going.
	dropmon-show -w --classic >/tmp/w 2>&1 &
	wpid=$!
	sleep 2
	i=0
	while ! rmmod dropmon 2>/dev/null && [ $i -lt 100 ]; do usleep 50000; i=$((i + 1)); done
	sleep 2
	load interval_ms=$INT
	sleep $((INT * 6 / 1000))
	kill $wpid
	wait $wpid
	check_match "show --watch: says when the module is unloaded" "unloaded" "$(cat /tmp/w)"
	check_match "show --watch: says when it is back" "reloaded|loaded again|is back" "$(grep -v unloaded /tmp/w)"
}

# --- skb->dev holding UDP's dev_scratch -----------------------------------
# Datagrams queued on a socket and freed unread at close carry lengths and
# flags where skb->dev would be: counted with no device, netns 0.
t_dev_scratch() {
	snap totals
	cp /tmp/totals /tmp/dev_scratch.before
	before=$(sum totals '*' '*' - ipv4 0)
	dmgen udpqueue 100 $((PORT + 1000)) || fail dev_scratch "dmgen udpqueue failed"
	settle
	after=$(sum totals '*' '*' - ipv4 0)
	check_eq "dev_scratch: 100 datagrams freed unread count with dev '-' and netns 0" 100 $((after - before))
	# The keys those datagrams were counted under, for t_samples_scratch.
	awk -F'\t' 'NR == FNR { if (!/^#/) b[$2 FS $5 FS $6 FS $7 FS $8] = $1; next }
		!/^#/ && $6 == "-" && $7 == 0 && $8 == "ipv4" && $1 != b[$2 FS $5 FS $6 FS $7 FS $8] { print $2 }' \
		/tmp/dev_scratch.before /tmp/totals >/tmp/scratch.keys
	check_dmesg dev_scratch
}

# --- skb->dev holding an rbtree link or other non-device addresses ------------
# skb->dev shares a union with rbnode.rb_left: an skb erased from an rbtree
# (TCP's out-of-order queue, netem's tfifo) and then dropped points at
# another sk_buff there.  dmjunk (tests/bench/dmjunk.c) fires kfree_skb
# JN times from CPU 0 at one location, dmjunk_drop_site, cycling skb->dev
# over 2089 such addresses: sk_buffs of an rbtree, a kmalloc'd and a
# vmalloc'd buffer of letters and bytes 0xa0-0xff, a freed net_device.
# None is a device: one key with dev "-" and netns 0.  In the same
# interval, on the same CPU, JU real drops must still be counted exactly,
# none lost, and every byte of every file must stay printable ASCII.
JN=5000
JU=777
# Rows at dmjunk's location in view copy $1: "count reason dev netns proto",
# the bytes that are not printable ASCII shown as ".".
junk_rows() {
	awk -F'\t' '!/^#/ && index($3, "dmjunk_drop_site+") == 1 { print $1, $5, $6, $7, $8 }' "$1" |
		LC_ALL=C tr -c '\11\12\40-\176' '.'
}
# The bytes of file $1 that are neither printable ASCII, a tab nor a newline.
nonascii() { LC_ALL=C tr -d '\11\12\40-\176' <"$1" | wc -c; }

t_junk_dev() {
	if [ "$NOSOCK" = - ]; then jr=-; else jr=NOT_SPECIFIED; fi
	jint=$((INT * 6))
	check_rc "junk dev: load interval_ms=$jint" 0 load interval_ms=$jint
	check_rc "junk dev: load dmjunk" 0 insmod /lib/modules/dmjunk.ko
	wait_seq stats 1
	# Fire right after a rotation, so that the junk and the real drops
	# share one interval (and one CPU 0 table); again if a rotation came
	# between them.
	try=0 one=no
	while [ $try -lt 3 ] && [ $one = no ]; do
		try=$((try + 1))
		snap stats
		wait_seq stats $(($(hdr stats seq) + 1))
		s=$(hdr stats seq)
		echo $JN >/sys/module/dmjunk/parameters/fire || fail "junk dev: fire" "expected the write to succeed"
		dmgen -c 0 udp4 $JU $PORT || fail "junk dev: dmgen" "dmgen -c 0 udp4 $JU $PORT failed"
		usleep 200000
		snap stats
		[ "$(hdr stats seq)" = "$s" ] && one=yes
	done
	check_eq "junk dev: $JN junk events and $JU drops in one interval on CPU 0 (try $try)" yes $one
	check_eq "junk dev: dmjunk fired $((try * JN))" $((try * JN)) "$(cat /sys/module/dmjunk/parameters/fire)"
	wait_seq stats $((s + 1))
	cp /tmp/stats /tmp/junk.stats
	settle
	cp /tmp/totals /tmp/junk.totals
	cat $D/status >/tmp/junk.status
	for v in stats totals; do
		if [ $v = stats ]; then n=1; else n=$try; fi
		f=/tmp/junk.$v
		junk_rows $f >/tmp/junk.rows
		check_eq "junk dev: $v: one row at dmjunk_drop_site, no device, all $((n * JN))" \
			"$((n * JN)) $jr - 0 ipv4" "$(grep ' - 0 ipv4$' /tmp/junk.rows | tr '\n' ' ' | sed 's/ $//')"
		check_eq "junk dev: $v: no junk device rows at dmjunk_drop_site" "0 rows" \
			"$(grep -vc ' - 0 ipv4$' /tmp/junk.rows) rows$(grep -v ' - 0 ipv4$' /tmp/junk.rows | head -n 3 | sed 's/^/; /' | tr '\n' ' ')"
		cp $f /tmp/junk.view
		check_eq "junk dev: $v: the $((n * JU)) udp4 drops of CPU 0, exactly" $((n * JU)) \
			"$(sum junk.view "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")"
		check_match "junk dev: $v: nothing lost" '^lost=0 ' \
			"lost=$(hdr junk.view lost) keys=$(hdr junk.view keys) drops=$(hdr junk.view drops)"
		check_eq "junk dev: $v invariant" "ok ok" "$(invariant junk.view)"
	done
	for v in stats totals status; do
		check_eq "junk dev: $v: every byte printable ASCII, tab or newline" 0 "$(nonascii /tmp/junk.$v)"
	done
	check_rc "junk dev: unload" 0 unload
	check_rc "junk dev: unload dmjunk" 0 rmmod dmjunk
	check_dmesg "junk dev"
}

# The real path: dmgen tcpofo makes the kernel prune a TCP socket's
# out-of-order queue (tcp_prune_ofo_queue, reason TCP_OFO_QUEUE_PRUNE),
# and the reset that closes it purges the rest (skb_rbtree_purge): every
# row of those drops must be on lo or on no device ("-") with the netns
# of the socket whose queue it was (the root's): rx_sk since 6.11,
# skb->sk (skb_set_owner_r()) before; never netns 0.  5.10
# frees pruned skbs with __kfree_skb(), no kfree_skb event: there only
# the absence of junk rows is checked.
t_tcp_ofo() {
	check_rc "tcp ofo: load" 0 load interval_ms=$INT
	wait_seq totals 1
	dmgen -c 0 tcpofo 2000 $((PORT + 2000)) >/tmp/ofo 2>&1
	check_match "tcp ofo: dmgen tcpofo ran and the kernel pruned the queue" \
		'^tcpofo: sent=2000 ofo_pruned=[1-9]' "$(cat /tmp/ofo)"
	settle
	cp /tmp/totals /tmp/ofo.totals
	cat $D/status >/tmp/ofo.status
	if [ "$NOSOCK" = - ]; then
		pass "tcp ofo: (5.10 has no kfree_skb event for a pruned skb)"
	else
		check_match "tcp ofo: TCP_OFO_QUEUE_PRUNE drops counted" '^[1-9]' \
			"$(sum ofo.totals '*' TCP_OFO_QUEUE_PRUNE - ipv4 "$ROOTNS") with dev '-' (netns $ROOTNS), $(sum ofo.totals '*' TCP_OFO_QUEUE_PRUNE lo ipv4 "$ROOTNS") on lo; rows: $(grep -c TCP_OFO_QUEUE_PRUNE /tmp/ofo.totals)"
	fi
	awk -F'\t' -v r="$ROOTNS" '!/^#/ && !($6 == "-" && $7 == r) && !($6 == "lo" && $7 == r) {
		print $1, $3, $5, $6, $7, $8 }' /tmp/ofo.totals | LC_ALL=C tr -c '\12\40-\176' '.' >/tmp/ofo.junk
	check_eq "tcp ofo: every row on lo or on no device, in the socket's netns $ROOTNS" "0 rows" \
		"$(wc -l </tmp/ofo.junk) rows$(head -n 3 /tmp/ofo.junk | sed 's/^/; /' | tr '\n' ' ')"
	check_match "tcp ofo: nothing lost" '^lost=0 ' \
		"lost=$(hdr ofo.totals lost) keys=$(hdr ofo.totals keys) drops=$(hdr ofo.totals drops)"
	check_eq "tcp ofo: totals invariant" "ok ok" "$(invariant ofo.totals)"
	for v in totals status; do
		check_eq "tcp ofo: $v: every byte printable ASCII, tab or newline" 0 "$(nonascii /tmp/ofo.$v)"
	done
	check_rc "tcp ofo: unload" 0 unload
	check_dmesg "tcp ofo"
}

# === netns of drops with no device (issue 13) ===============================
# A drop whose skb->dev is no device (NULL, UDP's dev_scratch, an address
# that no registered device has) counts with dev "-" under the netns of the
# socket the kernel names (probe.c, dropmon_sock_dev()): the tracepoint's
# rx_sk (6.11 on), else skb->sk, else none: netns 0.  A drop with a device
# keeps the device's netns.  The kernel's own kfree_skb format says
# whether it passes rx_sk.

# netns_make NAME: a fresh `ip netns` namespace with lo up; prints its
# inode, read off the bind mount.
netns_make() {
	mkdir -p /run/netns
	[ -e /run/netns/$1 ] && $IP netns del $1
	$IP netns add $1 && $IP -n $1 link set lo up && stat -L -c %i /run/netns/$1
}

# Rows at SYMBOL+ (dmsock's sites) in view copy $2: "count reason dev netns proto".
site_rows() {
	awk -F'\t' -v s="$1+" '!/^#/ && index($3, s) == 1 { print $1, $5, $6, $7, $8 }' "$2" |
		tr '\n' ';' | sed 's/;$//'
}

# Every source, exactly, with dmsock (tests/bench/dmsock.c): a kernel UDP
# socket A in the netns of a process in dmnsk, one in the root netns.
t_netns_sources() {
	if grep -q rx_sk /sys/kernel/tracing/events/skb/kfree_skb/format; then rxsk=yes; else rxsk=no; fi
	if [ "$NOSOCK" = - ]; then jr=-; else jr=NOT_SPECIFIED; fi
	ns=$(netns_make dmnsk) || { fail "netns sources" "ip netns add dmnsk failed"; return; }
	$IP netns exec dmnsk sleep 600 & sp=$!
	i=0
	while [ "$(readlink /proc/$sp/ns/net)" != "net:[$ns]" ] && [ $i -lt 50 ]; do
		usleep 100000
		i=$((i + 1))
	done
	check_eq "netns sources: a process in dmnsk (inode $ns from /run/netns/dmnsk)" "net:[$ns]" "$(readlink /proc/$sp/ns/net)"
	check_rc "netns sources: load" 0 load interval_ms=$INT
	check_rc "netns sources: load dmsock pid=$sp" 0 insmod /lib/modules/dmsock.ko pid=$sp
	wait_seq totals 1
	echo 100 >/sys/module/dmsock/parameters/fire || fail "netns sources: fire" "expected the write to succeed"
	check_eq "netns sources: dmsock fired 100 of each case" 100 "$(cat /sys/module/dmsock/parameters/fire)"
	settle
	cp /tmp/totals /tmp/nss.totals
	if [ $rxsk = yes ]; then
		check_eq "netns sources: rx_sk (in dmnsk) before skb->sk (root), no device: rx_sk's netns" \
			"100 $jr - $ns ipv4" "$(site_rows dmsock_site_rx /tmp/nss.totals)"
	else
		check_eq "netns sources: no rx_sk argument on this kernel: skb->sk's netns (root), no device" \
			"100 $jr - $ROOTNS ipv4" "$(site_rows dmsock_site_rx /tmp/nss.totals)"
	fi
	check_eq "netns sources: skb->sk (in dmnsk), skb->dev UDP's dev_scratch: skb->sk's netns" \
		"100 $jr - $ns ipv4" "$(site_rows dmsock_site_sk /tmp/nss.totals)"
	check_eq "netns sources: skb->sk (in dmnsk), skb->dev an address no device has: skb->sk's netns" \
		"100 $jr - $ns ipv4" "$(site_rows dmsock_site_junk /tmp/nss.totals)"
	check_eq "netns sources: skb->sk holding an ip_defrag_offset (1480): no socket, netns 0" \
		"100 $jr - 0 ipv4" "$(site_rows dmsock_site_frag /tmp/nss.totals)"
	check_eq "netns sources: a device (root's lo) and a socket in dmnsk: the device's netns" \
		"100 $jr lo $ROOTNS ipv4" "$(site_rows dmsock_site_dev /tmp/nss.totals)"
	# issue 13 review: skb->sk a kernel address that is no socket
	check_eq "netns sources: skb->sk a zeroed 256-byte object, no socket: netns 0" \
		"100 $jr - 0 ipv4" "$(site_rows dmsock_site_obj0 /tmp/nss.totals)"
	check_eq "netns sources: skb->sk an object of 0x41 bytes (net no kernel address): netns 0" \
		"100 $jr - 0 ipv4" "$(site_rows dmsock_site_obj41 /tmp/nss.totals)"
	check_eq "netns sources: skb->sk an object of 0xa5 bytes (net not canonical, the read faults): netns 0" \
		"100 $jr - 0 ipv4" "$(site_rows dmsock_site_obja5 /tmp/nss.totals)"
	check_match "netns sources: nothing lost" '^lost=0$' "lost=$(hdr nss.totals lost)"
	check_eq "netns sources: totals invariant" "ok ok" "$(invariant nss.totals)"
	# The recheck path: a device event between two batches of no-device
	# drops in one interval (5 s; all of it takes well under one) and on
	# one CPU (one table: the shell, whose builtin echo fires, is pinned)
	# leaves their netns word's slot alone, no device read: one row of 200.
	check_rc "netns sources: unload before the recheck case" 0 unload
	check_rc "netns sources: load interval_ms=5000" 0 load interval_ms=5000
	wait_seq stats 1
	s1=$(hdr stats seq)
	insmod /lib/modules/veth.ko 2>/dev/null
	cpus=$(taskset -p $$ | sed 's/.*: //')
	taskset -p 1 $$ >/dev/null
	echo 100 >/sys/module/dmsock/parameters/fire &&
		$IP link add dmnsv0 type veth peer name dmnsv1 && $IP link del dmnsv0 &&
		echo 100 >/sys/module/dmsock/parameters/fire ||
		fail "netns sources: recheck" "fire, ip link add/del dmnsv0 type veth, fire failed"
	taskset -p "$cpus" $$ >/dev/null
	wait_seq stats $((s1 + 1))
	check_eq "netns sources: 100 + 100 socket drops around a device event, one interval: one row of 200" \
		"200 $jr - $ns ipv4" "$(site_rows dmsock_site_sk /tmp/stats)"
	check_rc "netns sources: unload dmsock" 0 rmmod dmsock
	check_rc "netns sources: unload" 0 unload
	kill $sp
	wait $sp 2>/dev/null
	$IP netns del dmnsk
	check_dmesg "netns sources"
}

# The real path with skb->sk on every kernel: a UDP GSO send without
# checksums, refused in udp_send_skb() by kfree_skb() of the socket's skb
# (skb->sk the sender, no skb->dev yet, no skb->protocol: 0x0000; no
# rx_sk), in netns dmngso.  The row outlives the netns.
t_netns_udpgso() {
	ns=$(netns_make dmngso) || { fail "netns udpgso" "ip netns add dmngso failed"; return; }
	check_rc "netns udpgso: load" 0 load interval_ms=$INT
	wait_seq totals 1
	$IP netns exec dmngso dmgen udpgso 100 $PORT >/tmp/gso.out 2>&1
	check_eq "netns udpgso: dmgen udpgso in dmngso (netns $ns)" "udpgso: refused=100" "$(cat /tmp/gso.out)"
	settle
	rows=$(awk -F'\t' -v n="$ns" '!/^#/ && $7 == n { s = $3; sub(/\+.*/, "", s); print $1, s, $6, $8 }' /tmp/totals)
	check_match "netns udpgso: 100 drops in UDP's send path, dev '-', netns $ns, one row" \
		'^100 udp_(send_skb|push_pending_frames|sendmsg)[.a-z0-9]* - 0x0000$' "$(echo "$rows" | tr '\n' ';' | sed 's/;$//')"
	$IP netns del dmngso
	settle
	check_eq "netns udpgso: the row stays in the totals once the netns is gone" "$rows" \
		"$(awk -F'\t' -v n="$ns" '!/^#/ && $7 == n { s = $3; sub(/\+.*/, "", s); print $1, s, $6, $8 }' /tmp/totals)"
	check_eq "netns udpgso: totals invariant" "ok ok" "$(invariant totals)"
	check_rc "netns udpgso: unload" 0 unload
	check_dmesg "netns udpgso"
}

# The datagrams of view copy $1 that UDP freed unread at close, dev '-', netns 0.
udp_destruct_sum() {
	awk -F'\t' '!/^#/ && $3 ~ /^udp_destruct_(sock|common)[.a-z0-9]*\+/ && $6 == "-" && $7 == 0 && $8 == "ipv4" { n += $1 } END { print n + 0 }' "/tmp/$1"
}

# A UDP receive-buffer overflow in netns dmnudp, whose lo is then gone
# with the netns: the datagrams that do not fit are dropped on arrival
# with skb->dev still lo (the device's netns: dmnudp), those queued are
# freed unread at close with dev_scratch, no skb->sk and no rx_sk: the
# kernel names no socket for them, netns 0.  All 100 counted, exactly.
t_netns_udp() {
	if [ "$NOSOCK" = - ]; then rr=-; else rr=SOCKET_RCVBUFF; fi
	ns=$(netns_make dmnudp) || { fail "netns udp" "ip netns add dmnudp failed"; return; }
	check_rc "netns udp: load" 0 load interval_ms=$INT
	wait_seq totals 1
	snap totals
	cp /tmp/totals /tmp/nsu.before
	$IP netns exec dmnudp dmgen udpqueue 100 $((PORT + 3000)) 1 ||
		fail "netns udp" "dmgen udpqueue 100 $((PORT + 3000)) 1 failed in dmnudp"
	$IP netns del dmnudp
	settle
	lo=$(sum totals '*' "$rr" lo ipv4 "$ns")
	# Only UDP's own frees at close (udp_destruct_common() on every
	# kernel of the matrix, udp_destruct_sock() where it is not split
	# out): background drops with dev '-' and netns 0 elsewhere do not count.
	dash=$(udp_destruct_sum totals)
	dash0=$(udp_destruct_sum nsu.before)
	other=$(awk -F'\t' -v n="$ns" '!/^#/ && $7 == n && $6 != "lo"' /tmp/totals | wc -l)
	check_eq "netns udp: 100 datagrams: $lo dropped on arrival on lo in dmnudp ($ns), $((dash - dash0)) freed unread at UDP's close (dev '-', netns 0)" \
		100 $((lo + dash - dash0))
	check_match "netns udp: the receive buffer overflowed (reason $rr on lo)" '^[1-9][0-9]* ' "$lo $rr"
	check_eq "netns udp: no other row in dmnudp's netns" 0 "$other"
	check_eq "netns udp: totals invariant" "ok ok" "$(invariant totals)"
	check_rc "netns udp: unload" 0 unload
	check_dmesg "netns udp"
}
# === end of the netns block ===================================================

# --- rotation -------------------------------------------------------------
t_rotation() {
	snap stats
	s0=$(hdr stats seq)
	wait_seq stats $((s0 + 1))
	s=$(hdr stats seq)
	dmgen udp4 $N $PORT
	# Poll every snapshot until two idle ones have passed.
	seen="" total=0 last=$s gap=0
	i=0
	while [ $i -lt 400 ]; do
		snap stats
		q=$(hdr stats seq)
		if [ "$q" != "$last" ]; then
			[ "$q" -ne $((last + 1)) ] && gap=1
			c=$(sum stats "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
			total=$((total + c))
			seen="$seen $q:$c"
			[ "$(invariant stats)" = "ok ok" ] || fail "rotation invariant" "$(invariant stats) at seq $q"
			last=$q
			[ "$q" -ge $((s + 4)) ] && break
		fi
		i=$((i + 1))
		usleep 50000
	done
	check_eq "rotation: seq advances one by one" 0 $gap
	check_eq "rotation: the snapshots after sending hold exactly $N" $N $total
	check_match "rotation: the row vanished after idle intervals" ":0\$" "$seen"
	snap totals
	check_match "rotation: totals keep the row" '^[1-9]' "$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")"
	check_eq "rotation: interval_ms in header" $INT "$(hdr stats interval_ms)"
	check_match "rotation: start_ns < end_ns" yes \
		"$([ "$(hdr stats start_ns)" -lt "$(hdr stats end_ns)" ] && echo yes)"
}

# --- a veth in a new network namespace -----------------------------------
t_veth() {
	insmod /lib/modules/veth.ko 2>/dev/null
	mkdir -p /run/netns
	$IP netns add dmns || { fail veth "ip netns add failed"; return; }
	$IP link add dmv0 type veth peer name dmv1 netns dmns &&
		$IP link set dmv0 up && $IP -n dmns link set dmv1 up ||
		{ fail veth "veth setup failed"; return; }
	ns=$($IP netns exec dmns readlink /proc/self/ns/net | tr -dc 0-9)
	check_match "veth: netns differs from the root's" "^[0-9]+\$" \
		"$([ "$ns" != "$ROOTNS" ] && echo "$ns")"
	snap totals
	before=$(sum totals '*' '*' dmv1 0x88b5 "$ns")
	dmgen raw dmv0 $N 0x88b5 || fail veth "dmgen raw failed"
	settle
	after=$(sum totals '*' '*' dmv1 0x88b5 "$ns")
	check_eq "veth: dmv1 in its netns ($ns), proto 0x88b5, exactly $N" $N $((after - before))
	# The same device renamed, then moved to the root netns: its slot's
	# name and netns are read again, so each batch lands under what the
	# device is called, and where it is, at the time of the drop.
	$IP -n dmns link set dmv1 down && $IP -n dmns link set dmv1 name dmv9 &&
		$IP -n dmns link set dmv9 up || { fail veth "rename failed"; return; }
	dmgen raw dmv0 $N 0x88b5 || fail veth "dmgen raw failed"
	$IP -n dmns link set dmv9 netns 1 && $IP link set dmv9 up ||
		{ fail veth "move to the root netns failed"; return; }
	dmgen raw dmv0 $N 0x88b5 || fail veth "dmgen raw failed"
	settle
	check_eq "veth: renamed dmv1 -> dmv9: dmv1 kept its $N" $N \
		"$(($(sum totals '*' '*' dmv1 0x88b5 "$ns") - before))"
	check_eq "veth: dmv9 in $ns after the rename, exactly $N" $N \
		"$(sum totals '*' '*' dmv9 0x88b5 "$ns")"
	check_eq "veth: dmv9 moved to the root netns, exactly $N" $N \
		"$(sum totals '*' '*' dmv9 0x88b5 "$ROOTNS")"
	$IP link del dmv9
	$IP link del dmv0 2>/dev/null
	$IP netns del dmns
	check_dmesg veth
}

# === issue 13: netns names in dropmon-show (t_netns_names*) ==================
# dropmon-show names each netns: an ip netns name, the container and pod
# of its lowest pid in one (its cgroup path), or its lowest pid; "-" when
# it is gone.  The host's is "host" (t_show_modes).  The kernel reuses the
# inode of a netns that is gone, so that counts are taken before and after:
# a row may hold an earlier namespace's drops under the same inode.
check_has() {	# name fixed-string seen
	if printf '%s\n' "$3" | grep -qF -- "$2"; then pass "$1"
	else fail "$1" "expected text containing '$2', saw '$(printf '%s' "$3" | head -c 600)'"; fi
}

# The udp4 row of netns $1 in dropmon-show's --json, table and Prometheus
# output, into /tmp/nsj, /tmp/nst and /tmp/ns.prom.
netns_show() {	# name inode
	out_ok "$1: --json" dropmon-show --totals --json --netns "$2" --dev lo --proto ipv4 --location "$U4*"
	cp /tmp/o /tmp/nsj
	out_ok "$1: table" dropmon-show --totals --netns "$2" --dev lo --proto ipv4 --location "$U4*"
	cp /tmp/o /tmp/nst
	check_rc "$1: --prometheus" 0 dropmon-show --prometheus --output /tmp/ns.prom
}

t_netns_names_ipnetns() {
	mkdir -p /run/netns
	$IP netns add blue || { fail "netns names: ip netns add blue" "exit 0"; return; }
	$IP -n blue link set lo up
	ns=$($IP netns exec blue readlink /proc/self/ns/net | tr -dc 0-9)
	snap totals
	before=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ns")
	$IP netns exec blue dmgen udp4 $N $PORT || fail "netns names: blue" "dmgen udp4 in blue failed"
	settle
	after=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ns")
	check_eq "netns names: blue ($ns): $N udp4 drops on its lo" $N $((after - before))
	netns_show "netns names: blue" "$ns"
	check_has "netns names: blue: JSON netns_name blue, from ip netns" \
		"\"netns\":$ns,\"netns_name\":\"blue\",\"netns_source\":\"netns\",\"netns_pid\":null,\"netns_container\":null,\"proto\":\"ipv4\"}" \
		"$(cat /tmp/nsj)"
	check_match "netns names: blue: table NETNS '$ns blue'" \
		"^ *$after +[0-9.]+ +$U4\\+0x[0-9a-f]+/0x[0-9a-f]+ +vmlinux +$NOSOCK +lo +$ns blue +ipv4\$" "$(tail -n 1 /tmp/nst)"
	check_match "netns names: blue: Prometheus netns_name=\"blue\"" \
		"^dropmon_drops_total\\{location=\"$U4\\+0x[0-9a-f]+\",module=\"vmlinux\",reason=\"$NOSOCK\",dev=\"lo\",netns=\"$ns\",netns_name=\"blue\",proto=\"ipv4\"\\} $after\$" \
		"$(grep "netns=\"$ns\"" /tmp/ns.prom)"
	$IP netns del blue
	out_ok "netns names: blue deleted: --json" dropmon-show --totals --json --netns "$ns" --dev lo --proto ipv4
	check_has "netns names: blue deleted: its rows stay, named '-'" \
		"\"count\":$after,\"rate\"" "$(cat /tmp/o)"
	check_has "netns names: blue deleted: netns_name '-', source none" \
		"\"netns\":$ns,\"netns_name\":\"-\",\"netns_source\":\"none\",\"netns_pid\":null,\"netns_container\":null," \
		"$(cat /tmp/o)"
}

# An unshare --net process: first named by its pid and command, then,
# moved into a cgroup laid out as containerd's for a Kubernetes pod, by
# its container ID and pod UID; "-" once it exited.
t_netns_names_container() {
	uid=0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0
	id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	uidu=$(echo "$uid" | tr - _)
	pod=/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$uidu.slice
	cg=$pod/cri-containerd-$id.scope
	# The debug kernel is built without CONFIG_CGROUPS (tests/kconfig asks
	# for none): there only, the container case cannot run; every distro
	# kernel of the matrix runs it.
	if ! grep -qw cgroup2 /proc/filesystems; then
		check_eq "netns names: container: only the debug kernel lacks cgroup2" \
			"no cgroup2 dropmon-debug" "no cgroup2 $(uname -r | grep -o dropmon-debug)"
		return
	fi
	if ! grep -q '^[^ ]* /sys/fs/cgroup cgroup2 ' /proc/mounts; then
		mount -t cgroup2 cgroup2 /sys/fs/cgroup ||
			{ fail "netns names: container" "expected cgroup2 mounted on /sys/fs/cgroup"; return; }
	fi
	mkdir -p "$cg" || { fail "netns names: container" "expected mkdir $cg to work"; return; }
	rm -f /tmp/ctr.ns /tmp/ctr.go /tmp/ctr.sleep /tmp/ctr.sent
	unshare -n sh -c "readlink /proc/self/ns/net >/tmp/ctr.tmp && mv /tmp/ctr.tmp /tmp/ctr.ns
		$IP link set lo up
		while [ ! -e /tmp/ctr.go ]; do usleep 50000; done
		dmgen udp4 $N $PORT && echo sent >/tmp/ctr.sent
		sleep 600 & echo \$! >/tmp/ctr.sleep; wait" &
	cpid=$!
	i=0
	while [ ! -s /tmp/ctr.ns ] && [ $i -lt 300 ]; do usleep 100000; i=$((i + 1)); done
	ns=$(tr -dc 0-9 </tmp/ctr.ns 2>/dev/null)
	snap totals
	before=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ns")
	touch /tmp/ctr.go
	i=0
	while [ ! -s /tmp/ctr.sleep ] && [ $i -lt 600 ]; do usleep 100000; i=$((i + 1)); done
	check_eq "netns names: unshare --net: sent $N, in a netns of its own" "sent yes" \
		"$(cat /tmp/ctr.sent 2>/dev/null) $([ -n "$ns" ] && [ "$ns" != "$ROOTNS" ] && echo yes)"
	settle
	after=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ns")
	check_eq "netns names: unshare --net ($ns): $N udp4 drops" $N $((after - before))
	netns_show "netns names: unshare --net" "$ns"
	check_has "netns names: unshare --net: named by its lowest pid $cpid and its command" \
		"\"netns\":$ns,\"netns_name\":\"pid $cpid sh\",\"netns_source\":\"process\",\"netns_pid\":$cpid,\"netns_container\":null," \
		"$(cat /tmp/nsj)"
	check_match "netns names: unshare --net: table NETNS '$ns pid $cpid sh'" " +$ns pid $cpid sh +ipv4\$" "$(tail -n 1 /tmp/nst)"
	echo "$cpid" >"$cg/cgroup.procs" || fail "netns names: container" "expected $cpid to move to $cg"
	check_eq "netns names: container: the pid's cgroup" \
		"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$uidu.slice/cri-containerd-$id.scope" \
		"$(grep '^0::' /proc/$cpid/cgroup)"
	netns_show "netns names: container" "$ns"
	check_has "netns names: container: JSON container ID and pod UID" \
		"\"netns\":$ns,\"netns_name\":\"pod $uid container 0123456789ab\",\"netns_source\":\"container\",\"netns_pid\":$cpid,\"netns_container\":{\"runtime\":\"containerd\",\"id\":\"$id\",\"pod_uid\":\"$uid\"},\"proto\":\"ipv4\"}" \
		"$(cat /tmp/nsj)"
	check_match "netns names: container: table NETNS '$ns pod $uid container 0123456789ab'" \
		" +$ns pod $uid container 0123456789ab +ipv4\$" "$(tail -n 1 /tmp/nst)"
	check_has "netns names: container: Prometheus netns_name" \
		"netns=\"$ns\",netns_name=\"pod $uid container 0123456789ab\",proto=\"ipv4\"} $after" "$(cat /tmp/ns.prom)"
	kill "$(cat /tmp/ctr.sleep)" "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	out_ok "netns names: container gone: --json" dropmon-show --totals --json --netns "$ns" --dev lo --proto ipv4
	check_has "netns names: container gone: netns_name '-', source none" \
		"\"netns\":$ns,\"netns_name\":\"-\",\"netns_source\":\"none\",\"netns_pid\":null,\"netns_container\":null," \
		"$(cat /tmp/o)"
	rmdir "$cg" "$pod" /sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice /sys/fs/cgroup/kubepods.slice
	check_eq "netns names: container: cgroups removed" "" "$(ls -d /sys/fs/cgroup/kubepods.slice 2>/dev/null)"
}

t_netns_names() {
	t_netns_names_ipnetns
	t_netns_names_container
	check_dmesg "netns names"
}
# === end of issue 13 netns names =============================================

# --- 1-byte and odd-sized reads -------------------------------------------
t_reads() {
	for v in stats totals; do
		ok=""
		for try in 1 2 3 4 5; do
			cat $D/$v >/tmp/full
			dmgen readbytes $D/$v 1 >/tmp/one
			dmgen readbytes $D/$v 7 >/tmp/seven
			# Equal and empty is no pass: the header must be there.
			if [ -s /tmp/full ] && cmp -s /tmp/full /tmp/one && cmp -s /tmp/full /tmp/seven; then
				ok=same
				break
			fi
			# A rotation between the reads changes seq: try again.
		done
		check_eq "$v: 1-byte and 7-byte reads give the same bytes ($(wc -c </tmp/full) bytes)" same "$ok"
		check_eq "$v: what the reads gave is one valid snapshot (headers, invariant)" "ok ok" \
			"$(invariant_of /tmp/full)"
	done
}

# --- an independent oracle: the kernel's own skb:kfree_skb trace events ---
# Per protocol (and per reason where the kernel has reasons), the events
# the kernel traced while traffic ran must equal what dropmon added to its
# totals over a window that encloses the trace's.
by_proto() {	# view -> "ethertype[/reason] count" lines
	awk -F'\t' -v rs="$NOSOCK" '/^#/ { next } {
		p = $8 == "ipv4" ? 2048 : $8 == "ipv6" ? 34525 : $8 == "arp" ? 2054 : $8
		if (p ~ /^0x/) { h = substr(p, 3); p = 0
			for (i = 1; i <= length(h); i++) p = p * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1 }
		c[p (rs == "-" ? "" : "/" $5)] += $1 } END { for (k in c) print k, c[k] }' "$1" | sort
}

t_oracle() {
	T=/sys/kernel/tracing
	[ -f $T/events/skb/kfree_skb/enable ] || { fail oracle "expected tracefs at $T, saw none"; return; }
	echo 4096 >$T/buffer_size_kb
	echo >$T/trace
	settle
	cp /tmp/totals /tmp/oracle.before
	echo 1 >$T/events/skb/kfree_skb/enable
	dmgen udp4 300 $PORT
	dmgen tcp6 100 $PORT
	dmgen udp6 70 $PORT
	dmgen -n raw lo 50 0x88b5
	dmgen netlink 40 $NLPID
	dmgen unixqueue 30
	echo 0 >$T/events/skb/kfree_skb/enable
	settle
	cp /tmp/totals /tmp/oracle.after
	by_proto /tmp/oracle.before >/tmp/ob
	by_proto /tmp/oracle.after >/tmp/oa
	delta=$(awk 'NR == FNR { b[$1] = $2; next } { d = $2 - b[$1]; if (d) print $1, d }' /tmp/ob /tmp/oa | sort)
	if [ "$NOSOCK" = - ]; then
		sed -n 's/.* kfree_skb: .*protocol=\([0-9]*\).*/\1/p' $T/trace
	else
		sed -n 's/.* kfree_skb: .*protocol=\([0-9]*\) .*reason: \([A-Z0-9_]*\).*/\1\/\2/p' $T/trace
	fi | sort | uniq -c | awk '{ print $2, $1 }' | sort >/tmp/traced
	traced=$(cat /tmp/traced)
	check_eq "oracle: per-protocol$([ "$NOSOCK" = - ] || echo '/reason') counts equal the kernel's trace events" \
		"$traced" "$delta"
	check_match "oracle: the trace saw the traffic" "^2048/?[A-Z_]* 300" "$(echo "$traced" | grep '^2048')"
	check_eq "oracle: the trace saw the 70 process-context drops (protocol 0)" 70 \
		"$(echo "$traced" | awk '$1 ~ /^0(\/|$)/ { s += $2 } END { print s + 0 }')"
	echo >$T/trace
}

# --- samples: each key's stack and packet ------------------------------------
# samples and samples_totals (dropmon-samples format=1) give, per key, one
# packet's first sample_bytes and the stack from the location outwards.
# The addresses, ports and lengths expected are the ones the tests chose;
# the stack's oracle is the kernel's own stacktrace trigger on kfree_skb.

# One tab-separated line per sample block of samples copy $1:
#   1-5 the key (location reason dev netns proto)  6 len  7 header
#   8 bytes  9 hex  10 frame 0 as printed (- if none)  11 the frames'
#   symbols without +off/size, space-separated  12 frames  13 modules
#   14 time_ns
samples_flat() {
	awk -F'\t' '
	function out() { if (have) print k "\t" len "\t" h "\t" nb "\t" hex "\t" f0 "\t" syms "\t" nf "\t" mods "\t" tns }
	/^sample\t/ { out(); have = 1; k = $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6
		len = h = nb = hex = syms = mods = tns = ""; f0 = "-"; nf = 0
		n = split($7, m, " ")
		for (i = 1; i <= n; i++) {
			split(m[i], kv, "=")
			if (kv[1] == "len") len = kv[2]
			else if (kv[1] == "time_ns") tns = kv[2]
			else if (kv[1] == "header") h = kv[2]
			else if (kv[1] == "bytes") nb = kv[2]
		}
		next }
	/^packet(\t|$)/ { hex = $2; next }
	/^frame\t/ { s = $3; if (!nf) f0 = s; sub(/\+.*/, "", s)
		syms = syms (nf ? " " : "") s; mods = mods (nf ? " " : "") $4; nf++ }
	END { out() }' "$1"
}

# Every row of stats copy $1 joined with its sample in samples copy $2:
#   1 count 2 symbol 3 module 4-8 the key 9 yes|no, then 10-18 fields
#   6-14 of samples_flat.
joined() {
	samples_flat "$2" >/tmp/flat.j
	awk -F'\t' 'FILENAME == "/tmp/flat.j" {
		S[$1 "\t" $2 "\t" $3 "\t" $4 "\t" $5] = $6 "\t" $7 "\t" $8 "\t" $9 "\t" $10 "\t" $11 "\t" $12 "\t" $13 "\t" $14
		next }
	/^#/ { next }
	{ k = $2 "\t" $5 "\t" $6 "\t" $7 "\t" $8
	  print $1 "\t" $3 "\t" $4 "\t" k "\t" ((k in S) ? "yes\t" S[k] : "no") }' /tmp/flat.j "$1"
}

# "ok" when samples copy $2 fits stats copy $1 of the same seq: its
# header is well formed, keys= is the number of sample blocks, unsampled=
# the sum of the counts of the rows without a sample, and every block
# belongs to a row.  Else what differs.
samples_invariant() {	# STATS SAMPLES
	samples_flat "$2" >/tmp/flat.inv
	awk -F'\t' -v hs="$(head -n 1 "$2")" -v ht="$(head -n 1 "$1")" '
	function kv(line, A,   n, i, a, p) { n = split(line, a, " ")
		for (i = 1; i <= n; i++) { split(a[i], p, "="); A[p[1]] = p[2] } }
	BEGIN { kv(hs, H); kv(ht, T) }
	FILENAME == "/tmp/flat.inv" { S[$1 "\t" $2 "\t" $3 "\t" $4 "\t" $5]++; blocks++; next }
	/^#/ { next }
	{ k = $2 "\t" $5 "\t" $6 "\t" $7 "\t" $8
	  if (k in S) { delete S[k]; joined++ } else un += $1 }
	END { bad = ""
	  if (hs !~ /^# dropmon-samples format=1 seq=[0-9]+ keys=[0-9]+ unsampled=[0-9]+$/) bad = bad " header=\"" hs "\""
	  if (H["seq"] != T["seq"]) bad = bad " seq=" H["seq"] "!=" T["seq"]
	  if (H["keys"] != blocks + 0) bad = bad " keys=" H["keys"] "!=blocks=" blocks + 0
	  if (H["unsampled"] != un + 0) bad = bad " unsampled=" H["unsampled"] "!=sum=" un + 0
	  if (joined + 0 != blocks + 0) bad = bad " orphan_blocks=" blocks - joined
	  print bad == "" ? "ok" : substr(bad, 2) }' /tmp/flat.inv "$1"
}

# Copies of a view and its samples file of one seq, in /tmp/$1 and
# /tmp/$2 (a rotation may fall between the two reads: read again), and
# the invariant checked on them.
snap_pair() {	# stats samples | totals samples_totals
	for try in 1 2 3 4 5 6 7 8 9 10; do
		snap $1
		snap $2
		[ "$(hdr $1 seq)" = "$(hdr $2 seq)" ] && break
	done
	check_eq "samples: $2 fits $1 (seq $(hdr $1 seq)/$(hdr $2 seq))" ok "$(samples_invariant /tmp/$1 /tmp/$2)"
	# An interval's samples were taken in it: start_ns <= time_ns <= end_ns.
	[ "$1" = stats ] && check_eq "samples: every sample's time_ns within the interval's start_ns..end_ns (+ the grace period) (seq $(hdr stats seq))" \
		"" "$(samples_times /tmp/stats /tmp/samples)"
	return 0
}

# The samples of samples copy $2 whose time_ns is not within the start_ns
# and end_ns of stats copy $1 (or missing), as "time_ns<start" or
# "time_ns>end" words, at most 3; nothing when all are.
samples_times() {	# STATS SAMPLES
	sth=$(head -n 1 "$1")
	samples_flat "$2" | awk -F'\t' -v g="$DM_GRACE_NS" -v a="$(printf '%s\n' "$sth" | sed -n 's/.* start_ns=\([0-9]*\) .*/\1/p')" \
		-v b="$(printf '%s\n' "$sth" | sed -n 's/.* end_ns=\([0-9]*\) .*/\1/p')" '
		$14 !~ /^[0-9]+$/ || a == "" || $14 + 0 < a + 0 { if (n++ < 3) printf "%s%s<%s", (n > 1 ? " " : ""), $14, a; next }
		b == "" || $14 + 0 > b + g { if (n++ < 3) printf "%s%s>%s", (n > 1 ? " " : ""), $14, b }'
}
# How long after end_ns a sample of the interval may be taken: by a CPU
# that took the tables just before the swap, until the grace period ends.
DM_GRACE_NS=1000000000

# The joined line (joined) of the row of copies $1/$2 whose symbol starts
# with SYMBOL+ and whose reason, dev, netns and proto are the given ones.
sample_of() {	# STATS SAMPLES SYMBOL REASON DEV NETNS PROTO
	joined "/tmp/$1" "/tmp/$2" | awk -F'\t' -v s="$3" -v r="$4" -v d="$5" -v n="$6" -v p="$7" '
		index($2, s "+") == 1 && $5 == r && $6 == d && $7 == n && $8 == p { print; exit }'
}
# Field $2 of joined line $1.
jf() { printf '%s\n' "$1" | awk -F'\t' -v f="$2" '{ print $f }'; }

# Decode the packet bytes (lowercase hex $1): each of $2 (space-separated
# TYPE@OFFSET, TYPE one of u8 u16 ip4 ip6 mac) printed in turn, "?" for
# bytes that are not there.
pkt() {
	printf '%s\n' "$1" | awk -v spec="$2" '
	function b(o,   hi, lo) { if (2 * o + 2 > length($0)) return -1
		hi = index("0123456789abcdef", substr($0, 2 * o + 1, 1)) - 1
		lo = index("0123456789abcdef", substr($0, 2 * o + 2, 1)) - 1
		return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo }
	function ok(o, n,   i) { for (i = 0; i < n; i++) if (b(o + i) < 0) return 0; return 1 }
	{ n = split(spec, f, " "); out = ""
	  for (i = 1; i <= n; i++) {
		split(f[i], t, "@"); o = t[2] + 0; v = "?"
		if (t[1] == "u8" && ok(o, 1)) v = b(o)
		else if (t[1] == "u16" && ok(o, 2)) v = b(o) * 256 + b(o + 1)
		else if (t[1] == "ip4" && ok(o, 4)) v = b(o) "." b(o + 1) "." b(o + 2) "." b(o + 3)
		else if (t[1] == "ip6" && ok(o, 16)) { v = ""
			for (j = 0; j < 16; j += 2) v = v (j ? ":" : "") sprintf("%02x%02x", b(o + j), b(o + j + 1)) }
		else if (t[1] == "mac" && ok(o, 6)) { v = ""
			for (j = 0; j < 6; j++) v = v (j ? ":" : "") sprintf("%02x", b(o + j)) }
		out = out (i > 1 ? " " : "") v }
	  print out }'
}
LO6=0000:0000:0000:0000:0000:0000:0000:0001
# The payload dmgen sends, "dropmon-dmgen-16" repeated: its first $1 bytes in hex.
payload_hex() {
	i=0
	while [ $i -lt $(($1 / 16 + 1)) ]; do printf 'dropmon-dmgen-16'; i=$((i + 1)); done |
		head -c "$1" | od -An -v -tx1 | tr -d ' \n'
}

SDP=7777	# closed: nothing listens there
SPL=100		# payload bytes
# UDP from fixed source ports to a closed port on lo: the samples show
# those addresses and ports, the length from the MAC header, the first
# 128 bytes, and the receive path on the stack.
t_samples_udp() {
	dmgen udp4 1 $SDP 40001 $SPL || fail "samples udp4" "dmgen udp4 failed"
	dmgen udp6 1 $SDP 40002 $SPL || fail "samples udp6" "dmgen udp6 failed"
	settle
	snap_pair totals samples_totals
	for v in 4 6; do
		if [ $v = 4 ]; then
			sym=$U4 proto=ipv4 len=$((14 + 20 + 8 + SPL))
			spec="u16@12 u8@23 ip4@26 ip4@30 u16@34 u16@36 u16@16"
			want="2048 17 127.0.0.1 127.0.0.1 40001 $SDP $((20 + 8 + SPL))"
			path='(^| )(ip_local_deliver|ip_local_deliver_finish|ip_protocol_deliver_rcu)( |$)'
		else
			sym=$U6 proto=ipv6 len=$((14 + 40 + 8 + SPL))
			spec="u16@12 u8@20 ip6@22 ip6@38 u16@54 u16@56 u16@18"
			want="34525 17 $LO6 $LO6 40002 $SDP $((8 + SPL))"
			path='(^| )(ip6_input|ip6_input_finish|ip6_protocol_deliver_rcu)( |$)'
		fi
		j=$(sample_of totals samples_totals "$sym" "$NOSOCK" lo "$ROOTNS" $proto)
		check_eq "samples udp$v: the row $sym $NOSOCK lo has a sample" yes "$(jf "$j" 9)"
		hex=$(jf "$j" 13)
		check_eq "samples udp$v: header=mac len=$len bytes=128, 256 hex digits" "mac $len 128 256" \
			"$(jf "$j" 11) $(jf "$j" 10) $(jf "$j" 12) ${#hex}"
		check_eq "samples udp$v: ethertype, protocol, addresses, ports, IP length from the bytes" \
			"$want" "$(pkt "$hex" "$spec")"
		off=$(( (len - SPL) * 2 ))
		check_eq "samples udp$v: the payload's first bytes" "$(payload_hex $((128 - len + SPL)))" \
			"$(printf '%s' "$hex" | cut -c $((off + 1))-)"
		check_eq "samples udp$v: frame 0 is the row's symbol, in vmlinux" "$(jf "$j" 2) vmlinux" \
			"$(jf "$j" 14) $(jf "$j" 17 | cut -d' ' -f1)"
		check_match "samples udp$v: the stack holds the receive path ($path, __netif_receive_skb*)" \
			"$path.*(^| )__netif_receive_skb" "$(jf "$j" 15)"
		eval "SYMS$v=\$(jf \"\$j\" 15)"
	done
}

# The kernel's own stack of a drop: the stacktrace trigger on
# skb:kfree_skb while dmgen sends one UDP datagram from source port $1 to
# a closed port on lo.  Leaves the totals and their samples in /tmp, the
# joined line of the U4 lo row in $J, the sample's frames (symbols) in
# $TRACED and the kernel's, from the location's function outwards, in
# $ORACLE.
stack_oracle() {	# SPORT
	T=/sys/kernel/tracing
	echo >$T/trace
	echo stacktrace >$T/events/skb/kfree_skb/trigger
	echo 1 >$T/events/skb/kfree_skb/enable
	dmgen udp4 1 $SDP "$1" $SPL
	echo 0 >$T/events/skb/kfree_skb/enable
	echo '!stacktrace' >$T/events/skb/kfree_skb/trigger
	cp $T/trace /tmp/stack.trace
	echo >$T/trace
	settle
	snap_pair totals samples_totals
	J=$(sample_of totals samples_totals "$U4" "$NOSOCK" lo "$ROOTNS" ipv4)
	TRACED=$(jf "$J" 15)
	# The location's function, from the stats row, not from the sample.
	loc=$(jf "$J" 2)
	loc=${loc%%+*}
	ORACLE=$(awk -v f="$loc" '
		/<stack trace>/ { blk = 1; s = ""; on = 0; next }
		blk && /^ => / { fn = $2; if (fn == f) on = 1; if (on) s = s (s == "" ? "" : " ") fn; next }
		blk { blk = 0; if (s != "") { print s; exit } }
		END { if (blk && s != "") print s }' /tmp/stack.trace)
}
nwords() { set -- $1; echo $#; }

# The same drop's stack from the kernel and from the sample: from the
# location's function outwards its functions must be the sample's, for
# the frames both have (at least 6).  With the trace event attached the
# tracepoint calls its probes through __traceiter_kfree_skb, one frame
# more above the location: the sample taken then must have the same
# frames as the one taken without (t_samples_udp's), so the trimming
# finds the location both ways.  The lo receive path is deeper than the
# default stack_depth=16: exactly 16 frames.
t_samples_stack() {
	stack_oracle 40003
	j=$J traced=$TRACED oracle=$ORACLE
	check_eq "samples stack: the sample is the one taken with the trace event on (source port 40003)" \
		40003 "$(pkt "$(jf "$j" 13)" u16@34)"
	no=$(nwords "$oracle") ns=$(nwords "$traced")
	n=$((no < ns ? no : ns))
	[ $n -ge 1 ] || n=1
	a=$(echo $oracle | cut -d' ' -f1-$n) b=$(echo $traced | cut -d' ' -f1-$n)
	check_match "samples stack: the kernel's stacktrace trigger saw the drop (at least 16 frames from $loc)" \
		'^yes' "$([ "$no" -ge 16 ] && echo yes) oracle=$no frames, sample=$ns frames"
	check_eq "samples stack: the sample's frames are the kernel's stacktrace, from the location outwards ($n frames)" \
		"$a" "$b"
	check_eq "samples stack: stack_depth=16 (default), an oracle of $no frames: exactly 16 frames" \
		"16 16" "$(jf "$j" 16) $ns"
	check_eq "samples stack: the sample taken with the trace event attached has the frames of the one without" \
		"$SYMS4" "$traced"
	check_match "samples stack: stack_unmatched=0 (every walk reached its location)" '^stack_unmatched=0$' \
		"$(grep '^stack_unmatched=' $D/status)"
}

# With stack_depth=32 the same drop keeps min(32, the oracle's depth)
# frames, the kernel's own from the location outwards.
t_samples_depth32() {
	stack_oracle 40004
	no=$(nwords "$ORACLE")
	want=$((no < 32 ? no : 32))
	check_eq "samples stack_depth=32: the sample is the one traced (source port 40004)" \
		40004 "$(pkt "$(jf "$J" 13)" u16@34)"
	check_eq "samples stack_depth=32: min(32, the oracle's $no) frames, the oracle's" \
		"$want $(echo $ORACLE | cut -d' ' -f1-$want)" "$(jf "$J" 16) $TRACED"
}

# A SYN to a closed port, dropped in tcp_v4_rcv (NO_SOCKET where the
# kernel has reasons): flag S alone, the ports, and the length a SYN of
# connect() has with the kernel's default sysctls (timestamps, SACK,
# window scaling): a 40-byte TCP header (MSS 4, SACK_PERM 2, timestamps
# 10, NOP 1, window scale 3), 14 + 20 + 40 = 74 bytes, all of them.
t_samples_tcp() {
	dmgen tcp4 1 $SDP 40005 || fail "samples tcp4" "dmgen tcp4 failed"
	settle
	snap_pair totals samples_totals
	j=$(sample_of totals samples_totals tcp_v4_rcv "$NOSOCK" lo "$ROOTNS" ipv4)
	hex=$(jf "$j" 13)
	check_eq "samples tcp4: header=mac len=74 bytes=74 (14 + 20 + a 40-byte TCP header)" \
		"yes mac 74 74" "$(jf "$j" 9) $(jf "$j" 11) $(jf "$j" 10) $(jf "$j" 12)"
	set -- $(pkt "$hex" "u16@16 u8@46")
	check_eq "samples tcp4: IP tot_len 60 = 20 + doff x 4 (doff 10)" "60 60 10" \
		"${1:-?} $((20 + ${2:-0} / 16 * 4)) $((${2:-0} / 16))"
	check_eq "samples tcp4: flags S only (0x02), protocol 6, addresses, ports" \
		"2 6 127.0.0.1 127.0.0.1 40005 $SDP" "$(pkt "$hex" "u8@47 u8@23 ip4@26 ip4@30 u16@34 u16@36")"
	check_eq "samples tcp4: frame 0 is the row's symbol" "$(jf "$j" 2)" "$(jf "$j" 14)"
}

# "The first drop of that key in the interval": two datagrams to one key
# from CPU 0 in one interval, from source port 40031 and then 40032:
# samples holds 40031's.  samples_totals, the most recent sample of each
# key, holds 40031's after that interval too, and 40032's only after an
# interval in which 40032 came first (alone).  "Across CPUs it keeps each
# key's earliest": from CPU 1 (port 40033) and then CPU 0 (40034) in one
# interval, each CPU samples its own first drop, and samples holds CPU 1's.
# lo delivers on the sending CPU, so each drop happens on dmgen's CPU.
first_in_interval() {	# CPU-A PORT-A [CPU-B PORT-B]: FIRST=ok or why not
	FIRST=
	for try in 1 2 3 4 5 6; do
		snap stats
		wait_seq stats $(($(hdr stats seq) + 1))
		s=$(hdr stats seq)
		dmgen -c "$1" udp4 1 $SDP "$2" $SPL
		[ -n "$4" ] && dmgen -c "$3" udp4 1 $SDP "$4" $SPL
		wait_seq stats $((s + 1))
		snap_pair stats samples
		[ "$(hdr stats seq)" = $((s + 1)) ] || continue
		n=$(sum stats "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
		[ "$n" = "$([ -n "$4" ] && echo 2 || echo 1)" ] && { FIRST=ok; return; }
	done
	FIRST="no interval held exactly the datagrams sent (try $try, seq $(hdr stats seq), count $n)"
}
t_samples_first() {
	u4port() { pkt "$(jf "$(sample_of "$1" "$2" "$U4" "$NOSOCK" lo "$ROOTNS" ipv4)" 13)" u16@34; }
	first_in_interval 0 40031 0 40032
	check_eq "samples first: 40031 then 40032 from CPU 0 in one interval" ok "$FIRST"
	check_eq "samples first: samples holds the first drop's, port 40031" 40031 "$(u4port stats samples)"
	wait_seq totals "$(hdr stats seq)"
	snap_pair totals samples_totals
	check_eq "samples first: samples_totals holds 40031's after that interval" 40031 "$(u4port totals samples_totals)"
	first_in_interval 0 40032
	check_eq "samples first: 40032 alone in an interval" ok "$FIRST"
	check_eq "samples first: samples holds 40032's then" 40032 "$(u4port stats samples)"
	wait_seq totals "$(hdr stats seq)"
	snap_pair totals samples_totals
	check_eq "samples first: samples_totals holds 40032's once it came first" 40032 "$(u4port totals samples_totals)"
	first_in_interval 1 40033 0 40034
	check_eq "samples first: CPU 1 (40033) then CPU 0 (40034) in one interval" ok "$FIRST"
	check_eq "samples first: across CPUs samples holds the earliest, CPU 1's port 40033" 40033 "$(u4port stats samples)"
}

# A veth pair, one end in a netns: the sample starts at the MAC header
# with the pair's own addresses (dst: the netns end, src: the root's).
# Then 4000 bytes, fragmented on the 1500-byte link and reassembled in
# the netns (a frag_list skb): still 128 bytes from the MAC header.
t_samples_veth() {
	insmod /lib/modules/veth.ko 2>/dev/null
	mkdir -p /run/netns
	# What a failed setup or test leaves behind must not outlive it.
	samples_veth_cleanup() {
		crc=0
		if $IP link show dmsa >/dev/null 2>&1; then $IP link del dmsa || crc=1; fi
		if [ -e /run/netns/dmsv ]; then $IP netns del dmsv || crc=1; fi
		return $crc
	}
	$IP netns add dmsv &&
		$IP link add dmsa type veth peer name dmsb netns dmsv &&
		$IP addr add 10.99.0.1/24 dev dmsa && $IP link set dmsa up &&
		$IP -n dmsv addr add 10.99.0.2/24 dev dmsb && $IP -n dmsv link set dmsb up &&
		$IP -n dmsv link set lo up || {
		fail "samples veth" "veth setup failed"
		samples_veth_cleanup
		return
	}
	ma=$(cat /sys/class/net/dmsa/address)
	mb=$($IP -n dmsv -o link show dmsb | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
	ns=$($IP netns exec dmsv readlink /proc/self/ns/net | tr -dc 0-9)
	check_rc "samples veth: ip neigh replace 10.99.0.2 lladdr $mb" 0 \
		$IP neigh replace 10.99.0.2 lladdr "$mb" dev dmsa nud permanent
	for pl in $SPL 4000; do
		dmgen udp4 1 $SDP 40006 $pl 10.99.0.2 || fail "samples veth" "dmgen udp4 to 10.99.0.2 failed"
		settle
		snap_pair totals samples_totals
		j=$(sample_of totals samples_totals "$U4" "$NOSOCK" dmsb "$ns" ipv4)
		hex=$(jf "$j" 13)
		check_eq "samples veth $pl B: header=mac len=$((42 + pl)) bytes=128" "mac $((42 + pl)) 128" \
			"$(jf "$j" 11) $(jf "$j" 10) $(jf "$j" 12)"
		check_eq "samples veth $pl B: the veths' MACs ($mb <- $ma), addresses, ports, IP length" \
			"$mb $ma 2048 10.99.0.1 10.99.0.2 40006 $SDP $((28 + pl))" \
			"$(pkt "$hex" "mac@0 mac@6 u16@12 ip4@26 ip4@30 u16@34 u16@36 u16@16")"
		check_eq "samples veth $pl B: the payload's first 86 bytes" "$(payload_hex 86)" \
			"$(printf '%s' "$hex" | cut -c 85-)"
	done
	check_rc "samples veth: the veth pair and netns removed" 0 samples_veth_cleanup
	check_eq "samples veth: nothing left (dmsa, /run/netns/dmsv)" "" \
		"$($IP link show dmsa 2>/dev/null | head -n 1)$(ls /run/netns/dmsv 2>/dev/null)"
}

# The bytes dmskb writes (tests/bench/dmskb.c), computed here on their own.
skb_hex() {	# KIND
	awk -v k="$1" 'function h(v) { return sprintf("%02x", v) }
	function ip(tot) { return "4500" sprintf("%04x", tot) "0000000040110000c0000201c6336402" }
	BEGIN { eth = "020000000001020000000002" "0800"
	  if (k == "network") { s = ip(68) "303900350030" "0000"
		for (i = 0; i < 40; i++) s = s h((i * 7 + 3) % 256) }
	  else if (k == "frags") { s = eth ip(220)
		for (j = 100; j < 150; j++) s = s h((j * 13 + 5) % 256)
		for (j = 1000; j < 1150; j++) s = s h((j * 13 + 5) % 256) }
	  else if (k == "fraglist") { s = eth ip(120)
		for (j = 0; j < 100; j++) s = s h((j * 13 + 5) % 256) }
	  print s }'
}

# Crafted skbs (dmskb): a network header only, no header at all, page
# frags, a frag_list, a MAC header beyond the tail or after the network
# header; on 6.12 and later (skb->unreadable) the frags skb marked
# unreadable, and one pulled past its IP header with unreadable frags:
# only the linear bytes, min(sample_bytes, headlen - start), are read.
# Each sample: the right header, length and exact bytes, capped at
# sample_bytes ($1, default 128); with stack_depth=0 ($2 = 0) no frames.
t_samples_skb() {
	sb=${1:-128} sd=${2:-16}
	if [ "$NOSOCK" = - ]; then rs=-; else rs=NOT_SPECIFIED; fi
	grep -q '^dmskb ' /proc/modules || insmod /lib/modules/dmskb.ko ||
		{ fail "samples skb" "insmod dmskb failed"; return; }
	kinds="network:network:68 none:none:40 frags:mac:234 fraglist:mac:134 badmac:network:68 macafter:network:68"
	if [ "$KV" -ge 6012 ]; then
		kinds="$kinds unreadable:mac:234 unreadpull:network:220"
	else
		for k in unreadable unreadpull; do
			check_eq "samples skb: no $k kind before 6.12 (no skb->unreadable)" 1 \
				"$({ echo $k >/sys/module/dmskb/parameters/fire; } 2>/dev/null; echo $?)"
		done
	fi
	for k in $kinds; do
		echo ${k%%:*} >/sys/module/dmskb/parameters/fire || fail "samples skb: ${k%%:*}" "the write to fire failed"
	done
	settle
	snap_pair totals samples_totals
	for k in $kinds; do
		kind=${k%%:*} h=${k#*:} len=${h#*:} h=${h%:*}
		case $kind in
		none) full= ;;
		badmac | macafter) full=$(skb_hex network) ;;
		# Unreadable frags: the linear part alone, Ethernet and IPv4
		# of "frags", or the IPv4 header before data.
		unreadable) full=$(skb_hex frags | cut -c 1-68) ;;
		unreadpull) full=$(skb_hex frags | cut -c 29-68) ;;
		*) full=$(skb_hex $kind) ;;
		esac
		n=$((${#full} / 2))
		[ $n -gt $sb ] && n=$sb
		want=
		[ $n = 0 ] || want=$(printf '%s' "$full" | cut -c 1-$((2 * n)))
		j=$(sample_of totals samples_totals "dmskb_drop_$kind" $rs - 0 ipv4)
		check_eq "samples skb $kind (sample_bytes=$sb): header=$h len=$len bytes=$n" "yes $h $len $n" \
			"$(jf "$j" 9) $(jf "$j" 11) $(jf "$j" 10) $(jf "$j" 12)"
		check_eq "samples skb $kind (sample_bytes=$sb): the bytes dmskb wrote" "$want" "$(jf "$j" 13)"
		if [ "$sd" = 0 ]; then
			check_eq "samples skb $kind (stack_depth=0): no frames" "0 -" "$(jf "$j" 16) $(jf "$j" 14)"
		else
			check_eq "samples skb $kind: frame 0 is the row's symbol, in dmskb" \
				"$(jf "$j" 2) dmskb" "$(jf "$j" 14) $(jf "$j" 17 | cut -d' ' -f1)"
		fi
	done
	rmmod dmskb
}

# UDP's dev_scratch skbs (t_dev_scratch, run right before): dmgen
# udpqueue's datagrams, 127.0.0.1:$((PORT + 1000)) to itself, freed unread
# at close.  Their rows (dev '-', netns 0, ipv4, the locations that
# t_dev_scratch counted them at) have samples from the MAC header of lo:
# 14 + 20 + 8 + 16 bytes, the addresses, ports and dmgen's payload.
t_samples_scratch() {
	snap_pair totals samples_totals
	joined /tmp/totals /tmp/samples_totals | awk -F'\t' 'FILENAME == "/tmp/scratch.keys" { k[$1]; next }
		($4 in k) && $6 == "-" && $7 == 0 && $8 == "ipv4"' /tmp/scratch.keys - >/tmp/scratch.j
	check_match "samples dev_scratch: rows with dev '-' netns 0 ipv4 sampled" '^[1-9]' "$(wc -l </tmp/scratch.j)"
	sp=$((PORT + 1000)) bad=
	while IFS= read -r j; do
		hex=$(jf "$j" 13)
		got="$(jf "$j" 9) $(jf "$j" 11) $(jf "$j" 10) $(jf "$j" 12) $(pkt "$hex" "u16@12 u8@23 ip4@26 ip4@30 u16@34 u16@36 u16@38") $(printf '%s' "$hex" | cut -c 85-)"
		want="yes mac 58 58 2048 17 127.0.0.1 127.0.0.1 $sp $sp 24 $(payload_hex 16)"
		[ "$got" = "$want" ] || bad="$bad [$(jf "$j" 2): $got]"
	done </tmp/scratch.j
	check_eq "samples dev_scratch: each sample header=mac len=bytes=58, 127.0.0.1:$sp -> 127.0.0.1:$sp, UDP length 24, dmgen's 16 payload bytes" \
		"" "$bad"
}

# One copy of stats and samples of the same seq, base64, between marker
# lines on the log: tests/samples-pcap.sh recreates them on the host.  The
# interval exported holds the samples of the three packets sent in it,
# from source ports 40011 (udp4), 40012 (udp6) and 40013 (tcp4), which
# samples-pcap.sh checks in tshark's decoding against what was sent (the
# DROPMON-EXPORT-SENT line); else the three are sent again in a fresh one.
export_has() {	# SYMBOL PROTO SPORT-OFFSET SPORT
	j=$(sample_of stats samples "$1" "$NOSOCK" lo "$ROOTNS" "$2")
	[ "$(jf "$j" 9)" = yes ] && [ "$(pkt "$(jf "$j" 13)" "u16@$3")" = "$4" ]
}
t_samples_export() {
	ok=no
	for try in 1 2 3 4 5; do
		snap stats
		wait_seq stats $(($(hdr stats seq) + 1))
		s=$(hdr stats seq)
		dmgen udp4 1 $SDP 40011 $SPL
		dmgen udp6 1 $SDP 40012 $SPL
		dmgen tcp4 1 $SDP 40013
		wait_seq stats $((s + 1))
		snap_pair stats samples
		if [ "$(hdr stats seq)" = $((s + 1)) ] && [ "$(hdr samples seq)" = $((s + 1)) ] &&
			export_has "$U4" ipv4 34 40011 && export_has "$U6" ipv6 54 40012 &&
			export_has tcp_v4_rcv ipv4 34 40013; then
			ok=yes
			break
		fi
	done
	check_eq "samples export: stats and samples of one seq with the samples of the 3 packets sent, ports 40011-40013 (try $try)" yes "$ok"
	echo "DROPMON-EXPORT-SENT sdp=$SDP spl=$SPL udp4=40011 udp6=40012 tcp4=40013 sample_bytes=$(sed -n 's/^sample_bytes=//p' $D/status)"
	for v in stats samples; do
		echo "DROPMON-EXPORT-BEGIN $v seq=$(hdr $v seq)"
		base64 /tmp/$v
		echo "DROPMON-EXPORT-END $v"
	done
}

# Parameters: stack_depth=0 (no frames, samples still there) and
# sample_bytes=0 (bytes=0, an empty packet line, len still right);
# sample_bytes=256 (the whole frags skb); out of range refused.
t_samples_params() {
	for p in stack_depth=33 stack_depth=-1 stack_depth=abc sample_bytes=257 sample_bytes=-1 sample_bytes=abc; do
		name=${p%%=*} val=${p#*=}
		case $name in stack_depth) range="0 to 32" ;; *) range="0 to 256" ;; esac
		dmesg_mark
		load "$p" >/tmp/ins 2>&1
		check_eq "refuse $p" "rc=22 Invalid argument" "rc=$? $(grep -o 'Invalid argument' /tmp/ins)"
		check_eq "refuse $p: message" "dropmon: $name=$val is invalid: it must be a number from $range" \
			"$(dmesg_since | grep -o "dropmon: $name=.*" | head -n 1)"
		grep -q '^dropmon ' /proc/modules && unload
	done
	for p in "stack_depth=0 sample_bytes=256" "stack_depth=16 sample_bytes=0" "stack_depth=32 sample_bytes=1"; do
		check_rc "samples: load $p" 0 load interval_ms=$INT $p
		check_eq "samples: status shows $p" "$p" \
			"$(grep -E '^(stack_depth|sample_bytes)=' $D/status | tr '\n' ' ' | sed 's/ $//')"
		set -- $p
		t_samples_skb ${2#*=} ${1#*=}
		unload
	done
	check_rc "samples: load stack_depth=32" 0 load interval_ms=$INT stack_depth=32
	t_samples_depth32
	unload
	check_dmesg "samples params"
}

# The records per CPU and interval, from the README's formula on its own:
# min(max_keys, floor(1 MiB / (2 x possible CPUs x record))) with record =
# ALIGN(24 + 8 x (stack_depth + 12) + sample_bytes, 8) (no frames at
# stack_depth=0), then one fewer while a pool of cap x record bytes, as
# allocated (whole pages above a page, else a kmalloc size class), takes
# more than the share (module/sample.c, dropmon_geom_calc); at least 1.
sample_cap_of() {	# POSSIBLE-CPUS MAX-KEYS STACK-DEPTH SAMPLE-BYTES
	awk -v c="$1" -v mk="$2" -v sd="$3" -v sb="$4" '
	function pool(n,   k) { if (n > 4096) return int((n + 4095) / 4096) * 4096
		if (n > 64 && n <= 96) return 96
		if (n > 128 && n <= 192) return 192
		for (k = 8; k < n; k *= 2); return k }
	BEGIN { share = int(1048576 / (2 * c))
		rec = 24 + 8 * (sd ? sd + 12 : 0) + sb; rec = int((rec + 7) / 8) * 8
		cap = int(share / rec); if (cap > mk) cap = mk
		while (cap > 1 && pool(cap * rec) > share) cap--
		if (cap < 1) cap = 1
		print cap, rec }'
}
# The possible CPUs, from sysfs ("0-255", "0", "0-1,4").
possible_cpus() {
	tr ',' '\n' </sys/devices/system/cpu/possible |
		awk -F- '{ n += ($2 == "" ? 1 : $2 - $1 + 1) } END { print n }'
}

# More keys on one CPU in one interval than its pool holds (status
# sample_cap, checked against sample_cap_of): dmbench fires cap + 100
# distinct core-kernel locations 3 times each from a kthread on CPU 0.
# Exactly cap of them are sampled, unsampled counts exactly the other
# 3 x 100 events, and the counts stay exact.  The table first grows to
# hold them all (one quadrupling per interval that lost keys).  Another
# key's drop on CPU 0 in that interval could take a record: an interval
# with rows besides the test's is tried again, and counted if every try
# has them (cap minus the other sampled keys, at most cap).
t_samples_cap() {
	check_rc "samples cap: load stack_depth=32 sample_bytes=256" 0 load interval_ms=2000 stack_depth=32 sample_bytes=256
	cat $D/status >/tmp/cap.status
	cap=$(sed -n 's/^sample_cap=//p' /tmp/cap.status)
	set -- $(sample_cap_of "$(possible_cpus)" "$(sed -n 's/^max_keys=//p' /tmp/cap.status)" 32 256)
	check_eq "samples cap: sample_cap and sample_record_bytes are the README's formula (possible_cpus=$(possible_cpus))" \
		"$1 $2" "$cap $(sed -n 's/^sample_record_bytes=//p' /tmp/cap.status)"
	nk=$((cap + 100))
	wait_seq stats 1
	grown=no
	for try in 1 2 3 4 5 6 7 8; do
		snap stats
		wait_seq stats $(($(hdr stats seq) + 1))
		s=$(hdr stats seq)
		insmod /lib/modules/dmbench.ko tag=cap keys=$nk cpus=1 iters=$((3 * nk)) stride=64 ||
			{ fail "samples cap" "insmod dmbench failed"; break; }
		rmmod dmbench
		wait_seq stats $((s + 1))
		snap_pair stats samples
		[ "$(hdr stats seq)" = $((s + 1)) ] || continue
		joined /tmp/stats /tmp/samples | awk -F'\t' '$2 ~ /^[^+]*\+/ && $3 == "vmlinux" && $6 == "lo" && $8 == "ipv4" && $1 == 3' >/tmp/cap.j
		joined /tmp/stats /tmp/samples | awk -F'\t' '!($2 ~ /^[^+]*\+/ && $3 == "vmlinux" && $6 == "lo" && $8 == "ipv4" && $1 == 3)' >/tmp/cap.other
		r=$(wc -l </tmp/cap.j)
		if [ "$(hdr stats lost)" = 0 ] && [ "$r" -ge $nk ]; then
			grown=yes
			[ -s /tmp/cap.other ] || break
		fi
	done
	check_eq "samples cap: $nk keys fired 3 times each, all counted in one interval (try $try, lost=$(hdr stats lost))" \
		"yes $nk $((3 * nk))" "$grown $(wc -l </tmp/cap.j) $(awk -F'\t' '{ s += $1 } END { print s + 0 }' /tmp/cap.j)"
	sampled=$(awk -F'\t' '$9 == "yes"' /tmp/cap.j | wc -l)
	unsampled=$(awk -F'\t' '$9 == "no" { s += $1 } END { print s + 0 }' /tmp/cap.j)
	others=$(awk -F'\t' '$9 == "yes"' /tmp/cap.other | wc -l)
	if [ "$others" = 0 ]; then
		check_eq "samples cap: exactly sample_cap=$cap of the $nk keys sampled, the other 100 x 3 events unsampled" \
			"$cap $((3 * (nk - cap)))" "$sampled $unsampled"
	else
		check_match "samples cap: $cap - $others (other keys' samples) to $cap of the $nk keys sampled, their 3 events each unsampled" \
			'^yes$' "$([ "$sampled" -le "$cap" ] && [ "$sampled" -ge $((cap - others)) ] &&
				[ "$unsampled" = $((3 * (nk - sampled))) ] && echo yes) sampled=$sampled unsampled=$unsampled"
	fi
	other=$(joined /tmp/stats /tmp/samples | awk -F'\t' '$9 == "no" { s += $1 } END { print s + 0 }')
	check_eq "samples cap: unsampled= in the header is the excess, $((3 * (nk - cap))) (+ other unsampled rows)" \
		"$other" "$(hdr samples unsampled)"
	check_eq "samples cap: stats invariant" "ok ok" "$(invariant stats)"
	unload
	check_dmesg "samples cap"
}

# Samples in play across reloads, for kmemleak: load, sample, read both
# samples files, unload, three times.
t_samples_reload() {
	# (c, not i: wait_seq counts its polls in i.)
	ok=0 why=
	for c in 1 2 3; do
		load interval_ms=100 || { why="load $c failed"; break; }
		dmgen udp4 5 $SDP 40021 $SPL
		dmgen tcp6 2 $SDP
		# Two intervals after the sends: their samples are published.
		snap stats
		s=$(hdr stats seq)
		wait_seq totals $((s + 2)) || { why="cycle $c: totals seq stayed below $((s + 2))"; break; }
		cat $D/samples $D/samples_totals >/tmp/reload.s || { why="cycle $c: reading the samples failed"; break; }
		grep -q '^sample	' /tmp/reload.s || {
			why="cycle $c: no sample after stats seq $s: $(grep '^#' /tmp/reload.s | tr '\n' ' ') totals: $(head -n 1 /tmp/totals)"
			break
		}
		unload || { why="cycle $c: unload failed"; break; }
		ok=$c
	done
	check_eq "samples: 3 load, sample, read, unload cycles" "3 " "$ok $why"
	grep -q '^dropmon ' /proc/modules && unload
}

# --- overflow ---------------------------------------------------------------
t_overflow() {
	check_rc "overflow: load max_keys=16" 0 load max_keys=16 interval_ms=$INT
	wait_seq totals 1
	# 20 keys of 5 events on CPU 0 in a fresh netns: 16 fit, 4 do not,
	# all in one interval (the totals hold total_keys, more than 16): sent
	# just after a rotation, in a small part of one.
	snap stats
	wait_seq stats $(($(hdr stats seq) + 1))
	dmgen -c 0 -n raw lo 5 0x88b5-0x88c8 || fail overflow "dmgen failed"
	settle
	check_eq "overflow: totals hold max_keys rows" 16 "$(hdr totals keys)"
	check_eq "overflow: drops" 100 "$(hdr totals drops)"
	check_eq "overflow: lost counts exactly the excess" 20 "$(hdr totals lost)"
	check_eq "overflow: every row counts 5" "" \
		"$(awk -F'\t' '!/^#/ && $1 != 5' /tmp/totals)"
	check_eq "overflow: invariant" "ok ok" "$(invariant totals)"
	unload
	check_dmesg overflow
}

# --- unload while a reader holds the file open -----------------------------
t_open_reader() {
	load interval_ms=100
	exec 3<$D/stats
	rmmod dropmon 2>/tmp/busy
	check_eq "unload refused while stats is open" "1 still loaded" \
		"$? $(grep -q '^dropmon ' /proc/modules && echo still loaded)"
	sleep 1
	check_match "the open reader still reads its snapshot" '^# dropmon format=2 seq=0 ' "$(head -n 1 <&3)"
	exec 3<&-
	check_rc "unload after the reader closed" 0 unload
	check_dmesg open-reader
}

# --- unload and reload during a drop storm on both CPUs --------------------
t_storm() {
	dmgen -c 0 flood 600 $PORT >/tmp/flood0 &
	f0=$!
	dmgen -c 1 flood 600 $PORT udp6 >/tmp/flood1 &
	f1=$!
	sleep 1
	ok=0
	for i in $(seq 20); do
		load interval_ms=100 || break
		usleep 300000
		cat $D/stats >/dev/null && cat $D/totals >/dev/null &&
			cat $D/samples $D/samples_totals >/dev/null || break
		unload || break
		ok=$i
	done
	kill $f0 $f1
	wait
	check_eq "storm: 20 load/unload cycles under a flood on both CPUs" 20 $ok
	check_match "storm: floods ran" 'sent=[1-9]' "$(cat /tmp/flood0 /tmp/flood1)"
	check_dmesg storm
}

t_show_errors() {
	dropmon-show >/tmp/out 2>/tmp/err
	check_eq "dropmon-show without the module: exit 2" 2 $?
	check_match "dropmon-show without the module: says so" "not loaded.*modprobe dropmon" "$(cat /tmp/err)"
}

# --- fleet: one host of tests/fleet.sh's fleet of two ------------------------
# The totals and the .prom that dropmon-show --prometheus wrote from them
# (the same snapshot), base64 between "DROPMON-FLEET-BEGIN NAME seq=S" and
# "DROPMON-FLEET-END NAME" lines of the log: tests/fleet.sh serves each
# run's .prom through its own node_exporter to a real Prometheus, and
# checks what PromQL sums against the totals.  dropmon_build_info names
# this module's version, this kernel and the file's format, read here both
# through the status file beside a copy of the totals and from debugfs.
t_fleet_export() {
	FL=/tmp/fleet
	rm -rf $FL
	mkdir -p $FL
	snap totals
	cp /tmp/totals $FL/totals
	cat $D/status >$FL/status
	check_rc "fleet: dropmon-show -f totals --prometheus --output exit 0" 0 \
		dropmon-show -f $FL/totals --prometheus --output $FL/dropmon.prom
	want="dropmon_build_info{version=\"$(cat /sys/module/dropmon/version)\",kernel=\"$(uname -r)\",format=\"$(hdr totals format)\"} 1"
	check_eq "fleet: build_info from the status file beside the totals copy" "$want" \
		"$(grep '^dropmon_build_info' $FL/dropmon.prom)"
	check_eq "fleet: build_info from debugfs" "$want" \
		"$(dropmon-show --totals --prometheus 2>&1 | grep '^dropmon_build_info')"
	for v in totals dropmon.prom; do
		echo "DROPMON-FLEET-BEGIN $v seq=$(hdr totals seq)"
		base64 $FL/$v
		echo "DROPMON-FLEET-END $v"
	done
}
# --- end of fleet --------------------------------------------------------------
# --- parameters at run time (issue 13) ------------------------------------
# Written through /sys/module/dropmon/parameters/ while the module runs:
# validated as at load, pending until the next rotation, then in effect
# for the intervals after it, under a storm whose every drop must be
# counted exactly across each change.
PP=/sys/module/dropmon/parameters

# Write $2 to parameter $1 as root; prints the shell's exit status.
pwrite() { { echo "$2" >$PP/$1; } 2>/dev/null; echo $?; }

# A bad write: refused (the write fails with EINVAL), the one dmesg line
# $3 (an ERE), and the value read back unchanged.
params_refuse() {	# NAME VALUE MESSAGE-ERE
	before=$(cat $PP/$1)
	dmesg_mark
	{ echo "$2" >$PP/$1; } 2>/tmp/pw.err
	rc=$?
	check_eq "params runtime: refuse $1=$2 (write fails: Invalid argument)" "1 yes" \
		"$rc $(grep -q 'Invalid argument' /tmp/pw.err && echo yes)"
	check_match "params runtime: refuse $1=$2: one line in dmesg" "^1 $3\$" \
		"$(dmesg_since | grep -c 'dropmon: ') $(dmesg_since | grep -o 'dropmon: .*' | head -n 1)"
	check_eq "params runtime: refuse $1=$2: unchanged" "$before" "$(cat $PP/$1)"
}

# The storm: udp4 to a closed port on lo in batches of 200 from each CPU
# in $1 until /tmp/storm.on goes; each batch counted once it completed
# exactly (dmgen exits 0), into /tmp/storm.CPU.  A batch and the ICMP
# errors it causes stay below the backlog's 1000 packets
# (netdev_max_backlog) even when none is processed before the batch
# ends: no datagram is dropped anywhere but at the closed port.
storm_start() {	# CPUS
	touch /tmp/storm.on
	STORM_PIDS=
	for c in $1; do
		(n=0
		 while [ -f /tmp/storm.on ]; do
			dmgen -c $c udp4 200 $PORT >/dev/null 2>&1 && n=$((n + 200))
		 done
		 echo $n >/tmp/storm.$c) &
		STORM_PIDS="$STORM_PIDS $!"
	done
}
# Not in a subshell: it waits for the storm's own.
storm_stop() {	# sets SENT, the datagrams sent
	rm -f /tmp/storm.on
	wait $STORM_PIDS
	SENT=$(cat /tmp/storm.[0-9]* | awk '{ s += $1 } END { print s + 0 }')
	rm -f /tmp/storm.[0-9]*
}

# Copies of stats and samples of every seq while /tmp/pcap.on exists,
# in /tmp/pr/stats.SEQ and /tmp/pr/samples.SEQ (a pair of one seq only).
pcap_start() {
	rm -rf /tmp/pr
	mkdir -p /tmp/pr
	touch /tmp/pcap.on
	(while [ -f /tmp/pcap.on ]; do
		cat $D/stats >/tmp/pr/st
		cat $D/samples >/tmp/pr/sa
		a=$(head -n 1 /tmp/pr/st | sed -n 's/.* seq=\([0-9]*\) .*/\1/p')
		b=$(head -n 1 /tmp/pr/sa | sed -n 's/.* seq=\([0-9]*\) .*/\1/p')
		if [ -n "$a" ] && [ "$a" = "$b" ] && [ ! -f /tmp/pr/stats.$a ]; then
			mv /tmp/pr/st /tmp/pr/stats.$a
			mv /tmp/pr/sa /tmp/pr/samples.$a
		fi
		usleep 50000
	done) &
	PCAP_PID=$!
}
pcap_stop() { rm -f /tmp/pcap.on; wait $PCAP_PID; }
# The captured seqs, ascending.
pcap_seqs() { ls /tmp/pr | sed -n 's/^stats\.//p' | sort -n; }

# The seq published now, and the seq after the first rotation that can
# have applied a value written now: a rotation in progress may be past
# its apply, so seq+1 was counted with the old values for sure and from
# seq+3 on every interval has the new ones; seq+2 may be either.
seq_now() { snap stats; hdr stats seq; }

# The U4 lo row's sample in captured seq $1: "bytes frames frame0 hexlen hex".
pcap_sample() {
	j=$(sample_of pr/stats.$1 pr/samples.$1 "$U4" "$NOSOCK" lo "$ROOTNS" ipv4)
	echo "$(jf "$j" 12) $(jf "$j" 16) $(jf "$j" 14 | sed 's/+.*//') $(jf "$j" 13)"
}

# "dropmon-dmgen-16", dmgen's payload, in hex; the Ethernet header of lo
# (zero addresses) and IPv4's ethertype.
DMGEN_HEX=64726f706d6f6e2d646d67656e2d3136
LO_ETH_HEX=0000000000000000000000000800

t_params_runtime_files() {
	# No rotation for an hour: what is written stays pending.
	check_rc "params runtime: load interval_ms=3600000" 0 load interval_ms=3600000
	check_eq "params runtime: three values written" "0 0 0" \
		"$(pwrite interval_ms 1000) $(pwrite stack_depth 8) $(pwrite max_keys 2048)"
	check_eq "params runtime: status: in effect until a rotation, and pending" \
		"interval_ms=3600000 max_keys=1024 param_failures=0 pending_interval_ms=1000 pending_max_keys=2048 pending_stack_depth=8 stack_depth=16" \
		"$(grep -E '^(max_keys|interval_ms|stack_depth|pending_.*|param_failures)=' $D/status | sort | tr '\n' ' ' | sed 's/ $//')"
	check_eq "params runtime: the files read the values written" "1000 8 2048" \
		"$(cat $PP/interval_ms) $(cat $PP/stack_depth) $(cat $PP/max_keys)"
	check_match "params runtime: the snapshots still say the old interval" '^# dropmon format=2 seq=0 interval_ms=3600000 ' \
		"$(head -n 1 $D/stats)"
	unload
	check_rc "params runtime: load interval_ms=$INT" 0 load interval_ms=$INT
	for p in max_keys interval_ms stack_depth sample_bytes; do
		check_eq "params runtime: $p is 0644, owned by root" "644 0 0" "$(stat -c '%a %u %g' $PP/$p)"
	done
	params_refuse max_keys 15 "dropmon: max_keys=15 is invalid: it must be a number from 16 to 65536"
	params_refuse max_keys abc "dropmon: max_keys=abc is invalid: it must be a number from 16 to 65536"
	params_refuse interval_ms 99 "dropmon: interval_ms=99 is invalid: it must be a number from 100 to 3600000"
	params_refuse interval_ms 3600001 "dropmon: interval_ms=3600001 is invalid: it must be a number from 100 to 3600000"
	params_refuse stack_depth 33 "dropmon: stack_depth=33 is invalid: it must be a number from 0 to 32"
	params_refuse stack_depth -1 "dropmon: stack_depth=-1 is invalid: it must be a number from 0 to 32"
	params_refuse sample_bytes 257 "dropmon: sample_bytes=257 is invalid: it must be a number from 0 to 256"
	params_refuse sample_bytes 1x "dropmon: sample_bytes=1x is invalid: it must be a number from 0 to 256"
	# The rule between the two, against the values written.
	params_refuse max_keys 65536 "dropmon: max_keys=65536 is too large for interval_ms=$INT: the worker needs interval_ms of at least max_keys / 16, so max_keys can be at most $((INT * 16 + 15))"
	check_eq "params runtime: max_keys=4096 accepted" 0 "$(pwrite max_keys 4096)"
	params_refuse interval_ms 255 "dropmon: interval_ms=255 is too short for max_keys=4096: the worker needs interval_ms of at least max_keys / 16 = 256 to keep up"
	check_eq "params runtime: max_keys=1024 accepted" 0 "$(pwrite max_keys 1024)"
	s0=$(seq_now)
	# Root only, and root with CAP_SYS_ADMIN (21) only.
	check_eq "params runtime: uid 65534 cannot write interval_ms (mode 0644)" "writeas: EACCES" \
		"$(dmgen writeas uid=65534 $PP/interval_ms 1000)"
	check_eq "params runtime: root without CAP_SYS_ADMIN cannot write interval_ms" "writeas: EPERM" \
		"$(dmgen writeas nocap=21 $PP/interval_ms 1000)"
	check_eq "params runtime: interval_ms unchanged by them" "$INT" "$(cat $PP/interval_ms)"
	wait_seq stats $((s0 + 5))
	check_eq "params runtime: nothing pending, no failures" "param_failures=0" \
		"$(grep -E '^(pending_|param_failures=)' $D/status | tr '\n' ' ' | sed 's/ $//')"
	check_eq "params runtime: max_keys in effect is 1024 again" "max_keys=1024" "$(grep '^max_keys=' $D/status)"
	unload
	check_dmesg "params runtime files"
}

# interval_ms, stack_depth and sample_bytes changed under a storm from
# both CPUs: every snapshot's U4 lo count summed (snapsum) and the totals
# count exactly what was sent; the header's interval_ms and the samples'
# geometry change at the rotation after the write and not before.
t_params_runtime_storm() {
	check_rc "params runtime storm: load interval_ms=$INT" 0 load interval_ms=$INT
	wait_seq totals 2
	snap totals
	before=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	dmgen snapsum $D/stats "$U4" lo 900 >/tmp/psnapsum &
	poller=$!
	pcap_start
	sleep 1
	storm_start "0 1"
	wait_seq stats $(($(seq_now) + 2))
	NEW=$((INT * 3))
	s_int=$(seq_now)
	check_eq "params runtime storm: write interval_ms=$NEW" 0 "$(pwrite interval_ms $NEW)"
	# Pending, or already in effect if a rotation came in between.
	check_match "params runtime storm: status says interval_ms=$NEW is pending (or in effect)" \
		"^(interval_ms=$INT pending_interval_ms=$NEW|interval_ms=$NEW)\$" \
		"$(grep -E '^(pending_)?interval_ms=' $D/status | tr '\n' ' ' | sed 's/ $//')"
	check_eq "params runtime storm: the file reads the value written" "$NEW" "$(cat $PP/interval_ms)"
	wait_seq stats $((s_int + 6)) 60
	s_geo=$(seq_now)
	check_eq "params runtime storm: write stack_depth=4" 0 "$(pwrite stack_depth 4)"
	check_eq "params runtime storm: write sample_bytes=40" 0 "$(pwrite sample_bytes 40)"
	wait_seq stats $((s_geo + 5)) 60
	s_stop=$(seq_now)
	storm_stop
	sent=$SENT
	settle
	pcap_stop
	kill -TERM $poller
	wait $poller
	snap totals
	after=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	echo "PARAMS-STORM sent=$sent $(cat /tmp/psnapsum) totals_delta=$((after - before)) s_int=$s_int s_geo=$s_geo seqs=$(pcap_seqs | tr '\n' ,)"
	echo "PARAMS-STORM-TOTALS $(head -n 1 /tmp/totals)"
	awk -F'\t' '!/^#/ { print "PARAMS-STORM-ROW " $1, $3, $5, $6, $7, $8 }' /tmp/totals
	check_match "params runtime storm: the storm ran (sent=$sent)" '^[1-9][0-9]*$' "$sent"
	check_eq "params runtime storm: totals count exactly the $sent datagrams across the changes" \
		"$sent" $((after - before))
	check_match "params runtime storm: the sum over every snapshot is exactly $sent, none missed" \
		"total=$sent .* missed=0 " "$(cat /tmp/psnapsum)"
	check_eq "params runtime storm: invariant" "ok ok" "$(invariant totals)"
	# Headers: the old interval_ms, then from one of s_int + 1 to s_int + 2
	# (a rotation in progress at the write may be past its apply) the new
	# one, for good; and each says how long its interval was: one that
	# says the old lasted less than halfway to the new, one that says the
	# new more than that and less than twice it (TCG).
	bad= nnew=0 k= mid=$(((INT + NEW) / 2))
	for s in $(pcap_seqs); do
		[ $s -ge $((s_int - 2)) ] || continue
		h=$(head -n 1 /tmp/pr/stats.$s)
		ms=$(printf '%s\n' "$h" | sed -n 's/.* interval_ms=\([0-9]*\) .*/\1/p')
		len=$(printf '%s\n' "$h" | awk '{ for (i = 1; i <= NF; i++) { split($i, a, "="); H[a[1]] = a[2] } }
			END { printf "%d", (H["end_ns"] - H["start_ns"]) / 1000000 }')
		[ -z "$k" ] && [ "$ms" = $NEW ] && k=$s
		if [ -z "$k" ]; then
			[ "$ms" = $INT ] || bad="$bad seq$s:interval_ms=$ms"
			[ $len -lt $mid ] || bad="$bad seq$s:interval_ms=$ms,lasted=${len}ms"
		else
			[ "$ms" = $NEW ] || bad="$bad seq$s:interval_ms=$ms"
			[ $len -gt $mid ] && [ $len -le $((NEW * 2)) ] || bad="$bad seq$s:interval_ms=$ms,lasted=${len}ms"
			nnew=$((nnew + 1))
		fi
	done
	check_eq "params runtime storm: header interval_ms=$INT, then $NEW for good, each lasting it" "" "$bad"
	check_match "params runtime storm: interval_ms=$NEW from seq $((s_int + 1)) or $((s_int + 2)) (or the next, missed), saw ${k:-none}" \
		"^($((s_int + 1))|$((s_int + 2))|$((s_int + 3)))\$" "$k"
	check_match "params runtime storm: snapshots of the new interval seen ($nnew)" '^([3-9]|[1-9][0-9]+)$' "$nnew"
	# Samples: 8-16 frames and min(128, 58) = 58 bytes up to s_geo + 1, 4
	# frames and 40 bytes from s_geo + 3; each decoded with the size it was
	# written with: frame 0 the U4 location, lo's Ethernet header first,
	# dmgen's payload last in a whole one.
	bad= nold=0 nnew=0
	for s in $(pcap_seqs); do
		# While the storm ran, whole intervals of it.
		[ $s -gt $((s_int + 2)) ] && [ $s -le $s_stop ] || continue
		set -- $(pcap_sample $s)
		old=no new=no
		# Old: 16 frames, or fewer where the softirq ran in ksoftirqd
		# (a shallower stack), never as few as the new 4.
		[ "$1 $3 ${#4}" = "58 $U4 116" ] && [ "$2" -ge 8 ] && [ "$2" -le 16 ] &&
			[ "${4%$DMGEN_HEX}" != "$4" ] && [ "${4#$LO_ETH_HEX}" != "$4" ] && old=yes
		[ "$1 $2 $3 ${#4}" = "40 4 $U4 80" ] && [ "${4#$LO_ETH_HEX}" != "$4" ] && new=yes
		if [ $s -le $((s_geo + 1)) ]; then
			[ $old = yes ] && nold=$((nold + 1)) || bad="$bad seq$s:$1/$2/$3/${#4}"
		elif [ $s -ge $((s_geo + 3)) ]; then
			[ $new = yes ] && nnew=$((nnew + 1)) || bad="$bad seq$s:$1/$2/$3/${#4}"
		else
			[ $old = yes ] || [ $new = yes ] || bad="$bad seq$s:$1/$2/$3/${#4}"
		fi
	done
	check_eq "params runtime storm: samples of 8-16 frames, 58 bytes up to seq $((s_geo + 1)), of 4 frames, 40 bytes from seq $((s_geo + 3)), each decoded whole" "" "$bad"
	check_match "params runtime storm: samples seen before ($nold) and after ($nnew)" '^[1-9][0-9]* [1-9][0-9]*$' "$nold $nnew"
	check_eq "params runtime storm: status: the values in effect, none pending" \
		"max_keys=1024 interval_ms=$NEW stack_depth=4 sample_bytes=40 param_failures=0" \
		"$(grep -E '^(max_keys|interval_ms|stack_depth|sample_bytes|pending_.*|param_failures)=' $D/status | tr '\n' ' ' | sed 's/ $//')"
	check_eq "params runtime storm: status sample_record_bytes for stack_depth=4 sample_bytes=40" \
		"sample_record_bytes=$(sample_cap_of "$(possible_cpus)" 1024 4 40 | cut -d' ' -f2)" \
		"$(grep '^sample_record_bytes=' $D/status)"
	unload
	check_dmesg "params runtime storm"
}

# max_keys under a storm from CPU 0 (merged first, so its key always has
# a row) and bursts of 20 keys x 5 frames from CPU 1 in a fresh netns
# (t_overflow's): the interval in which max_keys=16 is written still
# holds all 20; from the next but one, an interval holds 16 keys and the
# rest is lost, exactly; back at 1024 all 20 again.  interval_ms=2000
# (written at run time too), so that a burst falls in one interval.
# 20 keys x 5 frames from CPU 1, counted in /tmp/bursts.
params_raw() {	# NAME
	echo 1 >>/tmp/bursts
	dmgen -c 1 -n raw lo 5 0x88b5-0x88c8 >/dev/null 2>&1 || fail "$1" "dmgen raw failed"
}
# The raw frames in the totals (copied): dev lo, another netns, 0x88..
raw_sum() { awk -F'\t' -v r="$ROOTNS" '!/^#/ && $6 == "lo" && $7 != r && $8 ~ /^0x88/ { s += $1 } END { print s + 0 }' /tmp/$1; }
params_burst() {	# NAME: prints "keys lost rawsum" of the burst's interval
	for try in 1 2 3 4 5; do
		s0=$(seq_now)
		params_raw "$1"
		# Across a rotation: try again in an interval of its own.
		if [ "$(seq_now)" != "$s0" ]; then
			wait_seq stats $(($(hdr stats seq) + 1)) 60
			continue
		fi
		wait_seq stats $((s0 + 1)) 30
		[ "$(hdr stats seq)" = $((s0 + 1)) ] || continue
		echo "$(hdr stats keys) $(hdr stats lost) $(raw_sum stats)"
		return
	done
	echo "no burst within one interval in 5 tries"
}

t_params_runtime_keys() {
	KI=$((INT > 1000 ? 2 * INT : 2000))
	rm -f /tmp/bursts
	check_rc "params runtime keys: load interval_ms=$INT" 0 load interval_ms=$INT
	wait_seq totals 1
	snap totals
	before=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	lb=$(hdr totals lost)
	storm_start 0
	check_eq "params runtime keys: write interval_ms=$KI" 0 "$(pwrite interval_ms $KI)"
	wait_seq stats $(($(seq_now) + 3)) 60
	set -- $(params_burst "params runtime keys 1024")
	check_eq "params runtime keys: max_keys=1024: 20 keys and the storm's, none lost, 100 frames" "21 0 100" "$*"
	# Written, then a burst in the same interval: still the old capacity.
	# A rotation between the write and the burst: 1024 again, then retry.
	seen="no try within one interval in 5 tries"
	for try in 1 2 3 4 5; do
		s0=$(seq_now)
		w=$(pwrite max_keys 16)
		params_raw "params runtime keys"
		if [ "$w" = 0 ] && [ "$(seq_now)" = "$s0" ] && grep -q '^pending_max_keys=16$' $D/status; then
			wait_seq stats $((s0 + 1)) 30
			seen="$(hdr stats keys) $(hdr stats lost)"
			break
		fi
		echo "params runtime keys: a rotation came between the write and the burst (try $try); again"
		pwrite max_keys 1024 >/dev/null
		pfix_wait_status '^max_keys=1024$' 60
	done
	check_eq "params runtime keys: the interval max_keys=16 was written in keeps max_keys=1024: 21 keys, none lost" \
		"21 0" "$seen"
	wait_seq stats $(($(seq_now) + 3)) 60
	check_eq "params runtime keys: max_keys=16 in effect" "max_keys=16" "$(grep -E '^(pending_)?max_keys=' $D/status | tr '\n' ' ' | sed 's/ $//')"
	set -- $(params_burst "params runtime keys 16")
	# CPU 1's table holds 16 of the 20 keys (4 x 5 lost there); the
	# interval holds the storm's and 15 of them (5 more lost).
	check_eq "params runtime keys: max_keys=16: 16 keys, 25 frames lost, the other 75 counted" "16 25 75" "$*"
	check_eq "params runtime keys: write max_keys=1024" 0 "$(pwrite max_keys 1024)"
	wait_seq stats $(($(seq_now) + 3)) 60
	set -- $(params_burst "params runtime keys 1024 again")
	check_eq "params runtime keys: max_keys=1024 again: 21 keys, none lost" "21 0 100" "$*"
	s_stop=$(seq_now)
	storm_stop
	sent=$SENT
	settle
	after=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	nb=$(wc -l </tmp/bursts)
	echo "PARAMS-KEYS sent=$sent totals_delta=$((after - before)) lost_delta=$(($(hdr totals lost) - lb)) bursts=$nb raw=$(raw_sum totals)"
	check_eq "params runtime keys: totals count exactly the $sent datagrams of the storm" "$sent" $((after - before))
	check_eq "params runtime keys: the totals count or lost exactly the $nb x 100 raw frames" \
		$((nb * 100)) $(($(raw_sum totals) + $(hdr totals lost) - lb))
	check_match "params runtime keys: the totals lost at least the 25 frames of max_keys=16" \
		'^(2[5-9]|[3-9][0-9]|[1-9][0-9][0-9]+)$' $(($(hdr totals lost) - lb))
	check_eq "params runtime keys: invariant" "ok ok" "$(invariant totals)"
	unload
	check_dmesg "params runtime keys"
}

t_params_runtime() {
	t_params_runtime_files
	t_params_runtime_storm
	t_params_runtime_keys
}
# --- end of parameters at run time ---------------------------------------
# --- totals that never fill up: total_keys and eviction (issue 13) ------
#
# The totals hold total_keys rows; when an interval brings new keys to
# full totals, the rows idle longest (last seen the most intervals ago)
# are evicted, among equally idle ones the row the totals file lists last
# (the smaller count), and their events go to evicted.  The model below
# recomputes the totals from the stats files alone, one interval after
# the other, and every totals snapshot must equal it.

# The key of a row of stats or totals: location, reason, dev, netns, proto.
TK_KEY='$2 "\t" $5 "\t" $6 "\t" $7 "\t" $8'

# One interval of the model: tk_model CAP SEQ STATE PREV-TOTALS STATS
# reads the model's state (key TAB count TAB last-seen), the totals file
# of the interval before (its order breaks ties) and the interval's stats
# file, and writes the new state to stdout and "evicted_events
# evicted_rows" to /tmp/tk.ev.
tk_model() {
	awk -F'\t' -v cap="$1" -v seq="$2" "
		FILENAME == ARGV[1] { k = \$1 \"\\t\" \$2 \"\\t\" \$3 \"\\t\" \$4 \"\\t\" \$5
			cnt[k] = \$6; seen[k] = \$7; n++; next }
		FILENAME == ARGV[2] { if (/^#/) next; pos[$TK_KEY] = FNR; next }
		/^#/ { next }
		{ k = $TK_KEY
		  if (k in cnt) { cnt[k] += \$1; seen[k] = seq }
		  else { nn++; nk[nn] = k; nc[nn] = \$1 } }
		END {
			ev = 0; er = 0
			need = n + nn - cap
			# candidates: not seen in this interval, idle longest
			# first, then the one listed last in the totals file
			m = 0
			for (k in cnt) if (seen[k] < seq) c[++m] = k
			for (i = 2; i <= m; i++) {
				x = c[i]
				for (j = i - 1; j >= 1 && (seen[c[j]] > seen[x] ||
				     (seen[c[j]] == seen[x] && pos[c[j]] < pos[x])); j--)
					c[j + 1] = c[j]
				c[j + 1] = x
			}
			for (i = 1; i <= m && i <= need; i++) {
				ev += cnt[c[i]]; er++; delete cnt[c[i]]; n--
			}
			for (i = 1; i <= nn; i++) {
				if (n < cap) { cnt[nk[i]] = nc[i]; seen[nk[i]] = seq; n++ }
				else ev += nc[i]
			}
			for (k in cnt) print k \"\\t\" cnt[k] \"\\t\" seen[k]
			print ev, er >\"/tmp/tk.ev\"
		}" "$3" "$4" "$5"
}

# The rows of a view copy as sorted "key TAB count" lines.
tk_rows() { awk -F'\t' "!/^#/ { print $TK_KEY \"\\t\" \$1 }" "/tmp/$1" | LC_ALL=C sort; }

# Copy stats and totals of one and the same interval, seq > $1; then
# TK_SEQ is its seq.  Fails (returns 1) after 30 s.
tk_snap_pair() {
	i=0
	while :; do
		snap stats && snap totals
		s=$(hdr stats seq) t=$(hdr totals seq)
		[ "$s" -gt "$1" ] && [ "$s" = "$t" ] && break
		i=$((i + 1))
		[ $i -gt 600 ] && return 1
		usleep 50000
	done
	TK_SEQ=$s
}

# Rows of totals sorted as the file must be: count down, then location.
tk_sorted() {
	awk -F'\t' '!/^#/ { print $1 "\t" $2 }' "/tmp/$1" >/tmp/tk.order
	LC_ALL=C sort -t"$(printf '\t')" -k1,1nr -k2,2 /tmp/tk.order | cmp -s - /tmp/tk.order && echo sorted
}

tk_nodad() {	# no IPv6 on new devices: no frames but the test's
	TK_V6=$(cat /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null)
	[ -n "$TK_V6" ] && echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
}
tk_dad() { [ -n "$TK_V6" ] && echo "$TK_V6" >/proc/sys/net/ipv6/conf/default/disable_ipv6; }

# What dropmon_zalloc() or kmalloc() of $1 bytes really takes, as status
# counts it: whole pages above a page, else the kmalloc() size class.
tk_za() {
	if [ "$1" -gt 4096 ]; then echo $((($1 + 4095) / 4096 * 4096))
	elif [ "$1" -le 8 ]; then echo 8
	elif [ "$1" -gt 64 ] && [ "$1" -le 96 ]; then echo 96
	elif [ "$1" -gt 128 ] && [ "$1" -le 192 ]; then echo 192
	else p=8; while [ $p -lt "$1" ]; do p=$((p * 2)); done; echo $p
	fi
}
# Slab + VmallocUsed in KiB, after a second of quiet (as suite_memory).
tk_kmem() { sleep 1; awk '$1 == "Slab:" || $1 == "VmallocUsed:" { k += $2 } END { print k }' /proc/meminfo; }

t_totals_params() {
	for p in total_keys=15 total_keys=262145 total_keys=0 total_keys=-1 \
		 total_keys=abc total_keys=4096x; do
		dmesg_mark
		load "$p" >/tmp/ins 2>&1
		rc=$?
		check_eq "refuse $p" "rc=22 Invalid argument" \
			"rc=$rc $(grep -o 'Invalid argument' /tmp/ins)"
		check_eq "refuse $p: message" \
			"dropmon: $p is invalid: it must be a number from 16 to 262144" \
			"$(dmesg_since | grep -o "dropmon: total_keys=.*" | head -n 1)"
		grep -q '^dropmon ' /proc/modules && unload
	done
	for v in 16 262144 4096; do
		k0=$(tk_kmem)
		if [ $v = 4096 ]; then check_rc "accept the default total_keys" 0 load
		else check_rc "accept total_keys=$v" 0 load total_keys=$v; fi
		k1=$(tk_kmem)
		cat $D/status >/tmp/status
		st() { sed -n "s/^$1=//p" /tmp/status; }
		check_eq "total_keys=$v: parameter, status and format" "$v $v 2" \
			"$(cat /sys/module/dropmon/parameters/total_keys) $(st total_keys) $(st format)"
		# rows of 288 B, an index of roundup_pow_of_two(2 x keys) u32,
		# a u64 last-seen per row, two orders of max(max_keys, keys)
		# entries of 24 B and two bitmaps, as allocated (tk_za)
		o=$((v > 1024 ? v : 1024))
		want=$(( $(tk_za $((v * 288))) + $(tk_za $((v * 2 * 4))) + $(tk_za $((v * 8))) + 2 * $(tk_za $((o * 24))) + 2 * $(tk_za $(( (v + 63) / 64 * 8 ))) ))
		check_eq "total_keys=$v: totals_accumulator_bytes as allocated" "$want" "$(st totals_accumulator_bytes)"
		modkib=$(awk '$1 == "dropmon" { print int($2 / 1024) }' /proc/modules)
		echo "TOTALS_MEMORY total_keys=$v totals_accumulator_bytes=$(st totals_accumulator_bytes) accumulator_bytes=$(st accumulator_bytes) memory_bytes=$(st memory_bytes) memory_peak_bytes=$(st memory_peak_bytes) measured_kib=$((k1 - k0)) module_kib=$modkib"
		# What the kernel lost at load beyond the load of total_keys=16
		# (the first): what status says beyond it, within 8% and 64 KiB
		# (as suite_memory).  A difference, since 7.x also keeps a 2 MiB
		# page of its module text cache (execmem) from each load.
		m=$((k1 - k0)) mb=$(st memory_bytes)
		if [ $v = 16 ]; then
			m16=$m mb16=$mb
		else
			lo=$(((mb - mb16) / 1024)) m=$((m - m16))
			# KASAN's redzones and shadow make the debug kernel's
			# measure larger (1580 KiB for 1352 at 4096): 30% there.
			case $(uname -r) in
			*-dropmon-debug) over=130 ;;
			*) over=108 ;;
			esac
			check_match "total_keys=$v: measured at load beyond total_keys=16: $m KiB, status $lo KiB (at most $over%)" '^yes$' \
				"$([ $m -le $((lo * over / 100 + 64)) ] && [ $m -ge $((lo * 92 / 100 - 64)) ] && echo yes)"
		fi
		unload
	done
	check_dmesg totals_params
}

# 160 distinct keys into total_keys=16, over 40 intervals: every interval
# one veth pair is created, gets a few frames of 4 ethertypes (4 keys on
# the peer that drops them, as a pod's device would) and is deleted,
# while one busy pair gets a frame every interval; interval 20 brings 20
# new keys at once, more than fit.  Every totals snapshot must equal the
# model, with exact counts and evicted.
t_totals_churn() {
	TI=${TK_INTERVAL:-$TK_DEFAULT}
	insmod /lib/modules/veth.ko 2>/dev/null
	tk_nodad
	$IP link add dmtbusy type veth peer name dmtbusyp && $IP link set dmtbusy up &&
		$IP link set dmtbusyp up || { fail "totals churn" "veth setup failed"; tk_dad; return; }
	check_rc "totals churn: load total_keys=16 max_keys=64 interval_ms=$TI" 0 \
		load total_keys=16 max_keys=64 interval_ms=$TI
	: >/tmp/tk.state
	snap totals
	cp /tmp/totals /tmp/tk.prev
	last=0 steps=0 bad="" missed="" inv="" recent="" unsorted="" evbad=""
	ev=0 er=0 drops=0 lost=0 keys_seen=0 sent=0
	: >/tmp/tk.allseen
	for step in $(seq 1 40); do
		a=dmtc$step b=dmtp$step
		$IP link add $a type veth peer name $b && $IP link set $a up && $IP link set $b up ||
			{ bad="veth $step setup failed"; break; }
		n=$((step % 3 + 1))
		if [ $step = 20 ]; then types=0x9000-0x9013; k=20; else types=0x9000-0x9003; k=4; fi
		dmgen raw $a $n $types >/dev/null || { bad="dmgen raw $a failed"; break; }
		dmgen raw dmtbusy 1 0x9100 >/dev/null || { bad="dmgen raw dmtbusy failed"; break; }
		sent=$((sent + n * k + 1))
		$IP link del $a
		tk_snap_pair $last || { bad="no snapshot after seq $last"; break; }
		[ $TK_SEQ = $((last + 1)) ] || missed="$missed $((last + 1))-$((TK_SEQ - 1))"
		[ -n "$missed" ] && break
		last=$TK_SEQ steps=$((steps + 1))
		tk_model 16 $TK_SEQ /tmp/tk.state /tmp/tk.prev /tmp/stats >/tmp/tk.new
		mv /tmp/tk.new /tmp/tk.state
		read -r dev der </tmp/tk.ev
		ev=$((ev + dev)) er=$((er + der))
		drops=$((drops + $(hdr stats drops))) lost=$((lost + $(hdr stats lost)))
		# every key ever seen, with the last interval that had it
		awk -F'\t' -v s=$TK_SEQ "FILENAME == ARGV[1] { l[\$1 \"\\t\" \$2 \"\\t\" \$3 \"\\t\" \$4 \"\\t\" \$5] = \$6; next }
			/^#/ { next } { l[$TK_KEY] = s }
			END { for (k in l) print k \"\\t\" l[k] }" /tmp/tk.allseen /tmp/stats >/tmp/tk.all2
		mv /tmp/tk.all2 /tmp/tk.allseen
		# the stats of one interval never evict
		[ "$(hdr stats evicted)" = 0 ] || evbad="$evbad stats@$TK_SEQ=$(hdr stats evicted)"
		[ "$(invariant stats)" = "ok ok" ] || inv="$inv stats@$TK_SEQ:$(invariant stats)"
		[ "$(invariant totals)" = "ok ok" ] || inv="$inv totals@$TK_SEQ:$(invariant totals)"
		[ "$(tk_sorted totals)" = sorted ] || unsorted="$unsorted $TK_SEQ"
		want="$(cut -f1-6 /tmp/tk.state | LC_ALL=C sort) evicted=$ev drops=$drops lost=$lost keys=$(wc -l </tmp/tk.state)"
		saw="$(tk_rows totals) evicted=$(hdr totals evicted) drops=$(hdr totals drops) lost=$(hdr totals lost) keys=$(hdr totals keys)"
		if [ "$want" != "$saw" ] && [ -z "$bad" ]; then
			bad="at seq $TK_SEQ: expected '$(echo $want | tail -c 300)', saw '$(echo $saw | tail -c 300)'"
		fi
		# the totals hold the keys seen most recently: none held was
		# last seen before one that is not
		r=$(awk -F'\t' "FILENAME == ARGV[1] { if (!/^#/) held[$TK_KEY] = 1; next }
			{ k = \$1 \"\\t\" \$2 \"\\t\" \$3 \"\\t\" \$4 \"\\t\" \$5
			  if (k in held) { if (minh == \"\" || \$6 < minh) minh = \$6 }
			  else if (\$6 > maxo) maxo = \$6 }
			END { if (maxo != \"\" && minh != \"\" && maxo > minh) print \"held key last seen at \" minh \" < evicted key last seen at \" maxo }" \
			/tmp/totals /tmp/tk.allseen)
		[ -z "$r" ] || recent="$recent seq $TK_SEQ: $r;"
		cp /tmp/totals /tmp/tk.prev
	done
	keys_seen=$(wc -l </tmp/tk.allseen)
	cat $D/status >/tmp/status
	check_eq "totals churn: 40 intervals read, none missed" "40 none" "$steps ${missed:-none}"
	check_eq "totals churn: every totals snapshot equals the model from the stats files (exact counts, evicted, drops, lost)" "" "$bad"
	check_eq "totals churn: sum(count) + lost + evicted == drops in stats and totals at every snapshot" "" "$inv"
	check_eq "totals churn: stats say evicted=0" "" "$evbad"
	check_eq "totals churn: totals rows in file order (count down, then location)" "" "$unsorted"
	check_eq "totals churn: the totals hold the keys seen most recently" "" "$recent"
	check_match "totals churn: at least 10 x 16 distinct keys came ($keys_seen) and exactly $sent frames, evicted $ev events in $er rows" '^yes$' \
		"$([ "$keys_seen" -ge 160 ] && [ "$drops" = "$sent" ] && [ "$ev" -gt 0 ] && echo yes)"
	check_eq "totals churn: status evicted_keys counts the rows evicted" "$er" "$(sed -n 's/^evicted_keys=//p' /tmp/status)"
	check_eq "totals churn: 16 keys held, the busy one among them with a frame per interval" "16 $steps" \
		"$(hdr totals keys) $(sum totals '*' '*' dmtbusyp 0x9100)"
	echo "TOTALS_CHURN intervals=$steps keys_seen=$keys_seen sent=$sent evicted=$ev evicted_rows=$er $(grep -E '^(evict_ns_last|evict_ns_max|merge_ns_max)=' /tmp/status | tr '\n' ' ')"
	unload
	$IP link del dmtbusy
	tk_dad
	check_dmesg "totals churn"
}

# A key idle for long is the one evicted, though its count is the
# largest; a busy key with the smallest count stays.
t_totals_idle() {
	TI=${TK_INTERVAL:-$TK_DEFAULT}
	insmod /lib/modules/veth.ko 2>/dev/null
	tk_nodad
	check_rc "totals idle: load total_keys=16 interval_ms=$TI" 0 load total_keys=16 interval_ms=$TI
	$IP link add dmtidle type veth peer name dmtidlep && $IP link set dmtidle up &&
		$IP link set dmtidlep up || { fail "totals idle" "veth setup failed"; tk_dad; return; }
	tk_snap_pair 0 || fail "totals idle" "no snapshot"
	# interval A: the idle key, 300 frames; the busy key's first
	dmgen raw dmtidle 300 0x9200 >/dev/null
	dmgen raw lo 1 0x9201 >/dev/null
	$IP link del dmtidle
	tk_snap_pair $TK_SEQ; a=$TK_SEQ
	# then 3 intervals with the busy key only
	for i in 1 2 3; do dmgen raw lo 1 0x9201 >/dev/null; tk_snap_pair $TK_SEQ; done
	# interval B: 14 fillers of 2 frames, the busy key: full totals
	dmgen raw lo 2 0x9210-0x921d >/dev/null
	dmgen raw lo 1 0x9201 >/dev/null
	tk_snap_pair $TK_SEQ
	check_eq "totals idle: full, nothing evicted yet" "16 0" "$(hdr totals keys) $(hdr totals evicted)"
	# interval C: one new key and the busy one
	dmgen raw lo 1 0x9220 >/dev/null
	dmgen raw lo 1 0x9201 >/dev/null
	tk_snap_pair $TK_SEQ
	check_eq "totals idle: the key idle longest (300 frames, last seen at seq $a) is the one evicted" \
		"evicted=300 idle=0 new=1 fillers=28 keys=16" \
		"evicted=$(hdr totals evicted) idle=$(sum totals '*' '*' dmtidlep 0x9200) new=$(sum totals '*' '*' lo 0x9220) fillers=$(awk -F'\t' '!/^#/ && $6 == "lo" && $8 ~ /^0x921/ { s += $1 } END { print s + 0 }' /tmp/totals) keys=$(hdr totals keys)"
	check_eq "totals idle: the busy key (1 frame an interval, the smallest count) stays" 6 \
		"$(sum totals '*' '*' lo 0x9201)"
	check_eq "totals idle: invariant" "ok ok" "$(invariant totals)"
	check_eq "totals idle: status evicted_keys" 1 "$(sed -n 's/^evicted_keys=//p' $D/status)"
	# The key comes back: it starts again from its new count.
	$IP link add dmtidle type veth peer name dmtidlep && $IP link set dmtidle up &&
		$IP link set dmtidlep up
	dmgen raw dmtidle 5 0x9200 >/dev/null
	$IP link del dmtidle
	# Two snapshots: the frames may land in the interval after the one
	# running when they were sent.
	tk_snap_pair $TK_SEQ
	tk_snap_pair $TK_SEQ
	check_eq "totals idle: an evicted key that comes back restarts from its new count" 5 \
		"$(sum totals '*' '*' dmtidlep 0x9200)"
	unload
	tk_dad
	check_dmesg "totals idle"
}
# The worker's cost with the totals at scale, figures only (run alone:
# DROPMON_VM_MEM=2048 tests/vm.sh 6.1 totalscale single): max_keys=65536,
# total_keys=262144, each interval dmbench fires 65536 locations once from
# every CPU, a new stride each time (mostly new keys), until the totals
# are full and evict.  One TSCALE line per interval.
suite_totals_scale() {
	check_rc "totals scale: load" 0 load max_keys=65536 total_keys=262144 interval_ms=4096 stack_depth=0 sample_bytes=0
	snap totals
	seq=$(hdr totals seq)
	for s in 8 9 10 11 12 13 14 15 17 19 23 29; do
		insmod /lib/modules/dmbench.ko tag=scale keys=65536 once=1 stride=$s cpus=0 >/dev/null 2>&1
		rmmod dmbench
		wait_seq totals $((seq + 1)) 60
		t0=$(uptime_ns)
		snap totals
		t1=$(uptime_ns)
		seq=$(hdr totals seq)
		echo "TSCALE stride=$s seq=$seq totals_keys=$(hdr totals keys) drops=$(hdr totals drops) lost=$(hdr totals lost) evicted=$(hdr totals evicted) read_totals_ms=$(((t1 - t0) / 1000000)) $(grep -E '^(evicted_keys|evict_ns_last|evict_ns_max|merge_ns_last|merge_ns_max|rotate_ns_last|memory_bytes|snapshot_bytes)=' $D/status | tr '\n' ' ')"
	done
	check_eq "totals scale: invariant" "ok ok" "$(invariant totals)"
	unload
	check_dmesg "totals scale"
}
# --- end of totals that never fill up -----------------------------------

# --- review fixes: staged changes, total_keys shrink (issue 13) ---------

# Wait until status has no pending_ line and a line matching ERE $1 (at
# most $2 s); returns 1 if not.
pfix_wait_status() {	# ERE SECONDS
	i=0
	until grep -qE "$1" $D/status && ! grep -q '^pending_' $D/status; do
		i=$((i + 1))
		[ $i -gt $(($2 * 10)) ] && return 1
		usleep 100000
	done
}

# The 0x93XY raw rows of a totals copy: "count of group X".
pfix_group() { awk -F'\t' -v g="$2" '!/^#/ && $6 == "lo" && $8 ~ "^0x93" g { s += $1 } END { print s + 0 }' "/tmp/$1"; }

# One status line: "rotations max_keys total_keys pending_total_keys".
pfix_state() {
	awk -F= '$1 == "rotations" { r = $2 } $1 == "max_keys" { m = $2 }
		 $1 == "total_keys" { t = $2 } $1 == "pending_total_keys" { p = $2 }
		 END { print r, m, t, (p == "" ? "-" : p) }' $D/status
}

# total_keys shrunk at run time below the rows held: the rows idle
# longest are evicted into evicted, exactly, and the invariant holds; a
# total_keys written in the interval of a max_keys waits (pending) until
# the max_keys change is in place.  Keys: 16 of group 0 (3 frames each,
# oldest), 8 of group 1 (2 frames), 16 of group 2 (1 frame, newest),
# each group in an interval of its own.
t_pfix_shrink() {
	TI=${TK_INTERVAL:-1500}
	tk_nodad
	check_rc "pfix shrink: load total_keys=48 interval_ms=$TI" 0 load total_keys=48 interval_ms=$TI
	tk_snap_pair 0 || fail "pfix shrink" "no snapshot"
	for g in "3 0x9300-0x930f" "2 0x9310-0x9317" "1 0x9320-0x932f"; do
		set -- $g
		dmgen raw lo $1 $2 >/dev/null || fail "pfix shrink" "dmgen raw lo $g failed"
		# two rotations: the interval that counted it has ended
		tk_snap_pair $TK_SEQ && tk_snap_pair $TK_SEQ
	done
	check_eq "pfix shrink: 40 rows held, nothing evicted" \
		"keys=40 evicted=0 groups=48 16 16 ok ok" \
		"keys=$(hdr totals keys) evicted=$(hdr totals evicted) groups=$(pfix_group totals 0) $(pfix_group totals 1) $(pfix_group totals 2) $(invariant totals)"
	check_eq "pfix shrink: write total_keys=24" 0 "$(pwrite total_keys 24)"
	pfix_wait_status '^total_keys=24$' 30 || fail "pfix shrink" "total_keys=24 not in effect in 30 s"
	tk_snap_pair $TK_SEQ
	check_eq "pfix shrink: total_keys=24 evicts the 16 rows idle longest (group 0, 48 events)" \
		"keys=24 evicted=48 groups=0 16 16 ok ok evicted_keys=16" \
		"keys=$(hdr totals keys) evicted=$(hdr totals evicted) groups=$(pfix_group totals 0) $(pfix_group totals 1) $(pfix_group totals 2) $(invariant totals) $(grep '^evicted_keys=' $D/status)"
	# Both in one interval: max_keys goes in first, total_keys waits.
	for try in 1 2 3 4 5; do
		r0=$(pfix_state)
		w="$(pwrite max_keys 128) $(pwrite total_keys 16)"
		r1=$(pfix_state)
		[ "${r0%% *}" = "${r1%% *}" ] && break
		echo "pfix shrink: a rotation came between the writes (try $try); again"
		pwrite max_keys 1024 >/dev/null
		pwrite total_keys 24 >/dev/null
		pfix_wait_status '^max_keys=1024$' 60
	done
	check_eq "pfix shrink: max_keys=128 and total_keys=16 written in one interval" \
		"0 0 ${r0%% *} 1024 24 16" "$w $r1"
	# Every status the rotations leave, until total_keys=12 is in effect.
	rm -f /tmp/pfix.states
	i=0
	r=${r0%% *}
	while :; do
		pfix_state >>/tmp/pfix.states
		grep -q "^$((r + 3)) 128 16 -\$" /tmp/pfix.states && break
		i=$((i + 1))
		[ $i -gt 300 ] && break
		usleep 50000
	done
	echo "PFIX-STATES $(uniq /tmp/pfix.states | tr '\n' ',')"
	# A status read during a rotation may show its change before its
	# rotations count: the (r+2) line with total_keys=16.
	check_match "pfix shrink: max_keys in at the next rotation, total_keys pending two more, then in" \
		"^$((r + 1)) 128 24 16,$((r + 2)) 128 24 16,($((r + 2)) 128 16 -,)?$((r + 3)) 128 16 -,\$" \
		"$(uniq /tmp/pfix.states | grep -v "^$r " | tr '\n' ',')"
	tk_snap_pair $TK_SEQ
	check_eq "pfix shrink: total_keys=16 evicts the next idle longest (group 1, 16 events)" \
		"keys=16 evicted=64 groups=0 0 16 ok ok evicted_keys=24" \
		"keys=$(hdr totals keys) evicted=$(hdr totals evicted) groups=$(pfix_group totals 0) $(pfix_group totals 1) $(pfix_group totals 2) $(invariant totals) $(grep '^evicted_keys=' $D/status)"
	unload
	tk_dad
	check_dmesg "pfix shrink"
}

# A max_keys change staged (written, one rotation: its accumulator and
# pools allocated, not in place), then unload: kmemleak (debug kernel,
# t_kmemleak_main) finds what it leaked; staged_bytes shows it meanwhile,
# in memory_bytes, and 0 once in place.
t_pfix_staged_unload() {
	check_rc "pfix staged: load interval_ms=$INT" 0 load interval_ms=$INT
	pfix_wait_status '^rotations=[1-9]' 30
	check_eq "pfix staged: nothing staged" "staged_bytes=0" "$(grep '^staged_bytes=' $D/status)"
	check_eq "pfix staged: write max_keys=2048" 0 "$(pwrite max_keys 2048)"
	# Until the rotation after the one that applies it: staged.
	i=0
	while cat $D/status >/tmp/pfix.status &&
	      [ "$(sed -n 's/^staged_bytes=//p' /tmp/pfix.status)" = 0 ] && [ $i -lt 300 ]; do
		usleep 20000
		i=$((i + 1))
	done
	st() { sed -n "s/^$1=//p" /tmp/pfix.status; }
	sum=$(($(st table_bytes) + $(st sample_pool_bytes) + $(st accumulator_bytes) + $(st snapshot_bytes) + $(st sample_store_bytes) + $(st device_bytes) + $(st staged_bytes)))
	echo "PFIX-STAGED $(grep -E '^(max_keys|staged_bytes|memory_bytes|memory_peak_bytes|rotations)=' /tmp/pfix.status | tr '\n' ' ')"
	check_eq "pfix staged: one rotation after max_keys=2048: in effect, staged (accumulator of 2048 rows), in memory_bytes" \
		"max_keys=2048 staged=yes memory_bytes=$sum" \
		"max_keys=$(st max_keys) staged=$([ "$(st staged_bytes)" -gt $((2048 * $(st row_bytes))) ] && echo yes) memory_bytes=$(st memory_bytes)"
	unload
	check_dmesg "pfix staged"
}

t_pfix() {
	t_pfix_shrink
	t_pfix_staged_unload
}
# --- end of review fixes ------------------------------------------------

suite_main() {
	# On a kernel with kmemleak, only what happens from here on counts.
	[ -f /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
	t_format
	t_params
	t_totals_params
	check_rc "load interval_ms=$INT" 0 load interval_ms=$INT
	t_counts
	t_show_modes
	t_dev_scratch
	t_samples_scratch
	t_rotation
	t_veth
	t_netns_names
	t_reads
	t_badinput
	t_oracle
	t_samples_udp
	t_samples_stack
	t_samples_tcp
	t_samples_first
	t_samples_veth
	t_samples_skb
	t_samples_export
	t_fleet_export
	unload
	check_dmesg counts
	t_samples_params
	t_samples_cap
	t_samples_reload
	t_overflow
	t_params_runtime
	t_junk_dev
	t_tcp_ofo
	t_netns_sources
	t_netns_udpgso
	t_netns_udp
	t_open_reader
	t_storm
	t_show_errors
	t_totals_churn
	t_totals_idle
	t_pfix
	t_kmemleak_main
}

# The first TCP and UDP packets of a boot patch kernel text: DO_ONCE
# (net_get_random_once() of the hash secrets) turns its static key off
# from a work item.  Under TCG thread=multi, code patched while the other
# vCPU runs it oopses the guest (an int3 in __inet_hash_connect on 7.3),
# so the suites that send from both CPUs at once send one of each from
# one CPU first, and give the work item a second.
warm_up_once() {
	for p in udp4 udp6 tcp4 tcp6; do
		dmgen -c 0 $p 1 $PORT >/dev/null 2>&1
	done
	dmgen -c 0 netlink 1 $NLPID >/dev/null 2>&1
	dmgen -c 0 unixqueue 1 >/dev/null 2>&1
	sleep 1
}

# Both CPUs count the same key at the same time, truly in parallel.
suite_parallel() {
	warm_up_once
	check_rc "load" 0 load interval_ms=500
	wait_seq totals 1
	snap totals
	before=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	tb=$(sum totals tcp_v4_rcv "$NOSOCK" lo ipv4 "$ROOTNS")
	nb=$(psum totals "$NL_RE") ub=$(psum totals "$UX_RE" "$UX_NS")
	dmgen -c 0 udp4 $((N * 4)) $PORT & a=$!
	dmgen -c 1 udp4 $((N * 4)) $PORT & b=$!
	dmgen -c 0 tcp4 $N $PORT & c=$!
	dmgen -c 1 tcp4 $N $PORT & d=$!
	dmgen -c 0 netlink $N $NLPID & e=$!
	dmgen -c 1 netlink $N $NLPID & f=$!
	dmgen -c 0 unixqueue $N & g=$!
	dmgen -c 1 unixqueue $N & h=$!
	wait $a $b $c $d $e $f $g $h
	settle
	after=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	ta=$(sum totals tcp_v4_rcv "$NOSOCK" lo ipv4 "$ROOTNS")
	na=$(psum totals "$NL_RE") ua=$(psum totals "$UX_RE" "$UX_NS")
	check_eq "parallel: udp4 from both CPUs, exactly $((N * 8))" $((N * 8)) $((after - before))
	check_eq "parallel: tcp4 from both CPUs, exactly $((N * 2))" $((N * 2)) $((ta - tb))
	check_eq "parallel: netlink ($(psyms totals "$NL_RE")) in process context from both CPUs, exactly $((N * 2))" \
		$((N * 2)) $((na - nb))
	check_eq "parallel: unix ($(psyms totals "$UX_RE" "$UX_NS")) in process context from both CPUs, exactly $((N * 2))" \
		$((N * 2)) $((ua - ub))
	check_eq "parallel: invariant" "ok ok" "$(invariant totals)"
	check_rc "unload" 0 unload
	check_dmesg parallel
}

# The module as DKMS or the .deb installed it: depmod, modprobe with the
# options of /etc/modprobe.d/dropmon.conf, count, modprobe -r.
suite_smoke() {
	KV=$(uname -r)
	# Where the installer put it: updates/dkms/ (DKMS), updates/ (the
	# prebuilt package); tests/vm.sh writes it.
	rel=$(cat /etc/dropmon-ko-rel)
	check_match "smoke: module installed at $rel" '^updates/(dkms/)?dropmon\.ko(\.xz)?$' \
		"$(cd /lib/modules/$KV && ls "$rel" 2>&1)"
	check_rc "smoke: depmod -a" 0 /usr/sbin/depmod -a
	check_eq "smoke: modules.dep lists dropmon at $rel" "$rel:" \
		"$(grep dropmon /lib/modules/$KV/modules.dep)"
	check_rc "smoke: modprobe dropmon" 0 /usr/sbin/modprobe dropmon
	check_eq "smoke: options from modprobe.d" "500 2048" \
		"$(cat /sys/module/dropmon/parameters/interval_ms) $(cat /sys/module/dropmon/parameters/max_keys)"
	check_eq "smoke: version" "$(cat /etc/dropmon-version)" "$(cat /sys/module/dropmon/version)"
	wait_seq totals 1
	count udp4 "$U4" ipv4 udp4 $N $PORT
	count tcp6 tcp_v6_rcv ipv6 tcp6 $N $PORT
	snap totals
	check_eq "smoke: invariant" "ok ok" "$(invariant totals)"
	dropmon-show --totals --classic >/tmp/show
	check_match "smoke: dropmon-show" "^$N: $U4\\+0x" "$(grep -F ": $U4+" /tmp/show)"
	check_rc "smoke: modprobe -r dropmon" 0 /usr/sbin/modprobe -r dropmon
	check_dmesg smoke
}

# --- sig: a kernel that loads only signed modules (tests/sig.sh) -------------
# dmsig=trusted: the sig kernel of tests/debug-kernel.sh, which trusts the
# test key, booted with module.sig_enforce=1; dmsig=untrusted: a stock
# Debian kernel (it trusts Debian's key only), with module.sig_enforce=1;
# dmsig=permissive: the sig kernel without enforcement, where a module it
# cannot verify loads but taints the kernel E, so that the taint check of
# the signed one means something.  /lib/modules/sig/ holds dropmon.ko
# signed with the test key (signed.ko), with another key (other.ko), and
# with one byte of its signature flipped (corrupt.ko); $KO is the same
# build unsigned.
sig_refused() {	# what ko ERE: insmod fails, nothing loaded, the kernel says why
	dmesg_mark
	insmod "$2" 2>/tmp/sig.err
	rc=$?
	loaded=no
	[ -d /sys/module/dropmon ] && loaded=yes
	check_eq "sig: $1 is refused: insmod fails, nothing loaded" "failed no" \
		"$([ $rc != 0 ] && echo failed || echo 'exit 0') $loaded"
	check_match "sig: $1: the kernel says why" "$3" \
		"$(dmesg_since | grep -v 'dropmon-test: mark' | tr '\n' ' ')"
	[ $loaded = yes ] && rmmod dropmon
}

sig_taint() { echo $(($(cat /proc/sys/kernel/tainted) & 8192)); }

suite_sig() {
	S=/lib/modules/sig
	mode=$(sed -n 's/.*dmsig=\([a-z]*\).*/\1/p' /proc/cmdline)
	want=Y
	[ "$mode" = permissive ] && want=N
	check_match "sig: dmsig=trusted|untrusted|permissive, and sig_enforce $want" \
		"^$want (trusted|untrusted|permissive)\$" "$(cat /sys/module/module/parameters/sig_enforce) $mode"
	if [ "$mode" = permissive ]; then
		check_rc "sig: permissive: dropmon.ko signed with the trusted key loads" 0 insmod $S/signed.ko
		check_eq "sig: permissive: no E taint (bit 13), dropmon's taint O only" "0 O" \
			"$(sig_taint) $(cat /sys/module/dropmon/taint)"
		check_rc "sig: permissive: rmmod" 0 rmmod dropmon
		dmesg_mark
		check_rc "sig: permissive: dropmon.ko signed with another key loads" 0 insmod $S/other.ko
		check_eq "sig: permissive: ... and taints the kernel E (bit 13), the module OE" "8192 OE" \
			"$(sig_taint) $(cat /sys/module/dropmon/taint)"
		check_match "sig: permissive: the kernel says why" 'module verification failed' "$(dmesg_since)"
		check_rc "sig: permissive: rmmod" 0 rmmod dropmon
		return
	fi
	sig_refused "an unsigned dropmon.ko" "$KO" 'Loading of unsigned module is rejected'
	dropmon-show >/tmp/out 2>/tmp/err
	check_eq "sig: dropmon-show without the module: exit 2" 2 $?
	check_match "sig: dropmon-show says the kernel loads only signed modules, and the fix" \
		'not loaded .*this kernel loads only signed modules \(module\.sig_enforce=1\): sign dropmon\.ko .*mokutil --import' \
		"$(cat /tmp/err)"
	sig_refused "dropmon.ko signed with a key the kernel does not trust" $S/other.ko \
		'Loading of module with unavailable key is rejected'
	if [ "$mode" = untrusted ]; then
		# No trusted key verifies either: both fail at the key lookup.
		sig_refused "dropmon.ko with a corrupted signature (of an untrusted key)" $S/corrupt.ko \
			'Loading of module with unavailable key is rejected'
		sig_refused "dropmon.ko signed with the test key (not Debian's)" $S/signed.ko \
			'Loading of module with unavailable key is rejected'
		return
	fi
	# The trusted key's signature with a byte flipped: the key is found,
	# the verification fails (-EKEYREJECTED, fatal without enforcement
	# too): no "Loading of ... is rejected" line, which a missing or
	# unknown signature gives.
	dmesg_mark
	insmod $S/corrupt.ko 2>/tmp/sig.err
	rc=$?
	check_eq "sig: dropmon.ko with a corrupted signature is refused: insmod fails, nothing loaded" \
		"failed no" "$([ $rc != 0 ] && echo failed || echo 'exit 0') $([ -d /sys/module/dropmon ] && echo yes || echo no)"
	check_eq "sig: corrupted: refused by the verification, not for a missing key" "0 1" \
		"$(dmesg_since | grep -c 'Loading of .* is rejected') $(grep -c 'Key was rejected by service' /tmp/sig.err)"
	[ -d /sys/module/dropmon ] && rmmod dropmon
	check_rc "sig: dropmon.ko signed with the trusted key loads" 0 \
		insmod $S/signed.ko interval_ms=500
	check_eq "sig: no E taint (bit 13), dropmon's own taint O only" "0 O" \
		"$(sig_taint) $(cat /sys/module/dropmon/taint)"
	wait_seq totals 1
	count udp4 "$U4" ipv4 udp4 $N $PORT
	count tcp6 tcp_v6_rcv ipv6 tcp6 $N $PORT
	snap totals
	check_eq "sig: invariant" "ok ok" "$(invariant totals)"
	check_rc "sig: rmmod" 0 rmmod dropmon
	check_dmesg sig
}

# --- bad input ---------------------------------------------------------------
t_badinput() {
	# Root passes every mode check (CAP_DAC_OVERRIDE): its write reaches
	# the file, which has no write method, so it fails with EINVAL.  A
	# missing file (the shell would create none on debugfs) is no pass.
	for v in stats totals status; do
		if [ -f $D/$v ]; then f=file; else f=missing; fi
		sh -c "echo x >$D/$v" 2>/tmp/err
		rc=$?
		check_eq "bad input: a write to $v is refused" "file rc=1 Invalid argument" \
			"$f rc=$rc $(grep -o 'Invalid argument' /tmp/err | head -n 1)"
	done
	# A seek lands in the same rendering: the tail after 10 bytes (two
	# opens: retry if a rotation came between them).
	# An empty file has an equal (empty) tail too: the file read whole
	# must be a valid snapshot.
	for try in 1 2 3 4 5; do
		cat $D/totals >/tmp/seek.full
		full=$(tail -c +11 /tmp/seek.full | md5sum)
		part=$(dd if=$D/totals bs=1 skip=10 2>/dev/null | md5sum)
		[ "$full" = "$part" ] && break
	done
	check_eq "bad input: a read after a seek gives the same bytes" "$full ok ok" \
		"$part $(invariant_of /tmp/seek.full)"
	# Readers at once: each sees one whole snapshot.
	for i in 1 2 3 4; do
		(dmgen readbytes $D/totals 3 >/tmp/conc.$i) &
	done
	wait
	ok=0
	for i in 1 2 3 4; do
		[ "$(invariant_of /tmp/conc.$i)" = "ok ok" ] && ok=$((ok + 1))
	done
	check_eq "bad input: 4 concurrent readers each read a consistent snapshot" 4 $ok
	# Not root: refused by each file's own 0400 mode, and dropmon-show
	# says so.  debugfs's root is 0700, which alone refuses everyone
	# whatever the files' modes: open it to 0755 so that a non-root user
	# reaches the files (proven with stat), then close it again.
	check_rc "bad input: debugfs remounted mode=0755" 0 mount -o remount,mode=0755 /sys/kernel/debug
	check_rc "bad input: a non-root user reaches $D/stats" 0 su -s /bin/sh nobody -c "stat $D/stats"
	for v in stats totals samples samples_totals status; do
		m=$(stat -c %a $D/$v 2>/dev/null || echo missing)
		su -s /bin/sh nobody -c "cat $D/$v" >/tmp/out 2>/tmp/err
		rc=$?
		check_eq "bad input: a non-root reader of $v is refused by its mode" \
			"mode=400 rc=1 Permission denied" \
			"mode=$m rc=$rc $(grep -o 'Permission denied' /tmp/err | head -n 1)"
		su -s /bin/sh nobody -c "echo x >$D/$v" 2>/tmp/err
		rc=$?
		check_eq "bad input: a non-root write to $v is refused by its mode" \
			"mode=400 refused Permission denied" \
			"mode=$m $([ $rc != 0 ] && echo refused || echo rc=0) $(grep -o 'Permission denied' /tmp/err | head -n 1)"
	done
	su -s /bin/sh nobody -c "dropmon-show" >/dev/null 2>/tmp/err
	check_eq "bad input: dropmon-show as non-root exits 2" 2 $?
	check_match "bad input: dropmon-show as non-root says why" "ermission denied.*root" "$(cat /tmp/err)"
	check_rc "bad input: debugfs back to mode=0700" 0 mount -o remount,mode=0700 /sys/kernel/debug
	check_eq "bad input: debugfs root mode restored" 700 "$(stat -c %a /sys/kernel/debug)"
}

# --- reliability: stress ---------------------------------------------------
# STRESS seconds (dmstress= on the command line, default 120) of drop
# storms on both CPUs at interval_ms=100 while readers loop over stats and
# totals, veth pairs and netns come and go (their devices unregister while
# their drops are counted), and the module is unloaded and reloaded.
# Boot with TCG thread=single: it patches code under traffic.
STRESS=$(sed -n 's/.*dmstress=\([0-9]*\).*/\1/p' /proc/cmdline)
STRESS=${STRESS:-120}

# Each loop writes "attempts successes" to its file.  A read succeeds when
# both cats and the 7-byte reader exit 0 and what that reader got starts
# with the format=2 header; reads fail, legitimately, while the module is
# unloaded between a rmmod and the next insmod.
stress_readers() {
	n=0 ok=0
	while [ ! -f /tmp/stop ]; do
		if cat $D/stats $D/totals $D/samples $D/samples_totals >/dev/null 2>&1 &&
			dmgen readbytes $D/stats 7 >/tmp/stress.read 2>/dev/null &&
			read -r h </tmp/stress.read && [ "${h#\# dropmon format=2 seq=}" != "$h" ]; then
			ok=$((ok + 1))
		fi
		n=$((n + 1))
	done
	echo "$n $ok" >/tmp/readers.n
}

# Drops in process context on CPU $1 (netlink and unix, 100 each per
# turn) until told to stop; writes the drops its turns made.
stress_proc() {	# CPU
	n=0
	while [ ! -f /tmp/stop ]; do
		dmgen -c "$1" netlink 100 $NLPID >/dev/null 2>&1 &&
			dmgen -c "$1" unixqueue 100 >/dev/null 2>&1 && n=$((n + 200))
	done
	echo "$n" >/tmp/proc.$1
}

# The kernel's own kfree_skb trace event, with its stacktrace trigger,
# attached and detached in a loop: a second probe on the tracepoint
# (calls through __traceiter_kfree_skb, code patched each time) while
# dropmon samples stacks.  In the first cycles the event stays on until
# samples shows a sample of the udp4 flood row taken after it was
# attached (time_ns after, on CLOCK_BOOTTIME as /proc/uptime gives it),
# at most 50 polls: frame 0 must be the symbol of its location's row.  Writes "cycles ok
# frames_checked frames_wrong [the first wrong one]".
uptime_ns() { awk '{ split($1, t, "."); print t[1] * 1000000000 + t[2] * 10000000 }' /proc/uptime; }
stress_trace_frame() {	# 0 when one sample was checked
	k=0
	while [ $k -lt 50 ] && [ ! -f /tmp/stop ]; do
		k=$((k + 1))
		usleep 200000
		# One read of samples: a sample of the udp4 lo row taken
		# after the event was attached ($on; before its detach, as
		# read now).  Its location's symbol from any read of stats:
		# a location resolves the same in every interval.  (On the
		# debug kernel one read takes about a second, ten intervals:
		# two files of one seq are rarely read.)
		cat $D/stats >/tmp/st.stats 2>/dev/null || continue
		set -- $(awk -F'\t' -v s="$U4" -v r="$NOSOCK" '!/^#/ && index($3, s "+") == 1 && $5 == r &&
			$6 == "lo" && $8 == "ipv4" { print $2, $3; exit }' /tmp/st.stats)
		[ -n "$2" ] || continue
		row=$2
		cat $D/samples >/tmp/st.samples 2>/dev/null || continue
		set -- $(samples_flat /tmp/st.samples | awk -F'\t' -v l="$1" -v r="$NOSOCK" -v on="$on" '
			$1 == l && $2 == r && $3 == "lo" && $5 == "ipv4" && $14 + 0 >= on + 0 { print $1, $10; exit }')
		[ -n "$2" ] || continue
		fchk=$((fchk + 1))
		if [ "$2" != "$row" ]; then
			fbad=$((fbad + 1))
			[ -n "$fwhat" ] || fwhat="location=$1 frame0=$2 row=$row"
		fi
		return 0
	done
	return 1
}
stress_trace() {
	T=/sys/kernel/tracing
	n=0 ok=0 fchk=0 fbad=0 fwhat=
	echo 1024 >$T/buffer_size_kb
	while [ ! -f /tmp/stop ]; do
		if echo stacktrace >$T/events/skb/kfree_skb/trigger &&
			echo 1 >$T/events/skb/kfree_skb/enable; then
			# /proc/uptime counts in 10 ms steps: from the next one.
			on=$(($(uptime_ns) + 10000000))
			if [ $fchk -lt 3 ]; then stress_trace_frame; else usleep 300000; fi
			if echo 0 >$T/events/skb/kfree_skb/enable &&
				echo '!stacktrace' >$T/events/skb/kfree_skb/trigger && echo >$T/trace; then
				ok=$((ok + 1))
			fi
			rm -f /tmp/st.stats /tmp/st.samples
		fi
		n=$((n + 1))
		usleep 200000
	done
	echo "$n $ok $fchk $fbad $fwhat" >/tmp/trace.n
}

# A netns cycle succeeds when every step worked, the teardown included.
stress_netns() {
	n=0 ok=0
	while [ ! -f /tmp/stop ]; do
		good=0
		$IP netns add dms$n &&
			$IP link add dmsa$n type veth peer name dmsb$n netns dms$n &&
			$IP link set dmsa$n up && $IP -n dms$n link set dmsb$n up &&
			dmgen raw dmsa$n 20 0x88b5 >/dev/null 2>&1 && good=1
		$IP link del dmsa$n 2>/dev/null || good=0
		$IP netns del dms$n 2>/dev/null || good=0
		ok=$((ok + good))
		n=$((n + 1))
	done
	echo "$n $ok" >/tmp/netns.n
}

suite_stress() {
	# On a kernel with kmemleak (the debug kernel), only the storm counts.
	case $(uname -r) in
	*-dropmon-debug) [ -f $F/kmemleak ] && echo clear >$F/kmemleak ;;
	esac
	insmod /lib/modules/veth.ko 2>/dev/null
	mkdir -p /run/netns
	rm -f /tmp/stop
	check_rc "stress: load" 0 load interval_ms=100
	dmgen -c 0 flood "$STRESS" $PORT >/tmp/flood0 &
	dmgen -c 1 flood "$STRESS" $PORT udp6 >/tmp/flood1 &
	stress_proc 0 &
	stress_proc 1 &
	stress_readers &
	stress_netns &
	stress_trace &
	end=$(($(date +%s) + STRESS))
	cycles=0 bad=0 busy=0 unmatched=0 unread=0
	while [ "$(date +%s)" -lt $end ]; do
		sleep 2
		# Every stack walk of this load reached its location, the
		# trace event's __traceiter_kfree_skb frame or not.
		u=$(sed -n 's/^stack_unmatched=//p' $D/status 2>/dev/null)
		case $u in
		'' | *[!0-9]*) unread=$((unread + 1)) ;;
		*) unmatched=$((unmatched + u)) ;;
		esac
		# rmmod is refused while a reader holds a file open: retry.
		i=0
		while ! rmmod dropmon 2>/dev/null; do
			busy=$((busy + 1))
			i=$((i + 1))
			[ $i -gt 200 ] && { bad=$((bad + 1)); break; }
			usleep 20000
		done
		load interval_ms=100 || bad=$((bad + 1))
		cycles=$((cycles + 1))
	done
	touch /tmp/stop
	wait
	unload
	s0=$(sed -n 's/^flood: sent=\([0-9][0-9]*\)$/\1/p' /tmp/flood0)
	s1=$(sed -n 's/^flood: sent=\([0-9][0-9]*\)$/\1/p' /tmp/flood1)
	sent=$((${s0:-0} + ${s1:-0}))
	p0=$(cat /tmp/proc.0 2>/dev/null) p1=$(cat /tmp/proc.1 2>/dev/null)
	set -- $(cat /tmp/readers.n 2>/dev/null)
	ra=${1:-0} rok=${2:-0}
	set -- $(cat /tmp/netns.n 2>/dev/null)
	na=${1:-0} nok=${2:-0}
	set -- $(cat /tmp/trace.n 2>/dev/null)
	ta=${1:-0} tok=${2:-0} fchk=${3:-0} fbad=${4:-0}
	[ $# -ge 4 ] && shift 4 || set --
	fwhat=$*
	# Minimums per second of storm, far below what runs gave: 6.1 under
	# TCG about 33 reads and 1 netns cycle a second succeeded (120 s:
	# 3920 of 5049 reads, 124 of 124 cycles; 30 s: 983 of 1257, 32 of
	# 32); the debug kernel (KASAN, lockdep; 7.3.4-dropmon-debug, with
	# stress_trace reading stats and samples too) about 0.5 reads and
	# 0.07 cycles a second (90 s, three runs: 48 of 115, 42 of 108 and
	# 45 of 109 reads, 6 of 6, 6 of 6 and 7 of 7 cycles; before the
	# samples readers 177 of 308 and 19 of 19): the floors, 15 reads and
	# 3 cycles in 90 s, hold.
	case $(uname -r) in
	*-dropmon-debug) rmin=$((STRESS / 6)) nmin=$((STRESS / 30)) ;;
	*) rmin=$STRESS nmin=$((STRESS / 12)) ;;
	esac
	[ $rmin -ge 1 ] || rmin=1
	[ $nmin -ge 1 ] || nmin=1
	echo "STRESS seconds=$STRESS reload_cycles=$cycles unload_busy_retries=$busy reads_attempted=$ra reads_ok=$rok netns_attempted=$na netns_ok=$nok trace_cycles=$ta trace_ok=$tok trace_frames_checked=$fchk stack_unmatched=$unmatched flood_sent=$sent proc_drops_cpu0=${p0:-0} proc_drops_cpu1=${p1:-0}"
	check_eq "stress: $cycles unload/reload cycles under storm, readers and netns churn, none failed" 0 $bad
	check_match "stress: the storm ran on both CPUs" "^[1-9][0-9]* [1-9][0-9]*\$" "${s0:-none} ${s1:-none}"
	check_match "stress: process-context drops (netlink, unix) ran on both CPUs" \
		"^[1-9][0-9]* [1-9][0-9]*\$" "${p0:-none} ${p1:-none}"
	check_match "stress: reads that succeeded, at least $rmin" '^yes ' \
		"$([ "$rok" -ge $rmin ] && echo yes) $rok of $ra"
	check_match "stress: netns cycles that succeeded, at least $nmin" '^yes ' \
		"$([ "$nok" -ge $nmin ] && echo yes) $nok of $na"
	check_match "stress: kfree_skb trace event and stacktrace trigger on and off while sampling, every cycle" \
		'^yes ' "$([ "$tok" -ge 1 ] && [ "$tok" = "$ta" ] && echo yes) $tok of $ta"
	check_eq "stress: stack_unmatched=0 in status before each of the $cycles unloads (sum, status reads that failed)" \
		"0 0" "$unmatched $unread"
	check_match "stress: with the trace event on, frame 0 of the udp4 row's sample is the row's symbol ($fchk intervals checked)" \
		'^yes ' "$([ "$fchk" -ge 1 ] && [ "$fbad" = 0 ] && echo yes) $fbad of $fchk wrong $fwhat"
	# After the storm: one more load, samples taken and read whole, at an
	# interval long enough to read totals and samples_totals in one: at
	# 100 ms, the debug kernel beside a second guest saw a rotation between
	# the two reads in each of snap_pair's ten tries (seq 66/67).
	check_rc "stress: load after the storm" 0 load interval_ms=$INT
	dmgen udp4 3 $PORT
	wait_seq totals 2
	settle
	snap_pair totals samples_totals
	j=$(sample_of totals samples_totals "$U4" "$NOSOCK" lo "$ROOTNS" ipv4)
	check_eq "stress: after the storm the udp4 lo row has its sample (3 drops, frame 0 its symbol)" \
		"3 yes $(jf "$j" 2)" "$(jf "$j" 1) $(jf "$j" 9) $(jf "$j" 14)"
	check_rc "stress: unload" 0 unload
	check_dmesg stress
	case $(uname -r) in
	*-dropmon-debug) kmemleak_check ;;
	esac
}

# Exact accounting across rotations at interval_ms=100: known generators
# send ROUNDS x N datagrams from both CPUs at once, in softirq (udp4 to a
# closed port) and in process context (netlink to a port id no socket
# holds, unix datagrams freed at close), while a poller sums every
# snapshot of stats; both that sum and the totals must be exact.
# Boot with TCG thread=multi: nothing is patched while traffic flows.
suite_accounting() {
	warm_up_once
	check_rc "accounting: load" 0 load interval_ms=100
	wait_seq totals 2
	# The process-context locations, as this kernel names them, for the
	# poller: one drop of each, then each must be at one location.
	dmgen -c 0 netlink 1 $NLPID
	dmgen -c 0 unixqueue 1
	settle
	nlsym=$(psyms totals "$NL_RE") uxsym=$(psyms totals "$UX_RE" "$UX_NS")
	check_match "accounting: one location each for netlink and unix, saw '$nlsym' and '$uxsym'" \
		'^[^ ]+/[^ ]+$' "$nlsym/$uxsym"
	before=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	nb=$(psum totals "$NL_RE") ub=$(psum totals "$UX_RE" "$UX_NS")
	rounds=10
	dmgen snapsum $D/stats "$U4" lo 600 "${nlsym:-none}" - "${uxsym:-none}" - >/tmp/snapsum &
	poller=$!
	sleep 1
	r=0
	while [ $r -lt $rounds ]; do
		dmgen -c 0 udp4 $N $PORT & a=$!
		dmgen -c 1 udp4 $N $PORT & b=$!
		dmgen -c 0 netlink $N $NLPID & c=$!
		dmgen -c 1 netlink $N $NLPID & d=$!
		dmgen -c 0 unixqueue $N & e=$!
		dmgen -c 1 unixqueue $N & f=$!
		wait $a $b $c $d $e $f
		r=$((r + 1))
	done
	settle
	kill -TERM $poller
	wait $poller
	after=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	na=$(psum totals "$NL_RE") ua=$(psum totals "$UX_RE" "$UX_NS")
	want=$((rounds * 2 * N))
	echo "ACCOUNTING $(cat /tmp/snapsum) totals_delta=$((after - before)) netlink_delta=$((na - nb)) unix_delta=$((ua - ub)) sent=$want each"
	check_eq "accounting: totals count exactly the $want datagrams sent from both CPUs" $want $((after - before))
	check_match "accounting: the sum over every snapshot is exactly $want, none missed" \
		"total=$want .* missed=0 " "$(cat /tmp/snapsum)"
	check_eq "accounting: totals count exactly the $want netlink drops (process context) from both CPUs" \
		$want $((na - nb))
	check_eq "accounting: totals count exactly the $want unix drops (process context) from both CPUs" \
		$want $((ua - ub))
	check_match "accounting: the sums over every snapshot of $nlsym and $uxsym are exactly $want each" \
		" total2=$want total3=$want\$" "$(cat /tmp/snapsum)"
	check_eq "accounting: invariant" "ok ok" "$(invariant totals)"
	check_rc "accounting: unload" 0 unload
	check_dmesg accounting
}

# --- reliability: fault injection (kernels with CONFIG_FAULT_INJECTION) ---
F=/sys/kernel/debug

# Both allocators fail on demand: GFP_KERNEL too, quietly, no filters.
fault_reset() {
	for f in failslab fail_page_alloc; do
		[ -d $F/$f ] || continue
		echo 0 >$F/$f/probability
		echo 1 >$F/$f/interval
		echo -1 >$F/$f/times
		echo 0 >$F/$f/verbose
		echo N >$F/$f/ignore-gfp-wait
		echo N >$F/$f/task-filter
		echo 0 >$F/$f/require-start 2>/dev/null
		echo 0xffffffffffffffff >$F/$f/require-end 2>/dev/null
	done
	echo N >$F/fail_page_alloc/ignore-gfp-highmem
	echo 0 >$F/fail_page_alloc/min-order
}

# Make the next $1 allocations whose call stack passes through the loaded
# dropmon module fail (both allocators); $2=Y: only for tasks marked
# with /proc/PID/make-it-fail.
fault_in_module() {
	base=$(awk '$1 == "dropmon" { print $6 }' /proc/modules)
	size=$(awk '$1 == "dropmon" { print $2 }' /proc/modules)
	# sh arithmetic is signed 64-bit: add within the low 32 bits.
	hi=${base%????????}
	lo=${base#"$hi"}
	[ $((0x$lo + size)) -lt 4294967296 ] ||
		fail faults "expected the module in one 4 GiB window, saw $base + $size"
	end=$(printf '%s%08x' "$hi" $((0x$lo + size)))
	for f in failslab fail_page_alloc; do
		echo "$base" >$F/$f/require-start
		echo "$end" >$F/$f/require-end
		echo 32 >$F/$f/stacktrace-depth
		echo "${2:-N}" >$F/$f/task-filter
		echo "$1" >$F/$f/times
		echo 100 >$F/$f/probability
	done
}

# Every allocation a load makes, failed in turn: each failed load must
# leave nothing loaded and nothing in dmesg.
t_fault_load() {
	n=1 failed=0 ok=0 fired=1
	while [ "$fired" = 1 ] && [ $n -le 600 ]; do
		out=$(dmgen failnth $n $KO interval_ms=100)
		rc=$(echo "$out" | sed -n 's/.*rc=\([0-9]*\).*/\1/p')
		fired=$(echo "$out" | sed -n 's/.*fired=\([01]\).*/\1/p')
		if [ "$rc" = 0 ]; then
			ok=$((ok + 1))
			rmmod dropmon || fail "fault load $n" "expected rmmod to succeed"
		else
			failed=$((failed + 1))
			grep -q '^dropmon ' /proc/modules &&
				fail "fault load $n" "expected nothing loaded after a failed load, saw dropmon"
		fi
		n=$((n + 1))
	done
	echo "FAULTS load_points=$((n - 2)) load_failed_cleanly=$failed load_survived=$ok"
	check_eq "faults: the load with no allocation failing succeeds" "0 0" "$rc $fired"
	check_match "faults: loads with one allocation failing, $failed failed cleanly" '^[1-9]' "$failed"
	check_dmesg "faults: load"
}

# A rotation that cannot allocate keeps every count and says so once.
t_fault_rotation() {
	check_rc "faults: load for rotation" 0 load interval_ms=200
	wait_seq totals 1
	snap totals
	before=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	dmesg_mark
	fault_in_module 8 N
	dmgen udp4 $N $PORT
	i=0
	while [ "$(cat $F/failslab/times)" != 0 ] || [ "$(cat $F/fail_page_alloc/times)" != 0 ]; do
		i=$((i + 1))
		[ $i -gt 300 ] && break
		usleep 100000
	done
	fault_reset
	settle
	after=$(sum totals "$U4" "$NOSOCK" lo ipv4 "$ROOTNS")
	echo "FAULTS rotation $(grep -E '^(alloc_failures|rotations)=' $D/status | tr '\n' ' ')"
	check_eq "faults: rotations that could not allocate kept every count" $N $((after - before))
	check_match "faults: the worker counted its failed allocations" '^alloc_failures=[1-9]' \
		"$(grep '^alloc_failures=' $D/status)"
	check_match "faults: said in dmesg" '^[1-9]' "$(dmesg_since | grep -c 'dropmon: out of memory')"
	check_eq "faults: each message said once" "" "$(dmesg_since | grep -o 'dropmon: out of memory.*' | sort | uniq -d)"
	check_eq "faults: rotation invariant" "ok ok" "$(invariant totals)"
}

# --- parameters at run time: a change that cannot allocate (issue 13) ---
# stack_depth=4 needs new sample pools: the first slab allocation in the
# module after the write, the worker's at the rotation that applies it,
# fails.  The old value stays in effect, the write is undone, counted in
# param_failures and said once; written again, it is applied.
t_fault_params() {
	PP=/sys/module/dropmon/parameters
	check_rc "faults params: load" 0 load interval_ms=3000
	wait_seq stats 1
	dmesg_mark
	fault_in_module 1 N
	echo 0 >$F/fail_page_alloc/probability
	echo 4 >$PP/stack_depth
	i=0
	while [ "$(cat $F/failslab/times)" != 0 ]; do
		i=$((i + 1))
		[ $i -gt 300 ] && break
		usleep 100000
	done
	fault_reset
	snap stats
	wait_seq stats $(($(hdr stats seq) + 2))
	echo "FAULTS params $(grep -E '^(stack_depth|pending_.*|param_failures|alloc_failures)=' $D/status | tr '\n' ' ')"
	check_eq "faults params: stack_depth=4 could not allocate: 16 stays, undone, counted" \
		"stack_depth=16 param_failures=1 16" \
		"$(grep -E '^(stack_depth|pending_stack_depth|param_failures)=' $D/status | tr '\n' ' ')$(cat $PP/stack_depth)"
	check_eq "faults params: said once in dmesg" \
		"1 dropmon: stack_depth=4 not applied: out of memory for the tables; stack_depth stays 16" \
		"$(dmesg_since | grep -c 'not applied') $(dmesg_since | grep -o 'dropmon: .*not applied.*' | head -n 1)"
	echo 4 >$PP/stack_depth
	snap stats
	wait_seq stats $(($(hdr stats seq) + 3))
	check_eq "faults params: written again, stack_depth=4 is applied" "stack_depth=4 param_failures=1" \
		"$(grep -E '^(stack_depth|pending_stack_depth|param_failures)=' $D/status | tr '\n' ' ' | sed 's/ $//')"
	check_rc "faults params: unload" 0 unload
	check_dmesg "faults: params"
}

# A read that cannot allocate returns an error, and the next one works.
t_fault_read() {
	fault_in_module 1 Y
	sh -c "echo 1 >/proc/self/make-it-fail; exec cat $D/stats" >/dev/null 2>/tmp/err
	rc=$?
	fault_reset
	check_eq "faults: a read that cannot allocate fails" "1 Cannot allocate memory" \
		"$rc $(grep -o 'Cannot allocate memory' /tmp/err | head -n 1)"
	check_rc "faults: the next read works" 0 cat $D/stats
	check_rc "faults: unload" 0 unload
	check_dmesg "faults: rotation and read"
}

# A kmemleak scan that finds nothing proves nothing unless kmemleak is on,
# both scans were accepted and the report was read.  A disabled kmemleak
# refuses "scan" (EPERM) and says so in dmesg.
kmemleak_check() {
	K=$F/kmemleak
	[ -f $K ] || { fail kmemleak "expected $K, saw none"; return; }
	check_eq "kmemleak: not disabled (dmesg)" "" "$(dmesg | grep -i 'kmemleak.*disabled' | head -n 3)"
	{ echo scan >$K; } 2>/tmp/kml.err
	r1=$?
	sleep 6
	{ echo scan >$K; } 2>>/tmp/kml.err
	r2=$?
	check_eq "kmemleak: both scans accepted" "rc=0 rc=0 err=" \
		"rc=$r1 rc=$r2 err=$(tr '\n' ' ' </tmp/kml.err | head -c 200)"
	# An empty report counts only after scans that ran.
	if [ "$r1$r2" = 00 ]; then s=scanned; else s=unscanned; fi
	cat $K >/tmp/kml 2>/tmp/kml.err
	r3=$?
	check_eq "kmemleak: no leak after unload" "scanned rc=0 err= report=" \
		"$s rc=$r3 err=$(head -c 200 /tmp/kml.err) report=$(head -n 20 /tmp/kml)"
}

# The main suite's scan: the debug kernel has kmemleak and must scan; the
# distro kernels have none, so nothing runs there.  Returns 0 either way:
# a failure is a FAIL line.
t_kmemleak_main() {
	case $(uname -r) in
	*-dropmon-debug) kmemleak_check ;;
	esac
	return 0
}

suite_faults() {
	[ -d $F/failslab ] || { fail faults "expected $F/failslab (CONFIG_FAILSLAB), saw none"; return; }
	[ -f $F/kmemleak ] && echo clear >$F/kmemleak
	fault_reset
	t_fault_load
	t_fault_rotation
	t_fault_read
	t_fault_params
	kmemleak_check
}

# The demo's colour follows the terminal that make demo runs on (vm.sh
# passes dmcolor=always or never): in the guest, dropmon-show would see a
# serial port as a terminal and colour a log.
suite_demo() {
	color=$(sed -n 's/.*dmcolor=\([a-z]*\).*/\1/p' /proc/cmdline)
	load interval_ms=2000
	for round in 1 2; do
		# Start right after a rotation and print the next snapshot, so
		# that each round's drops land in one interval, whole.
		snap stats
		wait_seq stats $(($(hdr stats seq) + 1))
		s=$(hdr stats seq)
		dmgen udp4 $((round * 300)) $PORT
		dmgen udp6 $((round * 200)) $PORT
		dmgen tcp4 $((round * 50)) $PORT
		dmgen -n raw lo $((round * 20)) 0x88b5
		dmgen udpqueue $((round * 10)) 1009
		wait_seq stats $((s + 1))
		echo "===== interval $round: cat $D/stats ====="
		cat $D/stats
		echo "===== interval $round: dropmon-show ====="
		dropmon-show --color="${color:-never}"
	done
	echo "===== dropmon-show --totals ====="
	dropmon-show --totals --color="${color:-never}"
	unload
}

# --- the checks' own checks ----------------------------------------------
# Planted inputs that each must make a check of this file FAIL: an empty
# snapshot, a snapshot without its header, a kmemleak that is not there
# (no distro kernel has one), a command that exits 1.  Each runs in a
# subshell with its own record of checks, so its FAIL is not the suite's.
planted() {	# name ERE command...: the command's output must match ERE
	pname=$1 pre=$2
	shift 2
	got=$(CHECKS=/tmp/planted.checks; "$@" 2>&1)
	check_match "selftest: $pname" "$pre" "$got"
}
suite_selftest() {
	: >/tmp/empty
	planted "invariant_of an empty file is not ok" '^noheader$' invariant_of /tmp/empty
	printf '5\t0x1\tf+0x1/0x2\tvmlinux\t-\tlo\t1\tipv4\n' >/tmp/nohdr
	planted "invariant_of rows without a header is not ok" '^noheader$' invariant_of /tmp/nohdr
	printf '# dropmon format=2 seq=1 interval_ms=1 start_ns=1 end_ns=2 keys=1 drops=6 lost=0 evicted=0\n# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n5\t0x1\tf+0x1/0x2\tvmlinux\t-\tlo\t1\tipv4\n' >/tmp/badsum
	planted "invariant_of a sum that misses a drop is not ok" '^sum=5\+lost=0\+evicted=0!=drops=6 ok$' invariant_of /tmp/badsum
	printf '# dropmon format=2 seq=1 interval_ms=1 start_ns=1 end_ns=2 keys=1 drops=10 lost=1 evicted=3\n# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n5\t0x1\tf+0x1/0x2\tvmlinux\t-\tlo\t1\tipv4\n' >/tmp/badev
	planted "invariant_of a sum that misses an evicted drop is not ok" '^sum=5\+lost=1\+evicted=3!=drops=10 ok$' invariant_of /tmp/badev
	printf '# dropmon format=1 seq=1 interval_ms=1 start_ns=1 end_ns=2 keys=1 drops=5 lost=0\n# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n5\t0x1\tf+0x1/0x2\tvmlinux\t-\tlo\t1\tipv4\n' >/tmp/fmt1
	planted "invariant_of a format=1 header is not ok" '^noheader$' invariant_of /tmp/fmt1
	if [ ! -e /sys/kernel/debug/kmemleak ]; then
		planted "kmemleak_check fails where kmemleak is missing" '^FAIL: kmemleak' kmemleak_check
	fi
	# samples_invariant: a good pair first, then each fault alone.
	printf '# dropmon format=2 seq=4 interval_ms=1 start_ns=1 end_ns=9 keys=2 drops=8 lost=0 evicted=0\n# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n5\t0x1\tf+0x1/0x2\tvmlinux\t-\tlo\t1\tipv4\n3\t0x2\tg+0x1/0x2\tvmlinux\t-\tlo\t1\tipv6\n' >/tmp/pl.stats
	pl_samples() {	# SEQ UNSAMPLED [EXTRA-BLOCK-LOCATION]
		printf '# dropmon-samples format=1 seq=%s keys=%s unsampled=%s\n' "$1" "$([ -n "$3" ] && echo 2 || echo 1)" "$2"
		printf 'sample\t0x1\t-\tlo\t1\tipv4\ttime_ns=5 len=1 header=mac bytes=1\npacket\t00\nframe\t0\tf+0x1/0x2\tvmlinux\n'
		[ -z "$3" ] || printf 'sample\t%s\t-\tlo\t1\tipv4\ttime_ns=5 len=1 header=mac bytes=1\npacket\t00\nframe\t0\th+0x1/0x2\tvmlinux\n' "$3"
	}
	pl_samples 4 3 >/tmp/pl.ok
	planted "samples_invariant passes a pair that fits" '^ok$' samples_invariant /tmp/pl.stats /tmp/pl.ok
	pl_samples 5 3 >/tmp/pl.seq
	planted "samples_invariant fails a seq mismatch" '^seq=5!=4$' samples_invariant /tmp/pl.stats /tmp/pl.seq
	pl_samples 4 3 0x9 >/tmp/pl.orphan
	planted "samples_invariant fails a block of no row" '^orphan_blocks=1$' samples_invariant /tmp/pl.stats /tmp/pl.orphan
	pl_samples 4 8 >/tmp/pl.unsampled
	planted "samples_invariant fails a wrong unsampled" '^unsampled=8!=sum=3$' samples_invariant /tmp/pl.stats /tmp/pl.unsampled
	planted "samples_times passes times inside the interval" '^$' samples_times /tmp/pl.stats /tmp/pl.ok
	sed "s/time_ns=5 /time_ns=$((9 + DM_GRACE_NS)) /" /tmp/pl.ok >/tmp/pl.grace
	planted "samples_times passes a time_ns within the grace period after end_ns" '^$' samples_times /tmp/pl.stats /tmp/pl.grace
	sed "s/time_ns=5 /time_ns=$((10 + DM_GRACE_NS)) /" /tmp/pl.ok >/tmp/pl.late
	planted "samples_times fails a time_ns past end_ns and the grace period" "^$((10 + DM_GRACE_NS))>9\$" samples_times /tmp/pl.stats /tmp/pl.late
	planted "out_ok fails a command that exits 1" '^FAIL: planted: exit 0' out_ok planted false
	planted "check_rc fails a wrong exit status" '^FAIL: planted' check_rc planted 0 false
}

# --- memory with default parameters on a host of many CPUs ---------------
# Booted with possible_cpus=256 (2 of them online): one table per possible
# CPU stays within the 1 MiB budget, also after busy intervals, the
# sample pools within their own 1 MiB, what the kernel loses under 4 MiB
# and the worst case (tables twice during a rotation, the accumulators,
# both snapshots full, a sample for every pool record) under 9 MiB.
# The status file has no per-CPU figure: table_bytes is the sum over all
# tables.  CPU 0's growth shows there as the sum rising by at least one
# table quadrupling (the step a table that lost events takes), and in the
# stats: more rows of keys that only CPU 0 sends in one interval than its
# start table can hold.
suite_memory() {
	st() { sed -n "s/^$1=//p" /tmp/status; }
	# The named fields of the copy /tmp/status that are not numbers
	# (missing, empty or garbled), as " name='value'": each check fails
	# when a field it uses is one of them.
	nonnum() {
		for f in "$@"; do
			case $(st $f) in
			'' | *[!0-9]*) printf " %s='%s'" "$f" "$(st $f)" ;;
			esac
		done
	}
	# The kernel's own accounting of what dropmon allocates, in KiB:
	# Slab (which counts kmalloc()s above a slab's size as well, v5.9)
	# plus VmallocUsed, sampled after a second of quiet.  Free pages move
	# by megabytes with every process the fill loop starts and ends, these
	# by little.
	kmem_kib() {
		sleep 1
		awk '$1 == "Slab:" || $1 == "VmallocUsed:" { k += $2 } END { print k }' /proc/meminfo
	}
	# Every CPU's table full: 1024 keys (lo, one ethertype each) sent from
	# both CPUs, so that both tables grow to what the budget allows and
	# the accumulators and snapshots hold max_keys rows.
	meminfo() { awk '$1 == "Slab:" || $1 == "VmallocUsed:" { printf "%s ", $2 }' /proc/meminfo; }
	fill() {
		dmgen -c 0 -n raw lo 1 0xa000-0xa3ff >/dev/null 2>&1
		dmgen -c 1 -n raw lo 1 0xa000-0xa3ff >/dev/null 2>&1
	}
	fields="possible_cpus max_keys slot_bytes row_bytes table_bytes accumulator_bytes snapshot_bytes device_bytes memory_bytes memory_peak_bytes rotations sample_cap sample_pool_bytes sample_store_bytes"
	# The same traffic for as long without dropmon first, so that the
	# skbs' and sockets' own caches are at their high water before the
	# baseline, and the delta is dropmon's.
	end=$(($(date +%s) + 25))
	while [ "$(date +%s)" -lt $end ]; do fill; done
	f0=$(kmem_kib) m0=$(meminfo)
	check_rc "memory: load with defaults" 0 load
	cat $D/status >/tmp/status
	check_eq "memory: status at load: every field a number" "" "$(nonnum $fields)"
	check_eq "memory: possible_cpus" 256 "$(st possible_cpus)"
	# README: "5 with 256 possible CPUs", and the formula says the same.
	check_eq "memory: sample_cap=5 and sample_record_bytes=376 at 256 possible CPUs (README; sample_cap_of: $(sample_cap_of 256 "$(st max_keys)" 16 128))" \
		"5 376 5 376" "$(st sample_cap) $(st sample_record_bytes) $(sample_cap_of 256 "$(st max_keys)" 16 128)"
	# At load every possible CPU has its start share: 16 keys, a 128-byte
	# header and 32 slots of 64 bytes, plus the set's own 128 bytes, its
	# array of 256 pointers (2048 bytes) and of 256 capacities (1024);
	# two such sets, the live one and the spare.  (struct dropmon_gen
	# holds more than 64 bytes since each set has its sample geometry and
	# the next one, kmalloc-128; the table header is one cache line, as
	# table.h asserts.)  The sample pools are not in table_bytes:
	# sample_pool_bytes.
	bad=$(nonnum table_bytes slot_bytes rotations)
	tb0=$(st table_bytes)
	check_eq "memory: at load, 2 x (256 start tables of 64 + 32 x 64 B and the set's 128 + 2048 + 1024 B)" \
		"$((2 * (256 * (64 + 32 * 64) + 128 + 2048 + 1024))) 0" "$tb0 $(st rotations)$bad"
	# Fill until the tables stop growing: at most 16 -> 64 -> 256 -> 1024
	# keys, one step per rotation (5 s), bounded by time.
	end=$(($(date +%s) + 120)) prev=0 same=0
	while [ "$(date +%s)" -lt $end ] && [ $same -lt 2 ]; do
		fill
		cat $D/status >/tmp/status
		[ -z "$(nonnum rotations table_bytes)" ] || break
		if [ "$(st rotations)" != "$prev" ]; then
			prev=$(st rotations)
			if [ "$(st table_bytes)" = "$tbl" ]; then same=$((same + 1)); else same=0; fi
			tbl=$(st table_bytes)
		fi
		usleep 200000
	done
	# Measure right after a rotation, with this interval's tables full.
	r=$(st rotations)
	while cat $D/status >/tmp/status && [ "$(st rotations)" = "$r" ] &&
		[ "$(date +%s)" -lt $((end + 20)) ]; do
		fill
	done
	fill
	f1=$(kmem_kib) m1=$(meminfo)
	cat $D/status >/tmp/status
	snap stats
	snap totals
	check_eq "memory: status with full tables: every field a number" "" "$(nonnum $fields)"
	tb=$(st table_bytes) ab=$(st accumulator_bytes) sb=$(st snapshot_bytes)
	db=$(st device_bytes) mb=$(st memory_bytes) pb=$(st memory_peak_bytes)
	cap=$(st sample_cap) pool=$(st sample_pool_bytes) store=$(st sample_store_bytes)
	modkib=$(awk '$1 == "dropmon" { print int($2 / 1024) }' /proc/modules)
	# The samples read whole, with the tables full: what they hold.
	snap samples
	snap samples_totals
	unload
	f2=$(kmem_kib)
	used=$((f1 - f0)) back=$((f1 - f2))
	set -- $m0 $m1
	echo "MEMORY possible_cpus=256 table_bytes_start=$tb0 table_bytes=$tb accumulator_bytes=$ab snapshot_bytes=$sb device_bytes=$db memory_bytes=$mb memory_peak_bytes=$pb sample_cap=$cap sample_pool_bytes=$pool sample_store_bytes=$store samples_keys=$(hdr samples keys) samples_totals_keys=$(hdr samples_totals keys) module_kib=$modkib measured_kib=$used freed_at_unload_kib=$back slab_kib=$(($3 - $1)) vmalloc_kib=$(($4 - $2)) stats_keys=$(hdr stats keys) totals_keys=$(hdr totals keys) rotations=$(st rotations)"
	# Two CPUs went from 16 keys (32 slots) to 1024 (2048 slots), in
	# both sets; each set within the 1 MiB budget.
	check_match "memory: both CPUs' tables grew to 1024 keys ($tb0 -> $tb B <= 2 x 1 MiB)" '^yes$' \
		"$([ "$tb" = $((tb0 + 4 * (2048 - 32) * 64)) ] && [ "$tb" -le 2097152 ] && echo yes)"
	# The totals hold every key since load up to total_keys=4096: the
	# 1024 of each interval and what the other intervals had (1280 in
	# the run at total_keys' commit).
	check_match "memory: the accumulators and snapshots hold max_keys rows (stats $(hdr stats keys), totals $(hdr totals keys) keys)" '^yes$' \
		"$([ "$(hdr stats keys)" -ge 1000 ] && [ "$(hdr totals keys)" -ge 1024 ] && [ "$(hdr totals keys)" -le 4096 ] && echo yes)"
	check_eq "memory: memory_bytes is the sum of its parts (tables, pools, accumulators, snapshots, devices, samples)" \
		"$((tb + pool + ab + sb + db + store))" "$mb"
	# The sample pools of both sets, all 256 possible CPUs: within the
	# 1 MiB budget, and at least one record per CPU.
	check_match "memory: sample pools $pool B <= 1 MiB at 256 possible CPUs, sample_cap=$cap >= 1" '^yes$' \
		"$([ "$pool" -le 1048576 ] && [ "$cap" -ge 1 ] && echo yes)"
	check_match "memory: the samples hold data with full tables (samples keys=$(hdr samples keys), samples_totals keys=$(hdr samples_totals keys), store $store B)" \
		'^yes$' "$([ "$(hdr samples keys)" -ge 1 ] && [ "$store" -gt 0 ] && echo yes)"
	# The larger of one reallocated table (1024 keys: 64 + 2048 x 64 B)
	# and a new snapshot (at most stats and totals together), plus one
	# new sample for each record of the pools, min(max_keys, 256 x
	# sample_cap), of the largest size: 40 bytes of struct dropmon_sample,
	# 128 packet bytes, 16 frame lines of at most 8 + 4 + 128 + 56 bytes
	# and a NUL, 3305 bytes: kmalloc-4096.
	ns=$((256 * cap < 1024 ? 256 * cap : 1024))
	check_match "memory: memory_peak_bytes $pb adds the larger of a 1024-key table and a snapshot (<= $sb B) and $ns samples of 4096 B" '^yes$' \
		"$([ $((pb - mb - ns * 4096)) -ge $((64 + 2048 * 64)) ] && [ $((pb - mb - ns * 4096)) -le $((sb > 131136 ? sb : 131136)) ] && echo yes)"
	# What the kernel lost from load to full tables, sampled right after
	# a rotation, and what unload gives back: what status reports plus
	# the module's own size, within 8% and 64 KiB (vmalloc's page tables,
	# partly used slab pages; the two measurements differ by about that).
	lo=$((mb / 1024 + modkib))
	for pair in "from load to full tables:$used" "at unload:$back"; do
		v=${pair#*:}
		check_match "memory: measured ${pair%%:*}: $v KiB, status + module: $lo KiB" '^yes$' \
			"$([ "$v" -le $((lo * 108 / 100 + 64)) ] && [ "$v" -ge $((lo * 92 / 100 - 64)) ] && echo yes)"
	done
	# What the kernel lost stays under 4 MiB (measured at 2e4f7b3: 4016
	# KiB, the pools' 1 MiB included) plus the totals' room for
	# total_keys=4096 instead of max_keys=1024 keys: 1,442,816 B against
	# 352,384 B, 1065 KiB more, and the totals' snapshot of all keys
	# since load (1280, 72 KiB more): under 5.5 MiB (measured 5168 KiB
	# at total_keys' commit).  The peak: a rotation may make a sample for
	# every record of the pools, 1024 of kmalloc-4096 at 256 CPUs, 4 MiB
	# more (measured 9688256 B): under 10 MiB.
	check_match "memory: 256 CPUs, max_keys=1024, total_keys=4096, full tables: measured $used KiB < 5.5 MiB and peak $pb B < 10 MiB" '^yes$' \
		"$([ "$used" -lt 5632 ] && [ "$pb" -lt 10485760 ] && echo yes)"
	check_dmesg memory
}

: >$CHECKS
case "$1" in
main) suite_main ;;
memory) suite_memory ;;
totalscale) suite_totals_scale ;;
parallel) suite_parallel ;;
smoke) suite_smoke ;;
sig) suite_sig ;;
stress) suite_stress ;;
accounting) suite_accounting ;;
faults) suite_faults ;;
bench) sh /bench.sh ;;
demo) suite_demo ;;
selftest) suite_selftest ;;
*) fail suite "expected main, memory, parallel, smoke, sig, stress, accounting, faults, selftest, bench or demo, saw '$1'" ;;
esac
suite_done "$1"
