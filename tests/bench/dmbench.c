// SPDX-License-Identifier: GPL-2.0
/*
 * Fire the kfree_skb tracepoint in a tight loop, from one kthread bound to
 * each CPU used, all started together, over @keys prepared skbs (each its
 * own location, device lo, protocol IPv4), and report the nanoseconds
 * per event of each CPU.  The run happens at load time; its result goes to
 * the kernel log as one "BENCH" line per CPU:
 *
 *   insmod dmbench.ko tag=dropmon keys=64 cpus=0 iters=200000
 *
 * cpus=0 uses every online CPU, cpus=1 only the first.
 *
 * For the worker's benchmark, seconds=S fires for S seconds instead of
 * iters times (the BENCH line then gives the iterations done), and
 * stride=N takes the locations from the core kernel's text (N bytes
 * apart from consume_skb) instead of this module's, so that there can be
 * more keys than this module has bytes of text and each resolves like a
 * real drop site.  The skbs are shared by the keys beyond the first
 * DMBENCH_MAX_SKBS: a key is its location.
 *
 * Each skb is a received IPv4/UDP packet of len=200 bytes from its MAC
 * header (an Ethernet header, an IPv4 header, a UDP header, a payload),
 * with data at the network header as after eth_type_trans(), so that a
 * tool that copies the packet (dropmon's samples, drop_monitor's packet
 * mode, which skips skbs with no MAC header) really copies; len=0 gives
 * the empty skbs of old (no data, no headers).
 *
 * For the claim path's cost, once=1 fires each of the @keys locations
 * exactly once per CPU: the first @warm of them untimed (so that qemu's
 * TCG has translated the claim path before the clock starts), then the
 * rest, timed; the BENCH line's iters is keys - warm.  Loaded right after
 * dropmon, with an interval longer than the run, every timed event is the
 * first of a new key on its CPU: a claim.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <linux/wait.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <trace/events/skb.h>

#include "compat.h"

static char *tag = "none";
module_param(tag, charp, 0444);
static unsigned int keys = 64;
module_param(keys, uint, 0444);
static unsigned int cpus;
module_param(cpus, uint, 0444);
static unsigned int iters = 200000;
module_param(iters, uint, 0444);
static unsigned int seconds;
module_param(seconds, uint, 0444);
static unsigned int stride;
module_param(stride, uint, 0444);
static unsigned int len = 200;
module_param(len, uint, 0444);
static unsigned int once;
module_param(once, uint, 0444);
static unsigned int warm;
module_param(warm, uint, 0444);

#define DMBENCH_MAX_SKBS	4096U

struct dmbench_worker {
	struct task_struct *task;
	struct completion done;
	u64 ns;
	u64 iters;
	int cpu;
};

static struct sk_buff **dmbench_skbs;
static unsigned int dmbench_nskbs;
static void **dmbench_locs;
static DECLARE_WAIT_QUEUE_HEAD(dmbench_wq);
static bool dmbench_go;

static int dmbench_thread(void *arg)
{
	struct dmbench_worker *w = arg;
	unsigned int i, j = 0, k = 0;
	u64 t0, end;

	wait_event(dmbench_wq, READ_ONCE(dmbench_go));
	if (once) {
		for (k = 0; k < warm; k++)
			DROPMON_TRACE_KFREE_SKB(dmbench_skbs[k % dmbench_nskbs],
						dmbench_locs[k]);
		t0 = ktime_get_ns();
		for (; k < keys; k++)
			DROPMON_TRACE_KFREE_SKB(dmbench_skbs[k % dmbench_nskbs],
						dmbench_locs[k]);
		w->ns = ktime_get_ns() - t0;
		w->iters = keys - warm;
		complete(&w->done);
		return 0;
	}
	t0 = ktime_get_ns();
	end = t0 + (u64)seconds * NSEC_PER_SEC;
	for (i = 0; seconds || i < iters; i++) {
		DROPMON_TRACE_KFREE_SKB(dmbench_skbs[j], dmbench_locs[k]);
		if (++k == keys)
			k = 0;
		if (++j == dmbench_nskbs)
			j = 0;
		if ((i & 4095) == 4095) {
			cond_resched();
			if (seconds && ktime_get_ns() >= end)
				break;
		}
	}
	w->iters = seconds ? i + 1 : iters;
	w->ns = ktime_get_ns() - t0;
	complete(&w->done);
	return 0;
}

/*
 * A received IPv4/UDP packet from 127.0.0.1 to 127.0.0.1:9 of @len bytes
 * from its MAC header, data at the network header.
 */
