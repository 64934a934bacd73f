/* SPDX-License-Identifier: MIT */
/*
 * fs.c - file-system objects: inodes, directory entries, data streams and
 * extended attributes, queued as fs-tree records.  Inode records are
 * emitted last (mk_fs_emit_inodes) because a directory's child count and a
 * file's size are only known once everything is added.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mk.h"

#define DT_DIR_ 4
#define DT_REG_ 8
#define DT_LNK_ 10

static uint64_t jkey(uint64_t oid, unsigned type)
{
	return (oid & APFS_OBJ_ID_MASK) | (uint64_t)type << APFS_OBJ_TYPE_SHIFT;
}

/* The inodes[] slot of inode ino: numbers from ino_base + 16 on are kept from slot 16. */
static uint64_t ino_idx(const struct mk_vol *v, uint64_t ino)
{
	return v->ino_base && ino >= v->ino_base ? ino - v->ino_base : ino;
}

struct mk_inode *mk_in(struct mk_vol *v, uint64_t ino)
{
	uint64_t i = ino_idx(v, ino);

	return i < v->ninodes && v->inodes[i].mode ? &v->inodes[i] : NULL;
}

/*
 * Real group System volumes number their own objects from
 * SYSTEM_OBJ_ID_MARK | 16; only 1, 2 and 3 are shared with the Data volume
 * (docs/macos-boot.md §2).
 */
void mk_vol_system_ino(struct mk_vol *v)
{
	v->ino_base = APFS_SYSTEM_OBJ_ID_MARK;
	v->next_ino = APFS_SYSTEM_OBJ_ID_MARK | APFS_MIN_USER_INO_NUM;
}

static int new_inode(struct mk_vol *v, uint64_t ino, uint64_t parent, const char *name,
		     uint16_t mode)
{
	struct mk_inode *in, *p;

	ino = ino_idx(v, ino);
	if (ino >= v->ninodes) {
		size_t n = ino + 1024;

		in = realloc(v->inodes, n * sizeof(*in));
		if (!in)
			return -ENOMEM;
		memset(in + v->ninodes, 0, (n - v->ninodes) * sizeof(*in));
		v->inodes = in;
		v->ninodes = n;
	}
	in = &v->inodes[ino];
	in->parent = parent;
	in->mode = mode;
	in->nlink = 1;
	if (v->own) {
		in->host_attrs = true;
		in->uid = v->uid;
		in->gid = v->gid;
		in->atime = in->mtime = in->ctime = MK_TIME;
	}
	in->name = strdup(name);
	p = parent > APFS_ROOT_DIR_PARENT ? mk_in(v, parent) : NULL;
	if (p)
		p->nchildren++;
	return in->name ? 0 : -ENOMEM;
}

/* Directory entry; sibling != 0 adds the DREC_EXT_TYPE_SIBLING_ID xfield of a hard link. */
static int add_drec_sib(struct mk_vol *v, uint64_t parent, const char *name, uint64_t ino,
			uint16_t dtype, uint64_t sibling)
{
	size_t nl = strlen(name) + 1;
	uint8_t key[12 + 1024], val[sizeof(struct apfs_j_drec_val) + 16];
	struct apfs_j_drec_val *dv = (struct apfs_j_drec_val *)val;
	uint32_t h = v->unhashed ? 0 : mk_name_hash(name, v->case_insensitive);
	size_t vlen = sizeof(*dv), off = v->unhashed ? 10 : 12;

	if (nl > 256) /* 255 bytes of UTF-8 and the NUL */
		return -ENAMETOOLONG;
	st_le64(key, jkey(parent, APFS_TYPE_DIR_REC));
	if (v->unhashed)
		st_le16(key + 8, (uint16_t)nl);  /* j_drec_key_t */
	else
		st_le32(key + 8, h << APFS_J_DREC_HASH_SHIFT | (uint32_t)nl);
	memcpy(key + off, name, nl);
	memset(val, 0, sizeof(val));
	dv->file_id = put_le64(ino);
	dv->date_added = put_le64(v->drec_added ? v->drec_added : MK_TIME);
	dv->flags = put_le16(dtype);
	if (sibling) {
		st_le16(val + vlen, 1);      /* xf_num_exts */
		st_le16(val + vlen + 2, 8);  /* xf_used_data */
		val[vlen + 4] = APFS_DREC_EXT_TYPE_SIBLING_ID;
		st_le16(val + vlen + 6, 8);
		st_le64(val + vlen + 8, sibling);
		vlen += 16;
	}
	return mk_vol_add_rec(v, parent, APFS_TYPE_DIR_REC, h, 0, key, off + nl, val, vlen);
}

static int add_drec(struct mk_vol *v, uint64_t parent, const char *name, uint64_t ino,
		    uint16_t dtype)
{
	return add_drec_sib(v, parent, name, ino, dtype, 0);
}

