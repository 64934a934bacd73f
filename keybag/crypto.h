/* SPDX-License-Identifier: MIT */
/*
 * crypto.h - the key-derivation and key-wrap primitives of the unlock chain
 * (docs/apfs-format.md §4.6, §5), thin wrappers over OpenSSL libcrypto.
 * Shared by the reader (keybag/) and the image generator (testdata/).
 */
#ifndef KB_CRYPTO_H
#define KB_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* PBKDF2-HMAC-SHA256.  0 or -errno. */
int kb_pbkdf2_sha256(const void *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
		     uint64_t iterations, uint8_t *out, size_t outlen);

/*
 * RFC 3394 AES key unwrap with the default IV A6A6A6A6A6A6A6A6.  kek is 16
 * or 32 bytes; wrapped is (n+1)*8 bytes, out receives n*8.  Returns 0,
 * -EKEYREJECTED when the integrity value does not match (a wrong key, the
 * normal outcome of a wrong password), or another -errno.
 */
int kb_aes_unwrap(const uint8_t *kek, size_t keklen, const uint8_t *wrapped, size_t wlen,
		  uint8_t *out);

/* RFC 3394 wrap: in is n*8 bytes (n >= 2), out receives (n+1)*8. */
int kb_aes_wrap(const uint8_t *kek, size_t keklen, const uint8_t *in, size_t inlen, uint8_t *out);

/* SHA-256 and HMAC-SHA256 one-shots. */
int kb_sha256(const void *data, size_t len, uint8_t out[32]);
int kb_hmac_sha256(const uint8_t *key, size_t keylen, const void *data, size_t len,
		   uint8_t out[32]);

#endif
