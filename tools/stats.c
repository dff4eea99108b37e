// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - parser for the dropmon debugfs stats/totals files (format=1, 2).
 *
 * Pure: no I/O, no global state.  See stats.h for the format.
 */
#include "stats.h"
#include "span.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define MAGIC		"# dropmon "
#define EXCERPT_MAX	SPAN_EXCERPT_MAX

const char dropmon_column_header[] =
	"# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto";

struct parser {
	const char *buf;
	size_t len;
	size_t pos;			/* start of the next line */
	unsigned long lineno;		/* number of the current line */
	struct dropmon_stats *st;
	struct dropmon_parse_error *err;
	char *pool;			/* next free byte in st->strings */
};

static const struct {
	const char *name;
	size_t offset;
} header_fields[] = {
	{ "format",	 offsetof(struct dropmon_header, format) },
	{ "seq",	 offsetof(struct dropmon_header, seq) },
	{ "interval_ms", offsetof(struct dropmon_header, interval_ms) },
	{ "start_ns",	 offsetof(struct dropmon_header, start_ns) },
	{ "end_ns",	 offsetof(struct dropmon_header, end_ns) },
	{ "keys",	 offsetof(struct dropmon_header, keys) },
	{ "drops",	 offsetof(struct dropmon_header, drops) },
	{ "lost",	 offsetof(struct dropmon_header, lost) },
	{ "evicted",	 offsetof(struct dropmon_header, evicted) },	/* format 2 */
};

/* The header fields of format @format: format 1 has no evicted=. */
static size_t header_nr_fields(unsigned long long format)
{
	return format == 1 ? ARRAY_SIZE(header_fields) - 1 :
			     ARRAY_SIZE(header_fields);
}

__attribute__((format(printf, 2, 3)))
static enum dropmon_parse_status fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	p->err->line = p->lineno;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return DROPMON_PARSE_MALFORMED;
}

/*
 * Fetch the next line (without its '\n') into @line.  Returns 1 on success,
 * 0 at the end of the input, or -1 after recording an error.
 */
static int next_line(struct parser *p, struct span *line)
{
	const char *why;
	int ret;

	if (p->pos == p->len)
		return 0;
	p->lineno++;
	ret = span_next_line(p->buf, p->len, &p->pos, DROPMON_LINE_MAX, line,
			     &why);
	if (ret < 0)
		fail(p, why, (size_t)DROPMON_LINE_MAX);
	return ret;
}

static enum dropmon_parse_status parse_header_field(struct parser *p,
						    struct span *rest,
						    size_t idx)
{
	const char *name = header_fields[idx].name;
	struct span tok, key;
	unsigned long long *val;
	enum num_status ns;
	char q[EXCERPT_MAX + 4];

	if (rest->len == 0)
		return fail(p, "header: missing field '%s'", name);
	span_split(rest, ' ', &tok);
	if (!span_split(&tok, '=', &key) || !span_eq(key, name))
		return fail(p, "header: expected '%s=', found '%s'", name,
			    span_excerpt(q, sizeof(q), key));

	val = (unsigned long long *)((char *)&p->st->hdr +
				     header_fields[idx].offset);
	ns = span_dec(tok, ULLONG_MAX, val);
	if (ns == NUM_OVERFLOW)
		return fail(p, "header: %s value overflows 64 bits", name);
	if (ns != NUM_OK)
		return fail(p, "header: %s='%s' is not an unsigned decimal number",
			    name, span_excerpt(q, sizeof(q), tok));
	return DROPMON_PARSE_OK;
}

static enum dropmon_parse_status parse_header(struct parser *p)
{
	struct span line, rest;
	enum dropmon_parse_status ret;
	size_t i;
	char q[EXCERPT_MAX + 4];

	if (next_line(p, &line) < 0)
		return DROPMON_PARSE_MALFORMED;
	if (line.len < strlen(MAGIC) || memcmp(line.p, MAGIC, strlen(MAGIC)))
		return fail(p, "bad magic (expected the line to start with '# dropmon ')");

	rest.p = line.p + strlen(MAGIC);
	rest.len = line.len - strlen(MAGIC);
	for (i = 0; i < header_nr_fields(p->st->hdr.format); i++) {
		ret = parse_header_field(p, &rest, i);
		if (ret)
			return ret;
		if (i == 0 && (p->st->hdr.format < DROPMON_FORMAT_OLDEST ||
			       p->st->hdr.format > DROPMON_FORMAT_VERSION)) {
			p->err->version = p->st->hdr.format;
			fail(p, "unknown format version %llu", p->st->hdr.format);
			return DROPMON_PARSE_VERSION;
		}
	}
	if (rest.len || line.p[line.len - 1] == ' ') {
		if (p->st->hdr.format == 1)
			return fail(p, "header: unexpected text after lost=%llu (format=1 has no evicted=): '%s'",
				    p->st->hdr.lost,
				    span_excerpt(q, sizeof(q), rest));
		return fail(p, "header: unexpected text after evicted=%llu: '%s'",
			    p->st->hdr.evicted, span_excerpt(q, sizeof(q), rest));
	}
	return DROPMON_PARSE_OK;
}

