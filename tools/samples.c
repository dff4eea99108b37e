// SPDX-License-Identifier: GPL-2.0
/*
 * samples.c - parser for the dropmon samples files (dropmon-samples
 * format=1) and the join to the stats rows; see samples.h.
 *
 * Pure: no I/O, no global state.  Strict as the stats parser: every field
 * is checked, counted and bounded, and the first problem is reported with
 * its line.
 */
#include "samples.h"
#include "span.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC		"# dropmon-samples "
#define EXCERPT_MAX	SPAN_EXCERPT_MAX

const char *const dropmon_sample_header_names[3] = {
	[DROPMON_HDR_MAC]	= "mac",
	[DROPMON_HDR_NETWORK]	= "network",
	[DROPMON_HDR_NONE]	= "none",
};

struct parser {
	const char *buf;
	size_t len;
	size_t pos;
	unsigned long lineno;
	struct dropmon_samples *sm;
	struct dropmon_parse_error *err;
	char *pool;			/* next free byte of sm->pool */
	size_t nr_frames;		/* used of sm->frames */
	size_t max_samples, max_frames;
};

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

/* Unsigned decimal of at most @max: false if not digits or too large. */
static bool parse_dec(struct span s, unsigned long long max,
		      unsigned long long *out)
{
	return span_dec(s, max, out) == NUM_OK;
}

/* The next line without its '\n'; 1, 0 at the end, -1 after an error. */
static int next_line(struct parser *p, struct span *line)
{
	const char *why;
	int ret;

	if (p->pos == p->len)
		return 0;
	p->lineno++;
	ret = span_next_line(p->buf, p->len, &p->pos, DROPMON_SAMPLES_LINE_MAX,
			     line, &why);
	if (ret < 0)
		fail(p, why, (size_t)DROPMON_SAMPLES_LINE_MAX);
	return ret;
}

/* Look at the next line without taking it: its first field in @tag. */
static bool peek_tag(const struct parser *p, struct span *tag)
{
	struct span rest = { p->buf + p->pos, p->len - p->pos };
	const char *nl = memchr(rest.p, '\n', rest.len);

	if (nl)
		rest.len = nl - rest.p;
	span_split(&rest, '\t', tag);
	return p->pos < p->len;
}

/* "name=DECIMAL" as the next space-separated token of @rest. */
static enum dropmon_parse_status take_kv(struct parser *p, struct span *rest,
					 const char *what, const char *name,
					 unsigned long long *out)
{
	struct span tok, key;
	char q[EXCERPT_MAX + 4];

	if (rest->len == 0)
		return fail(p, "%s: missing field '%s='", what, name);
	span_split(rest, ' ', &tok);
	if (!span_split(&tok, '=', &key) || !span_eq(key, name))
		return fail(p, "%s: expected '%s=', found '%s'", what, name,
			    span_excerpt(q, sizeof(q), key));
	if (!parse_dec(tok, ULLONG_MAX, out))
		return fail(p, "%s: %s='%s' is not an unsigned decimal number below 2^64",
			    what, name, span_excerpt(q, sizeof(q), tok));
	return DROPMON_PARSE_OK;
}

static enum dropmon_parse_status parse_header(struct parser *p)
{
	static const char *const names[] = { "format", "seq", "keys",
					     "unsampled" };
	struct dropmon_samples_header *h = &p->sm->hdr;
	unsigned long long *vals[] = { &h->format, &h->seq, &h->keys,
				       &h->unsampled };
	enum dropmon_parse_status ret;
	struct span line, rest;
	char q[EXCERPT_MAX + 4];
	size_t i;

	if (next_line(p, &line) < 0)
		return DROPMON_PARSE_MALFORMED;
	if (line.len < strlen(MAGIC) || memcmp(line.p, MAGIC, strlen(MAGIC)))
		return fail(p, "bad magic (expected the line to start with '# dropmon-samples ')");
	rest.p = line.p + strlen(MAGIC);
	rest.len = line.len - strlen(MAGIC);
	for (i = 0; i < 4; i++) {
		ret = take_kv(p, &rest, "header", names[i], vals[i]);
		if (ret)
			return ret;
		if (i == 0 && h->format != DROPMON_SAMPLES_FORMAT_VERSION) {
			p->err->version = h->format;
			fail(p, "unknown samples format version %llu", h->format);
			return DROPMON_PARSE_VERSION;
		}
	}
	if (rest.len || line.p[line.len - 1] == ' ')
		return fail(p, "header: unexpected text after unsampled=%llu: '%s'",
			    h->unsampled, span_excerpt(q, sizeof(q), rest));
	return DROPMON_PARSE_OK;
}

