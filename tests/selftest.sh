#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness tests itself: faults planted in copies of its own pieces
# must make it fail, loudly.  One PASS/FAIL line per planted fault:
#   - guest suites (tests/vm.sh on 6.1, the short "parallel" suite): an
#     `exit 0` after the first check, a shell syntax error, and a kernel
#     WARNING written after the suite's last check (the console) or before
#     it (the suite's own dmesg check) each fail the boot;
#   - the suite's own checkers (the guest's "selftest" suite): an empty
#     snapshot, one without its header or with a drop missing from its sum,
#     a missing kmemleak and commands that fail each make a check FAIL;
#   - the test command's steps (dm_step): a step that exits 0 with fewer
#     PASS lines than its minimum, or none, fails;
#   - a command that fails without a check of its own under dm_strict
#     names itself, its file and line, and exits 2;
#   - apt-get installing a package that does not exist shows apt's own
#     reason and says what failed;
#   - apt sources in one-line and deb822 files are both understood;
#   - in scratch copies of the checkout: a style fault checkpatch reports
#     and a lint build without sparse fail tests/lint.sh; a wall clock 2 s
#     off and a changed parser message fail the unit tests.
#
#   tests/selftest.sh
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

T=$(mktemp -d) || dm_die "mktemp -d failed; is ${TMPDIR:-/tmp} there and writable?"
trap 'rm -rf "$T"' EXIT

# --- planted faults in the guest suite ------------------------------------
# expect_fail NAME WANTED-FAIL-ERE CMD...: CMD must exit WANT_RC (default:
# anything but 0) with a FAIL line matching WANTED-FAIL-ERE.
expect_fail() {
	local name=$1 want=$2 rc saw ok
	shift 2
	"$@" >"$T/plant.out" 2>&1
	rc=$?
	saw=$(grep -E 'FAIL: ' "$T/plant.out" | grep -E -- "$want" | head -n 1)
	if [ -n "${WANT_RC:-}" ]; then ok=$([ "$rc" = "$WANT_RC" ] && echo 1); else ok=$([ "$rc" != 0 ] && echo 1); fi
	if [ -n "$ok" ] && [ -n "$saw" ]; then
		pass "selftest: $name fails: ${saw#*FAIL: }"
	else
		fail "selftest: $name" "exit ${WANT_RC:-non-zero} and a FAIL line matching /$want/" \
			"exit $rc: $(grep -E 'FAIL|error' "$T/plant.out" | head -n 3 | oneline)"
	fi
}

# plant NAME SED-SCRIPT WANTED-FAIL-ERE: boot 6.1 with suite.sh edited by
# SED-SCRIPT; vm.sh must exit 1 (not 2: the harness itself ran) and say
# WANTED-FAIL-ERE in a FAIL line.
plant() {
	sed "$2" "$here/guest/suite.sh" >"$T/$1.sh"
	if cmp -s "$here/guest/suite.sh" "$T/$1.sh"; then
		fail "selftest: plant $1" "the sed script to change suite.sh" "no change"
		return
	fi
	DROPMON_SUITE_FILE=$T/$1.sh WANT_RC=1 expect_fail "$1" "$3" "$here/vm.sh" 6.1 parallel multi
}

plant "an exit 0 after the first check" \
	's/^\tcheck_rc "load" 0 load interval_ms=500$/&\n\texit 0/' \
	"expected the suite's done line|expected at least [0-9]+ PASS lines"
plant "a shell syntax error" \
	's/^suite_parallel() {$/&\n\tif then fi/' \
	"expected the suite to exit 0, saw 'DROPMON-GUEST-END rc=2'"
plant "a WARNING after the last check" \
	's/^suite_done "\$1"$/suite_done "$1"\nrc=$?\necho "<4>WARNING: planted by tests\/selftest.sh" >\/dev\/kmsg\nexit $rc/' \
	"console: expected no oops.*WARNING: planted by tests/selftest.sh"
plant "a WARNING before the suite's last dmesg check" \
	's/^suite_done() {.*$/&\n\techo "<4>WARNING: planted by tests\/selftest.sh" >\/dev\/kmsg/' \
	"end of suite: dmesg clean: expected '', saw '.*WARNING: planted by tests/selftest.sh"
plant "a suite that makes fewer checks than its minimum" \
	's/^\tcheck_eq "parallel: invariant"/\t: /' \
	"expected at least [0-9]+ (checks|PASS lines)"

# The suite's own checks against planted inputs, in the guest.
"$here/vm.sh" 6.1 selftest single || failed=1

# --- planted faults in the static checks and the unit tests ---------------
# A scratch copy of the checkout with one fault planted by a sed script.
scratch() {	# NAME FILE SED-SCRIPT: prints the copy's directory
	local d=$T/tree-$1
	mkdir -p "$d"
	dm_copy_checkout "$d" || dm_die "cannot copy the checkout to $d"
	sed -i "$3" "$d/$2"
	if cmp -s "$DROPMON_TOP/$2" "$d/$2"; then
		echo "the sed script '$3' did not change $2" >&2
		return 1
	fi
	echo "$d"
}

# checkpatch's findings, and a build in which sparse never ran.
if d=$(scratch style module/table.h 's|^#endif /\* DROPMON_TABLE_H \*/$|& |'); then
	expect_fail "a style fault checkpatch reports" "checkpatch --strict clean: module/table.h" \
		"$d/tests/lint.sh" 6.1
