// SPDX-License-Identifier: GPL-2.0
/*
 * dmgen - generate exactly-known packet drops for dropmon tests.
 *
 * All traffic goes to loopback (127.0.0.1 / ::1) or to an interface named
 * on the command line. Nothing is ever sent off-host by design.
 *
 * Built as a static binary and run as root inside a busybox initramfs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/net_dropmon.h>
#include <linux/netlink.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT	100000000UL
#define MAX_SECONDS	3600UL
#define MAX_BUFSZ	(16UL * 1024 * 1024)
#define UDP_PAYLOAD	16
#define ETH_PAYLOAD	46
/* Give up on one datagram/frame after this many consecutive retries. */
#define MAX_RETRIES	20000
#define RETRY_USEC	500

static const char *usage_text =
	"usage: dmgen [-n] [-c CPU] COMMAND ARGS...\n"
	"\n"
	"global options:\n"
	"  -n        unshare into a fresh network namespace and bring lo up\n"
	"  -c CPU    pin to CPU before doing anything\n"
	"  -h        show this help\n"
	"\n"
	"commands:\n"
	"  udp4 N PORT                  send N UDP datagrams to 127.0.0.1:PORT\n"
	"  udp6 N PORT                  send N UDP datagrams to [::1]:PORT\n"
	"  tcp4 N PORT                  N refused TCP connects to 127.0.0.1:PORT\n"
	"  tcp6 N PORT                  N refused TCP connects to [::1]:PORT\n"
	"  raw IFNAME N ETYPE...        send N broadcast frames per ethertype\n"
	"                               (ETYPE: hex 0x0600..0xffff or A-B range)\n"
	"  snapsum FILE SYMBOL DEV SECONDS  sum one key over every snapshot\n"
	"  failnth N MODULE [PARAMS]    load MODULE with its Nth allocation failing\n"
	"  netdm start|stop             the kernel's drop_monitor: summary mode\n"
	"                               with software drops, on or off\n"
	"  readtime FILE N              read FILE whole N times, print ns per read\n"
	"  udpqueue N PORT              queue N datagrams on a socket bound to\n"
	"                               127.0.0.1:PORT, close it unread\n"
	"  flood SECONDS PORT [udp4|udp6]\n"
	"                               UDP flood to closed loopback PORT,\n"
	"                               prints 'flood: sent=<count>';\n"
	"                               SIGTERM ends it early\n"
	"  readbytes FILE [BUFSZ]       copy FILE to stdout, BUFSZ bytes per read\n"
	"                               (default 1)\n"
	"  spin SECONDS                 busy-loop on clock_gettime, print the\n"
	"                               longest gap between two iterations and\n"
	"                               how many gaps passed 1, 10 and 100 ms\n"
	"\n"
	"limits: N 1..100000000, PORT 1..65535, SECONDS 1..3600\n";

/* Wrong number of arguments for a command: short synopsis, exit 1. */
static void __attribute__((noreturn)) usage_error(const char *synopsis)
{
	fprintf(stderr, "dmgen: usage: dmgen [-n] [-c CPU] %s (see dmgen -h)\n",
		synopsis);
	exit(1);
}

static void __attribute__((noreturn)) full_usage_error(void)
{
	fputs(usage_text, stderr);
	exit(1);
}

/* "dmgen: <what failed>: <strerror>" using the current errno. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fputs("dmgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

/* "dmgen: <message>" without errno. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("dmgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Strict unsigned parse: whole string, no sign, no whitespace, in range. */
static int parse_ulong(const char *s, int base, unsigned long min,
		       unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ' || *s == '\t')
		return -1;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end != '\0' || end == s)
		return -1;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static unsigned long arg_count(const char *s)
{
	unsigned long v;

	if (parse_ulong(s, 10, 1, MAX_COUNT, &v))
		die("invalid count '%s': must be an integer 1..%lu", s,
		    MAX_COUNT);
	return v;
}

static uint16_t arg_port(const char *s)
{
	unsigned long v;

	if (parse_ulong(s, 10, 1, 65535, &v))
		die("invalid port '%s': must be an integer 1..65535", s);
	return (uint16_t)v;
}

