// SPDX-License-Identifier: GPL-2.0
/*
 * An empty probe on kfree_skb: the cost of the tracepoint call itself,
 * the floor that no tracepoint-based tool can beat.
 */
#include <linux/module.h>
#include <linux/tracepoint.h>
#include <trace/events/skb.h>

#include "compat.h"

static void dmempty_probe(void *data, DROPMON_PROBE_ARGS)
{
}

static int __init dmempty_init(void)
{
	return register_trace_kfree_skb(dmempty_probe, NULL);
}

static void __exit dmempty_exit(void)
{
	unregister_trace_kfree_skb(dmempty_probe, NULL);
	tracepoint_synchronize_unregister();
}

module_init(dmempty_init);
module_exit(dmempty_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dropmon benchmark: an empty kfree_skb probe");
