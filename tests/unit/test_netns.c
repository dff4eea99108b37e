// SPDX-License-Identifier: GPL-2.0
/*
 * test_netns.c - unit tests of dropmon-show's netns names: the cgroup
 * path parser (every runtime's layout, v1 and v2, odd inputs), the
 * resolver over fixture /proc and /run/netns trees built here (missing
 * and unreadable entries, processes gone mid-scan, a stale netns file,
 * early stop), its cost over 5000 fake processes, the names in the table,
 * JSON and Prometheus, and the binary with DROPMON_PROC_ROOT.
 */
#include "test_netns.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "check.h"
#include "filter.h"
#include "format.h"
#include "netns.h"
#include "prom.h"

#define ID64	"4f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
#define ID64B	"aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999"
#define UID	"5b7e8a3c-2a1d-4f6e-9b0a-1c2d3e4f5a6b"
#define UIDU	"5b7e8a3c_2a1d_4f6e_9b0a_1c2d3e4f5a6b"

/* ------------------------------------------------------------------ */
/* The cgroup parser                                                   */
/* ------------------------------------------------------------------ */

struct cg_case {
	const char *what;
	const char *file;	/* /proc/PID/cgroup */
	const char *runtime;	/* NULL: no container (or "-" for none known) */
	const char *id;
	const char *pod;
};

static const struct cg_case cg_cases[] = {
	{ "docker, systemd driver, v2",
	  "0::/system.slice/docker-" ID64 ".scope\n", "docker", ID64, "" },
	{ "docker, cgroupfs driver, v1 (v2 line '/')",
	  "12:pids:/docker/" ID64 "\n11:memory:/docker/" ID64 "\n1:name=systemd:/docker/" ID64 "\n0::/\n",
	  "docker", ID64, "" },
	{ "docker, v1 only, cpu,cpuacct",
	  "4:cpu,cpuacct:/docker/" ID64 "\n", "docker", ID64, "" },
	{ "containerd, kubepods burstable, systemd driver",
	  "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice/cri-containerd-" ID64 ".scope\n",
	  "containerd", ID64, UID },
	{ "containerd, kubepods besteffort, systemd driver",
	  "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU ".slice/cri-containerd-" ID64 ".scope\n",
	  "containerd", ID64, UID },
	{ "containerd, kubepods guaranteed (no qos slice)",
	  "0::/kubepods.slice/kubepods-pod" UIDU ".slice/cri-containerd-" ID64 ".scope\n",
	  "containerd", ID64, UID },
	{ "kubepods, cgroupfs driver, burstable",
	  "0::/kubepods/burstable/pod" UID "/" ID64 "\n", "-", ID64, UID },
	{ "kubepods, cgroupfs driver, guaranteed, v1",
	  "3:memory:/kubepods/pod" UID "/" ID64 "\n0::/\n", "-", ID64, UID },
	{ "static pod: a 32-hex config hash as UID",
	  "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0123456789abcdef0123456789abcdef.slice/cri-containerd-" ID64 ".scope\n",
	  "containerd", ID64, "0123456789abcdef0123456789abcdef" },
	{ "CRI-O", "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU ".slice/crio-" ID64 ".scope\n",
	  "crio", ID64, UID },
	{ "CRI-O conmon is not the container",
	  "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU ".slice/crio-conmon-" ID64 ".scope\n",
	  "-", "", UID },
	{ "docker under kubepods (cri-dockerd)",
	  "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice/docker-" ID64 ".scope\n",
	  "docker", ID64, UID },
	{ "podman, rootful", "0::/machine.slice/libpod-" ID64 ".scope\n",
	  "podman", ID64, "" },
	{ "podman, inner cgroup 'container'",
	  "0::/machine.slice/libpod-" ID64 ".scope/container\n", "podman", ID64, "" },
	{ "podman, rootless",
	  "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope\n",
	  "podman", ID64, "" },
	{ "podman conmon is not the container",
	  "0::/machine.slice/libpod-conmon-" ID64 ".scope\n", NULL, NULL, NULL },
	{ "podman, cgroupfs", "0::/libpod_parent/libpod-" ID64 "\n", "podman", ID64, "" },
	{ "systemd-nspawn, \\x2d unescaped",
	  "0::/machine.slice/machine-web\\x2d1.scope/payload\n", "machine", "web-1", "" },
	{ "systemd-nspawn, v1 name=systemd",
	  "1:name=systemd:/machine.slice/machine-db.scope\n0::/\n", "machine", "db", "" },
	{ "kind: the pod's container, not the node's",
	  "0::/system.slice/docker-" ID64B ".scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UIDU ".slice/cri-containerd-" ID64 ".scope\n",
	  "containerd", ID64, UID },
	{ "a pod below a container: the pod",
	  "0::/docker/" ID64B "/kubepods/besteffort/pod" UID "\n", "-", "", UID },
	{ "cgroup namespace: relative path",
	  "0::/../../kubepods.slice/kubepods-pod" UIDU ".slice/cri-containerd-" ID64 ".scope\n",
	  "containerd", ID64, UID },
	{ "host: init.scope", "0::/init.scope\n", NULL, NULL, NULL },
	{ "host: user session", "0::/user.slice/user-0.slice/session-1.scope\n", NULL, NULL, NULL },
	{ "docker-compose unit is no container",
	  "0::/system.slice/docker-compose@web.service\n", NULL, NULL, NULL },
	{ "ID not hex", "0::/system.slice/docker-" "zz1a2b3c4d5e" ".scope\n", NULL, NULL, NULL },
	{ "ID upper case", "0::/system.slice/docker-4F1A2B3C4D5E.scope\n", NULL, NULL, NULL },
	{ "ID too short (11)", "0::/system.slice/docker-4f1a2b3c4d5.scope\n", NULL, NULL, NULL },
	{ "ID of 12", "0::/system.slice/docker-4f1a2b3c4d5e.scope\n", "docker", "4f1a2b3c4d5e", "" },
	{ "ID of 129", "0::/system.slice/docker-" ID64 ID64 "0.scope\n", NULL, NULL, NULL },
	{ "bare hex under docker but no docker component",
	  "0::/system.slice/" ID64 "\n", NULL, NULL, NULL },
	{ "a bad pod UID after a good one leaves the good one (fuzz_cgroup)",
	  "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice/kubepods-burstable-pod5b7e8a3c_2a1d_4f6e^9b0a_1c2d3e4f5a6b.slice/cri-containerd-" ID64 ".scope\n",
	  "containerd", ID64, UID },
	{ "pod UID too short", "0::/kubepods/burstable/pod5b7e8a3c/" ID64 "\n", NULL, NULL, NULL },
	{ "pod without kubepods above", "0::/foo/pod" UID "/" ID64 "\n", NULL, NULL, NULL },
	{ "non-UTF-8 bytes", "0::/system.slice/docker-\xff\xfe" ID64 ".scope\n", NULL, NULL, NULL },
	{ "non-UTF-8 machine name", "0::/machine.slice/machine-\xff\\xfe.scope\n",
	  "machine", "\xff\xfe", "" },
	{ "machine name with \\x00 refused", "0::/machine.slice/machine-a\\x00b.scope\n", NULL, NULL, NULL },
	{ "empty file", "", NULL, NULL, NULL },
	{ "no colons", "garbage\n", NULL, NULL, NULL },
	{ "one colon", "0:/docker/" ID64 "\n", NULL, NULL, NULL },
	{ "no final newline", "0::/system.slice/docker-" ID64 ".scope", "docker", ID64, "" },
	{ "v2 preferred to v1",
	  "1:name=systemd:/system.slice/docker-" ID64B ".scope\n0::/system.slice/docker-" ID64 ".scope\n",
	  "docker", ID64, "" },
	{ "trailing slash", "0::/system.slice/docker-" ID64 ".scope/\n", "docker", ID64, "" },
	{ "doubled slashes", "0:://system.slice//docker-" ID64 ".scope\n", "docker", ID64, "" },
};

