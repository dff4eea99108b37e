// SPDX-License-Identifier: GPL-2.0
/*
 * test_stats.c - unit tests for the dropmon stats parser and dropmon-show.
 *
 * Usage: test_stats FIXTURE_DIR [DROPMON_SHOW_BINARY...]
 *
 * The parser's tests are here; test_show.c tests the views, the output
 * formats and every mode of the binary; check.c holds what they share.
 *
 * Every check prints one line, "PASS: <name>" or
 * "FAIL: <name>: expected <X>, saw <Y>", then a summary
 * "unit: N passed, M failed".  Exits 1 if anything failed.
 *
 * Parser inputs are always copied into a malloc()ed buffer of exactly their
 * length, so that ASan catches any read past the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "stats.h"
#include "test_netns.h"
#include "test_buildinfo.h"
#include "test_modhint.h"
#include "test_samples.h"
#include "test_exporter.h"
#include "test_show.h"

#define MALFORMED_SUFFIX \
	"; is this a dropmon stats file? (this dropmon-show reads format=1 and format=2)\n"

/* ------------------------------------------------------------------ */
/* Parser: good fixtures                                               */
/* ------------------------------------------------------------------ */

struct exp_row {
	unsigned long long count;
	unsigned long long location;
	const char *symbol, *module, *reason, *dev;
	unsigned int netns;
	const char *proto;
};

static void check_row(const char *fx, size_t i, const struct dropmon_row *r,
		      const struct exp_row *e)
{
	check_u64(e->count, r->count, "%s row %zu count", fx, i);
	check_u64(e->location, r->location, "%s row %zu location", fx, i);
	check_str(e->symbol, r->symbol, "%s row %zu symbol", fx, i);
	check_str(e->module, r->module, "%s row %zu module", fx, i);
	check_str(e->reason, r->reason, "%s row %zu reason", fx, i);
	check_str(e->dev, r->dev, "%s row %zu dev", fx, i);
	check_u64(e->netns, r->netns, "%s row %zu netns", fx, i);
	check_str(e->proto, r->proto, "%s row %zu proto", fx, i);
}

static void check_header(const char *fx, const struct dropmon_header *h,
			 const struct dropmon_header *e)
{
	check_u64(e->format, h->format, "%s header format", fx);
	check_u64(e->seq, h->seq, "%s header seq", fx);
	check_u64(e->interval_ms, h->interval_ms, "%s header interval_ms", fx);
	check_u64(e->start_ns, h->start_ns, "%s header start_ns", fx);
	check_u64(e->end_ns, h->end_ns, "%s header end_ns", fx);
	check_u64(e->keys, h->keys, "%s header keys", fx);
	check_u64(e->drops, h->drops, "%s header drops", fx);
	check_u64(e->lost, h->lost, "%s header lost", fx);
}

static void test_good_fixture(const char *dir, const char *fx,
			      const struct dropmon_header *eh,
			      const struct exp_row *rows, size_t nr_rows)
{
	struct dropmon_parse_error err;
	struct dropmon_stats st;
	char saw[256];
	struct buf b;
	size_t i;

	if (!read_fixture(dir, fx, &b))
		return;
	if (parse_exact(b.p, b.len, &st, &err)) {
		snprintf(saw, sizeof(saw), "line %lu: %s", err.line, err.msg);
		fail("success", saw, "%s parses", fx);
		goto out;
	}
	pass("%s parses", fx);
	check_header(fx, &st.hdr, eh);
	if (check_u64(nr_rows, st.nr_rows, "%s row count", fx))
		for (i = 0; i < nr_rows; i++)
			check_row(fx, i, &st.rows[i], &rows[i]);
	dropmon_stats_free(&st);
out:
	free(b.p);
}

static void test_good(const char *dir)
{
	static const struct dropmon_header h = {
		1, 42, 1000, 4123456789012ULL, 4124456789012ULL, 7, 2504, 3, 0,
	};
	static const struct exp_row rows[] = {
		{ 1234, 0xffffffff81a1b2c3ULL, "__udp4_lib_rcv+0x5a2/0xb60",
		  "vmlinux", "NO_SOCKET", "lo", 4026531840U, "ipv4" },
		{ 800, 0xffffffff81b04f10ULL, "ip6_rcv_core+0x1f0/0x6a0",
		  "vmlinux", "IP_INHDR", "eth0", 4026532281U, "ipv6" },
		{ 300, 0xffffffffc0a1b2c3ULL, "?", "?", "-", "-", 0,
		  "0x88b5" },
		{ 100, 0xffffffff81c0ffeeULL, "kfree_skb_list_reason+0x30/0x50",
		  "vmlinux", "77", "?", 4026531840U, "arp" },
		{ 59, 0xffffffffc0b00100ULL, "br_handle_frame+0x1a/0x2e0",
		  "bridge", "NOT_SPECIFIED", "br0", 4026531840U, "0x8100" },
		{ 4, 0xffffffff81000001ULL, "sk_filter_trim_cap+0x10/0x200",
		  "vmlinux", "SOCKET_FILTER", "veth1a2b3c4", 4026532500U,
		  "ipv6" },
		{ 4, 0xffffffff81000002ULL, "tcp_v4_rcv+0x80/0xe00",
		  "vmlinux", "TCP_CSUM", "eth0", 4026531840U, "ipv4" },
	};

	test_good_fixture(dir, "good.stats", &h, rows, ARRAY_SIZE(rows));
}

