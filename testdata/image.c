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
	img->grp = calloc(nblocks / MK_GROUP + 1, sizeof(*img->grp));
	if (!img->blk || !img->grp) {
		free(img->blk);
		free(img->grp);
		return -ENOMEM;
	}
	img->bs = bs;
	img->nblocks = nblocks;
	img->next_paddr = MK_DATA_BASE + MK_DATA_BLOCKS;
	img->next_oid = MK_OID_FIRST;
	img->xid = MK_XID;
	img->seed = seed;
	mk_rng_seed(&img->rng, seed);
	mk_rng_uuid(&img->rng, img->nx_uuid);
	return 0;
}

void mk_image_free(struct mk_image *img)
{
	for (uint64_t i = 0; img->grp && i <= img->nblocks / MK_GROUP; i++)
		free(img->grp[i]);
	free(img->grp);
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

/*
 * The block's buffer, created zeroed on first use.  A calloc per block made
 * malloc the main cost of a 512 MiB image; a group's calloc is served by
 * mmap, whose pages cost nothing until touched.
 */
uint8_t *mk_block(struct mk_image *img, uint64_t paddr)
{
	uint8_t **g;

	if (paddr >= img->nblocks)
		return NULL;
	if (img->blk[paddr])
		return img->blk[paddr];
	g = &img->grp[paddr / MK_GROUP];
	if (!*g)
		*g = calloc(MK_GROUP, img->bs);
	if (*g)
		img->blk[paddr] = *g + paddr % MK_GROUP * img->bs;
	return img->blk[paddr];
}

/* Runs of used blocks within a group are contiguous in memory: one pwrite each. */
static int write_blocks(struct mk_image *img, int fd, uint64_t offset)
{
	uint64_t i = 0, n;

	while (i < img->nblocks) {
		if (!img->blk[i]) {
			i++;
			continue;
		}
		for (n = 1; i + n < img->nblocks && img->blk[i + n] && (i + n) % MK_GROUP; n++)
			;
		if (pwrite(fd, img->blk[i], n * img->bs, (off_t)(offset + i * img->bs)) !=
		    (ssize_t)(n * img->bs))
			return errno ? -errno : -EIO;
		i += n;
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
