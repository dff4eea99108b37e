// SPDX-License-Identifier: GPL-2.0
/*
 * The kfree_skb tracepoint hook.  This runs for every dropped packet, in
 * any context, possibly nested inside itself on the same CPU, with
 * preemption disabled (compat.h): it takes no lock, touches no data of
 * another CPU, never allocates and does a bounded amount of work.
 */
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/percpu.h>
#include <linux/tracepoint.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <trace/events/skb.h>

#include "compat.h"
#include "table.h"

/*
 * Could the word @v be a kernel address?  Scratch values and offsets lie
 * far below the kernel's addresses: on 64-bit architectures whose kernel
 * lives in the upper half of the address space the top bit tells, with no
 * load, and elsewhere PAGE_OFFSET does, where no unaligned word passes
 * either (see DROPMON_DEV_NETNS).
 */
static bool dropmon_kernel_word(unsigned long v)
{
#ifndef CONFIG_S390
	return (long)v < 0;
#else
	return v >= PAGE_OFFSET && !(v & 3);
#endif
}

/*
 * skb->dev shares a union with dev_scratch, which UDP fills with lengths
 * and flags while an skb waits in a socket queue, and with rbnode.rb_left
 * (see devices.c).  What passes dropmon_kernel_word() is a device only if
 * dropmon_dev_registered() says so, which the probe asks before it claims
 * a slot for it.
 */
static unsigned long dropmon_skb_dev(const struct sk_buff *skb)
{
	unsigned long dev = (unsigned long)READ_ONCE(skb->dev);

	return dropmon_kernel_word(dev) ? dev : 0;
}

/*
 * A slot's dev word is a registered device's address, 0 (no device and no
 * socket) or, for a drop with no device but a socket, that socket's netns
 * inode shifted left by 2 with DROPMON_DEV_NETNS set: one key per netns.
 * The netns word is below 2^34, so its top bit is clear and it fails
 * dropmon_kernel_word() (s390: it is no multiple of 4, as every device
 * pointer is): no skb->dev can match it, and no lookup or recheck is
 * made for it.  A retired slot's word has bit 0 set
 * (dropmon_slot_recheck()), which no device pointer or netns word has.
 */
#define DROPMON_DEV_NETNS	2UL

/* Is the dev word @dev (from skb->dev, or a slot's) maybe a device? */
static bool dropmon_dev_maybe(unsigned long dev)
{
	return dropmon_kernel_word(dev);
}

/*
 * The first inode number proc hands out (fs/proc/generic.c, the same on
 * every kernel dropmon builds for): every netns inode is at least this,
 * but for the initial netns' on 7.x, which is fixed (NET_NS_INIT_INO,
 * 0xEFFFFFF9, include/uapi/linux/nsfs.h); before, it is allocated too.
 */
#define DROPMON_PROC_DYNAMIC_FIRST	0xF0000000U

/*
 * The netns word of the socket @sk, or 0 if @sk turns out to be no
 * socket: read with get_kernel_nofault() (v5.8), which takes a fault as
 * an error instead of an oops and needs no particular context (no sleep:
 * pagefault_disable(), then the exception table).
 */
static unsigned long dropmon_sock_netns(const struct sock *sk)
{
	possible_net_t pnet;
	const struct net *net;
	unsigned int inum;

	if (get_kernel_nofault(pnet, &sk->sk_net))
		return 0;
	net = read_pnet(&pnet);
	if (!dropmon_kernel_word((unsigned long)net) ||
	    get_kernel_nofault(inum, &net->ns.inum))
		return 0;
	if (inum < DROPMON_PROC_DYNAMIC_FIRST &&
	    inum != READ_ONCE(init_net.ns.inum))
		return 0;
	return (unsigned long)inum << 2 | DROPMON_DEV_NETNS;
}

