// SPDX-License-Identifier: GPL-2.0
/*
 * test_samples.c - unit tests of the samples parser (samples.c), the join
 * to the stats rows and the packet decoder (decode.c).
 *
 * Every parser input is copied into a buffer of exactly its length, so
 * that ASan catches a read past its end; every decoder input too.  The
 * expected summaries are written here from the headers the fixtures were
 * built from (tests/fixtures/samples-gen.py), not taken from the code.
 */
#include "test_samples.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "decode.h"
#include "samples.h"
#include "stats.h"

static enum dropmon_parse_status sparse_exact(const char *text, size_t len,
					      struct dropmon_samples *sm,
					      struct dropmon_parse_error *err)
{
	char *copy = xmalloc(len);
	enum dropmon_parse_status ret;

	memcpy(copy, text, len);
	ret = dropmon_samples_parse(copy, len, sm, err);
	free(copy);
	return ret;
}

/* Decode a copy of @n bytes held in an exact-size buffer; the summary. */
static const char *decode_exact(const unsigned char *p, size_t n,
				unsigned long long len,
				enum dropmon_sample_header h, const char *proto,
				struct dm_packet *pk, char *buf, size_t size)
{
	unsigned char *copy = xmalloc(n);

	memcpy(copy, p, n);
	dm_decode(copy, n, len, h, proto, pk);
	free(copy);
	return dm_packet_summary(pk, buf, size);
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */
/* ------------------------------------------------------------------ */

struct exp_sample {
	unsigned long long location;
	const char *reason, *dev;
	unsigned int netns;
	const char *proto;
	unsigned long long time_ns, len;
	enum dropmon_sample_header header;
	size_t nr_bytes, nr_frames;
	const char *frame0, *module0, *last, *last_module;
};

static const struct exp_sample sampled[] = {
	{ 0xffffffff81a1b2c3ULL, "NO_SOCKET", "lo", 4026531840U, "ipv4",
	  4124401234567ULL, 50, DROPMON_HDR_MAC, 50, 5,
	  "__udp4_lib_rcv+0x5a2/0xb60", "vmlinux", "process_backlog+0x8a/0x130", "vmlinux" },
	{ 0xffffffff81b00010ULL, "NO_SOCKET", "veth0", 4026532281U, "ipv4",
	  4124402000001ULL, 74, DROPMON_HDR_MAC, 74, 3,
	  "tcp_v4_rcv+0x80/0xe00", "vmlinux", "0xffffffffc0a1b2c3", "?" },
	{ 0xffffffff81b04f10ULL, "NO_SOCKET", "eth0", 4026531840U, "ipv6",
	  4124403000002ULL, 70, DROPMON_HDR_MAC, 70, 2,
	  "__udp6_lib_rcv+0x1f0/0x6a0", "vmlinux", "ip6_protocol_deliver_rcu+0xd1/0x4f0", "vmlinux" },
	{ 0xffffffff81c00020ULL, "NOT_SPECIFIED", "eth0", 4026531840U, "arp",
	  4124404000003ULL, 28, DROPMON_HDR_NETWORK, 28, 1,
	  "arp_rcv+0x40/0x1c0", "vmlinux", "arp_rcv+0x40/0x1c0", "vmlinux" },
	{ 0xffffffff81d00030ULL, "NETFILTER_DROP", "eth0", 4026531840U, "ipv4",
	  4124405000004ULL, 84, DROPMON_HDR_NETWORK, 84, 3,
	  "nf_hook_slow+0x91/0x100", "vmlinux", "0xffffffffc0b00100", "?" },
	{ 0xffffffff81e00040ULL, "NOT_SPECIFIED", "-", 0, "0x0000",
	  4124406000005ULL, 120, DROPMON_HDR_NONE, 0, 1,
	  "unix_stream_connect+0x5b1/0x8b0", "vmlinux", "unix_stream_connect+0x5b1/0x8b0", "vmlinux" },
	{ 0xffffffff81f00050ULL, "TCP_OFOMERGE", "eth0", 4026531840U, "ipv4",
	  4124407000006ULL, 1500, DROPMON_HDR_MAC, 64, 2,
	  "tcp_data_queue_ofo+0x2b4/0x8c0", "vmlinux", "tcp_rcv_established+0x1f3/0x720", "vmlinux" },
	{ 0xffffffffc0b00100ULL, "NOT_SPECIFIED", "br0", 4026531840U, "0x88a8",
	  4124408000007ULL, 118, DROPMON_HDR_MAC, 118, 2,
	  "br_handle_frame+0x1a/0x2e0", "bridge", "__netif_receive_skb_core+0x2f1/0xf50", "vmlinux" },
};

/* The decoder's summary of each sample of sampled.samples. */
static const char *const sampled_summary[] = {
	"ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 len 36",
	"ipv4 tcp 10.0.0.2:51234 -> 10.0.0.1:8080 [S] len 60",
	"ipv6 udp [2001:db8::1]:5353 -> [2001:db8::2]:53 len 56",
	"arp request 10.0.0.2 -> 10.0.0.1",
	"ipv4 icmp 10.0.0.1 -> 192.0.2.1 type 8 code 0 len 84",
	"nothing decoded",
	"ipv4 tcp 10.0.0.5:443 -> 10.0.0.9:40022 [PA] len 1486 (cut)",
	"vlan 100 vlan 200 ipv6 tcp [2001:db8:0:1::10]:443 -> [2001:db8:0:2::20]:51000 [SA] len 96 ext hop,dst",
};

/* Bytes each sample's headers take (the rest is payload or cut). */
static const size_t sampled_decoded[] = { 42, 74, 62, 28, 28, 0, 34, 118 };

static void check_sample(size_t i, const struct dropmon_sample *s,
			 const struct exp_sample *e)
{
	const struct dropmon_frame *f = s->frames;

	check_u64(e->location, s->location, "sampled.samples %zu location", i);
	check_str(e->reason, s->reason, "sampled.samples %zu reason", i);
	check_str(e->dev, s->dev, "sampled.samples %zu dev", i);
	check_u64(e->netns, s->netns, "sampled.samples %zu netns", i);
	check_str(e->proto, s->proto, "sampled.samples %zu proto", i);
	check_u64(e->time_ns, s->time_ns, "sampled.samples %zu time_ns", i);
	check_u64(e->len, s->len, "sampled.samples %zu len", i);
	check_u64(e->header, s->header, "sampled.samples %zu header", i);
	check_u64(e->nr_bytes, s->nr_bytes, "sampled.samples %zu bytes", i);
	check_u64(e->nr_frames, s->nr_frames, "sampled.samples %zu frames", i);
	if (!s->nr_frames)
		return;
	check_str(e->frame0, f[0].symbol, "sampled.samples %zu frame 0", i);
	check_str(e->module0, f[0].module, "sampled.samples %zu frame 0 module", i);
	check_str(e->last, f[s->nr_frames - 1].symbol,
		  "sampled.samples %zu last frame", i);
	check_str(e->last_module, f[s->nr_frames - 1].module,
		  "sampled.samples %zu last frame module", i);
}

static void test_good(const char *dir)
{
	struct dropmon_samples sm;
	struct dropmon_parse_error err;
	struct buf b;
	size_t i;

	if (!read_fixture(dir, "sampled.samples", &b))
		return;
	if (!check_u64(DROPMON_PARSE_OK, sparse_exact(b.p, b.len, &sm, &err),
		       "sampled.samples parses (%s)", err.msg)) {
		free(b.p);
		return;
	}
	check_u64(77, sm.hdr.seq, "sampled.samples seq");
	check_u64(8, sm.hdr.keys, "sampled.samples keys");
	check_u64(20, sm.hdr.unsampled, "sampled.samples unsampled");
	check_u64(ARRAY_SIZE(sampled), sm.nr, "sampled.samples blocks");
	for (i = 0; i < sm.nr && i < ARRAY_SIZE(sampled); i++)
		check_sample(i, &sm.samples[i], &sampled[i]);
	/* the first bytes of the lo packet: zero MACs, 0x0800, 0x45 */
	check_u64(0x08, sm.samples[0].bytes[12], "sampled.samples 0 byte 12");
	check_u64(0x45, sm.samples[0].bytes[14], "sampled.samples 0 byte 14");
	check_u64(0x21, sm.samples[0].bytes[49], "sampled.samples 0 last byte '!'");
	dropmon_samples_free(&sm);
	free(b.p);
}

struct bad_case {
	const char *fixture;
	enum dropmon_parse_status status;
	unsigned long line;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "bad-magic.samples", DROPMON_PARSE_MALFORMED, 1, "bad magic (expected the line to start with '# dropmon-samples ')" },
	{ "bad-format2.samples", DROPMON_PARSE_VERSION, 1, "unknown samples format version 2" },
	{ "bad-keys-mismatch.samples", DROPMON_PARSE_MALFORMED, 37, "file ends after 8 sample blocks but keys=9" },
	{ "bad-keys-fewer.samples", DROPMON_PARSE_MALFORMED, 33, "more sample blocks than keys=7" },
	{ "bad-hex.samples", DROPMON_PARSE_MALFORMED, 3, "packet: byte 1 is not two lowercase hex digits" },
	{ "bad-hex-upper.samples", DROPMON_PARSE_MALFORMED, 3, "packet: byte 26 is not two lowercase hex digits" },
	{ "bad-odd-hex.samples", DROPMON_PARSE_MALFORMED, 3, "packet: 99 hex digits, but bytes=50 needs 100" },
	{ "bad-bytes-mismatch.samples", DROPMON_PARSE_MALFORMED, 3, "packet: 100 hex digits, but bytes=51 needs 102" },
	{ "bad-frame-gap.samples", DROPMON_PARSE_MALFORMED, 7, "frame index '4' where 3 was due (frames count 0, 1, 2...)" },
	{ "bad-frame-start.samples", DROPMON_PARSE_MALFORMED, 4, "frame index '1' where 0 was due (frames count 0, 1, 2...)" },
	{ "bad-too-many-frames.samples", DROPMON_PARSE_MALFORMED, 36, "more than 32 frames in one sample" },
	{ "bad-long-symbol.samples", DROPMON_PARSE_MALFORMED, 4, "frame symbol field is too long (1036 bytes, max 1023)" },
	{ "bad-long-dev.samples", DROPMON_PARSE_MALFORMED, 2, "dev field is too long (16 bytes, max 15)" },
	{ "bad-nul.samples", DROPMON_PARSE_MALFORMED, 6, "NUL byte in line (binary data?)" },
	{ "bad-missing-packet.samples", DROPMON_PARSE_MALFORMED, 3, "expected 'packet<TAB>HEX' after the sample line" },
	{ "bad-header-kind.samples", DROPMON_PARSE_MALFORMED, 2, "sample: header='ether' is not mac, network or none" },
	{ "bad-none-bytes.samples", DROPMON_PARSE_MALFORMED, 26, "sample: header=none with bytes=1 (must be 0)" },
	{ "bad-too-big.samples", DROPMON_PARSE_MALFORMED, 2, "sample: bytes=4097 is more than 4096" },
	{ "bad-location.samples", DROPMON_PARSE_MALFORMED, 2, "sample: location '0xFFFFFFFF81A1B2C3' is not 0x and 1-16 lowercase hex digits" },
	{ "bad-netns.samples", DROPMON_PARSE_MALFORMED, 2, "sample: netns '4294967296' is not an unsigned decimal number below 2^32" },
	{ "bad-attr-order.samples", DROPMON_PARSE_MALFORMED, 2, "sample: expected 'time_ns=', found 'len'" },
	{ "bad-trailing-space.samples", DROPMON_PARSE_MALFORMED, 2, "sample: unexpected text after bytes=50: ''" },
	{ "bad-fields.samples", DROPMON_PARSE_MALFORMED, 2, "sample line: expected 7 TAB-separated fields, found 6" },
	{ "bad-stray.samples", DROPMON_PARSE_MALFORMED, 9, "expected a 'sample' line, found 'junk'" },
	{ "bad-frame-fields.samples", DROPMON_PARSE_MALFORMED, 4, "frame line: expected 4 TAB-separated fields, found 5" },
	{ "bad-truncated.samples", DROPMON_PARSE_MALFORMED, 3, "no newline at end of line (truncated file?)" },
};

