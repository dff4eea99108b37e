// SPDX-License-Identifier: GPL-2.0
/*
 * dropmon-show - print the packet drop statistics of the dropmon module.
 *
 * Reads /sys/kernel/debug/dropmon/stats (or totals, or any file) and prints
 * one line per (location, reason, device, netns, protocol) key.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "stats.h"

#ifndef DROPMON_VERSION
#define DROPMON_VERSION		"0.1.0"
#endif

#define PROG			"dropmon-show"
#define DEBUGFS_DEFAULT		"/sys/kernel/debug"
#define DEBUGFS_MAGIC		0x64626720	/* linux/magic.h */
#define READ_CHUNK		(64 * 1024)
#define READ_MAX		(64 * 1024 * 1024)

enum exit_code {
	EXIT_OK		= 0,
	EXIT_BAD_INPUT	= 1,	/* malformed file or bad usage */
	EXIT_ENV	= 2,	/* I/O or environment error */
};

enum {
	OPT_TOTALS = 256,
	OPT_VERSION,
};

struct options {
	const char *file;	/* -f FILE, or NULL for the debugfs default */
	bool totals;
};

struct input {
	char *buf;
	size_t len;
};

__attribute__((format(printf, 1, 2)))
static void error_line(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [--totals] [-f FILE]\n"
		"Print the packet drops counted by the dropmon kernel module.\n"
		"\n"
		"  -f, --file FILE  read FILE instead of debugfs ('-' = stdin)\n"
		"      --totals     show totals since load instead of the last interval\n"
		"  -h, --help       show this help and exit\n"
		"      --version    show the version and exit\n"
		"\n"
		"Each output line is: COUNT: SYMBOL@DEV (MODULE) REASON\n"
		"By default reads %s/dropmon/stats (--totals: .../totals).\n"
		"\n"
		"Exit status:\n"
		"  0  success (no output if nothing was dropped)\n"
		"  1  malformed input file or bad command-line usage\n"
		"  2  I/O or environment error (debugfs not mounted, module not\n"
		"     loaded, permission denied, ...)\n"
		"\n"
		"Environment:\n"
		"  DROPMON_DEBUGFS  debugfs mount point (default %s)\n",
		DEBUGFS_DEFAULT, DEBUGFS_DEFAULT);
}

/* @arg, if not NULL, is quoted after @what. */
static int usage_error(const char *what, const char *arg)
{
	if (arg)
		error_line("%s '%s'; see '" PROG " --help'", what, arg);
	else
		error_line("%s; see '" PROG " --help'", what);
	return EXIT_BAD_INPUT;
}

/* Report the option getopt_long() rejected with @opt ('?' or ':'). */
static int bad_option(int opt, char *const argv[])
{
	char name[3] = { '-', (char)optopt, '\0' };
	const char *arg = argv[optind - 1];

	if (opt == ':')
		return usage_error("missing argument for option", arg);
	if (optopt > ' ' && optopt < 0x7f)
		arg = name;
	return usage_error("unknown or malformed option", arg);
}

/*
 * Parse the command line.  Returns -1 to continue, or the exit code when
 * the program should stop (help, version or a usage error).
 */
