// SPDX-License-Identifier: GPL-2.0
/*
 * Rotation, merge and totals.  Every interval the worker swaps in the
 * spare set of per-CPU tables, waits until no probe can still write the
 * live set, merges it into one snapshot sorted by count, resolves symbols
 * and reason names, folds the interval into the totals and publishes
 * both; the merged set is the next spare.  All the
 * work that is not counting happens here, in process context.
 *
 * At max_keys=65536 one interval can hold 65536 rows of 288 bytes, so the
 * worker runs on system_unbound_wq and gives the CPU back (cond_resched())
 * every DROPMON_BATCH steps of each long loop; it sorts compact entries
 * (count, location, row pointer), not rows, with a merge sort that yields
 * too; a key of the core kernel takes its symbol from the totals instead
 * of a %pS per interval; the totals'
 * order is kept from one interval to the next, so only the rows that an
 * interval changed are sorted; and totals that did not change are not
 * copied again.
 *
 * The totals hold at most total_keys rows.  When a fold brings more new
 * keys than there is room for, the rows idle longest make room (see
 * dropmon_totals_evict()); their events are counted in the totals'
 * evicted, so that sum(count) + lost + evicted == drops.
 */
#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "table.h"

/* Rows keyed by dropmon_key, with an open-addressing index of row numbers. */
struct dropmon_acc {
	struct dropmon_row *rows;
	u32 *index;		/* row number + 1; 0 is an empty slot */
	u64 *seen;		/* totals: by row, the last interval (seq) with the key */
	unsigned int cap;	/* rows it may hold */
	unsigned int nr;
	unsigned int mask;
	size_t bytes;		/* really allocated */
	u64 drops;
	u64 lost;		/* events not counted in their interval */
	u64 evicted;		/* totals: events of the rows evicted */
};

static struct dropmon_acc dropmon_interval;	/* the interval being built */
static struct dropmon_acc dropmon_totals;	/* everything since load */
static u64 dropmon_interval_start;	/* start of what dropmon_interval holds */
static bool dropmon_carry;		/* dropmon_interval awaits publishing */
static u64 dropmon_seq;			/* intervals published */
static u64 dropmon_load_ns;
static unsigned long dropmon_next_run;	/* jiffies */
/*
 * The interval_ms that the interval being built was scheduled with: the
 * snapshots' header.  A value written at run time is in effect from the
 * rotation after the write, which schedules the next with it.
 */
static unsigned int dropmon_sched_ms;
static char dropmon_symbuf[KSYM_SYMBOL_LEN];
static struct delayed_work dropmon_work;

/* The long loops give the CPU back every this many steps (a power of 2). */
#define DROPMON_BATCH	256

static inline void dropmon_yield(unsigned int i)
{
	if (!(i % DROPMON_BATCH))
		cond_resched();
}

/*
 * A row's place in snapshot order, with what decides it nearly always at
 * hand: sorting these touches one array, not 288-byte rows all over the
 * accumulator.  @count is the row's count when the entry was made.
 */
struct dropmon_ord {
	u64 count;
	unsigned long location;
	struct dropmon_row *row;
};

/*
 * Entries in snapshot order (dropmon_row_cmp()): the interval's
 * (max_keys), the totals' (kept sorted from one interval to the next)
 * and scratch for sorting and merging, which swap roles and so both hold
 * dropmon_orders_cap >= max(the interval's capacity, total_keys) (during a
 * max_keys change, the old interval's and the new one's too: see
 * dropmon_sort_fit()).  dropmon_moved marks
 * the totals' rows that the interval being folded changed, and
 * dropmon_evict the rows chosen for eviction, by row number.  The totals'
 * arrays are counted in dropmon_totals.bytes, the interval's here.
 */
static struct dropmon_ord *dropmon_interval_order;
static struct dropmon_ord *dropmon_totals_order;
static struct dropmon_ord *dropmon_scratch;
static unsigned int dropmon_orders_cap;
static unsigned long *dropmon_moved;
static unsigned long *dropmon_evict;
static const struct dropmon_rec **dropmon_raw;	/* by interval row */
static bool dropmon_totals_stale;	/* the published totals are older */
static size_t dropmon_orders_bytes;	/* really allocated for the above */

/*
 * What a max_keys written at run time needs (dropmon_tables_apply()): an
 * interval accumulator of the new capacity and the orders that go with
 * it, allocated at the rotation that applies it, when the tables of the
 * new capacity go live, and put in place at the next, when they are
 * merged.  The interval that was counting when the value was written is
 * merged with the old capacity.
 */
static struct {
	struct dropmon_acc acc;
	struct dropmon_ord *interval_order;
	const struct dropmon_rec **raw;
	size_t orders_bytes;
	bool staged;		/* allocated, waiting to be put in place */
	bool ready;		/* its tables are live: at the next reset */
} dropmon_next;

/*
 * The worker's own figures, for the status file.  Written by the worker
 * only; a reader may see one field a rotation newer than another.
 */
static struct {
	u64 rotations;
	u64 alloc_failures;
	u64 rotate_ns_last;	/* swap, grace period, merge, publish */
	u64 merge_ns_last;	/* merge, resolve, sort, publish */
	u64 merge_ns_max;
	u64 pool_full;		/* claims that found no record left */
	u64 unmatched;		/* stacks that did not reach the location */
	u64 sample_alloc_failures;
	u64 evicted_keys;	/* rows evicted from the totals */
	u64 evict_ns_last;	/* the last eviction: selection and compaction */
	u64 evict_ns_max;
	size_t table_bytes;	/* per-CPU tables, live and spare */
	size_t pool_bytes;	/* of which their sample pools */
	size_t acc_bytes;	/* the interval's accumulator and orders */
	size_t staged_bytes;	/* a change's, allocated, not in place */
} dropmon_status;

/* What readers see; replaced under dropmon_snap_lock, freed by kref. */
static DEFINE_MUTEX(dropmon_snap_lock);
static struct dropmon_snap *dropmon_stats_snap;
static struct dropmon_snap *dropmon_totals_snap;

/*
 * Memory only the worker and readers touch: above a page, vmalloc()ed
 * whole pages, so that 70 pages of rows take 70 pages and not the 128 of
 * a kmalloc() of the next page order.  kvfree() frees either.
 */
static void *dropmon_zalloc(size_t size)
{
	return size > PAGE_SIZE ? vzalloc(size) : kzalloc(size, GFP_KERNEL);
}

static int dropmon_acc_init(struct dropmon_acc *acc, unsigned int cap)
{
	size_t slots = roundup_pow_of_two(2 * cap);
	size_t rows = array_size(cap, sizeof(*acc->rows));
	size_t index = array_size(slots, sizeof(*acc->index));

	acc->rows = dropmon_zalloc(rows);
	acc->index = dropmon_zalloc(index);
	if (!acc->rows || !acc->index) {
		kvfree(acc->rows);
		kvfree(acc->index);
		acc->rows = NULL;
		acc->index = NULL;
		return -ENOMEM;
	}
	acc->cap = cap;
	acc->mask = slots - 1;
	acc->bytes = dropmon_alloc_bytes(acc->rows, rows) +
		     dropmon_alloc_bytes(acc->index, index);
	return 0;
}

/* Drop the rows' references on their samples. */
static void dropmon_acc_put_samples(struct dropmon_acc *acc)
{
	unsigned int i;

	for (i = 0; acc->rows && i < acc->nr; i++) {
		dropmon_sample_put(acc->rows[i].sample);
		acc->rows[i].sample = NULL;
		dropmon_yield(i + 1);
	}
}