static void test_bad(const char *dir)
{
	struct dropmon_parse_error err;
	struct dropmon_samples sm;
	struct buf b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		if (!read_fixture(dir, c->fixture, &b))
			continue;
		check_u64(c->status, sparse_exact(b.p, b.len, &sm, &err),
			  "%s status", c->fixture);
		check_u64(c->line, err.line, "%s line", c->fixture);
		check_str(c->msg, err.msg, "%s message", c->fixture);
		check_u64(0, sm.nr + (sm.samples != NULL), "%s leaves nothing",
			  c->fixture);
		free(b.p);
	}
}

/* Every prefix of the good file is refused (or, cut at a block's end with
 * keys= still to come, refused for the count), never crashes. */
static void test_truncations(const char *dir)
{
	struct dropmon_parse_error err;
	struct dropmon_samples sm;
	size_t n, last, refused = 0;
	bool accepted_last = false;
	struct buf b;

	if (!read_fixture(dir, "sampled.samples", &b))
		return;
	/*
	 * Frames are not counted in the format: the two prefixes that end
	 * after the last block's packet line and after its frame 0 are
	 * whole files.  debugfs renders a file in one pass, so a reader
	 * never sees them; anything else is refused.
	 */
	last = b.len - strlen("frame\t1\t__netif_receive_skb_core+0x2f1/0xf50\tvmlinux\n");
	for (n = 0; n < b.len; n++) {
		enum dropmon_parse_status st = sparse_exact(b.p, n, &sm, &err);

		if (st != DROPMON_PARSE_OK && err.msg[0] && err.line)
			refused++;
		else if (st == DROPMON_PARSE_OK && n == last)
			accepted_last = true;
		dropmon_samples_free(&sm);
	}
	check_u64(b.len - 2, refused, "sampled.samples: %zu prefixes refused with a line and message, all but 2",
		  b.len);
	check_u64(1, accepted_last, "sampled.samples: the prefix without the last frame line is a whole file");
	free(b.p);
}

