/* SPDX-License-Identifier: MIT */
/*
 * main.c - build/mkimage: write a named test scenario as an APFS image.
 *   mkimage SCENARIO OUT.img [--seed N] [--iterations N] [--block-size N] [--gpt]
 *           [--big-size BYTES] [--unencrypted] [--sealed-reference-layout]
 *   mkimage list
 *   mkimage from-dir OUT.img --dir DIR [...]   (a copy of a host tree, fromdir.c)
 *   mkimage kat APPLE.img PASSWORD OUTDIR   (known-answer test, see kat.h)
 *   mkimage streams OUT.img MANIFEST   (decmpfs files of given streams, scen_streams.c)
 *   mkimage wrap IN OUT --wrap encrypted --image-passphrase P [...]   (encrcdsa.c)
 * Any scenario takes --wrap encrypted --image-passphrase P [--image-key-bits 128|256]
 * [--image-iterations N] [--image-key-offset N] [--seed N]: the image is then written
 * inside an encrypted Apple disk image.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kat.h"

static void usage(void)
{
	fprintf(stderr, "usage: mkimage SCENARIO OUT.img [--seed N] [--iterations N] "
			"[--block-size 4096|16384] [--gpt] [--big-size BYTES]\n"
			"               [--unencrypted] [--sealed-reference-layout]\n"
			"       mkimage from-dir OUT.img --dir DIR [--volume-name NAME] ...\n"
			"       mkimage streams OUT.img MANIFEST\n"
			"       mkimage list\n"
			"       mkimage wrap IN OUT --wrap encrypted --image-passphrase P\n"
			"  wrapping: --wrap encrypted --image-passphrase P [--image-key-bits 128|256]\n"
			"            [--image-iterations N] [--image-key-offset N]\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || !*s || *end ? -EINVAL : 0;
}

static struct mk_encr_opts wrap = { .key_bits = 128, .iterations = 1000 };
static bool wrap_on;

/* The --wrap options: 1 taken (with its value), 0 not one, -EINVAL bad. */
static int wrap_opt(const char *name, const char *val)
{
	uint64_t v = 0;

	if (!strcmp(name, "--wrap"))
		return val && !strcmp(val, "encrypted") ? (wrap_on = true, 1) : -EINVAL;
	if (!strcmp(name, "--image-passphrase"))
		return val && *val ? (wrap.passphrase = val, 1) : -EINVAL;
	if (strcmp(name, "--image-key-bits") && strcmp(name, "--image-iterations") &&
	    strcmp(name, "--image-key-offset"))
		return 0;
	if (!val || parse_u64(val, &v))
		return -EINVAL;
	if (!strcmp(name, "--image-key-bits") && (v == 128 || v == 256))
		wrap.key_bits = (unsigned)v;
	else if (!strcmp(name, "--image-iterations") && v > 0 && v <= UINT32_MAX)
		wrap.iterations = v;
	else if (!strcmp(name, "--image-key-offset") && v >= 0x60 && v <= (1u << 20))
		wrap.key_offset = v;
	else
		return -EINVAL;
	return 1;
}

static int parse_opts(int argc, char **argv, int first, struct mk_opts *o)
{
	uint64_t v;

	for (int i = first; i < argc; i++) {
		int w = wrap_opt(argv[i], i + 1 < argc ? argv[i + 1] : NULL);

		if (w < 0)
			return w;
		if (w) {
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--gpt") || !strcmp(argv[i], "--unencrypted") ||
		    !strcmp(argv[i], "--sealed-reference-layout")) {
			o->gpt |= !strcmp(argv[i], "--gpt");
			o->unencrypted |= !strcmp(argv[i], "--unencrypted");
			o->sealed_ref |= !strcmp(argv[i], "--sealed-reference-layout");
			continue;
		}
		if (i + 1 >= argc || parse_u64(argv[i + 1], &v))
			return -EINVAL;
		if (!strcmp(argv[i], "--seed"))
			o->seed = v;
		else if (!strcmp(argv[i], "--iterations") && v > 0)
			o->iterations = v;
		else if (!strcmp(argv[i], "--block-size") && (v == 4096 || v == 16384))
			o->block_size = (uint32_t)v;
		else if (!strcmp(argv[i], "--big-size") && v <= (64ull << 30))
			o->big_size = v;
		else
			return -EINVAL;
		i++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mk_opts o = { .seed = 1, .iterations = 1000, .block_size = 4096,
			     .big_size = 256ull << 20 };
	int rc;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		mk_scenario_list();
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "from-dir"))
		return mk_from_dir(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "streams"))
		return mk_streams(argc, argv);
	if (argc == 5 && !strcmp(argv[1], "kat")) {
		rc = mk_kat(argv[2], argv[3], argv[4]);
		if (rc)
			fprintf(stderr, "mkimage: kat: %s\n", strerror(-rc));
		return rc ? 1 : 0;
	}
	if (argc < 3 || parse_opts(argc, argv, strcmp(argv[1], "wrap") ? 3 : 4, &o) || (wrap_on && !wrap.passphrase)) {
		usage();
		return 2;
	}
	wrap.seed = o.seed;
	if (argc >= 4 && !strcmp(argv[1], "wrap")) {
		rc = wrap_on ? mk_wrap_encrypted(argv[2], argv[3], &wrap) : -EINVAL;
		if (rc)
			fprintf(stderr, "mkimage: wrap %s: %s\n", argv[2], strerror(-rc));
		return rc ? 1 : 0;
	}
	rc = mk_scenario(argv[1], argv[2], &o);
	if (!rc && wrap_on)
		rc = mk_wrap_encrypted_in_place(argv[2], &wrap);
	if (rc) {
		fprintf(stderr, "mkimage: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	return 0;
}
