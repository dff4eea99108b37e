#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A fleet of two on a real Prometheus, as root: the path a fleet uses, end
# to end.  Each check prints "PASS: name" or "FAIL: name: expected X, saw
# Y"; the exit status is 1 if any failed, 2 if it could not run.  About
# 20 seconds.
#
#   tests/fleet.sh [KERNEL KERNEL]     default: 6.1 6.12
#
# The two hosts are two guest runs of the main suite (tests/vm.sh KERNEL
# main single, before this): its t_fleet_export prints the totals and the
# .prom that dropmon-show --prometheus wrote from them in the guest,
# base64, on its log (build/<krel>/main.log.clean).  Here:
#   1. promtool check rules and promtool test rules on
#      tools/prometheus/dropmon-rules.yml (tests/prometheus/*.test.yml:
#      input series that make each alert fire and not fire);
#   2. each host's .prom goes into its own textfile directory, served by
#      its own prometheus-node-exporter on 127.0.0.1 (textfile collector
#      only); Debian's prometheus, on 127.0.0.1 with a temporary storage
#      directory, scrapes both every second and evaluates the rules every
#      second;
#   3. through its HTTP API (curl, jq): both targets up,
#      sum by (reason) (dropmon_drops_total) across both hosts equals,
#      reason by reason, the totals summed here on their own (awk over the
#      raw totals files), and so does the sum of everything;
#      dropmon_build_info names both kernels, and the README's join on it
#      evaluates; the rules file is loaded (/api/v1/rules, every rule
#      healthy) and its recording rules evaluate, one series per host and
#      reason, 0 drops/s (the totals do not change);
#   4. one host's file rewritten here with --max-series 3: the exporter
#      folds the smallest series into "other", and the sums still account
#      for every drop (each reason at most its total, the rest in "other");
#   5. a planted fault, to see that the comparison can fail: one host's
#      file removed, the sum by reason no longer equals the totals.
# The packages' own services are neither started (policy-rc.d) nor left
# enabled when this script installed them; nothing is left listening.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || dm_die "tests/fleet.sh installs packages: run it as root"

