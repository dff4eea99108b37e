#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dropmon-show --pcap against a real consumer (tshark), on what a guest
# really sampled.  The main suite (t_samples_export) prints one copy of
# stats and samples of the same seq, base64, between
# "DROPMON-EXPORT-BEGIN stats|samples" and "DROPMON-EXPORT-END" lines of
# its log (build/<krel>/main.log).  This script recreates both files,
# runs `dropmon-show -f DIR/stats --pcap DIR/samples.pcapng`, decodes
# the capture with tshark and compares each packet's addresses, ports,
# TCP flags and lengths with what the samples file says, decoded here
# from its hex on its own (awk).
#
#   tests/samples-pcap.sh LOG [OUTDIR]
#
# DROPMON_SHOW names the dropmon-show to run (default tools/dropmon-show
# of this tree, built with make -C tools).  A dropmon-show without --pcap
# is a FAIL, never a silent pass.  Exit 0 if every check passed, 1 if one
# failed, 2 if it could not run.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

log=${1:?usage: tests/samples-pcap.sh LOG [OUTDIR]}
out=${2:-$(mktemp -d)}
show=${DROPMON_SHOW:-$DROPMON_TOP/tools/dropmon-show}
[ -f "$log" ] || dm_die "no log $log: run tests/vm.sh KERNEL main first"
mkdir -p "$out"

# The block of file $2 between the markers for $1, decoded.
extract() {	# stats|samples
	tr -d '\r' <"$log" | sed -n "/^DROPMON-EXPORT-BEGIN $1 /,/^DROPMON-EXPORT-END $1\$/p" |
		sed '1d;$d' | base64 -d >"$out/$1"
}
for v in stats samples; do
	if extract $v && [ -s "$out/$v" ]; then
		pass "samples-pcap: $v recreated from the log ($(wc -l <"$out/$v") lines)"
	else
		fail "samples-pcap: $v recreated from the log" "a DROPMON-EXPORT-BEGIN $v block in $log" "none or undecodable"
	fi
done
hseq() { head -n 1 "$out/$1" | tr ' ' '\n' | sed -n 's/^seq=//p'; }
check "samples-pcap: stats and samples of one seq" "$(hseq stats)" "$(hseq samples)"

# What each sample should show in tshark, decoded from the hex on its
# own: one line per sample, sorted, with tshark's fields
#   ip.src ip.dst ipv6.src ipv6.dst udp.srcport udp.dstport
#   tcp.srcport tcp.dstport tcp.flags frame.len frame.cap_len
# (empty where the packet has none; IPv6 in RFC 5952 form; tcp.flags as
# a number; an ICMP error's ports are those of the packet it quotes).
# By --pcap's rules (README, "dropmon-show and samples"): a header=none
# sample is skipped; one from the network header is raw IP when its
# proto column is ipv4 or ipv6, else Linux cooked (SLL), whose 16-byte
# header both lengths count.  Only samples from the MAC header of an
# Ethernet frame, or from a raw IPv4/IPv6 network header, carry addresses.
awk -F'\t' '
function b(o,   hi, lo) { hi = index("0123456789abcdef", substr(hex, 2 * o + 1, 1)) - 1
	lo = index("0123456789abcdef", substr(hex, 2 * o + 2, 1)) - 1
	return (2 * o + 2 > length(hex) || hi < 0 || lo < 0) ? -1 : hi * 16 + lo }
function u16(o) { return (b(o) < 0 || b(o + 1) < 0) ? "" : b(o) * 256 + b(o + 1) }
function ip4(o) { return b(o + 3) < 0 ? "" : b(o) "." b(o + 1) "." b(o + 2) "." b(o + 3) }
function ip6(o,   g, i, s, best, bl, run, rs, r) {
	if (b(o + 15) < 0) return ""
	for (i = 0; i < 8; i++) g[i] = sprintf("%x", b(o + 2 * i) * 256 + b(o + 2 * i + 1))
	best = -1; bl = 1; run = 0
	for (i = 0; i < 8; i++) {
		if (g[i] == "0") { if (!run) rs = i; run++; if (run > bl) { bl = run; best = rs } }
		else run = 0
	}
	s = ""
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i == best) { s = s "::"; i += bl - 1; continue }
		s = s ((s == "" || s ~ /:$/) ? "" : ":") g[i]
	}
	return s }
