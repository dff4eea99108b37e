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
#include <linux/smp.h>
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
 * Fill in the device name and its netns inode.  The device may be stale,
 * so every read goes through copy_from_kernel_nofault(): a bad pointer
 * yields "?" instead of an oops.
 */
static void dropmon_key_set_dev(struct dropmon_key *key,
				const struct net_device *dev)
{
	const struct net *net;
	unsigned int inum;

	if (!dropmon_kaddr_ok(dev)) {
		key->dev[0] = '-';
		return;
	}
	if (copy_from_kernel_nofault(key->dev, dev->name, IFNAMSIZ))
		goto unreadable;
	key->dev[IFNAMSIZ - 1] = '\0';
	if (copy_from_kernel_nofault(&net, dropmon_dev_net_slot(dev),
				     sizeof(net)) ||
	    !dropmon_kaddr_ok(net) ||
	    copy_from_kernel_nofault(&inum, &net->ns.inum, sizeof(inum)))
		return;	/* the name is good; netns stays 0 */
	key->netns = inum;
	return;

unreadable:
	memset(key->dev, 0, sizeof(key->dev));
	key->dev[0] = '?';
}

static void dropmon_probe(void *data, DROPMON_PROBE_ARGS)
{
	struct dropmon_key key = {
		.location = (unsigned long)location,
		.reason = DROPMON_PROBE_REASON,
		.proto = skb->protocol,
	};
	struct dropmon_gen *gen;

	dropmon_key_set_dev(&key, READ_ONCE(skb->dev));
	gen = rcu_dereference_sched(dropmon_live);
	dropmon_table_count(gen->tab[smp_processor_id()], &key);
}

int dropmon_probe_register(void)
{
	return register_trace_kfree_skb(dropmon_probe, NULL);
}

void dropmon_probe_unregister(void)
{
	unregister_trace_kfree_skb(dropmon_probe, NULL);
	tracepoint_synchronize_unregister();
}
