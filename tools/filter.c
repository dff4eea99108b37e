// SPDX-License-Identifier: GPL-2.0
/*
 * filter.c - filters, --by aggregation, sorting and the top N of a view.
 *
 * Pure: no I/O, no global state.  See filter.h.
 */
#include "filter.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dm_field_names[DM_NR_FIELDS] = {
	[DM_LOCATION]	= "location",
	[DM_MODULE]	= "module",
	[DM_REASON]	= "reason",
	[DM_DEV]	= "dev",
	[DM_NETNS]	= "netns",
	[DM_PROTO]	= "proto",
};

const char *const dm_sort_names[DM_NR_SORTS] = {
	[DM_SORT_COUNT]		= "count",
	[DM_SORT_LOCATION]	= "location",
	[DM_SORT_MODULE]	= "module",
	[DM_SORT_REASON]	= "reason",
	[DM_SORT_DEV]		= "dev",
	[DM_SORT_NETNS]		= "netns",
	[DM_SORT_PROTO]		= "proto",
};

/* What qsort_r() comparators need to know. */
struct sort_ctx {
	const struct dm_view *v;
	enum dm_sort sort;
	bool raw;
};

static bool lookup_field(const char *name, size_t len, enum dm_field *f)
{
	size_t i;

	for (i = 0; i < DM_NR_FIELDS; i++) {
		if (strlen(dm_field_names[i]) == len &&
		    memcmp(dm_field_names[i], name, len) == 0) {
			*f = (enum dm_field)i;
			return true;
		}
	}
	return false;
}

bool dm_parse_fields(const char *list, unsigned int *mask)
{
	const char *p = list, *comma;
	enum dm_field f;
	size_t len;

	*mask = 0;
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (!lookup_field(p, len, &f))
			return false;
		*mask |= DM_BIT(f);
		if (!comma)
			return true;
		p = comma + 1;
	}
}

bool dm_parse_sort(const char *name, enum dm_sort *sort)
{
	size_t i;

	for (i = 0; i < DM_NR_SORTS; i++) {
		if (strcmp(name, dm_sort_names[i]) == 0) {
			*sort = (enum dm_sort)i;
			return true;
		}
	}
	return false;
}

/* The raw text of field @f of key @r, as filters and comparisons see it. */
static const char *key_text(const struct dropmon_row *r, enum dm_field f,
			    bool raw, char *buf, size_t size)
{
	switch (f) {
	case DM_LOCATION:
		if (!raw && strcmp(r->symbol, "?") != 0)
			return r->symbol;
		snprintf(buf, size, "0x%llx", r->location);
		return buf;
	case DM_MODULE:
		return r->module;
	case DM_REASON:
		return r->reason;
	case DM_DEV:
		return r->dev;
	case DM_NETNS:
		snprintf(buf, size, "%u", r->netns);
		return buf;
	default:
		return r->proto;
	}
}

const char *dm_field_text(const struct dm_view *v, size_t i, enum dm_field f,
			  bool raw, char *buf, size_t size)
{
	if (!dm_view_has(v, f))
		return "*";
	return key_text(dm_vrow_key(v, i), f, raw, buf, size);
}

bool dm_rate(const struct dropmon_header *h, unsigned long long count,
	     double *rate)
{
	if (h->end_ns <= h->start_ns)
		return false;
	*rate = (double)count / ((double)(h->end_ns - h->start_ns) / 1e9);
	return true;
}

bool dm_pattern_is_literal(const char *pat)
{
	return strcmp(pat, "?") == 0 || strcmp(pat, "-") == 0;
}

static bool match_any(const struct dm_filter *flt, enum dm_field f,
		      const char *text)
{
	size_t i;

	for (i = 0; i < flt->nr[f]; i++) {
		if (f == DM_NETNS || dm_pattern_is_literal(flt->pat[f][i])
			    ? strcmp(flt->pat[f][i], text) == 0
			    : fnmatch(flt->pat[f][i], text, 0) == 0)
			return true;
	}
	return false;
}

static bool row_passes(const struct dm_filter *flt,
		       const struct dropmon_row *r)
{
	char buf[32];
	size_t f;

	if (!flt)
		return true;
	for (f = 0; f < DM_NR_FIELDS; f++) {
		if (!flt->nr[f])
			continue;
		if (match_any(flt, f, key_text(r, f, false, buf, sizeof(buf))))
			continue;
		if (f == DM_LOCATION &&
		    match_any(flt, f, key_text(r, f, true, buf, sizeof(buf))))
			continue;
		return false;
	}
	return true;
}

static int cmp_u64(unsigned long long a, unsigned long long b)
{
	return a < b ? -1 : a > b;
}

/* Compare keys @a and @b on field @f. */
static int cmp_field(const struct dropmon_row *a, const struct dropmon_row *b,
		     enum dm_field f)
{
	switch (f) {
	case DM_LOCATION:
		return cmp_u64(a->location, b->location);
	case DM_MODULE:
		return strcmp(a->module, b->module);
	case DM_REASON:
		return strcmp(a->reason, b->reason);
	case DM_DEV:
		return strcmp(a->dev, b->dev);
	case DM_NETNS:
		return cmp_u64(a->netns, b->netns);
	default:
		return strcmp(a->proto, b->proto);
	}
}