/* Small hand-written files: the boundaries. */
static void test_boundaries(void)
{
	static const char empty_ok[] =
		"# dropmon-samples format=1 seq=0 keys=0 unsampled=0\n";
	static const char zero_frames[] =
		"# dropmon-samples format=1 seq=3 keys=1 unsampled=0\n"
		"sample\t0x1\t-\t-\t0\t0x0000\ttime_ns=1 len=0 header=mac bytes=0\n"
		"packet\t\n";
	struct dropmon_parse_error err;
	struct dropmon_samples sm;
	char *big;
	size_t n, i;

	check_u64(DROPMON_PARSE_OK, sparse_exact(STR(empty_ok), &sm, &err),
		  "samples: keys=0 file parses");
	dropmon_samples_free(&sm);
	check_u64(DROPMON_PARSE_OK, sparse_exact(STR(zero_frames), &sm, &err),
		  "samples: bytes=0 and no frames parse (%s)", err.msg);
	check_u64(0, sm.nr ? sm.samples[0].nr_frames : 99,
		  "samples: no frames");
	dropmon_samples_free(&sm);
	check_u64(DROPMON_PARSE_MALFORMED, sparse_exact("", 0, &sm, &err),
		  "samples: empty file refused");
	check_str("file is empty", err.msg, "samples: empty file message");

	/* the largest packet accepted: 4096 bytes */
	big = xmalloc(3 * 4096 + 256);
	n = snprintf(big, 256, "# dropmon-samples format=1 seq=1 keys=1 unsampled=0\n"
		     "sample\t0x1\t-\t-\t0\tipv4\ttime_ns=1 len=9000 header=network bytes=4096\npacket\t");
	for (i = 0; i < 4096; i++)
		n += sprintf(big + n, "45");
	big[n++] = '\n';
	check_u64(DROPMON_PARSE_OK, sparse_exact(big, n, &sm, &err),
		  "samples: a 4096-byte packet parses (%s)", err.msg);
	dropmon_samples_free(&sm);
	free(big);
}

