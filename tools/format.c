// SPDX-License-Identifier: GPL-2.0
/*
 * format.c - the table, classic and JSON output of dropmon-show.
 *
 * Pure apart from writing to the given stream and reading the time zone
 * (localtime_r); see format.h.
 */
#include "format.h"

#include "decode.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CELL_MAX	(DROPMON_SYMBOL_MAX * 4 + 64)	/* "\xNN" per byte */

/* ANSI SGR parameters */
#define SGR_BOLD	"1"
#define SGR_RED		"31"
#define SGR_GREEN	"32"
#define SGR_YELLOW	"33"
#define SGR_CYAN	"36"

enum col {
	COL_COUNT,
	COL_RATE,
	COL_LOCATION,
	COL_MODULE,
	COL_REASON,
	COL_DEV,
	COL_NETNS,
	COL_PROTO,
	NR_COLS,
};

static const struct {
	const char *title;
	bool right;			/* right-aligned */
	const char *sgr;		/* colour of the cells, or NULL */
} cols[NR_COLS] = {
	[COL_COUNT]	= { "COUNT",	true,	SGR_BOLD },
	[COL_RATE]	= { "RATE/s",	true,	NULL },
	[COL_LOCATION]	= { "LOCATION",	false,	SGR_CYAN },
	[COL_MODULE]	= { "MODULE",	false,	NULL },
	[COL_REASON]	= { "REASON",	false,	SGR_YELLOW },
	[COL_DEV]	= { "DEV",	false,	SGR_GREEN },
	[COL_NETNS]	= { "NETNS",	true,	NULL },
	[COL_PROTO]	= { "PROTO",	false,	NULL },
};

/* One output line, cut at max columns (escape sequences not counted). */
struct line {
	FILE *out;
	size_t col;
	size_t max;			/* 0: no limit */
	bool color;
};

/* ------------------------------------------------------------------ */
/* Text helpers                                                        */
/* ------------------------------------------------------------------ */

size_t dm_utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned int cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

size_t dm_term_text(char *buf, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s && n + 5 < size; s++) {
		unsigned char c = *s;

		if (c >= 0x20 && c < 0x7f)
			buf[n++] = (char)c;
		else
			n += snprintf(buf + n, size - n, "\\x%02x", c);
	}
	buf[n] = '\0';
	return n;
}

static void json_ascii(FILE *out, unsigned char c)
{
	if (c == '"' || c == '\\')
		fprintf(out, "\\%c", c);
	else if (c == '\n')
		fputs("\\n", out);
	else if (c == '\t')
		fputs("\\t", out);
	else if (c == '\r')
		fputs("\\r", out);
	else if (c < 0x20 || c == 0x7f)
		fprintf(out, "\\u%04x", c);
	else
		fputc(c, out);
}

void dm_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', out);
	for (; *p; p += n) {
		n = dm_utf8_len(p);
		if (n == 1)
			json_ascii(out, *p);
		else if (n)
			fwrite(p, 1, n, out);
		else
			fprintf(out, "\\u%04x", *p), n = 1;
	}
	fputc('"', out);
}

const char *dm_format_seconds(char *buf, size_t size, unsigned long long ns)
{
	snprintf(buf, size, "%llu.%03llu", ns / 1000000000ULL,
		 ns / 1000000ULL % 1000);
	return buf;
}

const char *dm_format_time(char *buf, size_t size, unsigned long long boot_ns,
			   long long wall_offset_ns)
{
	long long sec = (long long)(boot_ns / 1000000000ULL) +
			wall_offset_ns / 1000000000LL;
	long long ns = (long long)(boot_ns % 1000000000ULL) +
		       wall_offset_ns % 1000000000LL;
	struct tm tm;
	time_t t;
	long off;
	size_t n;

	sec += ns / 1000000000LL - (ns < 0 && ns % 1000000000LL);
	t = (time_t)sec;
	if (boot_ns == 0 || !localtime_r(&t, &tm)) {
		snprintf(buf, size, "-");
		return buf;
	}
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf + n, size - n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		 labs(off) / 60, labs(off) % 60);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */
/* ------------------------------------------------------------------ */

