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
#include "options.h"
#include "prom.h"

struct dm_show {
	const struct options *o;
	bool totals;			/* the totals view (watch: 't') */
	bool raw;			/* watch: 'r' */
	enum dm_sort sort;		/* watch: 's' */
	bool color;
	size_t max_width;		/* table: 0 or the screen's size */
	size_t max_lines;
	long long wall_offset_ns;
	struct dm_prom_state prom;	/* sticky series of a watch */
};

void dm_show_init(struct dm_show *s, const struct options *o);
void dm_show_free(struct dm_show *s);

/* "stats" or "totals". */
const char *dm_show_view(const struct dm_show *s);

/* The file to read, in @buf: -f FILE, or debugfs' stats or totals. */
const char *dm_show_path(const struct dm_show *s, char *buf, size_t size);

/* Render @st in the chosen format.  Returns 0 or -ENOMEM. */
int dm_show_render(struct dm_show *s, const struct dropmon_stats *st,
		   FILE *out);

/* Write @len bytes to stdout, or replace --output.  Returns 0 or e->code. */
int dm_show_emit(const struct dm_show *s, const char *buf, size_t len,
		 struct dm_error *e);

/* CLOCK_REALTIME - CLOCK_BOOTTIME now, in ns. */
long long dm_wall_offset_ns(void);

#endif /* DROPMON_SHOW_H */