static void dropmon_acc_free(struct dropmon_acc *acc)
{
	dropmon_acc_put_samples(acc);
	kvfree(acc->rows);
	kvfree(acc->index);
	kvfree(acc->seen);
}

static void dropmon_acc_reset(struct dropmon_acc *acc)
{
	dropmon_acc_put_samples(acc);
	memset(acc->index, 0, (acc->mask + 1) * sizeof(*acc->index));
	acc->nr = 0;
	acc->drops = 0;
	acc->lost = 0;
	acc->evicted = 0;
}

/* The interval's orders; the totals' go with them (dropmon_totals_free()). */
static void dropmon_orders_free(void)
{
	kvfree(dropmon_raw);
	kvfree(dropmon_interval_order);
}

static void dropmon_next_free(void)
{
	dropmon_acc_free(&dropmon_next.acc);
	kvfree(dropmon_next.raw);
	kvfree(dropmon_next.interval_order);
	memset(&dropmon_next, 0, sizeof(dropmon_next));
}

/* The interval's orders for @cap keys into dropmon_next. */
static int dropmon_next_orders(unsigned int cap)
{
	size_t bytes = array_size(cap, sizeof(struct dropmon_ord));
	size_t raw = array_size(cap, sizeof(*dropmon_raw));

	dropmon_next.interval_order = dropmon_zalloc(bytes);
	dropmon_next.raw = dropmon_zalloc(raw);
	if (!dropmon_next.interval_order || !dropmon_next.raw)
		return -ENOMEM;
	dropmon_next.orders_bytes =
		dropmon_alloc_bytes(dropmon_next.interval_order, bytes) +
		dropmon_alloc_bytes(dropmon_next.raw, raw);
	return 0;
}

/* Put the interval's orders of dropmon_next in place. */
static void dropmon_next_orders_install(void)
{
	dropmon_orders_bytes -= dropmon_alloc_bytes(dropmon_interval_order,
						    dropmon_interval.cap *
						    sizeof(struct dropmon_ord)) +
				dropmon_alloc_bytes(dropmon_raw,
						    dropmon_interval.cap *
						    sizeof(*dropmon_raw));
	swap(dropmon_interval_order, dropmon_next.interval_order);
	swap(dropmon_raw, dropmon_next.raw);
	dropmon_orders_bytes += dropmon_next.orders_bytes;
}

/*
 * Make dropmon_totals_order and dropmon_scratch hold max(@cap, the
 * totals' capacity), the totals' order kept: only ever larger unless
 * @shrink, which keeps the larger ones when smaller cannot be had.
 * -ENOMEM when they must grow and cannot (nothing changed).  Their bytes
 * are the totals' (dropmon_totals_resize()).
 */
static int dropmon_sort_fit(unsigned int cap, bool shrink)
{
	unsigned int want = max(cap, dropmon_totals.cap);
	size_t bytes = array_size(want, sizeof(struct dropmon_ord));
	size_t old = array_size(dropmon_orders_cap, sizeof(struct dropmon_ord));
	struct dropmon_ord *order, *scratch;

	if (want == dropmon_orders_cap ||
	    (want < dropmon_orders_cap && !shrink))
		return 0;
	order = dropmon_zalloc(bytes);
	scratch = dropmon_zalloc(bytes);
	if (!order || !scratch) {
		kvfree(order);
		kvfree(scratch);
		return want > dropmon_orders_cap ? -ENOMEM : 0;
	}
	if (dropmon_totals.nr)
		memcpy(order, dropmon_totals_order,
		       dropmon_totals.nr * sizeof(*order));
	WRITE_ONCE(dropmon_totals.bytes, dropmon_totals.bytes -
		   2 * dropmon_alloc_bytes(dropmon_totals_order, old) +
		   2 * dropmon_alloc_bytes(order, bytes));
	kvfree(dropmon_totals_order);
	kvfree(dropmon_scratch);
	dropmon_totals_order = order;
	dropmon_scratch = scratch;
	dropmon_orders_cap = want;
	return 0;
}

/* The interval's orders for @cap keys; the totals' come with them. */
static int dropmon_orders_init(unsigned int cap)
{
	if (dropmon_next_orders(cap)) {
		dropmon_next_free();
		return -ENOMEM;
	}
	swap(dropmon_interval_order, dropmon_next.interval_order);
	swap(dropmon_raw, dropmon_next.raw);
	dropmon_orders_bytes += dropmon_next.orders_bytes;
	dropmon_next_free();
	return 0;
}

/*
 * At the rotation that applies max_keys @max_keys, stack_depth @depth and
 * sample_bytes @bytes (main.c), before the spare tables are recycled with
 * them: everything they need, allocated now or not at all.  The spare
 * set, live next, gets sample pools of the new geometry at this
 * rotation, the live set at the next; an interval accumulator of the new
 * capacity waits for the tables it will merge (dropmon_next).  Returns
 * -EAGAIN while the last change is still being put in place (the values
 * stay pending), -ENOMEM when an allocation failed (nothing changed).
 */
int dropmon_tables_apply(unsigned int max_keys, unsigned int depth,
			 unsigned int bytes)
{
	void **live_pools = NULL, **spare_pools = NULL;
	struct dropmon_geom g;

	if (dropmon_tables_busy())
		return -EAGAIN;
	dropmon_geom_calc(&g, max_keys, depth, bytes);
	if (!dropmon_geom_equal(&dropmon_live->geom, &g)) {
		live_pools = dropmon_pools_alloc(&g);
		if (!live_pools)
			goto err_free;
	}
	if (!dropmon_geom_equal(&dropmon_spare->geom, &g)) {
		spare_pools = dropmon_pools_alloc(&g);
		if (!spare_pools)
			goto err_free;
	}
	/* The sorts take the old interval now, the new one next. */
	if (max_keys != dropmon_interval.cap) {
		if (dropmon_acc_init(&dropmon_next.acc, max_keys) ||
		    dropmon_next_orders(max_keys) ||
		    dropmon_sort_fit(max(max_keys, dropmon_interval.cap),
				     false))
			goto err_free;
		dropmon_next.staged = true;
	}
	dropmon_gen_stage(dropmon_live, live_pools, &g);
	dropmon_gen_stage(dropmon_spare, spare_pools, &g);
	return 0;

err_free:
	dropmon_next_free();
	dropmon_pools_free(spare_pools);
	dropmon_pools_free(live_pools);
	return -ENOMEM;
}

/* Is a change of dropmon_tables_apply() still being put in place? */
bool dropmon_tables_busy(void)
{
	return dropmon_next.staged || dropmon_spare->next_pools;
}

/* The interval's accumulator, emptied for the next interval's counts. */
static void dropmon_interval_reset(void)
{
	if (!dropmon_next.ready) {
		dropmon_acc_reset(&dropmon_interval);
		return;
	}
	dropmon_next_orders_install();
	swap(dropmon_interval, dropmon_next.acc);
	dropmon_next_free();
	/* A shrink: it never needs memory it does not have. */
	WARN_ON_ONCE(dropmon_sort_fit(dropmon_interval.cap, true));
}

/*
 * Random at load: keys that a sender who knows the locations builds to
 * collide cannot be made to walk the accumulators' probe sequences.
 */
