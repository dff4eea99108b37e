// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - stdout and atomic file output; see output.h.
 */
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= n;
	}
	return 0;
}

static int write_error(struct dm_error *e, const char *what,
		       const char *path, int err)
{
	e->code = DM_EXIT_ENV;
	e->errnum = err;
	snprintf(e->msg, sizeof(e->msg), "%s %s: %s; check that the directory exists and is writable",
		 what, path, strerror(err));
	return e->code;
}

int dm_write_stdout(const char *data, size_t len, struct dm_error *e)
{
	int ret = write_all(STDOUT_FILENO, data, len);

	memset(e, 0, sizeof(*e));
	if (ret) {
		e->code = DM_EXIT_ENV;
		e->errnum = -ret;
		snprintf(e->msg, sizeof(e->msg), "error writing output: %s; check the output destination",
			 strerror(-ret));
		return e->code;
	}
	return 0;
}

/* "DIR/.NAME.XXXXXX" for @path "DIR/NAME" (or "NAME"). */
static char *temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	size_t len = strlen(path) + sizeof("/..XXXXXX");
	char *tmp = malloc(len);

	if (tmp)
		snprintf(tmp, len, "%.*s.%s.XXXXXX", (int)dirlen, path,
			 path + dirlen);
	return tmp;
}

/* Make the rename durable; best effort, a failure loses nothing. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : slash - path)
			  : strdup(".");
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

static mode_t file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

int dm_write_atomic(const char *path, const char *data, size_t len,
		    struct dm_error *e)
{
	char *tmp = temp_name(path);
	int fd, ret;

	memset(e, 0, sizeof(*e));
	if (!tmp)
		return write_error(e, "cannot write", path, ENOMEM);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = write_error(e, "cannot create a temporary file for", path,
				  errno);
		free(tmp);
		return ret;
	}
	/*
	 * Locked until renamed or removed: see dm_clean_stale_temps().  Best
	 * effort: where flock() fails, the file's age still protects it.
	 */
	(void)flock(fd, LOCK_EX);
	ret = fchmod(fd, file_mode()) ? -errno : 0;
	if (!ret)
		ret = write_all(fd, data, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		free(tmp);
		return write_error(e, "cannot write", path, -ret);
	}
	free(tmp);
	sync_dir(path);
	return 0;
}

/* ".NAME." then the six letters and digits of mkostemp(). */
static bool is_temp_of(const char *name, const char *base)
{
	size_t len = strlen(base), i;

	if (name[0] != '.' || strncmp(name + 1, base, len) != 0 ||
	    name[len + 1] != '.' || strlen(name + len + 2) != 6)
		return false;
	for (i = len + 2; name[i]; i++) {
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return false;
	}
	return true;
}

/* Remove @name in @dirfd if it is a stale temporary file of ours. */
static void clean_one(int dirfd, const char *dir, const char *name)
{
	struct stat a, b;
	time_t now = time(NULL);
	int fd;

	if (fstatat(dirfd, name, &a, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISREG(a.st_mode) || a.st_uid != geteuid() ||
	    a.st_mtime + DM_TEMP_STALE_S > now)
		return;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	/* the same file, and no writer holds its lock */
	if (fstat(fd, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
	    flock(fd, LOCK_EX | LOCK_NB) == 0 && unlinkat(dirfd, name, 0) == 0)
		fprintf(stderr, "dropmon-show: removed %s/%s, a temporary file left by a run that was killed\n",
			dir, name);
	close(fd);
}

void dm_clean_stale_temps(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir = slash ? strndup(path, slash == path ? 1 : slash - path)
			  : strdup(".");
	struct dirent *de;
	DIR *d;

	if (!dir || !*base) {
		free(dir);
		return;
	}
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (is_temp_of(de->d_name, base))
			clean_one(dirfd(d), dir, de->d_name);
	if (d)
		closedir(d);
	free(dir);
}
