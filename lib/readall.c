/* SPDX-License-Identifier: MIT */
/*
 * readall.c - read a whole file with several readers at once, handing the
 * chunks on in order.  Decryption and the kernel's copy out of the page cache
 * each cost as much as the other; with one reader per core both run in
 * parallel, and reading a large encrypted file goes at the speed of the
 * cores together rather than one.
 *
 * The buffers belong to a struct apfsi_reader and outlive one file: reading
 * many files pays for fresh memory once (on this VM a page fault costs more
 * than the 4 KiB copy it lets through), and they sit on huge pages.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/bigbuf.h"
#include "fs_int.h"

#define CHUNK (4u << 20)
#define MAX_READERS 8
#define MAX_SLOTS (2 * MAX_READERS)  /* two per reader: one read, one handed on */
#define SMALL_HEAP (256u << 10)      /* files up to this read into a heap buffer */
#define HUGE_PAGE (2u << 20)         /* smaller files too, until a chunk buffer exists */

struct apfsi_reader {
	uint8_t *buf[MAX_SLOTS];  /* CHUNK bytes each, made when first needed */
};

struct slot {
	uint8_t *buf;
	uint64_t chunk;   /* which chunk the buffer holds */
	size_t len;
	int state;        /* 0 free, 1 being read, 2 ready */
	int err;
	char msg[APFS_LOG_KEPT];  /* the errors its reader met, said when the chunk is handed on */
};

struct readall {
	struct apfs_file *f;
	uint64_t nchunks, next;
	unsigned nslots;
	struct slot *slots;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	char *msg;        /* the error of the chunk the read failed at */
	size_t cap;
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
		/* Readers ahead of a failure meet it too (a gap is met from where each
		 * landed): only the chunk handed on says its error (consume). */
		apfs_log_capture(s->msg, sizeof(s->msg));
		s->err = apfs_file_read(ra->f, c * CHUNK, s->buf, CHUNK, &s->len);
		apfs_log_capture(NULL, 0);
		pthread_mutex_lock(&ra->lock);
		s->state = 2;
		pthread_cond_broadcast(&ra->cond);
	}
	pthread_mutex_unlock(&ra->lock);
	return NULL;
}

/*
 * A chunk to sink: with a read error (err), the bytes before it first (a
 * stream's bytes up to records lost: every byte there is), then the error;
 * a stop of the sink's own wins.
 */
static int give(int err, const uint8_t *buf, size_t len, apfsi_reader_sink sink, void *arg)
{
	int ret = !err || len ? sink(buf, len, arg) : 0;

	return ret ? ret : err;
}

/* Hand chunks to sink in order; stop everyone at the first error. */
static int consume(struct readall *ra, apfsi_reader_sink sink, void *arg)
{
	int ret = 0;

	for (uint64_t c = 0; !ret && c < ra->nchunks; c++) {
		struct slot *s = &ra->slots[c % ra->nslots];

		pthread_mutex_lock(&ra->lock);
		while (!(s->state == 2 && s->chunk == c))
			pthread_cond_wait(&ra->cond, &ra->lock);
		pthread_mutex_unlock(&ra->lock);
		if (s->err && s->msg[0]) {
			apfs_log_replay(s->msg);
			if (ra->msg)  /* the first: the layer that met the damage */
				snprintf(ra->msg, ra->cap, "%s", s->msg);
		}
		ret = give(s->err, s->buf, s->len, sink, arg);
		pthread_mutex_lock(&ra->lock);
		s->state = 0;
		if (ret)
			ra->stop = true;
		pthread_cond_broadcast(&ra->cond);
		pthread_mutex_unlock(&ra->lock);
	}
	return ret;
}

struct apfsi_reader *apfsi_reader_new(void)
{
	return calloc(1, sizeof(struct apfsi_reader));
}

void apfsi_reader_free(struct apfsi_reader *r)
{
	for (unsigned i = 0; r && i < MAX_SLOTS; i++)
		apfs_bigbuf_free(r->buf[i], CHUNK);
	free(r);
}

/* Buffer i, made (and its pages touched) on first use. */
static uint8_t *reader_buf(struct apfsi_reader *r, unsigned i)
{
	if (!r->buf[i])
		r->buf[i] = apfs_bigbuf_new(CHUNK, true);
	return r->buf[i];
}

/* A file of one chunk or less: read in this thread, no threads to start. */
static int read_one(struct apfsi_reader *r, struct apfs_file *f, size_t size,
		    apfsi_reader_sink sink, void *arg)
{
	/* The chunk buffer (huge pages) once made, or for a file that fills a huge page. */
	bool heap = size <= SMALL_HEAP || (!r->buf[0] && size < HUGE_PAGE);
	uint8_t *buf = heap ? malloc(size) : reader_buf(r, 0);
	size_t got = 0;
	int ret = buf ? apfs_file_read(f, 0, buf, size, &got) : -ENOMEM;

	if (buf)
		ret = give(ret, buf, got, sink, arg);
	if (heap)
		free(buf);
	return ret;
}

/* Threads for nchunks chunks: as asked, else one per online core; at most MAX_READERS. */
static unsigned workers(uint64_t nchunks, unsigned threads)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t w = threads ? threads : n < 1 ? 1 : (uint64_t)n;

	if (w > MAX_READERS)
		w = MAX_READERS;
	return (unsigned)(w < nchunks ? w : nchunks);
}