static u32 dropmon_hash_seed __read_mostly;

static u32 dropmon_key_hash(const struct dropmon_key *key)
{
	static_assert(sizeof(*key) % sizeof(u32) == 0);

	return jhash2((const u32 *)key, sizeof(*key) / sizeof(u32),
		      dropmon_hash_seed);
}

/* The padding is named and zeroed, so keys compare as bytes. */
static bool dropmon_key_equal(const struct dropmon_key *a,
			      const struct dropmon_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/*
 * Add @count events of @key.  Returns the key's row, or NULL when the
 * accumulator is full, for the caller to count the events in lost or
 * evicted.  *@created tells whether the row is new, for the caller to
 * fill in its strings.
 */
static struct dropmon_row *dropmon_acc_add(struct dropmon_acc *acc,
					   const struct dropmon_key *key,
					   u64 count, bool *created)
{
	unsigned int i = dropmon_key_hash(key) & acc->mask;
	struct dropmon_row *row;

	*created = false;
	acc->drops += count;
	for (;; i = (i + 1) & acc->mask) {
		if (!acc->index[i])
			break;
		row = &acc->rows[acc->index[i] - 1];
		if (dropmon_key_equal(&row->key, key))
			goto found;
	}
	if (acc->nr == acc->cap)
		return NULL;
	row = &acc->rows[acc->nr++];
	acc->index[i] = acc->nr;
	memset(row, 0, sizeof(*row));
	row->key = *key;
	*created = true;
found:
	row->count += count;
	return row;
}

/*
 * Names of the same device may differ in the bytes after their NUL (a
 * renamed device keeps them), a name read during a rename may be torn,
 * and a name may hold any byte but '/', ':' and white space: make equal
 * names equal keys, and every byte printable ASCII, so that the files'
 * columns stay intact and their bytes mean the same in any locale.  The
 * kernel's isgraph() is Latin-1 and passes 0xa0-0xff: not used here.
 */
static void dropmon_key_normalize(struct dropmon_key *key)
{
	size_t len = strnlen(key->dev, IFNAMSIZ - 1);
	size_t i;

	memset(key->dev + len, 0, IFNAMSIZ - len);
	for (i = 0; i < len; i++) {
		unsigned char c = key->dev[i];

		if (c <= ' ' || c >= 0x7f)
			key->dev[i] = '?';
	}
	if (!len)
		key->dev[0] = '?';
}

/* The key that slot @s counted, as the accumulators hold it. */
static void dropmon_slot_key(const struct dropmon_slot *s,
			     struct dropmon_key *key)
{
	memset(key, 0, sizeof(*key));
	key->location = s->location;
	key->reason = lower_32_bits(s->rp);
	key->proto = (__force __be16)(u16)upper_32_bits(s->rp);
	key->netns = s->netns;
	memcpy(key->dev, s->name, IFNAMSIZ);
	dropmon_key_normalize(key);
}

static const struct dropmon_row *dropmon_acc_find(const struct dropmon_acc *acc,
						  const struct dropmon_key *key);

/*
 * Each row of @acc that has no sample yet gets the earliest record of its
 * key in @t, if any, in dropmon_raw[] by row number; dropmon_samples_make()
 * turns them into samples.  A record whose key went to lost has no row.
 */
static void dropmon_merge_samples(struct dropmon_acc *acc,
				  const struct dropmon_table *t)
{
	unsigned long taken = local_read(&t->sampled);
	unsigned int i, n = min_t(unsigned long, taken, t->geom->cap);
	struct dropmon_key key;

	WRITE_ONCE(dropmon_status.pool_full,
		   dropmon_status.pool_full + (taken - n));
	for (i = 0; i < n; i++) {
		const struct dropmon_rec *r = dropmon_rec_at(t, i);
		const struct dropmon_row *row;
		const struct dropmon_rec **raw;

		dropmon_yield(i + 1);
		if (WARN_ON_ONCE(r->slot > t->mask))
			continue;
		dropmon_slot_key(&t->slots[r->slot], &key);
		row = dropmon_acc_find(acc, &key);
		if (!row || row->sample)
			continue;
		raw = &dropmon_raw[row - acc->rows];
		if (!*raw || r->time_ns < (*raw)->time_ns)
			*raw = r;
	}
}

static void dropmon_merge_gen(struct dropmon_acc *acc,
			      const struct dropmon_gen *gen)
{
	struct dropmon_key key;
	bool created;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct dropmon_table *t = gen->tab[cpu];
		unsigned int i;

		acc->drops += local_read(&t->lost);
		acc->lost += local_read(&t->lost);
		for (i = 0; i <= t->mask; i++) {
			struct dropmon_slot *s = &t->slots[i];
			long state = local_read(&s->state);

			dropmon_yield(i + 1);
			if (state == DROPMON_SLOT_EMPTY)
				continue;
			/* Probes finish before the grace period ends. */
			if (WARN_ON_ONCE(state == DROPMON_SLOT_BUSY))
				continue;
			dropmon_slot_key(s, &key);
			if (!dropmon_acc_add(acc, &key, local_read(&s->count),
					     &created))
				acc->lost += local_read(&s->count);
		}
		dropmon_merge_samples(acc, t);
	}
}

/*
 * The interval's new samples, made from the records that
 * dropmon_merge_samples() picked, while the tables that hold them wait
 * as the spare set.
 */
static void dropmon_samples_make(struct dropmon_acc *acc,
				 const struct dropmon_geom *g)
{
	unsigned int i;

	for (i = 0; i < acc->nr; i++) {
		if (!dropmon_raw[i])
			continue;
		acc->rows[i].sample =
			dropmon_sample_make(g, dropmon_raw[i],
					    acc->rows[i].key.location,
					    &dropmon_status.unmatched);
		if (!acc->rows[i].sample)
			WRITE_ONCE(dropmon_status.sample_alloc_failures,
				   dropmon_status.sample_alloc_failures + 1);
		dropmon_raw[i] = NULL;
		cond_resched();
	}
}

/*
 * Copy @sym ("name+0xoff/0xsize") into @buf.  A name too long for it
 * (KSYM_NAME_LEN is 512 since v6.1) is cut and marked "...", and keeps
 * its offset and size.
 */
static void dropmon_sym_copy(char *buf, size_t size, const char *sym)
{
	const char *off = strrchr(sym, '+');
	size_t len = strlen(sym);
	size_t keep;

	static_assert(DROPMON_SYM_LEN >= 8);	/* room for "x..." */
	if (len < size) {
		memcpy(buf, sym, len + 1);
		return;
	}
	if (!off || strlen(off) + 4 > size)
		off = "";
	keep = size - 1 - strlen(off) - 3;
	snprintf(buf, size, "%.*s...%s", (int)keep, sym, off);
}

/*
 * Split "symbol+0xoff/0xsize [module]", as %pS or %pB wrote it in
 * dropmon_symbuf, into @sym (DROPMON_SYM_LEN) and @mod (MODULE_NAME_LEN).
 * Returns false when the address did not resolve.
 */
static bool dropmon_sym_split(char *sym, char *mod)
{
	char *m;

	if (!strncmp(dropmon_symbuf, "0x", 2))
		return false;
	m = strstr(dropmon_symbuf, " [");
	if (m) {
		*m = '\0';
		m += 2;
		m[strcspn(m, "] ")] = '\0';
	}
	dropmon_sym_copy(sym, DROPMON_SYM_LEN, dropmon_symbuf);
	strscpy(mod, m ?: "vmlinux", MODULE_NAME_LEN);
	return true;
}

