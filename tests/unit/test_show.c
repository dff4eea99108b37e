// SPDX-License-Identifier: GPL-2.0
/*
 * test_show.c - unit tests of dropmon-show's views and output formats:
 * the library functions directly, then the binary in every mode against
 * fixture files and their expected output (tests/fixtures/NAME.expected).
 *
 * The table and the --watch separator show wall-clock time, which depends
 * on when the test runs: it is replaced by "TIME" before comparing, and
 * checked on its own against the fixture's end_ns.
 */
#include "test_show.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "filter.h"
#include "format.h"
#include "prom.h"
#include "show.h"
#include "watch.h"

#define TIME_PATTERN	"dddd-dd-ddTdd:dd:dd+dd:dd"
#define WAIT_MS		5000	/* for a child to react */

static const char *const env_plain[] = { "TZ=UTC", "NO_COLOR", NULL };
static const char *const env_no_color[] = { "TZ=UTC", "NO_COLOR=1", NULL };

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static bool time_at(const char *s)
{
	size_t i;

	for (i = 0; TIME_PATTERN[i]; i++) {
		char p = TIME_PATTERN[i], c = s[i];

		if (p == 'd' ? (c < '0' || c > '9')
			     : p == '+' ? (c != '+' && c != '-') : c != p)
			return false;
	}
	return true;
}

/* Replace every ISO 8601 time in @b by "TIME"; the first one into @first. */
static void mask_times(struct buf *b, char *first, size_t size)
{
	size_t n = strlen(TIME_PATTERN), in, out = 0;

	if (first)
		*first = '\0';
	for (in = 0; in < b->len;) {
		if (b->len - in >= n && time_at(b->p + in)) {
			if (first && !*first)
				snprintf(first, size, "%.*s", (int)n, b->p + in);
			memcpy(b->p + out, "TIME", 4);
			out += 4;
			in += n;
		} else {
			b->p[out++] = b->p[in++];
		}
	}
	b->len = out;
	b->p[out] = '\0';
}

/* Parse fixture @fx; false (and a FAIL) if impossible. */
static bool load_fixture(const char *dir, const char *fx,
			 struct dropmon_stats *st)
{
	struct buf b;
	bool ok;

	if (!read_fixture(dir, fx, &b))
		return false;
	ok = parse_exact(b.p, b.len, st, NULL) == DROPMON_PARSE_OK;
	if (!ok)
		fail("a valid file", "a parse error", "%s parses", fx);
	free(b.p);
	return ok;
}

/* Whatever @fn writes to a stream, as a string. */
#define CAPTURE(var, fn_call)						\
	do {								\
		size_t len_;						\
		FILE *out = open_memstream(&(var), &len_);		\
		if (!out) {						\
			perror("test_stats: open_memstream");		\
			exit(2);					\
		}							\
		fn_call;						\
		fclose(out);						\
	} while (0)

/* ------------------------------------------------------------------ */
/* Library: escaping, time, change detection                           */
/* ------------------------------------------------------------------ */

static void test_json_string(void)
{
	static const char in[] = "a\"b\\c\n\t\r\x01\x1f\x7f" "\xc3\xa9"
				 "\xff" "\xe2\x82" "z";
	static const char exp[] = "\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u001f"
				  "\\u007f\xc3\xa9\\u00ff\\u00e2\\u0082z\"";
	char *s;

	CAPTURE(s, dm_json_string(out, in));
	check_str(exp, s, "json string escaping");
	free(s);
	CAPTURE(s, dm_json_string(out, ""));
	check_str("\"\"", s, "json empty string");
	free(s);
}

static void test_prom_escaping(void)
{
	static const char in[] = "a\"b\\c\nd\x01" "\xc3\xa9" "\xff";
	static const char exp[] = "a\\\"b\\\\c\\nd\\\\x01\xc3\xa9\\\\xff";
	char *s;

	CAPTURE(s, dm_prom_label_value(out, in));
	check_str(exp, s, "prometheus label value escaping");
	free(s);
}

static void test_term_text(void)
{
	char buf[64];

	dm_term_text(buf, sizeof(buf), "ok \xc3\xa9\x1b[31m\x9b");
	check_str("ok \\xc3\\xa9\\x1b[31m\\x9b", buf, "terminal text escaping");
	dm_term_text(buf, 8, "abcdefghijkl");
	check_str("abc", buf, "terminal text cut to its buffer");
}

