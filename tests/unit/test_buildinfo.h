/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_buildinfo.h - unit tests of dropmon_build_info (buildinfo.c).
 */
#ifndef DROPMON_TEST_BUILDINFO_H
#define DROPMON_TEST_BUILDINFO_H

/* The status parser, the status path and the exposition, linked in. */
void test_buildinfo_lib(void);

/* dropmon-show --prometheus @bin with and without a status file. */
void test_buildinfo_binary(const char *bin, const char *fixtures,
			   const char *tmpdir);

#endif /* DROPMON_TEST_BUILDINFO_H */
