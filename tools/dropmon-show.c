// SPDX-License-Identifier: GPL-2.0
/*
 * dropmon-show - show the packet drop statistics of the dropmon module.
 *
 * Reads /sys/kernel/debug/dropmon/stats (or totals, or any file) and shows
 * one row per (location, reason, device, netns, protocol) key: as a table,
 * the classic lines, JSON or Prometheus text, once or live (--watch).
 *
 *   stats.c    the parser (pure);  samples.c  the samples parser (pure)
 *   decode.c   packet headers;  pcap.c  --pcap
 *   filter.c   filters, --by, sorting, -n
 *   format.c   table, classic, JSON;  prom.c  Prometheus
 *   input.c    reading files, error texts;  output.c  stdout, atomic files
 *   options.c  the command line;  show.c  glue;  watch.c  the live loop
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "input.h"
#include "options.h"
#include "output.h"
#include "pcap.h"
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

/*
 * This host's boot time in wall-clock time: CLOCK_REALTIME minus
 * CLOCK_BOOTTIME, read back to back (a step of the wall clock between
 * them is off by the step, as any conversion would be).
 */
static int64_t boot_to_real_ns(void)
{
	struct timespec real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (int64_t)(real.tv_sec - boot.tv_sec) * 1000000000 +
	       (real.tv_nsec - boot.tv_nsec);
}

/* --pcap: the samples of the rows shown, as pcapng into o->pcap. */
static int write_pcap(struct dm_show *s, const struct dropmon_stats *st,
		      const struct dropmon_sample *const *by_row)
{
	const struct options *o = s->o;
	const struct dm_view_opts vo = {
		.filter = &o->filter,
		.sort = s->sort,
		.raw = s->raw,
		.top = o->top,
	};
	struct dm_pcap_counts c;
	char *buf = NULL;
	struct dm_error e;
	struct dm_view v;
	size_t len = 0;
	FILE *out;

	if (dm_view_build(&v, st, &vo))
		return out_of_memory();
	out = open_memstream(&buf, &len);
	if (out)
		dm_pcap_write(out, &v, by_row, DROPMON_VERSION,
			      o->pcap_boottime ? DM_PCAP_BOOTTIME : boot_to_real_ns(),
			      &c);
	dm_view_free(&v);
	if (!out || fclose(out)) {
		free(buf);
		return out_of_memory();
	}
	if (dm_write_atomic(o->pcap, buf, len, &e)) {
		free(buf);
		return report(&e);
	}
	free(buf);
	fprintf(stderr, PROG ": wrote %zu packet%s to %s", c.written,
		c.written == 1 ? "" : "s", o->pcap);
	if (c.no_bytes)
		fprintf(stderr, "; skipped %zu sample%s without bytes (header=none)",
			c.no_bytes, c.no_bytes == 1 ? "" : "s");
	if (c.no_sample)
		fprintf(stderr, "; %zu row%s had no sample", c.no_sample,
			c.no_sample == 1 ? "" : "s");
	fputc('\n', stderr);
	return DM_EXIT_OK;
}

/* Render @st and write it to stdout or --output. */
static int render_once(struct dm_show *s, const struct dropmon_stats *st,
		       const struct dropmon_sample *const *by_row)
{
	char *buf = NULL;
	struct dm_error e;
	size_t len = 0;
	FILE *out;
	int ret;

	out = open_memstream(&buf, &len);
	ret = out ? dm_show_render(s, st, by_row, out) : -ENOMEM;
	if ((out && fclose(out)) || ret)
		ret = out_of_memory();
	else if (dm_show_emit(s, buf, len, &e))
		ret = report(&e);
	free(buf);
	return ret;
}

/* --prometheus --output and no input: dropmon_up 0 (see prom.h). */
static void write_down(struct dm_show *s)
{
	char *buf = NULL;
	struct dm_error e;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return;
	dm_format_prometheus_down(out, &s->prom);
	if (fclose(out) == 0 && dm_show_emit(s, buf, len, &e))
		report(&e);
	free(buf);
}

/* Read, render and write one snapshot. */
static int show_once(const struct options *o)
{
	const struct dropmon_sample **by_row = NULL;
	struct dropmon_samples sm = { 0 };
	struct dropmon_stats st;
	struct dm_error e;
	struct dm_show s;
	char pathbuf[4096];
	int ret;

	dm_show_init(&s, o);
	dm_show_prepare_output(&s);
	ret = dm_load(dm_show_path(&s, pathbuf, sizeof(pathbuf)), &st, &e);
	if (!ret && (o->samples || o->pcap))
		ret = dm_show_load_samples(&s, &st, &sm, &by_row, &e);
	if (ret && o->format == DM_FMT_PROMETHEUS && o->output)
		write_down(&s);
	if (ret)
		ret = report(&e);
	else if (o->pcap)
		ret = write_pcap(&s, &st, by_row);
	else
		ret = render_once(&s, &st, by_row);
	free(by_row);
	dropmon_samples_free(&sm);
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
