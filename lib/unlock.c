/* SPDX-License-Identifier: MIT */
/*
 * unlock.c - unlocking a volume through the public API: a password, a
 * recovery key, a dictionary or the raw VEK.  The users a credential can fit
 * are chosen and tried in parallel (unlock_engine.h); the VEK found is
 * proven on the file-system root and installed, and kept (secure heap) for
 * apfsi_volume_key.  A failure is a code, with res saying who was tried and
 * who was passed over and why.
 */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/secmem.h"
#include "unlock_cands.h"
#include "unlock_engine.h"
#include "unlock_outcome.h"
#include "users.h"

static const char *vname(const struct apfsi_volume *vol)
{
	return vol->v->name;
}

/* Keep the installed VEK for apfsi_volume_key. */
static void keep_vek(struct apfsi_volume *vol, const uint8_t *vek, size_t len)
{
	uint8_t *copy = apfs_secret_alloc(32);

	if (!copy)
		return;  /* the volume is unlocked; only apfsi_volume_key will say NOMEM */
	memcpy(copy, vek, len);
	pthread_mutex_lock(&vol->lock);
	if (!vol->vek) {
		vol->vek = copy;
		vol->veklen = len;
		copy = NULL;
	}
	pthread_mutex_unlock(&vol->lock);
	apfs_secret_free(copy);
}

/* Install and prove a VEK; who says where it came from, for the message. */
static int install(struct apfsi_volume *vol, const uint8_t *vek, size_t len, const uint8_t *cs,
		   const char *who, const struct apfsi_unlock_options *opts)
{
	int ret = apfs_volume_set_key(vol->v, vek, len, cs);

	if (ret == -APFS_EREJECTED && cs)
		return apfsi_fail(APFSI_ERR_UNSUPPORTED, "volume '%s': %s, but that key does not "
				  "decrypt the file-system root (unsupported key variant)",
				  vname(vol), who);
	if (ret == -APFS_EREJECTED || ret == -EINVAL)
		return apfsi_fail(APFSI_ERR_WRONG_CREDENTIAL, "volume '%s': %s does not decrypt "
				  "the file-system root", vname(vol), who);
	if (ret)
		return apfsi_fail(apfsi_code(ret), "volume '%s': %s, but installing it failed (%s)",
				  vname(vol), who, apfs_strerror(ret));
	if (!opts || !(opts->flags & APFSI_UNLOCK_NO_KEY_COPY))
		keep_vek(vol, vek, len);
	return APFSI_OK;
}

static int unlock_vek(struct apfsi_volume *vol, const void *key, size_t len,
		      const struct apfsi_unlock_options *opts)
{
	if (len != 16 && len != 32)
		return apfsi_fail(APFSI_ERR_INVALID, "a volume key is 32 bytes (or 16 for a "
				  "CoreStorage 128-bit key), not %zu", len);
	return install(vol, key, len, NULL, "the volume key given", opts);
}

/* Nothing to try: why, as a code (the CLI's explain_none, stage by stage). */
static int none_to_try(struct apfsi_volume *vol, const struct kb_volume_keys *k,
		       const uint8_t *want, bool recovery, const struct apfsi_unlock_result *res)
{
	bool named = false;

	if (res->damaged && !res->hardware_bound && !res->unusable)
		return apfsi_fail(APFSI_ERR_CORRUPT, "volume '%s': every crypto user it could be "
				  "tried on has a damaged record", vname(vol));
	if (res->hardware_bound)
		return apfsi_fail(APFSI_ERR_HW_BOUND, "volume '%s': no crypto user it could be "
				  "tried on can be unlocked off the original Mac", vname(vol));
	if (res->unusable)
		return apfsi_fail(APFSI_ERR_NO_USER, "volume '%s': the matching crypto user record "
				  "cannot be unlocked offline (iCloud/institutional escrow, or "
				  "no PBKDF2 parameters)", vname(vol));
	for (unsigned i = 0; want && i < k->nusers; i++)
		named |= !memcmp(k->users[i].uuid, want, 16);
	if (want && !named)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' has no such crypto user",
				  vname(vol));
	if (recovery)
		return apfsi_fail(APFSI_ERR_NO_USER, "volume '%s' has no Personal Recovery User, so "
				  "no recovery key can unlock it", vname(vol));
	return apfsi_fail(APFSI_ERR_NO_USER, "volume '%s' has no crypto user this credential "
			  "can be tried on", vname(vol));
}

