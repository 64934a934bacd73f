/* SPDX-License-Identifier: MIT */
/*
 * keybag.h - the public interface of the keybag library: read a volume's
 * container and volume keybags, list its crypto users, and turn a password,
 * recovery key or KEK into the volume encryption key (docs/apfs-format.md
 * §2-§6).
 *
 * Nothing here keeps global mutable state: kb_unlock_user() may be called
 * from several threads at once on the same struct kb_volume_keys.  Key
 * material is never logged; buffers that held it are wiped.
 */
#ifndef KB_KEYBAG_H
#define KB_KEYBAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct apfs_container;

/*
 * PBKDF2 iteration counts above this are refused (-EOPNOTSUPP) rather than
 * run: a crafted keybag can ask for 2^64 rounds.  Real records hold 10^5 to
 * a few 10^5; 10^7 takes several seconds per attempt on one core.
 */
#define KB_MAX_ITERATIONS 10000000ull

/* A keybag prange may cover at most this many blocks (observed: 1). */
#define KB_MAX_BAG_BLOCKS 16

/* Metadata flag byte values (§4.5). */
#define KB_FLAG_HARDWARE 0x01     /* SEP-bound key */
#define KB_FLAG_CS_128 0x02       /* CoreStorage-legacy 128-bit key */
#define KB_FLAG_REWRAPPED_128 0x10 /* 128-bit KEK inside a 256-bit wrap */

enum kb_user_type {
	KB_USER_LOCAL_OD,
	KB_USER_PERSONAL_RECOVERY,
	KB_USER_ICLOUD_RECOVERY,
	KB_USER_ICLOUD_EXTERNAL,
	KB_USER_INSTITUTIONAL_RECOVERY,
	KB_USER_INSTITUTIONAL_EXTERNAL,
	KB_USER_MDM_BOOTSTRAP,
	KB_USER_DISK,
};

/* A parsed KEK blob (volume bag, tag 3) or VEK blob (container bag, tag 2). */
struct kb_blob {
	uint8_t uuid[16];        /* inner [1] */
	uint8_t meta[22];        /* inner [2], 8 or 22 bytes */
	size_t meta_len;
	uint32_t flags;          /* meta[0..3] LE; byte 0 holds the KB_FLAG_* bits */
	uint8_t wrapped[40];     /* inner [3] */
	size_t wrapped_len;      /* 24 or 40 */
	uint64_t iterations;     /* inner [4], KEK only */
	uint8_t salt[32];        /* inner [5], KEK only */
	size_t salt_len;
	bool has_kdf;            /* both [4] and [5] present */
	int hmac;                /* 1 matches, 0 mismatch (warned), -1 absent */
	unsigned extra_tags;     /* unknown tags skipped (macOS 26 VEK: [4]..[8]) */
};

struct kb_user {
	uint8_t uuid[16];        /* ke_uuid of the tag-3 record */
	enum kb_user_type type;
	char *hint;              /* tag-4 text, NUL-terminated, or NULL */
	bool parsed;             /* the KEK blob parsed; else why[] says what failed */
	char why[96];
	struct kb_blob kek;
	uint64_t keybag_block;   /* block of the volume keybag holding the record */
	unsigned entry_index;    /* 0-based entry number in the volume keybag */
	bool hw_bound;           /* KB_FLAG_HARDWARE: cannot be unlocked offline */
	bool offline_unlockable; /* parsed, has PBKDF2 parameters, not hardware-bound
				    (the UUID's type alone never refuses a record) */
};

struct kb_volume_keys {
	uint8_t vol_uuid[16];
	struct kb_blob vek;
	bool have_vek;
	uint64_t ckb_block, ckb_count;  /* container keybag prange */
	unsigned ckb_vek_index;         /* entry number of the tag-2 VEK record */
	bool ckb_plaintext;             /* container keybag was not encrypted */
	uint64_t vkb_block, vkb_count;  /* volume keybag prange */
	bool vkb_plaintext;
	struct kb_user *users;
	unsigned nusers;
};

/*
 * Read the keybags of the volume vol_uuid in container c.  -ENOENT when the
 * container has no keybag or no record for the volume.
 */
int kb_load(struct apfs_container *c, const uint8_t vol_uuid[16], struct kb_volume_keys **out);
void kb_free(struct kb_volume_keys *k);

