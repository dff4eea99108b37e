// SPDX-License-Identifier: GPL-2.0
/*
 * Fire the kfree_skb tracepoint for drops that have no usable device but
 * name a socket, one location per case, so that the suite can check which
 * netns dropmon gives each (probe.c, dropmon_sock_dev()):
 *
 *   insmod dmsock.ko pid=PID    a kernel UDP socket in PID's netns ("A")
 *                               and one in the initial netns ("root")
 *   echo N >/sys/module/dmsock/parameters/fire
 *                               N events of each case, in the write
 *
 *   dmsock_site_rx    rx_sk A, skb->sk root, skb->dev NULL: A since v6.11
 *                     (rx_sk first); root before (no rx_sk argument)
 *   dmsock_site_sk    no rx_sk, skb->sk A, skb->dev UDP-like scratch: A
 *   dmsock_site_junk  no rx_sk, skb->sk A, skb->dev a kmalloc'd address
 *                     (no device, found out in the slow path): A
 *   dmsock_site_frag  no rx_sk, skb->sk 1480 (an ip_defrag_offset, as
 *                     kernels before v6.9 keep it in skb->sk's place): 0
 *   dmsock_site_dev   rx_sk and skb->sk A, skb->dev the initial netns'
 *                     lo: the device's netns, lo and root
 *   dmsock_site_obj0  no rx_sk, skb->sk a zeroed 256-byte kmalloc object
 *                     (no socket, as RFCOMM's rfcomm_dev): net NULL, 0
 *   dmsock_site_obj41 the same filled with 0x41: net 0x4141..., no
 *                     kernel address, 0
 *   dmsock_site_obja5 the same filled with 0xa5: net 0xa5a5..., which
 *                     looks like one but is not canonical: the nofault
 *                     read fails, 0
 *
 * The events carry protocol IPv4 and reason NOT_SPECIFIED where the
 * tracepoint has a reason.  Reading fire gives the events of each case
 * fired so far.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/pid.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <trace/events/skb.h>

#include "compat.h"

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "a process whose netns socket A is in (required)");

#if defined(DROPMON_TP_RX_SK_CONST) || defined(DROPMON_TP_RX_SK)
#define DMSOCK_FIRE(skb, loc, sk)					\
	trace_kfree_skb(skb, loc, SKB_DROP_REASON_NOT_SPECIFIED, sk)
#else
#define DMSOCK_FIRE(skb, loc, sk)	DROPMON_TRACE_KFREE_SKB(skb, loc)
#endif

static struct net *dmsock_net;
static struct socket *dmsock_a;		/* in pid's netns */
static struct socket *dmsock_root;	/* in the initial netns */
static struct net_device *dmsock_lo;	/* the initial netns' lo */
static struct sk_buff *dmsock_skb;
static void *dmsock_junk;
static void *dmsock_obj[3];		/* non-sockets: 0x00, 0x41, 0xa5 */
static unsigned long dmsock_fired;
static DEFINE_MUTEX(dmsock_lock);

/* One location per case: addresses of this module. */
static noinline void dmsock_site_rx(void) { barrier(); }
static noinline void dmsock_site_sk(void) { barrier(); }
static noinline void dmsock_site_junk(void) { barrier(); }
static noinline void dmsock_site_frag(void) { barrier(); }
static noinline void dmsock_site_dev(void) { barrier(); }
static noinline void dmsock_site_obj0(void) { barrier(); }
static noinline void dmsock_site_obj41(void) { barrier(); }
static noinline void dmsock_site_obja5(void) { barrier(); }

static void dmsock_one(void *loc, struct net_device *dev, unsigned long sk,
		       struct sock *rx_sk)
{
	struct sk_buff *skb = dmsock_skb;

	skb->dev = dev;
	skb->sk = (struct sock *)sk;
	DMSOCK_FIRE(skb, loc, rx_sk);
	skb->dev = NULL;
	skb->sk = NULL;
}

