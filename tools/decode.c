// SPDX-License-Identifier: GPL-2.0
/*
 * decode.c - the headers of a sampled packet; see decode.h.
 *
 * A cursor walks the bytes.  Each layer asks for the bytes of its header
 * with need(), which fails in one of two ways: past the length the
 * enclosing headers declared (malformed: they lie), or past the captured
 * bytes (cut).  Every read is within c->n.
 */
#include "decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define ETH_P_IPV6	0x86dd

#define IPPROTO_HOP	0
#define IPPROTO_ICMP_	1
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define IPPROTO_ROUTE	43
#define IPPROTO_FRAG	44
#define IPPROTO_AH_	51
#define IPPROTO_ICMP6	58
#define IPPROTO_NONE_	59
#define IPPROTO_DST	60

struct cur {
	const unsigned char *p;
	size_t n;			/* captured bytes */
	size_t off;			/* start of the next header */
	size_t end;			/* where the headers say the packet ends */
	struct dm_packet *pk;
};

static unsigned int be16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)be16(p) << 16 | be16(p + 2);
}

__attribute__((format(printf, 2, 3)))
static void malformed(struct cur *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->pk->why, sizeof(c->pk->why), fmt, ap);
	va_end(ap);
	c->pk->malformed = c->pk->why;
}

/* Whether @k bytes from c->off are captured and within the packet. */
static bool have(const struct cur *c, size_t k)
{
	return c->off <= c->n && k <= c->n - c->off &&
	       c->off <= c->end && k <= c->end - c->off;
}

/* @k bytes of header @what, or say why not (malformed or cut). */
static bool need(struct cur *c, size_t k, const char *what)
{
	if (c->off > c->end || k > c->end - c->off) {
		malformed(c, "%s overruns the packet's length", what);
		return false;
	}
	if (c->off > c->n || k > c->n - c->off) {
		c->pk->cut = true;
		return false;
	}
	return true;
}

/* Headers of @k bytes at c->off are decoded. */
static void advance(struct cur *c, size_t k)
{
	c->off += k;
	c->pk->decoded = c->off;
}

const char *dm_hex(const unsigned char *p, size_t n, char *buf, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (!size)
		return buf;
	for (i = 0; i < n && 2 * i + 2 < size; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 15];
	}
	buf[2 * i] = '\0';
	return buf;
}

static void mac_text(const unsigned char *p, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2],
		 p[3], p[4], p[5]);
}

static void ipv4_text(const unsigned char *p, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

/*
 * RFC 5952: lowercase, no leading zeros, the longest run of two or more
 * zero fields (the first of equals) as "::", IPv4-mapped as ::ffff:a.b.c.d.
 */
const char *dm_ipv6_text(const unsigned char *a, char *buf, size_t size)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	size_t best = 8, best_len = 0, run = 0, i, n = 0;
	unsigned int w[8];

	if (memcmp(a, mapped, 12) == 0) {
		snprintf(buf, size, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14],
			 a[15]);
		return buf;
	}
	for (i = 0; i < 8; i++) {
		w[i] = be16(a + 2 * i);
		run = w[i] ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = i + 1 - run;
		}
	}
	if (best_len < 2)
		best = 8;
	buf[0] = '\0';
	for (i = 0; i < 8 && n < size; i++) {
		if (i == best) {
			n += snprintf(buf + n, size - n, "::");
			i += best_len - 1;
			continue;
		}
		n += snprintf(buf + n, size - n, "%s%x",
			      i && i != best + best_len ? ":" : "", w[i]);
	}
	return buf;
}

const char *dm_ext_name(unsigned int nh)
{
	switch (nh) {
	case IPPROTO_HOP:	return "hop";
	case IPPROTO_ROUTE:	return "routing";
	case IPPROTO_FRAG:	return "frag";
	case IPPROTO_DST:	return "dst";
	case IPPROTO_AH_:	return "ah";
	default:		return "?";
	}
}

static void set_l4_name(struct dm_packet *pk, unsigned int proto)
{
	const char *name = proto == IPPROTO_TCP_ ? "tcp" :
			   proto == IPPROTO_UDP_ ? "udp" :
			   proto == IPPROTO_ICMP_ ? "icmp" :
			   proto == IPPROTO_ICMP6 ? "icmpv6" : NULL;

	if (name)
		snprintf(pk->l4, sizeof(pk->l4), "%s", name);
	else
		snprintf(pk->l4, sizeof(pk->l4), "proto %u", proto);
}

/* ------------------------------------------------------------------ */
/* Transport                                                           */
/* ------------------------------------------------------------------ */

