/* SPDX-License-Identifier: MIT */
/*
 * volume_sb.c - what a volume superblock records beyond apfsi_volume_info:
 * its raw flag words, block counts, times, the software that formatted and
 * modified it, and a sealed volume's seal.  The ids are char[32] that a
 * crafted image need not terminate: copied with a NUL at open.
 */
#include <string.h>

#include "util/bytes.h"
#include "internal.h"

static void copy_id(char out[APFS_MODIFIED_NAMELEN + 1], const struct apfs_modified_by *m)
{
	memcpy(out, m->id, APFS_MODIFIED_NAMELEN);
	out[APFS_MODIFIED_NAMELEN] = '\0';
}

void apfsi_volume_note_ids(struct apfsi_volume *vol)
{
	const struct apfs_volume *v = vol->v;

	copy_id(vol->formatted_by, &v->sb.apfs_formatted_by);
	for (unsigned i = 0; i < APFS_MAX_HIST; i++)
		copy_id(vol->modified_by[i], &v->sb.apfs_modified_by[i]);
}

static unsigned history_count(const struct apfsi_volume *vol)
{
	unsigned n = 0;

	for (unsigned i = 0; i < APFS_MAX_HIST; i++)
		n += vol->modified_by[i][0] != '\0';
	return n;
}

static void fill_sb(const struct apfsi_volume *vol, struct apfsi_volume_superblock *sb)
{
	const struct apfs_volume *v = vol->v;
	const struct apfs_superblock *s = &v->sb;

	sb->block = v->paddr;
	sb->fs_index = get_le32(s->apfs_fs_index);
	sb->role = get_le16(s->apfs_role);
	sb->fs_flags = get_le64(s->apfs_fs_flags);
	sb->incompatible_features = get_le64(s->apfs_incompatible_features);
	sb->compatible_features = get_le64(s->apfs_features);
	sb->readonly_compatible_features = get_le64(s->apfs_readonly_compatible_features);
	sb->alloc_blocks = get_le64(s->apfs_fs_alloc_count);
	sb->quota_blocks = get_le64(s->apfs_fs_quota_block_count);
	sb->reserve_blocks = get_le64(s->apfs_fs_reserve_block_count);
	sb->block_size = v->c->block_size;
	sb->encryption_rolling = get_le64(s->apfs_er_state_oid) != 0;
	sb->formatted_by = vol->formatted_by;
	sb->created = (int64_t)get_le64(s->apfs_formatted_by.timestamp);
	sb->last_modified = (int64_t)get_le64(s->apfs_last_mod_time);
	sb->last_unmounted = (int64_t)get_le64(s->apfs_unmount_time);
	sb->modified_by = history_count(vol);
}

int apfsi_volume_superblock(apfsi_volume *vol, struct apfsi_volume_superblock *sb)
{
	apfsi_enter();
	if (!vol || !sb)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_superblock: vol and sb are "
				  "required");
	memset(sb, 0, sizeof(*sb));
	fill_sb(vol, sb);
	return APFSI_OK;
}

int apfsi_volume_modified_by(apfsi_volume *vol, unsigned i, struct apfsi_modified_by *m)
{
	apfsi_enter();
	if (!vol || !m)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_modified_by: vol and m are "
				  "required");
	/* The i-th entry that names software: empty slots are skipped, as `list` does. */
	for (unsigned k = 0, seen = 0; k < APFS_MAX_HIST; k++) {
		const struct apfs_modified_by *e = &vol->v->sb.apfs_modified_by[k];

		if (!vol->modified_by[k][0] || seen++ != i)
			continue;
		memset(m, 0, sizeof(*m));
		m->id = vol->modified_by[k];
		m->time = (int64_t)get_le64(e->timestamp);
		m->last_xid = get_le64(e->last_xid);
		return APFSI_OK;
	}
	return apfsi_fail(APFSI_ERR_NOT_FOUND, "modified_by entry %u: the volume has %u", i,
			  history_count(vol));
}

/*
 * The index-value layout of the fs tree rooted at root (the live one's, or
 * a snapshot's at xid), or NULL when it cannot be read (locked).
 */
static const char *index_form(struct apfs_volume *v, uint64_t root, uint64_t xid)
{
	struct apfs_btree_desc t;
	const char *form = NULL;
	bool locked;

	pthread_mutex_lock(&v->key_lock);
	locked = apfs_volume_encrypted(v) && !v->xts;
	pthread_mutex_unlock(&v->key_lock);
	if (locked)
		return NULL;
	apfs_volume_fstree(v, &t);
	t.root = root;
	t.xid = xid;
	return apfs_btree_index_form(&t, &form) ? NULL : form;
}

static void seal_info(const struct apfs_seal *s, struct apfsi_seal_info *seal)
{
	memset(seal, 0, sizeof(*seal));
	seal->hash_type = s->hash_type;
	seal->hash_name = s->hash_name;
	memcpy(seal->root_hash, s->root_hash, sizeof(seal->root_hash));
	seal->hash_len = s->hash_len <= sizeof(seal->root_hash) ? s->hash_len : 0;
	seal->broken_xid = s->broken_xid;
	seal->intact = s->broken_xid == 0 && !(s->flags & APFS_SEAL_BROKEN);
}

int apfsi_volume_seal(apfsi_volume *vol, struct apfsi_seal_info *seal)
{
	struct apfs_seal s;
	int ret;

	apfsi_enter();
	if (seal)
		memset(seal, 0, sizeof(*seal));
	if (!vol || !seal)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_seal: vol and seal are required");
	ret = apfs_volume_seal(vol->v, &s);
	if (ret)
		return apfsi_fail_errno(ret, "volume seal");
	seal_info(&s, seal);
	seal->index_values = index_form(vol->v, get_le64(vol->v->sb.apfs_root_tree_oid),
					vol->v->xid);
	return APFSI_OK;
}

int apfsi_snapshot_seal(apfsi_volume *vol, uint64_t xid, struct apfsi_seal_info *seal)
{
	struct apfs_seal s;
	uint64_t root;
	int ret;

	apfsi_enter();
	if (seal)
		memset(seal, 0, sizeof(*seal));
	if (!vol || !seal || !xid)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_snapshot_seal: vol, a snapshot's xid "
				  "and seal are required");
	ret = apfs_snapshot_seal(vol->v, xid, &s, &root);
	if (ret == -ENOENT)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s': snapshot %llu is not sealed, "
				  "or not there", vol->v->name, (unsigned long long)xid);
	if (ret)
		return apfsi_fail_errno(ret, "snapshot seal");
	seal_info(&s, seal);
	seal->index_values = index_form(vol->v, root, xid);
	return APFSI_OK;
}
