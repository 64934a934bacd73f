/* SPDX-License-Identifier: MIT */
/*
 * encrcdsa_hdr.c - the encrcdsa version 2 header and its password key
 * entries, every field bounded before use (docs/containers.md §3).  Key
 * entries are found through their pointers, never at a fixed offset: a
 * reader that assumes 0x2A8 (vfdecrypt does) misreads other layouts.
 */
#include <stdio.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"
#include "image/dev.h"
#include "image/encrcdsa.h"

#define HDR_MAX (ENCR_HDR_FIXED + ENCR_KEYS_MAX * ENCR_KEYPTR)

const char *encr_key_type_name(uint32_t type, char *buf, size_t len)
{
	if (type == ENCR_KEY_PASSWORD)
		return "password";
	if (type == ENCR_KEY_PUBLIC)
		return "public key (certificate)";
	snprintf(buf, len, "type %u", type);
	return buf;
}

static int bad(const char *what, const char *msg, unsigned long long v)
{
	apfs_err("'%s': encrypted disk image (encrcdsa) header: %s (%llu)", what, msg, v);
	return -APFS_ECORRUPT;
}

static int check_fields(const char *what, const struct encr_header *h, uint64_t size)
{
	uint64_t bs = h->block_size, chunks;

	if (h->key_bits != 128 && h->key_bits != 256)
		return bad(what, "key_bits at 0x18 is neither 128 nor 256", h->key_bits);
	if (bs < ENCR_BS_MIN || bs > ENCR_BS_MAX || bs % 16)
		return bad(what, "block_size at 0x34 is not a multiple of 16 in 512..1048576", bs);
	if (h->nkeys == 0 || h->nkeys > ENCR_KEYS_MAX)
		return bad(what, "number of key entries at 0x48 is not in 1..64", h->nkeys);
	if (ENCR_HDR_FIXED + (uint64_t)h->nkeys * ENCR_KEYPTR > size)
		return bad(what, "the key pointers run past the end of the header's file, whose "
			   "size is", size);
	chunks = h->data_len / bs + !!(h->data_len % bs);
	if (h->data_len > UINT64_MAX / 2 || chunks > UINT32_MAX)
		return bad(what, "encrypted data length at 0x38 is beyond 2^32 chunks", h->data_len);
	return 0;
}

static void parse_pointers(const uint8_t *b, struct encr_header *h)
{
	for (uint32_t i = 0; i < h->nkeys; i++) {
		const uint8_t *p = b + ENCR_HDR_FIXED + i * ENCR_KEYPTR;

		h->keys[i] = (struct encr_keyptr){ ld_be32(p), ld_be64(p + 4), ld_be64(p + 12) };
	}
}

int encr_read_header(struct apfs_dev *src, const char *what, struct encr_header *h)
{
	uint8_t b[HDR_MAX] = { 0 };
	size_t n = src->size < HDR_MAX ? (size_t)src->size : HDR_MAX;
	int ret;

	if (n < ENCR_HDR_FIXED) {
		apfs_err("'%s': encrypted disk image (encrcdsa) header is cut short: %zu of %d "
			 "bytes", what, n, ENCR_HDR_FIXED);
		return -APFS_ECORRUPT;
	}
	ret = apfs_dev_read(src, b, n, 0);
	if (ret)
		return ret;
	h->version = ld_be32(b + 8);
	if (memcmp(b, ENCR_MAGIC, 8) || h->version != 2) {
		apfs_err("'%s': an encrypted Apple disk image with encrcdsa version %u: only "
			 "version 2 is read", what, h->version);
		return -ENOTSUP;
	}
	h->key_bits = ld_be32(b + 0x18);
	memcpy(h->uuid, b + 0x24, 16);
	h->block_size = ld_be32(b + 0x34);
	h->data_len = ld_be64(b + 0x38);
	h->data_off = ld_be64(b + 0x40);
	h->nkeys = ld_be32(b + 0x48);
	ret = check_fields(what, h, n);
	if (!ret)
		parse_pointers(b, h);
	return ret;
}

static int bad_entry(const char *what, unsigned i, const char *msg, unsigned long long v)
{
	apfs_err("'%s': encrypted disk image (encrcdsa) key entry %u: %s (%llu)", what, i + 1,
		 msg, v);
	return -APFS_ECORRUPT;
}

static int check_entry(const char *what, unsigned i, const struct encr_pwentry *e)
{
	if (e->iterations == 0 || e->iterations > ENCR_ITER_MAX)
		return bad_entry(what, i, "PBKDF2 iteration count is 0 or over 10,000,000; "
				 "refused before deriving any key", e->iterations);
	if (e->salt_len == 0 || e->salt_len > ENCR_SALT_MAX)
		return bad_entry(what, i, "salt length is not in 1..32", e->salt_len);
	if (e->iv_len < 8 || e->iv_len > ENCR_IV_MAX)
		return bad_entry(what, i, "IV length is not in 8..32", e->iv_len);
	if (e->blob_len == 0 || e->blob_len > ENCR_BLOB_MAX || e->blob_len % 8)
		return bad_entry(what, i, "wrapped key blob length is not a multiple of 8 in "
				 "8..512", e->blob_len);
	return 0;
}

int encr_read_pwentry(struct apfs_dev *src, const char *what, const struct encr_header *h,
		      unsigned i, struct encr_pwentry *e)
{
	const struct encr_keyptr *kp = &h->keys[i];
	uint8_t b[ENCR_KEYDATA_FIXED + ENCR_BLOB_MAX] = { 0 };
	int ret;

	if (kp->len < ENCR_KEYDATA_FIXED || !range_ok(kp->off, ENCR_KEYDATA_FIXED, src->size))
		return bad_entry(what, i, "pointer (offset, length) lies outside the header's file "
				 "or is too short; offset", kp->off);
	ret = apfs_dev_read(src, b, ENCR_KEYDATA_FIXED, kp->off);
	if (ret)
		return ret;
	e->iterations = ld_be32(b + 8);
	e->salt_len = ld_be32(b + 12);
	memcpy(e->salt, b + 16, ENCR_SALT_MAX);
	e->iv_len = ld_be32(b + 48);
	memcpy(e->iv, b + 52, ENCR_IV_MAX);
	e->blob_len = ld_be32(b + 100);
	ret = check_entry(what, i, e);
	if (ret)
		return ret;
	if (kp->len < ENCR_KEYDATA_FIXED + (uint64_t)e->blob_len ||
	    !range_ok(kp->off + ENCR_KEYDATA_FIXED, e->blob_len, src->size))
		return bad_entry(what, i, "wrapped key blob runs past the entry or the file; "
				 "blob length", e->blob_len);
	return apfs_dev_read(src, e->blob, e->blob_len, kp->off + ENCR_KEYDATA_FIXED);
}
