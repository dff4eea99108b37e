// SPDX-License-Identifier: GPL-2.0
/*
 * test_modhint.c - dm_module_hint() against a made-up system: a sysfs with
 * or without module/dropmon, lockdown and sig_enforce; a modules.dep with
 * or without dropmon; a kernel log with or without a refusal.
 */
#include "test_modhint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"
#include "modhint.h"

#define KREL	"6.1.0-57-cloud-amd64"

#define NOT_BUILT \
	"module not built for this kernel: install linux-headers-" KREL \
	" (dropmon-dkms builds it) or dropmon-modules-" KREL ", then: modprobe dropmon"
#define LOAD	"load it with: modprobe dropmon (or insmod dropmon.ko)"
#define LOAD_SIGNED(why) \
	"load it with: modprobe dropmon (this kernel loads only signed modules, " why ": if it refuses dropmon, sign it with a key it trusts or enroll DKMS's key: mokutil --import /var/lib/dkms/mok.pub)"
#define SIGNED(why) \
	"this kernel loads only signed modules (" why "): sign dropmon.ko with a key it trusts (make sign KEY=... CERT=..., or enroll DKMS's key: mokutil --import /var/lib/dkms/mok.pub and reboot), then: modprobe dropmon"

static char root[4096];

static void put(const char *name, const char *text)
{
	char path[sizeof(root) + 4096], cmd[sizeof(path) + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0)
		fail("mkdir -p to succeed", "an error", "modhint: mkdir for %s", name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		fail("a written file", "an error", "modhint: write %s", name);
}

static void reset(void)
{
	char cmd[3 * sizeof(root) + 64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/sys' '%s/modules' '%s/kmsg'", root, root, root);
	if (system(cmd) != 0)
		fail("rm -rf to succeed", "an error", "modhint: reset");
	put("modules/" KREL "/modules.dep",
	    "kernel/net/core/foo.ko:\nupdates/dkms/dropmon.ko.xz:\n");
	put("kmsg", "6,1,1000,-;Linux version " KREL "\n");
	put("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	put("sys/module/module/parameters/sig_enforce", "N\n");
}

static void hint_case(enum dm_modhint want, const char *text, const char *what)
{
	char buf[768];
	enum dm_modhint got = dm_module_hint(buf, sizeof(buf));

	check_u64(want, got, "modhint %s: kind", what);
	check_str(text, buf, "modhint %s: text", what);
}

void test_modhint_lib(const char *tmpdir)
{
	char path[8192], rel[512];
	struct utsname u;

	snprintf(root, sizeof(root), "%s/modhint", tmpdir);
	mkdir(root, 0755);
	snprintf(path, sizeof(path), "%s/sys", root);
	setenv("DROPMON_SYSFS", path, 1);
	snprintf(path, sizeof(path), "%s/modules", root);
	setenv("DROPMON_MODULES_DIR", path, 1);
	snprintf(path, sizeof(path), "%s/kmsg", root);
	setenv("DROPMON_KMSG", path, 1);
	setenv("DROPMON_KREL", KREL, 1);

	reset();
	hint_case(DM_HINT_LOAD, LOAD, "installed, nothing against it");

	put("sys/module/dropmon/refcnt", "0\n");
	hint_case(DM_HINT_LOADED,
		  "the module is loaded but has no files in debugfs; see dmesg for dropmon's errors, then: modprobe -r dropmon && modprobe dropmon",
		  "loaded");

	reset();
	put("modules/" KREL "/modules.dep",
	    "kernel/net/core/foo.ko:\nkernel/net/xdropmon.ko:\nextra/dropmon.kofoo:\nupdates/dropmon.ko.d/x.ko:\n");
	hint_case(DM_HINT_NOT_BUILT, NOT_BUILT, "not in modules.dep (names like it)");
	put("modules/" KREL "/modules.dep", "");
	hint_case(DM_HINT_NOT_BUILT, NOT_BUILT, "empty modules.dep");
	put("modules/" KREL "/modules.dep", "updates/dropmon.ko: kernel/net/x.ko\n");
	hint_case(DM_HINT_LOAD, LOAD, "dropmon.ko with dependencies");
	put("modules/" KREL "/modules.dep", "/lib/modules/" KREL "/updates/dkms/dropmon.ko.zst:\n");
	hint_case(DM_HINT_LOAD, LOAD, "dropmon.ko.zst by absolute path");
	snprintf(path, sizeof(path), "%s/modules/" KREL "/modules.dep", root);
	unlink(path);
	hint_case(DM_HINT_LOAD, LOAD, "no modules.dep: not known");

	reset();
	put("sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	hint_case(DM_HINT_LOAD_SIGNED, LOAD_SIGNED("lockdown=integrity"), "lockdown integrity, nothing refused");
	put("sys/kernel/security/lockdown", "none integrity [confidentiality]\n");
	hint_case(DM_HINT_LOAD_SIGNED, LOAD_SIGNED("lockdown=confidentiality"), "lockdown confidentiality");
	put("sys/module/module/parameters/sig_enforce", "Y\n");
	hint_case(DM_HINT_LOAD_SIGNED, LOAD_SIGNED("lockdown=confidentiality, module.sig_enforce=1"),
		  "lockdown and sig_enforce");
	put("kmsg", "5,412,9000,-;Loading of unsigned module is rejected\n");
	hint_case(DM_HINT_SIGNED_ONLY, SIGNED("lockdown=confidentiality, module.sig_enforce=1"),
		  "lockdown and sig_enforce, a refusal");
	put("kmsg", "6,1,1000,-;Linux version " KREL "\n");
	put("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	hint_case(DM_HINT_LOAD_SIGNED, LOAD_SIGNED("module.sig_enforce=1"), "sig_enforce, nothing refused");
	put("kmsg", "5,412,9000,-;Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7\n");
	hint_case(DM_HINT_SIGNED_ONLY, SIGNED("module.sig_enforce=1"), "sig_enforce, a refusal");

	reset();
	snprintf(path, sizeof(path), "%s/sys/kernel/security/lockdown", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/module/module/parameters/sig_enforce", root);
	unlink(path);
	hint_case(DM_HINT_LOAD, LOAD, "no lockdown or sig_enforce files");

	put("kmsg", "6,1,1000,-;Linux version " KREL "\n"
		    "5,412,9000,-;Loading of unsigned module is rejected\n");
	hint_case(DM_HINT_SIGNED_ONLY, SIGNED("dmesg shows a refused signature"), "kmsg: unsigned refused");
	put("kmsg", "5,413,9000,-;Loading of module with unavailable key is rejected\n");
	hint_case(DM_HINT_SIGNED_ONLY, SIGNED("dmesg shows a refused signature"), "kmsg: unknown key refused");
	put("kmsg", "5,414,9000,-;Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7\n");
	hint_case(DM_HINT_SIGNED_ONLY, SIGNED("dmesg shows a refused signature"), "kmsg: lockdown refusal");
	put("kmsg", "6,9,1,-;Loading of signed module\n6,10,1,-;no ; Loading of unsigned module is accepted\n");
	hint_case(DM_HINT_LOAD, LOAD, "kmsg: lines like a refusal");

	put("kmsg", "3,500,9100,-;dropmon: not loaded: this kernel is built without CONFIG_DEBUG_FS; dropmon publishes its stats in debugfs (this module is a stub that DKMS built in its place)\n");
	hint_case(DM_HINT_STUB,
		  "dropmon cannot run on this kernel: this kernel is built without CONFIG_DEBUG_FS; dropmon publishes its stats in debugfs",
		  "kmsg: the stub");

	snprintf(path, sizeof(path), "%s/nonexistent", root);
	setenv("DROPMON_KMSG", path, 1);
	hint_case(DM_HINT_LOAD, LOAD, "no kernel log to read");

	/* The running kernel's release by default. */
	unsetenv("DROPMON_KREL");
	reset();
	if (uname(&u) == 0) {
		snprintf(rel, sizeof(rel), "linux-headers-%s ", u.release);
		snprintf(path, sizeof(path), "modules/%s/modules.dep", u.release);
		put(path, "kernel/foo.ko:\n");
		dm_module_hint(path, sizeof(path));
		check_contains(rel, path, "modhint: the release is uname -r's by default");
	}

	unsetenv("DROPMON_SYSFS");
	unsetenv("DROPMON_MODULES_DIR");
	unsetenv("DROPMON_KMSG");
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path) != 0)
		fail("rm -rf to succeed", "an error", "modhint: cleanup");
}
