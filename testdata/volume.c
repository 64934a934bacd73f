/* SPDX-License-Identifier: MIT */
/*
 * volume.c - a volume: its fs tree (virtual, encrypted on encrypted
 * volumes; hashed and headerless on sealed ones), its object map, empty
 * extent-reference and snapshot-metadata trees, a sealed volume's fext
 * tree and integrity_meta, and the volume superblock, mapped in the
 * container omap.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>

#include "cipher/xts.h"
#include "mk.h"

static int vol_init(struct mk_vol *v, struct mk_image *img, const char *name, uint16_t role,
		    bool case_insensitive, bool unhashed)
{
	memset(v, 0, sizeof(*v));
	v->img = img;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->role = role;
	v->case_insensitive = case_insensitive;
	v->unhashed = unhashed;
	v->max_extent_blocks = 1ull << 20;
	v->first_paddr = img->next_paddr;
	v->first_xid = img->xid;
	mk_rng_uuid(&img->rng, v->uuid);
	return mk_fs_root(v);
}

int mk_vol_init(struct mk_vol *v, struct mk_image *img, const char *name, uint16_t role,
		bool case_insensitive)
{
	return vol_init(v, img, name, role, case_insensitive, false);
}

int mk_vol_init_unhashed(struct mk_vol *v, struct mk_image *img, const char *name,
			 uint16_t role)
{
	return vol_init(v, img, name, role, false, true);
}

static void vol_free(struct mk_vol *v)
{
	for (size_t i = 0; i < v->nrecs; i++)
		free(v->recs[i].r.k);
	for (size_t i = 0; i < v->ninodes; i++)
		free(v->inodes[i].name);
	free(v->recs);
	free(v->inodes);
	free(v->fext);
	mk_kb_free(v->kb);
	free(v->kb);
	apfs_xts_free(v->xts);
	OPENSSL_cleanse(v->vek, sizeof(v->vek));
	OPENSSL_cleanse(v->kek, sizeof(v->kek));
	v->recs = NULL;
	v->inodes = NULL;
	v->fext = NULL;
}

/* The fs tree; on a sealed volume hash (if not NULL) gets the SHA-256 of its root block. */
static int fs_tree(struct mk_vol *v, struct mk_omap_rec **om, unsigned *nom, uint64_t *root,
		   uint8_t *hash)
{
	struct mk_tree t = { .img = v->img, .subtype = APFS_OBJECT_TYPE_FSTREE,
			     .xts = v->encrypted ? v->xts : NULL, .omap = om, .nomap = nom,
			     .root_oid = v->snap ? v->snap->root : 0, .sealed = v->sealed,
			     .sealed_ref = v->img->sealed_ref,
			     .bt_flags = APFS_BTREE_KV_NONALIGNED | APFS_BTREE_SEQUENTIAL_INSERT |
					 (v->sealed ? APFS_BTREE_HASHED | APFS_BTREE_NOHEADER : 0) };
	struct mk_rec *r;
	int rc;

	qsort(v->recs, v->nrecs, sizeof(*v->recs), mk_fsrec_cmp);
	r = calloc(v->nrecs + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < v->nrecs; i++)
		r[i] = v->recs[i].r;
	rc = mk_btree_build(&t, r, v->nrecs, root);
	if (!rc && hash && v->sealed)
		memcpy(hash, t.root_hash, sizeof(t.root_hash));
	free(r);
	return rc;
}

/* An empty physical tree (extent references, snapshot metadata). */
static int empty_tree(struct mk_image *img, uint32_t subtype, uint64_t *root)
{
	struct mk_tree t = { .img = img, .subtype = subtype, .physical = true,
			     .bt_flags = APFS_BTREE_PHYSICAL | APFS_BTREE_KV_NONALIGNED |
					 APFS_BTREE_SEQUENTIAL_INSERT };

	return mk_btree_build(&t, NULL, 0, root);
}

struct vol_trees {
	uint64_t omap, root, extentref, snapmeta;
	uint64_t integrity, fext;  /* sealed volumes */
};

