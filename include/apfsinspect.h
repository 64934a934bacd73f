/* SPDX-License-Identifier: MIT */
/*
 * apfsinspect.h - the public interface of libapfsinspect: open a disk image
 * read-only (raw, DMG/UDIF, sparse image or bundle, encrypted image, E01,
 * VMDK, VHD(X), QCOW2, split sets), find its APFS containers, volumes and
 * snapshots, list the crypto users of an encrypted volume, unlock it with a
 * password, a recovery key or a raw volume key, and read its file system.
 *
 * This is the only header a program using the library includes.  No on-disk
 * structure appears in it: handles are opaque, and what they describe comes
 * out in the plain structs below.
 *
 * RULES
 *
 * Errors.  Every function that can fail returns an int: APFSI_OK (0) or one
 * of enum apfsi_error (positive).  The message of the last failure on the
 * calling thread - naming the structure and the block where the image is at
 * fault ("fs tree of volume 'Data': node 0x1234: bad checksum") - is
 * apfsi_last_message(); it stays until the next failing call on that thread.
 * Warnings and errors as they are found also go to the log callback
 * (apfsi_set_log), nowhere by default.
 *
 * Ownership.  Every handle comes from one *_open (or apfsi_image_volume,
 * which lends a handle owned by the image) and is released by the matching
 * *_close.  A handle must outlive everything opened from it: close files and
 * directory iterators before their file system, file systems before their
 * volume's image.  Strings and arrays in the structs the library fills point
 * into the handle they came from and stay valid until it is closed (or, for
 * apfsi_dir_next, until the next call on that iterator).
 *
 * Text.  Names, hints and paths are UTF-8 bytes exactly as the image stores
 * them, NUL-terminated.  They are untrusted data: they may hold newlines,
 * terminal escapes or bytes that are not UTF-8.  Escape them for whatever
 * output you write; the library never does.
 *
 * Threads.  Every function may be called from several threads at once on the
 * same handles, except that a *_close must be the last call on its handle
 * and must not race with other calls on it, and an apfsi_dir iterator is
 * used by one thread at a time.  apfsi_file_pread is positional and
 * thread-safe on one handle; a read of 2 MiB or more of a file's data is
 * split among the calling thread and the file system's helper threads (one
 * per other core, started by its first such read, ended by apfsi_fs_close).
 * apfsi_volume_unlock* use a worker thread per core (or as many as asked)
 * and return when they are done.
 *
 * Blocking.  Every call that reads the image blocks on its I/O.  Unlocking
 * costs one PBKDF2 per user tried and candidate (0.1-1 s each on real
 * records): use the progress callback to show it and to cancel.  Nothing
 * else waits on anything but the image.
 *
 * Evidence.  Nothing is ever written to the image or beside it.  Damaged or
 * hostile images give errors (APFSI_ERR_CORRUPT and its kin), never a crash
 * or an endless loop; every walk is bounded by what the image holds.
 *
 * Secrets.  Passwords and keys given to the library are copied into locked
 * memory, wiped after use and never logged.  Key bytes come out only from
 * apfsi_volume_key(), which exists for the callers who ask for them by name.
 *
 * Stability.  Within one SONAME (libapfsinspect.so.APFSI_ABI_VERSION) the
 * functions and enum values only grow, and the structs only grow into their
 * reserved[] fields (which the library zeroes), a whole 8-byte slot at a
 * time, so that no struct changes size on any target (a bool or an
 * unsigned alone would, where uint64_t is 4-byte aligned).  APFSI_VERSION is the
 * release; apfsi_version() the release of the library actually loaded.
 */
#ifndef APFSINSPECT_H
#define APFSINSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APFSI_ABI_VERSION 1

/* The release this header belongs to; and apfsi_version(), the loaded one's. */
#define APFSI_VERSION "0.9.0"
const char *apfsi_version(void);

/* ---- errors ------------------------------------------------------------- */

enum apfsi_error {
	APFSI_OK = 0,
	APFSI_ERR_NOMEM,            /* out of memory */
	APFSI_ERR_IO,               /* reading the image (or a file of its set) failed */
	APFSI_ERR_TRUNCATED,        /* a block lies past the end of a truncated image */
	APFSI_ERR_CORRUPT,          /* a damaged or inconsistent structure (named in the message) */
	APFSI_ERR_NOT_APFS,         /* the image holds no APFS container */
	APFSI_ERR_UNSUPPORTED,      /* a format, feature or compression not supported */
	APFSI_ERR_INVALID,          /* a bad argument (NULL handle, bad selector syntax...) */
	APFSI_ERR_NOT_FOUND,        /* no such volume, snapshot, path, user or attribute */
	APFSI_ERR_AMBIGUOUS,        /* a volume selector matches several volumes */
	APFSI_ERR_NOT_DIR,          /* a path component or the target is not a directory */
	APFSI_ERR_IS_DIR,           /* file data asked of a directory */
	APFSI_ERR_NOT_LINK,         /* readlink of what is not a symbolic link */
	APFSI_ERR_LOOP,             /* a directory cycle in the image */
	APFSI_ERR_NAME_TOO_LONG,    /* a path or name longer than the buffer or APFS allows */
	APFSI_ERR_LOCKED,           /* the volume is encrypted and not unlocked */
	APFSI_ERR_WRONG_CREDENTIAL, /* the credential fits no crypto user that could take it */
	APFSI_ERR_HW_BOUND,         /* the only fitting users' keys are bound to the Mac's SEP */
	APFSI_ERR_NO_USER,          /* no crypto user can be unlocked with this kind of credential */
	APFSI_ERR_IMAGE_LOCKED,     /* an encrypted image needs its passphrase (none or wrong) */
	APFSI_ERR_CANCELLED,        /* a progress callback asked to stop */
	/* a listing (or a diff) gave every entry (change) it could find, and reached its
	 * end; records that may hold others are missing: nodes that could not be read, a
	 * directory holding fewer entries than its inode counts... (each named in a message) */
	APFSI_ERR_INCOMPLETE,
};

/* A short fixed text for an error code ("damaged structure"). */
const char *apfsi_strerror(int err);

/* The message of the calling thread's last failure ("" if none yet). */
const char *apfsi_last_message(void);

enum apfsi_log_level { APFSI_LOG_ERROR, APFSI_LOG_WARNING, APFSI_LOG_INFO, APFSI_LOG_DEBUG };

/*
 * Where the library's warnings and errors go as they are found: fn(level,
 * message, arg) for each up to max_level, from any thread (fn must be
 * thread-safe).  fn NULL: nowhere (the default).  Process-wide.
 */
typedef void (*apfsi_log_fn)(int level, const char *message, void *arg);
void apfsi_set_log(apfsi_log_fn fn, int max_level, void *arg);

/* ---- images ------------------------------------------------------------- */

typedef struct apfsi_image apfsi_image;
typedef struct apfsi_volume apfsi_volume;
typedef struct apfsi_fs apfsi_fs;
typedef struct apfsi_file apfsi_file;
typedef struct apfsi_dir apfsi_dir;
struct apfsi_dirent;

/*
 * The passphrase of an encrypted image (an encrypted DMG or sparse bundle,
 * not an APFS volume): called when the image layer needs one, attempt 0, 1,
 * ...; write it to buf (at most cap bytes), set *len, return 0; nonzero: no
 * (more) passphrase.  The library wipes buf after use.
 */
typedef int (*apfsi_passphrase_fn)(void *arg, const char *image, unsigned attempt, char *buf,
				   size_t cap, size_t *len);

struct apfsi_open_options {
	const char *format;          /* NULL: detect; else "raw", "dmg", "sparsebundle", "e01"... */
	bool at_offset;              /* open one container at offset (no partition map) */
	uint64_t offset;
	uint64_t checkpoint_xid;     /* 0: the newest valid checkpoint; else exactly this one */
	apfsi_passphrase_fn passphrase; /* NULL: an encrypted image fails with IMAGE_LOCKED */
	void *passphrase_arg;
	uint64_t flags;              /* APFSI_OPEN_* */
	uint64_t reserved[7];
};

enum {
	/*
	 * An image in which no APFS container opens still opens, with no
	 * containers (apfsi_image_info's first_error says why): its layers can
	 * be listed, read and checked against the hashes they store - evidence
	 * of another disk, or of a damaged one.
	 */
	APFSI_OPEN_WITHOUT_APFS = 1 << 0,
};

