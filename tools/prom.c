// SPDX-License-Identifier: GPL-2.0
/*
 * prom.c - Prometheus text exposition of a view; see prom.h.
 */
#include "prom.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OTHER		"other"

/* One dropmon_drops_total series: label values joined by TABs. */
struct series {
	char *key;
	unsigned long long count;
	bool shown;			/* written on its own, not in "other" */
};

struct series_set {
	struct series *s;
	size_t nr;
	char *other;			/* the key of the "other" series */
};

void dm_prom_label_value(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p; p += n) {
		n = dm_utf8_len(p);
		if (n > 1)
			fwrite(p, 1, n, out);
		else if (*p == '\\' || *p == '"')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (n == 0 || *p < 0x20 || *p == 0x7f)
			fprintf(out, "\\\\x%02x", *p), n = 1;
		else
			fputc(*p, out);
	}
}

/* "name+0xoff/0xsize" without "/0xsize", or the address. */
static int location_label(char *buf, size_t size, const struct dropmon_row *k,
			  bool raw)
{
	const char *slash = strrchr(k->symbol, '/');
	size_t len = strlen(k->symbol);

	if (raw || strcmp(k->symbol, "?") == 0)
		return snprintf(buf, size, "0x%llx", k->location);
	if (slash && slash[1] == '0' && slash[2] == 'x' &&
	    strspn(slash + 3, "0123456789abcdef") == strlen(slash + 3) &&
	    slash[3])
		len = slash - k->symbol;
	return snprintf(buf, size, "%.*s", (int)len, k->symbol);
}

/* The label values of row @i joined by TABs (never in a value). */
static char *series_key(const struct dm_view *v, size_t i, bool raw)
{
	char loc[DROPMON_SYMBOL_MAX + 32], num[32], *key, *p;
	const char *val[DM_NR_FIELDS];
	size_t f, len = 1;

	location_label(loc, sizeof(loc), dm_vrow_key(v, i), raw);
	for (f = 0; f < DM_NR_FIELDS; f++) {
		val[f] = f == DM_LOCATION ? loc
			 : dm_field_text(v, i, f, raw, num, sizeof(num));
		if (dm_view_has(v, f))
			len += strlen(val[f]) + 1;
	}
	key = p = malloc(len);
	if (!key)
		return NULL;
	*p = '\0';
	for (f = 0; f < DM_NR_FIELDS; f++) {
		if (dm_view_has(v, f))
			p += sprintf(p, "%s%s", p == key ? "" : "\t", val[f]);
	}
	return key;
}

static char *other_key(const struct dm_view *v)
{
	char *key = malloc(DM_NR_FIELDS * (sizeof(OTHER) + 1)), *p = key;
	size_t f;

	if (!key)
		return NULL;
	*p = '\0';
	for (f = 0; f < DM_NR_FIELDS; f++) {
		if (dm_view_has(v, f))
			p += sprintf(p, "%s" OTHER, p == key ? "" : "\t");
	}
	return key;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct series *)a)->key,
		      ((const struct series *)b)->key);
}

static int cmp_count(const void *pa, const void *pb)
{
	const struct series *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->key, b->key);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_set(struct series_set *set)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		free(set->s[i].key);
	free(set->s);
	free(set->other);
}

/* Merge series with equal labels (two addresses, one symbol+offset). */
static void merge_equal(struct series_set *set)
{
	size_t i, out = 0;

	if (set->nr < 2)
		return;
	qsort(set->s, set->nr, sizeof(*set->s), cmp_key);
	for (i = 1; i < set->nr; i++) {
		if (strcmp(set->s[out].key, set->s[i].key) == 0) {
			set->s[out].count += set->s[i].count;
			free(set->s[i].key);
		} else {
			set->s[++out] = set->s[i];
		}
	}
	set->nr = out + 1;
}

static int build_set(struct series_set *set, const struct dm_view *v,
		     bool raw)
{
	size_t i;

	memset(set, 0, sizeof(*set));
	set->s = calloc(v->nr ? v->nr : 1, sizeof(*set->s));
	set->other = other_key(v);
	if (!set->s || !set->other)
		return -ENOMEM;
	for (i = 0; i < v->nr; i++, set->nr++) {
		set->s[i].key = series_key(v, i, raw);
		set->s[i].count = v->rows[i].count;
		if (!set->s[i].key)
			return -ENOMEM;
	}
	merge_equal(set);
	qsort(set->s, set->nr, sizeof(*set->s), cmp_count);
	return 0;
}

static bool was_shown(const struct dm_prom_state *st, const char *key)
{
	return st && st->nr &&
	       bsearch(&key, st->keys, st->nr, sizeof(*st->keys), cmp_str);
}

/*
 * Decide which series are written on their own: those written before,
 * then the largest, up to max (max - 1 if some must go to "other").
 */
