/* SPDX-License-Identifier: MIT */
/*
 * sha256.c - SHA-256 over a message given in pieces (FIPS 180-4 §5.1.1
 * padding, §6.2 hashing), in plain C on apfs_sha256_block().  The PBKDF2
 * driver needs it for the HMAC key states and U1 of every lane, work done
 * once per password; OpenSSL's own low-level SHA-256 calls are deprecated
 * and its EVP interface cannot start from a state it did not compute.
 */
#include <openssl/crypto.h>
#include <string.h>

#include "cipher/pbkdf2_int.h"

void apfs_sha256_init(struct apfs_sha256 *c)
{
	memcpy(c->st, apfs_sha256_iv, sizeof(c->st));
	c->fill = 0;
	c->total = 0;
}

void apfs_sha256_update(struct apfs_sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->total += len;
	while (len) {
		size_t n = sizeof(c->buf) - c->fill;

		if (n > len)
			n = len;
		memcpy(c->buf + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill == sizeof(c->buf)) {
			apfs_sha256_block(c->st, c->buf);
			c->fill = 0;
		}
	}
}

/* The 0x80 byte, zeros, and the message length in bits, big-endian. */
void apfs_sha256_final(struct apfs_sha256 *c, uint8_t out[32])
{
	uint64_t bits = c->total * 8;

	c->buf[c->fill++] = 0x80;
	if (c->fill > 56) {
		memset(c->buf + c->fill, 0, 64 - c->fill);
		apfs_sha256_block(c->st, c->buf);
		c->fill = 0;
	}
	memset(c->buf + c->fill, 0, 56 - c->fill);
	for (int i = 0; i < 8; i++)
		c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	apfs_sha256_block(c->st, c->buf);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (uint8_t)(c->st[i] >> (24 - 8 * j));
	OPENSSL_cleanse(c, sizeof(*c));
}