static void test_utf8(void)
{
	static const struct {
		const char *s;
		size_t len;
	} cases[] = {
		{ "a", 1 }, { "\xc3\xa9", 2 }, { "\xe2\x82\xac", 3 },
		{ "\xf4\x8f\xbf\xbf", 4 }, { "\xf4\x90\x80\x80", 0 },
		{ "\xc0\x80", 0 }, { "\xe0\x80\x80", 0 },
		{ "\xed\xa0\x80", 0 }, { "\x80", 0 }, { "\xc3", 0 },
		{ "\xf0\x9f\x98", 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_u64(cases[i].len,
			  dm_utf8_len((const unsigned char *)cases[i].s),
			  "utf8 length of case %zu", i);
}

static void test_time(void)
{
	char buf[64];

	setenv("TZ", "UTC", 1);
	tzset();
	dm_format_time(buf, sizeof(buf), 1000000000ULL,
		       1700000000LL * 1000000000LL);
	check_str("2023-11-14T22:13:21+00:00", buf, "time in UTC");
	/* the sub-second parts add up to a second */
	dm_format_time(buf, sizeof(buf), 1600000000ULL,
		       1700000000LL * 1000000000LL + 500000000LL);
	check_str("2023-11-14T22:13:22+00:00", buf, "time with carried ns");
	dm_format_time(buf, sizeof(buf), 1600000000ULL,
		       1700000000LL * 1000000000LL - 700000000LL);
	check_str("2023-11-14T22:13:20+00:00", buf, "time with borrowed ns");
	dm_format_time(buf, sizeof(buf), 0, 1700000000LL * 1000000000LL);
	check_str("-", buf, "time of boot 0");
	setenv("TZ", "<+0530>-5:30", 1);
	tzset();
	dm_format_time(buf, sizeof(buf), 1000000000ULL,
		       1700000000LL * 1000000000LL);
	check_str("2023-11-15T03:43:21+05:30", buf, "time at +05:30");
	setenv("TZ", "<-0330>3:30", 1);
	tzset();
	dm_format_time(buf, sizeof(buf), 1000000000ULL,
		       1700000000LL * 1000000000LL);
	check_str("2023-11-14T18:43:21-03:30", buf, "time at -03:30");
	setenv("TZ", "UTC", 1);
	tzset();
	check_str("3600.912", dm_format_seconds(buf, sizeof(buf),
						3600912345678ULL),
		  "seconds with milliseconds");
}

static void test_change(void)
{
	static const struct {
		struct dropmon_header last, cur;
		bool totals;
		enum dm_change exp;
	} cases[] = {
		{ { .seq = 5, .start_ns = 10, .end_ns = 20 },
		  { .seq = 5, .start_ns = 10, .end_ns = 20 }, false, DM_SAME },
		{ { .seq = 5, .start_ns = 10, .end_ns = 20 },
		  { .seq = 6, .start_ns = 20, .end_ns = 30 }, false, DM_NEW },
		{ { .seq = 5, .start_ns = 10, .end_ns = 20 },
		  { .seq = 1, .start_ns = 50, .end_ns = 60 }, false,
		  DM_RELOADED },
		{ { .seq = 5, .start_ns = 10, .end_ns = 20 },
		  { .seq = 5, .start_ns = 11, .end_ns = 20 }, false,
		  DM_RELOADED },
		{ { .seq = 5, .start_ns = 10, .end_ns = 20 },
		  { .seq = 6, .start_ns = 10, .end_ns = 30 }, true, DM_NEW },
		{ { .seq = 5, .start_ns = 10, .end_ns = 20 },
		  { .seq = 9, .start_ns = 15, .end_ns = 90 }, true,
		  DM_RELOADED },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_u64(cases[i].exp,
			  dm_watch_change(&cases[i].last, &cases[i].cur,
					  cases[i].totals),
			  "watch change case %zu", i);
}

static void test_header_parse(void)
{
	static const char line[] = "# dropmon format=1 seq=7 interval_ms=100 start_ns=1 end_ns=2 keys=99 drops=5 lost=5\n";
	struct dropmon_parse_error err;
	struct dropmon_header h;
	char *copy = xmalloc(sizeof(line) - 1);

	memcpy(copy, line, sizeof(line) - 1);
	check_u64(DROPMON_PARSE_OK,
		  dropmon_header_parse(copy, sizeof(line) - 1, &h, &err),
		  "header line alone parses");
	check_u64(7, h.seq, "header line alone seq");
	check_u64(99, h.keys, "header line alone keys");
	check_u64(DROPMON_PARSE_MALFORMED,
		  dropmon_header_parse(copy, sizeof(line) - 2, &h, &err),
		  "header line without newline rejected");
	check_u64(DROPMON_PARSE_VERSION,
		  dropmon_header_parse("# dropmon format=3 x\n", 21, &h, &err),
		  "header line of format 3");
	{
		static const char l2[] = "# dropmon format=2 seq=8 interval_ms=100 start_ns=1 end_ns=2 keys=0 drops=9 lost=2 evicted=7\n";

		check_u64(DROPMON_PARSE_OK,
			  dropmon_header_parse(l2, sizeof(l2) - 1, &h, &err),
			  "format 2 header line alone parses");
		check_u64(7, h.evicted, "format 2 header line evicted");
		check_u64(2, h.lost, "format 2 header line lost");
	}
	check_u64(0, (dropmon_header_parse(line, sizeof(line) - 1, &h, &err),
		      h.evicted), "format 1 header line: evicted is 0");
	check_u64(DROPMON_PARSE_MALFORMED, dropmon_header_parse("", 0, &h, &err),
		  "empty header rejected");
	free(copy);
}

/* ------------------------------------------------------------------ */
/* Library: views and Prometheus series                                */
/* ------------------------------------------------------------------ */

static void test_view_by(const char *dir)
{
	const struct dm_view_opts o = { .by = DM_BIT(DM_DEV) };
	struct dropmon_stats st;
	struct dm_view v;

	if (!load_fixture(dir, "good.stats", &st))
		return;
	if (check_u64(0, dm_view_build(&v, &st, &o), "view --by dev builds")) {
		check_u64(6, v.nr, "view --by dev rows");
		check_u64(804, v.rows[1].count, "view --by dev eth0 count");
		check_u64(2, v.rows[1].nr_keys, "view --by dev eth0 keys");
		check_u64(2501, v.drops, "view --by dev drops");
		check_u64(1, v.reduced, "view --by dev reduced");
		dm_view_free(&v);
	}
	dropmon_stats_free(&st);
}

#define PROM_HDR(keys, drops) \
	"# dropmon format=1 seq=1 interval_ms=1000 start_ns=1 end_ns=2 " \
	"keys=" #keys " drops=" #drops " lost=0\n" \
	"# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n"
#define PROM_ROW(count, dev) \
	count "\t0x1\tf+0x1/0x2\tvmlinux\tR\t" dev "\t1\tipv4\n"

/* The dropmon_drops_total lines of @text with max @max and @state. */
static char *prom_series(const char *text, size_t max,
			 struct dm_prom_state *state)
{
	const struct dm_view_opts o = { 0 };
	const struct dm_render r = { .view = "totals" };
	struct dropmon_stats st;
	struct dm_view v;
	char *s, *p, *q;

	if (parse_exact(text, strlen(text), &st, NULL) ||
	    dm_view_build(&v, &st, &o))
		return strdup("(bad test input)");
	CAPTURE(s, dm_format_prometheus(out, &v, &r, max, state));
	dm_view_free(&v);
	dropmon_stats_free(&st);
	/* keep the samples, each as "dev=count;" */
	for (p = q = s; (p = strstr(p, "dev=\"")); ) {
		p += 5;
		while (*p != '"')
			*q++ = *p++;
		p = strchr(p, '}') + 2;
		*q++ = '=';
		while (*p != '\n')
			*q++ = *p++;
		*q++ = ';';
	}
	*q = '\0';
	return s;
}

static void test_prom_other(void)
{
	static const char one[] = PROM_HDR(3, 60) PROM_ROW("30", "a")
		PROM_ROW("20", "b") PROM_ROW("10", "c");
	static const char two[] = PROM_HDR(3, 150) PROM_ROW("100", "c")
		PROM_ROW("30", "a") PROM_ROW("20", "b");
	static const char three[] = PROM_HDR(4, 151) PROM_ROW("100", "c")
		PROM_ROW("30", "a") PROM_ROW("20", "b") PROM_ROW("1", "d");
	struct dm_prom_state state = { 0 };
	char *s;

	s = prom_series(one, 2, NULL);
	check_str("a=30;other=30;", s, "prometheus max 2 folds the rest");
	free(s);
	s = prom_series(one, 3, NULL);
	check_str("a=30;b=20;c=10;", s, "prometheus max 3 fits");
	free(s);
	s = prom_series(one, 1, NULL);
	check_str("other=60;", s, "prometheus max 1");
	free(s);
	s = prom_series(two, 2, NULL);
	check_str("c=100;other=50;", s, "prometheus without state: largest");
	free(s);

	s = prom_series(one, 2, &state);
	check_str("a=30;other=30;", s, "prometheus sticky, first snapshot");
	free(s);
	s = prom_series(two, 2, &state);
	check_str("a=30;other=120;", s, "prometheus sticky: other only grows");
	free(s);
	dm_prom_state_reset(&state);

	s = prom_series(two, 3, &state);
	check_str("c=100;a=30;b=20;", s, "prometheus sticky, all fit");
	free(s);
	s = prom_series(three, 3, &state);
	check_str("c=100;a=30;other=21;", s,
		  "prometheus sticky: the smallest leaves when other appears");
	free(s);
	dm_prom_state_reset(&state);
}

void test_show_lib(const char *dir)
{
	test_json_string();
	test_prom_escaping();
	test_term_text();
	test_utf8();
	test_time();
	test_change();
	test_header_parse();
	test_view_by(dir);
	test_prom_other();
}

/* ------------------------------------------------------------------ */
/* Binary: every mode against expected output                          */
/* ------------------------------------------------------------------ */

/* An argument naming a fixture: test_case() puts the directory in front. */
#define FX_SAMPLES	"@sampled.samples"

struct show_case {
	const char *expected;		/* file in the fixture dir */
	const char *fixture;
	const char *args[12];
	const char *const *env;		/* NULL: env_plain */
};

static const struct show_case show_cases[] = {
	{ "good.table.expected", "good.stats", { NULL }, NULL },
	{ "good.table.expected", "good.stats", { "--color=never" }, NULL },
	{ "good.table.expected", "good.stats", { "--color=auto" },
	  env_no_color },
	{ "good.color.expected", "good.stats", { "--color=always" }, NULL },
	{ "good.color.expected", "good.stats", { "--color" }, env_no_color },
	{ "totals.table.expected", "totals.stats", { "--totals" }, NULL },
	{ "empty.table.expected", "empty.stats", { NULL }, NULL },
	{ "odd.table.expected", "odd.stats", { NULL }, NULL },
	{ "odd.classic.expected", "odd.stats", { "--classic" }, NULL },
	{ "good.top2.expected", "good.stats", { "-n", "2" }, NULL },
	{ "good.top2.expected", "good.stats", { "--top=2" }, NULL },
	{ "good.dev-eth0.expected", "good.stats", { "--dev", "eth0" }, NULL },
	{ "good.dev-globs.expected", "good.stats",
	  { "--dev", "eth*", "--dev", "l?" }, NULL },
	{ "good.reason-globs.expected", "good.stats",
	  { "--reason", "NO_*", "--reason", "*_CSUM", "--classic" }, NULL },
	{ "good.module-proto.expected", "good.stats",
	  { "--module", "vmlinux", "--proto", "ipv6" }, NULL },
	{ "good.netns.expected", "good.stats",
	  { "--netns", "4026531840", "--classic" }, NULL },
	{ "good.netns0.expected", "good.stats",
	  { "--netns", "00", "--netns", "4026532500", "--classic" }, NULL },
	{ "good.location.expected", "good.stats",
	  { "--location", "tcp_*", "--location", "0xffffffffc0a1b2c3",
	    "--classic" }, NULL },
	{ "good.nomatch.expected", "good.stats", { "--dev", "nosuchdev" }, NULL },
	{ "empty.classic.expected", "good.stats",
	  { "--dev", "nosuchdev", "--classic" }, NULL },
	{ "good.by-module.expected", "good.stats", { "--by", "module" }, NULL },
	{ "good.by-reason.expected", "good.stats", { "--by", "reason" }, NULL },
	{ "good.by-location-dev.expected", "good.stats",
	  { "--by", "location,dev" }, NULL },
	{ "good.by-dev-proto.expected", "good.stats",
	  { "--by", "dev,proto", "--classic" }, NULL },
	{ "good.by-netns.expected", "good.stats", { "--by", "netns", "--json" }, NULL },
	{ "good.by-proto-top.expected", "good.stats",
	  { "--by", "proto", "-n", "2", "--dev", "eth0", "--dev", "lo" }, NULL },
	{ "good.raw.expected", "good.stats", { "--raw" }, NULL },
	{ "good.raw-classic.expected", "good.stats", { "--raw", "--classic" }, NULL },
	{ "good.sort-dev.expected", "good.stats", { "--sort", "dev" }, NULL },
	{ "good.sort-location.expected", "good.stats",
	  { "--sort", "location", "--classic" }, NULL },
	{ "good.sort-location-raw.expected", "good.stats",
	  { "--sort", "location", "--raw", "--classic" }, NULL },
	{ "good.sort-netns.expected", "good.stats",
	  { "--sort", "netns", "--classic" }, NULL },
	{ "good.json.expected", "good.stats", { "--json" }, NULL },
	{ "totals.json.expected", "totals.stats", { "--json", "--totals" }, NULL },
	{ "empty.json.expected", "empty.stats", { "--json" }, NULL },
	{ "odd.json.expected", "odd.stats", { "--json" }, NULL },
	{ "good.json-by.expected", "good.stats",
	  { "--json", "--by", "location,proto", "--reason", "[IN]*" }, NULL },
	{ "totals.prom.expected", "totals.stats", { "--prometheus" }, NULL },
	{ "totals.prom.expected", "totals.stats", { "--prometheus", "--totals" }, NULL },
	/* format 2: evicted= in the header, the table, JSON and Prometheus */
	{ "evicted.table.expected", "evicted.stats", { "--totals" }, NULL },
	{ "evicted.json.expected", "evicted.stats", { "--json", "--totals" }, NULL },
	{ "evicted.prom.expected", "evicted.stats", { "--prometheus" }, NULL },
	{ "stats2.json.expected", "stats2.stats", { "--json" }, NULL },
	{ "good.prom.expected", "good.stats", { "--prometheus" }, NULL },
	{ "empty.prom.expected", "empty.stats", { "--prometheus" }, NULL },
	{ "odd.prom.expected", "odd.stats", { "--prometheus" }, NULL },
	{ "prom-dup.prom.expected", "prom-dup.stats", { "--prometheus" }, NULL },
	{ "good.prom-max3.expected", "good.stats",
	  { "--prometheus", "--max-series", "3" }, NULL },
	{ "good.prom.expected", "good.stats",
	  { "--prometheus", "--max-series", "0" }, NULL },
	{ "good.prom-by-reason.expected", "good.stats",
	  { "--prometheus", "--by", "reason,proto", "--proto", "ipv*" }, NULL },
	{ "good.prom-raw.expected", "good.stats", { "--prometheus", "--raw" }, NULL },
	{ "sampled.classic.expected", "sampled.stats",
	  { "--classic", "-v", "--samples-file", FX_SAMPLES }, NULL },
	{ "sampled.classic.expected", "sampled.stats",
	  { "--classic", "--samples-file", FX_SAMPLES }, NULL },
	{ "sampled.table.expected", "sampled.stats",
	  { "--samples", "--samples-file", FX_SAMPLES }, NULL },
	{ "sampled.json.expected", "sampled.stats",
	  { "--json", "-v", "--samples-file", FX_SAMPLES }, NULL },
	{ "sampled.json-totals.expected", "sampled.stats",
	  { "--json", "-v", "--totals", "--dev", "eth*", "--samples-file",
	    FX_SAMPLES }, NULL },
	{ "sampled.classic-raw.expected", "sampled.stats",
	  { "--samples-file", FX_SAMPLES, "--classic", "--dev", "veth0",
	    "--raw" }, NULL },
};

/* "dropmon-show ARGS -f FIXTURE" as one line, for check names. */
static const char *case_name(char *buf, size_t size, const char *bin,
			     const struct show_case *c)
{
	size_t n = snprintf(buf, size, "%s", bin), i;

	for (i = 0; c->args[i] && n < size; i++)
		n += snprintf(buf + n, size - n, " %s", c->args[i]);
	if (n < size)
		snprintf(buf + n, size - n, " -f %s%s", c->fixture,
			 c->env == env_no_color ? " (NO_COLOR=1)" : "");
	return buf;
}

/*
 * "@KERNEL@" in an expected file (dropmon_build_info's kernel label) is
 * the release of the kernel this runs on, as dropmon-show writes it.
 */
static void subst_kernel(struct buf *b)
{
	static const char tag[] = "@KERNEL@";
	char *at = strstr(b->p, tag), *p;
	struct utsname u;
	size_t rl;

	if (!at || uname(&u))
		return;
	rl = strlen(u.release);
	p = xmalloc(b->len - strlen(tag) + rl + 1);
	memcpy(p, b->p, at - b->p);
	memcpy(p + (at - b->p), u.release, rl);
	strcpy(p + (at - b->p) + rl, at + strlen(tag));
	b->len = b->len - strlen(tag) + rl;
	free(b->p);
	b->p = p;
}

static void test_case(const char *bin, const char *dir,
		      const struct show_case *c)
{
	char *path = path_join(dir, c->fixture), name[512];
	struct run_spec spec = { .env = c->env ? c->env : env_plain };
	char *argv[20] = { (char *)bin };
	struct run_result res;
	struct buf exp;
	size_t n = 1, i;

	char *fx[4] = { NULL };
	size_t nfx = 0;

	for (i = 0; c->args[i]; i++) {
		if (c->args[i][0] == '@' && nfx < ARRAY_SIZE(fx))
			argv[n++] = fx[nfx++] = path_join(dir, c->args[i] + 1);
		else
			argv[n++] = (char *)c->args[i];
	}
	argv[n++] = "-f";
	argv[n++] = path;
	case_name(name, sizeof(name), bin, c);
	if (read_fixture(dir, c->expected, &exp)) {
		subst_kernel(&exp);
		run(argv, &spec, &res);
		mask_times(&res.out, NULL, 0);
		check_u64(0, res.status, "%s: exit code", name);
		check_mem(exp.p, exp.len, res.out.p, res.out.len,
			  "%s: stdout is %s", name, c->expected);
		check_mem("", 0, res.err.p, res.err.len, "%s: stderr", name);
		free_result(&res);
		free(exp.p);
	}
	for (i = 0; i < nfx; i++)
		free(fx[i]);
	free(path);
}

#define TIME_SLACK_NS	50000000LL	/* for clock adjustments */

static long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts)) {
		perror("test_stats: clock_gettime");
		exit(2);
	}
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* @sec seconds since the epoch, as the table writes it with TZ=UTC. */
static void utc_time(char *buf, size_t size, long long sec)
{
	time_t t = (time_t)sec;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, size, "(time %lld out of range)", sec);
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d+00:00",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
}