static void sleep_usec(long usec)
{
	struct timespec ts = { .tv_sec = usec / 1000000,
			       .tv_nsec = (usec % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- global options ---------------------------------------------------- */

static void pin_cpu(const char *s)
{
	unsigned long cpu;
	cpu_set_t set;

	if (parse_ulong(s, 10, 0, CPU_SETSIZE - 1, &cpu))
		die("invalid cpu '%s': must be an integer 0..%d", s,
		    CPU_SETSIZE - 1);
	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die_errno("sched_setaffinity cpu %lu", cpu);
}

static void new_netns(void)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET))
		die_errno("unshare(CLONE_NEWNET)");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket(AF_INET, SOCK_DGRAM)");
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		die_errno("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		die_errno("SIOCSIFFLAGS lo up");
	close(fd);
}

/* ---- loopback addresses ------------------------------------------------ */

struct lo_addr {
	int family;
	socklen_t len;
	struct sockaddr_storage ss;
};

static void make_lo_addr(int v6, uint16_t port, struct lo_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = in6addr_loopback;
		a->family = AF_INET6;
		a->len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->family = AF_INET;
		a->len = sizeof(*sin);
	}
}

static const char *proto_name(int v6, int tcp)
{
	if (tcp)
		return v6 ? "tcp6" : "tcp4";
	return v6 ? "udp6" : "udp4";
}

/* ---- udp4 / udp6 ------------------------------------------------------- */

static int cmd_udp(int v6, int argc, char **argv)
{
	const char *name = proto_name(v6, 0);
	unsigned char payload[UDP_PAYLOAD];
	struct lo_addr a;
	unsigned long n, i;
	uint16_t port;
	int fd;

	if (argc != 3)
		usage_error(v6 ? "udp6 N PORT" : "udp4 N PORT");
	n = arg_count(argv[1]);
	port = arg_port(argv[2]);
	make_lo_addr(v6, port, &a);
	memcpy(payload, "dropmon-dmgen-16", UDP_PAYLOAD);

	/* Deliberately unconnected: ICMP errors are not reported to it. */
	fd = socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("%s: socket", name);

	for (i = 0; i < n; i++) {
		int tries = 0;

		for (;;) {
			ssize_t r = sendto(fd, payload, sizeof(payload), 0,
					   (struct sockaddr *)&a.ss, a.len);

			if (r == (ssize_t)sizeof(payload))
				break;
			if (r >= 0) {
				errno = EMSGSIZE;
				die_errno("%s: short sendto (%zd of %zu bytes)",
					  name, r, sizeof(payload));
			}
			if (errno == EINTR)
				continue;
			if (errno != ENOBUFS && errno != EAGAIN &&
			    errno != ECONNREFUSED)
				die_errno("%s: sendto port %u datagram %lu",
					  name, port, i + 1);
			if (++tries > MAX_RETRIES)
				die_errno("%s: sendto port %u datagram %lu, "
					  "giving up after %d retries",
					  name, port, i + 1, MAX_RETRIES);
			sleep_usec(RETRY_USEC);
		}
	}
	close(fd);
	return 0;
}

/* ---- tcp4 / tcp6 ------------------------------------------------------- */

/*
 * udpqueue N PORT: queue N datagrams on a UDP socket bound to PORT and
 * close it unread.  The kernel frees them with skb->dev holding UDP's
 * dev_scratch (lengths and flags, not a pointer): dropmon must count them
 * with no device and never dereference that value.
 */
