/* SPDX-License-Identifier: MIT */
/*
 * refuse.c - containers we recognise by their signature but do not read:
 * name them, so the analyst knows what the file is and what to do, rather
 * than being told it is "not APFS" or, worse, reading it as a raw disk.
 *
 * Signatures (each format's public description): EWF2 (Ex01) "EVF2\r\n\x81\0",
 * Lx01 "LEF2\r\n\x81\0", L01 "LVF\t\r\n\xff\0" (libewf's format notes);
 * AFF "AFF10\r\n\0" (afflib); AFF4 a ZIP whose volume URN "aff4://" is in
 * the ZIP comment or first member (AFF4 standard); cdsaencr
 * (docs/containers.md §3); VirtualBox VDI "<<< Oracle VM VirtualBox Disk
 * Image >>>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"
#include "image/dev.h"
#include "image/probe.h"

#define HEAD 4096
#define TAIL 65536 /* a ZIP's end-of-directory comment lies in the last 64 KiB */

struct sig {
	const char *magic;
	size_t len;
	const char *what;
};

static const struct sig head_sigs[] = {
	{ "EVF2\r\n\x81\0", 8, "an Ex01 (EWF version 2) image: Debian's libewf cannot read this "
	  "variant; convert it to E01 or raw with ewfexport from a newer libewf, or FTK Imager" },
	{ "LEF2\r\n\x81\0", 8, "an Lx01 logical evidence file (files, not a disk image)" },
	{ "LVF\t\r\n\xff\0", 8, "an L01 logical evidence file (files, not a disk image)" },
	{ "AFF10\r\n\0", 8, "an AFF (Advanced Forensic Format v1-3) image: not supported; "
	  "convert it to raw with affconvert" },
	{ "<<< Oracle VM VirtualBox Disk Image >>>", 39, "a VirtualBox VDI disk image: not "
	  "supported; convert it with qemu-img convert -O raw" },
};

static int refuse(const struct apfs_dev *dev, const char *what)
{
	apfs_err("'%s' is %s", dev->path, what);
	return -ENOTSUP;
}

/* A version 1 image ends with cdsaencr (version 2 is encrcdsa.c's). */
static int refuse_encrypted(const struct apfs_dev *dev, const uint8_t *tail, size_t tn)
{
	if (tn >= 8 && !memcmp(tail + tn - 8, "cdsaencr", 8))
		return refuse(dev, "an encrypted Apple disk image (cdsaencr, version 1): not "
			      "supported; convert it with hdiutil convert (which writes version 2) "
			      "or decrypt it first");
	return 0;
}

static int is_aff4(const uint8_t *head, size_t n, const uint8_t *tail, size_t tn)
{
	return memmem(head, n, "aff4://", 7) || memmem(tail, tn, "aff4://", 7) ||
	       memmem(head, n, "information.turtle", 18);
}

/* The last *tn (at most cap) bytes of the layer into tail: 0, or -1 when unreadable. */
static int read_tail(struct apfs_dev *lower, uint8_t *tail, size_t cap, size_t *tn)
{
	*tn = lower->size < cap ? (size_t)lower->size : cap;
	return *tn && apfs_dev_read(lower, tail, *tn, lower->size - *tn) ? -1 : 0;
}

/*
 * A ZIP: AFF4 when its volume URN is in the first member or in the comment
 * at the end (the last 64 KiB); else maybe a version 1 encrypted image.
 * Only a ZIP's tail is read whole: every raw image passes this probe, and
 * 64 KiB read for nothing was 16 page faults of every command.
 */
static int refuse_zip(struct apfs_dev *lower, const uint8_t *head, size_t n)
{
	uint8_t *tail = malloc(TAIL);
	size_t tn = 0;
	int ret = 0;

	if (!tail)
		return -ENOMEM;
	if (read_tail(lower, tail, TAIL, &tn) == 0) {
		if (is_aff4(head, n, tail, tn))
			ret = refuse(lower, "an AFF4 image: not supported; convert it to raw with an "
				     "AFF4 tool (aff4imager --export)");
		else
			ret = refuse_encrypted(lower, tail, tn);
	}
	free(tail);
	return ret;
}

int apfs_refuse_probe(struct apfs_dev *lower, struct apfs_dev **out)
{
	uint8_t head[HEAD], end[8];
	size_t n = lower->size < HEAD ? (size_t)lower->size : HEAD, tn;

	(void)out;
	if (apfs_dev_read(lower, head, n, 0))
		return 0; /* unreadable here: the layer's reader names the problem */
	for (size_t i = 0; i < sizeof(head_sigs) / sizeof(head_sigs[0]); i++)
		if (n >= head_sigs[i].len && !memcmp(head, head_sigs[i].magic, head_sigs[i].len))
			return refuse(lower, head_sigs[i].what);
	if (n >= 4 && !memcmp(head, "PK\3\4", 4))
		return refuse_zip(lower, head, n);
	if (read_tail(lower, end, sizeof(end), &tn))
		return 0;
	return refuse_encrypted(lower, end, tn);
}

int apfs_refuse_dir(const char *path)
{
	apfs_err("'%s' is a directory, not an image (nor a sparse bundle: no Info.plist)", path);
	return -EISDIR;
}
