/* SPDX-License-Identifier: MIT */
/*
 * opts.c - the options every command shares (the CLI contract), parsed in
 * one place so that spellings, checks and messages are the same everywhere.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

enum {
	O_OFFSET = 256, O_XID, O_VOLUME, O_SNAPSHOT, O_JSON, O_PLIST, O_ALL, O_CHECKPOINTS,
	O_FORMAT, O_IMAGE_FORMAT, O_MANIFEST, O_PASS, O_STDIN_PASS, O_PASS_FILE, O_RECOVERY, O_VEK, O_USER,
	O_MD5, O_MAX_SIZE, O_NO_FIRMLINKS, O_EXTENDED, O_HELP, O_POTFILE, O_HINTS,
	O_IMAGE_PASS, O_IMAGE_PASS_FILE, O_HASH, O_FRACTIONAL, O_FORK, O_HEX, O_FACTS, O_TAR,
	O_APPLEDOUBLE, O_LIVE, O_LOG, O_HASH_IMAGE,
};

static const struct option long_opts[] = {
	{ "offset", required_argument, NULL, O_OFFSET },
	{ "xid", required_argument, NULL, O_XID },
	{ "volume", required_argument, NULL, O_VOLUME },
	{ "snapshot", required_argument, NULL, O_SNAPSHOT },
	{ "json", no_argument, NULL, O_JSON },
	{ "plist", no_argument, NULL, O_PLIST },
	{ "all", no_argument, NULL, O_ALL },
	{ "checkpoints", no_argument, NULL, O_CHECKPOINTS },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "image-format", required_argument, NULL, O_IMAGE_FORMAT },
	{ "manifest", required_argument, NULL, O_MANIFEST },
	{ "facts", required_argument, NULL, O_FACTS },
	{ "tar", required_argument, NULL, O_TAR },
	{ "appledouble", no_argument, NULL, O_APPLEDOUBLE },
	{ "passphrase", required_argument, NULL, O_PASS },
	{ "stdin-passphrase", no_argument, NULL, O_STDIN_PASS },
	{ "passphrase-file", required_argument, NULL, O_PASS_FILE },
	{ "recovery-key", required_argument, NULL, O_RECOVERY },
	{ "vek", required_argument, NULL, O_VEK },
	{ "user", required_argument, NULL, O_USER },
	{ "md5", no_argument, NULL, O_MD5 },
	{ "max-file-size", required_argument, NULL, O_MAX_SIZE },
	{ "no-firmlinks", no_argument, NULL, O_NO_FIRMLINKS },
	{ "extended", no_argument, NULL, O_EXTENDED },
	{ "help", no_argument, NULL, O_HELP },
	{ "potfile", required_argument, NULL, O_POTFILE },
	{ "hints", no_argument, NULL, O_HINTS },
	{ "image-passphrase", required_argument, NULL, O_IMAGE_PASS },
	{ "image-passphrase-file", required_argument, NULL, O_IMAGE_PASS_FILE },
	{ "hash", required_argument, NULL, O_HASH },
	{ "fractional", no_argument, NULL, O_FRACTIONAL },
	{ "fork", required_argument, NULL, O_FORK },
	{ "hex", no_argument, NULL, O_HEX },
	{ "live", no_argument, NULL, O_LIVE },
	{ "log", required_argument, NULL, O_LOG },
	{ "hash-image", no_argument, NULL, O_HASH_IMAGE },
	{ "escape", no_argument, NULL, 'b' },
	{ "literal", no_argument, NULL, 'N' },
	{ NULL, 0, NULL, 0 },
};

/* diskutil's single-dash spellings, accepted for muscle memory. */
static void translate_diskutil(int argc, char **argv)
{
	static char long_pass[] = "--passphrase", long_stdin[] = "--stdin-passphrase",
		    long_user[] = "--user", long_plist[] = "--plist", long_ext[] = "--extended";
	static const struct {
		const char *from;
		char *to;
	} map[] = {
		{ "-passphrase", long_pass },
		{ "-stdinpassphrase", long_stdin },
		{ "-user", long_user },
		{ "-plist", long_plist },
		{ "-extended", long_ext },
	};

	for (int i = 1; i < argc; i++)
		for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++)
			if (!strcmp(argv[i], map[m].from))
				argv[i] = map[m].to;
}

