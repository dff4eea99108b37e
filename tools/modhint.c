// SPDX-License-Identifier: GPL-2.0
/*
 * modhint.c - why the dropmon module is not loaded; see modhint.h.
 */
#include "modhint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define KMSG_RECORDS_MAX	65536	/* a bound on the log ring's records */
#define LINE_MAX_		8192

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static const char *kernel_release(char *buf, size_t size)
{
	const char *krel = getenv("DROPMON_KREL");
	struct utsname u;

	if (krel && *krel)
		snprintf(buf, size, "%s", krel);
	else if (uname(&u) == 0)
		snprintf(buf, size, "%s", u.release);
	else
		snprintf(buf, size, "%s", "$(uname -r)");
	return buf;
}

/* The first line of the file @dir/@name into @buf, or "" (newline cut). */
static const char *first_line(const char *dir, const char *name, char *buf,
			      size_t size)
{
	char path[4096];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return buf;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Is a line of modules.dep about dropmon.ko, compressed or not? */
static bool dep_is_dropmon(const char *line)
{
	const char *colon = strchr(line, ':');
	const char *base;
	size_t n;

	if (!colon)
		return false;
	n = (size_t)(colon - line);
	for (base = colon; base > line && base[-1] != '/'; base--)
		;
	n -= (size_t)(base - line);
	return (n == 10 && !strncmp(base, "dropmon.ko", 10)) ||
	       (n > 11 && !strncmp(base, "dropmon.ko.", 11));
}

/* 1: dropmon is in modules.dep of @krel, 0: it is not, -1: no modules.dep. */
static int module_installed(const char *krel)
{
	char path[4096], line[LINE_MAX_];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/modules.dep",
		 env_or("DROPMON_MODULES_DIR", "/lib/modules"), krel);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = dep_is_dropmon(line);
	fclose(f);
	return found;
}

struct kmsg_seen {
	bool refused;		/* a signature or lockdown refusal */
	char stub[512];		/* what the DKMS stub said, or "" */
};

/* One record's text: after the first ';', up to its newline. */
static void kmsg_record(const char *rec, struct kmsg_seen *k)
{
	static const char stub[] = "dropmon: not loaded: ";
	const char *msg = strchr(rec, ';');
	const char *p;
	size_t n;

	if (!msg)
		return;
	msg++;
	if (strstr(msg, "Loading of unsigned module is rejected") ||
	    strstr(msg, "Loading of module with unavailable key is rejected") ||
	    strstr(msg, "unsigned module loading is restricted"))
		k->refused = true;
	p = strstr(msg, stub);
	if (p) {
		p += sizeof(stub) - 1;
		n = strcspn(p, "(\n");
		while (n && p[n - 1] == ' ')
			n--;
		snprintf(k->stub, sizeof(k->stub), "%.*s", (int)n, p);
	}
}

/*
 * Every record the log holds now, bounded; nothing if it cannot be read.
 * /dev/kmsg gives one record a read; a regular file (the tests) is read
 * a line at a time.
 */
static void kmsg_scan(struct kmsg_seen *k)
{
	char rec[LINE_MAX_];
	unsigned int i;
	struct stat sb;
	FILE *f;
	ssize_t n;
	int fd;

	fd = open(env_or("DROPMON_KMSG", "/dev/kmsg"), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		f = fdopen(fd, "r");
		if (!f) {
			close(fd);
			return;
		}
		for (i = 0; i < KMSG_RECORDS_MAX && fgets(rec, sizeof(rec), f); i++)
			kmsg_record(rec, k);
		fclose(f);
		return;
	}
	for (i = 0; i < KMSG_RECORDS_MAX; i++) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten meanwhile: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		kmsg_record(rec, k);
	}
	close(fd);
}

/* The bracketed mode of "none [integrity] confidentiality", or "". */
static const char *lockdown_mode(const char *line, char *buf, size_t size)
{
	const char *open = strchr(line, '[');
	const char *close = open ? strchr(open, ']') : NULL;

	buf[0] = '\0';
	if (open && close)
		snprintf(buf, size, "%.*s", (int)(close - open - 1), open + 1);
	return buf;
}

enum dm_modhint dm_module_hint(char *buf, size_t size)
{
	const char *sysfs = env_or("DROPMON_SYSFS", "/sys");
	char krel[256], line[256], mode[64], enforce[16], path[4096], why[128];
	struct kmsg_seen k = { 0 };
	struct stat sb;
	bool locked, enforced;

	snprintf(path, sizeof(path), "%s/module/dropmon", sysfs);
	if (stat(path, &sb) == 0) {
		snprintf(buf, size, "the module is loaded but has no files in debugfs; see dmesg for dropmon's errors, then: modprobe -r dropmon && modprobe dropmon");
		return DM_HINT_LOADED;
	}
	kernel_release(krel, sizeof(krel));
	if (module_installed(krel) == 0) {
		snprintf(buf, size, "module not built for this kernel: install linux-headers-%s (dropmon-dkms builds it) or dropmon-modules-%s, then: modprobe dropmon",
			 krel, krel);
		return DM_HINT_NOT_BUILT;
	}
	kmsg_scan(&k);
	if (k.stub[0]) {
		snprintf(buf, size, "dropmon cannot run on this kernel: %s", k.stub);
		return DM_HINT_STUB;
	}
	lockdown_mode(first_line(sysfs, "kernel/security/lockdown", line, sizeof(line)),
		      mode, sizeof(mode));
	first_line(sysfs, "module/module/parameters/sig_enforce", enforce, sizeof(enforce));
	locked = mode[0] && strcmp(mode, "none");
	enforced = enforce[0] == 'Y';
	snprintf(why, sizeof(why), "%s%s%s%s%s",
		 locked ? "lockdown=" : "", locked ? mode : "",
		 locked && enforced ? ", " : "",
		 enforced ? "module.sig_enforce=1" : "",
		 !locked && !enforced ? "dmesg shows a refused signature" : "");
	if (k.refused) {
		snprintf(buf, size, "this kernel loads only signed modules (%s): sign dropmon.ko with a key it trusts (make sign KEY=... CERT=..., or enroll DKMS's key: mokutil --import /var/lib/dkms/mok.pub and reboot), then: modprobe dropmon",
			 why);
		return DM_HINT_SIGNED_ONLY;
	}
	/* A signed module with an enrolled key loads: nothing refused yet. */
	if (locked || enforced) {
		snprintf(buf, size, "load it with: modprobe dropmon (this kernel loads only signed modules, %s: if it refuses dropmon, sign it with a key it trusts or enroll DKMS's key: mokutil --import /var/lib/dkms/mok.pub)",
			 why);
		return DM_HINT_LOAD_SIGNED;
	}
	snprintf(buf, size, "load it with: modprobe dropmon (or insmod dropmon.ko)");
	return DM_HINT_LOAD;
}
