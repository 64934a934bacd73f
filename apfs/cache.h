/* SPDX-License-Identifier: MIT */
/*
 * cache.h - a block cache with a fixed memory budget.
 *
 * Entries are keyed by (paddr, tag): tag 0 holds blocks as read from the
 * image, any other tag (apfs_xts_id() of a volume's key) holds blocks
 * decrypted with that key, so ciphertext and plaintext never collide.
 * Only verified objects are inserted.  Set-associative, LRU within a set,
 * one mutex: callers on several threads (FUSE) share it safely.
 */
#ifndef APFS_CACHE_H
#define APFS_CACHE_H

#include <stdbool.h>
#include <stdint.h>

struct apfs_cache;

/* budget in bytes; the cache holds budget / block_size blocks. */
int apfs_cache_new(uint32_t block_size, size_t budget, struct apfs_cache **out);
void apfs_cache_free(struct apfs_cache *cache);
bool apfs_cache_get(struct apfs_cache *cache, uint64_t paddr, uint64_t tag, void *buf);
/*
 * Unique in the process (never 0): what is read through this cache, and
 * anything derived from it (btree_cursor.c), belongs to this cache's life.
 */
uint64_t apfs_cache_id(const struct apfs_cache *cache);
void apfs_cache_put(struct apfs_cache *cache, uint64_t paddr, uint64_t tag, const void *buf);
/*
 * One memory budget for the cache and what its user holds beside it: a
 * walk holding `bytes` more (a directory window, cli/dirwin.c) lends them
 * from the cache, which gives up a way (an eighth) per started eighth lent,
 * down to a quarter of its budget, forgetting those ways' blocks and
 * returning their pages; repaying gives the ways back (empty).  A window is
 * read in inode order, so the leaves it needs are read once and few cached
 * blocks are enough beside it.
 */
void apfs_cache_lend(struct apfs_cache *cache, size_t bytes);
/* true if the cache took ways back. */
bool apfs_cache_repay(struct apfs_cache *cache, size_t bytes);
/* Ways in use now, of 8 (for tests). */
unsigned apfs_cache_ways(const struct apfs_cache *cache);

#endif
