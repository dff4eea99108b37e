#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of dropmon-show beyond its unit tests, as root: each
# check prints "PASS: name" or "FAIL: name: expected X, saw Y"; the exit
# status is 1 if any failed.  About three minutes.
#
#   1. fuzz: the libFuzzer target (parser, then every output format) runs
#      for FUZZ_TIME seconds (default 60) without a crash or sanitizer report;
#   2. watch: the full-screen dropmon-show -w -f FILE in tmux: first
#      snapshot, updates on a new seq, the s (sort) and p (pause) keys,
#      unload (FILE removed) and reload (FILE back with seq=1) said on
#      screen, q and ^C quit with the terminal restored; colour on a
#      terminal, none with NO_COLOR;
#      and the selection: j/arrows select a row (reverse video), v opens
#      the pane with its stack and packet from the samples file, the key is
#      followed across a sort and said to be gone from a later snapshot,
#      Esc closes the pane;
#   3. prometheus: Debian's prometheus-node-exporter, started here on
#      127.0.0.1 with only the textfile collector, scrapes what
#      dropmon-show --prometheus --output wrote; every series is checked
#      value by value against the fixture, labels with odd characters
#      survive, and promtool check metrics accepts every Prometheus text;
#   4. pcap: Debian's tshark reads every packet of a dropmon-show --pcap
#      file written from the fixtures, with the addresses, ports, lengths,
#      times and comments that dropmon-show --json gives; tcpdump reads a
#      file of one link type (libpcap 1.10 reads no file that mixes them,
#      which is checked too);
#   5. exporter (issue 13): --prometheus --watch --output writes dropmon_up 0
#      and no counters on malformed, unknown-format (format=3) and unreadable
#      input and on SIGTERM, SIGINT, SIGHUP and SIGQUIT; colliding label values
#      are one series (node_exporter logs no "was collected before"); missed
#      snapshots in JSON, on stderr, on the screen and as a counter, and
#      interval_ms=100 followed; no counter goes down across a restart (by
#      --count and by SIGTERM); the systemd unit through systemd-analyze verify
#      and security (exposure <= 1.2); literal '?' and '-'; --netns net:[N];
#      SIGQUIT and -w --count on a terminal; stale temporary files.
#
# The Debian packages' own services are neither started (policy-rc.d) nor
# left enabled when this test installed them; nothing is left listening.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || dm_die "tests/show.sh installs packages: run it as root"

FUZZ_TIME=${FUZZ_TIME:-60}
FX=$DROPMON_TOP/tests/fixtures
BIN=${DROPMON_SHOW:-$DROPMON_TOP/tools/dropmon-show}	# another build, to see a check fail
T=$(mktemp -d /tmp/dropmon-show.XXXXXX)
SOCK=dropmon-show-test-$$
NE_PID=
POLICY_MADE=


stop_node_exporter() {
	[ -n "$NE_PID" ] || return 0
	dm_stop_pids "$NE_PID"
	NE_PID=
}

