// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_samples.c - libFuzzer entry point for the samples parser, the
 * packet decoder, and what dropmon-show prints and writes of a sample.
 *
 *   make -C tools fuzz-run            (each target FUZZ_TIME seconds)
 *
 * The input is parsed as a samples file; an accepted one is checked for
 * consistency and each sample is decoded and printed as text and JSON.
 * The input is also decoded as packet bytes directly (its first byte
 * picks the header kind and protocol), so that the decoder sees every
 * byte pattern, not only those a samples file's hex spells.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "format.h"
#include "samples.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const protos[] = { "ipv4", "ipv6", "arp", "0x8100",
				      "0x88a8", "0x0000", "bogus", "0x" };

static void check_consistent(const struct dropmon_samples *sm)
{
	size_t i;

	if (sm->hdr.format != DROPMON_SAMPLES_FORMAT_VERSION ||
	    sm->nr != sm->hdr.keys)
		abort();
	for (i = 0; i < sm->nr; i++) {
		const struct dropmon_sample *s = &sm->samples[i];

		if (s->nr_bytes > DROPMON_SAMPLE_BYTES_MAX ||
		    s->nr_frames > DROPMON_SAMPLE_FRAMES_MAX ||
		    (s->header == DROPMON_HDR_NONE && s->nr_bytes) ||
		    !*s->reason || !*s->dev || !*s->proto)
			abort();
	}
}

static void decode_one(const unsigned char *p, size_t n,
		       unsigned long long len, enum dropmon_sample_header h,
		       const char *proto)
{
	struct dm_packet pk;
	char sum[512];

	dm_decode(p, n, len, h, proto, &pk);
	dm_packet_summary(&pk, sum, sizeof(sum));
	if (pk.decoded > n || strlen(sum) >= sizeof(sum) ||
	    (pk.malformed && !*pk.malformed))
		abort();
}

/* JSON of a sample: one line without control characters. */
static void check_json(const struct dropmon_sample *s)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		abort();
	dm_json_sample(out, s);
	dm_format_sample(out, s, "  ");
	fclose(out);
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x20 && buf[i] != '\n')
			abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dropmon_parse_error err;
	struct dropmon_samples sm;
	size_t i;

	if (size) {
		unsigned char sel = data[0];

		decode_one(data + 1, size - 1, sel & 0x80 ? size / 2 : size,
			   sel % 3, protos[(sel >> 2) % 8]);
	}
	if (dropmon_samples_parse((const char *)data, size, &sm, &err) !=
	    DROPMON_PARSE_OK) {
		if (!err.msg[0] || strlen(err.msg) >= sizeof(err.msg))
			abort();
		return 0;
	}
	check_consistent(&sm);
	for (i = 0; i < sm.nr; i++) {
		const struct dropmon_sample *s = &sm.samples[i];

		decode_one(s->bytes, s->nr_bytes, s->len, s->header, s->proto);
		check_json(s);
	}
	dropmon_samples_free(&sm);
	return 0;
}
