/* SPDX-License-Identifier: MIT */
/*
 * test_bounds.c - what keeps work and memory bounded by what an image holds:
 * fs_stream_span / fs_stream_held / fs_stream_readable over a hand-made
 * extent list (data, a sparse extent, a gap with no extent, data, a tail
 * past the last extent) and a container that may end early,
 * the expected runs worked out by hand from that layout; and the open-file
 * budget (util/budget.h), which refuses what would pass it, and only that,
 * however many threads ask at once.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/budget.h"
#include "apfs/fs_int.h"

/* [0,4K) blocks at 10; [4K,8K) sparse; [8K,12K) no extent; [12K,16K) blocks at 20; size 20K. */
static struct fs_extent ext[] = {
	{ 0, 4096, 10, 0 }, { 4096, 4096, 0, 0 }, { 12288, 4096, 20, 0 },
};
/* A stream that may lack extents (an orphan's: fs_stream_load_partial), and one that may not. */
static const struct fs_stream stream = { 1, 20480, ext, 3, 3, false };
static const struct fs_stream strict = { 1, 20480, ext, 3, 3, true };

static void expect_span_of(const struct fs_stream *s, uint64_t off, bool hole, uint64_t len)
{
	bool h = !hole;
	uint64_t l = 12345;

	fs_stream_span(s, off, &h, &l);
	assert_int_equal(h, hole);
	assert_int_equal(l, len);
}

static void expect_span(uint64_t off, bool hole, uint64_t len)
{
	expect_span_of(&stream, off, hole, len);
}

static void test_span(void **state)
{
	(void)state;
	expect_span(0, false, 4096);
	expect_span(100, false, 3996);
	expect_span(4096, true, 8192);   /* the sparse extent and the gap are one hole */
	expect_span(5000, true, 7288);
	expect_span(8192, true, 4096);
	expect_span(12288, false, 4096);
	expect_span(16384, true, 4096);  /* past the last extent, up to the size */
	expect_span(20479, true, 1);
	expect_span(20480, true, 0);
	expect_span(UINT64_MAX, true, 0);
}

/* Where bytes in no extent are lost, not a hole: a run of them is no hole (its read fails). */
static void test_span_strict(void **state)
{
	(void)state;
	expect_span_of(&strict, 0, false, 4096);
	expect_span_of(&strict, 4096, true, 4096);   /* the sparse extent alone */
	expect_span_of(&strict, 5000, true, 3192);
	expect_span_of(&strict, 8192, false, 4096);  /* the gap */
	expect_span_of(&strict, 9000, false, 3288);
	expect_span_of(&strict, 12288, false, 4096);
	expect_span_of(&strict, 16384, false, 4096); /* past the last extent, up to the size */
	expect_span_of(&strict, 20480, true, 0);
}

static void test_span_size_cuts_extent(void **state)
{
	static struct fs_extent big[] = { { 0, 1ull << 40, 5, 0 } };
	const struct fs_stream s = { 2, 1000, big, 1, 1, true };
	bool hole;
	uint64_t len;

	(void)state;
	fs_stream_span(&s, 10, &hole, &len);
	assert_false(hole);
	assert_int_equal(len, 990);
	assert_int_equal(fs_stream_held(&s), 1000);
}

static void test_held(void **state)
{
	const struct fs_stream claim = { 3, 1ull << 50, ext, 3, 3, false };

	(void)state;
	assert_int_equal(fs_stream_held(&stream), 8192);
	/* A size of 2^50 claimed over the same extents holds no more. */
	assert_int_equal(fs_stream_held(&claim), 8192);
}

/* How far a read from 0 gets (fs_stream_readable), worked out by hand from the layouts. */
static void test_readable(void **state)
{
	struct apfs_container c = { .block_count = 100, .blocks_present = 100 };
	struct apfs_fs fs = { .c = &c, .bs = 4096 };
	/* [0,4K) at block 10, [4K,16K) at blocks 20-22; a size of 10000 needs blocks 20 and 21 */
	static struct fs_extent two[] = { { 0, 4096, 10, 0 }, { 4096, 12288, 20, 0 } };
	const struct fs_stream cut = { 2, 10000, two, 2, 2, true };

	(void)state;
	assert_int_equal(fs_stream_readable(&fs, &strict), 8192);   /* up to the gap */
	assert_int_equal(fs_stream_readable(&fs, &stream), 20480);  /* there a gap is a hole */
	c.blocks_present = 21;  /* the image ends after block 20: the extent at 20 is whole */
	assert_int_equal(fs_stream_readable(&fs, &stream), 20480);
	c.blocks_present = 20;  /* and now it is not: up to its first block */
	assert_int_equal(fs_stream_readable(&fs, &stream), 12288);
	c.blocks_present = 22;  /* block 22 holds no byte below the size */
	assert_int_equal(fs_stream_readable(&fs, &cut), 10000);
	c.blocks_present = 21;  /* block 21 is past the end: up to it (a read gives block 20) */
	assert_int_equal(fs_stream_readable(&fs, &cut), 8192);
	c.blocks_present = 10;  /* the first extent is not there: nothing */
	assert_int_equal(fs_stream_readable(&fs, &cut), 0);
}