cleanup() {
	stop_node_exporter
	ex_stop_all
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ -n "$POLICY_MADE" ] && rm -f /usr/sbin/policy-rc.d
	[ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

# libclang-rt-dev (libFuzzer, clang's sanitizers) is only recommended by clang.
# tshark asks whether non-root users may capture: not here, and not asked.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections ||
	dm_die "debconf-set-selections failed; is debconf installed?"
dm_apt_install gcc make libc6-dev clang libclang-rt-dev tmux curl iproute2 procps \
	tshark tcpdump jq
[ -n "${DROPMON_SHOW:-}" ] || make -s -C "$DROPMON_TOP/tools" dropmon-show >"$T/build.log" 2>&1 ||
	dm_die "make -C tools dropmon-show failed: $(tail -n 3 "$T/build.log" | oneline)"

# A 2-row snapshot in FILE, replaced atomically: write_snap FILE SEQ A B
# (A drops in udp_rcv on lo, B in tcp_v4_rcv on eth0).
write_snap() {
	local f=$1 seq=$2 a=$3 b=$4
	{
		printf '# dropmon format=1 seq=%s interval_ms=1000 start_ns=%s000000000 end_ns=%s000000000 keys=2 drops=%s lost=0\n' \
			"$seq" "$seq" "$((seq + 1))" "$((a + b))"
		printf '# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n'
		printf '%s\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t1\tipv4\n' "$a"
		printf '%s\t0xffffffff81000020\ttcp_v4_rcv+0x20/0x40\tvmlinux\tTCP_CSUM\teth0\t1\tipv4\n' "$b"
	} >"$f.tmp" && mv "$f.tmp" "$f"
}

# --- 1. fuzz -----------------------------------------------------------------

test_fuzz() {
	local log=$T/fuzz.log
	if ! make -s -C "$DROPMON_TOP/tools" fuzz >"$log" 2>&1; then
		fail "fuzz: build the libFuzzer target" "a build" "$(tail -n 3 "$log" | oneline)"
		return
	fi
	if make -s -C "$DROPMON_TOP/tools" fuzz-run FUZZ_TIME="$FUZZ_TIME" >"$log" 2>&1; then
		pass "fuzz: $FUZZ_TIME s each of fuzz_stats, fuzz_samples and fuzz_cgroup ($(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | paste -sd+) runs), no finding"
	else
		fail "fuzz: $FUZZ_TIME s of parser and formatters" "no finding" \
			"$(grep -m 3 -E 'ERROR|SUMMARY|runtime error|deadly signal|Test unit written' "$log" | oneline)"
	fi
}

# --- 2. watch in tmux --------------------------------------------------------

tm() { tmux -L "$SOCK" "$@"; }
screen() { tm capture-pane -p -t main; }
# The data rows of the table on screen, as "COUNT SYMBOL" lines.
screen_rows() { screen | awk '/^COUNT /{ t = 1; next } t && NF >= 8 { print $1, $3 }'; }

# wait_screen NAME ERE: poll the screen up to 5 s until a line matches.
wait_screen() {
	local i
	for i in $(seq 50); do
		if screen | grep -qE -- "$2"; then
			pass "$1"
			return 0
		fi
		sleep 0.1
	done
	fail "$1" "a line matching /$2/ on screen" "$(screen | grep -v '^$' | head -n 4 | oneline)"
	return 1
}

# wait_selected NAME ROW: poll up to 5 s until the selected row is ROW
# ("COUNT SYMBOL"), then check it (a FAIL with what was selected last).
wait_selected() {
	local i
	for i in $(seq 50); do
		[ "$(selected_row)" = "$2" ] && break
		sleep 0.1
	done
	check "$1" "$2" "$(selected_row)"
}

# A unique marker for the next command's output.
tag() { echo "T$(date +%s%N)"; }

# in_pane TAG CMD: clear the pane and run CMD; then "TAG=exit code".
in_pane() { tm send-keys -t main "clear; $2; echo $1=\$?" Enter; }

# wait_exit NAME TAG CODE: the command tagged TAG has ended with CODE.
wait_exit() { wait_screen "$1" "^$2=$3\$"; }

# The terminal's icanon and echo flags, from the shell in the pane.
pane_tty_flags() {
	local t
	t=$(tag)
	in_pane "$t" "stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' , | sed 's/^/$t-FLAGS=/'; echo"
	wait_screen "$1: stty runs" "^$t=0\$" >/dev/null
	screen | sed -n "s/^$t-FLAGS=//p" | head -n 1
}

test_watch_keys() {
	local f=$T/watched saw t
	write_snap "$f" 5 100 7
	t=$(tag)
	in_pane "$t" "$BIN -w -f $f"
	wait_screen "watch: first snapshot on screen" '^dropmon stats  seq 5  ' || return
	check "watch: first snapshot rows" "100 udp_rcv+0x10/0x20 7 tcp_v4_rcv+0x20/0x40" "$(screen_rows | oneline)"

	write_snap "$f" 6 500 3
	wait_screen "watch: new seq redraws" '^dropmon stats  seq 6  '
	check "watch: new counts, sorted by count" "500 udp_rcv+0x10/0x20 3 tcp_v4_rcv+0x20/0x40" "$(screen_rows | oneline)"

	tm send-keys -t main s
	wait_screen "watch: s sorts by location" 'sort: location'
	check "watch: rows sorted by location" "3 tcp_v4_rcv+0x20/0x40 500 udp_rcv+0x10/0x20" "$(screen_rows | oneline)"

	tm send-keys -t main p
	wait_screen "watch: p pauses" '\[PAUSED\]'
	write_snap "$f" 7 11 22
	sleep 1
	saw=$(screen | grep -E '^dropmon stats  seq' | cut -c1-22)
	check "watch: paused screen keeps seq 6" "dropmon stats  seq 6  " "$saw"
	tm send-keys -t main p
	wait_screen "watch: p again resumes with seq 7" '^dropmon stats  seq 7  '

	rm -f "$f"
	wait_screen "watch: says the module was unloaded" 'dropmon was unloaded .*waiting for it to be loaded again'
	write_snap "$f" 1 1 1
	wait_screen "watch: says the module was reloaded" 'dropmon was reloaded at [0-9:]+ \(seq 7 -> 1\)'
	wait_screen "watch: shows the reloaded snapshot" '^dropmon stats  seq 1  '

	tm send-keys -t main q
	wait_exit "watch: q quits with exit 0" "$t" 0
	saw=$(screen | grep -c 'q quit  s sort')
	check "watch: screen restored after q" 0 "$saw"
}

test_watch_signals() {
	local f=$T/watched flags pid t
	flags=$(pane_tty_flags "tty flags before")
	check "watch: the shell's tty has icanon and echo" "icanon,echo," "$flags"
	write_snap "$f" 5 100 7
	t=$(tag)
	in_pane "$t" "$BIN -w -f $f"
	wait_screen "watch for ^C: running" '^dropmon stats  seq 5  ' || return
	tm send-keys -t main C-c
	wait_exit "watch: ^C quits with exit 0" "$t" 0
	check "watch: ^C restores icanon and echo" "$flags" "$(pane_tty_flags "after ^C")"

	t=$(tag)
	in_pane "$t" "$BIN -w -f $f"
	wait_screen "watch for SIGTERM: running" '^dropmon stats  seq 5  ' || return
	pid=$(pgrep -P "$(tm display-message -p -t main '#{pane_pid}')" -x dropmon-show)
	if [ -n "$pid" ]; then
		kill -TERM "$pid"
		wait_exit "watch: SIGTERM quits with exit 0" "$t" 0
		check "watch: SIGTERM restores icanon and echo" "$flags" "$(pane_tty_flags "after SIGTERM")"
	else
		fail "watch: SIGTERM" "a dropmon-show child of the pane's shell" "none"
	fi
}

test_color() {
	local t
	t=$(tag)
	in_pane "$t" "$BIN -f $FX/good.stats"
	wait_exit "colour: table on a terminal" "$t" 0
	check "colour: escapes on a terminal" 1 "$(tm capture-pane -p -e -t main | grep -c $'\e\\[36m__udp4_lib_rcv')"
	t=$(tag)
	in_pane "$t" "NO_COLOR=1 $BIN -f $FX/good.stats"
	wait_exit "colour: table with NO_COLOR" "$t" 0
	check "colour: no escapes with NO_COLOR" 0 "$(tm capture-pane -p -e -t main | grep -c $'\e\\[3[0-9]m')"
}

# The selected row: the line in reverse video below the titles.
selected_row() {
	tm capture-pane -p -e -t main | awk '{ raw = $0; gsub("\033\\[[0-9;]*m", "") }
		/^COUNT +RATE/ { t = 1; next }
		t && raw ~ "\033\\[([0-9]*;)*7m" { print $1, $3; exit }'
}

test_watch_detail() {
	local d=$T/snap t i
	mkdir -p "$d"
	cp "$FX/sampled.stats" "$d/stats"
	cp "$FX/sampled.samples" "$d/samples"
	t=$(tag)
	in_pane "$t" "$BIN -w -f $d/stats"
	wait_screen "detail: first snapshot" '^dropmon stats  seq 77  ' || return
	check "detail: nothing selected at first" "" "$(selected_row)"
	tm send-keys -t main j
	wait_screen "detail: j selects" 'j/k select' >/dev/null
	wait_selected "detail: j selects the first row" "1000 __udp4_lib_rcv+0x5a2/0xb60"
	tm send-keys -t main Down
	wait_selected "detail: Down selects the second row" "400 tcp_v4_rcv+0x80/0xe00"
	tm send-keys -t main v
	wait_screen "detail: v opens the pane" '^stack and packet of tcp_v4_rcv\+0x80/0xe00@veth0 NO_SOCKET netns 4026532281 ipv4 \(seq 77\)'
	wait_screen "detail: the stack" '^frame 2  0xffffffffc0a1b2c3 \(\?\)$'
	wait_screen "detail: the packet" '^packet   ipv4 tcp 10\.0\.0\.2:51234 -> 10\.0\.0\.1:8080 \[S\] len 60 \(mac header, 74 of 74 bytes\)'
	tm send-keys -t main s
	wait_screen "detail: s sorts by location" 'sort: location' >/dev/null
	wait_selected "detail: the key is followed across the sort" "400 tcp_v4_rcv+0x80/0xe00"
	tm send-keys -t main Up
	wait_selected "detail: Up selects the row above (by location: symbol order)" "40 tcp_data_queue_ofo+0x2b4/0x8c0"
	tm send-keys -t main k
	wait_selected "detail: k selects the row above that" "20 sk_filter_trim_cap+0x10/0x200"
	wait_screen "detail: a row without a sample says so" '^\(no sample\)$'
	write_snap "$d/stats" 78 5 5
	wait_screen "detail: the next snapshot" '^dropmon stats  seq 78  ' >/dev/null
	wait_screen "detail: the key is gone" '^this key is not in seq 78'
	tm send-keys -t main Escape
	for i in $(seq 50); do
		[ "$(screen | grep -c '^stack and packet of')" = 0 ] && break
		sleep 0.1
	done
	check "detail: Esc closes the pane" 0 "$(screen | grep -c '^stack and packet of')"
	tm send-keys -t main q
	wait_exit "detail: q quits with exit 0" "$t" 0
}

test_watch() {
	tm -f /dev/null new-session -d -s main -x 132 -y 40 \
		"env -i PATH=$PATH TERM=screen HOME=$T TZ=UTC PS1='$ ' bash --norc --noprofile" ||
		{ fail "watch: start tmux" "a tmux session" "none"; return; }
	test_watch_keys
	test_watch_detail
	test_watch_signals
	test_color
	tm kill-server 2>/dev/null
}

# --- 3. Prometheus -----------------------------------------------------------

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Debian's packages enable their services and would start them: not here.
install_prometheus() {
	local had_ne had_prom
	installed prometheus-node-exporter && had_ne=1
	installed prometheus && had_prom=1
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		POLICY_MADE=1
	fi
	dm_apt_install prometheus-node-exporter prometheus
	if [ -n "$POLICY_MADE" ]; then
		rm -f /usr/sbin/policy-rc.d
		POLICY_MADE=
	fi
	if command -v systemctl >/dev/null; then
		[ -z "${had_ne:-}" ] && systemctl disable prometheus-node-exporter.service >/dev/null 2>&1
		[ -z "${had_prom:-}" ] && systemctl disable prometheus.service >/dev/null 2>&1
	fi
	return 0
}

free_port() {
	local p
	for p in $(seq 19100 19199); do
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

# scrape PORT: /metrics, bounded.
scrape() { curl -s --max-time 5 "http://127.0.0.1:$1/metrics"; }

start_node_exporter() {
	local port=$1 dir=$2 i
	prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$dir" >"$T/node-exporter.log" 2>&1 &
	NE_PID=$!
	for i in $(seq 100); do
		scrape "$port" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# The expected samples of a totals fixture, labels sorted by name as the
# exporter writes them: dropmon_drops_total{dev=..,location=..,...} VALUE
expected_series() {
	awk -F'\t' '
	NR == 1 {
		for (i = 3; i <= split($0, f, " "); i++) {
			split(f[i], kv, "=")
			h[kv[1]] = kv[2]
		}
		next
	}
	/^#/ { next }
	{
		loc = $3
		if (loc == "?")
			loc = $2
		else
			sub(/\/0x[0-9a-f]+$/, "", loc)
		printf "dropmon_drops_total{dev=\"%s\",location=\"%s\",module=\"%s\",netns=\"%s\",proto=\"%s\",reason=\"%s\"} %s\n",
			$6, loc, $4, $7, $8, $5, $1
	}
	END {
		printf "dropmon_lost_total %s\n", h["lost"]
		printf "dropmon_evicted_total %s\n", h["evicted"] + 0	# format 1: none
		printf "dropmon_snapshot_seq %s\n", h["seq"]
		printf "dropmon_interval_seconds %s\n", h["interval_ms"] / 1000
		print "dropmon_up 1"
		# the version of dropmon-show itself: the fixtures have no status file
		printf "dropmon_build_info{format=\"%s\",kernel=\"%s\",version=\"%s\"} 1\n",
			h["format"], kernel, version
	}' kernel="$(uname -r)" version="$("$BIN" --version | awk '{ print $2; exit }')" "$1"
}

# compare_series EXPECTED SCRAPED: every expected sample, numerically, and
# no other dropmon_ sample.
compare_series() {
	awk '
	function key(line) { sub(/ [^ ]*$/, "", line); return line }
	FNR == NR { want[key($0)] = $NF; n++; next }
	/^dropmon_/ { got[key($0)] = $NF }
	END {
		for (k in want) {
			if (!(k in got)) { printf "missing %s; ", k; bad++; continue }
			d = got[k] - want[k]
			if (d < 0) d = -d
			if (d > want[k] * 1e-12) { printf "%s is %s, not %s; ", k, got[k], want[k]; bad++ }
		}
		for (k in got)
			if (!(k in want)) { printf "unexpected %s; ", k; bad++ }
		if (!bad)
			printf "%d series match", n
	}' "$1" "$2"
}

test_prometheus() {
	local dir=$T/textfile port out f saw n
	install_prometheus
	mkdir -p "$dir"
	for f in "$FX"/*.prom.expected "$FX"/good.prom-*.expected; do
		saw=$(promtool check metrics <"$f" 2>&1) && saw=${saw:-ok} || saw="exit $?: $saw"
		check "promtool check metrics: ${f##*/}" "ok" "$saw"
	done

	"$BIN" --prometheus -f "$FX/totals.stats" --output "$dir/dropmon.prom"
	check "prometheus: --output exit code" 0 "$?"
	saw=$(promtool check metrics <"$dir/dropmon.prom" 2>&1) && saw=${saw:-ok} || saw="exit $?: $saw"
	check "promtool check metrics: written file" "ok" "$saw"

	port=$(free_port)
	if [ -z "$port" ] || ! start_node_exporter "$port" "$dir"; then
		fail "prometheus: node_exporter on 127.0.0.1:${port:-?}" "it answering /metrics" \
			"$(tail -n 2 "$T/node-exporter.log" | oneline)"
		stop_node_exporter
		return
	fi
	pass "prometheus: node_exporter answers on 127.0.0.1:$port"
	scrape "$port" >"$T/scrape1"
	check "prometheus: no textfile scrape error" "node_textfile_scrape_error 0" \
		"$(grep '^node_textfile_scrape_error' "$T/scrape1")"
	expected_series "$FX/totals.stats" >"$T/want1"
	n=$(wc -l <"$T/want1")
	check "prometheus: every series of totals.stats, value by value" \
		"$n series match" "$(compare_series "$T/want1" "$T/scrape1")"

	# Labels with quotes, backslashes, UTF-8 and invalid bytes, through a
	# real exposition parser and back.
	"$BIN" --prometheus -f "$FX/odd.stats" --output "$dir/dropmon.prom"
	scrape "$port" >"$T/scrape2"
	check "prometheus: odd labels, no scrape error" "node_textfile_scrape_error 0" \
		"$(grep '^node_textfile_scrape_error' "$T/scrape2")"
	saw=$(grep -cF -e 'dropmon_drops_total{dev="e \"t",location="we\"ird\\sym+0x1",module="vmlinux",netns="1",proto="ipv4",reason="RÉASON"} 50' \
		-e 'dropmon_drops_total{dev="x\\xffy\\x9b",location="%s%n+0x10",module="a\\b\"c",netns="2",proto="{a=b,c}",reason="NO_SOCKET"} 40' \
		-e 'dropmon_drops_total{dev="lo",location="weird/sym",module="ünï",netns="3",proto="ipv6",reason="-"} 30' \
		"$T/scrape2")
	check "prometheus: odd labels survive the exporter" 3 "$saw"

	# issue 13: netns_name labels (fixture /proc and /run/netns trees):
	# an ip netns name with a quote, a backslash, a TAB and a byte 0xff,
	# a pod, the host.
	local nt=$T/nsfx ino
	mkdir -p "$nt/proc/self/ns" "$nt/proc/1/ns" "$nt/proc/50/ns" "$nt/netns"
	: >"$nt/proc/self/ns/net"
	: >"$nt/netns/$(printf 'b"l\\u\te\377')"
	ino=$(stat -c %i "$nt"/netns/b*)
	ln -s 'net:[4026531840]' "$nt/proc/1/ns/net"
	echo 0::/init.scope >"$nt/proc/1/cgroup"
	ln -s 'net:[4026532001]' "$nt/proc/50/ns/net"
	echo "0::/kubepods/burstable/pod5b7e8a3c-2a1d-4f6e-9b0a-1c2d3e4f5a6b/$(printf 'ab%.0s' $(seq 32))" >"$nt/proc/50/cgroup"
	printf '# dropmon format=1 seq=1 interval_ms=1000 start_ns=1 end_ns=2 keys=3 drops=6 lost=0\n# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n1\t0x1\tf+0x1/0x2\tvmlinux\t-\tlo\t4026531840\tipv4\n2\t0x1\tf+0x1/0x2\tvmlinux\t-\tlo\t4026532001\tipv4\n3\t0x1\tf+0x1/0x2\tvmlinux\t-\tlo\t%s\tipv4\n' \
		"$ino" >"$nt/totals"
	DROPMON_PROC_ROOT=$nt/proc DROPMON_NETNS_DIR=$nt/netns "$BIN" --prometheus --names -f "$nt/totals" \
		--output "$dir/dropmon.prom"
	check "prometheus: netns names: --output exit code" 0 "$?"
	scrape "$port" >"$T/scrape3"
	check "prometheus: netns names, no scrape error" "node_textfile_scrape_error 0" \
		"$(grep '^node_textfile_scrape_error' "$T/scrape3")"
	saw=$(grep -cF -e 'netns="4026531840",netns_name="host",proto="ipv4",reason="-"} 1' \
		-e 'netns="4026532001",netns_name="pod 5b7e8a3c-2a1d-4f6e-9b0a-1c2d3e4f5a6b container abababababab",proto="ipv4",reason="-"} 2' \
		-e "netns=\"$ino\",netns_name=\"b\\\"l\\\\u\\\\x09e\\\\xff\",proto=\"ipv4\",reason=\"-\"} 3" \
		"$T/scrape3")
	check "prometheus: netns_name labels (host, pod, an odd ip netns name) survive the exporter" 3 "$saw"

	stop_node_exporter
	saw=$(ss -Htln "sport = :$port" | oneline)
	check "prometheus: nothing left listening on $port" "" "$saw"
	saw=$(ss -Htlnp 2>/dev/null | grep -E 'prometheus|node.exporter|node_exporter' | oneline)
	check "prometheus: no Prometheus service listening" "" "$saw"
}

# --- 4. pcapng -----------------------------------------------------------------

# What tshark reads, one line a packet:
# LEN CAPLEN TIME SRC DST SPORT DPORT COMMENT (the first comment)
tshark_packets() {
	tshark -r "$1" -T fields -E separator='|' -e frame.len -e frame.cap_len \
		-e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
		-e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 -e tcp.srcport \
		-e tcp.dstport -e udp.srcport -e udp.dstport -e frame.comment 2>/dev/null |
	awk -F'|' '{
		src = $4 $6 $8; dst = $5 $7 $9; sp = $10 $12; dp = $11 $13
		c = $14; sub(/,stack: .*/, "", c)
		printf "%s %s %s %s %s %s %s %s\n", $1, $2, $3, src, dst, sp ? sp : "-", dp ? dp : "-", c
	}'
}

# The same from dropmon-show --json -v (SLL: 16 bytes more; no header=none).
json_packets() {
	"$BIN" --json -v "$@" | jq -r '.rows[] | select(.sample != null and .sample.packet.header != "none") |
		.sample.packet as $p |
		(if $p.header == "network" and (.proto != "ipv4" and .proto != "ipv6") then 16 else 0 end) as $sll |
		"\($p.len + $sll) \($p.bytes + $sll) \($p.time_ns / 1000000000 | tostring) \($p.src // "") \($p.dst // "") \($p.sport // "-") \($p.dport // "-") dropmon: \(.symbol) (\(.module)) at \(.location) reason=\(.reason) dev=\(.dev) netns=\(.netns) proto=\(.proto) count=\(.count)"'
}

test_pcap() {
	local f=$T/drops.pcapng one=$T/one.pcapng args saw want n pv
	args=(-f "$FX/sampled.stats" --samples-file "$FX/sampled.samples")
	saw=$("$BIN" --pcap "$f" --pcap-clock boot "${args[@]}" 2>&1)
	check "pcap: dropmon-show --pcap" "dropmon-show: wrote 7 packets to $f; skipped 1 sample without bytes (header=none); 1 row had no sample" "$saw"
	saw=$(tshark -r "$f" -T fields -e frame.number 2>&1 >/dev/null | grep -v 'Running as user' | oneline)
	check "pcap: tshark reads the file without a complaint" "" "$saw"
	check "pcap: tshark reads every packet" 7 "$(tshark -r "$f" -T fields -e frame.number 2>/dev/null | wc -l)"
	check "pcap: link types Ethernet, raw IP, Linux cooked" "eth raw sll" \
		"$(tshark -r "$f" -T fields -e frame.protocols 2>/dev/null | cut -d: -f1 | sort -u | oneline)"
	# jq prints times as numbers: 4124.401234567 and tshark the same
	json_packets "${args[@]}" >"$T/want"
	tshark_packets "$f" >"$T/saw"
	n=$(wc -l <"$T/want")
	want=$(cat "$T/want")
	check "pcap: tshark's lengths, times, addresses, ports and comments equal dropmon-show --json's ($n packets)" \
		"$want" "$(cat "$T/saw")"
	check "pcap: a comment carries the stack" 1 \
		"$(tshark -r "$f" -T fields -e frame.comment 2>/dev/null | grep -c 'stack: __udp4_lib_rcv+0x5a2/0xb60 (vmlinux) < ip_protocol_deliver_rcu')"
	check "pcap: the section and its 3 interfaces say the timestamps are CLOCK_BOOTTIME" 4 \
		"$(capinfos "$f" 2>/dev/null | grep -c 'timestamps are CLOCK_BOOTTIME (time since boot)')"
	# By default wall-clock time: time_ns plus this host's boot time,
	# which /proc/stat's btime gives to the second.
	"$BIN" --pcap "$f" "${args[@]}" 2>/dev/null
	saw=$(paste -d' ' <(tshark -r "$f" -T fields -e frame.time_epoch 2>/dev/null) \
			  <(awk -F'\t' '/^sample/ && $0 !~ /header=none/ { sub(/.*time_ns=/, ""); sub(/ .*/, ""); print }' "$FX/sampled.samples") |
		awk -v bt="$(awk '/^btime/ { print $2 }' /proc/stat)" \
			'{ d = $1 - $2 / 1e9 - bt; if (d < -2 || d > 2) bad++ } END { print NR, bad + 0 }')
	check "pcap: default timestamps are wall-clock, time_ns after this host's boot (packets, off by more than 2 s)" "7 0" "$saw"
	check "pcap: the section and its 3 interfaces say the timestamps are wall-clock time" 4 \
		"$(capinfos "$f" 2>/dev/null | grep -c 'timestamps are wall-clock time')"

	"$BIN" --pcap "$one" --dev lo --dev veth0 "${args[@]}" 2>/dev/null
	check "pcap: tcpdump reads a file of one link type" \
		"IP 127.0.0.1.40000 > 127.0.0.1.9: UDP,|IP 10.0.0.2.51234 > 10.0.0.1.8080: Flags" \
		"$(tcpdump -nr "$one" 2>/dev/null | cut -d' ' -f2-6 | paste -sd'|')"
	# README: "tcpdump (libpcap 1.10) stops at a second link type".  That
	# is libpcap 1.10's behaviour, asserted where 1.10 is installed; any
	# other libpcap may read such files, and is not held to it.
	pv=$(tcpdump --version 2>&1 | sed -n 's/^libpcap version \([0-9][0-9.]*\).*/\1/p' | head -n 1)
	case $pv in
	1.10 | 1.10.*)
		saw=$(tcpdump -nr "$f" 2>&1 >/dev/null | grep -o 'an interface has a type 113 different from the type of the first interface')
		check "pcap: tcpdump (libpcap $pv) stops at the second link type, as documented" \
			"an interface has a type 113 different from the type of the first interface" "$saw" ;;
	'')
		fail "pcap: tcpdump's libpcap version" "a 'libpcap version X' line from tcpdump --version" \
			"$(tcpdump --version 2>&1 | oneline)" ;;
	*)
		pass "pcap: tcpdump and a second link type: not asserted, libpcap $pv is not the 1.10 whose behaviour README documents" ;;
	esac
}