static void test_empty(const char *dir)
{
	static const struct dropmon_header h = { 1, 0, 1000, 0, 0, 0, 0, 0, 0 };
	struct dropmon_stats st;
	struct buf b;

	test_good_fixture(dir, "empty.stats", &h, NULL, 0);
	if (!read_fixture(dir, "empty.stats", &b))
		return;
	if (!parse_exact(b.p, b.len, &st, NULL)) {
		check_u64(1, st.rows == NULL, "empty.stats has no row array");
		dropmon_stats_free(&st);
	}
	free(b.p);
}

static void test_totals(const char *dir)
{
	static const struct dropmon_header h = {
		1, 3600, 1000, 912345678ULL, 3600912345678ULL, 3,
		ULLONG_MAX, 15, 0,
	};
	static const struct exp_row rows[] = {
		{ 18446744073709500000ULL, 0xffffffff81a1b2c3ULL,
		  "__udp4_lib_rcv+0x5a2/0xb60", "vmlinux", "NO_SOCKET", "lo",
		  4026531840U, "ipv4" },
		{ 51599, 0xffffffffc0a1b2c3ULL, "?", "mlx5_core", "-",
		  "enp3s0f0", UINT_MAX, "ipv6" },
		{ 1, 0xffffffff81000002ULL, "nf_hook_slow+0xa1/0x120",
		  "vmlinux", "NETFILTER_DROP", "wg0", 4026531840U, "ipv4" },
	};

	test_good_fixture(dir, "totals.stats", &h, rows, ARRAY_SIZE(rows));
}

/* Format 2: evicted= after lost=, in the invariant. */
static void test_format2(const char *dir)
{
	static const struct dropmon_header ht = {
		2, 9000, 1000, 912345678ULL, 9000912345678ULL, 3, 18050, 2,
		12345,
	};
	static const struct exp_row rows[] = {
		{ 5000, 0xffffffff81a1b2c3ULL, "__udp4_lib_rcv+0x5a2/0xb60",
		  "vmlinux", "NO_SOCKET", "lo", 4026531840U, "ipv4" },
		{ 700, 0xffffffff81b04f10ULL, "ip6_rcv_core+0x1f0/0x6a0",
		  "vmlinux", "IP_INHDR", "veth3f2a1b0", 4026532901U, "ipv6" },
		{ 3, 0xffffffff81000002ULL, "tcp_v4_rcv+0x80/0xe00",
		  "vmlinux", "TCP_CSUM", "eth0", 4026531840U, "ipv4" },
	};
	static const struct dropmon_header hs = {
		2, 9000, 1000, 8999912345678ULL, 9000912345678ULL, 2, 15, 1, 0,
	};
	static const struct exp_row srows[] = {
		{ 10, 0xffffffff81a1b2c3ULL, "__udp4_lib_rcv+0x5a2/0xb60",
		  "vmlinux", "NO_SOCKET", "lo", 4026531840U, "ipv4" },
		{ 4, 0xffffffffc0a1b2c3ULL, "?", "?", "-", "-", 0, "0x88b5" },
	};

	test_good_fixture(dir, "evicted.stats", &ht, rows, ARRAY_SIZE(rows));
	test_good_fixture(dir, "stats2.stats", &hs, srows, ARRAY_SIZE(srows));
}

/* ------------------------------------------------------------------ */
/* Parser: malformed input                                             */
/* ------------------------------------------------------------------ */

struct bad_case {
	const char *name;
	const char *text;	/* fixture file name, or inline text */
	size_t len;		/* inline text length, 0 for a fixture */
	enum dropmon_parse_status status;
	unsigned long line;
	const char *msg;	/* substring expected in err.msg */
};

static const struct bad_case bad_fixtures[] = {
	{ "bad-magic", "bad-magic.stats", 0, DROPMON_PARSE_MALFORMED, 1,
	  "bad magic" },
	{ "bad-format3", "bad-format3.stats", 0, DROPMON_PARSE_VERSION, 1,
	  "unknown format version 3" },
	{ "bad-format2-no-evicted", "bad-format2-no-evicted.stats", 0,
	  DROPMON_PARSE_MALFORMED, 1, "header: missing field 'evicted'" },
	{ "bad-format1-evicted", "bad-format1-evicted.stats", 0,
	  DROPMON_PARSE_MALFORMED, 1,
	  "header: unexpected text after lost=1 (format=1 has no evicted=): 'evicted=0'" },
	{ "bad-invariant2", "bad-invariant2.stats", 0, DROPMON_PARSE_MALFORMED,
	  1, "drops=20 but sum of counts (14) + lost (1) + evicted (4) differs" },
	{ "bad-missing-field", "bad-missing-field.stats", 0,
	  DROPMON_PARSE_MALFORMED, 1,
	  "expected 'interval_ms=', found 'start_ns'" },
	{ "bad-column-header", "bad-column-header.stats", 0,
	  DROPMON_PARSE_MALFORMED, 2, "column header is not" },
	{ "bad-7fields", "bad-7fields.stats", 0, DROPMON_PARSE_MALFORMED, 4,
	  "expected 8 TAB-separated fields, found 7" },
	{ "bad-count-nan", "bad-count-nan.stats", 0, DROPMON_PARSE_MALFORMED,
	  3, "count '12a' is not an unsigned decimal number" },
	{ "bad-count-overflow", "bad-count-overflow.stats", 0,
	  DROPMON_PARSE_MALFORMED, 3,
	  "count '99999999999999999999999' overflows 64 bits" },
	{ "bad-keys-mismatch", "bad-keys-mismatch.stats", 0,
	  DROPMON_PARSE_MALFORMED, 5,
	  "file ends after 2 data lines but keys=3" },
	{ "bad-too-many-rows", "bad-too-many-rows.stats", 0,
	  DROPMON_PARSE_MALFORMED, 4, "more data lines than keys=1" },
	{ "bad-invariant", "bad-invariant.stats", 0, DROPMON_PARSE_MALFORMED,
	  1, "drops=16 but sum of counts (14) + lost (1) + evicted (0) differs" },
	{ "bad-location", "bad-location.stats", 0, DROPMON_PARSE_MALFORMED, 3,
	  "location '0xFFFFFFFF81A1B2C3' is not" },
	{ "bad-truncated", "bad-truncated.stats", 0, DROPMON_PARSE_MALFORMED,
	  4, "no newline at end of line" },
	{ "bad-empty", "bad-empty.stats", 0, DROPMON_PARSE_MALFORMED, 1,
	  "file is empty" },
	{ "bad-nul", "bad-nul.stats", 0, DROPMON_PARSE_MALFORMED, 3,
	  "NUL byte" },
};

