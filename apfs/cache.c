/* SPDX-License-Identifier: MIT */
/* cache.c - set-associative block cache (see cache.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "util/err.h"

#define WAYS 4

struct slot {
	uint64_t paddr;
	uint64_t tag;
	uint64_t used;  /* LRU stamp; 0 = empty */
};

struct apfs_cache {
	pthread_mutex_t lock;
	uint32_t bs;
	size_t nsets;
	uint64_t clock;
	uint64_t id;
	struct slot *slots;
	uint8_t *data;
};

static _Atomic uint64_t next_id = 1;

uint64_t apfs_cache_id(const struct apfs_cache *c)
{
	return c ? c->id : 0;
}

int apfs_cache_new(uint32_t block_size, size_t budget, struct apfs_cache **out)
{
	struct apfs_cache *c = calloc(1, sizeof(*c));
	size_t nslots = budget / block_size;

	if (!c)
		return -ENOMEM;
	c->nsets = nslots / WAYS ? nslots / WAYS : 1;
	c->bs = block_size;
	c->id = atomic_fetch_add(&next_id, 1);
	c->slots = calloc(c->nsets * WAYS, sizeof(*c->slots));
	/*
	 * Plain memory, its pages made as blocks land in them: a job reading a
	 * few dozen blocks (list, unlock) touches a few dozen pages, where one
	 * block on each of the budget's huge pages made them all resident.
	 */
	c->data = malloc(c->nsets * WAYS * (size_t)block_size);
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
	free(c->data);
	free(c);
}

static size_t set_of(const struct apfs_cache *c, uint64_t paddr, uint64_t tag)
{
	uint64_t h = (paddr ^ tag) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17) % c->nsets;
}

bool apfs_cache_get(struct apfs_cache *c, uint64_t paddr, uint64_t tag, void *buf)
{
	size_t base = set_of(c, paddr, tag) * WAYS;
	bool hit = false;

	pthread_mutex_lock(&c->lock);
	for (size_t i = base; i < base + WAYS; i++) {
		struct slot *s = &c->slots[i];

		if (s->used && s->paddr == paddr && s->tag == tag) {
			s->used = ++c->clock;
			memcpy(buf, c->data + i * c->bs, c->bs);
			hit = true;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void apfs_cache_put(struct apfs_cache *c, uint64_t paddr, uint64_t tag, const void *buf)
{
	size_t base = set_of(c, paddr, tag) * WAYS, victim = base;

	pthread_mutex_lock(&c->lock);
	for (size_t i = base; i < base + WAYS; i++) {
		struct slot *s = &c->slots[i];

		if (s->used && s->paddr == paddr && s->tag == tag) {
			victim = i;
			break;
		}
		if (s->used < c->slots[victim].used)
			victim = i;
	}
	c->slots[victim] = (struct slot){ paddr, tag, ++c->clock };
	memcpy(c->data + victim * c->bs, buf, c->bs);
	pthread_mutex_unlock(&c->lock);
}