# === issue 13: the exporter must never lie to a fleet =======================
# SHOW_TESTS=exporter: stale dropmon_up, colliding labels, missed
# snapshots, "other" across restarts, the systemd unit, signals, literal
# '?' and '-', --netns net:[N], -w --count on a terminal, stale temp files.

EX_PIDS=()
ex_stop_all() {
	local p
	for p in "${EX_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	EX_PIDS=()
}

# ex_snap FILE SEQ INTERVAL_MS COUNT...: one row per COUNT, in s1..sN on
# lo, replaced atomically.  FORMAT (default 1) is the header's format=.
ex_snap() {
	local f=$1 seq=$2 iv=$3 c sum=0 n=0 i=0
	shift 3
	for c in "$@"; do sum=$((sum + c)); n=$((n + 1)); done
	{
		printf '# dropmon format=%s seq=%s interval_ms=%s start_ns=1000000000 end_ns=%s000000000 keys=%s drops=%s lost=0\n' \
			"${FORMAT:-1}" "$seq" "$iv" "$((seq + 1))" "$n" "$sum"
		printf '# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n'
		for c in "$@"; do
			i=$((i + 1))
			printf '%s\t0xffffffff8100%04x\ts%s+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t1\tipv4\n' "$c" "$i" "$i"
		done
	} >"$f.tmp" && mv "$f.tmp" "$f"
}