static void test_budget(void **state)
{
	size_t before = apfs_budget_used();

	(void)state;
	assert_int_equal(apfs_budget_take(APFS_OPEN_BUDGET / 2, "test"), 0);
	assert_int_equal(apfs_budget_take(APFS_OPEN_BUDGET / 2 + 1, "test"), -ENOMEM);
	assert_int_equal(apfs_budget_used(), before + APFS_OPEN_BUDGET / 2);
	assert_int_equal(apfs_budget_take(SIZE_MAX, "test"), -ENOMEM); /* no wrap-around */
	apfs_budget_give(APFS_OPEN_BUDGET / 2);
	assert_int_equal(apfs_budget_used(), before);
	assert_int_equal(apfs_budget_take(APFS_OPEN_BUDGET, "test"), 0);
	apfs_budget_give(APFS_OPEN_BUDGET);
}

/*
 * A thread asking again and again for the whole budget, while a byte of it
 * is held, is refused every time; meanwhile this thread's requests for half
 * of it always fit and must never be refused (a budget that adds first and
 * gives back what does not fit refused thousands of them on two cores).
 */
#define RACE_ROUNDS 200000
static atomic_bool race_done;

/* The calling thread on the k-th CPU it may run on (of *set): false if there is none. */
static bool pin_to(const cpu_set_t *set, int k)
{
	cpu_set_t one;

	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set) && k-- == 0) {
			CPU_ZERO(&one);
			CPU_SET(c, &one);
			return pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
		}
	return false;
}

static cpu_set_t race_cpus;

static void *ask_whole(void *arg)
{
	atomic_size_t *refused = arg;

	pin_to(&race_cpus, 1);

	apfs_log_mute(true);
	while (!atomic_load(&race_done))
		if (apfs_budget_take(APFS_OPEN_BUDGET, "test") == 0)
			apfs_budget_give(APFS_OPEN_BUDGET);
		else
			atomic_fetch_add(refused, 1);
	apfs_log_mute(false);
	return NULL;
}

static void test_budget_race(void **state)
{
	size_t before = apfs_budget_used(), half_refused = 0;
	atomic_size_t whole_refused = 0;
	pthread_t t;

	(void)state;
	/* on two CPUs, so that the two really ask at once */
	if (pthread_getaffinity_np(pthread_self(), sizeof(race_cpus), &race_cpus) ||
	    CPU_COUNT(&race_cpus) < 2 || !pin_to(&race_cpus, 0))
		skip();
	assert_int_equal(apfs_budget_take(1, "test"), 0);
	atomic_store(&race_done, false);
	assert_int_equal(pthread_create(&t, NULL, ask_whole, &whole_refused), 0);
	apfs_log_mute(true);
	/* both at once for RACE_ROUNDS rounds at least (bounded, should the thread never run) */
	for (int i = 0; i < 100 * RACE_ROUNDS &&
	     (i < RACE_ROUNDS || atomic_load(&whole_refused) < RACE_ROUNDS); i++)
		if (apfs_budget_take(APFS_OPEN_BUDGET / 2, "test") == 0)
			apfs_budget_give(APFS_OPEN_BUDGET / 2);
		else
			half_refused++;
	apfs_log_mute(false);
	atomic_store(&race_done, true);
	pthread_join(t, NULL);
	/* put back before the checks: a failed one leaves the test */
	apfs_budget_give(1);
	pthread_setaffinity_np(pthread_self(), sizeof(race_cpus), &race_cpus);
	assert_true(atomic_load(&whole_refused) >= RACE_ROUNDS);
	assert_int_equal(half_refused, 0);
	assert_int_equal(apfs_budget_used(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_span_strict),
		cmocka_unit_test(test_span_size_cuts_extent),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_readable),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_budget_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
