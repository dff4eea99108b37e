// SPDX-License-Identifier: GPL-2.0
/*
 * test_exporter.c - unit tests of issue 13's "the exporter must never lie
 * to a fleet": series merged by their escaped labels, the written series
 * kept across runs (dm_prom_state_seed), the down file, the poll period,
 * and "?" and "-" as literal patterns.  The binary's behaviour over time
 * (signals, missed snapshots, node_exporter) is in tests/show.sh.
 */
#include "test_exporter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "filter.h"
#include "format.h"
#include "prom.h"
#include "watch.h"

#define HDR(keys, drops) \
	"# dropmon format=1 seq=2 interval_ms=1000 start_ns=1 end_ns=2 " \
	"keys=" #keys " drops=" #drops " lost=0\n" \
	"# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n"
#define ROW(count, dev) \
	count "\t0x1\tf+0x1/0x2\tvmlinux\tR\t" dev "\t1\tipv4\n"
#define LABELS(dev) \
	"location=\"f+0x1\",module=\"vmlinux\",reason=\"R\",dev=\"" dev \
	"\",netns=\"1\",proto=\"ipv4\""
#define OTHER_LABELS \
	"location=\"other\",module=\"other\",reason=\"other\",dev=\"other\"," \
	"netns=\"other\",proto=\"other\""

/* The dropmon_drops_total lines that dm_format_prometheus() writes. */
static char *series(const char *text, size_t max, struct dm_prom_state *st)
{
	const struct dm_view_opts o = { 0 };
	const struct dm_render r = { .view = "totals" };
	struct dropmon_stats s;
	struct dm_view v;
	char *buf = NULL, *res, *p, *nl;
	size_t len = 0, n = 0;
	FILE *out;

	if (parse_exact(text, strlen(text), &s, NULL) ||
	    dm_view_build(&v, &s, &o))
		return strdup("(bad test input)");
	out = open_memstream(&buf, &len);
	if (!out)
		exit(2);
	dm_format_prometheus(out, &v, &r, max, st);
	fclose(out);
	dm_view_free(&v);
	dropmon_stats_free(&s);
	res = xmalloc(len + 1);
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
		if (strncmp(p, "dropmon_drops_total{", 20) == 0) {
			memcpy(res + n, p, nl + 1 - p);
			n += nl + 1 - p;
		}
	}
	res[n] = '\0';
	free(buf);
	return res;
}

static void test_collide(void)
{
	/* "\xff" as four characters, and the byte 0xff: one series */
	static const char text[] = HDR(4, 17) ROW("7", "\\xff")
		ROW("5", "\xff") ROW("3", "\\x41") ROW("2", "A");
	char *s = series(text, 0, NULL);

	check_str("dropmon_drops_total{" LABELS("\\\\xff") "} 12\n"
		  "dropmon_drops_total{" LABELS("\\\\x41") "} 3\n"
		  "dropmon_drops_total{" LABELS("A") "} 2\n", s,
		  "exporter: values that escape alike are one series, summed");
	free(s);
}

