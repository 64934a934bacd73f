/* SPDX-License-Identifier: MIT */
/*
 * bigread.c - a large positional read split into pieces that the caller
 * and the file system's helper threads read at once.  Decryption and the
 * kernel's copy out of the page cache are all the work of a read; with a
 * helper per other core a caller that reads a few MiB at a time (a Python
 * file object's readinto) goes at the speed of the cores together, as
 * apfsi_file_read_all does for a whole file, and with no copy: every piece
 * lands in the caller's buffer.
 *
 * The caller reads pieces itself until none is left, so a read never waits
 * for a helper to wake up, only for the pieces a helper took; helpers that
 * could not start, or a busy machine that runs them late, make the read no
 * slower than one in a single piece.  Pieces begin on a PIECE boundary of
 * the file (after the first), so that each is read block-aligned, straight
 * into the caller's buffer.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* A piece: 512 KiB, so that the smallest read split (2 MiB) makes four. */
#define PIECE (512u << 10)
#define MAX_HELPERS 7

struct job {
	struct apfs_file *f;
	uint64_t off, base;     /* base: off rounded down to a piece boundary */
	uint8_t *buf;
	size_t len;
	uint64_t npieces, next, limit; /* pieces: taken up to next, none from limit */
	unsigned busy;          /* pieces being read */
	uint64_t first_bad;     /* the lowest piece that failed or came back short */
	int err;                /* its error (0: it was short) */
	size_t bad_got;         /* its bytes (a short piece) */
	char said[APFS_LOG_KEPT]; /* its errors (apfs_log_capture), said once when the read ends */
	struct job *link;       /* the queue of jobs with pieces left */
};

struct apfsi_helpers {
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct job *queue;
	bool stop;
	unsigned n;
	pthread_t th[MAX_HELPERS];
	pid_t pid;              /* the process the threads run in (not a fork()ed child) */
};

static void unqueue(struct apfsi_helpers *h, struct job *j)
{
	for (struct job **p = &h->queue; *p; p = &(*p)->link)
		if (*p == j) {
			*p = j->link;
			return;
		}
}

/* The next piece of j, if any (lock held); a job without pieces left leaves the queue. */
static bool take(struct apfsi_helpers *h, struct job *j, uint64_t *k)
{
	bool any = j->next < j->limit;

	if (any) {
		*k = j->next++;
		j->busy++;
	}
	if (j->next >= j->limit)
		unqueue(h, j);
	return any;
}

static uint64_t piece_start(const struct job *j, uint64_t k)
{
	return k ? j->base + (uint64_t)k * PIECE : j->off;
}

static size_t piece_len(const struct job *j, uint64_t k)
{
	uint64_t end = j->base + ((uint64_t)k + 1) * PIECE;

	if (end > j->off + j->len)
		end = j->off + j->len;
	return (size_t)(end - piece_start(j, k));
}

/*
 * Piece k read (lock held): a failure or a short piece ends the read there,
 * so no piece after it is taken; the one nearest the start is the read's.
 */
static void record(struct apfsi_helpers *h, struct job *j, uint64_t k, int ret, size_t got,
		   const char *m)
{
	if ((ret || got < piece_len(j, k)) && k < j->first_bad) {
		j->first_bad = k, j->err = ret, j->bad_got = got;
		memcpy(j->said, ret ? m : "\0", ret ? sizeof(j->said) : 2);
		if (j->limit > k + 1)
			j->limit = k + 1;
		if (j->next >= j->limit)
			unqueue(h, j);
	}
	if (!--j->busy && j->next >= j->limit)
		pthread_cond_broadcast(&h->done);
}

/*
 * Read piece k of j without the lock, and record it with the lock.  Its
 * error is kept, not said: pieces after a failure may meet it too (a gap
 * met from where each landed), and only the first piece's is the read's.
 */
static void read_piece(struct apfsi_helpers *h, struct job *j, uint64_t k)
{
	uint64_t start = piece_start(j, k);
	char m[APFS_LOG_KEPT];
	size_t got = 0;
	int ret;

	pthread_mutex_unlock(&h->lock);
	apfs_log_capture(m, sizeof(m));
	ret = apfs_file_read(j->f, start, j->buf + (start - j->off), piece_len(j, k), &got);
	apfs_log_capture(NULL, 0);
	pthread_mutex_lock(&h->lock);
	record(h, j, k, ret, got, m);
}

