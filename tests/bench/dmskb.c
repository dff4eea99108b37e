// SPDX-License-Identifier: GPL-2.0
/*
 * Free crafted skbs with kfree_skb(), each kind from its own function, so
 * that a sample's headers, length and bytes can be checked against what
 * this module wrote (the main suite's t_samples_skb):
 *
 *   insmod dmskb.ko
 *   echo network >/sys/module/dmskb/parameters/fire
 *
 * Every skb has protocol IPv4 and no device.  The kinds, and what a
 * correct sample of each shows:
 *   network   no MAC header, a network header at offset 32: an IPv4
 *             header, a UDP header and 40 payload bytes (68 in all):
 *             header=network len=68, those bytes;
 *   none      alloc_skb() and skb_put() of 40 bytes, no header set:
 *             header=none len=40 bytes=0;
 *   frags     14 bytes of Ethernet and 20 of IPv4 in the linear part,
 *             then two page frags of 50 and 150 bytes of one page filled
 *             with dmskb_pattern(): header=mac len=234;
 *   fraglist  the same 34 linear bytes, then a frag_list skb of 100
 *             bytes of dmskb_pattern(0..99): header=mac len=134;
 *   badmac    a MAC header offset beyond the tail, the IPv4 header of
 *             "network" at the network header: header=network len=68;
 *   macafter  a MAC header inside the buffer but after the network
 *             header: header=network len=68;
 * and where the kernel has skb->unreadable (v6.12, the build's
 * DROPMON_HAVE_SKB_FRAGS_READABLE, module/compat.mk); without it writing
 * these kinds to fire fails with EINVAL:
 *   unreadable  the skb of "frags", marked unreadable: header=mac
 *             len=234, only the 34 linear bytes (at most sample_bytes);
 *   unreadpull  an IPv4 header (tot_len 220) as the network header, no
 *             MAC header, the frags of "frags", marked unreadable, then
 *             __skb_pull()ed past the IP header (data at the frags):
 *             header=network len=220 (the 20 bytes from the network
 *             header to data, and skb->len), the 20 bytes of the header.
 * The bytes (tests/guest/suite.sh computes them on its own):
 *   Ethernet: 02:00:00:00:00:01 <- 02:00:00:00:00:02, type 0x0800;
 *   IPv4: 45 00 <tot_len> 00 00 00 00 40 11 00 00 c0.00.02.01 c6.33.64.02;
 *   UDP (network kinds): 12345 -> 53, length 48, checksum 0, then
 *   payload byte i = (i * 7 + 3) & 0xff;
 *   page byte j = (j * 13 + 5) & 0xff (frags: offsets 100..149 and
 *   1000..1149; fraglist: bytes j = 0..99).
 * Reading /sys/module/dmskb/parameters/fire gives the skbs freed so far.
 */
#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <linux/udp.h>

static unsigned long dmskb_fired;

static u8 dmskb_pattern(unsigned int j)
{
	return (j * 13 + 5) & 0xff;
}

/* 14 bytes of Ethernet at the tail, the MAC header set there. */
static void dmskb_put_eth(struct sk_buff *skb)
{
	static const u8 dst[ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };
	static const u8 src[ETH_ALEN] = { 2, 0, 0, 0, 0, 2 };
	struct ethhdr *eth;

	skb_set_mac_header(skb, skb->len);
	eth = skb_put(skb, sizeof(*eth));
	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
}

/* An IPv4 header of total length @tot at the tail: the network header. */
static void dmskb_put_ip(struct sk_buff *skb, unsigned int tot)
{
	struct iphdr *ip;

	skb_set_network_header(skb, skb->len);
	ip = skb_put_zero(skb, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(tot);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = htonl(0xc0000201);	/* 192.0.2.1 */
	ip->daddr = htonl(0xc6336402);	/* 198.51.100.2 */
}

/* The IPv4 and UDP headers and 40 payload bytes of the network kinds. */
static void dmskb_put_udp(struct sk_buff *skb)
{
	struct udphdr *uh;
	u8 *p;
	int i;

	dmskb_put_ip(skb, 68);
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(12345);
	uh->dest = htons(53);
	uh->len = htons(48);
	p = skb_put(skb, 40);
	for (i = 0; i < 40; i++)
		p[i] = (i * 7 + 3) & 0xff;
}

static struct sk_buff *dmskb_alloc(unsigned int size)
{
	struct sk_buff *skb = alloc_skb(size, GFP_KERNEL);

	if (skb)
		skb->protocol = htons(ETH_P_IP);
	return skb;
}

/*
 * Each kind is freed by its own function, a location of its own; the
 * write after kfree_skb() keeps the compiler from making it a tail call,
 * which would put the location in the caller.
 */
static noinline int dmskb_drop_network(void)
{
	struct sk_buff *skb = dmskb_alloc(128);

	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, 32);
	dmskb_put_udp(skb);
	kfree_skb(skb);
	WRITE_ONCE(dmskb_fired, dmskb_fired + 1);
	return 0;
}

static noinline int dmskb_drop_none(void)
{
	struct sk_buff *skb = dmskb_alloc(64);

	if (!skb)
		return -ENOMEM;
	memset(skb_put(skb, 40), 0x5a, 40);
	kfree_skb(skb);
	WRITE_ONCE(dmskb_fired, dmskb_fired + 1);
	return 0;
}

