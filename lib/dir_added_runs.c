/* SPDX-License-Identifier: MIT */
/*
 * dir_added_runs.c - APFSI_DIR_ADDED's pairs beyond its memory budget:
 * sorted runs in an unlinked temporary file, merged back through a heap of
 * the runs' heads as the inode order asks for rising numbers.
 *
 * Why a file: a date added lives in the directory's record (name-hash
 * order) while the entries come in inode order.  Joining the two for
 * millions of entries in bounded memory would otherwise mean reading the
 * directory's records again for every slice of numbers: quadratic.  Here
 * each record is read once, written once and read back once.  The file
 * holds inode numbers and dates, nothing of the keys; it is unlinked as
 * soon as it exists, so it goes with the process however that ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs_int.h"
#include "util/fdio.h"

#define RUN_BUF 256     /* pairs a run reads back at once, at most (4 KiB) */
#define RUN_BUF_MIN 8   /* and at least, however many runs share the memory */

struct run {
	uint64_t off, len;  /* its first pair's index in the file, its pairs */
	uint64_t next;      /* the index in the run of the next pair to read */
	size_t bn, bi;      /* pairs in buf, and the head's index among them */
	struct dir_added_pair *buf;
};

struct dir_added_runs {
	int fd;
	uint64_t pairs;     /* in the file */
	struct run *r;
	size_t k, kcap;
	size_t bufn;        /* pairs a run's buffer holds */
	struct dir_added_pair *bufs;
	size_t *heap, hn;   /* the runs with pairs left, by their heads' numbers */
	uint64_t last;      /* the number asked for last */
};

/* An unlinked file of our own: O_TMPFILE, else a name removed at once. */
static int make_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (snprintf(path, sizeof(path), "%s/apfsinspect-XXXXXX", dir) >= (int)sizeof(path))
		return -1;
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
		unlink(path);
	return fd;
}

static int new_runs(struct dir_added_runs **rs)
{
	struct dir_added_runs *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	if ((s->fd = make_file()) < 0) {
		free(s);
		return -ENOMEM;
	}
	*rs = s;
	return 0;
}

