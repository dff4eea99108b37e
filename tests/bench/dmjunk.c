// SPDX-License-Identifier: GPL-2.0
/*
 * Fire the kfree_skb tracepoint with skb->dev holding kernel addresses
 * that are no device, as dropped skbs do once they were erased from an
 * rbtree (TCP's out-of-order queue, netem's tfifo): skb->dev shares a
 * union with rbnode.rb_left, so it still points at another sk_buff.
 *
 *   insmod dmjunk.ko                       prepare the pointers
 *   echo 5000 >/sys/module/dmjunk/parameters/fire
 *                                          5000 events, from one kthread
 *                                          bound to CPU @cpu (default 0)
 *
 * Every event comes from one location, dmjunk_drop_site(), with protocol
 * IPv4 and the cycling "device" addresses, none of them a registered
 * net_device:
 *   - 2048 sk_buffs linked into a real rbtree (their first words hold
 *     parent and child links, where a net_device has its name);
 *   - 32 places in a kmalloc'd buffer and 8 in a vmalloc'd one, filled
 *     with letters and bytes 0xa0-0xff (Latin-1 to the kernel's ctype);
 *   - one net_device that was registered, unregistered and freed: only
 *     its address is kept, this module never reads it again.
 * A correct probe counts all of them as one key with no device.  Reading
 * /sys/module/dmjunk/parameters/fire gives the events fired so far.
 */
#include <linux/completion.h>
#include <linux/etherdevice.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <trace/events/skb.h>

#include "compat.h"

static unsigned int cpu;
module_param(cpu, uint, 0444);
MODULE_PARM_DESC(cpu, "the CPU that fires the events (default 0)");

#define DMJUNK_SKBS	2048
#define DMJUNK_KMALLOC	32	/* places in the kmalloc'd buffer */
#define DMJUNK_KSTEP	64
#define DMJUNK_KSIZE	(4 * PAGE_SIZE)
#define DMJUNK_VMALLOC	8	/* places in the vmalloc'd buffer */
#define DMJUNK_VSTEP	1024
#define DMJUNK_VSIZE	(8 * PAGE_SIZE)
#define DMJUNK_PTRS	(DMJUNK_SKBS + DMJUNK_KMALLOC + DMJUNK_VMALLOC + 1)

static struct sk_buff **dmjunk_skbs;	/* the rbtree's nodes */
static struct rb_root dmjunk_tree = RB_ROOT;
static struct sk_buff *dmjunk_carrier;	/* the skb the events carry */
static u8 *dmjunk_kbuf;
static u8 *dmjunk_vbuf;
static void **dmjunk_ptrs;		/* what skb->dev cycles through */
static unsigned int dmjunk_nptrs;
static unsigned long dmjunk_fired;
static bool dmjunk_ready;
static DEFINE_MUTEX(dmjunk_lock);

/* The location of every event: one address of this module. */
static noinline void dmjunk_drop_site(void)
{
	barrier();
}

struct dmjunk_run {
	unsigned int n;
	struct completion done;
};

static int dmjunk_thread(void *arg)
{
	struct dmjunk_run *r = arg;
	unsigned int i, k = 0;

	for (i = 0; i < r->n; i++) {
		dmjunk_carrier->dev = dmjunk_ptrs[k];
		DROPMON_TRACE_KFREE_SKB(dmjunk_carrier, (void *)dmjunk_drop_site);
		if (++k == dmjunk_nptrs)
			k = 0;
		if ((i & 1023) == 1023)
			cond_resched();	/* bound to the CPU: stays on it */
	}
	dmjunk_carrier->dev = NULL;
	complete(&r->done);
	/* Wait for kthread_stop(), so that the caller knows when it ends. */
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int dmjunk_fire(unsigned int n)
{
	struct dmjunk_run r = { .n = n };
	struct task_struct *t;

	if (!n)
		return 0;
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	init_completion(&r.done);
	mutex_lock(&dmjunk_lock);
	/* kthread_create_on_cpu() is not exported before v5.12. */
	t = kthread_create(dmjunk_thread, &r, "dmjunk/%u", cpu);
	if (IS_ERR(t)) {
		mutex_unlock(&dmjunk_lock);
		return PTR_ERR(t);
	}
	kthread_bind(t, cpu);
	get_task_struct(t);
	wake_up_process(t);
	wait_for_completion(&r.done);
	kthread_stop(t);
	put_task_struct(t);
	dmjunk_fired += n;
	mutex_unlock(&dmjunk_lock);
	pr_info("fired %u events over %u addresses on CPU %u\n",
		n, dmjunk_nptrs, cpu);
	return 0;
}

static int dmjunk_fire_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int err;

	err = kstrtouint(val, 0, &n);
	if (err)
		return err;
	if (!READ_ONCE(dmjunk_ready))
		return -EBUSY;	/* not at insmod: nothing is prepared yet */
	return dmjunk_fire(n);
}

static int dmjunk_fire_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%lu\n", dmjunk_fired);
}

static const struct kernel_param_ops dmjunk_fire_ops = {
	.set = dmjunk_fire_set,
	.get = dmjunk_fire_get,
};
module_param_cb(fire, &dmjunk_fire_ops, NULL, 0644);
MODULE_PARM_DESC(fire, "write N: fire N events; read: the events fired");

