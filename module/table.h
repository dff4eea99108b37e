/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hot-path storage: one open-addressing hash table per CPU, written
 * only by its own CPU, read by the worker after it has been swapped out.
 *
 * The probe may be re-entered on the same CPU (a softirq or hard irq that
 * drops a packet interrupts a drop being counted).  Every field the probe
 * writes is a local_t, which is atomic against interrupts on the owning
 * CPU and costs no lock prefix on x86.  A slot is claimed with
 * local_cmpxchg(EMPTY -> BUSY), filled, then published with its tag; a
 * nested probe that finds a BUSY slot moves on to the next one, so the
 * same key can occupy two slots of one table, which the worker merges.
 */
#ifndef DROPMON_TABLE_H
#define DROPMON_TABLE_H

#include <linux/compiler.h>
#include <linux/hash.h>
#include <linux/bitops.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <asm/local.h>

#include "dropmon.h"

#define DROPMON_SLOT_EMPTY	0L
#define DROPMON_SLOT_BUSY	1L

struct dropmon_slot {
	local_t state;		/* EMPTY, BUSY, or the key's tag */
	local_t count;
	struct dropmon_key key;
};

/*
 * The last device this CPU saw, so that a storm of drops on one device
 * reads its name and netns once, not once per packet.  seq is odd while
 * the entry is written; a reader that sees it odd or changed, a different
 * device, or a device generation that moved on, reads the device itself.
 */
struct dropmon_devcache {
	local_t seq;
	const struct net_device *dev;
	unsigned long gen;
	u32 netns;
	char name[IFNAMSIZ];
};

struct dropmon_table {
	local_t used;		/* slots claimed, at most cap */
	local_t lost;		/* events whose key did not fit */
	unsigned int cap;	/* distinct keys this table may hold */
	unsigned int mask;	/* slots - 1; slots is a power of two */
	struct dropmon_devcache dev;
	struct dropmon_slot slots[];
};

/* The tables of one interval, one per possible CPU. */
struct dropmon_gen {
	u64 start_ns;
	size_t bytes;		/* of all its tables */
	struct dropmon_table *tab[];
};

/*
 * The probe finds its CPU's table here; the worker swaps each CPU's
 * pointer to a fresh table and waits for a grace period before it reads
 * the old one.  The set of tables of the interval, for the worker.
 */
DECLARE_PER_CPU(struct dropmon_table __rcu *, dropmon_cpu_table);
extern struct dropmon_gen *dropmon_live;

void dropmon_gen_publish(struct dropmon_gen *gen);

struct dropmon_gen *dropmon_gen_alloc(const struct dropmon_gen *prev);
void dropmon_gen_free(struct dropmon_gen *gen);

#define DROPMON_KEY_WORDS	5

static_assert(sizeof(struct dropmon_key) == DROPMON_KEY_WORDS * sizeof(u64));

static inline u64 dropmon_key_word(const struct dropmon_key *key, int i)
{
	return ((const u64 *)key)[i];
}

/*
 * Fold the key's words into one (rotated so that equal words in different
 * fields do not cancel) and mix it with a single multiplication: one
 * multiply on the hot path instead of one per word.
 */
static inline unsigned long dropmon_key_hash(const struct dropmon_key *key)
{
	u64 h = dropmon_key_word(key, 0) ^
		rol64(dropmon_key_word(key, 1), 13) ^
		rol64(dropmon_key_word(key, 2), 29) ^
		rol64(dropmon_key_word(key, 3), 43) ^
		rol64(dropmon_key_word(key, 4), 53);

	h *= GOLDEN_RATIO_64;
	return (unsigned long)(h ^ (h >> 32));
}

static inline bool dropmon_key_equal(const struct dropmon_key *a,
				     const struct dropmon_key *b)
{
	u64 diff = 0;
	int i;

	for (i = 0; i < DROPMON_KEY_WORDS; i++)
		diff |= dropmon_key_word(a, i) ^ dropmon_key_word(b, i);
	return !diff;
}

/*
 * Claim the empty slot @s for @key.  Returns false if a nested probe took
 * the slot first, so the caller looks at it again.
 */
static inline bool dropmon_slot_claim(struct dropmon_table *t,
				      struct dropmon_slot *s,
				      const struct dropmon_key *key, long tag)
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
	s->key = *key;
	local_set(&s->count, 1);
	barrier();	/* key and count before the tag, for nested probes */
	local_set(&s->state, tag);
	return true;
}

/* Count one event of @key in this CPU's table. Bounded: at most 2 laps. */
static inline void dropmon_table_count(struct dropmon_table *t,
				       const struct dropmon_key *key)
{
	unsigned long hash = dropmon_key_hash(key);
	long tag = (long)(hash | 2);
	unsigned int i = hash & t->mask;
	unsigned int n;

	for (n = 0; n <= 2 * t->mask + 1; n++) {
		struct dropmon_slot *s = &t->slots[i];
		long state = local_read(&s->state);

		if (state == tag && dropmon_key_equal(&s->key, key)) {
			local_inc(&s->count);
			return;
		}
		if (state == DROPMON_SLOT_EMPTY) {
			if (dropmon_slot_claim(t, s, key, tag))
				return;
			continue;	/* filled under us: look again */
		}
		i = (i + 1) & t->mask;
	}
	local_inc(&t->lost);
}

#endif /* DROPMON_TABLE_H */
