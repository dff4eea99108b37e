/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcap.h - dropmon-show --pcap: the samples of the rows shown as a pcapng
 * file (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html),
 * which Wireshark, tshark and tcpdump read.  libpcap has no pcapng writer;
 * the format is small, and written here in the host's byte order, which
 * the Section Header Block's byte-order magic announces.
 *
 *   - one Section Header Block, shb_userappl "dropmon-show VERSION";
 *   - one Interface Description Block per link type used, in this order:
 *     LINKTYPE_ETHERNET (1) for header=mac samples, LINKTYPE_RAW (101) for
 *     header=network samples of proto ipv4/ipv6, LINKTYPE_LINUX_SLL (113)
 *     for other header=network samples (ARP, ...), each behind a
 *     synthesized 16-byte SLL header that carries the proto column as its
 *     protocol; if_tsresol 9 (ns), and an opt_comment saying that the
 *     timestamps are CLOCK_BOOTTIME (time since boot, not wall clock);
 *   - one Enhanced Packet Block per sample: captured length = bytes (+16
 *     with SLL), original length = len (+16), never less than captured;
 *     timestamp time_ns; two opt_comments:
 *       "dropmon: SYMBOL (MODULE) at 0xLOCATION reason=R dev=D netns=N proto=P count=C"
 *       "stack: FRAME0 (MODULE) < FRAME1 (MODULE) < ..."
 *
 * header=none samples have no bytes and are skipped (counted).
 */
#ifndef DROPMON_PCAP_H
#define DROPMON_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "filter.h"
#include "samples.h"

#define DM_LINKTYPE_ETHERNET	1
#define DM_LINKTYPE_RAW		101
#define DM_LINKTYPE_LINUX_SLL	113

struct dm_pcap_counts {
	size_t written;			/* Enhanced Packet Blocks */
	size_t no_bytes;		/* header=none samples skipped */
	size_t no_sample;		/* rows shown without a sample */
};

/*
 * Write the pcapng file of the rows of @v (each row one key) whose sample
 * @by_row (indexed like v->st->rows) has, to @out.  @version goes into
 * shb_userappl.  Timestamps are the samples' CLOCK_BOOTTIME plus
 * @boot_to_real_ns, the boot time in wall-clock time (DM_PCAP_BOOTTIME:
 * left as they are).
 */
#define DM_PCAP_BOOTTIME	INT64_MIN
void dm_pcap_write(FILE *out, const struct dm_view *v,
		   const struct dropmon_sample *const *by_row,
		   const char *version, int64_t boot_to_real_ns,
		   struct dm_pcap_counts *counts);

/* The link type of @sm's bytes: one of DM_LINKTYPE_*, or 0 (none). */
unsigned int dm_pcap_linktype(const struct dropmon_sample *sm);

#endif /* DROPMON_PCAP_H */
