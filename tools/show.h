/* SPDX-License-Identifier: GPL-2.0 */
/*
 * show.h - what one run of dropmon-show shows, shared by the one-shot path
 * (dropmon-show.c) and the live loop (watch.c): which file, which view,
 * and rendering a snapshot in the chosen format to stdout or --output.
 */
#ifndef DROPMON_SHOW_H
#define DROPMON_SHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "input.h"
#include "netns.h"
#include "options.h"
#include "prom.h"

/* The netns names of one snapshot (netns.h): resolved once per snapshot. */
struct dm_show_names {
	bool on;			/* --names, or reading debugfs */
	bool valid;
	unsigned long long seq, start_ns, end_ns, drops;	/* of this one */
	bool totals;
	struct dm_ns_roots roots;
	struct dm_ns_names n;
	struct dm_ns_names last;	/* --prometheus --watch: the last
					 * name of a namespace now gone */
	bool warned;			/* the permission notice, once */
};

struct dm_show {
	const struct options *o;
	bool totals;			/* the totals view (watch: 't') */
	bool raw;			/* watch: 'r' */
	enum dm_sort sort;		/* watch: 's' */
	bool color;
	size_t max_width;		/* table: 0 or the screen's size */
	size_t max_lines;
	long selected;			/* table: the row shown selected, or -1 */
	long long wall_offset_ns;
	struct dm_prom_state prom;	/* sticky series (watch, --output) */
	/* --watch: gaps in seq, for JSON and Prometheus */
	unsigned long long missed, missed_total;
	struct dm_show_names names;
};

void dm_show_init(struct dm_show *s, const struct options *o);
void dm_show_free(struct dm_show *s);

/* "stats" or "totals". */
const char *dm_show_view(const struct dm_show *s);

/* The file to read, in @buf: -f FILE, or debugfs' stats or totals. */
const char *dm_show_path(const struct dm_show *s, char *buf, size_t size);

/* The samples file that goes with dm_show_path(): see --samples-file. */
const char *dm_show_samples_path(const struct dm_show *s, char *buf,
				 size_t size);

/* Tries at a stats and samples pair of the same seq. */
#define DM_SAMPLES_TRIES	3

/*
 * Load the samples of @st (loaded from dm_show_path()) into @sm and join
 * them: @by_row gets st->nr_rows entries, each the row's sample or NULL
 * (free() it).  Where the seqs differ, both files are read again, up to
 * DM_SAMPLES_TRIES times (@st replaced).  Returns 0 or e->code, with
 * @sm and @by_row empty.
 */
int dm_show_load_samples(const struct dm_show *s, struct dropmon_stats *st,
			 struct dropmon_samples *sm,
			 const struct dropmon_sample ***by_row,
			 struct dm_error *e);

/*
 * Render @st in the chosen format; @by_row (NULL: without samples) as
 * from dm_show_load_samples().  Returns 0 or -ENOMEM.
 */
int dm_show_render(struct dm_show *s, const struct dropmon_stats *st,
		   const struct dropmon_sample *const *by_row, FILE *out);

/*
 * The netns names for @st (NULL: names are off, or the format shows
 * none), resolved at most once per snapshot.  NULL with *@err = -ENOMEM
 * when out of memory.
 */
const struct dm_ns_names *dm_show_names(struct dm_show *s,
					const struct dropmon_stats *st,
					int *err);

/* Write @len bytes to stdout, or replace --output.  Returns 0 or e->code. */
int dm_show_emit(const struct dm_show *s, const char *buf, size_t len,
		 struct dm_error *e);

/*
 * --prometheus --output: seed the sticky series from the file that the
 * last run wrote (see dm_prom_state_seed()), if it can be read, and
 * remove the temporary files that a killed run left beside it.
 */
void dm_show_prepare_output(struct dm_show *s);

/* CLOCK_REALTIME - CLOCK_BOOTTIME now, in ns. */
long long dm_wall_offset_ns(void);

#endif /* DROPMON_SHOW_H */
