/* SPDX-License-Identifier: MIT */
/*
 * inode.c - inode records with their extended fields (name, data stream,
 * directory statistics) and DIR_STATS records.
 */
#include <errno.h>
#include <stdlib.h>

#include "mk.h"

struct xf {
	uint8_t type, flags;
	uint16_t size;
	const void *data;
};

/* xf_blob_t: count, used bytes, the x_field_t array, then 8-byte-padded values. */
static size_t put_xfields(uint8_t *out, const struct xf *x, unsigned n)
{
	size_t hdr = 4 + 4 * (size_t)n, used = 0;

	for (unsigned i = 0; i < n; i++) {
		out[4 + 4 * i] = x[i].type;
		out[5 + 4 * i] = x[i].flags;
		st_le16(out + 6 + 4 * i, x[i].size);
		memset(out + hdr + used, 0, (x[i].size + 7u) & ~7u);
		memcpy(out + hdr + used, x[i].data, x[i].size);
		used += (x[i].size + 7u) & ~7u;
	}
	st_le16(out, (uint16_t)n);
	st_le16(out + 2, (uint16_t)used);
	return hdr + used;
}

static void fill_inode(const struct mk_inode *in, uint64_t ino, struct apfs_j_inode_val *iv)
{
	bool dir = (in->mode & 0170000) == MK_S_IFDIR;
	bool sys = ino < APFS_MIN_USER_INO_NUM;

	iv->parent_id = put_le64(in->parent);
	iv->private_id = put_le64(ino);
	iv->create_time = put_le64(!in->host_attrs ? MK_TIME : in->crtime ? in->crtime : in->mtime);
	iv->mod_time = put_le64(in->host_attrs ? in->mtime : MK_TIME);
	iv->change_time = put_le64(in->host_attrs ? in->ctime : MK_TIME);
	iv->access_time = put_le64(in->host_attrs ? in->atime : MK_TIME);
	/*
	 * A compressed file's uncompressed_size is only valid with
	 * INODE_HAS_UNCOMPRESSED_SIZE (reference; apfsck "should not report
	 * uncompressed size"; 7-Zip reads the size only with the flag).
	 */
	iv->internal_flags = put_le64(in->internal_flags |
				      (in->sparse_bytes ? APFS_INODE_IS_SPARSE : 0) |
				      (in->bsd_flags & APFS_UF_COMPRESSED ?
				       APFS_INODE_HAS_UNCOMPRESSED_SIZE : 0));
	iv->nchildren_or_nlink = put_le32(dir ? (uint32_t)in->nchildren : in->nlink);
	iv->bsd_flags = put_le32(in->bsd_flags);
	iv->owner = put_le32(in->host_attrs ? in->uid : sys ? 0 : 501);
	iv->group = put_le32(in->host_attrs ? in->gid : sys ? 0 : 20);
	iv->mode = put_le16(in->mode);
	iv->uncompressed_size = put_le64(in->bsd_flags & APFS_UF_COMPRESSED ? in->size : 0);
}

/**
 * mk_inode_val() - the value of inode ino's INODE record.
 * @in: the inode
 * @ino: its number
 * @val: MK_INODE_VAL_MAX bytes
 *
 * Return: the value's length.
 */
