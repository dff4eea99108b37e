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
status=0

lint_kernel() {
	local k=$1 B out
	dm_kernel_prepare "$k"
	B=$(dm_module_tree "lint-$KREL")
	# Anything but make's own progress lines is a finding.
	out=$(dm_module_make "$B" W=1 C=2 modules 2>&1 |
		grep -vE '^make(\[[0-9]+\])?: (Entering|Leaving) directory|^  (CC|CHECK|LD|MODPOST|LDS|BTF)( \[M\])? |^Skipping BTF')
	if [ -z "$out" ] && [ -f "$B/dropmon.ko" ]; then
		echo "PASS: lint $k: W=1 and sparse (C=2) clean against $KREL"
	else
		echo "FAIL: lint $k: expected no warnings against $KREL, saw: $(echo "$out" | head -n 5 | tr '\n' ' ')"
		status=1
	fi
}

for k in $kernels; do
	lint_kernel "$k"
done

cp=$(dm_checkpatch)
out=$(cd "$DROPMON_TOP" && perl "$cp" --strict --no-tree --terse -f module/*.c module/*.h Kbuild 2>&1)
if echo "$out" | grep -qE 'ERROR|WARNING|CHECK'; then
	echo "FAIL: checkpatch --strict: expected clean, saw: $(echo "$out" | grep -E 'ERROR|WARNING|CHECK' | head -n 3 | tr '\n' ' ')"
	status=1
else
	echo "PASS: checkpatch --strict clean on module/ and Kbuild"
fi
exit $status