#define HDR(keys, drops, lost) \
	"# dropmon format=1 seq=1 interval_ms=1000 start_ns=5 end_ns=6 " \
	"keys=" #keys " drops=" #drops " lost=" #lost "\n"
#define COLS "# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n"
#define ROW(count) count "\t0xffffffff81000000\tf+0x1/0x2\tvmlinux\tNO_SOCKET\tlo\t1\tipv4\n"

static const struct bad_case bad_inline[] = {
	{ "inline header only", STR(HDR(0, 0, 0)), DROPMON_PARSE_MALFORMED,
	  2, "missing column header line" },
	{ "inline no magic space", STR("# dropmon\n"),
	  DROPMON_PARSE_MALFORMED, 1, "bad magic" },
	{ "inline magic only", STR("# dropmon \n"), DROPMON_PARSE_MALFORMED,
	  1, "missing field 'format'" },
	{ "inline format=0", STR("# dropmon format=0\n"),
	  DROPMON_PARSE_VERSION, 1, "unknown format version 0" },
	{ "inline format huge",
	  STR("# dropmon format=99999999999999999999999 seq=1\n"),
	  DROPMON_PARSE_MALFORMED, 1, "format value overflows 64 bits" },
	{ "inline format not a number", STR("# dropmon format=one seq=1\n"),
	  DROPMON_PARSE_MALFORMED, 1, "format='one' is not" },
	{ "inline fields out of order",
	  STR("# dropmon format=1 interval_ms=1 seq=1\n"),
	  DROPMON_PARSE_MALFORMED, 1, "expected 'seq=', found 'interval_ms'" },
	{ "inline header truncated",
	  STR("# dropmon format=1 seq=1 interval_ms=1\n"),
	  DROPMON_PARSE_MALFORMED, 1, "missing field 'start_ns'" },
	{ "inline empty value",
	  STR("# dropmon format=1 seq= interval_ms=1\n"),
	  DROPMON_PARSE_MALFORMED, 1, "seq='' is not" },
	{ "inline signed value",
	  STR("# dropmon format=1 seq=+1 interval_ms=1\n"),
	  DROPMON_PARSE_MALFORMED, 1, "seq='+1' is not" },
	{ "inline double space",
	  STR("# dropmon format=1  seq=1\n"),
	  DROPMON_PARSE_MALFORMED, 1, "expected 'seq=', found ''" },
	{ "inline header trailing text", STR(
	  "# dropmon format=1 seq=1 interval_ms=1000 start_ns=5 end_ns=6 "
	  "keys=0 drops=0 lost=0 extra=1\n" COLS),
	  DROPMON_PARSE_MALFORMED, 1, "unexpected text after lost=0" },
	{ "inline header trailing space", STR(
	  "# dropmon format=1 seq=1 interval_ms=1000 start_ns=5 end_ns=6 "
	  "keys=0 drops=0 lost=0 \n" COLS),
	  DROPMON_PARSE_MALFORMED, 1, "unexpected text after lost=0" },
	{ "inline CRLF", STR(
	  "# dropmon format=1 seq=1 interval_ms=1000 start_ns=5 end_ns=6 "
	  "keys=0 drops=0 lost=0\r\n" COLS),
	  DROPMON_PARSE_MALFORMED, 1, "lost='0?' is not" },
	{ "inline column header trailing tab", STR(HDR(0, 0, 0)
	  "# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\t\n"),
	  DROPMON_PARSE_MALFORMED, 2, "column header is not" },
	{ "inline 9 fields", STR(HDR(1, 1, 0) COLS
	  "1\t0xffffffff81000000\tf+0x1/0x2\tvmlinux\tX\tlo\t1\tipv4\textra\n"),
	  DROPMON_PARSE_MALFORMED, 3,
	  "expected 8 TAB-separated fields, found 9" },
	{ "inline 1 field", STR(HDR(1, 1, 0) COLS "1\n"),
	  DROPMON_PARSE_MALFORMED, 3,
	  "expected 8 TAB-separated fields, found 1" },
	{ "inline blank data line", STR(HDR(1, 1, 0) COLS "\n"),
	  DROPMON_PARSE_MALFORMED, 3,
	  "expected 8 TAB-separated fields, found 1" },
	{ "inline count overflow by one",
	  STR(HDR(1, 0, 0) COLS ROW("18446744073709551616")),
	  DROPMON_PARSE_MALFORMED, 3, "overflows 64 bits" },
	{ "inline negative count", STR(HDR(1, 0, 0) COLS ROW("-1")),
	  DROPMON_PARSE_MALFORMED, 3, "count '-1' is not" },
	{ "inline location without 0x", STR(HDR(1, 1, 0) COLS
	  "1\tffffffff81000000\tf\tvmlinux\tX\tlo\t1\tipv4\n"),
	  DROPMON_PARSE_MALFORMED, 3, "location 'ffffffff81000000' is not" },
	{ "inline location 0x only", STR(HDR(1, 1, 0) COLS
	  "1\t0x\tf\tvmlinux\tX\tlo\t1\tipv4\n"),
	  DROPMON_PARSE_MALFORMED, 3, "location '0x' is not" },
	{ "inline location 17 digits", STR(HDR(1, 1, 0) COLS
	  "1\t0x1ffffffff81000000\tf\tvmlinux\tX\tlo\t1\tipv4\n"),
	  DROPMON_PARSE_MALFORMED, 3, "location '0x1ffffffff81000000' is not" },
	{ "inline netns overflow", STR(HDR(1, 1, 0) COLS
	  "1\t0x1\tf\tvmlinux\tX\tlo\t4294967296\tipv4\n"),
	  DROPMON_PARSE_MALFORMED, 3, "netns '4294967296' overflows 32 bits" },
	{ "inline netns hex", STR(HDR(1, 1, 0) COLS
	  "1\t0x1\tf\tvmlinux\tX\tlo\t0x10\tipv4\n"),
	  DROPMON_PARSE_MALFORMED, 3, "netns '0x10' is not" },
	{ "inline empty symbol", STR(HDR(1, 1, 0) COLS
	  "1\t0x1\t\tvmlinux\tX\tlo\t1\tipv4\n"),
	  DROPMON_PARSE_MALFORMED, 3, "symbol field is empty" },
	{ "inline empty proto", STR(HDR(1, 1, 0) COLS
	  "1\t0x1\tf\tvmlinux\tX\tlo\t1\t\n"),
	  DROPMON_PARSE_MALFORMED, 3, "proto field is empty" },
	{ "inline dev 16 chars", STR(HDR(1, 1, 0) COLS
	  "1\t0x1\tf\tvmlinux\tX\tabcdefghijklmnop\t1\tipv4\n"),
	  DROPMON_PARSE_MALFORMED, 3, "dev field is too long (16 bytes, max 15)" },
	{ "inline control char in reason", STR(HDR(1, 1, 0) COLS
	  "1\t0x1\tf\tvmlinux\tX\x1b[31m\tlo\t1\tipv4\n"),
	  DROPMON_PARSE_MALFORMED, 3, "reason field contains control character 0x1b" },
	{ "inline DEL in dev", STR(HDR(1, 1, 0) COLS
	  "1\t0x1\tf\tvmlinux\tX\tlo\x7f\t1\tipv4\n"),
	  DROPMON_PARSE_MALFORMED, 3, "dev field contains control character 0x7f" },
	{ "inline sum overflow", STR(HDR(2, 0, 0) COLS
	  ROW("18446744073709551615") ROW("1")),
	  DROPMON_PARSE_MALFORMED, 1, "sum of counts overflows 64 bits" },
	{ "inline sum+lost overflow", STR(HDR(1, 0, 1) COLS
	  ROW("18446744073709551615")),
	  DROPMON_PARSE_MALFORMED, 1, "drops=0 but sum of counts" },
	{ "inline format=2 sum+lost+evicted overflow", STR(
	  "# dropmon format=2 seq=1 interval_ms=1000 start_ns=5 end_ns=6 "
	  "keys=1 drops=0 lost=0 evicted=1\n" COLS ROW("18446744073709551615")),
	  DROPMON_PARSE_MALFORMED, 1,
	  "drops=0 but sum of counts (18446744073709551615) + lost (0) + evicted (1) differs" },
	{ "inline format=2 evicted not a number", STR(
	  "# dropmon format=2 seq=1 interval_ms=1000 start_ns=5 end_ns=6 "
	  "keys=0 drops=0 lost=0 evicted=x\n" COLS),
	  DROPMON_PARSE_MALFORMED, 1, "evicted='x' is not" },
	{ "inline format=2 evicted before lost", STR(
	  "# dropmon format=2 seq=1 interval_ms=1000 start_ns=5 end_ns=6 "
	  "keys=0 drops=0 evicted=0 lost=0\n" COLS),
	  DROPMON_PARSE_MALFORMED, 1, "expected 'lost=', found 'evicted'" },
	{ "inline format=2 trailing text", STR(
	  "# dropmon format=2 seq=1 interval_ms=1000 start_ns=5 end_ns=6 "
	  "keys=0 drops=0 lost=0 evicted=0 extra=1\n" COLS),
	  DROPMON_PARSE_MALFORMED, 1,
	  "unexpected text after evicted=0: 'extra=1'" },
	{ "inline format=2 only evicted makes the invariant", STR(
	  "# dropmon format=2 seq=1 interval_ms=1000 start_ns=5 end_ns=6 "
	  "keys=1 drops=5 lost=0 evicted=3\n" COLS ROW("1")),
	  DROPMON_PARSE_MALFORMED, 1,
	  "drops=5 but sum of counts (1) + lost (0) + evicted (3) differs" },
	{ "inline keys huge, no rows", STR(HDR(18446744073709551615, 0, 0)
	  COLS), DROPMON_PARSE_MALFORMED, 3,
	  "file ends after 0 data lines but keys=18446744073709551615" },
	{ "inline missing final newline after column header",
	  STR(HDR(0, 0, 0) "# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto"),
	  DROPMON_PARSE_MALFORMED, 2, "no newline" },
	{ "inline lone newline", STR("\n"), DROPMON_PARSE_MALFORMED, 1,
	  "bad magic" },
	{ "inline NUL in header", STR("# dropmon format=1\0 seq=1\n"),
	  DROPMON_PARSE_MALFORMED, 1, "NUL byte" },
	{ "inline binary junk", STR("\x7f" "ELF\x02\x01\x01\0\0\0\0"),
	  DROPMON_PARSE_MALFORMED, 1, "no newline" },
};