/*
 * Open an image (a file, or a sparse bundle's directory) read-only; opts may
 * be NULL.  Containers and volumes that are damaged are skipped, with the
 * reason in the log and apfsi_image_info's first_error; the open fails only
 * when none opens.
 */
int apfsi_image_open(const char *path, const struct apfsi_open_options *opts,
		     apfsi_image **out);
void apfsi_image_close(apfsi_image *img);

struct apfsi_image_info {
	uint64_t size;              /* bytes of the (decoded) disk */
	const char *format;         /* the outermost layer: "raw", "udif", "sparsebundle"... */
	const char *chain;          /* every layer, outermost first: "e01 > gpt" */
	unsigned containers, volumes;
	int first_error;            /* APFSI_OK, or why a container or volume was skipped */
	uint32_t sector_size;       /* of the GPT the containers were found in; 0: no GPT */
	unsigned layers;            /* container formats opened: apfsi_image_layer */
	unsigned skipped;           /* containers and volumes found but skipped (first_error) */
	unsigned reserved32;
	uint64_t reserved[6];
};
int apfsi_image_info(const apfsi_image *img, struct apfsi_image_info *info);

/*
 * One layer of the image's chain, outermost first (i < info.layers): what
 * `list` prints as "E01 (3 segments, 4.0 GiB, MD5 stored)", and the hashes
 * the format records of all its bytes (E01's MD5/SHA1) for a caller that
 * checks them.
 */
struct apfsi_layer_info {
	const char *kind;           /* "raw", "udif", "e01", "sparsebundle"... */
	const char *description;    /* one line: format, segments, size, hashes stored */
	uint64_t size;              /* bytes this layer presents to the one inside it */
	unsigned stored_hashes;     /* apfsi_image_layer_hash: 0..n-1 */
	uint64_t reserved[8];
};
int apfsi_image_layer(const apfsi_image *img, unsigned i, struct apfsi_layer_info *info);

struct apfsi_stored_hash {
	const char *name;           /* "MD5", "SHA1" (OpenSSL digest names) */
	const uint8_t *value;       /* len bytes */
	size_t len;
	uint64_t reserved[4];
};
int apfsi_image_layer_hash(const apfsi_image *img, unsigned layer, unsigned i,
			   struct apfsi_stored_hash *hash);

/*
 * Up to len bytes of layer i's data (what it presents to the layer inside
 * it, info.size bytes: an E01's media, a DMG's decoded disk) at off into
 * buf; *got is short only at its end.  Positional and thread-safe: for a
 * caller that hashes a layer to check it against its stored hashes.
 */
int apfsi_image_layer_read(apfsi_image *img, unsigned i, uint64_t off, void *buf, size_t len,
			   size_t *got);

struct apfsi_container_info {
	uint8_t uuid[16];
	uint64_t offset;            /* of block 0 in the image, bytes */
	uint32_t block_size;
	uint64_t block_count, blocks_present; /* present < count: a truncated image */
	uint64_t xid;               /* of the checkpoint in use */
	unsigned volumes;           /* volumes of this container that opened */
	unsigned checkpoints;       /* superblocks in the checkpoint area: apfsi_container_checkpoint */
	uint64_t superblock_block;  /* the superblock in use (container block number) */
	unsigned gpt_entry;         /* 1-based GPT entry it was found in; 0: none (at an offset) */
	const char *partition_type; /* "Apple_APFS", "Apple_APFS_ISC"...; NULL without a GPT entry */
	bool software_crypto;       /* NX_CRYPTO_SW: volumes encrypted in software, not by a SEP */
	bool fusion;                /* a Fusion container (nx_fusion_uuid set) */
	uint64_t reserved[4];
};
int apfsi_container_info(const apfsi_image *img, unsigned index,
			 struct apfsi_container_info *info);

/*
 * The superblocks found in a container's checkpoint descriptor area (i <
 * info.checkpoints), in the area's order: an examiner's view of older
 * states, each openable with apfsi_open_options.checkpoint_xid.
 */
struct apfsi_checkpoint_info {
	uint64_t xid;
	uint64_t block;             /* container block of this superblock */
	bool valid;                 /* magic and checksum good */
	bool in_use;                /* the one this image was opened at */
	uint64_t reserved[4];
};
int apfsi_container_checkpoint(const apfsi_image *img, unsigned container, unsigned i,
			       struct apfsi_checkpoint_info *info);

/* ---- volumes ------------------------------------------------------------ */

/* The index-th volume (0-based, across all containers), lent by img. */
int apfsi_image_volume(apfsi_image *img, unsigned index, apfsi_volume **out);

/*
 * The volume a selector names, as the CLI's --volume: its number (1-based),
 * name, UUID or role ("Data", "System", "Preboot", case-insensitive), or
 * "group" (the System volume of the image's only volume group); NULL
 * chooses the default (the one Data volume, else the one encrypted volume,
 * else the only volume).  APFSI_ERR_NOT_FOUND or APFSI_ERR_AMBIGUOUS
 * otherwise.
 */
int apfsi_image_select_volume(apfsi_image *img, const char *selector, apfsi_volume **out);

struct apfsi_volume_info {
	unsigned number;            /* 1-based across the image (the CLI's --volume N) */
	unsigned container;         /* index for apfsi_container_info */
	unsigned fs_index;          /* slot in its container */
	const char *name;
	uint8_t uuid[16];
	const char *role;           /* "Data", "System", ... or "None" */
	bool has_group;             /* a member of a volume group (System + Data of one macOS) */
	uint8_t group_uuid[16];
	bool case_insensitive;
	bool encrypted;             /* FileVault: a volume key, crypto users */
	bool hardware_encrypted;    /* per-file keys only (iOS style): no crypto users to unlock */
	bool locked;                /* encrypted and not unlocked */
	bool sealed;                /* a signed system volume */
	uint64_t files, directories, symlinks, snapshots; /* the superblock's counts */
	uint64_t bytes_used;
	uint64_t xid;
	/* These two took reserved[0]: a whole 8-byte slot, on 32-bit targets too. */
	bool per_file_keys;         /* of hardware_encrypted: per-file keys (APFS_FS_PFK), no VEK at all */
	bool software_crypto;       /* its container encrypts in software (NX_CRYPTO_SW) */
	uint8_t reserved_bytes[6];
	uint64_t reserved[7];
};
int apfsi_volume_info(apfsi_volume *vol, struct apfsi_volume_info *info);

/*
 * What the volume superblock records beyond apfsi_volume_info, as it is
 * stored (for an examiner, and for `list --json`): raw flag words, the
 * software that formatted and last modified the volume, its times.
 */
struct apfsi_volume_superblock {
	uint64_t block;             /* container block of the volume superblock */
	uint32_t fs_index;          /* apfs_fs_index as the superblock records it */
	uint16_t role;              /* apfs_role (0: none); names in apfsi_volume_info.role */
	uint64_t fs_flags;          /* APFS_FS_* */
	uint64_t incompatible_features, compatible_features, readonly_compatible_features;
	uint64_t alloc_blocks, quota_blocks, reserve_blocks; /* in container blocks */
	uint32_t block_size;        /* the container's, for the counts above */
	bool encryption_rolling;    /* an encryption-rolling state object: FileVault being turned on/off */
	const char *formatted_by;   /* apfs_formatted_by.id ("newfs_apfs (2332.101.1)") */
	int64_t created;            /* apfs_formatted_by.timestamp, ns since 1970 UTC (0: none) */
	int64_t last_modified, last_unmounted; /* apfs_last_mod_time, apfs_unmount_time */
	unsigned modified_by;       /* apfsi_volume_modified_by: entries that name software */
	uint64_t reserved[8];
};
int apfsi_volume_superblock(apfsi_volume *vol, struct apfsi_volume_superblock *sb);

/* The i-th apfs_modified_by entry that names software, in stored order (i < sb.modified_by). */
struct apfsi_modified_by {
	const char *id;             /* "apfs_kext (2332.101.1)" */
	int64_t time;               /* ns since 1970 UTC (0: none) */
	uint64_t last_xid;
	uint64_t reserved[2];
};
int apfsi_volume_modified_by(apfsi_volume *vol, unsigned i, struct apfsi_modified_by *m);

/*
 * The seal of a sealed (signed system) volume: APFSI_ERR_NOT_FOUND when the
 * volume is not sealed.  index_values is the fs tree's index-value layout
 * ("relative", "absolute", "leaf"), NULL when the tree cannot be read (a
 * locked volume).
 */
