/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel API difference dropmon cares about, in one place.
 *
 * The DROPMON_* flags come from module/compat.mk, which greps the target's
 * headers; no code here or elsewhere tests LINUX_VERSION_CODE.
 */
#ifndef DROPMON_COMPAT_H
#define DROPMON_COMPAT_H

#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#ifdef DROPMON_HAVE_HEX_H
#include <linux/hex.h>	/* v6.x: bin2hex(), no longer from kernel.h */
#endif
#include <linux/string.h>
#include <net/net_namespace.h>
#ifdef DROPMON_HAVE_DROPREASON_H
#include <net/dropreason.h>	/* v6.0 */
#endif

/*
 * The kfree_skb tracepoint's prototype:
 *   v5.10: (skb, location)
 *   v5.17: (skb, location, enum skb_drop_reason reason)
 *   v6.11: (skb, location, reason, struct sock *rx_sk)
 *   v6.16: (skb, location, reason, const struct sock *rx_sk)
 * DROPMON_PROBE_REASON is the reason argument as a u32, or 0 without one.
 * DROPMON_TRACE_KFREE_SKB() fires the tracepoint (for the benchmark).
 */
#if defined(DROPMON_TP_RX_SK_CONST)
#define DROPMON_PROBE_ARGS	struct sk_buff *skb, void *location,	\
				enum skb_drop_reason reason,		\
				const struct sock *rx_sk
#define DROPMON_PROBE_REASON	((u32)reason)
#define DROPMON_TRACE_KFREE_SKB(skb, loc)				\
	trace_kfree_skb(skb, loc, SKB_DROP_REASON_NOT_SPECIFIED, NULL)
#elif defined(DROPMON_TP_RX_SK)
#define DROPMON_PROBE_ARGS	struct sk_buff *skb, void *location,	\
				enum skb_drop_reason reason,		\
				struct sock *rx_sk
#define DROPMON_PROBE_REASON	((u32)reason)
#define DROPMON_TRACE_KFREE_SKB(skb, loc)				\
	trace_kfree_skb(skb, loc, SKB_DROP_REASON_NOT_SPECIFIED, NULL)
#elif defined(DROPMON_TP_REASON)
#define DROPMON_PROBE_ARGS	struct sk_buff *skb, void *location,	\
				enum skb_drop_reason reason
#define DROPMON_PROBE_REASON	((u32)reason)
#define DROPMON_TRACE_KFREE_SKB(skb, loc)				\
	trace_kfree_skb(skb, loc, SKB_DROP_REASON_NOT_SPECIFIED)
#else
#define DROPMON_PROBE_ARGS	struct sk_buff *skb, void *location
#define DROPMON_PROBE_REASON	0U
#define DROPMON_NO_REASON
#define DROPMON_TRACE_KFREE_SKB(skb, loc)	trace_kfree_skb(skb, loc)
#endif

/*
 * DROPMON_PROBE_RX_SK: the socket the kernel names for the drop, since
 * v6.11 ("net: add rx_sk to trace_kfree_skb": sk_skb_reason_drop() passes
 * the receiving socket, kfree_skb_reason() NULL), or NULL before.
 */
#if defined(DROPMON_TP_RX_SK_CONST) || defined(DROPMON_TP_RX_SK)
#define DROPMON_PROBE_RX_SK	rx_sk
#else
#define DROPMON_PROBE_RX_SK	NULL
#endif

/*
 * Before v7.0 a tracepoint calls its probes with preemption disabled;
 * since, under SRCU-fast with preemption enabled, and the probe disables
 * it itself: its CPU's table and local_t updates must stay on one CPU,
 * and the worker's synchronize_rcu() must wait for it.
 */
#ifdef DROPMON_TP_PREEMPTIBLE
#define dropmon_probe_enter()	preempt_disable_notrace()
#define dropmon_probe_exit()	preempt_enable_notrace()
#else
#define dropmon_probe_enter()	do { } while (0)
#define dropmon_probe_exit()	do { } while (0)
#endif

/*
 * Drop reason names, from the running kernel's own tables so that they
 * are right whatever the enum's numbering on this kernel.
 */