static enum dropmon_parse_status parse_column_header(struct parser *p)
{
	struct span line;
	int ret = next_line(p, &line);

	if (ret < 0)
		return DROPMON_PARSE_MALFORMED;
	if (ret == 0) {
		p->lineno++;
		return fail(p, "missing column header line");
	}
	if (!span_eq(line, dropmon_column_header))
		return fail(p, "column header is not '# count<TAB>location<TAB>symbol<TAB>module<TAB>reason<TAB>dev<TAB>netns<TAB>proto'");
	return DROPMON_PARSE_OK;
}

/* Validate a string field and copy it into the string pool. */
static enum dropmon_parse_status take_string(struct parser *p, struct span s,
					     const char *name, size_t max,
					     const char **out)
{
	char why[128];

	if (!span_string_ok(s, name, max, why, sizeof(why)))
		return fail(p, "%s", why);
	*out = span_copy(&p->pool, s);
	return DROPMON_PARSE_OK;
}

static enum dropmon_parse_status parse_numbers(struct parser *p,
					       const struct span *f,
					       struct dropmon_row *row)
{
	unsigned long long netns;
	enum num_status ns;
	char q[EXCERPT_MAX + 4];

	ns = span_dec(f[0], ULLONG_MAX, &row->count);
	if (ns == NUM_OVERFLOW)
		return fail(p, "count '%s' overflows 64 bits",
			    span_excerpt(q, sizeof(q), f[0]));
	if (ns != NUM_OK)
		return fail(p, "count '%s' is not an unsigned decimal number",
			    span_excerpt(q, sizeof(q), f[0]));
	if (!span_location(f[1], &row->location))
		return fail(p, "location '%s' is not 0x and 1-16 lowercase hex digits",
			    span_excerpt(q, sizeof(q), f[1]));
	ns = span_dec(f[6], UINT_MAX, &netns);
	if (ns == NUM_OVERFLOW)
		return fail(p, "netns '%s' overflows 32 bits",
			    span_excerpt(q, sizeof(q), f[6]));
	if (ns != NUM_OK)
		return fail(p, "netns '%s' is not an unsigned decimal number",
			    span_excerpt(q, sizeof(q), f[6]));
	row->netns = (unsigned int)netns;
	return DROPMON_PARSE_OK;
}

static enum dropmon_parse_status parse_strings(struct parser *p,
					       const struct span *f,
					       struct dropmon_row *row)
{
	enum dropmon_parse_status ret;

	ret = take_string(p, f[2], "symbol", DROPMON_SYMBOL_MAX, &row->symbol);
	if (!ret)
		ret = take_string(p, f[3], "module", DROPMON_MODULE_MAX,
				  &row->module);
	if (!ret)
		ret = take_string(p, f[4], "reason", DROPMON_REASON_MAX,
				  &row->reason);
	if (!ret)
		ret = take_string(p, f[5], "dev", DROPMON_DEV_MAX, &row->dev);
	if (!ret)
		ret = take_string(p, f[7], "proto", DROPMON_PROTO_MAX,
				  &row->proto);
	return ret;
}

/*
 * Split a data line at TABs into at most DROPMON_NR_FIELDS spans of @f.
 * Returns the total number of fields found, which may be larger.
 */
static size_t split_fields(struct span line, struct span *f)
{
	struct span extra;
	size_t n = 0;
	bool more = true;

	while (more && n < DROPMON_NR_FIELDS)
		more = span_split(&line, '\t', &f[n++]);
	while (more) {
		more = span_split(&line, '\t', &extra);
		n++;
	}
	return n;
}

static enum dropmon_parse_status parse_row(struct parser *p, struct span line)
{
	struct dropmon_stats *st = p->st;
	struct span f[DROPMON_NR_FIELDS];
	struct dropmon_row *row;
	enum dropmon_parse_status ret;
	size_t n;

	if (st->nr_rows >= st->hdr.keys)
		return fail(p, "more data lines than keys=%llu", st->hdr.keys);

	n = split_fields(line, f);
	if (n != DROPMON_NR_FIELDS)
		return fail(p, "expected %d TAB-separated fields, found %zu",
			    DROPMON_NR_FIELDS, n);

