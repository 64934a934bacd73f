/* SPDX-License-Identifier: MIT */
/*
 * volume.c - volume superblocks: open by slot, describe, and install and
 * prove a volume encryption key.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "apfs.h"
#include "cipher/xts.h"

bool apfs_volume_encrypted(const struct apfs_volume *v)
{
	return !(get_le64(v->sb.apfs_fs_flags) & APFS_FS_UNENCRYPTED);
}

bool apfs_volume_hw_encrypted(const struct apfs_volume *v)
{
	/* Per-file keys live in the Secure Enclave: never software-decryptable. */
	return apfs_volume_encrypted(v) && (get_le64(v->sb.apfs_fs_flags) & APFS_FS_PFK);
}

bool apfs_volume_case_insensitive(const struct apfs_volume *v)
{
	return get_le64(v->sb.apfs_incompatible_features) & APFS_INCOMPAT_CASE_INSENSITIVE;
}

const char *apfs_role_name(uint16_t role)
{
	static const struct {
		uint16_t role;
		const char *name;
	} roles[] = {
		{ APFS_VOL_ROLE_SYSTEM, "System" },     { APFS_VOL_ROLE_USER, "User" },
		{ APFS_VOL_ROLE_RECOVERY, "Recovery" }, { APFS_VOL_ROLE_VM, "VM" },
		{ APFS_VOL_ROLE_PREBOOT, "Preboot" },   { APFS_VOL_ROLE_INSTALLER, "Installer" },
		{ APFS_VOL_ROLE_DATA, "Data" },         { APFS_VOL_ROLE_BASEBAND, "Baseband" },
		{ APFS_VOL_ROLE_UPDATE, "Update" },     { APFS_VOL_ROLE_XART, "xART" },
		{ APFS_VOL_ROLE_HARDWARE, "Hardware" }, { APFS_VOL_ROLE_BACKUP, "Backup" },
		{ APFS_VOL_ROLE_ENTERPRISE, "Enterprise" },
		{ APFS_VOL_ROLE_PRELOGIN, "Prelogin" },
	};

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == role)
			return roles[i].name;
	return NULL;
}

static int volume_read_sb(struct apfs_volume *v)
{
	struct apfs_container *c = v->c;
	struct apfs_omap_res r;
	uint8_t *blk = malloc(c->block_size);
	char what[48];
	int ret;

	if (!blk)
		return -ENOMEM;
	snprintf(what, sizeof(what), "volume superblock %u", v->index + 1);
	ret = apfs_omap_lookup(c, get_le64(c->nx.nx_omap_oid), v->oid, c->xid, &r);
	if (!ret)
		ret = apfs_read_object(c, r.paddr, NULL, APFS_OBJECT_TYPE_FS, blk, what);
	if (!ret && ld_le32(blk + 32) != APFS_MAGIC) {
		apfs_err("%s: %s at block %llu lacks the APSB magic", c->label, what,
			 (unsigned long long)r.paddr);
		ret = -APFS_ECORRUPT;
	}
	if (!ret) {
		v->paddr = r.paddr;
		memcpy(&v->sb, blk, sizeof(v->sb));
	}
	free(blk);
	return ret;
}

int apfs_volume_open(struct apfs_container *c, unsigned idx, struct apfs_volume **out)
{
	struct apfs_volume *v;
	int ret;

	if (idx >= APFS_NX_MAX_FILE_SYSTEMS || !get_le64(c->nx.nx_fs_oid[idx]))
		return -ENOENT;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->c = c;
	v->index = idx;
	v->oid = get_le64(c->nx.nx_fs_oid[idx]);
	v->xid = c->xid;
	pthread_mutex_init(&v->key_lock, NULL);
	ret = volume_read_sb(v);
	if (ret) {
		apfs_volume_close(v);
		return ret;
	}
	/* The name is NUL-terminated on disk, but a crafted one may not be. */
	memcpy(v->name, v->sb.apfs_volname, APFS_VOLNAME_LEN);
	v->name[APFS_VOLNAME_LEN] = '\0';
	memcpy(v->uuid, v->sb.apfs_vol_uuid, 16);
	v->omap_paddr = get_le64(v->sb.apfs_omap_oid);
	*out = v;
	return 0;
}

void apfs_volume_close(struct apfs_volume *v)
{
	if (!v)
		return;
	apfs_xts_free(v->xts);
	pthread_mutex_destroy(&v->key_lock);
	free(v);
}

