/* SPDX-License-Identifier: MIT */
/*
 * decmpfs.c - transparent compression (docs/apfs-format.md §8.2): the
 * com.apple.decmpfs header, data inline after it or in the resource fork
 * as 64 KiB chunks, each decoded by its algorithm.  Open files keep the
 * last decoded chunk, so sequential reads decode each chunk once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/budget.h"
#include "fs_int.h"
#include "codec/inflate.h"
#include "codec/lzbitmap.h"
#include "codec/lzfse.h"
#include "codec/lzvn.h"

#define DECMPFS_MAGIC 0x636d7066u /* "fpmc" */
#define DECMPFS_HDR 16
#define CHUNK 0x10000u
/* A compressed chunk never exceeds 64 KiB + 1 in practice; allow slack. */
#define MAX_CCHUNK (2 * CHUNK)
/*
 * Inline data is decoded whole, into memory held while the file is open:
 * cap what a crafted header can ask for.  macOS keeps data inline only when
 * its compressed form fits the xattr (3802 bytes), and zlib's best ratio
 * (1032:1) makes that under 4 MiB; 16 MiB leaves room.
 */
#define MAX_INLINE_OUT (16u << 20)
/*
 * Largest resource-fork compressed file taken: 1 TiB is 2^24 chunks (the
 * header's size is untrusted, and beyond 2^48 the chunk count would not fit
 * its 32 bits); its table must lie in blocks the fork really holds.
 */
#define MAX_RSRC_OUT (1ull << 40)
/*
 * The chunk table is read TABLE_WIN entries at a time, never whole: an open
 * file costs the same small amount (about 200 KiB with its buffers) whatever
 * size its header claims, so readers of a crafted image cannot add up to
 * gigabytes (16 MiB of output per window).
 */
#define TABLE_WIN 256u

struct fs_decmpfs {
	struct apfs_fs *fs;
	uint64_t ino;
	uint32_t type;
	uint64_t size;
	uint8_t *inline_out;        /* attribute types: all the data */
	struct fs_xattr rsrc;       /* resource-fork types */
	struct fs_stream rstream;
	uint64_t base;              /* offsets in the table are from here */
	uint32_t nchunks;
	pthread_mutex_t lock;       /* guards the table window and the chunk cache below */
	uint64_t win[TABLE_WIN + 1]; /* boundaries of chunks win_first .. + win_n (in the fork) */
	uint32_t win_first, win_n;
	size_t charged;             /* bytes charged to the open-file budget (budget.h) */
	int64_t cached;             /* chunk index in cbuf, -1 for none */
	uint8_t *cbuf, *ibuf;
	size_t clen;
};

static int dec_corrupt(uint64_t ino, const char *why)
{
	apfs_err("decmpfs: inode %llu: %s", (unsigned long long)ino, why);
	return -APFS_ECORRUPT;
}

static int raw_copy(const uint8_t *src, size_t srclen, uint8_t *dst, size_t cap, size_t *out)
{
	if (srclen > cap)
		return -ENOSPC;
	memcpy(dst, src, srclen);
	*out = srclen;
	return 0;
}

/**
 * apfs_decmpfs_chunk - decode one chunk (or the inline data) of a type
 */
