/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.h - parser for the dropmon debugfs stats/totals files (format=1, 2).
 *
 * The parser is pure: it takes a buffer and its length, performs no I/O,
 * keeps no global state and never reads outside the buffer (the buffer does
 * not need to be NUL terminated).  All strings of a parsed file are copied
 * into storage owned by struct dropmon_stats; release it with
 * dropmon_stats_free().
 *
 * File layout (every line ends with '\n'):
 *
 *   # dropmon format=2 seq=S interval_ms=I start_ns=A end_ns=B keys=K drops=D lost=L evicted=E
 *   # count<TAB>location<TAB>symbol<TAB>module<TAB>reason<TAB>dev<TAB>netns<TAB>proto
 *   K data lines of 8 TAB-separated fields
 *
 * with sum(count) + lost + evicted == drops.  Format 1 is the same
 * without evicted= (read as evicted=0); evicted= in a format 1 header,
 * or none in a format 2 one, is malformed.
 */
#ifndef DROPMON_STATS_H
#define DROPMON_STATS_H

#include <stddef.h>

/* The formats read: DROPMON_FORMAT_OLDEST to DROPMON_FORMAT_VERSION. */
#define DROPMON_FORMAT_OLDEST	1
#define DROPMON_FORMAT_VERSION	2
#define DROPMON_FORMAT_NAMES	"format=1 and format=2"

/* Longest accepted line, excluding the '\n'. */
#define DROPMON_LINE_MAX	4096

/* Longest accepted string field, in bytes (excluding the NUL). */
#define DROPMON_SYMBOL_MAX	1023	/* KSYM_NAME_LEN is 512 since 6.1, plus +0xoff/0xsize */
#define DROPMON_MODULE_MAX	63	/* MODULE_NAME_LEN - 1 is 55 */
#define DROPMON_REASON_MAX	63
#define DROPMON_DEV_MAX		15	/* IFNAMSIZ - 1 */
#define DROPMON_PROTO_MAX	15

#define DROPMON_NR_FIELDS	8

extern const char dropmon_column_header[];

struct dropmon_header {
	unsigned long long format;
	unsigned long long seq;
	unsigned long long interval_ms;
	unsigned long long start_ns;
	unsigned long long end_ns;
	unsigned long long keys;
	unsigned long long drops;
	unsigned long long lost;
	unsigned long long evicted;	/* 0 in format 1 */
};

/*
 * One data line.  The string members point into dropmon_stats storage and
 * stay valid until dropmon_stats_free().  They are never NULL or empty.
 */
struct dropmon_row {
	unsigned long long count;
	unsigned long long location;	/* kernel text address */
	const char *symbol;		/* "name+0xoff/0xsize" or "?" */
	const char *module;		/* "vmlinux", a module name or "?" */
	const char *reason;		/* "NO_SOCKET", "-" or a decimal number */
	const char *dev;		/* interface name, "-" or "?" */
	unsigned int netns;		/* netns inode, 0 without device */
	const char *proto;		/* "ipv4", "ipv6", "arp" or "0x%04x" */
};

struct dropmon_stats {
	struct dropmon_header hdr;
	size_t nr_rows;			/* == hdr.keys after a successful parse */
	struct dropmon_row *rows;	/* in file order */
	char *strings;			/* backing store for the row strings */
};

enum dropmon_parse_status {
	DROPMON_PARSE_OK = 0,
	DROPMON_PARSE_MALFORMED,	/* not a valid format=1 or 2 file */
	DROPMON_PARSE_VERSION,		/* valid magic, but format not 1 or 2 */
	DROPMON_PARSE_NOMEM,
};

struct dropmon_parse_error {
	unsigned long line;		/* 1-based line of the problem */
	unsigned long long version;	/* format number, for _VERSION */
	char msg[160];			/* what was wrong, no trailing newline */
};

/*
 * Parse @len bytes at @buf into @st.  Returns DROPMON_PARSE_OK and fills
 * @st, or another status with @st zeroed (nothing to free) and @err filled
 * in.  @err may be NULL.
 */
enum dropmon_parse_status dropmon_stats_parse(const char *buf, size_t len,
					      struct dropmon_stats *st,
					      struct dropmon_parse_error *err);

/*
 * Parse only the header line at the start of @buf (which may hold just a
 * prefix of a file) into @hdr.  For cheap change detection: the rest of the
 * file is not looked at, so a DROPMON_PARSE_OK here says nothing about it.
 */
enum dropmon_parse_status dropmon_header_parse(const char *buf, size_t len,
					       struct dropmon_header *hdr,
					       struct dropmon_parse_error *err);

/* Release what dropmon_stats_parse() allocated; safe on a zeroed struct. */
void dropmon_stats_free(struct dropmon_stats *st);

#endif /* DROPMON_STATS_H */
