/* SPDX-License-Identifier: MIT */
/*
 * fromdir_data.c - a host file's bytes as a data stream, for `mkimage
 * from-dir`.  Files may be bigger than memory, so their blocks go straight
 * to the output file a chunk at a time (mk_image_stream), encrypted there
 * on encrypted volumes.  The host's holes (SEEK_DATA/SEEK_HOLE) become
 * sparse extents, so a sparse host file stays sparse; where the host cannot
 * say, the whole file is data.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "fromdir.h"

#define CHUNK_BLOCKS 256u

static uint64_t round_up(uint64_t x, uint32_t bs)
{
	return (x + bs - 1) / bs * bs;
}

/*
 * The next data range [*d, *e) at or after off (block-aligned, off <= *d,
 * *d < *e <= end), or *d = end when only a hole is left.  end is the size
 * rounded up to blocks.
 */
static void next_data(int fd, uint64_t off, uint64_t end, uint32_t bs, uint64_t *d,
		      uint64_t *e)
{
	off_t a = lseek(fd, (off_t)off, SEEK_DATA), b;

	if (a < 0) {
		/* ENXIO: only a hole is left.  Anything else: no hole support. */
		*d = errno == ENXIO ? end : off;
		*e = end;
		return;
	}
	b = lseek(fd, a, SEEK_HOLE);
	*d = (uint64_t)a / bs * bs;
	*e = b < 0 ? end : round_up((uint64_t)b, bs);
	if (*d < off)
		*d = off;
	if (*d > end)
		*d = end;
	if (*e > end || *e <= *d)
		*e = end;
}

/* Copy one extent [off, off + len) of the host file into new blocks. */
static int copy_extent(struct mk_vol *v, int fd, uint64_t ino, uint64_t off, uint64_t len,
		       uint8_t *buf)
{
	uint32_t bs = v->img->bs;
	uint64_t nblk = (len + bs - 1) / bs, paddr = mk_alloc(v->img, nblk), done = 0;

	if (!paddr)
		return -ENOSPC;
	while (done < nblk) {
		uint64_t n = nblk - done < CHUNK_BLOCKS ? nblk - done : CHUNK_BLOCKS;
		size_t want = (size_t)(n * bs);
		ssize_t got = pread(fd, buf, want, (off_t)(off + done * bs));
		int rc;

		if (got < 0)
			return -errno;
		/* A file that shrank while being read: the rest reads as zeros. */
		memset(buf + got, 0, want - (size_t)got);
		rc = v->encrypted ? mk_encrypt(v->xts, buf, want, (paddr + done) * (bs / 512)) : 0;
		if (!rc)
			rc = mk_image_stream(v->img, paddr + done, buf, want);
		if (rc)
			return rc;
		done += n;
	}
	return mk_fs_extent_written(v, ino, off, len, paddr);
}

/* A data range as extents of at most max_extent_blocks. */
static int copy_range(struct mk_vol *v, int fd, uint64_t ino, uint64_t d, uint64_t e,
		      uint8_t *buf)
{
	uint64_t max = v->max_extent_blocks * v->img->bs;
	int rc = 0;

	for (uint64_t off = d; !rc && off < e; off += max)
		rc = copy_extent(v, fd, ino, off, e - off < max ? e - off : max, buf);
	return rc;
}

/**
 * fd_copy_data() - give inode ino the contents of the open host file fd.
 * @v: volume
 * @fd: the host file, open for reading
 * @ino: a regular-file inode without a data stream yet
 * @size: the host file's size
 */
int fd_copy_data(struct mk_vol *v, int fd, uint64_t ino, uint64_t size)
{
	uint32_t bs = v->img->bs;
	uint64_t end = round_up(size, bs), off = 0, d, e;
	uint8_t *buf = malloc((size_t)CHUNK_BLOCKS * bs);
	bool holes = false;
	int rc = buf ? 0 : -ENOMEM;

	/* Each pass moves off forward by at least one block: bounded by the size. */
	while (!rc && off < end) {
		next_data(fd, off, end, bs, &d, &e);
		if (d > off) {
			rc = mk_fs_extent(v, ino, off, NULL, d - off, true);
			holes = true;
		}
		if (!rc && d < end)
			rc = copy_range(v, fd, ino, d, e, buf);
		off = d < end ? e : end;
	}
	free(buf);
	if (!rc && size)
		rc = mk_fs_stream_done(v, ino);
	if (!rc && size) {
		v->inodes[ino].has_stream = true;
		v->inodes[ino].size = size;
		v->inodes[ino].alloced = end;
		if (holes)
			v->inodes[ino].internal_flags |= APFS_INODE_IS_SPARSE;
	}
	return rc;
}
