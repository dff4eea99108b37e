// SPDX-License-Identifier: GPL-2.0
/*
 * watch.c - the live loop of dropmon-show --watch; see watch.h.
 *
 * Full screen: the alternate screen buffer, the cursor hidden and the
 * terminal in non-canonical mode without echo (signals still work); all
 * three are undone on every way out, SIGINT and SIGTERM included, and
 * around a suspend (^Z).  Plain ANSI escape sequences, no curses (the
 * screen is one table and one pane, redrawn whole: a few escape codes).
 *
 * Selection: j/k or the arrow keys move a selected row (reverse video);
 * v or Enter opens a detail pane on the bottom half with the selected
 * key's stack and packet, read from the samples file with each snapshot
 * while it is open; the key is followed across snapshots and sorts, and
 * the pane says when it is gone.  Esc or v closes it.
 */
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "input.h"
#include "output.h"
#include "show.h"

#define ENTER_SCREEN	"\033[?1049h\033[?25l"
#define LEAVE_SCREEN	"\033[?25h\033[?1049l"
#define CLEAR_EOL	"\033[K"

/* Set by signal handlers, read by the loop. */
static volatile sig_atomic_t got_stop, got_winch, got_tstp;
/* A fatal signal to die by once the loop has cleaned up, or 0. */
static volatile sig_atomic_t got_fatal;

/* For the handler of a crash: the terminal to restore, if entered. */
static volatile sig_atomic_t term_active, term_keys;
static struct termios term_saved;

enum source {
	SRC_NEW,			/* not read yet */
	SRC_OK,
	SRC_GONE,			/* does not exist: unloaded */
	SRC_BAD,			/* unreadable or malformed */
};

struct watch {
	struct dm_show s;
	bool by_count;			/* ended by --count */
	const struct options *o;
	bool screen;			/* full-screen view */
	bool keys;			/* stdin in non-canonical mode */
	struct termios saved;
	char path[4096];
	enum source src;
	bool seen;			/* a snapshot of this view was read */
	struct dropmon_header last;	/* of the snapshot shown */
	ino_t ino;			/* of the file it came from */
	struct dropmon_stats st;	/* valid if seen */
	unsigned long long shown;	/* snapshots shown, for --count */
	bool paused;
	bool was_paused;		/* since the last snapshot shown */
	bool quit;
	bool dirty;			/* the screen needs a redraw */
	int ret;
	char notice[1024];

	/* samples: for the detail pane, or -v without a screen */
	struct dropmon_samples sm;
	const struct dropmon_sample **by_row;	/* NULL: not read */
	char samples_msg[1024];		/* why there are none, or "" */
	/* the selected row: its index in the view and its key */
	long sel;			/* -1: none */
	bool has_key, key_gone;
	struct dropmon_row key;		/* strings in key_text */
	char key_text[3][DROPMON_SYMBOL_MAX + 1];
	bool detail;			/* the pane is open */
};

enum {
	KEY_UP = 0x100,
	KEY_DOWN,
	KEY_ESC,
};

unsigned int dm_watch_poll_ms(const struct dropmon_header *h)
{
	unsigned long long ms;

	if (!h || !h->interval_ms)
		return DM_WATCH_POLL_MS;
	ms = h->interval_ms / 4;
	if (ms < DM_WATCH_POLL_MIN_MS)
		return DM_WATCH_POLL_MIN_MS;
	return ms < DM_WATCH_POLL_MS ? (unsigned int)ms : DM_WATCH_POLL_MS;
}

enum dm_change dm_watch_change(const struct dropmon_header *last,
			       const struct dropmon_header *cur, bool totals)
{
	if (cur->seq < last->seq)
		return DM_RELOADED;
	if (cur->start_ns != last->start_ns &&
	    (totals || cur->seq == last->seq))
		return DM_RELOADED;
	if (cur->seq == last->seq && cur->end_ns == last->end_ns)
		return DM_SAME;
	return DM_NEW;
}

/* ------------------------------------------------------------------ */
/* Signals and the terminal                                            */
/* ------------------------------------------------------------------ */

