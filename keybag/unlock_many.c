/* SPDX-License-Identifier: MIT */
/*
 * unlock_many.c - a dictionary's passwords against one crypto user, a
 * batch at a time: the user's salt and iteration count are the same for
 * every password, so their PBKDF2 derivations run in the SIMD lanes of
 * cipher/pbkdf2.c, then each lane's key tries the KEK unwrap as
 * kb_unlock_user() would.  Holds no state: called from several threads.
 */
#include <openssl/crypto.h>
#include <string.h>

#include "apfs/apfs.h"
#include "util/err.h"
#include "util/secmem.h"
#include "cipher/pbkdf2.h"
#include "keybag/internal.h"

unsigned kb_unlock_batch(void)
{
	return apfs_pbkdf2_lanes(apfs_pbkdf2_engine());
}

/* Lane i's key tried: 0 with the VEK, -APFS_EREJECTED, or another -errno. */
static int try_lane(const struct kb_volume_keys *k, const struct kb_user *u, const uint8_t *dk,
		    uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16])
{
	uint8_t kek[32];
	size_t keklen = 0;
	int ret = kb_kek_from_dk(&u->kek, dk, kek, &keklen);

	return kb_vek_from_kek(k, u, ret, kek, keklen, vek, veklen, cs_uuid);
}

/* The n derivations into dk (n * 32 bytes of secret memory), then the unwraps. */
static int derive_and_try(const struct kb_volume_keys *k, const struct kb_user *u, unsigned n,
			  char *const secret[], const size_t len[], uint8_t *dk, unsigned *which,
			  uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16])
{
	const struct kb_blob *b = &u->kek;
	uint8_t *out[APFS_PBKDF2_MAX_LANES];
	int ret;

	for (unsigned i = 0; i < n; i++)
		out[i] = dk + 32 * i;
	ret = apfs_pbkdf2_sha256_lanes(apfs_pbkdf2_engine(), n, (const void *const *)secret, len,
				       b->salt, b->salt_len, b->iterations, out, kb_kek_dklen(b));
	if (ret)
		return ret;
	ret = -APFS_EREJECTED;
	for (unsigned i = 0; i < n && ret == -APFS_EREJECTED; i++) {
		ret = try_lane(k, u, out[i], vek, veklen, cs_uuid);
		*which = i;
	}
	return ret;
}

/**
 * kb_unlock_user_many() - try a batch of passwords against one crypto user.
 * See keybag.h.  A Personal Recovery User's candidates are normalised one
 * by one (kb_unlock_user()), as a recovery key is PBKDF2'd as printed.
 */
int kb_unlock_user_many(const struct kb_volume_keys *k, const struct kb_user *u, unsigned n,
			char *const secret[], const size_t len[], unsigned *which,
			uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16])
{
	uint8_t *dk;
	int ret = -APFS_EREJECTED;

	if (n == 0 || n > kb_unlock_batch())
		return -EINVAL;
	if (n == 1 || u->type == KB_USER_PERSONAL_RECOVERY) {
		for (unsigned i = 0; i < n && ret == -APFS_EREJECTED; i++) {
			ret = kb_unlock_user(k, u, secret[i], len[i], vek, veklen, cs_uuid);
			*which = i;
		}
		return ret;
	}
	ret = kb_check_usable(u);
	if (ret)
		return ret;
	dk = apfs_secret_alloc(32 * (size_t)n);
	if (!dk)
		return -ENOMEM;
	ret = derive_and_try(k, u, n, secret, len, dk, which, vek, veklen, cs_uuid);
	apfs_secret_free(dk);
	return ret;
}