function emit(   l3, l4, base, v4s, v4d, v6s, v6d, us, ud, ts, td, tf, raw) {
	if (!have || h == "none") { have = 0; return }
	base = -1
	raw = (proto == "ipv4" || proto == "ipv6")
	if (h == "network" && !raw) { len += 16; nb += 16 }
	if (h == "mac" && u16(12) == 2048) { l3 = 4; base = 14 }
	else if (h == "mac" && u16(12) == 34525) { l3 = 6; base = 14 }
	else if (h == "network" && raw && int(b(0) / 16) == 4) { l3 = 4; base = 0 }
	else if (h == "network" && raw && int(b(0) / 16) == 6) { l3 = 6; base = 0 }
	if (base >= 0 && l3 == 4) { v4s = ip4(base + 12); v4d = ip4(base + 16)
		l4 = b(base + 9); t = base + (b(base) % 16) * 4 }
	if (base >= 0 && l3 == 6) { v6s = ip6(base + 8); v6d = ip6(base + 24)
		l4 = b(base + 6); t = base + 40 }
	# An ICMP error quotes the packet it answers: tshark decodes that
	# packet'\''s UDP or TCP header as the packet'\''s own ports.
	if (base >= 0 && ((l4 == 1 && (b(t) == 3 || b(t) == 11 || b(t) == 12)) ||
			  (l4 == 58 && b(t) >= 1 && b(t) <= 4))) {
		if (l4 == 1) { l4 = b(t + 8 + 9); t = t + 8 + (b(t + 8) % 16) * 4 }
		else { l4 = b(t + 8 + 6); t = t + 8 + 40 }
	}
	if (base >= 0 && l4 == 17) { us = u16(t); ud = u16(t + 2) }
	if (base >= 0 && l4 == 6) { ts = u16(t); td = u16(t + 2); tf = b(t + 13) < 0 ? "" : (b(t + 12) % 16) * 256 + b(t + 13) }
	print v4s "\t" v4d "\t" v6s "\t" v6d "\t" us "\t" ud "\t" ts "\t" td "\t" tf "\t" len "\t" nb
	have = 0 }
/^sample\t/ { emit(); have = 1; hex = ""; proto = $6; n = split($7, m, " ")
	for (i = 1; i <= n; i++) { split(m[i], kv, "=")
		if (kv[1] == "len") len = kv[2]; else if (kv[1] == "header") h = kv[2]; else if (kv[1] == "bytes") nb = kv[2] }
	next }
/^packet(\t|$)/ { hex = $2 }
END { emit() }' "$out/samples" | sort >"$out/expected"
check "samples-pcap: the samples file holds samples" yes "$([ -s "$out/expected" ] && echo yes || echo no)"

if ! { "$show" --help 2>&1 || true; } | grep -q -- --pcap; then
	fail "samples-pcap: dropmon-show --pcap" "a dropmon-show with --pcap" \
		"none in $show ($([ -x "$show" ] && echo "its --help has no --pcap" || echo "not built"); point DROPMON_SHOW at one that has it)"
	exit 1
fi
rm -f "$out/samples.pcapng"
if "$show" -f "$out/stats" --pcap "$out/samples.pcapng" 2>"$out/show.err"; then
	pass "samples-pcap: dropmon-show -f stats --pcap exit 0"
else
	fail "samples-pcap: dropmon-show -f stats --pcap" "exit 0" "exit $?: $(head -c 300 "$out/show.err")"
	exit 1
fi
command -v tshark >/dev/null || dm_apt_install tshark
tshark -r "$out/samples.pcapng" -T fields -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
	-e udp.srcport -e udp.dstport -e tcp.srcport -e tcp.dstport -e tcp.flags \
	-e frame.len -e frame.cap_len >"$out/tshark.raw" 2>"$out/tshark.err"
