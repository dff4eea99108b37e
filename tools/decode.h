/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode.h - the headers of a sampled packet, decoded as far as its bytes
 * go: Ethernet, 802.1Q/802.1ad VLAN tags (stacked), IPv4 (options,
 * fragments), IPv6 and its extension headers (hop-by-hop, routing,
 * fragment, destination options, AH), ARP, TCP, UDP, ICMP and ICMPv6.
 *
 * Pure: bytes in, a struct out; never reads outside the bytes, never
 * fails.  A packet whose bytes end inside a header is "cut"; one whose
 * headers contradict themselves (IHL < 5, a total length longer than the
 * packet, an extension header past the payload, ...) is "malformed", with
 * the reason.  Either way what came before is decoded.
 *
 * TCP flags are letters in the order of their bits, FIN first:
 *   F FIN, S SYN, R RST, P PSH, A ACK, U URG, E ECE, C CWR
 * so a SYN is "S", its answer "SA", a closing segment "FPA" (tcpdump
 * writes "." for ACK; here every flag has its own letter).
 */
#ifndef DROPMON_DECODE_H
#define DROPMON_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "samples.h"

#define DM_VLAN_MAX	8	/* tags decoded; more is malformed */
#define DM_EXT_MAX	8	/* IPv6 extension headers; more is malformed */

struct dm_packet {
	bool has_eth;
	char eth_src[18], eth_dst[18];	/* "02:00:00:00:00:01" */
	unsigned int ethertype;		/* of the payload, after the tags */
	size_t nr_vlan;
	unsigned int vlan[DM_VLAN_MAX];	/* VLAN ids, outermost first */

	char l3[8];			/* "ipv4", "ipv6", "arp", "0x88cc" or "" */
	char src[48], dst[48];		/* addresses, RFC 5952 for IPv6; "" */
	bool has_l3_len;
	unsigned long l3_len;		/* IPv4 total length, IPv6 40 + payload */
	size_t nr_ext;
	unsigned char ext[DM_EXT_MAX];	/* IPv6 next-header numbers */
	bool frag;			/* a fragment (IPv4, IPv6) */
	unsigned long frag_id;
	unsigned int frag_off;		/* in bytes */
	bool frag_more;
	char arp_op[16];		/* "request", "reply", "op 9" */

	char l4[20];			/* "tcp", "udp", "icmp", "icmpv6", "proto 47" */
	bool has_ports;
	unsigned int sport, dport;
	bool has_tcp_flags;
	char tcp_flags[9];
	bool has_icmp;
	unsigned int icmp_type, icmp_code;

	bool cut;			/* the bytes end inside a header */
	const char *malformed;		/* why, or NULL */
	char why[64];			/* storage behind @malformed */
	size_t decoded;			/* bytes that were headers */
};

/*
 * Decode @n bytes at @p of a packet of @len bytes from @hdr on; @proto is
 * the stats row's protocol column ("ipv4", "ipv6", "arp", "0x%04x"),
 * which says what a network header is.
 */
void dm_decode(const unsigned char *p, size_t n, unsigned long long len,
	       enum dropmon_sample_header hdr, const char *proto,
	       struct dm_packet *pk);

/*
 * One line: "[vlan ID ]... L3 L4 SRC -> DST [details] len N", e.g.
 * "ipv4 udp 127.0.0.1:40000 -> 127.0.0.1:9 len 36" or
 * "vlan 10 ipv6 tcp [2001:db8::1]:443 -> [2001:db8::2]:5000 [SA] len 60
 * ext hop,dst", then " (cut)" or " (malformed: WHY)".  Returns @buf.
 */
const char *dm_packet_summary(const struct dm_packet *pk, char *buf,
			      size_t size);

/* Name of IPv6 extension header @nh: "hop", "routing", "frag", "dst", "ah". */
const char *dm_ext_name(unsigned int nh);

/* @n bytes as lowercase hex into @buf (2n + 1 bytes, cut to fit). */
const char *dm_hex(const unsigned char *p, size_t n, char *buf, size_t size);

/* IPv6 address @a (16 bytes) in RFC 5952 form into @buf (>= 46 bytes). */
const char *dm_ipv6_text(const unsigned char *a, char *buf, size_t size);

#endif /* DROPMON_DECODE_H */