# ex_wait FILE ERE [TENTHS]: until a line of FILE matches (default 5 s).
ex_wait() {
	local i
	for i in $(seq "${3:-50}"); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ex_down NAME FILE: FILE says dropmon_up 0 and has no counters.
ex_down() {
	ex_wait "$2" '^dropmon_up 0$'
	check "$1: dropmon_up 0" "dropmon_up 0" "$(grep '^dropmon_up' "$2" 2>/dev/null)"
	check "$1: no dropmon_drops_total left" 0 "$(grep -c '^dropmon_drops_total' "$2" 2>/dev/null)"
}

test_ex_stale_up() {
	local d=$T/ex-up f=$T/ex-up.stats pid rc sig
	mkdir -p "$d"
	ex_snap "$f" 1 1000 10 20
	"$BIN" --prometheus --watch -f "$f" --output "$d/dropmon.prom" 2>"$T/ex-up.err" &
	pid=$!
	EX_PIDS+=("$pid")
	ex_wait "$d/dropmon.prom" '^dropmon_up 1$' || { fail "stale up: first snapshot" "dropmon_up 1" "$(oneline <"$d/dropmon.prom" 2>&1)"; return; }

	printf 'garbage\n' >"$f.tmp" && mv "$f.tmp" "$f"
	ex_down "stale up: malformed input" "$d/dropmon.prom"
	ex_snap "$f" 2 1000 10 20
	ex_wait "$d/dropmon.prom" '^dropmon_up 1$'
	check "stale up: back up with a good snapshot" "dropmon_up 1" "$(grep '^dropmon_up' "$d/dropmon.prom")"

	FORMAT=3 ex_snap "$f" 3 1000 10 20
	ex_down "stale up: format=3 (unknown)" "$d/dropmon.prom"
	check "stale up: format=3 says to upgrade" 1 \
		"$(grep -c 'unknown format version 3; this dropmon-show understands format=.*; upgrade dropmon-show' "$T/ex-up.err")"
	ex_snap "$f" 4 1000 10 20
	ex_wait "$d/dropmon.prom" '^dropmon_up 1$'

	ln -sfn "$T" "$f.link" && mv -T "$f.link" "$f"	# a directory: unreadable
	ex_down "stale up: unreadable input (a directory)" "$d/dropmon.prom"
	rm -f "$f"
	ex_snap "$f" 5 1000 10 20
	ex_wait "$d/dropmon.prom" '^dropmon_up 1$'

	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	check "stale up: SIGTERM exits 0" 0 "$rc"
	ex_down "stale up: after SIGTERM" "$d/dropmon.prom"
	for sig in INT HUP QUIT; do
		ex_snap "$f" 6 1000 10 20
		# no core file from SIGQUIT
		(ulimit -c 0; exec "$BIN" --prometheus --watch -f "$f" --output "$d/dropmon.prom" 2>>"$T/ex-up.err") &
		pid=$!
		EX_PIDS+=("$pid")
		ex_wait "$d/dropmon.prom" '^dropmon_up 1$'
		kill -"$sig" "$pid"
		wait "$pid"
		rc=$?
		if [ "$sig" = QUIT ]; then
			check "stale up: SIGQUIT ends it by the signal (131)" 131 "$rc"
		else
			check "stale up: SIG$sig exits 0" 0 "$rc"
		fi
		ex_down "stale up: after SIG$sig" "$d/dropmon.prom"
	done
}

test_ex_collide() {
	local dir=$T/ex-textfile port saw
	mkdir -p "$dir"
	"$BIN" --prometheus -f "$FX/collide.stats" --output "$dir/dropmon.prom"
	saw=$(grep '^dropmon_drops_total' "$dir/dropmon.prom" | sed 's/.*dev="\([^"]*\)".* /\1 /' | oneline)
	check "collide: '\\xff' and byte 0xff are one series (7+5), '\\x41' and 'A' two" \
		'\\xff 12 \\x41 3 A 2' "$saw"
	saw=$(grep '^dropmon_drops_total' "$dir/dropmon.prom" | sed 's/ [0-9]*$//' | sort | uniq -d | oneline)
	check "collide: no two series with the same labels" "" "$saw"
	port=$(free_port)
	if [ -z "$port" ] || ! start_node_exporter "$port" "$dir"; then
		fail "collide: node_exporter on 127.0.0.1:${port:-?}" "it answering /metrics" \
			"$(tail -n 2 "$T/node-exporter.log" | oneline)"
		stop_node_exporter
		return
	fi
	scrape "$port" >"$T/ex-scrape"
	scrape "$port" >/dev/null
	check "collide: node_exporter serves 3 dropmon_drops_total series" 3 "$(grep -c '^dropmon_drops_total' "$T/ex-scrape")"
	check "collide: node_exporter, no scrape error" "node_textfile_scrape_error 0" \
		"$(grep '^node_textfile_scrape_error' "$T/ex-scrape")"
	stop_node_exporter
	check "collide: node_exporter's log has no 'was collected before'" 0 \
		"$(grep -c 'was collected before' "$T/node-exporter.log")"
}

test_ex_missed() {
	local f=$T/ex-miss.stats d=$T/ex-miss pid i n sum
	mkdir -p "$d"
	ex_snap "$f" 1 100 10
	"$BIN" --json --watch -f "$f" >"$T/ex-miss.json" 2>"$T/ex-miss.err" &
	pid=$!
	EX_PIDS+=("$pid")
	ex_wait "$T/ex-miss.json" '"seq":1,'
	ex_snap "$f" 5 100 10
	ex_wait "$T/ex-miss.json" '"seq":5,'
	check "missed: the JSON line of seq 5 says missed 3" 1 "$(grep '"seq":5,' "$T/ex-miss.json" | grep -c '"missed":3[,}]')"
	check "missed: the JSON line of seq 1 says missed 0" 1 "$(grep '"seq":1,' "$T/ex-miss.json" | grep -c '"missed":0[,}]')"
	ex_wait "$T/ex-miss.err" 'missed 3 snapshots'
	check "missed: a notice on stderr" 1 "$(grep -c 'missed 3 snapshots (seq 2 to 4)' "$T/ex-miss.err")"
	# interval_ms=100, a snapshot every 100 ms: polled fast enough, at
	# most a few are missed (polling every 200 ms misses about half)
	for i in $(seq 6 35); do
		ex_snap "$f" "$i" 100 10
		sleep 0.1
	done
	ex_wait "$T/ex-miss.json" '"seq":35,'
	kill "$pid"
	wait "$pid" 2>/dev/null
	n=$(grep -c '"seq":\([6-9]\|[12][0-9]\|3[0-5]\),' "$T/ex-miss.json")
	sum=$(grep -o '"missed":[0-9]*' "$T/ex-miss.json" | awk -F: '{ s += $2 } END { print s + 0 }')
	check "missed: shown + missed = every seq from 1 to 35" 35 "$(( $(wc -l <"$T/ex-miss.json") + sum ))"
	if [ "$n" -ge 25 ]; then
		pass "missed: interval_ms=100: $n of 30 snapshots shown"
	else
		fail "missed: interval_ms=100, 30 snapshots 100 ms apart" "at least 25 shown" "$n"
	fi

	ex_snap "$f" 1 100 10
	"$BIN" --prometheus --watch -f "$f" --output "$d/dropmon.prom" 2>/dev/null &
	pid=$!
	EX_PIDS+=("$pid")
	ex_wait "$d/dropmon.prom" '^dropmon_snapshot_seq 1$'
	check "missed: prometheus counter at 0" "dropmon_snapshots_missed_total 0" "$(grep '^dropmon_snapshots_missed_total' "$d/dropmon.prom")"
	ex_snap "$f" 8 100 10
	ex_wait "$d/dropmon.prom" '^dropmon_snapshot_seq 8$'
	check "missed: prometheus counter after seq 1 -> 8" "dropmon_snapshots_missed_total 6" "$(grep '^dropmon_snapshots_missed_total' "$d/dropmon.prom")"
	saw=$(promtool check metrics <"$d/dropmon.prom" 2>&1) && saw=${saw:-ok} || saw="exit $?: $saw"
	check "missed: promtool check metrics" ok "$saw"
	kill "$pid"
	wait "$pid" 2>/dev/null
}

# compare_counters OLD NEW: every dropmon_drops_total of OLD in NEW, not lower.
compare_counters() {
	awk '
	function key(line) { sub(/ [^ ]*$/, "", line); return line }
	!/^dropmon_drops_total/ { next }
	FNR == NR { old[key($0)] = $NF; next }
	{ new[key($0)] = $NF }
	END {
		for (k in old) {
			if (!(k in new)) { printf "%s gone; ", k; bad++ }
			else if (new[k] < old[k]) { printf "%s went %s -> %s; ", k, old[k], new[k]; bad++ }
			n++
		}
		if (!bad) printf "%d series, none went down", n
	}' "$1" "$2"
}

test_ex_other() {
	local f=$T/ex-other.stats d=$T/ex-other pid how
	mkdir -p "$d"
	for how in count SIGTERM; do
		rm -f "$d/dropmon.prom"
		ex_snap "$f" 1 1000 100 50 40 1
		"$BIN" --prometheus --watch --count 2 --max-series 3 -f "$f" --output "$d/dropmon.prom" 2>/dev/null &
		pid=$!
		EX_PIDS+=("$pid")
		ex_wait "$d/dropmon.prom" '^dropmon_snapshot_seq 1$'
		# s3 overtakes s2, which stays written (sticky): other = s3 + s4
		ex_snap "$f" 2 1000 100 50 60 1
		ex_wait "$d/dropmon.prom" '^dropmon_snapshot_seq 2$'
		cp "$d/dropmon.prom" "$T/ex-other.1"
		if [ "$how" = SIGTERM ]; then
			kill -TERM "$pid"
		fi
		wait "$pid"
		check "other ($how): first run's series" \
			'dropmon_drops_total{location="other",module="other",reason="other",dev="other",netns="other",proto="other"} 61' \
			"$(grep 'location="other"' "$T/ex-other.1")"
		# a restart meets s3 > s2 first
		"$BIN" --prometheus --watch --count 1 --max-series 3 -f "$f" --output "$d/dropmon.prom" 2>/dev/null &
		pid=$!
		EX_PIDS+=("$pid")
		wait "$pid"
		check "other ($how): after a restart, no counter went down" "3 series, none went down" \
			"$(compare_counters "$T/ex-other.1" "$d/dropmon.prom")"
	done
}

test_ex_unit() {
	local u=$T/dropmon-show.service saw score
	if ! command -v systemd-analyze >/dev/null; then
		dm_apt_install systemd
	fi
	sed "s|^ExecStart=/usr/sbin/dropmon-show|ExecStart=$BIN|" "$DROPMON_TOP/tools/dropmon-show.service" >"$u"
	saw=$(systemd-analyze verify --man=no "$u" 2>&1) && saw=${saw:-ok} || saw="exit $?: $saw"
	check "unit: systemd-analyze verify" ok "$(echo "$saw" | oneline)"
	score=$(systemd-analyze security --offline=yes "$u" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.2) }'; then
		pass "unit: systemd-analyze security exposure $score <= 1.2"
	else
		fail "unit: systemd-analyze security exposure" "<= 1.2" "${score:-none}"
	fi
	for saw in 'Restart=always' 'RestrictAddressFamilies=none' 'ProtectProc=invisible' 'ProcSubset=pid'; do
		check "unit: $saw" 1 "$(grep -cx "$saw" "$u")"
	done
}

