#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks on the module, one PASS/FAIL line each: a W=1 build and a
# sparse (C=2) build against every kernel of the matrix must exit 0 and
# print no warning at all, both for the module and for the stub DKMS builds
# on a kernel dropmon cannot support; sparse must have checked every
# module/*.c, and checkpatch --strict must exit 0 and report a clean total
# for every file it was given.
#
#   tests/lint.sh [KERNEL...]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kernels=${*:-$DROPMON_KERNELS_DEFAULT}

# The module's C files, as the tree has them: sparse must check each
# (unsupported.c in the stub's build).
sources=()
for f in "$DROPMON_TOP"/module/*.c; do
	[ -f "$f" ] && [ "${f##*/}" != unsupported.c ] && sources+=("${f##*/}")
done
[ ${#sources[@]} -gt 0 ] || dm_die "no module/*.c in $DROPMON_TOP"

# 7.x headers use __typeof_unqual__ under sparse, and MODULE_INFO() has a
# static_assert on __builtin_strlen(); they check that sparse is new
# enough with scripts/checker-valid.sh, which Debian's headers package
# does not ship.  The newest sparse Debian has (0.6.4) predates both, so
# for sparse alone (CF=, never the compiler) __typeof_unqual__ becomes
# __typeof__ and __builtin_strlen() of a literal becomes its sizeof - 1,
# and the missing script is replaced by one that only checks that
# sparse runs.
dm_sparse_compat() {
	local root=${KCHROOT:+$DROPMON_CHROOT} src
	src=$root$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$root$KBUILD/Makefile" | head -n 1)
	sparse_unqual=
	grep -qs 'defined(__CHECKER__)' "$src/include/linux/compiler_types.h" &&
		grep -qs '__typeof_unqual__' "$src/include/linux/compiler_types.h" &&
		sparse_unqual=1
	if grep -qs 'checker-valid.sh' "$src/Makefile" && [ ! -f "$src/scripts/checker-valid.sh" ]; then
		printf '#!/bin/sh\n# Added by dropmon tests/lint.sh: Debian does not ship it.\ncommand -v "$1" >/dev/null && echo 1 || echo 0\n' \
			>"$src/scripts/checker-valid.sh"
		chmod +x "$src/scripts/checker-valid.sh"
	fi
}

# CHECK= for kbuild: sparse itself, and a line "STATUS FILE" in
# sparse.ran next to this script for every file it checked, so that a
# build that never ran sparse cannot look clean.
sparse_wrapper() {	# DIR
	cat >"$1/sparse-ran.sh" <<'WRAP'
#!/bin/sh
# Written by dropmon tests/lint.sh: sparse, noting each file it checked.
for f; do :; done
sparse "$@"
rc=$?
echo "$rc $f" >>"$(dirname "$0")/sparse.ran"
exit $rc
WRAP
	chmod +x "$1/sparse-ran.sh"
}

# lint_build K WHAT SOURCES ARGS...: one make W=1 C=2 of the tree for
# kernel K: clean, with sparse run on each of SOURCES (module/*.c names).
lint_build() {
	local k=$1 what=$2 B log rc out cf='' f missing='' ran
	local -a srcs
	read -r -a srcs <<<"$3"
	shift 3
	[ -n "$sparse_unqual" ] &&
		cf="-D__typeof_unqual__=__typeof__ '-D__builtin_strlen(s)=(sizeof(s) - 1)'"
	B=$(dm_module_tree "lint-$what-$KREL")
	[ -d "$B/module" ] || { fail "lint $k $what" "a module tree in $B" none; return; }
	sparse_wrapper "$B"
	log=$B/lint.log
	dm_module_make "$B" W=1 C=2 CHECK="${B#"${KCHROOT:+$DROPMON_CHROOT}"}/sparse-ran.sh" \
		CF="$cf" "$@" modules >"$log" 2>&1
	rc=$?
	# Anything but make's own progress lines is a finding, and the
	# stub's one warning, which says what it is.
	out=$(grep -vE '^make(\[[0-9]+\])?: (Entering|Leaving) directory|^  (CC|CHECK|LD|MODPOST|LDS|BTF)( \[M\])? |^Skipping BTF' "$log")
	[ "$what" = stub ] &&
		out=$(grep -vE '(^|/)module/support\.mk:[0-9]+: dropmon: lint; DKMS installs a stub that refuses to load$' <<<"$out")
	if [ "$rc" != 0 ]; then
		fail "lint $k $what" "make W=1 C=2 against $KREL to exit 0" "exit $rc: $(echo "$out" | tail -n 5 | oneline)"
	elif [ -n "$out" ] || [ ! -f "$B/dropmon.ko" ]; then
		fail "lint $k $what" "no warnings against $KREL" "$(echo "$out" | head -n 5 | oneline)${out:+ }$([ -f "$B/dropmon.ko" ] || echo "(no dropmon.ko)")"
	else
		pass "lint $k $what: W=1 and sparse (C=2) clean against $KREL"
	fi
	# Sparse ran, and exited 0, on each of the files: make said CHECK for
	# it, and the wrapper saw sparse finish on it.
	ran=$(cat "$B/sparse.ran" 2>/dev/null)
	for f in "${srcs[@]}"; do
		grep -qE "^  CHECK +(.*/)?module/${f//./\\.}\$" "$log" &&
			grep -qE "^0 (.*/)?module/${f//./\\.}\$" <<<"$ran" ||
			missing="$missing module/$f"
	done
	if [ -z "$missing" ]; then
		pass "lint $k $what: sparse checked all ${#srcs[@]} of its module/*.c files against $KREL"
	else
		fail "lint $k $what: sparse checked every module/*.c" \
			"make's CHECK line and sparse exiting 0 for each of ${#srcs[@]}" \
			"none for$missing (sparse.ran: $(echo "${ran:-empty}" | head -n 3 | oneline))"
	fi
}

# The module, and the stub DKMS builds for a kernel dropmon cannot
# support (module/support.mk), on each kernel.
lint_kernel() {
	dm_kernel_prepare "$1"
	dm_sparse_compat
	lint_build "$1" module "${sources[*]}"
	lint_build "$1" stub unsupported.c DROPMON_DKMS=1 DROPMON_UNSUPPORTED=lint
}

for k in $kernels; do
	lint_kernel "$k"
done

# checkpatch -f on several files prints, for each, a line
# "FILE total: 0 errors, 0 warnings, 0 checks, N lines checked" (the
# file name because of --summary-file).  --terse would print no total
# at all for a clean file, so it is not used: every file must have its
# own clean total, and checkpatch must exit 0.
files=()
for f in "$DROPMON_TOP"/module/*.c "$DROPMON_TOP"/module/*.h "$DROPMON_TOP"/Kbuild; do
	[ -f "$f" ] && files+=("${f#"$DROPMON_TOP"/}")
done
if ! cp=$(dm_checkpatch) || [ ! -f "$cp" ]; then
	fail "checkpatch --strict" "checkpatch.pl from linux-source-6.1" "none (${cp:-dm_checkpatch failed})"
	exit 1
fi
out=$(cd "$DROPMON_TOP" && perl "$cp" --strict --no-tree --summary-file -f "${files[@]}" 2>&1)
rc=$?
check "checkpatch --strict: exit status" 0 "$rc"
for f in "${files[@]}"; do
	total=$(awk -v f="$f" 'index($0, f " total: ") == 1' <<<"$out")
	if [ "$(grep -c . <<<"$total")" = 1 ] &&
		[[ "$total" =~ ^"$f total: 0 errors, 0 warnings, 0 checks, "[1-9][0-9]*" lines checked"$ ]]; then
		pass "checkpatch --strict clean: $f"
	else
		findings=$(awk -v f="$f" '
			/^(ERROR|WARNING|CHECK):/ { msg = $0; next }
			index($0, "FILE: " f ":") { sub(/.*FILE: /, ""); print $0 " " msg }' <<<"$out" | head -n 3)
		fail "checkpatch --strict clean: $f" "'$f total: 0 errors, 0 warnings, 0 checks'" \
			"$(echo "${total:-no total line for $f; checkpatch said: $(head -n 3 <<<"$out")}" | oneline)${findings:+ ($(echo "$findings" | oneline))}"
	fi
done
exit $failed
