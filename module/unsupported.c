// SPDX-License-Identifier: GPL-2.0
/*
 * What DKMS builds for a kernel dropmon cannot run on (module/support.mk):
 * a module that refuses to load and says why.  Installing it lets the kernel
 * hook succeed, so that the kernel's headers package configures.
 */
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

static int __init dropmon_unsupported_init(void)
{
	pr_err("not loaded: %s (this module is a stub that DKMS built in its place)\n",
	       DROPMON_UNSUPPORTED_WHY);
	return -EOPNOTSUPP;
}
module_init(dropmon_unsupported_init);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The dropmon authors");
MODULE_DESCRIPTION("dropmon stub for a kernel it cannot support: refuses to load");
MODULE_VERSION(DROPMON_STUB_VERSION);
