/* SPDX-License-Identifier: GPL-2.0 */
/*
 * watch.h - dropmon-show --watch: follow the file, show each new snapshot.
 *
 * The file is polled every interval_ms / 4, 10 to 200 ms (debugfs:
 * stat()ed, and read only once the next snapshot is due); a snapshot is
 * new when its header (seq, start_ns, end_ns) differs from the last one
 * shown, and a gap in seq is reported as missed snapshots.  On a terminal with
 * the table, a full-screen view with keys; otherwise one block per
 * snapshot on stdout (or --output replaced).  A missing file (module
 * unloaded) and its return (reloaded) are reported and waited out.
 */
#ifndef DROPMON_WATCH_H
#define DROPMON_WATCH_H

#include <stdbool.h>

#include "options.h"
#include "stats.h"

#define DM_WATCH_POLL_MS	200
#define DM_WATCH_POLL_MIN_MS	10
/* debugfs is read from this long before the next snapshot is due */
#define DM_WATCH_EARLY_NS	(100 * 1000000ULL)

enum dm_change {
	DM_SAME,		/* the snapshot shown last */
	DM_NEW,			/* a later snapshot */
	DM_RELOADED,		/* the module was loaded anew */
};

/*
 * Compare the header of the last snapshot shown with the current one.
 * Reloaded: seq went back, or start_ns changed where it must not (always
 * for totals, whose start is the load; at equal seq for stats).
 */
enum dm_change dm_watch_change(const struct dropmon_header *last,
			       const struct dropmon_header *cur, bool totals);

/*
 * The poll period for snapshots of header @h (NULL: none read yet): a
 * quarter of interval_ms, between DM_WATCH_POLL_MIN_MS and
 * DM_WATCH_POLL_MS, so that no snapshot is replaced unseen.
 */
unsigned int dm_watch_poll_ms(const struct dropmon_header *h);

/*
 * Run until q, a signal or --count.  Returns the exit code: 0 for q,
 * SIGINT, SIGTERM, SIGHUP and --count; any other fatal signal ends the
 * process by that signal, after the terminal is restored (and, for one
 * that asks it to stop such as SIGQUIT, the --output written down).
 */
int dm_watch(const struct options *o);

#endif /* DROPMON_WATCH_H */