/*
 * The dev word of a drop whose skb->dev is no device: the netns of the
 * socket the kernel names.  That is @rx_sk where the tracepoint passes
 * one (v6.11 on, see compat.h), else skb->sk, else none (0).
 *
 * What skb->sk holds when kfree_skb fires:
 * - NULL: an skb that no socket owns (most of the receive path, which
 *   ip_rcv_core() orphans) or one orphaned since: no socket, 0.
 * - a full socket, or a request or timewait socket (a SYN-ACK's, a TIME_WAIT
 *   reset's): all three begin with struct sock_common, whose skc_net
 *   sock_net() reads.
 * - ip_defrag_offset, on kernels whose sk_buff still has
 *   "union { struct sock *sk; int ip_defrag_offset; }" (before v6.9's
 *   "inet: inet_defrag: prevent sk release while still in use", which
 *   moved the offset to the skb's cb; backported to the 4.19 and later
 *   stable kernels, so Debian's 5.10 and 6.1 no longer have the union,
 *   and neither do 6.12 or 7.x).  There, inet_frag_queue_insert() writes
 *   the int offset of a fragment queued for reassembly, which the queue's
 *   purge (timeout, overlap, memory limit) then frees.  ip_defrag() and
 *   nf_ct_frag6_gather() orphaned the skb first (skb_orphan(): sk NULL,
 *   the whole word 0), and IPv6's receive path reaches ipv6_frag_rcv()
 *   orphaned by ip6_rcv_core(), so the word holds the offset alone: a
 *   number below 65536 with the top 32 bits clear, never a kernel
 *   address.  dropmon_kernel_word() turns it away: no socket, 0.  The
 *   one exception, a fragment whose socket a tc BPF program prefetched
 *   (bpf_sk_assign(), which ip6_rcv_core() leaves in place), would have
 *   the offset written over the low half of that pointer, which the
 *   kernel itself then hands to the socket's destructor when it frees
 *   the fragment: a bug of those kernels that dropmon does not work
 *   around.
 * - some other object: RFCOMM's tty (rfcomm_set_owner_w() sets skb->sk
 *   to its struct rfcomm_dev, and skb_queue_purge() drops such skbs with
 *   no device), and whatever else a driver parks there.
 * So a kernel address in skb->sk is not always a socket, and one that is
 * may be read late: the skb holds its socket, or the caller is in an RCU
 * or BH section, and TCP's full, timewait and request sockets are
 * SLAB_TYPESAFE_BY_RCU (tcp_v4_rcv() may drop with sk_skb_reason_drop()
 * after its sock_put()), which this probe's section (preemption disabled,
 * a sched-RCU reader, dropmon_probe()) covers; but a kernel socket takes
 * no reference on its net before v6.9 (net_passive), so on 5.10 and 6.1
 * its net may be freed under it.  Hence dropmon_sock_netns(): both loads
 * are nofault reads, and a fault, a net pointer that is no kernel address
 * or an inode outside proc's range makes the drop one with no socket,
 * netns 0.  Such drops are counted like every other, under dev "-" and
 * netns 0; a junk object whose words happen to pass gives a wrong netns,
 * never an oops.
 *
 * A drop that has a device keeps the device's netns even where its socket
 * is in another one (a veth's peer, a socket moved with setns()): the
 * device is where the packet was, and finding the socket would cost every
 * drop with a device a load or two more.
 */
static __always_inline unsigned long
dropmon_sock_dev(const struct sk_buff *skb, const struct sock *rx_sk)
{
	const struct sock *sk = rx_sk;

	if (!sk) {
		unsigned long v = (unsigned long)READ_ONCE(skb->sk);

		if (!dropmon_kernel_word(v))
			return 0;
		sk = (const struct sock *)v;
	}
	return dropmon_sock_netns(sk);
}

/*
 * Read the name and netns inode of the registered device @addr (0: none,
 * "-"; a socket's netns word: "-" and that inode).  A concurrent rename may
 * tear the name; the worker makes whatever it reads printable, and the
 * rename's NETDEV_CHANGENAME has the slot read it again.
 */