test_ex_literal() {
	check "literal: --dev '?' matches only '?'" "?" "$("$BIN" -f "$FX/literal.stats" --json --dev '?' | jq -r '.rows[].dev' | oneline)"
	check "literal: --dev - matches only '-'" "-" "$("$BIN" -f "$FX/literal.stats" --json --dev - | jq -r '.rows[].dev' | oneline)"
	check "literal: --dev 'a*' is still a glob" "a ab" "$("$BIN" -f "$FX/literal.stats" --json --dev 'a*' | jq -r '.rows[].dev' | oneline)"
	check "literal: --module '?' matches only '?'" 1 "$("$BIN" -f "$FX/good.stats" --json --module '?' | jq -r '.rows[].module' | sort -u | oneline | grep -cx '?')"
	check "netns: --netns 'net:[4026531840]' as readlink prints it" \
		"$("$BIN" -f "$FX/good.stats" --netns 4026531840 2>&1; echo "rc=$?")" \
		"$("$BIN" -f "$FX/good.stats" --netns 'net:[4026531840]' 2>&1; echo "rc=$?")"
	check "netns: --netns 'net:[x]' is refused" 1 "$("$BIN" -f "$FX/good.stats" --netns 'net:[x]' >/dev/null 2>&1; echo $?)"
}

