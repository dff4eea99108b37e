#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: install what is needed, build dropmon for a Debian kernel,
# boot it in qemu with dropmon loaded (interval_ms=2000), make a few kinds
# of drops and print `cat stats` and dropmon-show over two intervals.
#
#   tests/demo.sh [KERNEL]     default 6.1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
dm_strict

dm_host_deps
exec "$here/vm.sh" "${1:-6.1}" demo single