static void lw_text(struct line *l, const char *s, size_t len)
{
	if (l->max) {
		size_t room = l->col < l->max ? l->max - l->col : 0;

		if (len > room)
			len = room;
	}
	fwrite(s, 1, len, l->out);
	l->col += len;
}

static void lw_pad(struct line *l, size_t n)
{
	static const char spaces[] = "                                ";

	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		lw_text(l, spaces, k);
		n -= k;
	}
}

static void lw_sgr(struct line *l, const char *sgr)
{
	if (l->color && sgr)
		fprintf(l->out, "\033[%sm", sgr);
}

static void lw_reset(struct line *l, const char *sgr)
{
	if (l->color && sgr)
		fputs("\033[0m", l->out);
}

/* printf into the line (one header line is short). */
__attribute__((format(printf, 2, 3)))
static void lw_printf(struct line *l, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		lw_text(l, buf, (size_t)n < sizeof(buf) ? (size_t)n
							: sizeof(buf) - 1);
}

static void lw_end(struct line *l)
{
	fputc('\n', l->out);
	l->col = 0;
}

/* ------------------------------------------------------------------ */
/* Samples                                                             */
/* ------------------------------------------------------------------ */

/* The sample of shown row @i: its key's (--samples excludes --by). */
static const struct dropmon_sample *row_sample(const struct dm_view *v,
					       const struct dm_render *r,
					       size_t i)
{
	return v->rows[i].nr_keys == 1 ? r->samples[v->rows[i].first] : NULL;
}

#define HEX_PER_LINE	32	/* bytes */

void dm_format_sample(FILE *out, const struct dropmon_sample *sm,
		      const char *indent)
{
	char sym[CELL_MAX], mod[DROPMON_MODULE_MAX * 4 + 8];
	char sum[512], hex[2 * HEX_PER_LINE + 1];
	struct dm_packet pk;
	size_t i, n;

	if (!sm) {
		fprintf(out, "%s(no sample)\n", indent);
		return;
	}
	for (i = 0; i < sm->nr_frames; i++) {
		dm_term_text(sym, sizeof(sym), sm->frames[i].symbol);
		dm_term_text(mod, sizeof(mod), sm->frames[i].module);
		fprintf(out, "%sframe %-2zu %s (%s)\n", indent, i, sym, mod);
	}
	if (sm->header == DROPMON_HDR_NONE) {
		fprintf(out, "%spacket   no bytes (header=none, len %llu)\n",
			indent, sm->len);
		return;
	}
	dm_decode(sm->bytes, sm->nr_bytes, sm->len, sm->header, sm->proto, &pk);
	fprintf(out, "%spacket   %s (%s header, %zu of %llu bytes)\n", indent,
		dm_packet_summary(&pk, sum, sizeof(sum)),
		dropmon_sample_header_names[sm->header], sm->nr_bytes, sm->len);
	for (i = pk.decoded; i < sm->nr_bytes; i += n) {
		n = sm->nr_bytes - i < HEX_PER_LINE ? sm->nr_bytes - i
						    : HEX_PER_LINE;
		fprintf(out, "%s%s %s\n", indent, i == pk.decoded ? "rest    " : "        ",
			dm_hex(sm->bytes + i, n, hex, sizeof(hex)));
	}
}

static void json_opt_str(FILE *out, const char *name, const char *s)
{
	fprintf(out, ",\"%s\":", name);
	if (s && *s)
		dm_json_string(out, s);
	else
		fputs("null", out);
}

static void json_opt_uint(FILE *out, const char *name, bool has,
			  unsigned long v)
{
	if (has)
		fprintf(out, ",\"%s\":%lu", name, v);
	else
		fprintf(out, ",\"%s\":null", name);
}

static void json_hex(FILE *out, const unsigned char *p, size_t n)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < n; i++)
		fprintf(out, "%02x", p[i]);
	fputc('"', out);
}

