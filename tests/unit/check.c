// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - reporting, fixtures and child processes for the unit tests;
 * see check.h.
 *
 * Parser inputs are always copied into a malloc()ed buffer of exactly their
 * length, so that ASan catches any read past the end.
 */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

unsigned int nr_passed, nr_failed;

/* ------------------------------------------------------------------ */
/* Reporting                                                           */
/* ------------------------------------------------------------------ */

/* Print one result line and count it. */
__attribute__((format(printf, 4, 0)))
bool vreport(bool ok, const char *exp, const char *saw, const char *fmt,
	     va_list ap)
{
	fputs(ok ? "PASS: " : "FAIL: ", stdout);
	vprintf(fmt, ap);
	if (ok) {
		putchar('\n');
		nr_passed++;
	} else {
		printf(": expected %s, saw %s\n", exp, saw);
		nr_failed++;
	}
	return ok;
}

__attribute__((format(printf, 1, 2)))
void pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(true, NULL, NULL, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4)))
void fail(const char *exp, const char *saw, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(false, exp, saw, fmt, ap);
	va_end(ap);
}

/* Quote @len bytes of @s on one line, escaping anything unprintable. */
const char *quote(char *dst, size_t size, const char *s, size_t len)
{
	size_t i, n = 0;

	if (!s)
		return "(null)";
	dst[n++] = '"';
	for (i = 0; i < len && n + 8 < size; i++) {
		unsigned char c = s[i];

		if (c == '\n')
			n += snprintf(dst + n, size - n, "\\n");
		else if (c == '\t')
			n += snprintf(dst + n, size - n, "\\t");
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			n += snprintf(dst + n, size - n, "\\x%02x", c);
		else
			dst[n++] = (char)c;
	}
	if (i < len)
		n += snprintf(dst + n, size - n, "...");
	snprintf(dst + n, size - n, "\"");
	return dst;
}

__attribute__((format(printf, 3, 4)))
bool check_u64(unsigned long long exp, unsigned long long saw,
	       const char *fmt, ...)
{
	char e[32], s[32];
	va_list ap;
	bool ok;

	snprintf(e, sizeof(e), "%llu", exp);
	snprintf(s, sizeof(s), "%llu", saw);
	va_start(ap, fmt);
	ok = vreport(exp == saw, e, s, fmt, ap);
	va_end(ap);
	return ok;
}

/* Quote @s from a little before offset @d, where it differs. */
static void quote_from(char *dst, size_t size, const char *s, size_t len,
		       size_t d)
{
	size_t start = d > 40 ? d - 40 : 0;
	int n = 0;

	if (start)
		n = snprintf(dst, size, "(at byte %zu) ", d);
	quote(dst + n, size - n, s ? s + start : NULL, len - start);
}

__attribute__((format(printf, 5, 0)))
static bool vcheck_mem(const char *exp, size_t elen, const char *saw,
		       size_t slen, const char *fmt, va_list ap)
{
	bool ok = saw && elen == slen && memcmp(exp, saw, elen) == 0;
	char e[1024], s[1024];
	size_t d = 0;

	while (saw && d < elen && d < slen && exp[d] == saw[d])
		d++;
	quote_from(e, sizeof(e), exp, elen, d);
	quote_from(s, sizeof(s), saw, slen, d);
	return vreport(ok, e, s, fmt, ap);
}

/* Compare @saw (@slen bytes, may be NULL) with @exp (@elen bytes). */
__attribute__((format(printf, 5, 6)))
bool check_mem(const char *exp, size_t elen, const char *saw, size_t slen,
	       const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = vcheck_mem(exp, elen, saw, slen, fmt, ap);
	va_end(ap);
	return ok;
}

__attribute__((format(printf, 3, 4)))
bool check_str(const char *exp, const char *saw, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = vcheck_mem(exp, strlen(exp), saw, saw ? strlen(saw) : 0, fmt,
			ap);
	va_end(ap);
	return ok;
}

/* Check that the string @saw contains @needle. */
__attribute__((format(printf, 3, 4)))
bool check_contains(const char *needle, const char *saw, const char *fmt,
		    ...)
{
	char e[512], q[480], s[512];
	va_list ap;
	bool ok;

	snprintf(e, sizeof(e), "text containing %s",
		 quote(q, sizeof(q), needle, strlen(needle)));
	quote(s, sizeof(s), saw, saw ? strlen(saw) : 0);
	va_start(ap, fmt);
	ok = vreport(saw && strstr(saw, needle), e, s, fmt, ap);
	va_end(ap);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		perror("test_stats: malloc");
		exit(2);
	}
	return p;
}

