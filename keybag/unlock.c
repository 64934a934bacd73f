/* SPDX-License-Identifier: MIT */
/*
 * unlock.c - credential -> KEK -> VEK (docs/apfs-format.md §5.2, §5.3).
 *
 *   dk  = PBKDF2-HMAC-SHA256(secret, [5], [4], 16 if KEK flag 0x02 else 32)
 *   KEK = unwrap(dk, first 24 bytes of [3] if |dk| = 16 else all 40)
 *   VEK = unwrap(KEK[0..15], first 24 bytes)  if VEK flag 0x02 (CoreStorage)
 *         unwrap(KEK, all 40 bytes)            otherwise
 *
 * Kept apart from keybag.c so that it reads no image and holds no state:
 * the CLI calls kb_unlock_user() from several threads at once.
 */
#include <openssl/crypto.h>
#include <string.h>

#include "apfs/apfs.h"
#include "util/err.h"
#include "keybag/crypto.h"
#include "keybag/internal.h"

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Unwrap the VEK blob with kek; CoreStorage VEKs are 16 bytes + blob UUID. */
static int unwrap_with(const struct kb_blob *vek_blob, const uint8_t *kek, size_t keklen,
		       uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16])
{
	size_t wlen = vek_blob->wrapped_len;
	int ret;

	if (vek_blob->flags & KB_FLAG_CS_128) {
		keklen = 16;
		wlen = 24;
	}
	ret = kb_aes_unwrap(kek, keklen, vek_blob->wrapped, wlen, vek);
	if (ret)
		return ret;
	*veklen = wlen - 8;
	memcpy(cs_uuid, vek_blob->uuid, 16);
	return 0;
}

/**
 * kb_unwrap_vek() - unwrap a volume's VEK with a known KEK.
 * @k: the volume's keys (from kb_load()).
 * @kek: 16 or 32 bytes.
 * @keklen: its length.
 * @vek: receives 32 or 16 bytes.
 * @veklen: receives 32 or 16.
 * @cs_uuid: receives the VEK blob UUID (the CoreStorage tweak-key input).
 *
 * A 32-byte KEK that does not fit is retried as its first 16 bytes, the
 * shape of re-wrapped CoreStorage KEKs whose flag is missing (§5.3).
 *
 * Return: 0, -APFS_EREJECTED, -ENOENT when the container holds no VEK
 * for the volume, -EINVAL, or another -errno.
 */
int kb_unwrap_vek(const struct kb_volume_keys *k, const uint8_t *kek, size_t keklen,
		  uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16])
{
	int ret;

	if (!k->have_vek) {
		apfs_err("container keybag at block %llu: no usable VEK record for the volume",
			 (unsigned long long)k->ckb_block);
		return -ENOENT;
	}
	if (keklen != 16 && keklen != 32)
		return -EINVAL;
	ret = unwrap_with(&k->vek, kek, keklen, vek, veklen, cs_uuid);
	if (ret == -EKEYREJECTED && keklen == 32)
		ret = unwrap_with(&k->vek, kek, 16, vek, veklen, cs_uuid);
	return ret;
}

enum kb_unusable kb_unusable(const struct kb_user *u)
{
	if (!u->parsed)
		return KB_UNPARSED;
	if (u->hw_bound || kb_blob_hw_bound(&u->kek))
		return KB_HW_BOUND;
	if (!u->kek.has_kdf)
		return KB_NO_KDF;
	if (u->kek.iterations == 0)
		return KB_NO_ITERATIONS;
	if (u->kek.iterations > KB_MAX_ITERATIONS)
		return KB_TOO_MANY_ITERATIONS;
	return KB_USABLE;
}

/* Why a record cannot be tried offline (said with apfs_err), or 0 when it can. */
int kb_check_usable(const struct kb_user *u)
{
	char id[37];

	apfs_uuid_str(u->uuid, id);
	switch (kb_unusable(u)) {
	case KB_UNPARSED:
		apfs_err("crypto user %s: record cannot be parsed (%s)", id, u->why);
		return -EOPNOTSUPP;
	case KB_HW_BOUND:
		apfs_err("crypto user %s: key is bound to the original Mac's Secure Enclave", id);
		return -APFS_EHWBOUND;
	case KB_NO_KDF:
		apfs_err("crypto user %s: record has no PBKDF2 parameters", id);
		return -EOPNOTSUPP;
	case KB_NO_ITERATIONS:
		apfs_err("crypto user %s: PBKDF2 iteration count is 0", id);
		return -APFS_ECORRUPT;
	case KB_TOO_MANY_ITERATIONS:
		apfs_err("crypto user %s: %llu PBKDF2 iterations exceed the limit of %llu", id,
			 (unsigned long long)u->kek.iterations, KB_MAX_ITERATIONS);
		return -EOPNOTSUPP;
	case KB_USABLE:
		break;
	}
	return 0;
}

