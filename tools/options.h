/* SPDX-License-Identifier: GPL-2.0 */
/*
 * options.h - dropmon-show's command line.
 */
#ifndef DROPMON_OPTIONS_H
#define DROPMON_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "filter.h"

/* From module/dropmon.h, by tools/Makefile: the one version. */
#ifndef DROPMON_VERSION
#error "DROPMON_VERSION is not defined: build with tools/Makefile, which takes it from module/dropmon.h"
#endif

#define DM_MAX_SERIES_DEFAULT	1000

enum dm_format_kind {
	DM_FMT_TABLE,
	DM_FMT_CLASSIC,
	DM_FMT_JSON,
	DM_FMT_PROMETHEUS,
};

enum dm_color_when {
	DM_COLOR_AUTO,
	DM_COLOR_ALWAYS,
	DM_COLOR_NEVER,
};

struct options {
	const char *file;		/* -f FILE, or NULL for debugfs */
	const char *output;		/* --output FILE, or NULL for stdout */
	const char *samples_file;	/* --samples-file FILE, or NULL */
	const char *pcap;		/* --pcap FILE, or NULL */
	bool pcap_boottime;		/* --pcap-clock=boot */
	bool samples;			/* -v: the stack and packet of each row */
	bool totals;
	bool raw;
	bool watch;
	enum dm_format_kind format;
	enum dm_color_when color;
	size_t top;			/* -n; 0: all */
	unsigned long long count;	/* --count; 0: no limit */
	size_t max_series;		/* --max-series; 0: no limit */
	unsigned int by;		/* --by mask; 0: every field */
	enum dm_sort sort;
	int names;			/* --names 1, --no-names -1; 0: auto
					 * (on when reading debugfs) */
	struct dm_filter filter;
	char **owned;			/* strings allocated for the filter */
	size_t nr_owned;
};

/*
 * Parse the command line into @o.  Returns -1 to go on, or the exit code
 * when the program should stop (help, version or a usage error, which has
 * been reported).  Release @o with dm_options_free() in either case.
 */
int dm_parse_args(int argc, char *argv[], struct options *o);
void dm_options_free(struct options *o);

#endif /* DROPMON_OPTIONS_H */