static struct sk_buff *dmbench_skb(struct net_device *lo, unsigned int k)
{
	unsigned int hl = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr);
	struct sk_buff *skb;
	struct ethhdr *eth;
	struct udphdr *uh;
	struct iphdr *iph;
	u8 *p;

	if (!len)
		return alloc_skb(0, GFP_KERNEL);
	if (len < hl)
		return NULL;
	skb = alloc_skb(NET_IP_ALIGN + len, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, NET_IP_ALIGN);
	p = skb_put_zero(skb, len);
	memset(p + hl, 0xa5, len - hl);
	skb_reset_mac_header(skb);
	eth = (struct ethhdr *)p;
	eth->h_proto = htons(ETH_P_IP);
	skb_pull(skb, ETH_HLEN);
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(len - ETH_HLEN);
	iph->id = htons(k);
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = htonl(INADDR_LOOPBACK);
	iph->daddr = htonl(INADDR_LOOPBACK);
	ip_send_check(iph);
	skb_set_transport_header(skb, sizeof(*iph));
	uh = udp_hdr(skb);
	uh->source = htons(1024 + k % 60000);
	uh->dest = htons(9);
	uh->len = htons(len - ETH_HLEN - sizeof(*iph));
	skb->pkt_type = PACKET_HOST;
	return skb;
}

static int dmbench_prepare(struct net_device *lo)
{
	unsigned int k;

	dmbench_nskbs = min(keys, DMBENCH_MAX_SKBS);
	dmbench_skbs = kvcalloc(dmbench_nskbs, sizeof(*dmbench_skbs), GFP_KERNEL);
	dmbench_locs = kvcalloc(keys, sizeof(*dmbench_locs), GFP_KERNEL);
	if (!dmbench_skbs || !dmbench_locs)
		return -ENOMEM;
	for (k = 0; k < keys; k++) {
		if (stride)
			dmbench_locs[k] = (void *)((unsigned long)consume_skb +
						   (unsigned long)k * stride);
		else
			dmbench_locs[k] = (void *)((unsigned long)dmbench_thread + k);
		if (k >= dmbench_nskbs)
			continue;
		dmbench_skbs[k] = dmbench_skb(lo, k);
		if (!dmbench_skbs[k])
			return -ENOMEM;
		dmbench_skbs[k]->dev = lo;
		dmbench_skbs[k]->protocol = htons(ETH_P_IP);
	}
	return 0;
}

static void dmbench_free(void)
{
	unsigned int k;

	for (k = 0; dmbench_skbs && k < dmbench_nskbs; k++)
		consume_skb(dmbench_skbs[k]);
	kvfree(dmbench_skbs);
	kvfree(dmbench_locs);
}

static int dmbench_run(void)
{
	struct dmbench_worker *w;
	int n = 0, i, cpu;

	w = kcalloc(nr_cpu_ids, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		if (cpus && n == cpus)
			break;
		w[n].cpu = cpu;
		init_completion(&w[n].done);
		/* kthread_create_on_cpu() is not exported before v5.12. */
		w[n].task = kthread_create(dmbench_thread, &w[n], "dmbench/%u",
					   cpu);
		if (IS_ERR(w[n].task))
			break;
		kthread_bind(w[n].task, cpu);
		wake_up_process(w[n].task);
		n++;
	}
	WRITE_ONCE(dmbench_go, true);
	wake_up_all(&dmbench_wq);
	for (i = 0; i < n; i++) {
		wait_for_completion(&w[i].done);
		pr_info("BENCH tag=%s keys=%u cpus=%d iters=%llu cpu=%d ns=%llu\n",
			tag, keys, n, w[i].iters, w[i].cpu, w[i].ns);
	}
	kfree(w);
	return 0;
}

static int __init dmbench_init(void)
{
	struct net_device *lo;
	int err;

	if (!keys || (!iters && !seconds) || (once && warm >= keys))
		return -EINVAL;
	lo = dev_get_by_name(&init_net, "lo");
	if (!lo)
		return -ENODEV;
	err = dmbench_prepare(lo);
	if (!err)
		err = dmbench_run();
	/* consume_skb(): freeing them is no drop. */
	dmbench_free();
	dev_put(lo);
	return err;
}

static void __exit dmbench_exit(void)
{
}

module_init(dmbench_init);
module_exit(dmbench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dropmon benchmark: fire kfree_skb on every CPU");