/*
 * The table's time is end_ns on this machine's clock, to the second.  The
 * test reads CLOCK_REALTIME - CLOCK_BOOTTIME itself just before and just
 * after the run: the program's offset lies between the two readings.
 */
static void test_table_time(const char *bin, const char *dir)
{
	char *path = path_join(dir, "good.stats"), saw[64], exp[160];
	char *argv[] = { (char *)bin, "-f", path, NULL };
	struct run_spec spec = { .env = env_plain };
	const long long end_ns = 4124456789012LL;
	long long off_lo, off_hi, first, last, sec;
	char lo[64], hi[64];
	struct run_result res;
	bool found = false;

	off_lo = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	run(argv, &spec, &res);
	off_hi = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	mask_times(&res.out, saw, sizeof(saw));
	first = (end_ns + off_lo - TIME_SLACK_NS) / 1000000000LL;
	last = (end_ns + off_hi + TIME_SLACK_NS) / 1000000000LL;
	for (sec = first; sec <= last && !found; sec++) {
		utc_time(exp, sizeof(exp), sec);
		found = !strcmp(saw, exp);
	}
	if (found) {
		pass("%s: table time is end_ns on the wall clock", bin);
	} else {
		utc_time(lo, sizeof(lo), first);
		utc_time(hi, sizeof(hi), last);
		if (first == last)
			snprintf(exp, sizeof(exp), "%s", lo);
		else
			snprintf(exp, sizeof(exp), "%s to %s", lo, hi);
		fail(exp, *saw ? saw : "no time",
		     "%s: table time is end_ns on the wall clock", bin);
	}
	free_result(&res);
	free(path);
}