struct apfsi_seal_info {
	uint32_t hash_type;         /* APFS_HASH_* as stored */
	const char *hash_name;      /* "SHA-256", "SHA-384"... or "unknown" */
	uint8_t root_hash[64];      /* the fs-tree root's hash: hash_len bytes */
	unsigned hash_len;
	uint64_t broken_xid;        /* nonzero: the seal was broken in that transaction */
	bool intact;                /* not broken (neither broken_xid nor the broken flag) */
	const char *index_values;
	uint64_t reserved[8];
};
int apfsi_volume_seal(apfsi_volume *vol, struct apfsi_seal_info *seal);
/*
 * The seal of snapshot xid (apfsi_volume_snapshot), as its own superblock
 * copy names it: NOT_FOUND when that state was not sealed or there is no
 * such snapshot.  macOS 11+ boots from such a snapshot of the System
 * volume; index_values is the snapshot's tree's.
 */
int apfsi_snapshot_seal(apfsi_volume *vol, uint64_t xid, struct apfsi_seal_info *seal);

struct apfsi_snapshot_info {
	uint64_t xid;
	int64_t create_time, change_time;  /* ns since 1970 UTC */
	const char *name;
	uint64_t reserved[4];
};

/*
 * The snapshots, oldest first: *n of them; info[i] for i < n.  INCOMPLETE
 * (with *n and info as found) where the snapshot metadata tree holds fewer
 * than the volume counts: records of it are missing, named in the message
 * log; a snapshot not found by name or xid is then INCOMPLETE too.
 */
int apfsi_volume_snapshot_count(apfsi_volume *vol, unsigned *n);
int apfsi_volume_snapshot(apfsi_volume *vol, unsigned i, struct apfsi_snapshot_info *info);

/* ---- crypto users ------------------------------------------------------- */

enum apfsi_user_type {
	APFSI_USER_LOCAL_OPEN_DIRECTORY,
	APFSI_USER_PERSONAL_RECOVERY,
	APFSI_USER_ICLOUD_RECOVERY,
	APFSI_USER_ICLOUD_RECOVERY_EXTERNAL,
	APFSI_USER_INSTITUTIONAL_RECOVERY,
	APFSI_USER_INSTITUTIONAL_RECOVERY_EXTERNAL,
	APFSI_USER_MDM_BOOTSTRAP_TOKEN_EXTERNAL,
	APFSI_USER_DISK,
};

struct apfsi_user_info {
	uint8_t uuid[16];
	enum apfsi_user_type type;
	const char *type_name;      /* diskutil's "Type:" text ("Local Open Directory User") */
	const char *hint;           /* the keybag's password hint, or NULL */
	/* Who the user is, from the image's user records (NULL when not recorded). */
	const char *short_name, *full_name;
	int admin;                  /* -1 not recorded, 0 no, 1 yes */
	bool parsed;                /* the key record parsed; else parse_error says why */
	const char *parse_error;
	bool hardware_bound;        /* the key needs the Mac's Secure Enclave */
	bool offline_unlockable;    /* a password or recovery key can unlock it here */
	uint64_t pbkdf2_iterations; /* 0 without PBKDF2 parameters */
	uint64_t keybag_block;      /* where its record is (volume keybag block, entry) */
	unsigned keybag_entry;
	const char *hash_line;      /* hashcat 18300/16700 line, or NULL when not crackable */
	const char *plist_type;     /* diskutil -plist's APFSCryptoUserType ("LocalOpenDirectory") */
	unsigned hash_mode;         /* hashcat mode of hash_line: 18300, 16700 (CoreStorage 128-bit) */
	bool damaged;               /* not parsed, or PBKDF2 iterations outside 1..APFSI_MAX_PBKDF2_ITERATIONS */
	uint64_t reserved[6];
};

/* More PBKDF2 iterations than this in a record: damaged or crafted, never tried. */
#define APFSI_MAX_PBKDF2_ITERATIONS 10000000ull

/*
 * The crypto users of an encrypted volume (its volume keybag, with names
 * from Preboot's user databases and, once unlocked, the volume's own user
 * records).  APFSI_ERR_NOT_FOUND for a volume without a keybag.
 */
int apfsi_volume_user_count(apfsi_volume *vol, unsigned *n);
int apfsi_volume_user(apfsi_volume *vol, unsigned i, struct apfsi_user_info *info);

/*
 * User i's UUID and type from the volume keybag alone: no user database is
 * read (apfsi_volume_user adds their names, and reads them again once the
 * volume is unlocked), so this stays cheap after an unlock.
 */
int apfsi_volume_user_id(apfsi_volume *vol, unsigned i, uint8_t uuid[16],
			 enum apfsi_user_type *type);
/* diskutil's "Type:" text of a user type ("Local Open Directory User"); "unknown" for none. */
const char *apfsi_user_type_name(enum apfsi_user_type type);

/* ---- crypto users: the keybags in detail -------------------------------- */

/* A wrapped key's HMAC (the blob's own integrity check). */
enum apfsi_hmac { APFSI_HMAC_ABSENT, APFSI_HMAC_OK, APFSI_HMAC_MISMATCH };

/*
 * A wrapped key as a keybag stores it (its DER blob): a user's KEK, or the
 * volume's VEK in the container keybag.  No key bytes: only what describes
 * them, as `listcryptousers --json` shows it.
 */
struct apfsi_key_blob {
	uint8_t uuid[16];           /* the blob's own UUID */
	uint32_t flags;             /* the metadata's first word, little-endian */
	char flags_text[96];        /* "hardware-bound,CoreStorage-128,SEP-identifier" or "none" */
	uint8_t metadata[22];       /* metadata_len (8 or 22) bytes as stored */
	size_t metadata_len;
	size_t wrapped_len;         /* bytes of the wrapped key (24 or 40) */
	enum apfsi_hmac hmac;
	bool has_kdf;               /* PBKDF2 parameters present (a KEK that a secret unwraps) */
	uint64_t iterations;
	uint8_t salt[32];           /* salt_len bytes */
	size_t salt_len;
	uint64_t reserved[8];
};

/* User i's KEK blob; APFSI_ERR_CORRUPT when its record did not parse (info.parse_error). */
int apfsi_volume_user_key(apfsi_volume *vol, unsigned i, struct apfsi_key_blob *blob);

/* Where an encrypted volume's keys are: its container keybag and its volume keybag. */
struct apfsi_keybags {
	uint64_t container_block, container_blocks; /* the container keybag's extent */
	bool container_plaintext;   /* stored unencrypted (as a new container's may be) */
	bool has_vek;               /* the container keybag holds the volume's VEK */
	unsigned vek_entry;         /* its entry number there */
	uint64_t volume_block, volume_blocks; /* the volume keybag (the users' KEKs) */
	bool volume_plaintext;
	uint64_t reserved[8];
};
int apfsi_volume_keybags(apfsi_volume *vol, struct apfsi_keybags *kb);
/* The VEK's blob in the container keybag; APFSI_ERR_NOT_FOUND without one. */
int apfsi_volume_vek_blob(apfsi_volume *vol, struct apfsi_key_blob *blob);

/*
 * Who the image says user i is, with every field the user databases hold
 * (Preboot's CryptoUserInfo/AllUsersInfo plists, the volume's dslocal
 * records once it is readable) and the files that said so.  Fields the
 * files disagree on are left unset and flagged in conflicts.
 * APFSI_ERR_NOT_FOUND when no file names the user.
 */
enum {
	APFSI_NAME_SHORT = 1 << 0, APFSI_NAME_FULL = 1 << 1, APFSI_NAME_HINT = 1 << 2,
	APFSI_NAME_ADMIN = 1 << 3, APFSI_NAME_UID = 1 << 4, APFSI_NAME_TYPE = 1 << 5,
};

struct apfsi_user_names {
	const char *short_name, *full_name; /* NULL when not recorded */
	const char *hint;           /* the user record's password hint (not the keybag's) */
	const char *od_user_type;   /* Open Directory's user type, as recorded */
	int admin;                  /* -1 not recorded, 0 no, 1 yes */
	bool has_uid;
	int64_t uid;
	bool picture;               /* a non-empty picture is recorded */
	unsigned sources;           /* apfsi_volume_user_name_source: 0..n-1 */
	unsigned conflicts;         /* APFSI_NAME_* fields the files disagreed on */
	uint64_t reserved[8];
};
int apfsi_volume_user_names(apfsi_volume *vol, unsigned i, struct apfsi_user_names *names);
/* The k-th file that names user i ("Preboot:/<UUID>/var/db/AllUsersInfo.plist"). */
int apfsi_volume_user_name_source(apfsi_volume *vol, unsigned i, unsigned k, const char **source);

