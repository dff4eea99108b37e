// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation of the per-CPU tables.  Only the worker calls this, with
 * GFP_KERNEL; the probe never allocates.
 */
#include <linux/cpumask.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "compat.h"
#include "table.h"

DEFINE_PER_CPU(struct dropmon_table __rcu *, dropmon_cpu_table);
struct dropmon_gen *dropmon_live;
struct dropmon_gen *dropmon_spare;

/*
 * Point every CPU's probe at its table of @gen (NULL: at none).  Each
 * rcu_assign_pointer() pairs with the rcu_dereference_sched() of
 * dropmon_probe(): a probe that sees the table sees it zeroed and sized.
 */
void dropmon_gen_publish(struct dropmon_gen *gen)
{
	int cpu;

	for_each_possible_cpu(cpu)
		rcu_assign_pointer(*per_cpu_ptr(&dropmon_cpu_table, cpu),
				   gen ? gen->tab[cpu] : NULL);
	dropmon_live = gen;
}

/*
 * Memory: all per-CPU tables of one interval together stay within a
 * budget of 1 MiB, or two CPUs' worth of full tables if max_keys asks
 * for more.  Tables start with an equal share of it (max_keys each on a
 * small host, at least DROPMON_MIN_CAP) and then follow what each CPU
 * really sees: a CPU that filled its table grows for the next interval
 * while the budget allows, an idle one shrinks back towards its share.
 * Events that do not fit a table are counted in lost, never dropped.
 */
#define DROPMON_BUDGET_FLOOR	(1024 * 1024)
#define DROPMON_MIN_CAP		16U

/* Header and slots of a table for @cap keys, as really allocated. */
static size_t dropmon_table_bytes(unsigned int cap)
{
	size_t slots = roundup_pow_of_two(2 * cap) *
		       sizeof(struct dropmon_slot);

	return dropmon_kmalloc_bytes(sizeof(struct dropmon_table)) +
	       dropmon_kmalloc_bytes(slots);
}

static size_t dropmon_budget(void)
{
	return max_t(size_t, DROPMON_BUDGET_FLOOR,
		     2 * dropmon_table_bytes(dropmon_max_keys));
}

static unsigned int dropmon_cap_clamp(unsigned long cap)
{
	unsigned int floor = min(DROPMON_MIN_CAP, dropmon_max_keys);

	return clamp_t(unsigned long, cap, floor, dropmon_max_keys);
}

/* An equal share of the budget: max_keys, halved until the table fits. */
static unsigned int dropmon_start_cap(void)
{
	size_t share = dropmon_budget() / num_possible_cpus();
	unsigned int cap = dropmon_max_keys;

	while (cap > DROPMON_MIN_CAP && dropmon_table_bytes(cap) > share)
		cap /= 2;
	return dropmon_cap_clamp(cap);
}

/*
 * What a CPU's next table would like: four times its capacity if it
 * overflowed, else room for twice what it used, shrinking by half at most
 * per interval and never below its equal share of the budget.
 */
static unsigned int dropmon_want_cap(const struct dropmon_table *t)
{
	unsigned long used = min_t(unsigned long, local_read(&t->used), t->cap);
	unsigned long want;

	if (local_read(&t->lost))
		want = 4UL * t->cap;
	else
		want = max(2 * used, t->cap / 2UL);
	return max(dropmon_cap_clamp(want), dropmon_start_cap());
}

/*
 * Capacities of the next tables: every CPU may shrink, growth is granted
 * in CPU order while the total stays within the budget.
 */
static void dropmon_plan_caps(const struct dropmon_gen *prev,
			      unsigned int *caps)
{
	size_t total = 0, budget = dropmon_budget();
	unsigned int want;
	int cpu;

	for_each_possible_cpu(cpu) {
		caps[cpu] = prev ? min(dropmon_want_cap(prev->tab[cpu]),
				       prev->tab[cpu]->cap) :
				   dropmon_start_cap();
		total += dropmon_table_bytes(caps[cpu]);
	}
	if (!prev)
		return;
	for_each_possible_cpu(cpu) {
		size_t more;

		want = dropmon_want_cap(prev->tab[cpu]);
		if (want <= caps[cpu])
			continue;
		more = dropmon_table_bytes(want) - dropmon_table_bytes(caps[cpu]);
		if (total + more > budget)
			continue;
		total += more;
		caps[cpu] = want;
	}
}

/* Free the pools a set holds for its next geometry, if any. */
static void dropmon_gen_unstage(struct dropmon_gen *gen)
{
	dropmon_pools_free(gen->next_pools);
	gen->next_pools = NULL;
}

static void dropmon_table_free(struct dropmon_table *t)
{
	if (!t)
		return;
	kvfree(t->samples);
	kvfree(t->slots);
	kfree(t);
}

static struct dropmon_table *dropmon_table_alloc(struct dropmon_gen *gen,
						 unsigned int cap, int cpu)
{
	unsigned int slots = roundup_pow_of_two(2 * cap);
	size_t bytes = slots * sizeof(struct dropmon_slot);
	struct dropmon_table *t;

	t = kzalloc_node(sizeof(*t), GFP_KERNEL, cpu_to_node(cpu));
	if (!t)
		return NULL;
	t->slots = kvzalloc_node(bytes, GFP_KERNEL, cpu_to_node(cpu));
	if (!t->slots) {
		kfree(t);
		return NULL;
	}
	t->geom = &gen->geom;
	t->cap = cap;
	t->mask = slots - 1;
	t->bytes = dropmon_alloc_bytes(t, sizeof(*t)) +
		   dropmon_alloc_bytes(t->slots, bytes);
	return t;
}

/* A set of tables for the start share of the budget. */
struct dropmon_gen *dropmon_gen_alloc(void)
{
	struct dropmon_gen *gen;
	int cpu;

