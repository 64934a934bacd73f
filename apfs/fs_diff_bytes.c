/* SPDX-License-Identifier: MIT */
/*
 * fs_diff_bytes.c - the bytes a diff reads when the records alone cannot
 * tell: a file's data in both views (its records differ but its size does
 * not), and the SHA-256 of an attribute kept in a data stream.  Runs that
 * are holes in both views are skipped unread, so a sparse file costs what
 * the image holds, not what it claims.
 */
#include <stdlib.h>

#include "fs_diff_int.h"

#define CHUNK (1u << 20)

/* The run from off on that is a hole in both files, or 0. */
static uint64_t both_hole(const struct apfs_file *fa, const struct apfs_file *fb, uint64_t off)
{
	uint64_t la, lb;
	bool ha, hb;

	apfs_file_span(fa, off, &ha, &la);
	apfs_file_span(fb, off, &hb, &lb);
	return ha && hb ? (la < lb ? la : lb) : 0;
}

static int read_full(struct apfs_file *f, uint64_t off, uint8_t *buf, size_t len)
{
	size_t got = 0;
	int ret = apfs_file_read(f, off, buf, len, &got);

	/* short below the size: damage, not a truncated image */
	return ret ? ret : got == len ? 0 : -APFS_ECORRUPT;
}

static int compare_files(struct apfs_file *fa, struct apfs_file *fb, uint8_t *ba, uint8_t *bb,
			 bool *differ)
{
	uint64_t size = apfs_file_size(fa), off = 0, skip;
	int ret = 0;

	while (!*differ && !ret && off < size) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;

		if ((skip = both_hole(fa, fb, off))) {
			off += skip;
			continue;
		}
		ret = read_full(fa, off, ba, n);
		if (!ret)
			ret = read_full(fb, off, bb, n);
		if (!ret)
			*differ = memcmp(ba, bb, n) != 0;
		off += n;
	}
	return ret;
}

int diff_file_bytes(struct apfs_fs *a, struct apfs_fs *b, uint64_t ino, uint64_t cap,
		    bool *differ, bool *unread)
{
	struct apfs_file *fa = NULL, *fb = NULL;
	uint8_t *ba = malloc(CHUNK), *bb = malloc(CHUNK);
	int ret = ba && bb ? 0 : -ENOMEM;

	*differ = *unread = false;
	if (!ret)
		ret = apfs_file_open(a, ino, &fa);
	if (!ret)
		ret = apfs_file_open(b, ino, &fb);
	/* The sizes a decmpfs header claims are checked here, where they are known. */
	if (!ret && apfs_file_size(fa) != apfs_file_size(fb))
		*differ = true;
	else if (!ret && cap && apfs_file_size(fa) > cap)
		*differ = *unread = true;
	else if (!ret)
		ret = compare_files(fa, fb, ba, bb, differ);
	if (fa)
		apfs_file_close(fa);
	if (fb)
		apfs_file_close(fb);
	free(ba);
	free(bb);
	return ret;
}

static int hash_stream(struct apfs_fs *fs, const struct fs_stream *st, uint64_t size,
		       EVP_MD_CTX *md, uint8_t *buf)
{
	uint64_t off = 0;
	size_t got;
	int ret = 0;

	while (!ret && off < size) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;

		ret = fs_stream_read(fs, st, off, buf, n, &got);
		if (!ret && got != n)
			ret = -APFS_ECORRUPT;
		if (!ret && EVP_DigestUpdate(md, buf, n) != 1)
			ret = -ENOMEM;
		off += n;
	}
	return ret;
}

int diff_xattr_sha(struct apfs_fs *fs, const struct dscan_xattr *x, uint8_t sha[32])
{
	EVP_MD_CTX *md;
	struct fs_stream st;
	unsigned int len;
	uint8_t *buf;
	int ret;

	if (!x->stream_id) {
		memcpy(sha, x->sha, 32);
		return 0;
	}
	md = EVP_MD_CTX_new();
	buf = malloc(CHUNK);
	ret = md && buf && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : -ENOMEM;
	if (!ret)
		ret = fs_stream_load(fs, x->stream_id, x->size, &st);
	if (!ret) {
		ret = hash_stream(fs, &st, x->size, md, buf);
		fs_stream_free(&st);
	}
	if (!ret && EVP_DigestFinal_ex(md, sha, &len) != 1)
		ret = -ENOMEM;
	EVP_MD_CTX_free(md);
	free(buf);
	return ret;
}