/*
 * The user databases read for vol's names: every file, and every warning
 * (a file that could not be used, files that disagree, a user no file
 * names).  The warnings also go to the log when they are found.
 */
struct apfsi_name_db_info {
	unsigned sources, warnings;
	uint64_t reserved[4];
};
int apfsi_volume_name_db(apfsi_volume *vol, struct apfsi_name_db_info *info);
int apfsi_volume_name_db_source(apfsi_volume *vol, unsigned i, const char **source);
int apfsi_volume_name_db_warning(apfsi_volume *vol, unsigned i, const char **warning);

/* ---- unlocking ---------------------------------------------------------- */

enum apfsi_credential {
	APFSI_CRED_PASSWORD,        /* a user's login password */
	APFSI_CRED_RECOVERY_KEY,    /* the Personal Recovery Key, with or without dashes */
	APFSI_CRED_VOLUME_KEY,      /* the raw VEK: 16 or 32 bytes */
};

/*
 * How far an unlock got, as a value: which user took the credential, or why
 * each user that was not tried was passed over.
 */
struct apfsi_unlock_result {
	int user;                   /* index for apfsi_volume_user, or -1 */
	size_t candidate;           /* which candidate matched (dictionary unlocks) */
	unsigned tried;             /* users the credential was tried on */
	unsigned hardware_bound;    /* users passed over: key bound to the original Mac */
	unsigned unusable;          /* passed over: not unlockable offline (iCloud, no KDF) */
	unsigned damaged;           /* passed over: damaged record or absurd iteration count */
	uint64_t reserved[8];
};

/*
 * Progress of a dictionary unlock: done of total candidate tries (each a
 * PBKDF2); return nonzero to stop (APFSI_ERR_CANCELLED).  From any thread,
 * at most a few times a second.
 */
typedef int (*apfsi_progress_fn)(uint64_t done, uint64_t total, void *arg);

/*
 * Unlock flags.  APFSI_UNLOCK_NO_KEY_COPY: keep no copy of the volume key
 * for apfsi_volume_key (which then fails with APFSI_ERR_NOT_FOUND), so
 * that the key is nowhere in memory but the cipher's key schedule: for a
 * process that never asks for key bytes.
 */
enum { APFSI_UNLOCK_NO_KEY_COPY = 1 << 0 };

struct apfsi_unlock_options {
	const uint8_t *user_uuid;   /* NULL: every user the kind can fit; else only this one */
	unsigned threads;           /* 0: one per core */
	apfsi_progress_fn progress;
	void *progress_arg;
	uint64_t flags;             /* APFSI_UNLOCK_* (reserved[0] once: 8 bytes on every target) */
	uint64_t reserved[7];
};

/*
 * Unlock vol with one secret of kind kind (opts may be NULL).  APFSI_OK:
 * the volume reads from now on, by every apfsi_fs opened on it.  Else
 * APFSI_ERR_WRONG_CREDENTIAL, HW_BOUND, NO_USER, NOT_FOUND (the volume is
 * not encrypted, or user_uuid is no user), CORRUPT...; *res says which user
 * fitted or why none could (user -1 when none did, also for a bad argument).
 */
int apfsi_volume_unlock(apfsi_volume *vol, enum apfsi_credential kind, const void *secret,
			size_t len, const struct apfsi_unlock_options *opts,
			struct apfsi_unlock_result *res);

/*
 * A dictionary: n candidate passwords, tried on every user that takes a
 * password (or only opts->user_uuid), several candidates per core at once
 * (SIMD PBKDF2).  res->candidate is the index of the one that fitted.
 */
int apfsi_volume_unlock_candidates(apfsi_volume *vol, const char *const *candidates,
				   const size_t *lens, size_t n,
				   const struct apfsi_unlock_options *opts,
				   struct apfsi_unlock_result *res);

/*
 * Pairs: candidate c is tried on crypto user users[c] alone (an index for
 * apfsi_volume_user), exactly as given (no normal forms): the passwords a
 * cracker found for each user's hash_line (a hashcat potfile or john.pot),
 * where which user a plain belongs to is known.  The users tried are those
 * a password fits (and opts->user_uuid); a pair for any other user is never
 * tried, and a user tried but named by no pair counts as rejected (no
 * candidate fitted).  res->candidate is the index of the pair that fitted.
 * A users[c] past the volume's crypto users is APFSI_ERR_INVALID, nothing tried.
 */
int apfsi_volume_unlock_pairs(apfsi_volume *vol, const char *const *candidates,
			      const size_t *lens, const unsigned *users, size_t n,
			      const struct apfsi_unlock_options *opts,
			      struct apfsi_unlock_result *res);

/*
 * Whether an unlock with a credential of this kind (password or recovery
 * key; user_uuid as in apfsi_unlock_options, NULL for any) tries crypto
 * user i, or why it passes the user over: the rules every apfsi_volume_unlock*
 * applies, asked before unlocking (to name a damaged record first, or to
 * count the users a dictionary will be tried on).
 */
enum apfsi_user_fit {
	APFSI_FIT_TRY,              /* tried */
	APFSI_FIT_OTHER_USER,       /* user_uuid names another user */
	APFSI_FIT_NOT_PRK,          /* a recovery key only fits the Personal Recovery User */
	APFSI_FIT_DAMAGED,          /* damaged or crafted record (apfsi_user_info.damaged) */
	APFSI_FIT_HW_BOUND,         /* its key is held by the original Mac's Secure Enclave */
	APFSI_FIT_ESCROW,           /* an iCloud/institutional record without PBKDF2 parameters */
	APFSI_FIT_NO_KDF,           /* any other record without PBKDF2 parameters */
};
int apfsi_volume_user_fit(apfsi_volume *vol, unsigned i, enum apfsi_credential kind,
			  const uint8_t *user_uuid, enum apfsi_user_fit *fit);

/*
 * What the last password, recovery-key, dictionary or pairs unlock of vol
 * did with crypto user i, whatever it returned: passed over (and why), tried
 * and rejected, matched, or not checkable (error: APFSI_ERR_UNSUPPORTED for
 * an unsupported key variant, APFSI_ERR_IO...; why: its text).  A user tried
 * in a run that another user's match or a cancel ended early is
 * APFSI_STATUS_UNFINISHED.  Unlocks of one volume from several threads at
 * once: the outcome of whichever ended last.
 */
enum apfsi_user_status {
	APFSI_STATUS_NONE,          /* no such unlock has run on vol (or a volume key was used) */
	APFSI_STATUS_PASSED_OVER,   /* not tried: fit says why */
	APFSI_STATUS_REJECTED,      /* tried: no candidate fitted */
	APFSI_STATUS_MATCHED,       /* a candidate unwrapped its KEK and the VEK */
	APFSI_STATUS_ERROR,         /* tried, but it could not be checked: error, why */
	APFSI_STATUS_UNFINISHED,    /* tried, not with every candidate (another matched, or cancel) */
};

struct apfsi_user_outcome {
	enum apfsi_user_status status;
	enum apfsi_user_fit fit;    /* APFSI_STATUS_PASSED_OVER: why */
	int error;                  /* APFSI_STATUS_ERROR: an APFSI_ERR_* */
	const char *why;            /* APFSI_STATUS_ERROR: what went wrong, a static text */
	size_t candidate;           /* APFSI_STATUS_MATCHED: the candidate (or pair) that fitted */
	uint64_t reserved[4];
};
int apfsi_volume_unlock_outcome(apfsi_volume *vol, unsigned i, struct apfsi_user_outcome *out);

/*
 * How macOS normalises a non-ASCII password before PBKDF2 is not known, so
 * the password unlocks also try its NFC and NFD forms.  The same for a
 * secret the library does not see whole, such as an encrypted image's
 * passphrase, given one per attempt through apfsi_open_options.passphrase:
 * the forms of s (NUL-terminated) that differ from it and from each other,
 * *n of them (0 to 2), into out[] and len[] (locked memory: release each
 * with apfsi_secret_free, which wipes it).
 */