/* symbol+0xoff/0xsize and its module, or "?" where it does not resolve. */
static void dropmon_row_resolve(struct dropmon_row *row)
{
	snprintf(dropmon_symbuf, sizeof(dropmon_symbuf), "%pS",
		 (void *)row->key.location);
	if (!dropmon_sym_split(row->sym, row->mod)) {
		strscpy(row->sym, "?", sizeof(row->sym));
		strscpy(row->mod, "?", sizeof(row->mod));
	}
	dropmon_reason_name(row->key.reason, row->reason, sizeof(row->reason));
}

/*
 * Stack frame @addr as symbol+0xoff/0xsize and its module.  Frame 0 is the
 * location, resolved with %pS exactly as the stats row; the others are
 * return addresses, resolved with %pB, which looks up the call's own
 * instruction, so that a call that ends its function names that function
 * and not the next one.  An address that does not resolve is written as
 * itself, module "?".  Worker only.
 */
void dropmon_frame_resolve(unsigned long addr, bool ret, char *sym, char *mod)
{
	if (ret)
		snprintf(dropmon_symbuf, sizeof(dropmon_symbuf), "%pB",
			 (void *)addr);
	else
		snprintf(dropmon_symbuf, sizeof(dropmon_symbuf), "%pS",
			 (void *)addr);
	if (!dropmon_sym_split(sym, mod)) {
		snprintf(sym, DROPMON_SYM_LEN, "0x%lx", addr);
		strscpy(mod, "?", MODULE_NAME_LEN);
	}
}

/*
 * The start and size of the function that holds @addr, from the same
 * "+0xoff/0xsize" that %pS writes (kallsyms_lookup_size_offset() is not
 * exported).  False if it does not resolve.
 */
bool dropmon_func_bounds(unsigned long addr, unsigned long *start,
			 unsigned long *size)
{
	unsigned long off;
	char *p;

	snprintf(dropmon_symbuf, sizeof(dropmon_symbuf), "%pS", (void *)addr);
	p = strrchr(dropmon_symbuf, '+');
	if (!p || sscanf(p, "+%lx/%lx", &off, size) != 2 || off > addr)
		return false;
	*start = addr - off;
	return true;
}

static const struct dropmon_row *dropmon_acc_find(const struct dropmon_acc *acc,
						  const struct dropmon_key *key)
{
	unsigned int i = dropmon_key_hash(key) & acc->mask;
	const struct dropmon_row *row;

	for (;; i = (i + 1) & acc->mask) {
		if (!acc->index[i])
			return NULL;
		row = &acc->rows[acc->index[i] - 1];
		if (dropmon_key_equal(&row->key, key))
			return row;
	}
}

/*
 * Core kernel text keeps its symbols for good.  BPF images resolve with
 * no module name too, and are replaced at the same addresses.
 */
static bool dropmon_sym_is_core(const struct dropmon_row *row)
{
	return !strcmp(row->mod, "vmlinux") && strncmp(row->sym, "bpf_prog_", 9) &&
	       strncmp(row->sym, "bpf_trampoline_", 15) &&
	       strncmp(row->sym, "bpf_dispatcher_", 15);
}

/*
 * Names for the interval's rows.  A location in the core kernel keeps its
 * symbol for good, so a key the totals already hold under "vmlinux" takes
 * the strings resolved when it first came; anything else (a module, which
 * may be unloaded and another loaded at its address, BPF, an address that
 * did not resolve) is resolved again, as every row was before.
 */
static void dropmon_interval_resolve(void)
{
	unsigned int i;

	for (i = 0; i < dropmon_interval.nr; i++) {
		struct dropmon_row *row = &dropmon_interval.rows[i];
		const struct dropmon_row *known;

		known = dropmon_acc_find(&dropmon_totals, &row->key);
		if (known && dropmon_sym_is_core(known)) {
			memcpy(row->sym, known->sym, sizeof(row->sym));
			memcpy(row->mod, known->mod, sizeof(row->mod));
			memcpy(row->reason, known->reason, sizeof(row->reason));
			dropmon_yield(i + 1);
		} else {
			dropmon_row_resolve(row);
			cond_resched();
		}
	}
}

/* Count descending, then location, then the rest: a total order. */
static int dropmon_row_cmp(const void *a, const void *b)
{
	const struct dropmon_row *x = a, *y = b;
	int r;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->key.location != y->key.location)
		return x->key.location < y->key.location ? -1 : 1;
	if (x->key.reason != y->key.reason)
		return x->key.reason < y->key.reason ? -1 : 1;
	if (x->key.netns != y->key.netns)
		return x->key.netns < y->key.netns ? -1 : 1;
	r = memcmp(x->key.dev, y->key.dev, sizeof(x->key.dev));
	if (r)
		return r;
	return (int)be16_to_cpu(x->key.proto) - (int)be16_to_cpu(y->key.proto);
}

static int dropmon_ord_cmp(const struct dropmon_ord *x,
			   const struct dropmon_ord *y)
{
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->location != y->location)
		return x->location < y->location ? -1 : 1;
	return dropmon_row_cmp(x->row, y->row);
}

static struct dropmon_ord dropmon_ord_of(struct dropmon_row *row)
{
	return (struct dropmon_ord){ row->count, row->key.location, row };
}

/* Merge the sorted runs @a and @b into @dst; *@steps counts for yielding. */
static void dropmon_merge_runs(struct dropmon_ord *dst,
			       const struct dropmon_ord *a, unsigned int na,
			       const struct dropmon_ord *b, unsigned int nb,
			       unsigned int *steps)
{
	unsigned int i = 0, j = 0;

	while (i < na && j < nb) {
		*dst++ = dropmon_ord_cmp(&b[j], &a[i]) < 0 ? b[j++] : a[i++];
		dropmon_yield(++*steps);
	}
	memcpy(dst, a + i, (na - i) * sizeof(*dst));
	memcpy(dst + na - i, b + j, (nb - j) * sizeof(*dst));
}

/* Runs this long are sorted by insertion before they are merged. */
#define DROPMON_RUN	16

/*
 * Sort @n entries: insertion sort of short runs, then a bottom-up merge
 * sort, about n log2(n) compares and no 288-byte swaps, that yields like
 * every long loop here (sort() cannot).  @tmp has room for @n.
 */
static void dropmon_sort(struct dropmon_ord *ord, struct dropmon_ord *tmp,
			 unsigned int n)
{
	struct dropmon_ord *src = ord, *dst = tmp, e;
	unsigned int w, lo, i, j, steps = 0;

	for (lo = 0; lo < n; lo += DROPMON_RUN) {
		unsigned int hi = min(lo + DROPMON_RUN, n);

		for (i = lo + 1; i < hi; i++) {
			e = src[i];
			for (j = i; j > lo && dropmon_ord_cmp(&e, &src[j - 1]) < 0; j--)
				src[j] = src[j - 1];
			src[j] = e;
		}
		dropmon_yield(lo + DROPMON_RUN);
	}
	for (w = DROPMON_RUN; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			unsigned int mid = min(lo + w, n);
			unsigned int hi = min(lo + 2 * w, n);

			dropmon_merge_runs(dst + lo, src + lo, mid - lo,
					   src + mid, hi - mid, &steps);
		}
		swap(src, dst);
	}
	if (src != ord)
		memcpy(ord, src, n * sizeof(*ord));
}

