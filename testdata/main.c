/* SPDX-License-Identifier: MIT */
/*
 * main.c - build/mkimage: write a named test scenario as an APFS image.
 *   mkimage SCENARIO OUT.img [--seed N] [--iterations N] [--block-size N] [--gpt]
 *           [--big-size BYTES] [--unencrypted] [--sealed-reference-layout]
 *           [--hardware] [--files N] [--users N] [--preboot-xml] [--preboot-hostile]
 *           [--entries N] [--per-dir N] [--depth K] [--shuffle]   (scale)
 *           [--per-dir N]   (unhashed: files in /many; orphans: more orphans)
 *           [--wrap sparseimage|sparsebundle|encrypted [--band-size BYTES]
 *            [--image-passphrase P [--image-key-bits 128|256] [--image-iterations N]
 *             [--image-key-offset N]]]
 *   mkimage wrap RAW OUT --wrap ... [--seed N]
 *           (an existing image stored as a sparse image or bundle, wrap.c, and/or
 *            encrypted, encrcdsa.c)
 *   mkimage list
 *   mkimage from-dir OUT.img --dir DIR [...]   (a copy of a host tree, fromdir.c)
 *   mkimage kat APPLE.img PASSWORD OUTDIR   (known-answer test, see kat.h)
 *   mkimage streams OUT.img MANIFEST   (decmpfs files of given streams, scen_streams.c)
 *
 * --wrap encrypted needs --image-passphrase; with --wrap sparseimage it encrypts
 * the sparse image file (the encryption outermost, as hdiutil writes it), with
 * --wrap sparsebundle it makes an encrypted bundle (header in token, ciphertext
 * in the bands).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kat.h"

static void usage(void)
{
	fprintf(stderr, "usage: mkimage SCENARIO OUT.img [--seed N] [--iterations N] "
			"[--block-size 4096|16384] [--gpt] [--big-size BYTES]\n"
			"               [--unencrypted] [--sealed-reference-layout]\n"
			"               [--hardware] [--files N] [--users N] [--preboot-xml]\n"
			"               [--preboot-hostile]   (macos-boot)\n"
			"               [--entries N] [--per-dir N] [--depth K] [--shuffle]   (scale)\n"
			"               [--per-dir N]   (unhashed: files in /many; orphans: more orphans)\n"
			"               [--wrap sparseimage|sparsebundle|encrypted "
			"[--band-size BYTES]]\n"
			"       mkimage wrap RAW OUT --wrap sparseimage|sparsebundle|encrypted "
			"[--band-size BYTES] [--seed N]\n"
			"       mkimage from-dir OUT.img --dir DIR [--volume-name NAME] ...\n"
			"       mkimage streams OUT.img MANIFEST\n"
			"       mkimage list\n"
			"  encryption: --image-passphrase P [--image-key-bits 128|256] "
			"[--image-iterations N] [--image-key-offset N]\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || !*s || *end ? -EINVAL : 0;
}

static struct mk_encr_opts encr = { .key_bits = 128, .iterations = 1000 };

static int parse_wrap(const char *kind, struct mk_opts *o)
{
	if (!strcmp(kind, "sparseimage"))
		o->wrap = MK_WRAP_SPARSEIMAGE;
	else if (!strcmp(kind, "sparsebundle"))
		o->wrap = MK_WRAP_SPARSEBUNDLE;
	else if (!strcmp(kind, "encrypted"))
		o->wrap = MK_WRAP_ENCRYPTED;
	else
		return -EINVAL;
	return 0;
}

/* The encryption options: 1 taken (with its value), 0 not one, -EINVAL bad. */
static int encr_opt(const char *name, const char *val)
{
	uint64_t v = 0;

	if (!strcmp(name, "--image-passphrase"))
		return val && *val ? (encr.passphrase = val, 1) : -EINVAL;
	if (strcmp(name, "--image-key-bits") && strcmp(name, "--image-iterations") &&
	    strcmp(name, "--image-key-offset"))
		return 0;
	if (!val || parse_u64(val, &v))
		return -EINVAL;
	if (!strcmp(name, "--image-key-bits") && (v == 128 || v == 256))
		encr.key_bits = (unsigned)v;
	else if (!strcmp(name, "--image-iterations") && v > 0 && v <= UINT32_MAX)
		encr.iterations = v;
	else if (!strcmp(name, "--image-key-offset") && v >= 0x60 && v <= (1u << 20))
		encr.key_offset = v;
	else
		return -EINVAL;
	return 1;
}

