/* SPDX-License-Identifier: MIT */
/*
 * dirplus.c - READDIR and READDIRPLUS from a window of the open directory.
 * READDIRPLUS hands the kernel a directory's entries with their
 * attributes, so that `ls -l` or `find -ls` costs no LOOKUP round
 * trip a name, each a search of the directory's records and a read of the
 * inode wherever it lies.
 *
 * The attributes come from a window kept with the open directory: up to
 * DPLUS_MAX entries from the kernel's offset on, stat'd in inode order, so
 * that each fs-tree leaf of their inodes is read once a window (inode
 * numbers and name hashes are unrelated: taken in directory order, a large
 * directory's inodes spread over more leaves than the block cache holds),
 * then handed out over as many calls as the kernel's buffers need.
 * Offsets are readdir's (ll_dir.c): an entry's library cookie + 2.  An
 * entry handed out with attributes becomes a kernel inode under the
 * library's number (ino.c), which the daemon does not track.
 *
 * READDIR takes its entries from the same window, whose attributes it
 * neither needs nor reads (they are read when a READDIRPLUS first takes
 * from it: the kernel may send both to one open directory).  A directory
 * of up to DPLUS_MAX names is so read in one walk however many calls the
 * kernel makes, where each READDIR resumed the walk by its cookie before:
 * on an unhashed volume a count from the start each time, and in a damaged
 * directory a resume the library refuses (a cookie handed out after a
 * damaged leaf), an error after the names were all listed.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "afuse.h"

/* Entries a window: ~3 MB with attributes at most, for an open directory that large. */
#define DPLUS_MAX 16384u
/*
 * What every open directory's window may hold together: past it a window
 * ends early (it still takes DPLUS_MIN entries), and the kernel's next
 * call begins the next one by cookie.  Else each directory held open
 * part-read (by many processes, or a hostile local user) kept up to 3 MB.
 */
#define DPLUS_BUDGET ((size_t)8 << 20)
#define DPLUS_MIN 64u
/* collect's stop when the window is full: negative, so no library code, and no errno. */
#define DPLUS_FULL (-0x10000)

/* Bytes all windows hold (DPLUS_BUDGET). */
static _Atomic size_t held_all;

struct dplus_ent {
	uint64_t cookie, ino;
	size_t name;        /* offset in names */
	mode_t type;        /* the directory record's type, as a mode */
};

/* An entry's attributes, read for READDIRPLUS (stat_window). */
struct dplus_attr {
	int err;            /* apfsi_fs_stat's code (then st holds the entry's type only) */
	struct stat st;
};

struct dplus {
	uint64_t start;     /* the cookie e[0] follows (0: the directory's first entry) */
	struct dplus_ent *e;
	struct dplus_attr *a;  /* a[i]: e[i]'s attributes, when attrs */
	size_t n, cap, acap, next;
	char *names;
	size_t used, room;
	size_t held;        /* bytes of e, a and names counted in held_all */
	bool valid;         /* e holds the window after start */
	bool end;           /* the directory has nothing after e[n - 1] */
	bool attrs;         /* a holds its entries' attributes (stat_window) */
};

/*
 * Count more bytes for w: false (nothing counted) if that passes the budget
 * and w has its minimum.  Counted before the allocation: if that fails, the
 * window is freed with what it counted (afuse_dirplus_free).
 */
static bool budget_take(struct dplus *w, size_t more, bool force)
{
	if (!force && w->n >= DPLUS_MIN && atomic_load(&held_all) + more > DPLUS_BUDGET)
		return false;
	atomic_fetch_add(&held_all, more);
	w->held += more;
	return true;
}

/* Room for one more entry of a name of len bytes: 0, DPLUS_FULL (the budget) or -ENOMEM. */
static int grow(struct dplus *w, size_t len)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct dplus_ent *e;

		if (!budget_take(w, (cap - w->cap) * sizeof(*e), false))
			return DPLUS_FULL;
		if (!(e = realloc(w->e, cap * sizeof(*e))))
			return -ENOMEM;
		w->e = e, w->cap = cap;
	}
	if (w->used + len > w->room) {
		size_t room = (w->room ? w->room * 2 : 1024) + len;
		char *p;

		if (!budget_take(w, room - w->room, false))
			return DPLUS_FULL;
		if (!(p = realloc(w->names, room)))
			return -ENOMEM;
		w->names = p, w->room = room;
	}
	return 0;
}

/* apfsi_fs_readdir's callback: one entry into the window; DPLUS_FULL when it is full. */
static int collect(const struct apfsi_dirent *d, void *arg)
{
	struct dplus *w = arg;
	size_t len = strlen(d->name) + 1;
	struct dplus_ent *e;
	int ret;

	if (w->n == DPLUS_MAX)
		return DPLUS_FULL;
	if (d->cookie > INT64_MAX - AFUSE_DOT_ENTRIES)
		return -EIO;
	if ((ret = grow(w, len)))
		return ret;
	e = &w->e[w->n++];
	e->cookie = d->cookie, e->ino = d->ino, e->name = w->used;
	e->type = afuse_type_mode(d->type);
	memcpy(w->names + w->used, d->name, len);
	w->used += len;
	return 0;
}

