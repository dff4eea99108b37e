/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filter.h - what dropmon-show shows of a parsed snapshot: filters, --by
 * aggregation, sorting and the top N.
 *
 * A view is built from a struct dropmon_stats and points into it: keep the
 * stats alive while the view is used.  Pure: no I/O, no global state.
 */
#ifndef DROPMON_FILTER_H
#define DROPMON_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"

/* The dimensions of a key, in the order of the table's columns. */
enum dm_field {
	DM_LOCATION,
	DM_MODULE,
	DM_REASON,
	DM_DEV,
	DM_NETNS,
	DM_PROTO,
	DM_NR_FIELDS,
};

#define DM_BIT(f)	(1u << (f))
#define DM_ALL_FIELDS	((1u << DM_NR_FIELDS) - 1)

extern const char *const dm_field_names[DM_NR_FIELDS];

/* Sort orders: by count (descending), or by one field (ascending). */
enum dm_sort {
	DM_SORT_COUNT,
	DM_SORT_LOCATION,
	DM_SORT_MODULE,
	DM_SORT_REASON,
	DM_SORT_DEV,
	DM_SORT_NETNS,
	DM_SORT_PROTO,
	DM_NR_SORTS,
};

extern const char *const dm_sort_names[DM_NR_SORTS];

/*
 * Patterns per field.  A row passes a field's filter if it matches any of
 * its patterns (fnmatch(3) globs; netns: an exact decimal number, given in
 * canonical form); it passes the filter if it passes every field that has
 * patterns.  DM_LOCATION patterns match the symbol or the "0x..." address.
 */
struct dm_filter {
	const char **pat[DM_NR_FIELDS];
	size_t nr[DM_NR_FIELDS];
};

struct dm_view_opts {
	const struct dm_filter *filter;	/* NULL: everything */
	unsigned int by;		/* DM_BIT() mask to keep; 0: all */
	enum dm_sort sort;
	bool raw;			/* sort locations by address */
	size_t top;			/* keep the first @top rows; 0: all */
};

/* One shown row: a key, or the sum of the keys that share the --by fields. */
struct dm_vrow {
	unsigned long long count;
	size_t first;			/* index in st->rows of the first key */
	size_t nr_keys;			/* keys folded into this row */
};

struct dm_view {
	const struct dropmon_stats *st;
	unsigned int fields;		/* DM_BIT() mask of the fields shown */
	bool reduced;			/* filtered, aggregated or cut */
	size_t nr;
	struct dm_vrow *rows;
	size_t nr_total;		/* rows before the top N cut */
	unsigned long long drops;	/* sum of the counts of the shown rows */
};

/* Parse "reason,dev" into a DM_BIT() mask; returns false on a bad name. */
bool dm_parse_fields(const char *list, unsigned int *mask);

/* Look up a sort order by name; returns false if unknown. */
bool dm_parse_sort(const char *name, enum dm_sort *sort);

/* Build @v; returns 0 or -ENOMEM.  Release it with dm_view_free(). */
int dm_view_build(struct dm_view *v, const struct dropmon_stats *st,
		  const struct dm_view_opts *o);
void dm_view_free(struct dm_view *v);

/* The key behind shown row @i (for fields that were kept). */
static inline const struct dropmon_row *dm_vrow_key(const struct dm_view *v,
						    size_t i)
{
	return &v->st->rows[v->rows[i].first];
}

static inline bool dm_view_has(const struct dm_view *v, enum dm_field f)
{
	return v->fields & DM_BIT(f);
}

/*
 * The text of field @f of row @i as the table shows it: "*" for a field
 * folded by --by, the address as "0x..." for a location with @raw or
 * without a symbol.  @buf (at least 24 bytes) holds numbers.
 */
const char *dm_field_text(const struct dm_view *v, size_t i, enum dm_field f,
			  bool raw, char *buf, size_t size);

/* Drops per second of @count over the snapshot; false if it has no length. */
bool dm_rate(const struct dropmon_header *h, unsigned long long count,
	     double *rate);

/*
 * "?" and "-", the values that mean "could not be read" and "none", match
 * only themselves: as globs "?" would match every one-letter value.
 */
bool dm_pattern_is_literal(const char *pat);

#endif /* DROPMON_FILTER_H */