int apfs_decmpfs_chunk(uint32_t type, const uint8_t *src, size_t srclen, uint8_t *dst,
		       size_t dstcap, size_t *out_len)
{
	if (type == APFS_CMP_ATTR_UNCOMPRESSED)
		return raw_copy(src, srclen, dst, dstcap, out_len);
	if (srclen == 0)
		return -APFS_ECORRUPT;
	switch (type) {
	case APFS_CMP_ZLIB_ATTR: case APFS_CMP_ZLIB_RSRC:
		if ((src[0] & 0x0f) == 0x0f)
			return raw_copy(src + 1, srclen - 1, dst, dstcap, out_len);
		return apfs_inflate(src, srclen, dst, dstcap, out_len);
	case APFS_CMP_LZVN_ATTR: case APFS_CMP_LZVN_RSRC:
		if (src[0] == 0x06)
			return raw_copy(src + 1, srclen - 1, dst, dstcap, out_len);
		return apfs_lzvn_decode(src, srclen, dst, dstcap, out_len);
	case APFS_CMP_PLAIN_ATTR: case APFS_CMP_PLAIN_RSRC:
		return raw_copy(src + 1, srclen - 1, dst, dstcap, out_len);
	case APFS_CMP_LZFSE_ATTR: case APFS_CMP_LZFSE_RSRC:
		if (src[0] != 'b')
			return raw_copy(src + 1, srclen - 1, dst, dstcap, out_len);
		return apfs_lzfse_decode(src, srclen, dst, dstcap, out_len);
	case APFS_CMP_LZBITMAP_ATTR: case APFS_CMP_LZBITMAP_RSRC:
		if (src[0] == 0xff)
			return raw_copy(src + 1, srclen - 1, dst, dstcap, out_len);
		return apfs_lzbitmap_decode(src, srclen, dst, dstcap, out_len);
	default:
		return -EOPNOTSUPP;
	}
}

bool fs_decmpfs_in_rsrc(uint32_t t)
{
	return t == 4 || t == 8 || t == 10 || t == 12 || t == 14;
}

static bool type_known(uint32_t t)
{
	return t == 1 || (t >= 3 && t <= 4) || (t >= 7 && t <= 14);
}

/* The whole com.apple.decmpfs value (header + inline data), malloc'd. */
static int read_header(struct apfs_fs *fs, uint64_t ino, uint8_t **val, size_t *len)
{
	struct fs_xattr x;
	int ret = fs_xattr_get(fs, ino, APFS_XATTR_DECMPFS, &x);

	if (ret)
		return ret;  /* -ENODATA: none (the callers say what that means) */
	if (x.size < DECMPFS_HDR || x.size > MAX_CCHUNK + DECMPFS_HDR) {
		fs_xattr_free(&x);
		return dec_corrupt(ino, "com.apple.decmpfs has an impossible size");
	}
	*val = malloc((size_t)x.size);
	ret = *val ? fs_xattr_read(fs, &x, 0, *val, (size_t)x.size, len) : -ENOMEM;
	fs_xattr_free(&x);
	if (!ret && ld_le32(*val) != DECMPFS_MAGIC)
		ret = dec_corrupt(ino, "com.apple.decmpfs lacks the fpmc magic");
	if (ret) {
		free(*val);
		*val = NULL;
	}
	return ret;
}

int fs_decmpfs_info(struct apfs_fs *fs, uint64_t ino, uint32_t *type, uint64_t *size)
{
	uint8_t *val;
	size_t len;
	int ret = read_header(fs, ino, &val, &len);

	if (ret)
		return ret;
	*type = ld_le32(val + 4);
	*size = ld_le64(val + 8);
	free(val);
	return 0;
}

static int open_inline(struct fs_decmpfs *d, const uint8_t *val, size_t len)
{
	size_t out = 0;
	int ret;

	if (d->size > MAX_INLINE_OUT)
		return dec_corrupt(d->ino, "inline data claims an implausible size");
	ret = apfs_budget_take((size_t)d->size, "decmpfs inline data");
	if (ret)
		return ret;
	d->charged = (size_t)d->size;
	d->inline_out = malloc(d->size ? (size_t)d->size : 1);
	if (!d->inline_out)
		return -ENOMEM;
	if (d->size == 0)
		return 0;
	ret = apfs_decmpfs_chunk(d->type, val + DECMPFS_HDR, len - DECMPFS_HDR, d->inline_out,
				 (size_t)d->size, &out);
	if (ret == -ENOMEM)
		return ret;
	if (ret || out != d->size) {
		apfs_err("decmpfs: inode %llu: inline data (type %u) does not decode to %llu bytes",
			 (unsigned long long)d->ino, d->type, (unsigned long long)d->size);
		return -APFS_ECORRUPT;
	}
	return ret;
}

