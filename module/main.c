// SPDX-License-Identifier: GPL-2.0
/*
 * dropmon: where and why the kernel drops packets.
 *
 * Load and unload, and the parameters.  A value out of range fails the
 * load with -EINVAL and one line naming the parameter and its allowed
 * range.  Once loaded, every parameter can be written by root through
 * /sys/module/dropmon/parameters/ and is validated the same way (a bad
 * value: -EINVAL and that line); a good one is pending until the worker's
 * next rotation puts it in effect (dropmon_params_apply()).
 */
#include <linux/capability.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "dropmon.h"

/*
 * A parameter.  *val is the value in effect: before the module runs it is
 * what the load line said; after, only the worker writes it, with the
 * value written to the file (want) once that can take effect.  want is
 * written and read under dropmon_param_lock; a reader of *val that is
 * not the worker uses READ_ONCE().
 */
struct dropmon_uint_param {
	unsigned int *val;
	unsigned int want;	/* written, in effect from the next rotation */
	unsigned int take;	/* the worker's copy of want */
	unsigned int min;
	unsigned int max;
	bool tables;		/* sizes the tables: dropmon_tables_apply() */
	/*
	 * What the worker calls, if set, with a value written at run time
	 * before it puts it in effect: 0 when it can take effect, -EAGAIN
	 * to be called again at the next rotation, another error to keep
	 * the value in effect (the write is undone, counted and logged).
	 */
	int (*apply)(unsigned int val);
};

/*
 * Every parameter whose kernel_param has these ops is writable at run
 * time (dropmon_params_apply() finds them in THIS_MODULE's list): a new
 * one needs its struct below, with .apply if its value needs more than
 * being stored, and its module_param_cb() line.
 */
static const struct kernel_param_ops dropmon_param_ops;

unsigned int dropmon_max_keys = 1024;
unsigned int dropmon_total_keys = 4096;
unsigned int dropmon_interval_ms = 5000;
unsigned int dropmon_stack_depth = 16;
unsigned int dropmon_sample_bytes = 128;

static struct dropmon_uint_param dropmon_max_keys_param = {
	.val = &dropmon_max_keys, .min = 16, .max = 65536,
	.tables = true,
};

static struct dropmon_uint_param dropmon_total_keys_param = {
	.val = &dropmon_total_keys, .min = 16, .max = 262144,
	.apply = dropmon_totals_resize,
};

static struct dropmon_uint_param dropmon_interval_ms_param = {
	.val = &dropmon_interval_ms, .min = 100, .max = 3600000,
};

static struct dropmon_uint_param dropmon_stack_depth_param = {
	.val = &dropmon_stack_depth, .min = 0,
	.max = DROPMON_STACK_DEPTH_MAX, .tables = true,
};

static struct dropmon_uint_param dropmon_sample_bytes_param = {
	.val = &dropmon_sample_bytes, .min = 0,
	.max = DROPMON_SAMPLE_BYTES_MAX, .tables = true,
};

/*
 * Writes take kernel_param_lock(THIS_MODULE) around ->set(), and this
 * inside it; the worker takes only this, for a moment.
 */
static DEFINE_MUTEX(dropmon_param_lock);
static bool dropmon_running;	/* writes are pending until a rotation */
static unsigned long dropmon_param_failures;	/* changes not applied */

/*
 * The worker merges, sorts and publishes up to max_keys rows an interval.
 * Measured under TCG (README, "The worker at full scale"), 65536 full keys
 * take 0.8-1.8 s and 16384 take 0.2-0.7 s: an interval of max_keys / 16
 * ms is above the slowest and twice the median, on hardware far more.
 */
static unsigned int dropmon_min_interval_ms(unsigned int max_keys)
{
	return max(dropmon_interval_ms_param.min, max_keys / 16);
}

/* The rule between the values to be: under dropmon_param_lock. */
static int dropmon_param_check(const struct dropmon_uint_param *p, unsigned int v)
{
	unsigned int keys = dropmon_max_keys_param.want;
	unsigned int ms = dropmon_interval_ms_param.want;

	if (p == &dropmon_interval_ms_param && v < dropmon_min_interval_ms(keys)) {
		pr_err("interval_ms=%u is too short for max_keys=%u: the worker needs interval_ms of at least max_keys / 16 = %u to keep up\n",
		       v, keys, dropmon_min_interval_ms(keys));
		return -EINVAL;
	}
	if (p == &dropmon_max_keys_param && dropmon_min_interval_ms(v) > ms) {
		pr_err("max_keys=%u is too large for interval_ms=%u: the worker needs interval_ms of at least max_keys / 16, so max_keys can be at most %u\n",
		       v, ms, ms * 16 + 15);
		return -EINVAL;
	}
	return 0;
}

