/* SPDX-License-Identifier: MIT */
/* cache.c - set-associative block cache (see cache.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cache.h"
#include "util/err.h"

/*
 * Eight ways, each way's blocks in one run of memory (way-major), so that
 * a way can be handed back to the kernel whole while a walk holds memory
 * of its own (apfs_cache_lend): the cache then shrinks a way at a time.
 */
#define WAYS 8
#define MIN_WAYS 2
/* Ways come back only once this much more than a way is repaid: a walk
 * entering and leaving small directories at a boundary must not make the
 * cache drop and re-fault a way each time. */
#define REGROW_SLACK ((size_t)256 << 10)

struct slot {
	uint64_t paddr;
	uint64_t tag;
	uint64_t used;  /* LRU stamp; 0 = empty */
};

struct apfs_cache {
	pthread_mutex_t lock;
	uint32_t bs;
	size_t nsets;
	unsigned ways;  /* in use now: MIN_WAYS..WAYS */
	size_t lent;    /* bytes the cache's user holds instead (apfs_cache_lend) */
	size_t len;     /* of data */
	uint64_t clock;
	uint64_t id;
	struct slot *slots;  /* set-major: set * WAYS + way */
	uint8_t *data;       /* way-major: (way * nsets + set) * bs */
};

static _Atomic uint64_t next_id = 1;

uint64_t apfs_cache_id(const struct apfs_cache *c)
{
	return c ? c->id : 0;
}

static uint8_t *block_of(const struct apfs_cache *c, size_t set, unsigned way)
{
	return c->data + ((size_t)way * c->nsets + set) * c->bs;
}

int apfs_cache_new(uint32_t block_size, size_t budget, struct apfs_cache **out)
{
	struct apfs_cache *c = calloc(1, sizeof(*c));
	size_t nslots = budget / block_size;
	void *m;

	if (!c)
		return -ENOMEM;
	c->nsets = nslots / WAYS ? nslots / WAYS : 1;
	c->ways = WAYS;
	c->bs = block_size;
	c->id = atomic_fetch_add(&next_id, 1);
	c->slots = calloc(c->nsets * WAYS, sizeof(*c->slots));
	/*
	 * Anonymous pages, made as blocks land in them: a job reading a few
	 * dozen blocks (list, unlock) touches a few dozen pages; page-aligned
	 * so that a way given up can be returned to the kernel.
	 */
	c->len = c->nsets * WAYS * (size_t)block_size;
	m = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c->data = m == MAP_FAILED ? NULL : m;
	if (!c->slots || !c->data) {
		apfs_cache_free(c);
		return -ENOMEM;
	}
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
}

void apfs_cache_free(struct apfs_cache *c)
{
	if (!c)
		return;
	free(c->slots);
	if (c->data)
		munmap(c->data, c->len);
	free(c);
}

static size_t set_of(const struct apfs_cache *c, uint64_t paddr, uint64_t tag)
{
	uint64_t h = (paddr ^ tag) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17) % c->nsets;
}

bool apfs_cache_get(struct apfs_cache *c, uint64_t paddr, uint64_t tag, void *buf)
{
	size_t set = set_of(c, paddr, tag);
	struct slot *s = &c->slots[set * WAYS];
	bool hit = false;

	pthread_mutex_lock(&c->lock);
	for (unsigned w = 0; w < c->ways; w++) {
		if (s[w].used && s[w].paddr == paddr && s[w].tag == tag) {
			s[w].used = ++c->clock;
			memcpy(buf, block_of(c, set, w), c->bs);
			hit = true;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void apfs_cache_put(struct apfs_cache *c, uint64_t paddr, uint64_t tag, const void *buf)
{
	size_t set = set_of(c, paddr, tag);
	struct slot *s = &c->slots[set * WAYS];
	unsigned victim = 0;

	pthread_mutex_lock(&c->lock);
	for (unsigned w = 0; w < c->ways; w++) {
		if (s[w].used && s[w].paddr == paddr && s[w].tag == tag) {
			victim = w;
			break;
		}
		if (s[w].used < s[victim].used)
			victim = w;
	}
	s[victim] = (struct slot){ paddr, tag, ++c->clock };
	memcpy(block_of(c, set, victim), buf, c->bs);
	pthread_mutex_unlock(&c->lock);
}

/* Ways the cache may use while `lent` bytes are held elsewhere. */
static unsigned ways_for(const struct apfs_cache *c, size_t lent)
{
	size_t way = c->nsets * (size_t)c->bs, give = lent / way + (lent % way != 0);

	return give >= WAYS - MIN_WAYS ? MIN_WAYS : WAYS - (unsigned)give;
}

/* Drop ways [n, c->ways): their entries forgotten, their pages returned. */
static void shrink_to(struct apfs_cache *c, unsigned n)
{
	size_t way = c->nsets * (size_t)c->bs;

	for (size_t set = 0; set < c->nsets; set++)
		for (unsigned w = n; w < c->ways; w++)
			c->slots[set * WAYS + w].used = 0;
	/* Fresh zero pages on the next touch; a failure only keeps them resident. */
	(void)madvise(c->data + n * way, (c->ways - n) * way, MADV_DONTNEED);
	c->ways = n;
}

void apfs_cache_lend(struct apfs_cache *c, size_t bytes)
{
	unsigned n;

	pthread_mutex_lock(&c->lock);
	c->lent = bytes > SIZE_MAX - c->lent ? SIZE_MAX : c->lent + bytes;
	n = ways_for(c, c->lent);
	if (n < c->ways)
		shrink_to(c, n);
	pthread_mutex_unlock(&c->lock);
}

bool apfs_cache_repay(struct apfs_cache *c, size_t bytes)
{
	unsigned n, was;
	bool grew;

	pthread_mutex_lock(&c->lock);
	c->lent -= bytes < c->lent ? bytes : c->lent;
	n = ways_for(c, c->lent > SIZE_MAX - REGROW_SLACK ? SIZE_MAX : c->lent + REGROW_SLACK);
	was = c->ways;
	if (!c->lent || n > c->ways)
		c->ways = c->lent ? n : WAYS;
	grew = c->ways > was;  /* read under the lock: another thread may lend next */
	pthread_mutex_unlock(&c->lock);
	return grew;
}

unsigned apfs_cache_ways(const struct apfs_cache *c)
{
	return c->ways;
}
