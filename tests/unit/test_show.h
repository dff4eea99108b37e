/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_show.h - unit tests of dropmon-show's views and output formats.
 */
#ifndef DROPMON_TEST_SHOW_H
#define DROPMON_TEST_SHOW_H

/* The formatters, filters and helpers, linked in directly. */
void test_show_lib(const char *fixtures);

/* Every mode and option of the binary @bin against the fixtures. */
void test_show_binary(const char *bin, const char *fixtures,
		      const char *tmpdir);

#endif /* DROPMON_TEST_SHOW_H */