#define SHORT_OPTS "lRafo:bN"

/* Every command that takes a credential says this under its --help. */
static const char cred_help[] =
	"  credential: --passphrase P | -passphrase P | --stdin-passphrase | --passphrase-file F\n"
	"  | --recovery-key K | --vek HEX | --potfile F (passwords hashcat or John cracked from\n"
	"  our `hashes` export); with none, an encrypted volume asks on the terminal.\n"
	"  A secret given as an argument (--passphrase, -passphrase, --recovery-key, --vek) is\n"
	"  visible to other users (ps, /proc/PID/cmdline) from the moment the command starts\n"
	"  until it hides it, a few milliseconds later, and stays in the shell's history;\n"
	"  --stdin-passphrase, --passphrase-file and the prompt are not visible to them.\n";

/* Every command opens an image, so every --help says this. */
static const char image_cred_help[] =
	"  encrypted image (encrcdsa): --image-passphrase P | --image-passphrase-file F (one\n"
	"  candidate a line); with neither, asks \"Password for image NAME:\" on the terminal.\n";

/* And every --help ends with the options of the JSON and audit contract. */
static const char contract_help[] =
	"  every command: --json (a JSON document; errors and warnings as JSON lines on stderr),\n"
	"  --log FILE (append an audit record of the run) [--hash-image (its SHA-256 before and\n"
	"  after)]; an option this command does not take is refused (exit 2).\n";

static bool is_secret_opt(int c)
{
	return c == O_PASS || c == O_RECOVERY || c == O_VEK || c == O_IMAGE_PASS;
}

/* Which argv string holds p, and where in it (pointers compared as numbers:
 * the strings are separate objects). */
static bool locate(int argc, char **argv, const char *p, struct cli_secret *out)
{
	uintptr_t a = (uintptr_t)p;

	for (int k = 0; k < argc; k++) {
		uintptr_t s = (uintptr_t)argv[k];

		if (a >= s && a <= s + strlen(argv[k])) {
			out->idx = k;
			out->off = a - s;
			return true;
		}
	}
	return false;
}

/*
 * --NAME=VALUE that getopt_long refuses (--pass=X is ambiguous) but that
 * names a secret option all the same: its value is hidden too.
 */
static bool meant_secret(const char *arg)
{
	static const char *const names[] = { "passphrase", "recovery-key", "vek",
					     "image-passphrase" };
	const char *eq = strchr(arg, '=');
	size_t n;

	if (strncmp(arg, "--", 2) || !eq || eq == arg + 2)
		return false;
	n = (size_t)(eq - arg - 2);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(arg + 2, names[i], n))
			return true;
	return false;
}

/*
 * --NAME VALUE where NAME abbreviates a secret option and another option
 * too (--pass: --passphrase or --passphrase-file?): getopt_long refuses it
 * as ambiguous, so it never says VALUE is an argument; hidden all the same.
 */
static bool meant_secret_bare(const char *arg)
{
	static const char *const names[] = { "passphrase", "recovery-key", "vek",
					     "image-passphrase" };
	size_t n = strlen(arg);

	if (strncmp(arg, "--", 2) || n < 3 || strchr(arg, '='))
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(arg + 2, names[i], n - 2))
			return true;
	return false;
}

static bool already(const struct cli_secret *s, int n, int idx)
{
	for (int k = 0; k < n; k++)
		if (s[k].idx == idx)
			return true;
	return false;
}