int apfsi_password_forms(const char *s, char *out[2], size_t len[2], unsigned *n);
void apfsi_secret_free(char *secret);

/* The VEK of an unlocked volume (16 or 32 bytes into key, *len): key bytes, asked for by name. */
int apfsi_volume_key(apfsi_volume *vol, uint8_t key[32], size_t *len);

/* ---- file systems ------------------------------------------------------- */

enum {
	APFSI_FS_NO_FIRMLINKS = 1 << 0, /* a group's System volume as it is, not the Mac's root */
};

/*
 * A read-only view of vol's file system: the live tree (snapshot NULL), or
 * a snapshot by name or xid (decimal or 0x-hex).  A volume group's System
 * volume gives the Mac's root (System at its boot snapshot, the Data
 * volume's firmlinked directories in place) unless APFSI_FS_NO_FIRMLINKS.
 * APFSI_ERR_LOCKED for an encrypted volume not unlocked.
 */
int apfsi_fs_open(apfsi_volume *vol, const char *snapshot, unsigned flags, apfsi_fs **out);
void apfsi_fs_close(apfsi_fs *fs);

/* The root directory's inode number. */
#define APFSI_ROOT_INO 2

enum apfsi_file_type {
	APFSI_TYPE_UNKNOWN, APFSI_TYPE_FILE, APFSI_TYPE_DIR, APFSI_TYPE_SYMLINK,
	APFSI_TYPE_FIFO, APFSI_TYPE_CHAR, APFSI_TYPE_BLOCK, APFSI_TYPE_SOCKET,
	APFSI_TYPE_WHITEOUT,
};

/* The decmpfs compression types of apfsi_stat.compression (Apple's numbering). */
enum apfsi_compression {
	APFSI_CMP_NONE = 0,
	APFSI_CMP_ZLIB_ATTR = 3, APFSI_CMP_ZLIB_RSRC = 4,
	APFSI_CMP_LZVN_ATTR = 7, APFSI_CMP_LZVN_RSRC = 8,
	APFSI_CMP_PLAIN_ATTR = 9, APFSI_CMP_PLAIN_RSRC = 10,
	APFSI_CMP_LZFSE_ATTR = 11, APFSI_CMP_LZFSE_RSRC = 12,
	APFSI_CMP_LZBITMAP_ATTR = 13, APFSI_CMP_LZBITMAP_RSRC = 14,
};

struct apfsi_stat {
	uint64_t ino, parent;
	enum apfsi_file_type type;
	uint16_t mode;              /* S_IF* type and permission bits, as stat(2) */
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t size;              /* logical size (uncompressed for compressed files) */
	uint64_t allocated;         /* bytes allocated on disk */
	int64_t crtime, mtime, ctime, atime, added; /* ns since 1970 UTC (added: 0 unknown) */
	uint32_t bsd_flags;         /* UF_* / SF_* (APFSI_SF_DATALESS below) */
	uint32_t compression;       /* decmpfs type, APFSI_CMP_* (0: not compressed) */
	const char *compression_name; /* "lzfse (resource fork)", "zlib (in xattr)"... as the
				       * CLI's stat says; "unknown"; NULL: not compressed */
	uint64_t rdev;
	uint64_t flags;             /* APFSI_STAT_* (reserved[0] once) */
	uint64_t reserved[7];
};

enum {
	APFSI_STAT_FIRMLINK = 1 << 0, /* a firmlink: apfsi_fs_firmlink() gives its target */
	/*
	 * A record the inode says it has is missing (a symbolic link's target, a
	 * compressed file's decmpfs), named in the message log and by
	 * apfsi_fs_xattrs_missing: the other attributes are as read, the size
	 * the data stream's.  What is listed of it is not the whole entry.
	 */
	APFSI_STAT_PARTIAL = 1 << 1,
};

int apfsi_fs_stat(apfsi_fs *fs, uint64_t ino, struct apfsi_stat *st);
/* A path from the root ("/a/b"); symbolic links are not followed. */
int apfsi_fs_stat_path(apfsi_fs *fs, const char *path, struct apfsi_stat *st);
/*
 * The directory entry a path names (symbolic links not followed): out->ino,
 * type and date_added, and out->name pointing at name (cap bytes): the name
 * as stored, which a case- or normalization-insensitive volume may spell
 * otherwise than path ("/" for the root).  APFSI_ERR_NAME_TOO_LONG when it
 * does not fit.
 */
int apfsi_fs_lookup(apfsi_fs *fs, const char *path, struct apfsi_dirent *out, char *name,
		    size_t cap);
/*
 * apfsi_fs_lookup of one name in directory dir (an inode number, as
 * apfsi_fs_readdir gives): what a FUSE low-level lookup or a walk that
 * keeps inode numbers asks, without a path from the root.  name is one
 * entry's name ("", ".", ".." and names with '/' are APFSI_ERR_INVALID,
 * as is dir 0 or 1); APFSI_ERR_NOT_FOUND when dir has no such entry, and
 * then APFSI_ERR_NOT_DIR if dir is no directory (a damaged non-directory
 * holding entries gives them); APFSI_ERR_LOOP for a directory entered
 * through an entry that is not its own (a cycle of a damaged image), as in
 * a path, or for the private directory (APFSI_PRIVATE_DIR_INO) named as a
 * child; in that directory, where an orphan directory's entry is never its
 * own, for an entry naming the root or the directory itself, a second
 * entry of one directory, or one of a directory still in a tree (so what
 * is reached from there is a tree too); APFSI_ERR_LOCKED in a merged
 * root's locked Data volume; APFSI_ERR_NAME_TOO_LONG when the stored name
 * does not fit cap bytes.
 */
int apfsi_fs_lookup_at(apfsi_fs *fs, uint64_t dir, const char *name, struct apfsi_dirent *out,
		       char *namebuf, size_t cap);
/*
 * Whether a walk that has read an entry itself (directory ino, listed in
 * directory dir as name, as apfsi_dir_next gave it) enters the directory
 * there, so that each directory is shown under its own name, however early
 * in the walk another entry names it.  APFSI_OK: the entry is its own (its
 * inode names dir as its parent and name as its name: the entry a lookup
 * follows).  APFSI_ERR_LOOP: another entry, while its own is there for the
 * walk to meet (a directory listed twice, one of a cycle): a directory's
 * entry the volume's search of names finds under the name its inode holds,
 * in the directory its inode names, which is reached from the root through
 * each directory's own entry (up to 256 deep) without passing ino; or the
 * root or the private directory.  1: another entry, but its own is not
 * there so (an entry, or its inode's parent or name, is damaged, or it
 * holds no name), so this one may be the only one: enter it, and warn,
 * since no lookup follows it.  For APFSI_ERR_LOOP and 1,
 * apfsi_last_message() says why, naming the inodes and names.  An entry of
 * the private directory is held to its rule (apfsi_fs_lookup_at).  It reads
 * ino's inode (in the leaf of ino's own entries, which the walk reads
 * next), and searches for its own entry only where this one is not.  Other
 * errors as apfsi_fs_stat's.
 */
int apfsi_fs_dir_entered(apfsi_fs *fs, uint64_t dir, const char *name, uint64_t ino);
/* A path of an inode from the root, into buf (cap bytes). */
int apfsi_fs_path(apfsi_fs *fs, uint64_t ino, char *buf, size_t cap);
/* The target of a symbolic link, into buf (cap bytes, NUL-terminated). */
int apfsi_fs_readlink(apfsi_fs *fs, uint64_t ino, char *buf, size_t cap);

/*
 * apfsi_fs_stat of n inodes, read in inode-number order, which costs far
 * less than n calls in a directory's name order: fn(i, st, error, arg) for
 * each (i its place in the order given; st NULL and error an APFSI_ERR_*
 * when that inode did not read), in the order read.  The first number is
 * ino[0], the next stride bytes further, so an array of the caller's own
 * records holding inode numbers can be given (stride a multiple of 8: the
 * numbers are read as aligned uint64_t).  Returns APFSI_OK, APFSI_ERR_NOMEM
 * (nothing read) or APFSI_ERR_INVALID.  st->added is 0 (it lives in the entry).
 */
typedef void (*apfsi_stat_fn)(size_t i, const struct apfsi_stat *st, int error, void *arg);
int apfsi_fs_stat_many(apfsi_fs *fs, size_t n, const uint64_t *ino, size_t stride,
		       apfsi_stat_fn fn, void *arg);

