/* SPDX-License-Identifier: GPL-2.0 */
/*
 * samples.h - parser for the dropmon debugfs samples/samples_totals files
 * (dropmon-samples format=1), and joining samples to the rows of the stats
 * file of the same snapshot.
 *
 * Pure, as stats.h: a buffer and its length in, no I/O, no global state,
 * never a read outside the buffer (which need not be NUL terminated).
 * Everything a parsed file holds is copied into storage owned by struct
 * dropmon_samples; release it with dropmon_samples_free().
 *
 * File layout (TAB-separated, every line ends with '\n'):
 *
 *   # dropmon-samples format=1 seq=S keys=K unsampled=U
 *   sample<TAB>LOCATION<TAB>REASON<TAB>DEV<TAB>NETNS<TAB>PROTO<TAB>time_ns=T len=L header=mac|network|none bytes=B
 *   packet<TAB>2*B lowercase hex digits (nothing after the TAB when B=0)
 *   frame<TAB>I<TAB>SYMBOL<TAB>MODULE        0..32 of them, I = 0, 1, 2...
 *   ... K blocks in all, in the order of the stats rows they belong to.
 *
 * The five key columns are written as the stats file writes them; U is the
 * sum of the counts of the stats rows without a sample.
 */
#ifndef DROPMON_SAMPLES_H
#define DROPMON_SAMPLES_H

#include <stddef.h>

#include "stats.h"

#define DROPMON_SAMPLES_FORMAT_VERSION	1

/* Accepted bounds (the module captures at most 256 bytes and 32 frames). */
#define DROPMON_SAMPLE_BYTES_MAX	4096
#define DROPMON_SAMPLE_FRAMES_MAX	32
/* Longest accepted line: a packet line of DROPMON_SAMPLE_BYTES_MAX bytes. */
#define DROPMON_SAMPLES_LINE_MAX	(2 * DROPMON_SAMPLE_BYTES_MAX + 16)

enum dropmon_sample_header {
	DROPMON_HDR_MAC,		/* bytes start at the MAC header */
	DROPMON_HDR_NETWORK,		/* ... at the network header */
	DROPMON_HDR_NONE,		/* no bytes */
};

extern const char *const dropmon_sample_header_names[3];

struct dropmon_samples_header {
	unsigned long long format;
	unsigned long long seq;
	unsigned long long keys;
	unsigned long long unsampled;
};

/* One stack frame: "name+0xoff/0xsize" and module, or "0x..." and "?". */
struct dropmon_frame {
	const char *symbol;
	const char *module;
};

/* One sample block.  Pointers stay valid until dropmon_samples_free(). */
struct dropmon_sample {
	/* the key, as in the stats row */
	unsigned long long location;
	const char *reason;
	const char *dev;
	unsigned int netns;
	const char *proto;

	unsigned long long time_ns;	/* CLOCK_BOOTTIME of the drop */
	unsigned long long len;		/* packet length from the header on */
	enum dropmon_sample_header header;
	size_t nr_bytes;
	const unsigned char *bytes;	/* nr_bytes captured bytes */
	size_t nr_frames;
	const struct dropmon_frame *frames;	/* innermost first */
	unsigned long line;		/* of the sample line, for messages */
};

struct dropmon_samples {
	struct dropmon_samples_header hdr;
	size_t nr;			/* == hdr.keys after a successful parse */
	struct dropmon_sample *samples;	/* in file order */
	struct dropmon_frame *frames;	/* backing store of every sample's */
	char *pool;			/* backing store of strings and bytes */
};

/*
 * Parse @len bytes at @buf into @sm.  Returns DROPMON_PARSE_OK and fills
 * @sm, or another status with @sm zeroed and @err filled in (@err may be
 * NULL).  DROPMON_PARSE_VERSION: the magic is right, format is not 1.
 */
enum dropmon_parse_status dropmon_samples_parse(const char *buf, size_t len,
						struct dropmon_samples *sm,
						struct dropmon_parse_error *err);

/* Release what dropmon_samples_parse() allocated; safe on a zeroed struct. */
void dropmon_samples_free(struct dropmon_samples *sm);

/*
 * Join @sm to the rows of @st (the same snapshot: equal seq, checked by
 * the caller): @by_row[i] is the sample of st->rows[i] or NULL.  @by_row
 * has st->nr_rows entries.  Every sample must match a row, in the rows'
 * order, and unsampled= must equal the counts of the rows left without
 * one.  Returns DROPMON_PARSE_OK or DROPMON_PARSE_MALFORMED with @err
 * (line: the sample block's first line, 1 for the header).
 */
enum dropmon_parse_status
dropmon_samples_join(const struct dropmon_stats *st,
		     const struct dropmon_samples *sm,
		     const struct dropmon_sample **by_row,
		     struct dropmon_parse_error *err);

#endif /* DROPMON_SAMPLES_H */
