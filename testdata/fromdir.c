/* SPDX-License-Identifier: MIT */
/*
 * fromdir.c - `mkimage from-dir OUT.img --dir DIR [options]`: a container
 * with one volume holding a copy of DIR.  The container grows with the
 * content (file data is streamed to OUT.img as it is read), then gets a
 * little free space and its container-level structures.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fromdir.h"

/* The Local Open Directory user of an encrypted copy (README "from-dir"). */
#define FD_USER "F0D1A2B3-C4D5-4E6F-8A9B-0C1D2E3F4A5B"

struct fd_opts {
	const char *out, *dir, *volname, *hint;
	char *password;
	bool case_sensitive, gpt;
	uint64_t iterations, seed;
	uint32_t bs;
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || !*s || *end ? -EINVAL : 0;
}

/* One option taking a value; returns -EINVAL for anything not understood. */
static int opt_value(struct fd_opts *o, const char *k, char *val)
{
	uint64_t n = 0;

	if (!strcmp(k, "--dir"))
		o->dir = val;
	else if (!strcmp(k, "--volume-name"))
		o->volname = val;
	else if (!strcmp(k, "--password"))
		o->password = val;
	else if (!strcmp(k, "--hint"))
		o->hint = val;
	else if (parse_u64(val, &n))
		return -EINVAL;
	else if (!strcmp(k, "--iterations") && n > 0 && n <= (1u << 24))
		o->iterations = n;
	else if (!strcmp(k, "--seed"))
		o->seed = n;
	else if (!strcmp(k, "--block-size") && (n == 4096 || n == 16384))
		o->bs = (uint32_t)n;
	else
		return -EINVAL;
	return 0;
}

static int parse(int argc, char **argv, struct fd_opts *o)
{
	if (argc < 3)
		return -EINVAL;
	o->out = argv[2];
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--gpt"))
			o->gpt = true;
		else if (!strcmp(argv[i], "--case-sensitive"))
			o->case_sensitive = true;
		else if (i + 1 >= argc || opt_value(o, argv[i], argv[i + 1]))
			return -EINVAL;
		else
			i++;
	}
	if (!o->dir || (o->hint && !o->password) || strlen(o->volname) >= APFS_VOLNAME_LEN)
		return -EINVAL;
	return 0;
}

static int encrypt(struct mk_vol *v, const struct fd_opts *o)
{
	struct mk_user u = { FD_USER, o->password, o->hint, MK_KEK_256, false, 0 };
	int rc = mk_vol_encrypt(v, false, 32);

	if (!rc)
		rc = mk_vol_add_user(v, &u);
	/* Gone from our memory and from /proc/PID/cmdline. */
	OPENSSL_cleanse(o->password, strlen(o->password));
	return rc;
}

/* The volume, copied from the open directory root. */
static int fill(struct mk_image *img, const struct fd_opts *o, int root)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, o->volname, APFS_VOL_ROLE_NONE, !o->case_sensitive);

	/* vol_init zeroes v first: what it made before a failure is freed too */
	if (!rc && o->password)
		rc = encrypt(&v, o);
	if (!rc)
		rc = fd_walk(&v, root, o->dir);
	if (rc)
		mk_vol_discard(&v);
	return rc ? rc : mk_vol_finish(&v);
}

/*
 * Final size: what is used, an eighth more as free space, room for the
 * space manager's bitmaps; at least 16 MiB; a whole number of MiB.
 */
static uint64_t final_blocks(const struct mk_image *img)
{
	uint64_t used = img->next_paddr, mib = (1u << 20) / img->bs;
	uint64_t n = used + used / 8 + 1024 + used / 2048;

	if (n < 16 * mib)
		n = 16 * mib;
	return (n + mib - 1) / mib * mib;
}

static int build(const struct fd_opts *o, int root)
{
	struct mk_image img;
	int rc = mk_image_init(&img, o->bs, (16u << 20) / o->bs, o->seed);

	if (rc)
		return rc;
	img.grow = true;
	img.iterations = o->iterations;
	mk_rng_bytes(&img.rng, img.sep_id, 16);
	rc = mk_image_open(&img, o->out, o->gpt);
	if (rc)
		fprintf(stderr, "mkimage: from-dir: %s: %s\n", o->out, strerror(-rc));
	if (!rc)
		rc = fill(&img, o, root);
	if (!rc)
		rc = mk_image_settle(&img, final_blocks(&img));
	if (!rc)
		rc = mk_container_finish(&img);
	if (!rc)
		rc = mk_image_write(&img, o->out, o->gpt);
	mk_kb_free(img.ckb);
	free(img.ckb);
	mk_image_free(&img);
	return rc;
}

/**
 * mk_from_dir() - the from-dir command; returns the exit status (0, 1
 * failure, 2 usage).
 * @argc: argument count (argv[1] is "from-dir")
 * @argv: arguments
 */
int mk_from_dir(int argc, char **argv)
{
	struct fd_opts o = { .volname = "FromDir", .iterations = 1000, .seed = 1, .bs = 4096 };
	int root, rc;

	if (parse(argc, argv, &o)) {
		fprintf(stderr, "usage: mkimage from-dir OUT.img --dir DIR [--volume-name NAME] "
				"[--case-sensitive]\n       [--password PW [--hint H]] "
				"[--iterations N] [--seed N] [--block-size 4096|16384] [--gpt]\n");
		return 2;
	}
	root = open(o.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		fprintf(stderr, "mkimage: from-dir: %s: %s\n", o.dir, strerror(errno));
		return 1;
	}
	rc = build(&o, root);
	close(root);
	if (rc) {
		/* The reason was reported where it was found; leave no half image. */
		unlink(o.out);
		fprintf(stderr, "mkimage: from-dir: no image written (%s)\n", strerror(-rc));
	}
	return rc ? 1 : 0;
}
