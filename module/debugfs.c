// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/dropmon/{stats,totals}.  Each open takes a reference
 * on the snapshot published at that moment and renders it in one pass,
 * so a reader always sees exactly one complete snapshot however it reads.
 * /sys/kernel/debug/dropmon/{samples,samples_totals}: the samples of the
 * same snapshots, in their own format (dropmon-samples format=1), read
 * record by record from the snapshot the open took.
 * /sys/kernel/debug/dropmon/status: key=value lines on the module itself
 * (memory, the worker's timings); not part of the format=2 contract.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/if_ether.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "compat.h"
#include "dropmon.h"

#define DROPMON_HEADER_BYTES	256
#define DROPMON_ROW_BYTES	(64 + DROPMON_SYM_LEN + MODULE_NAME_LEN + \
				 DROPMON_REASON_LEN + IFNAMSIZ)

static struct dentry *dropmon_dir;
static const enum dropmon_view dropmon_views[] = {
	DROPMON_VIEW_STATS,
	DROPMON_VIEW_TOTALS,
};

static void dropmon_proto_name(__be16 proto, char *buf, size_t len)
{
	switch (ntohs(proto)) {
	case ETH_P_IP:
		strscpy(buf, "ipv4", len);
		break;
	case ETH_P_IPV6:
		strscpy(buf, "ipv6", len);
		break;
	case ETH_P_ARP:
		strscpy(buf, "arp", len);
		break;
	default:
		snprintf(buf, len, "0x%04x", ntohs(proto));
		break;
	}
}

static int dropmon_show(struct seq_file *m, void *v)
{
	const struct dropmon_snap *snap = m->private;
	char proto[8];
	unsigned int i;

	seq_printf(m, "# dropmon format=%d seq=%llu interval_ms=%u start_ns=%llu end_ns=%llu keys=%u drops=%llu lost=%llu evicted=%llu\n",
		   DROPMON_FORMAT, snap->seq, snap->interval_ms,
		   snap->start_ns, snap->end_ns, snap->nr, snap->drops,
		   snap->lost, snap->evicted);
	seq_puts(m, "# count\tlocation\tsymbol\tmodule\treason\tdev\tnetns\tproto\n");
	for (i = 0; i < snap->nr; i++) {
		const struct dropmon_row *row = &snap->rows[i];

		if (!(i % 256))
			cond_resched();	/* up to 65536 rows in one pass */
		dropmon_proto_name(row->key.proto, proto, sizeof(proto));
		seq_printf(m, "%llu\t0x%lx\t%s\t%s\t%s\t%s\t%u\t%s\n",
			   row->count, row->key.location, row->sym, row->mod,
			   row->reason, row->key.dev, row->key.netns, proto);
	}
	return 0;
}

static int dropmon_open(struct inode *inode, struct file *file)
{
	const enum dropmon_view *view = inode->i_private;
	struct dropmon_snap *snap = dropmon_snap_get(*view);
	size_t size = DROPMON_HEADER_BYTES + snap->nr * DROPMON_ROW_BYTES;
	int err;

	err = single_open_size(file, dropmon_show, snap, size);
	if (err)
		dropmon_snap_put(snap);
	return err;
}

static int dropmon_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	dropmon_snap_put(m->private);
	return single_release(inode, file);
}

static const struct file_operations dropmon_fops = {
	.owner = THIS_MODULE,
	.open = dropmon_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = dropmon_release,
};

static const char *const dropmon_header_names[] = {
	[DROPMON_HDR_NONE] = "none",
	[DROPMON_HDR_MAC] = "mac",
	[DROPMON_HDR_NETWORK] = "network",
};

/*
 * Positions: 0 is the header line, n + 1 is row n, and only rows with a
 * sample are shown.
 */
static void *dropmon_samples_at(struct seq_file *m, loff_t *pos)
{
	const struct dropmon_snap *snap = m->private;

	if (!*pos)
		return SEQ_START_TOKEN;
	while (*pos <= snap->nr && !snap->rows[*pos - 1].sample)
		++*pos;
	return *pos <= snap->nr ? (void *)&snap->rows[*pos - 1] : NULL;
}

static void *dropmon_samples_start(struct seq_file *m, loff_t *pos)
{
	return dropmon_samples_at(m, pos);
}

static void *dropmon_samples_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return dropmon_samples_at(m, pos);
}

static void dropmon_samples_stop(struct seq_file *m, void *v)
{
}

static int dropmon_samples_show(struct seq_file *m, void *v)
{
	const struct dropmon_snap *snap = m->private;
	const struct dropmon_row *row = v;
	const struct dropmon_sample *smp;
	char hex[2 * DROPMON_SAMPLE_BYTES_MAX + 1];
	char proto[8];

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "# dropmon-samples format=%d seq=%llu keys=%u unsampled=%llu\n",
			   DROPMON_SAMPLES_FORMAT, snap->seq, snap->sampled,
			   snap->unsampled);
		return 0;
	}
	smp = row->sample;
	dropmon_proto_name(row->key.proto, proto, sizeof(proto));
	seq_printf(m, "sample\t0x%lx\t%s\t%s\t%u\t%s\ttime_ns=%llu len=%u header=%s bytes=%u\n",
		   row->key.location, row->reason, row->key.dev,
		   row->key.netns, proto, smp->time_ns, smp->len,
		   dropmon_header_names[smp->header], smp->nbytes);
	*bin2hex(hex, smp->data,
		 min_t(size_t, smp->nbytes, DROPMON_SAMPLE_BYTES_MAX)) = '\0';
	seq_printf(m, "packet\t%s\n", hex);
	seq_puts(m, smp->frames);
	return 0;
}

static const struct seq_operations dropmon_samples_seq_ops = {
	.start = dropmon_samples_start,
	.next = dropmon_samples_next,
	.stop = dropmon_samples_stop,
	.show = dropmon_samples_show,
};

static int dropmon_samples_open(struct inode *inode, struct file *file)
{
	const enum dropmon_view *view = inode->i_private;
	struct dropmon_snap *snap = dropmon_snap_get(*view);
	int err;

	err = seq_open(file, &dropmon_samples_seq_ops);
	if (err) {
		dropmon_snap_put(snap);
		return err;
	}
	((struct seq_file *)file->private_data)->private = snap;
	return 0;
}

static int dropmon_samples_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	dropmon_snap_put(m->private);
	return seq_release(inode, file);
}

static const struct file_operations dropmon_samples_fops = {
	.owner = THIS_MODULE,
	.open = dropmon_samples_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = dropmon_samples_release,
};

static int dropmon_status_show(struct seq_file *m, void *v)
{
	dropmon_status_render(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dropmon_status);

void dropmon_debugfs_init(void)
{
	dropmon_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0400, dropmon_dir,
			    (void *)&dropmon_views[DROPMON_VIEW_STATS],
			    &dropmon_fops);
	debugfs_create_file("totals", 0400, dropmon_dir,
			    (void *)&dropmon_views[DROPMON_VIEW_TOTALS],
			    &dropmon_fops);
	debugfs_create_file("samples", 0400, dropmon_dir,
			    (void *)&dropmon_views[DROPMON_VIEW_STATS],
			    &dropmon_samples_fops);
	debugfs_create_file("samples_totals", 0400, dropmon_dir,
			    (void *)&dropmon_views[DROPMON_VIEW_TOTALS],
			    &dropmon_samples_fops);
	debugfs_create_file("status", 0400, dropmon_dir, NULL,
			    &dropmon_status_fops);
}

void dropmon_debugfs_exit(void)
{
	debugfs_remove_recursive(dropmon_dir);
}