/* Letters, and every fourth byte one of 0xa0-0xff; never a NUL. */
static void dmjunk_fill(u8 *buf, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++)
		buf[j] = (j & 3) == 3 ? 0xa0 + (j * 7) % 96 : 'a' + (j * 5) % 26;
}

/* Insert in order of skb->mark, as netem's tfifo orders by time. */
static void dmjunk_tree_insert(struct sk_buff *skb)
{
	struct rb_node **p = &dmjunk_tree.rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		if (skb->mark < rb_entry(parent, struct sk_buff, rbnode)->mark)
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &dmjunk_tree);
}

static void dmjunk_netdev_setup(struct net_device *dev)
{
	static const struct net_device_ops ops = {};

	ether_setup(dev);
	dev->netdev_ops = &ops;
}

/* A net_device's address after it was unregistered and freed. */
static void *dmjunk_stale_netdev(void)
{
	struct net_device *dev;
	void *addr;

	dev = alloc_netdev(0, "dmjunk%d", NET_NAME_ENUM, dmjunk_netdev_setup);
	if (!dev)
		return NULL;
	eth_hw_addr_random(dev);
	if (register_netdev(dev)) {
		free_netdev(dev);
		return NULL;
	}
	addr = dev;
	unregister_netdev(dev);
	free_netdev(dev);
	return addr;	/* a value only: never read through */
}

static void dmjunk_free(void)
{
	unsigned int i;

	if (dmjunk_skbs) {
		for (i = 0; i < DMJUNK_SKBS && dmjunk_skbs[i]; i++) {
			/* The tree's links overlay next, prev and dev. */
			memset(&dmjunk_skbs[i]->rbnode, 0,
			       sizeof(dmjunk_skbs[i]->rbnode));
			consume_skb(dmjunk_skbs[i]);
		}
	}
	dmjunk_tree = RB_ROOT;
	if (dmjunk_carrier) {
		dmjunk_carrier->dev = NULL;
		consume_skb(dmjunk_carrier);
	}
	kfree(dmjunk_skbs);
	kfree(dmjunk_kbuf);
	vfree(dmjunk_vbuf);
	kfree(dmjunk_ptrs);
}

static int __init dmjunk_init(void)
{
	unsigned int i, n = 0;
	void *stale;

	dmjunk_skbs = kcalloc(DMJUNK_SKBS, sizeof(*dmjunk_skbs), GFP_KERNEL);
	dmjunk_ptrs = kcalloc(DMJUNK_PTRS, sizeof(*dmjunk_ptrs), GFP_KERNEL);
	dmjunk_kbuf = kmalloc(DMJUNK_KSIZE, GFP_KERNEL);
	dmjunk_vbuf = vmalloc(DMJUNK_VSIZE);
	dmjunk_carrier = alloc_skb(0, GFP_KERNEL);
	if (!dmjunk_skbs || !dmjunk_ptrs || !dmjunk_kbuf || !dmjunk_vbuf ||
	    !dmjunk_carrier)
		goto nomem;
	dmjunk_carrier->protocol = htons(ETH_P_IP);
	for (i = 0; i < DMJUNK_SKBS; i++) {
		dmjunk_skbs[i] = alloc_skb(0, GFP_KERNEL);
		if (!dmjunk_skbs[i])
			goto nomem;
		/* A shuffled order: links of every kind, red and black. */
		dmjunk_skbs[i]->mark = (i * 1237) % DMJUNK_SKBS;
		dmjunk_tree_insert(dmjunk_skbs[i]);
	}
	/* What rb_left of an erased node holds: another node, an sk_buff. */
	for (i = 0; i < DMJUNK_SKBS; i++)
		dmjunk_ptrs[n++] = &dmjunk_skbs[i]->rbnode;
	dmjunk_fill(dmjunk_kbuf, DMJUNK_KSIZE);
	for (i = 0; i < DMJUNK_KMALLOC; i++)
		dmjunk_ptrs[n++] = dmjunk_kbuf + i * DMJUNK_KSTEP;
	dmjunk_fill(dmjunk_vbuf, DMJUNK_VSIZE);
	for (i = 0; i < DMJUNK_VMALLOC; i++)
		dmjunk_ptrs[n++] = dmjunk_vbuf + i * DMJUNK_VSTEP;
	stale = dmjunk_stale_netdev();
	if (!stale) {
		pr_err("could not register a net_device\n");
		dmjunk_free();
		return -ENODEV;
	}
	dmjunk_ptrs[n++] = stale;
	dmjunk_nptrs = n;
	WRITE_ONCE(dmjunk_ready, true);
	pr_info("%u addresses ready: %u sk_buffs in an rbtree, %u kmalloc, %u vmalloc, 1 freed net_device\n",
		n, DMJUNK_SKBS, DMJUNK_KMALLOC, DMJUNK_VMALLOC);
	return 0;
nomem:
	dmjunk_free();
	return -ENOMEM;
}

static void __exit dmjunk_exit(void)
{
	/* consume_skb(): freeing them is no drop. */
	dmjunk_free();
}

module_init(dmjunk_init);
module_exit(dmjunk_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dropmon test: kfree_skb with skb->dev holding no device");
