/* SPDX-License-Identifier: MIT */
/*
 * blob.c - parse wrapped KEK and VEK blobs (docs/apfs-format.md §4).
 *
 *   30 { [0] version, [1] HMAC, [2] HMAC salt,
 *        A3 { [0] version, [1] UUID, [2] metadata, [3] wrapped key,
 *             [4] PBKDF2 iterations, [5] PBKDF2 salt } }
 *
 * Elements are found by tag, not position, and unknown tags are skipped
 * and counted: macOS 26 VEK blobs carry [4]..[8] of unknown meaning after
 * the wrapped key.  The HMAC proves only that the blob is intact (its key
 * comes from a constant), so a mismatch is a warning, not a failure.
 */
#include <openssl/crypto.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"
#include "keybag/crypto.h"
#include "keybag/der.h"
#include "keybag/internal.h"

/* §4.6: hmac_key = SHA-256(this prefix || outer [2] salt). */
static const uint8_t hmac_prefix[6] = { 0x01, 0x16, 0x20, 0x17, 0x15, 0x05 };

/* Outer-level pieces needed for the HMAC check. */
struct outer {
	const uint8_t *mac;     /* [1], 32 bytes, or NULL */
	const uint8_t *salt;    /* [2] */
	size_t salt_len;
	struct kb_der_tlv key;  /* the A3 element, whole */
	bool have_key;
};

/* Copy a primitive element of exactly one of the allowed sizes. */
static int take_bytes(const struct kb_der_tlv *t, uint8_t *dst, size_t min, size_t max,
		      size_t *len)
{
	if (t->tag & 0x20 || t->len < min || t->len > max)
		return -APFS_ECORRUPT;
	memcpy(dst, t->val, t->len);
	if (len)
		*len = t->len;
	return 0;
}

static int inner_field(const struct kb_der_tlv *t, bool kek, struct kb_blob *b, unsigned *seen)
{
	/* In VEK blobs [4] and up are the unknown macOS 26 additions, not a KDF. */
	if (!kek && t->tag >= KB_DER_CTX(4) && t->tag <= KB_DER_CTX(5)) {
		b->extra_tags++;
		return 0;
	}
	switch (t->tag) {
	case KB_DER_CTX(0):
		return 0;  /* version: 0 in every blob seen; not needed */
	case KB_DER_CTX(1):
		*seen |= 1u << 1;
		return take_bytes(t, b->uuid, 16, 16, NULL);
	case KB_DER_CTX(2):
		*seen |= 1u << 2;
		if (t->len != 8 && t->len != 22)
			return -APFS_ECORRUPT;
		return take_bytes(t, b->meta, 8, 22, &b->meta_len);
	case KB_DER_CTX(3):
		*seen |= 1u << 3;
		if (t->len != 24 && t->len != 40)
			return -APFS_ECORRUPT;
		return take_bytes(t, b->wrapped, 24, 40, &b->wrapped_len);
	case KB_DER_CTX(4):
		*seen |= 1u << 4;
		return t->tag & 0x20 ? -APFS_ECORRUPT : kb_der_uint(t, &b->iterations);
	case KB_DER_CTX(5):
		*seen |= 1u << 5;
		return take_bytes(t, b->salt, 1, sizeof(b->salt), &b->salt_len);
	}
	b->extra_tags++;
	return 0;
}

static int parse_inner(const struct kb_der *outer, const struct kb_der_tlv *key, bool kek,
		       struct kb_blob *b, const char **why)
{
	const unsigned need = 1u << 1 | 1u << 2 | 1u << 3;
	struct kb_der d;
	struct kb_der_tlv t;
	unsigned seen = 0;
	int ret;

	*why = "malformed DER or bad field in the [3] key blob";
	ret = kb_der_enter(outer, key, &d);
	while (!ret && (ret = kb_der_next(&d, &t)) == 1)
		ret = inner_field(&t, kek, b, &seen);
	if (ret)
		return ret;
	if ((seen & need) != need) {
		*why = "key blob lacks UUID, metadata or wrapped key";
		return -APFS_ECORRUPT;
	}
	b->has_kdf = (seen & (1u << 4)) && (seen & (1u << 5));
	b->flags = ld_le32(b->meta);
	return 0;
}

