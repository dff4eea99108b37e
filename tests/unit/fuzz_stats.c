// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_stats.c - libFuzzer entry point for the dropmon stats parser.
 *
 *   make -C tools fuzz && tools/.fuzz/fuzz_stats -max_total_time=60 \
 *	tests/fixtures
 *
 * Any input must either be rejected or yield a consistent result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_consistent(const struct dropmon_stats *st)
{
	unsigned long long sum = st->hdr.lost;
	size_t i;

	if (st->hdr.format != DROPMON_FORMAT_VERSION ||
	    st->nr_rows != st->hdr.keys)
		abort();
	for (i = 0; i < st->nr_rows; i++) {
		const struct dropmon_row *r = &st->rows[i];

		if (!*r->symbol || !*r->module || !*r->reason || !*r->dev ||
		    !*r->proto || strlen(r->dev) > DROPMON_DEV_MAX)
			abort();
		sum += r->count;
	}
	if (sum != st->hdr.drops)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dropmon_parse_error err;
	struct dropmon_stats st;

	if (dropmon_stats_parse((const char *)data, size, &st, &err) ==
	    DROPMON_PARSE_OK) {
		check_consistent(&st);
		dropmon_stats_free(&st);
	} else if (!err.msg[0] || strlen(err.msg) >= sizeof(err.msg)) {
		abort();
	}
	return 0;
}
