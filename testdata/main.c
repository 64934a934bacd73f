/* SPDX-License-Identifier: MIT */
/*
 * main.c - build/mkimage: write a named test scenario as an APFS image.
 *   mkimage SCENARIO OUT.img [--seed N] [--iterations N] [--block-size N] [--gpt]
 *           [--big-size BYTES] [--unencrypted] [--sealed-reference-layout]
 *           [--hardware] [--files N] [--users N] [--preboot-xml] [--preboot-hostile]
 *   mkimage list
 *   mkimage from-dir OUT.img --dir DIR [...]   (a copy of a host tree, fromdir.c)
 *   mkimage kat APPLE.img PASSWORD OUTDIR   (known-answer test, see kat.h)
 *   mkimage streams OUT.img MANIFEST   (decmpfs files of given streams, scen_streams.c)
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
			"               [--hardware] [--files N] [--users N] [--preboot-xml]\n"
			"               [--preboot-hostile]   (macos-boot)\n"
			"       mkimage from-dir OUT.img --dir DIR [--volume-name NAME] ...\n"
			"       mkimage streams OUT.img MANIFEST\n"
			"       mkimage list\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || !*s || *end ? -EINVAL : 0;
}

static int parse_opts(int argc, char **argv, struct mk_opts *o)
{
	uint64_t v;

	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--gpt") || !strcmp(argv[i], "--unencrypted") ||
		    !strcmp(argv[i], "--sealed-reference-layout") ||
		    !strcmp(argv[i], "--hardware") || !strcmp(argv[i], "--preboot-xml") ||
		    !strcmp(argv[i], "--preboot-hostile")) {
			o->preboot_hostile |= !strcmp(argv[i], "--preboot-hostile");
			o->gpt |= !strcmp(argv[i], "--gpt");
			o->preboot_xml |= !strcmp(argv[i], "--preboot-xml");
			o->hardware |= !strcmp(argv[i], "--hardware");
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
		else if (!strcmp(argv[i], "--files") && v <= 1000000)
			o->files = v;
		else if (!strcmp(argv[i], "--users") && v >= 2 && v <= 32)
			o->users = (unsigned)v;
		else
			return -EINVAL;
		i++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mk_opts o = { .seed = 1, .iterations = 1000, .block_size = 4096,
			     .big_size = 256ull << 20, .files = 10, .users = 2 };
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
	if (argc < 3 || parse_opts(argc, argv, &o)) {
		usage();
		return 2;
	}
	rc = mk_scenario(argv[1], argv[2], &o);
	if (rc) {
		fprintf(stderr, "mkimage: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	return 0;
}