static int parse_args(int argc, char *argv[], struct options *opts)
{
	static const struct option longopts[] = {
		{ "file",	required_argument, NULL, 'f' },
		{ "totals",	no_argument,	   NULL, OPT_TOTALS },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			opts->file = optarg;
			break;
		case OPT_TOTALS:
			opts->totals = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case OPT_VERSION:
			printf(PROG " %s (reads format=%d)\n", DROPMON_VERSION,
			       DROPMON_FORMAT_VERSION);
			return EXIT_OK;
		default:
			return bad_option(opt, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (opts->file && opts->totals)
		return usage_error("--totals and -f cannot be combined", NULL);
	return -1;
}

static const char *debugfs_dir(void)
{
	const char *dir = getenv("DROPMON_DEBUGFS");

	return dir && *dir ? dir : DEBUGFS_DEFAULT;
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

/* Explain why @path (which failed with @err) could not be read. */
static int report_open_error(const char *path, int err)
{
	const char *dir = debugfs_dir();
	char moddir[4096];
	struct stat sb;

	if (err == EACCES || err == EPERM) {
		error_line("permission denied reading %s; run as root (the file is mode 0400)",
			   path);
		return EXIT_ENV;
	}
	if (err == ENOENT && under_debugfs(path, dir)) {
		snprintf(moddir, sizeof(moddir), "%s/dropmon", dir);
		if (!is_debugfs(dir)) {
			error_line("debugfs is not mounted at %s; mount it with: mount -t debugfs none %s",
				   dir, dir);
			return EXIT_ENV;
		}
		if (stat(moddir, &sb) != 0 && errno == ENOENT) {
			error_line("dropmon module is not loaded (no %s); load it with: modprobe dropmon (or insmod dropmon.ko)",
				   moddir);
			return EXIT_ENV;
		}
	}
	if (under_debugfs(path, dir))
		error_line("cannot read %s: %s; check that the loaded dropmon module matches this tool",
			   path, strerror(err));
	else
		error_line("cannot read %s: %s; check the path", path,
			   strerror(err));
	return EXIT_ENV;
}

/* Grow @in so that at least READ_CHUNK bytes are free. */
static int grow(struct input *in, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : READ_CHUNK;
	char *nbuf;

	if (ncap > READ_MAX + 1)
		ncap = READ_MAX + 1;
	nbuf = realloc(in->buf, ncap);
	if (!nbuf)
		return -ENOMEM;
	in->buf = nbuf;
	*cap = ncap;
	return 0;
}

/*
 * Read all of @fd.  debugfs files report st_size 0, so read until EOF.
 * Returns 0, -EFBIG beyond READ_MAX bytes, or another negative errno.
 */
static int read_all(int fd, struct input *in)
{
	size_t cap = 0;
	ssize_t n;

	for (;;) {
		if (in->len == cap && grow(in, &cap))
			return -ENOMEM;
		n = read(fd, in->buf + in->len, cap - in->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		in->len += n;
		if (in->len > READ_MAX)
			return -EFBIG;
	}
}

static int load_file(const char *path, struct input *in)
{
	bool use_stdin = strcmp(path, "-") == 0;
	int fd = use_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return report_open_error(path, errno);
	ret = read_all(fd, in);
	if (!use_stdin)
		close(fd);
	if (ret == -EFBIG) {
		error_line("%s: file is larger than %d MiB; is this a dropmon stats file?",
			   path, READ_MAX >> 20);
		return EXIT_BAD_INPUT;
	}
	if (ret) {
		error_line("error reading %s: %s; check the path and retry",
			   path, strerror(-ret));
		return EXIT_ENV;
	}
	return EXIT_OK;
}

static int report_parse_error(const char *path, enum dropmon_parse_status st,
			      const struct dropmon_parse_error *err)
{
	if (st == DROPMON_PARSE_NOMEM) {
		error_line("%s: out of memory; free some memory and retry", path);
		return EXIT_ENV;
	}
	if (st == DROPMON_PARSE_VERSION) {
		error_line("%s: unknown format version %llu; this " PROG
			   " understands format=%d; upgrade " PROG,
			   path, err->version, DROPMON_FORMAT_VERSION);
		return EXIT_BAD_INPUT;
	}
	error_line("%s: line %lu: %s; is this a dropmon stats file? (this "
		   PROG " reads format=%d)",
		   path, err->line, err->msg, DROPMON_FORMAT_VERSION);
	return EXIT_BAD_INPUT;
}

static void print_classic(FILE *out, const struct dropmon_stats *st)
{
	const struct dropmon_row *r;
	size_t i;

	for (i = 0; i < st->nr_rows; i++) {
		r = &st->rows[i];
		if (strcmp(r->symbol, "?") == 0)
			fprintf(out, "%llu: 0x%llx", r->count, r->location);
		else
			fprintf(out, "%llu: %s", r->count, r->symbol);
		fprintf(out, "@%s (%s) %s\n", r->dev, r->module, r->reason);
	}
}

static int finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error_line("error writing output: %s; check the output destination",
			   strerror(errno));
		return EXIT_ENV;
	}
	return EXIT_OK;
}

static const char *input_path(const struct options *opts, char *buf,
			      size_t size)
{
	if (opts->file)
		return opts->file;
	snprintf(buf, size, "%s/dropmon/%s", debugfs_dir(),
		 opts->totals ? "totals" : "stats");
	return buf;
}

int main(int argc, char *argv[])
{
	struct options opts = { 0 };
	struct input in = { 0 };
	struct dropmon_stats st;
	struct dropmon_parse_error perr;
	enum dropmon_parse_status pst;
	char pathbuf[4096];
	const char *path;
	int ret;

	ret = parse_args(argc, argv, &opts);
	if (ret >= 0)
		return ret == EXIT_OK ? finish_output() : ret;

	path = input_path(&opts, pathbuf, sizeof(pathbuf));
	ret = load_file(path, &in);
	if (ret)
		goto out;

	pst = dropmon_stats_parse(in.buf, in.len, &st, &perr);
	if (pst) {
		ret = report_parse_error(path, pst, &perr);
		goto out;
	}
	print_classic(stdout, &st);
	dropmon_stats_free(&st);
	ret = finish_output();
out:
	free(in.buf);
	return ret;
}