static void json_packet(FILE *out, const struct dropmon_sample *sm)
{
	struct dm_packet pk;
	char sum[512];
	size_t i;

	dm_decode(sm->bytes, sm->nr_bytes, sm->len, sm->header, sm->proto, &pk);
	fprintf(out, "{\"header\":\"%s\",\"time_ns\":%llu,\"len\":%llu,\"bytes\":%zu,\"bytes_hex\":",
		dropmon_sample_header_names[sm->header], sm->time_ns, sm->len,
		sm->nr_bytes);
	json_hex(out, sm->bytes, sm->nr_bytes);
	fputs(",\"summary\":", out);
	if (sm->header == DROPMON_HDR_NONE)
		fputs("null", out);
	else
		dm_json_string(out, dm_packet_summary(&pk, sum, sizeof(sum)));
	json_opt_str(out, "eth_src", pk.eth_src);
	json_opt_str(out, "eth_dst", pk.eth_dst);
	fputs(",\"vlan\":[", out);
	for (i = 0; i < pk.nr_vlan; i++)
		fprintf(out, "%s%u", i ? "," : "", pk.vlan[i]);
	fputc(']', out);
	json_opt_str(out, "l3", pk.l3);
	json_opt_uint(out, "l3_len", pk.has_l3_len, pk.l3_len);
	json_opt_str(out, "src", pk.src);
	json_opt_str(out, "dst", pk.dst);
	fputs(",\"ipv6_ext\":[", out);
	for (i = 0; i < pk.nr_ext; i++)
		fprintf(out, "%s\"%s\"", i ? "," : "", dm_ext_name(pk.ext[i]));
	fputs("],\"frag\":", out);
	if (pk.frag)
		fprintf(out, "{\"id\":%lu,\"offset\":%u,\"more\":%s}",
			pk.frag_id, pk.frag_off, pk.frag_more ? "true" : "false");
	else
		fputs("null", out);
	json_opt_str(out, "arp_op", pk.arp_op);
	json_opt_str(out, "l4", pk.l4);
	json_opt_uint(out, "sport", pk.has_ports, pk.sport);
	json_opt_uint(out, "dport", pk.has_ports, pk.dport);
	fputs(",\"tcp_flags\":", out);
	if (pk.has_tcp_flags)
		dm_json_string(out, pk.tcp_flags);
	else
		fputs("null", out);
	json_opt_uint(out, "icmp_type", pk.has_icmp, pk.icmp_type);
	json_opt_uint(out, "icmp_code", pk.has_icmp, pk.icmp_code);
	fprintf(out, ",\"cut\":%s", pk.cut ? "true" : "false");
	json_opt_str(out, "malformed", pk.malformed);
	fputs(",\"undecoded_hex\":", out);
	json_hex(out, sm->bytes + pk.decoded, sm->nr_bytes - pk.decoded);
	fputc('}', out);
}

void dm_json_sample(FILE *out, const struct dropmon_sample *sm)
{
	size_t i;

	if (!sm) {
		fputs("null", out);
		return;
	}
	fputs("{\"stack\":[", out);
	for (i = 0; i < sm->nr_frames; i++) {
		fputs(i ? ",{\"symbol\":" : "{\"symbol\":", out);
		dm_json_string(out, sm->frames[i].symbol);
		fputs(",\"module\":", out);
		dm_json_string(out, sm->frames[i].module);
		fputc('}', out);
	}
	fputs("],\"packet\":", out);
	json_packet(out, sm);
	fputc('}', out);
}

/* ------------------------------------------------------------------ */
/* Table                                                               */
/* ------------------------------------------------------------------ */

static const enum dm_field col_field[NR_COLS] = {
	[COL_LOCATION]	= DM_LOCATION,
	[COL_MODULE]	= DM_MODULE,
	[COL_REASON]	= DM_REASON,
	[COL_DEV]	= DM_DEV,
	[COL_NETNS]	= DM_NETNS,
	[COL_PROTO]	= DM_PROTO,
};

