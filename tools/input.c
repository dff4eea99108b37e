// SPDX-License-Identifier: GPL-2.0
/*
 * input.c - reading dropmon's files; see input.h.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "modhint.h"

#define DEBUGFS_DEFAULT		"/sys/kernel/debug"
#define DEBUGFS_MAGIC		0x64626720	/* linux/magic.h */
#define READ_CHUNK		(64 * 1024)
#define READ_MAX		(64 * 1024 * 1024)
#define PEEK_MAX		(DROPMON_LINE_MAX + 1)

struct input {
	char *buf;
	size_t len;
	size_t cap;
};

__attribute__((format(printf, 3, 4)))
static int set_error(struct dm_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *dm_debugfs_dir(void)
{
	const char *dir = getenv("DROPMON_DEBUGFS");

	return dir && *dir ? dir : DEBUGFS_DEFAULT;
}

const char *dm_default_path(char *buf, size_t size, bool totals)
{
	snprintf(buf, size, "%s/dropmon/%s", dm_debugfs_dir(),
		 totals ? "totals" : "stats");
	return buf;
}

const char *dm_default_samples_path(char *buf, size_t size, bool totals)
{
	snprintf(buf, size, "%s/dropmon/%s", dm_debugfs_dir(),
		 totals ? "samples_totals" : "samples");
	return buf;
}

const char *dm_sibling_samples_path(char *buf, size_t size,
				    const char *stats_path, bool totals)
{
	const char *slash = strrchr(stats_path, '/');
	int dirlen = slash ? (int)(slash - stats_path + 1) : 0;

	snprintf(buf, size, "%.*s%s", dirlen, stats_path,
		 totals ? "samples_totals" : "samples");
	return buf;
}

static bool is_debugfs(const char *dir)
{
	struct statfs sfs;

	return statfs(dir, &sfs) == 0 &&
	       (unsigned long)sfs.f_type == DEBUGFS_MAGIC;
}

static bool under_debugfs(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Explain why @path (which failed with @err) could not be opened. */
static int open_error(const char *path, int err, struct dm_error *e)
{
	const char *dir = dm_debugfs_dir();
	char moddir[4096];
	struct stat sb;

	e->errnum = err;
	if (err == EACCES || err == EPERM)
		return set_error(e, DM_EXIT_ENV, "permission denied reading %s; run as root (the file is mode 0400)",
				 path);
	if (err == ENOENT && under_debugfs(path, dir)) {
		snprintf(moddir, sizeof(moddir), "%s/dropmon", dir);
		if (!is_debugfs(dir))
			return set_error(e, DM_EXIT_ENV, "debugfs is not mounted at %s; mount it with: mount -t debugfs none %s",
					 dir, dir);
		if (stat(moddir, &sb) != 0 && errno == ENOENT) {
			char hint[768];

			if (dm_module_hint(hint, sizeof(hint)) == DM_HINT_LOADED)
				return set_error(e, DM_EXIT_ENV, "no %s: %s", moddir, hint);
			return set_error(e, DM_EXIT_ENV, "dropmon module is not loaded (no %s); %s",
					 moddir, hint);
		}
	}
	if (under_debugfs(path, dir))
		return set_error(e, DM_EXIT_ENV, "cannot read %s: %s; check that the loaded dropmon module matches this tool",
				 path, strerror(err));
	return set_error(e, DM_EXIT_ENV, "cannot read %s: %s; check the path",
			 path, strerror(err));
}

/* Make room for at least one more chunk, up to @max + 1 bytes in all. */
static int grow(struct input *in, size_t max)
{
	size_t ncap = in->cap ? in->cap * 2 : READ_CHUNK;
	char *nbuf;

	if (ncap > max + 1)
		ncap = max + 1;
	nbuf = realloc(in->buf, ncap);
	if (!nbuf)
		return -ENOMEM;
	in->buf = nbuf;
	in->cap = ncap;
	return 0;
}

/*
 * Read @fd to its end (debugfs files report st_size 0), or only its first
 * line with @first_line.  Returns 0, -EFBIG beyond @max bytes, or another
 * negative errno.
 */
static int read_fd(int fd, struct input *in, size_t max, bool first_line)
{
	ssize_t n;

	for (;;) {
		if (in->len == in->cap && grow(in, max))
			return -ENOMEM;
		n = read(fd, in->buf + in->len, in->cap - in->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (first_line && memchr(in->buf + in->len, '\n', n)) {
			in->len += n;
			return 0;
		}
		in->len += n;
		if (in->len > max)
			return first_line ? 0 : -EFBIG;
	}
}

static int read_path(const char *path, struct input *in, size_t max,
		     bool first_line, struct dm_error *e)
{
	bool use_stdin = strcmp(path, "-") == 0;
	int fd = use_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	memset(e, 0, sizeof(*e));
	if (fd < 0)
		return open_error(path, errno, e);
	ret = read_fd(fd, in, max, first_line);
	if (!use_stdin)
		close(fd);
	if (ret == -EFBIG)
		return set_error(e, DM_EXIT_BAD_INPUT, "%s: file is larger than %d MiB; is this a dropmon stats file?",
				 path, READ_MAX >> 20);
	if (ret) {
		e->errnum = -ret;
		return set_error(e, DM_EXIT_ENV, "error reading %s: %s; check the path and retry",
				 path, strerror(-ret));
	}
	return 0;
}

static int parse_error(const char *path, enum dropmon_parse_status st,
		       const struct dropmon_parse_error *pe,
		       struct dm_error *e)
{
	if (st == DROPMON_PARSE_NOMEM)
		return set_error(e, DM_EXIT_ENV, "%s: out of memory; free some memory and retry",
				 path);
	if (st == DROPMON_PARSE_VERSION)
		return set_error(e, DM_EXIT_BAD_INPUT, "%s: unknown format version %llu; this " PROG " understands " DROPMON_FORMAT_NAMES "; upgrade " PROG,
				 path, pe->version);
	return set_error(e, DM_EXIT_BAD_INPUT, "%s: line %lu: %s; is this a dropmon stats file? (this " PROG " reads " DROPMON_FORMAT_NAMES ")",
			 path, pe->line, pe->msg);
}

int dm_load(const char *path, struct dropmon_stats *st, struct dm_error *e)
{
	struct dropmon_parse_error pe;
	enum dropmon_parse_status ps;
	struct input in = { 0 };
	int ret;

	memset(st, 0, sizeof(*st));
	ret = read_path(path, &in, READ_MAX, false, e);
	if (!ret) {
		ps = dropmon_stats_parse(in.buf, in.len, st, &pe);
		if (ps)
			ret = parse_error(path, ps, &pe, e);
	}
	free(in.buf);
	return ret;
}

static int samples_parse_error(const char *path,
			       enum dropmon_parse_status st,
			       const struct dropmon_parse_error *pe,
			       struct dm_error *e)
{
	if (st == DROPMON_PARSE_NOMEM)
		return set_error(e, DM_EXIT_ENV, "%s: out of memory; free some memory and retry",
				 path);
	if (st == DROPMON_PARSE_VERSION)
		return set_error(e, DM_EXIT_BAD_INPUT, "%s: unknown samples format version %llu; this " PROG " understands dropmon-samples format=%d; upgrade " PROG,
				 path, pe->version, DROPMON_SAMPLES_FORMAT_VERSION);
	return set_error(e, DM_EXIT_BAD_INPUT, "%s: line %lu: %s; is this a dropmon samples file? (this " PROG " reads dropmon-samples format=%d)",
			 path, pe->line, pe->msg, DROPMON_SAMPLES_FORMAT_VERSION);
}

/* A module without samples has the other files but not this one. */
static int samples_missing(const char *path, struct dm_error *e)
{
	const char *dir = dm_debugfs_dir();
	char stats[4096];
	struct stat sb;

	if (!under_debugfs(path, dir))
		return set_error(e, DM_EXIT_ENV, "cannot read the samples file %s: %s; give the samples file of the same snapshot with --samples-file FILE",
				 path, strerror(ENOENT));
	snprintf(stats, sizeof(stats), "%s/dropmon/stats", dir);
	if (stat(stats, &sb) == 0)
		return set_error(e, DM_EXIT_ENV, "the loaded dropmon module has no %s: it predates packet samples; load a dropmon module that samples packets, or drop --samples/--pcap",
				 path);
	return e->code;
}

int dm_load_samples(const char *path, struct dropmon_samples *sm,
		    struct dm_error *e)
{
	struct dropmon_parse_error pe;
	enum dropmon_parse_status ps;
	struct input in = { 0 };
	int ret;

	memset(sm, 0, sizeof(*sm));
	ret = read_path(path, &in, READ_MAX, false, e);
	if (ret && e->errnum == ENOENT) {
		e->errnum = ENOENT;
		ret = samples_missing(path, e);
	} else if (!ret) {
		ps = dropmon_samples_parse(in.buf, in.len, sm, &pe);
		if (ps)
			ret = samples_parse_error(path, ps, &pe, e);
	}
	free(in.buf);
	return ret;
}

int dm_peek(const char *path, struct dropmon_header *hdr, struct dm_error *e)
{
	struct dropmon_parse_error pe;
	enum dropmon_parse_status ps;
	struct input in = { 0 };
	int ret;

	ret = read_path(path, &in, PEEK_MAX, true, e);
	if (!ret) {
		ps = dropmon_header_parse(in.buf, in.len, hdr, &pe);
		if (ps)
			ret = parse_error(path, ps, &pe, e);
	}
	free(in.buf);
	return ret;
}
