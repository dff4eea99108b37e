// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_stats.c - libFuzzer entry point for the dropmon stats parser and
 * every output format of dropmon-show.
 *
 *   make -C tools fuzz-run            (FUZZ_TIME=60 seconds by default)
 *
 * Any input must either be rejected or yield a consistent result; an
 * accepted one is then rendered as table, classic, JSON and Prometheus
 * under several views, and the machine formats are checked for raw
 * control characters (escaping bugs).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "format.h"
#include "prom.h"
#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_consistent(const struct dropmon_stats *st)
{
	unsigned long long sum = st->hdr.lost + st->hdr.evicted;
	size_t i;

	if (st->hdr.format < DROPMON_FORMAT_OLDEST ||
	    st->hdr.format > DROPMON_FORMAT_VERSION ||
	    (st->hdr.format == 1 && st->hdr.evicted) ||
	    st->hdr.lost > ~0ULL - st->hdr.evicted ||
	    st->nr_rows != st->hdr.keys)
		abort();
	for (i = 0; i < st->nr_rows; i++) {
		const struct dropmon_row *r = &st->rows[i];

		if (!*r->symbol || !*r->module || !*r->reason || !*r->dev ||
		    !*r->proto || strlen(r->dev) > DROPMON_DEV_MAX)
			abort();
		sum += r->count;
	}
	if (sum != st->hdr.drops)
		abort();
}

/* Machine output: only '\n' may be a control character, and it ends it. */
static void check_text(const char *s, size_t len, bool one_line)
{
	size_t i;

	if (len == 0 || s[len - 1] != '\n')
		abort();
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			abort();
		if (c == '\n' && one_line && i != len - 1)
			abort();
	}
}

static const char *dev_pats[] = { "e*", "[!l]?" };
static const char *netns_pats[] = { "0" };

static const struct dm_filter filter = {
	.pat = { [DM_DEV] = dev_pats, [DM_NETNS] = netns_pats },
	.nr = { [DM_DEV] = 2, [DM_NETNS] = 1 },
};

static const struct {
	struct dm_view_opts vo;
	struct dm_render r;
} configs[] = {
	{ { .sort = DM_SORT_COUNT }, { .view = "stats" } },
	{ { .by = DM_BIT(DM_REASON) | DM_BIT(DM_DEV), .sort = DM_SORT_DEV,
	    .raw = true, .top = 2 },
	  { .view = "totals", .raw = true, .wall_offset_ns = -5 } },
	{ { .by = DM_BIT(DM_LOCATION), .sort = DM_SORT_LOCATION },
	  { .view = "stats", .color = true, .max_width = 40, .max_lines = 6,
	    .wall_offset_ns = 1700000000000000000LL } },
	{ { .filter = &filter, .by = DM_BIT(DM_PROTO),
	    .sort = DM_SORT_NETNS },
	  { .view = "stats", .max_lines = 1 } },
};

static void render_all(const struct dropmon_stats *st,
		       struct dm_prom_state *state, size_t i)
{
	struct dm_view v;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (dm_view_build(&v, st, &configs[i].vo))
		return;
	out = open_memstream(&buf, &len);
	if (!out)
		abort();
	dm_format_table(out, &v, &configs[i].r);
	dm_format_classic(out, &v, &configs[i].r);
	fclose(out);
	free(buf);

	out = open_memstream(&buf, &len);
	dm_format_json(out, &v, &configs[i].r);
	fclose(out);
	check_text(buf, len, true);
	free(buf);

	out = open_memstream(&buf, &len);
	if (dm_format_prometheus(out, &v, &configs[i].r, i, state) == 0) {
		fclose(out);
		check_text(buf, len, false);
	} else {
		fclose(out);
	}
	free(buf);
	dm_view_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dm_prom_state state = { 0 };
	struct dropmon_parse_error err;
	struct dropmon_header hdr;
	struct dropmon_stats st;
	size_t i;

	/* any bytes as a .prom file of a last run: seeding never fails */
	if (size) {
		FILE *in = fmemopen((void *)data, size, "r");

		if (!in || dm_prom_state_seed(&state, in))
			abort();
		fclose(in);
		dm_prom_state_reset(&state);
	}
	dropmon_header_parse((const char *)data, size, &hdr, &err);
	if (dropmon_stats_parse((const char *)data, size, &st, &err) !=
	    DROPMON_PARSE_OK) {
		if (!err.msg[0] || strlen(err.msg) >= sizeof(err.msg))
			abort();
		return 0;
	}
	check_consistent(&st);
	for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
		render_all(&st, &state, i);
	/* twice with the same state: the sticky choice of series */
	render_all(&st, &state, 2);
	/* the down file keeps that choice; a valid text */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);

		if (!out)
			abort();
		dm_format_prometheus_down(out, &state);
		fclose(out);
		check_text(buf, len, false);
		free(buf);
	}
	dm_prom_state_reset(&state);
	dropmon_stats_free(&st);
	return 0;
}