/* Check a string field and copy it into the pool. */
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

/* Split @line at TABs into exactly @n fields, or fail naming @what. */
static enum dropmon_parse_status split_exact(struct parser *p,
					     struct span line, struct span *f,
					     size_t n, const char *what)
{
	size_t found = 0;
	bool more = true;
	struct span extra;

	while (more && found < n)
		more = span_split(&line, '\t', &f[found++]);
	while (more) {
		more = span_split(&line, '\t', &extra);
		found++;
	}
	if (found != n)
		return fail(p, "%s line: expected %zu TAB-separated fields, found %zu",
			    what, n, found);
	return DROPMON_PARSE_OK;
}

/* The key columns f[1..5] of a sample line. */
static enum dropmon_parse_status parse_key(struct parser *p,
					   const struct span *f,
					   struct dropmon_sample *s)
{
	enum dropmon_parse_status ret;
	unsigned long long netns;
	char q[EXCERPT_MAX + 4];

	if (!span_location(f[1], &s->location))
		return fail(p, "sample: location '%s' is not 0x and 1-16 lowercase hex digits",
			    span_excerpt(q, sizeof(q), f[1]));
	if (!parse_dec(f[4], UINT_MAX, &netns))
		return fail(p, "sample: netns '%s' is not an unsigned decimal number below 2^32",
			    span_excerpt(q, sizeof(q), f[4]));
	s->netns = (unsigned int)netns;
	ret = take_string(p, f[2], "reason", DROPMON_REASON_MAX, &s->reason);
	if (!ret)
		ret = take_string(p, f[3], "dev", DROPMON_DEV_MAX, &s->dev);
	if (!ret)
		ret = take_string(p, f[5], "proto", DROPMON_PROTO_MAX,
				  &s->proto);
	return ret;
}

/* "time_ns=T len=L header=H bytes=B" */
static enum dropmon_parse_status parse_attrs(struct parser *p, struct span a,
					     struct dropmon_sample *s)
{
	unsigned long long bytes;
	enum dropmon_parse_status ret;
	struct span tok, key;
	char q[EXCERPT_MAX + 4];
	size_t i;

	ret = take_kv(p, &a, "sample", "time_ns", &s->time_ns);
	if (!ret)
		ret = take_kv(p, &a, "sample", "len", &s->len);
	if (ret)
		return ret;
	span_split(&a, ' ', &tok);
	if (!span_split(&tok, '=', &key) || !span_eq(key, "header"))
		return fail(p, "sample: expected 'header=', found '%s'",
			    span_excerpt(q, sizeof(q), key));
	for (i = 0; i < 3; i++)
		if (span_eq(tok, dropmon_sample_header_names[i]))
			break;
	if (i == 3)
		return fail(p, "sample: header='%s' is not mac, network or none",
			    span_excerpt(q, sizeof(q), tok));
	s->header = i;
	ret = take_kv(p, &a, "sample", "bytes", &bytes);
	if (ret)
		return ret;
	if (a.len || a.p[-1] == ' ')
		return fail(p, "sample: unexpected text after bytes=%llu: '%s'",
			    bytes, span_excerpt(q, sizeof(q), a));
	if (bytes > DROPMON_SAMPLE_BYTES_MAX)
		return fail(p, "sample: bytes=%llu is more than %d", bytes,
			    DROPMON_SAMPLE_BYTES_MAX);
	if (s->header == DROPMON_HDR_NONE && bytes)
		return fail(p, "sample: header=none with bytes=%llu (must be 0)",
			    bytes);
	s->nr_bytes = bytes;
	return DROPMON_PARSE_OK;
}

static enum dropmon_parse_status parse_sample_line(struct parser *p,
						   struct span line,
						   struct dropmon_sample *s)
{
	enum dropmon_parse_status ret;
	struct span f[7];

	ret = split_exact(p, line, f, 7, "sample");
	if (!ret)
		ret = parse_key(p, f, s);
	if (!ret)
		ret = parse_attrs(p, f[6], s);
	return ret;
}

static enum dropmon_parse_status parse_packet_line(struct parser *p,
						   struct dropmon_sample *s)
{
	unsigned char *out = (unsigned char *)p->pool;
	struct span line, tag, hex;
	size_t i;
	int ret = next_line(p, &line);