/* A snapshot of @acc, its rows copied in the order of @order. */
static struct dropmon_snap *dropmon_snap_build(const struct dropmon_acc *acc,
					       const struct dropmon_ord *order,
					       u64 seq, u64 start_ns, u64 end_ns)
{
	unsigned int nr = acc ? acc->nr : 0;
	struct dropmon_snap *snap;
	unsigned int i;

	snap = dropmon_zalloc(struct_size(snap, rows, nr));
	if (!snap)
		return NULL;
	kref_init(&snap->ref);
	snap->seq = seq;
	snap->start_ns = start_ns;
	snap->end_ns = end_ns;
	snap->interval_ms = dropmon_sched_ms;
	if (!acc)
		return snap;
	snap->drops = acc->drops;
	snap->lost = acc->lost;
	snap->evicted = acc->evicted;
	snap->nr = nr;
	for (i = 0; i < nr; i++) {
		struct dropmon_row *row = &snap->rows[i];

		*row = *order[i].row;
		if (row->sample) {
			kref_get(&row->sample->ref);
			snap->sampled++;
		} else {
			snap->unsampled += row->count;
		}
		dropmon_yield(i + 1);
	}
	return snap;
}

/* Readers release in process context too: the samples go with it. */
static void dropmon_snap_release(struct kref *ref)
{
	struct dropmon_snap *snap = container_of(ref, struct dropmon_snap, ref);
	unsigned int i;

	for (i = 0; i < snap->nr; i++) {
		dropmon_sample_put(snap->rows[i].sample);
		dropmon_yield(i + 1);
	}
	kvfree(snap);
}

void dropmon_snap_put(struct dropmon_snap *snap)
{
	kref_put(&snap->ref, dropmon_snap_release);
}

struct dropmon_snap *dropmon_snap_get(enum dropmon_view view)
{
	struct dropmon_snap *snap;

	mutex_lock(&dropmon_snap_lock);
	snap = view == DROPMON_VIEW_TOTALS ? dropmon_totals_snap :
					     dropmon_stats_snap;
	kref_get(&snap->ref);
	mutex_unlock(&dropmon_snap_lock);
	return snap;
}

/* Replace the published snapshot *@slot with @snap, if there is one. */
static void dropmon_publish(struct dropmon_snap **slot,
			    struct dropmon_snap *snap)
{
	struct dropmon_snap *old;

	if (!snap)
		return;
	mutex_lock(&dropmon_snap_lock);
	old = *slot;
	*slot = snap;
	mutex_unlock(&dropmon_snap_lock);
	dropmon_snap_put(old);
}

/* Index every row of the totals again, after they moved. */
static void dropmon_totals_reindex(void)
{
	struct dropmon_acc *t = &dropmon_totals;
	unsigned int i, h;

	memset(t->index, 0, (t->mask + 1) * sizeof(*t->index));
	for (i = 0; i < t->nr; i++) {
		h = dropmon_key_hash(&t->rows[i].key) & t->mask;
		while (t->index[h])
			h = (h + 1) & t->mask;
		t->index[h] = i + 1;
		dropmon_yield(i + 1);
	}
}

/*
 * The smallest last-seen value S such that at least @need rows seen
 * before @before were last seen at S or earlier, by a radix selection
 * over the bytes of the values, most significant first: one counting
 * pass over the rows per byte that the largest value has.  Returns S and
 * in *@at how many of the rows last seen at S are needed.
 */
static u64 dropmon_evict_threshold(unsigned int need, u64 before,
				   unsigned int *at)
{
	static unsigned int hist[256];	/* worker only */
	const struct dropmon_acc *t = &dropmon_totals;
	u64 prefix = 0, top = 0;
	unsigned int i, b;
	int shift;

	for (i = 0; i < t->nr; i++) {
		if (t->seen[i] < before)
			top = max(top, t->seen[i]);
		dropmon_yield(i + 1);
	}
	shift = top ? (fls64(top) - 1) / 8 * 8 : 0;
	for (;; shift -= 8) {
		memset(hist, 0, sizeof(hist));
		for (i = 0; i < t->nr; i++) {
			u64 v = t->seen[i];

			dropmon_yield(i + 1);
			if (v >= before ||
			    (shift < 56 && (v >> (shift + 8)) != (prefix >> (shift + 8))))
				continue;
			hist[(v >> shift) & 0xff]++;
		}
		for (b = 0; b < 255 && need > hist[b]; b++)
			need -= hist[b];
		prefix |= (u64)b << shift;
		if (!shift)
			break;
	}
	*at = need;
	return prefix;
}

/*
 * Evict @need rows of the totals, at most all of those last seen before
 * interval @before.  The rule: the rows idle longest go first (the
 * oldest last-seen interval); among rows idle equally long, the one the
 * totals file lists last, which is the smaller count (then the larger
 * location, and so on, the reverse of dropmon_row_cmp()).  Their events
 * go to evicted, their samples are released, and the rows that stay are
 * packed down, their order kept, and indexed again.  O(n): a radix
 * selection, one pass over the order and one over the rows.  Returns how
 * many rows went.
 */
static unsigned int dropmon_totals_evict(unsigned int need, u64 before)
{
	struct dropmon_acc *t = &dropmon_totals;
	u32 *remap = t->index;	/* indexed again below: mask + 1 >= 2 x nr */
	unsigned int i, j, at, taken = 0, n = 0;
	u64 start = ktime_get_ns(), lim, took;

	if (!need || !t->nr)
		return 0;
	lim = dropmon_evict_threshold(need, before, &at);
	for (i = t->nr; i-- > 0;) {
		struct dropmon_row *row = dropmon_totals_order[i].row;
		u64 seen = t->seen[row - t->rows];

		dropmon_yield(t->nr - i);
		if (seen >= before || seen > lim)
			continue;
		if (seen == lim) {
			if (taken == at)
				continue;
			taken++;
		}
		__set_bit(row - t->rows, dropmon_evict);
		t->evicted += row->count;
		dropmon_sample_put(row->sample);
		row->sample = NULL;
		n++;
	}
	/* The order without them, still sorted. */
	for (i = 0, j = 0; i < t->nr; i++) {
		if (!test_bit(dropmon_totals_order[i].row - t->rows,
			      dropmon_evict))
			dropmon_totals_order[j++] = dropmon_totals_order[i];
		dropmon_yield(i + 1);
	}
	/* The rows packed down; remap[] says where each went. */
	for (i = 0, j = 0; i < t->nr; i++) {
		if (test_bit(i, dropmon_evict))
			continue;
		if (i != j) {
			t->rows[j] = t->rows[i];
			t->seen[j] = t->seen[i];
		}
		remap[i] = j++;
		dropmon_yield(i + 1);
	}
	for (i = 0; i < j; i++) {
		dropmon_totals_order[i].row =
			&t->rows[remap[dropmon_totals_order[i].row - t->rows]];
		dropmon_yield(i + 1);
	}
	bitmap_zero(dropmon_evict, t->nr);
	t->nr = j;
	dropmon_totals_reindex();

	took = ktime_get_ns() - start;
	WRITE_ONCE(dropmon_status.evicted_keys,
		   dropmon_status.evicted_keys + n);
	WRITE_ONCE(dropmon_status.evict_ns_last, took);
	if (took > dropmon_status.evict_ns_max)
		WRITE_ONCE(dropmon_status.evict_ns_max, took);
	return n;
}

