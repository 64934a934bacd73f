/* SPDX-License-Identifier: MIT */
/*
 * xts.h - AES-XTS-128 as APFS uses it: 512-byte data units whatever the
 * block size, the tweak a 64-bit unit number, little-endian, in a zeroed
 * 16-byte block.  Used for keybags (key = UUID || UUID), fs-tree nodes and
 * file extents (key = VEK).
 */
#ifndef APFS_XTS_H
#define APFS_XTS_H

#include <stddef.h>
#include <stdint.h>

#define APFS_XTS_UNIT 512

struct apfs_xts;

/* key1 is the data key, key2 the tweak key; both 16 bytes. */
int apfs_xts_new(const uint8_t key1[16], const uint8_t key2[16], struct apfs_xts **out);
void apfs_xts_free(struct apfs_xts *x);

/* A number unique to this key for the life of the process (0 for NULL). */
uint64_t apfs_xts_id(const struct apfs_xts *x);

/*
 * Decrypt len bytes (a multiple of 512) in place; unit i of the buffer gets
 * tweak first_unit + i.  Thread-safe.
 */
int apfs_xts_decrypt(struct apfs_xts *x, uint8_t *buf, size_t len, uint64_t first_unit);

/*
 * Encrypt, for the image generator.  OpenSSL refuses to encrypt with equal
 * key halves (keybags use UUID || UUID), so this is built on two AES-ECB
 * contexts (or AES-NI, xts_aesni.c) and works for any key pair.
 */
int apfs_xts_encrypt(struct apfs_xts *x, uint8_t *buf, size_t len, uint64_t first_unit);

#endif