/* Compare on every field of @mask, in column order. */
static int cmp_fields(const struct dropmon_row *a, const struct dropmon_row *b,
		      unsigned int mask)
{
	size_t f;
	int c;

	for (f = 0; f < DM_NR_FIELDS; f++) {
		if (!(mask & DM_BIT(f)))
			continue;
		c = cmp_field(a, b, f);
		if (c)
			return c;
	}
	return 0;
}

/* Group keys with equal kept fields together, first occurrence first. */
static int cmp_group(const void *pa, const void *pb, void *arg)
{
	const struct dm_view *v = arg;
	const struct dm_vrow *a = pa, *b = pb;
	int c = cmp_fields(&v->st->rows[a->first], &v->st->rows[b->first],
			   v->fields);

	return c ? c : cmp_u64(a->first, b->first);
}

/* Ascending by the text a sort on field @f orders by. */
static int cmp_sort_field(const struct sort_ctx *ctx,
			  const struct dropmon_row *a,
			  const struct dropmon_row *b, enum dm_field f)
{
	char ba[32], bb[32];

	if (f == DM_NETNS)
		return cmp_u64(a->netns, b->netns);
	if (f == DM_LOCATION && ctx->raw)
		return cmp_u64(a->location, b->location);
	return strcmp(key_text(a, f, false, ba, sizeof(ba)),
		      key_text(b, f, false, bb, sizeof(bb)));
}

/*
 * The chosen order, then count (descending), then file order: a sort by
 * count keeps the file's own order of ties.
 */
static int cmp_sort(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct dm_vrow *a = pa, *b = pb;
	const struct dropmon_row *ka = &ctx->v->st->rows[a->first];
	const struct dropmon_row *kb = &ctx->v->st->rows[b->first];
	int c = 0;

	if (ctx->sort != DM_SORT_COUNT &&
	    dm_view_has(ctx->v, (enum dm_field)(ctx->sort - 1)))
		c = cmp_sort_field(ctx, ka, kb, (enum dm_field)(ctx->sort - 1));
	if (!c)
		c = cmp_u64(b->count, a->count);
	return c ? c : cmp_u64(a->first, b->first);
}

/* Select the keys that pass the filter, one row each. */
static int select_rows(struct dm_view *v, const struct dm_filter *flt)
{
	const struct dropmon_stats *st = v->st;
	size_t i;

	v->rows = calloc(st->nr_rows ? st->nr_rows : 1, sizeof(*v->rows));
	if (!v->rows)
		return -ENOMEM;
	for (i = 0; i < st->nr_rows; i++) {
		if (!row_passes(flt, &st->rows[i])) {
			v->reduced = true;
			continue;
		}
		v->rows[v->nr].count = st->rows[i].count;
		v->rows[v->nr].first = i;
		v->rows[v->nr].nr_keys = 1;
		v->nr++;
	}
	return 0;
}

/* Merge rows whose kept fields are equal. */
static void aggregate(struct dm_view *v)
{
	size_t i, out = 0;

	if (v->fields == DM_ALL_FIELDS || v->nr < 2)
		return;
	qsort_r(v->rows, v->nr, sizeof(*v->rows), cmp_group, v);
	for (i = 1; i < v->nr; i++) {
		struct dm_vrow *o = &v->rows[out];

		if (cmp_fields(&v->st->rows[o->first],
			       &v->st->rows[v->rows[i].first], v->fields)) {
			v->rows[++out] = v->rows[i];
			continue;
		}
		/* cannot overflow: the sum of all counts is at most drops */
		o->count += v->rows[i].count;
		o->nr_keys++;
	}
	v->nr = out + 1;
}

int dm_view_build(struct dm_view *v, const struct dropmon_stats *st,
		  const struct dm_view_opts *o)
{
	struct sort_ctx ctx = { .v = v, .sort = o->sort, .raw = o->raw };
	size_t i;

	memset(v, 0, sizeof(*v));
	v->st = st;
	v->fields = o->by ? o->by : DM_ALL_FIELDS;
	/* the module follows from the location */
	if (v->fields & DM_BIT(DM_LOCATION))
		v->fields |= DM_BIT(DM_MODULE);
	if (v->fields != DM_ALL_FIELDS)
		v->reduced = true;
	if (select_rows(v, o->filter))
		return -ENOMEM;
	aggregate(v);
	qsort_r(v->rows, v->nr, sizeof(*v->rows), cmp_sort, &ctx);
	v->nr_total = v->nr;
	if (o->top && v->nr > o->top) {
		v->nr = o->top;
		v->reduced = true;
	}
	for (i = 0; i < v->nr; i++)
		v->drops += v->rows[i].count;
	return 0;
}

void dm_view_free(struct dm_view *v)
{
	free(v->rows);
	memset(v, 0, sizeof(*v));
}
