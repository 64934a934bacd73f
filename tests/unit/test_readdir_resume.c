/* SPDX-License-Identifier: MIT */
/*
 * test_readdir_resume.c - apfs_fs_readdir()'s resume cookies without FUSE
 * (issue 18): a host directory of 20,000 empty files with pseudo-random
 * names of 4 to 12 letters, copied by `mkimage from-dir` onto a
 * case-insensitive (so hashed) volume.  Its root read whole must hold
 * exactly the host's names; read again in pieces, each resumed from the
 * cookie of the entry before it, the same entries in the same order.
 * 20,000 names in 2^22 name hashes share a hash in about 48 pairs (names
 * of one length in sequence would not: the hash is a CRC, linear in the
 * bytes, hence the random names): a cookie inside such a run (the next
 * entry has the same hash) must resume past the run's names already given,
 * and each is tried.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apfs/apfs.h"
#include "apfs/fs.h"
#include "image/dev.h"

#define NAMES 20000

struct listing {
	char (*name)[16];
	uint64_t *cookie;
	size_t n, stop_after;   /* stop_after: 0 for no stop */
};

static struct apfs_dev *dev;
static struct apfs_container *ctr;
static struct apfs_volume *vol;
static struct apfs_fs *fs;
static uint64_t big;
static struct listing whole;

static int collect(const struct apfs_dirent *d, void *ctx)
{
	struct listing *l = ctx;
	size_t len = strlen(d->name);

	if (l->n == NAMES || len >= sizeof(l->name[0]))
		return -EOVERFLOW;
	memcpy(l->name[l->n], d->name, len + 1);
	l->cookie[l->n++] = d->next_cookie;
	return l->stop_after && l->n == l->stop_after ? 1 : 0;
}

static void listing_init(struct listing *l)
{
	l->name = calloc(NAMES, sizeof(l->name[0]));
	l->cookie = calloc(NAMES, sizeof(l->cookie[0]));
	l->n = 0;
	l->stop_after = 0;
	assert_non_null(l->name);
	assert_non_null(l->cookie);
}

static void listing_free(struct listing *l)
{
	free(l->name);
	free(l->cookie);
}

static char host[NAMES][16];  /* the names made, sorted */

/* Name i: 4..12 lowercase letters from splitmix64 (distinct: the index is in it). */
static void make_name(unsigned i, char *out)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (i + 1);
	unsigned len;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	len = 4 + (unsigned)(x % 9);
	for (unsigned k = 0; k < len - 3; k++, x /= 26)
		out[k] = (char)('a' + x % 26);
	/* The last three letters spell i in base 26 (i < 26^3): the names are distinct. */
	out[len - 3] = (char)('a' + i / 676);
	out[len - 2] = (char)('a' + i / 26 % 26);
	out[len - 1] = (char)('a' + i % 26);
	out[len] = '\0';
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int make_tree(const char *dir)
{
	char p[1200];
	FILE *f;

	for (unsigned i = 0; i < NAMES; i++) {
		make_name(i, host[i]);
		if (snprintf(p, sizeof(p), "%s/%s", dir, host[i]) >= (int)sizeof(p))
			return -1;
		f = fopen(p, "w");
		if (!f)
			return -1;
		fclose(f);
	}
	qsort(host, NAMES, sizeof(host[0]), cmp_name);
	return 0;
}

