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
#include <linux/slab.h>
#include <linux/topology.h>

#include "table.h"

struct dropmon_gen __rcu *dropmon_live;

/*
 * Per-CPU tables start with what fits in this much memory for all CPUs
 * together (at most max_keys each, at least DROPMON_MIN_CAP), and then
 * follow what each CPU really sees: a small host holds max_keys per CPU
 * from the start, a host with hundreds of CPUs starts small and grows the
 * tables of the CPUs that need it.
 */
#define DROPMON_START_BUDGET	(1024 * 1024)
#define DROPMON_MIN_CAP		32U

static unsigned int dropmon_cap_clamp(unsigned long cap)
{
	unsigned int floor = min(DROPMON_MIN_CAP, dropmon_max_keys);

	return clamp_t(unsigned long, cap, floor, dropmon_max_keys);
}

static unsigned int dropmon_start_cap(void)
{
	unsigned long per_cpu = DROPMON_START_BUDGET / num_possible_cpus();

	return dropmon_cap_clamp(per_cpu / (2 * sizeof(struct dropmon_slot)));
}

/*
 * The next capacity of a CPU's table: room for twice what it used, four
 * times its capacity if it overflowed, and shrinking by half at most per
 * interval so that bursty CPUs keep their room.
 */
static unsigned int dropmon_next_cap(const struct dropmon_table *t)
{
	unsigned long used = min_t(unsigned long, local_read(&t->used), t->cap);

	if (local_read(&t->lost))
		return dropmon_cap_clamp(4UL * t->cap);
	return dropmon_cap_clamp(max(2 * used, t->cap / 2UL));
}

static struct dropmon_table *dropmon_table_alloc(unsigned int cap, int cpu)
{
	size_t slots = roundup_pow_of_two(2 * cap);
	struct dropmon_table *t;

	t = kvzalloc_node(struct_size(t, slots, slots), GFP_KERNEL,
			  cpu_to_node(cpu));
	if (!t)
		return NULL;
	t->cap = cap;
	t->mask = slots - 1;
	return t;
}

/*
 * A fresh set of tables, sized from @prev (the set it replaces) or, when
 * @prev is NULL, from the start budget.
 */
struct dropmon_gen *dropmon_gen_alloc(const struct dropmon_gen *prev)
{
	struct dropmon_gen *gen;
	int cpu;

	gen = kzalloc(struct_size(gen, tab, nr_cpu_ids), GFP_KERNEL);
	if (!gen)
		return NULL;
	for_each_possible_cpu(cpu) {
		unsigned int cap = prev ? dropmon_next_cap(prev->tab[cpu]) :
					  dropmon_start_cap();

		gen->tab[cpu] = dropmon_table_alloc(cap, cpu);
		if (!gen->tab[cpu])
			goto err_free_tables;
	}
	return gen;

err_free_tables:
	dropmon_gen_free(gen);
	return NULL;
}

void dropmon_gen_free(struct dropmon_gen *gen)
{
	int cpu;

	if (!gen)
		return;
	for_each_possible_cpu(cpu)
		kvfree(gen->tab[cpu]);
	kfree(gen);
}