/*
 * Fold @acc, whose entries in snapshot order are @order, into the totals.
 * First the keys the totals already hold are marked seen in this
 * interval and the new ones counted; if they do not all fit, the rows
 * idle longest that this interval did not see make room, in one batch.
 * Then the interval's rows are added in snapshot order, so that a new key
 * that does not fit even so, the interval having more new keys than
 * total_keys, is one of the smallest; its events go to evicted.  The
 * totals' rows that changed (new ones included) are marked in
 * dropmon_moved and their entries go to @moved, which may be @order;
 * returns how many.  *@kept is how many rows of the totals' order were
 * there before (after the eviction).
 */
static unsigned int dropmon_fold_totals(const struct dropmon_acc *acc,
					const struct dropmon_ord *order,
					struct dropmon_ord *moved,
					unsigned int *kept)
{
	struct dropmon_acc *t = &dropmon_totals;
	const struct dropmon_row *known;
	struct dropmon_row *row;
	unsigned int i, n = 0, fresh = 0;
	bool created;

	for (i = 0; i < acc->nr; i++) {
		known = dropmon_acc_find(t, &order[i].row->key);
		if (known)
			t->seen[known - t->rows] = dropmon_seq;
		else
			fresh++;
		dropmon_yield(i + 1);
	}
	if (t->nr + fresh > t->cap)
		dropmon_totals_evict(min(t->nr + fresh - t->cap,
					 t->nr - (acc->nr - fresh)),
				     dropmon_seq);
	*kept = t->nr;
	for (i = 0; i < acc->nr; i++) {
		const struct dropmon_row *src = order[i].row;

		row = dropmon_acc_add(t, &src->key, src->count, &created);
		if (!row) {
			t->evicted += src->count;
			continue;
		}
		if (created) {
			memcpy(row->sym, src->sym, sizeof(row->sym));
			memcpy(row->mod, src->mod, sizeof(row->mod));
			memcpy(row->reason, src->reason, sizeof(row->reason));
			t->seen[row - t->rows] = dropmon_seq;
		}
		/* The totals keep each key's most recent sample. */
		if (src->sample) {
			kref_get(&src->sample->ref);
			dropmon_sample_put(row->sample);
			row->sample = src->sample;
		}
		__set_bit(row - t->rows, dropmon_moved);
		dropmon_yield(i + 1);
	}
	/* Events lost in the interval are lost in the totals too. */
	t->drops += acc->lost;
	t->lost += acc->lost;
	/* The moved rows, with their counts as they are now. */
	for_each_set_bit(i, dropmon_moved, t->nr) {
		moved[n++] = dropmon_ord_of(&t->rows[i]);
		dropmon_yield(n);
	}
	return n;
}

static void dropmon_totals_free(void)
{
	dropmon_acc_free(&dropmon_totals);
	kvfree(dropmon_totals_order);
	kvfree(dropmon_scratch);
	bitmap_free(dropmon_moved);
	bitmap_free(dropmon_evict);
}

/*
 * Give the totals room for @cap keys (16..262144), from the worker only
 * (or before it starts): a shrink first evicts the rows idle longest
 * (dropmon_totals_evict(), every row a candidate) down to @cap.  The
 * orders are sized for max(@cap, the interval's capacity), so a caller
 * that changes the interval's capacity calls this again with the same
 * @cap.  Returns -ENOMEM when a grow cannot allocate, the totals then
 * unchanged; a shrink always applies, keeping its larger arrays if it
 * cannot allocate smaller ones.
 */
int dropmon_totals_resize(unsigned int cap)
{
	struct dropmon_acc *t = &dropmon_totals;
	unsigned int ocap = max(cap, dropmon_interval.cap);
	size_t slots = roundup_pow_of_two(2 * cap);
	size_t rows = array_size(cap, sizeof(*t->rows));
	size_t index = array_size(slots, sizeof(*t->index));
	size_t seen = array_size(cap, sizeof(*t->seen));
	size_t ord = array_size(ocap, sizeof(*dropmon_scratch));
	size_t bits = BITS_TO_LONGS(cap) * sizeof(unsigned long);
	struct dropmon_ord *norder, *nscratch;
	unsigned long *nmoved, *nevict;
	struct dropmon_row *nrows;
	u64 *nseen;
	u32 *nindex;
	unsigned int i;

	if (cap == t->cap && ocap == dropmon_orders_cap)
		return 0;
	if (t->nr > cap && dropmon_totals_evict(t->nr - cap, U64_MAX))
		dropmon_totals_stale = true;
	nrows = dropmon_zalloc(rows);
	nindex = dropmon_zalloc(index);
	nseen = dropmon_zalloc(seen);
	norder = dropmon_zalloc(ord);
	nscratch = dropmon_zalloc(ord);
	nmoved = bitmap_zalloc(cap, GFP_KERNEL);
	nevict = bitmap_zalloc(cap, GFP_KERNEL);
	if (!nrows || !nindex || !nseen || !norder || !nscratch || !nmoved ||
	    !nevict) {
		kvfree(nrows);
		kvfree(nindex);
		kvfree(nseen);
		kvfree(norder);
		kvfree(nscratch);
		bitmap_free(nmoved);
		bitmap_free(nevict);
		if (cap > t->cap || ocap > dropmon_orders_cap)
			return -ENOMEM;
		WRITE_ONCE(t->cap, cap);
		return 0;
	}
	if (t->nr) {
		memcpy(nrows, t->rows, t->nr * sizeof(*t->rows));
		memcpy(nseen, t->seen, t->nr * sizeof(*t->seen));
	}
	for (i = 0; i < t->nr; i++) {
		norder[i] = dropmon_totals_order[i];
		norder[i].row = &nrows[dropmon_totals_order[i].row - t->rows];
		dropmon_yield(i + 1);
	}
	kvfree(t->rows);
	kvfree(t->index);
	kvfree(t->seen);
	kvfree(dropmon_totals_order);
	kvfree(dropmon_scratch);
	bitmap_free(dropmon_moved);
	bitmap_free(dropmon_evict);
	t->rows = nrows;
	t->index = nindex;
	t->seen = nseen;
	WRITE_ONCE(t->cap, cap);
	t->mask = slots - 1;
	dropmon_totals_order = norder;
	dropmon_scratch = nscratch;
	dropmon_orders_cap = ocap;
	dropmon_moved = nmoved;
	dropmon_evict = nevict;
	WRITE_ONCE(t->bytes, dropmon_alloc_bytes(nrows, rows) +
		   dropmon_alloc_bytes(nindex, index) +
		   dropmon_alloc_bytes(nseen, seen) +
		   2 * dropmon_alloc_bytes(norder, ord) +
		   2 * dropmon_alloc_bytes(nmoved, bits));
	dropmon_totals_reindex();
	return 0;
}

/*
 * Keep dropmon_totals_order sorted after a fold moved the rows @moved
 * (counts only grow, and new rows come): sort those, then merge them with
 * the rows of the old order that did not move, which stay in order.  The
 * old order held @old_nr rows.
 */
