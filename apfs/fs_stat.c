/* SPDX-License-Identifier: MIT */
/*
 * fs_stat.c - the stat view of an inode record (fs_inode.c): its fields,
 * times, the size a compressed file reads as (decmpfs.c), a symlink's
 * target length (fs_xattr.c) and whether it is a firmlink.
 */
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_int.h"

static void stat_times(const struct apfs_j_inode_val *r, struct apfs_stat *st)
{
	st->crtime = get_le64(r->create_time);
	st->mtime = get_le64(r->mod_time);
	st->ctime = get_le64(r->change_time);
	st->atime = get_le64(r->access_time);
}

/* Size and compression: decmpfs files report their uncompressed size. */
static int stat_size(struct apfs_fs *fs, const struct fs_inode *in, struct apfs_stat *st)
{
	uint64_t csize;
	uint32_t type;
	int ret;

	if (in->has_dstream) {
		st->size = get_le64(in->dstream.size);
		st->alloced = get_le64(in->dstream.alloced_size);
	}
	if (S_ISLNK(st->mode)) {
		char buf[APFS_NAME_MAX * 4];

		/* its target's record lost (named): the other attributes are still given */
		ret = fs_vol_readlink(fs, in->ino, buf, sizeof(buf));
		if (!ret)
			st->size = strlen(buf);
		st->partial = ret == -APFS_ECORRUPT;
		return ret == -EINVAL || ret == -APFS_ECORRUPT ? 0 : ret;
	}
	if (!(st->bsd_flags & APFS_UF_COMPRESSED) || !S_ISREG(st->mode))
		return 0;
	ret = fs_decmpfs_info(fs, in->ino, &type, &csize);
	/* none: a record lost, named; the size is the data stream's, as macOS gives it */
	if (ret == -ENODATA) {
		st->partial = fs_xattr_absent(fs, in->ino, APFS_XATTR_DECMPFS) == -APFS_ECORRUPT;
		return 0;
	}
	if (!ret && type) {
		st->compression = type;
		st->size = csize;
	}
	return ret;
}

/* Why a search failed, for a warning that stands in for its held-back message. */
static const char *search_failure(int err)
{
	switch (-err) {
	case APFS_ECORRUPT: return "it met a damaged node";
	case APFS_EBADCSUM: return "a node's checksum is wrong";
	case APFS_ETRUNC: return "a node lies past the end of the truncated image";
	default: return apfs_strerror(err);
	}
}

/*
 * Inodes named by stat_firmlink's warning, a volume: one damaged leaf fails
 * the search for each of its some hundred inodes, and a mount asks again at
 * each getattr; the first are named, then once that more are not.
 */
#define FIRMLINK_UNKNOWN_NAMED 16

/* The warning that ino's firmlink state is not known (err: why), capped. */
static void firmlink_unknown(struct apfs_fs *fs, uint64_t ino, int err)
{
	unsigned n = atomic_fetch_add(&fs->firmlink_unknown, 1);

	if (n < FIRMLINK_UNKNOWN_NAMED)
		apfs_warn("%s: volume '%s': inode %llu: whether it is a firmlink is not known (the "
			  "search for its %s attribute failed: %s): shown as none", fs->c->label,
			  fs->v->name, (unsigned long long)ino, APFS_XATTR_FIRMLINK,
			  search_failure(err));
	else if (n == FIRMLINK_UNKNOWN_NAMED)
		apfs_warn("%s: volume '%s': further inodes whose firmlink state is not known are "
			  "shown as none and not named", fs->c->label, fs->v->name);
}

/*
 * Whether ino is a firmlink: it has the com.apple.fs.firmlink attribute.
 * A search for it that fails (a node whose keys stray, what it lost not
 * found traded elsewhere, btree.c; a bad node where the search went on to
 * the next leaf) is not the inode's failure: its own record was read.  The
 * search's message is held back and the inode shown as no firmlink under a
 * warning that says so, as a listing warns of a node and goes on: else
 * `ls -l` printed an error a file and ended 0, or failed each file whose
 * leaf met the damage.  Only a want of memory fails the stat.
 */
static int stat_firmlink(struct apfs_fs *fs, uint64_t ino, struct apfs_stat *st)
{
	int ret;

	apfs_log_mute(true);
	ret = fs_xattr_has(fs, ino, APFS_XATTR_FIRMLINK);
	apfs_log_mute(false);
	st->firmlink = !ret;
	if (ret && ret != -ENOENT && ret != -ENOMEM)
		firmlink_unknown(fs, ino, ret);
	return ret == -ENOMEM ? ret : 0;
}

/**
 * fs_vol_stat - the attributes of an inode (see fs.h)
 */
int fs_vol_stat(struct apfs_fs *fs, uint64_t ino, struct apfs_stat *st)
{
	struct fs_inode in;
	int ret = fs_inode_get(fs, ino, &in);

	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	st->ino = ino;
	st->parent_id = get_le64(in.raw.parent_id);
	st->private_id = get_le64(in.raw.private_id);
	st->mode = get_le16(in.raw.mode);
	st->uid = get_le32(in.raw.owner);
	st->gid = get_le32(in.raw.group);
	st->bsd_flags = get_le32(in.raw.bsd_flags);
	st->internal_flags = get_le64(in.raw.internal_flags);
	st->rdev = in.rdev;
	stat_times(&in.raw, st);
	if (S_ISDIR(st->mode)) {
		st->nchildren = get_le32(in.raw.nchildren_or_nlink);
		st->nlink = (uint32_t)(st->nchildren + 2 < UINT32_MAX ? st->nchildren + 2 : UINT32_MAX);
	} else {
		st->nlink = get_le32(in.raw.nchildren_or_nlink);
	}
	if ((ret = stat_firmlink(fs, ino, st)))
		return ret;
	return stat_size(fs, &in, st);
}
