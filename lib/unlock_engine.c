/* SPDX-License-Identifier: MIT */
/*
 * unlock_engine.c - the worker pool of an unlock (unlock_engine.h): tasks
 * are (candidate batch, user) pairs handed out by an atomic counter; each
 * runs kb_unlock_user_many() on one batch (the PBKDF2 SIMD lanes) and the
 * first success stops every worker.  With too few candidates to fill the
 * lanes, tasks are (candidate, group of users) instead (unlock_groups.c).
 */
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/secmem.h"
#include "cipher/pbkdf2.h"
#include "unlock_engine.h"

/* Progress is reported after the first task, then at most this often. */
#define PROGRESS_EVERY_S 0.25

struct run {
	struct apfsi_job *j;
	unsigned batch;             /* candidates a task tries at once (1 with cand_user) */
	struct apfsi_groups g;      /* g.n: tasks are (candidate, group) pairs */
	size_t ntasks;              /* candidate batches x users, or candidates with cand_user */
	atomic_size_t next;
	atomic_bool stop;           /* found, or cancelled */
	atomic_uint_fast64_t done;
	uint64_t total;
	double last;                /* monotonic seconds of the last report; 0: none yet */
	pthread_mutex_t lock;       /* the outcome, and one progress report at a time */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t apfsi_job_total(const struct apfsi_job *j)
{
	return j->cand_user ? j->ncands : (uint64_t)j->ncands * j->nusers;
}

/* Task t: candidates *c to *c + *n - 1 on the user at position *up of j->users. */
static void task_split(const struct run *r, size_t t, size_t *c, size_t *n, size_t *up)
{
	const struct apfsi_job *j = r->j;

	*c = j->cand_user ? t : t / j->nusers * r->batch;
	*n = j->ncands - *c < r->batch ? j->ncands - *c : r->batch;
	*up = j->cand_user ? j->cand_user[t] : t % j->nusers;
}

/* What candidate c on the user at position up gave. */
static void record(struct run *r, size_t c, size_t up, int ret, const uint8_t *vek,
		   size_t veklen, const uint8_t *cs)
{
	struct apfsi_job *j = r->j;

	pthread_mutex_lock(&r->lock);
	if (ret == 0 && !j->found) {
		j->found = true;
		atomic_store(&r->stop, true);
		j->found_cand = c;
		j->found_up = (unsigned)up;
		memcpy(j->vek, vek, veklen);
		j->veklen = veklen;
		memcpy(j->cs_uuid, cs, 16);
	} else if (ret && ret != -APFS_EREJECTED) {
		j->status[up] = ret;
	}
	pthread_mutex_unlock(&r->lock);
}

/* n more tries done: tell the caller now and then; a nonzero answer stops the run. */
static void report_progress(struct run *r, size_t n)
{
	uint64_t done = atomic_fetch_add(&r->done, n) + n;
	double t;

	if (!r->j->on_progress || pthread_mutex_trylock(&r->lock))
		return;
	t = now_s();
	if (!r->last || t - r->last >= PROGRESS_EVERY_S || done == r->total) {
		r->last = t;
		if (r->j->on_progress(done, r->total, r->j->progress_arg) && !r->j->found) {
			r->j->cancelled = true;
			atomic_store(&r->stop, true);
		}
	}
	pthread_mutex_unlock(&r->lock);
}

/* Candidate c on the users of group gi, in one PBKDF2 call (a single user: kb_unlock_user). */
static void try_group(struct run *r, size_t c, unsigned gi, uint8_t *vek)
{
	const struct apfsi_job *j = r->j;
	const unsigned *up = r->g.order + r->g.start[gi];
	const struct kb_user *u[APFS_PBKDF2_MAX_LANES];
	unsigned n = r->g.size[gi], which = 0;
	int ret[APFS_PBKDF2_MAX_LANES], all;
	size_t veklen = 0;
	uint8_t cs[16];

	for (unsigned i = 0; i < n; i++)
		u[i] = &j->k->users[j->users[up[i]]];
	if (n == 1)
		all = ret[0] = kb_unlock_user(j->k, u[0], j->cands[c], j->lens[c], vek, &veklen, cs);
	else
		all = kb_unlock_users_lanes(j->k, u, n, j->cands[c], j->lens[c], ret, &which, vek,
					    &veklen, cs);
	/* Not tried at all (no memory): the error is every user's. */
	if (n > 1 && all && all != -APFS_EREJECTED)
		for (unsigned i = 0; i < n; i++)
			ret[i] = all, which = i;
	for (unsigned i = 0; i <= which; i++)
		record(r, c, up[i], ret[i], vek, veklen, cs);
	report_progress(r, n);
}

static void *worker(void *arg)
{
	struct run *r = arg;
	const struct apfsi_job *j = r->j;
	uint8_t *vek = apfs_secret_alloc(32), cs[16];
	size_t veklen = 0, t, c, n, up;

	while (vek && !atomic_load(&r->stop) &&
	       (t = atomic_fetch_add(&r->next, 1)) < r->ntasks) {
		unsigned which = 0;
		int ret;

		if (r->g.n) {
			try_group(r, t / r->g.n, (unsigned)(t % r->g.n), vek);
			continue;
		}
		task_split(r, t, &c, &n, &up);
		ret = kb_unlock_user_many(j->k, &j->k->users[j->users[up]], (unsigned)n,
					  j->cands + c, j->lens + c, &which, vek, &veklen, cs);
		record(r, c + which, up, ret, vek, veklen, cs);
		report_progress(r, n);
	}
	apfs_secret_free(vek);
	return NULL;
}

/* Workers for any number of tasks: one per core, or as the caller asks. */
static unsigned workers_max(const struct apfsi_job *j)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t w = j->threads ? j->threads : cores < 1 ? 1 : (uint64_t)cores;

