// SPDX-License-Identifier: GPL-2.0
/*
 * show.c - view selection, rendering and output of a snapshot; see show.h.
 */
#include "show.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "output.h"

static bool want_color(const struct options *o)
{
	const char *no_color = getenv("NO_COLOR");

	if (o->color != DM_COLOR_AUTO)
		return o->color == DM_COLOR_ALWAYS;
	return !o->output && isatty(STDOUT_FILENO) &&
	       !(no_color && *no_color);
}

long long dm_wall_offset_ns(void)
{
	struct timespec rt, bt;

	if (clock_gettime(CLOCK_REALTIME, &rt) ||
	    clock_gettime(CLOCK_BOOTTIME, &bt))
		return 0;
	return (long long)(rt.tv_sec - bt.tv_sec) * 1000000000LL +
	       (rt.tv_nsec - bt.tv_nsec);
}

void dm_show_init(struct dm_show *s, const struct options *o)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->totals = o->totals ||
		    (o->format == DM_FMT_PROMETHEUS && !o->file);
	s->raw = o->raw;
	s->sort = o->sort;
	s->color = want_color(o);
	s->wall_offset_ns = dm_wall_offset_ns();
}

void dm_show_free(struct dm_show *s)
{
	dm_prom_state_reset(&s->prom);
}

const char *dm_show_view(const struct dm_show *s)
{
	return s->totals ? "totals" : "stats";
}

const char *dm_show_path(const struct dm_show *s, char *buf, size_t size)
{
	if (s->o->file) {
		snprintf(buf, size, "%s", s->o->file);
		return buf;
	}
	return dm_default_path(buf, size, s->totals);
}

int dm_show_render(struct dm_show *s, const struct dropmon_stats *st,
		   FILE *out)
{
	const struct dm_view_opts vo = {
		.filter = &s->o->filter,
		.by = s->o->by,
		.sort = s->sort,
		.raw = s->raw,
		.top = s->o->top,
	};
	const struct dm_render r = {
		.view = dm_show_view(s),
		.raw = s->raw,
		.color = s->color,
		.wall_offset_ns = s->wall_offset_ns,
		.max_width = s->max_width,
		.max_lines = s->max_lines,
	};
	struct dm_view v;
	int ret = 0;

	if (dm_view_build(&v, st, &vo))
		return -ENOMEM;
	switch (s->o->format) {
	case DM_FMT_TABLE:
		dm_format_table(out, &v, &r);
		break;
	case DM_FMT_CLASSIC:
		dm_format_classic(out, &v, &r);
		break;
	case DM_FMT_JSON:
		dm_format_json(out, &v, &r);
		break;
	case DM_FMT_PROMETHEUS:
		ret = dm_format_prometheus(out, &v, &r, s->o->max_series,
					   s->o->watch ? &s->prom : NULL);
		break;
	}
	dm_view_free(&v);
	return ret;
}

int dm_show_emit(const struct dm_show *s, const char *buf, size_t len,
		 struct dm_error *e)
{
	if (s->o->output)
		return dm_write_atomic(s->o->output, buf, len, e);
	return dm_write_stdout(buf, len, e);
}