	if (ret < 0)
		return DROPMON_PARSE_MALFORMED;
	if (ret == 0) {
		p->lineno++;
		return fail(p, "file ends before the packet line of the sample on line %lu",
			    s->line);
	}
	hex = line;
	if (!span_split(&hex, '\t', &tag) || !span_eq(tag, "packet"))
		return fail(p, "expected 'packet<TAB>HEX' after the sample line");
	if (hex.len != 2 * s->nr_bytes)
		return fail(p, "packet: %zu hex digits, but bytes=%zu needs %zu",
			    hex.len, s->nr_bytes, 2 * s->nr_bytes);
	for (i = 0; i < s->nr_bytes; i++) {
		int hi = span_hex_digit(hex.p[2 * i]), lo = span_hex_digit(hex.p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return fail(p, "packet: byte %zu is not two lowercase hex digits",
				    i);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	s->bytes = out;
	p->pool += s->nr_bytes;
	return DROPMON_PARSE_OK;
}

static enum dropmon_parse_status parse_frame(struct parser *p,
					     struct span line,
					     struct dropmon_sample *s)
{
	struct dropmon_frame *fr = &p->sm->frames[p->nr_frames];
	enum dropmon_parse_status ret;
	unsigned long long idx;
	char q[EXCERPT_MAX + 4];
	struct span f[4];

	if (s->nr_frames >= DROPMON_SAMPLE_FRAMES_MAX)
		return fail(p, "more than %d frames in one sample",
			    DROPMON_SAMPLE_FRAMES_MAX);
	if (p->nr_frames >= p->max_frames)
		return fail(p, "more frame lines than lines");	/* cannot be */
	ret = split_exact(p, line, f, 4, "frame");
	if (ret)
		return ret;
	if (!parse_dec(f[1], ULLONG_MAX, &idx) || idx != s->nr_frames)
		return fail(p, "frame index '%s' where %zu was due (frames count 0, 1, 2...)",
			    span_excerpt(q, sizeof(q), f[1]), s->nr_frames);
	ret = take_string(p, f[2], "frame symbol", DROPMON_SYMBOL_MAX,
			  &fr->symbol);
	if (!ret)
		ret = take_string(p, f[3], "frame module", DROPMON_MODULE_MAX,
				  &fr->module);
	if (ret)
		return ret;
	if (!s->nr_frames)
		s->frames = fr;
	s->nr_frames++;
	p->nr_frames++;
	return DROPMON_PARSE_OK;
}

/* One block: the sample line (in @line), its packet line and its frames. */
static enum dropmon_parse_status parse_block(struct parser *p,
					     struct span line)
{
	struct dropmon_samples *sm = p->sm;
	struct dropmon_sample *s;
	enum dropmon_parse_status ret;
	struct span tag;

	if (sm->nr >= sm->hdr.keys)
		return fail(p, "more sample blocks than keys=%llu",
			    sm->hdr.keys);
	if (sm->nr >= p->max_samples)
		return fail(p, "more sample blocks than lines");	/* cannot be */
	s = &sm->samples[sm->nr];
	s->line = p->lineno;
	ret = parse_sample_line(p, line, s);
	if (!ret)
		ret = parse_packet_line(p, s);
	while (!ret && peek_tag(p, &tag) && span_eq(tag, "frame")) {
		if (next_line(p, &line) < 0)
			return DROPMON_PARSE_MALFORMED;
		ret = parse_frame(p, line, s);
	}
	if (!ret)
		sm->nr++;
	return ret;
}

/*
 * Every string copied is followed in the input by a separator (room for
 * its NUL), and bytes take half their hex: the rest of the input bounds
 * the pool.
 */
static enum dropmon_parse_status alloc_blocks(struct parser *p)
{
	struct dropmon_samples *sm = p->sm;
	size_t remain = p->len - p->pos;
	size_t lines = span_count_lines(p->buf + p->pos, remain);

	/* each block and frame starts at a line that had its '\n' */
	p->max_samples = sm->hdr.keys < lines ? sm->hdr.keys : lines;
	p->max_frames = lines;
	if (lines == 0)
		return DROPMON_PARSE_OK;
	sm->samples = calloc(p->max_samples ? p->max_samples : 1,
			     sizeof(*sm->samples));
	sm->frames = calloc(lines, sizeof(*sm->frames));
	sm->pool = malloc(remain);
	if (!sm->samples || !sm->frames || !sm->pool)
		return DROPMON_PARSE_NOMEM;
	p->pool = sm->pool;
	return DROPMON_PARSE_OK;
}

static enum dropmon_parse_status parse_blocks(struct parser *p)
{
	struct dropmon_samples *sm = p->sm;
	enum dropmon_parse_status ret;
	struct span line, tag, rest;
	char q[EXCERPT_MAX + 4];
	int more;

	ret = alloc_blocks(p);
	while (!ret && (more = next_line(p, &line)) != 0) {
		if (more < 0)
			return DROPMON_PARSE_MALFORMED;
		rest = line;
		span_split(&rest, '\t', &tag);
		if (span_eq(tag, "frame"))
			ret = fail(p, "frame line outside a sample block");
		else if (!span_eq(tag, "sample"))
			ret = fail(p, "expected a 'sample' line, found '%s'",
				   span_excerpt(q, sizeof(q), tag));
		else
			ret = parse_block(p, line);
	}
	if (ret)
		return ret;
	if (sm->nr != sm->hdr.keys) {
		p->lineno++;
		return fail(p, "file ends after %zu sample blocks but keys=%llu",
			    sm->nr, sm->hdr.keys);
	}
	return DROPMON_PARSE_OK;
}

enum dropmon_parse_status dropmon_samples_parse(const char *buf, size_t len,
						struct dropmon_samples *sm,
						struct dropmon_parse_error *err)
{
	struct dropmon_parse_error dummy;
	struct parser p = {
		.buf = buf,
		.len = len,
		.sm = sm,
		.err = err ? err : &dummy,
	};
	enum dropmon_parse_status ret;

	memset(sm, 0, sizeof(*sm));
	memset(p.err, 0, sizeof(*p.err));
	if (len == 0) {
		p.lineno = 1;
		ret = fail(&p, "file is empty");
		goto out;
	}
	ret = parse_header(&p);
	if (!ret)
		ret = parse_blocks(&p);
	if (ret == DROPMON_PARSE_NOMEM)
		snprintf(p.err->msg, sizeof(p.err->msg), "out of memory");
out:
	if (ret)
		dropmon_samples_free(sm);
	return ret;
}

void dropmon_samples_free(struct dropmon_samples *sm)
{
	free(sm->samples);
	free(sm->frames);
	free(sm->pool);
	memset(sm, 0, sizeof(*sm));
}

/* ------------------------------------------------------------------ */
/* Join                                                                */
/* ------------------------------------------------------------------ */

static bool same_key(const struct dropmon_row *r,
		     const struct dropmon_sample *s)
{
	return r->location == s->location && r->netns == s->netns &&
	       strcmp(r->reason, s->reason) == 0 &&
	       strcmp(r->dev, s->dev) == 0 && strcmp(r->proto, s->proto) == 0;
}

__attribute__((format(printf, 3, 4)))
static enum dropmon_parse_status join_fail(struct dropmon_parse_error *err,
					   unsigned long line,
					   const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return DROPMON_PARSE_MALFORMED;
}

enum dropmon_parse_status
dropmon_samples_join(const struct dropmon_stats *st,
		     const struct dropmon_samples *sm,
		     const struct dropmon_sample **by_row,
		     struct dropmon_parse_error *err)
{
	struct dropmon_parse_error dummy;
	unsigned long long unsampled = 0;
	size_t i, r = 0;

	err = err ? err : &dummy;
	memset(err, 0, sizeof(*err));
	for (i = 0; i < st->nr_rows; i++)
		by_row[i] = NULL;
	for (i = 0; i < sm->nr; i++) {
		const struct dropmon_sample *s = &sm->samples[i];

		while (r < st->nr_rows && !same_key(&st->rows[r], s))
			r++;
		if (r == st->nr_rows)
			return join_fail(err, s->line, "sample of 0x%llx %s %s %u %s matches no stats row in order (not the same snapshot?)",
					 s->location, s->reason, s->dev,
					 s->netns, s->proto);
		by_row[r++] = s;
	}
	for (i = 0; i < st->nr_rows; i++)
		if (!by_row[i])
			unsampled += st->rows[i].count;	/* <= drops: no overflow */
	if (unsampled != sm->hdr.unsampled)
		return join_fail(err, 1, "unsampled=%llu but the stats rows without a sample count %llu events",
				 sm->hdr.unsampled, unsampled);
	return DROPMON_PARSE_OK;
}