static void dropmon_dev_read(unsigned long addr, char *name, u32 *netns)
{
	const struct net_device *dev = (const void *)addr;

	memset(name, 0, IFNAMSIZ);
	*netns = 0;
	if (!dropmon_dev_maybe(addr)) {
		name[0] = '-';
		*netns = addr >> 2;
		return;
	}
	/* A rename may tear the name: the worker makes it printable. */
	data_race(memcpy(name, dev->name, IFNAMSIZ - 1));
	/* A netns move leaves either net alive until the probe returns. */
	*netns = data_race(dev_net(dev))->ns.inum;
}

/*
 * Claim the empty slot @s for a key, count its first event and sample it
 * (sample.c).  Returns false if a nested probe took the slot first, so
 * the caller looks at it again.  Out of line: it runs once per key and
 * interval.
 */
static noinline bool dropmon_slot_claim(struct dropmon_table *t,
					struct dropmon_slot *s, long tag,
					unsigned long loc, unsigned long dev,
					u64 rp, u32 gen,
					const struct sk_buff *skb)
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
	/*
	 * The key and the count before the tag.  Pairs with the tag compare
	 * of a probe nested on this CPU (one CPU: a compiler barrier is
	 * enough); the worker reads the slot only after synchronize_rcu().
	 */
	barrier();
	local_set(&s->state, tag);
	/* After the tag: a probe nesting in the capture counts as a hit. */
	dropmon_sample_take(t, s, skb);
	return true;
}

/*
 * A device event happened since @s read its registered device: read it
 * again.  The same name and netns: the slot is good for generation @gen.
 * Otherwise the pointer now means another device (or a new name): retire
 * the slot, whose count stays under the old name, by making its dev match
 * nothing.
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

/*
 * Did @s read its device under the current device generation?  A slot
 * with no device (@dev 0 or a netns word) read no device and needs no
 * recheck.
 */