/*
 * The statistics macOS keeps for a directory (APFS_FEATURE/INODE_MAINTAIN_DIR_STATS):
 * APFSI_ERR_NOT_FOUND when it keeps none.
 */
struct apfsi_dir_stats {
	uint64_t num_children;      /* files and folders inside, at any depth */
	uint64_t total_size;        /* bytes of the files inside */
	uint64_t chained_key;       /* the stats of the directory these add up into */
	uint64_t gen_count;
	uint64_t key;               /* object id of the DIR_STATS record; 0: kept in the inode */
	uint64_t origin;            /* 1: INODE_DIR_STATS_ORIGIN */
	uint64_t reserved[4];
};
int apfsi_fs_dir_stats(apfsi_fs *fs, uint64_t ino, struct apfsi_dir_stats *ds);

/*
 * A volume group's merged root (apfsi_fs_open of a group's System volume).
 * apfsi_fs_is_group: 1 for a merged root, 0 for one volume.  apfsi_fs_firmlink:
 * the target of a firmlink (APFSI_STAT_FIRMLINK; a path on the group's other
 * volume), APFSI_ERR_NOT_FOUND for an inode that is none.  apfsi_fs_origin:
 * the volume an object lives on and the inode number that volume itself
 * uses (the view's volume and ino on one volume; APFSI_ERR_LOCKED for an
 * object of a Data volume left locked).  apfsi_fs_elsewhere: 1 if a walk
 * from walk_root should leave directory ino, listed in parent, unentered
 * because it has its own place elsewhere in that walk (a firmlinked Data
 * directory is listed under its firmlink and under /System/Volumes/Data),
 * else 0 (always 0 on one volume).
 */
int apfsi_fs_is_group(const apfsi_fs *fs);
int apfsi_fs_firmlink(apfsi_fs *fs, uint64_t ino, char *buf, size_t cap);
int apfsi_fs_origin(apfsi_fs *fs, uint64_t ino, apfsi_volume **vol, uint64_t *vol_ino);
int apfsi_fs_elsewhere(apfsi_fs *fs, uint64_t walk_root, uint64_t parent, uint64_t ino);

/*
 * Memory a walk holds beside the file system's block cache (a window of a
 * huge directory's names), lent from the cache's budget so that the two
 * share it instead of adding up: the cache shrinks by bytes until repaid.
 * apfsi_fs_cache_repay returns 1 if the cache grew back (the caller may
 * give back its own freed memory first: malloc_trim), else 0.
 */
void apfsi_fs_cache_lend(apfsi_fs *fs, size_t bytes);
int apfsi_fs_cache_repay(apfsi_fs *fs, size_t bytes);

/*
 * What statfs(2) of a mount of fs reports: the container's blocks and the
 * blocks none of its volumes allocates, and the volume's objects (files,
 * directories, symbolic links and others, from its superblock; a volume
 * group's merged root adds its Data volume's).  Thread-safe.
 */
struct apfsi_fs_usage {
	uint32_t block_size;
	uint64_t blocks, free_blocks; /* of the container */
	uint64_t objects;
	uint64_t reserved[8];
};
int apfsi_fs_usage(apfsi_fs *fs, struct apfsi_fs_usage *usage);

/* ---- directories -------------------------------------------------------- */

struct apfsi_dirent {
	uint64_t ino;
	enum apfsi_file_type type;
	int64_t date_added;         /* ns since 1970 UTC */
	const char *name;           /* valid until the next apfsi_dir_next */
	/* With APFSI_DIR_STAT: the entry's attributes, and stat_error for them. */
	const struct apfsi_stat *st;
	int stat_error;
	/*
	 * From apfsi_fs_readdir: where a later call resumes after this entry
	 * (nonzero, below 2^63, stable while the image is open).  0 from
	 * apfsi_dir_next, which keeps its place itself, except in
	 * APFSI_DIR_INODE_ORDER, where apfsi_dir_seek takes it (nonzero,
	 * below 2^63, never one apfsi_fs_readdir gives).
	 */
	uint64_t cookie;
	uint64_t reserved[3];
};

enum {
	APFSI_DIR_STAT = 1 << 0,    /* also stat every entry (read in key order: cheap) */
	/*
	 * Entries in inode-number order, from the children's inode records:
	 * for a walk that reads every entry's inode in a directory too large
	 * to hold (millions of names), each leaf of their inodes read once.
	 * apfsi_dir_open first reads the directory's records and the inodes
	 * in their range, and gives APFSI_ERR_UNSUPPORTED unless those inodes
	 * name exactly the directory's entries (each entry its inode's
	 * primary name: a hard link's second name declines) and the range is
	 * intact and holds few other records; then read it in on-disk order.
	 * A resumed read that does not find its place again (a damaged index)
	 * fails with APFSI_ERR_CORRUPT rather than skip entries.  The names
	 * are the same bytes as the directory's; date_added is 0 (it lives in
	 * the directory's records, which this order does not read) unless
	 * APFSI_DIR_ADDED is given too.
	 */
	APFSI_DIR_INODE_ORDER = 1 << 1,
	/*
	 * With APFSI_DIR_INODE_ORDER: date_added filled as in on-disk order.
	 * apfsi_dir_open reads the directory's records once more into
	 * (inode, date added) pairs of 16 bytes, sorted by inode; each entry
	 * then finds its date in constant time.  The pairs of all iterators
	 * open on one file system share 4 MiB of memory (262,144 pairs; at
	 * least 64 KiB each), lent from its block cache.  Beyond that they go
	 * to sorted runs of that size in an unlinked temporary file in $TMPDIR
	 * (else /tmp; 16 bytes a record of the directory, so on a tmpfs they
	 * take memory after all), merged back as the numbers rise: log2 of
	 * the runs a pair, and a seek back searches every run.  Memory in use
	 * then: about 4 KiB a run.  No room for that file: APFSI_ERR_NOMEM.
	 * APFSINSPECT_DIR_ADDED_MEMORY (bytes, 1 KiB to 256 MiB; else
	 * ignored) sets the 4 MiB, and the 64 KiB where it is smaller.
	 * Without APFSI_DIR_INODE_ORDER it changes nothing (dates are always
	 * there).
	 */
	APFSI_DIR_ADDED = 1 << 2,
};

/* Iterate a directory's entries (without "." and ".."), in on-disk order. */
int apfsi_dir_open(apfsi_fs *fs, uint64_t ino, unsigned flags, apfsi_dir **out);
/* The next entry in *out, or *out = NULL at the end. */
int apfsi_dir_next(apfsi_dir *dir, const struct apfsi_dirent **out);
/*
 * An APFSI_DIR_INODE_ORDER iterator only: go on after the entry whose
 * cookie is given (apfsi_dirent.cookie, set in that order), or from the
 * first (0).  Cheap within the entries read last (a FUSE readdir whose
 * buffer filled resumes a few back); elsewhere one lookup.  A cookie not
 * of this directory gives entries from that inode number on, or none.
 */
int apfsi_dir_seek(apfsi_dir *dir, uint64_t cookie);
void apfsi_dir_close(apfsi_dir *dir);

/*
 * The entries of a directory from a resume point, with no iterator to keep:
 * fn(entry, arg) for each entry after the one whose cookie is given (0: from
 * the first), in on-disk order, without "." and "..".  A nonzero return of
 * fn stops the walk and is returned (a FUSE readdir stops when its buffer is
 * full and resumes from the last cookie it took).  entry and its name are
 * valid only during the call; entry->st is NULL.  Thread-safe: any number
 * of walks at once on one file system.  On a volume without hashed names a
 * resume from where one of the last 32 walks stopped (fn's nonzero) is one
 * lookup, as everywhere else; from any other cookie it counts the entries
 * before it (cost grows with the cookie).  A node of the directory's records
 * that cannot be read (a bad checksum, a record outside its node...) is
 * named and gone past: the walk gives every entry it can read, and its end
 * (reached by this call or a later one, resumed from a cookie handed out
 * past the node) returns APFSI_ERR_INCOMPLETE instead of 0.  So does the
 * end of apfsi_dir_next in on-disk order.
 */
typedef int (*apfsi_dirent_fn)(const struct apfsi_dirent *entry, void *arg);
int apfsi_fs_readdir(apfsi_fs *fs, uint64_t ino, uint64_t cookie, apfsi_dirent_fn fn,
		     void *arg);