test_ex_tempfiles() {
	local d=$T/ex-tmp keep saw
	mkdir -p "$d"
	touch -d '1 hour ago' "$d/.dropmon.prom.Ab12Cd" "$d/.dropmon.prom.keep" "$d/.other.prom.Ab12Cd" "$d/dropmon.prom.Ab12Cd"
	mkdir "$d/.dropmon.prom.Dir123"
	ln -s /etc/hostname "$d/.dropmon.prom.Sym123"
	# a live writer's temporary file (old, but locked as dm_write_atomic does)
	touch -d '1 hour ago' "$d/.dropmon.prom.Lck123"
	flock "$d/.dropmon.prom.Lck123" sleep 3 &
	keep=$!
	sleep 0.3
	"$BIN" --prometheus -f "$FX/good.stats" --output "$d/dropmon.prom"
	saw=$(cd "$d" && ls -A | LC_ALL=C sort | oneline)
	check "tempfiles: only the stale temporary file of our own output is removed" \
		".dropmon.prom.Dir123 .dropmon.prom.Lck123 .dropmon.prom.Sym123 .dropmon.prom.keep .other.prom.Ab12Cd dropmon.prom dropmon.prom.Ab12Cd" "$saw"
	wait "$keep"
	touch -d '1 hour ago' "$d/.dropmon.prom.Xy98Zw"
	ex_snap "$T/ex-tmp.stats" 1 1000 5
	"$BIN" --prometheus --watch --count 1 -f "$T/ex-tmp.stats" --output "$d/dropmon.prom" 2>/dev/null
	check "tempfiles: --watch removes one at start too" 0 "$(ls -A "$d" | grep -c Xy98Zw)"
}

