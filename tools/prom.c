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

/*
 * One dropmon_drops_total series.  Its key is its label text as written
 * between the braces, name="escaped value" joined by commas: series are
 * merged, chosen and remembered by what a reader sees, so that two raw
 * values that escape to the same text (a device named "\\xff" and one
 * with the byte 0xff) are one series, never two with the same labels.
 */
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

/* The netns_name of row @i (NULL: none), as dm_row_ns_name() gives it. */
static const char *ns_label(const struct dm_view *v, const struct dm_render *r,
			    size_t i)
{
	const struct dm_ns_name *e = dm_row_ns_name(v, r, i);

	return e ? e->name : NULL;
}

/*
 * The label text of row @i: name="value",... escaped, netns_name after
 * netns when there are names.
 */
static char *series_key(const struct dm_view *v, const struct dm_render *r,
			size_t i)
{
	char loc[DROPMON_SYMBOL_MAX + 32], num[32], *key = NULL;
	const char *sep = "", *val, *ns = ns_label(v, r, i);
	bool raw = r->raw;
	size_t f, len = 0;
	FILE *out = open_memstream(&key, &len);

	if (!out)
		return NULL;
	location_label(loc, sizeof(loc), dm_vrow_key(v, i), raw);
	for (f = 0; f < DM_NR_FIELDS; f++) {
		if (!dm_view_has(v, f))
			continue;
		val = f == DM_LOCATION ? loc
		      : dm_field_text(v, i, f, raw, num, sizeof(num));
		fprintf(out, "%s%s=\"", sep, dm_field_names[f]);
		dm_prom_label_value(out, val);
		fputc('"', out);
		sep = ",";
		if (f == DM_NETNS && ns) {
			fputs(",netns_name=\"", out);
			dm_prom_label_value(out, ns);
			fputc('"', out);
		}
	}
	if (fclose(out)) {
		free(key);
		return NULL;
	}
	return key;
}

/* netns_name, when there are names, is "other" too. */
static char *other_key(const struct dm_view *v, bool names)
{
	char *key = NULL;
	const char *sep = "";
	size_t f, len = 0;
	FILE *out = open_memstream(&key, &len);

	if (!out)
		return NULL;
	for (f = 0; f < DM_NR_FIELDS; f++) {
		if (!dm_view_has(v, f))
			continue;
		fprintf(out, "%s%s=\"" OTHER "\"", sep, dm_field_names[f]);
		sep = ",";
		if (f == DM_NETNS && names)
			fputs(",netns_name=\"" OTHER "\"", out);
	}
	if (fclose(out)) {
		free(key);
		return NULL;
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

/*
 * Merge series with equal labels: two addresses at one symbol+offset, or
 * two values that escape to the same text.
 */
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
		     const struct dm_render *r)
{
	size_t i;

	memset(set, 0, sizeof(*set));
	set->s = calloc(v->nr ? v->nr : 1, sizeof(*set->s));
	set->other = other_key(v, r->names);
	if (!set->s || !set->other)
		return -ENOMEM;
	for (i = 0; i < v->nr; i++, set->nr++) {
		set->s[i].key = series_key(v, r, i);
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

static void put_sample(FILE *out, const char *key, unsigned long long count)
{
	fprintf(out, "dropmon_drops_total{%s} %llu\n", key, count);
}

static void put_help(FILE *out, const char *name, const char *type,
		     const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_series(FILE *out, const struct series_set *set)
{
	unsigned long long other = 0;
	bool folded = false;
	size_t i;

	put_help(out, "dropmon_drops_total", "counter",
		 "Packets dropped since dropmon was loaded, by kernel location, drop reason, device, network namespace and protocol.");
	for (i = 0; i < set->nr; i++) {
		if (set->s[i].shown) {
			put_sample(out, set->s[i].key, set->s[i].count);
		} else {
			other += set->s[i].count;
			folded = true;
		}
	}
	if (folded)
		put_sample(out, set->other, other);
}

int dm_format_prometheus(FILE *out, const struct dm_view *v,
			 const struct dm_render *r, size_t max_series,
			 struct dm_prom_state *state)
{
	const struct dropmon_header *h = &v->st->hdr;
	struct series_set set;
	int ret = build_set(&set, v, r);

	if (ret)
		goto out;
	choose(&set, max_series, state);
	put_help(out, "dropmon_up", "gauge",
		 "1 if dropmon-show could read the dropmon totals, 0 if not.");
	fputs("dropmon_up 1\n", out);
	put_series(out, &set);
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
	if (r->watch) {
		put_help(out, "dropmon_snapshots_missed_total", "counter",
			 "Snapshots this dropmon-show --watch did not read: replaced before it came to them (a gap in seq).");
		fprintf(out, "dropmon_snapshots_missed_total %llu\n",
			r->missed_total);
	}
	/* without memory for it, the choice is remembered next time */
	if (state)
		remember(state, &set);
out:
	free_set(&set);
	return ret;
}

void dm_format_prometheus_down(FILE *out, const struct dm_prom_state *state)
{
	size_t i;

	put_help(out, "dropmon_up", "gauge",
		 "1 if dropmon-show could read the dropmon totals, 0 if not.");
	fputs("dropmon_up 0\n", out);
	if (!state || !state->nr)
		return;
	fputs("# The series dropmon-show writes on their own, not in \"other\",\n"
	      "# kept for its next run (see dropmon-show(8)):\n", out);
	for (i = 0; i < state->nr; i++)
		fprintf(out, DM_PROM_KEPT "{%s}\n", state->keys[i]);
}

/*
 * The label text of a dropmon_drops_total line of @line, or of a kept
 * line: what lies between the first '{' and the last '}' (a value may hold
 * either, a count neither).  NULL if @line is neither.
 */
static char *line_key(const char *line)
{
	static const char series[] = "dropmon_drops_total{";
	const char *p, *end;

	if (strncmp(line, series, sizeof(series) - 1) == 0)
		p = line + sizeof(series) - 1;
	else if (strncmp(line, DM_PROM_KEPT "{", sizeof(DM_PROM_KEPT)) == 0)
		p = line + sizeof(DM_PROM_KEPT);
	else
		return NULL;
	end = strrchr(p, '}');
	if (!end || end == p)
		return NULL;
	return strndup(p, end - p);
}

int dm_prom_state_seed(struct dm_prom_state *state, FILE *in)
{
	char *line = NULL, *key, **keys;
	size_t size = 0, i, n = 0;
	ssize_t len;

	dm_prom_state_reset(state);
	while ((len = getline(&line, &size, in)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		key = line_key(line);
		if (!key)
			continue;
		keys = realloc(state->keys, (state->nr + 1) * sizeof(*keys));
		if (!keys) {
			free(key);
			free(line);
			dm_prom_state_reset(state);
			return -ENOMEM;
		}
		state->keys = keys;
		state->keys[state->nr++] = key;
	}
	free(line);
	if (!state->nr)
		return 0;
	qsort(state->keys, state->nr, sizeof(*state->keys), cmp_str);
	for (i = 1; i < state->nr; i++) {
		if (strcmp(state->keys[n], state->keys[i]) == 0)
			free(state->keys[i]);
		else
			state->keys[++n] = state->keys[i];
	}
	state->nr = n + 1;
	return 0;
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