/* ------------------------------------------------------------------ */
/* Binary: usage errors                                                */
/* ------------------------------------------------------------------ */

struct usage_case {
	const char *args[6];
	const char *err;		/* after "dropmon-show: " */
};

#define SEE_HELP "; see 'dropmon-show --help'\n"

static const struct usage_case usage_cases[] = {
	{ { "--by", "foo" }, "--by: unknown field in 'foo'; use a comma list of location,module,reason,dev,netns,proto\n" },
	{ { "--by", "reason,,dev" }, "--by: unknown field in 'reason,,dev'; use a comma list of location,module,reason,dev,netns,proto\n" },
	{ { "--by", "" }, "--by: unknown field in ''; use a comma list of location,module,reason,dev,netns,proto\n" },
	{ { "--sort", "rate" }, "--sort: unknown order 'rate'; use count, location, module, reason, dev, netns or proto\n" },
	{ { "--netns", "abc" }, "--netns needs a network namespace inode number or net:[INODE], not 'abc'; see: readlink /proc/PID/ns/net\n" },
	{ { "--netns", "4294967296" }, "--netns needs a network namespace inode number or net:[INODE], not '4294967296'; see: readlink /proc/PID/ns/net\n" },
	{ { "-n", "0" }, "-n needs a positive number, not '0'; e.g. -n 10\n" },
	{ { "-n", "-3" }, "-n needs a positive number, not '-3'; e.g. -n 10\n" },
	{ { "--count", "x", "-w" }, "--count needs a positive number, not 'x'; e.g. --count 1\n" },
	{ { "--count", "1" }, "--count needs --watch" SEE_HELP },
	{ { "--max-series", "9x", "--prometheus" }, "--max-series needs a number, not '9x'; e.g. --max-series 1000 (0: no limit)\n" },
	{ { "--max-series", "5" }, "--max-series needs --prometheus" SEE_HELP },
	{ { "--color=rainbow" }, "--color: unknown value 'rainbow'; use auto, always or never\n" },
	{ { "--classic", "--json" }, "--classic, --json and --prometheus exclude each other" SEE_HELP },
	{ { "--prometheus", "-n", "3" }, "-n would make counters come and go with --prometheus; use --max-series" SEE_HELP },
	{ { "-w", "-f", "-" }, "--watch cannot follow standard input (-f -); give a file" SEE_HELP },
	{ { "--json", "--raw", "x" }, "unexpected argument 'x'" SEE_HELP },
	{ { "--dev" }, "missing argument for option '--dev'" SEE_HELP },
	{ { "-v", "--by", "dev" }, "a --by row adds up several keys and a sample belongs to one; drop --by, or --samples/--pcap" SEE_HELP },
	{ { "--pcap", "x", "--by", "reason" }, "a --by row adds up several keys and a sample belongs to one; drop --by, or --samples/--pcap" SEE_HELP },
	{ { "--prometheus", "--samples" }, "--prometheus has no samples; use --samples with the table, --classic or --json" SEE_HELP },
	{ { "--pcap", "x", "--json" }, "--pcap is the only output of its run; drop --classic/--json/--output/--watch" SEE_HELP },
	{ { "--pcap", "x", "-w" }, "--pcap is the only output of its run; drop --classic/--json/--output/--watch" SEE_HELP },
	{ { "-v", "-f", "-" }, "with -f - the samples file has no directory to come from; give --samples-file FILE" SEE_HELP },
	{ { "--samples-file" }, "missing argument for option '--samples-file'" SEE_HELP },
};

