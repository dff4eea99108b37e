// SPDX-License-Identifier: GPL-2.0
/*
 * netns.c - names for network namespace inodes; see netns.h.
 */
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CGROUP_READ_MAX	16384

const char *const dm_ns_source_names[DM_NR_NS_SOURCES] = {
	[DM_NS_NONE]		= "none",
	[DM_NS_NETNS]		= "netns",
	[DM_NS_HOST]		= "host",
	[DM_NS_CONTAINER]	= "container",
	[DM_NS_PROCESS]		= "process",
};

void dm_ns_roots_default(struct dm_ns_roots *r)
{
	const char *p = getenv("DROPMON_PROC_ROOT");
	const char *d = getenv("DROPMON_NETNS_DIR");

	r->proc = p && *p ? p : "/proc";
	r->netns_dir = d && *d ? d : "/run/netns";
}

static int cmp_inode(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static int cmp_entry(const void *key, const void *e)
{
	unsigned int x = *(const unsigned int *)key;
	unsigned int y = ((const struct dm_ns_name *)e)->inode;

	return x < y ? -1 : x > y;
}

const struct dm_ns_name *dm_ns_lookup(const struct dm_ns_names *n,
				      unsigned int inode)
{
	if (!n || !n->nr)
		return NULL;
	return bsearch(&inode, n->v, n->nr, sizeof(*n->v), cmp_entry);
}

static struct dm_ns_name *find(struct dm_ns_names *n, unsigned long long ino)
{
	if (ino == 0 || ino > UINT_MAX)
		return NULL;
	return (struct dm_ns_name *)dm_ns_lookup(n, (unsigned int)ino);
}

void dm_ns_names_free(struct dm_ns_names *n)
{
	free(n->v);
	memset(n, 0, sizeof(*n));
}

/* Named for good: nothing later in the scan can change it. */
static int final(const struct dm_ns_name *e)
{
	return (e->source == DM_NS_NETNS && !e->weak) ||
	       e->source == DM_NS_HOST || e->source == DM_NS_CONTAINER;
}

/* ------------------------------------------------------------------ */
/* Rule 1: NETNS_DIR                                                   */
/* ------------------------------------------------------------------ */

static int uuid_at(const char *s)
{
	size_t i;

	for (i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return 0;
		}
	}
	return s[36] == '\0';
}

/* Names runtimes generate: containerd's cni-<uuid>, CRI-O's <uuid>. */
static int generated(const char *name)
{
	size_t len = strlen(name);

	if (len == 36)
		return uuid_at(name);
	return len == 40 && strncmp(name, "cni-", 4) == 0 && uuid_at(name + 4);
}

/* Several names for one namespace: a chosen one before a generated one,
 * then the smallest, so that the result does not depend on readdir. */
static int better_name(const struct dm_ns_name *e, const char *name, int weak)
{
	if (e->source != DM_NS_NETNS)
		return 1;
	if (weak != e->weak)
		return !weak;
	return strcmp(name, e->name) < 0;
}

static void scan_netns_dir(struct dm_ns_names *n, const char *dir,
			   const struct stat *nsfs)
{
	struct dirent *d;
	struct stat st;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp))) {
		struct dm_ns_name *e;
		int weak;

		if (d->d_name[0] == '.' || strlen(d->d_name) >= DM_NS_NAME_MAX)
			continue;
		/* follows the bind mount: st_ino is the namespace's inode;
		 * a file left over from a failed ip netns add is not nsfs */
		if (fstatat(dirfd(dp), d->d_name, &st, 0) ||
		    st.st_dev != nsfs->st_dev)
			continue;
		e = find(n, st.st_ino);
		weak = generated(d->d_name);
		if (!e || !better_name(e, d->d_name, weak))
			continue;
		e->source = DM_NS_NETNS;
		e->weak = weak;
		snprintf(e->name, sizeof(e->name), "%s", d->d_name);
	}
	closedir(dp);
}

/* ------------------------------------------------------------------ */
/* Rules 2-4: /proc                                                    */
/* ------------------------------------------------------------------ */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* The pids under @proc, ascending; NULL on failure (*nr = 0). */
static int *list_pids(int procfd, size_t *nr)
{
	size_t cap = 0;
	int *pids = NULL, fd = dup(procfd);
	struct dirent *d;
	DIR *dp;

	*nr = 0;
	if (fd < 0)
		return NULL;
	dp = fdopendir(fd);
	if (!dp) {
		close(fd);
		return NULL;
	}
	while ((d = readdir(dp))) {
		char *end;
		long pid;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		errno = 0;
		pid = strtol(d->d_name, &end, 10);
		if (*end || errno || pid > INT_MAX)
			continue;
		if (*nr == cap) {
			int *p = realloc(pids, (cap ? cap * 2 : 1024) * sizeof(*p));

			if (!p)
				break;
			pids = p;
			cap = cap ? cap * 2 : 1024;
		}
		pids[(*nr)++] = (int)pid;
	}
	closedir(dp);
	/* procfs lists pids ascending: sorting is then one cheap pass */
	if (pids)
		qsort(pids, *nr, sizeof(*pids), cmp_int);
	return pids;
}

/* "net:[4026531840]" of /proc/PID/ns/net; 0 if unreadable. */
static unsigned long long pid_netns(int procfd, int pid, int *refused)
{
	char path[32], link[64], *end;
	unsigned long long ino;
	ssize_t len;

	snprintf(path, sizeof(path), "%d/ns/net", pid);
	len = readlinkat(procfd, path, link, sizeof(link) - 1);
	if (len < 0) {
		*refused = errno == EACCES || errno == EPERM;
		return 0;
	}
	link[len] = '\0';
	if (strncmp(link, "net:[", 5) != 0 || link[5] < '0' || link[5] > '9')
		return 0;
	errno = 0;
	ino = strtoull(link + 5, &end, 10);
	if (errno || strcmp(end, "]") != 0)
		return 0;
	return ino;
}

