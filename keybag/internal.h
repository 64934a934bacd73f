/* SPDX-License-Identifier: MIT */
/*
 * internal.h - declarations shared inside keybag/ (and by its unit tests):
 * the kb_locker parser and the key-blob parser.  Not for cli/ or fuse/.
 */
#ifndef KB_INTERNAL_H
#define KB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keybag/keybag.h"

/* More entries than any real keybag holds (a few per volume or user). */
#define KB_MAX_ENTRIES 1024

/* One keybag_entry_t, checked to lie inside kl_nbytes and the buffer. */
struct kb_entry {
	const uint8_t *uuid;  /* ke_uuid, 16 bytes */
	uint16_t tag;         /* ke_tag */
	uint16_t keylen;      /* ke_keylen (< 512) */
	const uint8_t *data;  /* ke_keydata, keylen bytes */
	size_t off;           /* offset of the entry header from the locker start */
	unsigned index;       /* 0-based */
};

struct kb_locker {
	unsigned nkeys;       /* kl_nkeys */
	size_t nbytes;        /* kl_nbytes */
	struct kb_entry *ents; /* nkeys entries, malloc'd */
};

/*
 * Parse a decrypted kb_locker_t (buf points at kl_version, len bytes are
 * available).  `what` names the keybag and block for messages.
 */
int kb_locker_parse(const uint8_t *buf, size_t len, const char *what, struct kb_locker *out);
void kb_locker_release(struct kb_locker *l);

/*
 * Parse a KEK or VEK blob (the DER carried by a keybag entry; trailing
 * bytes after the outer SEQUENCE are ignored) and check its HMAC (§4.6).
 * kek: inner [4]/[5] are PBKDF2 parameters; in VEK blobs they are skipped.
 */
int kb_blob_parse(const uint8_t *p, size_t len, bool kek, const char *what, struct kb_blob *out,
		  const char **why);

/* The §4.6 HMAC of a blob's [3] element under the outer [2] salt. */
int kb_blob_hmac(const uint8_t *salt, size_t saltlen, const uint8_t *elem, size_t elemlen,
		 uint8_t mac[32]);

/*
 * Hardware-bound (SEP) key: flag 0x01, or the macOS-26 22-byte metadata
 * that carries a per-install Secure Enclave identifier (§4.4, §5.10).
 */
bool kb_blob_hw_bound(const struct kb_blob *b);

/* unlock.c, shared with unlock_many.c: a record's checks and KEK unwrap. */
enum kb_unusable {
	KB_USABLE,
	KB_UNPARSED,
	KB_HW_BOUND,            /* bound to the original Mac's Secure Enclave */
	KB_NO_KDF,              /* no PBKDF2 parameters */
	KB_NO_ITERATIONS,       /* an iteration count of 0 */
	KB_TOO_MANY_ITERATIONS, /* past KB_MAX_ITERATIONS */
};
/* Whether a record can be tried offline, and if not why: in silence. */
enum kb_unusable kb_unusable(const struct kb_user *u);
/* The same, said with apfs_err: 0, or the error for why not. */
int kb_check_usable(const struct kb_user *u);
size_t kb_kek_dklen(const struct kb_blob *b);
int kb_kek_from_dk(const struct kb_blob *b, const uint8_t *dk, uint8_t kek[32], size_t *keklen);
/* The VEK from a user's KEK (unlock.c); ret nonzero passes through; kek wiped. */
int kb_vek_from_kek(const struct kb_volume_keys *k, const struct kb_user *u, int ret,
		    uint8_t kek[32], size_t keklen, uint8_t vek[32], size_t *veklen,
		    uint8_t cs_uuid[16]);

#endif