else
	fail "selftest: plant a style fault" "a changed module/table.h" "no change"
fi
if d=$(scratch nosparse tests/lint.sh 's/ W=1 C=2 CHECK=/ W=1 CHECK=/'); then
	expect_fail "a lint build without sparse" "sparse checked every module/\*\.c" "$d/tests/lint.sh" 6.1
else
	fail "selftest: plant a lint build without sparse" "a changed tests/lint.sh" "no change"
fi
# The unit tests' expectations come from the test, not from the code.
if d=$(scratch clock tools/show.c 's/^\t       (rt.tv_nsec - bt.tv_nsec);$/\t       (rt.tv_nsec - bt.tv_nsec) + 2000000000LL;/'); then
	expect_fail "a wall clock 2 s off in dropmon-show" "table time" make -s -C "$d/tools" check
else
	fail "selftest: plant a wall clock 2 s off" "a changed tools/show.c" "no change"
fi
if d=$(scratch message tools/stats.c "s/start with '# dropmon ')/start with '# dropmon')/"); then
	expect_fail "a changed parser message" "bad-magic.stats stderr" make -s -C "$d/tools" check
else
	fail "selftest: plant a changed parser message" "a changed tools/stats.c" "no change"
fi

# --- the test command's steps ---------------------------------------------
DM_RUN_LOG=$T/run.log
: >"$DM_RUN_LOG"
step_fails() {	# NAME MIN CMD...: dm_step must add a FAIL line
	local name=$1 out
	out=$(dm_step "$@" 2>/dev/null | grep 'FAIL: ')
	if [ -n "$out" ]; then
		pass "selftest: dm_step fails $name: ${out#FAIL: }"
	else
		fail "selftest: dm_step $name" "a FAIL line" "none"
	fi
}
step_fails "a step that prints nothing and exits 0" 1 true
step_fails "a step that stops after 2 of its 3 checks" 3 printf 'PASS: a\nPASS: b\n'
step_fails "a step that exits 1 without a FAIL line" 0 sh -c 'echo PASS: a; exit 1'
out=$(dm_step "a step that meets its minimum" 2 printf 'PASS: a\nPASS: b\n' 2>/dev/null | grep -c 'FAIL: ')
check "selftest: dm_step passes a step that meets its minimum" 0 "$out"

# --- a command that fails unchecked under dm_strict -------------------------
cat >"$T/strict.sh" <<EOF
#!/bin/bash
. "$here/lib.sh"
dm_strict
pick() { x=\$(false); echo "never reached"; }
pick
EOF
bash "$T/strict.sh" >"$T/strict.out" 2>&1
rc=$?
check "selftest: dm_strict: an unchecked failure exits 2" 2 "$rc"
check "selftest: dm_strict: it names the command, file and line" 1 \
	"$(grep -cF "error: \`false\` exited 1 at $T/strict.sh:4 <- $T/strict.sh:5" "$T/strict.out")"
check "selftest: dm_strict: and says what to do" 1 "$(grep -c 'rerun with `bash -x' "$T/strict.out")"
check "selftest: dm_strict: and runs nothing after it" 0 "$(grep -c 'never reached' "$T/strict.out")"

# --- apt-get's own reason ---------------------------------------------------
bash -c ". '$here/lib.sh'; dm_apt_install dropmon-no-such-package" >"$T/apt.out" 2>&1
rc=$?
check "selftest: apt: a package that does not exist stops with exit 2" 2 "$rc"
check "selftest: apt: apt's own reason is shown" 1 \
	"$(grep -c 'E: Unable to locate package dropmon-no-such-package' "$T/apt.out")"
check "selftest: apt: the message says what failed and what to do" 1 \
	"$(grep -c 'error: apt-get install dropmon-no-such-package failed (exit 100, .*); fix' "$T/apt.out")"

# --- apt sources in either format -----------------------------------------
# A machine installed from Debian's installer has a one-line sources.list.
printf '%s\n' 'deb http://mirror.invalid/debian bookworm main' \
	'# deb http://commented.invalid/debian bookworm main' \
	'deb [signed-by=/usr/share/keyrings/k.gpg arch=amd64] http://security.invalid/debian-security bookworm-security main' \
	>"$T/sources.list"
printf '%s\n' 'Types: deb' 'URIs: http://other.invalid/debian' 'Suites: trixie' 'Components: main' '' \
	'Types: deb-src' 'URIs: http://src.invalid/debian' 'Suites: bookworm' '' \
	'Types: deb' 'URIs: http://disabled.invalid/debian' 'Suites: bookworm' 'Enabled: no' >"$T/other.sources"
check "selftest: apt sources: every deb suite of sources.list and .sources files" \
	"http://mirror.invalid/debian bookworm http://security.invalid/debian-security bookworm-security http://other.invalid/debian trixie" \
	"$(DM_APT_SOURCES="$T/sources.list $T/other.sources" dm_apt_suites | oneline)"
check "selftest: apt sources: the bookworm archive for debootstrap" "http://mirror.invalid/debian" \
	"$(DM_APT_SOURCES="$T/sources.list $T/other.sources" dm_archive_uri)"
exit $failed