#if defined(DROPMON_HAVE_REASON_SUBSYS)
/* v6.4, 071c0fc6fb91 ("net: extend drop reasons for multiple subsystems") */
static inline void dropmon_reason_name(u32 reason, char *buf, size_t len)
{
	u32 subsys = reason >> SKB_DROP_REASON_SUBSYS_SHIFT;
	u32 code = reason & ~(u32)SKB_DROP_REASON_SUBSYS_MASK;
	const struct drop_reason_list *list;
	const char *name = NULL;

	rcu_read_lock();
	if (subsys < SKB_DROP_REASON_SUBSYS_NUM) {
		list = rcu_dereference(drop_reasons_by_subsys[subsys]);
		if (list && code < list->n_reasons)
			name = list->reasons[code];
	}
	if (name)
		strscpy(buf, name, len);
	rcu_read_unlock();
	if (!name)
		snprintf(buf, len, "%u", reason);
}
#elif defined(DROPMON_HAVE_REASON_TABLE)
/* v5.18 .. v6.3: one table indexed by enum skb_drop_reason */
static inline void dropmon_reason_name(u32 reason, char *buf, size_t len)
{
	if (reason < SKB_DROP_REASON_MAX && drop_reasons[reason])
		strscpy(buf, drop_reasons[reason], len);
	else
		snprintf(buf, len, "%u", reason);
}
#elif !defined(DROPMON_NO_REASON)
/* v5.17: reasons exist but the kernel exports no names for them */
static inline void dropmon_reason_name(u32 reason, char *buf, size_t len)
{
	snprintf(buf, len, "%u", reason);
}
#else
/* before v5.17: no drop reasons at all */
static inline void dropmon_reason_name(u32 reason, char *buf, size_t len)
{
	strscpy(buf, "-", len);
}
#endif

/* v6.12: frags that the kernel cannot read (device memory TCP) */
#ifdef DROPMON_HAVE_SKB_FRAGS_READABLE
static inline bool dropmon_skb_frags_readable(const struct sk_buff *skb)
{
	return skb_frags_readable(skb);
}
#else
static inline bool dropmon_skb_frags_readable(const struct sk_buff *skb)
{
	return true;
}
#endif

/*
 * stack_trace_save(), GPL-exported since v5.2, needs CONFIG_STACKTRACE;
 * without it a sample's stack holds only its location (sample.c).
 */
#ifdef CONFIG_STACKTRACE
static inline unsigned int dropmon_stack_save(unsigned long *store,
					      unsigned int size)
{
	return stack_trace_save(store, size, 0);
}
#else
static inline unsigned int dropmon_stack_save(unsigned long *store,
					      unsigned int size)
{
	return 0;
}
#endif

/*
 * What a kmalloc() of @size really takes: its size class, or whole pages
 * above the largest class.  v6.1 has kmalloc_size_roundup(); before it,
 * the same rule by hand (the 96 and 192 byte classes exist where the
 * minimum alignment allows them).
 */
#ifdef DROPMON_HAVE_KMALLOC_SIZE_ROUNDUP
static inline size_t dropmon_kmalloc_bytes(size_t size)
{
	return kmalloc_size_roundup(size);
}
#else
static inline size_t dropmon_kmalloc_bytes(size_t size)
{
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return PAGE_SIZE << get_order(size);
	if (size <= KMALLOC_MIN_SIZE)
		return KMALLOC_MIN_SIZE;
	if (KMALLOC_MIN_SIZE <= 32 && size > 64 && size <= 96)
		return 96;
	if (KMALLOC_MIN_SIZE <= 64 && size > 128 && size <= 192)
		return 192;
	return roundup_pow_of_two(size);
}
#endif

/* What the kvmalloc()ed or vmalloc()ed @p of @size bytes really takes. */
static inline size_t dropmon_alloc_bytes(const void *p, size_t size)
{
	if (!p)
		return 0;
	return is_vmalloc_addr(p) ? PAGE_ALIGN(size) :
				    dropmon_kmalloc_bytes(size);
}

#endif /* DROPMON_COMPAT_H */