static int fork_read(struct fs_decmpfs *d, uint64_t off, void *buf, size_t len)
{
	size_t got = 0;
	int ret;

	if (d->rsrc.flags & APFS_XATTR_DATA_STREAM)
		ret = fs_stream_read(d->fs, &d->rstream, off, buf, len, &got);
	else
		ret = fs_xattr_read(d->fs, &d->rsrc, off, buf, len, &got);
	if (!ret && got != len)
		ret = dec_corrupt(d->ino, "resource fork shorter than its chunk table");
	return ret;
}

/* Bytes of the fork the image really holds (a stream's size is only a claim). */
static uint64_t fork_held(const struct fs_decmpfs *d)
{
	if (d->rsrc.flags & APFS_XATTR_DATA_STREAM)
		return fs_stream_held(&d->rstream);
	return d->rsrc.size;
}

/*
 * The chunk table's place in the fork (base, bytes), checked against the
 * bytes the fork really holds before anything is sized by the chunk count.
 */
static int table_place(struct fs_decmpfs *d, uint64_t *need)
{
	uint8_t h[16];
	int ret;

	if (d->type != APFS_CMP_ZLIB_RSRC) {
		*need = 4 * ((uint64_t)d->nchunks + 1);
		return 0;
	}
	/* Type 4: a BE resource-fork header; at its data offset + 4 the chunk
	 * count, then a LE {offset, size} table, offsets from the count. */
	ret = fork_read(d, 0, h, sizeof(h));
	if (ret)
		return ret;
	d->base = (uint64_t)ld_be32(h) + 4;
	*need = d->base + 4 + 8 * (uint64_t)d->nchunks;
	ret = fork_read(d, d->base, h, 4);
	if (!ret && ld_le32(h) != d->nchunks)
		ret = dec_corrupt(d->ino, "zlib resource fork: chunk count disagrees with size");
	return ret;
}

static int check_held(struct fs_decmpfs *d)
{
	uint64_t need, held = fork_held(d);
	int ret = table_place(d, &need);

	if (ret || need <= held)
		return ret;
	apfs_err("decmpfs: inode %llu: a table of %u chunks (for %llu bytes) needs %llu bytes, "
		 "but the resource fork holds %llu bytes in blocks (it claims %llu)",
		 (unsigned long long)d->ino, d->nchunks, (unsigned long long)d->size,
		 (unsigned long long)need, (unsigned long long)held,
		 (unsigned long long)d->rsrc.size);
	return -APFS_ECORRUPT;
}

/* Load the boundaries of chunks first .. first + n (n <= TABLE_WIN) into the window. */
static int window_load(struct fs_decmpfs *d, uint32_t first, uint32_t n)
{
	uint8_t t[8 * TABLE_WIN + 8];
	int ret;

	d->win_n = 0;
	if (d->type != APFS_CMP_ZLIB_RSRC) {
		ret = fork_read(d, 4 * (uint64_t)first, t, 4 * ((size_t)n + 1));
		for (uint32_t i = 0; !ret && i <= n; i++)
			d->win[i] = ld_le32(t + 4 * i);
	} else {
		ret = fork_read(d, d->base + 4 + 8 * (uint64_t)first, t, 8 * (size_t)n);
		for (uint32_t i = 0; !ret && i < n; i++) {
			uint32_t o = ld_le32(t + 8 * i), sz = ld_le32(t + 4 + 8 * i);

			if (i && o != d->win[i])
				ret = dec_corrupt(d->ino, "zlib resource fork: chunks not contiguous");
			d->win[i] = o;
			d->win[i + 1] = (uint64_t)o + sz;
		}
	}
	for (uint32_t i = 0; !ret && i < n; i++)
		if (d->win[i + 1] < d->win[i] || d->win[i + 1] - d->win[i] > MAX_CCHUNK ||
		    d->base + d->win[i + 1] > d->rsrc.size)
			ret = dec_corrupt(d->ino, "resource-fork chunk outside the fork");
	if (!ret) {
		d->win_first = first;
		d->win_n = n;
	}
	return ret;
}

