// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.c - the container of a cgroup path; see cgroup.h.
 */
#include "cgroup.h"

#include <string.h>

#define ID_MIN		12
#define UID_MIN		32

/* What the component before this one said about the next. */
enum prev {
	PREV_NONE,
	PREV_DOCKER,		/* "docker": cgroupfs, <id> follows */
	PREV_LIBPOD_PARENT,	/* "libpod_parent": libpod-<id> follows */
	PREV_POD,		/* "pod<uid>" (cgroupfs): <id> follows */
};

struct walk {
	bool kubepods;		/* a component above named kubepods */
	enum prev prev;
	char pod[DM_POD_UID_MAX + 1];	/* since the last container */
	bool have;
	struct dm_container ct;
};

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *pre, size_t *len)
{
	*len = strlen(pre);
	return n >= *len && memcmp(s, pre, *len) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t len = strlen(suf);

	return n >= len && memcmp(s + n - len, suf, len) == 0;
}

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t len = strlen(needle), i;

	for (i = 0; i + len <= n; i++)
		if (memcmp(s + i, needle, len) == 0)
			return true;
	return false;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* systemd's unit name escaping undone ("\x2d" is '-'); false if too long. */
static bool unescape(char *dst, size_t size, const char *s, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
			c = (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 3;
		}
		if (c == '\0' || out + 1 >= size)
			return false;
		dst[out++] = c;
	}
	dst[out] = '\0';
	return out > 0;
}

static void found(struct walk *w, const char *runtime, const char *id,
		  size_t n)
{
	w->have = true;
	w->ct.runtime = runtime;
	memcpy(w->ct.id, id, n);
	w->ct.id[n] = '\0';
	memcpy(w->ct.pod_uid, w->pod, sizeof(w->pod));
	w->pod[0] = '\0';
}

static bool hex_id(const char *s, size_t n)
{
	return n >= ID_MIN && n <= DM_CT_ID_MAX && is_hex(s, n);
}

/* "<prefix><id>.scope" (or without .scope for libpod_parent). */
static const struct {
	const char *prefix;
	const char *runtime;	/* NULL: a helper, not the container */
} scopes[] = {
	{ "docker-",		"docker" },
	{ "cri-containerd-",	"containerd" },
	{ "crio-conmon-",	NULL },
	{ "crio-",		"crio" },
	{ "libpod-conmon-",	NULL },
	{ "libpod-",		"podman" },
};

static bool scope(struct walk *w, const char *s, size_t n)
{
	char name[DM_CT_ID_MAX + 1];
	size_t i, len;

	if (!has_suffix(s, n, ".scope"))
		return false;
	n -= strlen(".scope");
	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if (!has_prefix(s, n, scopes[i].prefix, &len))
			continue;
		if (!scopes[i].runtime)
			return false;
		if (!hex_id(s + len, n - len))
			return false;
		found(w, scopes[i].runtime, s + len, n - len);
		return true;
	}
	if (has_prefix(s, n, "machine-", &len) &&
	    unescape(name, sizeof(name), s + len, n - len)) {
		found(w, "machine", name, strlen(name));
		return true;
	}
	return false;
}

/* A pod UID of @n bytes, '_' read as '-' if @underscores. */
static bool pod_uid(struct walk *w, const char *s, size_t n, bool underscores)
{
	char uid[DM_POD_UID_MAX + 1];
	size_t i;

	if (n < UID_MIN || n > DM_POD_UID_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == (underscores ? '_' : '-'))
			c = '-';
		else if (!is_hex(&c, 1))
			return false;
		uid[i] = c;
	}
	uid[n] = '\0';
	/* only a valid one replaces what came before */
	memcpy(w->pod, uid, n + 1);
	return true;
}

/* "kubepods-<qos>-pod<uid>.slice": the last "-pod" before ".slice". */
static bool pod_slice(struct walk *w, const char *s, size_t n)
{
	size_t i;

	if (!w->kubepods || !has_suffix(s, n, ".slice"))
		return false;
	n -= strlen(".slice");
	for (i = n; i-- > 4;) {
		if (memcmp(s + i - 4, "-pod", 4) == 0)
			return pod_uid(w, s + i, n - i, true);
	}
	return false;
}

static void component(struct walk *w, const char *s, size_t n)
{
	enum prev prev = w->prev;
	size_t len;

	w->prev = PREV_NONE;
	if (n == 0)
		return;
	if (contains(s, n, "kubepods"))
		w->kubepods = true;
	if (scope(w, s, n) || pod_slice(w, s, n))
		return;
	if (prev == PREV_DOCKER && hex_id(s, n)) {
		found(w, "docker", s, n);
	} else if (prev == PREV_POD && hex_id(s, n)) {
		found(w, NULL, s, n);
	} else if (prev == PREV_LIBPOD_PARENT &&
		   has_prefix(s, n, "libpod-", &len) &&
		   hex_id(s + len, n - len)) {
		found(w, "podman", s + len, n - len);
	} else if (n == 6 && memcmp(s, "docker", 6) == 0) {
		w->prev = PREV_DOCKER;
	} else if (n == 13 && memcmp(s, "libpod_parent", 13) == 0) {
		w->prev = PREV_LIBPOD_PARENT;
	} else if (w->kubepods && has_prefix(s, n, "pod", &len) &&
		   pod_uid(w, s + len, n - len, false)) {
		w->prev = PREV_POD;
	}
}

bool dm_cgroup_path_container(const char *path, size_t len,
			      struct dm_container *c)
{
	struct walk w;
	size_t i, start = 0;

	memset(&w, 0, sizeof(w));
	for (i = 0; i <= len; i++) {
		if (i == len || path[i] == '/') {
			component(&w, path + start, i - start);
			start = i + 1;
		}
	}
	if (w.pod[0]) {
		/* a pod below the last container: only the pod is known */
		memset(c, 0, sizeof(*c));
		memcpy(c->pod_uid, w.pod, sizeof(w.pod));
		return true;
	}
	if (w.have)
		*c = w.ct;
	return w.have;
}

/* The path of line @s (@n bytes, no '\n'), after "HIER:CONTROLLERS:". */
static bool line_path(const char *s, size_t n, const char **path,
		      size_t *plen)
{
	const char *a = memchr(s, ':', n), *b;

	if (!a)
		return false;
	b = memchr(a + 1, ':', n - (size_t)(a + 1 - s));
	if (!b)
		return false;
	*path = b + 1;
	*plen = n - (size_t)(b + 1 - s);
	return true;
}

bool dm_cgroup_container(const char *buf, size_t len, struct dm_container *c)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		size_t pos = 0;

		while (pos < len) {
			const char *nl = memchr(buf + pos, '\n', len - pos);
			size_t n = nl ? (size_t)(nl - buf) - pos : len - pos;
			const char *path;
			bool v2 = n >= 3 && memcmp(buf + pos, "0::", 3) == 0;
			size_t plen;

			if (v2 == (pass == 0) &&
			    line_path(buf + pos, n, &path, &plen) &&
			    dm_cgroup_path_container(path, plen, c))
				return true;
			pos += n + 1;
		}
	}
	return false;
}