static void ports(struct cur *c)
{
	const unsigned char *h = c->p + c->off;

	c->pk->has_ports = true;
	c->pk->sport = be16(h);
	c->pk->dport = be16(h + 2);
}

static void decode_tcp(struct cur *c)
{
	static const char letters[] = "FSRPAUEC";
	struct dm_packet *pk = c->pk;
	const unsigned char *h;
	size_t doff, i, n = 0;

	if (have(c, 4))
		ports(c);
	if (!need(c, 20, "TCP header"))
		return;
	h = c->p + c->off;
	for (i = 0; i < 8; i++)
		if (h[13] & (1u << i))
			pk->tcp_flags[n++] = letters[i];
	pk->tcp_flags[n] = '\0';
	pk->has_tcp_flags = true;
	doff = (size_t)(h[12] >> 4) * 4;
	if (doff < 20) {
		malformed(c, "TCP data offset %zu < 5", doff / 4);
		return;
	}
	if (need(c, doff, "TCP options"))
		advance(c, doff);
}

static void decode_udp(struct cur *c)
{
	unsigned int ulen;

	if (have(c, 4))
		ports(c);
	if (!need(c, 8, "UDP header"))
		return;
	ulen = be16(c->p + c->off + 4);
	if (ulen < 8) {
		malformed(c, "UDP length %u < 8", ulen);
		return;
	}
	if (ulen > c->end - c->off) {
		malformed(c, "UDP length %u overruns the packet's length", ulen);
		return;
	}
	advance(c, 8);
}

static void decode_icmp(struct cur *c)
{
	if (have(c, 2)) {
		c->pk->has_icmp = true;
		c->pk->icmp_type = c->p[c->off];
		c->pk->icmp_code = c->p[c->off + 1];
	}
	if (need(c, 8, "ICMP header"))
		advance(c, 8);
}

