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
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/net_dropmon.h>
#include <linux/netlink.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netpacket/packet.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
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
	"  udp4 N PORT [SPORT [LEN [ADDR]]]\n"
	"                               send N UDP datagrams to 127.0.0.1:PORT\n"
	"                               (or ADDR:PORT) from source port SPORT\n"
	"                               (0: any), LEN payload bytes (default 16,\n"
	"                               at most 65000): \"dropmon-dmgen-16\" repeated\n"
	"  udp6 N PORT [SPORT [LEN [ADDR]]]\n"
	"                               the same to [::1]:PORT (or [ADDR]:PORT)\n"
	"  tcp4 N PORT [SPORT]          N refused TCP connects to 127.0.0.1:PORT\n"
	"                               (from source port SPORT)\n"
	"  tcp6 N PORT [SPORT]          N refused TCP connects to [::1]:PORT\n"
	"  raw IFNAME N ETYPE...        send N broadcast frames per ethertype\n"
	"                               (ETYPE: hex 0x0600..0xffff or A-B range)\n"
	"  snapsum FILE SYMBOL DEV SECONDS [SYMBOL DEV]...\n"
	"                               sum keys over every snapshot\n"
	"  failnth N MODULE [PARAMS]    load MODULE with its Nth allocation failing\n"
	"  netdm start|stop             the kernel's drop_monitor: summary mode\n"
	"                               with software drops, on or off\n"
	"  netdm start packet [TRUNC]   the same in packet mode: a clone of each\n"
	"                               dropped skb, cut to TRUNC bytes (128)\n"
	"  netdm stats                  the packets drop_monitor's queues dropped\n"
	"  netdm listen SECONDS         read drop_monitor's multicast group, print\n"
	"                               the messages, bytes and overruns seen\n"
	"  readtime FILE N              read FILE whole N times, print ns per read\n"
	"  udpqueue N PORT [RCVBUF]     queue N datagrams on a socket bound to\n"
	"                               127.0.0.1:PORT, close it unread; with\n"
	"                               RCVBUF (SO_RCVBUF, 1..16777216) those\n"
	"                               that do not fit are dropped on arrival\n"
	"  flood SECONDS PORT [udp4|udp6]\n"
	"                               UDP flood to closed loopback PORT,\n"
	"                               prints 'flood: sent=<count>';\n"
	"                               SIGTERM ends it early\n"
	"  readbytes FILE [BUFSZ]       copy FILE to stdout, BUFSZ bytes per read\n"
	"                               (default 1)\n"
	"  tcpofo N PORT                connect to a listener on 127.0.0.1:PORT\n"
	"                               with a small SO_RCVBUF, send it N (at\n"
	"                               most 2000) out-of-order 1-byte segments\n"
	"                               (raw IP, random order) so that the kernel\n"
	"                               prunes its out-of-order queue, reset it;\n"
	"                               prints 'tcpofo: sent=N ofo_pruned=D'\n"
	"  netlink N PORTID             N netlink (NETLINK_USERSOCK) messages to\n"
	"                               a port id no socket holds: each refused,\n"
	"                               each freed by netlink_unicast (process\n"
	"                               context)\n"
	"  udpgso N PORT                send N UDP datagrams of 64 bytes to\n"
	"                               127.0.0.1:PORT with UDP_SEGMENT 32 and\n"
	"                               SO_NO_CHECK, which the kernel refuses\n"
	"                               (EINVAL) and frees in udp_send_skb: a\n"
	"                               drop of the socket's skb, no device;\n"
	"                               prints 'udpgso: refused=N'\n"
	"  unixqueue N                  queue N AF_UNIX datagrams on socket pairs\n"
	"                               and close the receivers unread (freed\n"
	"                               by unix_release_sock, process context)\n"
	"  writeas uid=UID|nocap=CAP FILE VALUE\n"
	"                               write VALUE to FILE as user UID (no\n"
	"                               capabilities), or as root without\n"
	"                               capability number CAP; prints 'writeas:\n"
	"                               ok' or 'writeas: ERRNO-NAME'\n"
	"  spin SECONDS                 busy-loop on clock_gettime, print the\n"
	"                               longest gap between two iterations and\n"
	"                               how many gaps passed 1, 10 and 100 ms\n"
	"\n"
	"limits: N 1..100000000, PORT 1..65535, SECONDS 1..3600,\n"
	"        PORTID 1..2147483647\n";

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

