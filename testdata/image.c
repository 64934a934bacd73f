/* SPDX-License-Identifier: MIT */
/*
 * image.c - the in-memory container: one pointer per block, allocated on
 * first use, written out with pwrite so that untouched blocks stay holes.
 * Content copied from a host directory can be bigger than memory: its data
 * blocks are streamed straight to the output file instead (mk_image_open,
 * mk_image_stream), and the container grows as they are allocated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/bigbuf.h"
#include "mk.h"

/* Room for cap blocks in blk and grp; new entries are NULL. */
static int reserve(struct mk_image *img, uint64_t cap)
{
	uint64_t ng = img->cap / MK_GROUP + 1, nng = cap / MK_GROUP + 1;
	uint8_t **b, **g;

	if (cap > (1ull << 40) / img->bs)
		return -EFBIG;
	b = realloc(img->blk, cap * sizeof(*b));
	if (!b)
		return -ENOMEM;
	img->blk = b;
	memset(b + img->cap, 0, (cap - img->cap) * sizeof(*b));
	g = realloc(img->grp, nng * sizeof(*g));
	if (!g)
		return -ENOMEM;
	img->grp = g;
	memset(g + ng, 0, (nng - ng) * sizeof(*g));
	img->cap = cap;
	return 0;
}

int mk_image_init(struct mk_image *img, uint32_t bs, uint64_t nblocks, uint64_t seed)
{
	int rc;

	memset(img, 0, sizeof(*img));
	img->out_fd = -1;
	if (bs < APFS_NX_MIN_BLOCK_SIZE || bs > APFS_NX_MAX_BLOCK_SIZE || (bs & (bs - 1)))
		return -EINVAL;
	img->bs = bs;
	img->grp = calloc(1, sizeof(*img->grp));
	rc = img->grp ? reserve(img, nblocks) : -ENOMEM;
	if (rc) {
		mk_image_free(img);
		return rc;
	}
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
	for (uint64_t i = 0; img->grp && i <= img->cap / MK_GROUP; i++)
		apfs_bigbuf_free(img->grp[i], (size_t)MK_GROUP * img->bs);
	free(img->grp);
	free(img->blk);
	free(img->cmap);
	if (img->out_fd >= 0)
		close(img->out_fd);
	img->out_fd = -1;
	img->grp = NULL;
	img->blk = NULL;
}

uint64_t mk_alloc(struct mk_image *img, uint64_t n)
{
	uint64_t p = img->next_paddr;

	if (n > img->nblocks - p && img->grow) {
		uint64_t want = img->nblocks * 2 > p + n ? img->nblocks * 2 : p + n;

		if (!reserve(img, want))
			img->nblocks = want;
	}
	if (n > img->nblocks - p) {
		fprintf(stderr, "mkimage: container of %llu blocks is full\n",
			(unsigned long long)img->nblocks);
		return 0;
	}
	img->next_paddr += n;
	return p;
}

/**
 * mk_image_settle() - fix the container size once the content is in.
 * @img: a growing image
 * @nblocks: the size, at least the blocks allocated so far
 */
int mk_image_settle(struct mk_image *img, uint64_t nblocks)
{
	int rc = 0;

	if (nblocks < img->next_paddr)
		return -EINVAL;
	if (nblocks > img->cap)
		rc = reserve(img, nblocks);
	if (!rc)
		img->nblocks = nblocks;
	img->grow = false;
	return rc;
}

/*
 * The block's buffer, created zeroed on first use.  A calloc per block made
 * malloc the main cost of a 512 MiB image; a group is a fresh mapping, whose
 * pages cost nothing until touched, on huge pages where the kernel allows
 * (a fault per 4 KiB page costs more than filling it on a virtual machine).
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
		*g = apfs_bigbuf_new((size_t)MK_GROUP * img->bs, false);
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

/**
 * mk_image_open() - open (create, truncate) the output before any content.
 * @img: the image
 * @path: output file
 * @gpt: the container will sit in a GPT disk (at MK_GPT_OFFSET)
 */
int mk_image_open(struct mk_image *img, const char *path, bool gpt)
{
	img->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (img->out_fd < 0)
		return -errno;
	img->out_off = gpt ? mk_gpt_offset(img->efi) : 0;
	return 0;
}

/**
 * mk_image_stream() - write len bytes (whole blocks) at block paddr of the
 * container straight to the output opened by mk_image_open().
 */
int mk_image_stream(struct mk_image *img, uint64_t paddr, const void *buf, uint64_t len)
{
	off_t off = (off_t)(img->out_off + paddr * img->bs);

	if (img->out_fd < 0 || paddr >= img->nblocks || len % img->bs ||
	    len / img->bs > img->nblocks - paddr)
		return -EINVAL;
	if (pwrite(img->out_fd, buf, len, off) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

int mk_image_write(struct mk_image *img, const char *path, bool gpt)
{
	uint64_t bytes = img->nblocks * img->bs, offset = 0, total = bytes;
	int fd = img->out_fd, rc = 0;

	img->out_fd = -1;
	if (fd < 0)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (gpt)
		rc = mk_gpt_write(fd, bytes, img->efi, &img->rng, &offset, &total);
	if (!rc && offset != (gpt ? mk_gpt_offset(img->efi) : 0))
		rc = -EINVAL;
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
