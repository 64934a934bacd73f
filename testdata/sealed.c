/* SPDX-License-Identifier: MIT */
/*
 * sealed.c - what a sealed volume has beyond a plain one (macOS 11+ System
 * volumes): the fext tree, a physical tree of (stream id, logical address)
 * -> (length, block) holding the file extents the fs tree no longer does,
 * and the integrity_meta object naming the SHA-256 of the fs-tree root.
 * The hashed, headerless fs tree itself is btree.c's (mk_tree.sealed).
 */
#include <errno.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "mk.h"

/*
 * integrity_meta_phys_t: version 1, SHA-256, the root hash right after the
 * 128-byte structure (im_reserved[9] ends at 128 and stays zero; apfsck
 * "offset overlaps with structure", "reserved field is in use").
 */
#define IM_VERSION 1
#define IM_HASH_SHA256 1
#define IM_ROOT_HASH_OFF 128

/* fext_tree_key_t and fext_tree_val_t: 16 bytes each. */
#define FEXT_KSIZE 16
#define FEXT_VSIZE 16

static int cmp_fext(const void *a, const void *b)
{
	const struct mk_fext *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->logical < y->logical ? -1 : x->logical > y->logical;
}

/**
 * mk_fext_tree() - write a sealed volume's fext tree from its extents.
 * @v: the volume (its extents are sorted here)
 * @root: receives the root node's block number
 *
 * Keys are private_id then logical_addr, values len_and_flags (bytes, no
 * flags) then phys_block_num (0 for a hole); no crypto id, since a sealed
 * volume is never encrypted per extent.
 */
int mk_fext_tree(struct mk_vol *v, uint64_t *root)
{
	struct mk_tree t = { .img = v->img, .subtype = APFS_OBJECT_TYPE_FEXT_TREE,
			     .physical = true, .fixed = true, .ksize = FEXT_KSIZE,
			     .vsize = FEXT_VSIZE, .bt_flags = APFS_BTREE_PHYSICAL };
	uint8_t *kv = calloc(v->nfext + 1, FEXT_KSIZE + FEXT_VSIZE);
	struct mk_rec *r = calloc(v->nfext + 1, sizeof(*r));
	int rc = -ENOMEM;

	if (!kv || !r)
		goto out;
	qsort(v->fext, v->nfext, sizeof(*v->fext), cmp_fext);
	for (size_t i = 0; i < v->nfext; i++) {
		uint8_t *k = kv + i * (FEXT_KSIZE + FEXT_VSIZE), *val = k + FEXT_KSIZE;

		st_le64(k, v->fext[i].id);
		st_le64(k + 8, v->fext[i].logical);
		st_le64(val, v->fext[i].len & APFS_J_FILE_EXTENT_LEN_MASK);
		st_le64(val + 8, v->fext[i].paddr);
		r[i] = (struct mk_rec){ k, val, FEXT_KSIZE, FEXT_VSIZE };
	}
	rc = mk_btree_build(&t, r, v->nfext, root);
out:
	free(kv);
	free(r);
	return rc;
}

/**
 * mk_integrity_meta() - write the integrity_meta object of a sealed volume,
 * a virtual object (with an ordinary checksummed header) mapped in the
 * volume omap.
 * @v: the volume
 * @root_hash: SHA-256 of the fs-tree root node's block
 * @om: the volume omap's mappings, grown by one
 * @nom: how many
 * @oid: receives the object's oid: a new one, or the snapshot's where the
 *	volume has one (a later version of the same virtual object, which a
 *	reader must resolve at the snapshot's xid to find the snapshot's seal)
 */
