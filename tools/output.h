/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output.h - where a rendered snapshot goes: stdout, or a file replaced
 * atomically (a temporary file in the same directory, fsync, rename), so
 * that a reader such as node_exporter never sees half of it.
 */
#ifndef DROPMON_OUTPUT_H
#define DROPMON_OUTPUT_H

#include <stddef.h>

#include "input.h"

/* Write @len bytes to stdout and flush.  Returns 0 or e->code. */
int dm_write_stdout(const char *data, size_t len, struct dm_error *e);

/*
 * Replace @path with @len bytes of @data: the file is either the old one
 * or the new one, never a mix, and no temporary file is left behind.  The
 * new file gets mode 0666 & ~umask.  Returns 0 or e->code.
 */
int dm_write_atomic(const char *path, const char *data, size_t len,
		    struct dm_error *e);

/* A temporary file this old (seconds) and unlocked is a killed run's. */
#define DM_TEMP_STALE_S		2

/*
 * Remove the temporary files that dm_write_atomic() left for @path when
 * its run was killed: only DIR/.NAME.XXXXXX (six letters or digits),
 * regular files of this user, at least DM_TEMP_STALE_S seconds old, that
 * no writer holds locked (dm_write_atomic() locks its file until it is
 * renamed).  Each one removed is said on stderr; errors are ignored.
 */
void dm_clean_stale_temps(const char *path);

#endif /* DROPMON_OUTPUT_H */
