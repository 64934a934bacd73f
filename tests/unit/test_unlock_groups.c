/* SPDX-License-Identifier: MIT */
/*
 * test_unlock_groups.c - lib/unlock_groups.c: which users of an unlock
 * share one PBKDF2 call.  Every user once, in keybag order within a group;
 * no group wider than the engine's lanes or mixing iteration counts; the
 * Personal Recovery User and users that cannot be tried offline alone; and
 * no groups where a task a user finishes as soon (one round on idle
 * workers, candidates enough to batch, no lanes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cipher/pbkdf2.h"
#include "lib/unlock_engine.h"

#define MAXU 40

struct fixture {
	struct kb_volume_keys k;
	struct kb_user u[MAXU];
	unsigned idx[MAXU];
	char *cands[16];
	size_t lens[16];
	struct apfsi_job j;
};

/* n users of type Local OD with `iter` iterations; ncands candidates; every user tried. */
static void setup(struct fixture *f, unsigned n, uint64_t iter, size_t ncands)
{
	memset(f, 0, sizeof(*f));
	for (unsigned i = 0; i < n; i++) {
		f->u[i].parsed = true;
		f->u[i].type = KB_USER_LOCAL_OD;
		f->u[i].kek.has_kdf = true;
		f->u[i].kek.iterations = iter;
		f->idx[i] = i;
	}
	for (size_t c = 0; c < ncands; c++)
		f->cands[c] = "x", f->lens[c] = 1;
	f->k.users = f->u;
	f->k.nusers = n;
	f->j = (struct apfsi_job){ .k = &f->k, .users = f->idx, .nusers = n, .cands = f->cands,
				   .lens = f->lens, .ncands = ncands };
}

/* The invariants of any grouping of f's users. */
static void check(const struct fixture *f, const struct apfsi_groups *g, unsigned lanes)
{
	unsigned seen[MAXU] = { 0 }, total = 0;

	for (unsigned i = 0; i < g->n; i++) {
		const unsigned *up = g->order + g->start[i];
		const struct kb_user *lead = &f->u[up[0]];

		assert_int_equal(g->start[i], total);
		assert_true(g->size[i] >= 1 && g->size[i] <= lanes);
		total += g->size[i];
		for (unsigned m = 0; m < g->size[i]; m++) {
			seen[up[m]]++;
			if (m)
				assert_true(up[m] > up[m - 1]);
			if (g->size[i] > 1) {
				assert_true(kb_lanes_fit(&f->u[up[m]]));
				assert_true(kb_lanes_same(lead, &f->u[up[m]]));
			}
		}
	}
	assert_int_equal(total, f->j.nusers);
	for (unsigned i = 0; i < f->j.nusers; i++)
		assert_int_equal(seen[i], 1);
}

static void test_mixed_users(void **state)
{
	static struct fixture f;
	struct apfsi_groups g;
	unsigned lanes;

	(void)state;
	if (!apfs_pbkdf2_engine_by_name("avx512", &(enum apfs_pbkdf2_engine){ 0 }))
		skip();
	setenv("APFSINSPECT_PBKDF2_ENGINE", "avx512", 1);
	lanes = apfs_pbkdf2_lanes(apfs_pbkdf2_engine());
	setup(&f, 40, 1000, 1);
	f.u[3].type = KB_USER_PERSONAL_RECOVERY;
	f.u[7].hw_bound = true;
	f.u[8].kek.has_kdf = false;
	for (unsigned i = 20; i < 26; i++)
		f.u[i].kek.iterations = 2000;  /* a second class */
	f.u[30].kek.flags = KB_FLAG_CS_128;  /* a 16-byte key: a class of its own */
	assert_int_equal(apfsi_groups_make(&f.j, 1, &g), 0);
	assert_true(g.n > 0);
	check(&f, &g, lanes);
	/* 40 less 4 alone (3, 7, 8, 30) and 6 of 2000 = 30 of 1000: 16 and 14 */
	unsigned sizes[5] = { 0 }, n = 0;
	for (unsigned i = 0; i < g.n; i++)
		if (g.size[i] > 1 && n < 5)
			sizes[n++] = g.size[i];
	assert_int_equal(n, 3);
	assert_int_equal(sizes[0], 16);
	assert_int_equal(sizes[1], 14);
	assert_int_equal(sizes[2], 6);
	assert_int_equal(g.n, 3 + 4);  /* 3 groups, users 3, 7, 8 and 30 alone */
	apfsi_groups_free(&g);
	unsetenv("APFSINSPECT_PBKDF2_ENGINE");
}

/* No groups where they would not finish sooner. */
static void test_when_not(void **state)
{
	static struct fixture f;
	struct apfsi_groups g;

	(void)state;
	if (!apfs_pbkdf2_engine_by_name("avx512", &(enum apfs_pbkdf2_engine){ 0 }))
		skip();
	setenv("APFSINSPECT_PBKDF2_ENGINE", "avx512", 1);
	setup(&f, 2, 1000, 1);  /* 2 users, 2 workers: one round alone (1 < 1.3) */
	assert_int_equal(apfsi_groups_make(&f.j, 2, &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(apfsi_groups_make(&f.j, 1, &g), 0);  /* one worker: 1.3 < 2 */
	assert_int_equal(g.n, 1);
	apfsi_groups_free(&g);
	setup(&f, 8, 1000, 15);  /* 15 candidates on 8 users: their batches are cheaper */
	assert_int_equal(apfsi_groups_make(&f.j, 2, &g), 0);
	assert_int_equal(g.n, 0);
	setup(&f, 8, 1000, 16);  /* candidates fill the lanes */
	assert_int_equal(apfsi_groups_make(&f.j, 1, &g), 0);
	assert_int_equal(g.n, 0);
	setup(&f, 8, 1000, 1);
	f.j.cand_user = f.idx;  /* pairs: each candidate has its own user */
	assert_int_equal(apfsi_groups_make(&f.j, 1, &g), 0);
	assert_int_equal(g.n, 0);
	setenv("APFSINSPECT_PBKDF2_ENGINE", "c", 1);  /* no lanes */
	setup(&f, 8, 1000, 1);
	assert_int_equal(apfsi_groups_make(&f.j, 1, &g), 0);
	assert_int_equal(g.n, 0);
	unsetenv("APFSINSPECT_PBKDF2_ENGINE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed_users),
		cmocka_unit_test(test_when_not),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
