/* SPDX-License-Identifier: MIT */
/*
 * fs_seal_data.c - a sealed volume's file data against the hashes its fs
 * tree holds: FILE_INFO records of kind APFS_FILE_INFO_DATA_HASH, each the
 * hash (the seal's type) of hashed_len whole blocks from a logical byte
 * offset (docs/macos-boot.md §4).  The tree's node hashes vouch for these
 * records (apfs_fs_seal_verify); nothing vouches for the file-extent tree
 * that places the data, so data changed or moved shows here only.
 *
 * Keyed and hashed as apfsck (tested on real Macs) and 7-Zip read them: a
 * file's data stream by its id, its blocks as stored (holes as zeros, the
 * last block with whatever follows the data in it); a compressed file's
 * decompressed bytes, zero-padded, by its inode (inline data) or by its
 * resource fork's stream.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fs_int.h"

/* Hash this much at a time. */
#define PIECE (1u << 20)
/* Mismatches named one by one; the rest are counted. */
#define DATA_WARN_MAX 8
/*
 * Bytes hashed per view at most, as a multiple of the container's size:
 * the data a sealed volume holds, its compressed files decompressed (real
 * System files shrink to about half), fits many times over; a crafted tree
 * whose records claim runs of holes or of decompressed zeros up to 65,535
 * blocks each would otherwise cost hours.  Past it a hash is not checked.
 */
#define DATA_BUDGET_FACTOR 4
#define DATA_BUDGET_MIN (UINT64_C(1) << 30)

struct sd_walk {
	struct apfs_fs *fs;
	struct apfs_data_check *c;
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	uint8_t *buf;
	uint64_t budget;    /* bytes left to hash */
	uint64_t records;   /* FILE_INFO records the walk met */
	uint64_t taken;     /* of them, those a file's check took */
	unsigned warned;
};

/* The one file whose hashes are being checked, and how its bytes are read. */
struct sd_file {
	struct sd_walk *w;
	uint64_t ino;
	uint64_t id;               /* the object its hashes are keyed by */
	struct apfs_file *dec;     /* compressed: its decompressed bytes */
	struct fs_stream stream;   /* else its data stream, whole blocks */
	uint64_t next;             /* the bytes hashed in one run from 0 reach here */
	bool unreadable;           /* its bytes cannot be read: each hash not checked */
};

static void data_warn(struct sd_file *f, const char *what, uint64_t off, uint64_t len)
{
	struct sd_walk *w = f->w;
	char path[1024];

	if (w->warned++ >= DATA_WARN_MAX) {
		if (w->warned == DATA_WARN_MAX + 1)
			apfs_warn("%s: volume '%s': further data hashes not matching or not "
				  "checked are not named", w->fs->c->label, w->fs->v->name);
		return;
	}
	if (fs_vol_path(w->fs, f->ino, path, sizeof(path)))
		snprintf(path, sizeof(path), "(path not known)");
	apfs_warn("%s: volume '%s': file %s (inode %llu): bytes %llu-%llu %s", w->fs->c->label,
		  w->fs->v->name, path, (unsigned long long)f->ino, (unsigned long long)off,
		  (unsigned long long)(off + len - 1), what);
}

/* n bytes at off as the hash covers them: short reads (past the end) padded with zeros. */
static int run_read(struct sd_file *f, uint64_t off, size_t n)
{
	size_t got = 0;
	int ret = f->dec ? apfs_file_read(f->dec, off, f->w->buf, n, &got) :
			   fs_stream_read(f->w->fs, &f->stream, off, f->w->buf, n, &got);

	if (!ret && got < n)
		memset(f->w->buf + got, 0, n - got);
	return ret;
}

/* The digest of len bytes from off into md: 0, or the read's error. */
static int run_digest(struct sd_file *f, uint64_t off, uint64_t len, uint8_t *md)
{
	struct sd_walk *w = f->w;
	int ret = EVP_DigestInit_ex(w->ctx, w->md, NULL) == 1 ? 0 : -ENOMEM;

	for (uint64_t done = 0; !ret && done < len; done += PIECE) {
		size_t n = len - done < PIECE ? (size_t)(len - done) : PIECE;

		ret = run_read(f, off + done, n);
		if (!ret && EVP_DigestUpdate(w->ctx, w->buf, n) != 1)
			ret = -ENOMEM;
	}
	if (!ret && EVP_DigestFinal_ex(w->ctx, md, NULL) != 1)
		ret = -ENOMEM;
	return ret;
}

/*
 * A record's value, j_file_data_hash_val_t: hashed_len (blocks), hash_size,
 * the hash.  NULL when it is no data hash this check can use, *why said.
 */
static const uint8_t *hash_of(const struct sd_walk *w, const uint8_t *k, size_t kl,
			      const uint8_t *v, size_t vl, uint64_t *off, uint64_t *len,
			      const char **why)
{
	uint64_t lba = kl == 16 ? ld_le64(k + 8) : 0;

	*why = "its hash record is malformed: not checked";
	if (kl != 16 || vl < 3 || vl != 3u + v[2] || ld_le16(v) == 0)
		return NULL;
	*why = "its hash record is of a kind not known: not checked";
	if (lba >> APFS_FILE_INFO_TYPE_SHIFT != APFS_FILE_INFO_DATA_HASH)
		return NULL;
	*why = "its hash is not of the seal's size: not checked";
	if (v[2] != w->fs->seal.hash_len)
		return NULL;
	*off = lba & APFS_FILE_INFO_LBA_MASK;
	*len = (uint64_t)ld_le16(v) * w->fs->bs;
	return v + 3;
}

