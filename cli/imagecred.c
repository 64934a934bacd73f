/* SPDX-License-Identifier: MIT */
/*
 * imagecred.c - the passphrase of an encrypted image, handed to the library
 * through its callback (apfsi_open_options.passphrase; and to image/ for the
 * commands still opening below the API, imagecred_dev.c): the library knows
 * no options or terminals, the CLI knows no encrcdsa.  Nothing is
 * read (no prompt shown) unless an image turns out to be encrypted.
 */
#include <string.h>

#include "util/err.h"
#include "credential.h"

static struct {
	const struct cli_opts *o;
	struct cli_cred cr;
	bool collected;
	int err;  /* what collecting returned (an exit code), once collected */
	int refused; /* the last refusal given to image/ (-errno) */
} ic;

static int collect(const char *image)
{
	ic.collected = true;
	ic.err = cli_cred_get_image(ic.o, image, &ic.cr);
	if (ic.err)
		return ic.err == EXIT_USAGE ? -EINVAL : -EIO;
	if (ic.cr.kind == CRED_NONE) {
		/* As a locked volume: exit 3, saying what to give. */
		fprintf(stderr, "apfsinspect: image '%s' is encrypted: give --image-passphrase or "
				"--image-passphrase-file (or run on a terminal to be asked)\n", image);
		return -APFS_ELOCKED;
	}
	return 0;
}

static int give(void *arg, const char *image, unsigned attempt, char *buf, size_t cap,
		size_t *len)
{
	int ret = 0;

	(void)arg;
	if (!ic.collected)
		ret = collect(image);
	else if (ic.err || ic.cr.kind == CRED_NONE)
		ret = -APFS_ELOCKED;
	if (ret)
		return ic.refused = ret;
	if (attempt >= ic.cr.ncands)
		return 1;
	if (ic.cr.lens[attempt] > cap)
		return ic.refused = -E2BIG;
	memcpy(buf, ic.cr.cands[attempt], ic.cr.lens[attempt]);
	*len = ic.cr.lens[attempt];
	return 0;
}

/* The library reports every refusal as a locked image: what image/ was told tells them apart. */
int cli_image_cred_give(void *arg, const char *image, unsigned attempt, char *buf, size_t cap,
			size_t *len)
{
	return give(arg, image, attempt, buf, cap, len);
}

int cli_image_cred_status(void)
{
	if (ic.err)
		return ic.err;
	return ic.refused && ic.refused != -APFS_ELOCKED ? EXIT_ERROR : 0;
}

void cli_image_cred_begin(const struct cli_opts *o)
{
	cli_image_cred_wipe();
	ic.o = o;
}

void cli_image_cred_wipe(void)
{
	if (ic.collected)
		cli_cred_wipe(&ic.cr);
	ic.collected = false;
	ic.err = 0;
	ic.refused = 0;
}