size_t kb_kek_dklen(const struct kb_blob *b)
{
	return b->flags & KB_FLAG_CS_128 ? 16 : 32;
}

/**
 * kb_kek_from_dk() - unwrap a user's KEK with the PBKDF2 output.
 * @b: the user's KEK blob.
 * @dk: kb_kek_dklen(b) bytes of PBKDF2-HMAC-SHA256(secret, salt, iterations).
 * @kek: receives the KEK.
 * @keklen: receives 16 or 32.
 *
 * Return: 0, -APFS_EREJECTED for a wrong secret, or another -errno.
 */
int kb_kek_from_dk(const struct kb_blob *b, const uint8_t *dk, uint8_t kek[32], size_t *keklen)
{
	size_t dklen = kb_kek_dklen(b);
	size_t wlen = dklen == 16 ? 24 : b->wrapped_len;
	int ret = kb_aes_unwrap(dk, dklen, b->wrapped, wlen, kek);

	if (ret)
		return ret;
	*keklen = wlen - 8;
	/* Flag 0x10: a 128-bit CoreStorage KEK inside a 256-bit wrap. */
	if (*keklen == 32 && ((b->flags & KB_FLAG_REWRAPPED_128) || all_zero(kek + 16, 16)))
		*keklen = 16;
	return 0;
}

/* secret -> KEK (16 or 32 bytes). */
static int derive_kek(const struct kb_blob *b, const void *secret, size_t len, uint8_t kek[32],
		      size_t *keklen)
{
	uint8_t dk[32];
	int ret;

	ret = kb_pbkdf2_sha256(secret, len, b->salt, b->salt_len, b->iterations, dk,
			       kb_kek_dklen(b));
	if (!ret)
		ret = kb_kek_from_dk(b, dk, kek, keklen);
	OPENSSL_cleanse(dk, sizeof(dk));
	return ret;
}


/*
 * The VEK from user u's KEK (ret: how getting the KEK went; nonzero passes
 * through).  A KEK that unwraps but does not unwrap the VEK is a damaged
 * record, said by name.  The KEK is wiped either way.
 */
int kb_vek_from_kek(const struct kb_volume_keys *k, const struct kb_user *u, int ret,
		    uint8_t kek[32], size_t keklen, uint8_t vek[32], size_t *veklen,
		    uint8_t cs_uuid[16])
{
	char id[37];

	if (!ret) {
		ret = kb_unwrap_vek(k, kek, keklen, vek, veklen, cs_uuid);
		if (ret == -EKEYREJECTED) {
			apfs_uuid_str(u->uuid, id);
			apfs_err("crypto user %s: KEK unwrapped but does not unwrap the VEK", id);
		}
	}
	OPENSSL_cleanse(kek, 32);
	return ret;
}

/**
 * kb_unlock_user() - try one credential against one crypto user.
 * @k: the volume's keys.
 * @u: one of k->users.
 * @secret: password bytes (UTF-8, no terminator) or a recovery key.
 * @len: its length.
 * @vek: receives the VEK (32 bytes, or 16 for a CoreStorage VEK).
 * @veklen: receives 32 or 16.
 * @cs_uuid: receives the VEK blob UUID.
 *
 * Return: 0, -APFS_EREJECTED for a wrong credential, -APFS_EHWBOUND,
 * -EOPNOTSUPP, or another -errno.  Thread-safe.
 */
int kb_unlock_user(const struct kb_volume_keys *k, const struct kb_user *u, const void *secret,
		   size_t len, uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16])
{
	char prk[30], nul_term[128];
	uint8_t kek[32];
	size_t keklen = 0;
	int ret;

	ret = kb_check_usable(u);
	if (ret)
		return ret;
	/* A recovery key is PBKDF2'd exactly as printed: upper case, dashes. */
	if (u->type == KB_USER_PERSONAL_RECOVERY && len < sizeof(nul_term)) {
		memcpy(nul_term, secret, len);
		nul_term[len] = '\0';
		if (!kb_normalize_recovery_key(nul_term, prk)) {
			secret = prk;
			len = strlen(prk);
		}
		OPENSSL_cleanse(nul_term, sizeof(nul_term));
	}
	ret = derive_kek(&u->kek, secret, len, kek, &keklen);
	OPENSSL_cleanse(prk, sizeof(prk));
	return kb_vek_from_kek(k, u, ret, kek, keklen, vek, veklen, cs_uuid);
}