static int by_ino(const void *a, const void *b)
{
	const struct dplus_ent *const *x = a, *const *y = b;

	return (*x)->ino < (*y)->ino ? -1 : (*x)->ino > (*y)->ino;
}

/* Room for the attributes of w's entries (counted even past the budget: the entries are there). */
static int attr_room(struct dplus *w)
{
	struct dplus_attr *a;

	if (w->acap >= w->n)
		return 0;
	if (!(a = realloc(w->a, w->n * sizeof(*a))))
		return ENOMEM;
	budget_take(w, (w->n - w->acap) * sizeof(*a), true);
	w->a = a, w->acap = w->n;
	return 0;
}

/* The window's attributes, read in inode order. */
static int stat_window(struct afuse *af, struct dplus *w)
{
	struct dplus_ent **o = malloc((w->n ? w->n : 1) * sizeof(*o));
	struct apfsi_stat st;
	int ret = o ? attr_room(w) : ENOMEM;

	if (ret) {
		free(o);
		return ret;
	}
	for (size_t i = 0; i < w->n; i++) {
		o[i] = &w->e[i];
		memset(&w->a[i], 0, sizeof(w->a[i]));
		w->a[i].st.st_ino = w->e[i].ino;
		w->a[i].st.st_mode = w->e[i].type;
	}
	qsort(o, w->n, sizeof(*o), by_ino);
	for (size_t i = 0; i < w->n; i++) {
		struct dplus_attr *a = &w->a[o[i] - w->e];

		a->err = apfsi_fs_stat(af->fs, o[i]->ino, &st);
		if (!a->err)
			afuse_fill_stat(af, &st, &a->st);
	}
	free(o);
	w->attrs = true;
	return 0;
}

/*
 * The window of the entries after cookie, their attributes read if attrs.
 * A read error with entries already taken hands those out; the next
 * window, from the last of them, meets the error again and reports it.
 */
static int refill(struct afuse *af, uint64_t dir, uint64_t cookie, struct dplus *w, bool attrs)
{
	int ret;

	w->start = cookie, w->n = 0, w->next = 0, w->used = 0, w->attrs = false;
	ret = apfsi_fs_readdir(af->fs, dir, cookie, collect, w);
	w->valid = true;
	w->end = ret == APFSI_OK;
	if (ret != APFSI_OK && ret != DPLUS_FULL && !w->n) {
		w->valid = false;
		return ret < 0 ? -ret : afuse_errno(ret);
	}
	return attrs ? stat_window(af, w) : 0;
}

/* Where the entry after cookie is in the window; w->n + 1: not there. */
static size_t find(const struct dplus *w, uint64_t cookie)
{
	if (cookie == w->start)
		return 0;
	if (w->next && w->next <= w->n && w->e[w->next - 1].cookie == cookie)
		return w->next;
	for (size_t i = 0; i < w->n; i++)
		if (w->e[i].cookie == cookie)
			return i + 1;
	return w->n + 1;
}

/* Entry k of w into db, with its attributes where a READDIRPLUS has them: 1 if it does not fit. */
static int add_one(const struct dplus *w, size_t k, struct afuse_dirbuf *db)
{
	const struct dplus_ent *e = &w->e[k];
	const struct dplus_attr *a = db->plus && w->attrs ? &w->a[k] : NULL;
	bool attrs = a && afuse_plus_attrs(a->err, a->st.st_mode, e->ino);

	return afuse_dirbuf_entry(db, w->names + e->name, e->cookie, e->ino, e->type,
				  attrs ? &a->st : NULL);
}

/* The entries of w from k on into db; 1 when it is full, 0 at the window's end. */
static int hand_out(struct dplus *w, size_t k, struct afuse_dirbuf *db)
{
	for (; k < w->n; k++) {
		if (afuse_bad_name(w->names + w->e[k].name))
			continue;
		if (add_one(w, k, db)) {
			w->next = k;
			return 1;
		}
	}
	w->next = w->n;
	return 0;
}

int afuse_dirplus(struct afuse *af, uint64_t dir, struct dplus **wp, uint64_t cookie,
		  struct afuse_dirbuf *db)
{
	struct dplus *w = *wp ? *wp : (*wp = calloc(1, sizeof(**wp)));
	size_t k;
	int ret;

	if (!w)
		return ENOMEM;
	k = w->valid ? find(w, cookie) : 1;
	if (k > w->n) {
		if ((ret = refill(af, dir, cookie, w, db->plus)))
			return ret;
		k = 0;
	} else if (db->plus && !w->attrs && (ret = stat_window(af, w))) {
		return ret;
	}
	/* Window after window until the kernel's buffer is full or the directory ends. */
	while (!hand_out(w, k, db) && !w->end && w->n) {
		if ((ret = refill(af, dir, w->e[w->n - 1].cookie, w, db->plus)))
			return ret;  /* reported only if db is empty (ll_dir.c) */
		k = 0;
	}
	return 0;
}

void afuse_dirplus_free(struct dplus *w)
{
	if (!w)
		return;
	atomic_fetch_sub(&held_all, w->held);
	free(w->e);
	free(w->a);
	free(w->names);
	free(w);
}