size_t mk_inode_val(const struct mk_inode *in, uint64_t ino, uint8_t *val)
{
	struct apfs_j_inode_val *iv = (struct apfs_j_inode_val *)val;
	struct apfs_j_dstream ds = { 0 };
	struct xf x[4];
	uint8_t sparse[8];
	uint8_t dsk[8];
	unsigned n = 0;

	memset(val, 0, MK_INODE_VAL_MAX);
	fill_inode(in, ino, iv);
	x[n++] = (struct xf){ APFS_INO_EXT_TYPE_NAME, APFS_XF_DO_NOT_COPY,
			      (uint16_t)(strlen(in->name) + 1), in->name };
	if (in->has_stream) {
		ds.size = put_le64(in->size);
		ds.alloced_size = put_le64(in->alloced);
		ds.total_bytes_written = put_le64(in->size);
		x[n++] = (struct xf){ APFS_INO_EXT_TYPE_DSTREAM, APFS_XF_SYSTEM_FIELD,
				      sizeof(ds), &ds };
	}
	/*
	 * A file with holes: INODE_IS_SPARSE and the SPARSE_BYTES field counting
	 * the bytes in holes (reference j_inode_flags / INO_EXT_TYPE_SPARSE_BYTES;
	 * flags SYSTEM_FIELD | CHILDREN_INHERIT; apfsck "wrong setting for sparse
	 * flag", "wrong count of sparse bytes", "Sparse bytes xfield: wrong flags").
	 */
	if (in->sparse_bytes) {
		st_le64(sparse, in->sparse_bytes);
		x[n++] = (struct xf){ APFS_INO_EXT_TYPE_SPARSE_BYTES,
				      APFS_XF_SYSTEM_FIELD | APFS_XF_CHILDREN_INHERIT, 8,
				      sparse };
	}
	if (in->dir_stats_len) {
		st_le64(dsk, in->ds_key);
		x[n++] = (struct xf){ APFS_INO_EXT_TYPE_DIR_STATS_KEY,
				      APFS_XF_SYSTEM_FIELD | APFS_XF_DO_NOT_COPY, in->dir_stats_len,
				      in->dir_stats_len == 8 ? (const void *)dsk : &in->ds };
	}
	return sizeof(*iv) + put_xfields(val + sizeof(*iv), x, n);
}

static int emit_inode(struct mk_vol *v, uint64_t ino)
{
	uint8_t val[MK_INODE_VAL_MAX];
	size_t vlen = mk_inode_val(mk_in(v, ino), ino, val);
	uint8_t k[8];

	st_le64(k, (ino & APFS_OBJ_ID_MASK) | (uint64_t)APFS_TYPE_INODE << APFS_OBJ_TYPE_SHIFT);
	return mk_vol_add_rec(v, ino, APFS_TYPE_INODE, 0, 0, k, 8, val, vlen);
}

int mk_fs_dir_stats(struct mk_vol *v, uint64_t ino, uint64_t num_children, uint64_t total_size)
{
	struct mk_inode *in = mk_in(v, ino);
	uint8_t k[8];

	if (!in)
		return -EINVAL;
	in->internal_flags |= APFS_INODE_MAINTAIN_DIR_STATS | APFS_INODE_DIR_STATS_ORIGIN;
	in->ds.num_children = put_le64(num_children);
	in->ds.total_size = put_le64(total_size);
	in->ds.gen_count = put_le64(1);
	in->dir_stats_len = 8;
	/* The record's id comes from the inode numbers' pool, as sibling ids do. */
	in->ds_key = v->next_ino++;
	st_le64(k, in->ds_key | (uint64_t)APFS_TYPE_DIR_STATS << APFS_OBJ_TYPE_SHIFT);
	return mk_vol_add_rec(v, in->ds_key, APFS_TYPE_DIR_STATS, 0, 0, k, 8, &in->ds,
			      sizeof(in->ds));
}

int mk_fs_dir_stats_member(struct mk_vol *v, uint64_t ino, uint64_t origin)
{
	struct mk_inode *in = mk_in(v, ino), *o = mk_in(v, origin);

	if (!in || !o || o->dir_stats_len != 8)
		return -EINVAL;
	in->internal_flags |= APFS_INODE_MAINTAIN_DIR_STATS;
	in->dir_stats_len = 8;
	in->ds_key = o->ds_key;
	return 0;
}

/* Queue an inode record for every inode created. */
int mk_fs_emit_inodes(struct mk_vol *v)
{
	for (uint64_t i = 0; i < v->ninodes; i++) {
		int rc;

		if (!v->inodes[i].mode)
			continue;
		/* Slots from 16 on hold the numbers from ino_base + 16 on. */
		rc = emit_inode(v, i < APFS_MIN_USER_INO_NUM ? i : i + v->ino_base);
		if (rc)
			return rc;
	}
	return 0;
}
