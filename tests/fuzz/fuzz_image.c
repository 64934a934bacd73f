/* SPDX-License-Identifier: MIT */
/*
 * fuzz_image.c - the input of the image targets: a sparse image.
 *
 * A whole image is too big for a fuzzer to mutate usefully (16 MiB of
 * mostly zeros), and a mutated object fails its Fletcher-64 before any
 * parser sees it.  So the input lists only the blocks that hold anything,
 * and says which to checksum (and encrypt) after mutation:
 *
 *   u32 LE  image size in 4 KiB blocks (at most 2^24: nothing is allocated
 *           for blocks that are not listed; they read as zeros)
 *   then records, until the input ends:
 *   u32 LE  bits 0-23 block number, bits 24-25 mode:
 *           0 as given, 1 reseal (write the Fletcher-64 of the block),
 *           2 reseal then AES-XTS encrypt with key UUID||UUID and tweak
 *             block * 8 (a keybag, as keybag/keybag.c reads it),
 *           3 as given
 *   u16 LE  n (at most 4096): bytes given; the rest of the block is zeros
 *   16 bytes the UUID, mode 2 only
 *   n bytes  the block's first n bytes (fewer when the input ends early)
 *
 * tests/fuzz/mkseed.c writes this from any image; mode 2 lets the keybag
 * target mutate the decrypted keybag and still get past the cipher.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/bytes.h"
#include "cipher/xts.h"
#include "keybag/keybag.h"
#include "tests/fuzz/fuzz.h"

#define FZ_BS 4096u
#define FZ_MAX_BLOCKS (1u << 24)

struct fz_block {
	uint32_t no;
	uint32_t idx;   /* record order, so that the last of duplicates wins */
	uint8_t *data;
};

struct fz_dev {
	struct apfs_dev dev;
	struct fz_block *blocks;  /* sorted by no, unique */
	size_t n;
};

static void quiet_hook(int level, const char *msg)
{
	(void)level;
	(void)msg;
}

/* FUZZ_VERBOSE=1 keeps the messages (and fuzz_walk's counts) for debugging a target. */
void fuzz_quiet(void)
{
	if (!getenv("FUZZ_VERBOSE"))
		apfs_log_set_hook(quiet_hook);
}

static int blk_cmp(const void *a, const void *b)
{
	const struct fz_block *x = a, *y = b;

	return x->no < y->no ? -1 : x->no > y->no;
}

static const uint8_t *find_block(const struct fz_dev *d, uint32_t no)
{
	struct fz_block key = { no, 0, NULL };
	const struct fz_block *b = d->n ? bsearch(&key, d->blocks, d->n, sizeof(key), blk_cmp)
					: NULL;

	return b ? b->data : NULL;
}

static int fz_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	const struct fz_dev *d = (const struct fz_dev *)dev;
	uint8_t *out = buf;

	while (len) {
		size_t in = (size_t)(off % FZ_BS), n = FZ_BS - in < len ? FZ_BS - in : len;
		const uint8_t *b = find_block(d, (uint32_t)(off / FZ_BS));

		if (b)
			memcpy(out, b + in, n);
		else
			memset(out, 0, n);
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

static void fz_close(struct apfs_dev *dev)
{
	(void)dev;
}

static const struct apfs_dev_ops fz_ops = { "fuzz", fz_read, fz_close };

static void encrypt_bag(uint8_t *blk, const uint8_t uuid[16], uint32_t no)
{
	struct apfs_xts *x;

	if (apfs_xts_new(uuid, uuid, &x) == 0) {
		apfs_xts_encrypt(x, blk, FZ_BS, (uint64_t)no * (FZ_BS / APFS_XTS_UNIT));
		apfs_xts_free(x);
	}
}

/* Decode one record at *p; false at the end of the input. */
static bool take_record(const uint8_t **p, const uint8_t *end, struct fz_block *b)
{
	uint32_t w, mode;
	size_t n;
	const uint8_t *uuid = NULL;

	if (end - *p < 6)
		return false;
	w = ld_le32(*p);
	n = ld_le16(*p + 4);
	*p += 6;
	mode = (w >> 24) & 3;
	if (mode == 2) {
		if (end - *p < 16)
			return false;
		uuid = *p;
		*p += 16;
	}
	n = n > FZ_BS ? FZ_BS : n;
	n = n > (size_t)(end - *p) ? (size_t)(end - *p) : n;
	b->no = w & (FZ_MAX_BLOCKS - 1);
	b->data = calloc(1, FZ_BS);
	memcpy(b->data, *p, n);
	*p += n;
	if (mode == 1 || mode == 2)
		st_le64(b->data, apfs_fletcher64(b->data, FZ_BS));
	if (mode == 2)
		encrypt_bag(b->data, uuid, b->no);
	return true;
}

/* Sort by block number; of records for the same block the last one wins. */
static int rec_cmp(const void *a, const void *b)
{
	const struct fz_block *x = a, *y = b;

	if (x->no != y->no)
		return x->no < y->no ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void sort_unique(struct fz_dev *d)
{
	size_t k = 0;

	if (d->n)
		qsort(d->blocks, d->n, sizeof(*d->blocks), rec_cmp);
	for (size_t i = 0; i < d->n; i++) {
		if (k && d->blocks[k - 1].no == d->blocks[i].no) {
			free(d->blocks[k - 1].data);
			d->blocks[k - 1] = d->blocks[i];
		} else {
			d->blocks[k++] = d->blocks[i];
		}
	}
	d->n = k;
}

struct apfs_dev *fuzz_image_dev(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 4, *end = data + size;
	struct fz_dev *d;
	uint64_t nblocks;
	size_t cap;

	if (size < 4)
		return NULL;
	d = calloc(1, sizeof(*d));
	nblocks = ld_le32(data) & (FZ_MAX_BLOCKS - 1);
	cap = size / 6 + 1;
	d->blocks = malloc(cap * sizeof(*d->blocks));
	while (d->n < cap && take_record(&p, end, &d->blocks[d->n])) {
		d->blocks[d->n].idx = (uint32_t)d->n;
		if (d->blocks[d->n].no >= nblocks)
			nblocks = (uint64_t)d->blocks[d->n].no + 1;
		d->n++;
	}
	sort_unique(d);
	d->dev.ops = &fz_ops;
	d->dev.size = nblocks * FZ_BS;
	d->dev.path = (char *)"fuzz.img";
	return &d->dev;
}

void fuzz_image_free(struct apfs_dev *dev)
{
	struct fz_dev *d = (struct fz_dev *)dev;

	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->blocks[i].data);
	free(d->blocks);
	free(d);
}

/*
 * The sparse image as a file (fz_libapi: the public API opens paths): a
 * memfd of the image's size, holes where no block is listed (tmpfs keeps
 * them unallocated), each listed block written.  Its fd, or -1.
 */
int fuzz_image_memfd(const uint8_t *data, size_t size)
{
	struct fz_dev *d = (struct fz_dev *)fuzz_image_dev(data, size);
	int fd = d ? memfd_create("fuzz.img", 0) : -1;
	bool ok = fd >= 0 && ftruncate(fd, (off_t)d->dev.size) == 0;

	for (size_t i = 0; ok && i < d->n; i++)
		ok = pwrite(fd, d->blocks[i].data, FZ_BS, (off_t)d->blocks[i].no * FZ_BS) == FZ_BS;
	fuzz_image_free(d ? &d->dev : NULL);
	if (!ok && fd >= 0)
		close(fd);
	return ok ? fd : -1;
}