static int open_rsrc(struct fs_decmpfs *d)
{
	/* Rounded up without d->size + CHUNK - 1, which wraps for sizes near 2^64. */
	uint64_t n = d->size / CHUNK + (d->size % CHUNK != 0);
	int ret;

	if (d->size > MAX_RSRC_OUT)
		return dec_corrupt(d->ino, "uncompressed size beyond 1 TiB");
	ret = fs_xattr_get(d->fs, d->ino, APFS_XATTR_RESOURCE_FORK, &d->rsrc);
	if (ret)
		return ret == -ENODATA ? dec_corrupt(d->ino, "no resource fork") : ret;
	if (n > d->rsrc.size / 4)
		return dec_corrupt(d->ino, "resource fork too small for the file size");
	d->nchunks = (uint32_t)n;
	/* strict only after check_held, which says what a bomb's table would need */
	if (d->rsrc.flags & APFS_XATTR_DATA_STREAM) {
		ret = fs_stream_load_partial(d->fs, d->rsrc.stream_id, d->rsrc.size, &d->rstream);
		if (ret)
			return ret;
	}
	ret = check_held(d);
	/* Bytes of the fork in no extent are records lost: a chunk (or table
	 * window) there fails, naming them, and every chunk before it is read. */
	d->rstream.strict = (d->rsrc.flags & APFS_XATTR_DATA_STREAM) != 0;
	if (!ret)
		ret = apfs_budget_take(CHUNK + MAX_CCHUNK, "decmpfs buffers");
	if (ret)
		return ret;
	d->charged = CHUNK + MAX_CCHUNK;
	d->cbuf = malloc(CHUNK);
	d->ibuf = malloc(MAX_CCHUNK);
	if (!d->cbuf || !d->ibuf)
		return -ENOMEM;
	return n ? window_load(d, 0, n < TABLE_WIN ? (uint32_t)n : TABLE_WIN) : 0;
}

