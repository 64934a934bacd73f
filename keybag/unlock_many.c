/* SPDX-License-Identifier: MIT */
/*
 * unlock_many.c - a dictionary's passwords against one crypto user, a
 * batch at a time: the user's salt and iteration count are the same for
 * every password, so their PBKDF2 derivations run in the SIMD lanes of
 * cipher/pbkdf2.c, then each lane's key tries the KEK unwrap as
 * kb_unlock_user() would; or one password against several users whose
 * iteration count agrees, a salt a lane (kb_unlock_users_lanes).  Holds no
 * state: called from several threads.
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

bool kb_lanes_fit(const struct kb_user *u)
{
	return kb_unusable(u) == KB_USABLE && u->type != KB_USER_PERSONAL_RECOVERY;
}

bool kb_lanes_same(const struct kb_user *a, const struct kb_user *b)
{
	return a->kek.iterations == b->kek.iterations &&
	       kb_kek_dklen(&a->kek) == kb_kek_dklen(&b->kek);
}

/* Lane i's derivation of u[i]'s own salt into dk (n * 32 bytes of secret memory). */
static int derive_users(const struct kb_user *const u[], unsigned n, const void *secret,
			size_t len, uint8_t *dk)
{
	const void *pw[APFS_PBKDF2_MAX_LANES];
	const uint8_t *salt[APFS_PBKDF2_MAX_LANES];
	size_t pwlen[APFS_PBKDF2_MAX_LANES], saltlen[APFS_PBKDF2_MAX_LANES];
	uint8_t *out[APFS_PBKDF2_MAX_LANES];

	for (unsigned i = 0; i < n; i++) {
		pw[i] = secret, pwlen[i] = len;
		salt[i] = u[i]->kek.salt, saltlen[i] = u[i]->kek.salt_len;
		out[i] = dk + 32 * i;
	}
	return apfs_pbkdf2_sha256_lanes_salted(apfs_pbkdf2_engine(), n, pw, pwlen, salt, saltlen,
					       u[0]->kek.iterations, out,
					       kb_kek_dklen(&u[0]->kek));
}

/**
 * kb_unlock_users_lanes() - one password against several crypto users at
 * once.  See keybag.h.
 */
int kb_unlock_users_lanes(const struct kb_volume_keys *k, const struct kb_user *const u[],
			  unsigned n, const void *secret, size_t len, int ret[], unsigned *which,
			  uint8_t vek[32], size_t *veklen, uint8_t cs_uuid[16])
{
	uint8_t *dk;
	int r;

	if (n == 0 || n > kb_unlock_batch())
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!kb_lanes_fit(u[i]) || !kb_lanes_same(u[0], u[i]))
			return -EINVAL;
	dk = apfs_secret_alloc(32 * (size_t)n);
	if (!dk)
		return -ENOMEM;
	r = derive_users(u, n, secret, len, dk);
	for (unsigned i = 0; !r && i < n; i++) {
		ret[i] = try_lane(k, u[i], dk + 32 * i, vek, veklen, cs_uuid);
		*which = i;
		if (ret[i] == 0)
			break;
	}
	apfs_secret_free(dk);
	return r ? r : ret[*which] == 0 ? 0 : -APFS_EREJECTED;
}