static int add_child(struct mk_vol *v, uint64_t parent, const char *name, uint16_t mode,
		     uint16_t dtype, uint64_t *ino)
{
	int rc;

	*ino = v->next_ino++;
	rc = new_inode(v, *ino, parent, name, mode);
	return rc ? rc : add_drec(v, parent, name, *ino, dtype);
}

/*
 * The root directory (2) and the private directory (3) every volume has,
 * each named by a directory record under inode 1 (ROOT_DIR_PARENT), so that
 * each has one link (apfsck "inode with no dentries"; basic.img and
 * dfvfs-apfs.raw hold `root` and `private-dir` records under 1).
 */
int mk_fs_root(struct mk_vol *v)
{
	int rc = new_inode(v, APFS_ROOT_DIR_INO_NUM, APFS_ROOT_DIR_PARENT, "root",
			   MK_S_IFDIR | 0755);

	if (!rc)
		rc = new_inode(v, APFS_PRIV_DIR_INO_NUM, APFS_ROOT_DIR_PARENT, "private-dir",
			       MK_S_IFDIR | 0755);
	if (!rc)
		rc = add_drec(v, APFS_ROOT_DIR_PARENT, "root", APFS_ROOT_DIR_INO_NUM, DT_DIR_);
	if (!rc)
		rc = add_drec(v, APFS_ROOT_DIR_PARENT, "private-dir", APFS_PRIV_DIR_INO_NUM, DT_DIR_);
	v->next_ino = v->ino_base | APFS_MIN_USER_INO_NUM;
	return rc;
}

int mk_fs_mkdir(struct mk_vol *v, uint64_t parent, const char *name, uint64_t *ino)
{
	v->ndirs++;
	return add_child(v, parent, name, MK_S_IFDIR | 0755, DT_DIR_, ino);
}

/**
 * mk_fs_file() - a regular file holding data (len bytes; data NULL = zeros).
 * @v: volume
 * @parent: directory inode
 * @name: UTF-8 name
 * @data: contents
 * @len: size in bytes
 * @ino: receives the inode number (may be NULL)
 */
int mk_fs_file(struct mk_vol *v, uint64_t parent, const char *name, const void *data,
	       uint64_t len, uint64_t *ino)
{
	uint64_t i;
	int rc;

	v->nfiles++;
	rc = add_child(v, parent, name, MK_S_IFREG | 0644, DT_REG_, &i);
	if (!rc && len)
		rc = mk_fs_data(v, i, data, len, &mk_in(v, i)->alloced);
	if (!rc && len) {
		mk_in(v, i)->has_stream = true;
		mk_in(v, i)->size = len;
	}
	if (ino)
		*ino = i;
	return rc;
}

/*
 * What macOS leaves of a file or directory deleted while still open, until
 * its last close: its entry moved into the private directory as
 * 0xINODE-dead (apfsck dir.c check_orphan_name), its inode's parent and
 * name those it had ("the reported parent id is not updated when
 * orphaned": apfsck inode.c; old_parent may be gone since).  Counted among
 * the private directory's children, not its old directory's, and not in
 * the volume's totals of files and directories, which its deletion took it
 * out of (apfsck dir.c: "Orphans aren't counted for the file totals").
 * entry: the entry's name, NULL for macOS's (orphans-misnamed gives others).
 */
static int orphan_entry(struct mk_vol *v, uint64_t old_parent, const char *name,
			const char *entry, uint16_t mode, uint16_t dtype, uint64_t *ino)
{
	char dead[32];
	int rc;

	*ino = v->next_ino++;
	rc = new_inode(v, *ino, APFS_PRIV_DIR_INO_NUM, name, mode);
	if (rc)
		return rc;
	mk_in(v, *ino)->parent = old_parent;
	snprintf(dead, sizeof(dead), "0x%llx-dead", (unsigned long long)*ino);
	return add_drec(v, APFS_PRIV_DIR_INO_NUM, entry ? entry : dead, *ino, dtype);
}

/**
 * mk_fs_orphan() - a regular file deleted while still open (orphan_entry):
 * link count 0 (apfsck "Orphan inode": "has a link count"), its len bytes
 * of data but the first `lost` (a whole number of blocks), whose extents
 * are already freed (mk_fs_data_tail); entry as orphan_entry's.
 */
int mk_fs_orphan(struct mk_vol *v, uint64_t old_parent, const char *name, const char *entry,
		 const void *data, uint64_t len, uint64_t lost, uint64_t *ino)
{
	uint32_t bs = v->img->bs;
	uint64_t i;
	int rc;

	if (lost % bs || lost > (len + bs - 1) / bs * bs)
		return -EINVAL;
	rc = orphan_entry(v, old_parent, name, entry, MK_S_IFREG | 0644, DT_REG_, &i);
	if (!rc && len)
		rc = mk_fs_data_tail(v, i, data, len, lost / bs, &mk_in(v, i)->alloced);
	if (!rc) {
		mk_in(v, i)->nlink = 0;
		mk_in(v, i)->has_stream = len != 0;
		mk_in(v, i)->size = len;
	}
	if (ino)
		*ino = i;
	return rc;
}