/* Read a whole file; returns false (and reports a FAIL) if impossible. */
bool read_path(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n;

	b->p = NULL;
	b->len = 0;
	if (!f) {
		fail("a readable file", strerror(errno), "open %s", path);
		return false;
	}
	b->p = xmalloc(cap + 1);
	while ((n = fread(b->p + b->len, 1, cap - b->len, f)) > 0) {
		b->len += n;
		if (b->len == cap) {
			cap *= 2;
			b->p = realloc(b->p, cap + 1);
			if (!b->p) {
				perror("test_stats: realloc");
				exit(2);
			}
		}
	}
	b->p[b->len] = '\0';
	fclose(f);
	return true;
}

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

bool read_fixture(const char *dir, const char *name, struct buf *b)
{
	char *path = path_join(dir, name);
	bool ok = read_path(path, b);

	free(path);
	return ok;
}

/* Parse a copy of @len bytes of @text held in an exact-size buffer. */
enum dropmon_parse_status parse_exact(const char *text, size_t len,
				      struct dropmon_stats *st,
				      struct dropmon_parse_error *err)
{
	char *copy = xmalloc(len);
	enum dropmon_parse_status ret;

	memcpy(copy, text, len);
	ret = dropmon_stats_parse(copy, len, st, err);
	free(copy);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Child processes                                                     */
/* ------------------------------------------------------------------ */

static void read_fd(int fd, struct buf *b)
{
	struct stat sb;
	ssize_t n;

	b->len = 0;
	b->p = xmalloc(fstat(fd, &sb) ? 1 : sb.st_size + 1);
	lseek(fd, 0, SEEK_SET);
	while (b->len < (size_t)sb.st_size &&
	       (n = read(fd, b->p + b->len, sb.st_size - b->len)) > 0)
		b->len += n;
	b->p[b->len] = '\0';
}

/* Apply "NAME=VALUE" and "NAME" (unset) entries. */
static void set_env(const char *const *env)
{
	const char *eq;
	char name[64];

	for (; env && *env; env++) {
		eq = strchr(*env, '=');
		if (!eq) {
			unsetenv(*env);
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *env), *env);
		setenv(name, eq + 1, 1);
	}
}

static void child_exec(char *const argv[], const struct run_spec *spec,
		       int out, int err)
{
	int in = open(spec->stdin_path ? spec->stdin_path : "/dev/null",
		      O_RDONLY);

	/* never outlive a test that crashed */
	prctl(PR_SET_PDEATHSIG, SIGKILL);

	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	if (spec->debugfs)
		setenv("DROPMON_DEBUGFS", spec->debugfs, 1);
	else
		unsetenv("DROPMON_DEBUGFS");
	set_env(spec->env);
	if (spec->uid && geteuid() == 0) {
		const char *step = setgroups(0, NULL) ? "setgroups" :
				   setgid(spec->uid) ? "setgid" :
				   setuid(spec->uid) ? "setuid" : NULL;

		if (step) {
			dprintf(2, "test_stats: cannot run as uid %u: %s: %s\n",
				(unsigned int)spec->uid, step, strerror(errno));
			_exit(125);
		}
	}
	execv(argv[0], argv);
	_exit(127);
}

/* Fork a child that runs @argv with stdout on @out and stderr on @err. */
static pid_t fork_child(char *const argv[], const struct run_spec *spec,
			int out, int err)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("test_stats: fork");
		exit(2);
	}
	if (pid == 0)
		child_exec(argv, spec, out, err);
	return pid;
}

/* Run @argv with stdout and stderr captured. */
void run(char *const argv[], const struct run_spec *spec,
	 struct run_result *res)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int status;
	pid_t pid;

	if (!out || !err) {
		perror("test_stats: tmpfile");
		exit(2);
	}
	pid = fork_child(argv, spec, fileno(out), fileno(err));
	waitpid(pid, &status, 0);
	res->status = WIFEXITED(status) ? WEXITSTATUS(status)
					: 128 + WTERMSIG(status);
	read_fd(fileno(out), &res->out);
	read_fd(fileno(err), &res->err);
	fclose(out);
	fclose(err);
}

void free_result(struct run_result *res)
{
	free(res->out.p);
	free(res->err.p);
}

const struct run_spec default_spec;

pid_t spawn(char *const argv[], const struct run_spec *spec, int *out,
	    int *err)
{
	int po[2], pe[2];
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		perror("test_stats: pipe");
		exit(2);
	}
	pid = fork_child(argv, spec, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	*out = po[0];
	*err = pe[0];
	return pid;
}

int wait_child(pid_t pid, int ms)
{
	int status, i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			goto done;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
done:
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + WTERMSIG(status);
}

/* Check exit code, empty stdout and the exact stderr line. */
void expect_error(const char *bin, char *const argv[],
		  const struct run_spec *spec, int code, const char *err_line,
		  const char *what)
{
	struct run_result res;

	run(argv, spec, &res);
	check_u64(code, res.status, "%s %s exit code", bin, what);
	check_mem("", 0, res.out.p, res.out.len, "%s %s stdout", bin, what);
	check_str(err_line, res.err.p, "%s %s stderr", bin, what);
	free_result(&res);
}