/* The job ran and nothing fit: a wrong credential, or a user that could not be checked. */
static int nothing_fit(struct apfsi_volume *vol, const struct apfsi_job *j)
{
	char id[37];

	for (unsigned i = 0; i < j->nusers; i++) {
		int st = j->status[i];

		if (!st)
			continue;
		/* Some user could not be checked at all: not a verdict on the credential. */
		apfs_uuid_str(j->k->users[j->users[i]].uuid, id);
		return apfsi_fail(apfsi_code(st), "volume '%s': crypto user %s: %s", vname(vol), id,
				  st == -EOPNOTSUPP ? "unsupported key variant or iteration count"
						    : apfs_strerror(st));
	}
	return apfsi_fail(APFSI_ERR_WRONG_CREDENTIAL, "volume '%s': wrong credential for the %u "
			  "crypto user%s tried", vname(vol), j->nusers, j->nusers == 1 ? "" : "s");
}

static int outcome(struct apfsi_volume *vol, const struct apfsi_job *j, const size_t *from,
		   const struct apfsi_unlock_options *opts, struct apfsi_unlock_result *res)
{
	if (j->cancelled)
		return apfsi_fail(APFSI_ERR_CANCELLED, "volume '%s': unlock cancelled",
				  vname(vol));
	if (!j->found)
		return nothing_fit(vol, j);
	res->user = (int)j->users[j->found_up];
	res->candidate = from[j->found_cand];
	return install(vol, j->vek, j->veklen, j->cs_uuid,
		       "the credential unwrapped its KEK and VEK", opts);
}

/* What one unlock tries: the candidates, and for pairs the user of each. */
struct unlock_req {
	const uint8_t *want;        /* opts->user_uuid */
	bool recovery;
	const struct apfsi_cands *c;
	const unsigned *pair_user;  /* pairs: c->v[k]'s user, an index into k->users; else NULL */
	const struct apfsi_unlock_options *opts;
};

/*
 * Pairs: the candidates whose user is tried, into kept (each keeping the
 * caller's index), with that user's position in j->users for the job's
 * cand_user; a pair for a user not tried is left out.
 */
static int pair_positions(const struct unlock_req *q, struct apfsi_job *j, unsigned nusers_all,
			  unsigned **cand_user, struct apfsi_cands *kept)
{
	unsigned *pos = calloc(nusers_all + 1, sizeof(*pos));
	int ret = pos ? 0 : -ENOMEM;

	*cand_user = calloc(q->c->n + 1, sizeof(**cand_user));
	if (!*cand_user)
		ret = -ENOMEM;
	for (unsigned up = 0; !ret && up < j->nusers; up++)
		pos[j->users[up]] = up + 1;  /* 0: not tried */
	for (size_t i = 0; !ret && i < q->c->n; i++) {
		unsigned u = q->pair_user[q->c->from[i]];

		if (u >= nusers_all || !pos[u])
			continue;
		(*cand_user)[kept->n] = pos[u] - 1;
		ret = apfsi_cands_add(kept, q->c->v[i], q->c->len[i], q->c->from[i]);
	}
	free(pos);
	return ret;
}

static int run_job(struct apfsi_volume *vol, struct apfsi_job *j, const size_t *from,
		   const struct unlock_req *q, struct apfsi_unlock_result *res)
{
	int ret = apfsi_job_run(j);
	struct apfsi_outcome_req oq = { q->want, q->recovery, j, from };

	res->tried = j->nusers;
	if (!ret)
		apfsi_outcome_record(vol, j->k, &oq);
	return ret ? apfsi_fail(apfsi_code(ret), "volume '%s': out of memory for the unlock",
				vname(vol)) : outcome(vol, j, from, q->opts, res);
}

/* The job for pairs: only the pairs of users tried, each on its user. */
static int run_pairs(struct apfsi_volume *vol, struct apfsi_job *j, const struct unlock_req *q,
		     struct apfsi_unlock_result *res)
{
	struct apfsi_cands kept = { 0 };
	unsigned *cand_user = NULL;
	int ret = pair_positions(q, j, j->k->nusers, &cand_user, &kept);

	if (ret) {
		ret = apfsi_fail(APFSI_ERR_NOMEM, "volume '%s': out of memory", vname(vol));
	} else {
		j->cands = kept.v;
		j->lens = kept.len;
		j->ncands = kept.n;
		j->cand_user = cand_user;
		ret = run_job(vol, j, kept.from, q, res);
	}
	apfsi_cands_free(&kept);
	free(cand_user);
	return ret;
}