kernels=${*:-6.1 6.12}
set -- $kernels
[ $# = 2 ] || dm_die "tests/fleet.sh needs two kernels (two hosts), saw '$kernels'"
RULES=$DROPMON_TOP/tools/prometheus/dropmon-rules.yml
RULES_TEST=$DROPMON_TOP/tests/prometheus/dropmon-rules.test.yml
BIN=${DROPMON_SHOW:-$DROPMON_TOP/tools/dropmon-show}
T=$(mktemp -d /tmp/dropmon-fleet.XXXXXX)
PIDS=
POLICY_MADE=

# Stop what this script started, by pid.
stop_all() {
	dm_stop_pids $PIDS
	PIDS=
}
cleanup() {
	stop_all
	[ -n "$POLICY_MADE" ] && rm -f /usr/sbin/policy-rc.d
	[ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Debian's packages enable their services and would start them: not here.
install_deps() {
	local p missing= had_ne= had_prom=
	for p in prometheus prometheus-node-exporter curl jq; do
		installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	installed prometheus-node-exporter && had_ne=1
	installed prometheus && had_prom=1
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		POLICY_MADE=1
	fi
	dm_apt_install $missing
	if [ -n "$POLICY_MADE" ]; then
		rm -f /usr/sbin/policy-rc.d
		POLICY_MADE=
	fi
	if command -v systemctl >/dev/null; then
		[ -n "$had_ne" ] || systemctl disable prometheus-node-exporter.service >/dev/null 2>&1
		[ -n "$had_prom" ] || systemctl disable prometheus.service >/dev/null 2>&1
	fi
	return 0
}
install_deps
[ -n "${DROPMON_SHOW:-}" ] || make -s -C "$DROPMON_TOP/tools" dropmon-show >"$T/build.log" 2>&1 ||
	dm_die "make -C tools dropmon-show failed: $(tail -n 3 "$T/build.log" | oneline)"

# --- 1. the rules, offline -------------------------------------------------------
saw=$(promtool check rules "$RULES" 2>&1) && saw=ok || saw="exit $?: $(echo "$saw" | oneline)"
check "fleet: promtool check rules ${RULES#"$DROPMON_TOP/"}" ok "$saw"
saw=$(promtool test rules "$RULES_TEST" 2>&1) && saw=ok || saw="exit $?: $(echo "$saw" | oneline)"
check "fleet: promtool test rules ${RULES_TEST#"$DROPMON_TOP/"} (each alert fires and does not)" ok "$saw"

# --- 2. two hosts, two node_exporters, one Prometheus ---------------------------

# extract LOG NAME OUT: the block t_fleet_export printed for NAME.
extract() {
	sed -n "/^DROPMON-FLEET-BEGIN $2 /,/^DROPMON-FLEET-END $2\$/p" "$1" | sed '1d;$d' | base64 -d >"$3"
}
blockseq() { sed -n "s/^DROPMON-FLEET-BEGIN $2 seq=//p" "$1" | tail -n 1; }
hseq() { head -n 1 "$1" | tr ' ' '\n' | sed -n 's/^seq=//p'; }

i=0
krels=
for k in $kernels; do
	i=$((i + 1))
	krel=$(dm_kernel_release "$k") || exit 2
	krels="$krels $krel"
	log=$DROPMON_TOP/build/$krel/main.log.clean
	h=$T/host$i
	mkdir -p "$h/textfile"
	if [ ! -f "$log" ]; then
		fail "fleet: host $i ($k)" "the main suite's log $log" "none: run tests/vm.sh $k main single first"
		continue
	fi
	extract "$log" totals "$h/totals"
	extract "$log" dropmon.prom "$h/dropmon.prom"
	if [ -s "$h/totals" ] && [ -s "$h/dropmon.prom" ]; then
		pass "fleet: host $i ($krel): totals ($(($(wc -l <"$h/totals") - 2)) rows) and .prom recreated from the log"
	else
		fail "fleet: host $i ($krel): totals and .prom recreated" "DROPMON-FLEET-BEGIN blocks in $log" "none or undecodable"
	fi
	check "fleet: host $i: the .prom is of the totals' snapshot (seq)" \
		"$(hseq "$h/totals") $(hseq "$h/totals")" \
		"$(blockseq "$log" totals) $(sed -n 's/^dropmon_snapshot_seq //p' "$h/dropmon.prom")"
	cp "$h/dropmon.prom" "$h/textfile/dropmon.prom"
done
krels=${krels# }

free_port() {	# FROM: the first free port from FROM on
	local p
	for p in $(seq "$1" $(($1 + 99))); do
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}
wait_http() {	# URL
	local i
	for i in $(seq 100); do
		curl -s -o /dev/null --max-time 2 "$1" && return 0
		sleep 0.1
	done
	return 1
}

ports=
i=0
for k in $kernels; do
	i=$((i + 1))
	p=$(free_port $((19200 + 10 * i)))
	prometheus-node-exporter --web.listen-address="127.0.0.1:$p" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$T/host$i/textfile" >"$T/node-exporter$i.log" 2>&1 &
	PIDS="$PIDS $!"
	if wait_http "http://127.0.0.1:$p/metrics"; then
		pass "fleet: host $i's node_exporter answers on 127.0.0.1:$p"
	else
		fail "fleet: host $i's node_exporter on 127.0.0.1:$p" "it answering /metrics" \
			"$(tail -n 2 "$T/node-exporter$i.log" | oneline)"
	fi
	ports="$ports $p"
done
set -- $ports
P1=$1 P2=$2
PP=$(free_port 19290)
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$P1', '127.0.0.1:$P2']
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--storage.tsdb.retention.time=1h --web.listen-address="127.0.0.1:$PP" >"$T/prometheus.log" 2>&1 &
PIDS="$PIDS $!"
API=http://127.0.0.1:$PP/api/v1
if wait_http "http://127.0.0.1:$PP/-/ready"; then
	pass "fleet: prometheus answers on 127.0.0.1:$PP"
else
	fail "fleet: prometheus on 127.0.0.1:$PP" "it answering /-/ready" "$(tail -n 3 "$T/prometheus.log" | oneline)"
fi

# query PROMQL: "LABELS VALUE" lines, sorted (LABELS: the values of the
# labels named in $LABELS, joined by ",").
query() {
	curl -s --max-time 5 --data-urlencode "query=$1" "$API/query" |
		jq -r --arg l "${LABELS:-}" '
			if .status != "success" then "error: \(.error // .status)" else
			.data.result[] | .metric as $m |
			[($l | split(",")[] | $m[.] // ""), .value[1]] | join(" ") end' 2>&1 | sort
}
# until SECONDS PROMQL WANT: wait for the query to give WANT; prints what
# it gave last.
until_query() {
	local i saw
	for i in $(seq $(($1 * 5))); do
		saw=$(query "$2")
		[ "$saw" = "$3" ] && break
		sleep 0.2
	done
	echo "$saw"
}

# --- 3. through the HTTP API ---------------------------------------------------------
saw=$(LABELS=instance until_query 20 'up{job="node"}' "127.0.0.1:$P1 1
127.0.0.1:$P2 1")
check "fleet: both targets up" "127.0.0.1:$P1 1 127.0.0.1:$P2 1" "$(echo "$saw" | oneline)"
saw=$(until_query 10 'count(dropmon_up == 1)' 2)
check "fleet: both hosts export dropmon_up 1" 2 "$saw"

# The totals of both hosts, reason by reason, from the raw files: every
# data row of the stats format (count, location, symbol, module, reason,
# ...).  With "other" (folded series), the rest goes there.
by_reason() {	# FILE...
	awk -F'\t' '!/^#/ { s[$5] += $1 } END { for (r in s) printf "%s %.0f\n", r, s[r] }' "$@" | sort
}
by_reason "$T/host1/totals" "$T/host2/totals" >"$T/want"
total=$(awk -F'\t' '!/^#/ { s += $1 } END { printf "%.0f\n", s }' "$T/host1/totals" "$T/host2/totals")
# fold_check WANT SAW: each reason of SAW at most its WANT, the remainder
# in "other"; "ok" or what differs.
fold_check() {
	awk '
	FNR == NR { want[$1] = $2; next }
	{ saw[$1] = $2 }
	END {
		for (r in saw)
			if (r != "other" && !(r in want)) { printf "reason %s not in the totals; ", r; bad++ }
		for (r in want) {
			s = (r in saw) ? saw[r] : 0
			if (s > want[r]) { printf "%s: %s > %s; ", r, s, want[r]; bad++ }
			rest += want[r] - s
		}
		o = ("other" in saw) ? saw["other"] : 0
		if (rest != o) { printf "other is %s, the folded rest %s; ", o, rest; bad++ }
		if (!bad) printf "ok"
	}' "$1" "$2"
}

q_reason='sum by (reason) (dropmon_drops_total)'
saw=$(LABELS=reason until_query 20 "$q_reason" "$(cat "$T/want")")
echo "$saw" >"$T/saw"
check "fleet: $q_reason across both hosts is the totals, reason by reason ($(wc -l <"$T/want") reasons)" \
	"$(oneline <"$T/want")" "$(oneline <"$T/saw")"
check "fleet: no series folded into \"other\" by the guests' dropmon-show" "" \
	"$(grep -h 'reason="other"' "$T/host1/dropmon.prom" "$T/host2/dropmon.prom" | oneline)"
check "fleet: sum(dropmon_drops_total) across both hosts is every drop counted ($total)" \
	"$total" "$(query 'sum(dropmon_drops_total)')"
saw=$(LABELS=kernel query 'count by (kernel) (dropmon_build_info == 1)' | awk '{ print $1 }' | oneline)
check "fleet: dropmon_build_info names both kernels" \
	"$(echo $krels | tr ' ' '\n' | sort | oneline)" "$saw"

# The rules file loaded, every rule healthy, the recording rules
# evaluated: one series per host and reason, 0/s (the totals are static).
saw=$(curl -s --max-time 5 "$API/rules" |
	jq -r '.data.groups[] | .name as $g | .rules[] | "\($g)/\(.name)=\(.health)"' 2>&1 | sort | oneline)
want=$(printf '%s\n' dropmon.alerts/DropmonDropRateHigh=ok dropmon.alerts/DropmonNewDropLocation=ok \
	dropmon.rules/instance_location:dropmon_drops:rate5m=ok \
	dropmon.rules/instance_netns_name:dropmon_drops:rate5m=ok \
	dropmon.rules/instance_reason:dropmon_drops:rate5m=ok \
	dropmon.rules/reason:dropmon_drops:rate5m=ok | sort | oneline)
check "fleet: /api/v1/rules: the rules file is loaded, every rule healthy" "$want" "$saw"
want=$(for f in "$T/host1/totals" "$T/host2/totals"; do
	port=$P1
	[ "$f" = "$T/host2/totals" ] && port=$P2
	by_reason "$f" | awk -v i="127.0.0.1:$port" '{ print i " " $1 " 0" }'
done | sort)
saw=$(LABELS=instance,reason until_query 20 'instance_reason:dropmon_drops:rate5m' "$want")
check "fleet: recording rule instance_reason:dropmon_drops:rate5m evaluates: each host and reason, 0/s" \
	"$(echo "$want" | oneline)" "$(echo "$saw" | oneline)"
# The README's first query: drops/s by reason per kernel release.
q_join='sum by (kernel, reason) (instance_reason:dropmon_drops:rate5m * on (instance, job) group_left (kernel) max by (instance, job, kernel) (dropmon_build_info))'
saw=$(LABELS=kernel query "$q_join" | wc -l)
check "fleet: the README's join on dropmon_build_info: one series per kernel and reason" \
	"$(echo "$want" | wc -l)" "$saw"
check "fleet: no alert fires on two static hosts" "" \
	"$(curl -s --max-time 5 "$API/alerts" | jq -r '.data.alerts[] | .labels.alertname' 2>&1 | oneline)"

# --- 4. "other": host 2 written with --max-series 3 --------------------------------
"$BIN" -f "$T/host2/totals" --prometheus --max-series 3 --output "$T/host2/textfile/dropmon.prom"
check "fleet: host 2 rewritten with --max-series 3: exit 0" 0 $?
n=$(grep -c '^dropmon_drops_total' "$T/host2/textfile/dropmon.prom")
check "fleet: host 2 has 3 drop series, one of them \"other\"" "3 1" \
	"$n $(grep -c '^dropmon_drops_total{.*reason="other"' "$T/host2/textfile/dropmon.prom")"
for i in $(seq 50); do
	[ -n "$(query 'count(dropmon_drops_total{reason="other"})')" ] &&
		[ "$(query "count(dropmon_drops_total{instance=\"127.0.0.1:$P2\"})")" = 3 ] && break
	sleep 0.2
done
LABELS=reason query "$q_reason" >"$T/saw"
check "fleet: with \"other\": each reason at most its totals, the folded rest in \"other\"" ok \
	"$(fold_check "$T/want" "$T/saw")"
check "fleet: with \"other\": sum(dropmon_drops_total) is still every drop counted ($total)" \
	"$total" "$(query 'sum(dropmon_drops_total)')"

# --- 5. planted: host 1's file gone ---------------------------------------------------
rm -f "$T/host1/textfile/dropmon.prom"
for i in $(seq 50); do
	[ -z "$(query "count(dropmon_drops_total{instance=\"127.0.0.1:$P1\"})")" ] && break
	sleep 0.2
done
LABELS=reason query "$q_reason" >"$T/saw"
saw=$(fold_check "$T/want" "$T/saw")
check "fleet: planted fault, host 1's file gone: the comparison fails" yes \
	"$([ "$saw" != ok ] && echo yes || echo "no ($saw)")"

stop_all
saw=$(for p in $P1 $P2 $PP; do ss -Htln "sport = :$p"; done | oneline)
check "fleet: nothing left listening on $P1 $P2 $PP" "" "$saw"
exit $failed