# (tshark's warning about running as root is no error.)
check "samples-pcap: tshark reads the capture (exit 0, no error)" "0 " \
	"$? $(grep -v -e '^$' -e '^Running as user "root"' "$out/tshark.err" | head -n 3 | oneline)"
# tcp.flags as a number, whatever base tshark prints it in; an ICMP
# error quotes the packet it answers, whose addresses tshark lists too:
# the first of each field is the packet's own.
awk -F'\t' -v OFS='\t' '{
	for (i = 1; i <= NF; i++) sub(/,.*/, "", $i)
	if ($9 ~ /^0x/) { h = tolower(substr($9, 3)); v = 0
		for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
		$9 = v }
	print }' "$out/tshark.raw" | sort >"$out/tshark"
check "samples-pcap: one packet per sample ($(wc -l <"$out/expected") samples)" \
	"$(wc -l <"$out/expected")" "$(wc -l <"$out/tshark")"
if cmp -s "$out/expected" "$out/tshark"; then
	pass "samples-pcap: tshark's addresses, ports, TCP flags and lengths equal the samples' own"
else
	fail "samples-pcap: tshark's fields equal the samples' own" "$(oneline <"$out/expected")" \
		"$(oneline <"$out/tshark") (diff: $(diff "$out/expected" "$out/tshark" | head -n 6 | oneline))"
fi
# The three packets t_samples_export sent in the exported interval, from
# what it says it sent (its DROPMON-EXPORT-SENT line), not from the
# samples: a UDP datagram of spl payload bytes from 127.0.0.1:udp4 and
# one from [::1]:udp6, a SYN from 127.0.0.1:tcp4 (connect() with the
# kernel's default sysctls: a 40-byte TCP header), each to port sdp on
# lo, from the MAC header, at most sample_bytes of each captured.
sent=$(tr -d '\r' <"$log" | sed -n 's/^DROPMON-EXPORT-SENT //p' | tail -n 1)
sv() { printf '%s\n' "$sent" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
if [ -z "$sent" ] || [ -z "$(sv sdp)" ] || [ -z "$(sv spl)" ] || [ -z "$(sv sample_bytes)" ]; then
	fail "samples-pcap: what the guest sent" "a DROPMON-EXPORT-SENT line with sdp, spl and sample_bytes in $log" "'$sent'"
else
	cl() { if [ "$1" -lt "$(sv sample_bytes)" ]; then echo "$1"; else sv sample_bytes; fi; }
	u4=$((14 + 20 + 8 + $(sv spl))) u6=$((14 + 40 + 8 + $(sv spl))) t4=$((14 + 20 + 40))
	T=$'\t'
	while IFS='|' read -r what line; do
		if grep -qxF -- "$line" "$out/tshark"; then
			pass "samples-pcap: tshark shows the $what sent"
		else
			fail "samples-pcap: tshark shows the $what sent" "a packet '${line//$T/ }'" \
				"$(tr '\t' ' ' <"$out/tshark" | oneline)"
		fi
	done <<EOF
udp4 datagram 127.0.0.1:$(sv udp4) -> :$(sv sdp), $u4 bytes|127.0.0.1${T}127.0.0.1${T}${T}${T}$(sv udp4)${T}$(sv sdp)${T}${T}${T}${T}$u4${T}$(cl $u4)
udp6 datagram [::1]:$(sv udp6) -> :$(sv sdp), $u6 bytes|${T}${T}::1${T}::1${T}$(sv udp6)${T}$(sv sdp)${T}${T}${T}${T}$u6${T}$(cl $u6)
SYN 127.0.0.1:$(sv tcp4) -> :$(sv sdp), $t4 bytes, flags S (2)|127.0.0.1${T}127.0.0.1${T}${T}${T}${T}${T}$(sv tcp4)${T}$(sv sdp)${T}2${T}$t4${T}$(cl $t4)
EOF
fi
dm_log "files in $out"
exit $failed
