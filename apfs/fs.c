/* SPDX-License-Identifier: MIT */
/*
 * fs.c - opening a view of a volume's file system, live or at a snapshot.
 * The view only holds the fs-tree descriptor, so it is immutable and safe
 * to share between threads.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "fs_int.h"

/* Opens so far: each open's own number (fs->gen), never 0. */
static _Atomic uint64_t fs_opened;

uint64_t fs_gen_next(void)
{
	return atomic_fetch_add(&fs_opened, 1) + 1;
}

static bool vol_incompat(const struct apfs_volume *v, uint64_t bit)
{
	return (get_le64(v->sb.apfs_incompatible_features) & bit) != 0;
}

struct probe {
	int hashed;  /* -1 unknown, 0 plain, 1 hashed */
};

/* Which key form the root's first directory record has (see probe_drec_form). */
static int probe_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	const uint8_t *kb = k;
	struct probe *p = arg;

	(void)v;
	(void)vl;
	if (!fs_key_drec_of(k, APFS_ROOT_DIR_INO_NUM))
		return 1;
	if (kl > 12 && (ld_le32(kb + 8) & APFS_J_DREC_LEN_MASK) == kl - 12 && !kb[kl - 1])
		p->hashed = 1;
	else if (kl > 10 && ld_le16(kb + 8) == kl - 10 && !kb[kl - 1])
		p->hashed = 0;
	return 1;
}

/*
 * The volume flags say whether directory records are hashed (insensitive
 * volumes) or not, but some writers hash on every volume: trust the
 * records themselves when they are unambiguous.
 */
static void probe_drec_form(struct apfs_fs *fs)
{
	struct probe p = { -1 };
	uint8_t key[8];
	int ret;

	fs_key(key, APFS_ROOT_DIR_INO_NUM, APFS_TYPE_DIR_REC);
	/* In the unhashed order, which a hashed tree's names do not keep: its
	 * leaves are not named as out of order for that (btree.c).  Muted: a
	 * failure here leaves the flags' answer, and the walks that read the
	 * same nodes in the right order name what is wrong with them. */
	fs->tree.cmp = fs_key_cmp_plain;
	fs->tree.cmp_guessed = true;
	apfs_log_mute(true);
	ret = apfs_btree_iterate(&fs->tree, key, sizeof(key), probe_visit, &p);
	apfs_log_mute(false);
	fs->tree.cmp_guessed = false;
	if (ret == 0 &&
	    p.hashed >= 0 && p.hashed != fs->hashed) {
		apfs_info("volume '%s': directory records are %s although the volume flags "
			  "say otherwise", fs->v->name, p.hashed ? "hashed" : "not hashed");
		fs->hashed = p.hashed;
	}
}

/*
 * Check the fs tree's nodes against the seal while reading (btree.c), when
 * the seal is intact: the seal of the state read, named by the superblock
 * that names its tree (the live one, or a snapshot's copy, which may root
 * an older version of the same tree oid).  A broken seal (im_flags,
 * im_broken_xid) no longer vouches for the nodes: `list` says so instead.
 */
static void seal_arm(struct apfs_fs *fs, const struct apfs_superblock *sb)
{
	struct apfs_seal *s = &fs->seal;

	if (!fs->sealed || apfs_sb_seal(fs->v, sb, fs->tree.xid, s) ||
	    (s->flags & APFS_SEAL_BROKEN) || s->broken_xid || !s->hash_len)
		return;
	fs->tree.seal = s;
}

/*
 * The trees of the state sb describes: a sealed state's file extents are
 * in its own fext tree (a snapshot's copy names the one it was taken
 * with; the live one may since have changed) and its seal vouches for it.
 */
static void fs_state_from(struct apfs_fs *fs, const struct apfs_superblock *sb)
{
	fs->sealed = apfs_sb_fexttree(fs->v, sb, &fs->fext);
	seal_arm(fs, sb);
}

/* Point the view at snapshot xid's state: its fs tree, through the volume omap at xid. */
static int fs_snap_state(struct apfs_fs *fs, uint64_t xid)
{
	struct apfs_superblock *sb = malloc(sizeof(*sb));
	int ret = sb ? apfs_snapshot_sb(fs->v, xid, sb) : -ENOMEM;

	if (!ret) {
		fs->tree.root = get_le64(sb->apfs_root_tree_oid);
		fs->tree.xid = xid;
		fs_state_from(fs, sb);
	}
	free(sb);
	return ret;
}

int apfs_fs_seal_verify(struct apfs_fs *fs, uint64_t *nodes, uint64_t *bad)
{
	if (!fs->tree.seal)
		return -ENOENT;
	return apfs_btree_seal_check(&fs->tree, nodes, bad);
}

/**
 * apfs_fs_open - open a read-only view of a volume (see fs.h)
 */
int apfs_fs_open(struct apfs_volume *v, uint64_t snap_xid, struct apfs_fs **out)
{
	struct apfs_fs *fs;
	int ret = 0;

	if (apfs_volume_encrypted(v) && !v->xts) {
		apfs_err("volume '%s' is encrypted and locked", v->name);
		return -APFS_ELOCKED;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->v = v;
	fs->c = v->c;
	fs->gen = fs_gen_next();
	fs->bs = v->c->block_size;
	fs->ci = vol_incompat(v, APFS_INCOMPAT_CASE_INSENSITIVE);
	fs->hashed = fs->ci || vol_incompat(v, APFS_INCOMPAT_NORMALIZATION_INSENSITIVE);
	apfs_volume_fstree(v, &fs->tree);
	if (snap_xid)
		ret = fs_snap_state(fs, snap_xid);
	else
		fs_state_from(fs, &v->sb);
	if (ret) {
		free(fs);
		return ret;
	}
	probe_drec_form(fs);
	fs->tree.cmp = fs->hashed ? apfs_fs_key_cmp : fs_key_cmp_plain;
	if (!fs->hashed)
		fs->resume = fs_resume_new();
	*out = fs;
	return 0;
}

void fs_vol_close(struct apfs_fs *fs)
{
	if (fs)
		fs_resume_free(fs->resume);
	free(fs);
}

