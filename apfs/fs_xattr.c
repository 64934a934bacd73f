/* SPDX-License-Identifier: MIT */
/*
 * fs_xattr.c - extended attributes: embedded in the record, or a data
 * stream with its own extents (read, and decrypted, like file data).
 * The resource fork is the xattr com.apple.ResourceFork.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_int.h"

static int xattr_corrupt(struct apfs_fs *fs, uint64_t ino, const char *why)
{
	apfs_err("%s: volume '%s': inode %llu: extended attribute: %s", fs->c->label,
		 fs->v->name, (unsigned long long)ino, why);
	return -APFS_ECORRUPT;
}

static bool is_hidden(const char *name)
{
	return !strcmp(name, APFS_XATTR_DECMPFS) || !strcmp(name, APFS_XATTR_SYMLINK) ||
	       !strcmp(name, APFS_XATTR_FIRMLINK);
}

/* Decode a j_xattr_val_t into x (copying embedded bytes). */
int fs_xattr_parse(struct apfs_fs *fs, uint64_t ino, const uint8_t *v, size_t vl,
		   struct fs_xattr *x)
{
	uint16_t dlen;

	memset(x, 0, sizeof(*x));
	if (vl < 4)
		return xattr_corrupt(fs, ino, "value too short");
	x->flags = ld_le16(v);
	dlen = ld_le16(v + 2);
	if (dlen > vl - 4)
		return xattr_corrupt(fs, ino, "data length beyond the record");
	if (x->flags & APFS_XATTR_DATA_STREAM) {
		if (dlen < sizeof(struct apfs_j_xattr_dstream))
			return xattr_corrupt(fs, ino, "short data-stream reference");
		x->stream_id = ld_le64(v + 4);
		x->size = ld_le64(v + 12);
		return 0;
	}
	x->size = dlen;
	x->data = malloc(dlen ? dlen : 1);
	if (!x->data)
		return -ENOMEM;
	memcpy(x->data, v + 4, dlen);
	return 0;
}

/*
 * The record of ino's xattr name, by exact name: its value into val (of
 * fs->bs bytes; NULL: not wanted), *vlen its length; -ENOENT when there
 * is none.
 */
static int xattr_lookup(struct apfs_fs *fs, uint64_t ino, const char *name, uint8_t *val,
			size_t *vlen)
{
	size_t nl = strlen(name);
	uint8_t *key;
	uint8_t head[8];
	int ret;

	if (nl == 0 || nl >= APFS_NAME_MAX)
		return -ENOENT;
	if ((ret = fs_key_checked(fs, head, ino, APFS_TYPE_XATTR)))
		return ret;
	if (!(key = malloc(10 + nl + 1)))
		return -ENOMEM;
	memcpy(key, head, sizeof(head));
	st_le16(key + 8, (uint16_t)(nl + 1));
	memcpy(key + 10, name, nl + 1);
	ret = apfs_btree_lookup(&fs->tree, key, 10 + nl + 1, val, fs->bs, vlen);
	free(key);
	return ret;
}

/* Look up one xattr of ino by exact name. */
int fs_xattr_get(struct apfs_fs *fs, uint64_t ino, const char *name, struct fs_xattr *x)
{
	uint8_t *val = malloc(fs->bs);
	size_t vlen = 0;
	int ret = val ? xattr_lookup(fs, ino, name, val, &vlen) : -ENOMEM;

	if (!ret)
		ret = fs_xattr_parse(fs, ino, val, vlen, x);
	free(val);
	return ret == -ENOENT ? -ENODATA : ret;
}

/**
 * fs_xattr_has - whether ino has the xattr name (see fs_int.h)
 */
int fs_xattr_has(struct apfs_fs *fs, uint64_t ino, const char *name)
{
	size_t vlen = 0;

	return xattr_lookup(fs, ino, name, NULL, &vlen);
}

void fs_xattr_free(struct fs_xattr *x)
{
	free(x->data);
	x->data = NULL;
}

int fs_xattr_read(struct apfs_fs *fs, const struct fs_xattr *x, uint64_t off, void *buf,
		  size_t len, size_t *got)
{
	struct fs_stream s;
	int ret;

	*got = 0;
	if (!(x->flags & APFS_XATTR_DATA_STREAM)) {
		if (off >= x->size)
			return 0;
		*got = len < x->size - off ? len : (size_t)(x->size - off);
		memcpy(buf, x->data + off, *got);
		return 0;
	}
	ret = fs_stream_load(fs, x->stream_id, x->size, &s);
	if (ret)
		return ret;
	ret = fs_stream_read(fs, &s, off, buf, len, got);
	fs_stream_free(&s);
	return ret;
}

static bool has_rsrc(const struct fs_inode_marks *m)
{
	return m->internal_flags & APFS_INODE_HAS_RSRC_FORK;
}

static bool has_acl(const struct fs_inode_marks *m)
{
	return m->internal_flags & APFS_INODE_HAS_SECURITY_EA;
}

static bool is_symlink(const struct fs_inode_marks *m)
{
	return S_ISLNK(m->mode);
}