static void fill_counts(const struct mk_vol *v, struct apfs_superblock *sb)
{
	sb->apfs_next_obj_id = put_le64(v->next_ino);
	sb->apfs_num_files = put_le64(v->nfiles);
	sb->apfs_num_directories = put_le64(v->ndirs);
	sb->apfs_num_symlinks = put_le64(v->nsymlinks);
	/*
	 * Every block the volume owns but its superblock: tree nodes, data,
	 * integrity metadata, and its snapshot's (apfsck "bad block count").
	 * The volume's blocks are [first_paddr, next_paddr - 1) here, the last
	 * one being the superblock just allocated: allocation is in order.
	 */
	uint64_t own = v->img->next_paddr - 1 - v->first_paddr +
		       (v->snap ? v->snap->blocks - v->snap->uncounted : 0);

	sb->apfs_fs_alloc_count = put_le64(own);
	sb->apfs_total_blocks_alloced = put_le64(own);
	sb->apfs_next_doc_id = put_le32(3);
	sb->apfs_num_snapshots = put_le64(v->snap ? 1 : 0);
}

static void fill_sb(const struct mk_vol *v, const struct vol_trees *t, unsigned idx,
		    struct apfs_superblock *sb)
{
	uint32_t tree = APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_BTREE;

	sb->apfs_magic = put_le32(APFS_MAGIC);
	sb->apfs_fs_index = put_le32(idx);
	/*
	 * macOS hashes directory records on every volume it makes and marks a
	 * case-sensitive one normalization-insensitive; readers pick the key
	 * format from these two flags.  Neither: records without a hash.
	 */
	sb->apfs_incompatible_features = put_le64((v->case_insensitive ?
						   APFS_INCOMPAT_CASE_INSENSITIVE :
						   v->unhashed ? 0 :
						   APFS_INCOMPAT_NORMALIZATION_INSENSITIVE) |
						  (v->sealed ? APFS_INCOMPAT_SEALED_VOLUME : 0));
	sb->apfs_unmount_time = put_le64(MK_TIME);
	sb->apfs_root_tree_type = put_le32(APFS_OBJ_VIRTUAL | APFS_OBJECT_TYPE_BTREE);
	sb->apfs_extentref_tree_type = put_le32(tree);
	sb->apfs_snap_meta_tree_type = put_le32(tree);
	sb->apfs_omap_oid = put_le64(t->omap);
	sb->apfs_root_tree_oid = put_le64(t->root);
	sb->apfs_extentref_tree_oid = put_le64(t->extentref);
	sb->apfs_snap_meta_tree_oid = put_le64(t->snapmeta);
	memcpy(sb->apfs_vol_uuid, v->uuid, 16);
	sb->apfs_last_mod_time = put_le64(MK_TIME);
	sb->apfs_fs_flags = put_le64(v->encrypted ? APFS_FS_ONEKEY : APFS_FS_UNENCRYPTED);
	snprintf((char *)sb->apfs_formatted_by.id, APFS_MODIFIED_NAMELEN, "mkimage (apfsinspect)");
	sb->apfs_formatted_by.timestamp = put_le64(MK_TIME);
	/* The transaction the volume was made in (apfsck -w: no block is older). */
	sb->apfs_formatted_by.last_xid = put_le64(v->first_xid);
	snprintf((char *)sb->apfs_volname, APFS_VOLNAME_LEN, "%s", v->name);
	sb->apfs_role = put_le16(v->role);
	/*
	 * A group member: the group's id and VOLGRP_SYSTEM_INO_SPACE, which the
	 * reference requires together (apfsck "volume group" checks).
	 */
	if (v->in_group) {
		sb->apfs_features = put_le64(APFS_FEATURE_VOLGRP_SYSTEM_INO_SPACE);
		memcpy(sb->apfs_volume_group_id, v->group_id, 16);
	}
	if (v->sealed) {
		sb->apfs_integrity_meta_oid = put_le64(t->integrity);
		sb->apfs_fext_tree_oid = put_le64(t->fext);
		sb->apfs_fext_tree_type = put_le32(tree);
	}
	fill_counts(v, sb);
}

