/* SPDX-License-Identifier: MIT */
/*
 * fs_resume.c - where readdir walks stopped, on a volume whose directory
 * records carry no name hash.  There a cookie is an entry's ordinal, and a
 * resume from it would pass over every entry before it again: a FUSE
 * READDIR hands out a bufferful at a time and resumes from the last cookie
 * it took, so listing a directory of n entries would visit n^2 / 2k records
 * (k a bufferful).  Kept: for the last few walks that stopped, the record
 * key of the entry they stopped at, with the cookie that resumes there; a
 * resume from such a cookie is one lookup.  Any other cookie still counts.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs_int.h"

/* Walks resuming at once that each find their place (FUSE's threads and handles). */
#define FS_RESUME_SLOTS 32

struct fs_resume_slot {
	uint64_t dir, cookie;  /* cookie 0: empty (a resume from 0 is the start) */
	size_t klen;
	uint8_t key[FS_DREC_KEY_MAX];
};

struct fs_resume {
	pthread_mutex_t lock;
	unsigned next;         /* the slot the next put takes: round robin */
	struct fs_resume_slot slot[FS_RESUME_SLOTS];
};

struct fs_resume *fs_resume_new(void)
{
	struct fs_resume *r = calloc(1, sizeof(*r));

	if (r && pthread_mutex_init(&r->lock, NULL)) {
		free(r);
		r = NULL;
	}
	return r;
}

void fs_resume_free(struct fs_resume *r)
{
	if (r) {
		pthread_mutex_destroy(&r->lock);
		free(r);
	}
}

void fs_resume_put(struct fs_resume *r, uint64_t dir, uint64_t cookie, const void *key,
		   size_t klen)
{
	struct fs_resume_slot *s;

	if (!r || !cookie || klen > sizeof(s->key))
		return;
	pthread_mutex_lock(&r->lock);
	s = &r->slot[r->next++ % FS_RESUME_SLOTS];
	s->dir = dir, s->cookie = cookie, s->klen = klen;
	memcpy(s->key, key, klen);
	pthread_mutex_unlock(&r->lock);
}

bool fs_resume_get(struct fs_resume *r, uint64_t dir, uint64_t cookie, void *key,
		   size_t *klen)
{
	bool hit = false;

	if (!r || !cookie)
		return false;
	pthread_mutex_lock(&r->lock);
	for (unsigned i = 0; i < FS_RESUME_SLOTS && !hit; i++) {
		const struct fs_resume_slot *s = &r->slot[i];

		if (s->cookie == cookie && s->dir == dir) {
			memcpy(key, s->key, s->klen);
			*klen = s->klen;
			hit = true;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return hit;
}
