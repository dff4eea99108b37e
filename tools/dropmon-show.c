// SPDX-License-Identifier: GPL-2.0
/*
 * dropmon-show - show the packet drop statistics of the dropmon module.
 *
 * Reads /sys/kernel/debug/dropmon/stats (or totals, or any file) and shows
 * one row per (location, reason, device, netns, protocol) key: as a table,
 * the classic lines, JSON or Prometheus text, once or live (--watch).
 *
 *   stats.c    the parser (pure)
 *   filter.c   filters, --by, sorting, -n
 *   format.c   table, classic, JSON;  prom.c  Prometheus
 *   input.c    reading files, error texts;  output.c  stdout, atomic files
 *   options.c  the command line;  show.c  glue;  watch.c  the live loop
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "options.h"
#include "show.h"
#include "watch.h"

static int report(const struct dm_error *e)
{
	fprintf(stderr, PROG ": %s\n", e->msg);
	return e->code;
}

static int finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": error writing output: %s; check the output destination\n",
			strerror(errno));
		return DM_EXIT_ENV;
	}
	return DM_EXIT_OK;
}

static int out_of_memory(void)
{
	fputs(PROG ": out of memory; free some memory and retry\n", stderr);
	return DM_EXIT_ENV;
}

/* Read, render and write one snapshot. */
static int show_once(const struct options *o)
{
	struct dropmon_stats st;
	struct dm_error e;
	struct dm_show s;
	char pathbuf[4096], *buf = NULL;
	size_t len = 0;
	FILE *out;
	int ret;

	dm_show_init(&s, o);
	ret = dm_load(dm_show_path(&s, pathbuf, sizeof(pathbuf)), &st, &e);
	if (ret) {
		dm_show_free(&s);
		return report(&e);
	}
	out = open_memstream(&buf, &len);
	ret = out ? dm_show_render(&s, &st, out) : -ENOMEM;
	if ((out && fclose(out)) || ret)
		ret = out_of_memory();
	else if (dm_show_emit(&s, buf, len, &e))
		ret = report(&e);
	free(buf);
	dropmon_stats_free(&st);
	dm_show_free(&s);
	return ret;
}

int main(int argc, char *argv[])
{
	struct options o;
	int ret;

	ret = dm_parse_args(argc, argv, &o);
	if (ret < 0)
		ret = o.watch ? dm_watch(&o) : show_once(&o);
	else if (ret == DM_EXIT_OK)
		ret = finish_stdout();
	dm_options_free(&o);
	return ret;
}
