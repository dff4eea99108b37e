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
 * Bumped (under RTNL) whenever a device registers, unregisters or is
 * renamed.  A slot trusts the name and netns it read only within the
 * generation it read them in, so a freed device whose memory is reused by
 * another, or a renamed one, is never counted under the old name.
 * Read-mostly: the probe only reads it.  Slots keep its low 32 bits: they
 * live for one interval, far fewer than 2^32 device events.
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
 * skb->dev shares a union with dev_scratch, which UDP fills with lengths
 * and flags while an skb waits in a socket queue.  Those values lie far
 * below the kernel's addresses: count them all as "no device" instead of
 * one key each.  On 64-bit architectures whose kernel lives in the upper
 * half of the address space the top bit tells, with no load; elsewhere
 * PAGE_OFFSET does.  What passes is still only read through
 * copy_from_kernel_nofault().
 */
static unsigned long dropmon_skb_dev(const struct sk_buff *skb)
{
	unsigned long dev = (unsigned long)READ_ONCE(skb->dev);

#if defined(CONFIG_64BIT) && !defined(CONFIG_S390)
	return (long)dev < 0 ? dev : 0;
#else
	return dev >= PAGE_OFFSET ? dev : 0;
#endif
}

static bool dropmon_kaddr_ok(const void *p)
{
	return virt_addr_valid(p) || is_vmalloc_addr(p);
}

/*
 * Read the name and netns inode of device @addr (0: none, "-").  It may
 * be stale, so every read goes through copy_from_kernel_nofault(): a bad
 * pointer yields "?" instead of an oops.
 */
static void dropmon_dev_read(unsigned long addr, char *name, u32 *netns)
{
	const struct net_device *dev = (const void *)addr;
	const struct net *net;
	unsigned int inum;

	memset(name, 0, IFNAMSIZ);
	*netns = 0;
	if (!addr) {
		name[0] = '-';
		return;
	}
	smp_rmb();	/* the generation was read before the device */
	if (!dropmon_kaddr_ok(dev) ||
	    copy_from_kernel_nofault(name, dev->name, IFNAMSIZ)) {
		name[0] = '?';
		return;
	}
	name[IFNAMSIZ - 1] = '\0';
	if (copy_from_kernel_nofault(&net, dropmon_dev_net_slot(dev),
				     sizeof(net)) ||
	    !dropmon_kaddr_ok(net) ||
	    copy_from_kernel_nofault(&inum, &net->ns.inum, sizeof(inum)))
		return;	/* the name is good; netns stays 0 */
	*netns = inum;
}

/*
 * Claim the empty slot @s for a key and count its first event.  Returns
 * false if a nested probe took the slot first, so the caller looks at it
 * again.  Out of line: it runs once per key and interval.
 */
static noinline bool dropmon_slot_claim(struct dropmon_table *t,
					struct dropmon_slot *s, long tag,
					unsigned long loc, unsigned long dev,
					u64 rp, u32 gen)
{
	if (local_inc_return(&t->used) > t->cap) {
		local_dec(&t->used);
		local_inc(&t->lost);
		return true;
	}
	if (local_cmpxchg(&s->state, DROPMON_SLOT_EMPTY,
			  DROPMON_SLOT_BUSY) != DROPMON_SLOT_EMPTY) {
		local_dec(&t->used);
		return false;
	}
	s->location = loc;
	s->rp = rp;
	WRITE_ONCE(s->dev, dev);
	WRITE_ONCE(s->dev_gen, gen);
	dropmon_dev_read(dev, s->name, &s->netns);
	local_set(&s->count, 1);
	barrier();	/* the key and the count before the tag */
	local_set(&s->state, tag);
	return true;
}

/*
 * A device event happened since @s read its device: read it again.  The
 * same name and netns: the slot is good for generation @gen.  Otherwise
 * the pointer now means another device (or a new name): retire the slot,
 * whose count stays under the old name, by making its dev match nothing.
 */
static noinline bool dropmon_slot_recheck(struct dropmon_slot *s, u32 gen)
{
	unsigned long dev = READ_ONCE(s->dev);
	char name[IFNAMSIZ];
	u32 netns;

	dropmon_dev_read(dev, name, &netns);
	if (netns == s->netns && !memcmp(name, s->name, IFNAMSIZ)) {
		WRITE_ONCE(s->dev_gen, gen);
		return true;
	}
	WRITE_ONCE(s->dev, dev | 1);	/* no device pointer is odd */
	return false;
}