static void test_usage(const char *bin)
{
	char *argv[8] = { (char *)bin }, exp[512], what[128];
	size_t i, j, n;

	for (i = 0; i < ARRAY_SIZE(usage_cases); i++) {
		const struct usage_case *c = &usage_cases[i];

		for (j = 0, n = 0; c->args[j]; j++)
			n += snprintf(what + n, sizeof(what) - n, "%s%s",
				      j ? " " : "", c->args[j]);
		for (j = 0; c->args[j]; j++)
			argv[j + 1] = (char *)c->args[j];
		argv[j + 1] = NULL;
		snprintf(exp, sizeof(exp), PROG_PREFIX "%s", c->err);
		expect_error(bin, argv, &default_spec, 1, exp, what);
	}
}

/* ------------------------------------------------------------------ */
/* Binary: --output                                                    */
/* ------------------------------------------------------------------ */

static ino_t inode_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? 0 : sb.st_ino;
}

/* The names in @dir other than "." and "..", sorted, joined by spaces. */
static void list_dir(const char *dir, char *buf, size_t size)
{
	struct dirent **names;
	size_t n = 0;
	int i, nr = scandir(dir, &names, NULL, alphasort);

	buf[0] = '\0';
	for (i = 0; i < nr; i++) {
		if (strcmp(names[i]->d_name, ".") &&
		    strcmp(names[i]->d_name, "..") && n < size)
			n += snprintf(buf + n, size - n, "%s%s", n ? " " : "",
				      names[i]->d_name);
		free(names[i]);
	}
	if (nr >= 0)
		free(names);
}

static void check_file(const char *path, const char *dir, const char *exp,
		       const char *what)
{
	struct buf b, e;

	if (!read_fixture(dir, exp, &e))
		return;
	subst_kernel(&e);
	if (read_path(path, &b)) {
		check_mem(e.p, e.len, b.p, b.len, "%s: content", what);
		free(b.p);
	}
	free(e.p);
}

static void run_output(const char *bin, char *fixture, char *dest,
		       const char *what)
{
	char *argv[] = { (char *)bin, "--prometheus", "-f", fixture,
			 "--output", dest, NULL };
	struct run_spec spec = { .env = env_plain };
	struct run_result res;

	run(argv, &spec, &res);
	check_u64(0, res.status, "%s: exit code", what);
	check_mem("", 0, res.out.p, res.out.len, "%s: stdout", what);
	check_mem("", 0, res.err.p, res.err.len, "%s: stderr", what);
	free_result(&res);
}

static void test_output(const char *bin, const char *dir, const char *tmpdir)
{
	char *odir = path_join(tmpdir, "out"), *dest, *old, *fx, names[256];
	char *argv[] = { (char *)bin, "-f", NULL, "--output",
			 "/nonexistent/dir/x.prom", NULL };
	char exp[512];
	struct stat sb;
	ino_t first;

	mkdir(odir, 0755);
	dest = path_join(odir, "dropmon.prom");
	old = path_join(odir, "before");
	fx = path_join(dir, "totals.stats");
	run_output(bin, fx, dest, "--output new file");
	check_file(dest, dir, "totals.prom.expected", "--output new file");
	check_u64(0644, stat(dest, &sb) ? 0 : sb.st_mode & 07777,
		  "%s --output mode with umask 022", bin);
	first = inode_of(dest);
	unlink(old);
	check_u64(0, link(dest, old) != 0, "hard link to the first output");

	free(fx);
	fx = path_join(dir, "good.stats");
	run_output(bin, fx, dest, "--output replaced");
	check_file(dest, dir, "good.prom.expected", "--output replaced");
	check_file(old, dir, "totals.prom.expected",
		   "--output: the old file is untouched (replaced by rename)");
	check_u64(1, first != inode_of(dest), "%s --output: new inode", bin);
	list_dir(odir, names, sizeof(names));
	check_str("before dropmon.prom", names,
		  "%s --output leaves no temporary file", bin);

	argv[2] = fx;
	snprintf(exp, sizeof(exp), PROG_PREFIX "cannot create a temporary file for /nonexistent/dir/x.prom: No such file or directory; check that the directory exists and is writable\n");
	expect_error(bin, argv, &default_spec, 2, exp,
		     "--output into a missing directory");
	unlink(old);
	unlink(dest);
	rmdir(odir);
	free(fx);
	free(old);
	free(dest);
	free(odir);
}