/* ------------------------------------------------------------------ */
/* Join                                                                */
/* ------------------------------------------------------------------ */

static void test_join(const char *dir)
{
	static const char wrong_unsampled[] =
		"# dropmon-samples format=1 seq=77 keys=0 unsampled=3\n";
	static const char unknown_key[] =
		"# dropmon-samples format=1 seq=77 keys=1 unsampled=0\n"
		"sample\t0xffffffff81a1b2c3\tNO_SOCKET\tlo\t1\tipv4\ttime_ns=1 len=0 header=none bytes=0\n"
		"packet\t\n";
	const struct dropmon_sample **by_row;
	struct dropmon_parse_error err;
	struct dropmon_samples sm;
	struct dropmon_stats st;
	struct buf a, b;
	size_t i, joined = 0;

	if (!read_fixture(dir, "sampled.stats", &a) ||
	    !read_fixture(dir, "sampled.samples", &b))
		return;
	if (parse_exact(a.p, a.len, &st, &err) ||
	    sparse_exact(b.p, b.len, &sm, &err)) {
		fail("both fixtures parse", err.msg, "join: fixtures");
		return;
	}
	by_row = xmalloc(st.nr_rows * sizeof(*by_row));
	check_u64(DROPMON_PARSE_OK, dropmon_samples_join(&st, &sm, by_row, &err),
		  "join: sampled.samples to sampled.stats (%s)", err.msg);
	for (i = 0; i < st.nr_rows; i++)
		joined += by_row[i] != NULL;
	check_u64(8, joined, "join: rows with a sample");
	check_u64(1, by_row[7] == NULL, "join: the SOCKET_FILTER row has none");
	check_u64(1, by_row[8] == &sm.samples[7], "join: br0 row gets the last sample");

	/* a sample moved before the one above it: out of order */
	{
		struct dropmon_sample tmp = sm.samples[0];

		sm.samples[0] = sm.samples[1];
		sm.samples[1] = tmp;
		check_u64(DROPMON_PARSE_MALFORMED,
			  dropmon_samples_join(&st, &sm, by_row, &err),
			  "join: samples out of order refused");
		check_u64(2, err.line, "join: out of order line");
		check_str("sample of 0xffffffff81a1b2c3 NO_SOCKET lo 4026531840 ipv4 matches no stats row in order (not the same snapshot?)",
			  err.msg, "join: out of order message");
	}
	dropmon_samples_free(&sm);

	sparse_exact(STR(wrong_unsampled), &sm, &err);
	check_u64(DROPMON_PARSE_MALFORMED, dropmon_samples_join(&st, &sm, by_row, &err),
		  "join: wrong unsampled= refused");
	check_str("unsampled=3 but the stats rows without a sample count 2030 events",
		  err.msg, "join: unsampled message");
	dropmon_samples_free(&sm);

	sparse_exact(STR(unknown_key), &sm, &err);
	check_u64(DROPMON_PARSE_MALFORMED, dropmon_samples_join(&st, &sm, by_row, &err),
		  "join: a key the stats file lacks (netns 1) refused");
	dropmon_samples_free(&sm);

	free(by_row);
	dropmon_stats_free(&st);
	free(a.p);
	free(b.p);
}