/* Two page frags of 50 and 150 bytes of a page of dmskb_pattern(). */
static int dmskb_add_frags(struct sk_buff *skb)
{
	struct page *page = alloc_page(GFP_KERNEL);
	u8 *p;
	int j;

	if (!page)
		return -ENOMEM;
	p = page_address(page);
	for (j = 0; j < PAGE_SIZE; j++)
		p[j] = dmskb_pattern(j);
	get_page(page);		/* one reference per frag */
	skb_fill_page_desc(skb, 0, page, 100, 50);
	skb_fill_page_desc(skb, 1, page, 1000, 150);
	skb->len += 200;
	skb->data_len += 200;
	skb->truesize += PAGE_SIZE;
	return 0;
}

/* The skb of "frags": Ethernet and IPv4 linear, 200 bytes in frags. */
static struct sk_buff *dmskb_frags_skb(void)
{
	struct sk_buff *skb = dmskb_alloc(64);

	if (!skb)
		return NULL;
	skb_reserve(skb, 16);
	dmskb_put_eth(skb);
	dmskb_put_ip(skb, 20 + 200);
	if (dmskb_add_frags(skb)) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

static noinline int dmskb_drop_frags(void)
{
	struct sk_buff *skb = dmskb_frags_skb();

	if (!skb)
		return -ENOMEM;
	kfree_skb(skb);
	WRITE_ONCE(dmskb_fired, dmskb_fired + 1);
	return 0;
}

#ifdef DROPMON_HAVE_SKB_FRAGS_READABLE
static noinline int dmskb_drop_unreadable(void)
{
	struct sk_buff *skb = dmskb_frags_skb();

	if (!skb)
		return -ENOMEM;
	skb->unreadable = 1;
	kfree_skb(skb);
	WRITE_ONCE(dmskb_fired, dmskb_fired + 1);
	return 0;
}

static noinline int dmskb_drop_unreadpull(void)
{
	struct sk_buff *skb = dmskb_alloc(64);

	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, 32);
	dmskb_put_ip(skb, 20 + 200);
	if (dmskb_add_frags(skb)) {
		kfree_skb(skb);
		return -ENOMEM;
	}
	skb->unreadable = 1;
	__skb_pull(skb, sizeof(struct iphdr));	/* data: the first frag */
	kfree_skb(skb);
	WRITE_ONCE(dmskb_fired, dmskb_fired + 1);
	return 0;
}
#endif

static noinline int dmskb_drop_fraglist(void)
{
	struct sk_buff *skb = dmskb_alloc(64), *child = dmskb_alloc(128);
	u8 *p;
	int j;

	if (!skb || !child) {
		kfree_skb(skb);
		kfree_skb(child);
		return -ENOMEM;
	}
	p = skb_put(child, 100);
	for (j = 0; j < 100; j++)
		p[j] = dmskb_pattern(j);
	skb_reserve(skb, 16);
	dmskb_put_eth(skb);
	dmskb_put_ip(skb, 20 + 100);
	skb_shinfo(skb)->frag_list = child;
	skb->len += child->len;
	skb->data_len += child->len;
	skb->truesize += child->truesize;
	kfree_skb(skb);
	WRITE_ONCE(dmskb_fired, dmskb_fired + 1);
	return 0;
}

static noinline int dmskb_drop_badmac(void)
{
	struct sk_buff *skb = dmskb_alloc(128);

	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, 32);
	dmskb_put_udp(skb);
	/* 20 bytes past the tail: inside the allocation, outside the data. */
	skb->mac_header = skb_tail_pointer(skb) - skb->head + 20;
	kfree_skb(skb);
	WRITE_ONCE(dmskb_fired, dmskb_fired + 1);
	return 0;
}

static noinline int dmskb_drop_macafter(void)
{
	struct sk_buff *skb = dmskb_alloc(128);

	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, 32);
	dmskb_put_udp(skb);
	skb->mac_header = skb->network_header + 4;
	kfree_skb(skb);
	WRITE_ONCE(dmskb_fired, dmskb_fired + 1);
	return 0;
}

static const struct {
	const char *name;
	int (*drop)(void);
} dmskb_kinds[] = {
	{ "network", dmskb_drop_network },
	{ "none", dmskb_drop_none },
	{ "frags", dmskb_drop_frags },
	{ "fraglist", dmskb_drop_fraglist },
	{ "badmac", dmskb_drop_badmac },
	{ "macafter", dmskb_drop_macafter },
#ifdef DROPMON_HAVE_SKB_FRAGS_READABLE
	{ "unreadable", dmskb_drop_unreadable },
	{ "unreadpull", dmskb_drop_unreadpull },
#endif
};

static int dmskb_fire_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dmskb_kinds); i++)
		if (sysfs_streq(val, dmskb_kinds[i].name))
			return dmskb_kinds[i].drop();
	return -EINVAL;
}

static int dmskb_fire_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%lu\n", READ_ONCE(dmskb_fired));
}

static const struct kernel_param_ops dmskb_fire_ops = {
	.set = dmskb_fire_set,
	.get = dmskb_fire_get,
};
module_param_cb(fire, &dmskb_fire_ops, NULL, 0644);
MODULE_PARM_DESC(fire, "write a kind: free one skb of it; read: the skbs freed");

static int __init dmskb_init(void)
{
	return 0;
}

static void __exit dmskb_exit(void)
{
}

module_init(dmskb_init);
module_exit(dmskb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dropmon test: kfree_skb of crafted skbs (samples)");