/* ------------------------------------------------------------------ */
/* Binary: --watch without a terminal                                  */
/* ------------------------------------------------------------------ */

struct snap {
	unsigned long long seq, start_ns, end_ns, interval_ms, a, b;
};

/* Write a 2-row snapshot to @path, in place or by rename (new inode). */
static void write_snap(const char *path, const struct snap *s, bool atomic)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(atomic ? tmp : path, "w");
	if (!f) {
		perror("test_stats: write_snap");
		exit(2);
	}
	fprintf(f, "# dropmon format=1 seq=%llu interval_ms=%llu start_ns=%llu end_ns=%llu keys=2 drops=%llu lost=0\n%s\n",
		s->seq, s->interval_ms, s->start_ns, s->end_ns, s->a + s->b,
		dropmon_column_header);
	fprintf(f, "%llu\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t1\tipv4\n",
		s->a);
	fprintf(f, "%llu\t0xffffffff81000020\ttcp_v4_rcv+0x20/0x40\tvmlinux\tTCP_CSUM\teth0\t1\tipv4\n",
		s->b);
	fclose(f);
	if (atomic)
		rename(tmp, path);
}

/* Replace @path atomically with snapshot @seq of 1 s. */
static void write_snapshot(const char *path, unsigned long long seq,
			   unsigned long long a, unsigned long long b)
{
	const struct snap s = {
		seq, seq * 1000000000ULL, (seq + 1) * 1000000000ULL, 1000, a, b,
	};

	write_snap(path, &s, true);
}

struct child {
	pid_t pid;
	int fd[2];		/* stdout, stderr */
	struct buf io[2];
};

static void child_start(struct child *c, char *const argv[],
			const char *debugfs)
{
	struct run_spec spec = { .env = env_plain, .debugfs = debugfs };
	int i;

	memset(c, 0, sizeof(*c));
	c->pid = spawn(argv, &spec, &c->fd[0], &c->fd[1]);
	for (i = 0; i < 2; i++) {
		c->io[i].p = xmalloc(1);
		c->io[i].p[0] = '\0';
	}
}

/* Read what is there on stdout and stderr without blocking. */
static void child_read(struct child *c)
{
	char chunk[4096];
	ssize_t n;
	int i;

	for (i = 0; i < 2; i++) {
		while ((n = read(c->fd[i], chunk, sizeof(chunk))) > 0) {
			c->io[i].p = realloc(c->io[i].p, c->io[i].len + n + 1);
			if (!c->io[i].p)
				exit(2);
			memcpy(c->io[i].p + c->io[i].len, chunk, n);
			c->io[i].len += n;
			c->io[i].p[c->io[i].len] = '\0';
		}
	}
}

/* Wait until stream @i holds @n copies of @needle; false on timeout. */
static bool child_wait_for(struct child *c, int i, const char *needle,
			   int n, const char *what)
{
	int ms, seen = 0;
	const char *p;

	for (ms = 0; ms < WAIT_MS; ms += 20) {
		child_read(c);
		for (seen = 0, p = c->io[i].p; (p = strstr(p, needle)); p++)
			seen++;
		if (seen >= n) {
			pass("watch: %s", what);
			return true;
		}
		usleep(20000);
	}
	fail(needle, c->io[i].p, "watch: %s", what);
	return false;
}

static int child_finish(struct child *c, int ms)
{
	int status = wait_child(c->pid, ms);

	child_read(c);
	close(c->fd[0]);
	close(c->fd[1]);
	return status;
}

static void child_free(struct child *c)
{
	free(c->io[0].p);
	free(c->io[1].p);
}

static const char watch_classic_exp[] =
	"=== dropmon stats seq 1 at TIME ===\n"
	"10: udp_rcv+0x10/0x20@lo (vmlinux) NO_SOCKET\n"
	"5: tcp_v4_rcv+0x20/0x40@eth0 (vmlinux) TCP_CSUM\n"
	"=== dropmon stats seq 2 at TIME ===\n"
	"30: tcp_v4_rcv+0x20/0x40@eth0 (vmlinux) TCP_CSUM\n"
	"20: udp_rcv+0x10/0x20@lo (vmlinux) NO_SOCKET\n"
	"=== dropmon stats seq 1 at TIME ===\n"
	"7: udp_rcv+0x10/0x20@lo (vmlinux) NO_SOCKET\n"
	"1: tcp_v4_rcv+0x20/0x40@eth0 (vmlinux) TCP_CSUM\n";

/*
 * Blocks for new snapshots only (same seq: nothing), notices for unload
 * and reload on stderr, and the end after --count blocks.
 */
static void test_watch_classic(const char *bin, const char *tmpdir)
{
	char *file = path_join(tmpdir, "watched");
	char *argv[] = { (char *)bin, "-w", "-f", file, "--count", "3",
			 "--classic", NULL };
	struct child c;

	write_snapshot(file, 1, 10, 5);
	child_start(&c, argv, NULL);
	if (!child_wait_for(&c, 0, "TCP_CSUM\n", 1, "first snapshot shown"))
		goto out;
	write_snapshot(file, 2, 20, 30);
	if (!child_wait_for(&c, 0, "seq 2 at", 1, "new seq shown"))
		goto out;
	write_snapshot(file, 2, 99, 99);	/* same seq: not new */
	usleep(3 * DM_WATCH_POLL_MS * 1000);
	unlink(file);
	if (!child_wait_for(&c, 1, "dropmon was unloaded", 1,
			    "unload noticed"))
		goto out;
	write_snapshot(file, 1, 7, 1);
	child_wait_for(&c, 1, "dropmon was reloaded", 1, "reload noticed");
out:
	check_u64(0, child_finish(&c, WAIT_MS),
		  "%s --watch --count 3: exits 0 after 3 blocks", bin);
	mask_times(&c.io[0], NULL, 0);
	check_mem(watch_classic_exp, strlen(watch_classic_exp), c.io[0].p,
		  c.io[0].len, "%s --watch --classic: blocks", bin);
	check_contains(" (seq 2 -> 1)\n", c.io[1].p,
		       "%s --watch: reload notice names the seqs", bin);
	child_free(&c);
	unlink(file);
	free(file);
}

