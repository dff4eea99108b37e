// SPDX-License-Identifier: GPL-2.0
/*
 * Samples: the stack and the first bytes of one packet of each key.
 *
 * The probe takes one when it claims a slot, the first event of a key on
 * its CPU in an interval, into a record of its CPU's pool (table.h): a
 * bounded stack walk, a bounded copy, a clock read; no lock, allocation
 * or sleep, and a record of its own if it nests.  The hit path never
 * comes here.  The worker picks each key's earliest record, resolves its
 * frames and keeps it as a struct dropmon_sample (dropmon.h).
 */
#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "table.h"

/*
 * The pools of both sets of tables, all CPUs together, take at most this
 * much: 1 MiB, as allocated.  A host with few CPUs has more records per
 * CPU, up to max_keys; one with 256 has a handful (README, "Samples").
 * Every CPU has at least one record: past 1024 possible CPUs, with the
 * default parameters, that floor and not the budget sets the size.
 */
#define DROPMON_SAMPLE_BUDGET	(1024 * 1024)

/*
 * Frames above the location's that a stack walk may see: this file's,
 * probe.c's, the tracepoint's (__traceiter_kfree_skb once a second probe
 * is attached) and the drop helper's.  Recorded, then trimmed.
 */
#define DROPMON_STACK_SLACK	12

static atomic_long_t dropmon_store_bytes;	/* struct dropmon_sample */

/* What a pool of @size bytes really takes: vmalloc()ed above a page. */
static size_t dropmon_pool_size(size_t size)
{
	return size > PAGE_SIZE ? PAGE_ALIGN(size) : dropmon_kmalloc_bytes(size);
}

/*
 * The records' geometry for these parameters: at load, and for a value
 * written at run time (main.c), before any table of it exists.
 */
void dropmon_geom_calc(struct dropmon_geom *g, unsigned int max_keys,
		       unsigned int stack_depth, unsigned int sample_bytes)
{
	size_t share = DROPMON_SAMPLE_BUDGET / (2 * num_possible_cpus());
	size_t cap;

	memset(g, 0, sizeof(*g));
	g->depth = stack_depth;
	g->bytes = sample_bytes;
	g->frames = stack_depth ? stack_depth + DROPMON_STACK_SLACK : 0;
	g->rec_size = ALIGN(sizeof(struct dropmon_rec) +
			    g->frames * sizeof(unsigned long) + sample_bytes,
			    sizeof(unsigned long));
	cap = min_t(size_t, share / g->rec_size, max_keys);
	while (cap > 1 && dropmon_pool_size(cap * g->rec_size) > share)
		cap--;
	g->cap = max_t(size_t, cap, 1);
	g->pool_bytes = dropmon_pool_size(g->cap * g->rec_size);
}

bool dropmon_geom_equal(const struct dropmon_geom *a,
			const struct dropmon_geom *b)
{
	return a->cap == b->cap && a->frames == b->frames &&
	       a->depth == b->depth && a->bytes == b->bytes &&
	       a->rec_size == b->rec_size;
}

/* A CPU's pool for geometry @g, of g->pool_bytes as allocated. */
void *dropmon_pool_alloc(const struct dropmon_geom *g, int cpu)
{
	size_t size = g->cap * g->rec_size;

	if (size > PAGE_SIZE)
		return vzalloc_node(size, cpu_to_node(cpu));
	return kzalloc_node(size, GFP_KERNEL, cpu_to_node(cpu));
}

/* Does the header at offset @off from head lie within the linear data? */
static bool dropmon_hdr_inside(const struct sk_buff *skb, unsigned int off)
{
	return skb->head + off <= skb_tail_pointer(skb);
}

/*
 * Up to sample_bytes of the packet from its MAC header, when that is set
 * and lies inside the buffer before the network header, else from its
 * network header when that is valid.  network_header has no "was set"
 * test before v6.x and reads 0 when unset, the start of head: 0 is taken
 * as unset.  The length is the packet's from that header to its end,
 * what a capture tool shows.  The bytes are read with skb_copy_bits(),
 * which checks every offset against the skb's own lengths, and not at
 * all from frags the kernel cannot read (skb->unreadable, v6.12).
 */
static void dropmon_sample_packet(struct dropmon_rec *r, u8 *buf,
				  unsigned int max, const struct sk_buff *skb)
{
	unsigned int nh = skb->network_header;
	bool nh_ok = nh && dropmon_hdr_inside(skb, nh);
	const unsigned char *hdr;
	long start, len;
	int n;

	r->nbytes = 0;
	if (skb_mac_header_was_set(skb) &&
	    dropmon_hdr_inside(skb, skb->mac_header) &&
	    (!nh_ok || skb->mac_header < nh)) {
		r->header = DROPMON_HDR_MAC;
		hdr = skb->head + skb->mac_header;
	} else if (nh_ok) {
		r->header = DROPMON_HDR_NETWORK;
		hdr = skb->head + nh;
	} else {
		r->header = DROPMON_HDR_NONE;
		r->len = skb->len;
		return;
	}
	start = hdr - skb->data;	/* below data: negative */
	len = (long)skb->len - start;
	r->len = len;
	n = min_t(long, max, len);
	if (!dropmon_skb_frags_readable(skb))
		n = min_t(long, n, (long)skb_headlen(skb) - start);
	if (n > 0 && !skb_copy_bits(skb, start, buf, n))
		r->nbytes = n;
}

/*
 * Sample the key just claimed in slot @s.  A record is reserved with a
 * local_t, so a probe nesting on this CPU takes the next one; once the
 * pool is used up, the key has no sample this interval on this CPU.
 */