static void dropmon_totals_reorder(struct dropmon_ord *moved, unsigned int n,
				   unsigned int old_nr)
{
	struct dropmon_ord *old = dropmon_totals_order, *out = dropmon_scratch;
	unsigned int i = 0, j = 0, k = 0;

	if (!n)
		return;
	dropmon_sort(moved, dropmon_scratch, n);
	for (;;) {
		while (i < old_nr &&
		       test_bit(old[i].row - dropmon_totals.rows, dropmon_moved))
			i++;
		if (i == old_nr)
			break;
		if (j < n && dropmon_ord_cmp(&moved[j], &old[i]) < 0)
			out[k++] = moved[j++];
		else
			out[k++] = old[i++];
		dropmon_yield(k);
	}
	memcpy(out + k, moved + j, (n - j) * sizeof(*out));
	for (j = 0; j < n; j++)
		__clear_bit(moved[j].row - dropmon_totals.rows, dropmon_moved);
	swap(dropmon_totals_order, dropmon_scratch);
}

/*
 * Publish the totals after interval @dropmon_seq.  When that interval
 * changed nothing and no reader holds the published totals, only its
 * header moves on: readers take their reference under dropmon_snap_lock,
 * so a snapshot that holds only the published reference is seen by no
 * one while it changes.
 */
static void dropmon_publish_totals(bool changed, u64 end)
{
	struct dropmon_snap *snap;

	if (!changed && !dropmon_totals_stale) {
		mutex_lock(&dropmon_snap_lock);
		snap = dropmon_totals_snap;
		if (kref_read(&snap->ref) == 1) {
			snap->seq = dropmon_seq;
			snap->end_ns = end;
			snap->interval_ms = dropmon_sched_ms;
			mutex_unlock(&dropmon_snap_lock);
			return;
		}
		mutex_unlock(&dropmon_snap_lock);
	}
	snap = dropmon_snap_build(&dropmon_totals, dropmon_totals_order,
				  dropmon_seq, dropmon_load_ns, end);
	/* On failure readers keep the previous totals until the next one. */
	dropmon_totals_stale = !snap;
	dropmon_publish(&dropmon_totals_snap, snap);
}

/*
 * Swap the spare tables in and merge the live ones into dropmon_interval;
 * they are the spare of the next rotation.  The boundary between the two
 * intervals, *@now, is read just before the swap: a probe that took the
 * old tables before it may still count (and sample) into them until the
 * grace period ends, so a sample's time may follow its interval's end_ns
 * by that much.
 */
static void dropmon_swap_and_merge(u64 *now, u64 *merge_start)
{
	struct dropmon_gen *old = dropmon_live, *new = dropmon_spare;

	if (dropmon_gen_recycle(new, old)) {
		WRITE_ONCE(dropmon_status.alloc_failures,
			   dropmon_status.alloc_failures + 1);
		pr_warn_once("out of memory for a resized table; a CPU keeps its table's size\n");
	}
	WRITE_ONCE(dropmon_status.table_bytes, new->bytes + old->bytes);
	WRITE_ONCE(dropmon_status.pool_bytes,
		   new->pool_bytes + old->pool_bytes);
	*now = ktime_get_boottime_ns();
	new->start_ns = *now;
	dropmon_gen_publish(new);
	synchronize_rcu();	/* every probe that saw @old has returned */
	*merge_start = ktime_get_ns();

	if (!dropmon_carry) {
		dropmon_interval_reset();
		dropmon_interval_start = old->start_ns;
	}
	dropmon_merge_gen(&dropmon_interval, old);
	dropmon_spare = old;
	/* The new tables just went live: merged into it at the next. */
	dropmon_next.ready = dropmon_next.staged;
}

/* A set's sample pools staged by dropmon_gen_stage(), not in place yet. */
static size_t dropmon_staged_pool_bytes(const struct dropmon_gen *gen)
{
	return gen->next_pools ?
	       num_possible_cpus() * gen->next_geom.pool_bytes : 0;
}

/*
 * The worker's byte counts for the status file, published once the
 * rotation's changes are made: a reader never sees one half way.
 */
static void dropmon_bytes_publish(void)
{
	WRITE_ONCE(dropmon_status.acc_bytes,
		   dropmon_interval.bytes + dropmon_orders_bytes);
	WRITE_ONCE(dropmon_status.staged_bytes,
		   dropmon_staged_pool_bytes(dropmon_live) +
		   dropmon_staged_pool_bytes(dropmon_spare) +
		   dropmon_next.acc.bytes + dropmon_next.orders_bytes);
}

static void dropmon_account(u64 start, u64 merge_start)
{
	u64 end = ktime_get_ns();

	WRITE_ONCE(dropmon_status.rotations, dropmon_status.rotations + 1);
	WRITE_ONCE(dropmon_status.rotate_ns_last, end - start);
	WRITE_ONCE(dropmon_status.merge_ns_last, end - merge_start);
	if (end - merge_start > dropmon_status.merge_ns_max)
		WRITE_ONCE(dropmon_status.merge_ns_max, end - merge_start);
}

static size_t dropmon_snap_bytes(const struct dropmon_snap *snap)
{
	return dropmon_alloc_bytes(snap, struct_size(snap, rows, snap->nr));
}

/* The status file: what the module costs and how long its worker takes. */
void dropmon_status_render(struct seq_file *m)
{
	size_t snaps, stats, totals, acc, tables, pools, store, devs_bytes;
	size_t steady, totals_acc, staged;
	unsigned long devs_failures;
	unsigned int devs;
	struct dropmon_geom g;

	mutex_lock(&dropmon_snap_lock);
	stats = dropmon_snap_bytes(dropmon_stats_snap);
	totals = dropmon_snap_bytes(dropmon_totals_snap);
	mutex_unlock(&dropmon_snap_lock);
	snaps = stats + totals;
	totals_acc = READ_ONCE(dropmon_totals.bytes);
	acc = READ_ONCE(dropmon_status.acc_bytes) + totals_acc;
	staged = READ_ONCE(dropmon_status.staged_bytes);
	tables = READ_ONCE(dropmon_status.table_bytes);
	pools = READ_ONCE(dropmon_status.pool_bytes);
	store = dropmon_sample_store_bytes();
	dropmon_devices_status(&devs, &devs_bytes, &devs_failures);
	/* The values in effect; a value written since: pending_<name>= */
	dropmon_geom_calc(&g, READ_ONCE(dropmon_max_keys),
			  READ_ONCE(dropmon_stack_depth),
			  READ_ONCE(dropmon_sample_bytes));

	seq_printf(m, "version=%s\nformat=%d\nmax_keys=%u\ntotal_keys=%u\ninterval_ms=%u\n",
		   DROPMON_VERSION, DROPMON_FORMAT, READ_ONCE(dropmon_max_keys),
		   READ_ONCE(dropmon_totals.cap), READ_ONCE(dropmon_interval_ms));
	seq_printf(m, "possible_cpus=%u\nslot_bytes=%zu\nrow_bytes=%zu\n",
		   num_possible_cpus(), sizeof(struct dropmon_slot),
		   sizeof(struct dropmon_row));
	seq_printf(m, "table_bytes=%zu\naccumulator_bytes=%zu\ntotals_accumulator_bytes=%zu\nsnapshot_bytes=%zu\n",
		   tables - pools, acc, totals_acc, snaps);
	seq_printf(m, "stack_depth=%u\nsample_bytes=%u\nsample_cap=%u\nsample_record_bytes=%zu\n",
		   g.depth, g.bytes, g.cap, g.rec_size);
	seq_printf(m, "sample_pool_bytes=%zu\nsample_store_bytes=%zu\n", pools,
		   store);
	/* A parameter change's allocations, in place at the next rotations. */
	seq_printf(m, "staged_bytes=%zu\n", staged);
	seq_printf(m, "devices=%u\ndevice_bytes=%zu\ndevice_alloc_failures=%lu\n",
		   devs, devs_bytes, devs_failures);
	/*
	 * Both sets of tables are counted.  A rotation may reallocate one
	 * table at a time, then hold a new snapshot until it has replaced
	 * the old one: the peak adds the larger.  Snapshots that open
	 * readers still hold are not counted.
	 */
	/*
	 * A rotation may also make one sample for each record of the pools
	 * before it releases the samples it replaces.
	 */
	steady = tables + acc + snaps + devs_bytes + store + staged;
	seq_printf(m, "memory_bytes=%zu\nmemory_peak_bytes=%zu\n", steady,
		   steady + max3(dropmon_table_max_bytes(), stats, totals) +
		   min_t(size_t, READ_ONCE(dropmon_max_keys),
			 num_possible_cpus() * g.cap) *
		   dropmon_sample_max_bytes());
	seq_printf(m, "rotations=%llu\nalloc_failures=%llu\n",
		   READ_ONCE(dropmon_status.rotations),
		   READ_ONCE(dropmon_status.alloc_failures));
	seq_printf(m, "sample_alloc_failures=%llu\nsample_pool_full=%llu\nstack_unmatched=%llu\n",
		   READ_ONCE(dropmon_status.sample_alloc_failures),
		   READ_ONCE(dropmon_status.pool_full),
		   READ_ONCE(dropmon_status.unmatched));
	seq_printf(m, "rotate_ns_last=%llu\nmerge_ns_last=%llu\nmerge_ns_max=%llu\n",
		   READ_ONCE(dropmon_status.rotate_ns_last),
		   READ_ONCE(dropmon_status.merge_ns_last),
		   READ_ONCE(dropmon_status.merge_ns_max));
	seq_printf(m, "evicted_keys=%llu\nevict_ns_last=%llu\nevict_ns_max=%llu\n",
		   READ_ONCE(dropmon_status.evicted_keys),
		   READ_ONCE(dropmon_status.evict_ns_last),
		   READ_ONCE(dropmon_status.evict_ns_max));
	dropmon_params_status(m);
}