/* The text of cell @c of row @i in @buf (CELL_MAX bytes); its length. */
static size_t cell_text(const struct dm_view *v, const struct dm_render *r,
			size_t i, enum col c, char *buf)
{
	const struct dm_ns_name *ns;
	char num[32];
	double rate;
	size_t n;

	if (c == COL_COUNT)
		return snprintf(buf, CELL_MAX, "%llu", v->rows[i].count);
	if (c == COL_RATE) {
		if (!dm_rate(&v->st->hdr, v->rows[i].count, &rate))
			return snprintf(buf, CELL_MAX, "-");
		if (rate > 0 && rate < 0.05)
			return snprintf(buf, CELL_MAX, "<0.1");
		return snprintf(buf, CELL_MAX, "%.1f", rate);
	}
	n = dm_term_text(buf, CELL_MAX,
			 dm_field_text(v, i, col_field[c], r->raw, num,
				       sizeof(num)));
	if (c == COL_NETNS && (ns = dm_row_ns_name(v, r, i))) {
		buf[n++] = ' ';
		n += dm_term_text(buf + n, CELL_MAX - n, ns->name);
	}
	return n;
}

/* With names, the NETNS column is "INODE NAME", aligned left. */
static bool col_right(const struct dm_render *r, enum col c)
{
	return cols[c].right && !(c == COL_NETNS && r->names);
}

static void column_widths(const struct dm_view *v, const struct dm_render *r,
			  size_t nr, size_t *width)
{
	char *buf = malloc(CELL_MAX);
	size_t i, c, n;

	for (c = 0; c < NR_COLS; c++)
		width[c] = strlen(cols[c].title);
	for (i = 0; buf && i < nr; i++) {
		for (c = 0; c < NR_COLS; c++) {
			n = cell_text(v, r, i, c, buf);
			if (n > width[c])
				width[c] = n;
		}
	}
	free(buf);
}

/* One cell, aligned in @width; the last column gets no trailing blanks. */
static void put_cell(struct line *l, enum col c, bool right, const char *text,
		     size_t len, size_t width, const char *sgr)
{
	if (c > 0)
		lw_pad(l, 2);
	if (right)
		lw_pad(l, width - len);
	lw_sgr(l, sgr);
	lw_text(l, text, len);
	lw_reset(l, sgr);
	if (!right && c != NR_COLS - 1)
		lw_pad(l, width - len);
}

static void put_titles(struct line *l, const struct dm_render *r,
		       const size_t *width)
{
	size_t c;

	for (c = 0; c < NR_COLS; c++)
		put_cell(l, c, col_right(r, c), cols[c].title,
			 strlen(cols[c].title), width[c], SGR_BOLD);
	lw_end(l);
}

static void put_row(struct line *l, const struct dm_view *v,
		    const struct dm_render *r, size_t i, const size_t *width,
		    char *buf)
{
	const struct dropmon_row *key = dm_vrow_key(v, i);
	const char *sgr;
	size_t c, n;

	for (c = 0; c < NR_COLS; c++) {
		n = cell_text(v, r, i, c, buf);
		sgr = cols[c].sgr;
		if (c == COL_LOCATION && !r->raw &&
		    dm_view_has(v, DM_LOCATION) && strcmp(key->symbol, "?") == 0)
			sgr = SGR_RED;
		put_cell(l, c, col_right(r, c), buf, n, width[c], sgr);
	}
	if (!l->color && (long)i == r->selected)
		fputs("\033[0m", l->out);
	lw_end(l);
}

