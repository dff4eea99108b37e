#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks on the module, one PASS/FAIL line each: a W=1 build and a
# sparse (C=2) build against every kernel of the matrix must print no
# warning at all, and checkpatch --strict must be clean.
#
#   tests/lint.sh [KERNEL...]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

kernels=${*:-$DROPMON_KERNELS_DEFAULT}

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

lint_kernel() {
	local k=$1 B out cf=
	dm_kernel_prepare "$k"
	dm_sparse_compat
	[ -n "$sparse_unqual" ] &&
		cf="-D__typeof_unqual__=__typeof__ '-D__builtin_strlen(s)=(sizeof(s) - 1)'"
	B=$(dm_module_tree "lint-$KREL")
	# Anything but make's own progress lines is a finding.
	out=$(dm_module_make "$B" W=1 C=2 CF="$cf" modules 2>&1 |
		grep -vE '^make(\[[0-9]+\])?: (Entering|Leaving) directory|^  (CC|CHECK|LD|MODPOST|LDS|BTF)( \[M\])? |^Skipping BTF')
	if [ -z "$out" ] && [ -f "$B/dropmon.ko" ]; then
		pass "lint $k: W=1 and sparse (C=2) clean against $KREL"
	else
		fail "lint $k" "no warnings against $KREL" "$(echo "$out" | head -n 5 | oneline)"
	fi
}

for k in $kernels; do
	lint_kernel "$k"
done

cp=$(dm_checkpatch)
out=$(cd "$DROPMON_TOP" && perl "$cp" --strict --no-tree --terse -f module/*.c module/*.h Kbuild 2>&1)
if echo "$out" | grep -qE 'ERROR|WARNING|CHECK'; then
	fail "checkpatch --strict" clean "$(echo "$out" | grep -E 'ERROR|WARNING|CHECK' | head -n 3 | oneline)"
else
	pass "checkpatch --strict clean on module/ and Kbuild"
fi
exit $failed
