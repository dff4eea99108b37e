// SPDX-License-Identifier: GPL-2.0
/*
 * buildinfo.c - dropmon_build_info; see buildinfo.h.
 */
#include "buildinfo.h"

#include <fcntl.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "input.h"
#include "options.h"
#include "prom.h"

/* The status file is about 1 KiB; version= is its first line. */
#define STATUS_READ_MAX		8192

const char *dm_status_path(char *buf, size_t size, const char *file)
{
	const char *slash;

	if (!file) {
		snprintf(buf, size, "%s/dropmon/status", dm_debugfs_dir());
		return buf;
	}
	if (strcmp(file, "-") == 0)
		return NULL;
	slash = strrchr(file, '/');
	snprintf(buf, size, "%.*sstatus",
		 slash ? (int)(slash - file + 1) : 0, file);
	return buf;
}

int dm_status_version(const char *buf, size_t len, char *out, size_t size)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t n, i;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		n = (nl ? nl : end) - p;
		if (n >= 8 && memcmp(p, "version=", 8) == 0) {
			p += 8;
			n -= 8;
			if (!n || n > DM_BUILD_VERSION_MAX || n >= size)
				return -1;
			for (i = 0; i < n; i++) {
				if (p[i] <= ' ' || p[i] > '~')
					return -1;
			}
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return -1;
}

void dm_prom_build_info(FILE *out, const char *version, const char *kernel,
			unsigned long long format)
{
	fputs("# HELP dropmon_build_info The dropmon module's version, the kernel release it runs on and the format of the file read; always 1.\n"
	      "# TYPE dropmon_build_info gauge\n"
	      "dropmon_build_info{version=\"", out);
	dm_prom_label_value(out, version);
	fputs("\",kernel=\"", out);
	dm_prom_label_value(out, kernel);
	fprintf(out, "\",format=\"%llu\"} 1\n", format);
}

/* Read at most STATUS_READ_MAX bytes of @path's start into @buf. */
static size_t read_start(const char *path, char *buf)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return 0;
	while (len < STATUS_READ_MAX) {
		n = read(fd, buf + len, STATUS_READ_MAX - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	return len;
}

void dm_build_info_put(FILE *out, const char *file, unsigned long long format)
{
	char path[4096], buf[STATUS_READ_MAX], version[DM_BUILD_VERSION_MAX + 1];
	const char *status = dm_status_path(path, sizeof(path), file);
	struct utsname u;
	size_t len = status ? read_start(status, buf) : 0;

	if (dm_status_version(buf, len, version, sizeof(version)))
		snprintf(version, sizeof(version), "%s", DROPMON_VERSION);
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	dm_prom_build_info(out, version, u.release, format);
}