/*
 * Bind @fd to source port @sport of the wildcard address (0: leave it to
 * the kernel), with SO_REUSEADDR so that repeated runs can reuse it.
 */
static void bind_sport(int fd, int family, uint16_t sport, const char *name)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	if (!sport)
		return;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(sport);
		len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(sport);
		len = sizeof(*sin);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die_errno("%s: SO_REUSEADDR", name);
	if (bind(fd, (struct sockaddr *)&ss, len))
		die_errno("%s: bind source port %u", name, sport);
}

#define MAX_UDP_LEN	65000UL

static int cmd_udp(int v6, int argc, char **argv)
{
	const char *name = proto_name(v6, 0);
	unsigned long n, i, plen = UDP_PAYLOAD, sport = 0;
	unsigned char *payload;
	struct lo_addr a;
	uint16_t port;
	int fd;

	if (argc < 3 || argc > 6)
		usage_error(v6 ? "udp6 N PORT [SPORT [LEN [ADDR]]]" :
				 "udp4 N PORT [SPORT [LEN [ADDR]]]");
	n = arg_count(argv[1]);
	port = arg_port(argv[2]);
	if (argc > 3 && parse_ulong(argv[3], 10, 0, 65535, &sport))
		die("invalid source port '%s': must be an integer 0..65535",
		    argv[3]);
	if (argc > 4 && parse_ulong(argv[4], 10, 1, MAX_UDP_LEN, &plen))
		die("invalid payload length '%s': must be an integer 1..%lu",
		    argv[4], MAX_UDP_LEN);
	make_lo_addr(v6, port, &a);
	if (argc > 5) {
		void *dst = v6 ? (void *)&((struct sockaddr_in6 *)&a.ss)->sin6_addr :
				 (void *)&((struct sockaddr_in *)&a.ss)->sin_addr;

		if (inet_pton(a.family, argv[5], dst) != 1)
			die("invalid %s address '%s'", v6 ? "IPv6" : "IPv4",
			    argv[5]);
	}
	payload = malloc(plen);
	if (!payload)
		die_errno("%s: malloc", name);
	for (i = 0; i < plen; i++)
		payload[i] = "dropmon-dmgen-16"[i % UDP_PAYLOAD];

	/* Deliberately unconnected: ICMP errors are not reported to it. */
	fd = socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("%s: socket", name);
	bind_sport(fd, a.family, (uint16_t)sport, name);

	for (i = 0; i < n; i++) {
		int tries = 0;

		for (;;) {
			ssize_t r = sendto(fd, payload, plen, 0,
					   (struct sockaddr *)&a.ss, a.len);

			if (r == (ssize_t)plen)
				break;
			if (r >= 0) {
				errno = EMSGSIZE;
				die_errno("%s: short sendto (%zd of %lu bytes)",
					  name, r, plen);
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
	free(payload);
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
	unsigned long small = 0;
	uint16_t port;
	int fd;

	if (argc != 3 && argc != 4)
		usage_error("udpqueue N PORT [RCVBUF]");
	n = arg_count(argv[1]);
	port = arg_port(argv[2]);
	if (argc > 3 && parse_ulong(argv[3], 10, 1, MAX_BUFSZ, &small))
		die("invalid RCVBUF '%s': must be an integer 1..%lu", argv[3],
		    MAX_BUFSZ);
	make_lo_addr(0, port, &a);
	memcpy(payload, "dropmon-dmgen-16", UDP_PAYLOAD);

	fd = socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("udpqueue: socket");
	/*
	 * Room for all N, so none is dropped for a full receive buffer;
	 * or RCVBUF, so that all but the first few are.
	 */
	if (small) {
		rcvbuf = (int)small;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
			die_errno("udpqueue: SO_RCVBUF %d", rcvbuf);
	} else if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			      sizeof(rcvbuf))) {
		die_errno("udpqueue: SO_RCVBUFFORCE");
	}
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

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103	/* linux/udp.h, v4.18 */
#endif

/*
 * A GSO send without checksums is refused in udp_send_skb(), after the
 * skb was made and charged to the socket (skb->sk set, no skb->dev yet):
 * kfree_skb(), then EINVAL.  Any other outcome is an error.
 */
static int cmd_udpgso(int argc, char **argv)
{
	unsigned char payload[64];
	int one = 1, gso = 32;
	struct lo_addr a;
	unsigned long n, i;
	uint16_t port;
	int fd;

	if (argc != 3)
		usage_error("udpgso N PORT");
	n = arg_count(argv[1]);
	port = arg_port(argv[2]);
	make_lo_addr(0, port, &a);
	memset(payload, 'g', sizeof(payload));
	fd = socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("udpgso: socket");
	if (setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one)))
		die_errno("udpgso: SO_NO_CHECK");
	if (setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &gso, sizeof(gso)))
		die_errno("udpgso: UDP_SEGMENT (a kernel without UDP GSO?)");
	for (i = 0; i < n; i++) {
		ssize_t r = sendto(fd, payload, sizeof(payload), 0,
				   (struct sockaddr *)&a.ss, a.len);

		if (r >= 0) {
			fprintf(stderr, "dmgen: udpgso: datagram %lu was sent, expected EINVAL from udp_send_skb; does this kernel check SO_NO_CHECK for GSO?\n",
				i + 1);
			return 1;
		}
		if (errno != EINVAL)
			die_errno("udpgso: sendto port %u datagram %lu, expected EINVAL",
				  port, i + 1);
	}
	close(fd);
	printf("udpgso: refused=%lu\n", n);
	return 0;
}

