// SPDX-License-Identifier: GPL-2.0
/*
 * Rotation, merge and totals.  Every interval the worker swaps in a fresh
 * set of per-CPU tables, waits until no probe can still write the old set,
 * merges it into one snapshot sorted by count, resolves symbols and reason
 * names, folds the interval into the totals and publishes both.  All the
 * work that is not counting happens here, in process context.
 */
#include <linux/jhash.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "table.h"

/* Rows keyed by dropmon_key, with an open-addressing index of row numbers. */
struct dropmon_acc {
	struct dropmon_row *rows;
	u32 *index;		/* row number + 1; 0 is an empty slot */
	unsigned int cap;	/* rows it may hold */
	unsigned int nr;
	unsigned int mask;
	size_t bytes;		/* really allocated */
	u64 drops;
	u64 lost;
};

static struct dropmon_acc dropmon_interval;	/* the interval being built */
static struct dropmon_acc dropmon_totals;	/* everything since load */
static u64 dropmon_interval_start;	/* start of what dropmon_interval holds */
static bool dropmon_carry;		/* dropmon_interval awaits publishing */
static u64 dropmon_seq;			/* intervals published */
static u64 dropmon_load_ns;
static unsigned long dropmon_next_run;	/* jiffies */
static char dropmon_symbuf[KSYM_SYMBOL_LEN];
static struct delayed_work dropmon_work;

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
	size_t table_bytes;	/* live per-CPU tables */
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
		return -ENOMEM;
	}
	acc->cap = cap;
	acc->mask = slots - 1;
	acc->bytes = dropmon_alloc_bytes(acc->rows, rows) +
		     dropmon_alloc_bytes(acc->index, index);
	return 0;
}

static void dropmon_acc_free(struct dropmon_acc *acc)
{
	kvfree(acc->rows);
	kvfree(acc->index);
}

static void dropmon_acc_reset(struct dropmon_acc *acc)
{
	memset(acc->index, 0, (acc->mask + 1) * sizeof(*acc->index));
	acc->nr = 0;
	acc->drops = 0;
	acc->lost = 0;
}

static u32 dropmon_key_hash(const struct dropmon_key *key)
{
	static_assert(sizeof(*key) % sizeof(u32) == 0);

	return jhash2((const u32 *)key, sizeof(*key) / sizeof(u32), 0);
}

/* The padding is named and zeroed, so keys compare as bytes. */
static bool dropmon_key_equal(const struct dropmon_key *a,
			      const struct dropmon_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/*
 * Add @count events of @key.  Returns the key's row, or NULL when the
 * accumulator is full and the events went to lost.  *@created tells
 * whether the row is new, for the caller to fill in its strings.
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
	if (acc->nr == acc->cap) {
		acc->lost += count;
		return NULL;
	}
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

			if (state == DROPMON_SLOT_EMPTY)
				continue;
			/* Probes finish before the grace period ends. */
			if (WARN_ON_ONCE(state == DROPMON_SLOT_BUSY))
				continue;
			memset(&key, 0, sizeof(key));
			key.location = s->location;
			key.reason = lower_32_bits(s->rp);
			key.proto = (__force __be16)(u16)upper_32_bits(s->rp);
			key.netns = s->netns;
			memcpy(key.dev, s->name, IFNAMSIZ);
			dropmon_key_normalize(&key);
			dropmon_acc_add(acc, &key, local_read(&s->count),
					&created);
		}
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

