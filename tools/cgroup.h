/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup.h - the container a process runs in, read off its cgroup path
 * (the contents of /proc/PID/cgroup).  Pure: no I/O, no global state, and
 * never reads outside the given buffer (which needs no NUL).
 *
 * Layouts recognised, cgroup v2 ("0::PATH") and v1 ("N:CONTROLLERS:PATH"):
 *
 *   Docker        /system.slice/docker-<id>.scope      (systemd driver)
 *                 /docker/<id>                         (cgroupfs driver)
 *   containerd    .../cri-containerd-<id>.scope
 *   CRI-O         .../crio-<id>.scope  (crio-conmon-<id>.scope: not it)
 *   Podman        .../libpod-<id>.scope, /libpod_parent/libpod-<id>
 *                 (libpod-conmon-<id>.scope: not it)
 *   Kubernetes    /kubepods.slice/kubepods-<qos>.slice/
 *                   kubepods-<qos>-pod<uid with _>.slice/<one of the above>
 *                 /kubepods/<qos>/pod<uid>/<id>        (cgroupfs driver)
 *                 (and the guaranteed class without <qos>)
 *   machined      /machine.slice/machine-<name>.scope  (systemd-nspawn,
 *                 systemd escapes such as \x2d undone in <name>)
 *
 * <id> is 12 to 128 lowercase hex digits (64 from every runtime above);
 * a pod UID 32 to 36 of [0-9a-f-].  The innermost container of a path
 * wins (Kubernetes in Docker: the pod's container, not the node's), with
 * the pod whose component lies between it and the container before it.
 */
#ifndef DROPMON_CGROUP_H
#define DROPMON_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#define DM_CT_ID_MAX		128
#define DM_POD_UID_MAX		36

struct dm_container {
	const char *runtime;	/* "docker", "containerd", "crio", "podman",
				 * "machine", or NULL (kubepods cgroupfs: a
				 * CRI runtime that does not say which) */
	char id[DM_CT_ID_MAX + 1];	/* container ID or machine name; "" if
					 * only a pod was found */
	char pod_uid[DM_POD_UID_MAX + 1];	/* "" outside a pod */
};

/*
 * The container of one cgroup path (@len bytes at @path, no "0::").
 * Returns true and fills @c if the path names one (or a pod).
 */
bool dm_cgroup_path_container(const char *path, size_t len,
			      struct dm_container *c);

/*
 * The container of a /proc/PID/cgroup file's @len bytes: the v2 line
 * ("0::") first, then the v1 lines in order.  A last line without '\n'
 * counts (the file may have been cut by the reader's buffer: the caller
 * passes whole lines only).  Returns true and fills @c, or false.
 */
bool dm_cgroup_container(const char *buf, size_t len, struct dm_container *c);

#endif /* DROPMON_CGROUP_H */
