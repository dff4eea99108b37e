// SPDX-License-Identifier: GPL-2.0
/*
 * options.c - dropmon-show's command line; see options.h.
 */
#include "options.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

enum {
	OPT_TOTALS = 256,
	OPT_VERSION,
	OPT_LOCATION,
	OPT_MODULE,
	OPT_REASON,
	OPT_DEV,
	OPT_NETNS,
	OPT_PROTO,
	OPT_BY,
	OPT_SORT,
	OPT_RAW,
	OPT_CLASSIC,
	OPT_JSON,
	OPT_PROMETHEUS,
	OPT_COLOR,
	OPT_COUNT,
	OPT_MAX_SERIES,
	OPT_SAMPLES_FILE,
	OPT_PCAP,
	OPT_PCAP_CLOCK,
	OPT_NAMES,
	OPT_NO_NAMES,
};

/* Filter options map onto fields in this order. */
static const int filter_opts[DM_NR_FIELDS] = {
	[DM_LOCATION]	= OPT_LOCATION,
	[DM_MODULE]	= OPT_MODULE,
	[DM_REASON]	= OPT_REASON,
	[DM_DEV]	= OPT_DEV,
	[DM_NETNS]	= OPT_NETNS,
	[DM_PROTO]	= OPT_PROTO,
};