static int setup(void **state)
{
	const char *mk = getenv("MKIMAGE"), *tmp = getenv("TMPDIR");
	char dir[1024], path[1100], cmd[4400];

	(void)state;
	if (!mk)
		return -1;
	snprintf(dir, sizeof(dir), "%s/readdir-resume.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || snprintf(path, sizeof(path), "%s.img", dir) < 0 || make_tree(dir))
		return -1;
	if ((size_t)snprintf(cmd, sizeof(cmd), "'%s' from-dir '%s' --dir '%s' > /dev/null && "
			     "rm -rf '%s'", mk, path, dir, dir) >= sizeof(cmd) || system(cmd) != 0)
		return -1;
	if (apfs_dev_open(path, &dev) || apfs_container_open(dev, 0, dev->size, 0, &ctr) ||
	    apfs_volume_open(ctr, 0, &vol) || apfs_fs_open(vol, 0, &fs))
		return -1;
	remove(path);  /* the open file stays readable */
	big = APFS_ROOT_DIR_INO_NUM;
	listing_init(&whole);
	return apfs_fs_readdir(fs, big, 0, collect, &whole);
}

static int teardown(void **state)
{
	(void)state;
	listing_free(&whole);
	apfs_fs_close(fs);
	apfs_volume_close(vol);
	apfs_container_close(ctr);
	apfs_dev_close(dev);
	return 0;
}

/* The whole listing: the host's names, each once; cookies nonzero and < 2^63. */
static void test_whole(void **state)
{
	char (*got)[16] = calloc(NAMES, sizeof(*got));

	(void)state;
	assert_int_equal(whole.n, NAMES);
	for (size_t i = 0; i < whole.n; i++) {
		snprintf(got[i], sizeof(got[i]), "%s", whole.name[i]);
		assert_true(whole.cookie[i] != 0 && whole.cookie[i] < 1ull << 63);
	}
	qsort(got, NAMES, sizeof(got[0]), cmp_name);
	for (size_t i = 0; i < NAMES; i++)
		assert_string_equal(got[i], host[i]);
	free(got);
}

/* From the cookie of entry i: exactly entries i + 1 .. i + want of the whole listing. */
static void expect_resume(size_t i, size_t want)
{
	struct listing part;

	listing_init(&part);
	part.stop_after = want;
	assert_int_equal(apfs_fs_readdir(fs, big, whole.cookie[i], collect, &part), 0);
	if (i + 1 + want > whole.n)
		want = whole.n - i - 1;
	assert_int_equal(part.n, want);
	for (size_t j = 0; j < want; j++) {
		if (strcmp(part.name[j], whole.name[i + 1 + j]) ||
		    part.cookie[j] != whole.cookie[i + 1 + j])
			fail_msg("resumed after entry %zu (cookie %#llx): entry %zu is %s, not %s",
				 i, (unsigned long long)whole.cookie[i], j, part.name[j],
				 whole.name[i + 1 + j]);
	}
	listing_free(&part);
}

/* In pieces of 997 entries, each resumed from the last cookie, as FUSE reads. */
static void test_pieces(void **state)
{
	struct listing part;
	uint64_t cookie = 0;
	size_t at = 0;

	(void)state;
	listing_init(&part);
	do {
		part.n = 0;
		part.stop_after = 997;
		assert_int_equal(apfs_fs_readdir(fs, big, cookie, collect, &part), 0);
		for (size_t j = 0; j < part.n; j++)
			assert_string_equal(part.name[j], whole.name[at + j]);
		at += part.n;
		if (part.n)
			cookie = part.cookie[part.n - 1];
	} while (part.n == 997);
	assert_int_equal(at, NAMES);
	listing_free(&part);
}

/*
 * Cookies inside hash runs: entry i and i + 1 share a hash (the cookie's
 * bits 20 and up).  Resuming there must not give i's run-mates again nor
 * skip i + 1.  Also the last entry (nothing follows) and the first.
 */
static void test_in_hash_runs(void **state)
{
	size_t runs = 0, deep = 0;

	(void)state;
	for (size_t i = 0; i + 1 < whole.n; i++) {
		if (whole.cookie[i] >> 20 != whole.cookie[i + 1] >> 20)
			continue;
		runs++;
		deep += (whole.cookie[i] & 0xfffff) > 1;
		expect_resume(i, 3);
	}
	/* 20,000 names in 2^22 hashes: ~48 pairs expected. */
	assert_true(runs >= 10);
	printf("# %zu cookies inside hash runs tried (%zu past a run's second name)\n", runs,
	       deep);
	expect_resume(0, 5);
	expect_resume(whole.n - 1, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_in_hash_runs),
	};

	apfs_log_set_level(-1);
	return cmocka_run_group_tests(tests, setup, teardown);
}
