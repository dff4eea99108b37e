#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of dropmon-show beyond its unit tests, as root: each
# check prints "PASS: name" or "FAIL: name: expected X, saw Y"; the exit
# status is 1 if any failed.  About two minutes.
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
#      which is checked too).
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
	local i
	[ -n "$NE_PID" ] || return 0
	kill "$NE_PID" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$NE_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$NE_PID" 2>/dev/null
	wait "$NE_PID" 2>/dev/null
	NE_PID=
}

cleanup() {
	stop_node_exporter
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
		pass "fuzz: $FUZZ_TIME s each of fuzz_stats and fuzz_samples ($(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | paste -sd+) runs), no finding"
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
	}' "$1"
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

# SHOW_TESTS="watch pcap" runs only those (default: all).
for t in ${SHOW_TESTS:-fuzz watch prometheus pcap}; do
	if declare -F "test_$t" >/dev/null; then
		"test_$t"
	else
		fail "SHOW_TESTS: $t" "one of fuzz watch prometheus pcap" "'$t'"
	fi
done
exit "$failed"
