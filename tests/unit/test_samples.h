/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_samples.h - unit tests of the samples parser, the join to the
 * stats rows and the packet decoder.
 */
#ifndef DROPMON_TEST_SAMPLES_H
#define DROPMON_TEST_SAMPLES_H

void test_samples(const char *fixtures);

#endif /* DROPMON_TEST_SAMPLES_H */