/*
 * The fs tree's keys by object id alone: enough to find its root's form
 * (apfs_btree_index_form), never to walk it (apfs_fs_open sets the key
 * form's comparator first), since one object's records would read as
 * keys out of order in every leaf.
 */
static int fstree_cmp_oid(const void *a, size_t alen, const void *b, size_t blen)
{
	uint64_t x = alen >= 8 ? ld_le64(a) : 0, y = blen >= 8 ? ld_le64(b) : 0;

	return x < y ? -1 : x > y;
}

void apfs_volume_fstree(const struct apfs_volume *v, struct apfs_btree_desc *t)
{
	*t = (struct apfs_btree_desc){
		.c = v->c,
		.root = get_le64(v->sb.apfs_root_tree_oid),
		.subtype = APFS_OBJECT_TYPE_FSTREE,
		.omap_paddr = v->omap_paddr,
		.xid = v->xid,
		.resolve = apfs_omap_lookup,
		.xts = v->xts,
		.cmp = fstree_cmp_oid,
		.what = "file-system tree",
	};
}

bool apfs_sb_fexttree(const struct apfs_volume *v, const struct apfs_superblock *sb,
		      struct apfs_btree_desc *t)
{
	if (!(get_le64(sb->apfs_incompatible_features) & APFS_INCOMPAT_SEALED_VOLUME))
		return false;
	*t = (struct apfs_btree_desc){
		.c = v->c,
		.root = get_le64(sb->apfs_fext_tree_oid),
		.subtype = APFS_OBJECT_TYPE_FEXT_TREE,
		.cmp = apfs_btree_cmp_u64_pair,
		.what = "file-extent tree",
	};
	return true;
}

bool apfs_volume_fexttree(const struct apfs_volume *v, struct apfs_btree_desc *t)
{
	return apfs_sb_fexttree(v, &v->sb, t);
}

static void seal_hash(struct apfs_seal *s)
{
	static const struct { uint32_t type; const char *name; unsigned len; } hashes[] = {
		{ APFS_HASH_SHA256, "SHA-256", 32 }, { APFS_HASH_SHA512_256, "SHA-512/256", 32 },
		{ APFS_HASH_SHA384, "SHA-384", 48 }, { APFS_HASH_SHA512, "SHA-512", 64 },
	};

	s->hash_name = "unknown";
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (hashes[i].type == s->hash_type) {
			s->hash_name = hashes[i].name;
			s->hash_len = hashes[i].len;
		}
}

/*
 * The integrity_meta is a virtual object: a snapshot's is the version its
 * own superblock names at the snapshot's xid, which the live volume may
 * since have replaced (a seal broken by an update staged after it).
 */
int apfs_sb_seal(const struct apfs_volume *v, const struct apfs_superblock *sb, uint64_t xid,
		 struct apfs_seal *s)
{
	uint64_t oid = get_le64(sb->apfs_integrity_meta_oid);
	struct apfs_omap_res r;
	uint8_t *b;
	uint32_t off;
	int ret;

	memset(s, 0, sizeof(*s));
	if (!(get_le64(sb->apfs_incompatible_features) & APFS_INCOMPAT_SEALED_VOLUME) || !oid)
		return -ENOENT;
	ret = apfs_omap_lookup(v->c, v->omap_paddr, oid, xid, &r);
	b = ret ? NULL : malloc(v->c->block_size);
	if (!ret && !b)
		ret = -ENOMEM;
	if (!ret)
		ret = apfs_read_object(v->c, r.paddr, NULL, APFS_OBJECT_TYPE_INTEGRITY_META, b,
				       "integrity metadata");
	if (!ret) {
		s->version = ld_le32(b + APFS_IM_VERSION_OFF);
		s->flags = ld_le32(b + APFS_IM_FLAGS_OFF);
		s->hash_type = ld_le32(b + APFS_IM_HASH_TYPE_OFF);
		s->broken_xid = ld_le64(b + APFS_IM_BROKEN_XID_OFF);
		seal_hash(s);
		off = ld_le32(b + APFS_IM_ROOT_HASH_OFFSET_OFF);
		/* The hash must lie inside the block, past the header. */
		if (off < APFS_IM_BROKEN_XID_OFF + 8 || off > v->c->block_size - s->hash_len)
			s->hash_len = 0;
		else
			memcpy(s->root_hash, b + off, s->hash_len);
	}
	free(b);
	return ret;
}

