/* SPDX-License-Identifier: MIT */
/*
 * raw.h - APFS on-disk structures, named as in Apple's "Apple File System
 * Reference" (2020-06-22).  Offsets are checked with _Static_assert against
 * the fact sheet (docs/apfs-format.md), which corrects the libfsapfs
 * asciidoc where it is wrong.  All fields are little-endian.
 */
#ifndef APFS_RAW_H
#define APFS_RAW_H

#include <stddef.h>

#include "util/bytes.h"
#include "image/gpt.h" /* the GPT structures, for the generator */

#define APFS_CHECK(type, field, off) \
	_Static_assert(offsetof(type, field) == (off), #type "." #field)

/* ---- objects ------------------------------------------------------------ */

struct apfs_obj_phys {
	le64_t o_cksum;
	le64_t o_oid;
	le64_t o_xid;
	le32_t o_type;
	le32_t o_subtype;
};
_Static_assert(sizeof(struct apfs_obj_phys) == 32, "obj_phys_t");

#define APFS_OBJECT_TYPE_MASK 0x0000ffffu
#define APFS_OBJECT_TYPE_FLAGS_MASK 0xffff0000u
#define APFS_OBJ_VIRTUAL 0x00000000u
#define APFS_OBJ_EPHEMERAL 0x80000000u
#define APFS_OBJ_PHYSICAL 0x40000000u
#define APFS_OBJ_NOHEADER 0x20000000u
#define APFS_OBJ_ENCRYPTED 0x10000000u
#define APFS_OBJ_NONPERSISTENT 0x08000000u

#define APFS_OBJECT_TYPE_NX_SUPERBLOCK 0x01
#define APFS_OBJECT_TYPE_BTREE 0x02
#define APFS_OBJECT_TYPE_BTREE_NODE 0x03
#define APFS_OBJECT_TYPE_SPACEMAN 0x05
#define APFS_OBJECT_TYPE_SPACEMAN_CAB 0x06
#define APFS_OBJECT_TYPE_SPACEMAN_CIB 0x07
#define APFS_OBJECT_TYPE_SPACEMAN_BITMAP 0x08
#define APFS_OBJECT_TYPE_OMAP 0x0b
#define APFS_OBJECT_TYPE_CHECKPOINT_MAP 0x0c
#define APFS_OBJECT_TYPE_FS 0x0d
#define APFS_OBJECT_TYPE_FSTREE 0x0e
#define APFS_OBJECT_TYPE_BLOCKREFTREE 0x0f
#define APFS_OBJECT_TYPE_SNAPMETATREE 0x10
#define APFS_OBJECT_TYPE_NX_REAPER 0x11
#define APFS_OBJECT_TYPE_OMAP_SNAPSHOT 0x13
#define APFS_OBJECT_TYPE_INTEGRITY_META 0x1e
#define APFS_OBJECT_TYPE_FEXT_TREE 0x1f
/* Keybags use a whole 32-bit ASCII type with no storage flags. */
#define APFS_OBJECT_TYPE_CONTAINER_KEYBAG 0x6b657973u /* 'keys' */
#define APFS_OBJECT_TYPE_VOLUME_KEYBAG 0x72656373u    /* 'recs' */

/* ---- container superblock ---------------------------------------------- */

#define APFS_NX_MAGIC 0x4253584eu /* 'NXSB' */
#define APFS_NX_MAX_FILE_SYSTEMS 100
#define APFS_NX_MIN_BLOCK_SIZE 4096
#define APFS_NX_MAX_BLOCK_SIZE 65536
#define APFS_NX_CRYPTO_SW 0x4ull
#define APFS_NX_INCOMPAT_FUSION 0x100ull

struct apfs_prange {
	le64_t pr_start_paddr;
	le64_t pr_block_count;
};

struct apfs_nx_superblock {
	struct apfs_obj_phys nx_o;
	le32_t nx_magic;
	le32_t nx_block_size;
	le64_t nx_block_count;
	le64_t nx_features;
	le64_t nx_readonly_compatible_features;
	le64_t nx_incompatible_features;
	uint8_t nx_uuid[16];
	le64_t nx_next_oid;
	le64_t nx_next_xid;
	le32_t nx_xp_desc_blocks;
	le32_t nx_xp_data_blocks;
	le64_t nx_xp_desc_base;
	le64_t nx_xp_data_base;
	le32_t nx_xp_desc_next;
	le32_t nx_xp_data_next;
	le32_t nx_xp_desc_index;
	le32_t nx_xp_desc_len;
	le32_t nx_xp_data_index;
	le32_t nx_xp_data_len;
	le64_t nx_spaceman_oid;
	le64_t nx_omap_oid;
	le64_t nx_reaper_oid;
	le32_t nx_test_type;
	le32_t nx_max_file_systems;
	le64_t nx_fs_oid[APFS_NX_MAX_FILE_SYSTEMS];
	le64_t nx_counters[32];
	struct apfs_prange nx_blocked_out_prange;
	le64_t nx_evict_mapping_tree_oid;
	le64_t nx_flags;
	le64_t nx_efi_jumpstart;
	uint8_t nx_fusion_uuid[16];
	struct apfs_prange nx_keylocker;
	le64_t nx_ephemeral_info[4];
	le64_t nx_test_oid;
	le64_t nx_fusion_mt_oid;
	le64_t nx_fusion_wbc_oid;
	struct apfs_prange nx_fusion_wbc;
	le64_t nx_newest_mounted_version;
	struct apfs_prange nx_mkb_locker;
};
APFS_CHECK(struct apfs_nx_superblock, nx_magic, 32);
APFS_CHECK(struct apfs_nx_superblock, nx_uuid, 72);
APFS_CHECK(struct apfs_nx_superblock, nx_xp_desc_blocks, 104);
APFS_CHECK(struct apfs_nx_superblock, nx_spaceman_oid, 152);
APFS_CHECK(struct apfs_nx_superblock, nx_omap_oid, 160);
APFS_CHECK(struct apfs_nx_superblock, nx_fs_oid, 184);
APFS_CHECK(struct apfs_nx_superblock, nx_counters, 984);
APFS_CHECK(struct apfs_nx_superblock, nx_evict_mapping_tree_oid, 1256);
APFS_CHECK(struct apfs_nx_superblock, nx_flags, 1264);
APFS_CHECK(struct apfs_nx_superblock, nx_keylocker, 1296);
APFS_CHECK(struct apfs_nx_superblock, nx_newest_mounted_version, 1384);
APFS_CHECK(struct apfs_nx_superblock, nx_mkb_locker, 1392);
_Static_assert(sizeof(struct apfs_nx_superblock) == 1408, "nx_superblock_t");

#define APFS_XP_NONCONTIG 0x80000000u

struct apfs_checkpoint_mapping {
	le32_t cpm_type;
	le32_t cpm_subtype;
	le32_t cpm_size;
	le32_t cpm_pad;
	le64_t cpm_fs_oid;
	le64_t cpm_oid;
	le64_t cpm_paddr;
};
_Static_assert(sizeof(struct apfs_checkpoint_mapping) == 40, "checkpoint_mapping_t");

struct apfs_checkpoint_map_phys {
	struct apfs_obj_phys cpm_o;
	le32_t cpm_flags;
	le32_t cpm_count;
	struct apfs_checkpoint_mapping cpm_map[];
};
#define APFS_CHECKPOINT_MAP_LAST 0x1u

/* ---- object map --------------------------------------------------------- */

struct apfs_omap_phys {
	struct apfs_obj_phys om_o;
	le32_t om_flags;
	le32_t om_snap_count;
	le32_t om_tree_type;
	le32_t om_snapshot_tree_type;
	le64_t om_tree_oid;
	le64_t om_snapshot_tree_oid;
	le64_t om_most_recent_snap;
	le64_t om_pending_revert_min;
	le64_t om_pending_revert_max;
};
APFS_CHECK(struct apfs_omap_phys, om_tree_oid, 48);
_Static_assert(sizeof(struct apfs_omap_phys) == 88, "omap_phys_t");

#define APFS_OMAP_MANUALLY_MANAGED 0x1u
#define APFS_OMAP_ENCRYPTING 0x2u
#define APFS_OMAP_DECRYPTING 0x4u
#define APFS_OMAP_KEYROLLING 0x8u
#define APFS_OMAP_CRYPTO_GENERATION 0x10u

struct apfs_omap_key {
	le64_t ok_oid;
	le64_t ok_xid;
};

struct apfs_omap_val {
	le32_t ov_flags;
	le32_t ov_size;
	le64_t ov_paddr;
};

#define APFS_OMAP_VAL_DELETED 0x1u
#define APFS_OMAP_VAL_SAVED 0x2u
#define APFS_OMAP_VAL_ENCRYPTED 0x4u
#define APFS_OMAP_VAL_NOHEADER 0x8u
#define APFS_OMAP_VAL_CRYPTO_GENERATION 0x10u

struct apfs_omap_snapshot {
	le32_t oms_flags;
	le32_t oms_pad;
	le64_t oms_oid;
};

/* ---- B-trees ------------------------------------------------------------ */

struct apfs_nloc {
	le16_t off;
	le16_t len;
};

struct apfs_btree_node_phys {
	struct apfs_obj_phys btn_o;
	le16_t btn_flags;
	le16_t btn_level;
	le32_t btn_nkeys;
	struct apfs_nloc btn_table_space;
	struct apfs_nloc btn_free_space;
	struct apfs_nloc btn_key_free_list;
	struct apfs_nloc btn_val_free_list;
	uint8_t btn_data[];
};
APFS_CHECK(struct apfs_btree_node_phys, btn_data, 56);

#define APFS_BTNODE_ROOT 0x1u
#define APFS_BTNODE_LEAF 0x2u
#define APFS_BTNODE_FIXED_KV_SIZE 0x4u
#define APFS_BTNODE_HASHED 0x8u
#define APFS_BTNODE_NOHEADER 0x10u
#define APFS_BTOFF_INVALID 0xffffu

struct apfs_btree_info {
	le32_t bt_flags;
	le32_t bt_node_size;
	le32_t bt_key_size;
	le32_t bt_val_size;
	le32_t bt_longest_key;
	le32_t bt_longest_val;
	le64_t bt_key_count;
	le64_t bt_node_count;
};
_Static_assert(sizeof(struct apfs_btree_info) == 40, "btree_info_t");

#define APFS_BTREE_UINT64_KEYS 0x1u
#define APFS_BTREE_SEQUENTIAL_INSERT 0x2u
#define APFS_BTREE_ALLOW_GHOSTS 0x4u
#define APFS_BTREE_EPHEMERAL 0x8u
#define APFS_BTREE_PHYSICAL 0x10u
#define APFS_BTREE_NONPERSISTENT 0x20u
#define APFS_BTREE_KV_NONALIGNED 0x40u
#define APFS_BTREE_HASHED 0x80u
#define APFS_BTREE_NOHEADER 0x100u

struct apfs_kvloc {
	struct apfs_nloc k;
	struct apfs_nloc v;
};

struct apfs_kvoff {
	le16_t k;
	le16_t v;
};

/* ---- volume superblock -------------------------------------------------- */

#define APFS_MAGIC 0x42535041u /* 'APSB' */
#define APFS_MODIFIED_NAMELEN 32
#define APFS_MAX_HIST 8
#define APFS_VOLNAME_LEN 256

struct apfs_modified_by {
	uint8_t id[APFS_MODIFIED_NAMELEN];
	le64_t timestamp;
	le64_t last_xid;
};

struct apfs_wrapped_meta_crypto_state {
	le16_t major_version;
	le16_t minor_version;
	le32_t cpflags;
	le32_t persistent_class;
	le32_t key_os_version;
	le16_t key_revision;
	le16_t unused;
};

struct apfs_superblock {
	struct apfs_obj_phys apfs_o;
	le32_t apfs_magic;
	le32_t apfs_fs_index;
	le64_t apfs_features;
	le64_t apfs_readonly_compatible_features;
	le64_t apfs_incompatible_features;
	le64_t apfs_unmount_time;
	le64_t apfs_fs_reserve_block_count;
	le64_t apfs_fs_quota_block_count;
	le64_t apfs_fs_alloc_count;
	struct apfs_wrapped_meta_crypto_state apfs_meta_crypto;
	le32_t apfs_root_tree_type;
	le32_t apfs_extentref_tree_type;
	le32_t apfs_snap_meta_tree_type;
	le64_t apfs_omap_oid;
	le64_t apfs_root_tree_oid;
	le64_t apfs_extentref_tree_oid;
	le64_t apfs_snap_meta_tree_oid;
	le64_t apfs_revert_to_xid;
	le64_t apfs_revert_to_sblock_oid;
	le64_t apfs_next_obj_id;
	le64_t apfs_num_files;
	le64_t apfs_num_directories;
	le64_t apfs_num_symlinks;
	le64_t apfs_num_other_fsobjects;
	le64_t apfs_num_snapshots;
	le64_t apfs_total_blocks_alloced;
	le64_t apfs_total_blocks_freed;
	uint8_t apfs_vol_uuid[16];
	le64_t apfs_last_mod_time;
	le64_t apfs_fs_flags;
	struct apfs_modified_by apfs_formatted_by;
	struct apfs_modified_by apfs_modified_by[APFS_MAX_HIST];
	uint8_t apfs_volname[APFS_VOLNAME_LEN];
	le32_t apfs_next_doc_id;
	le16_t apfs_role;
	le16_t reserved;
	le64_t apfs_root_to_xid;
	le64_t apfs_er_state_oid;
	le64_t apfs_cloneinfo_id_epoch;
	le64_t apfs_cloneinfo_xid;
	le64_t apfs_snap_meta_ext_oid;
	uint8_t apfs_volume_group_id[16];
	le64_t apfs_integrity_meta_oid;
	le64_t apfs_fext_tree_oid;
	le32_t apfs_fext_tree_type;
	le32_t reserved_type;
	le64_t reserved_oid;
};
APFS_CHECK(struct apfs_superblock, apfs_meta_crypto, 96);
APFS_CHECK(struct apfs_superblock, apfs_omap_oid, 128);
APFS_CHECK(struct apfs_superblock, apfs_root_tree_oid, 136);
APFS_CHECK(struct apfs_superblock, apfs_num_files, 184);
APFS_CHECK(struct apfs_superblock, apfs_vol_uuid, 240);
APFS_CHECK(struct apfs_superblock, apfs_fs_flags, 264);
APFS_CHECK(struct apfs_superblock, apfs_formatted_by, 272);
APFS_CHECK(struct apfs_superblock, apfs_volname, 704);
APFS_CHECK(struct apfs_superblock, apfs_role, 964);
APFS_CHECK(struct apfs_superblock, apfs_volume_group_id, 1008);
APFS_CHECK(struct apfs_superblock, apfs_fext_tree_oid, 1032);
_Static_assert(sizeof(struct apfs_superblock) == 1056, "apfs_superblock_t");

#define APFS_FS_UNENCRYPTED 0x1ull
#define APFS_FS_ONEKEY 0x8ull
#define APFS_FS_SPILLEDOVER 0x10ull
#define APFS_FS_PFK 0x100ull /* per-file keys: hardware/iOS style */

#define APFS_INCOMPAT_CASE_INSENSITIVE 0x1ull
#define APFS_INCOMPAT_DATALESS_SNAPS 0x2ull
#define APFS_INCOMPAT_ENC_ROLLED 0x4ull
#define APFS_INCOMPAT_NORMALIZATION_INSENSITIVE 0x8ull
#define APFS_INCOMPAT_INCOMPLETE_RESTORE 0x10ull
#define APFS_INCOMPAT_SEALED_VOLUME 0x20ull

/* integrity_meta_phys_t (sealed volumes), after its obj_phys_t. */
#define APFS_IM_VERSION_OFF 32
#define APFS_IM_FLAGS_OFF 36
#define APFS_IM_HASH_TYPE_OFF 40
#define APFS_IM_ROOT_HASH_OFFSET_OFF 44
#define APFS_IM_BROKEN_XID_OFF 48
#define APFS_SEAL_BROKEN 0x1u  /* im_flags */
#define APFS_HASH_SHA256 1
#define APFS_HASH_SHA512_256 2
#define APFS_HASH_SHA384 3
#define APFS_HASH_SHA512 4

#define APFS_VOL_ROLE_NONE 0x0000
#define APFS_VOL_ROLE_SYSTEM 0x0001
#define APFS_VOL_ROLE_USER 0x0002
#define APFS_VOL_ROLE_RECOVERY 0x0004
#define APFS_VOL_ROLE_VM 0x0008
#define APFS_VOL_ROLE_PREBOOT 0x0010
#define APFS_VOL_ROLE_INSTALLER 0x0020
#define APFS_VOL_ROLE_DATA 0x0040
#define APFS_VOL_ROLE_BASEBAND 0x0080
#define APFS_VOL_ROLE_UPDATE 0x00c0
#define APFS_VOL_ROLE_XART 0x0100
#define APFS_VOL_ROLE_HARDWARE 0x0140
#define APFS_VOL_ROLE_BACKUP 0x0180
#define APFS_VOL_ROLE_ENTERPRISE 0x0240
#define APFS_VOL_ROLE_PRELOGIN 0x02c0

/* ---- keybags ------------------------------------------------------------ */

#define APFS_KEYBAG_VERSION 2
#define APFS_VOL_KEYBAG_ENTRY_MAX_SIZE 512

struct apfs_kb_locker {
	le16_t kl_version;
	le16_t kl_nkeys;
	le32_t kl_nbytes;
	uint8_t padding[8];
	/* kl_entries follow */
};
_Static_assert(sizeof(struct apfs_kb_locker) == 16, "kb_locker_t");

struct apfs_keybag_entry {
	uint8_t ke_uuid[16];
	le16_t ke_tag;
	le16_t ke_keylen;
	uint8_t padding[4];
	/* ke_keydata follows */
};
_Static_assert(sizeof(struct apfs_keybag_entry) == 24, "keybag_entry_t");

enum {
	KB_TAG_UNKNOWN = 0,
	KB_TAG_RESERVED_1 = 1,
	KB_TAG_VOLUME_KEY = 2,
	KB_TAG_VOLUME_UNLOCK_RECORDS = 3,
	KB_TAG_VOLUME_PASSPHRASE_HINT = 4,
	KB_TAG_WRAPPING_M_KEY = 5,
	KB_TAG_VOLUME_M_KEY = 6,
	KB_TAG_RESERVED_F8 = 0xf8,
};

/* ---- file-system records ------------------------------------------------ */

#define APFS_OBJ_ID_MASK 0x0fffffffffffffffull
#define APFS_OBJ_TYPE_MASK 0xf000000000000000ull
#define APFS_OBJ_TYPE_SHIFT 60

enum {
	APFS_TYPE_ANY = 0,
	APFS_TYPE_SNAP_METADATA = 1,
	APFS_TYPE_EXTENT = 2,
	APFS_TYPE_INODE = 3,
	APFS_TYPE_XATTR = 4,
	APFS_TYPE_SIBLING_LINK = 5,
	APFS_TYPE_DSTREAM_ID = 6,
	APFS_TYPE_CRYPTO_STATE = 7,
	APFS_TYPE_FILE_EXTENT = 8,
	APFS_TYPE_DIR_REC = 9,
	APFS_TYPE_DIR_STATS = 10,
	APFS_TYPE_SNAP_NAME = 11,
	APFS_TYPE_SIBLING_MAP = 12,
	APFS_TYPE_FILE_INFO = 13,
};

/*
 * j_file_info_key_t.info_and_lba: the kind in the top 8 bits, an address
 * (a sealed file's logical byte offset: docs/macos-boot.md §4) below;
 * j_file_data_hash_val_t: hashed_len (u16, blocks), hash_size (u8), hash.
 */
#define APFS_FILE_INFO_LBA_MASK 0x00ffffffffffffffULL
#define APFS_FILE_INFO_TYPE_SHIFT 56
#define APFS_FILE_INFO_DATA_HASH 1

#define APFS_ROOT_DIR_PARENT 1
#define APFS_ROOT_DIR_INO_NUM 2
#define APFS_PRIV_DIR_INO_NUM 3
#define APFS_SNAP_DIR_INO_NUM 6
#define APFS_PURGEABLE_DIR_INO_NUM 7
#define APFS_MIN_USER_INO_NUM 16

struct apfs_j_key {
	le64_t obj_id_and_type;
};

struct apfs_j_inode_val {
	le64_t parent_id;
	le64_t private_id;
	le64_t create_time;
	le64_t mod_time;
	le64_t change_time;
	le64_t access_time;
	le64_t internal_flags;
	le32_t nchildren_or_nlink;
	le32_t default_protection_class;
	le32_t write_generation_counter;
	le32_t bsd_flags;
	le32_t owner;
	le32_t group;
	le16_t mode;
	le16_t pad1;
	le64_t uncompressed_size;
	/* xfields follow */
};
_Static_assert(sizeof(struct apfs_j_inode_val) == 92, "j_inode_val_t");

struct apfs_j_drec_hashed_key {
	struct apfs_j_key hdr;
	le32_t name_len_and_hash;
	/* name follows */
};
#define APFS_J_DREC_LEN_MASK 0x000003ffu
#define APFS_J_DREC_HASH_MASK 0xfffffc00u
#define APFS_J_DREC_HASH_SHIFT 10

struct apfs_j_drec_val {
	le64_t file_id;
	le64_t date_added;
	le16_t flags;
	/* xfields follow */
};
_Static_assert(sizeof(struct apfs_j_drec_val) == 18, "j_drec_val_t");
#define APFS_DREC_TYPE_MASK 0x000f

struct apfs_j_xattr_key {
	struct apfs_j_key hdr;
	le16_t name_len;
	/* name follows */
};

struct apfs_j_xattr_val {
	le16_t flags;
	le16_t xdata_len;
	/* xdata follows */
};
#define APFS_XATTR_DATA_STREAM 0x1u
#define APFS_XATTR_DATA_EMBEDDED 0x2u
#define APFS_XATTR_FILE_SYSTEM_OWNED 0x4u
#define APFS_XATTR_RESERVED_8 0x8u
#define APFS_XATTR_MAX_EMBEDDED_SIZE 3804

struct apfs_j_file_extent_key {
	struct apfs_j_key hdr;
	le64_t logical_addr;
};

struct apfs_j_file_extent_val {
	le64_t len_and_flags;
	le64_t phys_block_num;
	le64_t crypto_id;
};
#define APFS_J_FILE_EXTENT_LEN_MASK 0x00ffffffffffffffull

struct apfs_j_dstream_id_val {
	le32_t refcnt;
};

struct apfs_j_dstream {
	le64_t size;
	le64_t alloced_size;
	le64_t default_crypto_id;
	le64_t total_bytes_written;
	le64_t total_bytes_read;
};

struct apfs_j_xattr_dstream {
	le64_t xattr_obj_id;
	struct apfs_j_dstream dstream;
};

struct apfs_j_sibling_key {
	struct apfs_j_key hdr;
	le64_t sibling_id;
};

struct apfs_j_sibling_val {
	le64_t parent_id;
	le16_t name_len;
	/* name follows */
};

struct apfs_j_sibling_map_val {
	le64_t file_id;
};

struct apfs_j_snap_metadata_val {
	le64_t extentref_tree_oid;
	le64_t sblock_oid;
	le64_t create_time;
	le64_t change_time;
	le64_t inum;
	le32_t extentref_tree_type;
	le32_t flags;
	le16_t name_len;
	/* name follows */
};

struct apfs_j_snap_name_key {
	struct apfs_j_key hdr;
	le16_t name_len;
	/* name follows */
};

struct apfs_j_snap_name_val {
	le64_t snap_xid;
};

struct apfs_j_dir_stats_val {
	le64_t num_children;
	le64_t total_size;
	le64_t chained_key;
	le64_t gen_count;
};

struct apfs_j_crypto_val {
	le32_t refcnt;
	/* wrapped_crypto_state_t follows */
};

struct apfs_xf_blob {
	le16_t xf_num_exts;
	le16_t xf_used_data;
	/* x_field_t[xf_num_exts], then data */
};

struct apfs_x_field {
	uint8_t x_type;
	uint8_t x_flags;
	le16_t x_size;
};

enum {
	APFS_DREC_EXT_TYPE_SIBLING_ID = 1,
	APFS_INO_EXT_TYPE_SNAP_XID = 1,
	APFS_INO_EXT_TYPE_DELTA_TREE_OID = 2,
	APFS_INO_EXT_TYPE_DOCUMENT_ID = 3,
	APFS_INO_EXT_TYPE_NAME = 4,
	APFS_INO_EXT_TYPE_PREV_FSIZE = 5,
	APFS_INO_EXT_TYPE_FINDER_INFO = 7,
	APFS_INO_EXT_TYPE_DSTREAM = 8,
	APFS_INO_EXT_TYPE_DIR_STATS_KEY = 10,
	APFS_INO_EXT_TYPE_FS_UUID = 11,
	APFS_INO_EXT_TYPE_SPARSE_BYTES = 13,
	APFS_INO_EXT_TYPE_RDEV = 14,
	APFS_INO_EXT_TYPE_PURGEABLE_FLAGS = 15,
	APFS_INO_EXT_TYPE_ORIG_SYNC_ROOT_ID = 16,
};

#define APFS_XF_DATA_DEPENDENT 0x01
#define APFS_XF_DO_NOT_COPY 0x02
#define APFS_XF_RESERVED_4 0x04
#define APFS_XF_CHILDREN_INHERIT 0x08
#define APFS_XF_USER_FIELD 0x10
#define APFS_XF_SYSTEM_FIELD 0x20

/* j_inode_flags, Apple's reference (apfsprogs raw.h has the same values). */
#define APFS_INODE_IS_APFS_PRIVATE 0x1ull
#define APFS_INODE_MAINTAIN_DIR_STATS 0x2ull
#define APFS_INODE_DIR_STATS_ORIGIN 0x4ull
#define APFS_INODE_WAS_CLONED 0x10ull
#define APFS_INODE_HAS_SECURITY_EA 0x40ull
#define APFS_INODE_BEING_TRUNCATED 0x80ull
#define APFS_INODE_HAS_RSRC_FORK 0x4000ull
#define APFS_INODE_NO_RSRC_FORK 0x8000ull
#define APFS_INODE_HAS_UNCOMPRESSED_SIZE 0x40000ull
#define APFS_INODE_IS_SPARSE 0x200ull
#define APFS_INODE_WAS_EVER_CLONED 0x400ull

#define APFS_UF_COMPRESSED 0x20u
#define APFS_SF_DATALESS 0x40000000u  /* its data is elsewhere (iCloud): no extents */

#endif