/* A first run, its down file, and a second run seeded from either. */
static void test_seed(void)
{
	/* s2 = b is written while c overtakes it: other = c + d */
	static const char one[] = HDR(4, 191) ROW("100", "a") ROW("50", "b")
		ROW("40", "c") ROW("1", "d");
	static const char two[] = HDR(4, 211) ROW("100", "a") ROW("50", "b")
		ROW("60", "c") ROW("1", "d");
	static const char want[] = "dropmon_drops_total{" LABELS("a") "} 100\n"
		"dropmon_drops_total{" LABELS("b") "} 50\n"
		"dropmon_drops_total{" OTHER_LABELS "} 61\n";
	struct dm_prom_state st = { 0 }, seeded = { 0 };
	char *s, *down = NULL;
	size_t len = 0;
	FILE *f;

	free(series(one, 3, &st));
	s = series(two, 3, &st);
	check_str(want, s, "exporter: first run, b stays written");
	free(s);
	s = series(two, 3, NULL);
	check_str("dropmon_drops_total{" LABELS("a") "} 100\n"
		  "dropmon_drops_total{" LABELS("c") "} 60\n"
		  "dropmon_drops_total{" OTHER_LABELS "} 51\n", s,
		  "exporter: a run without a seed chooses by size (other 61 -> 51)");
	free(s);

	/* seeded from the file the first run wrote */
	f = fmemopen((void *)want, strlen(want), "r");
	check_u64(0, f ? dm_prom_state_seed(&seeded, f) : 99, "exporter: seed from a .prom file");
	if (f)
		fclose(f);
	check_u64(3, seeded.nr, "exporter: seeded keys (other among them, harmless)");
	s = series(two, 3, &seeded);
	check_str(want, s, "exporter: seeded from .prom, the same series, other 61");
	free(s);
	dm_prom_state_reset(&seeded);

	/* seeded from the down file: up 0, no counters, the kept series */
	f = open_memstream(&down, &len);
	if (!f)
		exit(2);
	dm_format_prometheus_down(f, &st);
	fclose(f);
	check_str("# HELP dropmon_up 1 if dropmon-show could read the dropmon totals, 0 if not.\n"
		  "# TYPE dropmon_up gauge\n"
		  "dropmon_up 0\n"
		  "# The series dropmon-show writes on their own, not in \"other\",\n"
		  "# kept for its next run (see dropmon-show(8)):\n"
		  DM_PROM_KEPT "{" LABELS("a") "}\n"
		  DM_PROM_KEPT "{" LABELS("b") "}\n", down,
		  "exporter: the down file keeps the choice in comments");
	f = fmemopen(down, len, "r");
	check_u64(0, f ? dm_prom_state_seed(&seeded, f) : 99, "exporter: seed from a down file");
	if (f)
		fclose(f);
	s = series(two, 3, &seeded);
	check_str(want, s, "exporter: seeded from the down file, other 61");
	free(s);
	free(down);
	dm_prom_state_reset(&seeded);
	dm_prom_state_reset(&st);

	/* a label value with '}' and '{' and an escaped quote survives */
	static const char odd[] = "dropmon_drops_total{dev=\"a} \\\"{b\"} 5\n"
		"dropmon_drops_total{} 1\nnonsense{x=\"y\"} 2\n";
	f = fmemopen((void *)odd, strlen(odd), "r");
	dm_prom_state_seed(&seeded, f);
	fclose(f);
	check_u64(1, seeded.nr, "exporter: seed takes only dropmon_drops_total lines with labels");
	check_str("dev=\"a} \\\"{b\"", seeded.nr ? seeded.keys[0] : NULL,
		  "exporter: seed keeps the label text whole");
	dm_prom_state_reset(&seeded);
}

static void test_poll(void)
{
	struct dropmon_header h = { 0 };

	check_u64(DM_WATCH_POLL_MS, dm_watch_poll_ms(NULL), "exporter: poll before the first snapshot");
	h.interval_ms = 100;
	check_u64(25, dm_watch_poll_ms(&h), "exporter: poll at interval_ms=100");
	h.interval_ms = 10;
	check_u64(DM_WATCH_POLL_MIN_MS, dm_watch_poll_ms(&h), "exporter: poll at interval_ms=10 (floor)");
	h.interval_ms = 1000;
	check_u64(200, dm_watch_poll_ms(&h), "exporter: poll at interval_ms=1000 (ceiling)");
	h.interval_ms = 600;
	check_u64(150, dm_watch_poll_ms(&h), "exporter: poll at interval_ms=600");
}

static void test_literal(void)
{
	check_u64(1, dm_pattern_is_literal("?"), "exporter: '?' is literal");
	check_u64(1, dm_pattern_is_literal("-"), "exporter: '-' is literal");
	check_u64(0, dm_pattern_is_literal("?" "?"), "exporter: two question marks are a glob");
	check_u64(0, dm_pattern_is_literal("a?"), "exporter: 'a?' is a glob");
}

void test_exporter(void)
{
	test_collide();
	test_seed();
	test_poll();
	test_literal();
}
