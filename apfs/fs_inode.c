/* SPDX-License-Identifier: MIT */
/*
 * fs_inode.c - inode records (j_inode_val_t and its extended fields, a
 * directory's stats); the stat view of them is fs_stat.c's.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_int.h"

static int ino_corrupt(struct apfs_fs *fs, uint64_t ino, const char *why)
{
	apfs_err("%s: volume '%s': inode %llu: %s", fs->c->label, fs->v->name,
		 (unsigned long long)ino, why);
	return -APFS_ECORRUPT;
}

struct take {
	struct fs_inode *in;
	const char *why;  /* a field take_xfield refused */
};

static int xf_bad(struct take *t, const char *why)
{
	t->why = why;
	return -APFS_ECORRUPT;
}

/* One extended field: copy what we use. */
static int take_xfield(uint8_t type, const uint8_t *d, size_t len, void *ctx)
{
	struct take *t = ctx;
	struct fs_inode *in = t->in;

	switch (type) {
	case APFS_INO_EXT_TYPE_DSTREAM:
		if (len < sizeof(in->dstream))
			return xf_bad(t, "short data-stream field");
		memcpy(&in->dstream, d, sizeof(in->dstream));
		in->has_dstream = true;
		break;
	case APFS_INO_EXT_TYPE_NAME:
		if (!fs_xfield_name_ok(d, len))
			return xf_bad(t, "name field not NUL-terminated");
		memcpy(in->name, d, len);
		break;
	case APFS_INO_EXT_TYPE_RDEV:
		if (len >= 4)
			in->rdev = ld_le32(d);
		break;
	case APFS_INO_EXT_TYPE_DIR_STATS_KEY:
		if (len != 8 && len != sizeof(in->dir_stats))
			return xf_bad(t, "directory-stats field neither 8 nor 32 bytes");
		memcpy(in->dir_stats, d, len);
		in->dir_stats_len = (uint16_t)len;
		break;
	default:
		break;
	}
	return 0;
}

bool fs_xfield_name_ok(const uint8_t *d, size_t len)
{
	return len > 0 && len <= APFS_NAME_MAX && d[len - 1] == '\0';
}

/*
 * xf_blob_t: a count, the used size, the x_field_t headers, then each
 * field's data padded to 8 bytes.  fn(type, data, len, ctx) per field;
 * its first nonzero return ends the walk and is returned.  A malformed
 * blob is -APFS_ECORRUPT with *why saying how; nothing is logged here.
 */
int fs_xfields_each(const uint8_t *p, size_t len, fs_xfield_fn fn, void *ctx, const char **why)
{
	struct apfs_cursor c = cur_init(p, len), dc;
	const uint8_t *hdr, *hdrs, *data;
	uint16_t n, used;
	int ret = 0;

	*why = NULL;
	if (len == 0)
		return 0;
	hdr = cur_take(&c, 4);
	if (!hdr) {
		*why = "truncated extended-field blob";
		return -APFS_ECORRUPT;
	}
	n = ld_le16(hdr);
	used = ld_le16(hdr + 2);
	hdrs = cur_take(&c, (size_t)n * 4);
	data = hdrs ? cur_take(&c, used) : NULL;
	if (!data) {
		*why = "extended fields overrun the record";
		return -APFS_ECORRUPT;
	}
	dc = cur_init(data, used);
	for (uint16_t i = 0; i < n && !ret; i++) {
		uint16_t sz = ld_le16(hdrs + 4 * i + 2);
		const uint8_t *d = cur_take(&dc, sz);

		if (!d || (sz % 8 && !cur_take(&dc, 8 - sz % 8) && i + 1 < n)) {
			*why = "extended field outside its blob";
			return -APFS_ECORRUPT;
		}
		ret = fn(hdrs[4 * i], d, sz, ctx);
	}
	return ret;
}

int fs_inode_xfields(struct apfs_fs *fs, struct fs_inode *in, const uint8_t *p, size_t len)
{
	struct take t = { in, NULL };
	const char *why;
	int ret = fs_xfields_each(p, len, take_xfield, &t, &why);

	if (!why)
		why = t.why;
	return why ? ino_corrupt(fs, in->ino, why) : ret;
}