/* NDJSON: one line per snapshot, nothing else. */
static void test_watch_json(const char *bin, const char *tmpdir)
{
	char *file = path_join(tmpdir, "watched.json");
	char *argv[] = { (char *)bin, "--watch", "-f", file, "--count=2",
			 "--json", "--by", "dev", NULL };
	struct child c;

	write_snapshot(file, 5, 1, 2);
	child_start(&c, argv, NULL);
	if (child_wait_for(&c, 0, "\n", 1, "first JSON line"))
		write_snapshot(file, 6, 3, 4);
	check_u64(0, child_finish(&c, WAIT_MS),
		  "%s --watch --json --count=2: exit code", bin);
	check_str("{\"format\":1,\"view\":\"stats\",\"seq\":5,\"interval_ms\":1000,\"start_ns\":5000000000,\"end_ns\":6000000000,\"keys\":2,\"drops\":3,\"lost\":0,\"evicted\":0,\"by\":[\"dev\"],\"missed\":0,\"rows\":[{\"count\":2,\"rate\":2,\"location\":null,\"symbol\":null,\"module\":null,\"reason\":null,\"dev\":\"eth0\",\"netns\":null,\"proto\":null},{\"count\":1,\"rate\":1,\"location\":null,\"symbol\":null,\"module\":null,\"reason\":null,\"dev\":\"lo\",\"netns\":null,\"proto\":null}]}\n"
		  "{\"format\":1,\"view\":\"stats\",\"seq\":6,\"interval_ms\":1000,\"start_ns\":6000000000,\"end_ns\":7000000000,\"keys\":2,\"drops\":7,\"lost\":0,\"evicted\":0,\"by\":[\"dev\"],\"missed\":0,\"rows\":[{\"count\":4,\"rate\":4,\"location\":null,\"symbol\":null,\"module\":null,\"reason\":null,\"dev\":\"eth0\",\"netns\":null,\"proto\":null},{\"count\":3,\"rate\":3,\"location\":null,\"symbol\":null,\"module\":null,\"reason\":null,\"dev\":\"lo\",\"netns\":null,\"proto\":null}]}\n",
		  c.io[0].p, "%s --watch --json: NDJSON lines", bin);
	check_str("", c.io[1].p, "%s --watch --json: stderr", bin);
	child_free(&c);
	unlink(file);
	free(file);
}

/* Poll @path until it contains @needle. */
static bool file_wait_for(const char *path, const char *needle,
			  const char *what)
{
	struct buf b = { 0 };
	int ms;

	for (ms = 0; ms < WAIT_MS; ms += 20) {
		int fd = open(path, O_RDONLY);

		if (fd >= 0) {
			close(fd);
			if (read_path(path, &b) && strstr(b.p, needle)) {
				free(b.p);
				pass("watch --output: %s", what);
				return true;
			}
			free(b.p);
		}
		usleep(20000);
	}
	fail(needle, "not in the file", "watch --output: %s", what);
	return false;
}

/* The fleet mode: --prometheus --watch --output, stopped by SIGTERM. */
static void test_watch_prom(const char *bin, const char *tmpdir)
{
	char *file = path_join(tmpdir, "totals"), *odir, *dest, names[256];
	char *argv[] = { (char *)bin, "--prometheus", "--watch", "-f", file,
			 "--output", NULL, NULL };
	struct child c;

	odir = path_join(tmpdir, "prom");
	mkdir(odir, 0755);
	dest = path_join(odir, "dropmon.prom");
	argv[6] = dest;
	write_snapshot(file, 5, 1, 2);
	child_start(&c, argv, NULL);
	if (!file_wait_for(dest, "dropmon_snapshot_seq 5\n", "first snapshot"))
		goto out;
	write_snapshot(file, 6, 3, 40);
	if (!file_wait_for(dest, "dropmon_snapshot_seq 6\n", "rewritten"))
		goto out;
	file_wait_for(dest, "\",proto=\"ipv4\"} 40\n", "new counts");
	unlink(file);
	if (file_wait_for(dest, "dropmon_up 0\n", "unload: dropmon_up 0"))
		write_snapshot(file, 1, 1, 1);
	file_wait_for(dest, "dropmon_snapshot_seq 1\n", "after reload");
out:
	kill(c.pid, SIGTERM);
	check_u64(0, child_finish(&c, WAIT_MS),
		  "%s --prometheus --watch --output: SIGTERM exits 0", bin);
	check_str("", c.io[0].p, "%s --prometheus --watch --output: stdout",
		  bin);
	list_dir(odir, names, sizeof(names));
	check_str("dropmon.prom", names,
		  "%s --watch --output leaves no temporary file", bin);
	child_free(&c);
	unlink(dest);
	rmdir(odir);
	unlink(file);
	free(dest);
	free(odir);
	free(file);
}

static unsigned long long boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * From debugfs, a watch reads the file only when the next snapshot is due
 * (end_ns + interval) or the file is a new one (a reloaded module).
 */
static void test_watch_debugfs(const char *bin, const char *tmpdir)
{
	char *dbg = path_join(tmpdir, "dbg"), *dir = path_join(dbg, "dropmon");
	char *file = path_join(dir, "stats");
	char *argv[] = { (char *)bin, "-w", "--classic", "--count", "3", NULL };
	unsigned long long now = boottime_ns();
	struct snap s = { 5, now - 1000000000ULL, now, 3600000, 10, 5 };
	struct child c;

	mkdir(dbg, 0755);
	mkdir(dir, 0755);
	write_snap(file, &s, true);
	child_start(&c, argv, dbg);
	if (!child_wait_for(&c, 0, "seq 5 at", 1, "debugfs: first snapshot"))
		goto out;
	s.seq = 6;
	write_snap(file, &s, false);		/* same file, not due */
	usleep(3 * DM_WATCH_POLL_MS * 1000);
	child_read(&c);
	check_u64(0, strstr(c.io[0].p, "seq 6 at") != NULL,
		  "%s --watch: debugfs not read before the next snapshot is due",
		  bin);
	s = (struct snap){ 1, now, now, 100, 1, 1 };
	write_snap(file, &s, true);		/* new file: reloaded */
	if (!child_wait_for(&c, 0, "seq 1 at", 1, "debugfs: new inode read"))
		goto out;
	child_wait_for(&c, 1, "dropmon was reloaded", 1,
		       "debugfs: new inode is a reload");
	s.seq = 2;
	write_snap(file, &s, false);		/* same file, due */
	child_wait_for(&c, 0, "seq 2 at", 1, "debugfs: read once due");
out:
	check_u64(0, child_finish(&c, WAIT_MS),
		  "%s --watch from debugfs: exit code", bin);
	child_free(&c);
	unlink(file);
	rmdir(dir);
	rmdir(dbg);
	free(file);
	free(dir);
	free(dbg);
}