static void test_cgroup_cases(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cg_cases); i++) {
		const struct cg_case *t = &cg_cases[i];
		size_t len = strlen(t->file);
		char *copy = xmalloc(len ? len : 1);	/* exact size: ASan */
		struct dm_container c;
		bool ok;

		memcpy(copy, t->file, len);
		memset(&c, 0x5a, sizeof(c));
		ok = dm_cgroup_container(copy, len, &c);
		free(copy);
		if (!t->runtime) {
			check_u64(0, ok, "cgroup: %s: no container", t->what);
			continue;
		}
		if (!check_u64(1, ok, "cgroup: %s: a container", t->what))
			continue;
		check_str(strcmp(t->runtime, "-") ? t->runtime : "(null)",
			  c.runtime ? c.runtime : "(null)", "cgroup: %s: runtime",
			  t->what);
		check_str(t->id, c.id, "cgroup: %s: id", t->what);
		check_str(t->pod, c.pod_uid, "cgroup: %s: pod uid", t->what);
	}
}

/* A path of 4000 components, and one line of 64 KiB, parse in bounds. */
static void test_cgroup_long(void)
{
	size_t n = 4000 * 2 + 200, len = 0, i;
	char *buf = xmalloc(n);
	struct dm_container c;

	len += snprintf(buf, n, "0::");
	for (i = 0; i < 4000; i++)
		buf[len++] = '/', buf[len++] = 'a';
	len += snprintf(buf + len, n - len, "/docker-%s.scope", ID64);
	check_u64(1, dm_cgroup_container(buf, len, &c),
		  "cgroup: 4000 components, then docker-ID.scope");
	check_str(ID64, c.id, "cgroup: 4000 components: the id");
	free(buf);

	n = 65536;
	buf = xmalloc(n);
	memcpy(buf, "0::/", 4);
	memset(buf + 4, 'x', n - 4);
	check_u64(0, dm_cgroup_container(buf, n, &c),
		  "cgroup: one 64 KiB component, no newline: none");
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Fixture trees                                                       */
/* ------------------------------------------------------------------ */

struct tree {
	char *root, *proc, *netns;
};

static void xwrite(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		fprintf(stderr, "test_netns: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	close(fd);
}

static void xmkdir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "test_netns: mkdir %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

/*
 * /proc/PID: ns/net a symlink to "net:[INO]" (0: none; ~0u: a regular
 * file, which readlink refuses), cgroup and comm (NULL: missing, as for a
 * process that exited between readdir and the read).
 */
static void add_pid(const struct tree *t, const char *pid, unsigned int ino,
		    const char *cgroup, const char *comm)
{
	char p[4096], link[32];

	snprintf(p, sizeof(p), "%s/%s", t->proc, pid);
	xmkdir(p);
	snprintf(p, sizeof(p), "%s/%s/ns", t->proc, pid);
	xmkdir(p);
	snprintf(p, sizeof(p), "%s/%s/ns/net", t->proc, pid);
	if (ino == ~0u) {
		xwrite(p, "net:[1]");
	} else if (ino) {
		snprintf(link, sizeof(link), "net:[%u]", ino);
		if (symlink(link, p)) {
			fprintf(stderr, "test_netns: symlink %s: %s\n", p, strerror(errno));
			exit(2);
		}
	}
	if (cgroup) {
		snprintf(p, sizeof(p), "%s/%s/cgroup", t->proc, pid);
		xwrite(p, cgroup);
	}
	if (comm) {
		snprintf(p, sizeof(p), "%s/%s/comm", t->proc, pid);
		xwrite(p, comm);
	}
}

/* A tree in @tmpdir/@name: PROC/self/ns/net a file, so that the fixture's
 * filesystem stands for nsfs (netns files on it count). */
static void tree_init(struct tree *t, const char *tmpdir, const char *name)
{
	char p[4096];

	t->root = path_join(tmpdir, name);
	t->proc = path_join(t->root, "proc");
	t->netns = path_join(t->root, "netns");
	xmkdir(t->root);
	xmkdir(t->proc);
	xmkdir(t->netns);
	snprintf(p, sizeof(p), "%s/self", t->proc);
	xmkdir(p);
	snprintf(p, sizeof(p), "%s/self/ns", t->proc);
	xmkdir(p);
	snprintf(p, sizeof(p), "%s/self/ns/net", t->proc);
	xwrite(p, "");
}

/* An ip netns file; returns its inode, the netns it stands for. */
static unsigned int add_netns(const struct tree *t, const char *name)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", t->netns, name);
	xwrite(p, "");
	if (stat(p, &st) || st.st_ino > 0xffffffffu) {
		fprintf(stderr, "test_netns: stat %s failed or inode too large\n", p);
		exit(2);
	}
	return (unsigned int)st.st_ino;
}

/* Another name of the namespace of @name: a hard link, same inode. */
static void link_netns(const struct tree *t, const char *name, const char *as)
{
	char a[4096], b[4096];

	snprintf(a, sizeof(a), "%s/%s", t->netns, name);
	snprintf(b, sizeof(b), "%s/%s", t->netns, as);
	if (link(a, b)) {
		fprintf(stderr, "test_netns: link %s %s: %s\n", a, b, strerror(errno));
		exit(2);
	}
}

static void tree_free(struct tree *t)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd) != 0)
		fprintf(stderr, "test_netns: %s failed\n", cmd);
	free(t->root);
	free(t->proc);
	free(t->netns);
}