/* mk_fs_orphan() of a directory: it holds nothing (apfsck "Orphan directory"). */
int mk_fs_orphan_dir(struct mk_vol *v, uint64_t old_parent, const char *name, uint64_t *ino)
{
	uint64_t i;

	if (!ino)
		ino = &i;
	return orphan_entry(v, old_parent, name, NULL, MK_S_IFDIR | 0755, DT_DIR_, ino);
}

int mk_fs_symlink(struct mk_vol *v, uint64_t parent, const char *name, const char *target)
{
	uint64_t i;
	int rc;

	v->nsymlinks++;
	rc = add_child(v, parent, name, MK_S_IFLNK | 0755, DT_LNK_, &i);
	if (!rc)
		rc = mk_fs_xattr(v, i, "com.apple.fs.symlink", target, strlen(target) + 1);
	return rc;
}

/* The sibling-link (inode -> its names) and sibling-map (link -> inode) records. */
static int add_sibling(struct mk_vol *v, uint64_t ino, uint64_t sib, uint64_t parent,
		       const char *name)
{
	size_t nl = strlen(name) + 1;
	uint8_t k[16], val[10 + 256], mk[8], mv[8];
	int rc;

	st_le64(k, (ino & APFS_OBJ_ID_MASK) | (uint64_t)APFS_TYPE_SIBLING_LINK << APFS_OBJ_TYPE_SHIFT);
	st_le64(k + 8, sib);
	st_le64(val, parent);
	st_le16(val + 8, (uint16_t)nl);
	memcpy(val + 10, name, nl);
	rc = mk_vol_add_rec(v, ino, APFS_TYPE_SIBLING_LINK, 0, sib, k, 16, val, 10 + nl);
	st_le64(mk, (sib & APFS_OBJ_ID_MASK) | (uint64_t)APFS_TYPE_SIBLING_MAP << APFS_OBJ_TYPE_SHIFT);
	st_le64(mv, ino);
	return rc ? rc : mk_vol_add_rec(v, sib, APFS_TYPE_SIBLING_MAP, 0, 0, mk, 8, mv, 8);
}

/**
 * mk_fs_link_first() - the first name of a hard-linked regular file: the
 * inode, a directory entry with a sibling id, and its sibling records.
 * @v: volume
 * @parent: directory inode
 * @name: UTF-8 name
 * @ino: receives the inode number
 */
int mk_fs_link_first(struct mk_vol *v, uint64_t parent, const char *name, uint64_t *ino)
{
	uint64_t sib;
	int rc;

	*ino = v->next_ino++;
	rc = new_inode(v, *ino, parent, name, MK_S_IFREG | 0644);
	v->nfiles++;
	sib = v->next_ino++;
	if (!rc)
		rc = add_drec_sib(v, parent, name, *ino, DT_REG_, sib);
	return rc ? rc : add_sibling(v, *ino, sib, parent, name);
}

/**
 * mk_fs_link_add() - one more name for a file made by mk_fs_link_first().
 * @v: volume
 * @ino: the file
 * @parent: directory of the new name
 * @name: the new name
 */
int mk_fs_link_add(struct mk_vol *v, uint64_t ino, uint64_t parent, const char *name)
{
	uint64_t sib = v->next_ino++;
	int rc;

	if (!mk_in(v, ino))
		return -EINVAL;
	if (mk_in(v, parent))
		mk_in(v, parent)->nchildren++;
	rc = add_drec_sib(v, parent, name, ino, DT_REG_, sib);
	if (!rc)
		rc = add_sibling(v, ino, sib, parent, name);
	if (!rc)
		mk_in(v, ino)->nlink++;
	return rc;
}

/**
 * mk_fs_hardlinks() - one regular file with n names (n >= 2), each a
 * directory entry carrying its sibling id.
 * @v: volume
 * @parents: the directory of each name
 * @names: the names
 * @n: how many
 * @data: contents
 * @len: size
 */
int mk_fs_hardlinks(struct mk_vol *v, const uint64_t *parents, const char *const *names,
		    unsigned n, const void *data, uint64_t len)
{
	uint64_t ino;
	int rc = mk_fs_link_first(v, parents[0], names[0], &ino);

	for (unsigned i = 1; !rc && i < n; i++)
		rc = mk_fs_link_add(v, ino, parents[i], names[i]);
	if (!rc && len)
		rc = mk_fs_data(v, ino, data, len, &mk_in(v, ino)->alloced);
	if (!rc) {
		mk_in(v, ino)->has_stream = len != 0;
		mk_in(v, ino)->size = len;
	}
	return rc;
}
