// SPDX-License-Identifier: GPL-2.0
/*
 * test_buildinfo.c - dropmon_build_info: the version from the status file
 * beside the file read (else dropmon-show's own), the kernel release it
 * runs on, the format of the file read.
 */
#include "test_buildinfo.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "buildinfo.h"
#include "check.h"
#include "options.h"

static void version_case(const char *text, const char *exp, const char *what)
{
	char out[DM_BUILD_VERSION_MAX + 1] = "", saw[256];
	size_t len = strlen(text);
	char *copy = xmalloc(len ? len : 1);	/* exact size, no NUL */
	int ret;

	memcpy(copy, text, len);
	ret = dm_status_version(copy, len, out, sizeof(out));
	snprintf(saw, sizeof(saw), "%s", ret ? "(none)" : out);
	check_str(exp ? exp : "(none)", saw, "build_info: status version, %s",
		  what);
	free(copy);
}

static void test_status_version(void)
{
	char big[2 * DM_BUILD_VERSION_MAX], exact[DM_BUILD_VERSION_MAX + 1];

	version_case("version=0.1.0\nformat=1\n", "0.1.0", "first line");
	version_case("format=1\nversion=1.2.3-rc1+g0abc\n", "1.2.3-rc1+g0abc",
		     "a later line");
	version_case("version=0.2.0", "0.2.0", "no newline at the end");
	version_case("format=1\nmax_keys=2\n", NULL, "none");
	version_case("", NULL, "empty file");
	version_case("version=\nformat=1\n", NULL, "empty value");
	version_case("version=1 2\n", NULL, "a space");
	version_case("version=1\t2\n", NULL, "a tab");
	version_case("version=1\x7f\n", NULL, "DEL");
	version_case("version=\xc3\xa9\n", NULL, "non-ASCII");
	version_case("xversion=9\nversion=1\n", "1", "only at a line's start");
	version_case("sub_version=9\n", NULL, "not a suffix");
	memset(exact, 'v', DM_BUILD_VERSION_MAX);
	exact[DM_BUILD_VERSION_MAX] = '\0';
	snprintf(big, sizeof(big), "version=%s\n", exact);
	version_case(big, exact, "DM_BUILD_VERSION_MAX bytes");
	snprintf(big, sizeof(big), "version=%sv\n", exact);
	version_case(big, NULL, "one byte too long");
}

static void test_status_path(void)
{
	char buf[256], saw[256];
	const char *old = getenv("DROPMON_DEBUGFS");
	char *keep = old ? strdup(old) : NULL;
	const char *p;

	setenv("DROPMON_DEBUGFS", "/x/debugfs", 1);
	check_str("/x/debugfs/dropmon/status",
		  dm_status_path(buf, sizeof(buf), NULL),
		  "build_info: status path without -f: debugfs");
	check_str("/a/b/status", dm_status_path(buf, sizeof(buf), "/a/b/totals"),
		  "build_info: status path beside -f /a/b/totals");
	check_str("status", dm_status_path(buf, sizeof(buf), "totals"),
		  "build_info: status path beside -f totals (cwd)");
	check_str("/status", dm_status_path(buf, sizeof(buf), "/totals"),
		  "build_info: status path beside -f /totals");
	p = dm_status_path(buf, sizeof(buf), "-");
	snprintf(saw, sizeof(saw), "%s", p ? p : "(none)");
	check_str("(none)", saw, "build_info: no status path for -f -");
	if (keep) {
		setenv("DROPMON_DEBUGFS", keep, 1);
		free(keep);
	} else {
		unsetenv("DROPMON_DEBUGFS");
	}
}

