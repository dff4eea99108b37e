// SPDX-License-Identifier: GPL-2.0
/*
 * span.c - see span.h.
 */
#include "span.h"

#include <stdio.h>
#include <string.h>

const char *span_excerpt(char *dst, size_t size, struct span s)
{
	size_t n = s.len < SPAN_EXCERPT_MAX ? s.len : SPAN_EXCERPT_MAX;
	size_t i;

	if (size < SPAN_EXCERPT_MAX + 4)
		return "";
	for (i = 0; i < n; i++) {
		unsigned char c = s.p[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n < s.len) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
	return dst;
}

bool span_eq(struct span s, const char *str)
{
	size_t n = strlen(str);

	return s.len == n && memcmp(s.p, str, n) == 0;
}

bool span_split(struct span *s, char sep, struct span *head)
{
	const char *q = memchr(s->p, sep, s->len);

	if (!q) {
		*head = *s;
		s->p += s->len;
		s->len = 0;
		return false;
	}
	head->p = s->p;
	head->len = q - s->p;
	s->len -= head->len + 1;
	s->p = q + 1;
	return true;
}

enum num_status span_dec(struct span s, unsigned long long max,
			 unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (s.len == 0)
		return NUM_INVALID;
	for (i = 0; i < s.len; i++) {
		unsigned int d = (unsigned char)s.p[i] - '0';

		if (d > 9)
			return NUM_INVALID;
		if (v > (max - d) / 10)
			return NUM_OVERFLOW;
		v = v * 10 + d;
	}
	*out = v;
	return NUM_OK;
}

int span_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool span_location(struct span s, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (s.len < 3 || s.len > 18 || s.p[0] != '0' || s.p[1] != 'x')
		return false;
	for (i = 2; i < s.len; i++) {
		int d = span_hex_digit(s.p[i]);

		if (d < 0)
			return false;
		v = v << 4 | (unsigned int)d;
	}
	*out = v;
	return true;
}

size_t span_count_lines(const char *s, size_t len)
{
	const char *end = s + len;
	size_t n = 0;

	while (s < end && (s = memchr(s, '\n', end - s))) {
		s++;
		n++;
	}
	return n;
}

int span_next_line(const char *buf, size_t len, size_t *pos, size_t max,
		   struct span *line, const char **why)
{
	size_t avail = len - *pos;
	size_t scan = avail < max + 1 ? avail : max + 1;
	const char *start = buf + *pos;
	const char *nl;

	if (avail == 0)
		return 0;
	nl = memchr(start, '\n', scan);
	if (!nl && scan < avail) {
		*why = "line too long (more than %zu bytes)";
		return -1;
	}
	if (!nl) {
		*why = "no newline at end of line (truncated file?)";
		return -1;
	}
	line->p = start;
	line->len = nl - start;
	if (memchr(line->p, '\0', line->len)) {
		*why = "NUL byte in line (binary data?)";
		return -1;
	}
	*pos += line->len + 1;
	return 1;
}

bool span_string_ok(struct span s, const char *name, size_t max, char *msg,
		    size_t size)
{
	size_t i;

	if (s.len == 0) {
		snprintf(msg, size, "%s field is empty", name);
		return false;
	}
	if (s.len > max) {
		snprintf(msg, size, "%s field is too long (%zu bytes, max %zu)",
			 name, s.len, max);
		return false;
	}
	for (i = 0; i < s.len; i++) {
		unsigned char c = s.p[i];

		if (c < 0x20 || c == 0x7f) {
			snprintf(msg, size, "%s field contains control character 0x%02x",
				 name, c);
			return false;
		}
	}
	return true;
}

const char *span_copy(char **pool, struct span s)
{
	char *out = *pool;

	memcpy(out, s.p, s.len);
	out[s.len] = '\0';
	*pool += s.len + 1;
	return out;
}
