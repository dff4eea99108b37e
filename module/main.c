// SPDX-License-Identifier: GPL-2.0
/*
 * dropmon: where and why the kernel drops packets.
 *
 * Load and unload, and the parameters.  Parameters are read-only once the
 * module is loaded: a value out of range fails the load with -EINVAL and
 * one line naming the parameter and its allowed range.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>

#include "dropmon.h"

struct dropmon_uint_param {
	unsigned int *val;
	unsigned int min;
	unsigned int max;
};

unsigned int dropmon_max_keys = 1024;
unsigned int dropmon_total_keys = 4096;
unsigned int dropmon_interval_ms = 5000;
unsigned int dropmon_stack_depth = 16;
unsigned int dropmon_sample_bytes = 128;

static struct dropmon_uint_param dropmon_max_keys_param = {
	.val = &dropmon_max_keys, .min = 16, .max = 65536,
};

static struct dropmon_uint_param dropmon_total_keys_param = {
	.val = &dropmon_total_keys, .min = 16, .max = 262144,
};

static struct dropmon_uint_param dropmon_interval_ms_param = {
	.val = &dropmon_interval_ms, .min = 100, .max = 3600000,
};

static struct dropmon_uint_param dropmon_stack_depth_param = {
	.val = &dropmon_stack_depth, .min = 0, .max = DROPMON_STACK_DEPTH_MAX,
};

static struct dropmon_uint_param dropmon_sample_bytes_param = {
	.val = &dropmon_sample_bytes, .min = 0, .max = DROPMON_SAMPLE_BYTES_MAX,
};

static int dropmon_param_set(const char *val, const struct kernel_param *kp)
{
	const struct dropmon_uint_param *p = kp->arg;
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v < p->min || v > p->max) {
		pr_err("%s=%s is invalid: it must be a number from %u to %u\n",
		       kp->name, val, p->min, p->max);
		return -EINVAL;
	}
	*p->val = v;
	return 0;
}

static int dropmon_param_get(char *buf, const struct kernel_param *kp)
{
	const struct dropmon_uint_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", *p->val);
}

static const struct kernel_param_ops dropmon_param_ops = {
	.set = dropmon_param_set,
	.get = dropmon_param_get,
};

module_param_cb(max_keys, &dropmon_param_ops, &dropmon_max_keys_param, 0444);
MODULE_PARM_DESC(max_keys, "distinct keys one interval can hold (16..65536, default 1024)");
module_param_cb(total_keys, &dropmon_param_ops, &dropmon_total_keys_param,
		0444);
MODULE_PARM_DESC(total_keys, "distinct keys the totals can hold; the rows idle longest make room (16..262144, default 4096)");
module_param_cb(interval_ms, &dropmon_param_ops, &dropmon_interval_ms_param,
		0444);
MODULE_PARM_DESC(interval_ms, "snapshot interval in milliseconds (100..3600000 and at least max_keys / 16, default 5000)");
module_param_cb(stack_depth, &dropmon_param_ops, &dropmon_stack_depth_param,
		0444);
MODULE_PARM_DESC(stack_depth, "stack frames in each key's sample (0..32, default 16; 0: none)");
module_param_cb(sample_bytes, &dropmon_param_ops, &dropmon_sample_bytes_param,
		0444);
MODULE_PARM_DESC(sample_bytes, "packet bytes in each key's sample (0..256, default 128; 0: none)");

/*
 * The worker merges, sorts and publishes up to max_keys rows an interval.
 * Measured under TCG (README, "The worker at full scale"), 65536 full keys
 * take 0.8-1.8 s and 16384 take 0.2-0.7 s: an interval of max_keys / 16
 * ms is above the slowest and twice the median, on hardware far more.
 */
static unsigned int dropmon_min_interval_ms(void)
{
	return max(dropmon_interval_ms_param.min, dropmon_max_keys / 16);
}

/*
 * The debugfs files come last: once a reader can open them, nothing of
 * init can fail any more.
 */
static int __init dropmon_init(void)
{
	int err;

	if (dropmon_interval_ms < dropmon_min_interval_ms()) {
		pr_err("interval_ms=%u is too short for max_keys=%u: the worker needs interval_ms of at least max_keys / 16 = %u to keep up\n",
		       dropmon_interval_ms, dropmon_max_keys,
		       dropmon_min_interval_ms());
		return -EINVAL;
	}
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