static int dropmon_param_set(const char *val, const struct kernel_param *kp)
{
	struct dropmon_uint_param *p = kp->arg;
	unsigned int v;
	int err = 0;

	if (kstrtouint(val, 10, &v) || v < p->min || v > p->max) {
		/* A write to the file ends in a newline: not printed. */
		pr_err("%s=%.*s is invalid: it must be a number from %u to %u\n",
		       kp->name, (int)strcspn(val, "\n"), val, p->min,
		       p->max);
		return -EINVAL;
	}
	/*
	 * dropmon_running is read once, here: a write between the module's
	 * parameter files appearing and dropmon_init() is a run-time write
	 * once init has begun, and a load-line value before.
	 */
	mutex_lock(&dropmon_param_lock);
	if (dropmon_running) {
		/*
		 * The file's mode lets only root write; a root without
		 * CAP_SYS_ADMIN (a container's, say) may not reconfigure the
		 * host's monitor.
		 */
		if (!capable(CAP_SYS_ADMIN))
			err = -EPERM;
		else
			err = dropmon_param_check(p, v);
		if (!err)
			WRITE_ONCE(p->want, v);
	} else {
		/* At load: dropmon_init() checks the rule. */
		WRITE_ONCE(p->want, v);
		*p->val = v;
	}
	mutex_unlock(&dropmon_param_lock);
	return err;
}

/* The value written last: in effect, or from the next rotation (status). */
static int dropmon_param_get(char *buf, const struct kernel_param *kp)
{
	const struct dropmon_uint_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(p->want));
}

static const struct kernel_param_ops dropmon_param_ops = {
	.set = dropmon_param_set,
	.get = dropmon_param_get,
};

module_param_cb(max_keys, &dropmon_param_ops, &dropmon_max_keys_param, 0644);
MODULE_PARM_DESC(max_keys, "distinct keys one interval can hold (16..65536, default 1024)");
module_param_cb(total_keys, &dropmon_param_ops, &dropmon_total_keys_param,
		0644);
MODULE_PARM_DESC(total_keys, "distinct keys the totals can hold; the rows idle longest make room (16..262144, default 4096)");
module_param_cb(interval_ms, &dropmon_param_ops, &dropmon_interval_ms_param,
		0644);
MODULE_PARM_DESC(interval_ms, "snapshot interval in milliseconds (100..3600000 and at least max_keys / 16, default 5000)");
module_param_cb(stack_depth, &dropmon_param_ops, &dropmon_stack_depth_param,
		0644);
MODULE_PARM_DESC(stack_depth, "stack frames in each key's sample (0..32, default 16; 0: none)");
module_param_cb(sample_bytes, &dropmon_param_ops, &dropmon_sample_bytes_param,
		0644);
MODULE_PARM_DESC(sample_bytes, "packet bytes in each key's sample (0..256, default 128; 0: none)");

/* This module's parameter @i, with its @name; NULL if not one of these. */
static struct dropmon_uint_param *dropmon_param_at(unsigned int i,
						   const char **name)
{
	const struct kernel_param *kp = &THIS_MODULE->kp[i];

	if (kp->ops != &dropmon_param_ops)
		return NULL;
	*name = kp->name;
	return kp->arg;
}

static bool dropmon_param_pending(const struct dropmon_uint_param *p)
{
	bool pending;

	mutex_lock(&dropmon_param_lock);
	pending = p->want != *p->val;
	mutex_unlock(&dropmon_param_lock);
	return pending;
}

/* A change that cannot be applied: undone, unless written again since. */
static void dropmon_param_undo(struct dropmon_uint_param *p)
{
	mutex_lock(&dropmon_param_lock);
	if (p->want == p->take)
		WRITE_ONCE(p->want, *p->val);
	mutex_unlock(&dropmon_param_lock);
}

/*
 * Put the values written since the last rotation in effect, at the start
 * of a rotation, before the spare tables are recycled: the tables that
 * go live now are sized with them (and the interval accumulator that
 * merges them at the next rotation), and the next rotation is scheduled
 * with the new interval_ms.  A change that needs memory gets all of it
 * now or keeps the old value: one line in dmesg, and param_failures in
 * the status file.  Worker only.
 */
