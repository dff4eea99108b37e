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

#include "buildinfo.h"
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
	s->selected = -1;
	s->color = want_color(o);
	s->wall_offset_ns = dm_wall_offset_ns();
	s->names.on = o->names > 0 || (o->names == 0 && !o->file);
	dm_ns_roots_default(&s->names.roots);
}

void dm_show_free(struct dm_show *s)
{
	dm_prom_state_reset(&s->prom);
	dm_ns_names_free(&s->names.n);
	dm_ns_names_free(&s->names.last);
}

/*
 * --prometheus --watch: a namespace that is gone keeps the name it had,
 * so that its series keep their labels (a new label set would be a new
 * series, and the old one would go stale).  Into @last what to remember.
 */
static int carry_over(struct dm_ns_names *n, struct dm_ns_names *last)
{
	struct dm_ns_name *keep;
	size_t i;

	for (i = 0; i < n->nr; i++) {
		const struct dm_ns_name *old = dm_ns_lookup(last, n->v[i].inode);

		if (n->v[i].source == DM_NS_NONE && n->v[i].inode && old)
			n->v[i] = *old;
	}
	keep = malloc((n->nr ? n->nr : 1) * sizeof(*keep));
	if (!keep)
		return -ENOMEM;
	if (n->nr)
		memcpy(keep, n->v, n->nr * sizeof(*keep));
	dm_ns_names_free(last);
	last->v = keep;
	last->nr = n->nr;
	return 0;
}

static void permission_notice(struct dm_show *s)
{
	const struct dm_ns_names *n = &s->names.n;

	size_t i, unnamed = 0;

	for (i = 0; i < n->nr; i++)
		unnamed += n->v[i].inode && n->v[i].source == DM_NS_NONE;
	/* not over the full-screen watch */
	if (s->names.warned || !n->scan.unreadable || !unnamed ||
	    (s->o->watch && !s->o->output && isatty(STDOUT_FILENO)))
		return;
	s->names.warned = true;
	fprintf(stderr, PROG ": could not read the network namespace of %zu of %zu processes (permission denied), so some netns may show as '-'; run as root with CAP_SYS_PTRACE, or give --no-names\n",
		n->scan.unreadable, n->scan.entries);
}

