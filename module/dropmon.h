/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dropmon: count dropped packets by kernel location, drop reason, device,
 * network namespace and protocol.
 */
#ifndef DROPMON_H
#define DROPMON_H

#include <linux/if.h>
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/types.h>

#define DROPMON_VERSION		"0.2.0"
#define DROPMON_FORMAT		2
#define DROPMON_SAMPLES_FORMAT	1

#define DROPMON_SYM_LEN		128
#define DROPMON_REASON_LEN	48
#define DROPMON_STACK_DEPTH_MAX	32
#define DROPMON_SAMPLE_BYTES_MAX	256

/*
 * What the worker counts an event by, once it has resolved the device.  The
 * padding is named, and zeroed with the rest, so that keys compare as bytes.
 */
struct dropmon_key {
	unsigned long location;
	u32 reason;
	u32 netns;
	char dev[IFNAMSIZ];
	__be16 proto;
	u16 pad16;
	u32 pad32;
};

/* Where a sample's bytes start. */
enum dropmon_header {
	DROPMON_HDR_NONE,
	DROPMON_HDR_MAC,
	DROPMON_HDR_NETWORK,
};

/*
 * A key's sample as the worker made it from what the probe captured: the
 * packet's first bytes, then the stack, already rendered as the samples
 * file's frame lines.  Immutable once made; shared by the accumulators'
 * rows and the snapshots' by reference.
 */
struct dropmon_sample {
	struct kref ref;
	u64 time_ns;		/* boottime, as the snapshots' start and end */
	u32 len;		/* from the header to the packet's end */
	u16 nbytes;
	u8 header;		/* enum dropmon_header */
	u8 nframes;
	size_t bytes;		/* really allocated */
	char *frames;		/* "frame\t<i>\t<symbol>\t<module>\n" lines */
	u8 data[];		/* nbytes of packet, then the frames' text */
};

/* One line of a snapshot: a key, its count and what the worker resolved. */
struct dropmon_row {
	struct dropmon_key key;
	u64 count;
	struct dropmon_sample *sample;	/* NULL: none this interval */
	char sym[DROPMON_SYM_LEN];
	char mod[MODULE_NAME_LEN];
	char reason[DROPMON_REASON_LEN];
};

/* A published, immutable snapshot: the last interval, or the totals. */
struct dropmon_snap {
	struct kref ref;
	u64 seq;
	u64 start_ns;
	u64 end_ns;
	u64 drops;
	u64 lost;
	u64 evicted;		/* totals: events of the rows evicted */
	u64 unsampled;		/* events of the rows that have no sample */
	unsigned int interval_ms;
	unsigned int nr;
	unsigned int sampled;	/* rows that have a sample */
	struct dropmon_row rows[];
};

enum dropmon_view {
	DROPMON_VIEW_STATS,
	DROPMON_VIEW_TOTALS,
};

/*
 * main.c: parameters, validated at load time and when written at run
 * time; the values in effect, written only by the worker once loaded.
 */
extern unsigned int dropmon_max_keys;
extern unsigned int dropmon_total_keys;
extern unsigned int dropmon_interval_ms;
extern unsigned int dropmon_stack_depth;
extern unsigned int dropmon_sample_bytes;
struct seq_file;
void dropmon_params_apply(void);
void dropmon_params_status(struct seq_file *m);

/* probe.c */
int dropmon_probe_register(void);
void dropmon_probe_unregister(void);

/* devices.c */
int dropmon_devices_init(void);
void dropmon_devices_exit(void);
void dropmon_devices_status(unsigned int *nr, size_t *bytes,
			    unsigned long *alloc_failures);

/* sample.c: the worker's side */
void dropmon_sample_put(struct dropmon_sample *sample);
size_t dropmon_sample_store_bytes(void);
size_t dropmon_sample_max_bytes(void);

/* snapshot.c */
void dropmon_frame_resolve(unsigned long addr, bool ret, char *sym,
			   char *mod);
bool dropmon_func_bounds(unsigned long addr, unsigned long *start,
			 unsigned long *size);
int dropmon_snapshot_init(void);
void dropmon_snapshot_start(void);
void dropmon_snapshot_stop(void);
void dropmon_snapshot_exit(void);
int dropmon_tables_apply(unsigned int max_keys, unsigned int depth,
			 unsigned int bytes);
bool dropmon_tables_busy(void);
int dropmon_totals_resize(unsigned int cap);
struct dropmon_snap *dropmon_snap_get(enum dropmon_view view);
void dropmon_snap_put(struct dropmon_snap *snap);
void dropmon_status_render(struct seq_file *m);

/* debugfs.c */
void dropmon_debugfs_init(void);
void dropmon_debugfs_exit(void);

#endif /* DROPMON_H */