static void check_bad(const struct bad_case *c, const char *text, size_t len)
{
	struct dropmon_parse_error err;
	struct dropmon_stats st;
	enum dropmon_parse_status ret;

	ret = parse_exact(text, len, &st, &err);
	check_u64(c->status, ret, "%s status", c->name);
	check_u64(c->line, err.line, "%s error line", c->name);
	check_contains(c->msg, err.msg, "%s error message", c->name);
	check_u64(1, st.rows == NULL && st.nr_rows == 0,
		  "%s leaves no rows", c->name);
	if (ret == DROPMON_PARSE_OK)
		dropmon_stats_free(&st);
	if (c->status == DROPMON_PARSE_VERSION)
		check_u64(strtoull(c->msg + strlen("unknown format version "),
				   NULL, 10), err.version,
			  "%s error version", c->name);
}

static void test_bad(const char *dir)
{
	struct buf b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_fixtures); i++) {
		if (!read_fixture(dir, bad_fixtures[i].text, &b))
			continue;
		check_bad(&bad_fixtures[i], b.p, b.len);
		free(b.p);
	}
	for (i = 0; i < ARRAY_SIZE(bad_inline); i++)
		check_bad(&bad_inline[i], bad_inline[i].text,
			  bad_inline[i].len);
}

/* ------------------------------------------------------------------ */
/* Parser: boundaries and generated input                              */
/* ------------------------------------------------------------------ */