static void put_header(struct line *l, const struct dm_view *v,
		       const struct dm_render *r)
{
	const struct dropmon_header *h = &v->st->hdr;
	bool totals = strcmp(r->view, "totals") == 0;
	char span[32], when[64];

	if (h->end_ns > h->start_ns) {
		dm_format_seconds(span, sizeof(span), h->end_ns - h->start_ns);
		strcat(span, " s");
	} else {
		snprintf(span, sizeof(span), "-");
	}
	dm_format_time(when, sizeof(when), h->end_ns, r->wall_offset_ns);
	lw_sgr(l, SGR_BOLD);
	lw_printf(l, "dropmon %s  seq %llu  %s %s  at %s  drops %llu  lost %llu",
		  r->view, h->seq, totals ? "since load" : "interval", span,
		  when, h->drops, h->lost);
	if (h->evicted)	/* format 2 totals that filled up */
		lw_printf(l, "  evicted %llu", h->evicted);
	lw_printf(l, "  keys %llu", h->keys);
	lw_reset(l, SGR_BOLD);
	lw_end(l);
	if (v->reduced) {
		lw_printf(l, "shown %zu row%s, %llu drops", v->nr,
			  v->nr == 1 ? "" : "s", v->drops);
		lw_end(l);
	}
	lw_end(l);
}

/* How many rows fit under @max_lines, keeping one for "... more". */
static size_t rows_that_fit(const struct dm_view *v,
			    const struct dm_render *r)
{
	size_t used = (v->reduced ? 3 : 2) + 1;	/* header, blank, titles */

	if (!r->max_lines || v->nr + used <= r->max_lines)
		return v->nr;
	return r->max_lines > used + 1 ? r->max_lines - used - 1 : 0;
}

