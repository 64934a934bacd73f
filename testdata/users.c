/* SPDX-License-Identifier: MIT */
/*
 * users.c - encryption keys and crypto users of a volume: the VEK, the
 * volume's single KEK, one KEK blob per crypto user (each wrapping that KEK
 * under its own secret), and the container-keybag entries that lead to them
 * (docs/apfs-format.md §4, §5).
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>

#include "apfs/apfs.h"
#include "cipher/xts.h"
#include "keybag/crypto.h"
#include "mk.h"

static const uint8_t meta_prefix_macos26[6] = { 0x49, 0, 0, 0, 0x02, 0x00 };

/**
 * mk_kek_blob() - wrap a volume KEK under a password for one KEK blob.
 * @kek: the volume KEK (32 bytes, or 16 for CoreStorage-style volumes)
 * @keklen: 32 or 16
 * @pw: the secret, used as the PBKDF2 password
 * @pwlen: its length
 * @kind: key variant (decides the derived-key size and what is wrapped)
 * @b: salt and iterations in; wrapped out
 */
int mk_kek_blob(const uint8_t *kek, size_t keklen, const char *pw, size_t pwlen,
		enum mk_kek_kind kind, struct mk_blob *b)
{
	uint8_t dk[32], in[32] = { 0 };
	size_t dklen = kind == MK_KEK_CS128 ? 16 : 32, inlen = keklen;
	int rc;

	if (keklen == 16 && kind == MK_KEK_0X10)
		inlen = 32; /* KEK16 || 16 zero bytes */
	if ((keklen == 16) != (kind == MK_KEK_CS128 || kind == MK_KEK_0X10) &&
	    kind != MK_KEK_HW && kind != MK_KEK_MACOS26)
		return -EINVAL;
	memcpy(in, kek, keklen);
	memset(b->wrapped, 0, sizeof(b->wrapped));
	rc = kb_pbkdf2_sha256(pw, pwlen, b->salt, 16, b->iterations, dk, dklen);
	if (!rc)
		rc = kb_aes_wrap(dk, dklen, in, inlen, b->wrapped);
	OPENSSL_cleanse(dk, sizeof(dk));
	OPENSSL_cleanse(in, sizeof(in));
	return rc;
}

/**
 * mk_vek_blob() - wrap the VEK with the KEK; a 16-byte (CoreStorage) VEK is
 * wrapped with AES-128 under the first half of the KEK.
 */
int mk_vek_blob(const uint8_t *vek, size_t veklen, const uint8_t *kek, size_t keklen,
		struct mk_blob *b)
{
	memset(b->wrapped, 0, sizeof(b->wrapped));
	b->iterations = 0;
	return kb_aes_wrap(kek, veklen == 16 ? 16 : keklen, vek, veklen, b->wrapped);
}

/* XTS keys: VEK halves, or VEK16 and SHA-256(VEK16 || blob UUID)[0..15] (§5.3). */
static int vol_xts(struct mk_vol *v)
{
	uint8_t seed[32], h[32];
	int rc;

	if (v->vek_len == 32)
		return apfs_xts_new(v->vek, v->vek + 16, &v->xts);
	memcpy(seed, v->vek, 16);
	memcpy(seed + 16, v->vek_uuid, 16);
	rc = kb_sha256(seed, 32, h);
	if (!rc)
		rc = apfs_xts_new(v->vek, h, &v->xts);
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(h, sizeof(h));
	return rc;
}

/**
 * mk_vol_encrypt() - make a volume encrypted before any content is added.
 * @v: volume
 * @cs128: a CoreStorage-converted style 128-bit VEK with its own blob UUID
 * @kek_len: 32, or 16 (CoreStorage KEK: users of kind CS128 and 0x10)
 */
int mk_vol_encrypt(struct mk_vol *v, bool cs128, unsigned kek_len)
{
	struct mk_rng *r = &v->img->rng;

	v->encrypted = true;
	v->vek_len = cs128 ? 16 : 32;
	v->kek_len = kek_len;
	mk_rng_bytes(r, v->vek, v->vek_len);
	mk_rng_bytes(r, v->kek, kek_len);
	mk_rng_bytes(r, v->meta_tag, 2);
	if (cs128)
		mk_rng_uuid(r, v->vek_uuid);
	else
		memcpy(v->vek_uuid, v->uuid, 16);
	v->kb = calloc(1, sizeof(*v->kb));
	/*
	 * --unencrypted: the keys are still drawn (and users still made, into a
	 * keybag never written), so every other byte the seed gives is the same;
	 * only the encryption is off.
	 */
	if (v->img->unencrypted) {
		v->encrypted = false;
		return v->kb ? 0 : -ENOMEM;
	}
	/*
	 * A T2 or Apple-silicon Mac's container has no NX_CRYPTO_SW (reference;
	 * docs/macos-boot.md §5); its blocks are still encrypted here with the
	 * VEK, whose every KEK is bound to a Secure Enclave.
	 */
	v->img->crypto_sw = !v->img->hardware;
	return v->kb ? vol_xts(v) : -ENOMEM;
}

