/* SPDX-License-Identifier: MIT */
/*
 * unlock_outcome.c - an unlock's verdict on each crypto user, as values a
 * caller can explain in its own words: whether a kind of credential is
 * tried on a user and why not (apfsi_volume_user_fit, the engine's rules of
 * unlock_choose.c), and what the last unlock did with each user
 * (apfsi_volume_unlock_outcome), recorded by unlock.c when it ends.
 */
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "unlock_engine.h"
#include "unlock_outcome.h"
#include "users.h"

int apfsi_volume_user_fit(apfsi_volume *vol, unsigned i, enum apfsi_credential kind,
			  const uint8_t *user_uuid, enum apfsi_user_fit *fit)
{
	const struct kb_volume_keys *k;
	int ret;

	apfsi_enter();
	if (!vol || !fit || kind > APFSI_CRED_RECOVERY_KEY)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_user_fit: %s",
				  kind == APFSI_CRED_VOLUME_KEY ? "a volume key is tried on no user"
								: "bad argument");
	ret = apfsi_volume_keys(vol, &k);
	if (ret)
		return ret;
	if (i >= k->nusers)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' has no crypto user %u",
				  vol->v->name, i);
	*fit = apfsi_skip_reason(user_uuid, kind == APFSI_CRED_RECOVERY_KEY, &k->users[i]);
	return APFSI_OK;
}

/* Why a user could not be checked, as the engine's status says (never a rejection). */
static void set_error(struct apfsi_user_outcome *o, int st)
{
	const char *text = strerrordesc_np(-st);

	o->status = APFSI_STATUS_ERROR;
	o->error = apfsi_code(st);
	o->why = st == -EOPNOTSUPP ? "unsupported key variant or iteration count" :
		 text ? text : "unknown error";
}

/* The verdict on the user at position up of a job that ran (j NULL: none ran). */
static void tried(struct apfsi_user_outcome *o, const struct apfsi_job *j, unsigned up,
		  const size_t *from)
{
	if (j->found && j->found_up == up) {
		o->status = APFSI_STATUS_MATCHED;
		o->candidate = from[j->found_cand];
	} else if (j->status && j->status[up]) {
		set_error(o, j->status[up]);
	} else {
		o->status = j->found || j->cancelled ? APFSI_STATUS_UNFINISHED :
			    APFSI_STATUS_REJECTED;
	}
}

static void fill(struct apfsi_user_outcome *out, const struct kb_volume_keys *k,
		 const struct apfsi_outcome_req *q)
{
	unsigned up = 0;

	for (unsigned i = 0; i < k->nusers; i++) {
		out[i].fit = apfsi_skip_reason(q->want, q->recovery, &k->users[i]);
		if (out[i].fit != APFSI_FIT_TRY)
			out[i].status = APFSI_STATUS_PASSED_OVER;
		else if (!q->job)
			out[i].status = APFSI_STATUS_NONE;  /* the run never started */
		else
			tried(&out[i], q->job, up++, q->from);
	}
}

void apfsi_outcome_record(struct apfsi_volume *vol, const struct kb_volume_keys *k,
			  const struct apfsi_outcome_req *q)
{
	struct apfsi_user_outcome *out = calloc(k->nusers ? k->nusers : 1, sizeof(*out));

	if (out)
		fill(out, k, q);
	/* Out of memory: no outcomes rather than stale ones (the call's code still says). */
	pthread_mutex_lock(&vol->lock);
	free(vol->outcomes);
	vol->outcomes = out;
	vol->noutcomes = out ? k->nusers : 0;
	pthread_mutex_unlock(&vol->lock);
}

void apfsi_outcome_forget(struct apfsi_volume *vol)
{
	pthread_mutex_lock(&vol->lock);
	free(vol->outcomes);
	vol->outcomes = NULL;
	vol->noutcomes = 0;
	pthread_mutex_unlock(&vol->lock);
}

int apfsi_volume_unlock_outcome(apfsi_volume *vol, unsigned i, struct apfsi_user_outcome *out)
{
	unsigned n;
	int ret;

	apfsi_enter();
	if (!vol || !out)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_volume_unlock_outcome: NULL argument");
	ret = apfsi_volume_user_count(vol, &n);
	if (ret)
		return ret;
	if (i >= n)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "volume '%s' has no crypto user %u",
				  vol->v->name, i);
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&vol->lock);
	if (i < vol->noutcomes)
		*out = vol->outcomes[i];
	pthread_mutex_unlock(&vol->lock);
	return APFSI_OK;
}
