/* memdev.h - an in-memory image and container for unit tests. */
#ifndef TEST_MEMDEV_H
#define TEST_MEMDEV_H

#include <stdlib.h>
#include <string.h>

#include "apfs/apfs.h"
#include "apfs/cache.h"

#define MD_BS 4096u

struct memdev {
	struct apfs_dev dev;
	uint8_t *data;
};

static int md_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct memdev *m = (struct memdev *)dev;

	memcpy(buf, m->data + off, len);
	return 0;
}

static void md_close(struct apfs_dev *dev)
{
	(void)dev;
}

static const struct apfs_dev_ops md_ops = { "memory", md_read, md_close };

static inline struct memdev *md_new(unsigned nblocks)
{
	struct memdev *m = calloc(1, sizeof(*m));

	m->data = calloc(nblocks, MD_BS);
	m->dev.ops = &md_ops;
	m->dev.size = (uint64_t)nblocks * MD_BS;
	m->dev.path = (char *)"memory";
	return m;
}

static inline void md_free(struct memdev *m)
{
	free(m->data);
	free(m);
}

static inline uint8_t *md_block(struct memdev *m, uint64_t b)
{
	return m->data + b * MD_BS;
}

/* Seal an object: write its Fletcher-64. */
static inline void md_seal(uint8_t *blk)
{
	st_le64(blk, apfs_fletcher64(blk, MD_BS));
}

/* A container over the memory image with `present` blocks readable. */
static inline struct apfs_container *md_container(struct memdev *m, uint64_t count,
						  uint64_t present)
{
	struct apfs_container *c = calloc(1, sizeof(*c));

	c->dev = &m->dev;
	c->block_size = MD_BS;
	c->block_count = count;
	c->blocks_present = present;
	c->avail = present * MD_BS;
	apfs_cache_new(MD_BS, 64 * MD_BS, &c->cache);
	strcpy(c->label, "test container");
	return c;
}

static inline void md_container_free(struct apfs_container *c)
{
	apfs_cache_free(c->cache);
	free(c);
}

#endif
