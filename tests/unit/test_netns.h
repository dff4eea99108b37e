/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_netns.h - unit tests of dropmon-show's netns names.
 */
#ifndef DROPMON_TEST_NETNS_H
#define DROPMON_TEST_NETNS_H

/* The cgroup parser, the resolver over fixture trees, its cost, the
 * names in each format. */
void test_netns_lib(void);

/* The binary with DROPMON_PROC_ROOT and DROPMON_NETNS_DIR fixtures. */
void test_netns_binary(const char *bin, const char *tmpdir);

#endif /* DROPMON_TEST_NETNS_H */