	gen = kzalloc(sizeof(*gen), GFP_KERNEL);
	if (!gen)
		return NULL;
	gen->tab = kcalloc(nr_cpu_ids, sizeof(*gen->tab), GFP_KERNEL);
	gen->caps = kcalloc(nr_cpu_ids, sizeof(*gen->caps), GFP_KERNEL);
	if (!gen->tab || !gen->caps)
		goto err_free_gen;
	gen->bytes = dropmon_alloc_bytes(gen, sizeof(*gen)) +
		     dropmon_alloc_bytes(gen->tab,
					 nr_cpu_ids * sizeof(*gen->tab)) +
		     dropmon_alloc_bytes(gen->caps,
					 nr_cpu_ids * sizeof(*gen->caps));
	dropmon_geom_calc(&gen->geom, dropmon_max_keys, dropmon_stack_depth,
			  dropmon_sample_bytes);
	dropmon_plan_caps(NULL, gen->caps);
	for_each_possible_cpu(cpu) {
		struct dropmon_table *t;

		t = dropmon_table_alloc(gen, gen->caps[cpu], cpu);
		gen->tab[cpu] = t;
		if (!t)
			goto err_free_gen;
		t->samples = dropmon_pool_alloc(&gen->geom, cpu);
		if (!t->samples)
			goto err_free_gen;
		t->bytes += gen->geom.pool_bytes;
		gen->bytes += t->bytes;
		gen->pool_bytes += gen->geom.pool_bytes;
	}
	return gen;

err_free_gen:
	dropmon_gen_free(gen);
	return NULL;
}

/* Pools of geometry @g for every possible CPU, or NULL. */
void **dropmon_pools_alloc(const struct dropmon_geom *g)
{
	void **pools;
	int cpu;

	pools = kcalloc(nr_cpu_ids, sizeof(*pools), GFP_KERNEL);
	if (!pools)
		return NULL;
	for_each_possible_cpu(cpu) {
		pools[cpu] = dropmon_pool_alloc(g, cpu);
		if (!pools[cpu]) {
			dropmon_pools_free(pools);
			return NULL;
		}
	}
	return pools;
}

void dropmon_pools_free(void **pools)
{
	int cpu;

	if (!pools)
		return;
	for_each_possible_cpu(cpu)
		kvfree(pools[cpu]);
	kfree(pools);
}

/*
 * Give @gen the @pools of geometry @g (NULL: none, it keeps its own), to
 * be put in place when it is next recycled; pools staged before are
 * freed.  Worker only; @gen may be live, its own pools are not touched.
 */
void dropmon_gen_stage(struct dropmon_gen *gen, void **pools,
		       const struct dropmon_geom *g)
{
	dropmon_gen_unstage(gen);
	gen->next_pools = pools;
	if (pools)
		gen->next_geom = *g;
}

/* Put the pools staged for @spare in place, its old ones freed. */
static void dropmon_gen_restage(struct dropmon_gen *spare)
{
	int cpu;

	if (!spare->next_pools)
		return;
	for_each_possible_cpu(cpu) {
		struct dropmon_table *t = spare->tab[cpu];

		kvfree(t->samples);
		t->samples = spare->next_pools[cpu];
		spare->next_pools[cpu] = NULL;
		t->bytes = t->bytes - spare->geom.pool_bytes +
			   spare->next_geom.pool_bytes;
	}
	spare->bytes = spare->bytes - spare->pool_bytes +
		       num_possible_cpus() * spare->next_geom.pool_bytes;
	spare->pool_bytes = num_possible_cpus() * spare->next_geom.pool_bytes;
	spare->geom = spare->next_geom;
	dropmon_gen_unstage(spare);
}

/*
 * Make @spare, whose tables no probe can reach any more, ready for the
 * interval after @live's: each CPU's table reallocated where its planned
 * capacity changed, else cleared; its pool of sample records goes along
 * and needs no clearing, only records below sampled are read.  No
 * allocation in the common case, and none that can fail the rotation: a
 * table that cannot be reallocated is cleared and keeps its size.
 * Returns how many could not.
 */
unsigned int dropmon_gen_recycle(struct dropmon_gen *spare,
				 const struct dropmon_gen *live)
{
	unsigned int failed = 0;
	int cpu;

	dropmon_gen_restage(spare);
	dropmon_plan_caps(live, spare->caps);
	for_each_possible_cpu(cpu) {
		struct dropmon_table *t = spare->tab[cpu], *n;

		if (t->cap != spare->caps[cpu]) {
			n = dropmon_table_alloc(spare, spare->caps[cpu], cpu);
			if (n) {
				/* The pool goes along as it is. */
				swap(n->samples, t->samples);
				n->bytes += spare->geom.pool_bytes;
				spare->bytes -= t->bytes;
				spare->bytes += n->bytes;
				spare->tab[cpu] = n;
				dropmon_table_free(t);
				continue;
			}
			failed++;
		}
		memset(t->slots, 0, (t->mask + 1) * sizeof(*t->slots));
		local_set(&t->used, 0);
		local_set(&t->lost, 0);
		local_set(&t->sampled, 0);
		cond_resched();
	}
	return failed;
}

/* What one table may take at most: one reallocation's extra.  Readers. */
size_t dropmon_table_max_bytes(void)
{
	return dropmon_table_bytes(READ_ONCE(dropmon_max_keys));
}

void dropmon_gen_free(struct dropmon_gen *gen)
{
	int cpu;

	if (!gen)
		return;
	dropmon_gen_unstage(gen);
	if (gen->tab)
		for_each_possible_cpu(cpu)
			dropmon_table_free(gen->tab[cpu]);
	kfree(gen->caps);
	kfree(gen->tab);
	kfree(gen);
}