int dir_added_runs_add(struct dir_added_runs **rs, const struct dir_added_pair *v, size_t n)
{
	struct dir_added_runs *s;
	int ret;

	if (!*rs && (ret = new_runs(rs)))
		return ret;
	s = *rs;
	if (s->k == s->kcap) {
		size_t cap = s->kcap * 2 + 8;
		struct run *r = realloc(s->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		s->r = r, s->kcap = cap;
	}
	/* No room for the pairs (a full disk, a write error): the caller reads another way. */
	if (apfs_pwrite_full(s->fd, v, n * sizeof(*v), s->pairs * sizeof(*v)))
		return -ENOMEM;
	s->r[s->k++] = (struct run){ .off = s->pairs, .len = n };
	s->pairs += n;
	return 0;
}

/*
 * n pairs of the file from pair `at`: 0 or a negative errno, which is the
 * file's, never the image's damage (a host file system that finds itself
 * damaged says EUCLEAN, the errno that names damage here: EIO instead).
 */
static int file_read(const struct dir_added_runs *s, struct dir_added_pair *p, size_t n,
		     uint64_t at)
{
	return apfs_os_ret(apfs_pread_full(s->fd, p, n * sizeof(*p), at * sizeof(*p)));
}

static int refill(struct dir_added_runs *s, struct run *r)
{
	uint64_t left = r->len - r->next;

	r->bn = left < s->bufn ? (size_t)left : s->bufn;
	r->bi = 0;
	if (!r->bn)
		return 0;
	r->next += r->bn;
	return file_read(s, r->buf, r->bn, r->off + r->next - r->bn);
}

static uint64_t head(const struct dir_added_runs *s, size_t i)
{
	return s->r[i].buf[s->r[i].bi].ino;
}

static void sift_down(struct dir_added_runs *s, size_t at)
{
	for (;;) {
		size_t l = 2 * at + 1, m = at, t;

		if (l < s->hn && head(s, s->heap[l]) < head(s, s->heap[m]))
			m = l;
		if (l + 1 < s->hn && head(s, s->heap[l + 1]) < head(s, s->heap[m]))
			m = l + 1;
		if (m == at)
			return;
		t = s->heap[at], s->heap[at] = s->heap[m], s->heap[m] = t;
		at = m;
	}
}

/* The index in run r of its first pair numbered ino or more (a search of the file). */
static int lower_bound(struct dir_added_runs *s, const struct run *r, uint64_t ino,
		       uint64_t *at)
{
	uint64_t lo = 0, hi = r->len;
	struct dir_added_pair p;
	int ret;

	while (ino && lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if ((ret = file_read(s, &p, 1, r->off + mid)))
			return ret;
		if (p.ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

/* Every run from its first pair numbered ino or more, and the heap of their heads. */
static int seek_all(struct dir_added_runs *s, uint64_t ino)
{
	int ret;

	s->hn = 0;
	for (size_t i = 0; i < s->k; i++) {
		struct run *r = &s->r[i];

		if ((ret = lower_bound(s, r, ino, &r->next)) || (ret = refill(s, r)))
			return ret;
		if (r->bn)
			s->heap[s->hn++] = i;
	}
	for (size_t i = s->hn / 2; i-- > 0;)
		sift_down(s, i);
	s->last = ino;
	return 0;
}

int dir_added_runs_start(struct dir_added_runs *s, size_t memory)
{
	size_t per = memory / sizeof(*s->bufs) / s->k;

	s->bufn = per > RUN_BUF ? RUN_BUF : per < RUN_BUF_MIN ? RUN_BUF_MIN : per;
	if (s->k > SIZE_MAX / sizeof(*s->bufs) / s->bufn ||
	    !(s->bufs = malloc(s->k * s->bufn * sizeof(*s->bufs))) ||
	    !(s->heap = malloc(s->k * sizeof(*s->heap))))
		return -ENOMEM;
	for (size_t i = 0; i < s->k; i++)
		s->r[i].buf = s->bufs + i * s->bufn;
	return seek_all(s, 0);
}

size_t dir_added_runs_bytes(const struct dir_added_runs *s)
{
	return sizeof(*s) + s->kcap * sizeof(*s->r) +
	       s->k * (s->bufn * sizeof(*s->bufs) + sizeof(*s->heap));
}

/* The top run's next pair: read on from the file, or the run leaves the heap. */
static int advance(struct dir_added_runs *s)
{
	struct run *r = &s->r[s->heap[0]];
	int ret;

	if (++r->bi == r->bn && (ret = refill(s, r)))
		return ret;
	if (!r->bn)
		s->heap[0] = s->heap[--s->hn];
	sift_down(s, 0);
	return 0;
}

/* The file failed us: the next find starts every run afresh rather than trust the heap. */
static int runs_failed(struct dir_added_runs *s, int ret)
{
	s->hn = 0;
	s->last = UINT64_MAX;
	return ret;
}

int dir_added_runs_find(struct dir_added_runs *s, uint64_t ino, uint64_t *added)
{
	const struct dir_added_pair *p;
	int ret;

	/* A seek moved the reader back: every run from that number again. */
	if (ino < s->last && (ret = seek_all(s, ino)))
		return runs_failed(s, ret);
	s->last = ino;
	while (s->hn && head(s, s->heap[0]) < ino)
		if ((ret = advance(s)))
			return runs_failed(s, ret);
	if (!s->hn)
		return -APFS_ECORRUPT;
	p = &s->r[s->heap[0]].buf[s->r[s->heap[0]].bi];
	if (p->ino != ino)
		return -APFS_ECORRUPT;
	*added = p->added;
	return 0;
}

void dir_added_runs_free(struct dir_added_runs *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s->r);
	free(s->bufs);
	free(s->heap);
	free(s);
}