static void test_boundaries(void)
{
	static const char max_count[] = HDR(1, 18446744073709551615, 0) COLS
		"18446744073709551615\t0xffffffffffffffff\t?\t?\t-\t-\t4294967295\tipv4\n";
	static const char zero_loc[] = HDR(1, 1, 0) COLS
		"1\t0x0\tf\tm\t-\tabcdefghijklmno\t0\tipv4\n";
	struct dropmon_stats st;

	if (check_u64(DROPMON_PARSE_OK, parse_exact(STR(max_count), &st, NULL),
		      "u64/u32 maxima accepted")) {
		check_u64(ULLONG_MAX, st.rows[0].count, "u64 max count");
		check_u64(ULLONG_MAX, st.rows[0].location, "u64 max location");
		check_u64(UINT_MAX, st.rows[0].netns, "u32 max netns");
		dropmon_stats_free(&st);
	}
	if (check_u64(DROPMON_PARSE_OK, parse_exact(STR(zero_loc), &st, NULL),
		      "location 0x0 and 15-char dev accepted")) {
		check_u64(0, st.rows[0].location, "location 0x0");
		check_str("abcdefghijklmno", st.rows[0].dev, "15-char dev");
		dropmon_stats_free(&st);
	}
}

/* A one-row file whose symbol is @symlen bytes long. */
static size_t make_symbol_file(char **out, size_t symlen)
{
	static const char head[] = HDR(1, 1, 0) COLS "1\t0x1\t";
	static const char tail[] = "\tvmlinux\t-\t-\t0\tipv4\n";
	size_t len = strlen(head) + symlen + strlen(tail);
	char *p = xmalloc(len);

	memcpy(p, head, strlen(head));
	memset(p + strlen(head), 's', symlen);
	memcpy(p + strlen(head) + symlen, tail, strlen(tail));
	*out = p;
	return len;
}

static void test_long_fields(void)
{
	struct dropmon_parse_error err;
	struct dropmon_stats st;
	char *text;
	size_t len;

	len = make_symbol_file(&text, DROPMON_SYMBOL_MAX);
	if (check_u64(DROPMON_PARSE_OK, parse_exact(text, len, &st, &err),
		      "symbol of %d bytes accepted", DROPMON_SYMBOL_MAX)) {
		check_u64(DROPMON_SYMBOL_MAX, strlen(st.rows[0].symbol),
			  "symbol of %d bytes copied", DROPMON_SYMBOL_MAX);
		dropmon_stats_free(&st);
	}
	free(text);

	len = make_symbol_file(&text, DROPMON_SYMBOL_MAX + 1);
	check_u64(DROPMON_PARSE_MALFORMED, parse_exact(text, len, &st, &err),
		  "symbol of %d bytes rejected", DROPMON_SYMBOL_MAX + 1);
	check_contains("symbol field is too long", err.msg,
		       "symbol of %d bytes error message",
		       DROPMON_SYMBOL_MAX + 1);
	free(text);

	len = make_symbol_file(&text, DROPMON_LINE_MAX + 10);
	check_u64(DROPMON_PARSE_MALFORMED, parse_exact(text, len, &st, &err),
		  "overlong line rejected");
	check_u64(3, err.line, "overlong line error line");
	check_contains("line too long", err.msg, "overlong line error message");
	free(text);

	/* 1 MiB without a single newline */
	len = 1 << 20;
	text = xmalloc(len);
	memset(text, '#', len);
	check_u64(DROPMON_PARSE_MALFORMED, parse_exact(text, len, &st, &err),
		  "1 MiB without newline rejected");
	check_contains("line too long", err.msg,
		       "1 MiB without newline error message");
	free(text);
}