static void on_signal(int sig)
{
	if (sig == SIGWINCH) {
		got_winch = 1;
	} else if (sig == SIGTSTP) {
		got_tstp = 1;
	} else {
		if (sig != SIGINT && sig != SIGTERM && sig != SIGHUP)
			got_fatal = sig;
		got_stop = 1;
	}
}

/*
 * A crash (SIGSEGV, SIGABRT...): nothing but async-signal-safe calls.
 * Give the terminal back, then die by the signal (SA_RESETHAND: the
 * default action, once the handler returns or the fault repeats).
 */
static void on_crash(int sig)
{
	int saved_errno = errno;
	ssize_t n;

	if (term_active) {
		n = write(STDOUT_FILENO, LEAVE_SCREEN, sizeof(LEAVE_SCREEN) - 1);
		(void)n;
		if (term_keys)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &term_saved);
	}
	raise(sig);
	errno = saved_errno;
}

/*
 * Signals whose default action ends the process: those sent to stop it
 * (SIGQUIT and the like, SIGINT, SIGTERM and SIGHUP aside) end the loop
 * as q does, and then the process dies by them; a crash is handled in
 * on_crash().  SIGPIPE keeps its default: a closed pipe ends a watch.
 */
static const int stop_signals[] = {
	SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU,
	SIGXFSZ, SIGPWR,
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
};
static const int crash_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS,
};

/* No SA_RESTART: poll() returns at once with EINTR. */
static void catch_signal(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void put_str(const char *s)
{
	struct dm_error e;

	dm_write_stdout(s, strlen(s), &e);
}

static void term_enter(struct watch *w)
{
	struct termios t;

	w->keys = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &w->saved) == 0;
	term_saved = w->saved;
	term_keys = w->keys;
	term_active = 1;
	if (w->keys) {
		t = w->saved;
		t.c_lflag &= ~(ICANON | ECHO);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
	}
	put_str(ENTER_SCREEN);
	w->dirty = true;
}

static void term_leave(struct watch *w)
{
	term_active = 0;
	put_str(LEAVE_SCREEN);
	if (w->keys)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &w->saved);
}

/* ^Z: give the terminal back while stopped. */
static void suspend(struct watch *w)
{
	got_tstp = 0;
	term_leave(w);
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	catch_signal(SIGTSTP);
	term_enter(w);
}

/* ------------------------------------------------------------------ */
/* Notices                                                             */
/* ------------------------------------------------------------------ */

static const char *clock_now(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%H:%M:%S", &tm))
		snprintf(buf, size, "?");
	return buf;
}