/* Up to @size - 1 bytes of /proc/PID/@file; -1 if unreadable. */
static ssize_t read_pid_file(int procfd, int pid, const char *file,
			     char *buf, size_t size)
{
	char path[48];
	ssize_t len = 0, r;
	int fd;

	snprintf(path, sizeof(path), "%d/%s", pid, file);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1) {
		r = read(fd, buf + len, size - 1 - (size_t)len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

static int pid_container(int procfd, int pid, struct dm_container *ct)
{
	char *buf = malloc(CGROUP_READ_MAX);
	ssize_t len;
	int ok = 0;

	if (!buf)
		return 0;
	len = read_pid_file(procfd, pid, "cgroup", buf, CGROUP_READ_MAX);
	if (len >= CGROUP_READ_MAX - 1) {
		/* cut: whole lines only */
		char *nl = memrchr(buf, '\n', (size_t)len);

		len = nl ? nl - buf : 0;
	}
	if (len > 0)
		ok = dm_cgroup_container(buf, (size_t)len, ct);
	free(buf);
	return ok;
}

static int pid_comm(int procfd, int pid, char *comm, size_t size)
{
	ssize_t len = read_pid_file(procfd, pid, "comm", comm, size);

	if (len < 0)
		return 0;
	while (len > 0 && comm[len - 1] == '\n')
		comm[--len] = '\0';
	return 1;
}

/* One pid in @e's namespace: the rules that are still open. */
static void visit(struct dm_ns_name *e, int procfd, int pid)
{
	struct dm_container ct;

	if (pid == 1) {
		e->source = DM_NS_HOST;
		e->pid = 1;
		return;
	}
	if (pid_container(procfd, pid, &ct)) {
		e->source = DM_NS_CONTAINER;
		e->pid = pid;
		e->ct = ct;
		return;
	}
	if (e->source == DM_NS_NONE &&
	    pid_comm(procfd, pid, e->comm, sizeof(e->comm))) {
		e->source = DM_NS_PROCESS;
		e->pid = pid;
	}
}

static void scan_proc(struct dm_ns_names *n, int procfd, size_t open)
{
	size_t nr, i;
	int *pids = list_pids(procfd, &nr);

	n->scan.entries = nr;
	for (i = 0; i < nr && open; i++) {
		int refused = 0;
		unsigned long long ino = pid_netns(procfd, pids[i], &refused);
		struct dm_ns_name *e;

		if (!ino) {
			n->scan.unreadable += refused;
			continue;
		}
		n->scan.processes++;
		e = find(n, ino);
		if (!e || final(e))
			continue;
		visit(e, procfd, pids[i]);
		if (final(e))
			open--;
	}
	n->scan.stopped_early = i < nr;
	free(pids);
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

void dm_ns_name_display(struct dm_ns_name *e)
{
	const struct dm_container *ct = &e->ct;
	size_t sz = sizeof(e->name);

	switch (e->source) {
	case DM_NS_NETNS:
		break;
	case DM_NS_HOST:
		snprintf(e->name, sz, "host");
		break;
	case DM_NS_CONTAINER:
		if (ct->pod_uid[0] && ct->id[0])
			snprintf(e->name, sz, "pod %s container %.12s",
				 ct->pod_uid, ct->id);
		else if (ct->pod_uid[0])
			snprintf(e->name, sz, "pod %s", ct->pod_uid);
		else if (ct->runtime && strcmp(ct->runtime, "machine") == 0)
			snprintf(e->name, sz, "machine %s", ct->id);
		else
			snprintf(e->name, sz, "%s %.12s",
				 ct->runtime ? ct->runtime : "container",
				 ct->id);
		break;
	case DM_NS_PROCESS:
		snprintf(e->name, sz, e->comm[0] ? "pid %d %s" : "pid %d",
			 e->pid, e->comm);
		break;
	default:
		snprintf(e->name, sz, "-");
		break;
	}
}

int dm_ns_resolve(struct dm_ns_names *n, const unsigned int *inodes,
		  size_t nr, const struct dm_ns_roots *roots)
{
	unsigned int *sorted;
	struct stat nsfs;
	size_t i, open = 0;
	char self[PATH_MAX];
	int procfd;

	memset(n, 0, sizeof(*n));
	sorted = malloc((nr ? nr : 1) * sizeof(*sorted));
	n->v = calloc(nr ? nr : 1, sizeof(*n->v));
	if (!sorted || !n->v) {
		free(sorted);
		dm_ns_names_free(n);
		return -ENOMEM;
	}
	if (nr)
		memcpy(sorted, inodes, nr * sizeof(*sorted));
	qsort(sorted, nr, sizeof(*sorted), cmp_inode);
	for (i = 0; i < nr; i++)
		if (!n->nr || n->v[n->nr - 1].inode != sorted[i])
			n->v[n->nr++].inode = sorted[i];
	free(sorted);

	/* nsfs is one filesystem: its device is that of our own netns */
	snprintf(self, sizeof(self), "%s/self/ns/net", roots->proc);
	if (stat(self, &nsfs) == 0)
		scan_netns_dir(n, roots->netns_dir, &nsfs);
	for (i = 0; i < n->nr; i++)
		open += n->v[i].inode && !final(&n->v[i]);
	procfd = open ? openat(AT_FDCWD, roots->proc,
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (procfd >= 0) {
		scan_proc(n, procfd, open);
		close(procfd);
	}
	for (i = 0; i < n->nr; i++)
		dm_ns_name_display(&n->v[i]);
	return 0;
}