int mk_integrity_meta(struct mk_vol *v, const uint8_t root_hash[32], struct mk_omap_rec **om,
		      unsigned *nom, uint64_t *oid)
{
	struct mk_image *img = v->img;
	uint64_t paddr = mk_alloc(img, 1);
	struct mk_omap_rec *m = realloc(*om, (*nom + 1) * sizeof(*m));
	uint8_t *buf;

	if (m)
		*om = m;
	if (!paddr)
		return -ENOSPC;
	buf = mk_block(img, paddr);
	if (!m || !buf)
		return -ENOMEM;
	*oid = v->snap && v->snap->integrity ? v->snap->integrity : img->next_oid++;
	m[(*nom)++] = (struct mk_omap_rec){ *oid, paddr, 0, img->xid };
	st_le32(buf + 32, IM_VERSION);
	st_le32(buf + 40, IM_HASH_SHA256);
	st_le32(buf + 44, IM_ROOT_HASH_OFF);
	/*
	 * im_flags (36) and im_broken_xid (48) stay 0 (the seal is intact)
	 * unless the volume is to show it broken in this transaction.
	 */
	if (v->seal_broken) {
		st_le32(buf + 36, APFS_SEAL_BROKEN);
		st_le64(buf + 48, img->xid);
	}
	memcpy(buf + IM_ROOT_HASH_OFF, root_hash, 32);
	mk_obj_hdr(buf, *oid, img->xid, APFS_OBJ_VIRTUAL | APFS_OBJECT_TYPE_INTEGRITY_META, 0);
	mk_obj_seal(buf, img->bs);
	return 0;
}

/*
 * A file's data hashes (j_file_info_key_t / j_file_data_hash_val_t, type
 * APFS_TYPE_FILE_INFO): the SHA-256 of each run of at most FILE_INFO_BLOCKS
 * whole blocks, from byte 0 on, the last block zero-padded past the data.
 * The key's address is the run's logical byte offset, as apfsck (tested on
 * real Macs) looks it up in the fext tree and 7-Zip requires each run to
 * start where the last ended; 7-Zip notes runs of at most 4 blocks seen on
 * real volumes, so this writes runs of 4.  apfsck and 7-Zip check them.
 */
#define FILE_INFO_BLOCKS 4
#define FILE_INFO_VSIZE (3 + 32)

static int file_info_run(struct mk_vol *v, uint64_t id, uint64_t off, unsigned nblk,
			 const uint8_t *data, uint64_t len)
{
	uint32_t bs = v->img->bs;
	uint8_t k[16], val[FILE_INFO_VSIZE], *run = calloc(nblk, bs);
	uint64_t lba = (uint64_t)APFS_FILE_INFO_DATA_HASH << 56 | off;
	int rc;

	if (!run)
		return -ENOMEM;
	if (data && off < len)
		memcpy(run, data + off, len - off < (uint64_t)nblk * bs ? len - off : (uint64_t)nblk * bs);
	SHA256(run, (size_t)nblk * bs, val + 3);
	free(run);
	st_le64(k, (id & APFS_OBJ_ID_MASK) | (uint64_t)APFS_TYPE_FILE_INFO << APFS_OBJ_TYPE_SHIFT);
	st_le64(k + 8, lba);
	st_le16(val, (uint16_t)nblk);
	val[2] = 32;
	rc = mk_vol_add_rec(v, id, APFS_TYPE_FILE_INFO, 0, lba, k, sizeof(k), val, sizeof(val));
	return rc;
}

/**
 * mk_file_info() - the data hashes of stream (or, for a compressed file,
 * of the object apfsck keys them by: the inode for inline data, its
 * resource fork's stream otherwise) over len bytes of data (the
 * decompressed bytes; NULL: zeros).  Nothing on a volume that is not sealed.
 */
int mk_file_info(struct mk_vol *v, uint64_t id, const void *data, uint64_t len)
{
	uint32_t bs = v->img->bs;
	uint64_t nblk = (len + bs - 1) / bs;
	int rc = 0;

	for (uint64_t b = 0; v->sealed && !rc && b < nblk; b += FILE_INFO_BLOCKS)
		rc = file_info_run(v, id, b * bs, nblk - b < FILE_INFO_BLOCKS ?
				   (unsigned)(nblk - b) : FILE_INFO_BLOCKS, data, len);
	return rc;
}
