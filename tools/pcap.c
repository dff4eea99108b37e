// SPDX-License-Identifier: GPL-2.0
/*
 * pcap.c - the pcapng writer of dropmon-show --pcap; see pcap.h.
 *
 * Pure apart from writing to the given stream.
 */
#include "pcap.h"

#include <stdint.h>
#include <string.h>

#include "format.h"

#define BT_SHB		0x0a0d0d0aU
#define BT_IDB		0x00000001U
#define BT_EPB		0x00000006U
#define BYTE_ORDER_MAGIC 0x1a2b3c4dU

#define OPT_END		0
#define OPT_COMMENT	1
#define SHB_USERAPPL	4
#define IF_NAME		2
#define IF_TSRESOL	9

#define SLL_LEN		16
#define COMMENT_MAX	4096

static const unsigned int linktypes[] = {
	DM_LINKTYPE_ETHERNET, DM_LINKTYPE_RAW, DM_LINKTYPE_LINUX_SLL,
};

static const char *const if_names[] = {
	"dropmon-mac", "dropmon-network-ip", "dropmon-network-sll",
};

/* A block is built in memory, then written with its lengths. */
struct block {
	unsigned char buf[16 + 2 * SLL_LEN + DROPMON_SAMPLE_BYTES_MAX +
			  2 * (COMMENT_MAX + 8) + 64];
	size_t len;
};

static void put(struct block *b, const void *p, size_t n)
{
	if (!n)
		return;			/* p may be NULL */
	if (n > sizeof(b->buf) - b->len)
		n = sizeof(b->buf) - b->len;	/* cannot be: sized above */
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void put16(struct block *b, uint16_t v)
{
	put(b, &v, 2);
}

static void put32(struct block *b, uint32_t v)
{
	put(b, &v, 4);
}

static void pad4(struct block *b)
{
	static const unsigned char zero[3];

	put(b, zero, (4 - b->len % 4) % 4);
}

static void put_option(struct block *b, uint16_t code, const void *p,
		       size_t n)
{
	put16(b, code);
	put16(b, (uint16_t)n);
	put(b, p, n);
	pad4(b);
}

static void put_str_option(struct block *b, uint16_t code, const char *s)
{
	put_option(b, code, s, strlen(s));
}

/* Type, total length, body, total length. */
static void emit(FILE *out, uint32_t type, const struct block *body)
{
	uint32_t total = (uint32_t)(body->len + 12);

	fwrite(&type, 4, 1, out);
	fwrite(&total, 4, 1, out);
	fwrite(body->buf, 1, body->len, out);
	fwrite(&total, 4, 1, out);
}

static const char *clock_comment(bool boottime)
{
	return boottime ?
	       "timestamps are CLOCK_BOOTTIME (time since boot), not wall-clock time" :
	       "timestamps are wall-clock time: each drop's CLOCK_BOOTTIME plus the writing host's boot time when the file was written";
}

static void write_shb(FILE *out, struct block *b, const char *version,
		      bool boottime)
{
	char comment[384];

	uint64_t section_len = UINT64_MAX;	/* not given */
	char app[64];

	b->len = 0;
	put32(b, BYTE_ORDER_MAGIC);
	put16(b, 1);
	put16(b, 0);
	put(b, &section_len, 8);
	snprintf(app, sizeof(app), "dropmon-show %s", version);
	put_str_option(b, SHB_USERAPPL, app);
	snprintf(comment, sizeof(comment),
		 "packets dropped by the Linux kernel, sampled by dropmon: one of each key (location, reason, dev, netns, proto), its first drop in the interval; %s",
		 clock_comment(boottime));
	put_str_option(b, OPT_COMMENT, comment);
	put_option(b, OPT_END, NULL, 0);
	emit(out, BT_SHB, b);
}

static void write_idb(FILE *out, struct block *b, size_t i, bool boottime)
{
	const unsigned char tsresol = 9;	/* 10^-9 s */

	b->len = 0;
	put16(b, (uint16_t)linktypes[i]);
	put16(b, 0);
	put32(b, 0);				/* snaplen: no limit */
	put_str_option(b, IF_NAME, if_names[i]);
	put_option(b, IF_TSRESOL, &tsresol, 1);
	put_str_option(b, OPT_COMMENT, clock_comment(boottime));
	put_option(b, OPT_END, NULL, 0);
	emit(out, BT_IDB, b);
}

unsigned int dm_pcap_linktype(const struct dropmon_sample *sm)
{
	if (sm->header == DROPMON_HDR_MAC)
		return DM_LINKTYPE_ETHERNET;
	if (sm->header == DROPMON_HDR_NONE)
		return 0;
	if (!strcmp(sm->proto, "ipv4") || !strcmp(sm->proto, "ipv6"))
		return DM_LINKTYPE_RAW;
	return DM_LINKTYPE_LINUX_SLL;
}

static size_t linktype_index(unsigned int lt)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (linktypes[i] == lt)
			break;
	return i;
}