int fs_decmpfs_open(struct apfs_fs *fs, uint64_t ino, struct fs_decmpfs **out)
{
	struct fs_decmpfs *d;
	uint8_t *val;
	size_t len;
	int ret = read_header(fs, ino, &val, &len);

	if (ret)
		return ret;
	d = calloc(1, sizeof(*d));
	if (!d) {
		free(val);
		return -ENOMEM;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->fs = fs;
	d->ino = ino;
	d->type = ld_le32(val + 4);
	d->size = ld_le64(val + 8);
	d->cached = -1;
	if (!type_known(d->type)) {
		apfs_err("decmpfs: inode %llu: compression type %u is not supported",
			 (unsigned long long)ino, d->type);
		ret = -EOPNOTSUPP;
	} else {
		ret = fs_decmpfs_in_rsrc(d->type) ? open_rsrc(d) : open_inline(d, val, len);
	}
	free(val);
	if (ret) {
		fs_decmpfs_close(d);
		return ret;
	}
	*out = d;
	return 0;
}

void fs_decmpfs_close(struct fs_decmpfs *d)
{
	if (!d)
		return;
	free(d->inline_out);
	fs_xattr_free(&d->rsrc);
	fs_stream_free(&d->rstream);
	free(d->cbuf);
	free(d->ibuf);
	apfs_budget_give(d->charged);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

uint64_t fs_decmpfs_size(const struct fs_decmpfs *d)
{
	return d->size;
}

/* The resource fork's data stream, for the byte runs of a file (fs_runs.c). */
const struct fs_stream *fs_decmpfs_stream(const struct fs_decmpfs *d)
{
	return d->rstream.n ? &d->rstream : NULL;
}

/*
 * Whether chunk i's table entries can be had as load_chunk has them: its
 * window loaded where a read in order loads it (at a multiple of
 * TABLE_WIN), messages muted (the read that meets it names it).  Lock held.
 */
static bool window_has(struct fs_decmpfs *d, uint32_t i)
{
	uint32_t first = i - i % TABLE_WIN;
	int ret;

	if (i >= d->win_first && i - d->win_first < d->win_n)
		return true;
	apfs_log_mute(true);
	ret = window_load(d, first, d->nchunks - first < TABLE_WIN ? d->nchunks - first : TABLE_WIN);
	apfs_log_mute(false);
	return !ret && i - d->win_first < d->win_n;
}

/*
 * The bytes a read in order gives before a chunk it cannot have: one whose
 * compressed bytes, or the table window that places them, reach past what
 * the fork gives from 0 (bytes in no extent, blocks past a truncated
 * image's end: fs_stream_readable).  A fork read whole has every chunk's
 * bytes: its size, with no walk of the table.  A chunk that does not
 * decode cannot be known without decoding it: not counted here.
 */
uint64_t fs_decmpfs_readable(struct fs_decmpfs *d)
{
	uint64_t fork;
	uint32_t i;

	if (d->inline_out || !(d->rsrc.flags & APFS_XATTR_DATA_STREAM))
		return d->size;
	fork = fs_stream_readable(d->fs, &d->rstream);
	if (fork >= d->rsrc.size)
		return d->size;
	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nchunks; i++)
		if (!window_has(d, i) || d->base + d->win[i - d->win_first + 1] > fork)
			break;
	pthread_mutex_unlock(&d->lock);
	return i < d->nchunks ? (uint64_t)i * CHUNK : d->size;
}

/* Decode chunk i into the cache (lock held). */
static int load_chunk(struct fs_decmpfs *d, uint32_t i)
{
	uint64_t want = d->size - (uint64_t)i * CHUNK;
	size_t clen, out = 0;
	uint32_t w;
	int ret = 0;

	if (want > CHUNK)
		want = CHUNK;
	d->cached = -1;
	if (i < d->win_first || i - d->win_first >= d->win_n)
		ret = window_load(d, i, d->nchunks - i < TABLE_WIN ? d->nchunks - i : TABLE_WIN);
	if (ret)
		return ret;
	w = i - d->win_first;
	clen = (size_t)(d->win[w + 1] - d->win[w]);
	ret = fork_read(d, d->base + d->win[w], d->ibuf, clen);
	if (ret)
		return ret;
	ret = apfs_decmpfs_chunk(d->type, d->ibuf, clen, d->cbuf, CHUNK, &out);
	if (ret == -ENOMEM)
		return ret;
	if (ret || out != want) {
		apfs_err("decmpfs: inode %llu: chunk %u (type %u) does not decode to %llu bytes",
			 (unsigned long long)d->ino, i, d->type, (unsigned long long)want);
		return -APFS_ECORRUPT;
	}
	d->cached = i;
	d->clen = out;
	return 0;
}

/* len bytes at off, chunk by chunk; *got the bytes before a chunk that fails. */
static int read_rsrc(struct fs_decmpfs *d, uint64_t off, uint8_t *buf, size_t len, size_t *got)
{
	size_t done = 0;
	int ret = 0;

	pthread_mutex_lock(&d->lock);
	while (done < len && !ret) {
		uint64_t pos = off + done;
		uint32_t i = (uint32_t)(pos / CHUNK);
		size_t in = (size_t)(pos % CHUNK), n;

		if (d->cached != i)
			ret = load_chunk(d, i);
		if (ret)
			break;
		n = d->clen - in < len - done ? d->clen - in : len - done;
		memcpy(buf + done, d->cbuf + in, n);
		done += n;
	}
	pthread_mutex_unlock(&d->lock);
	*got = done;
	return ret;
}

int fs_decmpfs_read(struct fs_decmpfs *d, uint64_t off, void *buf, size_t len, size_t *got)
{
	*got = 0;
	if (off >= d->size)
		return 0;
	if (len > d->size - off)
		len = (size_t)(d->size - off);
	if (!d->inline_out)
		return read_rsrc(d, off, buf, len, got);
	memcpy(buf, d->inline_out + off, len);
	*got = len;
	return 0;
}
