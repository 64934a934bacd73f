/* SPDX-License-Identifier: MIT */
/*
 * extract_xattr.c - an inode's extended attributes as extract keeps them:
 * every one macOS lists (the resource fork com.apple.ResourceFork
 * included), each hashed with SHA-256 and, within the memory bounds of
 * extract.h, held for the target.  A value bigger than the plausibility
 * cap (--max-file-size) is neither read nor hashed, since a hostile data
 * stream may claim 2^50 bytes: it is reported in the facts and counted.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

#define XATTR_CHUNK (1u << 20)

struct list_ctx {
	struct ex_xattrs *xs;
	int err;
};

static int add_name(const char *name, uint64_t size, void *arg)
{
	struct list_ctx *c = arg;
	struct ex_xattrs *xs = c->xs;

	if (xs->n == xs->cap) {
		size_t ncap = xs->cap ? 2 * xs->cap : 8;
		struct ex_xattr *ne = realloc(xs->e, ncap * sizeof(*ne));

		if (!ne)
			return c->err = -ENOMEM;
		xs->e = ne;
		xs->cap = ncap;
	}
	memset(&xs->e[xs->n], 0, sizeof(xs->e[0]));
	xs->e[xs->n].name = strdup(name);
	if (!xs->e[xs->n].name)
		return c->err = -ENOMEM;
	xs->e[xs->n].size = size;
	xs->e[xs->n].fork = !strcmp(name, FS_XATTR_RESOURCE_FORK);
	xs->n++;
	return 0;
}

/* Read and hash a value in chunks, keeping it in buf when buf is given. */
static int read_value(apfsi_fs *fs, uint64_t ino, struct ex_xattr *x, uint8_t *buf)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *chunk = buf ? NULL : malloc(XATTR_CHUNK);
	int ret = ctx && (buf || chunk) ? 0 : -ENOMEM;

	if (!ret && !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		ret = -EIO;
	for (uint64_t off = 0; !ret && off < x->size;) {
		size_t want = x->size - off < XATTR_CHUNK ? (size_t)(x->size - off) : XATTR_CHUNK;
		uint8_t *p = buf ? buf + off : chunk;
		size_t got = 0;

		ret = cli_api_errno(apfsi_fs_getxattr(fs, ino, x->name, off, p, want, &got, NULL));
		if (!ret && got != want)
			ret = -APFS_ECORRUPT; /* the value ends before its stated size */
		if (!ret && !EVP_DigestUpdate(ctx, p, got))
			ret = -EIO;
		off += got;
	}
	if (!ret)
		ret = digest_hex(ctx, x->sha256);
	free(chunk);
	EVP_MD_CTX_free(ctx);
	return ret;
}

/* A decmpfs file whose compressed data lives in the resource fork. */
static bool rsrc_compressed(const struct apfsi_stat *st)
{
	switch (st->compression) {
	case APFSI_CMP_ZLIB_RSRC: case APFSI_CMP_LZVN_RSRC: case APFSI_CMP_PLAIN_RSRC:
	case APFSI_CMP_LZFSE_RSRC: case APFSI_CMP_LZBITMAP_RSRC:
		return true;
	default:
		return false;
	}
}

bool ex_xattr_kept(const struct ex_xattr *x)
{
	return !x->cmp_fork;
}

static int load_one(apfsi_fs *fs, const struct apfsi_stat *st, uint64_t cap,
		    struct ex_xattrs *xs, struct ex_xattr *x)
{
	bool keep = x->size <= EX_XATTR_MAX && xs->held + x->size <= EX_XATTR_TOTAL_MAX;
	int ret;

	x->cmp_fork = x->fork && rsrc_compressed(st);
	if (cap && x->size > cap) {
		x->why = "beyond the size cap (--max-file-size): not read";
		return 0;
	}
	keep = keep && ex_xattr_kept(x);
	if (keep && !(x->val = malloc(x->size ? (size_t)x->size : 1)))
		return -ENOMEM;
	ret = read_value(fs, st->ino, x, x->val);
	if (ret) {
		free(x->val);
		x->val = NULL;
		return ret;
	}
	if (keep)
		xs->held += x->size;
	else if (ex_xattr_kept(x))
		x->why = "too big to hold in memory: hashed, not kept";
	return 0;
}

int ex_xattrs_read(apfsi_fs *fs, const struct apfsi_stat *st, uint64_t cap,
		   struct ex_xattrs *xs)
{
	struct list_ctx c = { xs, 0 };
	int ret;

	memset(xs, 0, sizeof(*xs));
	ret = cli_api_errno(apfsi_fs_listxattr(fs, st->ino, 0, add_name, &c));
	if (!ret)
		ret = c.err;
	/* A value that cannot be read is noted and the others still read. */
	for (size_t i = 0; !c.err && i < xs->n; i++) {
		int one = load_one(fs, st, cap, xs, &xs->e[i]);

		if (one && !xs->e[i].why)
			xs->e[i].why = one == -ENOMEM ? "out of memory" : "could not be read";
		if (one && !ret) {
			ret = one;
			xs->failed = xs->e[i].name;
		}
	}
	return c.err ? c.err : ret;
}

void ex_xattrs_free(struct ex_xattrs *xs)
{
	for (size_t i = 0; i < xs->n; i++) {
		free(xs->e[i].name);
		free(xs->e[i].val);
	}
	free(xs->e);
	memset(xs, 0, sizeof(*xs));
}
