// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_cgroup.c - libFuzzer entry point for the cgroup path parser of
 * dropmon-show's netns names (tools/cgroup.c), and the name it yields.
 *
 *   make -C tools fuzz-run            (FUZZ_TIME=60 seconds by default)
 *
 * Any input is a /proc/PID/cgroup file: what comes back must be within
 * its bounds (an ID of 12 to 128 lowercase hex digits, or a machine name;
 * a pod UID of 32 to 36 of [0-9a-f-]), the display name never empty, and
 * its JSON text free of raw control characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "format.h"
#include "netns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_container(const struct dm_container *c)
{
	size_t n = strnlen(c->id, sizeof(c->id)), u, i;

	if (n == sizeof(c->id))
		abort();
	u = strnlen(c->pod_uid, sizeof(c->pod_uid));
	if (u == sizeof(c->pod_uid) || (u && (u < 32 || u > 36)))
		abort();
	for (i = 0; i < u; i++)
		if (!strchr("0123456789abcdef-", c->pod_uid[i]))
			abort();
	if (!n && !u)
		abort();
	if (n && (!c->runtime || strcmp(c->runtime, "machine") != 0)) {
		if (n < 12 || n > 128 || strspn(c->id, "0123456789abcdef") != n)
			abort();
	}
}

static void check_name(const struct dm_container *c)
{
	struct dm_ns_name e = { .inode = 1, .source = DM_NS_CONTAINER };
	char *json = NULL;
	size_t len = 0, i;
	FILE *out;

	e.ct = *c;
	dm_ns_name_display(&e);
	if (!e.name[0] || strnlen(e.name, sizeof(e.name)) == sizeof(e.name))
		abort();
	out = open_memstream(&json, &len);
	if (!out)
		return;
	dm_json_string(out, e.name);
	fclose(out);
	for (i = 0; i < len; i++)
		if ((unsigned char)json[i] < 0x20)
			abort();
	free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dm_container c;
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	/* an exact-size copy: ASan catches any read past the end */
	memcpy(copy, data, size);
	memset(&c, 0x5a, sizeof(c));
	if (dm_cgroup_container(copy, size, &c)) {
		check_container(&c);
		check_name(&c);
	}
	memset(&c, 0x5a, sizeof(c));
	if (dm_cgroup_path_container(copy, size, &c)) {
		check_container(&c);
		check_name(&c);
	}
	free(copy);
	return 0;
}
