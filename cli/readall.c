/* SPDX-License-Identifier: MIT */
/*
 * readall.c - read a whole file with several readers at once, handing the
 * chunks on in order.  Decryption and the kernel's copy out of the page cache
 * each cost as much as the other; with one reader per core both run in
 * parallel, and `cat` or `extract` of a large encrypted file goes at the
 * speed of the cores together rather than one.
 */
#include <pthread.h>
#include <stdlib.h>
#include "apfs/bigbuf.h"
#include "cmd_fs.h"

#define CHUNK (4u << 20)
#define MAX_READERS 8

struct slot {
	uint8_t *buf;
	uint64_t chunk;   /* which chunk the buffer holds */
	size_t len;
	int state;        /* 0 free, 1 being read, 2 ready */
	int err;
};

struct readall {
	struct apfs_file *f;
	uint64_t nchunks, next;
	unsigned nslots;
	struct slot *slots;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
};

/* A reader claims the next chunk once its slot has been handed on. */
static void *reader(void *arg)
{
	struct readall *ra = arg;

	pthread_mutex_lock(&ra->lock);
	while (!ra->stop && ra->next < ra->nchunks) {
		uint64_t c = ra->next;
		struct slot *s = &ra->slots[c % ra->nslots];

		if (s->state != 0) {
			pthread_cond_wait(&ra->cond, &ra->lock);
			continue;
		}
		ra->next++;
		s->state = 1;
		s->chunk = c;
		pthread_mutex_unlock(&ra->lock);
		s->err = apfs_file_read(ra->f, c * CHUNK, s->buf, CHUNK, &s->len);
		pthread_mutex_lock(&ra->lock);
		s->state = 2;
		pthread_cond_broadcast(&ra->cond);
	}
	pthread_mutex_unlock(&ra->lock);
	return NULL;
}

/* Hand chunks to sink in order; stop everyone at the first error. */
static int consume(struct readall *ra, fs_sink_fn sink, void *ctx)
{
	int ret = 0;

	for (uint64_t c = 0; !ret && c < ra->nchunks; c++) {
		struct slot *s = &ra->slots[c % ra->nslots];

		pthread_mutex_lock(&ra->lock);
		while (!(s->state == 2 && s->chunk == c))
			pthread_cond_wait(&ra->cond, &ra->lock);
		pthread_mutex_unlock(&ra->lock);
		ret = s->err ? s->err : sink(s->buf, s->len, ctx);
		pthread_mutex_lock(&ra->lock);
		s->state = 0;
		if (ret)
			ra->stop = true;
		pthread_cond_broadcast(&ra->cond);
		pthread_mutex_unlock(&ra->lock);
	}
	return ret;
}

/*
 * A file of one chunk or less: read in this thread into a heap buffer.  No
 * threads to start and no fresh pages to fault in, which for `extract` of
 * many small files would cost far more than their data.
 */
static int read_small(struct apfs_file *f, size_t size, fs_sink_fn sink, void *ctx)
{
	uint8_t *buf = malloc(size);
	size_t got = 0;
	int ret = buf ? apfs_file_read(f, 0, buf, size, &got) : -ENOMEM;

	if (!ret)
		ret = sink(buf, got, ctx);
	free(buf);
	return ret;
}

int fs_read_all(struct apfs_file *f, fs_sink_fn sink, void *ctx)
{
	struct readall ra = { .f = f };
	pthread_t th[MAX_READERS];
	unsigned nr, started = 0;
	int ret = 0;

	ra.nchunks = (apfs_file_size(f) + CHUNK - 1) / CHUNK;
	if (!ra.nchunks)
		return 0;
	if (ra.nchunks == 1)
		return read_small(f, (size_t)apfs_file_size(f), sink, ctx);
	nr = cli_workers(ra.nchunks, MAX_READERS);
	ra.nslots = 2 * nr;
	ra.slots = calloc(ra.nslots, sizeof(*ra.slots));
	for (unsigned i = 0; ra.slots && i < ra.nslots && !ret; i++)
		if (!(ra.slots[i].buf = apfs_bigbuf_new(CHUNK, true)))
			ret = -ENOMEM;
	if (!ra.slots)
		ret = -ENOMEM;
	pthread_mutex_init(&ra.lock, NULL);
	pthread_cond_init(&ra.cond, NULL);
	for (unsigned i = 0; !ret && i < nr; i++)
		if (!pthread_create(&th[started], NULL, reader, &ra))
			started++;
	if (!ret && !started)
		ret = -EAGAIN;
	if (!ret)
		ret = consume(&ra, sink, ctx);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 0; ra.slots && i < ra.nslots; i++)
		if (ra.slots[i].buf)
			apfs_bigbuf_free(ra.slots[i].buf, CHUNK);
	free(ra.slots);
	pthread_mutex_destroy(&ra.lock);
	pthread_cond_destroy(&ra.cond);
	return ret;
}