const char *kb_type_name(enum kb_user_type t);  /* diskutil "Type:" string */
const char *kb_type_plist(enum kb_user_type t); /* APFSCryptoUserType */
enum kb_user_type kb_classify(const uint8_t user_uuid[16], const uint8_t vol_uuid[16]);

/* Describe flag bits for humans, e.g. "CoreStorage-128,hardware-bound". */
void kb_flags_str(const struct kb_blob *b, char *out, size_t outlen);

/*
 * Personal recovery key: 24 letters/digits, with or without dashes, any
 * case -> "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX".  -EINVAL if it is not one.
 */
int kb_normalize_recovery_key(const char *in, char out[30]);

/*
 * Try one credential against one user.  0 on success (vek, *veklen = 16 or
 * 32, and cs_uuid = VEK blob UUID, needed when *veklen is 16);
 * -APFS_EREJECTED wrong credential; -APFS_EHWBOUND; -EOPNOTSUPP (record not
 * usable offline or iteration count over KB_MAX_ITERATIONS); other -errno.
 * For a Personal Recovery User a secret that reads as a recovery key is
 * normalised first.
 */
int kb_unlock_user(const struct kb_volume_keys *k, const struct kb_user *u, const void *secret,
		   size_t len, uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16]);

/*
 * Passwords kb_unlock_user_many() takes at once: the SIMD lanes of the
 * PBKDF2 engine this CPU runs (cipher/pbkdf2.h), 1 to 16.
 */
unsigned kb_unlock_batch(void);

/*
 * kb_unlock_user() for n passwords (1 <= n <= kb_unlock_batch()) against
 * one user, their PBKDF2 derivations run side by side.  0 with *which the
 * index of a password that fits (and vek, *veklen, cs_uuid as above);
 * -APFS_EREJECTED when none does; the other errors of kb_unlock_user().
 */
int kb_unlock_user_many(const struct kb_volume_keys *k, const struct kb_user *u, unsigned n,
			char *const secret[], const size_t len[], unsigned *which,
			uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16]);

/*
 * Whether u can share a PBKDF2 call with other users (kb_unlock_users_lanes):
 * usable offline, not a Personal Recovery User (whose secret may be
 * normalised first); and whether a and b agree on the iteration count and
 * key length, as users of one call must.
 */
bool kb_lanes_fit(const struct kb_user *u);
bool kb_lanes_same(const struct kb_user *a, const struct kb_user *b);

/*
 * kb_unlock_user() of one password for n users (1 <= n <= kb_unlock_batch(),
 * each kb_lanes_fit and kb_lanes_same as u[0]), their derivations run side
 * by side, each with its own salt.  Tries u[0], u[1]... in order and stops
 * at the first that fits: 0 with *which its index (and vek, *veklen,
 * cs_uuid as above), ret[i] the result for each user up to it;
 * -APFS_EREJECTED when none fits (ret[] for each; an entry other than
 * -APFS_EREJECTED is that user's error); -EINVAL or -ENOMEM with none tried.
 */
int kb_unlock_users_lanes(const struct kb_volume_keys *k, const struct kb_user *const u[],
			  unsigned n, const void *secret, size_t len, int ret[], unsigned *which,
			  uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16]);

/* Unwrap the VEK with a known KEK (16 or 32 bytes).  Same returns. */
int kb_unwrap_vek(const struct kb_volume_keys *k, const uint8_t *kek, size_t keklen,
		  uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16]);

/*
 * The cracking line of a user's KEK record (hashline.c, §7): hashcat mode
 * 18300 "$fvde$2$16$SALT$ITER$WRAPPED(80 hex)", or 16700 "$fvde$1$…" with the
 * first 24 bytes for CoreStorage 128-bit keys.  Lower-case hex, as hashcat
 * writes it back to its potfile.  -EINVAL when the record cannot be cracked
 * offline (hardware-bound, no PBKDF2 parameters, damaged).
 */
#define KB_HASH_LINE_MAX 160
bool kb_hash_exportable(const struct kb_user *u);
unsigned kb_hash_mode(const struct kb_user *u);  /* 18300 or 16700 */
int kb_hash_line(const struct kb_user *u, char out[KB_HASH_LINE_MAX]);

#endif