/*
 * No seal read (ret -ENOENT) from a superblock that shows one: flagged
 * sealed with no integrity metadata, or naming integrity metadata or a
 * file-extent tree unflagged (apfsck holds both to each other).  A seal
 * removed must not pass for a volume that never had one.  Asked only where
 * the seal itself is wanted: a view opens either way (apfs_fs_open).
 */
int apfs_seal_signs(const struct apfs_volume *v, const struct apfs_superblock *sb,
		    uint64_t snap_xid, int ret)
{
	bool flagged = get_le64(sb->apfs_incompatible_features) & APFS_INCOMPAT_SEALED_VOLUME;

	if (ret != -ENOENT || (!flagged && !get_le64(sb->apfs_integrity_meta_oid) &&
			       !get_le64(sb->apfs_fext_tree_oid)))
		return ret;
	apfs_err("%s: volume '%s'%s%.0llu: %s: its seal cannot be read", v->c->label, v->name,
		 snap_xid ? ", snapshot " : "", (unsigned long long)snap_xid,
		 flagged ? "flagged sealed (SEALED_VOLUME), but it names no integrity metadata" :
		 "not flagged sealed, but it names integrity metadata or a file-extent tree (a "
		 "seal removed, or one it once had)");
	return -APFS_ECORRUPT;
}

int apfs_volume_seal(const struct apfs_volume *v, struct apfs_seal *s)
{
	return apfs_seal_signs(v, &v->sb, 0, apfs_sb_seal(v, &v->sb, v->xid, s));
}

/* CoreStorage-converted volumes: key2 = SHA-256(VEK16 || VEK blob UUID)[0..15]. */
static int cs_tweak_key(const uint8_t vek[16], const uint8_t uuid[16], uint8_t key2[16])
{
	uint8_t in[32], md[32];
	unsigned int mdlen = 0;
	int ok;

	memcpy(in, vek, 16);
	memcpy(in + 16, uuid, 16);
	ok = EVP_Digest(in, sizeof(in), md, &mdlen, EVP_sha256(), NULL) == 1;
	memcpy(key2, md, 16);
	OPENSSL_cleanse(in, sizeof(in));
	OPENSSL_cleanse(md, sizeof(md));
	return ok ? 0 : -EIO;
}

/*
 * Prove a key: decrypt the fs-tree root and check checksum, type, subtype
 * and the ROOT flag (docs/apfs-format.md §5.8).  A wrong key gives noise.
 */
static int prove_key(struct apfs_volume *v, struct apfs_xts *xts)
{
	struct apfs_container *c = v->c;
	struct apfs_omap_res r;
	uint8_t *blk = malloc(c->block_size);
	int ret;

	if (!blk)
		return -ENOMEM;
	ret = apfs_omap_lookup(c, v->omap_paddr, get_le64(v->sb.apfs_root_tree_oid), v->xid, &r);
	if (!ret)
		ret = apfs_read_blocks(c, r.paddr, 1, blk, "file-system tree root");
	if (!ret && (r.flags & APFS_OMAP_VAL_ENCRYPTED))
		ret = apfs_xts_decrypt(xts, blk, c->block_size, r.paddr * (c->block_size / 512));
	if (!ret && (!apfs_obj_cksum_ok(blk, c->block_size) ||
		     (ld_le32(blk + 24) & APFS_OBJECT_TYPE_MASK) != APFS_OBJECT_TYPE_BTREE ||
		     ld_le32(blk + 28) != APFS_OBJECT_TYPE_FSTREE ||
		     !(ld_le16(blk + 32) & APFS_BTNODE_ROOT)))
		ret = -APFS_EREJECTED;
	free(blk);
	return ret;
}

int apfs_volume_set_key(struct apfs_volume *v, const uint8_t *vek, size_t len,
			const uint8_t cs_uuid[16])
{
	struct apfs_xts *xts = NULL;
	uint8_t key2[16];
	int ret;

	if (len == 32) {
		memcpy(key2, vek + 16, 16);
	} else if (len == 16 && cs_uuid) {
		ret = cs_tweak_key(vek, cs_uuid, key2);
		if (ret)
			return ret;
	} else {
		return -EINVAL;
	}
	ret = apfs_xts_new(vek, key2, &xts);
	OPENSSL_cleanse(key2, sizeof(key2));
	if (!ret)
		ret = prove_key(v, xts);
	if (ret) {
		apfs_xts_free(xts);
		return ret;
	}
	pthread_mutex_lock(&v->key_lock);
	apfs_xts_free(v->xts);
	v->xts = xts;
	pthread_mutex_unlock(&v->key_lock);
	return 0;
}