/* On screen until the next notice; on stderr without a screen. */
__attribute__((format(printf, 2, 3)))
static void notice(struct watch *w, const char *fmt, ...)
{
	char msg[sizeof(w->notice)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(msg, w->notice) == 0)
		return;
	snprintf(w->notice, sizeof(w->notice), "%s", msg);
	w->dirty = true;
	if (!w->screen && *msg)
		fprintf(stderr, PROG ": %s\n", msg);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

static void fail_output(struct watch *w, const struct dm_error *e)
{
	fprintf(stderr, PROG ": %s\n", e->msg);
	w->ret = e->code;
	w->quit = true;
}

/* One block: a separator (table, classic), then the snapshot. */
static void emit_block(struct watch *w)
{
	const struct dropmon_header *h = &w->st.hdr;
	enum dm_format_kind f = w->o->format;
	char *buf = NULL, when[64];
	struct dm_error e;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int ret = out ? 0 : -ENOMEM;

	if (out && !w->o->output && (f == DM_FMT_TABLE || f == DM_FMT_CLASSIC))
		fprintf(out, "=== dropmon %s seq %llu at %s ===\n",
			dm_show_view(&w->s), h->seq,
			dm_format_time(when, sizeof(when), h->end_ns,
				       w->s.wall_offset_ns));
	if (out)
		ret = dm_show_render(&w->s, &w->st, w->by_row, out);
	if ((out && fclose(out)) || ret) {
		e.code = DM_EXIT_ENV;
		snprintf(e.msg, sizeof(e.msg), "out of memory; free some memory and retry");
		fail_output(w, &e);
	} else if (dm_show_emit(&w->s, buf, len, &e)) {
		fail_output(w, &e);
	}
	free(buf);
}

/* --prometheus --output: say that there is nothing to read. */
static void emit_down(struct watch *w)
{
	char *buf = NULL;
	struct dm_error e;
	size_t len = 0;
	FILE *out;

	if (w->o->format != DM_FMT_PROMETHEUS || !w->o->output)
		return;
	out = open_memstream(&buf, &len);
	if (!out)
		return;
	dm_format_prometheus_down(out, &w->s.prom);
	if (fclose(out) == 0 && dm_show_emit(&w->s, buf, len, &e))
		fail_output(w, &e);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Following the file                                                  */
/* ------------------------------------------------------------------ */

static void source_gone(struct watch *w, const struct dm_error *e)
{
	char now[16];

	if (w->src == SRC_GONE)
		return;
	w->src = SRC_GONE;
	if (w->seen)
		notice(w, "dropmon was unloaded at %s (%s is gone); waiting for it to be loaded again",
		       clock_now(now, sizeof(now)), w->path);
	else
		notice(w, "%s; waiting for it", e->msg);
	emit_down(w);
}

/* Unreadable, malformed, or a format this dropmon-show cannot read. */
static void source_bad(struct watch *w, const struct dm_error *e)
{
	bool was_bad = w->src == SRC_BAD;

	w->src = SRC_BAD;
	notice(w, "%s; retrying", e->msg);
	if (!was_bad)
		emit_down(w);
}

static void source_error(struct watch *w, const struct dm_error *e)
{
	if (e->errnum == ENOENT)
		source_gone(w, e);
	else
		source_bad(w, e);
}

static bool want_samples(const struct watch *w)
{
	return w->detail || (!w->screen && w->o->samples);
}

static void drop_samples(struct watch *w)
{
	free(w->by_row);
	w->by_row = NULL;
	dropmon_samples_free(&w->sm);
}

/* The samples of @st into @sm and @by_row, or why not in samples_msg. */
static void load_samples(struct watch *w, struct dropmon_stats *st,
			 struct dropmon_samples *sm,
			 const struct dropmon_sample ***by_row)
{
	struct dm_error e;

	memset(sm, 0, sizeof(*sm));
	*by_row = NULL;
	if (!want_samples(w))
		return;
	if (dm_show_load_samples(&w->s, st, sm, by_row, &e)) {
		if (strcmp(e.msg, w->samples_msg) && !w->screen)
			fprintf(stderr, PROG ": %s; showing the rows without samples\n",
				e.msg);
		snprintf(w->samples_msg, sizeof(w->samples_msg), "%s", e.msg);
	} else {
		w->samples_msg[0] = '\0';
	}
	w->dirty = true;
}

static void follow_key(struct watch *w);

/* Show @st (taken over) if it is a new snapshot; @new_file: not the same. */
static void accept(struct watch *w, struct dropmon_stats *st,
		   struct dropmon_samples *sm,
		   const struct dropmon_sample **by_row, bool new_file)
{
	bool totals = w->s.totals;
	enum dm_change ch = DM_NEW;
	char now[16];

	if (w->seen)
		ch = dm_watch_change(&w->last, &st->hdr, totals);
	if (w->seen && (w->src == SRC_GONE || new_file))
		ch = DM_RELOADED;
	w->s.missed = 0;
	if (ch == DM_RELOADED) {
		notice(w, "dropmon was reloaded at %s (seq %llu -> %llu)",
		       clock_now(now, sizeof(now)), w->last.seq, st->hdr.seq);
		dm_prom_state_reset(&w->s.prom);
	} else if (ch == DM_NEW && w->seen && st->hdr.seq > w->last.seq + 1) {
		w->s.missed = st->hdr.seq - w->last.seq - 1;
		w->s.missed_total += w->s.missed;
		notice(w, "missed %llu snapshot%s (seq %llu to %llu) at %s: each was replaced before it could be read; %s",
		       w->s.missed, w->s.missed == 1 ? "" : "s",
		       w->last.seq + 1, st->hdr.seq - 1,
		       clock_now(now, sizeof(now)),
		       w->was_paused ? "the view was paused" : "the machine is too busy for this interval_ms, or the file is written faster than its interval_ms says");
	} else if (w->src != SRC_OK) {
		notice(w, "%s", "");
	}
	w->src = SRC_OK;
	if (ch == DM_SAME) {
		dropmon_stats_free(st);
		free(by_row);
		dropmon_samples_free(sm);
		return;
	}
	dropmon_stats_free(&w->st);
	drop_samples(w);
	w->st = *st;
	w->sm = *sm;
	w->by_row = by_row;
	follow_key(w);
	w->last = st->hdr;
	w->seen = true;
	w->was_paused = false;
	w->dirty = true;
	w->s.wall_offset_ns = dm_wall_offset_ns();
	if (!w->screen)
		emit_block(w);
	if (w->o->count && ++w->shown >= w->o->count)
		w->quit = w->by_count = true;
}

/*
 * Whether to read debugfs now.  Reading it renders the whole snapshot in
 * the kernel and, while the file is open, holds a module reference that
 * makes rmmod fail: between snapshots only stat() it (a reloaded module
 * makes a new inode), and read it once the next snapshot is due, by the
 * last one's end_ns and interval on this machine's CLOCK_BOOTTIME.  A
 * plain file (-f) is read every time.
 */
static bool worth_reading(struct watch *w, bool *new_file)
{
	unsigned long long now, due, early;
	struct timespec ts;
	struct stat sb;

	*new_file = false;
	if (w->o->file || stat(w->path, &sb) || !w->seen || w->src != SRC_OK)
		return true;
	if (sb.st_ino != w->ino) {
		*new_file = true;
		return true;
	}
	if (clock_gettime(CLOCK_BOOTTIME, &ts) ||
	    w->last.interval_ms > 1000000000ULL)
		return true;
	now = (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	due = w->last.end_ns + w->last.interval_ms * 1000000ULL;
	early = dm_watch_poll_ms(&w->last) * 1000000ULL;
	if (early > DM_WATCH_EARLY_NS)
		early = DM_WATCH_EARLY_NS;
	return due < w->last.end_ns || now + early >= due;
}

static void poll_source(struct watch *w)
{
	const struct dropmon_sample **by_row;
	struct dropmon_samples sm;
	struct dropmon_header hdr;
	struct dropmon_stats st;
	struct dm_error e;
	struct stat sb;
	bool new_file;

	if (!worth_reading(w, &new_file))
		return;
	if (dm_peek(w->path, &hdr, &e)) {
		source_error(w, &e);
		return;
	}
	if (w->src == SRC_OK && w->seen && !new_file &&
	    dm_watch_change(&w->last, &hdr, w->s.totals) == DM_SAME)
		return;
	if (dm_load(w->path, &st, &e)) {
		source_error(w, &e);
		return;
	}
	load_samples(w, &st, &sm, &by_row);
	w->ino = stat(w->path, &sb) ? 0 : sb.st_ino;
	accept(w, &st, &sm, by_row, new_file);
}

/* Follow the other view ('t'): start over without a reload notice. */
static void switch_view(struct watch *w)
{
	if (w->o->file) {
		notice(w, "t: -f %s has a single view", w->o->file);
		return;
	}
	w->s.totals = !w->s.totals;
	dm_show_path(&w->s, w->path, sizeof(w->path));
	dropmon_stats_free(&w->st);
	drop_samples(w);
	w->seen = false;
	w->src = SRC_NEW;
	notice(w, "%s", "");
	dm_prom_state_reset(&w->s.prom);
}

/* ------------------------------------------------------------------ */
/* Selection                                                           */
/* ------------------------------------------------------------------ */

/* The view the table shows. */
static bool build_view(const struct watch *w, struct dm_view *v)
{
	const struct dm_view_opts vo = {
		.filter = &w->o->filter,
		.by = w->o->by,
		.sort = w->s.sort,
		.raw = w->s.raw,
		.top = w->o->top,
	};

	return w->seen && dm_view_build(v, &w->st, &vo) == 0;
}

static bool same_row_key(const struct dropmon_row *a,
			 const struct dropmon_row *b)
{
	return a->location == b->location && a->netns == b->netns &&
	       !strcmp(a->reason, b->reason) && !strcmp(a->dev, b->dev) &&
	       !strcmp(a->proto, b->proto);
}

/* Remember the key of row @i of @v as the selected one. */
static void take_key(struct watch *w, const struct dm_view *v, size_t i)
{
	const struct dropmon_row *k = dm_vrow_key(v, i);

	w->key = *k;
	snprintf(w->key_text[0], sizeof(w->key_text[0]), "%s", k->symbol);
	snprintf(w->key_text[1], sizeof(w->key_text[1]), "%s", k->reason);
	snprintf(w->key_text[2], sizeof(w->key_text[2]), "%s|%s", k->dev,
		 k->proto);
	w->key.symbol = w->key_text[0];
	w->key.reason = w->key_text[1];
	w->key.dev = w->key_text[2];
	w->key.proto = strchr(w->key_text[2], '|') + 1;
	w->key_text[2][strlen(k->dev)] = '\0';
	w->key.module = "";
	w->has_key = true;
	w->key_gone = false;
	w->sel = (long)i;
}

/* After a new snapshot or order: the selected key's row, or gone. */
static void follow_key(struct watch *w)
{
	struct dm_view v;
	size_t i;

	if (!w->has_key || !build_view(w, &v))
		return;
	w->key_gone = true;
	for (i = 0; i < v.nr; i++) {
		if (same_row_key(dm_vrow_key(&v, i), &w->key)) {
			w->sel = (long)i;
			w->key_gone = false;
			break;
		}
	}
	dm_view_free(&v);
}

/* j/k, arrows: select the row @delta away (the first one if none). */
static void move_selection(struct watch *w, int delta)
{
	struct dm_view v;
	long i;

	if (!build_view(w, &v))
		return;
	if (v.nr) {
		i = w->sel < 0 ? 0 : w->sel + (w->key_gone ? 0 : delta);
		if (i < 0)
			i = 0;
		if (i >= (long)v.nr)
			i = (long)v.nr - 1;
		take_key(w, &v, (size_t)i);
	}
	dm_view_free(&v);
}

/* v, Enter: open the pane (selecting the first row), or close it. */
static void toggle_detail(struct watch *w)
{
	const struct dropmon_sample **by_row;
	struct dropmon_samples sm;

	w->detail = !w->detail;
	if (!w->detail) {
		drop_samples(w);
		return;
	}
	if (!w->has_key)
		move_selection(w, 0);
	if (!w->seen)
		return;
	/* the samples of the snapshot on screen (or both files anew) */
	load_samples(w, &w->st, &sm, &by_row);
	drop_samples(w);
	w->sm = sm;
	w->by_row = by_row;
	w->last = w->st.hdr;
	follow_key(w);
}

/* ------------------------------------------------------------------ */
/* The screen                                                          */
/* ------------------------------------------------------------------ */

static void screen_size(size_t *rows, size_t *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row &&
	    ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* One line of at most @cols columns, made safe for the terminal. */
static void put_line(FILE *out, const char *sgr, const char *text,
		     size_t cols)
{
	char buf[sizeof(((struct watch *)0)->notice) * 4 + 16];
	size_t n = dm_term_text(buf, sizeof(buf), text);

	if (sgr && n)
		fprintf(out, "\033[%sm", sgr);
	fwrite(buf, 1, n < cols ? n : cols, out);
	if (sgr && n)
		fputs("\033[0m", out);
	fputs(CLEAR_EOL "\n", out);
}

static void put_status(struct watch *w, FILE *out, size_t cols)
{
	char line[sizeof(w->path) + 256];

	snprintf(line, sizeof(line), "dropmon-show  %s  sort: %s%s%s   q quit  s sort  p pause  t totals  r raw  j/k select  v detail%s",
		 w->path, dm_sort_names[w->s.sort], w->s.raw ? "  raw" : "",
		 w->paused ? "  [PAUSED]" : "", w->detail ? "  Esc close" : "");
	put_line(out, "7", line, cols);
	put_line(out, w->s.color ? "1;31" : "1", w->notice, cols);
}

/* The table, with every line cleared to its end. */
static void put_table(struct watch *w, FILE *out, size_t rows, size_t cols)
{
	char *buf = NULL, *p, *nl;
	size_t len = 0;
	FILE *t;

	if (!w->seen) {
		put_line(out, NULL, "waiting for the first snapshot...", cols);
		return;
	}
	t = open_memstream(&buf, &len);
	if (!t)
		return;
	w->s.max_width = cols;
	w->s.max_lines = rows > 3 ? rows - 3 : 1;
	w->s.selected = w->has_key && !w->key_gone ? w->sel : -1;
	dm_show_render(&w->s, &w->st, NULL, t);
	if (fclose(t) == 0) {
		for (p = buf; (nl = memchr(p, '\n', buf + len - p)); p = nl + 1) {
			fwrite(p, 1, nl - p, out);
			fputs(CLEAR_EOL "\n", out);
		}
	}
	free(buf);
}

/* The sample of the selected key, if the files have it. */
static const struct dropmon_sample *selected_sample(const struct watch *w)
{
	size_t i;

	if (!w->by_row)
		return NULL;
	for (i = 0; i < w->st.nr_rows; i++)
		if (same_row_key(&w->st.rows[i], &w->key))
			return w->by_row[i];
	return NULL;
}

/* The pane: a title line, then the stack and packet, @rows lines. */
static void put_detail(struct watch *w, FILE *out, size_t rows, size_t cols)
{
	char title[DROPMON_SYMBOL_MAX + 256], *buf = NULL, *p, *nl;
	size_t len = 0, n = 1;
	FILE *t;

	snprintf(title, sizeof(title), "stack and packet of %s@%s %s netns %u %s (seq %llu)   v/Esc close",
		 w->key.symbol, w->key.dev, w->key.reason, w->key.netns,
		 w->key.proto, w->st.hdr.seq);
	put_line(out, "7", w->has_key ? title : "no row selected", cols);
	t = open_memstream(&buf, &len);
	if (!t)
		return;
	if (!w->has_key)
		;
	else if (w->o->by)
		fprintf(t, "a --by row adds up several keys, and a sample belongs to one: run without --by to see samples\n");
	else if (w->key_gone)
		fprintf(t, "this key is not in seq %llu: no drops of it in this snapshot (or filtered out)\n",
			w->st.hdr.seq);
	else if (w->samples_msg[0])
		fprintf(t, "no samples: %s\n", w->samples_msg);
	else
		dm_format_sample(t, selected_sample(w), "");
	if (fclose(t) == 0) {
		for (p = buf; n < rows && (nl = memchr(p, '\n', buf + len - p));
		     p = nl + 1, n++) {
			*nl = '\0';
			put_line(out, NULL, p, cols);
		}
	}
	free(buf);
}

static void draw(struct watch *w)
{
	char *buf = NULL;
	size_t rows, cols, len = 0;
	struct dm_error e;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return;
	screen_size(&rows, &cols);
	fputs("\033[H", out);
	put_status(w, out, cols);
	if (w->detail && rows > 8) {
		size_t pane = (rows - 2) / 2;
		size_t top = rows - pane;

		put_table(w, out, top, cols);
		fprintf(out, "\033[J\033[%zu;1H", top + 1);
		put_detail(w, out, pane, cols);
	} else {
		put_table(w, out, rows, cols);
	}
	fputs("\033[J", out);
	if (fclose(out) == 0)
		dm_write_stdout(buf, len, &e);
	free(buf);
	w->dirty = false;
}

static void handle_key(struct watch *w, int c)
{
	w->dirty = true;
	switch (c) {
	case 'j':
	case KEY_DOWN:
		move_selection(w, 1);
		break;
	case 'k':
	case KEY_UP:
		move_selection(w, -1);
		break;
	case 'v':
	case '\n':
	case '\r':
		toggle_detail(w);
		break;
	case KEY_ESC:
		if (w->detail)
			toggle_detail(w);
		break;
	case 'q':
	case 'Q':
		w->quit = true;
		break;
	case 's':
		w->s.sort = (w->s.sort + 1) % DM_NR_SORTS;
		follow_key(w);
		break;
	case 'S':
		w->s.sort = (w->s.sort + DM_NR_SORTS - 1) % DM_NR_SORTS;
		follow_key(w);
		break;
	case 'p':
	case ' ':
		w->paused = !w->paused;
		w->was_paused = true;
		break;
	case 't':
		switch_view(w);
		break;
	case 'r':
		w->s.raw = !w->s.raw;
		follow_key(w);
		break;
	default:		/* ^L and anything else: redraw */
		break;
	}
}

/* Wait up to one poll period for keys or a signal. */
static void wait_tick(struct watch *w)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	unsigned char keys[64];
	ssize_t n, i;

	if (poll(&pfd, w->keys ? 1 : 0,
		 (int)dm_watch_poll_ms(w->seen ? &w->last : NULL)) <= 0)
		return;
	if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) {
		w->quit = true;
		return;
	}
	n = read(STDIN_FILENO, keys, sizeof(keys));
	if (n == 0)
		w->quit = true;
	for (i = 0; i < n && !w->quit; i++) {
		/* ESC [ A / ESC O A (up), B (down); a lone ESC closes */
		if (keys[i] == 0x1b && i + 2 < n &&
		    (keys[i + 1] == '[' || keys[i + 1] == 'O')) {
			if (keys[i + 2] == 'A')
				handle_key(w, KEY_UP);
			else if (keys[i + 2] == 'B')
				handle_key(w, KEY_DOWN);
			i += 2;
		} else {
			handle_key(w, keys[i] == 0x1b ? KEY_ESC : keys[i]);
		}
	}
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

static void watch_init(struct watch *w, const struct options *o)
{
	struct sigaction sa;
	size_t i;

	memset(w, 0, sizeof(*w));
	w->o = o;
	w->sel = -1;
	dm_show_init(&w->s, o);
	dm_show_path(&w->s, w->path, sizeof(w->path));
	w->screen = isatty(STDOUT_FILENO) && o->format == DM_FMT_TABLE &&
		    !o->output;
	catch_signal(SIGINT);
	catch_signal(SIGTERM);
	catch_signal(SIGHUP);
	for (i = 0; i < sizeof(stop_signals) / sizeof(*stop_signals); i++)
		catch_signal(stop_signals[i]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(crash_signals) / sizeof(*crash_signals); i++)
		sigaction(crash_signals[i], &sa, NULL);
	dm_show_prepare_output(&w->s);
	if (w->screen) {
		catch_signal(SIGWINCH);
		catch_signal(SIGTSTP);
		term_enter(w);
	}
}

/* -w --count on a terminal: the last snapshot stays on the screen. */
static void print_last(struct watch *w)
{
	struct dm_error e;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (!w->seen)
		return;
	out = open_memstream(&buf, &len);
	if (!out)
		return;
	w->s.max_width = 0;
	w->s.max_lines = 0;
	w->s.selected = -1;
	dm_show_render(&w->s, &w->st, NULL, out);
	if (fclose(out) == 0)
		dm_write_stdout(buf, len, &e);
	free(buf);
}

int dm_watch(const struct options *o)
{
	struct watch w;

	watch_init(&w, o);
	while (!w.quit && !got_stop) {
		if (!w.paused)
			poll_source(&w);
		if (w.screen && got_tstp)
			suspend(&w);
		if (w.screen && (w.dirty || got_winch)) {
			got_winch = 0;
			draw(&w);
		}
		if (!w.quit && !got_stop)
			wait_tick(&w);
	}
	if (w.screen)
		term_leave(&w);
	if (w.screen && w.by_count)
		print_last(&w);
	/* stopped, not done: a fleet must not read the last counters as live */
	if (!w.by_count && !w.ret)
		emit_down(&w);
	dropmon_stats_free(&w.st);
	drop_samples(&w);
	dm_show_free(&w.s);
	if (got_fatal) {
		signal(got_fatal, SIG_DFL);
		raise(got_fatal);
	}
	return w.ret;
}