/*
 * Every volume has its root directory's inode record.  Where the tree
 * lacks it, a node that held it is lost, and the loss need leave nothing
 * out of order or range: a root index node whose records moved down over
 * the first one's, its child named by none (found in review: `ls /` gave
 * nothing with exit 0, `stat /` "No such file").  Named once per volume.
 */
static void root_missing(struct apfs_fs *fs)
{
	if (!atomic_exchange(&fs->root_missing, true))
		apfs_err("%s: volume '%s': inode %d, the root directory's, is not in the "
			 "file-system tree: a node that held it is lost, and may have held the "
			 "root's entries", fs->c->label, fs->v->name, APFS_ROOT_DIR_INO_NUM);
}

int fs_root_listed(struct apfs_fs *fs)
{
	uint8_t key[8];
	int ret;

	if (atomic_load(&fs->root_found))
		return 0;
	ret = fs_key_checked(fs, key, APFS_ROOT_DIR_INO_NUM, APFS_TYPE_INODE);
	if (!ret)
		ret = apfs_btree_lookup(&fs->tree, key, sizeof(key), NULL, fs->bs, &(size_t){ 0 });
	if (ret == -ENOENT) {
		root_missing(fs);
		return -APFS_EINCOMPLETE;
	}
	if (!ret)
		atomic_store(&fs->root_found, true);
	return ret;
}

/*
 * ino's inode record into *val (malloc'd, fs->bs bytes: the caller frees
 * it, whatever is returned), *vlen its length; -ENOENT where there is none.
 */
static int inode_lookup(struct apfs_fs *fs, uint64_t ino, uint8_t **val, size_t *vlen)
{
	uint8_t key[8];
	int ret;

	*vlen = 0;
	if (!(*val = malloc(fs->bs)))
		return -ENOMEM;
	ret = fs_key_checked(fs, key, ino, APFS_TYPE_INODE);
	return ret ? ret : apfs_btree_lookup(&fs->tree, key, sizeof(key), *val, fs->bs, vlen);
}

/* ino's inode record's fixed part (see fs_int.h). */
int fs_inode_raw(struct apfs_fs *fs, uint64_t ino, struct apfs_j_inode_val *raw)
{
	uint8_t *val;
	size_t vlen;
	int ret = inode_lookup(fs, ino, &val, &vlen);

	if (!ret && vlen < sizeof(*raw))
		ret = -ENOENT;
	if (!ret)
		memcpy(raw, val, sizeof(*raw));
	free(val);
	return ret;
}

/* The inode fs_inode_get read last on this thread: the open (gen), ino, its marks. */
static _Thread_local struct {
	uint64_t gen, ino;
	struct fs_inode_marks m;
} last_read;

static void marks_of(const struct apfs_j_inode_val *raw, struct fs_inode_marks *m)
{
	m->internal_flags = get_le64(raw->internal_flags);
	m->bsd_flags = get_le32(raw->bsd_flags);
	m->mode = get_le16(raw->mode);
}

int fs_inode_marks(struct apfs_fs *fs, uint64_t ino, struct fs_inode_marks *m)
{
	struct apfs_j_inode_val raw;
	int ret;

	if (last_read.gen == fs->gen && last_read.ino == ino) {
		*m = last_read.m;
		return 0;
	}
	memset(m, 0, sizeof(*m));
	ret = fs_inode_raw(fs, ino, &raw);
	if (!ret)
		marks_of(&raw, m);
	return ret;
}

int fs_dir_counted(struct apfs_fs *fs, uint64_t dir, int32_t *counted)
{
	struct apfs_j_inode_val raw;
	int ret = fs_inode_raw(fs, dir, &raw);

	*counted = 0;
	if (ret || !S_ISDIR(get_le16(raw.mode)))
		return ret == -ENOENT ? 0 : ret;  /* none: a directory not known, as before */
	*counted = (int32_t)get_le32(raw.nchildren_or_nlink);
	return 0;
}