static void dmsock_fire(unsigned int n)
{
	unsigned long a = (unsigned long)dmsock_a->sk;
	unsigned long r = (unsigned long)dmsock_root->sk;
	unsigned int i;

	for (i = 0; i < n; i++) {
		dmsock_one(dmsock_site_rx, NULL, r, dmsock_a->sk);
		/* UDP's dev_scratch: a length, a truesize and flags */
		dmsock_one(dmsock_site_sk,
			   (struct net_device *)0x0000001c00000340UL, a, NULL);
		dmsock_one(dmsock_site_junk, dmsock_junk, a, NULL);
		dmsock_one(dmsock_site_frag, NULL, 1480, NULL);
		dmsock_one(dmsock_site_dev, dmsock_lo, a, dmsock_a->sk);
		dmsock_one(dmsock_site_obj0, NULL,
			   (unsigned long)dmsock_obj[0], NULL);
		dmsock_one(dmsock_site_obj41, NULL,
			   (unsigned long)dmsock_obj[1], NULL);
		dmsock_one(dmsock_site_obja5, NULL,
			   (unsigned long)dmsock_obj[2], NULL);
		if ((i & 255) == 255)
			cond_resched();
	}
}

static int dmsock_fire_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int err;

	err = kstrtouint(val, 0, &n);
	if (err)
		return err;
	if (!dmsock_skb)
		return -EBUSY;	/* not at insmod: nothing is prepared yet */
	mutex_lock(&dmsock_lock);
	dmsock_fire(n);
	dmsock_fired += n;
	mutex_unlock(&dmsock_lock);
	return 0;
}

static int dmsock_fire_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%lu\n", dmsock_fired);
}

static const struct kernel_param_ops dmsock_fire_ops = {
	.set = dmsock_fire_set,
	.get = dmsock_fire_get,
};
module_param_cb(fire, &dmsock_fire_ops, NULL, 0644);
MODULE_PARM_DESC(fire, "write N: fire N events of each case; read: fired");

static void dmsock_free(void)
{
	if (dmsock_skb)
		consume_skb(dmsock_skb);
	kfree(dmsock_junk);
	kfree(dmsock_obj[0]);
	kfree(dmsock_obj[1]);
	kfree(dmsock_obj[2]);
	dev_put(dmsock_lo);
	if (dmsock_a)
		sock_release(dmsock_a);
	if (dmsock_root)
		sock_release(dmsock_root);
	if (dmsock_net)
		put_net(dmsock_net);
}

static int __init dmsock_init(void)
{
	int err;

	if (pid <= 0)
		return -EINVAL;
	dmsock_net = get_net_ns_by_pid(pid);
	if (IS_ERR(dmsock_net)) {
		err = PTR_ERR(dmsock_net);
		dmsock_net = NULL;
		return err;
	}
	err = sock_create_kern(dmsock_net, PF_INET, SOCK_DGRAM, IPPROTO_UDP,
			       &dmsock_a);
	if (!err)
		err = sock_create_kern(&init_net, PF_INET, SOCK_DGRAM,
				       IPPROTO_UDP, &dmsock_root);
	if (err)
		goto fail;
	err = -ENOMEM;
	dmsock_junk = kzalloc(64, GFP_KERNEL);
	dmsock_skb = alloc_skb(0, GFP_KERNEL);
	dmsock_obj[0] = kzalloc(256, GFP_KERNEL);
	dmsock_obj[1] = kmalloc(256, GFP_KERNEL);
	dmsock_obj[2] = kmalloc(256, GFP_KERNEL);
	if (!dmsock_junk || !dmsock_skb || !dmsock_obj[0] || !dmsock_obj[1] ||
	    !dmsock_obj[2])
		goto fail;
	memset(dmsock_obj[1], 0x41, 256);
	memset(dmsock_obj[2], 0xa5, 256);
	dmsock_skb->protocol = htons(ETH_P_IP);
	err = -ENODEV;
	dmsock_lo = dev_get_by_name(&init_net, "lo");
	if (!dmsock_lo)
		goto fail;
	pr_info("netns %u (pid %d) and %u\n", dmsock_net->ns.inum, pid,
		init_net.ns.inum);
	return 0;
fail:
	dmsock_free();
	dmsock_skb = NULL;
	return err;
}

static void __exit dmsock_exit(void)
{
	dmsock_free();
}

module_init(dmsock_init);
module_exit(dmsock_exit);
MODULE_DESCRIPTION("dropmon test: drops with no device that name a socket");
MODULE_LICENSE("GPL");