static void *helper(void *arg)
{
	struct apfsi_helpers *h = arg;
	uint64_t k;

	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		struct job *j = h->queue;

		/* A queued job has a piece left: take and record unqueue it when it has none. */
		if (!j)
			pthread_cond_wait(&h->work, &h->lock);
		else if (take(h, j, &k))
			read_piece(h, j, k);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* One helper per other online core (none on one core); fewer if threads cannot start. */
static void start_helpers(struct apfsi_helpers *h)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = cores > 1 ? (unsigned)(cores - 1) : 0;
	sigset_t all, old;

	if (want > MAX_HELPERS)
		want = MAX_HELPERS;
	/* Signals stay with the program's own threads (Python runs its handlers on its main one). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (h->n < want && !pthread_create(&h->th[h->n], NULL, helper, h))
		h->n++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static struct apfsi_helpers *helpers_new(void)
{
	struct apfsi_helpers *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->work, NULL);
	pthread_cond_init(&h->done, NULL);
	h->pid = getpid();
	start_helpers(h);
	return h;
}

/*
 * A child of fork() (a Python multiprocessing worker) has the parent's
 * helpers in memory but not their threads, and maybe their lock held by
 * one: it never touches them, and makes its own.
 */
static bool forked(const struct apfsi_helpers *h)
{
	return h->pid != getpid();
}

void apfsi_helpers_free(struct apfsi_helpers *h)
{
	if (!h)
		return;
	if (forked(h)) {  /* no thread to join here */
		free(h);
		return;
	}
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_cond_broadcast(&h->work);
	pthread_mutex_unlock(&h->lock);
	for (unsigned i = 0; i < h->n; i++)
		pthread_join(h->th[i], NULL);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->work);
	pthread_cond_destroy(&h->done);
	free(h);
}

static struct apfsi_helpers *helpers_of(struct apfsi_helpers **hp, pthread_mutex_t *lock)
{
	struct apfsi_helpers *h;

	pthread_mutex_lock(lock);
	if (*hp && forked(*hp))
		*hp = NULL;  /* the parent's: left alone (a few hundred bytes) */
	if (!*hp)
		*hp = helpers_new();
	h = *hp;
	pthread_mutex_unlock(lock);
	return h;
}

/* The caller's part: queue j for the helpers, read pieces until none is left, wait for theirs. */
static void run(struct apfsi_helpers *h, struct job *j)
{
	uint64_t k, wake = j->npieces - 1 < h->n ? j->npieces - 1 : h->n;

	pthread_mutex_lock(&h->lock);
	if (wake) {
		struct job **p = &h->queue;

		while (*p)
			p = &(*p)->link;
		*p = j;
		while (wake--)
			pthread_cond_signal(&h->work);
	}
	while (take(h, j, &k))
		read_piece(h, j, k);
	while (j->busy)
		pthread_cond_wait(&h->done, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

int apfsi_bigread(struct apfsi_helpers **hp, pthread_mutex_t *lock, struct apfs_file *f,
		  uint64_t off, void *buf, size_t len, size_t *got, char *msg, size_t cap)
{
	struct apfsi_helpers *h = helpers_of(hp, lock);
	uint64_t base = off - off % PIECE, span = off + len - base; /* off + len: inside the file */
	struct job j = { .f = f, .off = off, .base = base, .buf = buf, .len = len };
	const char *m;
	int ret;

	if (cap)
		msg[0] = '\0';
	if (!h) {  /* out of memory for the helpers: the read in one piece */
		apfsi_enter();
		ret = apfs_file_read(f, off, buf, len, got);
		if (ret && cap && (m = apfsi_logged()))
			snprintf(msg, cap, "%s", m);
		return ret;
	}
	j.npieces = span / PIECE + (span % PIECE != 0);
	j.limit = j.first_bad = j.npieces;
	run(h, &j);
	if (j.err && j.said[0]) {
		apfs_log_replay(j.said);  /* once, on the caller's thread */
		if (cap)  /* the first: the layer that met the damage */
			snprintf(msg, cap, "%s", j.said);
	}
	*got = j.first_bad < j.npieces ? (size_t)(piece_start(&j, j.first_bad) - off) + j.bad_got
				       : len;
	return j.err;
}
