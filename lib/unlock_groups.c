/* SPDX-License-Identifier: MIT */
/*
 * unlock_groups.c - the users of an unlock put in groups that one PBKDF2
 * call serves at once, each user in a SIMD lane with its own salt
 * (kb_unlock_users_lanes): for a password or two on several users, where
 * batching candidates (the dictionary's way) would leave the lanes empty.
 * Without this a wrong password on the 8 users of the generator's
 * all-users volume cost 8 derivations, 4 rounds on 2 cores; in groups, one
 * AVX-512 call, 1.3 derivations' time.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cipher/pbkdf2.h"
#include "unlock_engine.h"

static const struct kb_user *user_at(const struct apfsi_job *j, unsigned up)
{
	return &j->k->users[j->users[up]];
}

/* Where the users go: member[up] its group; lead[i] and size[i] group i's first user and count. */
struct draft {
	unsigned *member, *lead, *size, n;
};

/* The group user position up can join (a lanes group, same iterations and key length), or d->n. */
static unsigned group_for(const struct apfsi_job *j, const struct draft *d, unsigned up,
			  unsigned lanes)
{
	for (unsigned i = 0; i < d->n; i++)
		if (d->size[i] < lanes && kb_lanes_fit(user_at(j, d->lead[i])) &&
		    kb_lanes_same(user_at(j, d->lead[i]), user_at(j, up)))
			return i;
	return d->n;
}

/* Users in keybag order, each into the first group that takes it. */
static void fill(const struct apfsi_job *j, struct draft *d, unsigned lanes)
{
	for (unsigned up = 0; up < j->nusers; up++) {
		unsigned i = kb_lanes_fit(user_at(j, up)) ? group_for(j, d, up, lanes) : d->n;

		if (i == d->n)
			d->lead[d->n] = up, d->size[d->n++] = 0;
		d->member[up] = i;
		d->size[i]++;
	}
}

/* The groups in order; one too small for a call to pay split into users of their own. */
static void settle(const struct draft *d, unsigned nusers, unsigned worth, struct apfsi_groups *g)
{
	unsigned at = 0;

	g->n = 0;
	for (unsigned i = 0; i < d->n; i++) {
		bool split = d->size[i] < worth;

		for (unsigned up = 0, placed = 0; up < nusers; up++) {
			if (d->member[up] != i)
				continue;
			if (split || !placed++)
				g->start[g->n] = at, g->size[g->n++] = 0;
			g->order[at++] = up;
			g->size[g->n - 1]++;
		}
	}
}

/* Tasks handed to w workers in order, each to the one free first: the time and the CPU. */
struct sched {
	uint64_t busy[APFSI_MAX_THREADS], cpu;
	unsigned w;
};

static void sched_add(struct sched *s, uint64_t cost)
{
	unsigned first = 0;

	for (unsigned i = 1; i < s->w; i++)
		if (s->busy[i] < s->busy[first])
			first = i;
	s->busy[first] += cost;
	s->cpu += cost;
}

static uint64_t sched_wall(const struct sched *s)
{
	uint64_t most = 0;

	for (unsigned i = 0; i < s->w; i++)
		most = s->busy[i] > most ? s->busy[i] : most;
	return most;
}

/*
 * The usual tasks (a batch of candidates on one user; unlock_engine.c's
 * order): a batch of one, or the recovery user's, is a derivation a
 * candidate, any other one call.
 */
static void cost_alone(const struct apfsi_job *j, unsigned lanes, unsigned call, struct sched *s)
{
	for (size_t c = 0; c < j->ncands; c += lanes)
		for (unsigned up = 0; up < j->nusers; up++) {
			size_t n = j->ncands - c < lanes ? j->ncands - c : lanes;
			bool one = n == 1 || !kb_lanes_fit(user_at(j, up));

			sched_add(s, one ? 10 * n : call);
		}
}

/* Tasks of a candidate on a group: one call, or a derivation for a user alone. */
static void cost_grouped(const struct apfsi_job *j, const struct apfsi_groups *g, unsigned call,
			 struct sched *s)
{
	for (size_t c = 0; c < j->ncands; c++)
		for (unsigned i = 0; i < g->n; i++)
			sched_add(s, g->size[i] > 1 ? call : 10);
}

/*
 * Whether the groups finish sooner than the usual tasks, by the measured
 * cost of a call (cipher/pbkdf2.c) on these workers; as soon, with less CPU.
 * A group puts its users on one worker: on idle cores one derivation each
 * can be the faster (2 users, 2 workers), and a user alone in the groups
 * loses its candidates' lanes.
 */
static bool groups_pay(const struct apfsi_job *j, const struct apfsi_groups *g, unsigned lanes,
		       unsigned call, unsigned workers)
{
	struct sched a = { .w = workers }, b = { .w = workers };

	cost_alone(j, lanes, call, &a);
	cost_grouped(j, g, call, &b);
	return sched_wall(&b) < sched_wall(&a) ||
	       (sched_wall(&b) == sched_wall(&a) && b.cpu < a.cpu);
}

int apfsi_groups_make(const struct apfsi_job *j, unsigned workers, struct apfsi_groups *g)
{
	enum apfs_pbkdf2_engine e = apfs_pbkdf2_engine();
	unsigned lanes = apfs_pbkdf2_lanes(e), worth = apfs_pbkdf2_lanes_worth(e);
	struct draft d = { 0 };
	int ret = 0;

	*g = (struct apfsi_groups){ 0 };
	/* Pairs, no lanes, or candidates enough to fill them: the usual tasks. */
	if (j->cand_user || !worth || j->ncands >= lanes || !j->nusers)
		return 0;
	if (workers < 1 || workers > APFSI_MAX_THREADS)
		workers = workers < 1 ? 1 : APFSI_MAX_THREADS;
	g->order = calloc(j->nusers, sizeof(*g->order));
	g->start = calloc(j->nusers, sizeof(*g->start));
	g->size = calloc(j->nusers, sizeof(*g->size));
	d.member = calloc(j->nusers, sizeof(*d.member));
	d.lead = calloc(j->nusers, sizeof(*d.lead));
	d.size = calloc(j->nusers, sizeof(*d.size));
	if (g->order && g->start && g->size && d.member && d.lead && d.size) {
		fill(j, &d, lanes);
		settle(&d, j->nusers, worth, g);
	} else {
		ret = -ENOMEM;
	}
	free(d.member);
	free(d.lead);
	free(d.size);
	/* Every group a single user, or no faster: the usual tasks. */
	if (ret || g->n == j->nusers ||
	    !groups_pay(j, g, lanes, apfs_pbkdf2_call_cost(e), workers))
		apfsi_groups_free(g);
	return ret;
}

void apfsi_groups_free(struct apfsi_groups *g)
{
	free(g->order);
	free(g->start);
	free(g->size);
	*g = (struct apfsi_groups){ 0 };
}
