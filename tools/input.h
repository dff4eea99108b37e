/* SPDX-License-Identifier: GPL-2.0 */
/*
 * input.h - reading dropmon's files, and what to tell the user when that
 * fails.  Nothing here prints: errors come back as one "cause; fix" text.
 */
#ifndef DROPMON_INPUT_H
#define DROPMON_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "samples.h"
#include "stats.h"

#define PROG		"dropmon-show"

enum dm_exit {
	DM_EXIT_OK		= 0,
	DM_EXIT_BAD_INPUT	= 1,	/* malformed file or bad usage */
	DM_EXIT_ENV		= 2,	/* I/O or environment error */
};

struct dm_error {
	int code;			/* enum dm_exit */
	int errnum;			/* errno of a failed open/read, or 0 */
	char msg[1024];			/* "cause; fix", no PROG prefix */
};

/* The debugfs mount point: $DROPMON_DEBUGFS or /sys/kernel/debug. */
const char *dm_debugfs_dir(void);

/* DEBUGFS/dropmon/stats or .../totals into @buf. */
const char *dm_default_path(char *buf, size_t size, bool totals);

/* Read and parse all of @path ("-": stdin).  Returns 0 or e->code. */
int dm_load(const char *path, struct dropmon_stats *st, struct dm_error *e);

/* DEBUGFS/dropmon/samples or .../samples_totals into @buf. */
const char *dm_default_samples_path(char *buf, size_t size, bool totals);

/*
 * The samples file next to the stats file @stats_path (not "-"): the file
 * named samples (@totals: samples_totals) in its directory.
 */
const char *dm_sibling_samples_path(char *buf, size_t size,
				    const char *stats_path, bool totals);

/* Read and parse all of the samples file @path.  Returns 0 or e->code. */
int dm_load_samples(const char *path, struct dropmon_samples *sm,
		    struct dm_error *e);

/* Read and parse only the header line of @path.  Returns 0 or e->code. */
int dm_peek(const char *path, struct dropmon_header *hdr,
	    struct dm_error *e);

#endif /* DROPMON_INPUT_H */