	return (unsigned)(w > APFSI_MAX_THREADS ? APFSI_MAX_THREADS : w);
}

static unsigned workers(const struct apfsi_job *j, size_t ntasks)
{
	unsigned w = workers_max(j);

	return (unsigned)(w < ntasks ? w : ntasks);
}

static void run_workers(struct run *r)
{
	pthread_t th[APFSI_MAX_THREADS];
	unsigned n = workers(r->j, r->ntasks), started = 0;

	/* One task needs no thread: the right password for one user stays at
	 * one PBKDF2 plus the unwraps. */
	if (n <= 1) {
		worker(r);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (!pthread_create(&th[started], NULL, worker, r))
			started++;
	if (!started)
		worker(r);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

int apfsi_job_run(struct apfsi_job *j)
{
	struct run r = { .j = j };

	j->found = j->cancelled = false;
	j->status = calloc(j->nusers ? j->nusers : 1, sizeof(*j->status));
	j->vek = apfs_secret_alloc(32);
	if (!j->status || !j->vek)
		return -ENOMEM;
	if (!j->nusers || !j->ncands)
		return 0;
	if (apfsi_groups_make(j, workers_max(j), &r.g))
		return -ENOMEM;
	r.batch = j->cand_user || r.g.n ? 1 : kb_unlock_batch();
	r.ntasks = j->cand_user ? j->ncands : r.g.n ? j->ncands * r.g.n :
		   (j->ncands + r.batch - 1) / r.batch * j->nusers;
	r.total = apfsi_job_total(j);
	atomic_init(&r.next, 0);
	atomic_init(&r.stop, false);
	atomic_init(&r.done, 0);
	pthread_mutex_init(&r.lock, NULL);
	run_workers(&r);
	pthread_mutex_destroy(&r.lock);
	apfsi_groups_free(&r.g);
	return 0;
}

void apfsi_job_free(struct apfsi_job *j)
{
	apfs_secret_free(j->vek);
	free(j->status);
	j->vek = NULL;
	j->status = NULL;
	j->veklen = 0;
	OPENSSL_cleanse(j->cs_uuid, sizeof(j->cs_uuid));
}