/* ---- file data ---------------------------------------------------------- */

/* A regular file's data (decompressed, decrypted); APFSI_ERR_IS_DIR for a directory. */
int apfsi_file_open(apfsi_fs *fs, uint64_t ino, apfsi_file **out);
/* A named fork: "rsrc" is the resource fork as stored (never a compressed file's data). */
int apfsi_file_open_fork(apfsi_fs *fs, uint64_t ino, const char *fork, apfsi_file **out);
void apfsi_file_close(apfsi_file *f);
uint64_t apfsi_file_size(const apfsi_file *f);
/*
 * Up to len bytes at off into buf; *got short only at the end of the file.
 * A read of 2 MiB or more of the data (not of a fork) is read in 512 KiB
 * pieces by this thread and the file system's helpers at once, into buf
 * itself; a failure is that of the piece nearest off, the one a read in
 * one piece would have met first.
 */
int apfsi_file_pread(apfsi_file *f, uint64_t off, void *buf, size_t len, size_t *got);

/*
 * The whole file, in order, with a reader thread per core (threads 0; at
 * most 8): sink gets each piece (up to 4 MiB) on the calling thread; a
 * nonzero return stops the read and is returned.  The buffers (4 MiB per
 * piece in flight, two per reader) stay with the file system for the next
 * file until apfsi_fs_close.  A fork is read on the calling thread.
 */
typedef int (*apfsi_sink_fn)(const void *data, size_t len, void *arg);
int apfsi_file_read_all(apfsi_file *f, unsigned threads, apfsi_sink_fn sink, void *arg);

/*
 * How f's bytes from off on are stored, so that a copy can skip what the
 * image does not hold: *hole 1 for a hole (reads as zeros) or 0 for data,
 * and *len the bytes of that kind from off: data to the end of its extent
 * (the next may be data too), a hole to the next data; 0 at or past the
 * end.  A compressed file or a fork is data throughout; so are bytes in
 * no extent (records lost: a read of them fails, apfsi_file_runs).
 */
void apfsi_file_span(const apfsi_file *f, uint64_t off, int *hole, uint64_t *len);

/*
 * How many bytes from 0 a read in order gives before it fails, as f's
 * records tell, so that a writer can size what it promises (an archive
 * member's header) before reading: the size for a sound file; less where
 * bytes lie in no extent (records lost), or up to the first block of an
 * extent that lies outside the container or past the end of a truncated
 * image (a read gives every block before it); for a compressed file, up to
 * the first chunk whose compressed bytes (or the table that places them)
 * its resource fork so lacks.  A read may still fail below it (a
 * compressed chunk that does not decode, the image unreadable); a fork
 * opened as a file is its size here.
 */
uint64_t apfsi_file_readable(const apfsi_file *f);

/*
 * How many of f's bytes are not on disk and read as zeros: bytes in no
 * extent of a stream that may lack extents, an orphan's (a file deleted
 * while open: macOS frees its extents as it deletes it; apfsck extents.c)
 * or a dataless file's (SF_DATALESS: its data is kept elsewhere).  A read
 * gives them as a hole, not as the file's bytes; apfsi_file_span says
 * where (a hole).  0 for every other file (bytes in no extent there are
 * records lost, and a read of them fails), for a compressed file and for
 * a fork.
 */
uint64_t apfsi_file_unstored(const apfsi_file *f);
/* bsd_flags' SF_DATALESS (xnu sys/stat.h): the file's data is kept elsewhere (iCloud). */
#define APFSI_SF_DATALESS 0x40000000u

/*
 * Where bytes lie on disk (DFXML byte_runs): file_offset..+len of the
 * stream are at fs_offset of the container and img_offset of the image.
 */
struct apfsi_byte_run {
	uint64_t file_offset, len, fs_offset, img_offset;
	uint64_t encrypted;         /* 1: stored encrypted (the bytes there are ciphertext) */
	uint64_t reserved[3];
};
typedef int (*apfsi_run_fn)(const struct apfsi_byte_run *run, void *arg);

/* What the runs of apfsi_file_runs cover. */
enum apfsi_runs_kind {
	APFSI_RUNS_DATA,            /* the data stream: apfsi_file_pread's bytes, byte for byte */
	APFSI_RUNS_RSRC,            /* decmpfs: the resource fork holding the compressed chunks */
	APFSI_RUNS_INLINE,          /* decmpfs in the xattr, inside the fs tree: no runs of its own */
};

/*
 * fn for each run of f's data on disk, in stream order (holes have none),
 * each clipped to the stream's size; *kind says what they cover.  A nonzero
 * return of fn stops and is returned.  Not for a fork (APFSI_ERR_INVALID).
 * INCOMPLETE: every run was given, but bytes below the size are in no
 * extent (records lost, named in the log; a hole is an extent of its own).
 * With apfsi_file_pread and apfsi_file_read_all such bytes fail as CORRUPT;
 * read_all gives every byte before them first.
 */
int apfsi_file_runs(apfsi_file *f, apfsi_run_fn fn, void *arg, enum apfsi_runs_kind *kind);
/*
 * The runs of an extended attribute's value kept in a data stream (large
 * values, resource forks); *resident 1 and no runs for one kept in the
 * fs tree.  APFSI_ERR_NOT_FOUND for no such attribute.
 */
int apfsi_fs_xattr_runs(apfsi_fs *fs, uint64_t ino, const char *name, apfsi_run_fn fn,
			void *arg, int *resident);

/* ---- extended attributes ------------------------------------------------ */

/* Callback per attribute: name and size; nonzero stops (and is returned). */
typedef int (*apfsi_xattr_fn)(const char *name, uint64_t size, void *arg);

enum {
	APFSI_XATTR_HIDDEN = 1 << 0, /* also those macOS hides (com.apple.decmpfs, com.apple.fs.*) */
};

/*
 * fn for each attribute of ino.  APFSI_ERR_INCOMPLETE after every one there
 * is where the inode says it has one the tree holds no record of
 * (INODE_HAS_RSRC_FORK: com.apple.ResourceFork; INODE_HAS_SECURITY_EA:
 * com.apple.system.Security; a symbolic link: com.apple.fs.symlink;
 * UF_COMPRESSED on a regular file: com.apple.decmpfs), named: a record lost.
 */
int apfsi_fs_listxattr(apfsi_fs *fs, uint64_t ino, unsigned flags, apfsi_xattr_fn fn,
		       void *arg);
/*
 * fn(name, 0) for each attribute ino's inode says it has and the tree
 * holds no record of: the records apfsi_fs_listxattr's APFSI_ERR_INCOMPLETE
 * named as lost (none: fn is not called).  Nonzero from fn stops (returned).
 */
int apfsi_fs_xattrs_missing(apfsi_fs *fs, uint64_t ino, apfsi_xattr_fn fn, void *arg);
/*
 * Up to len bytes of an attribute's value from off into buf, *got of them;
 * *size its whole size (either may be NULL).  A value kept in a data stream
 * that fails part way (records lost, blocks past a truncated image) still
 * has *got the bytes stored before the failure.  One of those the inode's
 * flags witness (above) with no record is APFSI_ERR_CORRUPT, not
 * APFSI_ERR_NOT_FOUND.
 */
int apfsi_fs_getxattr(apfsi_fs *fs, uint64_t ino, const char *name, uint64_t off, void *buf,
		      size_t len, size_t *got, uint64_t *size);

/* ---- what changed between two views ------------------------------------ */

/* The private directory's inode: it has no path from the root (its parent is 1, as the root's). */
#define APFSI_PRIVATE_DIR_INO 3

/*
 * Every name of an inode: fn(parent, name, arg) for each sibling link of a
 * hard-linked file, else once for the name the inode records.  A nonzero
 * return of fn stops and is returned.  name is valid during the call only.
 */
typedef int (*apfsi_link_fn)(uint64_t parent, const char *name, void *arg);
int apfsi_fs_links(apfsi_fs *fs, uint64_t ino, apfsi_link_fn fn, void *arg);

/*
 * What changed of an inode both views hold: bit f of apfsi_diff.fields for
 * field f below (apfsi_diff_field_name(f) names it as `stat --json` does;
 * NULL past the last, so that a caller loops until NULL).
 */