/*
 * A directory's inode counts its entries (nchildren), as apfsck and
 * fsck_apfs check ("invalid nchildren").  A whole listing that gave fewer
 * missed some: a child of an index node dropped, the records after it
 * moved down over its record, or the last one dropped, leaves every node
 * in order and in range (found testing the root's case: 2,923 of 3,000
 * names, exit 0).  A count of 0 or less (fsck_apfs has met -1) says
 * nothing.  Not the inode's other fields: a damaged one is not this
 * listing's to name.
 */
int fs_valence_listed(struct apfs_fs *fs, uint64_t dir, uint64_t given)
{
	int32_t counted;
	int ret = fs_dir_counted(fs, dir, &counted);

	if (ret || counted <= 0 || given >= (uint64_t)counted)
		return ret;
	apfs_err("%s: volume '%s': directory %llu: its inode counts %d entries, a whole listing "
		 "found %llu: entries may be missing (or the count is wrong)", fs->c->label,
		 fs->v->name, (unsigned long long)dir, counted, (unsigned long long)given);
	return -APFS_EINCOMPLETE;
}

/* Read and parse the inode record of ino. */
int fs_inode_get(struct apfs_fs *fs, uint64_t ino, struct fs_inode *in)
{
	uint8_t *val;
	size_t vlen;
	int ret;

	memset(in, 0, sizeof(*in));
	in->ino = ino;
	ret = inode_lookup(fs, ino, &val, &vlen);
	if (ret == -ENOENT && ino == APFS_ROOT_DIR_INO_NUM) {
		root_missing(fs);
		ret = -APFS_ECORRUPT;
	}
	if (!ret && vlen < sizeof(in->raw))
		ret = ino_corrupt(fs, ino, "inode record shorter than j_inode_val_t");
	if (!ret) {
		memcpy(&in->raw, val, sizeof(in->raw));
		ret = fs_inode_xfields(fs, in, val + sizeof(in->raw), vlen - sizeof(in->raw));
	}
	free(val);
	if (!ret) {
		last_read.gen = fs->gen;
		last_read.ino = ino;
		marks_of(&in->raw, &last_read.m);
	}
	return ret;
}

/*
 * The directory-stats field holds either the stats themselves
 * (j_dir_stats_val_t, 32 bytes, as older apfsck expects) or the object id
 * of a DIR_STATS record that holds them (8 bytes, as newer apfsck reads it).
 * Which macOS writes is not settled (docs/apfs-format.md has no word), so
 * both are read.
 */
int fs_vol_dir_stats(struct apfs_fs *fs, uint64_t ino, struct apfs_dir_stats *ds)
{
	uint8_t key[8], val[64];
	const uint8_t *v;
	struct fs_inode in;
	size_t vlen = 0;
	int ret = fs_inode_get(fs, ino, &in);

	memset(ds, 0, sizeof(*ds));
	if (ret)
		return ret;
	if (!in.dir_stats_len)
		return -ENOENT;
	v = in.dir_stats;
	if (in.dir_stats_len == 8) {
		ds->key = ld_le64(in.dir_stats);
		ret = fs_key_checked(fs, key, ds->key, APFS_TYPE_DIR_STATS);
		if (!ret)
			ret = apfs_btree_lookup(&fs->tree, key, sizeof(key), val, sizeof(val),
						&vlen);
		if (ret == -ENOENT)
			return ino_corrupt(fs, ino, "its directory-stats record is missing");
		if (ret)
			return ret;
		if (vlen < sizeof(struct apfs_j_dir_stats_val))
			return ino_corrupt(fs, ino, "directory-stats record too short");
		v = val;
	}
	ds->num_children = ld_le64(v);
	ds->total_size = ld_le64(v + 8);
	ds->chained_key = ld_le64(v + 16);
	ds->gen_count = ld_le64(v + 24);
	ds->origin = (get_le64(in.raw.internal_flags) & APFS_INODE_DIR_STATS_ORIGIN) != 0;
	return 0;
}
