/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_modhint.h - unit tests of why the module is not loaded (modhint.c).
 */
#ifndef DROPMON_TEST_MODHINT_H
#define DROPMON_TEST_MODHINT_H

/* dm_module_hint() against made-up /sys, /lib/modules and kmsg in @tmpdir. */
void test_modhint_lib(const char *tmpdir);

#endif /* DROPMON_TEST_MODHINT_H */