static int cmd_tcp(int v6, int argc, char **argv)
{
	const char *name = proto_name(v6, 1);
	struct lo_addr a;
	unsigned long n, i, sport = 0;
	uint16_t port;

	if (argc != 3 && argc != 4)
		usage_error(v6 ? "tcp6 N PORT [SPORT]" : "tcp4 N PORT [SPORT]");
	n = arg_count(argv[1]);
	port = arg_port(argv[2]);
	if (argc > 3 && parse_ulong(argv[3], 10, 0, 65535, &sport))
		die("invalid source port '%s': must be an integer 0..65535",
		    argv[3]);
	make_lo_addr(v6, port, &a);

	for (i = 0; i < n; i++) {
		int fd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int r;

		if (fd < 0)
			die_errno("%s: socket", name);
		bind_sport(fd, a.family, (uint16_t)sport, name);
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

/* ---- netlink / unixqueue: drops in process context -------------------- */

/*
 * netlink N PORTID: N netlink messages (NETLINK_USERSOCK) to a unicast
 * port id that no socket holds.  netlink_sendmsg() allocates the skb and
 * netlink_unicast() frees it with kfree_skb() when the lookup fails, in
 * the sender's syscall: a drop in process context, preemptible on a
 * preemptible kernel.  Every send must fail with ECONNREFUSED, so each
 * one made exactly one drop.  A PORTID above pid_max (the suite uses
 * 2147483646) is neither a tgid nor one of the negative ids autobind
 * hands out, so only an explicit bind() could hold it.
 */
static int cmd_netlink(int argc, char **argv)
{
	struct {
		struct nlmsghdr nh;
		char payload[UDP_PAYLOAD];
	} msg;
	struct sockaddr_nl dst;
	unsigned long n, i, portid;
	int fd;

	if (argc != 3)
		usage_error("netlink N PORTID");
	n = arg_count(argv[1]);
	if (parse_ulong(argv[2], 10, 1, 0x7fffffffUL, &portid))
		die("invalid port id '%s': must be an integer 1..%lu", argv[2],
		    0x7fffffffUL);
	memset(&msg, 0, sizeof(msg));
	msg.nh.nlmsg_len = sizeof(msg);
	msg.nh.nlmsg_type = NLMSG_MIN_TYPE;
	memcpy(msg.payload, "dropmon-dmgen-16", UDP_PAYLOAD);
	memset(&dst, 0, sizeof(dst));
	dst.nl_family = AF_NETLINK;
	dst.nl_pid = (uint32_t)portid;
	dst.nl_groups = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
	if (fd < 0)
		die_errno("netlink: socket(AF_NETLINK, NETLINK_USERSOCK)");
	for (i = 0; i < n; i++) {
		ssize_t r;

		do {
			msg.nh.nlmsg_seq = (uint32_t)i;
			r = sendto(fd, &msg, sizeof(msg), 0,
				   (struct sockaddr *)&dst, sizeof(dst));
		} while (r < 0 && errno == EINTR);
		if (r >= 0)
			die("netlink: message %lu to port id %lu was delivered "
			    "(a socket holds that port id): pick another", i + 1,
			    portid);
		if (errno != ECONNREFUSED)
			die_errno("netlink: sendto port id %lu message %lu "
				  "(expected ECONNREFUSED)", portid, i + 1);
	}
	close(fd);
	return 0;
}

/* Datagrams queued on one socket pair before its receiver is closed. */
#define UNIX_BATCH	64

/*
 * unixqueue N: N AF_UNIX datagrams, each queued on the receiving end of
 * a SOCK_DGRAM socket pair that is then closed unread: unix_release_sock()
 * frees each one with kfree_skb() in the close() syscall, a drop in
 * process context.  A socket pair's sender is the receiver's peer, so the
 * receive queue limit (net.unix.max_dgram_qlen) does not apply; the send
 * buffer holds a batch easily, and a send that would block is an error,
 * not a wait.  Every send must succeed, so each one made exactly one drop.
 */
static int cmd_unixqueue(int argc, char **argv)
{
	unsigned char payload[UDP_PAYLOAD];
	int sndbuf = 4 * 1024 * 1024;
	unsigned long n, i = 0;

	if (argc != 2)
		usage_error("unixqueue N");
	n = arg_count(argv[1]);
	memcpy(payload, "dropmon-dmgen-16", UDP_PAYLOAD);

	while (i < n) {
		unsigned long batch = n - i < UNIX_BATCH ? n - i : UNIX_BATCH;
		unsigned long k;
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
			die_errno("unixqueue: socketpair(AF_UNIX, SOCK_DGRAM)");
		if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
			       sizeof(sndbuf)))
			die_errno("unixqueue: SO_SNDBUFFORCE");
		for (k = 0; k < batch; k++) {
			ssize_t r;

			do {
				r = send(sv[0], payload, sizeof(payload),
					 MSG_DONTWAIT);
			} while (r < 0 && errno == EINTR);
			if (r != (ssize_t)sizeof(payload)) {
				if (r >= 0)
					errno = EMSGSIZE;
				die_errno("unixqueue: send datagram %lu",
					  i + k + 1);
			}
		}
		/* The receiver first: its queue is freed unread. */
		if (close(sv[1]) || close(sv[0]))
			die_errno("unixqueue: close");
		i += batch;
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

/*
 * Send @r and wait for its answer; returns the reply's length.  A command
 * whose answer is a message (@ack false) asks for no ACK, which could
 * otherwise come in its place.
 */
static ssize_t nl_talk_ack(int fd, struct nlreq *r, char *buf, size_t len,
			   int ack)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	ssize_t n;

	r->nh.nlmsg_flags = NLM_F_REQUEST | (ack ? NLM_F_ACK : 0);
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

static ssize_t nl_talk(int fd, struct nlreq *r, char *buf, size_t len)
{
	return nl_talk_ack(fd, r, buf, len, 1);
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

/* The u64 NET_DM_ATTR_STATS_DROPPED in a NET_DM_CMD_STATS_GET reply. */
static unsigned long long netdm_dropped(const char *buf, ssize_t n)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	const struct nlattr *a, *b;
	int len, blen;
	uint64_t v;

	if (n < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN) || h->nlmsg_type == NLMSG_ERROR)
		die("netdm stats: no statistics in the reply");
	a = (const struct nlattr *)(buf + NLMSG_LENGTH(GENL_HDRLEN));
	len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) != NET_DM_ATTR_STATS)
			continue;
		b = (const struct nlattr *)((const char *)a + NLA_HDRLEN);
		blen = a->nla_len - NLA_HDRLEN;
		for (; blen >= NLA_HDRLEN && b->nla_len >= NLA_HDRLEN;
		     blen -= NLA_ALIGN(b->nla_len),
		     b = (const struct nlattr *)((const char *)b + NLA_ALIGN(b->nla_len))) {
			if ((b->nla_type & NLA_TYPE_MASK) == NET_DM_ATTR_STATS_DROPPED &&
			    b->nla_len >= NLA_HDRLEN + sizeof(v)) {
				memcpy(&v, (const char *)b + NLA_HDRLEN, sizeof(v));
				return v;
			}
		}
	}
	die("netdm stats: no NET_DM_ATTR_STATS_DROPPED in the reply");
}

