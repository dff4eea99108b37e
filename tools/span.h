/* SPDX-License-Identifier: GPL-2.0 */
/*
 * span.h - pieces of an input buffer, and the line and field readers
 * that the stats and samples parsers share.  Pure: no I/O, no state.
 */
#ifndef DROPMON_SPAN_H
#define DROPMON_SPAN_H

#include <stdbool.h>
#include <stddef.h>

#define SPAN_EXCERPT_MAX	32	/* bytes of input quoted in errors */

/* A piece of the input buffer; not NUL terminated. */
struct span {
	const char *p;
	size_t len;
};

enum num_status {
	NUM_OK,
	NUM_INVALID,
	NUM_OVERFLOW,
};

/*
 * Quote at most SPAN_EXCERPT_MAX bytes of @s into @dst (of @size, at
 * least SPAN_EXCERPT_MAX + 4), anything but printable ASCII as '?', so
 * that hostile input cannot put escape sequences on a terminal.
 */
const char *span_excerpt(char *dst, size_t size, struct span s);

bool span_eq(struct span s, const char *str);

/* Split @s at the first @sep: @head gets what precedes it, @s the rest. */
bool span_split(struct span *s, char sep, struct span *head);

/* Unsigned decimal digits of at most @max. */
enum num_status span_dec(struct span s, unsigned long long max,
			 unsigned long long *out);

/* "0x" followed by 1 to 16 lowercase hex digits, as a location. */
bool span_location(struct span s, unsigned long long *out);

/* The value of lowercase hex digit @c, or -1. */
int span_hex_digit(char c);

/*
 * Is @s a string field of 1 to @max bytes with no control character?  If
 * not, @msg (of @size) says why, naming the field @name.
 */
bool span_string_ok(struct span s, const char *name, size_t max, char *msg,
		    size_t size);

/* Copy @s, NUL terminated, to *@pool and move *@pool past it. */
const char *span_copy(char **pool, struct span s);

/* Lines ('\n' terminated) in @len bytes at @s. */
size_t span_count_lines(const char *s, size_t len);

/*
 * The next line of @buf (@len bytes), from *@pos, without its '\n', of at
 * most @max bytes: 1 and *@pos moved past it, 0 at the end, or -1 with
 * *@why saying what is wrong ("line too long", no newline, a NUL byte).
 */
int span_next_line(const char *buf, size_t len, size_t *pos, size_t max,
		   struct span *line, const char **why);

#endif /* DROPMON_SPAN_H */