int cli_find_secrets(int argc, char **argv, struct cli_secret *out, int max)
{
	char **p = malloc(((size_t)argc + 1) * sizeof(*p));
	int c, n = 0;

	if (!p)
		return -1;
	memcpy(p, argv, ((size_t)argc + 1) * sizeof(*p));
	translate_diskutil(argc, p);  /* on the copy: getopt_long permutes it */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, p, SHORT_OPTS, long_opts, NULL)) != -1)
		if (is_secret_opt(c) && optarg && n < max && locate(argc, argv, optarg, &out[n]))
			n++;
	free(p);
	for (int k = 1; k < argc && n < max && strcmp(argv[k], "--"); k++) {
		if (meant_secret(argv[k]) && !already(out, n, k)) {
			out[n].idx = k;
			out[n++].off = (size_t)(strchr(argv[k], '=') + 1 - argv[k]);
		} else if (meant_secret_bare(argv[k]) && k + 1 < argc && !already(out, n, k + 1) &&
			   n < max) {
			out[n].idx = k + 1;
			out[n++].off = 0;
		}
	}
	return n;
}

static int parse_u64(const char *opt, const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "apfsinspect: %s: '%s' is not a number\n", opt, s);
		return EXIT_USAGE;
	}
	return 0;
}

/* A byte count with an optional binary suffix (K, M, G, T, P), or "none" (0: no cap). */
static int parse_size(const char *opt, const char *s, uint64_t *out)
{
	static const char units[] = "KMGTP";
	const char *u;
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (!strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	if (*end && !end[1] && (u = strchr(units, end[0] & ~0x20)) && *out &&
	    *out <= UINT64_MAX >> (10 * (u - units + 1))) {
		*out <<= 10 * (u - units + 1);
		end++;
	}
	if (errno || end == s || *end || *s == '-' || !*out) {
		fprintf(stderr, "apfsinspect: %s: '%s' is not a size (bytes, K, M, G, T, P or "
			"none)\n", opt, s);
		return EXIT_USAGE;
	}
	return 0;
}

static int usage_err(const char *help, const char *fmt, const char *arg)
{
	fprintf(stderr, "apfsinspect: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", help);
	return EXIT_USAGE;
}

static int take_opt(int c, struct cli_opts *o)
{
	switch (c) {
	case O_OFFSET: o->offset_set = true; return parse_u64("--offset", optarg, &o->offset);
	case O_XID: return parse_u64("--xid", optarg, &o->xid);
	case O_VOLUME: o->volume = optarg; break;
	case O_SNAPSHOT: o->snapshot = optarg; break;
	case O_JSON: o->json = true; break;
	case O_PLIST: o->plist = true; break;
	case O_ALL: o->all = true; break;
	case O_CHECKPOINTS: o->checkpoints = true; break;
	case O_FORMAT: o->format = optarg; break;
	case O_IMAGE_FORMAT: o->image_format = optarg; break;
	case O_MANIFEST: o->manifest = optarg; break;
	case O_FACTS: o->facts = optarg; break;
	case O_TAR: o->tar = optarg; break;
	case O_APPLEDOUBLE: o->appledouble = true; break;
	case O_PASS: o->passphrase = optarg; break;
	case O_STDIN_PASS: o->stdin_passphrase = true; break;
	case O_PASS_FILE: o->passphrase_file = optarg; break;
	case O_POTFILE: o->potfile = optarg; break;
	case O_HINTS: o->hints = true; break;
	case O_RECOVERY: o->recovery_key = optarg; break;
	case O_VEK: o->vek_hex = optarg; break;
	case O_USER: o->user = optarg; break;
	case O_IMAGE_PASS: o->image_passphrase = optarg; break;
	case O_IMAGE_PASS_FILE: o->image_passphrase_file = optarg; break;
	case O_MD5: o->md5 = true; break;
	case O_HASH: o->hash = optarg; break;
	case O_FRACTIONAL: o->fractional = true; break;
	case O_FORK: o->fork = optarg; break;
	case O_HEX: o->hex = true; break;
	case O_LOG: o->log = optarg; break;
	case O_HASH_IMAGE: o->hash_image = true; break;
	case O_NO_FIRMLINKS: o->no_firmlinks = true; break;
	case O_EXTENDED: o->extended = true; break;
	case O_LIVE: o->live = true; break;
	case O_MAX_SIZE:
		o->max_file_size_set = true;
		return parse_size("--max-file-size", optarg, &o->max_file_size);
	case 'l': o->long_fmt = true; break;
	case 'a': o->all_files = true; break;
	case 'R': o->recursive = true; break;
	case 'b': o->literal = false; break;
	case 'N': o->literal = true; break;
	case 'f': o->foreground = true; break;
	case 'o': o->fuse_opts = optarg; break;
	default: return EXIT_USAGE;
	}
	return 0;
}

/* The name optable.c knows an option by: "--long", or "-x" for a short one without a long name. */
static const char *opt_spelling(int c, char *buf, size_t len)
{
	for (const struct option *lo = long_opts; lo->name; lo++)
		if (lo->val == c) {
			snprintf(buf, len, "--%s", lo->name);
			return buf;
		}
	snprintf(buf, len, "-%c", c);
	return buf;
}

/* An option the command does not take: refused by name, never ignored. */
static int refuse_opt(const char *cmd, int c, const char *name, const char *help)
{
	cli_jerr_code("option_not_applicable");
	if (c < 256 && name[1] == '-')  /* a short option with a long name: both spellings */
		fprintf(stderr, "apfsinspect: %s: option -%c (%s) does not apply to this command\n%s",
			cli_safe_str(cmd), c, name, help);
	else
		fprintf(stderr, "apfsinspect: %s: option %s does not apply to this command\n%s",
			cli_safe_str(cmd), name, help);
	return EXIT_USAGE;
}

void cli_print_options(const char *cmd, FILE *f)
{
	char buf[64];

	for (const struct option *lo = long_opts; lo->name; lo++)
		if (cli_opt_allowed(cmd, opt_spelling(lo->val, buf, sizeof(buf))))
			fprintf(f, "--%s\n", lo->name);
	for (const char *p = SHORT_OPTS; *p; p++)
		if (*p != ':' && cli_opt_allowed(cmd, opt_spelling(*p, buf, sizeof(buf))))
			fprintf(f, "-%c\n", *p);
}

static int count_creds(const struct cli_opts *o)
{
	return !!o->passphrase + o->stdin_passphrase + !!o->passphrase_file +
	       !!o->recovery_key + !!o->vek_hex + !!o->potfile;
}

int cli_parse(int argc, char **argv, unsigned flags, int min_args, int max_args,
	      const char *help, struct cli_opts *o)
{
	const char *cmd = argv[0];
	char name[64];
	int c, ret;

	memset(o, 0, sizeof(*o));
	translate_diskutil(argc, argv);
	optind = 0;  /* glibc: a full restart (cli_find_secrets() scanned before) */
	opterr = 1;
	while ((c = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(help, stdout);
			if (flags & OPT_CRED)
				fputs(cred_help, stdout);
			fputs(image_cred_help, stdout);
			fputs(contract_help, stdout);
			return -1;
		}
		if (c == '?')
			return usage_err(help, "%s", "invalid option");
		if (!cli_opt_allowed(cmd, opt_spelling(c, name, sizeof(name))))
			return refuse_opt(cmd, c, name, help);
		ret = take_opt(c, o);
		if (ret)
			return ret;
	}
	if (count_creds(o) > 1)
		return usage_err(help, "%s", "give one credential option at a time");
	if (o->image_passphrase && o->image_passphrase_file)
		return usage_err(help, "%s", "give --image-passphrase or --image-passphrase-file, "
				 "not both");
	if (optind >= argc)
		return usage_err(help, "%s", "missing IMAGE");
	o->image = argv[optind++];
	ret = cli_audit_opts(o);
	if (ret)
		return ret;
	cli_image_cred_install(o);
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->nargs < min_args || (max_args >= 0 && o->nargs > max_args))
		return usage_err(help, "wrong number of arguments after '%s'", o->image);
	return 0;
}
