/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check.h - what the unit tests share: PASS/FAIL reporting, fixtures, and
 * running dropmon-show with its output captured.
 *
 * Every check prints one line, "PASS: <name>" or
 * "FAIL: <name>: expected <X>, saw <Y>".
 */
#ifndef DROPMON_CHECK_H
#define DROPMON_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "stats.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define STR(s)		s, sizeof(s) - 1	/* literal and its length */

#define PROG_PREFIX	"dropmon-show: "

struct buf {
	char *p;
	size_t len;
};

struct run_result {
	int status;		/* exit code, or 128 + signal */
	struct buf out;
	struct buf err;
};

struct run_spec {
	const char *debugfs;	/* DROPMON_DEBUGFS, or NULL to unset */
	const char *stdin_path;	/* NULL for /dev/null */
	uid_t uid;		/* run as this user if root (else exit 125,
				 * the reason on stderr); 0 = no change */
	const char *const *env;	/* "NAME=VALUE" to set, "NAME" to unset */
};

extern unsigned int nr_passed, nr_failed;
extern const struct run_spec default_spec;

__attribute__((format(printf, 4, 0)))
bool vreport(bool ok, const char *exp, const char *saw, const char *fmt,
	     va_list ap);
__attribute__((format(printf, 1, 2)))
void pass(const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void fail(const char *exp, const char *saw, const char *fmt, ...);

/* Quote @len bytes of @s on one line, escaping anything unprintable. */
const char *quote(char *dst, size_t size, const char *s, size_t len);

__attribute__((format(printf, 3, 4)))
bool check_u64(unsigned long long exp, unsigned long long saw,
	       const char *fmt, ...);
/* Compare @saw (@slen bytes, may be NULL) with @exp (@elen bytes). */
__attribute__((format(printf, 5, 6)))
bool check_mem(const char *exp, size_t elen, const char *saw, size_t slen,
	       const char *fmt, ...);
/* Compare the string @saw (may be NULL) with @exp. */
__attribute__((format(printf, 3, 4)))
bool check_str(const char *exp, const char *saw, const char *fmt, ...);
/* Check that the string @saw contains @needle. */
__attribute__((format(printf, 3, 4)))
bool check_contains(const char *needle, const char *saw, const char *fmt,
		    ...);

void *xmalloc(size_t n);
/* Read a whole file; returns false (and reports a FAIL) if impossible. */
bool read_path(const char *path, struct buf *b);
char *path_join(const char *dir, const char *name);
bool read_fixture(const char *dir, const char *name, struct buf *b);
/* Parse a copy of @len bytes of @text held in an exact-size buffer. */
enum dropmon_parse_status parse_exact(const char *text, size_t len,
				      struct dropmon_stats *st,
				      struct dropmon_parse_error *err);

/* Run @argv with stdout and stderr captured. */
void run(char *const argv[], const struct run_spec *spec,
	 struct run_result *res);
void free_result(struct run_result *res);

/* Check exit code, empty stdout and the exact stderr line. */
void expect_error(const char *bin, char *const argv[],
		  const struct run_spec *spec, int code, const char *err_line,
		  const char *what);

/* Start @argv with stdout and stderr on pipes (non-blocking). */
pid_t spawn(char *const argv[], const struct run_spec *spec, int *out,
	    int *err);

/* Wait for @pid up to @ms, then kill it; returns exit code or 128+sig. */
int wait_child(pid_t pid, int ms);

#endif /* DROPMON_CHECK_H */