/* A regular file flagged compressed: read through com.apple.decmpfs (fs_file.c). */
static bool is_compressed(const struct fs_inode_marks *m)
{
	return (m->bsd_flags & APFS_UF_COMPRESSED) && S_ISREG(m->mode);
}

/*
 * What in an inode witnesses one xattr record each (Apple's reference;
 * apfsck checks each: "wrong flag for resource fork", "... for access
 * control list", "symlink inode should come with target xattr", "missing
 * decmpfs xattr"; macOS sets them: basic.img's rsrc.txt and compressed.txt
 * have INODE_HAS_RSRC_FORK, its other inodes INODE_NO_RSRC_FORK, and
 * compressed.txt UF_COMPRESSED with its com.apple.decmpfs).  A record
 * dropped from a leaf, the records after it moved down, leaves every node
 * in order and in range: the mark is then the one sign of the loss (found
 * testing: a compressed file whose decmpfs record was dropped read as an
 * empty file, exit 0).  Each is bit i of a listing's seen set.
 */
static const struct {
	const char *name, *whose, *mark;  /* the xattr; "its flags say"...; the mark's name */
	bool (*says)(const struct fs_inode_marks *m);
} witnesses[] = {
	{ APFS_XATTR_RESOURCE_FORK, "flags say", "INODE_HAS_RSRC_FORK", has_rsrc },
	{ APFS_XATTR_SECURITY, "flags say", "INODE_HAS_SECURITY_EA", has_acl },
	{ APFS_XATTR_SYMLINK, "mode says", "S_IFLNK: a symbolic link's target", is_symlink },
	{ APFS_XATTR_DECMPFS, "flags say", "UF_COMPRESSED", is_compressed },
};
#define N_WITNESSES (sizeof(witnesses) / sizeof(witnesses[0]))

/* The witness bit of the xattr name (1 << its index above), or 0. */
static uint64_t witness_of(const char *name)
{
	for (size_t i = 0; i < N_WITNESSES; i++)
		if (!strcmp(name, witnesses[i].name))
			return UINT64_C(1) << i;
	return 0;
}

/*
 * The witness bits of what ino's inode witnesses that are not in seen (the
 * bits of the records found), in *missing; 0, or the error of the inode's
 * lookup (none: not this listing's to name, nothing missing).
 */
static int witness_missing(struct apfs_fs *fs, uint64_t ino, uint64_t seen, uint64_t *missing)
{
	struct fs_inode_marks m;
	int ret = fs_inode_marks(fs, ino, &m);

	*missing = 0;
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	for (size_t i = 0; i < N_WITNESSES; i++)
		if (witnesses[i].says(&m) && !(seen & (UINT64_C(1) << i)))
			*missing |= UINT64_C(1) << i;
	return 0;
}

/* Of the xattrs ino's inode witnesses, the first not in seen: named, -APFS_EINCOMPLETE. */
static int witnessed(struct apfs_fs *fs, uint64_t ino, uint64_t seen)
{
	uint64_t missing;
	int ret = witness_missing(fs, ino, seen, &missing);

	for (size_t i = 0; !ret && i < N_WITNESSES; i++) {
		if (!(missing & (UINT64_C(1) << i)))
			continue;
		apfs_err("%s: volume '%s': inode %llu: its %s it has %s (%s), but the tree holds "
			 "no record of it: extended attributes may be missing", fs->c->label,
			 fs->v->name, (unsigned long long)ino, witnesses[i].whose,
			 witnesses[i].name, witnesses[i].mark);
		return -APFS_EINCOMPLETE;
	}
	return ret;
}

/* fn(name, 0) for each xattr ino's inode witnesses that is not in seen (APFS_LIST_MISSING). */
static int witnessed_each(struct apfs_fs *fs, uint64_t ino, uint64_t seen, apfs_xattr_fn fn,
			  void *ctx)
{
	uint64_t missing;
	int ret = witness_missing(fs, ino, seen, &missing);

	for (size_t i = 0; !ret && i < N_WITNESSES; i++)
		if (missing & (UINT64_C(1) << i))
			ret = fn(witnesses[i].name, 0, ctx);
	return ret;
}

int fs_xattr_absent(struct apfs_fs *fs, uint64_t ino, const char *name)
{
	uint64_t w = witness_of(name);
	int ret = w ? witnessed(fs, ino, ~w) : 0;

	return ret == -APFS_EINCOMPLETE ? -APFS_ECORRUPT : ret ? ret : -ENODATA;
}

/**
 * fs_vol_getxattr - read an extended attribute (see fs.h)
 */
int fs_vol_getxattr(struct apfs_fs *fs, uint64_t ino, const char *name, uint64_t off,
		     void *buf, size_t len, size_t *got, uint64_t *size)
{
	struct fs_xattr x;
	size_t g = 0;
	int ret = fs_xattr_get(fs, ino, name, &x);

	/* none, where the inode says there is one: lost */
	if (ret == -ENODATA)
		ret = fs_xattr_absent(fs, ino, name);
	if (ret)
		return ret;
	if (size)
		*size = x.size;
	if (buf && len)
		ret = fs_xattr_read(fs, &x, off, buf, len, &g);
	if (got)
		*got = g;
	fs_xattr_free(&x);
	return ret;
}