static const struct option longopts[] = {
	{ "file",	required_argument, NULL, 'f' },
	{ "totals",	no_argument,	   NULL, OPT_TOTALS },
	{ "top",	required_argument, NULL, 'n' },
	{ "location",	required_argument, NULL, OPT_LOCATION },
	{ "module",	required_argument, NULL, OPT_MODULE },
	{ "reason",	required_argument, NULL, OPT_REASON },
	{ "dev",	required_argument, NULL, OPT_DEV },
	{ "netns",	required_argument, NULL, OPT_NETNS },
	{ "proto",	required_argument, NULL, OPT_PROTO },
	{ "by",		required_argument, NULL, OPT_BY },
	{ "sort",	required_argument, NULL, OPT_SORT },
	{ "raw",	no_argument,	   NULL, OPT_RAW },
	{ "classic",	no_argument,	   NULL, OPT_CLASSIC },
	{ "json",	no_argument,	   NULL, OPT_JSON },
	{ "prometheus",	no_argument,	   NULL, OPT_PROMETHEUS },
	{ "color",	optional_argument, NULL, OPT_COLOR },
	{ "colour",	optional_argument, NULL, OPT_COLOR },
	{ "max-series",	required_argument, NULL, OPT_MAX_SERIES },
	{ "output",	required_argument, NULL, 'o' },
	{ "samples",	no_argument,	   NULL, 'v' },
	{ "samples-file", required_argument, NULL, OPT_SAMPLES_FILE },
	{ "pcap",	required_argument, NULL, OPT_PCAP },
	{ "pcap-clock",	required_argument, NULL, OPT_PCAP_CLOCK },
	{ "names",	no_argument,	   NULL, OPT_NAMES },
	{ "no-names",	no_argument,	   NULL, OPT_NO_NAMES },
	{ "watch",	no_argument,	   NULL, 'w' },
	{ "count",	required_argument, NULL, OPT_COUNT },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *out)
{
	fputs("Usage: " PROG " [OPTION]...\n"
	      "Show the packet drops counted by the dropmon kernel module: where in the\n"
	      "kernel (location), why (reason), device, network namespace and protocol.\n"
	      "\n"
	      "Input:\n"
	      "  -f, --file FILE      read FILE instead of debugfs ('-' = stdin)\n"
	      "      --totals         everything since the module was loaded instead of\n"
	      "                       the last interval (with -f: FILE holds totals)\n"
	      "Selection (each filter may be repeated: a row passes if it matches one of\n"
	      "the patterns of every filter given; GLOB as in fnmatch(3)):\n"
	      "      --location GLOB  symbol (name+0xoff/0xsize) or address (0x...)\n"
	      "      --module GLOB    vmlinux, a module name, or ?\n"
	      "      --reason GLOB    drop reason, e.g. NO_SOCKET or 'TCP_*'\n"
	      "      --dev GLOB       device; - for none, ? if unreadable\n"
	      "      --netns INODE    network namespace: INODE or net:[INODE] (readlink\n"
	      "                       /proc/PID/ns/net)\n"
	      "      --proto GLOB     ipv4, ipv6, arp or 0x%04x\n"
	      "      --by FIELDS      add rows up over the other fields; FIELDS is a comma\n"
	      "                       list of location,module,reason,dev,netns,proto\n"
	      "                       (location implies module; folded fields show as *)\n"
	      "      --sort KEY       count (default, descending) or location, module,\n"
	      "                       reason, dev, netns, proto (ascending)\n"
	      "  -n, --top N          only the first N rows\n"
	      "Output (default: a table of count, drops per second, location, module,\n"
	      "reason, device, netns and protocol under a header):\n"
	      "      --classic        one line per row: COUNT: SYMBOL@DEV (MODULE) REASON\n"
	      "      --json           one JSON object per snapshot, on one line\n"
	      "      --prometheus     node_exporter textfile format, always from totals\n"
	      "      --max-series N   --prometheus: at most N drop series, the smallest\n"
	      "                       added up as \"other\" (default 1000; 0: no limit)\n"
	      "      --raw            addresses (0x...) instead of symbols\n"
	      "      --color[=WHEN]   colour the table: auto (default: only on a terminal\n"
	      "                       and without NO_COLOR), always or never\n"
	      "  -o, --output FILE    replace FILE atomically instead of writing stdout\n"
	      "      --names          name each netns (table, --json, --prometheus):\n"
	      "                       ip netns name, host, container and pod, or lowest\n"
	      "                       pid; the default when reading debugfs, not with -f\n"
	      "      --no-names       netns inodes only; read nothing of /proc\n"
	      "Samples (a packet dropped at each key, with its stack: its first in the\n"
	      "interval; with --totals, in the last interval that had the key):\n"
	      "  -v, --samples        under each row (table, --classic, --json): its\n"
	      "                       stack, one frame a line, and its packet decoded,\n"
	      "                       then the bytes not decoded, in hex\n"
	      "      --samples-file FILE  the samples file to join (implies -v unless\n"
	      "                       --pcap); default: debugfs' samples (--totals:\n"
	      "                       samples_totals), with -f FILE the file of that\n"
	      "                       name in FILE's directory\n"
	      "      --pcap FILE      write the samples of the rows shown as pcapng to\n"
	      "                       FILE (atomically) instead of any other output\n"
	      "      --pcap-clock WHEN  timestamps: real (default: wall-clock time,\n"
	      "                       from this host's boot time now) or boot\n"
	      "                       (CLOCK_BOOTTIME, as the samples file has them)\n"
	      "Live:\n"
	      "  -w, --watch          follow each new snapshot: full screen on a terminal\n"
	      "                       (keys: q quit, s sort, p or space pause, t totals,\n"
	      "                       r raw, j/k or arrows select a row, v or Enter\n"
	      "                       its stack and packet, Esc close), else one block\n"
	      "                       per snapshot\n"
	      "      --count N        with --watch: stop after N snapshots\n"
	      "  -h, --help           show this help and exit\n"
	      "      --version        show the version and exit\n"
	      "\n"
	      "By default reads /sys/kernel/debug/dropmon/stats (with --totals or\n"
	      "--prometheus: .../totals).  See dropmon-show(8).\n"
	      "\n"
	      "Exit status:\n"
	      "  0  success\n"
	      "  1  malformed input file or bad command-line usage\n"
	      "  2  I/O or environment error (debugfs not mounted, module not\n"
	      "     loaded, permission denied, ...)\n"
	      "\n"
	      "Environment:\n"
	      "  DROPMON_DEBUGFS  debugfs mount point (default /sys/kernel/debug)\n"
	      "  DROPMON_PROC_ROOT, DROPMON_NETNS_DIR  where netns names are looked up\n"
	      "                   (default /proc and /run/netns: the host's)\n"
	      "  NO_COLOR         if not empty: no colour unless --color=always\n",
	      out);
}

/* @arg, if not NULL, is quoted after @what. */
static int usage_error(const char *what, const char *arg)
{
	if (arg)
		fprintf(stderr, PROG ": %s '%s'; see '" PROG " --help'\n", what,
			arg);
	else
		fprintf(stderr, PROG ": %s; see '" PROG " --help'\n", what);
	return DM_EXIT_BAD_INPUT;
}

/* A bad option value: "cause; fix" in one line. */
__attribute__((format(printf, 1, 2)))
static int value_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return DM_EXIT_BAD_INPUT;
}

/* Report the option getopt_long() rejected with @opt ('?' or ':'). */
static int bad_option(int opt, char *const argv[])
{
	char name[3] = { '-', (char)optopt, '\0' };
	const char *arg = argv[optind - 1];

	if (opt == ':')
		return usage_error("missing argument for option", arg);
	if (optopt > ' ' && optopt < 0x7f)
		arg = name;
	return usage_error("unknown or malformed option", arg);
}