/* ------------------------------------------------------------------ */
/* Decoder                                                             */
/* ------------------------------------------------------------------ */

static void test_decode_fixture(const char *dir)
{
	struct dropmon_parse_error err;
	struct dropmon_samples sm;
	struct dm_packet pk;
	char sum[256];
	struct buf b;
	size_t i;

	if (!read_fixture(dir, "sampled.samples", &b))
		return;
	if (sparse_exact(b.p, b.len, &sm, &err)) {
		fail("a parse", err.msg, "decode: sampled.samples");
		free(b.p);
		return;
	}
	for (i = 0; i < sm.nr && i < ARRAY_SIZE(sampled_summary); i++) {
		const struct dropmon_sample *s = &sm.samples[i];

		decode_exact(s->bytes, s->nr_bytes, s->len, s->header,
			     s->proto, &pk, sum, sizeof(sum));
		check_str(sampled_summary[i], sum, "decode: sample %zu summary", i);
		check_u64(sampled_decoded[i], pk.decoded,
			  "decode: sample %zu header bytes", i);
	}
	dropmon_samples_free(&sm);
	free(b.p);
}

/*
 * Every prefix of a packet: "(cut)" exactly while the headers are
 * incomplete, never malformed, and never more decoded than there is.
 */
static void test_cut_every_byte(const char *dir, size_t idx, size_t headers,
				const char *full)
{
	struct dropmon_parse_error err;
	struct dropmon_samples sm;
	size_t n, good = 0, total;
	struct dm_packet pk;
	char sum[256];
	struct buf b;

	if (!read_fixture(dir, "sampled.samples", &b))
		return;
	if (sparse_exact(b.p, b.len, &sm, &err) || idx >= sm.nr) {
		fail("a parse", err.msg, "decode cut: sampled.samples");
		free(b.p);
		return;
	}
	total = sm.samples[idx].nr_bytes;
	for (n = 0; n <= total; n++) {
		const struct dropmon_sample *s = &sm.samples[idx];

		decode_exact(s->bytes, n, s->len, s->header, s->proto, &pk,
			     sum, sizeof(sum));
		if (pk.cut == (n < headers) && !pk.malformed &&
		    pk.decoded <= n &&
		    (n < headers || strcmp(sum, full) == 0) &&
		    (n >= headers || strstr(sum, " (cut)")))
			good++;
		else
			fail(n < headers ? "(cut)" : full, sum,
			     "decode: sample %zu cut at byte %zu", idx, n);
	}
	check_u64(total + 1, good, "decode: sample %zu cut at each of its %zu bytes: (cut) below %zu, whole above",
		  idx, total, headers);
	dropmon_samples_free(&sm);
	free(b.p);
}

