/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hot-path storage: one open-addressing hash table per CPU, written
 * only by its own CPU, read by the worker after it has been swapped out.
 *
 * The probe may be re-entered on the same CPU (a softirq or hard irq that
 * drops a packet interrupts a drop being counted).  The counters and the
 * slot states are local_t, which is atomic against interrupts on the
 * owning CPU and costs no lock prefix on x86.  A slot is claimed with
 * local_cmpxchg(EMPTY -> BUSY), filled, then published with its tag; a
 * nested probe that finds a BUSY slot moves on to the next one, so the
 * same key can occupy two slots of one table, which the worker merges.
 * The only fields changed after that are single aligned words (dev and
 * dev_gen, see probe.c), written with WRITE_ONCE().
 */
#ifndef DROPMON_TABLE_H
#define DROPMON_TABLE_H

#include <linux/compiler.h>
#include <linux/hash.h>
#include <linux/bitops.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <asm/local.h>

struct sk_buff;

#include "dropmon.h"

#define DROPMON_SLOT_EMPTY	0L
#define DROPMON_SLOT_BUSY	1L

/*
 * A slot is keyed by what the probe has in registers: the location, the
 * dev word (a registered device's address; else its socket's netns word
 * or 0, see probe.c) and the reason and protocol in one word.  The
 * device's name and netns are read once, when
 * the slot is claimed, and stay with it; dev_gen says under which device
 * generation they were read (see probe.c).  64 bytes: one cache line.
 */
struct dropmon_slot {
	local_t state;		/* EMPTY, BUSY, or the key's tag */
	local_t count;
	unsigned long location;
	unsigned long dev;
	u64 rp;			/* dropmon_rp(reason, proto) */
	u32 dev_gen;		/* low bits of dropmon_dev_gen at the read */
	u32 netns;
	char name[IFNAMSIZ];
};

static_assert(sizeof(struct dropmon_slot) == 64);

static inline u64 dropmon_rp(u32 reason, __be16 proto)
{
	return reason | (u64)(__force u16)proto << 32;
}

/*
 * What the probe captures when it claims a slot (sample.c), in its CPU's
 * pool of geom->cap records of geom->rec_size bytes: the
 * header below, the stack as walked, the probe's own frames still on top
 * (the worker trims them), then the packet's first bytes.  Written only by the probe that
 * reserved it, read by the worker after the grace period.
 */
struct dropmon_rec {
	u64 time_ns;
	u32 slot;		/* the slot it samples, in the same table */
	u32 len;
	u16 nbytes;
	u8 header;		/* enum dropmon_header */
	u8 nframes;		/* as walked */
	u32 pad;
	unsigned long frames[];	/* then the packet's bytes */
};

/*
 * The shape of the sample records of one set of tables, fixed while any
 * probe can reach them: parameters written at run time (main.c) reach a
 * set only when the worker recycles it, and the worker reads a record
 * with the geometry it was written with.
 */
struct dropmon_geom {
	unsigned int cap;	/* records per CPU and interval */
	unsigned int frames;	/* room for frames in a record */
	unsigned int depth;	/* stack_depth the records were taken for */
	unsigned int bytes;	/* sample_bytes */
	size_t rec_size;	/* one record */
	size_t pool_bytes;	/* one CPU's pool, as allocated */
};

/*
 * A CPU's table: this header, one cache line of its own, and the slots,
 * a power-of-two number of whole cache lines in an allocation of exactly
 * that size (kmalloc() aligns a power-of-two size to itself), so that no
 * slot straddles two lines and nothing is asked for that is not used.
 */
struct dropmon_table {
	local_t used;		/* slots claimed, at most cap */
	local_t lost;		/* events whose key did not fit */
	local_t sampled;	/* records reserved, may pass sample_cap */
	struct dropmon_slot *slots;
	void *samples;		/* the pool: geom->cap records */
	const struct dropmon_geom *geom;	/* its set's */
	unsigned int cap;	/* distinct keys this table may hold */
	unsigned int mask;	/* slots - 1; slots is a power of two */
	size_t bytes;		/* really allocated, header and pool included */
} ____cacheline_aligned;

static_assert(sizeof(struct dropmon_table) == SMP_CACHE_BYTES);

/*
 * The tables of one interval, one per possible CPU.  There are two sets:
 * the live one, which the probes count into, and the spare, which the
 * worker merged at the last rotation and recycles at the next.
 */
struct dropmon_gen {
	u64 start_ns;
	size_t bytes;		/* really allocated, all tables included */
	size_t pool_bytes;	/* of which the sample pools */
	struct dropmon_table **tab;
	unsigned int *caps;	/* the next capacities, planned by recycle */
	struct dropmon_geom geom;	/* of its tables' pools */
	/*
	 * Pools of a new geometry, one per possible CPU, allocated when a
	 * parameter changed and put in place when this set is next recycled.
	 */
	struct dropmon_geom next_geom;
	void **next_pools;
};

/*
 * The probe finds its CPU's table here, with preemption disabled; the
 * worker swaps each CPU's pointer to its spare table and waits in
 * synchronize_rcu() before it reads the old one.  The set of tables of
 * the interval, for the worker.
 */
DECLARE_PER_CPU(struct dropmon_table __rcu *, dropmon_cpu_table);
extern struct dropmon_gen *dropmon_live;
extern struct dropmon_gen *dropmon_spare;

void dropmon_gen_publish(struct dropmon_gen *gen);

struct dropmon_gen *dropmon_gen_alloc(void);
void **dropmon_pools_alloc(const struct dropmon_geom *g);
void dropmon_pools_free(void **pools);
void dropmon_gen_stage(struct dropmon_gen *gen, void **pools,
		       const struct dropmon_geom *g);
unsigned int dropmon_gen_recycle(struct dropmon_gen *spare,
				 const struct dropmon_gen *live);
size_t dropmon_table_max_bytes(void);
void dropmon_gen_free(struct dropmon_gen *gen);

/* sample.c */
void dropmon_geom_calc(struct dropmon_geom *g, unsigned int max_keys,
		       unsigned int stack_depth, unsigned int sample_bytes);
bool dropmon_geom_equal(const struct dropmon_geom *a,
			const struct dropmon_geom *b);
void *dropmon_pool_alloc(const struct dropmon_geom *g, int cpu);
void dropmon_sample_take(struct dropmon_table *t, struct dropmon_slot *s,
			 const struct sk_buff *skb);
const u8 *dropmon_rec_bytes(const struct dropmon_geom *g,
			    const struct dropmon_rec *r);
struct dropmon_sample *dropmon_sample_make(const struct dropmon_geom *g,
					   const struct dropmon_rec *r,
					   unsigned long loc, u64 *unmatched);

static inline struct dropmon_rec *dropmon_rec_at(const struct dropmon_table *t,
						 unsigned int i)
{
	return t->samples + (size_t)i * t->geom->rec_size;
}

/* devices.c */
extern unsigned long dropmon_dev_gen;
bool dropmon_dev_registered(unsigned long addr);

/*
 * Fold the key's words into one (rotated so that equal words in different
 * fields do not cancel) and mix it with a single multiplication.
 */
static inline unsigned long dropmon_hash3(u64 a, u64 b, u64 c)
{
	u64 h = a ^ rol64(b, 21) ^ rol64(c, 43);

	h *= GOLDEN_RATIO_64;
	return (unsigned long)(h ^ (h >> 32));
}

#endif /* DROPMON_TABLE_H */