void dm_format_table(FILE *out, const struct dm_view *v,
		     const struct dm_render *r)
{
	struct line l = { .out = out, .max = r->max_width, .color = r->color };
	size_t width[NR_COLS], i, nr = rows_that_fit(v, r), first = 0;
	char *buf = malloc(CELL_MAX);

	if (!buf)
		return;
	/* scroll so that the selected row is the last one that fits */
	if (r->selected >= 0 && (size_t)r->selected >= nr && nr) {
		first = (size_t)r->selected - nr + 1;
		if (first + nr > v->nr)
			first = v->nr - nr;
	}
	put_header(&l, v, r);
	column_widths(v, r, v->nr < first + nr ? v->nr : first + nr, width);
	put_titles(&l, r, width);
	for (i = first; i < first + nr; i++) {
		bool sel = (long)i == r->selected;

		l.color = r->color && !sel;
		if (sel)
			fputs("\033[7m", out);
		put_row(&l, v, r, i, width, buf);
		if (r->samples)
			dm_format_sample(out, row_sample(v, r, i), "    ");
	}
	l.color = r->color;
	if (first + nr < v->nr) {
		lw_printf(&l, "... %zu more rows", v->nr - nr - first);
		lw_end(&l);
	}
	if (v->nr == 0) {
		lw_printf(&l, v->st->nr_rows ? "(no rows match)" : "(no drops)");
		lw_end(&l);
	}
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Classic lines and JSON                                              */
/* ------------------------------------------------------------------ */

void dm_format_classic(FILE *out, const struct dm_view *v,
		       const struct dm_render *r)
{
	char b[4][32];
	size_t i;

	for (i = 0; i < v->nr; i++) {
		fprintf(out, "%llu: %s@%s (%s) %s\n", v->rows[i].count,
			dm_field_text(v, i, DM_LOCATION, r->raw, b[0], 32),
			dm_field_text(v, i, DM_DEV, r->raw, b[1], 32),
			dm_field_text(v, i, DM_MODULE, r->raw, b[2], 32),
			dm_field_text(v, i, DM_REASON, r->raw, b[3], 32));
		if (r->samples)
			dm_format_sample(out, row_sample(v, r, i), "    ");
	}
}

static void json_field(FILE *out, const struct dm_view *v, enum dm_field f,
		       const char *name, const char *value)
{
	fprintf(out, ",\"%s\":", name);
	if (dm_view_has(v, f))
		dm_json_string(out, value);
	else
		fputs("null", out);
}

const struct dm_ns_name *dm_row_ns_name(const struct dm_view *v,
					const struct dm_render *r, size_t i)
{
	static const struct dm_ns_name unknown = { .name = "-" };
	const struct dm_ns_name *e;

	if (!r->names || !dm_view_has(v, DM_NETNS))
		return NULL;
	e = dm_ns_lookup(r->names, dm_vrow_key(v, i)->netns);
	return e ? e : &unknown;
}

/* netns_name, netns_source, netns_pid, netns_container (json-schema.md). */
static void json_ns_name(FILE *out, const struct dm_ns_name *e)
{
	const struct dm_container *ct;

	if (!e) {
		fputs(",\"netns_name\":null,\"netns_source\":null,\"netns_pid\":null,\"netns_container\":null",
		      out);
		return;
	}
	fputs(",\"netns_name\":", out);
	dm_json_string(out, e->name);
	fprintf(out, ",\"netns_source\":\"%s\"", dm_ns_source_names[e->source]);
	if (e->pid)
		fprintf(out, ",\"netns_pid\":%d", e->pid);
	else
		fputs(",\"netns_pid\":null", out);
	if (e->source != DM_NS_CONTAINER) {
		fputs(",\"netns_container\":null", out);
		return;
	}
	ct = &e->ct;
	fputs(",\"netns_container\":{\"runtime\":", out);
	if (ct->runtime)
		dm_json_string(out, ct->runtime);
	else
		fputs("null", out);
	json_opt_str(out, "id", ct->id);
	json_opt_str(out, "pod_uid", ct->pod_uid);
	fputc('}', out);
}

static void json_row(FILE *out, const struct dm_view *v,
		     const struct dm_render *r, size_t i)
{
	const struct dropmon_row *k = dm_vrow_key(v, i);
	bool loc = dm_view_has(v, DM_LOCATION);
	double rate;

	fprintf(out, "{\"count\":%llu,\"rate\":", v->rows[i].count);
	if (dm_rate(&v->st->hdr, v->rows[i].count, &rate))
		fprintf(out, "%.6g", rate);
	else
		fputs("null", out);
	if (loc)
		fprintf(out, ",\"location\":\"0x%llx\"", k->location);
	else
		fputs(",\"location\":null", out);
	json_field(out, v, DM_LOCATION, "symbol", k->symbol);
	json_field(out, v, DM_MODULE, "module", k->module);
	json_field(out, v, DM_REASON, "reason", k->reason);
	json_field(out, v, DM_DEV, "dev", k->dev);
	if (dm_view_has(v, DM_NETNS))
		fprintf(out, ",\"netns\":%u", k->netns);
	else
		fputs(",\"netns\":null", out);
	if (r->names)
		json_ns_name(out, dm_row_ns_name(v, r, i));
	json_field(out, v, DM_PROTO, "proto", k->proto);
	if (r->samples) {
		fputs(",\"sample\":", out);
		dm_json_sample(out, row_sample(v, r, i));
	}
	fputc('}', out);
}

void dm_format_json(FILE *out, const struct dm_view *v,
		    const struct dm_render *r)
{
	const struct dropmon_header *h = &v->st->hdr;
	const char *sep = "";
	size_t i;

	fprintf(out, "{\"format\":%llu,\"view\":", h->format);
	dm_json_string(out, r->view);
	fprintf(out, ",\"seq\":%llu,\"interval_ms\":%llu,\"start_ns\":%llu,\"end_ns\":%llu,\"keys\":%llu,\"drops\":%llu,\"lost\":%llu,\"evicted\":%llu,\"by\":[",
		h->seq, h->interval_ms, h->start_ns, h->end_ns, h->keys,
		h->drops, h->lost, h->evicted);
	for (i = 0; i < DM_NR_FIELDS; i++) {
		if (dm_view_has(v, i)) {
			fprintf(out, "%s\"%s\"", sep, dm_field_names[i]);
			sep = ",";
		}
	}
	fputc(']', out);
	if (r->watch)
		fprintf(out, ",\"missed\":%llu", r->missed);
	fputs(",\"rows\":[", out);
	for (i = 0; i < v->nr; i++) {
		if (i)
			fputc(',', out);
		json_row(out, v, r, i);
	}
	fputs("]}\n", out);
}