/*
 * netdm listen SECONDS: join drop_monitor's multicast group (NET_DM's
 * one group has the fixed id NET_DM_GRP_ALERT) and read what it sends,
 * until SECONDS pass or SIGTERM; print how many messages and bytes came
 * and how often the socket overran (ENOBUFS).  "ready" goes to stderr
 * once the socket has joined.
 */
static int netdm_listen(unsigned long seconds)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_usec = 200000 };
	unsigned long long msgs = 0, bytes = 0, overruns = 0;
	int fd, grp = NET_DM_GRP_ALERT, rcvbuf = 8 << 20;
	struct sigaction act = { .sa_handler = on_stop_signal };
	struct timespec t0, t;
	static char buf[65536];
	ssize_t n;

	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die_errno("netdm listen: netlink socket");
	netdm_family(fd);	/* drop_monitor is there */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		die_errno("netdm listen: join group %d", grp);
	fputs("netdm listen: ready\n", stderr);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop_requested) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0) {
			msgs++;
			bytes += n;
		} else if (n < 0 && errno == ENOBUFS) {
			overruns++;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			die_errno("netdm listen: recv");
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((unsigned long)(t.tv_sec - t0.tv_sec) >= seconds)
			break;
	}
	printf("netdm listen: messages=%llu bytes=%llu overruns=%llu\n", msgs,
	       bytes, overruns);
	close(fd);
	return 0;
}