static int parse_opts(int argc, char **argv, int first, struct mk_opts *o)
{
	uint64_t v;

	for (int i = first; i < argc; i++) {
		int e = encr_opt(argv[i], i + 1 < argc ? argv[i + 1] : NULL);

		if (e < 0)
			return e;
		if (e) {
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--wrap") && i + 1 < argc) {
			if (parse_wrap(argv[++i], o))
				return -EINVAL;
			continue;
		}
		if (!strcmp(argv[i], "--gpt") || !strcmp(argv[i], "--unencrypted") ||
		    !strcmp(argv[i], "--sealed-reference-layout") ||
		    !strcmp(argv[i], "--hardware") || !strcmp(argv[i], "--preboot-xml") ||
		    !strcmp(argv[i], "--preboot-hostile") || !strcmp(argv[i], "--shuffle")) {
			o->preboot_hostile |= !strcmp(argv[i], "--preboot-hostile");
			o->gpt |= !strcmp(argv[i], "--gpt");
			o->preboot_xml |= !strcmp(argv[i], "--preboot-xml");
			o->hardware |= !strcmp(argv[i], "--hardware");
			o->unencrypted |= !strcmp(argv[i], "--unencrypted");
			o->shuffle |= !strcmp(argv[i], "--shuffle");
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
		else if (!strcmp(argv[i], "--entries") && v >= 1 && v <= 100000000)
			o->entries = v;
		else if (!strcmp(argv[i], "--per-dir") && v >= 1 && v <= 100000000)
			o->per_dir = v;
		else if (!strcmp(argv[i], "--depth") && v >= 1 && v <= 200)
			o->depth = v;
		else if (!strcmp(argv[i], "--users") && v >= 2 && v <= 32)
			o->users = (unsigned)v;
		else if (!strcmp(argv[i], "--band-size") && v >= 512 && v % 512 == 0 &&
			 v <= (1u << 30))
			o->band_size = v;
		else
			return -EINVAL;
		i++;
	}
	/* An image passphrase means encryption; encryption needs one. */
	if (o->wrap == MK_WRAP_ENCRYPTED && !encr.passphrase)
		return -EINVAL;
	return encr.passphrase && !o->wrap ? -EINVAL : 0;
}

/* A sparse image encrypted: the sprs file written beside OUT, then wrapped. */
static int encrypted_sparseimage(const char *in, const char *out, const struct mk_opts *o)
{
	char tmp[4096];
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.sprs-tmp", out) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	rc = mk_wrap(in, tmp, o);
	if (!rc)
		rc = mk_wrap_encrypted(tmp, out, &encr);
	unlink(tmp);
	return rc;
}

/* in stored at out as o->wrap, encrypted when an image passphrase was given. */
static int wrap_file(const char *in, const char *out, const struct mk_opts *o)
{
	encr.seed = o->seed;
	if (o->wrap == MK_WRAP_ENCRYPTED)
		return mk_wrap_encrypted(in, out, &encr);
	if (!encr.passphrase)
		return mk_wrap(in, out, o);
	if (o->wrap == MK_WRAP_SPARSEBUNDLE)
		return mk_wrap_encrypted_bundle(in, out, o, &encr);
	return encrypted_sparseimage(in, out, o);
}

/* The scenario written raw next to OUT, then stored as o->wrap at OUT. */
static int scenario_wrapped(const char *name, const char *out, const struct mk_opts *o)
{
	char raw[4096];
	int rc;

	if (snprintf(raw, sizeof(raw), "%s.raw-tmp", out) >= (int)sizeof(raw))
		return -ENAMETOOLONG;
	rc = mk_scenario(name, raw, o);
	if (!rc)
		rc = wrap_file(raw, out, o);
	unlink(raw);
	return rc;
}

int main(int argc, char **argv)
{
	struct mk_opts o = { .seed = 1, .iterations = 1000, .block_size = 4096,
			     .big_size = 256ull << 20, .files = 10, .users = 2,
			     .entries = 10000 };
	bool wrap;
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
	wrap = argc >= 2 && !strcmp(argv[1], "wrap");
	/* an option where a file belongs (`mkimage scale --help`) wrote an image named so */
	if (argc < 3 + wrap || argv[2][0] == '-' || (wrap && argv[3][0] == '-') ||
	    parse_opts(argc, argv, 3 + wrap, &o)) {
		usage();
		return 2;
	}
	if (wrap)
		rc = o.wrap ? wrap_file(argv[2], argv[3], &o) : -EINVAL;
	else
		rc = o.wrap ? scenario_wrapped(argv[1], argv[2], &o) : mk_scenario(argv[1], argv[2], &o);
	if (rc) {
		fprintf(stderr, "mkimage: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	return 0;
}
