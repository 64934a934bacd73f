/* SPDX-License-Identifier: MIT */
/*
 * optspell.c - the spellings of the shared options (optspell.h), and
 * cli_find_secrets (clibase.h): every spelling of a secret option's value in
 * an argv, found with the same table the parser uses so that none is
 * missed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clibase.h"
#include "optspell.h"

const struct option cli_long_opts[] = {
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
	{ "private-dir", no_argument, NULL, O_PRIVATE_DIR },
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
	{ "unsorted", no_argument, NULL, 'U' },
	{ NULL, 0, NULL, 0 },
};

/* diskutil's single-dash spellings, accepted for muscle memory. */
void cli_translate_diskutil(int argc, char **argv)
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
	cli_translate_diskutil(argc, p);  /* on the copy: getopt_long permutes it */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, p, CLI_SHORT_OPTS, cli_long_opts, NULL)) != -1)
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