/* The protocol of an SLL header: the proto column as an ethertype. */
static uint16_t sll_protocol(const char *proto)
{
	unsigned int v = 0;
	const char *p;

	if (!strcmp(proto, "arp"))
		return 0x0806;
	if (strncmp(proto, "0x", 2))
		return 0;
	for (p = proto + 2; *p; p++) {
		if (*p >= '0' && *p <= '9')
			v = v << 4 | (unsigned int)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			v = v << 4 | (unsigned int)(*p - 'a' + 10);
		else
			return 0;
	}
	return (uint16_t)v;
}

/* The 16-byte Linux cooked header, in network byte order. */
static void put_sll(struct block *b, const char *proto)
{
	unsigned char h[SLL_LEN] = { 0 };
	uint16_t p = sll_protocol(proto);

	h[1] = 0;			/* packet type: to us */
	h[3] = 1;			/* ARPHRD_ETHER */
	h[14] = p >> 8;
	h[15] = p & 0xff;
	put(b, h, sizeof(h));
}

/* "A (M) < B (M) < ...", terminal-safe, cut to COMMENT_MAX. */
static void stack_comment(char *buf, size_t size,
			  const struct dropmon_sample *sm)
{
	char sym[DROPMON_SYMBOL_MAX * 4 + 8], mod[DROPMON_MODULE_MAX * 4 + 8];
	size_t i, n;

	n = (size_t)snprintf(buf, size, "stack:");
	for (i = 0; i < sm->nr_frames && n < size; i++) {
		dm_term_text(sym, sizeof(sym), sm->frames[i].symbol);
		dm_term_text(mod, sizeof(mod), sm->frames[i].module);
		n += (size_t)snprintf(buf + n, size - n, "%s %s (%s)",
				      i ? " <" : "", sym, mod);
	}
}

static void key_comment(char *buf, size_t size, const struct dropmon_row *k)
{
	char sym[DROPMON_SYMBOL_MAX * 4 + 8], mod[DROPMON_MODULE_MAX * 4 + 8];
	char reason[DROPMON_REASON_MAX * 4 + 8], dev[DROPMON_DEV_MAX * 4 + 8];
	char proto[DROPMON_PROTO_MAX * 4 + 8];

	dm_term_text(sym, sizeof(sym), k->symbol);
	dm_term_text(mod, sizeof(mod), k->module);
	dm_term_text(reason, sizeof(reason), k->reason);
	dm_term_text(dev, sizeof(dev), k->dev);
	dm_term_text(proto, sizeof(proto), k->proto);
	/* a symbol of 1023 bytes of \xNN would be cut: it stays valid text */
	if (snprintf(buf, size, "dropmon: %s (%s) at 0x%llx reason=%s dev=%s netns=%u proto=%s count=%llu",
		     sym, mod, k->location, reason, dev, k->netns, proto,
		     k->count) < 0)
		buf[0] = '\0';
}

static void write_epb(FILE *out, struct block *b, uint32_t ifid,
		      const struct dropmon_row *k,
		      const struct dropmon_sample *sm, int64_t offset)
{
	uint64_t ts = sm->time_ns + (uint64_t)offset;	/* modulo 2^64 */
	bool sll = dm_pcap_linktype(sm) == DM_LINKTYPE_LINUX_SLL;
	size_t extra = sll ? SLL_LEN : 0;
	uint64_t orig = sm->len < sm->nr_bytes ? sm->nr_bytes : sm->len;
	char comment[COMMENT_MAX];

	orig += extra;
	b->len = 0;
	put32(b, ifid);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, (uint32_t)(sm->nr_bytes + extra));
	put32(b, orig > UINT32_MAX ? UINT32_MAX : (uint32_t)orig);
	if (sll)
		put_sll(b, sm->proto);
	put(b, sm->bytes, sm->nr_bytes);
	pad4(b);
	key_comment(comment, sizeof(comment), k);
	put_str_option(b, OPT_COMMENT, comment);
	if (sm->nr_frames) {
		stack_comment(comment, sizeof(comment), sm);
		put_str_option(b, OPT_COMMENT, comment);
	}
	put_option(b, OPT_END, NULL, 0);
	emit(out, BT_EPB, b);
}

void dm_pcap_write(FILE *out, const struct dm_view *v,
		   const struct dropmon_sample *const *by_row,
		   const char *version, int64_t boot_to_real_ns,
		   struct dm_pcap_counts *counts)
{
	bool boottime = boot_to_real_ns == DM_PCAP_BOOTTIME;
	int64_t offset = boottime ? 0 : boot_to_real_ns;
	struct block b;
	uint32_t ifid[3] = { UINT32_MAX, UINT32_MAX, UINT32_MAX }, next = 0;
	const struct dropmon_sample *sm;
	size_t i, lt;

	memset(counts, 0, sizeof(*counts));
	write_shb(out, &b, version, boottime);
	for (i = 0; i < v->nr; i++) {
		sm = v->rows[i].nr_keys == 1 ? by_row[v->rows[i].first] : NULL;
		if (!sm) {
			counts->no_sample++;
			continue;
		}
		lt = linktype_index(dm_pcap_linktype(sm));
		if (lt == 3) {
			counts->no_bytes++;
			continue;
		}
		if (ifid[lt] == UINT32_MAX) {
			ifid[lt] = next++;
			write_idb(out, &b, lt, boottime);
		}
		write_epb(out, &b, ifid[lt], dm_vrow_key(v, i), sm, offset);
		counts->written++;
	}
}
