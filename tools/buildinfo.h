/* SPDX-License-Identifier: GPL-2.0 */
/*
 * buildinfo.h - dropmon_build_info, the Prometheus convention for what
 * runs where:
 *
 *   dropmon_build_info{version="0.1.0",kernel="6.1.0-57-cloud-amd64",format="1"} 1
 *
 *   version  the module's version, the version= line of the status file
 *            beside the file read (debugfs' dropmon/status; with -f FILE,
 *            FILE's directory's "status"), else, where that cannot be
 *            read (-f -, a copy without it, no permission), dropmon-show's
 *            own version;
 *   kernel   the release of the kernel dropmon-show runs on (uname -r):
 *            the module's, since it runs on the host it reads;
 *   format   the format number of the file read (its header's format=).
 *
 * Location labels are symbol+offset, so they compare across hosts of one
 * kernel release: join on this series to break a fleet down by it.
 */
#ifndef DROPMON_BUILDINFO_H
#define DROPMON_BUILDINFO_H

#include <stddef.h>
#include <stdio.h>

/* Longest version label taken from a status file. */
#define DM_BUILD_VERSION_MAX	63

/* The status file that goes with @file (NULL: debugfs), or NULL for "-". */
const char *dm_status_path(char *buf, size_t size, const char *file);

/*
 * The version= value of the status text @buf (@len bytes, need not end in
 * NUL) into @out: 0, or -1 when there is none, it is empty, longer than
 * DM_BUILD_VERSION_MAX or holds anything but printable ASCII.
 */
int dm_status_version(const char *buf, size_t len, char *out, size_t size);

/* The HELP, TYPE and sample lines of dropmon_build_info. */
void dm_prom_build_info(FILE *out, const char *version, const char *kernel,
			unsigned long long format);

/* All of it for a snapshot read from @file (NULL: debugfs) of @format. */
void dm_build_info_put(FILE *out, const char *file, unsigned long long format);

#endif /* DROPMON_BUILDINFO_H */