static int cmd_udpqueue(int argc, char **argv)
{
	unsigned char payload[UDP_PAYLOAD];
	int rcvbuf = 16 * 1024 * 1024;
	struct lo_addr a;
	unsigned long n, i;
	uint16_t port;
	int fd;

	if (argc != 3)
		usage_error("udpqueue N PORT");
	n = arg_count(argv[1]);
	port = arg_port(argv[2]);
	make_lo_addr(0, port, &a);
	memcpy(payload, "dropmon-dmgen-16", UDP_PAYLOAD);

	fd = socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("udpqueue: socket");
	/* Room for all N, so none is dropped for a full receive buffer. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		die_errno("udpqueue: SO_RCVBUFFORCE");
	if (bind(fd, (struct sockaddr *)&a.ss, a.len))
		die_errno("udpqueue: bind port %u", port);
	for (i = 0; i < n; i++) {
		ssize_t r = sendto(fd, payload, sizeof(payload), 0,
				   (struct sockaddr *)&a.ss, a.len);

		if (r != (ssize_t)sizeof(payload))
			die_errno("udpqueue: sendto port %u datagram %lu",
				  port, i + 1);
	}
	close(fd);
	return 0;
}

static int cmd_tcp(int v6, int argc, char **argv)
{
	const char *name = proto_name(v6, 1);
	struct lo_addr a;
	unsigned long n, i;
	uint16_t port;

	if (argc != 3)
		usage_error(v6 ? "tcp6 N PORT" : "tcp4 N PORT");
	n = arg_count(argv[1]);
	port = arg_port(argv[2]);
	make_lo_addr(v6, port, &a);

	for (i = 0; i < n; i++) {
		int fd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int r;

		if (fd < 0)
			die_errno("%s: socket", name);
		do {
			r = connect(fd, (struct sockaddr *)&a.ss, a.len);
		} while (r < 0 && errno == EINTR);
		if (r == 0)
			die("%s: connect port %u attempt %lu: unexpectedly "
			    "succeeded (is something listening?)",
			    name, port, i + 1);
		if (errno != ECONNREFUSED)
			die_errno("%s: connect port %u attempt %lu "
				  "(expected ECONNREFUSED)", name, port, i + 1);
		close(fd);
	}
	return 0;
}

/* ---- raw --------------------------------------------------------------- */

struct etype_range {
	uint16_t first, last;
};

static uint16_t parse_etype(const char *arg, const char *s)
{
	unsigned long v;

	/* Base 16 accepts an optional 0x prefix. */
	if (parse_ulong(s, 16, 0x0600, 0xffff, &v))
		die("invalid ethertype '%s': must be hex 0x0600..0xffff "
		    "or a range A-B", arg);
	return (uint16_t)v;
}

static void parse_etype_arg(const char *arg, struct etype_range *r)
{
	const char *dash = strchr(arg, '-');

	if (!dash) {
		r->first = r->last = parse_etype(arg, arg);
		return;
	}
	{
		size_t len = (size_t)(dash - arg);
		char lo[32];

		if (len == 0 || len >= sizeof(lo))
			die("invalid ethertype range '%s'", arg);
		memcpy(lo, arg, len);
		lo[len] = '\0';
		r->first = parse_etype(arg, lo);
		r->last = parse_etype(arg, dash + 1);
		if (r->first > r->last)
			die("invalid ethertype range '%s': start > end", arg);
	}
}

static int cmd_raw(int argc, char **argv)
{
	static const unsigned char dst[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char src[ETH_ALEN] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	unsigned char frame[ETH_HLEN + ETH_PAYLOAD];
	struct etype_range *ranges;
	struct sockaddr_ll sll;
	const char *ifname;
	unsigned int ifindex;
	unsigned long n, i;
	int nranges, k, fd;

	if (argc < 4)
		usage_error("raw IFNAME N ETHERTYPE[-ETHERTYPE]...");
	ifname = argv[1];
	if (strlen(ifname) == 0 || strlen(ifname) >= IFNAMSIZ)
		die("invalid interface name '%s'", ifname);
	n = arg_count(argv[2]);
	nranges = argc - 3;
	ranges = calloc((size_t)nranges, sizeof(*ranges));
	if (!ranges)
		die_errno("calloc");
	/* Validate everything before sending anything. */
	for (k = 0; k < nranges; k++)
		parse_etype_arg(argv[3 + k], &ranges[k]);

	ifindex = if_nametoindex(ifname);
	if (ifindex == 0)
		die_errno("if_nametoindex %s", ifname);

	/* Protocol 0: send-only, the socket never receives anything. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket(AF_PACKET, SOCK_RAW)");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0;
	sll.sll_ifindex = (int)ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die_errno("bind AF_PACKET to %s", ifname);

	memset(frame, 0, sizeof(frame));
	memcpy(frame, dst, ETH_ALEN);
	memcpy(frame + ETH_ALEN, src, ETH_ALEN);

	for (k = 0; k < nranges; k++) {
		unsigned int et;

		for (et = ranges[k].first; et <= ranges[k].last; et++) {
			frame[12] = (unsigned char)(et >> 8);
			frame[13] = (unsigned char)(et & 0xff);
			for (i = 0; i < n; i++) {
				int tries = 0;

				for (;;) {
					ssize_t r = send(fd, frame,
							 sizeof(frame), 0);

					if (r == (ssize_t)sizeof(frame))
						break;
					if (r >= 0) {
						errno = EMSGSIZE;
						die_errno("raw: short send on %s "
							  "(%zd of %zu bytes)",
							  ifname, r,
							  sizeof(frame));
					}
					if (errno == EINTR)
						continue;
					if (errno != ENOBUFS &&
					    errno != EAGAIN)
						die_errno("raw: send on %s "
							  "ethertype 0x%04x "
							  "frame %lu", ifname,
							  et, i + 1);
					if (++tries > MAX_RETRIES)
						die_errno("raw: send on %s "
							  "ethertype 0x%04x "
							  "frame %lu, giving "
							  "up after %d retries",
							  ifname, et, i + 1,
							  MAX_RETRIES);
					sleep_usec(RETRY_USEC);
				}
			}
		}
	}
	close(fd);
	free(ranges);
	return 0;
}

/* ---- netdm: the kernel's drop_monitor, in summary mode --------------- */

struct nlreq {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[64];
};

static void nl_put(struct nlreq *r, uint16_t type, const void *data,
		   uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Send @r and wait for its answer; returns the reply's length. */
static ssize_t nl_talk(int fd, struct nlreq *r, char *buf, size_t len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	ssize_t n;

	r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, r, r->nh.nlmsg_len, 0) < 0)
		die_errno("netdm: send");
	n = recv(fd, buf, len, 0);
	if (n < 0)
		die_errno("netdm: recv");
	if (h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(h);

		if (e->error) {
			errno = -e->error;
			die_errno("netdm: command %u", r->gh.cmd);
		}
	}
	return n;
}

static uint16_t netdm_family(int fd)
{
	struct nlreq r = { .nh.nlmsg_type = GENL_ID_CTRL,
			   .gh.cmd = CTRL_CMD_GETFAMILY, .gh.version = 1 };
	char buf[8192];
	struct nlattr *a;
	ssize_t n;
	int len;

	r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nl_put(&r, CTRL_ATTR_FAMILY_NAME, "NET_DM", sizeof("NET_DM"));
	n = nl_talk(fd, &r, buf, sizeof(buf));
	if (((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_ERROR || n < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN))
		die("netdm: no NET_DM family (is drop_monitor loaded?)");
	a = (struct nlattr *)(buf + NLMSG_LENGTH(GENL_HDRLEN));
	len = ((struct nlmsghdr *)buf)->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((char *)a + NLA_HDRLEN);
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	die("netdm: NET_DM family has no id");
}

/* netdm start|stop: summary-mode software drop monitoring, on or off. */
static int cmd_netdm(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlreq r = { .gh.version = 2 };
	char buf[8192];
	uint8_t mode = NET_DM_ALERT_MODE_SUMMARY;
	int fd, start;

	if (argc != 2 || (strcmp(argv[1], "start") && strcmp(argv[1], "stop")))
		usage_error("netdm start|stop");
	start = !strcmp(argv[1], "start");
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die_errno("netdm: netlink socket");
	r.nh.nlmsg_type = netdm_family(fd);
	if (start) {
		r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
		r.gh.cmd = NET_DM_CMD_CONFIG;
		nl_put(&r, NET_DM_ATTR_ALERT_MODE, &mode, sizeof(mode));
		nl_talk(fd, &r, buf, sizeof(buf));
	}
	r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.gh.cmd = start ? NET_DM_CMD_START : NET_DM_CMD_STOP;
	nl_put(&r, NET_DM_ATTR_SW_DROPS, NULL, 0);
	nl_talk(fd, &r, buf, sizeof(buf));
	close(fd);
	return 0;
}

/* ---- readtime: how long one full read of a file takes -------------------- */

static int cmd_readtime(int argc, char **argv)
{
	struct timespec t0, t1;
	static char buf[1 << 20];
	unsigned long n, i;
	size_t bytes = 0;

	if (argc != 3)
		usage_error("readtime FILE N");
	n = arg_count(argv[2]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		ssize_t r;

		if (fd < 0)
			die_errno("readtime: open %s", argv[1]);
		bytes = 0;
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			bytes += (size_t)r;
		if (r < 0)
			die_errno("readtime: read %s", argv[1]);
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("readtime: bytes=%zu ns=%lld\n", bytes,
	       ((long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL +
		(t1.tv_nsec - t0.tv_nsec)) / (long long)n);
	return 0;
}

/*
 * SIGTERM or SIGINT end a flood or a snapsum early, still printing what
 * it counted.
 */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void stop_on_signals(void)
{
	signal(SIGTERM, on_stop_signal);
	signal(SIGINT, on_stop_signal);
}

/* ---- snapsum: every snapshot of a stats file, summed for one key ------ */

/*
 * snapsum FILE SYMBOL DEV SECONDS: poll FILE (dropmon's stats) every 10 ms
 * for SECONDS (or until SIGTERM) and add up, once per snapshot (by seq), the counts of rows
 * whose symbol starts with "SYMBOL+" on device DEV.  Reports the total,
 * how many snapshots it saw and how many it missed (seq gaps).
 */
static int snap_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	size_t n = 0;

	if (fd < 0)
		return -1;
	while (n + 1 < len && (r = read(fd, buf + n, len - n - 1)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return 0;
}

static unsigned long long snap_sum(char *buf, const char *sym, const char *dev,
				   unsigned long long *seq)
{
	unsigned long long total = 0;
	size_t symlen = strlen(sym);
	char *line, *save = NULL;
	char *p = strstr(buf, " seq=");

	*seq = p ? strtoull(p + 5, NULL, 10) : 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[8];
		int i = 0;
		char *fs = NULL, *t;

		if (line[0] == '#')
			continue;
		for (t = strtok_r(line, "\t", &fs); t && i < 8;
		     t = strtok_r(NULL, "\t", &fs))
			f[i++] = t;
		if (i == 8 && !strncmp(f[2], sym, symlen) &&
		    f[2][symlen] == '+' && !strcmp(f[5], dev))
			total += strtoull(f[0], NULL, 10);
	}
	return total;
}

static int cmd_snapsum(int argc, char **argv)
{
	static char buf[4 << 20];
	unsigned long long total = 0, seq, last = 0, seen = 0, missed = 0;
	unsigned long secs;
	struct timespec t0, now;

	if (argc != 5)
		usage_error("snapsum FILE SYMBOL DEV SECONDS");
	if (parse_ulong(argv[4], 10, 1, MAX_SECONDS, &secs))
		die("invalid seconds '%s'", argv[4]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	stop_on_signals();
	do {
		if (!snap_read(argv[1], buf, sizeof(buf))) {
			unsigned long long c = snap_sum(buf, argv[2], argv[3], &seq);

			if (seq != last) {
				if (last && seq != last + 1)
					missed += seq > last ? seq - last - 1 : 1;
				if (last)
					total += c;
				seen++;
				last = seq;
			}
		}
		sleep_usec(10000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!stop_requested && now.tv_sec - t0.tv_sec < (time_t)secs);
	printf("snapsum: total=%llu seen=%llu missed=%llu last=%llu\n",
	       total, seen, missed, last);
	return 0;
}

/* ---- failnth: load a module with its Nth allocation failing ------------- */

/*
 * failnth N MODULE [PARAMS]: make the Nth slab or page allocation of this
 * task fail (/proc/thread-self/fail-nth), then load MODULE.  Prints
 * "failnth: rc=<errno or 0> fired=<0|1>": fired=0 means the load made
 * fewer than N allocations.
 */
static int cmd_failnth(int argc, char **argv)
{
	const char *params = argc > 3 ? argv[3] : "";
	unsigned long n;
	char num[32], left[32] = "";
	int fd, mfd, rc = 0;
	ssize_t r;

	if (argc != 3 && argc != 4)
		usage_error("failnth N MODULE [PARAMS]");
	n = arg_count(argv[1]);
	mfd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (mfd < 0)
		die_errno("failnth: open %s", argv[2]);
	fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die_errno("failnth: /proc/thread-self/fail-nth");
	snprintf(num, sizeof(num), "%lu", n);
	if (write(fd, num, strlen(num)) < 0)
		die_errno("failnth: write fail-nth");
	if (syscall(SYS_finit_module, mfd, params, 0))
		rc = errno;
	r = pread(fd, left, sizeof(left) - 1, 0);
	if (r > 0)
		left[r] = '\0';
	/* Disarm it before anything else allocates (printing does). */
	if (pwrite(fd, "0", 1, 0) < 0)
		die_errno("failnth: disarm fail-nth");
	/* Reading it back gave 0 once the failure was injected. */
	printf("failnth: rc=%d fired=%d\n", rc, r > 0 && atoi(left) == 0);
	close(fd);
	close(mfd);
	return 0;
}

/* ---- flood ------------------------------------------------------------- */


static int cmd_flood(int argc, char **argv)
{
	unsigned char payload[UDP_PAYLOAD];
	unsigned long secs, sent = 0, iter = 0;
	struct timespec start, now;
	struct lo_addr a;
	uint16_t port;
	int v6 = 0, fd;

	if (argc != 3 && argc != 4)
		usage_error("flood SECONDS PORT [udp4|udp6]");
	if (parse_ulong(argv[1], 10, 1, MAX_SECONDS, &secs))
		die("invalid seconds '%s': must be an integer 1..%lu",
		    argv[1], MAX_SECONDS);
	port = arg_port(argv[2]);
	if (argc == 4) {
		if (!strcmp(argv[3], "udp6"))
			v6 = 1;
		else if (strcmp(argv[3], "udp4"))
			die("invalid flood protocol '%s': must be udp4 or udp6",
			    argv[3]);
	}
	make_lo_addr(v6, port, &a);
	memcpy(payload, "dropmon-dmgen-16", UDP_PAYLOAD);

	fd = socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("flood: socket");
	if (clock_gettime(CLOCK_MONOTONIC, &start))
		die_errno("flood: clock_gettime");
	stop_on_signals();

	while (!stop_requested) {
		ssize_t r;

		if ((iter++ & 255) == 0) {
			long long ns;

			if (clock_gettime(CLOCK_MONOTONIC, &now))
				die_errno("flood: clock_gettime");
			ns = (long long)(now.tv_sec - start.tv_sec) *
				     1000000000LL +
			     (now.tv_nsec - start.tv_nsec);
			if (ns >= (long long)secs * 1000000000LL)
				break;
		}
		r = sendto(fd, payload, sizeof(payload), MSG_DONTWAIT,
			   (struct sockaddr *)&a.ss, a.len);
		if (r == (ssize_t)sizeof(payload)) {
			sent++;
			continue;
		}
		if (r >= 0) {
			errno = EMSGSIZE;
			die_errno("flood: short sendto (%zd of %zu bytes)", r,
				  sizeof(payload));
		}
		if (errno == EINTR || errno == ECONNREFUSED ||
		    errno == ENOBUFS || errno == EAGAIN)
			continue;
		die_errno("flood: sendto port %u", port);
	}
	close(fd);

	if (printf("flood: sent=%lu\n", sent) < 0 || fflush(stdout))
		die_errno("flood: write stdout");
	return 0;
}

/* ---- spin: what a busy process sees of the CPU being taken from it ---- */

static long long ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/*
 * A gap between two clock reads is time this process did not run: an
 * interrupt, another task, or kernel code that did not give the CPU back.
 * Pinned with -c to the CPU of the code under test, the longest gap is
 * the longest scheduling delay that code caused (or allowed).
 */
static int cmd_spin(int argc, char **argv)
{
	unsigned long long loops = 0, over1 = 0, over10 = 0, over100 = 0;
	long long start, prev, now, gap, max_gap = 0, max_at = 0, lost = 0;
	unsigned long secs;
	struct timespec t;

	if (argc != 2)
		usage_error("spin SECONDS");
	if (parse_ulong(argv[1], 10, 1, MAX_SECONDS, &secs))
		die("invalid seconds '%s': must be an integer 1..%lu",
		    argv[1], MAX_SECONDS);
	if (clock_gettime(CLOCK_MONOTONIC, &t))
		die_errno("spin: clock_gettime");
	start = prev = ts_ns(&t);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
		now = ts_ns(&t);
		gap = now - prev;
		prev = now;
		loops++;
		if (gap > max_gap) {
			max_gap = gap;
			max_at = now - start;
		}
		if (gap > 1000000) {
			over1++;
			lost += gap;
		}
		over10 += gap > 10000000;
		over100 += gap > 100000000;
	} while (now - start < (long long)secs * 1000000000LL);
	if (printf("spin: seconds=%lu loops=%llu max_gap_ns=%lld max_gap_at_ns=%lld gaps_over_1ms=%llu gaps_over_10ms=%llu gaps_over_100ms=%llu ns_in_gaps_over_1ms=%lld\n",
		   secs, loops, max_gap, max_at, over1, over10, over100,
		   lost) < 0 || fflush(stdout))
		die_errno("spin: write stdout");
	return 0;
}

/* ---- readbytes --------------------------------------------------------- */

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die_errno("readbytes: write stdout");
		}
		if (w == 0) {
			errno = EIO;
			die_errno("readbytes: write stdout");
		}
		buf += w;
		len -= (size_t)w;
	}
}

static int cmd_readbytes(int argc, char **argv)
{
	unsigned long bufsz = 1;
	const char *path;
	char *buf;
	int fd;

	if (argc != 2 && argc != 3)
		usage_error("readbytes FILE [BUFSZ]");
	path = argv[1];
	if (argc == 3 && parse_ulong(argv[2], 10, 1, MAX_BUFSZ, &bufsz))
		die("invalid buffer size '%s': must be an integer 1..%lu",
		    argv[2], MAX_BUFSZ);
	buf = malloc(bufsz);
	if (!buf)
		die_errno("readbytes: malloc %lu", bufsz);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("readbytes: open %s", path);
	for (;;) {
		ssize_t r = read(fd, buf, bufsz);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die_errno("readbytes: read %s", path);
		}
		if (r == 0)
			break;
		write_all(STDOUT_FILENO, buf, (size_t)r);
	}
	close(fd);
	free(buf);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *cpu = NULL;
	const char *cmd;
	int do_netns = 0;
	int i;

	/* Options stop at the first non-option (the subcommand). */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-n")) {
			do_netns = 1;
		} else if (!strcmp(argv[i], "-c")) {
			if (i + 1 >= argc)
				die("option -c requires a CPU argument");
			cpu = argv[++i];
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "dmgen: unknown option '%s'\n",
				argv[i]);
			full_usage_error();
		}
	}
	if (i >= argc)
		full_usage_error();

	/* Pin first so that everything, including netns setup, is on CPU. */
	if (cpu)
		pin_cpu(cpu);
	if (do_netns)
		new_netns();

	cmd = argv[i];
	argc -= i;
	argv += i;
	if (!strcmp(cmd, "udp4"))
		return cmd_udp(0, argc, argv);
	if (!strcmp(cmd, "udp6"))
		return cmd_udp(1, argc, argv);
	if (!strcmp(cmd, "tcp4"))
		return cmd_tcp(0, argc, argv);
	if (!strcmp(cmd, "tcp6"))
		return cmd_tcp(1, argc, argv);
	if (!strcmp(cmd, "raw"))
		return cmd_raw(argc, argv);
	if (!strcmp(cmd, "snapsum"))
		return cmd_snapsum(argc, argv);
	if (!strcmp(cmd, "failnth"))
		return cmd_failnth(argc, argv);
	if (!strcmp(cmd, "netdm"))
		return cmd_netdm(argc, argv);
	if (!strcmp(cmd, "readtime"))
		return cmd_readtime(argc, argv);
	if (!strcmp(cmd, "udpqueue"))
		return cmd_udpqueue(argc, argv);
	if (!strcmp(cmd, "flood"))
		return cmd_flood(argc, argv);
	if (!strcmp(cmd, "readbytes"))
		return cmd_readbytes(argc, argv);
	if (!strcmp(cmd, "spin"))
		return cmd_spin(argc, argv);
	if (!strcmp(cmd, "help"))
		return fputs(usage_text, stdout) < 0;

	fprintf(stderr, "dmgen: unknown command '%s'\n", cmd);
	full_usage_error();
}
