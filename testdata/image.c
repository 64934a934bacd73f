/* SPDX-License-Identifier: MIT */
/*
 * image.c - the in-memory container: one pointer per block, allocated on
 * first use, written out with pwrite so that untouched blocks stay holes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mk.h"

int mk_image_init(struct mk_image *img, uint32_t bs, uint64_t nblocks, uint64_t seed)
{
	memset(img, 0, sizeof(*img));
	if (bs < APFS_NX_MIN_BLOCK_SIZE || bs > APFS_NX_MAX_BLOCK_SIZE || (bs & (bs - 1)))
		return -EINVAL;
	img->blk = calloc(nblocks, sizeof(*img->blk));
	if (!img->blk)
		return -ENOMEM;
	img->bs = bs;
	img->nblocks = nblocks;
	img->next_paddr = MK_DATA_BASE + MK_DATA_BLOCKS;
	img->next_oid = MK_OID_FIRST;
	img->xid = MK_XID;
	mk_rng_seed(&img->rng, seed);
	mk_rng_uuid(&img->rng, img->nx_uuid);
	return 0;
}

void mk_image_free(struct mk_image *img)
{
	for (uint64_t i = 0; img->blk && i < img->nblocks; i++)
		free(img->blk[i]);
	free(img->blk);
	free(img->cmap);
	img->blk = NULL;
}

uint64_t mk_alloc(struct mk_image *img, uint64_t n)
{
	uint64_t p = img->next_paddr;

	if (n > img->nblocks - p) {
		fprintf(stderr, "mkimage: container of %llu blocks is full\n",
			(unsigned long long)img->nblocks);
		return 0;
	}
	img->next_paddr += n;
	return p;
}

/* The block's buffer, created zeroed on first use. */
uint8_t *mk_block(struct mk_image *img, uint64_t paddr)
{
	if (paddr >= img->nblocks)
		return NULL;
	if (!img->blk[paddr])
		img->blk[paddr] = calloc(1, img->bs);
	return img->blk[paddr];
}

static int write_blocks(struct mk_image *img, int fd, uint64_t offset)
{
	for (uint64_t i = 0; i < img->nblocks; i++) {
		uint64_t off = offset + i * img->bs;

		if (!img->blk[i])
			continue;
		if (pwrite(fd, img->blk[i], img->bs, (off_t)off) != (ssize_t)img->bs)
			return -errno;
	}
	return 0;
}

int mk_image_write(struct mk_image *img, const char *path, bool gpt)
{
	uint64_t bytes = img->nblocks * img->bs, offset = 0, total = bytes;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	if (gpt)
		rc = mk_gpt_write(fd, bytes, &img->rng, &offset, &total);
	if (!rc)
		rc = write_blocks(img, fd, offset);
	if (!rc && img->truncate_to)
		total = offset + img->truncate_to;
	if (!rc && ftruncate(fd, (off_t)total))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}