static int run(struct apfsi_volume *vol, const struct kb_volume_keys *k,
	       const struct unlock_req *q, struct apfsi_unlock_result *res)
{
	const struct apfsi_unlock_options *opts = q->opts;
	unsigned *idx = calloc(k->nusers + 1, sizeof(*idx));
	struct apfsi_job j = {
		.k = k, .users = idx, .cands = q->c->v, .lens = q->c->len, .ncands = q->c->n,
		.threads = opts ? opts->threads : 0, .on_progress = opts ? opts->progress : NULL,
		.progress_arg = opts ? opts->progress_arg : NULL,
	};
	struct apfsi_outcome_req none = { q->want, q->recovery, NULL, NULL };
	int ret;

	if (!idx)
		return apfsi_fail(APFSI_ERR_NOMEM, "volume '%s': out of memory", vname(vol));
	j.nusers = apfsi_choose_users(k, q->want, q->recovery, idx, res);
	if (!j.nusers) {
		free(idx);
		apfsi_outcome_record(vol, k, &none);
		return none_to_try(vol, k, q->want, q->recovery, res);
	}
	ret = q->pair_user ? run_pairs(vol, &j, q, res) : run_job(vol, &j, q->c->from, q, res);
	apfsi_job_free(&j);
	free(idx);
	return ret;
}

/* No user fitted, nothing tried: what *res says until the unlock gets further. */
static struct apfsi_unlock_result *reset_result(struct apfsi_unlock_result *res,
						struct apfsi_unlock_result *local)
{
	if (!res)
		res = local;
	memset(res, 0, sizeof(*res));
	res->user = -1;
	return res;
}

/*
 * Checks every unlock makes first; APFSI_OK to go on.  The last unlock's
 * verdicts go now: one that fails before trying anyone leaves none.
 */
static int begin(struct apfsi_volume *vol)
{
	apfsi_secure_init();
	apfsi_outcome_forget(vol);
	if (apfs_volume_hw_encrypted(vol->v))
		return apfsi_fail(APFSI_ERR_HW_BOUND, "volume '%s' uses per-file keys held by the "
				  "original Mac's Secure Enclave; it cannot be decrypted off "
				  "that Mac", vname(vol));
	/* Nothing disproves a key on a volume without encryption: its root is plain. */
	if (!apfs_volume_encrypted(vol->v))
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' is not encrypted: it has no "
				  "volume key or crypto users", vname(vol));
	return APFSI_OK;
}

/* The users the candidates c are tried on (pair_user: each its own), and the run. */
static int unlock_cands(struct apfsi_volume *vol, bool recovery, const struct apfsi_cands *c,
			const unsigned *pair_user, const struct apfsi_unlock_options *opts,
			struct apfsi_unlock_result *res)
{
	struct unlock_req q = { opts ? opts->user_uuid : NULL, recovery, c, pair_user, opts };
	const struct kb_volume_keys *k;
	int ret = apfsi_volume_keys(vol, &k);

	for (size_t i = 0; !ret && pair_user && i < c->n; i++)
		if (pair_user[c->from[i]] >= k->nusers)
			return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_unlock_pairs: user %u of "
					  "candidate %zu: the volume has %u crypto users",
					  pair_user[c->from[i]], c->from[i], k->nusers);
	return ret ? ret : run(vol, k, &q, res);
}

static int add_secret(struct apfsi_cands *c, enum apfsi_credential kind, const void *secret,
		      size_t len)
{
	char buf[APFSI_MAX_SECRET + 1], prk[30];
	int ret;

	if (kind == APFSI_CRED_PASSWORD)
		return apfsi_cands_add(c, secret, len, 0);
	if (len > APFSI_MAX_SECRET)
		return -E2BIG;
	memcpy(buf, secret, len);
	buf[len] = '\0';
	ret = strlen(buf) == len ? kb_normalize_recovery_key(buf, prk) : -EINVAL;
	if (!ret)
		ret = apfsi_cands_add(c, prk, strlen(prk), 0);
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(prk, sizeof(prk));
	return ret;
}

static int secret_error(int err, enum apfsi_credential kind)
{
	if (err == -ENOMEM)
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory for the credential");
	if (err == -EINVAL && kind == APFSI_CRED_RECOVERY_KEY)
		return apfsi_fail(APFSI_ERR_INVALID, "not a recovery key: 24 letters and digits, "
				  "with or without dashes");
	return apfsi_fail(APFSI_ERR_INVALID, "a secret longer than %d bytes", APFSI_MAX_SECRET);
}

int apfsi_volume_unlock(apfsi_volume *vol, enum apfsi_credential kind, const void *secret,
			size_t len, const struct apfsi_unlock_options *opts,
			struct apfsi_unlock_result *res)
{
	struct apfsi_unlock_result local;
	struct apfsi_cands c = { 0 };
	int ret;

	apfsi_enter();
	res = reset_result(res, &local);
	if (!vol || (!secret && len) || kind > APFSI_CRED_VOLUME_KEY)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_unlock: bad argument");
	ret = begin(vol);
	if (ret || kind == APFSI_CRED_VOLUME_KEY)
		return ret ? ret : unlock_vek(vol, secret, len, opts);
	ret = add_secret(&c, kind, secret ? secret : "", len);
	if (!ret && kind == APFSI_CRED_PASSWORD)
		ret = apfsi_cands_add_forms(&c);
	ret = ret ? secret_error(ret, kind) :
	      unlock_cands(vol, kind == APFSI_CRED_RECOVERY_KEY, &c, NULL, opts, res);
	apfsi_cands_free(&c);
	return ret;
}

