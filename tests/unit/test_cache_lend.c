/* SPDX-License-Identifier: MIT */
/*
 * test_cache_lend.c - the block cache's budget shared with a walk's windows
 * (apfs/cache.h: apfs_cache_lend / apfs_cache_repay): a way (an eighth of
 * the budget) given up per started eighth lent, never below two ways; the
 * ways given up forget their blocks and come back empty; repaying brings
 * them back only 256 KiB past a way boundary (no drop and re-fault per
 * small directory); and a cache that lends still hits on the blocks it
 * kept.  Also: a way given up no longer holds its pages (mincore), which
 * is the point; this file includes cache.c to see where they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

/* cache.c itself, for its mapping (c->data); its object stands in for the library's. */
#include "../../apfs/cache.c"

#define BS 4096u
#define BUDGET (64u * BS)  /* 8 sets of 8 ways: a way is 8 blocks, 32 KiB */
#define WAY (BUDGET / 8)

static void fill(uint8_t *b, uint64_t paddr)
{
	memset(b, (int)(paddr & 0xff), BS);
	memcpy(b, &paddr, sizeof(paddr));
}

/* Blocks 0..n-1 put; how many of them are still there. */
static unsigned held(struct apfs_cache *c, unsigned n)
{
	uint8_t b[BS], want[BS];
	unsigned hits = 0;

	for (unsigned p = 0; p < n; p++) {
		if (!apfs_cache_get(c, p, 7, b))
			continue;
		fill(want, p);
		assert_memory_equal(b, want, BS);
		hits++;
	}
	return hits;
}

static void put_all(struct apfs_cache *c, unsigned n)
{
	uint8_t b[BS];

	for (unsigned p = 0; p < n; p++) {
		fill(b, p);
		apfs_cache_put(c, p, 7, b);
	}
}

static void test_ways_follow_lent(void **state)
{
	struct apfs_cache *c;

	(void)state;
	assert_int_equal(apfs_cache_new(BS, BUDGET, &c), 0);
	assert_int_equal(apfs_cache_ways(c), 8);
	apfs_cache_lend(c, 1);                 /* a started eighth */
	assert_int_equal(apfs_cache_ways(c), 7);
	apfs_cache_lend(c, WAY - 1);           /* exactly one way lent */
	assert_int_equal(apfs_cache_ways(c), 7);
	apfs_cache_lend(c, 1);
	assert_int_equal(apfs_cache_ways(c), 6);
	apfs_cache_lend(c, 100 * WAY);         /* far past the budget: two ways stay */
	assert_int_equal(apfs_cache_ways(c), 2);
	/* 256 KiB of slack is more than this whole cache: ways come back at 0 lent. */
	apfs_cache_repay(c, 100 * WAY);        /* WAY + 1 lent */
	assert_int_equal(apfs_cache_ways(c), 2);
	apfs_cache_repay(c, WAY);
	assert_int_equal(apfs_cache_ways(c), 2);
	apfs_cache_repay(c, 1);
	assert_int_equal(apfs_cache_ways(c), 8);
	apfs_cache_repay(c, 5);                /* more than lent: stays whole */
	assert_int_equal(apfs_cache_ways(c), 8);
	apfs_cache_free(c);
}

static void test_slack_before_regrow(void **state)
{
	struct apfs_cache *c;
	size_t way = (size_t)8 << 20 >> 3;     /* an 8 MiB cache: ways of 1 MiB */

	(void)state;
	assert_int_equal(apfs_cache_new(BS, (size_t)8 << 20, &c), 0);
	apfs_cache_lend(c, 3 * way);
	assert_int_equal(apfs_cache_ways(c), 5);
	apfs_cache_repay(c, way);              /* 2 MiB lent: 6 ways would do, but */
	assert_int_equal(apfs_cache_ways(c), 5); /* a way comes back 256 KiB later */
	apfs_cache_repay(c, (256 << 10) - 1);
	assert_int_equal(apfs_cache_ways(c), 5);
	apfs_cache_repay(c, 1);                /* 1.75 MiB lent */
	assert_int_equal(apfs_cache_ways(c), 6);
	apfs_cache_lend(c, 1);                 /* not over 2 MiB: no change */
	assert_int_equal(apfs_cache_ways(c), 6);
	apfs_cache_lend(c, 256 << 10);         /* over 2 MiB: a way given up at once */
	assert_int_equal(apfs_cache_ways(c), 5);
	apfs_cache_free(c);
}

static void test_dropped_ways_forget(void **state)
{
	struct apfs_cache *c;

	(void)state;
	assert_int_equal(apfs_cache_new(BS, BUDGET, &c), 0);
	put_all(c, 48);                        /* 6 a set on average, 64 slots */
	unsigned before = held(c, 48);

	assert_true(before >= 40);
	apfs_cache_lend(c, 6 * WAY);           /* two ways left: at most 16 blocks */
	assert_int_equal(apfs_cache_ways(c), 2);
	assert_true(held(c, 48) <= 16);
	assert_true(held(c, 48) >= 1);         /* the ways kept still hit */
	apfs_cache_repay(c, 6 * WAY);
	assert_int_equal(apfs_cache_ways(c), 8);
	assert_true(held(c, 48) <= 16);        /* the ways came back empty */
	put_all(c, 48);
	assert_int_equal(held(c, 48), before); /* and are used again */
	apfs_cache_free(c);
}

/* Pages of [p, p + len) resident. */
static size_t resident(void *p, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t n = (len + (size_t)pg - 1) / (size_t)pg, in = 0;
	unsigned char *v = malloc(n);

	assert_non_null(v);
	assert_int_equal(mincore(p, len, v), 0);
	for (size_t i = 0; i < n; i++)
		in += v[i] & 1;
	free(v);
	return in;
}

/* A 1 MiB cache filled, then lent 6 ways: 2 ways of its pages left resident. */
static void test_pages_returned(void **state)
{
	struct apfs_cache *c;
	size_t len = (size_t)1 << 20;

	(void)state;
	assert_int_equal(apfs_cache_new(BS, len, &c), 0);
	put_all(c, 4096);                      /* far more blocks than slots: all full */
	assert_int_equal(resident(c->data, len), len / 4096);
	apfs_cache_lend(c, 6 * (len / 8));
	assert_int_equal(resident(c->data, len), 2 * (len / 8) / 4096);
	apfs_cache_repay(c, 6 * (len / 8));    /* back, empty, made again as blocks land */
	assert_int_equal(resident(c->data, len), 2 * (len / 8) / 4096);
	apfs_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ways_follow_lent),
		cmocka_unit_test(test_slack_before_regrow),
		cmocka_unit_test(test_dropped_ways_forget),
		cmocka_unit_test(test_pages_returned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