test_ex_terminal() {
	local f=$T/ex-term.stats flags t pid
	tm -f /dev/null new-session -d -s main -x 132 -y 40 \
		"env -i PATH=$PATH TERM=screen HOME=$T TZ=UTC PS1='$ ' bash --norc --noprofile" ||
		{ fail "terminal: start tmux" "a tmux session" "none"; return; }
	flags=$(pane_tty_flags "terminal: tty flags before")
	write_snap "$f" 5 100 7
	t=$(tag)
	in_pane "$t" "ulimit -c 0; $BIN -w -f $f"
	wait_screen "terminal: watch for SIGQUIT running" '^dropmon stats  seq 5  ' || { tm kill-server; return; }
	pid=$(pgrep -P "$(tm display-message -p -t main '#{pane_pid}')" -x dropmon-show)
	kill -QUIT "$pid"
	wait_exit "terminal: SIGQUIT ends it by the signal (131)" "$t" 131
	# tmux knows whether the pane is still on the alternate screen with
	# the cursor hidden (bash restores the tty modes of a job killed by a
	# signal itself, so icanon and echo say little here)
	check "terminal: SIGQUIT leaves the alternate screen, cursor shown" "0 1" \
		"$(tm display-message -p -t main '#{alternate_on} #{cursor_flag}')"
	check "terminal: SIGQUIT restores icanon and echo" "$flags" "$(pane_tty_flags "after SIGQUIT")"

	# a gap in seq, said on the screen's notice line
	write_snap "$f" 5 100 7
	t=$(tag)
	in_pane "$t" "$BIN -w -f $f"
	wait_screen "terminal: watch for a gap running" '^dropmon stats  seq 5  ' || { tm kill-server; return; }
	write_snap "$f" 9 100 7
	wait_screen "terminal: the screen says 3 snapshots were missed" '^missed 3 snapshots \(seq 6 to 8\) at [0-9:]+: each was replaced before it could be read'
	tm send-keys -t main q
	wait_exit "terminal: q after the gap" "$t" 0

	write_snap "$f" 5 100 7
	t=$(tag)
	in_pane "$t" "$BIN -w --count 2 -f $f"
	wait_screen "terminal: -w --count 2 running" '^dropmon stats  seq 5  ' || { tm kill-server; return; }
	write_snap "$f" 6 300 9
	wait_exit "terminal: -w --count 2 ends with 0" "$t" 0
	check "terminal: -w --count 2 leaves the last snapshot on screen" 1 "$(screen | grep -c '^dropmon stats  seq 6  ')"
	check "terminal: ... with its rows" "300 udp_rcv+0x10/0x20 9 tcp_v4_rcv+0x20/0x40" "$(screen_rows | oneline)"
	tm kill-server 2>/dev/null
}

test_exporter() {
	install_prometheus
	[ -z "${EX_TESTS:-}" ] || { for t in $EX_TESTS; do "test_ex_$t"; done; ex_stop_all; return; }
	test_ex_stale_up
	test_ex_collide
	test_ex_missed
	test_ex_other
	test_ex_unit
	test_ex_literal
	test_ex_tempfiles
	test_ex_terminal
	ex_stop_all
}
# === end of issue 13's exporter block =======================================

# SHOW_TESTS="watch pcap" runs only those (default: all).
for t in ${SHOW_TESTS:-fuzz watch prometheus pcap exporter}; do
	if declare -F "test_$t" >/dev/null; then
		"test_$t"
	else
		fail "SHOW_TESTS: $t" "one of fuzz watch prometheus pcap exporter" "'$t'"
	fi
done
exit "$failed"