static void user_meta(const struct mk_vol *v, enum mk_kek_kind kind, struct mk_blob *b)
{
	memset(b->meta, 0, sizeof(b->meta));
	if (kind == MK_KEK_MACOS26) {
		memcpy(b->meta, meta_prefix_macos26, 6);
		memcpy(b->meta + 6, v->img->sep_id, 16);
		b->meta_len = 22;
		return;
	}
	b->meta[0] = (uint8_t)kind;
	b->meta[4] = 2; /* KEK */
	memcpy(b->meta + 6, v->meta_tag, 2);
	b->meta_len = 8;
}

/* The key a user's blob wraps and the secret it is wrapped under. */
static int user_wrap(struct mk_vol *v, const struct mk_user *u, struct mk_blob *b)
{
	struct mk_rng *r = &v->img->rng;
	uint8_t other[32], secret[32];
	const uint8_t *key = v->kek;
	const char *pw = u->secret ? u->secret : "";
	size_t pwlen = strlen(pw);
	enum mk_kek_kind kind = u->kind;
	int rc;

	if (b->iterations > (1u << 24)) {
		/* A crafted count nobody could derive with: the wrapped key is noise. */
		mk_rng_bytes(r, b->wrapped, sizeof(b->wrapped));
		return 0;
	}
	if (u->decoy) {
		mk_rng_bytes(r, other, sizeof(other));
		key = other;
	}
	if (kind == MK_KEK_HW || kind == MK_KEK_MACOS26) {
		/* Bound to a Secure Enclave: wrapped under a key nobody has. */
		mk_rng_bytes(r, secret, sizeof(secret));
		pw = (const char *)secret;
		pwlen = sizeof(secret);
		kind = v->kek_len == 16 ? MK_KEK_0X10 : MK_KEK_256;
	}
	rc = mk_kek_blob(key, v->kek_len, pw, pwlen, kind, b);
	OPENSSL_cleanse(other, sizeof(other));
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

/**
 * mk_vol_add_user() - add a crypto user: a tag-3 KEK blob, and a tag-4 hint.
 * @v: an encrypted volume
 * @u: the user
 */
int mk_vol_add_user(struct mk_vol *v, const struct mk_user *u)
{
	struct mk_blob b = { 0 };
	uint8_t der[256];
	size_t len = sizeof(der);
	int rc = 0;

	if (!v->vek_len)
		return -EINVAL;
	if (u->uuid)
		rc = apfs_uuid_parse(u->uuid, b.uuid);
	else
		memcpy(b.uuid, v->uuid, 16);
	mk_rng_bytes(&v->img->rng, b.hmac_salt, 8);
	mk_rng_bytes(&v->img->rng, b.salt, 16);
	b.iterations = u->iterations ? u->iterations : v->img->iterations;
	user_meta(v, u->kind, &b);
	if (!rc)
		rc = user_wrap(v, u, &b);
	if (!rc)
		rc = mk_der_blob(&b, der, &len);
	if (!rc)
		rc = mk_kb_add(v->kb, b.uuid, KB_TAG_VOLUME_UNLOCK_RECORDS, der, len);
	if (!rc && u->hint)
		rc = mk_kb_add(v->kb, b.uuid, KB_TAG_VOLUME_PASSPHRASE_HINT, u->hint,
			       strlen(u->hint));
	return rc;
}

/**
 * mk_vol_keybags() - store the volume keybag and add the volume's entries
 * (volume-keybag prange, then VEK blob) to the container keybag.
 * @v: a finished encrypted volume
 */
int mk_vol_keybags(struct mk_vol *v)
{
	struct mk_image *img = v->img;
	struct apfs_prange pr;
	struct mk_blob b = { 0 };
	uint8_t der[256];
	size_t len = sizeof(der);
	int rc;

	if (!img->ckb && !(img->ckb = calloc(1, sizeof(*img->ckb))))
		return -ENOMEM;
	rc = mk_kb_store(img, v->kb, APFS_OBJECT_TYPE_VOLUME_KEYBAG, v->uuid, &pr);
	if (!rc)
		rc = mk_kb_add(img->ckb, v->uuid, KB_TAG_VOLUME_UNLOCK_RECORDS, &pr, sizeof(pr));
	mk_rng_bytes(&img->rng, b.hmac_salt, 8);
	memcpy(b.uuid, v->vek_uuid, 16);
	b.meta[0] = v->vek_len == 16 ? MK_KEK_CS128 : 0;
	b.meta[4] = 1; /* VEK */
	memcpy(b.meta + 6, v->meta_tag, 2);
	b.meta_len = 8;
	if (!rc)
		rc = mk_vek_blob(v->vek, v->vek_len, v->kek, v->kek_len, &b);
	if (!rc)
		rc = mk_der_blob(&b, der, &len);
	if (!rc)
		rc = mk_kb_add(img->ckb, v->uuid, KB_TAG_VOLUME_KEY, der, len);
	OPENSSL_cleanse(&b, sizeof(b));
	return rc;
}