void dropmon_sample_take(struct dropmon_table *t, struct dropmon_slot *s,
			 const struct sk_buff *skb)
{
	const struct dropmon_geom *g = t->geom;
	long i = local_inc_return(&t->sampled);
	struct dropmon_rec *r;

	if (i > g->cap)
		return;
	r = dropmon_rec_at(t, i - 1);
	/* NMI-safe: a seqcount latch that never waits for its writer. */
	r->time_ns = ktime_get_boot_fast_ns();
	r->slot = s - t->slots;
	/* As walked, from this file on: the worker trims it. */
	r->nframes = g->frames ? dropmon_stack_save(r->frames, g->frames) : 0;
	dropmon_sample_packet(r, (u8 *)(r->frames + g->frames), g->bytes, skb);
}

/* The packet bytes of record @r, of geometry @g. */
const u8 *dropmon_rec_bytes(const struct dropmon_geom *g,
			    const struct dropmon_rec *r)
{
	return (const u8 *)(r->frames + g->frames);
}

/* The worker's side. */

/*
 * The most one frame line takes: "frame\t", the index, a tab, the symbol
 * (cut as the stats file cuts it), a tab, the module and a newline.
 */
#define DROPMON_FRAME_LEN	(8 + 4 + DROPMON_SYM_LEN + MODULE_NAME_LEN)
static char dropmon_frames_buf[DROPMON_STACK_DEPTH_MAX * DROPMON_FRAME_LEN];

/*
 * Where the stack of @r starts: the walk began in the probe, and how many
 * frames lie above the location's function depends on the kernel and on
 * whether the tracepoint calls its probes through __traceiter_kfree_skb,
 * so none are skipped by number.  The stack starts at the first frame
 * that returns to the location itself (__builtin_return_address(0) of
 * the function that fired the tracepoint), or else into the function
 * that holds it (net_tx_action() passes its own address as the
 * location).  Returns r->nframes when neither is found.
 */
static unsigned int dropmon_stack_start(const struct dropmon_rec *r,
					unsigned long loc)
{
	unsigned long start, size;
	unsigned int i;

	for (i = 0; i < r->nframes; i++)
		if (r->frames[i] == loc)
			return i;
	/* Only a function's own address: else a frame into another call. */
	if (!dropmon_func_bounds(loc, &start, &size) || start != loc)
		return r->nframes;
	for (i = 0; i < r->nframes; i++)
		if (r->frames[i] - 1 - start < size)	/* a call in it */
			return i;
	return r->nframes;
}

/*
 * A key's sample, from record @r of a key at @loc, written with geometry @g
 * (its stack_depth, not the one in effect now): the packet bytes
 * copied and the stack trimmed to start at the location's function (or,
 * when the walk does not reach it, counted in *@unmatched and cut to the
 * location alone), every frame resolved to symbol+0xoff/0xsize and its
 * module.  NULL when out of memory; the key then has no sample.
 */
struct dropmon_sample *dropmon_sample_make(const struct dropmon_geom *g,
					   const struct dropmon_rec *r,
					   unsigned long loc, u64 *unmatched)
{
	unsigned int depth = g->depth;
	char sym[DROPMON_SYM_LEN], mod[MODULE_NAME_LEN];
	unsigned int i, first, n = 0;
	struct dropmon_sample *smp;
	size_t text = 0, size;

	/* A walk that found nothing (no CONFIG_STACKTRACE) matches nothing. */
	if (depth) {
		first = r->nframes ? dropmon_stack_start(r, loc) : 0;
		if (first == r->nframes)
			WRITE_ONCE(*unmatched, *unmatched + 1);
		n = min(r->nframes - first, depth);
	}
	/* Frame 0 is the location, as stats resolves it; then the callers. */
	for (i = 0; i < max(n, depth ? 1U : 0U); i++) {
		if (!i)
			dropmon_frame_resolve(loc, false, sym, mod);
		else
			dropmon_frame_resolve(r->frames[first + i], true, sym,
					      mod);
		text += scnprintf(dropmon_frames_buf + text,
				  sizeof(dropmon_frames_buf) - text,
				  "frame\t%u\t%s\t%s\n", i, sym, mod);
		cond_resched();
	}
	size = struct_size(smp, data, r->nbytes + text + 1);
	smp = kmalloc(size, GFP_KERNEL);
	if (!smp)
		return NULL;
	kref_init(&smp->ref);
	smp->time_ns = r->time_ns;
	smp->len = r->len;
	smp->nbytes = r->nbytes;
	smp->header = r->header;
	smp->nframes = i;
	smp->bytes = dropmon_kmalloc_bytes(size);
	memcpy(smp->data, dropmon_rec_bytes(g, r), r->nbytes);
	smp->frames = (char *)smp->data + r->nbytes;
	memcpy(smp->frames, dropmon_frames_buf, text);
	smp->frames[text] = '\0';
	atomic_long_add(smp->bytes, &dropmon_store_bytes);
	return smp;
}

static void dropmon_sample_release(struct kref *ref)
{
	struct dropmon_sample *smp = container_of(ref, struct dropmon_sample,
						  ref);

	atomic_long_sub(smp->bytes, &dropmon_store_bytes);
	kfree(smp);
}

void dropmon_sample_put(struct dropmon_sample *smp)
{
	if (smp)
		kref_put(&smp->ref, dropmon_sample_release);
}

/* Samples alive, as allocated. */
size_t dropmon_sample_store_bytes(void)
{
	return atomic_long_read(&dropmon_store_bytes);
}

/* The most one sample takes, with the parameters in effect. */
size_t dropmon_sample_max_bytes(void)
{
	size_t text = READ_ONCE(dropmon_stack_depth) * DROPMON_FRAME_LEN;

	return dropmon_kmalloc_bytes(sizeof(struct dropmon_sample) +
				     READ_ONCE(dropmon_sample_bytes) + text + 1);
}
