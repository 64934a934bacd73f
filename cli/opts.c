/* SPDX-License-Identifier: MIT */
/*
 * opts.c - the options every command shares (the CLI contract), parsed in
 * one place so that spellings, checks and messages are the same everywhere.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clibase.h"
#include "optspell.h"

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

/* -o again adds to the options before it, as mount(8) and libfuse take them (the last kept only one). */
static int add_fuse_opts(struct cli_opts *o, const char *arg)
{
	static char *joined; /* o->fuse_opts for the rest of the process */
	char *s;

	if (!o->fuse_opts) {
		o->fuse_opts = arg;
		return 0;
	}
	if (asprintf(&s, "%s,%s", o->fuse_opts, arg) < 0) {
		fprintf(stderr, "apfsinspect: -o: out of memory\n");
		return EXIT_ERROR;
	}
	free(joined);
	o->fuse_opts = joined = s;
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
	case O_PRIVATE_DIR: o->private_dir = true; break;
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
	case 'U': o->unsorted = true; break;
	case 'f': o->foreground = true; break;
	case 'o': return add_fuse_opts(o, optarg);
	default: return EXIT_USAGE;
	}
	return 0;
}

/* The name optable.c knows an option by: "--long", or "-x" for a short one without a long name. */
static const char *opt_spelling(int c, char *buf, size_t len)
{
	for (const struct option *lo = cli_long_opts; lo->name; lo++)
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

	for (const struct option *lo = cli_long_opts; lo->name; lo++)
		if (cli_opt_allowed(cmd, opt_spelling(lo->val, buf, sizeof(buf))))
			fprintf(f, "--%s\n", lo->name);
	for (const char *p = CLI_SHORT_OPTS; *p; p++)
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
	cli_translate_diskutil(argc, argv);
	optind = 0;  /* glibc: a full restart (cli_find_secrets() scanned before) */
	opterr = 1;
	while ((c = getopt_long(argc, argv, CLI_SHORT_OPTS, cli_long_opts, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(help, stdout);
			if (flags & OPT_CRED)
				fputs(cred_help, stdout);
			if (cli_opt_allowed(cmd, "--private-dir") && !(flags & OPT_MOUNTPOINT))
				fputs(cli_private_help, stdout);
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
	cli_image_cred_begin(o);
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->nargs < min_args || (max_args >= 0 && o->nargs > max_args))
		return usage_err(help, "wrong number of arguments after '%s'", o->image);
	if (o->private_dir && !(flags & OPT_MOUNTPOINT) && (ret = cli_private_path(o)))
		return usage_err(help, "--private-dir: %s", ret == -EINVAL ?
				 "PATH is taken in the private directory: no '..'" :
				 "PATH written as private-dir/PATH is longer than 4,095 bytes");
	return 0;
}