static bool dropmon_slot_is(const struct dropmon_slot *s, unsigned long loc,
			    unsigned long dev, u64 rp)
{
	return s->location == loc && s->rp == rp && READ_ONCE(s->dev) == dev;
}

/* Did @s read its device under the current device generation? */
static bool dropmon_slot_current(const struct dropmon_slot *s)
{
	return READ_ONCE(s->dev_gen) == (u32)READ_ONCE(dropmon_dev_gen);
}

/* No key may be added: a key not found is counted in lost. */
static bool dropmon_table_full(struct dropmon_table *t)
{
	return local_read(&t->used) >= t->cap;
}

/*
 * A key's tag, stored in its slot's state: never EMPTY or BUSY.  Its bits
 * above those two pick the key's home slot.
 */
static long dropmon_tag(unsigned long loc, unsigned long dev, u64 rp)
{
	return (long)(dropmon_hash3(loc, dev, rp) | 2);
}

static unsigned int dropmon_home(const struct dropmon_table *t, long tag)
{
	return ((unsigned long)tag >> 2) & t->mask;
}

/*
 * Count one event of a key that is new, or whose slot needs a recheck:
 * probe, recheck, or claim.  Bounded: at most two laps of the table.
 */
static noinline void dropmon_count_slow(struct dropmon_table *t, long tag,
					unsigned long loc, unsigned long dev,
					u64 rp)
{
	u32 gen = (u32)READ_ONCE(dropmon_dev_gen);
	unsigned int i = dropmon_home(t, tag);
	unsigned int n;

	for (n = 0; n <= 2 * t->mask + 1; n++) {
		struct dropmon_slot *s = &t->slots[i];
		long state = local_read(&s->state);

		if (state == tag && dropmon_slot_is(s, loc, dev, rp) &&
		    (READ_ONCE(s->dev_gen) == gen ||
		     dropmon_slot_recheck(s, gen))) {
			local_inc(&s->count);
			return;
		}
		if (state == DROPMON_SLOT_EMPTY) {
			if (dropmon_table_full(t))
				break;
			if (dropmon_slot_claim(t, s, tag, loc, dev, rp, gen))
				return;
			continue;	/* filled under us: look again */
		}
		i = (i + 1) & t->mask;
	}
	local_inc(&t->lost);
}

/*
 * A key away from its home slot, or one that a full table has no room
 * for: one lap at most, with no call, so next to no registers to save.
 * Only a key to claim or a slot to recheck goes on to dropmon_count_slow().
 */
static noinline void dropmon_count(struct dropmon_table *t, long tag,
				   unsigned long loc, unsigned long dev, u64 rp)
{
	unsigned int home = dropmon_home(t, tag);
	unsigned int i = home;

	do {
		struct dropmon_slot *s = &t->slots[i];
		long state = local_read(&s->state);

		if (state == tag && dropmon_slot_is(s, loc, dev, rp)) {
			if (!dropmon_slot_current(s))
				break;
			local_inc(&s->count);
			return;
		}
		if (state == DROPMON_SLOT_EMPTY) {
			if (!dropmon_table_full(t))
				break;
			local_inc(&t->lost);
			return;
		}
		i = (i + 1) & t->mask;
	} while (i != home);
	dropmon_count_slow(t, tag, loc, dev, rp);
}

/*
 * The probe.  The key stays in registers and the common case, a key in
 * its home slot, is one slot's compares and an increment; everything
 * else is one tail call away, so this part needs no stack of its own.
 */
static void dropmon_probe(void *data, DROPMON_PROBE_ARGS)
{
	unsigned long loc = (unsigned long)location;
	unsigned long dev = dropmon_skb_dev(skb);
	u64 rp = dropmon_rp(DROPMON_PROBE_REASON, skb->protocol);
	long tag = dropmon_tag(loc, dev, rp);
	struct dropmon_table *t;
	struct dropmon_slot *s;
	long state;

	t = rcu_dereference_sched(*this_cpu_ptr(&dropmon_cpu_table));
	s = &t->slots[dropmon_home(t, tag)];
	state = local_read(&s->state);
	if (likely(state == tag && dropmon_slot_is(s, loc, dev, rp) &&
		   dropmon_slot_current(s))) {
		local_inc(&s->count);
		return;
	}
	/* The key is not in the table (its home slot is empty) nor fits. */
	if (state == DROPMON_SLOT_EMPTY && dropmon_table_full(t)) {
		local_inc(&t->lost);
		return;
	}
	dropmon_count(t, tag, loc, dev, rp);
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