/* ------------------------------------------------------------------ */
/* Binary: samples files and --pcap                                    */
/* ------------------------------------------------------------------ */

static void copy_fixture(const char *dir, const char *fx, const char *dest)
{
	struct buf b;
	FILE *f;

	if (!read_fixture(dir, fx, &b))
		return;
	f = fopen(dest, "wb");
	if (!f || fwrite(b.p, 1, b.len, f) != b.len || fclose(f))
		fail("a copy", strerror(errno), "copy %s to %s", fx, dest);
	free(b.p);
}

/* -f DIR/stats finds DIR/samples; errors say what to do. */
static void test_samples_sibling(const char *bin, const char *dir,
				 const char *tmpdir)
{
	char *snap = path_join(tmpdir, "snap");
	char *stats = path_join(snap, "stats"), *samples = path_join(snap, "samples");
	char *good = path_join(dir, "good.stats"), *sfx = path_join(dir, "sampled.samples");
	char *bad = path_join(dir, "bad-hex.samples");
	char *a_sib[] = { (char *)bin, "-v", "--classic", "-f", stats, NULL };
	char *a_seq[] = { (char *)bin, "-v", "-f", good, "--samples-file", sfx, NULL };
	char *a_bad[] = { (char *)bin, "-v", "-f", stats, "--samples-file", bad, NULL };
	struct run_spec spec = { .env = env_plain };
	struct run_result res;
	char exp[2048];
	struct buf want;

	mkdir(snap, 0755);
	copy_fixture(dir, "sampled.stats", stats);
	copy_fixture(dir, "sampled.samples", samples);
	if (read_fixture(dir, "sampled.classic.expected", &want)) {
		run(a_sib, &spec, &res);
		check_u64(0, res.status, "%s -v -f DIR/stats: exit code", bin);
		check_mem(want.p, want.len, res.out.p, res.out.len,
			  "%s -v -f DIR/stats reads DIR/samples", bin);
		free_result(&res);
		free(want.p);
	}
	unlink(samples);
	snprintf(exp, sizeof(exp), PROG_PREFIX "cannot read the samples file %s: No such file or directory; give the samples file of the same snapshot with --samples-file FILE\n",
		 samples);
	expect_error(bin, a_sib, &spec, 2, exp, "-v without DIR/samples");

	snprintf(exp, sizeof(exp), PROG_PREFIX "%s has seq=42 but %s seq=77 after 3 reads: not the same snapshot; give the samples file of the same snapshot (--samples-file)\n",
		 good, sfx);
	expect_error(bin, a_seq, &spec, 1, exp, "-v with samples of another seq");

	snprintf(exp, sizeof(exp), PROG_PREFIX "%s: line 3: packet: byte 1 is not two lowercase hex digits; is this a dropmon samples file? (this dropmon-show reads dropmon-samples format=1)\n",
		 bad);
	expect_error(bin, a_bad, &spec, 1, exp, "-v with bad hex");
	unlink(stats);
	rmdir(snap);
	free(snap);
	free(stats);
	free(samples);
	free(good);
	free(sfx);
	free(bad);
}

static void test_pcap(const char *bin, const char *dir, const char *tmpdir)
{
	char *stats = path_join(dir, "sampled.stats"), *sfx = path_join(dir, "sampled.samples");
	char *dest = path_join(tmpdir, "drops.pcapng");
	char *nodir = path_join(tmpdir, "no/such/dir.pcapng");
	char *a_ok[] = { (char *)bin, "--pcap", dest, "-f", stats, "--samples-file", sfx, NULL };
	char *a_dev[] = { (char *)bin, "--pcap", dest, "--dev", "lo", "-f", stats, "--samples-file", sfx, NULL };
	char *a_bad[] = { (char *)bin, "--pcap", nodir, "-f", stats, "--samples-file", sfx, NULL };
	static const unsigned char shb[] = { 0x0a, 0x0d, 0x0d, 0x0a };
	struct run_spec spec = { .env = env_plain };
	struct run_result res;
	char exp[1024], listing[1024];
	struct buf b;

	run(a_ok, &spec, &res);
	check_u64(0, res.status, "%s --pcap: exit code", bin);
	check_mem("", 0, res.out.p, res.out.len, "%s --pcap: stdout", bin);
	snprintf(exp, sizeof(exp), PROG_PREFIX "wrote 7 packets to %s; skipped 1 sample without bytes (header=none); 1 row had no sample\n",
		 dest);
	check_str(exp, res.err.p, "%s --pcap: stderr counts", bin);
	free_result(&res);
	if (read_path(dest, &b)) {
		check_mem((const char *)shb, 4, b.p, b.len < 4 ? b.len : 4,
			  "%s --pcap: starts with a Section Header Block", bin);
		check_u64(0, b.len % 4, "%s --pcap: blocks are 32-bit aligned", bin);
		free(b.p);
	}
	list_dir(tmpdir, listing, sizeof(listing));
	check_str("drops.pcapng", listing, "%s --pcap: no temporary file left", bin);

	run(a_dev, &spec, &res);
	snprintf(exp, sizeof(exp), PROG_PREFIX "wrote 1 packet to %s\n", dest);
	check_str(exp, res.err.p, "%s --pcap --dev lo: one packet", bin);
	free_result(&res);
	unlink(dest);

	snprintf(exp, sizeof(exp), PROG_PREFIX "cannot create a temporary file for %s: No such file or directory; check that the directory exists and is writable\n",
		 nodir);
	expect_error(bin, a_bad, &spec, 2, exp, "--pcap into a missing directory");
	list_dir(tmpdir, listing, sizeof(listing));
	check_str("", listing, "%s --pcap failed: nothing left behind", bin);
	free(stats);
	free(sfx);
	free(dest);
	free(nodir);
}

void test_show_binary(const char *bin, const char *dir, const char *tmpdir)
{
	size_t i;

	umask(022);
	for (i = 0; i < ARRAY_SIZE(show_cases); i++)
		test_case(bin, dir, &show_cases[i]);
	test_table_time(bin, dir);
	test_usage(bin);
	test_output(bin, dir, tmpdir);
	test_watch_classic(bin, tmpdir);
	test_watch_json(bin, tmpdir);
	test_watch_prom(bin, tmpdir);
	test_watch_debugfs(bin, tmpdir);
	test_samples_sibling(bin, dir, tmpdir);
	test_pcap(bin, dir, tmpdir);
}