void dropmon_params_apply(void)
{
	unsigned int i, n = THIS_MODULE->num_kp;
	struct dropmon_uint_param *p;
	bool tables = false;
	const char *name;
	int err;

	mutex_lock(&dropmon_param_lock);
	for (i = 0; i < n; i++) {
		p = dropmon_param_at(i, &name);
		if (!p)
			continue;
		p->take = p->want;
		if (p->tables && p->take != *p->val)
			tables = true;
	}
	mutex_unlock(&dropmon_param_lock);

	if (tables) {
		err = dropmon_tables_apply(dropmon_max_keys_param.take,
					   dropmon_stack_depth_param.take,
					   dropmon_sample_bytes_param.take);
		for (i = 0; i < n; i++) {
			p = dropmon_param_at(i, &name);
			if (!p || !p->tables || p->take == *p->val)
				continue;
			if (!err) {
				WRITE_ONCE(*p->val, p->take);
			} else if (err != -EAGAIN) {
				pr_warn("%s=%u not applied: out of memory for the tables; %s stays %u\n",
					name, p->take, name, *p->val);
				dropmon_param_undo(p);
			}
		}
		if (err && err != -EAGAIN)
			WRITE_ONCE(dropmon_param_failures,
				   dropmon_param_failures + 1);
	}
	for (i = 0; i < n; i++) {
		p = dropmon_param_at(i, &name);
		if (!p || p->tables || p->take == *p->val)
			continue;
		/*
		 * Not before the max_keys it was checked against, and not at
		 * all if that max_keys could not be applied.
		 */
		if (p == &dropmon_interval_ms_param &&
		    p->take < dropmon_min_interval_ms(dropmon_max_keys)) {
			if (dropmon_param_pending(&dropmon_max_keys_param))
				continue;	/* -EAGAIN */
			pr_warn("%s=%u not applied: it needs max_keys=%u, which was not applied; %s stays %u\n",
				name, p->take, dropmon_max_keys_param.take,
				name, *p->val);
			dropmon_param_undo(p);
			continue;	/* the max_keys failure counted */
		}
		/*
		 * A change that resizes other arrays the worker sorts with
		 * (total_keys) waits until a max_keys change is in place.
		 */
		if (p->apply && dropmon_tables_busy())
			err = -EAGAIN;
		else
			err = p->apply ? p->apply(p->take) : 0;
		if (!err) {
			WRITE_ONCE(*p->val, p->take);
		} else if (err != -EAGAIN) {
			pr_warn("%s=%u not applied (error %d); %s stays %u\n",
				name, p->take, err, name, *p->val);
			dropmon_param_undo(p);
			WRITE_ONCE(dropmon_param_failures,
				   dropmon_param_failures + 1);
		}
	}
}

/* For the status file: values written that are not in effect yet. */
void dropmon_params_status(struct seq_file *m)
{
	unsigned int i;
	struct dropmon_uint_param *p;
	const char *name;

	mutex_lock(&dropmon_param_lock);
	for (i = 0; i < THIS_MODULE->num_kp; i++) {
		p = dropmon_param_at(i, &name);
		if (p && p->want != READ_ONCE(*p->val))
			seq_printf(m, "pending_%s=%u\n", name, p->want);
	}
	mutex_unlock(&dropmon_param_lock);
	seq_printf(m, "param_failures=%lu\n", READ_ONCE(dropmon_param_failures));
}

/*
 * The debugfs files come last: once a reader can open them, nothing of
 * init can fail any more.
 */
static int __init dropmon_init(void)
{
	struct dropmon_uint_param *p;
	const char *name;
	unsigned int i;
	int err;

	/* From here on, a value written is pending until a rotation. */
	mutex_lock(&dropmon_param_lock);
	for (i = 0; i < THIS_MODULE->num_kp; i++) {
		p = dropmon_param_at(i, &name);
		if (p)
			WRITE_ONCE(p->want, *p->val);
	}
	err = dropmon_param_check(&dropmon_interval_ms_param,
				  dropmon_interval_ms);
	WRITE_ONCE(dropmon_running, !err);
	mutex_unlock(&dropmon_param_lock);
	if (err)
		return err;
	err = dropmon_snapshot_init();
	if (err)
		return err;
	err = dropmon_devices_init();
	if (err) {
		pr_err("cannot follow network devices: %d\n", err);
		goto err_snapshot_exit;
	}
	err = dropmon_probe_register();
	if (err) {
		pr_err("cannot attach to the kfree_skb tracepoint: %d\n", err);
		goto err_devices_exit;
	}
	dropmon_snapshot_start();
	dropmon_debugfs_init();
	pr_info("counting drops: max_keys=%u total_keys=%u interval_ms=%u stack_depth=%u sample_bytes=%u\n",
		dropmon_max_keys, dropmon_total_keys, dropmon_interval_ms,
		dropmon_stack_depth, dropmon_sample_bytes);
	return 0;

err_devices_exit:
	dropmon_devices_exit();
err_snapshot_exit:
	dropmon_snapshot_exit();
	return err;
}

static void __exit dropmon_exit(void)
{
	dropmon_probe_unregister();	/* with tracepoint_synchronize_unregister() */
	dropmon_snapshot_stop();
	dropmon_debugfs_exit();
	dropmon_devices_exit();
	dropmon_snapshot_exit();
}

module_init(dropmon_init);
module_exit(dropmon_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The dropmon authors");
MODULE_DESCRIPTION("Count dropped packets by location, reason, device, netns and protocol");
MODULE_VERSION(DROPMON_VERSION);