enum apfsi_diff_field {
	APFSI_DIFF_PATH,            /* parent or name: renamed or moved */
	APFSI_DIFF_TYPE,            /* S_IFMT */
	APFSI_DIFF_MODE,            /* permission bits */
	APFSI_DIFF_UID,
	APFSI_DIFF_GID,
	APFSI_DIFF_FLAGS,           /* BSD flags */
	APFSI_DIFF_NLINK,           /* files: links; directories: children */
	APFSI_DIFF_LINKS,           /* a hard link's names (apfsi_fs_links) */
	APFSI_DIFF_SIZE,            /* logical size */
	APFSI_DIFF_CRTIME,
	APFSI_DIFF_MTIME,
	APFSI_DIFF_CTIME,
	APFSI_DIFF_ATIME,
	APFSI_DIFF_ADDED,           /* date added (the directory entry's) */
	APFSI_DIFF_CONTENT,         /* file bytes or symbolic link target */
	APFSI_DIFF_XATTR,           /* extended attributes (listed in xattrs) */
};
const char *apfsi_diff_field_name(unsigned field);

/* One extended attribute added ('+'), removed ('-') or changed ('~'). */
struct apfsi_diff_xattr {
	char change;
	const char *name;
	uint64_t size_before, size_after;   /* value sizes (0 where absent) */
	bool hashed_before, hashed_after;   /* false: absent, or beyond byte_cap */
	uint8_t sha256_before[32], sha256_after[32];
	uint64_t reserved[4];
};

/*
 * Why a change may come of records a view lacks rather than be one.  'A',
 * 'D': the view that lacks the inode ('A': before, 'D': after) may have
 * lost its records rather than not have had it: what that view itself
 * holds says records near it are missing.  'M': a field's change may come
 * of records one view lacks.  NONE: nothing says so (the change stands,
 * but for the views' gaps, which make the run INCOMPLETE).
 * apfsi_diff_lost_name names each as `diff --json` does.
 */
enum apfsi_diff_lost {
	APFSI_DIFF_LOST_NONE,
	APFSI_DIFF_LOST_INODE,      /* an entry there names it; its inode record is not held */
	APFSI_DIFF_LOST_ENTRY,      /* its directory there holds fewer entries than it counts */
	APFSI_DIFF_LOST_ABOVE,      /* that view lacks its directory's inode too: the directory's
				     * entries are there without it, or so it is further up */
	APFSI_DIFF_LOST_NAME,       /* 'M' ADDED: no entry in a view names it, or (a file of more
				     * names) its directory there is short: the date may be
				     * another name's */
	APFSI_DIFF_LOST_EXTENTS,    /* 'M' CONTENT: its data stream in a view lacks extents */
	APFSI_DIFF_LOST_LINKS,      /* 'M' LINKS: fewer sibling links in a view than links */
};
/*
 * "inode_record", "directory_entries", "directory_above", "directory_entry",
 * "file_extents", "sibling_links"; NULL for NONE or past the last.
 */
const char *apfsi_diff_lost_name(unsigned lost);

struct apfsi_diff {
	char change;                /* 'A' only after, 'D' only before, 'M' in both */
	uint64_t ino;
	uint32_t fields;            /* 'M': bits of enum apfsi_diff_field */
	bool content_by_extents;    /* CONTENT judged by size and extents alone (beyond byte_cap) */
	int64_t added_before, added_after; /* date added in each view, ns (0: absent or unknown) */
	const struct apfsi_diff_xattr *xattrs; /* 'M' with XATTR: nxattrs of them */
	size_t nxattrs;
	uint64_t may_be_lost;       /* enum apfsi_diff_lost */
	/*
	 * APFSI_DIFF_ORPHAN_*: in that view an entry of the private directory
	 * names the inode (a file deleted while open, kept until its last
	 * close; its path there is still the name it had).
	 */
	uint64_t orphan;
	uint64_t reserved[6];
};
#define APFSI_DIFF_ORPHAN_BEFORE 1u
#define APFSI_DIFF_ORPHAN_AFTER 2u

/*
 * What differs from view before to view after of one volume (two snapshots,
 * or a snapshot and the live tree; opened with APFSI_FS_NO_FIRMLINKS when
 * the volume is a group's System volume): fn(change, arg) once per inode
 * that differs, in inode order, on the calling thread; change and what it
 * points to are valid during the call only.  Each view's fs tree is read once in key order; a
 * file's bytes are read and compared only where its size agrees and its
 * extents differ, and files and attribute values larger than byte_cap (0:
 * no cap) are judged by size and extents alone.  Memory grows with the
 * number of inodes the views hold.  A nonzero return of fn stops the walk
 * and is returned; else APFSI_OK, INVALID (views of different volumes, or a
 * merged root), CORRUPT (keys out of order, an inode recorded twice),
 * INCOMPLETE (every change found was given, but a view's tree lacks records
 * a sound one holds: a directory holding fewer entries than its inode
 * counts, an entry naming no inode, entries of a directory with none;
 * named in the message log: a change may be missing, or be one of records
 * lost; each 'A' and 'D' near such a gap says so in may_be_lost)...
 */
typedef int (*apfsi_diff_fn)(const struct apfsi_diff *change, void *arg);
int apfsi_fs_diff(apfsi_fs *before, apfsi_fs *after, uint64_t byte_cap, apfsi_diff_fn fn,
		  void *arg);

/* ---- the seal of a sealed volume ---------------------------------------- */

/*
 * Check a sealed volume's seal: every node of its live fs tree hashed and
 * compared with the hash its parent holds, up to the root hash
 * (apfsi_volume_seal).  APFSI_OK with a verdict: either the seal is broken
 * (the integrity metadata says the tree changed after sealing: broken set,
 * no node read, as nothing vouches for them any more), or *nodes were read
 * and *mismatched of them do not match (each named by block in a warning
 * to the log; past the first few one warning says the rest are not named).
 * Then the file data against its hashes (the data_ fields; mismatches and
 * what could not be checked named the same way).  APFSI_ERR_NOT_FOUND when
 * the volume is not sealed; CORRUPT... when the seal cannot be read
 * (hash_name NULL) or the tree cannot be (LOCKED, CORRUPT...: hash_name
 * set, the counts say how far it got).  Reads the whole tree and every
 * file's data.  Over the life of an open image, at most four times what it
 * holds of a container (256 MiB at least) is hashed against its seals, all
 * views and calls together, so that a crafted tree claiming far more data
 * cannot cost hours: hashes past it are counted as not checked (open the
 * image again to check again).
 */
struct apfsi_seal_check {
	const char *hash_name;      /* "SHA-256"...: the seal was read */
	bool broken;
	uint64_t broken_xid;        /* the transaction that broke it (0: not recorded) */
	uint64_t nodes, mismatched;
	/*
	 * File data, once the tree was walked (the seal not broken): each
	 * regular file's against the hashes the tree holds for it (FILE_INFO
	 * records), runs of whole blocks, a compressed file's decompressed
	 * bytes.  Warnings name the first few that fail or go unchecked.
	 */
	uint64_t data_files;        /* files (data streams) whose data hashes were checked */
	uint64_t data_hashes;       /* hashes checked */
	uint64_t data_mismatched;   /* of them, not matching */
	uint64_t data_unchecked;    /* not checked: the data or a hash record unreadable, a
				     * record not understood, past the container's budget */
	uint64_t data_uncovered;    /* files with data no run of hashes covers from its start to
				     * its end: the seal does not vouch for it */
	uint64_t data_strays;       /* hash records of no file or data stream */
};
int apfsi_volume_verify_seal(apfsi_volume *vol, struct apfsi_seal_check *check);
/*
 * The same for snapshot xid (apfsi_volume_snapshot): the tree it was taken
 * with against the seal its own superblock copy names, resolved at its
 * xid.  macOS 11+ boots from such a snapshot of the System volume while
 * the live tree's seal is usually broken by an update staged since.
 * NOT_FOUND when that state was not sealed or there is no such snapshot.
 */
int apfsi_snapshot_verify_seal(apfsi_volume *vol, uint64_t xid,
			       struct apfsi_seal_check *check);

/* ---- processes that fork ------------------------------------------------ */

/*
 * Lock the library's key memory again in a child of fork() (a daemon after
 * daemonising): a child has the parent's pages, kept out of core dumps, but
 * not its memory locks, so the keys could be swapped out.  Call it once in
 * the child before it goes on reading; process-wide, not thread-safe with
 * an unlock running at the same time.
 */
void apfsi_secure_relock(void);

#ifdef __cplusplus
}
#endif

#endif