/* The lo packet of the fixture: Ethernet, IPv4, UDP 40000 -> 9, 8 bytes. */
static const unsigned char lo_udp[50] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x24, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x11, 0x20, 0x81,
	127, 0, 0, 1, 127, 0, 0, 1,
	0x9c, 0x40, 0x00, 0x09, 0x00, 0x10, 0xb6, 0x0e,
	'd', 'r', 'o', 'p', 'm', 'o', 'n', '!',
};

struct mut_case {
	size_t off;			/* byte of lo_udp to change */
	unsigned char val;
	const char *summary;
};

static const struct mut_case lo_mutations[] = {
	{ 14, 0x44, "ipv4 udp 127.0.0.1 -> 127.0.0.1 len 36 (malformed: IPv4 IHL 4 < 5)" },
	{ 14, 0x40, "ipv4 udp 127.0.0.1 -> 127.0.0.1 len 36 (malformed: IPv4 IHL 0 < 5)" },
	{ 14, 0x65, "ipv4 127.0.0.1 -> 127.0.0.1 (malformed: IPv4 header with version 6)" },
	{ 14, 0x46, "ipv4 udp 127.0.0.1:16 -> 127.0.0.1:46606 len 36 (malformed: UDP length 25714 overruns the packet's length)" },	/* IHL 6 */
	{ 16, 0x05, "ipv4 udp 127.0.0.1 -> 127.0.0.1 len 1316 (malformed: IPv4 total length 1316 overruns the packet (36))" },
	{ 17, 0x10, "ipv4 udp 127.0.0.1 -> 127.0.0.1 len 16 (malformed: IPv4 total length 16 < its header's 20)" },
	{ 17, 0x1a, "ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 len 26 (malformed: UDP header overruns the packet's length)" },
	{ 39, 0x04, "ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 len 36 (malformed: UDP length 4 < 8)" },
	{ 39, 0x20, "ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 len 36 (malformed: UDP length 32 overruns the packet's length)" },
	{ 20, 0x20, "ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 frag id 7238 off 0 more len 36" },
	{ 21, 0xb9, "ipv4 udp 127.0.0.1 -> 127.0.0.1 frag id 7238 off 1480 len 36" },
	{ 23, 0x06, "ipv4 tcp 127.0.0.1:40000 -> 127.0.0.1:9 len 36 (malformed: TCP header overruns the packet's length)" },
	{ 23, 0x01, "ipv4 icmp 127.0.0.1 -> 127.0.0.1 type 156 code 64 len 36" },
	{ 23, 0x2f, "ipv4 proto 47 127.0.0.1 -> 127.0.0.1 len 36" },
	{ 12, 0x88, "ethertype 0x8800" },
	{ 13, 0x06, "arp op 16384" },	/* not Ethernet/IPv4 ARP: op only */
	{ 13, 0x07, "ethertype 0x0807" },
};

static void test_mutations(void)
{
	unsigned char p[sizeof(lo_udp)];
	struct dm_packet pk;
	char sum[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lo_mutations); i++) {
		const struct mut_case *m = &lo_mutations[i];

		memcpy(p, lo_udp, sizeof(p));
		p[m->off] = m->val;
		decode_exact(p, sizeof(p), sizeof(p), DROPMON_HDR_MAC, "ipv4",
			     &pk, sum, sizeof(sum));
		check_str(m->summary, sum, "decode: lo UDP with byte %zu = 0x%02x",
			  m->off, m->val);
	}
}

/* Ethernet + IPv6 header (payload length @plen, next header @nh). */
static size_t ipv6_frame(unsigned char *p, unsigned int plen, unsigned int nh)
{
	static const unsigned char src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const unsigned char dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

	memset(p, 0, 54);
	p[12] = 0x86;
	p[13] = 0xdd;
	p[14] = 0x60;
	p[18] = plen >> 8;
	p[19] = plen & 0xff;
	p[20] = nh;
	p[21] = 64;
	memcpy(p + 22, src, 16);
	memcpy(p + 38, dst, 16);
	return 54;
}

