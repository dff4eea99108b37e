// SPDX-License-Identifier: GPL-2.0
/*
 * The registered network devices, as the probe may trust them.
 *
 * skb->dev shares its word with dev_scratch and rbnode.rb_left: an skb
 * erased from an rbtree (TCP's out-of-order queue, netem's tfifo) and then
 * dropped may carry a pointer to another sk_buff there.  So the probe
 * counts a device only if the pointer is in this set, which the netdevice
 * notifier keeps: NETDEV_REGISTER adds a device, NETDEV_UNREGISTER removes
 * it.  Anything else is "no device".
 *
 * Readers are probes, with preemption disabled (see dropmon_probe()).
 * unregister_netdevice_many() calls synchronize_net() after the
 * NETDEV_UNREGISTER notifiers and before the device can be freed, so a
 * device found here stays readable until the probe that found it returns.
 */
#include <linux/hash.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "compat.h"
#include "table.h"

/*
 * 1024 buckets, 8 KiB: a lookup walks the devices / 1024 nodes of one.
 * A lookup comes with a slot's claim or recheck, and with each event of
 * a junk skb->dev while its CPU's table has room (see dropmon_probe()).
 */
#define DROPMON_DEV_HASH_BITS	10

struct dropmon_devnode {
	struct hlist_node node;
	const struct net_device *dev;
	struct rcu_head rcu;
};

static struct hlist_head dropmon_devs[1 << DROPMON_DEV_HASH_BITS];
static DEFINE_MUTEX(dropmon_devs_lock);	/* writers of dropmon_devs */
static unsigned int dropmon_devs_nr;	/* under dropmon_devs_lock */
static unsigned long dropmon_devs_alloc_failures;

/*
 * Bumped whenever a device registers, unregisters or is renamed, after the
 * change to dropmon_devs.  A slot trusts the name and netns it read only
 * within the generation it read them in; see dropmon_count_slow().
 */
unsigned long dropmon_dev_gen __read_mostly;

static struct hlist_head *dropmon_dev_bucket(const void *dev)
{
	return &dropmon_devs[hash_ptr(dev, DROPMON_DEV_HASH_BITS)];
}

/* Is @addr a registered net_device?  Only with preemption disabled. */
bool dropmon_dev_registered(unsigned long addr)
{
	const struct dropmon_devnode *n;

	hlist_for_each_entry_rcu(n, dropmon_dev_bucket((void *)addr), node)
		if ((unsigned long)n->dev == addr)
			return true;
	return false;
}

/* Publish a change of the set or of a name. */
static void dropmon_dev_gen_bump(void)
{
	/*
	 * Pairs with the smp_load_acquire() in dropmon_count_slow(): a probe
	 * that sees the new generation sees the change made before it.
	 */
	smp_store_release(&dropmon_dev_gen, dropmon_dev_gen + 1);
}

static void dropmon_dev_add(const struct net_device *dev)
{
	/* Charged to whoever registers the device, as the device itself is. */
	struct dropmon_devnode *n = kmalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);

	if (!n) {
		/* Its drops are counted under "-" instead. */
		WRITE_ONCE(dropmon_devs_alloc_failures,
			   dropmon_devs_alloc_failures + 1);
		return;
	}
	n->dev = dev;
	hlist_add_head_rcu(&n->node, dropmon_dev_bucket(dev));
	dropmon_devs_nr++;
}

static void dropmon_dev_del(const struct net_device *dev)
{
	struct dropmon_devnode *n;

	hlist_for_each_entry(n, dropmon_dev_bucket(dev), node) {
		if (n->dev == dev) {
			hlist_del_rcu(&n->node);
			kfree_rcu(n, rcu);
			dropmon_devs_nr--;
			return;
		}
	}
}

static int dropmon_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	const struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UNREGISTER:
	case NETDEV_CHANGENAME:
		break;
	default:
		return NOTIFY_DONE;
	}
	mutex_lock(&dropmon_devs_lock);
	if (event == NETDEV_REGISTER)
		dropmon_dev_add(dev);
	else if (event == NETDEV_UNREGISTER)
		dropmon_dev_del(dev);
	dropmon_dev_gen_bump();
	mutex_unlock(&dropmon_devs_lock);
	return NOTIFY_DONE;
}

static struct notifier_block dropmon_netdev_nb = {
	.notifier_call = dropmon_netdev_event,
};

/* Replays NETDEV_REGISTER for every device that exists already. */
int dropmon_devices_init(void)
{
	return register_netdevice_notifier(&dropmon_netdev_nb);
}

/* After the probe is gone: replays NETDEV_UNREGISTER, then frees the rest. */
void dropmon_devices_exit(void)
{
	struct dropmon_devnode *n;
	struct hlist_node *tmp;
	unsigned int i;

	unregister_netdevice_notifier(&dropmon_netdev_nb);
	for (i = 0; i < ARRAY_SIZE(dropmon_devs); i++) {
		hlist_for_each_entry_safe(n, tmp, &dropmon_devs[i], node) {
			hlist_del(&n->node);
			kfree(n);
		}
	}
	dropmon_devs_nr = 0;
	/* kfree_rcu() callbacks run no module code: no rcu_barrier() */
}

void dropmon_devices_status(unsigned int *nr, size_t *bytes,
			    unsigned long *alloc_failures)
{
	mutex_lock(&dropmon_devs_lock);
	*nr = dropmon_devs_nr;
	mutex_unlock(&dropmon_devs_lock);
	*bytes = sizeof(dropmon_devs) +
		 *nr * dropmon_kmalloc_bytes(sizeof(struct dropmon_devnode));
	*alloc_failures = READ_ONCE(dropmon_devs_alloc_failures);
}
