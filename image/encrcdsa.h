/* SPDX-License-Identifier: MIT */
/*
 * encrcdsa.h - the encrypted Apple disk image (encrcdsa version 2), shared
 * by its header parser (encrcdsa_hdr.c), its key unwrap (encrcdsa_key.c)
 * and the decrypting layer (encrcdsa.c).  docs/containers.md §3.
 *
 * Header (big-endian):  0 "encrcdsa", 8 version (2), 0x18 key_bits (128 or
 * 256), 0x24 UUID, 0x34 block_size, 0x38 encrypted data length (u64), 0x40
 * data offset (u64), 0x48 number of key entries, 0x4C that many 20-byte key
 * pointers {type u32, offset u64, length u64}.
 *
 * Password key entry, at its pointer's offset: 0 KDF algorithm, 4 PRNG
 * algorithm, 8 iteration count, 12 salt length, 16 salt[32], 48 IV length,
 * 52 IV[32], 84 blob key bits, 88 blob algorithm, 92 padding, 96 mode,
 * 100 blob length, 104 blob (at most 512 bytes).
 */
#ifndef IMAGE_ENCRCDSA_H
#define IMAGE_ENCRCDSA_H

#include <stddef.h>
#include <stdint.h>

#define ENCR_MAGIC "encrcdsa"
#define ENCR_HDR_FIXED 0x4C
#define ENCR_KEYPTR 20
#define ENCR_KEYS_MAX 64          /* real images hold one to three */
#define ENCR_KEYDATA_FIXED 104
#define ENCR_SALT_MAX 32
#define ENCR_IV_MAX 32
#define ENCR_BLOB_MAX 512
#ifndef ENCR_ITER_MAX  /* the fuzz build lowers it, to reach the reads */
#define ENCR_ITER_MAX 10000000u   /* as the volume side (KB_MAX_ITERATIONS) */
#endif
#define ENCR_HMAC_KEY 20
#define ENCR_KEK 24               /* 3DES-EDE key */
#define ENCR_BS_MIN 512
#define ENCR_BS_MAX (1u << 20)

enum { ENCR_KEY_PASSWORD = 1, ENCR_KEY_PUBLIC = 2 };

struct encr_keyptr {
	uint32_t type;
	uint64_t off, len;
};

struct encr_header {
	uint32_t version, key_bits, block_size, nkeys;
	uint8_t uuid[16];
	uint64_t data_len, data_off;
	struct encr_keyptr keys[ENCR_KEYS_MAX];
};

struct encr_pwentry {
	uint32_t iterations, salt_len, iv_len, blob_len;
	uint8_t salt[ENCR_SALT_MAX], iv[ENCR_IV_MAX], blob[ENCR_BLOB_MAX];
};

/* The unwrapped keys; lives in key memory (apfs_secret_alloc). */
struct encr_keys {
	uint8_t aes[32];
	uint8_t hmac[ENCR_HMAC_KEY];
	unsigned aes_len;
};

/*
 * Parse and bound the header at the start of src (`what` names src in
 * messages).  0, or -APFS_ECORRUPT / -ENOTSUP / -errno, logged.
 */
struct apfs_dev;
int encr_read_header(struct apfs_dev *src, const char *what, struct encr_header *h);

/* Read and bound password key entry i of h (a pointer of type 1). */
int encr_read_pwentry(struct apfs_dev *src, const char *what, const struct encr_header *h,
		      unsigned i, struct encr_pwentry *e);

/* "password", "public key (certificate)", "type N": for messages. */
const char *encr_key_type_name(uint32_t type, char *buf, size_t len);

/*
 * Unwrap e with a candidate password: 0 and *k filled, -APFS_EREJECTED when
 * the password does not open it, -ENOMEM.  Logs nothing: the caller tries
 * every entry and candidate first.
 */
int encr_unwrap(const struct encr_pwentry *e, const char *pw, size_t pwlen, unsigned key_bits,
		struct encr_keys *k);

#endif