/**
 * fs_vol_xattr_runs - where an xattr's value lies on disk (see fs.h)
 */
int fs_vol_xattr_runs(struct apfs_fs *fs, uint64_t ino, const char *name, apfs_run_fn fn,
		      void *ctx, bool *resident)
{
	struct fs_stream s;
	struct fs_xattr x;
	int ret = fs_xattr_get(fs, ino, name, &x);

	if (ret)
		return ret;
	*resident = !(x.flags & APFS_XATTR_DATA_STREAM);
	if (!*resident && !(ret = fs_stream_load(fs, x.stream_id, x.size, &s))) {
		ret = fs_stream_runs(fs, &s, fn, ctx);
		fs_stream_free(&s);
	}
	fs_xattr_free(&x);
	return ret;
}

struct lx_ctx {
	struct apfs_fs *fs;
	uint64_t ino;
	unsigned flags;
	apfs_xattr_fn fn;
	void *ctx;
	uint64_t seen;   /* the witness flags of the records met (witnessed) */
	bool stopped;    /* fn ended the listing */
};

static int lx_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct lx_ctx *l = arg;
	const uint8_t *kb = k;
	struct fs_xattr x;
	uint16_t nl;
	int ret;

	if (fs_key_oid(k) != l->ino || fs_key_type(k) != APFS_TYPE_XATTR)
		return 1;
	nl = kl >= 10 ? ld_le16(kb + 8) : 0;
	if (nl == 0 || nl != kl - 10 || kb[kl - 1] != '\0')
		return xattr_corrupt(l->fs, l->ino, "name length disagrees with the key");
	l->seen |= witness_of((const char *)kb + 10);
	if (l->flags & APFS_LIST_MISSING)
		return 0;
	if (!(l->flags & APFS_LIST_HIDDEN) && is_hidden((const char *)kb + 10))
		return 0;
	ret = fs_xattr_parse(l->fs, l->ino, v, vl, &x);
	if (ret)
		return ret;
	fs_xattr_free(&x);
	ret = l->fn((const char *)kb + 10, x.size, l->ctx);
	l->stopped = ret != 0;
	return ret;
}

/**
 * fs_vol_listxattr - visit the extended attributes of an inode (see fs.h)
 */
int fs_vol_listxattr(struct apfs_fs *fs, uint64_t ino, unsigned flags, apfs_xattr_fn fn,
		      void *ctx)
{
	struct lx_ctx l = { fs, ino, flags, fn, ctx, 0, false };
	uint8_t key[8];
	int ret;

	if ((ret = fs_key_checked(fs, key, ino, APFS_TYPE_XATTR)))
		return ret;
	/* every xattr record of ino's, wherever a leaf out of order holds it */
	ret = apfs_btree_find(&fs->tree, key, sizeof(key), true, lx_visit, &l);
	if (ret < 0)
		return ret;
	if (flags & APFS_LIST_MISSING)
		return witnessed_each(fs, ino, l.seen, fn, ctx);
	return l.stopped ? 0 : witnessed(fs, ino, l.seen);
}

/* Read a link-style xattr (symlink or firmlink target) as a C string. */
static int read_target(struct apfs_fs *fs, uint64_t ino, const char *name, char *buf,
		       size_t cap)
{
	struct fs_xattr x;
	size_t got = 0;
	int ret = fs_xattr_get(fs, ino, name, &x);  /* one lookup for size and bytes */

	if (ret)
		return ret;
	if (x.size == 0 || x.size > cap)
		ret = x.size ? -ENAMETOOLONG : xattr_corrupt(fs, ino, "empty link target");
	else
		ret = fs_xattr_read(fs, &x, 0, buf, (size_t)x.size, &got);
	fs_xattr_free(&x);
	if (ret)
		return ret;
	/* The target is stored with its NUL; tolerate one without. */
	if (got == cap && buf[got - 1] != '\0')
		return -ENAMETOOLONG;
	buf[got < cap ? got : cap - 1] = '\0';
	return 0;
}

/**
 * fs_vol_readlink - target of a symbolic link (see fs.h)
 */
int fs_vol_readlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	int ret = read_target(fs, ino, APFS_XATTR_SYMLINK, buf, cap);

	/* none: not a symbolic link, or one whose target's record is lost (named) */
	if (ret == -ENODATA)
		ret = fs_xattr_absent(fs, ino, APFS_XATTR_SYMLINK);
	return ret == -ENODATA ? -EINVAL : ret;
}

/**
 * fs_vol_firmlink - target of a firmlink (see fs.h)
 */
int fs_vol_firmlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	int ret = read_target(fs, ino, APFS_XATTR_FIRMLINK, buf, cap);

	return ret == -ENODATA ? -ENOENT : ret;
}