/* One FILE_INFO record of the file's: its run hashed and held to it. */
static int info_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct sd_file *f = arg;
	struct sd_walk *w = f->w;
	uint8_t md[EVP_MAX_MD_SIZE];
	uint64_t off = 0, len = 0;
	const char *why;
	const uint8_t *want;

	if (kl < 8 || fs_key_oid(k) != f->id || fs_key_type(k) != APFS_TYPE_FILE_INFO)
		return 1;  /* past the stream's hashes */
	want = hash_of(w, k, kl, v, vl, &off, &len, &why);
	w->taken++;
	/* covered, whether or not it can be checked here */
	if (want && off == f->next)
		f->next += len;
	if (f->unreadable) {
		w->c->unchecked++;
		return 0;
	}
	if (want && len > w->budget)
		why = "not checked: past the bytes one check hashes (a tree claiming more data "
		      "than the container holds)";
	if (!want || len > w->budget) {
		w->c->unchecked++;
		data_warn(f, why, off, len ? len : 1);
		return 0;
	}
	w->budget -= len;
	if (run_digest(f, off, len, md)) {
		w->c->unchecked++;
		data_warn(f, "cannot be read (see above): their hash is not checked", off, len);
		return 0;
	}
	w->c->hashes++;
	w->c->bytes += len;
	if (memcmp(md, want, w->fs->seal.hash_len)) {
		w->c->mismatched++;
		data_warn(f, "do not match the hash the sealed tree holds for them: the data was "
			  "changed after sealing", off, len);
	}
	return 0;
}

/*
 * The object a file's data hashes are keyed by, and its reader: the data
 * stream (private id) of a plain file; a compressed file's inode, or its
 * resource fork's stream where the chunks are kept there.
 */
static int file_reader(struct sd_file *f, const struct apfs_stat *st, uint64_t *id)
{
	struct fs_xattr x;
	int ret;

	if (!st->compression) {
		*id = st->private_id;
		return fs_stream_load(f->w->fs, *id, (st->size + f->w->fs->bs - 1) /
				      f->w->fs->bs * f->w->fs->bs, &f->stream);
	}
	*id = f->ino;
	if (st->compression % 2 == 0) {
		ret = fs_xattr_get(f->w->fs, f->ino, APFS_XATTR_RESOURCE_FORK, &x);
		if (ret)
			return ret;
		*id = x.stream_id;
		fs_xattr_free(&x);
	}
	return fs_vol_file_open(f->w->fs, f->ino, &f->dec);
}

/* The records of stream id's hashes, each checked (info_visit). */
static int file_hashes(struct sd_file *f, uint64_t id)
{
	uint8_t key[8];
	int ret = fs_key_checked(f->w->fs, key, id, APFS_TYPE_FILE_INFO);

	f->id = id;
	return ret ? ret : apfs_btree_find(&f->w->fs->tree, key, sizeof(key), true, info_visit, f);
}

/*
 * A regular file: its data against its hashes.  One whose bytes cannot be
 * read has each hash counted as not checked (named once); one whose data
 * no run of hashes from its start covers is counted.
 */
static void file_check(struct sd_walk *w, uint64_t ino)
{
	struct sd_file f = { .w = w, .ino = ino };
	struct apfs_stat st = { 0 };
	uint64_t id = 0, checked = w->c->hashes;
	int ret = fs_vol_stat(w->fs, ino, &st);

	if (!ret && st.size == 0)
		return;
	if (!ret)
		ret = file_reader(&f, &st, &id);
	if (ret) {
		w->c->unchecked += !id;  /* no hashes of its to count: it counts once */
		data_warn(&f, "cannot be read (see above): their hashes are not checked", 0,
			  st.size ? st.size : 1);
		f.unreadable = true;
	}
	if (id && file_hashes(&f, id) < 0 && !f.unreadable) {
		w->c->unchecked++;
		data_warn(&f, "have hashes that cannot be read (see above): not all checked", 0,
			  st.size);
	}
	w->c->files += w->c->hashes > checked;
	w->c->uncovered += !ret && f.next < st.size;
	apfs_file_close(f.dec);
	fs_stream_free(&f.stream);
}

/* The walk over every record: each regular file's inode, and a count of hash records. */
static int sd_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct sd_walk *w = arg;
	const struct apfs_j_inode_val *in = v;

	if (kl < 8)
		return 0;
	if (fs_key_type(k) == APFS_TYPE_FILE_INFO)
		w->records++;
	if (fs_key_type(k) == APFS_TYPE_INODE && vl >= sizeof(*in) &&
	    S_ISREG(get_le16(in->mode)))
		file_check(w, fs_key_oid(k));
	return 0;
}

int apfs_fs_seal_data_verify(struct apfs_fs *fs, struct apfs_data_check *c)
{
	uint64_t held = fs->c->blocks_present * fs->bs;
	struct sd_walk w = { .fs = fs, .c = c, .md = apfs_seal_md(fs->seal.hash_type) };
	int ret;

	memset(c, 0, sizeof(*c));
	if (!fs->tree.seal || !w.md)
		return -ENOENT;
	w.budget = held > DATA_BUDGET_MIN / DATA_BUDGET_FACTOR ? held * DATA_BUDGET_FACTOR :
		   DATA_BUDGET_MIN;
	w.ctx = EVP_MD_CTX_new();
	w.buf = malloc(PIECE);
	ret = w.ctx && w.buf ? apfs_btree_iterate(&fs->tree, NULL, 0, sd_visit, &w) : -ENOMEM;
	c->strays = w.records > w.taken ? w.records - w.taken : 0;
	EVP_MD_CTX_free(w.ctx);
	free(w.buf);
	return ret;
}