/*
 * netdm start [packet [TRUNC]]|stop|stats|listen SECONDS: software drop
 * monitoring on (summary mode, or packet mode with each packet cut to
 * TRUNC bytes, default 128) or off; the packets drop_monitor's queues
 * dropped (stats: "dropped=N"); a listener of its multicast group.
 */
static int cmd_netdm(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlreq r = { .gh.version = 2 };
	char buf[8192];
	uint8_t mode = NET_DM_ALERT_MODE_SUMMARY;
	unsigned long trunc = 128, secs;
	int fd, start = 0, stats = 0;
	ssize_t n;

	if (argc == 3 && !strcmp(argv[1], "listen")) {
		if (parse_ulong(argv[2], 10, 1, 3600, &secs))
			usage_error("netdm listen SECONDS");
		return netdm_listen(secs);
	}
	if (argc >= 2 && argc <= 4 && !strcmp(argv[1], "start") &&
	    (argc == 2 || !strcmp(argv[2], "packet")) &&
	    (argc < 4 || !parse_ulong(argv[3], 10, 0, 65535, &trunc))) {
		start = 1;
		if (argc >= 3)
			mode = NET_DM_ALERT_MODE_PACKET;
	} else if (argc == 2 && !strcmp(argv[1], "stats")) {
		stats = 1;
	} else if (argc != 2 || strcmp(argv[1], "stop")) {
		usage_error("netdm start [packet [TRUNC]]|stop|stats|listen SECONDS");
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die_errno("netdm: netlink socket");
	r.nh.nlmsg_type = netdm_family(fd);
	if (stats) {
		r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
		r.gh.cmd = NET_DM_CMD_STATS_GET;
		n = nl_talk_ack(fd, &r, buf, sizeof(buf), 0);
		printf("dropped=%llu\n", netdm_dropped(buf, n));
		close(fd);
		return 0;
	}
	if (start) {
		uint32_t t = trunc;

		r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
		r.gh.cmd = NET_DM_CMD_CONFIG;
		nl_put(&r, NET_DM_ATTR_ALERT_MODE, &mode, sizeof(mode));
		if (mode == NET_DM_ALERT_MODE_PACKET)
			nl_put(&r, NET_DM_ATTR_TRUNC_LEN, &t, sizeof(t));
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

/* ---- snapsum: every snapshot of a stats file, summed for some keys ----- */

/*
 * snapsum FILE SYMBOL DEV SECONDS [SYMBOL DEV]...: poll FILE (dropmon's
 * stats) every 10 ms for SECONDS (or until SIGTERM) and add up, once per
 * snapshot (by seq), the counts of rows whose symbol starts with
 * "SYMBOL+" on device DEV, for each SYMBOL DEV pair.  Reports the first
 * pair's total, how many snapshots it saw and how many it missed (seq
 * gaps), then total2=, total3=... for the other pairs.
 */
#define SNAP_KEYS	8

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

static void snap_sum(char *buf, int nkeys, char **syms, char **devs,
		     unsigned long long *sums, unsigned long long *seq)
{
	char *line, *save = NULL;
	char *p = strstr(buf, " seq=");
	int k;

	*seq = p ? strtoull(p + 5, NULL, 10) : 0;
	for (k = 0; k < nkeys; k++)
		sums[k] = 0;
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
		if (i != 8)
			continue;
		for (k = 0; k < nkeys; k++) {
			size_t symlen = strlen(syms[k]);

			if (!strncmp(f[2], syms[k], symlen) &&
			    f[2][symlen] == '+' && !strcmp(f[5], devs[k]))
				sums[k] += strtoull(f[0], NULL, 10);
		}
	}
}

static int cmd_snapsum(int argc, char **argv)
{
	static char buf[4 << 20];
	unsigned long long total[SNAP_KEYS] = { 0 }, c[SNAP_KEYS];
	unsigned long long seq, last = 0, seen = 0, missed = 0;
	char *syms[SNAP_KEYS], *devs[SNAP_KEYS];
	unsigned long secs;
	struct timespec t0, now;
	int nkeys, k;

	if (argc < 5 || (argc - 5) % 2 || (argc - 5) / 2 + 1 > SNAP_KEYS)
		usage_error("snapsum FILE SYMBOL DEV SECONDS [SYMBOL DEV]... "
			    "(at most 8 keys)");
	if (parse_ulong(argv[4], 10, 1, MAX_SECONDS, &secs))
		die("invalid seconds '%s'", argv[4]);
	syms[0] = argv[2];
	devs[0] = argv[3];
	nkeys = 1;
	for (k = 5; k + 1 < argc; k += 2, nkeys++) {
		syms[nkeys] = argv[k];
		devs[nkeys] = argv[k + 1];
	}
	/*
	 * A snapshot lasts one interval: the generators it measures, as many
	 * as there are CPUs and more, must not starve it past one.  Nice -20
	 * where allowed (root); as another user it polls at its own priority.
	 */
	if (setpriority(PRIO_PROCESS, 0, -20) && errno != EPERM &&
	    errno != EACCES)
		die_errno("snapsum: setpriority");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	stop_on_signals();
	do {
		if (!snap_read(argv[1], buf, sizeof(buf))) {
			snap_sum(buf, nkeys, syms, devs, c, &seq);
			if (seq != last) {
				if (last && seq != last + 1)
					missed += seq > last ? seq - last - 1 : 1;
				if (last)
					for (k = 0; k < nkeys; k++)
						total[k] += c[k];
				seen++;
				last = seq;
			}
		}
		sleep_usec(10000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!stop_requested && now.tv_sec - t0.tv_sec < (time_t)secs);
	printf("snapsum: total=%llu seen=%llu missed=%llu last=%llu",
	       total[0], seen, missed, last);
	for (k = 1; k < nkeys; k++)
		printf(" total%d=%llu", k + 1, total[k]);
	printf("\n");
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

/* ---- tcpofo ------------------------------------------------------------ */

/* TcpExt's OfoPruned in /proc/net/netstat (the names line, then values). */
static unsigned long long ofo_pruned(void)
{
	char names[8192], values[8192];
	unsigned long long v = 0;
	char *np, *vp, *n, *x;
	FILE *f;

	f = fopen("/proc/net/netstat", "r");
	if (!f)
		die_errno("tcpofo: open /proc/net/netstat");
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names, " \n", &np);
		x = strtok_r(values, " \n", &vp);
		while (n && x) {
			if (!strcmp(n, "OfoPruned")) {
				v = strtoull(x, NULL, 10);
				break;
			}
			n = strtok_r(NULL, " \n", &np);
			x = strtok_r(NULL, " \n", &vp);
		}
		break;
	}
	fclose(f);
	return v;
}

static uint16_t csum_fold_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void tcpofo_getseq(int fd, int queue, uint32_t *seq)
{
	socklen_t len = sizeof(*seq);

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &queue, sizeof(queue)))
		die_errno("tcpofo: TCP_REPAIR_QUEUE");
	if (getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, seq, &len))
		die_errno("tcpofo: TCP_QUEUE_SEQ");
}