static bool dropmon_slot_current(const struct dropmon_slot *s,
				 unsigned long dev)
{
	return !dropmon_dev_maybe(dev) ||
	       READ_ONCE(s->dev_gen) == (u32)READ_ONCE(dropmon_dev_gen);
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
 * Count one event of a key that is new or whose slot needs a recheck:
 * look its device up, then probe, recheck, or claim.  A pointer that is
 * not a registered device counts as no device, with its socket's netns
 * (dropmon_sock_dev()): one key per netns however many such pointers
 * there are.  Bounded: one hash bucket and at most two laps of the table.
 * Six arguments, all in registers (x86-64, arm64): the tag is computed
 * again rather than passed.
 */
static noinline void dropmon_count_slow(struct dropmon_table *t,
					unsigned long loc, unsigned long dev,
					u64 rp, const struct sk_buff *skb,
					const struct sock *rx_sk)
{
	/*
	 * Pairs with the smp_store_release() of dropmon_dev_gen_bump(): a
	 * generation read here comes with the set of devices and the names
	 * that it was published after.
	 */
	u32 gen = (u32)smp_load_acquire(&dropmon_dev_gen);
	long tag = dropmon_tag(loc, dev, rp);
	unsigned int i, n;

	if (dropmon_dev_maybe(dev) && !dropmon_dev_registered(dev)) {
		dev = dropmon_sock_dev(skb, rx_sk);
		tag = dropmon_tag(loc, dev, rp);
	}
	i = dropmon_home(t, tag);
	for (n = 0; n <= 2 * t->mask + 1; n++) {
		struct dropmon_slot *s = &t->slots[i];
		long state = local_read(&s->state);

		if (state == tag && dropmon_slot_is(s, loc, dev, rp) &&
		    (!dropmon_dev_maybe(dev) || READ_ONCE(s->dev_gen) == gen ||
		     dropmon_slot_recheck(s, gen))) {
			local_inc(&s->count);
			return;
		}
		if (state == DROPMON_SLOT_EMPTY) {
			if (dropmon_table_full(t))
				break;
			if (dropmon_slot_claim(t, s, tag, loc, dev, rp, gen,
					       skb))
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
 * Only a key to claim (and its device to look up) or a slot to recheck
 * goes on to dropmon_count_slow().  The tag is computed again, a few
 * instructions, so that the six arguments stay in registers and the
 * probe's call to here stays a tail call.
 */
static noinline void dropmon_count(struct dropmon_table *t,
				   unsigned long loc, unsigned long dev, u64 rp,
				   const struct sk_buff *skb,
				   const struct sock *rx_sk)
{
	long tag = dropmon_tag(loc, dev, rp);
	unsigned int home = dropmon_home(t, tag);
	unsigned int i = home;

	do {
		struct dropmon_slot *s = &t->slots[i];
		long state = local_read(&s->state);

		if (state == tag && dropmon_slot_is(s, loc, dev, rp)) {
			if (!dropmon_slot_current(s, dev))
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
	dropmon_count_slow(t, loc, dev, rp, skb, rx_sk);
}

/*
 * The key stays in registers and the common case, a key in its home slot,
 * is one slot's compares and an increment; everything else is one call
 * away, a tail call where dropmon_probe_exit() is empty.  The skb goes
 * along only for a claim to sample, and it and @rx_sk for a pointer that
 * turns out to be no device (dropmon_count_slow()).
 */
static __always_inline void dropmon_count_event(unsigned long loc,
						unsigned long dev, u64 rp,
						const struct sk_buff *skb,
						const struct sock *rx_sk)
{
	long tag = dropmon_tag(loc, dev, rp);
	struct dropmon_table *t;
	struct dropmon_slot *s;
	long state;

	t = rcu_dereference_sched(*this_cpu_ptr(&dropmon_cpu_table));
	s = &t->slots[dropmon_home(t, tag)];
	state = local_read(&s->state);
	if (likely(state == tag && dropmon_slot_is(s, loc, dev, rp) &&
		   dropmon_slot_current(s, dev)))
		local_inc(&s->count);
	/*
	 * The key is not in the table (its home slot is empty) nor fits.
	 * Without a lookup, an skb->dev that is no registered device counts
	 * here too, even if the table holds the no-device key: a full table
	 * costs no more per event than a hit.
	 */
	else if (state == DROPMON_SLOT_EMPTY && dropmon_table_full(t))
		local_inc(&t->lost);
	else
		dropmon_count(t, loc, dev, rp, skb, rx_sk);
}

/*
 * A drop with no device word: its socket's netns (dropmon_sock_dev()),
 * then counted.  Out of line, so that the probe stays a leaf for a drop
 * with a device, the nofault reads' calls are here.
 */
static noinline void dropmon_count_nodev(unsigned long loc, u64 rp,
					 const struct sk_buff *skb,
					 const struct sock *rx_sk)
{
	dropmon_count_event(loc, dropmon_sock_dev(skb, rx_sk), rp, skb, rx_sk);
}

/*
 * The probe.  Preemption is disabled around the table work on every
 * kernel, by the tracepoint before v7.0 and by dropmon_probe_enter()
 * since (compat.h): that section is what the worker's synchronize_rcu()
 * (snapshot.c) and the device set's synchronize_net() (devices.c) wait
 * for.  A drop with no device word at all takes its socket's netns inside
 * that section (dropmon_count_nodev()); a drop with a device pays one
 * test for that.
 */
static void dropmon_probe(void *data, DROPMON_PROBE_ARGS)
{
	unsigned long loc = (unsigned long)location;
	unsigned long dev = dropmon_skb_dev(skb);
	u64 rp = dropmon_rp(DROPMON_PROBE_REASON, skb->protocol);

	dropmon_probe_enter();
	if (dev)
		dropmon_count_event(loc, dev, rp, skb, DROPMON_PROBE_RX_SK);
	else
		dropmon_count_nodev(loc, rp, skb, DROPMON_PROBE_RX_SK);
	dropmon_probe_exit();
}

int dropmon_probe_register(void)
{
	return register_trace_kfree_skb(dropmon_probe, NULL);
}

/*
 * tracepoint_synchronize_unregister() waits for every probe that may still
 * run: a sched-RCU grace period before v7.0, SRCU-fast and RCU Tasks Trace
 * since.
 */
void dropmon_probe_unregister(void)
{
	unregister_trace_kfree_skb(dropmon_probe, NULL);
	tracepoint_synchronize_unregister();
}