/* A valid file with @n rows of count 1 (so drops == n). */
static void test_many_rows(void)
{
	static const char row[] =
		"1\t0xffffffff81000000\tf+0x1/0x2\tvmlinux\t-\teth0\t1\tipv6\n";
	const size_t n = 20000;
	struct dropmon_stats st;
	char head[256];
	size_t hlen, len, i;
	char *text;

	hlen = snprintf(head, sizeof(head),
			"# dropmon format=1 seq=9 interval_ms=1 start_ns=0 end_ns=1 keys=%zu drops=%zu lost=0\n%s",
			n, n, dropmon_column_header);
	len = hlen + 1 + n * strlen(row);
	text = xmalloc(len);
	memcpy(text, head, hlen);
	text[hlen] = '\n';
	for (i = 0; i < n; i++)
		memcpy(text + hlen + 1 + i * strlen(row), row, strlen(row));
	if (check_u64(DROPMON_PARSE_OK, parse_exact(text, len, &st, NULL),
		      "%zu rows parse", n)) {
		check_u64(n, st.nr_rows, "%zu rows counted", n);
		check_str("eth0", st.rows[n - 1].dev, "last of %zu rows dev", n);
		dropmon_stats_free(&st);
	}
	free(text);
}

/* Every proper prefix of a valid file must be rejected without crashing. */
static void test_truncations(const char *dir, const char *fx)
{
	struct dropmon_stats st;
	struct buf b;
	size_t len, bad = 0, first_ok = 0;

	if (!read_fixture(dir, fx, &b))
		return;
	for (len = 0; len < b.len; len++) {
		if (parse_exact(b.p, len, &st, NULL) == DROPMON_PARSE_OK) {
			if (!bad++)
				first_ok = len;
			dropmon_stats_free(&st);
		}
	}
	if (bad) {
		char saw[64];

		snprintf(saw, sizeof(saw), "%zu accepted (first: %zu bytes)",
			 bad, first_ok);
		fail("0 accepted", saw, "%s every truncation rejected", fx);
	} else {
		pass("%s every truncation rejected", fx);
	}
	free(b.p);
}

/* Check what a successful parse promises. */
static bool stats_consistent(const struct dropmon_stats *st)
{
	unsigned long long sum = st->hdr.lost;
	size_t i;

	if (st->nr_rows != st->hdr.keys || st->hdr.format != 1)
		return false;
	for (i = 0; i < st->nr_rows; i++) {
		const struct dropmon_row *r = &st->rows[i];

		if (!*r->symbol || strlen(r->symbol) > DROPMON_SYMBOL_MAX ||
		    !*r->module || strlen(r->module) > DROPMON_MODULE_MAX ||
		    !*r->reason || strlen(r->reason) > DROPMON_REASON_MAX ||
		    !*r->dev || strlen(r->dev) > DROPMON_DEV_MAX ||
		    !*r->proto || strlen(r->proto) > DROPMON_PROTO_MAX)
			return false;
		sum += r->count;
	}
	return sum == st->hdr.drops;
}

/* Replace each byte in turn with a few troublesome values. */
static void test_mutations(const char *dir, const char *fx)
{
	static const unsigned char subst[] = {
		0, '\n', '\t', ' ', '=', '0', '9', 'x', 'f', 0x7f, 0xff,
	};
	struct dropmon_stats st;
	unsigned long runs = 0, bad = 0;
	struct buf b;
	size_t i, j;
	char saw[64];

	if (!read_fixture(dir, fx, &b))
		return;
	for (i = 0; i < b.len; i++) {
		char orig = b.p[i];

		for (j = 0; j < ARRAY_SIZE(subst); j++) {
			b.p[i] = (char)subst[j];
			runs++;
			if (parse_exact(b.p, b.len, &st, NULL))
				continue;
			if (!stats_consistent(&st))
				bad++;
			dropmon_stats_free(&st);
		}
		b.p[i] = orig;
	}
	snprintf(saw, sizeof(saw), "%lu of %lu", bad, runs);
	if (bad)
		fail("every accepted mutant consistent", saw,
		     "%s byte mutations", fx);
	else
		pass("%s byte mutations (%lu runs)", fx, runs);
	free(b.p);
}

/* ------------------------------------------------------------------ */
/* dropmon-show binary                                                 */
/* ------------------------------------------------------------------ */


static void test_bin_good(const char *bin, const char *dir, const char *fx,
			  const char *expected)
{
	char *path = path_join(dir, fx);
	char *argv[] = { (char *)bin, "--classic", "-f", path, NULL };
	struct run_result res;
	struct buf exp;

	if (read_fixture(dir, expected, &exp)) {
		run(argv, &default_spec, &res);
		check_u64(0, res.status, "%s -f %s exit code", bin, fx);
		check_mem(exp.p, exp.len, res.out.p, res.out.len,
			  "%s -f %s stdout", bin, fx);
		check_mem("", 0, res.err.p, res.err.len,
			  "%s -f %s stderr", bin, fx);
		free_result(&res);
		free(exp.p);
	}
	free(path);
}

