/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netns.h - names for network namespace inodes, for an operator: what
 * `ip netns` calls it, the container (and pod) that runs in it, or its
 * lowest process.  See dropmon-show(8), "NETWORK NAMESPACE NAMES".
 *
 * In order, the first rule that applies names an inode:
 *   1. netns      a bind mount NETNS_DIR/NAME of that namespace (stat()
 *                 gives the inode, on nsfs): "NAME".  A name a runtime
 *                 generated (cni-<uuid>, a bare UUID) yields to rules 2
 *                 and 3 below, so that a pod is named as a pod.
 *   2. host       the namespace of pid 1: "host" (its processes include
 *                 host-network containers, which do not name it).
 *   3. container  the cgroup of its lowest pid that runs in a container
 *                 (cgroup.h): "pod <uid> container <id12>",
 *                 "<runtime> <id12>", "machine <name>".
 *   4. process    its lowest pid and that one's command: "pid 1234 nginx".
 *   5. none       nothing above (gone, no process, or unreadable): "-".
 *
 * One resolution reads NETNS_DIR once and PROC once: each /proc/PID in
 * ascending pid order, one readlink of ns/net each, the cgroup (and comm)
 * only of processes in a namespace asked for and not named yet; it stops
 * as soon as every namespace asked for is named by a final rule (1-3).
 */
#ifndef DROPMON_NETNS_H
#define DROPMON_NETNS_H

#include <stddef.h>

#include "cgroup.h"

enum dm_ns_source {
	DM_NS_NONE,
	DM_NS_NETNS,
	DM_NS_HOST,
	DM_NS_CONTAINER,
	DM_NS_PROCESS,
	DM_NR_NS_SOURCES,
};

/* "none", "netns", "host", "container", "process" */
extern const char *const dm_ns_source_names[DM_NR_NS_SOURCES];

#define DM_NS_NAME_MAX	320	/* a 255-byte ip netns name, or the rest */
#define DM_COMM_MAX	64

struct dm_ns_name {
	unsigned int inode;
	enum dm_ns_source source;
	char name[DM_NS_NAME_MAX];	/* what the table shows; never empty */
	int pid;			/* host, container, process: its pid */
	char comm[DM_COMM_MAX];		/* process: the pid's command */
	struct dm_container ct;		/* container */
	int weak;			/* netns: a generated name (internal) */
};

struct dm_ns_scan {
	size_t entries;		/* /proc entries that are pids */
	size_t processes;	/* ... whose ns/net was read */
	size_t unreadable;	/* ... whose ns/net was refused (EACCES) */
	int stopped_early;	/* all named before the last pid */
};

/* Sorted by inode, one per distinct inode asked for. */
struct dm_ns_names {
	struct dm_ns_name *v;
	size_t nr;
	struct dm_ns_scan scan;
};

struct dm_ns_roots {
	const char *proc;	/* $DROPMON_PROC_ROOT or /proc */
	const char *netns_dir;	/* $DROPMON_NETNS_DIR or /run/netns */
};

void dm_ns_roots_default(struct dm_ns_roots *r);

/*
 * Name the @nr inodes at @inodes (any order, repeats and 0 allowed: 0 is
 * "none") into @n.  Returns 0, or -ENOMEM with @n empty.  Release @n
 * with dm_ns_names_free().
 */
int dm_ns_resolve(struct dm_ns_names *n, const unsigned int *inodes,
		  size_t nr, const struct dm_ns_roots *roots);

/* The entry of @inode, or NULL if it was not asked for. */
const struct dm_ns_name *dm_ns_lookup(const struct dm_ns_names *n,
				      unsigned int inode);

void dm_ns_names_free(struct dm_ns_names *n);

/* Fill e->name from e->source and the fields it uses (dm_ns_resolve()
 * does; for tests and the fuzzer). */
void dm_ns_name_display(struct dm_ns_name *e);

#endif /* DROPMON_NETNS_H */
