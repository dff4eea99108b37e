// SPDX-License-Identifier: GPL-2.0
/*
 * The kfree_skb tracepoint hook.  This runs for every dropped packet, with
 * preemption disabled, possibly nested inside itself on the same CPU: it
 * takes no lock, touches no data of another CPU, never allocates and does
 * a bounded amount of work.
 */
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/percpu.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>
#include <trace/events/skb.h>

#include "compat.h"
#include "table.h"

/*
 * Is @p a pointer into the kernel's direct map?  skb->dev shares a union
 * with dev_scratch, which UDP fills with lengths and flags while an skb
 * waits in a socket queue, so the value may not be a pointer at all.
 */
static bool dropmon_kaddr_ok(const void *p)
{
	return p && virt_addr_valid(p);
}

/*
 * Bumped (under RTNL) whenever a device registers, unregisters or is
 * renamed: a cached device pointer is only trusted within one generation,
 * so a freed device whose memory is reused is never mistaken for the new
 * one.  Read-mostly: the probe only reads it.
 */
static unsigned long dropmon_dev_gen;

static int dropmon_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UNREGISTER:
	case NETDEV_CHANGENAME:
		WRITE_ONCE(dropmon_dev_gen, dropmon_dev_gen + 1);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block dropmon_netdev_nb = {
	.notifier_call = dropmon_netdev_event,
};

/*
 * Read the device name and its netns inode.  The device may be stale,
 * so every read goes through copy_from_kernel_nofault(): a bad pointer
 * yields "?" instead of an oops.
 */
static void dropmon_dev_read(struct dropmon_key *key,
			     const struct net_device *dev)
{
	const struct net *net;
	unsigned int inum;

	if (copy_from_kernel_nofault(key->dev, dev->name, IFNAMSIZ)) {
		memset(key->dev, 0, sizeof(key->dev));
		key->dev[0] = '?';
		return;
	}
	key->dev[IFNAMSIZ - 1] = '\0';
	if (copy_from_kernel_nofault(&net, dropmon_dev_net_slot(dev),
				     sizeof(net)) ||
	    !dropmon_kaddr_ok(net) ||
	    copy_from_kernel_nofault(&inum, &net->ns.inum, sizeof(inum)))
		return;	/* the name is good; netns stays 0 */
	key->netns = inum;
}

static bool dropmon_devcache_get(struct dropmon_devcache *c,
				 struct dropmon_key *key,
				 const struct net_device *dev,
				 unsigned long gen)
{
	long seq = local_read(&c->seq);

	if (seq & 1 || c->dev != dev || c->gen != gen)
		return false;
	barrier();
	memcpy(key->dev, c->name, IFNAMSIZ);
	key->netns = c->netns;
	barrier();
	return local_read(&c->seq) == seq;
}

/* Unless a probe we interrupted is writing the entry, replace it. */
static void dropmon_devcache_put(struct dropmon_devcache *c,
				 const struct dropmon_key *key,
				 const struct net_device *dev,
				 unsigned long gen)
{
	long seq = local_read(&c->seq);

	if (seq & 1 || local_cmpxchg(&c->seq, seq, seq + 1) != seq)
		return;
	barrier();
	c->dev = dev;
	c->gen = gen;
	c->netns = key->netns;
	memcpy(c->name, key->dev, IFNAMSIZ);
	barrier();
	local_set(&c->seq, seq + 2);
}

static void dropmon_key_set_dev(struct dropmon_key *key,
				struct dropmon_table *t,
				const struct net_device *dev)
{
	unsigned long gen = READ_ONCE(dropmon_dev_gen);

	if (dropmon_devcache_get(&t->dev, key, dev, gen))
		return;
	key->netns = 0;
	if (!dropmon_kaddr_ok(dev)) {
		memset(key->dev, 0, sizeof(key->dev));
		key->dev[0] = '-';
		return;
	}
	dropmon_dev_read(key, dev);
	dropmon_devcache_put(&t->dev, key, dev, gen);
}

static void dropmon_probe(void *data, DROPMON_PROBE_ARGS)
{
	struct dropmon_key key = {
		.location = (unsigned long)location,
		.reason = DROPMON_PROBE_REASON,
		.proto = skb->protocol,
	};
	struct dropmon_table *t;

	t = rcu_dereference_sched(*this_cpu_ptr(&dropmon_cpu_table));
	dropmon_key_set_dev(&key, t, READ_ONCE(skb->dev));
	dropmon_table_count(t, &key);
}

int dropmon_probe_register(void)
{
	int err;

	err = register_netdevice_notifier(&dropmon_netdev_nb);
	if (err)
		return err;
	err = register_trace_kfree_skb(dropmon_probe, NULL);
	if (err)
		unregister_netdevice_notifier(&dropmon_netdev_nb);
	return err;
}

void dropmon_probe_unregister(void)
{
	unregister_trace_kfree_skb(dropmon_probe, NULL);
	tracepoint_synchronize_unregister();
	unregister_netdevice_notifier(&dropmon_netdev_nb);
}
