/* SPDX-License-Identifier: GPL-2.0 */
/*
 * format.h - dropmon-show's output formats, rendered from a view: the
 * table, the classic lines, JSON and (prom.h) Prometheus.
 *
 * The formatters write to a stdio stream and do no other I/O: the wall
 * clock offset comes in struct dm_render, so that output is reproducible.
 */
#ifndef DROPMON_FORMAT_H
#define DROPMON_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "filter.h"
#include "netns.h"
#include "samples.h"

struct dm_render {
	const char *view;		/* "stats" or "totals" */
	bool raw;			/* addresses instead of symbols */
	bool color;			/* ANSI colours (table only) */
	long long wall_offset_ns;	/* CLOCK_REALTIME - CLOCK_BOOTTIME */
	size_t max_width;		/* table: cut lines; 0: no limit */
	size_t max_lines;		/* table: cut rows; 0: no limit */
	/* --samples: indexed like v->st->rows, NULL for a row without one */
	const struct dropmon_sample *const *samples;	/* NULL: no --samples */
	long selected;			/* table: this row in reverse video; -1 */
	/* --watch: JSON "missed", dropmon_snapshots_missed_total */
	bool watch;
	unsigned long long missed;	/* gap in seq before this snapshot */
	unsigned long long missed_total;	/* since dropmon-show started */
	/* netns names (table, JSON, Prometheus); NULL: inodes only */
	const struct dm_ns_names *names;
};

/* The name of the netns of shown row @i ("-" if unknown); NULL if @r has
 * no names or the view folds netns. */
const struct dm_ns_name *dm_row_ns_name(const struct dm_view *v,
					const struct dm_render *r, size_t i);

/*
 * The stack and decoded packet of @sm as lines that start with @indent:
 * "frame 0  SYMBOL (MODULE)" innermost first, "packet   SUMMARY (HOW)",
 * "rest     HEX" (32 bytes a line).  NULL @sm: "(no sample)".
 */
void dm_format_sample(FILE *out, const struct dropmon_sample *sm,
		      const char *indent);

/* @sm as the JSON object of a row's "sample" (json-schema.md); NULL: null. */
void dm_json_sample(FILE *out, const struct dropmon_sample *sm);

/* Header, column names and one aligned line per row. */
void dm_format_table(FILE *out, const struct dm_view *v,
		     const struct dm_render *r);

/* "COUNT: SYMBOL@DEV (MODULE) REASON" per row, as dropmon-show always did. */
void dm_format_classic(FILE *out, const struct dm_view *v,
		       const struct dm_render *r);

/* One JSON object on one line (see json-schema.md). */
void dm_format_json(FILE *out, const struct dm_view *v,
		    const struct dm_render *r);

/*
 * @boot_ns (CLOCK_BOOTTIME) as local ISO 8601 time with its UTC offset,
 * "2024-05-01T12:34:56+02:00"; "-" for 0.  Returns @buf.
 */
const char *dm_format_time(char *buf, size_t size, unsigned long long boot_ns,
			   long long wall_offset_ns);

/* "1.000" seconds for @ns nanoseconds, in @buf. */
const char *dm_format_seconds(char *buf, size_t size, unsigned long long ns);

/* @s as a JSON string, quotes included (see json-schema.md on bytes). */
void dm_json_string(FILE *out, const char *s);

/*
 * Copy @s into @buf for a terminal: bytes outside printable ASCII become
 * "\xNN", so that widths are byte counts and nothing is interpreted.
 * Returns the length written (cut to fit @size).
 */
size_t dm_term_text(char *buf, size_t size, const char *s);

/* Length of the valid UTF-8 sequence at @s (1-4), or 0 if invalid. */
size_t dm_utf8_len(const unsigned char *s);

#endif /* DROPMON_FORMAT_H */