/* Copy n candidates (each once, as given) into c; -EFAULT for a NULL one. */
static int copy_candidates(struct apfsi_cands *c, const char *const *candidates,
			   const size_t *lens, size_t n)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < n; i++)
		ret = candidates[i] ? apfsi_cands_add(c, candidates[i], lens ? lens[i] :
						      strlen(candidates[i]), i) : -EFAULT;
	return ret;
}

/* A dictionary's arguments: APFSI_OK, or the failure named for fn. */
static int check_candidates(const char *fn, apfsi_volume *vol, const void *candidates, size_t n)
{
	if (!vol || !n || !candidates)
		return apfsi_fail(APFSI_ERR_INVALID, "%s: %s", fn,
				  n ? "bad argument" : "no candidates");
	if (n > APFSI_MAX_CANDIDATES)
		return apfsi_fail(APFSI_ERR_INVALID, "%zu candidates: at most %u in one call", n,
				  APFSI_MAX_CANDIDATES);
	return begin(vol);
}

/*
 * A list of passwords: every one on every user that takes it, with their
 * normal forms (users NULL), or each on its own user as given (pairs).
 */
static int unlock_list(const char *fn, apfsi_volume *vol, const char *const *candidates,
		       const size_t *lens, const unsigned *users, size_t n,
		       const struct apfsi_unlock_options *opts, struct apfsi_unlock_result *res)
{
	struct apfsi_cands c = { 0 };
	int ret = copy_candidates(&c, candidates, lens, n);

	if (!ret && !users)
		ret = apfsi_cands_add_forms(&c);
	if (ret == -EFAULT)
		ret = apfsi_fail(APFSI_ERR_INVALID, "%s: a NULL candidate", fn);
	else
		ret = ret ? secret_error(ret, APFSI_CRED_PASSWORD) :
		      unlock_cands(vol, false, &c, users, opts, res);
	apfsi_cands_free(&c);
	return ret;
}

int apfsi_volume_unlock_candidates(apfsi_volume *vol, const char *const *candidates,
				   const size_t *lens, size_t n,
				   const struct apfsi_unlock_options *opts,
				   struct apfsi_unlock_result *res)
{
	static const char fn[] = "apfsi_volume_unlock_candidates";
	struct apfsi_unlock_result local;
	int ret;

	apfsi_enter();
	res = reset_result(res, &local);
	ret = check_candidates(fn, vol, candidates, n);
	return ret ? ret : unlock_list(fn, vol, candidates, lens, NULL, n, opts, res);
}

int apfsi_volume_unlock_pairs(apfsi_volume *vol, const char *const *candidates,
			      const size_t *lens, const unsigned *users, size_t n,
			      const struct apfsi_unlock_options *opts,
			      struct apfsi_unlock_result *res)
{
	static const char fn[] = "apfsi_volume_unlock_pairs";
	struct apfsi_unlock_result local;
	int ret;

	apfsi_enter();
	res = reset_result(res, &local);
	ret = check_candidates(fn, vol, users ? candidates : NULL, n);
	return ret ? ret : unlock_list(fn, vol, candidates, lens, users, n, opts, res);
}

/* Why there is no key to give: locked, not encrypted, or unlocked without a copy kept. */
static int no_key(struct apfsi_volume *vol)
{
	bool unlocked;

	if (!apfs_volume_encrypted(vol->v))
		return apfsi_fail(APFSI_ERR_LOCKED, "volume '%s' is not encrypted: it has no "
				  "volume key", vname(vol));
	pthread_mutex_lock(&vol->v->key_lock);
	unlocked = vol->v->xts != NULL;
	pthread_mutex_unlock(&vol->v->key_lock);
	if (unlocked)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' was unlocked without keeping "
				  "a copy of its key (APFSI_UNLOCK_NO_KEY_COPY)", vname(vol));
	return apfsi_fail(APFSI_ERR_LOCKED, "volume '%s' is locked: unlock it first", vname(vol));
}

int apfsi_volume_key(apfsi_volume *vol, uint8_t key[32], size_t *len)
{
	int ret = APFSI_OK;

	apfsi_enter();
	if (!vol || !key || !len)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_key: NULL argument");
	pthread_mutex_lock(&vol->lock);
	if (vol->vek) {
		memcpy(key, vol->vek, vol->veklen);
		*len = vol->veklen;
	} else {
		*len = 0;
	}
	pthread_mutex_unlock(&vol->lock);
	return *len ? ret : no_key(vol);
}