static void choose(struct series_set *set, size_t max,
		   const struct dm_prom_state *st)
{
	size_t i, nr_shown = 0, nr_new = 0, cap = SIZE_MAX;

	for (i = 0; i < set->nr; i++) {
		if (strcmp(set->s[i].key, set->other) == 0)
			continue;
		set->s[i].shown = was_shown(st, set->s[i].key);
		if (set->s[i].shown)
			nr_shown++;
		else
			nr_new++;
	}
	if (max && nr_shown + nr_new > max)
		cap = max - 1;
	/* too many written before: the smallest go to "other" */
	for (i = set->nr; i-- > 0 && nr_shown > cap;) {
		if (set->s[i].shown) {
			set->s[i].shown = false;
			nr_shown--;
		}
	}
	for (i = 0; i < set->nr && nr_shown < cap; i++) {
		if (!set->s[i].shown && !was_shown(st, set->s[i].key) &&
		    strcmp(set->s[i].key, set->other) != 0) {
			set->s[i].shown = true;
			nr_shown++;
		}
	}
}

/* Remember what was written on its own; on -ENOMEM keep the old state. */
static int remember(struct dm_prom_state *st, struct series_set *set)
{
	size_t i, n = 0;
	char **keys;

	keys = calloc(set->nr ? set->nr : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < set->nr; i++) {
		if (set->s[i].shown) {
			keys[n++] = set->s[i].key;
			set->s[i].key = NULL;	/* moved */
		}
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	dm_prom_state_reset(st);
	st->keys = keys;
	st->nr = n;
	return 0;
}

static void put_sample(FILE *out, const struct dm_view *v, const char *key,
		       unsigned long long count)
{
	const char *sep = "{";
	char *copy = strdup(key), *p = copy, *val;
	size_t f;

	if (!copy)
		return;
	fputs("dropmon_drops_total", out);
	for (f = 0; f < DM_NR_FIELDS; f++) {
		if (!dm_view_has(v, f))
			continue;
		val = strsep(&p, "\t");
		fprintf(out, "%s%s=\"", sep, dm_field_names[f]);
		dm_prom_label_value(out, val ? val : "");
		fputc('"', out);
		sep = ",";
	}
	fprintf(out, "} %llu\n", count);
	free(copy);
}

static void put_help(FILE *out, const char *name, const char *type,
		     const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_series(FILE *out, const struct dm_view *v,
		       const struct series_set *set)
{
	unsigned long long other = 0;
	bool folded = false;
	size_t i;

	put_help(out, "dropmon_drops_total", "counter",
		 "Packets dropped since dropmon was loaded, by kernel location, drop reason, device, network namespace and protocol.");
	for (i = 0; i < set->nr; i++) {
		if (set->s[i].shown) {
			put_sample(out, v, set->s[i].key, set->s[i].count);
		} else {
			other += set->s[i].count;
			folded = true;
		}
	}
	if (folded)
		put_sample(out, v, set->other, other);
}

int dm_format_prometheus(FILE *out, const struct dm_view *v,
			 const struct dm_render *r, size_t max_series,
			 struct dm_prom_state *state)
{
	const struct dropmon_header *h = &v->st->hdr;
	struct series_set set;
	int ret = build_set(&set, v, r->raw);

	if (ret)
		goto out;
	choose(&set, max_series, state);
	put_help(out, "dropmon_up", "gauge",
		 "1 if dropmon-show could read the dropmon totals, 0 if not.");
	fputs("dropmon_up 1\n", out);
	put_series(out, v, &set);
	put_help(out, "dropmon_lost_total", "counter",
		 "Packets dropped since dropmon was loaded that could not be counted by key because max_keys keys were in use.");
	fprintf(out, "dropmon_lost_total %llu\n", h->lost);
	put_help(out, "dropmon_evicted_total", "counter",
		 "Packets dropped since dropmon was loaded whose keys were evicted from the full totals (total_keys), idle longest first; a key evicted and back later restarts from its new count, a counter reset.");
	fprintf(out, "dropmon_evicted_total %llu\n", h->evicted);
	put_help(out, "dropmon_snapshot_seq", "gauge",
		 "Number of dropmon intervals completed since the module was loaded.");
	fprintf(out, "dropmon_snapshot_seq %llu\n", h->seq);
	put_help(out, "dropmon_interval_seconds", "gauge",
		 "Length of one dropmon snapshot interval (the interval_ms module parameter).");
	fprintf(out, "dropmon_interval_seconds %llu.%03llu\n",
		h->interval_ms / 1000, h->interval_ms % 1000);
	/* without memory for it, the choice is remembered next time */
	if (state)
		remember(state, &set);
out:
	free_set(&set);
	return ret;
}

void dm_format_prometheus_down(FILE *out)
{
	put_help(out, "dropmon_up", "gauge",
		 "1 if dropmon-show could read the dropmon totals, 0 if not.");
	fputs("dropmon_up 0\n", out);
}

void dm_prom_state_reset(struct dm_prom_state *state)
{
	size_t i;

	for (i = 0; i < state->nr; i++)
		free(state->keys[i]);
	free(state->keys);
	state->keys = NULL;
	state->nr = 0;
}