static void test_bin_stdin(const char *bin, const char *dir)
{
	char *path = path_join(dir, "good.stats");
	char *argv[] = { (char *)bin, "--classic", "-f", "-", NULL };
	struct run_spec spec = { .stdin_path = path };
	struct run_result res;
	struct buf exp;

	if (read_fixture(dir, "good.classic.expected", &exp)) {
		run(argv, &spec, &res);
		check_u64(0, res.status, "%s -f - exit code", bin);
		check_mem(exp.p, exp.len, res.out.p, res.out.len,
			  "%s -f - stdout", bin);
		free_result(&res);
		free(exp.p);
	}
	free(path);
}

#define VERSION_SUFFIX \
	"; this dropmon-show understands format=1 and format=2; upgrade dropmon-show\n"

/* Every bad fixture and what dropmon-show says about it after "PATH: ". */
static const struct {
	const char *fixture;
	const char *err;
} bin_malformed[] = {
	{ "bad-magic.stats", "line 1: bad magic (expected the line to start with '# dropmon ')" MALFORMED_SUFFIX },
	{ "bad-format3.stats", "unknown format version 3" VERSION_SUFFIX },
	{ "bad-format2-no-evicted.stats", "line 1: header: missing field 'evicted'" MALFORMED_SUFFIX },
	{ "bad-format1-evicted.stats", "line 1: header: unexpected text after lost=1 (format=1 has no evicted=): 'evicted=0'" MALFORMED_SUFFIX },
	{ "bad-invariant2.stats", "line 1: drops=20 but sum of counts (14) + lost (1) + evicted (4) differs" MALFORMED_SUFFIX },
	{ "bad-missing-field.stats", "line 1: header: expected 'interval_ms=', found 'start_ns'" MALFORMED_SUFFIX },
	{ "bad-column-header.stats", "line 2: column header is not '# count<TAB>location<TAB>symbol<TAB>module<TAB>reason<TAB>dev<TAB>netns<TAB>proto'" MALFORMED_SUFFIX },
	{ "bad-7fields.stats", "line 4: expected 8 TAB-separated fields, found 7" MALFORMED_SUFFIX },
	{ "bad-count-nan.stats", "line 3: count '12a' is not an unsigned decimal number" MALFORMED_SUFFIX },
	{ "bad-count-overflow.stats", "line 3: count '99999999999999999999999' overflows 64 bits" MALFORMED_SUFFIX },
	{ "bad-keys-mismatch.stats", "line 5: file ends after 2 data lines but keys=3" MALFORMED_SUFFIX },
	{ "bad-too-many-rows.stats", "line 4: more data lines than keys=1" MALFORMED_SUFFIX },
	{ "bad-invariant.stats", "line 1: drops=16 but sum of counts (14) + lost (1) + evicted (0) differs" MALFORMED_SUFFIX },
	{ "bad-location.stats", "line 3: location '0xFFFFFFFF81A1B2C3' is not 0x and 1-16 lowercase hex digits" MALFORMED_SUFFIX },
	{ "bad-truncated.stats", "line 4: no newline at end of line (truncated file?)" MALFORMED_SUFFIX },
	{ "bad-empty.stats", "line 1: file is empty" MALFORMED_SUFFIX },
	{ "bad-nul.stats", "line 3: NUL byte in line (binary data?)" MALFORMED_SUFFIX },
};

_Static_assert(ARRAY_SIZE(bin_malformed) == ARRAY_SIZE(bad_fixtures),
	       "every bad fixture needs its dropmon-show message");

static void test_bin_malformed(const char *bin, const char *dir,
			       const char *fx, const char *err)
{
	char *path = path_join(dir, fx);
	char *argv[] = { (char *)bin, "-f", path, NULL };
	char exp[1024];

	snprintf(exp, sizeof(exp), PROG_PREFIX "%s: %s", path, err);
	expect_error(bin, argv, &default_spec, 1, exp, fx);
	free(path);
}

static void test_bin_env(const char *bin, const char *tmpdir)
{
	char *nofile = path_join(tmpdir, "does-not-exist");
	char *a_missing[] = { (char *)bin, "-f", nofile, NULL };
	char *a_default[] = { (char *)bin, NULL };
	char *a_totals[] = { (char *)bin, "--totals", NULL };
	char *a_dir[] = { (char *)bin, "-f", (char *)tmpdir, NULL };
	struct run_spec fake = { .debugfs = tmpdir };
	char exp[1024];

	snprintf(exp, sizeof(exp), PROG_PREFIX "cannot read %s: No such file or directory; check the path\n",
		 nofile);
	expect_error(bin, a_missing, &default_spec, 2, exp, "-f nonexistent");

	snprintf(exp, sizeof(exp), PROG_PREFIX "debugfs is not mounted at %s; mount it with: mount -t debugfs none %s\n",
		 tmpdir, tmpdir);
	expect_error(bin, a_default, &fake, 2, exp, "without debugfs");
	expect_error(bin, a_totals, &fake, 2, exp, "--totals without debugfs");

	snprintf(exp, sizeof(exp), PROG_PREFIX "error reading %s: Is a directory; check the path and retry\n",
		 tmpdir);
	expect_error(bin, a_dir, &default_spec, 2, exp, "-f directory");
	free(nofile);
}

/*
 * Needs a user the kernel will refuse: run as nobody when root.  The
 * child exits 125 if it cannot drop privileges, with the reason on stderr.
 */