static void decode_l4(struct cur *c, unsigned int proto)
{
	set_l4_name(c->pk, proto & 0xff);
	switch (proto) {
	case IPPROTO_TCP_:
		decode_tcp(c);
		break;
	case IPPROTO_UDP_:
		decode_udp(c);
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMP6:
		decode_icmp(c);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Network                                                             */
/* ------------------------------------------------------------------ */

static void decode_ipv4(struct cur *c)
{
	struct dm_packet *pk = c->pk;
	const unsigned char *h;
	unsigned int ihl, tot, fo;

	snprintf(pk->l3, sizeof(pk->l3), "ipv4");
	if (!need(c, 20, "IPv4 header"))
		return;
	h = c->p + c->off;
	ipv4_text(h + 12, pk->src, sizeof(pk->src));
	ipv4_text(h + 16, pk->dst, sizeof(pk->dst));
	if (h[0] >> 4 != 4) {
		malformed(c, "IPv4 header with version %u", h[0] >> 4);
		return;
	}
	ihl = (h[0] & 15) * 4;
	tot = be16(h + 2);
	pk->has_l3_len = true;
	pk->l3_len = tot;
	fo = be16(h + 6);
	if (fo & 0x3fff) {
		pk->frag = true;
		pk->frag_id = be16(h + 4);
		pk->frag_off = (fo & 0x1fff) * 8;
		pk->frag_more = fo & 0x2000;
	}
	set_l4_name(pk, h[9]);
	if (ihl < 20) {
		malformed(c, "IPv4 IHL %u < 5", ihl / 4);
		return;
	}
	if (tot < ihl) {
		malformed(c, "IPv4 total length %u < its header's %u", tot, ihl);
		return;
	}
	if (tot > c->end - c->off) {
		malformed(c, "IPv4 total length %u overruns the packet (%zu)",
			  tot, c->end - c->off);
		return;
	}
	if (!need(c, ihl, "IPv4 options"))
		return;
	c->end = c->off + tot;
	advance(c, ihl);
	if (pk->frag_off == 0)
		decode_l4(c, h[9]);
}

static bool is_ext(unsigned int nh)
{
	return nh == IPPROTO_HOP || nh == IPPROTO_ROUTE ||
	       nh == IPPROTO_FRAG || nh == IPPROTO_DST || nh == IPPROTO_AH_;
}

/* One extension header @nh at c->off; its next header, or -1 to stop. */
static int ipv6_ext(struct cur *c, unsigned int nh)
{
	struct dm_packet *pk = c->pk;
	const unsigned char *h;
	size_t len;

	if (pk->nr_ext == DM_EXT_MAX) {
		malformed(c, "more than %d IPv6 extension headers", DM_EXT_MAX);
		return -1;
	}
	if (nh == IPPROTO_HOP && pk->nr_ext) {
		malformed(c, "IPv6 hop-by-hop header not first");
		return -1;
	}
	pk->ext[pk->nr_ext++] = (unsigned char)nh;
	if (!need(c, 2, "IPv6 extension header"))
		return -1;
	h = c->p + c->off;
	len = nh == IPPROTO_FRAG ? 8 :
	      nh == IPPROTO_AH_ ? ((size_t)h[1] + 2) * 4 : ((size_t)h[1] + 1) * 8;
	if (!need(c, len, "IPv6 extension header"))
		return -1;
	if (nh == IPPROTO_FRAG) {
		pk->frag = true;
		pk->frag_off = be16(h + 2) & ~7u;
		pk->frag_more = h[3] & 1;
		pk->frag_id = be32(h + 4);
	}
	advance(c, len);
	return h[0];
}

static void decode_ipv6(struct cur *c)
{
	struct dm_packet *pk = c->pk;
	const unsigned char *h;
	unsigned int plen;
	int nh;

	snprintf(pk->l3, sizeof(pk->l3), "ipv6");
	if (!need(c, 40, "IPv6 header"))
		return;
	h = c->p + c->off;
	dm_ipv6_text(h + 8, pk->src, sizeof(pk->src));
	dm_ipv6_text(h + 24, pk->dst, sizeof(pk->dst));
	if (h[0] >> 4 != 6) {
		malformed(c, "IPv6 header with version %u", h[0] >> 4);
		return;
	}
	plen = be16(h + 4);
	pk->has_l3_len = true;
	pk->l3_len = 40 + plen;
	if (plen && 40 + plen > c->end - c->off) {
		malformed(c, "IPv6 payload length %u overruns the packet (%zu)",
			  plen, c->end - c->off);
		return;
	}
	if (plen)
		c->end = c->off + 40 + plen;
	advance(c, 40);
	for (nh = h[6]; nh >= 0 && is_ext(nh);) {
		nh = ipv6_ext(c, nh);
		if (nh >= 0 && pk->frag && pk->frag_off) {
			set_l4_name(pk, nh);	/* not the first fragment */
			return;
		}
	}
	if (nh >= 0 && nh != IPPROTO_NONE_)
		decode_l4(c, nh);
}

static void decode_arp(struct cur *c)
{
	struct dm_packet *pk = c->pk;
	const unsigned char *h;
	unsigned int op;

	snprintf(pk->l3, sizeof(pk->l3), "arp");
	if (!need(c, 8, "ARP header"))
		return;
	h = c->p + c->off;
	op = be16(h + 6);
	if (op == 1 || op == 2)
		snprintf(pk->arp_op, sizeof(pk->arp_op), "%s",
			 op == 1 ? "request" : "reply");
	else
		snprintf(pk->arp_op, sizeof(pk->arp_op), "op %u", op);
	if (be16(h) != 1 || be16(h + 2) != ETH_P_IP || h[4] != 6 || h[5] != 4) {
		advance(c, 8);		/* not Ethernet/IPv4: the rest as hex */
		return;
	}
	if (!need(c, 28, "ARP addresses"))
		return;
	ipv4_text(h + 14, pk->src, sizeof(pk->src));
	ipv4_text(h + 24, pk->dst, sizeof(pk->dst));
	advance(c, 28);
}

static void decode_l3(struct cur *c, unsigned int ethertype)
{
	struct dm_packet *pk = c->pk;

	pk->ethertype = ethertype;
	switch (ethertype) {
	case ETH_P_IP:
		decode_ipv4(c);
		break;
	case ETH_P_IPV6:
		decode_ipv6(c);
		break;
	case ETH_P_ARP:
		decode_arp(c);
		break;
	default:
		snprintf(pk->l3, sizeof(pk->l3), "0x%04x", ethertype & 0xffff);
		break;
	}
}

static void decode_eth(struct cur *c)
{
	struct dm_packet *pk = c->pk;
	unsigned int type;

	if (!need(c, 14, "Ethernet header"))
		return;
	pk->has_eth = true;
	mac_text(c->p + c->off, pk->eth_dst);
	mac_text(c->p + c->off + 6, pk->eth_src);
	type = be16(c->p + c->off + 12);
	advance(c, 14);
	while (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (pk->nr_vlan == DM_VLAN_MAX) {
			malformed(c, "more than %d VLAN tags", DM_VLAN_MAX);
			return;
		}
		if (!need(c, 4, "VLAN tag"))
			return;
		pk->vlan[pk->nr_vlan++] = be16(c->p + c->off) & 0xfff;
		type = be16(c->p + c->off + 2);
		advance(c, 4);
	}
	decode_l3(c, type);
}

/* What a network header is: the version nibble, else the proto column. */
static unsigned int network_type(const unsigned char *p, size_t n,
				 const char *proto)
{
	unsigned int v = 0;
	size_t i;

	if ((!strcmp(proto, "ipv4") || !strcmp(proto, "ipv6")) && n)
		return p[0] >> 4 == 6 ? ETH_P_IPV6 : ETH_P_IP;
	if (!strcmp(proto, "ipv4"))
		return ETH_P_IP;
	if (!strcmp(proto, "ipv6"))
		return ETH_P_IPV6;
	if (!strcmp(proto, "arp"))
		return ETH_P_ARP;
	if (strncmp(proto, "0x", 2) || strlen(proto) != 6)
		return 0;
	for (i = 2; i < 6; i++) {
		char ch = proto[i];

		if (ch >= '0' && ch <= '9')
			v = v << 4 | (unsigned int)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v = v << 4 | (unsigned int)(ch - 'a' + 10);
		else
			return 0;
	}
	return v;
}

void dm_decode(const unsigned char *p, size_t n, unsigned long long len,
	       enum dropmon_sample_header hdr, const char *proto,
	       struct dm_packet *pk)
{
	struct cur c = { .p = p, .n = n, .pk = pk };

	memset(pk, 0, sizeof(*pk));
	/* the length as the kernel gave it, if the bytes are not longer */
	c.end = len < n ? n : (len > (size_t)-1 ? (size_t)-1 : (size_t)len);
	if (hdr == DROPMON_HDR_MAC)
		decode_eth(&c);
	else if (hdr == DROPMON_HDR_NETWORK)
		decode_l3(&c, network_type(p, n, proto));
}

/* ------------------------------------------------------------------ */
/* Summary                                                             */
/* ------------------------------------------------------------------ */

struct out {
	char *buf;
	size_t size, n;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->n >= o->size)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->n, o->size - o->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k < o->size - o->n ? (size_t)k : o->size - o->n;
}

static void put_addr(struct out *o, const struct dm_packet *pk,
		     const char *addr, unsigned int port)
{
	if (!pk->has_ports)
		put(o, " %s", addr);
	else if (strchr(addr, ':'))
		put(o, " [%s]:%u", addr, port);
	else
		put(o, " %s:%u", addr, port);
}

static void put_ip(struct out *o, const struct dm_packet *pk)
{
	size_t i;

	put(o, "%s", pk->l3);
	if (pk->l4[0])
		put(o, " %s", pk->l4);
	if (pk->src[0]) {
		put_addr(o, pk, pk->src, pk->sport);
		put(o, " ->");
		put_addr(o, pk, pk->dst, pk->dport);
	}
	if (pk->has_tcp_flags)
		put(o, " [%s]", pk->tcp_flags);
	if (pk->has_icmp)
		put(o, " type %u code %u", pk->icmp_type, pk->icmp_code);
	if (pk->frag)
		put(o, " frag id %lu off %u%s", pk->frag_id, pk->frag_off,
		    pk->frag_more ? " more" : "");
	if (pk->has_l3_len)
		put(o, " len %lu", pk->l3_len);
	for (i = 0; i < pk->nr_ext; i++)
		put(o, "%s%s", i ? "," : " ext ", dm_ext_name(pk->ext[i]));
}

const char *dm_packet_summary(const struct dm_packet *pk, char *buf,
			      size_t size)
{
	struct out o = { buf, size, 0 };
	size_t i;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < pk->nr_vlan; i++)
		put(&o, "vlan %u ", pk->vlan[i]);
	if (!strcmp(pk->l3, "arp")) {
		put(&o, "arp");
		if (pk->arp_op[0])
			put(&o, " %s", pk->arp_op);
		if (pk->src[0])
			put(&o, " %s -> %s", pk->src, pk->dst);
	} else if (!strncmp(pk->l3, "0x", 2)) {
		put(&o, "ethertype %s", pk->l3);
	} else if (pk->l3[0]) {
		put_ip(&o, pk);
	} else {
		put(&o, pk->has_eth ? "ethernet" : "nothing decoded");
	}
	if (pk->cut)
		put(&o, " (cut)");
	if (pk->malformed)
		put(&o, " (malformed: %s)", pk->malformed);
	return buf;
}
