/* SPDX-License-Identifier: MIT */
/*
 * readall.c - read a whole file with several readers at once, handing the
 * chunks on in order.  Decryption and the kernel's copy out of the page cache
 * each cost as much as the other; with one reader per core both run in
 * parallel, and `cat` or `extract` of a large encrypted file goes at the
 * speed of the cores together rather than one.
 *
 * The buffers belong to a struct fs_reader and outlive one file: `extract`
 * of many files pays for fresh memory once (on this VM a page fault costs
 * more than the 4 KiB copy it lets through), and they sit on huge pages.
 */
#include <pthread.h>
#include <stdlib.h>

#include "util/bigbuf.h"
#include "cmd_fs.h"

#define CHUNK (4u << 20)
#define MAX_READERS 8
#define MAX_SLOTS (2 * MAX_READERS)  /* two per reader: one read, one handed on */
#define SMALL_HEAP (256u << 10)      /* files up to this read into a heap buffer */
#define HUGE_PAGE (2u << 20)         /* smaller files too, until a chunk buffer exists */

struct fs_reader {
	uint8_t *buf[MAX_SLOTS];  /* CHUNK bytes each, made when first needed */
};

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

struct fs_reader *fs_reader_new(void)
{
	return calloc(1, sizeof(struct fs_reader));
}

void fs_reader_free(struct fs_reader *r)
{
	for (unsigned i = 0; r && i < MAX_SLOTS; i++)
		apfs_bigbuf_free(r->buf[i], CHUNK);
	free(r);
}

/* Buffer i, made (and its pages touched) on first use. */
static uint8_t *reader_buf(struct fs_reader *r, unsigned i)
{
	if (!r->buf[i])
		r->buf[i] = apfs_bigbuf_new(CHUNK, true);
	return r->buf[i];
}

/* A file of one chunk or less: read in this thread, no threads to start. */
static int read_one(struct fs_reader *r, struct apfs_file *f, size_t size, fs_sink_fn sink,
		    void *ctx)
{
	/* The chunk buffer (huge pages) once made, or for a file that fills a huge page. */
	bool heap = size <= SMALL_HEAP || (!r->buf[0] && size < HUGE_PAGE);
	uint8_t *buf = heap ? malloc(size) : reader_buf(r, 0);
	size_t got = 0;
	int ret = buf ? apfs_file_read(f, 0, buf, size, &got) : -ENOMEM;

	if (!ret)
		ret = sink(buf, got, ctx);
	if (heap)
		free(buf);
	return ret;
}

static int read_parallel(struct fs_reader *r, struct apfs_file *f, uint64_t nchunks,
			 fs_sink_fn sink, void *ctx)
{
	struct readall ra = { .f = f, .nchunks = nchunks };
	struct slot slots[MAX_SLOTS] = { 0 };
	pthread_t th[MAX_READERS];
	unsigned nr = cli_workers(nchunks, MAX_READERS), started = 0;
	int ret = 0;

	ra.nslots = 2 * nr;
	ra.slots = slots;
	for (unsigned i = 0; i < ra.nslots && !ret; i++)
		if (!(slots[i].buf = reader_buf(r, i)))
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
	pthread_mutex_destroy(&ra.lock);
	pthread_cond_destroy(&ra.cond);
	return ret;
}

int fs_reader_read(struct fs_reader *r, struct apfs_file *f, fs_sink_fn sink, void *ctx)
{
	/* Rounded up without size + CHUNK - 1: a size near 2^64 (untrusted) would wrap. */
	uint64_t size = apfs_file_size(f), nchunks = size / CHUNK + (size % CHUNK != 0);

	if (!nchunks)
		return 0;
	if (nchunks == 1)
		return read_one(r, f, (size_t)size, sink, ctx);
	return read_parallel(r, f, nchunks, sink, ctx);
}

int fs_read_all(struct apfs_file *f, fs_sink_fn sink, void *ctx)
{
	struct fs_reader *r = fs_reader_new();
	int ret = r ? fs_reader_read(r, f, sink, ctx) : -ENOMEM;

	fs_reader_free(r);
	return ret;
}