/* An unsigned decimal number of at most @max; digits only. */
static bool parse_number(const char *s, unsigned long long max,
			 unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int d = (unsigned char)*s - '0';

		if (d > 9 || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static int add_pattern(struct options *o, enum dm_field f, const char *pat)
{
	struct dm_filter *flt = &o->filter;
	const char **v = realloc(flt->pat[f], (flt->nr[f] + 1) * sizeof(*v));

	if (!v)
		return value_error("out of memory; free some memory and retry");
	v[flt->nr[f]++] = pat;
	flt->pat[f] = v;
	return -1;
}

/* Netns patterns are kept in canonical decimal, compared exactly. */
static int add_netns(struct options *o, const char *arg)
{
	unsigned long long ns;
	char **owned, *s, num[32];
	size_t len = strlen(arg);

	/* "net:[4026531840]", as readlink prints it, or the number */
	if (strncmp(arg, "net:[", 5) == 0 && len > 6 && len - 6 < sizeof(num) &&
	    arg[len - 1] == ']') {
		snprintf(num, sizeof(num), "%.*s", (int)(len - 6), arg + 5);
		if (!parse_number(num, UINT_MAX, &ns))
			ns = ULLONG_MAX;
	} else if (!parse_number(arg, UINT_MAX, &ns)) {
		ns = ULLONG_MAX;
	}
	if (ns == ULLONG_MAX)
		return value_error("--netns needs a network namespace inode number or net:[INODE], not '%s'; see: readlink /proc/PID/ns/net",
				   arg);
	owned = realloc(o->owned, (o->nr_owned + 1) * sizeof(*owned));
	if (!owned)
		return value_error("out of memory; free some memory and retry");
	o->owned = owned;
	if (asprintf(&s, "%llu", ns) < 0)
		return value_error("out of memory; free some memory and retry");
	o->owned[o->nr_owned++] = s;
	return add_pattern(o, DM_NETNS, s);
}

static int set_color(struct options *o, const char *arg)
{
	if (!arg || strcmp(arg, "always") == 0)
		o->color = DM_COLOR_ALWAYS;
	else if (strcmp(arg, "auto") == 0)
		o->color = DM_COLOR_AUTO;
	else if (strcmp(arg, "never") == 0)
		o->color = DM_COLOR_NEVER;
	else
		return value_error("--color: unknown value '%s'; use auto, always or never",
				   arg);
	return -1;
}

static int set_format(struct options *o, enum dm_format_kind f,
		      unsigned int *nr_formats)
{
	o->format = f;
	++*nr_formats;
	return -1;
}

/* Options that take a number. */
static int number_option(struct options *o, int opt, const char *arg)
{
	unsigned long long v;

	switch (opt) {
	case 'n':
		if (!parse_number(arg, SIZE_MAX, &v) || !v)
			return value_error("-n needs a positive number, not '%s'; e.g. -n 10",
					   arg);
		o->top = v;
		return -1;
	case OPT_COUNT:
		if (!parse_number(arg, ULLONG_MAX, &v) || !v)
			return value_error("--count needs a positive number, not '%s'; e.g. --count 1",
					   arg);
		o->count = v;
		return -1;
	default:
		if (!parse_number(arg, SIZE_MAX, &v))
			return value_error("--max-series needs a number, not '%s'; e.g. --max-series 1000 (0: no limit)",
					   arg);
		o->max_series = v;
		return -1;
	}
}

static int field_option(struct options *o, int opt, const char *arg)
{
	size_t f;

	if (opt == OPT_BY) {
		if (!dm_parse_fields(arg, &o->by))
			return value_error("--by: unknown field in '%s'; use a comma list of location,module,reason,dev,netns,proto",
					   arg);
		return -1;
	}
	if (opt == OPT_SORT) {
		if (!dm_parse_sort(arg, &o->sort))
			return value_error("--sort: unknown order '%s'; use count, location, module, reason, dev, netns or proto",
					   arg);
		return -1;
	}
	if (opt == OPT_NETNS)
		return add_netns(o, arg);
	for (f = 0; f < DM_NR_FIELDS; f++)
		if (filter_opts[f] == opt)
			break;
	return add_pattern(o, f, arg);
}

/* One option; -1 to go on, or an exit code. */
static int one_option(struct options *o, int opt, char *argv[],
		      unsigned int *nr_formats, bool *max_series_set)
{
	switch (opt) {
	case 'f':
		o->file = optarg;
		return -1;
	case 'o':
		o->output = optarg;
		return -1;
	case 'w':
		o->watch = true;
		return -1;
	case 'v':
		o->samples = true;
		return -1;
	case OPT_SAMPLES_FILE:
		o->samples_file = optarg;
		return -1;
	case OPT_PCAP:
		o->pcap = optarg;
		return -1;
	case OPT_PCAP_CLOCK:
		if (strcmp(optarg, "real") && strcmp(optarg, "boot"))
			return usage_error("--pcap-clock must be real or boot, not", optarg);
		o->pcap_boottime = !strcmp(optarg, "boot");
		return -1;
	case OPT_TOTALS:
		o->totals = true;
		return -1;
	case OPT_RAW:
		o->raw = true;
		return -1;
	case OPT_NAMES:
	case OPT_NO_NAMES:
		o->names = opt == OPT_NAMES ? 1 : -1;
		return -1;
	case OPT_CLASSIC:
		return set_format(o, DM_FMT_CLASSIC, nr_formats);
	case OPT_JSON:
		return set_format(o, DM_FMT_JSON, nr_formats);
	case OPT_PROMETHEUS:
		return set_format(o, DM_FMT_PROMETHEUS, nr_formats);
	case OPT_COLOR:
		return set_color(o, optarg);
	case OPT_MAX_SERIES:
		*max_series_set = true;
		/* fall through */
	case 'n':
	case OPT_COUNT:
		return number_option(o, opt, optarg);
	case OPT_LOCATION: case OPT_MODULE: case OPT_REASON: case OPT_DEV:
	case OPT_NETNS: case OPT_PROTO: case OPT_BY: case OPT_SORT:
		return field_option(o, opt, optarg);
	case 'h':
		usage(stdout);
		return DM_EXIT_OK;
	case OPT_VERSION:
		printf(PROG " %s (reads " DROPMON_FORMAT_NAMES ")\n",
		       DROPMON_VERSION);
		return DM_EXIT_OK;
	default:
		return bad_option(opt, argv);
	}
}

/* --samples, --samples-file and --pcap. */
static int check_samples(const struct options *o, unsigned int nr_formats)
{
	bool any = o->samples || o->samples_file || o->pcap;

	if (any && o->by)
		return usage_error("a --by row adds up several keys and a sample belongs to one; drop --by, or --samples/--pcap",
				   NULL);
	if (any && o->format == DM_FMT_PROMETHEUS)
		return usage_error("--prometheus has no samples; use --samples with the table, --classic or --json",
				   NULL);
	if (o->pcap && (nr_formats || o->output || o->watch))
		return usage_error("--pcap is the only output of its run; drop --classic/--json/--output/--watch",
				   NULL);
	if (any && o->file && strcmp(o->file, "-") == 0 && !o->samples_file)
		return usage_error("with -f - the samples file has no directory to come from; give --samples-file FILE",
				   NULL);
	return -1;
}

/* Combinations that make no sense. */
static int check_combinations(const struct options *o, unsigned int nr_formats,
			      bool max_series_set)
{
	if (nr_formats > 1)
		return usage_error("--classic, --json and --prometheus exclude each other",
				   NULL);
	if (o->format == DM_FMT_PROMETHEUS && o->top)
		return usage_error("-n would make counters come and go with --prometheus; use --max-series",
				   NULL);
	if (max_series_set && o->format != DM_FMT_PROMETHEUS)
		return usage_error("--max-series needs --prometheus", NULL);
	if (o->count && !o->watch)
		return usage_error("--count needs --watch", NULL);
	if (o->watch && o->file && strcmp(o->file, "-") == 0)
		return usage_error("--watch cannot follow standard input (-f -); give a file",
				   NULL);
	return check_samples(o, nr_formats);
}

int dm_parse_args(int argc, char *argv[], struct options *o)
{
	bool max_series_set = false;
	unsigned int nr_formats = 0;
	int opt, ret;

	memset(o, 0, sizeof(*o));
	o->max_series = DM_MAX_SERIES_DEFAULT;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":f:n:o:wvh", longopts, NULL)) != -1) {
		ret = one_option(o, opt, argv, &nr_formats, &max_series_set);
		if (ret >= 0)
			return ret;
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (o->samples_file && !o->pcap)
		o->samples = true;
	return check_combinations(o, nr_formats, max_series_set);
}

void dm_options_free(struct options *o)
{
	size_t i;

	for (i = 0; i < DM_NR_FIELDS; i++)
		free(o->filter.pat[i]);
	for (i = 0; i < o->nr_owned; i++)
		free(o->owned[i]);
	free(o->owned);
	memset(o, 0, sizeof(*o));
}
