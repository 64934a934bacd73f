/* SPDX-License-Identifier: MIT */
/*
 * unlock_engine.h - the parallel unlock of a volume keybag, for lib/unlock.c
 * and lib/unlock_outcome.c: which crypto users a kind of credential can fit
 * and why the others are passed over (public as apfsi_volume_user_fit), and
 * a worker pool trying candidate batches on
 * those users (PBKDF2 dominates: one derivation per user and candidate),
 * first match wins.  Nothing here prints; the caller explains.
 */
#ifndef LIB_UNLOCK_ENGINE_H
#define LIB_UNLOCK_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apfsinspect.h"
#include "keybag/keybag.h"

/* At most this many workers, whatever the core count or the caller asks (more: this many). */
#define APFSI_MAX_THREADS 64

/* A record that cannot be tried because the keybag is damaged or crafted. */
bool apfsi_record_damaged(const struct kb_user *u);

/*
 * Why a crypto user is not tried with a credential (APFSI_FIT_TRY: it is);
 * want: the one user asked for (NULL: any); recovery: the credential is a
 * recovery key.
 */
enum apfsi_user_fit apfsi_skip_reason(const uint8_t *want, bool recovery, const struct kb_user *u);

/*
 * The users to try (indexes into k->users, in keybag order, into idx of
 * k->nusers entries); the passed-over ones counted in res (hardware_bound,
 * unusable, damaged).  Returns how many to try.
 */
unsigned apfsi_choose_users(const struct kb_volume_keys *k, const uint8_t *want, bool recovery,
			    unsigned *idx, struct apfsi_unlock_result *res);

struct apfsi_job {
	/* What to try. */
	const struct kb_volume_keys *k;
	const unsigned *users;      /* indexes into k->users */
	unsigned nusers;
	char *const *cands;         /* candidate secrets and their lengths */
	const size_t *lens;
	size_t ncands;
	const unsigned *cand_user;  /* NULL: every candidate on every user; else candidate c
				       only on users[cand_user[c]] (a potfile's passwords) */
	unsigned threads;           /* 0: one per core */
	apfsi_progress_fn on_progress; /* done/total counts candidate-user tries; may be NULL */
	void *progress_arg;
	/* What came of it (apfsi_job_run). */
	bool found, cancelled;
	size_t found_cand;          /* index into cands */
	unsigned found_up;          /* position in users */
	int *status;                /* per position in users: last -errno other than a rejection */
	uint8_t *vek;               /* the VEK found (secure heap, 32 bytes), veklen of it */
	size_t veklen;
	uint8_t cs_uuid[16];        /* its VEK blob UUID (for a 16-byte VEK) */
};

/*
 * Users that one PBKDF2 call tries at once (unlock_groups.c): group i is
 * positions order[start[i]] .. order[start[i] + size[i] - 1] of the job's
 * users; n == 0: no groups, each task one user.
 */
struct apfsi_groups {
	unsigned *order, *start, *size, n;
};

/*
 * Groups for j, when its candidates are too few to fill the lanes and the
 * groups would finish sooner on `workers` workers than a task a user (by
 * the measured cost of a call): 0 (g->n may be 0), or -ENOMEM.
 */
int apfsi_groups_make(const struct apfsi_job *j, unsigned workers, struct apfsi_groups *g);
void apfsi_groups_free(struct apfsi_groups *g);

/* The tries a job makes (the progress total). */
uint64_t apfsi_job_total(const struct apfsi_job *j);

/* Run j: 0 (j->found says whether a candidate fit), or -ENOMEM. */
int apfsi_job_run(struct apfsi_job *j);

/* Wipe the VEK and free what apfsi_job_run allocated. */
void apfsi_job_free(struct apfsi_job *j);

#endif
