/* SPDX-License-Identifier: GPL-2.0 */
/*
 * modhint.h - why the dropmon module is not loaded, and what to do.
 *
 * Read from the running system, each place overridable for the tests:
 *   $DROPMON_SYSFS        /sys: module/dropmon, kernel/security/lockdown,
 *                         module/module/parameters/sig_enforce
 *   $DROPMON_MODULES_DIR  /lib/modules: KREL/modules.dep
 *   $DROPMON_KMSG         /dev/kmsg: the kernel's refusals
 *   $DROPMON_KREL         uname -r
 */
#ifndef DROPMON_MODHINT_H
#define DROPMON_MODHINT_H

#include <stddef.h>

enum dm_modhint {
	DM_HINT_LOAD,		/* installed, nothing against loading it */
	DM_HINT_LOADED,		/* /sys/module/dropmon is there */
	DM_HINT_NOT_BUILT,	/* not in modules.dep for this kernel */
	DM_HINT_LOAD_SIGNED,	/* installed; lockdown or sig_enforce, no refusal */
	DM_HINT_SIGNED_ONLY,	/* the kernel log shows a refused signature */
	DM_HINT_STUB,		/* the DKMS stub said why it cannot run */
};

/*
 * The cause and the fix, as one "cause; fix" text into @buf (no leading
 * capital, no PROG prefix), for a dropmon that is not loaded.
 */
enum dm_modhint dm_module_hint(char *buf, size_t size);

#endif /* DROPMON_MODHINT_H */