/*
 * tcpofo N PORT: an established connection on lo whose receiver has a
 * small SO_RCVBUF (16 KiB: room for a few dozen of these segments, in a
 * window of 16 KiB); the sender is put in repair mode (it then sends
 * nothing of its own) and N one-byte segments go to the receiver from a
 * raw IP socket, each after a hole, in a fixed random order.  They land
 * in the receiver's out-of-order queue (an rbtree) until it is over its
 * rcvbuf; then tcp_prune_ofo_queue() erases the highest ones and drops
 * them with their old rbtree link where skb->dev was.  The receiver is
 * closed with a reset (SO_LINGER 0), which purges what is left of its
 * queue the same way.
 */
static int cmd_tcpofo(int argc, char **argv)
{
	struct {
		struct iphdr ip;
		struct tcphdr tcp;
		uint8_t data;
	} __attribute__((packed)) pkt;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_in sa, ca;
	socklen_t calen = sizeof(ca);
	unsigned long long p0, p1;
	uint32_t snd, rcv, sum, rnd = 2463534242U, *slots;
	int one = 1, rcvbuf = 16384;
	int lfd, cfd, sfd, rfd;
	unsigned long n, k;
	uint16_t port;
	uint8_t ph[12];

	if (argc != 3)
		usage_error("tcpofo N PORT");
	n = arg_count(argv[1]);
	if (n > 2000)
		die("tcpofo: at most 2000 segments (they must fit the window)");
	port = arg_port(argv[2]);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die_errno("tcpofo: socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* The accepted socket inherits it (and the lock that keeps it). */
	if (setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		die_errno("tcpofo: SO_RCVBUF");
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1))
		die_errno("tcpofo: bind/listen 127.0.0.1:%u", port);
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&sa, sizeof(sa)))
		die_errno("tcpofo: connect 127.0.0.1:%u", port);
	if (getsockname(cfd, (struct sockaddr *)&ca, &calen))
		die_errno("tcpofo: getsockname");
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		die_errno("tcpofo: accept");
	if (setsockopt(cfd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)))
		die_errno("tcpofo: TCP_REPAIR");
	tcpofo_getseq(cfd, TCP_SEND_QUEUE, &snd);
	tcpofo_getseq(cfd, TCP_RECV_QUEUE, &rcv);

	/* Send-only, IP header ours: it never receives a copy of anything. */
	rfd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (rfd < 0)
		die_errno("tcpofo: socket(SOCK_RAW, IPPROTO_RAW)");
	memset(&pkt, 0, sizeof(pkt));
	pkt.ip.version = 4;
	pkt.ip.ihl = 5;
	pkt.ip.ttl = 64;
	pkt.ip.protocol = IPPROTO_TCP;
	pkt.ip.tot_len = htons(sizeof(pkt));
	pkt.ip.saddr = htonl(INADDR_LOOPBACK);
	pkt.ip.daddr = htonl(INADDR_LOOPBACK);
	pkt.tcp.source = ca.sin_port;
	pkt.tcp.dest = htons(port);
	pkt.tcp.ack_seq = htonl(rcv);
	pkt.tcp.doff = 5;
	pkt.tcp.ack = 1;
	pkt.tcp.psh = 1;
	pkt.tcp.window = htons(65535);
	pkt.data = 'x';
	memcpy(ph, &pkt.ip.saddr, 4);
	memcpy(ph + 4, &pkt.ip.daddr, 4);
	ph[8] = 0;
	ph[9] = IPPROTO_TCP;
	ph[10] = 0;
	ph[11] = sizeof(pkt.tcp) + sizeof(pkt.data);

	/*
	 * The slots in a fixed pseudo-random order: a segment that lands
	 * last in the queue prunes nothing (the kernel drops it instead),
	 * and the last node erased has a left child only if something was
	 * inserted just before it, as a random order does often.
	 */
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		die_errno("calloc");
	for (k = 0; k < n; k++)
		slots[k] = (uint32_t)k;
	for (k = n - 1; k > 0; k--) {
		uint32_t j, t;

		rnd ^= rnd << 13;
		rnd ^= rnd >> 17;
		rnd ^= rnd << 5;
		j = rnd % (uint32_t)(k + 1);
		t = slots[k];
		slots[k] = slots[j];
		slots[j] = t;
	}
	p0 = ofo_pruned();
	for (k = 0; k < n; k++) {
		/* Byte snd is never sent: every segment is out of order. */
		pkt.tcp.seq = htonl(snd + 1 + 2 * slots[k]);
		pkt.tcp.check = 0;
		sum = csum_fold_add(0, ph, sizeof(ph));
		sum = csum_fold_add(sum, &pkt.tcp, sizeof(pkt.tcp) + sizeof(pkt.data));
		pkt.tcp.check = htons((uint16_t)~sum);
		if (sendto(rfd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&sa,
			   sizeof(sa)) != (ssize_t)sizeof(pkt))
			die_errno("tcpofo: sendto segment %lu", k + 1);
	}
	p1 = ofo_pruned();
	free(slots);
	if (setsockopt(sfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die_errno("tcpofo: SO_LINGER");
	close(sfd);
	close(cfd);
	close(lfd);
	close(rfd);
	printf("tcpofo: sent=%lu ofo_pruned=%llu\n", n, p1 - p0);
	return 0;
}

/* ---- writeas: a write by someone who is not all-powerful root ------------ */

/*
 * writeas uid=UID|nocap=CAP FILE VALUE: drop to user UID (setresuid, which
 * also clears every capability), or stay root and drop capability CAP
 * from the effective, permitted and inheritable sets, then write VALUE to
 * FILE once.  Exits 0 if the open or the write failed with an errno (the
 * errno's name printed) or succeeded ("ok"), 1 when it could not drop.
 */
static int cmd_writeas(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	unsigned long v;
	ssize_t w;
	int fd, err = 0;

	if (argc != 4)
		usage_error("writeas uid=UID|nocap=CAP FILE VALUE");
	if (!strncmp(argv[1], "uid=", 4)) {
		if (parse_ulong(argv[1] + 4, 10, 1, 65534, &v))
			die("invalid uid '%s'", argv[1] + 4);
		if (setresgid((gid_t)v, (gid_t)v, (gid_t)v) ||
		    setresuid((uid_t)v, (uid_t)v, (uid_t)v))
			die_errno("writeas: setresuid(%lu)", v);
	} else if (!strncmp(argv[1], "nocap=", 6)) {
		if (parse_ulong(argv[1] + 6, 10, 0, 63, &v))
			die("invalid capability '%s'", argv[1] + 6);
		if (syscall(SYS_capget, &hdr, data))
			die_errno("writeas: capget");
		data[v / 32].effective &= ~(1U << (v % 32));
		data[v / 32].permitted &= ~(1U << (v % 32));
		data[v / 32].inheritable &= ~(1U << (v % 32));
		if (syscall(SYS_capset, &hdr, data))
			die_errno("writeas: capset");
	} else {
		die("invalid identity '%s': must be uid=UID or nocap=CAP",
		    argv[1]);
	}
	fd = open(argv[2], O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
	} else {
		w = write(fd, argv[3], strlen(argv[3]));
		if (w < 0)
			err = errno;
		close(fd);
	}
	printf("writeas: %s\n", err ? strerrorname_np(err) : "ok");
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
	if (!strcmp(cmd, "tcpofo"))
		return cmd_tcpofo(argc, argv);
	if (!strcmp(cmd, "netlink"))
		return cmd_netlink(argc, argv);
	if (!strcmp(cmd, "unixqueue"))
		return cmd_unixqueue(argc, argv);
	if (!strcmp(cmd, "udpgso"))
		return cmd_udpgso(argc, argv);
	if (!strcmp(cmd, "spin"))
		return cmd_spin(argc, argv);
	if (!strcmp(cmd, "writeas"))
		return cmd_writeas(argc, argv);
	if (!strcmp(cmd, "help"))
		return fputs(usage_text, stdout) < 0;

	fprintf(stderr, "dmgen: unknown command '%s'\n", cmd);
	full_usage_error();
}