static int outer_field(const struct kb_der_tlv *t, struct outer *o, struct kb_blob *b)
{
	switch (t->tag) {
	case KB_DER_CTX(0):
		return 0;
	case KB_DER_CTX(1):
		if (t->len != 32)
			return -APFS_ECORRUPT;
		o->mac = t->val;
		return 0;
	case KB_DER_CTX(2):
		o->salt = t->val;
		o->salt_len = t->len;
		return 0;
	case KB_DER_CTX_CONS(3):
		if (o->have_key)
			return -APFS_ECORRUPT;
		o->key = *t;
		o->have_key = true;
		return 0;
	}
	b->extra_tags++;
	return 0;
}

/**
 * kb_blob_hmac() - the §4.6 HMAC of a blob.
 * @salt: outer [2] contents.
 * @elem: the whole [3] element, tag and length bytes included.
 * @mac: receives HMAC-SHA256(SHA-256(prefix || salt), elem).
 *
 * Return: 0 or -errno.
 */
int kb_blob_hmac(const uint8_t *salt, size_t saltlen, const uint8_t *elem, size_t elemlen,
		 uint8_t mac[32])
{
	uint8_t pre[sizeof(hmac_prefix) + 64], key[32];
	int ret;

	if (saltlen > sizeof(pre) - sizeof(hmac_prefix))
		return -EINVAL;
	memcpy(pre, hmac_prefix, sizeof(hmac_prefix));
	memcpy(pre + sizeof(hmac_prefix), salt, saltlen);
	ret = kb_sha256(pre, sizeof(hmac_prefix) + saltlen, key);
	if (!ret)
		ret = kb_hmac_sha256(key, sizeof(key), elem, elemlen, mac);
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

static void check_hmac(const struct outer *o, struct kb_blob *b, const char *what)
{
	uint8_t mac[32];

	b->hmac = -1;
	if (!o->mac || !o->salt)
		return;
	if (kb_blob_hmac(o->salt, o->salt_len, o->key.raw, o->key.rawlen, mac))
		return;
	b->hmac = CRYPTO_memcmp(mac, o->mac, 32) == 0;
	if (!b->hmac)
		apfs_warn("%s: blob HMAC does not match (damaged blob?); trying it anyway", what);
}

/**
 * kb_blob_parse() - parse a KEK or VEK blob.
 * @p: the DER bytes (a keybag entry's ke_keydata).
 * @len: ke_keylen; bytes after the outer SEQUENCE are ignored.
 * @kek: a KEK blob (inner [4]/[5] are the PBKDF2 parameters) rather than a
 *	VEK blob (where they are unknown macOS 26 fields, skipped).
 * @what: names the entry and block for messages.
 * @out: receives the fields.
 * @whyp: if not NULL, receives a static description of a parse failure.
 *
 * Return: 0 or -APFS_ECORRUPT (logged as a warning: callers go on without
 * the blob, reporting the record as unparsable).
 */
int kb_blob_parse(const uint8_t *p, size_t len, bool kek, const char *what, struct kb_blob *out,
		  const char **whyp)
{
	struct kb_der top = kb_der_init(p, len), seq;
	struct kb_der_tlv t;
	struct outer o = { 0 };
	const char *why = "no complete outer DER SEQUENCE";
	int ret;

	memset(out, 0, sizeof(*out));
	ret = kb_der_next(&top, &t);
	if (ret == 1 && t.tag == KB_DER_SEQUENCE)
		ret = kb_der_enter(&top, &t, &seq);
	else if (ret >= 0)
		ret = -APFS_ECORRUPT;
	if (!ret)
		why = "malformed DER or bad field in the outer SEQUENCE";
	while (!ret && (ret = kb_der_next(&seq, &t)) == 1)
		ret = outer_field(&t, &o, out);
	if (!ret && !o.have_key) {
		why = "blob lacks its [3] key element";
		ret = -APFS_ECORRUPT;
	}
	if (!ret)
		ret = parse_inner(&seq, &o.key, kek, out, &why);
	if (ret) {
		/* A warning: callers carry on without this blob (§6.2 step 3). */
		apfs_warn("%s: cannot parse key blob: %s", what, why);
		if (whyp)
			*whyp = why;
		return ret;
	}
	check_hmac(&o, out, what);
	return 0;
}