const struct dm_ns_names *dm_show_names(struct dm_show *s,
					const struct dropmon_stats *st,
					int *err)
{
	struct dm_show_names *sn = &s->names;
	const struct dropmon_header *h = &st->hdr;
	unsigned int *inodes;
	size_t i;

	*err = 0;
	if (!sn->on || s->o->format == DM_FMT_CLASSIC)
		return NULL;
	if (sn->valid && sn->seq == h->seq && sn->start_ns == h->start_ns &&
	    sn->end_ns == h->end_ns && sn->drops == h->drops &&
	    sn->totals == s->totals)
		return &sn->n;
	sn->valid = false;
	dm_ns_names_free(&sn->n);
	inodes = malloc((st->nr_rows ? st->nr_rows : 1) * sizeof(*inodes));
	if (!inodes) {
		*err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < st->nr_rows; i++)
		inodes[i] = st->rows[i].netns;
	*err = dm_ns_resolve(&sn->n, inodes, st->nr_rows, &sn->roots);
	free(inodes);
	if (!*err && s->o->format == DM_FMT_PROMETHEUS && s->o->watch)
		*err = carry_over(&sn->n, &sn->last);
	if (*err)
		return NULL;
	permission_notice(s);
	sn->valid = true;
	sn->seq = h->seq;
	sn->start_ns = h->start_ns;
	sn->end_ns = h->end_ns;
	sn->drops = h->drops;
	sn->totals = s->totals;
	return &sn->n;
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

const char *dm_show_samples_path(const struct dm_show *s, char *buf,
				 size_t size)
{
	if (s->o->samples_file)
		snprintf(buf, size, "%s", s->o->samples_file);
	else if (s->o->file)
		dm_sibling_samples_path(buf, size, s->o->file, s->totals);
	else
		dm_default_samples_path(buf, size, s->totals);
	return buf;
}

static int join_error(const char *stats, const char *samples,
		      const struct dropmon_parse_error *pe, struct dm_error *e)
{
	e->code = DM_EXIT_BAD_INPUT;
	if (snprintf(e->msg, sizeof(e->msg), "%s: line %lu: %s; give the samples file of the same snapshot as %s",
		     samples, pe->line, pe->msg, stats) < 0)
		e->msg[0] = '\0';
	return e->code;
}

static int seq_error(const char *stats, const char *samples,
		     const struct dropmon_stats *st,
		     const struct dropmon_samples *sm, bool debugfs,
		     struct dm_error *e)
{
	e->code = debugfs ? DM_EXIT_ENV : DM_EXIT_BAD_INPUT;
	e->errnum = 0;
	if (snprintf(e->msg, sizeof(e->msg), "%s has seq=%llu but %s seq=%llu after %d reads: not the same snapshot; %s",
		     stats, st->hdr.seq, samples, sm->hdr.seq, DM_SAMPLES_TRIES,
		     debugfs ? "the module published snapshots faster than they could be read, retry"
			     : "give the samples file of the same snapshot (--samples-file)") < 0)
		e->msg[0] = '\0';
	return e->code;
}

int dm_show_load_samples(const struct dm_show *s, struct dropmon_stats *st,
			 struct dropmon_samples *sm,
			 const struct dropmon_sample ***by_row,
			 struct dm_error *e)
{
	char stats[4096], samples[4096];
	struct dropmon_parse_error pe;
	int tries, ret;

	*by_row = NULL;
	dm_show_path(s, stats, sizeof(stats));
	dm_show_samples_path(s, samples, sizeof(samples));
	for (tries = 1;; tries++) {
		ret = dm_load_samples(samples, sm, e);
		if (ret)
			return ret;
		if (sm->hdr.seq == st->hdr.seq)
			break;
		if (tries == DM_SAMPLES_TRIES || strcmp(stats, "-") == 0) {
			ret = seq_error(stats, samples, st, sm, !s->o->file, e);
			dropmon_samples_free(sm);
			return ret;
		}
		dropmon_samples_free(sm);
		dropmon_stats_free(st);
		ret = dm_load(stats, st, e);
		if (ret)
			return ret;
	}
	*by_row = calloc(st->nr_rows ? st->nr_rows : 1, sizeof(**by_row));
	if (!*by_row) {
		dropmon_samples_free(sm);
		e->code = DM_EXIT_ENV;
		snprintf(e->msg, sizeof(e->msg), "out of memory; free some memory and retry");
		return e->code;
	}
	if (dropmon_samples_join(st, sm, *by_row, &pe)) {
		free(*by_row);
		*by_row = NULL;
		dropmon_samples_free(sm);
		return join_error(stats, samples, &pe, e);
	}
	return 0;
}

int dm_show_render(struct dm_show *s, const struct dropmon_stats *st,
		   const struct dropmon_sample *const *by_row, FILE *out)
{
	const struct dm_view_opts vo = {
		.filter = &s->o->filter,
		.by = s->o->by,
		.sort = s->sort,
		.raw = s->raw,
		.top = s->o->top,
	};
	const struct dm_render r0 = {
		.view = dm_show_view(s),
		.raw = s->raw,
		.color = s->color,
		.wall_offset_ns = s->wall_offset_ns,
		.max_width = s->max_width,
		.max_lines = s->max_lines,
		.samples = by_row,
		.selected = s->selected,
		.watch = s->o->watch,
		.missed = s->missed,
		.missed_total = s->missed_total,
	};
	struct dm_render r;
	struct dm_view v;
	int ret = 0;

	r = r0;
	r.names = dm_show_names(s, st, &ret);
	if (ret || dm_view_build(&v, st, &vo))
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
					   s->o->watch || s->o->output ? &s->prom
								       : NULL);
		if (!ret)
			dm_build_info_put(out, s->o->file, st->hdr.format);
		break;
	}
	dm_view_free(&v);
	return ret;
}

void dm_show_prepare_output(struct dm_show *s)
{
	FILE *in;

	if (!s->o->output)
		return;
	dm_clean_stale_temps(s->o->output);
	if (s->o->format != DM_FMT_PROMETHEUS)
		return;
	in = fopen(s->o->output, "re");
	if (!in)
		return;
	/* without memory, the choice is made by size as on a first run */
	dm_prom_state_seed(&s->prom, in);
	fclose(in);
}

int dm_show_emit(const struct dm_show *s, const char *buf, size_t len,
		 struct dm_error *e)
{
	if (s->o->output)
		return dm_write_atomic(s->o->output, buf, len, e);
	return dm_write_stdout(buf, len, e);
}