	row = &st->rows[st->nr_rows];
	ret = parse_numbers(p, f, row);
	if (!ret)
		ret = parse_strings(p, f, row);
	if (!ret)
		st->nr_rows++;
	return ret;
}

/* Size the row array and string pool for the rest of the input. */
static enum dropmon_parse_status alloc_rows(struct parser *p)
{
	struct dropmon_stats *st = p->st;
	size_t remain = p->len - p->pos;
	size_t lines = span_count_lines(p->buf + p->pos, remain);
	size_t max = st->hdr.keys < lines ? (size_t)st->hdr.keys : lines;

	if (max == 0)
		return DROPMON_PARSE_OK;
	st->rows = calloc(max, sizeof(*st->rows));
	st->strings = malloc(remain);
	if (!st->rows || !st->strings)
		return DROPMON_PARSE_NOMEM;
	p->pool = st->strings;
	return DROPMON_PARSE_OK;
}

static enum dropmon_parse_status parse_rows(struct parser *p)
{
	struct dropmon_stats *st = p->st;
	enum dropmon_parse_status ret;
	struct span line;
	int more;

	ret = alloc_rows(p);
	while (!ret && (more = next_line(p, &line)) != 0) {
		if (more < 0)
			return DROPMON_PARSE_MALFORMED;
		ret = parse_row(p, line);
	}
	if (ret)
		return ret;
	if (st->nr_rows != st->hdr.keys) {
		p->lineno++;
		return fail(p, "file ends after %zu data lines but keys=%llu",
			    st->nr_rows, st->hdr.keys);
	}
	return DROPMON_PARSE_OK;
}

/* sum(count) + lost + evicted == drops, reported against the header line. */
static enum dropmon_parse_status check_invariant(struct parser *p)
{
	const struct dropmon_stats *st = p->st;
	const struct dropmon_header *h = &st->hdr;
	unsigned long long sum = 0;
	size_t i;

	p->lineno = 1;
	for (i = 0; i < st->nr_rows; i++) {
		if (st->rows[i].count > ULLONG_MAX - sum)
			return fail(p, "sum of counts overflows 64 bits (drops=%llu)",
				    h->drops);
		sum += st->rows[i].count;
	}
	if (h->lost > ULLONG_MAX - sum || h->evicted > ULLONG_MAX - sum - h->lost ||
	    sum + h->lost + h->evicted != h->drops)
		return fail(p, "drops=%llu but sum of counts (%llu) + lost (%llu) + evicted (%llu) differs",
			    h->drops, sum, h->lost, h->evicted);
	return DROPMON_PARSE_OK;
}

enum dropmon_parse_status dropmon_stats_parse(const char *buf, size_t len,
					      struct dropmon_stats *st,
					      struct dropmon_parse_error *err)
{
	struct dropmon_parse_error dummy;
	struct parser p = {
		.buf = buf,
		.len = len,
		.st = st,
		.err = err ? err : &dummy,
	};
	enum dropmon_parse_status ret;

	memset(st, 0, sizeof(*st));
	memset(p.err, 0, sizeof(*p.err));
	if (len == 0) {
		p.lineno = 1;
		ret = fail(&p, "file is empty");
		goto out;
	}
	ret = parse_header(&p);
	if (!ret)
		ret = parse_column_header(&p);
	if (!ret)
		ret = parse_rows(&p);
	if (!ret)
		ret = check_invariant(&p);
	if (ret == DROPMON_PARSE_NOMEM)
		snprintf(p.err->msg, sizeof(p.err->msg), "out of memory");
out:
	if (ret)
		dropmon_stats_free(st);
	return ret;
}

enum dropmon_parse_status dropmon_header_parse(const char *buf, size_t len,
					       struct dropmon_header *hdr,
					       struct dropmon_parse_error *err)
{
	struct dropmon_parse_error dummy;
	struct dropmon_stats st;
	struct parser p = {
		.buf = buf,
		.len = len,
		.st = &st,
		.err = err ? err : &dummy,
	};
	enum dropmon_parse_status ret;

	memset(&st, 0, sizeof(st));
	memset(p.err, 0, sizeof(*p.err));
	memset(hdr, 0, sizeof(*hdr));
	if (len == 0) {
		p.lineno = 1;
		return fail(&p, "file is empty");
	}
	ret = parse_header(&p);
	if (!ret)
		*hdr = st.hdr;
	return ret;
}

void dropmon_stats_free(struct dropmon_stats *st)
{
	free(st->rows);
	free(st->strings);
	memset(st, 0, sizeof(*st));
}