static int resolve(const struct tree *t, const unsigned int *inodes, size_t nr,
		   struct dm_ns_names *n)
{
	struct dm_ns_roots r = { .proc = t->proc, .netns_dir = t->netns };

	return dm_ns_resolve(n, inodes, nr, &r);
}

static void expect_name(const struct dm_ns_names *n, unsigned int ino,
			const char *source, const char *name, int pid,
			const char *what)
{
	const struct dm_ns_name *e = dm_ns_lookup(n, ino);

	if (!check_u64(1, e != NULL, "netns: %s: inode %u asked for", what, ino))
		return;
	check_str(source, dm_ns_source_names[e->source], "netns: %s: source", what);
	check_str(name, e->name, "netns: %s: name", what);
	check_u64((unsigned int)pid, (unsigned int)e->pid, "netns: %s: pid", what);
}

/* Inodes of namespaces without a netns file: far above tmpfs' inodes. */
#define NS_HOST		4026531840u
#define NS_POD		4026532001u
#define NS_PROC		4026532002u
#define NS_DOCKER	4026532003u
#define NS_GONE		4026532004u
#define NS_MACHINE	4026532005u
#define NS_CNI		4026532006u	/* stands in: see test_resolve */
#define NS_LONELY	4026532007u

static void test_resolve(const char *tmpdir)
{
	struct tree t;
	struct dm_ns_names n;
	unsigned int blue, odd, cni, stale, q[16];
	char cg[512];
	struct stat st;
	size_t nq = 0;

	tree_init(&t, tmpdir, "netns-tree");
	/* five names of one namespace: a chosen one before a generated one,
	 * then the smallest, whatever the order of readdir (on tmpfs,
	 * newest first: azure is neither the first nor the last) */
	blue = add_netns(&t, "zed");
	link_netns(&t, "zed", "azure");
	link_netns(&t, "zed", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f2");
	link_netns(&t, "zed", "cni-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f3");
	link_netns(&t, "zed", "blue");
	odd = add_netns(&t, "\xff\xfe odd");
	cni = add_netns(&t, "cni-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	add_netns(&t, "cni-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1");	/* asked for by nobody */
	/* a netns file elsewhere than on "nsfs" is no netns: procfs' file */
	if (stat("/proc/version", &st) == 0 && st.st_ino <= 0xffffffffu) {
		char p[4096];

		stale = (unsigned int)st.st_ino;
		snprintf(p, sizeof(p), "%s/stale", t.netns);
		if (symlink("/proc/version", p))
			stale = 0;
	} else {
		stale = 0;
	}

	add_pid(&t, "1", NS_HOST, "0::/init.scope\n", "systemd\n");
	/* a host-network pod shares the host's namespace: still "host" */
	add_pid(&t, "40", NS_HOST,
		"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU ".slice/cri-containerd-" ID64B ".scope\n",
		"kube-proxy\n");
	/* a process in blue: the ip netns name wins */
	add_pid(&t, "50", blue, "0::/system.slice/docker-" ID64 ".scope\n", "sleep\n");
	/* a pod: pause (lowest pid) then the app */
	snprintf(cg, sizeof(cg), "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/cri-containerd-%s.scope\n",
		 UIDU, ID64);
	add_pid(&t, "100", NS_POD, cg, "pause\n");
	snprintf(cg, sizeof(cg), "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/cri-containerd-%s.scope\n",
		 UIDU, ID64B);
	add_pid(&t, "101", NS_POD, cg, "nginx\n");
	/* a plain process netns: its lowest pid that can still be read */
	add_pid(&t, "199", NS_PROC, "0::/user.slice\n", NULL);	/* exiting: no comm */
	add_pid(&t, "200", NS_PROC, "0::/user.slice\n", "nginx\n");
	add_pid(&t, "300", NS_PROC, NULL, "worker\n");
	/* docker: the lowest process has no cgroup file (gone): the next */
	add_pid(&t, "400", NS_DOCKER, NULL, NULL);
	add_pid(&t, "401", NS_DOCKER, "0::/system.slice/docker-" ID64 ".scope\n", "app\n");
	add_pid(&t, "500", NS_MACHINE, "0::/machine.slice/machine-web\\x2d1.scope/payload\n", "systemd\n");
	/* the generated cni name yields to the pod in it */
	snprintf(cg, sizeof(cg), "0::/kubepods/besteffort/pod%s/%s\n", UID, ID64B);
	add_pid(&t, "600", cni, cg, "pause\n");
	/* entries no scan may trip over */
	add_pid(&t, "700", 0, "0::/\n", "noname\n");		/* no ns/net */
	add_pid(&t, "701", ~0u, "0::/\n", "notalink\n");	/* ns/net a file */
	add_pid(&t, "12abc", NS_LONELY, "0::/\n", "notapid\n");
	add_pid(&t, "0", NS_LONELY, "0::/\n", "zero\n");
	add_pid(&t, "99999999999", NS_LONELY, "0::/\n", "huge\n");

	q[nq++] = NS_HOST;
	q[nq++] = blue;
	q[nq++] = odd;
	q[nq++] = NS_POD;
	q[nq++] = NS_PROC;
	q[nq++] = NS_PROC;		/* twice: one entry */
	q[nq++] = NS_DOCKER;
	q[nq++] = NS_GONE;
	q[nq++] = NS_MACHINE;
	q[nq++] = cni;
	q[nq++] = NS_LONELY;
	q[nq++] = 0;
	if (stale)
		q[nq++] = stale;
	if (!check_u64(0, resolve(&t, q, nq, &n), "netns: resolve"))
		goto out;
	check_u64(nq - 1, n.nr, "netns: one entry per distinct inode");
	expect_name(&n, NS_HOST, "host", "host", 1, "pid 1's namespace, with a host-network pod in it");
	expect_name(&n, blue, "netns", "azure", 0,
		    "ip netns azure (also blue, zed, a UUID, a cni-UUID), with a docker process in it");
	expect_name(&n, odd, "netns", "\xff\xfe odd", 0, "ip netns name with non-UTF-8 bytes");
	expect_name(&n, NS_POD, "container", "pod " UID " container 4f1a2b3c4d5e", 100,
		    "kubepods pod: its lowest pid (pause)");
	expect_name(&n, NS_PROC, "process", "pid 200 nginx", 200,
		    "process: pid 199 gone (no comm), pid 200 names it");
	expect_name(&n, NS_DOCKER, "container", "docker 4f1a2b3c4d5e", 401,
		    "docker: pid 400 without its files, 401 names it");
	expect_name(&n, NS_GONE, "none", "-", 0, "no process, no netns file");
	expect_name(&n, NS_MACHINE, "container", "machine web-1", 500, "systemd-nspawn");
	expect_name(&n, cni, "container", "pod " UID " container aaaabbbbcccc", 600,
		    "a generated cni-UUID name yields to the pod in it");
	expect_name(&n, NS_LONELY, "none", "-", 0, "only non-pid entries in it (12abc, 0, 99999999999)");
	expect_name(&n, 0, "none", "-", 0, "inode 0 (no device)");
	if (stale)
		expect_name(&n, stale, "none", "-", 0, "a netns file not on nsfs (a leftover) names nothing");
	else
		pass("netns: a netns file not on nsfs: skipped, /proc/version not usable");
	{
		const struct dm_ns_name *e = dm_ns_lookup(&n, NS_POD);

		if (e) {
			check_str(ID64, e->ct.id, "netns: pod: the full container id");
			check_str(UID, e->ct.pod_uid, "netns: pod: the pod uid");
			check_str("containerd", e->ct.runtime ? e->ct.runtime : "", "netns: pod: runtime");
		}
	}
	check_u64(0, n.scan.stopped_early, "netns: some namespace open to the end: the scan read every pid");
	check_u64(14, n.scan.entries, "netns: 14 pid entries (self, 12abc, 0 and 99999999999 are none)");
	check_u64(12, n.scan.processes, "netns: 12 of them with a namespace link (not 700, 701)");
	dm_ns_names_free(&n);

	/* host at pid 1, the pod at 100: nothing open after 100 */
	{
		unsigned int q2[] = { NS_HOST, NS_POD };

		if (check_u64(0, resolve(&t, q2, 2, &n), "netns: resolve (2)")) {
			check_u64(1, n.scan.stopped_early, "netns: all named by pid 100: stopped early");
			check_u64(4, n.scan.processes, "netns: stopped early: 4 namespace links read (1, 40, 50, 100)");
			dm_ns_names_free(&n);
		}
	}
	/* the cni namespace without a pod keeps its netns name */
	{
		unsigned int q2[] = { cni };
		char p[4096];

		snprintf(p, sizeof(p), "rm -rf '%s/600'", t.proc);
		if (system(p) != 0)
			fail("rm", "failed", "netns: %s", p);
		if (check_u64(0, resolve(&t, q2, 1, &n), "netns: resolve (3)")) {
			expect_name(&n, cni, "netns", "cni-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", 0,
				    "a cni-UUID name without a pod in it");
			dm_ns_names_free(&n);
		}
	}
	/* nothing asked for: /proc is not read at all */
	if (check_u64(0, resolve(&t, NULL, 0, &n), "netns: resolve nothing")) {
		check_u64(0, n.scan.entries, "netns: nothing asked for: no /proc read");
		dm_ns_names_free(&n);
	}
	/* an unreadable /proc: everything "-" (but ip netns names) */
	{
		struct dm_ns_roots r = { .proc = "/nonexistent/proc", .netns_dir = t.netns };
		unsigned int q3[] = { blue, NS_HOST };

		if (check_u64(0, dm_ns_resolve(&n, q3, 2, &r), "netns: resolve without /proc")) {
			expect_name(&n, NS_HOST, "none", "-", 0, "no /proc: none");
			expect_name(&n, blue, "none", "-", 0,
				    "no /proc: no nsfs to check netns files against, none");
			dm_ns_names_free(&n);
		}
	}
out:
	tree_free(&t);
}

/* ------------------------------------------------------------------ */
/* Cost: 5000 processes                                                */
/* ------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define NR_PROCS	5000

static void test_cost(const char *tmpdir)
{
	struct tree t;
	struct dm_ns_names n;
	unsigned int q[4] = { NS_HOST, NS_POD, NS_PROC, NS_GONE };
	double t0, full, early;
	char pid[16], cg[512];
	int i;

	tree_init(&t, tmpdir, "netns-cost");
	snprintf(cg, sizeof(cg), "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/cri-containerd-%s.scope\n",
		 UIDU, ID64);
	/* created in descending order: no fixture filesystem's readdir
	 * order is ascending then */
	for (i = NR_PROCS; i >= 1; i--) {
		unsigned int ino = NS_HOST;

		snprintf(pid, sizeof(pid), "%d", i);
		if (i == 2500)
			ino = NS_POD;
		else if (i == 4000 || i == 4001)
			ino = NS_PROC;
		add_pid(&t, pid, ino, ino == NS_POD ? cg : "0::/system.slice/foo.service\n",
			"proc\n");
	}
	t0 = now_s();
	if (!check_u64(0, resolve(&t, q, 4, &n), "netns cost: resolve 4 of %d processes", NR_PROCS))
		goto out;
	full = now_s() - t0;
	expect_name(&n, NS_POD, "container", "pod " UID " container 4f1a2b3c4d5e", 2500, "cost: pod at pid 2500");
	expect_name(&n, NS_PROC, "process", "pid 4000 proc", 4000, "cost: process at pid 4000");
	expect_name(&n, NS_GONE, "none", "-", 0, "cost: a namespace gone: every pid read");
	check_u64(NR_PROCS, n.scan.processes, "netns cost: one namespace gone: all %d namespace links read", NR_PROCS);
	dm_ns_names_free(&n);

	q[2] = NS_HOST;
	q[3] = NS_HOST;
	t0 = now_s();
	if (!check_u64(0, resolve(&t, q, 4, &n), "netns cost: resolve host and pod"))
		goto out;
	early = now_s() - t0;
	check_u64(2500, n.scan.processes, "netns cost: host and pod named by pid 2500: stopped there");
	dm_ns_names_free(&n);
	printf("INFO: netns names over %d fake processes (ASan build): full scan %.1f ms, stopped at pid 2500 %.1f ms\n",
	       NR_PROCS, full * 1e3, early * 1e3);
	/* generous: under ASan on a loaded machine a full scan takes tens
	 * of ms; a scan per row (not per snapshot) would take minutes */
	check_u64(1, full < 10.0, "netns cost: a full scan of %d processes in under 10 s (%.3f s)", NR_PROCS, full);
out:
	tree_free(&t);
}

/* ------------------------------------------------------------------ */
/* The formats                                                         */
/* ------------------------------------------------------------------ */

static const char names_stats[] =
	"# dropmon format=1 seq=3 interval_ms=1000 start_ns=1000000000 end_ns=2000000000 keys=4 drops=10 lost=0\n"
	"# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n"
	"4\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t4026531840\tipv4\n"
	"3\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\teth0\t4026532001\tipv4\n"
	"2\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t4026532009\tipv4\n"
	"1\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t4026532010\tipv4\n";

static void fake_names(struct dm_ns_names *n)
{
	static struct dm_ns_name v[4];

	memset(v, 0, sizeof(v));
	v[0].inode = 4026531840u;
	v[0].source = DM_NS_HOST;
	v[0].pid = 1;
	v[1].inode = 4026532001u;
	v[1].source = DM_NS_CONTAINER;
	v[1].pid = 100;
	v[1].ct.runtime = "containerd";
	snprintf(v[1].ct.id, sizeof(v[1].ct.id), "%s", ID64);
	snprintf(v[1].ct.pod_uid, sizeof(v[1].ct.pod_uid), "%s", UID);
	v[2].inode = 4026532009u;
	v[2].source = DM_NS_NETNS;
	snprintf(v[2].name, sizeof(v[2].name), "a\tb\"\xff");
	v[3].inode = 4026532010u;
	v[3].source = DM_NS_PROCESS;
	v[3].pid = 1234;
	snprintf(v[3].comm, sizeof(v[3].comm), "nginx");
	dm_ns_name_display(&v[0]);
	dm_ns_name_display(&v[1]);
	dm_ns_name_display(&v[3]);
	memset(n, 0, sizeof(*n));
	n->v = v;
	n->nr = 4;
}

static char *render(const struct dropmon_stats *st, const struct dm_ns_names *names,
		    int fmt, unsigned int by, size_t max_series)
{
	struct dm_view_opts vo = { .by = by };
	struct dm_render r = { .view = "totals", .names = names, .selected = -1 };
	struct dm_view v;
	char *s = NULL;
	size_t len;
	FILE *out;

	if (dm_view_build(&v, st, &vo))
		return NULL;
	out = open_memstream(&s, &len);
	if (!out)
		exit(2);
	if (fmt == 0)
		dm_format_table(out, &v, &r);
	else if (fmt == 1)
		dm_format_json(out, &v, &r);
	else
		dm_format_prometheus(out, &v, &r, max_series, NULL);
	fclose(out);
	dm_view_free(&v);
	return s;
}

static void test_formats(void)
{
	struct dropmon_stats st;
	struct dm_ns_names n;
	char *s, exp[256];

	if (parse_exact(STR(names_stats), &st, NULL) != DROPMON_PARSE_OK) {
		fail("a valid file", "a parse error", "netns formats: the fixture parses");
		return;
	}
	fake_names(&n);
	s = render(&st, &n, 0, 0, 0);
	/* the widest: "4026532001 pod UID container ID12", 74 bytes */
	snprintf(exp, sizeof(exp), "  %-74s  PROTO\n", "NETNS");
	check_contains(exp, s, "netns table: NETNS left-aligned, as wide as its longest name");
	snprintf(exp, sizeof(exp), "  %-74s  ipv4\n", "4026531840 host");
	check_contains(exp, s, "netns table: host");
	check_contains("  4026532001 pod " UID " container 4f1a2b3c4d5e  ipv4\n", s,
		       "netns table: pod and container");
	check_contains("  4026532009 a\\x09b\"\\xff", s, "netns table: a name's odd bytes escaped");
	check_contains("  4026532010 pid 1234 nginx ", s, "netns table: process");
	free(s);
	s = render(&st, &n, 0, DM_BIT(DM_REASON), 0);
	check_contains("NETNS", s, "netns table --by reason: NETNS title");
	check_u64(0, strstr(s, "host") != NULL, "netns table --by reason: no names (netns folded: *)");
	free(s);

	s = render(&st, &n, 1, 0, 0);
	check_contains("\"netns\":4026531840,\"netns_name\":\"host\",\"netns_source\":\"host\",\"netns_pid\":1,\"netns_container\":null,\"proto\"",
		       s, "netns json: host");
	check_contains("\"netns\":4026532001,\"netns_name\":\"pod " UID " container 4f1a2b3c4d5e\",\"netns_source\":\"container\",\"netns_pid\":100,\"netns_container\":{\"runtime\":\"containerd\",\"id\":\"" ID64 "\",\"pod_uid\":\"" UID "\"},\"proto\"",
		       s, "netns json: pod, the full ids");
	check_contains("\"netns_name\":\"a\\tb\\\"\\u00ff\",\"netns_source\":\"netns\",\"netns_pid\":null,\"netns_container\":null",
		       s, "netns json: an odd netns name, escaped");
	check_contains("\"netns_name\":\"pid 1234 nginx\",\"netns_source\":\"process\",\"netns_pid\":1234,",
		       s, "netns json: process");
	free(s);
	s = render(&st, &n, 1, DM_BIT(DM_REASON), 0);
	check_contains("\"netns\":null,\"netns_name\":null,\"netns_source\":null,\"netns_pid\":null,\"netns_container\":null,",
		       s, "netns json --by reason: all null");
	free(s);
	s = render(&st, NULL, 1, 0, 0);
	check_u64(0, strstr(s, "netns_name") != NULL, "netns json without names: no netns_name");
	free(s);

	s = render(&st, &n, 2, 0, 0);
	check_contains("dropmon_drops_total{location=\"udp_rcv+0x10\",module=\"vmlinux\",reason=\"NO_SOCKET\",dev=\"lo\",netns=\"4026531840\",netns_name=\"host\",proto=\"ipv4\"} 4\n",
		       s, "netns prometheus: netns_name after netns");
	check_contains("netns=\"4026532001\",netns_name=\"pod " UID " container 4f1a2b3c4d5e\",proto", s,
		       "netns prometheus: pod");
	check_contains("netns=\"4026532009\",netns_name=\"a\\\\x09b\\\"\\\\xff\",proto", s,
		       "netns prometheus: TAB and 0xff as \\\\xNN, quote escaped");
	free(s);
	s = render(&st, &n, 2, 0, 3);
	check_contains("dev=\"other\",netns=\"other\",netns_name=\"other\",proto=\"other\"} 3\n", s,
		       "netns prometheus --max-series 3: netns_name folded into other");
	free(s);
	s = render(&st, &n, 2, DM_BIT(DM_REASON), 0);
	check_contains("dropmon_drops_total{reason=\"NO_SOCKET\"} 10\n", s,
		       "netns prometheus --by reason: no netns_name");
	free(s);
	dropmon_stats_free(&st);
}

/* ------------------------------------------------------------------ */
/* The binary                                                          */
/* ------------------------------------------------------------------ */

static void test_binary_names(const char *bin, const char *tmpdir)
{
	struct tree t;
	char stats[8192], *dbg, *dir, *file, proc_env[4200], netns_env[4200];
	unsigned int blue;
	struct run_result res;

	tree_init(&t, tmpdir, "netns-bin");
	blue = add_netns(&t, "blue");
	add_pid(&t, "1", NS_HOST, "0::/init.scope\n", "init\n");
	add_pid(&t, "77", NS_DOCKER, "0::/system.slice/docker-" ID64 ".scope\n", "app\n");
	snprintf(stats, sizeof(stats),
		 "# dropmon format=1 seq=3 interval_ms=1000 start_ns=1000000000 end_ns=2000000000 keys=4 drops=10 lost=0\n"
		 "# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n"
		 "4\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t%u\tipv4\n"
		 "3\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t%u\tipv4\n"
		 "2\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t%u\tipv4\n"
		 "1\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\tlo\t%u\tipv4\n",
		 NS_HOST, blue, NS_DOCKER, NS_GONE);
	dbg = path_join(t.root, "dbg");
	dir = path_join(dbg, "dropmon");
	file = path_join(dir, "totals");
	xmkdir(dbg);
	xmkdir(dir);
	xwrite(file, stats);
	snprintf(proc_env, sizeof(proc_env), "DROPMON_PROC_ROOT=%s", t.proc);
	snprintf(netns_env, sizeof(netns_env), "DROPMON_NETNS_DIR=%s", t.netns);
	{
		const char *env[] = { "TZ=UTC", "NO_COLOR", proc_env, netns_env, NULL };
		struct run_spec spec = { .env = env, .debugfs = dbg };
		char *json[] = { (char *)bin, "--totals", "--json", NULL };
		char *table[] = { (char *)bin, "--totals", NULL };
		char *prom[] = { (char *)bin, "--prometheus", NULL };
		char *classic[] = { (char *)bin, "--totals", "--classic", NULL };
		char *nonames[] = { (char *)bin, "--totals", "--json", "--no-names", NULL };
		char *withf[] = { (char *)bin, "--json", "-f", file, NULL };
		char *withf_names[] = { (char *)bin, "--json", "--names", "-f", file, NULL };
		char exp[512];

		run(json, &spec, &res);
		check_u64(0, res.status, "%s --json from debugfs: exit 0", bin);
		snprintf(exp, sizeof(exp), "\"netns\":%u,\"netns_name\":\"blue\",\"netns_source\":\"netns\",", blue);
		check_contains(exp, res.out.p, "%s --json: ip netns blue (DROPMON_NETNS_DIR)", bin);
		check_contains("\"netns\":4026532003,\"netns_name\":\"docker 4f1a2b3c4d5e\",\"netns_source\":\"container\",\"netns_pid\":77,\"netns_container\":{\"runtime\":\"docker\",\"id\":\"" ID64 "\",\"pod_uid\":null}",
			       res.out.p, "%s --json: docker (DROPMON_PROC_ROOT)", bin);
		check_contains("\"netns\":4026531840,\"netns_name\":\"host\",\"netns_source\":\"host\",\"netns_pid\":1,",
			       res.out.p, "%s --json: host", bin);
		check_contains("\"netns\":4026532004,\"netns_name\":\"-\",\"netns_source\":\"none\",\"netns_pid\":null,",
			       res.out.p, "%s --json: gone", bin);
		check_mem("", 0, res.err.p, res.err.len, "%s --json with names: stderr", bin);
		free_result(&res);

		run(table, &spec, &res);
		snprintf(exp, sizeof(exp), "  %u blue  ", blue);
		check_contains(exp, res.out.p, "%s table: NETNS 'INODE blue'", bin);
		check_contains("  4026532003 docker 4f1a2b3c4d5e  ipv4\n", res.out.p, "%s table: docker", bin);
		free_result(&res);

		run(prom, &spec, &res);
		snprintf(exp, sizeof(exp), "netns=\"%u\",netns_name=\"blue\",proto=\"ipv4\"} 3\n", blue);
		check_contains(exp, res.out.p, "%s --prometheus: netns_name label", bin);
		free_result(&res);

		run(classic, &spec, &res);
		check_str("4: udp_rcv+0x10/0x20@lo (vmlinux) NO_SOCKET\n3: udp_rcv+0x10/0x20@lo (vmlinux) NO_SOCKET\n2: udp_rcv+0x10/0x20@lo (vmlinux) NO_SOCKET\n1: udp_rcv+0x10/0x20@lo (vmlinux) NO_SOCKET\n",
			  res.out.p, "%s --classic: unchanged, no names", bin);
		free_result(&res);

		run(nonames, &spec, &res);
		check_u64(0, strstr(res.out.p, "netns_name") != NULL, "%s --no-names: no netns_name", bin);
		free_result(&res);
		run(withf, &spec, &res);
		check_u64(0, strstr(res.out.p, "netns_name") != NULL, "%s -f FILE: no names by default", bin);
		free_result(&res);
		run(withf_names, &spec, &res);
		check_contains("\"netns_name\":\"docker 4f1a2b3c4d5e\"", res.out.p, "%s -f FILE --names: names", bin);
		free_result(&res);
	}
	/* not allowed to read the processes' namespaces: "-", and a notice */
	if (getuid() == 0) {
		const char *env[] = { "TZ=UTC", "NO_COLOR", proc_env, netns_env, NULL };
		struct run_spec spec = { .env = env, .uid = 65534 };
		char *argv[] = { (char *)bin, "--json", "--names", "-f", file, NULL };
		char p[4096];

		snprintf(p, sizeof(p), "%s/77", t.proc);
		chmod(p, 0700);
		snprintf(p, sizeof(p), "%s/1", t.proc);
		chmod(p, 0700);
		chmod(t.root, 0755);
		chmod(tmpdir, 0755);
		run(argv, &spec, &res);
		check_u64(0, res.status, "%s --names as nobody: exit 0", bin);
		check_contains("\"netns\":4026532003,\"netns_name\":\"-\",\"netns_source\":\"none\"", res.out.p,
			       "%s --names as nobody: docker's namespace unreadable: -", bin);
		check_str(PROG_PREFIX "could not read the network namespace of 2 of 2 processes (permission denied), so some netns may show as '-'; run as root with CAP_SYS_PTRACE, or give --no-names\n",
			  res.err.p, "%s --names as nobody: the notice", bin);
		free_result(&res);
	}
	free(file);
	free(dir);
	free(dbg);
	tree_free(&t);
}

static bool prom_wait_for(const char *path, const char *needle, const char *what)
{
	struct buf b = { 0 };
	int ms;

	for (ms = 0; ms < 5000; ms += 20) {
		if (access(path, R_OK) == 0 && read_path(path, &b)) {
			bool ok = strstr(b.p, needle) != NULL;

			free(b.p);
			if (ok) {
				pass("netns --prometheus --watch: %s", what);
				return true;
			}
		}
		usleep(20000);
	}
	fail(needle, "not in the file", "netns --prometheus --watch: %s", what);
	return false;
}

static void write_totals(const char *path, unsigned long long seq,
			 unsigned long long count)
{
	char tmp[4200], text[1024];

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(text, sizeof(text),
		 "# dropmon format=1 seq=%llu interval_ms=1000 start_ns=1000000000 end_ns=%llu keys=1 drops=%llu lost=0\n"
		 "# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n"
		 "%llu\t0xffffffff81000010\tudp_rcv+0x10/0x20\tvmlinux\tNO_SOCKET\teth0\t%u\tipv4\n",
		 seq, (seq + 1) * 1000000000ULL, count, count, NS_DOCKER);
	xwrite(tmp, text);
	rename(tmp, path);
}

/*
 * --prometheus --watch: the container's process exits, its namespace is
 * gone, its series keep their netns_name; a one-shot run says "-".
 */
static void test_watch_carry_over(const char *bin, const char *tmpdir)
{
	char proc_env[4200], netns_env[4200], *file, *out, p[4200];
	const char *env[] = { "TZ=UTC", "NO_COLOR", proc_env, netns_env, NULL };
	struct run_spec spec = { .env = env };
	struct run_result res;
	struct tree t;
	int fo, fe;
	pid_t pid;

	tree_init(&t, tmpdir, "netns-watch");
	add_pid(&t, "1", NS_HOST, "0::/init.scope\n", "init\n");
	add_pid(&t, "77", NS_DOCKER, "0::/system.slice/docker-" ID64 ".scope\n", "app\n");
	snprintf(proc_env, sizeof(proc_env), "DROPMON_PROC_ROOT=%s", t.proc);
	snprintf(netns_env, sizeof(netns_env), "DROPMON_NETNS_DIR=%s", t.netns);
	file = path_join(t.root, "totals");
	out = path_join(t.root, "dropmon.prom");
	write_totals(file, 5, 3);
	{
		char *argv[] = { (char *)bin, "--prometheus", "--watch", "--names", "-f", file,
				 "--output", out, NULL };

		pid = spawn(argv, &spec, &fo, &fe);
	}
	if (prom_wait_for(out, "netns=\"4026532003\",netns_name=\"docker 4f1a2b3c4d5e\",proto=\"ipv4\"} 3\n",
			  "the container's series")) {
		snprintf(p, sizeof(p), "rm -rf '%s/77'", t.proc);
		if (system(p) != 0)
			fail("rm", "failed", "netns: %s", p);
		write_totals(file, 6, 8);
		prom_wait_for(out, "netns=\"4026532003\",netns_name=\"docker 4f1a2b3c4d5e\",proto=\"ipv4\"} 8\n",
			      "its process gone: the series keeps its netns_name");
	}
	kill(pid, SIGTERM);
	check_u64(0, wait_child(pid, 5000), "netns --prometheus --watch: SIGTERM exits 0");
	close(fo);
	close(fe);
	{
		char *argv[] = { (char *)bin, "--prometheus", "--names", "-f", file, NULL };

		run(argv, &spec, &res);
		check_contains("netns=\"4026532003\",netns_name=\"-\",proto=\"ipv4\"} 8\n", res.out.p,
			       "netns --prometheus once: the namespace gone: -");
		free_result(&res);
	}
	free(file);
	free(out);
	tree_free(&t);
}

void test_netns_lib(void)
{
	char tmpdir[] = "/tmp/dropmon-netns.XXXXXX";

	test_cgroup_cases();
	test_cgroup_long();
	test_formats();
	if (!mkdtemp(tmpdir)) {
		perror("test_netns: mkdtemp");
		exit(2);
	}
	test_resolve(tmpdir);
	test_cost(tmpdir);
	rmdir(tmpdir);
}

void test_netns_binary(const char *bin, const char *tmpdir)
{
	test_binary_names(bin, tmpdir);
	test_watch_carry_over(bin, tmpdir);
}