static void test_bin_eacces(const char *bin, const char *tmpdir)
{
	char *path = path_join(tmpdir, "unreadable");
	char *argv[] = { (char *)bin, "-f", path, NULL };
	struct run_spec spec = { .uid = geteuid() == 0 ? 65534 : 0 };
	struct run_result res;
	char exp[1024], saw[1024];
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0);
	if (fd < 0) {
		fail("a mode 0000 file", strerror(errno), "create %s", path);
		free(path);
		return;
	}
	close(fd);
	run(argv, &spec, &res);
	if (res.status == 125) {
		quote(saw, sizeof(saw), res.err.p, res.err.len);
		fail("a child running as uid 65534", saw,
		     "%s unreadable file: drop privileges", bin);
	} else {
		/* 0 would mean the file was read after all */
		snprintf(exp, sizeof(exp), PROG_PREFIX "permission denied reading %s; run as root (the file is mode 0400)\n",
			 path);
		check_u64(2, res.status, "%s unreadable file exit code", bin);
		check_mem("", 0, res.out.p, res.out.len,
			  "%s unreadable file stdout", bin);
		check_str(exp, res.err.p, "%s unreadable file stderr", bin);
	}
	free_result(&res);
	unlink(path);
	free(path);
}

static void test_bin_too_large(const char *bin, const char *tmpdir)
{
	char *path = path_join(tmpdir, "huge");
	char *argv[] = { (char *)bin, "-f", path, NULL };
	char exp[1024];
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (64 << 20) + 1)) {
		fail("a 64 MiB + 1 sparse file", strerror(errno),
		     "create %s", path);
	} else {
		snprintf(exp, sizeof(exp), PROG_PREFIX "%s: file is larger than 64 MiB; is this a dropmon stats file?\n",
			 path);
		expect_error(bin, argv, &default_spec, 1, exp, "-f huge file");
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(path);
}

static void test_bin_usage(const char *bin)
{
	char *a_bogus[] = { (char *)bin, "--bogus", NULL };
	char *a_short[] = { (char *)bin, "-x", NULL };
	char *a_noarg[] = { (char *)bin, "-f", NULL };
	char *a_extra[] = { (char *)bin, "extra", NULL };
	char *a_help[] = { (char *)bin, "--help", NULL };
	char *a_version[] = { (char *)bin, "--version", NULL };
	struct run_result res;

	expect_error(bin, a_bogus, &default_spec, 1, PROG_PREFIX
		     "unknown or malformed option '--bogus'; see 'dropmon-show --help'\n",
		     "--bogus");
	expect_error(bin, a_short, &default_spec, 1, PROG_PREFIX
		     "unknown or malformed option '-x'; see 'dropmon-show --help'\n",
		     "-x");
	expect_error(bin, a_noarg, &default_spec, 1, PROG_PREFIX
		     "missing argument for option '-f'; see 'dropmon-show --help'\n",
		     "-f without argument");
	expect_error(bin, a_extra, &default_spec, 1, PROG_PREFIX
		     "unexpected argument 'extra'; see 'dropmon-show --help'\n",
		     "extra argument");

	run(a_help, &default_spec, &res);
	check_u64(0, res.status, "%s --help exit code", bin);
	check_contains("Exit status:", res.out.p, "%s --help documents exit codes", bin);
	check_contains("  2  I/O or environment error", res.out.p,
		       "%s --help documents exit code 2", bin);
	check_mem("", 0, res.err.p, res.err.len, "%s --help stderr", bin);
	free_result(&res);

	run(a_version, &default_spec, &res);
	check_u64(0, res.status, "%s --version exit code", bin);
	check_contains("(reads format=1 and format=2)\n", res.out.p, "%s --version output", bin);
	free_result(&res);
}

static void test_binary(const char *bin, const char *dir, const char *tmpdir)
{
	size_t i;

	test_bin_good(bin, dir, "good.stats", "good.classic.expected");
	test_bin_good(bin, dir, "empty.stats", "empty.classic.expected");
	test_bin_good(bin, dir, "totals.stats", "totals.classic.expected");
	test_bin_stdin(bin, dir);
	for (i = 0; i < ARRAY_SIZE(bin_malformed); i++)
		test_bin_malformed(bin, dir, bin_malformed[i].fixture,
				   bin_malformed[i].err);
	test_bin_env(bin, tmpdir);
	test_bin_eacces(bin, tmpdir);
	test_bin_too_large(bin, tmpdir);
	test_bin_usage(bin);
	test_show_binary(bin, dir, tmpdir);
	test_netns_binary(bin, tmpdir);
	test_buildinfo_binary(bin, dir, tmpdir);
}

int main(int argc, char *argv[])
{
	char tmpdir[] = "/tmp/dropmon-unit.XXXXXX";
	const char *dir;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR [DROPMON_SHOW...]\n",
			argv[0]);
		return 2;
	}
	dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);

	test_good(dir);
	test_empty(dir);
	test_totals(dir);
	test_format2(dir);
	test_bad(dir);
	test_boundaries();
	test_long_fields();
	test_many_rows();
	test_truncations(dir, "good.stats");
	test_truncations(dir, "totals.stats");
	test_truncations(dir, "evicted.stats");
	test_mutations(dir, "good.stats");
	test_show_lib(dir);
	test_samples(dir);
	test_exporter();
	test_netns_lib();
	test_buildinfo_lib();

	if (argc > 2) {
		if (!mkdtemp(tmpdir)) {
			perror("test_stats: mkdtemp");
			return 2;
		}
		chmod(tmpdir, 0755);
		test_modhint_lib(tmpdir);
		for (i = 2; i < argc; i++)
			test_binary(argv[i], dir, tmpdir);
		rmdir(tmpdir);
	}

	printf("unit: %u passed, %u failed\n", nr_passed, nr_failed);
	return nr_failed ? 1 : 0;
}
