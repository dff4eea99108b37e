/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_exporter.h - unit tests of the Prometheus exporter's behaviour
 * over time (issue 13).
 */
#ifndef DROPMON_TEST_EXPORTER_H
#define DROPMON_TEST_EXPORTER_H

void test_exporter(void);

#endif /* DROPMON_TEST_EXPORTER_H */