static void test_exposition(void)
{
	char *s = NULL;
	size_t len;
	FILE *out = open_memstream(&s, &len);

	if (!out) {
		perror("test_stats: open_memstream");
		exit(2);
	}
	dm_prom_build_info(out, "0.1.0", "6.1.0-57-cloud-amd64", 2);
	dm_prom_build_info(out, "a\"b", "c\\d\ne", 1);
	fclose(out);
	check_str("# HELP dropmon_build_info The dropmon module's version, the kernel release it runs on and the format of the file read; always 1.\n"
		  "# TYPE dropmon_build_info gauge\n"
		  "dropmon_build_info{version=\"0.1.0\",kernel=\"6.1.0-57-cloud-amd64\",format=\"2\"} 1\n"
		  "# HELP dropmon_build_info The dropmon module's version, the kernel release it runs on and the format of the file read; always 1.\n"
		  "# TYPE dropmon_build_info gauge\n"
		  "dropmon_build_info{version=\"a\\\"b\",kernel=\"c\\\\d\\ne\",format=\"1\"} 1\n",
		  s, "build_info: exposition, labels escaped");
	free(s);
}

void test_buildinfo_lib(void)
{
	test_status_version();
	test_status_path();
	test_exposition();
}

/* The last line of @b (without its '\n'), in @line. */
static void last_line(const struct buf *b, char *line, size_t size)
{
	size_t end = b->len, start;

	if (end && b->p[end - 1] == '\n')
		end--;
	for (start = end; start && b->p[start - 1] != '\n'; start--)
		;
	snprintf(line, size, "%.*s", (int)(end - start), b->p + start);
}

static bool write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		fail("a written file", "an error", "build_info: write %s", path);
		return false;
	}
	chmod(path, mode);
	return true;
}

/* Run "@bin --prometheus -f @file" (as @uid); check its last line. */
static void bin_case(const char *bin, const char *file, const char *stdin_path,
		     uid_t uid, const char *version, const char *what)
{
	char *argv[] = { (char *)bin, "--prometheus", "-f", (char *)file, NULL };
	struct run_spec spec = { .stdin_path = stdin_path, .uid = uid };
	char exp[512], saw[512];
	struct run_result res;
	struct utsname u;

	if (uname(&u)) {
		fail("uname() to work", "an error", "build_info: uname");
		return;
	}
	run(argv, &spec, &res);
	if (res.status == 125) {
		quote(saw, sizeof(saw), res.err.p, res.err.len);
		fail("a child running as uid 65534", saw, "%s build_info, %s: drop privileges",
		     bin, what);
		free_result(&res);
		return;
	}
	check_u64(0, res.status, "%s build_info, %s: exit code", bin, what);
	snprintf(exp, sizeof(exp), "dropmon_build_info{version=\"%s\",kernel=\"%s\",format=\"1\"} 1",
		 version, u.release);
	last_line(&res.out, saw, sizeof(saw));
	check_str(exp, saw, "%s build_info, %s", bin, what);
	free_result(&res);
}

void test_buildinfo_binary(const char *bin, const char *fixtures,
			   const char *tmpdir)
{
	char *dir = path_join(tmpdir, "buildinfo"), *totals, *status, *fx;
	struct buf b;

	fx = path_join(fixtures, "totals.stats");
	totals = path_join(dir, "totals");
	status = path_join(dir, "status");
	mkdir(dir, 0755);
	if (!read_path(fx, &b))
		goto out;
	if (!write_file(totals, b.p, 0644)) {
		free(b.p);
		goto out;
	}
	free(b.p);
	/* no status file beside it: dropmon-show's own version */
	bin_case(bin, totals, NULL, 0, DROPMON_VERSION, "no status file");
	if (write_file(status, "version=7.7.7-test\nformat=1\nmax_keys=2048\n", 0644))
		bin_case(bin, totals, NULL, 0, "7.7.7-test", "status beside -f");
	/* stdin has no directory: never the status of the cwd */
	bin_case(bin, "-", totals, 0, DROPMON_VERSION, "-f -");
	if (write_file(status, "format=1\nversion=a b\n", 0644))
		bin_case(bin, totals, NULL, 0, DROPMON_VERSION, "bad version in status");
	if (geteuid() == 0 &&
	    write_file(status, "version=7.7.7-test\n", 0))
		bin_case(bin, totals, NULL, 65534, DROPMON_VERSION,
			 "status unreadable (mode 0000, uid 65534)");
	unlink(status);
	unlink(totals);
	rmdir(dir);
out:
	free(fx);
	free(totals);
	free(status);
	free(dir);
}
