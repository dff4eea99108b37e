/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prom.h - Prometheus text exposition (node_exporter textfile collector).
 *
 * Series (see dropmon-show(8)):
 *   dropmon_up                     gauge, 1 (0: the input cannot be read)
 *   dropmon_drops_total{location,module,reason,dev,netns,proto}  counter
 *   dropmon_lost_total             counter
 *   dropmon_snapshot_seq           gauge
 *   dropmon_interval_seconds       gauge
 *   dropmon_snapshots_missed_total counter, --watch only: gaps in seq
 *
 * The location label is the symbol without its "/0xsize" ("udp_rcv+0x1a"),
 * or the address ("0xffffffff81a1b2c3") when it has no symbol or with
 * --raw.  With netns names (r->names), netns_name follows netns (netns.h;
 * "other" in the "other" series).  Labels of fields folded by --by are
 * left out.  Rows whose labels come out equal, as escaped text, are
 * merged, so that every series is unique.
 *
 * At most max_series dropmon_drops_total series are written: beyond that
 * the smallest are folded into one series whose labels all read "other".
 * The choice is sticky across calls with the same state (a watch, and
 * across runs through dm_prom_state_seed()): a series once written stays
 * written while it exists, so that "other" only grows.
 */
#ifndef DROPMON_PROM_H
#define DROPMON_PROM_H

#include <stddef.h>
#include <stdio.h>

#include "filter.h"
#include "format.h"

/* The label sets (their text, see prom.c) written last time; zero it. */
struct dm_prom_state {
	char **keys;			/* sorted */
	size_t nr;
};

/* Returns 0, or -ENOMEM with nothing written. */
int dm_format_prometheus(FILE *out, const struct dm_view *v,
			 const struct dm_render *r, size_t max_series,
			 struct dm_prom_state *state);

/*
 * "dropmon_up 0" and no other series, for when the input cannot be read
 * or dropmon-show stops: the counters go stale, as a scrape target's do
 * when it is down.  The series of @state (NULL: none) follow as comment
 * lines, DM_PROM_KEPT{labels}, for dm_prom_state_seed() of the next run.
 */
void dm_format_prometheus_down(FILE *out, const struct dm_prom_state *state);

#define DM_PROM_KEPT	"# dropmon-show kept dropmon_drops_total"

/*
 * Seed @state from a file written before (the --output of the last run):
 * the label sets of its dropmon_drops_total lines and of its kept lines,
 * so that a new run writes the same series on their own and "other" does
 * not go down across a restart.  Returns 0 or -ENOMEM (@state empty).
 */
int dm_prom_state_seed(struct dm_prom_state *state, FILE *in);

/* Forget the sticky choice (the module was reloaded). */
void dm_prom_state_reset(struct dm_prom_state *state);

/* @s as the inside of a label value: \\, \" and \n escaped. */
void dm_prom_label_value(FILE *out, const char *s);

#endif /* DROPMON_PROM_H */