static void dropmon_requeue(void)
{
	unsigned long period, now = jiffies;

	dropmon_sched_ms = dropmon_interval_ms;
	period = msecs_to_jiffies(dropmon_sched_ms);
	dropmon_next_run += period;
	if (time_before_eq(dropmon_next_run, now))
		dropmon_next_run = now + period;	/* fell behind */
	queue_delayed_work(system_unbound_wq, &dropmon_work,
			   dropmon_next_run - now);
}

static void dropmon_rotate(struct work_struct *work)
{
	unsigned int i, moved, totals_nr;
	struct dropmon_snap *stats;
	u64 t0 = ktime_get_ns(), t1, now;

	dropmon_params_apply();
	dropmon_swap_and_merge(&now, &t1);
	/* The merged tables are the spare now, their records still there. */
	dropmon_samples_make(&dropmon_interval, &dropmon_spare->geom);
	dropmon_interval_resolve();
	for (i = 0; i < dropmon_interval.nr; i++)
		dropmon_interval_order[i] =
			dropmon_ord_of(&dropmon_interval.rows[i]);
	dropmon_sort(dropmon_interval_order, dropmon_scratch,
		     dropmon_interval.nr);

	stats = dropmon_snap_build(&dropmon_interval, dropmon_interval_order,
				   dropmon_seq + 1, dropmon_interval_start, now);
	if (!stats) {
		WRITE_ONCE(dropmon_status.alloc_failures,
			   dropmon_status.alloc_failures + 1);
		pr_warn_once("out of memory for a snapshot; this interval's counts carry into the next\n");
		dropmon_carry = true;
		goto out;
	}
	dropmon_carry = false;
	dropmon_seq++;
	dropmon_publish(&dropmon_stats_snap, stats);
	/* The interval's order is built into stats: it holds the moved rows. */
	moved = dropmon_fold_totals(&dropmon_interval, dropmon_interval_order,
				    dropmon_interval_order, &totals_nr);
	dropmon_totals_reorder(dropmon_interval_order, moved, totals_nr);
	dropmon_publish_totals(moved || dropmon_interval.drops, now);
	dropmon_account(t0, t1);
out:
	dropmon_bytes_publish();
	dropmon_requeue();
}

int dropmon_snapshot_init(void)
{
	struct dropmon_gen *gen;
	int err;

	dropmon_load_ns = ktime_get_boottime_ns();
	dropmon_hash_seed = get_random_u32();
	dropmon_sched_ms = dropmon_interval_ms;
	err = dropmon_acc_init(&dropmon_interval, dropmon_max_keys);
	if (err)
		return err;
	err = dropmon_orders_init(dropmon_max_keys);
	if (err)
		goto err_free_interval;
	err = dropmon_totals_resize(dropmon_total_keys);
	if (err)
		goto err_free_totals;

	err = -ENOMEM;
	dropmon_stats_snap = dropmon_snap_build(NULL, NULL, 0, dropmon_load_ns,
						dropmon_load_ns);
	if (!dropmon_stats_snap)
		goto err_free_totals;
	dropmon_totals_snap = dropmon_snap_build(NULL, NULL, 0, dropmon_load_ns,
						 dropmon_load_ns);
	if (!dropmon_totals_snap)
		goto err_put_stats;
	gen = dropmon_gen_alloc();
	if (!gen)
		goto err_put_totals;
	dropmon_spare = dropmon_gen_alloc();
	if (!dropmon_spare)
		goto err_free_gen;
	gen->start_ns = dropmon_load_ns;
	dropmon_status.table_bytes = gen->bytes + dropmon_spare->bytes;
	dropmon_status.pool_bytes = gen->pool_bytes + dropmon_spare->pool_bytes;
	dropmon_gen_publish(gen);
	dropmon_bytes_publish();
	INIT_DELAYED_WORK(&dropmon_work, dropmon_rotate);
	return 0;

err_free_gen:
	dropmon_gen_free(gen);
err_put_totals:
	dropmon_snap_put(dropmon_totals_snap);
err_put_stats:
	dropmon_snap_put(dropmon_stats_snap);
err_free_totals:
	dropmon_totals_free();
	dropmon_orders_free();
err_free_interval:
	dropmon_acc_free(&dropmon_interval);
	return err;
}

void dropmon_snapshot_start(void)
{
	unsigned long period = msecs_to_jiffies(dropmon_interval_ms);

	dropmon_sched_ms = dropmon_interval_ms;
	dropmon_next_run = jiffies + period;
	queue_delayed_work(system_unbound_wq, &dropmon_work, period);
}

void dropmon_snapshot_stop(void)
{
	cancel_delayed_work_sync(&dropmon_work);
}

/* Only after the probe is gone and the worker stopped. */
void dropmon_snapshot_exit(void)
{
	struct dropmon_gen *gen = dropmon_live;

	dropmon_gen_publish(NULL);
	dropmon_gen_free(gen);
	dropmon_gen_free(dropmon_spare);
	dropmon_snap_put(dropmon_totals_snap);
	dropmon_snap_put(dropmon_stats_snap);
	dropmon_next_free();
	dropmon_totals_free();
	dropmon_orders_free();
	dropmon_acc_free(&dropmon_interval);
}