static int start_readers(struct readall *ra, pthread_t *th, unsigned nr, unsigned *started)
{
	for (unsigned i = 0; i < nr; i++)
		if (!pthread_create(&th[*started], NULL, reader, ra))
			(*started)++;
	return *started ? 0 : -EAGAIN;
}

/*
 * The slots are on the heap: each keeps its reader's messages (4 KiB), and
 * 16 of them on the caller's stack would be 66 KB of a thread's stack that
 * may be small (a library caller's own threads).
 */
static int read_parallel(struct apfsi_reader *r, struct readall *ra, unsigned nr,
			 apfsi_reader_sink sink, void *arg)
{
	struct slot *slots = calloc(2 * (size_t)nr, sizeof(*slots));
	pthread_t th[MAX_READERS];
	unsigned started = 0;
	int ret = slots ? 0 : -ENOMEM;

	ra->nslots = 2 * nr;
	ra->slots = slots;
	for (unsigned i = 0; i < ra->nslots && !ret; i++)
		if (!(slots[i].buf = reader_buf(r, i)))
			ret = -ENOMEM;
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->cond, NULL);
	if (!ret)
		ret = start_readers(ra, th, nr, &started);
	if (!ret)
		ret = consume(ra, sink, arg);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&ra->lock);
	pthread_cond_destroy(&ra->cond);
	free(slots);
	return ret;
}

int apfsi_reader_read(struct apfsi_reader *r, struct apfs_file *f, unsigned threads,
		      apfsi_reader_sink sink, void *arg, char *msg, size_t cap)
{
	/* Rounded up without size + CHUNK - 1: a size near 2^64 (untrusted) would wrap. */
	uint64_t size = apfs_file_size(f), nchunks = size / CHUNK + (size % CHUNK != 0);
	struct readall ra = { .f = f, .nchunks = nchunks, .msg = msg, .cap = cap };

	if (msg && cap)
		msg[0] = '\0';
	if (!nchunks)
		return 0;
	if (nchunks == 1)
		return read_one(r, f, (size_t)size, sink, arg);
	return read_parallel(r, &ra, workers(nchunks, threads), sink, arg);
}

/* ---- apfsi_file_read_all ----------------------------------------------- */

struct sink_ctx {
	apfsi_sink_fn fn;
	void *arg;
	int stopped;      /* the caller's sink's nonzero value */
};

static int to_caller(const void *p, size_t n, void *arg)
{
	struct sink_ctx *s = arg;

	s->stopped = s->fn(p, n, s->arg);
	return s->stopped;
}

/* The file system's reader when no other thread holds it, else one of this call's own. */
static struct apfsi_reader *take_reader(struct apfsi_fs *fs, bool *shared)
{
	struct apfsi_reader *r = NULL;

	*shared = !pthread_mutex_trylock(&fs->reader_lock);
	if (*shared) {
		if (!fs->reader)
			fs->reader = apfsi_reader_new();
		if (fs->reader)
			return fs->reader;
		pthread_mutex_unlock(&fs->reader_lock);
		*shared = false;
	}
	r = apfsi_reader_new();
	return r;
}

static void give_reader(struct apfsi_fs *fs, struct apfsi_reader *r, bool shared)
{
	if (shared)
		pthread_mutex_unlock(&fs->reader_lock);
	else
		apfsi_reader_free(r);
}

/* A fork: its bytes in pieces of at most CHUNK, in this thread. */
static int read_fork(apfsi_file *f, apfsi_sink_fn sink, void *arg)
{
	uint8_t *buf = malloc(f->size < CHUNK ? (size_t)f->size + 1 : CHUNK);
	int ret = buf ? 0 : apfsi_fail(APFSI_ERR_NOMEM, "out of memory");

	for (uint64_t off = 0; !ret && off < f->size;) {
		size_t got = 0;
		int err = apfsi_fork_read(f, off, buf, f->size - off < CHUNK ? f->size - off : CHUNK,
					  &got);

		if (!err && !got)
			break;
		/* the bytes before a failure first, as give() hands a chunk's */
		ret = got ? sink(buf, got, arg) : 0;
		if (!ret)
			ret = err;
		off += got;
	}
	free(buf);
	return ret;
}

int apfsi_file_read_all(apfsi_file *f, unsigned threads, apfsi_sink_fn sink, void *arg)
{
	struct sink_ctx s = { sink, arg, 0 };
	struct apfsi_reader *r;
	char msg[1024];
	bool shared;
	int ret;

	apfsi_enter();
	if (!f || !sink)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_file_read_all: f and sink are required");
	if (!f->f)
		return read_fork(f, sink, arg);
	if (!(r = take_reader(f->fs, &shared)))
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory");
	ret = apfsi_reader_read(r, f->f, threads, to_caller, &s, msg, sizeof(msg));
	give_reader(f->fs, r, shared);
	if (s.stopped)
		return s.stopped;
	if (!ret)
		return APFSI_OK;
	if (msg[0])
		return apfsi_fail(apfsi_code(ret), "%s", msg);
	return apfsi_fail(apfsi_code(ret), "reading inode %llu: %s", (unsigned long long)f->ino,
			  apfsi_strerror(apfsi_code(ret)));
}
