/* SPDX-License-Identifier: MIT */
/*
 * data.c - data streams (file contents, resource forks, big xattrs): blocks,
 * file-extent records and their dstream-id record.  On encrypted volumes
 * each extent is encrypted with crypto_id = its first block, the tweak of
 * 512-byte unit u of block b being (crypto_id + b) * (bs / 512) + u.
 * A sealed volume's extents go to its fext tree instead of the fs tree.
 */
#include <errno.h>
#include <stdlib.h>

#include "cipher/xts.h"
#include "mk.h"

static uint64_t jkey(uint64_t oid, unsigned type)
{
	return (oid & APFS_OBJ_ID_MASK) | (uint64_t)type << APFS_OBJ_TYPE_SHIFT;
}

/*
 * Every extent is kept in v->fext: for the extent-reference tree
 * (extentref.c) and, on a sealed volume, for the fext tree instead of the
 * fs tree (sealed.c).
 */
static int add_fext(struct mk_vol *v, uint64_t stream, uint64_t logical, uint64_t len,
		    uint64_t paddr)
{
	struct mk_fext *f;

	if (v->nfext == v->capfext) {
		size_t cap = v->capfext ? 2 * v->capfext : 256;

		f = realloc(v->fext, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		v->fext = f;
		v->capfext = cap;
	}
	v->fext[v->nfext++] = (struct mk_fext){ stream, logical, len, paddr };
	/* A file's stream id is its inode number; holes count as its sparse bytes. */
	if (!paddr && mk_in(v, stream))
		mk_in(v, stream)->sparse_bytes += len;
	return 0;
}

static int add_extent(struct mk_vol *v, uint64_t stream, uint64_t logical, uint64_t len,
		      uint64_t paddr, uint64_t crypto_id)
{
	struct apfs_j_file_extent_key k;
	struct apfs_j_file_extent_val val;

	int rc = add_fext(v, stream, logical, len, paddr);

	if (rc || v->sealed)
		return rc;
	k.hdr.obj_id_and_type = put_le64(jkey(stream, APFS_TYPE_FILE_EXTENT));
	k.logical_addr = put_le64(logical);
	val.len_and_flags = put_le64(len & APFS_J_FILE_EXTENT_LEN_MASK);
	val.phys_block_num = put_le64(paddr);
	val.crypto_id = put_le64(crypto_id);
	return mk_vol_add_rec(v, stream, APFS_TYPE_FILE_EXTENT, 0, logical, &k, sizeof(k), &val,
			      sizeof(val));
}

static int add_dstream_id(struct mk_vol *v, uint64_t stream)
{
	uint8_t k[8], val[4];

	st_le64(k, jkey(stream, APFS_TYPE_DSTREAM_ID));
	st_le32(val, 1);
	return mk_vol_add_rec(v, stream, APFS_TYPE_DSTREAM_ID, 0, 0, k, 8, val, 4);
}

/* Copy (or leave as holes, when unencrypted zeros) and encrypt one extent's blocks. */
static int fill_extent(struct mk_vol *v, uint64_t paddr, uint64_t nblk, const uint8_t *data,
		       uint64_t len)
{
	uint32_t bs = v->img->bs;

	for (uint64_t b = 0; b < nblk; b++) {
		uint64_t off = b * bs, n = len - off < bs ? len - off : bs;
		uint8_t *buf;
		int rc;

		if (!data && !v->encrypted)
			continue;
		buf = mk_block(v->img, paddr + b);
		if (!buf)
			return -ENOMEM;
		if (data)
			memcpy(buf, data + off, n);
		if (v->encrypted) {
			rc = mk_encrypt(v->xts, buf, bs, (paddr + b) * (bs / 512));
			if (rc)
				return rc;
		}
	}
	return 0;
}

/**
 * mk_fs_extent() - one extent of a stream at byte `logical`: len bytes of
 * data in new blocks, or (data NULL, sparse) a hole with no blocks at all.
 */
int mk_fs_extent(struct mk_vol *v, uint64_t stream, uint64_t logical, const void *data,
		 uint64_t len, bool sparse)
{
	uint32_t bs = v->img->bs;
	uint64_t n = (len + bs - 1) / bs, paddr;
	int rc;

	if (sparse)
		return add_extent(v, stream, logical, n * bs, 0, 0);
	paddr = mk_alloc(v->img, n);
	if (!paddr)
		return -ENOSPC;
	rc = fill_extent(v, paddr, n, data, len);
	v->blocks_used += n;
	return rc ? rc : add_extent(v, stream, logical, n * bs, paddr, v->encrypted ? paddr : 0);
}

/**
 * mk_fs_extent_written() - the record of an extent of len bytes at block
 * paddr whose blocks the caller wrote (mk_image_stream), encrypted with
 * crypto_id = paddr on encrypted volumes.
 */
int mk_fs_extent_written(struct mk_vol *v, uint64_t stream, uint64_t logical, uint64_t len,
			 uint64_t paddr)
{
	uint32_t bs = v->img->bs;
	uint64_t n = (len + bs - 1) / bs;

	v->blocks_used += n;
	return add_extent(v, stream, logical, n * bs, paddr, v->encrypted ? paddr : 0);
}

int mk_fs_stream_done(struct mk_vol *v, uint64_t stream)
{
	return add_dstream_id(v, stream);
}

/*
 * A stream's bytes from block `from` on in extents of at most
 * max_extent_blocks, without its DSTREAM_ID; *alloced counts every block.
 */
static int write_stream(struct mk_vol *v, uint64_t stream, const void *data, uint64_t len,
			uint64_t from, uint64_t *alloced)
{
	uint32_t bs = v->img->bs;
	uint64_t nblk = (len + bs - 1) / bs, done = from;
	const uint8_t *d = data;
	int rc = 0;

	while (!rc && done < nblk) {
		uint64_t n = nblk - done, off = done * bs;

		if (n > v->max_extent_blocks)
			n = v->max_extent_blocks;
		rc = mk_fs_extent(v, stream, off, d ? d + off : NULL,
				  len - off < n * bs ? len - off : n * bs, false);
		done += n;
	}
	*alloced = nblk * bs;
	return rc;
}

/**
 * mk_fs_data() - store a file's data stream, with its DSTREAM_ID record
 * (the stream's reference count) and, on a sealed volume, its data hashes.
 * @v: volume
 * @stream: the stream's object id (the inode's private id)
 * @data: len bytes, or NULL for zeros
 * @len: size in bytes
 * @alloced: receives the bytes allocated
 */
int mk_fs_data(struct mk_vol *v, uint64_t stream, const void *data, uint64_t len,
	       uint64_t *alloced)
{
	int rc = write_stream(v, stream, data, len, 0, alloced);

	if (!rc)
		rc = mk_file_info(v, stream, data, len);
	return rc ? rc : add_dstream_id(v, stream);
}

/*
 * An orphan's stream (mk_fs_orphan): its extents from block `from` on, the
 * ones before already freed, as macOS frees them while the file is still
 * open (apfsck extents.c: "An orphan may have already lost its leading
 * extents"; the rest run to its allocated size, which counts them all).
 * Never on a sealed volume, whose data hashes would name the freed blocks.
 */
int mk_fs_data_tail(struct mk_vol *v, uint64_t stream, const void *data, uint64_t len,
		    uint64_t from, uint64_t *alloced)
{
	int rc = v->sealed ? -EINVAL : write_stream(v, stream, data, len, from, alloced);

	return rc ? rc : add_dstream_id(v, stream);
}

/* A file whose whole length is one sparse extent: no blocks are written. */
int mk_fs_sparse(struct mk_vol *v, uint64_t parent, const char *name, uint64_t len,
		 uint64_t *ino)
{
	uint32_t bs = v->img->bs;
	uint64_t i;
	int rc;

	rc = mk_fs_file(v, parent, name, NULL, 0, &i);
	if (!rc && len)
		rc = add_extent(v, i, 0, (len + bs - 1) / bs * bs, 0, 0);
	if (!rc && len)
		rc = add_dstream_id(v, i);
	if (!rc)
		rc = mk_file_info(v, i, NULL, len);
	if (!rc) {
		mk_in(v, i)->has_stream = len != 0;
		mk_in(v, i)->size = len;
		/* alloced_size counts holes too: it is the extents' total (apfsck). */
		mk_in(v, i)->alloced = (len + bs - 1) / bs * bs;
	}
	if (ino)
		*ino = i;
	return rc;
}

static int xattr_key(uint64_t ino, const char *name, uint8_t *k, size_t *klen)
{
	size_t nl = strlen(name) + 1;

	if (nl > 255)
		return -ENAMETOOLONG;
	st_le64(k, jkey(ino, APFS_TYPE_XATTR));
	st_le16(k + 8, (uint16_t)nl);
	memcpy(k + 10, name, nl);
	*klen = 10 + nl;
	return 0;
}

/*
 * An xattr stored in a data stream of its own (too big to embed).  Such a
 * stream has no DSTREAM_ID record: it cannot be cloned, and macOS writes
 * none (apfsck "xattrs can't be cloned"; 7-Zip refuses a container with one).
 */
static int xattr_stream(struct mk_vol *v, const void *data, size_t len, uint8_t *val,
			size_t *vlen)
{
	struct apfs_j_xattr_dstream xd = { 0 };
	uint64_t id = v->next_ino++, alloced;
	int rc = write_stream(v, id, data, len, 0, &alloced);

	xd.xattr_obj_id = put_le64(id);
	xd.dstream.size = put_le64(len);
	xd.dstream.alloced_size = put_le64(alloced);
	xd.dstream.total_bytes_written = put_le64(len);
	st_le16(val, APFS_XATTR_DATA_STREAM);
	st_le16(val + 2, sizeof(xd));
	memcpy(val + 4, &xd, sizeof(xd));
	*vlen = 4 + sizeof(xd);
	return rc;
}

/**
 * mk_fs_xattr() - an extended attribute, embedded when it fits (3804
 * bytes), else in a data stream.  "com.apple.fs.*" ones are file-system owned.
 */
int mk_fs_xattr(struct mk_vol *v, uint64_t ino, const char *name, const void *data, size_t len)
{
	static uint8_t val[4 + APFS_XATTR_MAX_EMBEDDED_SIZE];
	uint8_t k[10 + 256];
	size_t klen, vlen;
	uint16_t owned = strncmp(name, "com.apple.fs.", 13) ? 0 : APFS_XATTR_FILE_SYSTEM_OWNED;
	int rc = xattr_key(ino, name, k, &klen);

	if (rc)
		return rc;
	/* A resource fork and an access control list show in the inode's flags (reference;
	 * apfsck "wrong flag for resource fork", "... for access control list"). */
	if (!strcmp(name, "com.apple.ResourceFork") && mk_in(v, ino))
		mk_in(v, ino)->internal_flags |= APFS_INODE_HAS_RSRC_FORK;
	if (!strcmp(name, "com.apple.system.Security") && mk_in(v, ino))
		mk_in(v, ino)->internal_flags |= APFS_INODE_HAS_SECURITY_EA;
	if (len > APFS_XATTR_MAX_EMBEDDED_SIZE) {
		rc = xattr_stream(v, data, len, val, &vlen);
	} else {
		st_le16(val, APFS_XATTR_DATA_EMBEDDED | owned);
		st_le16(val + 2, (uint16_t)len);
		memcpy(val + 4, data, len);
		vlen = 4 + len;
	}
	return rc ? rc : mk_vol_add_rec(v, ino, APFS_TYPE_XATTR, 0, 0, k, klen, val, vlen);
}
