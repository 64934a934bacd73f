/* SPDX-License-Identifier: MIT */
/*
 * opts.c - the options every command shares (the CLI contract), parsed in
 * one place so that spellings, checks and messages are the same everywhere.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	O_OFFSET = 256, O_XID, O_VOLUME, O_SNAPSHOT, O_JSON, O_PLIST, O_ALL, O_CHECKPOINTS,
	O_FORMAT, O_IMAGE_FORMAT, O_MANIFEST, O_PASS, O_STDIN_PASS, O_PASS_FILE, O_RECOVERY, O_VEK, O_USER, O_MD5, O_HELP,
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
	{ "passphrase", required_argument, NULL, O_PASS },
	{ "stdin-passphrase", no_argument, NULL, O_STDIN_PASS },
	{ "passphrase-file", required_argument, NULL, O_PASS_FILE },
	{ "recovery-key", required_argument, NULL, O_RECOVERY },
	{ "vek", required_argument, NULL, O_VEK },
	{ "user", required_argument, NULL, O_USER },
	{ "md5", no_argument, NULL, O_MD5 },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* diskutil's single-dash spellings, accepted for muscle memory. */
static void translate_diskutil(int argc, char **argv)
{
	static char long_pass[] = "--passphrase", long_stdin[] = "--stdin-passphrase",
		    long_user[] = "--user", long_plist[] = "--plist";
	static const struct {
		const char *from;
		char *to;
	} map[] = {
		{ "-passphrase", long_pass },
		{ "-stdinpassphrase", long_stdin },
		{ "-user", long_user },
		{ "-plist", long_plist },
	};

	for (int i = 1; i < argc; i++)
		for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++)
			if (!strcmp(argv[i], map[m].from))
				argv[i] = map[m].to;
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
	case O_PASS: o->passphrase = optarg; break;
	case O_STDIN_PASS: o->stdin_passphrase = true; break;
	case O_PASS_FILE: o->passphrase_file = optarg; break;
	case O_RECOVERY: o->recovery_key = optarg; break;
	case O_VEK: o->vek_hex = optarg; break;
	case O_USER: o->user = optarg; break;
	case O_MD5: o->md5 = true; break;
	case 'l': o->long_fmt = true; break;
	case 'a': o->all_files = true; break;
	case 'R': o->recursive = true; break;
	case 'f': o->foreground = true; break;
	case 'o': o->fuse_opts = optarg; break;
	default: return EXIT_USAGE;
	}
	return 0;
}

static int count_creds(const struct cli_opts *o)
{
	return !!o->passphrase + o->stdin_passphrase + !!o->passphrase_file +
	       !!o->recovery_key + !!o->vek_hex;
}

int cli_parse(int argc, char **argv, unsigned flags, int min_args, int max_args,
	      const char *help, struct cli_opts *o)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	translate_diskutil(argc, argv);
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "lRafo:", long_opts, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(help, stdout);
			return -1;
		}
		if (c == '?')
			return usage_err(help, "%s", "invalid option");
		ret = take_opt(c, o);
		if (ret)
			return ret;
	}
	if ((o->volume && !(flags & OPT_VOLUME)) || (count_creds(o) && !(flags & OPT_CRED)) ||
	    (o->json && !(flags & OPT_JSON)) || (o->snapshot && !(flags & OPT_SNAPSHOT)))
		return usage_err(help, "%s", "an option given does not apply to this command");
	if (count_creds(o) > 1)
		return usage_err(help, "%s", "give one credential option at a time");
	if (optind >= argc)
		return usage_err(help, "%s", "missing IMAGE");
	o->image = argv[optind++];
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->nargs < min_args || (max_args >= 0 && o->nargs > max_args))
		return usage_err(help, "wrong number of arguments after '%s'", o->image);
	return 0;
}