static void test_ipv6_ext(void)
{
	unsigned char p[512];
	struct dm_packet pk;
	char sum[256];
	size_t n, i;

	/* hop-by-hop pointing at hop-by-hop again: a loop */
	n = ipv6_frame(p, 16, 0);
	memset(p + n, 0, 16);		/* two hop headers, next 0 each */
	decode_exact(p, n + 16, n + 16, DROPMON_HDR_MAC, "ipv6", &pk, sum, sizeof(sum));
	check_str("ipv6 2001:db8::1 -> 2001:db8::2 len 56 ext hop (malformed: IPv6 hop-by-hop header not first)",
		  sum, "decode: IPv6 hop-by-hop loop");

	/* nine destination options headers */
	n = ipv6_frame(p, 9 * 8, 60);
	for (i = 0; i < 9; i++) {
		memset(p + n + 8 * i, 0, 8);
		p[n + 8 * i] = 60;
	}
	decode_exact(p, n + 72, n + 72, DROPMON_HDR_MAC, "ipv6", &pk, sum, sizeof(sum));
	check_str("ipv6 2001:db8::1 -> 2001:db8::2 len 112 ext dst,dst,dst,dst,dst,dst,dst,dst (malformed: more than 8 IPv6 extension headers)",
		  sum, "decode: nine IPv6 extension headers");

	/* an extension header longer than the payload length */
	n = ipv6_frame(p, 16, 43);
	memset(p + n, 0, 16);
	p[n] = 59;
	p[n + 1] = 20;			/* (20 + 1) * 8 bytes */
	decode_exact(p, n + 16, n + 16, DROPMON_HDR_MAC, "ipv6", &pk, sum, sizeof(sum));
	check_str("ipv6 2001:db8::1 -> 2001:db8::2 len 56 ext routing (malformed: IPv6 extension header overruns the packet's length)",
		  sum, "decode: IPv6 extension header past the payload");

	/* ... and one past the captured bytes only: cut */
	n = ipv6_frame(p, 200, 43);
	memset(p + n, 0, 16);
	p[n] = 59;
	p[n + 1] = 20;
	decode_exact(p, n + 16, n + 200, DROPMON_HDR_MAC, "ipv6", &pk, sum, sizeof(sum));
	check_str("ipv6 2001:db8::1 -> 2001:db8::2 len 240 ext routing (cut)",
		  sum, "decode: IPv6 extension header past the captured bytes");

	/* fragment header, not the first fragment; AH then ICMPv6 */
	n = ipv6_frame(p, 16, 44);
	memset(p + n, 0, 16);
	p[n] = 17;
	p[n + 2] = 0x05;
	p[n + 3] = 0xa9;		/* offset 1448, M */
	p[n + 7] = 0x2a;
	decode_exact(p, n + 16, n + 16, DROPMON_HDR_MAC, "ipv6", &pk, sum, sizeof(sum));
	check_str("ipv6 udp 2001:db8::1 -> 2001:db8::2 frag id 42 off 1448 more len 56 ext frag",
		  sum, "decode: IPv6 later fragment");

	n = ipv6_frame(p, 12 + 8, 51);
	memset(p + n, 0, 20);
	p[n] = 58;
	p[n + 1] = 1;			/* (1 + 2) * 4 = 12 bytes */
	p[n + 12] = 128;
	decode_exact(p, n + 20, n + 20, DROPMON_HDR_MAC, "ipv6", &pk, sum, sizeof(sum));
	check_str("ipv6 icmpv6 2001:db8::1 -> 2001:db8::2 type 128 code 0 len 60 ext ah",
		  sum, "decode: IPv6 AH then ICMPv6 echo");
	check_u64(n + 20, pk.decoded, "decode: AH + ICMPv6 all header");
}

static void test_tcp_flags(void)
{
	static const struct { unsigned char f; const char *s; } c[] = {
		{ 0x02, "S" }, { 0x12, "SA" }, { 0x19, "FPA" }, { 0x04, "R" },
		{ 0x14, "RA" }, { 0x10, "A" }, { 0xc2, "SEC" }, { 0x00, "" },
		{ 0xff, "FSRPAUEC" },
	};
	unsigned char p[54];
	struct dm_packet pk;
	char sum[256];
	size_t i;

	memcpy(p, lo_udp, 34);
	p[17] = 40;
	p[23] = 6;
	memset(p + 34, 0, 20);
	p[46] = 0x50;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		p[47] = c[i].f;
		decode_exact(p, sizeof(p), sizeof(p), DROPMON_HDR_MAC, "ipv4",
			     &pk, sum, sizeof(sum));
		check_str(c[i].s, pk.tcp_flags, "decode: TCP flags 0x%02x", c[i].f);
	}
	p[46] = 0x40;
	decode_exact(p, sizeof(p), sizeof(p), DROPMON_HDR_MAC, "ipv4", &pk, sum, sizeof(sum));
	check_str("ipv4 tcp 127.0.0.1:0 -> 127.0.0.1:0 [FSRPAUEC] len 40 (malformed: TCP data offset 4 < 5)",
		  sum, "decode: TCP data offset 4");
}