/* symbol+0xoff/0xsize and its module, or "?" where it does not resolve. */
static void dropmon_row_resolve(struct dropmon_row *row)
{
	char *sym = dropmon_symbuf;
	char *mod;

	snprintf(sym, sizeof(dropmon_symbuf), "%pS",
		 (void *)row->key.location);
	if (!strncmp(sym, "0x", 2)) {
		strscpy(row->sym, "?", sizeof(row->sym));
		strscpy(row->mod, "?", sizeof(row->mod));
	} else {
		mod = strstr(sym, " [");
		if (mod) {
			*mod = '\0';
			mod += 2;
			mod[strcspn(mod, "] ")] = '\0';
		}
		dropmon_sym_copy(row->sym, sizeof(row->sym), sym);
		strscpy(row->mod, mod ?: "vmlinux", sizeof(row->mod));
	}
	dropmon_reason_name(row->key.reason, row->reason, sizeof(row->reason));
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

static struct dropmon_snap *dropmon_snap_build(const struct dropmon_acc *acc,
					       u64 seq, u64 start_ns, u64 end_ns)
{
	unsigned int nr = acc ? acc->nr : 0;
	struct dropmon_snap *snap;

	snap = dropmon_zalloc(struct_size(snap, rows, nr));
	if (!snap)
		return NULL;
	kref_init(&snap->ref);
	snap->seq = seq;
	snap->start_ns = start_ns;
	snap->end_ns = end_ns;
	snap->interval_ms = dropmon_interval_ms;
	if (!acc)
		return snap;
	snap->drops = acc->drops;
	snap->lost = acc->lost;
	snap->nr = nr;
	memcpy(snap->rows, acc->rows, nr * sizeof(*snap->rows));
	sort(snap->rows, nr, sizeof(*snap->rows), dropmon_row_cmp, NULL);
	return snap;
}

static void dropmon_snap_release(struct kref *ref)
{
	kvfree(container_of(ref, struct dropmon_snap, ref));
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

static void dropmon_fold_totals(const struct dropmon_acc *acc)
{
	struct dropmon_row *row;
	bool created;
	unsigned int i;

	for (i = 0; i < acc->nr; i++) {
		const struct dropmon_row *src = &acc->rows[i];

		row = dropmon_acc_add(&dropmon_totals, &src->key, src->count,
				      &created);
		if (row && created) {
			memcpy(row->sym, src->sym, sizeof(row->sym));
			memcpy(row->mod, src->mod, sizeof(row->mod));
			memcpy(row->reason, src->reason, sizeof(row->reason));
		}
	}
	/* Events lost in the interval are lost in the totals too. */
	dropmon_totals.drops += acc->lost;
	dropmon_totals.lost += acc->lost;
}

/*
 * Swap in fresh tables and merge the old ones into dropmon_interval.
 * Returns false when the fresh tables cannot be allocated: the live ones
 * then keep counting into the next interval.
 */
static bool dropmon_swap_and_merge(u64 now, u64 *merge_start)
{
	struct dropmon_gen *old, *new;

	old = dropmon_live;
	new = dropmon_gen_alloc(old);
	if (!new)
		return false;
	new->start_ns = now;
	WRITE_ONCE(dropmon_status.table_bytes, new->bytes);
	dropmon_gen_publish(new);
	synchronize_rcu();	/* every probe that saw @old has returned */
	*merge_start = ktime_get_ns();

	if (!dropmon_carry) {
		dropmon_acc_reset(&dropmon_interval);
		dropmon_interval_start = old->start_ns;
	}
	dropmon_merge_gen(&dropmon_interval, old);
	dropmon_gen_free(old);
	return true;
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
	size_t snaps, stats, acc, tables, devs_bytes;
	unsigned long devs_failures;
	unsigned int devs;

	mutex_lock(&dropmon_snap_lock);
	stats = dropmon_snap_bytes(dropmon_stats_snap);
	snaps = stats + dropmon_snap_bytes(dropmon_totals_snap);
	mutex_unlock(&dropmon_snap_lock);
	acc = dropmon_interval.bytes + dropmon_totals.bytes;
	tables = READ_ONCE(dropmon_status.table_bytes);
	dropmon_devices_status(&devs, &devs_bytes, &devs_failures);

	seq_printf(m, "version=%s\nformat=%d\nmax_keys=%u\ninterval_ms=%u\n",
		   DROPMON_VERSION, DROPMON_FORMAT, dropmon_max_keys,
		   dropmon_interval_ms);
	seq_printf(m, "possible_cpus=%u\nslot_bytes=%zu\nrow_bytes=%zu\n",
		   num_possible_cpus(), sizeof(struct dropmon_slot),
		   sizeof(struct dropmon_row));
	seq_printf(m, "table_bytes=%zu\naccumulator_bytes=%zu\nsnapshot_bytes=%zu\n",
		   tables, acc, snaps);
	seq_printf(m, "devices=%u\ndevice_bytes=%zu\ndevice_alloc_failures=%lu\n",
		   devs, devs_bytes, devs_failures);
	/* A rotation holds the next tables and stats snapshot as well. */
	seq_printf(m, "memory_bytes=%zu\nmemory_peak_bytes=%zu\n",
		   tables + acc + snaps + devs_bytes,
		   2 * tables + acc + snaps + devs_bytes + stats);
	seq_printf(m, "rotations=%llu\nalloc_failures=%llu\n",
		   READ_ONCE(dropmon_status.rotations),
		   READ_ONCE(dropmon_status.alloc_failures));
	seq_printf(m, "rotate_ns_last=%llu\nmerge_ns_last=%llu\nmerge_ns_max=%llu\n",
		   READ_ONCE(dropmon_status.rotate_ns_last),
		   READ_ONCE(dropmon_status.merge_ns_last),
		   READ_ONCE(dropmon_status.merge_ns_max));
}

static void dropmon_requeue(void)
{
	unsigned long period = msecs_to_jiffies(dropmon_interval_ms);
	unsigned long now = jiffies;

	dropmon_next_run += period;
	if (time_before_eq(dropmon_next_run, now))
		dropmon_next_run = now + period;	/* fell behind */
	schedule_delayed_work(&dropmon_work, dropmon_next_run - now);
}

static void dropmon_rotate(struct work_struct *work)
{
	u64 now = ktime_get_boottime_ns();
	struct dropmon_snap *stats;
	u64 t0 = ktime_get_ns(), t1;
	unsigned int i;

	if (!dropmon_swap_and_merge(now, &t1)) {
		WRITE_ONCE(dropmon_status.alloc_failures,
			   dropmon_status.alloc_failures + 1);
		pr_warn_once("out of memory for new tables; this interval's counts carry into the next\n");
		goto out;
	}
	for (i = 0; i < dropmon_interval.nr; i++)
		dropmon_row_resolve(&dropmon_interval.rows[i]);

	stats = dropmon_snap_build(&dropmon_interval, dropmon_seq + 1,
				   dropmon_interval_start, now);
	if (!stats) {
		WRITE_ONCE(dropmon_status.alloc_failures,
			   dropmon_status.alloc_failures + 1);
		pr_warn_once("out of memory for a snapshot; this interval's counts carry into the next\n");
		dropmon_carry = true;
		goto out;
	}
	dropmon_carry = false;
	dropmon_seq++;
	dropmon_fold_totals(&dropmon_interval);
	dropmon_publish(&dropmon_stats_snap, stats);
	/* On failure readers keep the previous totals until the next one. */
	dropmon_publish(&dropmon_totals_snap,
			dropmon_snap_build(&dropmon_totals, dropmon_seq,
					   dropmon_load_ns, now));
	dropmon_account(t0, t1);
out:
	dropmon_requeue();
}

int dropmon_snapshot_init(void)
{
	struct dropmon_gen *gen;
	int err;

	dropmon_load_ns = ktime_get_boottime_ns();
	err = dropmon_acc_init(&dropmon_interval, dropmon_max_keys);
	if (err)
		return err;
	err = dropmon_acc_init(&dropmon_totals, dropmon_max_keys);
	if (err)
		goto err_free_interval;

	err = -ENOMEM;
	dropmon_stats_snap = dropmon_snap_build(NULL, 0, dropmon_load_ns,
						dropmon_load_ns);
	if (!dropmon_stats_snap)
		goto err_free_totals;
	dropmon_totals_snap = dropmon_snap_build(NULL, 0, dropmon_load_ns,
						 dropmon_load_ns);
	if (!dropmon_totals_snap)
		goto err_put_stats;
	gen = dropmon_gen_alloc(NULL);
	if (!gen)
		goto err_put_totals;
	gen->start_ns = dropmon_load_ns;
	dropmon_status.table_bytes = gen->bytes;
	dropmon_gen_publish(gen);
	INIT_DELAYED_WORK(&dropmon_work, dropmon_rotate);
	return 0;

err_put_totals:
	dropmon_snap_put(dropmon_totals_snap);
err_put_stats:
	dropmon_snap_put(dropmon_stats_snap);
err_free_totals:
	dropmon_acc_free(&dropmon_totals);
err_free_interval:
	dropmon_acc_free(&dropmon_interval);
	return err;
}

void dropmon_snapshot_start(void)
{
	unsigned long period = msecs_to_jiffies(dropmon_interval_ms);

	dropmon_next_run = jiffies + period;
	schedule_delayed_work(&dropmon_work, period);
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
	dropmon_snap_put(dropmon_totals_snap);
	dropmon_snap_put(dropmon_stats_snap);
	dropmon_acc_free(&dropmon_totals);
	dropmon_acc_free(&dropmon_interval);
}