static int add_cmap(struct mk_image *img, uint64_t oid, uint64_t paddr)
{
	struct mk_omap_rec *m = realloc(img->cmap, (img->ncmap + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	img->cmap = m;
	m[img->ncmap++] = (struct mk_omap_rec){ oid, paddr, 0, img->xid };
	return 0;
}

static int write_sb(struct mk_vol *v, const struct vol_trees *t)
{
	struct mk_image *img = v->img;
	uint64_t paddr = mk_alloc(img, 1), oid = img->next_oid++;
	struct apfs_superblock *sb;

	if (!paddr || img->nvols >= APFS_NX_MAX_FILE_SYSTEMS)
		return -ENOSPC;
	sb = (struct apfs_superblock *)mk_block(img, paddr);
	fill_sb(v, t, img->nvols, sb);
	mk_obj_hdr(sb, oid, img->xid, APFS_OBJ_VIRTUAL | APFS_OBJECT_TYPE_FS, 0);
	mk_obj_seal(sb, img->bs);
	img->fs_oid[img->nvols++] = oid;
	return add_cmap(img, oid, paddr);
}

/* The snapshot's fs-tree nodes join the volume omap at their older xid. */
static int merge_snap(const struct mk_snap *s, struct mk_omap_rec **om, unsigned *nom)
{
	struct mk_omap_rec *m = realloc(*om, (*nom + s->nom) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	memcpy(m + *nom, s->om, s->nom * sizeof(*m));
	*om = m;
	*nom += s->nom;
	return 0;
}

/**
 * mk_vol_snapshot() - see mk.h.
 * @v: the volume as it is at the snapshot (freed here)
 * @name: snapshot name
 * @s: receives the snapshot
 *
 * A sealed volume's snapshot is sealed on its own: its superblock copy
 * names an integrity_meta (mapped at the snapshot's xid) and a fext tree
 * of its own, as the live state that follows has its own.
 */
int mk_vol_snapshot(struct mk_vol *v, const char *name, struct mk_snap *s)
{
	struct mk_image *img = v->img;
	struct vol_trees t = { 0 };
	struct apfs_superblock *sb;
	uint8_t root_hash[32];
	int rc = mk_fs_emit_inodes(v);

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	/*
	 * A snapshot takes the next inode number (apfsck: its SNAP_METADATA
	 * inum is set and used by no inode of either state).
	 */
	s->inum = v->next_ino++;
	s->xid = img->xid;
	if (!rc)
		rc = fs_tree(v, &s->om, &s->nom, &s->root, root_hash);
	if (!rc && v->sealed)
		rc = mk_integrity_meta(v, root_hash, &s->om, &s->nom, &s->integrity);
	t.integrity = s->integrity;
	if (!rc && v->sealed)
		rc = mk_fext_tree(v, &t.fext);
	if (!rc)
		rc = mk_extentref_tree(v, &s->extentref);
	s->blocks = img->next_paddr - v->first_paddr;
	s->ext = rc ? NULL : malloc((v->nfext + 1) * sizeof(*s->ext));
	for (size_t i = 0; s->ext && i < v->nfext; i++)
		if (v->fext[i].paddr)
			s->ext[s->next++] = v->fext[i];
	if (!rc && !s->ext)
		rc = -ENOMEM;
	s->sb_paddr = rc ? 0 : mk_alloc(img, 1);
	if (!rc && !s->sb_paddr)
		rc = -ENOSPC;
	/*
	 * The superblock copy names only the fs tree (and a sealed state's
	 * seal and fext tree): the snapshot's extent-reference tree is in its
	 * metadata record, and it has no object map or snapshot tree of its
	 * own (apfsck "Snapshot volume superblock: has ..."); readers resolve
	 * its tree through the volume's omap at its xid.
	 */
	if (!rc) {
		t.root = s->root;
		sb = (struct apfs_superblock *)mk_block(img, s->sb_paddr);
		fill_sb(v, &t, img->nvols, sb);
		mk_obj_hdr(sb, s->sb_paddr, s->xid, APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_FS, 0);
		mk_obj_seal(sb, img->bs);
	}
	vol_free(v);
	return rc;
}

/*
 * The snapshot a sealed System volume boots from (docs/macos-boot.md §4),
 * taken of its final state at this transaction: it shares every tree with
 * the live volume, whose superblock and trees then move to the next
 * transaction.  Its superblock copy names the fs tree, a fext tree and
 * the integrity_meta (the seal it boots with); the extent-reference tree
 * holding every extent becomes the snapshot's, and the live volume gets an
 * empty one, having changed nothing since (apfsck counts each extent once
 * per state).
 */
static int boot_snapshot(struct mk_vol *v, const struct vol_trees *live, struct mk_snap *s)
{
	struct mk_image *img = v->img;
	struct vol_trees t = { .root = live->root, .integrity = live->integrity };
	struct apfs_superblock *sb;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", v->boot_snap);
	s->inum = v->next_ino++;
	s->xid = img->xid;
	s->root = live->root;
	rc = mk_extentref_tree(v, &s->extentref);
	/*
	 * A physical tree belongs to one state: apfsck counts its blocks for
	 * each superblock naming it ("A block is used twice"), so the snapshot
	 * has its own copy of the fext tree.
	 */
	if (!rc)
		rc = mk_fext_tree(v, &t.fext);
	s->sb_paddr = rc ? 0 : mk_alloc(img, 1);
	if (!rc && !s->sb_paddr)
		rc = -ENOSPC;
	if (rc)
		return rc;
	sb = (struct apfs_superblock *)mk_block(img, s->sb_paddr);
	fill_sb(v, &t, img->nvols, sb);
	mk_obj_hdr(sb, s->sb_paddr, s->xid, APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_FS, 0);
	mk_obj_seal(sb, img->bs);
	/* Its superblock copy lies among the volume's blocks but is not counted (apfsck). */
	s->uncounted = 1;
	v->snap = s;
	img->xid++;
	return 0;
}

/**
 * mk_vol_finish_streamed() - the rest of a volume whose fs tree, omap tree
 * and extent-reference tree were written as their records came
 * (scen_stream.c): the omap object, an empty snapshot-metadata tree, the
 * superblock and keybags.  Frees v's builder state.
 * @v: the volume (its v->recs are not used)
 * @root: the fs tree's root oid
 * @omap_tree: the omap tree's root block
 * @extentref: the extent-reference tree's root block
 */
int mk_vol_finish_streamed(struct mk_vol *v, uint64_t root, uint64_t omap_tree,
			   uint64_t extentref)
{
	struct vol_trees t = { .root = root, .extentref = extentref };
	int rc = mk_omap_phys(v->img, omap_tree, &t.omap);

	if (!rc)
		rc = empty_tree(v->img, APFS_OBJECT_TYPE_SNAPMETATREE, &t.snapmeta);
	if (!rc)
		rc = write_sb(v, &t);
	if (!rc && v->encrypted)
		rc = mk_vol_keybags(v);
	vol_free(v);
	return rc;
}

/* A volume given up before mk_vol_finish (its filling failed): its builder state freed. */
void mk_vol_discard(struct mk_vol *v)
{
	vol_free(v);
}

/**
 * mk_vol_finish() - write out everything of a volume and free its builder state.
 * @v: the volume, filled with mk_fs_*()
 */
int mk_vol_finish(struct mk_vol *v)
{
	struct mk_omap_rec *om = NULL;
	struct vol_trees t = { 0 };
	struct mk_snap boot;
	uint8_t root_hash[32];
	unsigned nom = 0;
	int rc = mk_fs_emit_inodes(v);

	if (!rc)
		rc = fs_tree(v, &om, &nom, &t.root, root_hash);
	if (!rc && v->sealed)
		rc = mk_integrity_meta(v, root_hash, &om, &nom, &t.integrity);
	if (!rc && v->sealed)
		rc = mk_fext_tree(v, &t.fext);
	if (!rc && v->img->damage == MK_DAMAGE_BTREE_LOOP)
		rc = mk_damage_tree(v->img, t.root, om, nom);
	if (!rc && v->sealed && v->boot_snap[0])
		rc = boot_snapshot(v, &t, &boot);
	else if (!rc && v->snap)
		rc = merge_snap(v->snap, &om, &nom);
	if (!rc)
		rc = mk_omap_build(v->img, om, nom, 0, v->snap ? v->snap->xid : 0, &t.omap);
	if (!rc)
		rc = v->snap == &boot ? empty_tree(v->img, APFS_OBJECT_TYPE_BLOCKREFTREE,
						   &t.extentref) :
					mk_extentref_tree(v, &t.extentref);
	if (!rc)
		rc = v->snap ? mk_snap_meta_tree(v->img, v->snap, &t.snapmeta) :
			       empty_tree(v->img, APFS_OBJECT_TYPE_SNAPMETATREE, &t.snapmeta);
	if (!rc)
		rc = write_sb(v, &t);
	if (!rc && v->encrypted)
		rc = mk_vol_keybags(v);
	free(om);
	vol_free(v);
	return rc;
}

/**
 * mk_vol_finish_snapped() - mk_vol_finish() of a volume's live state after
 * mk_vol_snapshot(), unless rc already says it failed, then free the
 * snapshot's node and extent lists (v->snap's, which outlive the call).
 * @v: the live state, its snap set
 * @rc: how adding its files went
 */
int mk_vol_finish_snapped(struct mk_vol *v, int rc)
{
	struct mk_snap *s = v->snap;

	rc = rc ? rc : mk_vol_finish(v);
	free(s->om);
	free(s->ext);
	s->om = NULL;
	s->ext = NULL;
	return rc;
}