static void test_vlan_and_network(void)
{
	unsigned char p[64];
	struct dm_packet pk;
	char sum[256];
	size_t i;

	/* nine stacked 802.1Q tags */
	memset(p, 0, sizeof(p));
	for (i = 0; i < 10; i++) {
		p[12 + 4 * i] = 0x81;
		p[13 + 4 * i] = 0x00;
		p[15 + 4 * i] = (unsigned char)i;
	}
	decode_exact(p, sizeof(p), sizeof(p), DROPMON_HDR_MAC, "0x8100", &pk, sum, sizeof(sum));
	check_str("vlan 0 vlan 1 vlan 2 vlan 3 vlan 4 vlan 5 vlan 6 vlan 7 ethernet (malformed: more than 8 VLAN tags)",
		  sum, "decode: nine VLAN tags");

	/* header=network: by the version nibble, ARP by the proto column */
	decode_exact(lo_udp + 14, 36, 36, DROPMON_HDR_NETWORK, "ipv4", &pk, sum, sizeof(sum));
	check_str("ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 len 36", sum,
		  "decode: header=network IPv4");
	decode_exact(lo_udp + 14, 36, 36, DROPMON_HDR_NETWORK, "0x0800", &pk, sum, sizeof(sum));
	check_str("ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 len 36", sum,
		  "decode: header=network proto 0x0800");
	decode_exact(lo_udp + 14, 36, 36, DROPMON_HDR_NETWORK, "0x88cc", &pk, sum, sizeof(sum));
	check_str("ethertype 0x88cc", sum, "decode: header=network LLDP");
	check_u64(0, pk.decoded, "decode: LLDP leaves every byte undecoded");
	decode_exact(lo_udp, 0, 120, DROPMON_HDR_NONE, "ipv4", &pk, sum, sizeof(sum));
	check_str("nothing decoded", sum, "decode: header=none");
	decode_exact(lo_udp, 0, 50, DROPMON_HDR_MAC, "ipv4", &pk, sum, sizeof(sum));
	check_str("nothing decoded (cut)", sum, "decode: header=mac with no bytes");
	/* more bytes than len: the bytes count */
	decode_exact(lo_udp, 50, 10, DROPMON_HDR_MAC, "ipv4", &pk, sum, sizeof(sum));
	check_str("ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 len 36", sum,
		  "decode: len below bytes");
}

static void test_ipv6_text(void)
{
	static const struct { unsigned char a[16]; const char *s; } c[] = {
		{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, "2001:db8::1" },
		{ { 0 }, "::" },
		{ { [15] = 1 }, "::1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 },
		  "2001:db8:0:1:1:1:1:1" },
		{ { 0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 },
		  "2001:0:0:1::1" },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 },
		  "2001:db8::1:0:0:1" },
		{ { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 }, "::ffff:192.0.2.1" },
		{ { 0xfe, 0x80, [8] = 0xab, 0xcd, [15] = 0x0e }, "fe80::abcd:0:0:e" },
		{ { 0x20, 0x01, 0x0d, 0xb8, [12] = 0, 1, 0, 0 }, "2001:db8::1:0" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		check_str(c[i].s, dm_ipv6_text(c[i].a, buf, sizeof(buf)),
			  "decode: IPv6 text %s", c[i].s);
}

void test_samples(const char *dir)
{
	test_good(dir);
	test_bad(dir);
	test_truncations(dir);
	test_boundaries();
	test_join(dir);
	test_decode_fixture(dir);
	test_cut_every_byte(dir, 0, 42,
			    "ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 len 36");
	test_cut_every_byte(dir, 7, 118,
			    "vlan 100 vlan 200 ipv6 tcp [2001:db8:0:1::10]:443 -> [2001:db8:0:2::20]:51000 [SA] len 96 ext hop,dst");
	test_mutations();
	test_ipv6_ext();
	test_tcp_flags();
	test_vlan_and_network();
	test_ipv6_text();
}
