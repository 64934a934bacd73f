/* SPDX-License-Identifier: MIT */
/*
 * fz_libapi.c - the public API (include/apfsinspect.h) and nothing else over
 * a hostile image: open, image/container/volume facts, volume selectors,
 * crypto users, an unlock with the generator's passwords (cheap PBKDF2
 * only: users of at most 64 iterations), the file system opened live and at
 * each snapshot, directories walked with APFSI_DIR_STAT (the private
 * directory's too, its entries looked up by name), every inode
 * stat'ed, its path made and looked up again, symbolic links read, files
 * and resource forks read (pread and read_all), xattrs listed and read;
 * each snapshot diffed against the live tree and the next snapshot, with
 * every change's paths, attributes and names looked up on both sides; the
 * seal of every volume verified; each layer's first and last bytes read.
 * Input: a sparse image (fuzz_image.c), handed to apfsi_image_open as an
 * in-memory file (memfd, opened as /proc/self/fd/N).  Bounded like
 * fuzz_walk.c: 500 entries, 32 levels, 64 KiB per file (plus its end);
 * 500 changes a diff, files compared up to 64 KiB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apfsinspect.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ENTRIES 500
#define MAX_DEPTH 32
#define MAX_READ (64u << 10)
#define MAX_XATTRS 32
#define MAX_ITERATIONS 64
#define PATH_CAP 4096

static const char *const passwords[] = {
	"wrong-password", "demo", "alice-password", "bob-password", "bootstrap-secret",
	"disk-password", "cs-password", "ten-password", "catalina-password", "modern-password",
	"damaged-password", "demo1234abcd5678efgh9012", "password",
};
#define NPASSWORDS (sizeof(passwords) / sizeof(passwords[0]))

struct walk {
	apfsi_fs *fs;
	unsigned entries;
	uint8_t buf[MAX_READ];
};

static int sink(const void *data, size_t len, void *arg)
{
	size_t *total = arg;

	(void)data;
	*total += len;
	return *total >= MAX_READ ? 1 : 0;  /* stop: the rest is fuzz_walk's sweep */
}

static void read_file(struct walk *w, apfsi_file *f)
{
	uint64_t size = apfsi_file_size(f);
	size_t got, total = 0;

	apfsi_file_pread(f, 0, w->buf, sizeof(w->buf), &got);
	if (size > 1)
		apfsi_file_pread(f, size - 1, w->buf, 16, &got);
	apfsi_file_pread(f, size, w->buf, 1, &got);
	apfsi_file_read_all(f, 1, sink, &total);
	/* what a read gives and what is not on disk never exceed the size */
	if (apfsi_file_readable(f) > size || apfsi_file_unstored(f) > size)
		abort();
}

static void data_of(struct walk *w, uint64_t ino)
{
	apfsi_file *f;

	if (apfsi_file_open(w->fs, ino, &f) == APFSI_OK) {
		read_file(w, f);
		apfsi_file_close(f);
	}
	if (apfsi_file_open_fork(w->fs, ino, "rsrc", &f) == APFSI_OK) {
		read_file(w, f);
		apfsi_file_close(f);
	}
}

struct xa {
	struct walk *w;
	uint64_t ino;
	unsigned n;
};

static int one_xattr(const char *name, uint64_t size, void *arg)
{
	struct xa *x = arg;
	size_t got;
	uint64_t whole;

	apfsi_fs_getxattr(x->w->fs, x->ino, name, 0, x->w->buf, sizeof(x->w->buf), &got, &whole);
	if (size > 1)
		apfsi_fs_getxattr(x->w->fs, x->ino, name, size - 1, x->w->buf, 1, &got, NULL);
	return ++x->n >= MAX_XATTRS;
}

static void inode(struct walk *w, uint64_t ino, enum apfsi_file_type type)
{
	struct apfsi_stat st;
	struct xa x = { w, ino, 0 };
	char path[PATH_CAP];

	apfsi_fs_stat(w->fs, ino, &st);
	if (apfsi_fs_path(w->fs, ino, path, sizeof(path)) == APFSI_OK)
		apfsi_fs_stat_path(w->fs, path, &st);
	apfsi_fs_path(w->fs, ino, path, 2);
	if (type == APFSI_TYPE_SYMLINK) {
		apfsi_fs_readlink(w->fs, ino, path, sizeof(path));
		apfsi_fs_readlink(w->fs, ino, path, 1);
	}
	if (type == APFSI_TYPE_FILE)
		data_of(w, ino);
	apfsi_fs_listxattr(w->fs, ino, APFSI_XATTR_HIDDEN, one_xattr, &x);
}

/* A cheap digest of entries as sets: a sum of FNV-1a over (number, type, name). */
struct entry_sum {
	uint64_t n, sum;
};

static void entry_add(struct entry_sum *s, const struct apfsi_dirent *e)
{
	uint64_t h = 1469598103934665603ull;
	unsigned char head[17];

	memcpy(head, &e->ino, 8);
	head[8] = (unsigned char)e->type;
	memcpy(head + 9, &e->date_added, 8);
	for (size_t i = 0; i < sizeof(head); i++)
		h = (h ^ head[i]) * 1099511628211ull;
	for (const char *c = e->name; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	s->n++;
	s->sum += h;
}

/*
 * APFSI_DIR_INODE_ORDER, where the library vouches for it, hands out the
 * very entries of the on-disk order (disk), in rising inode order, with
 * their attributes and (APFSI_DIR_ADDED) dates added; a seek to the start
 * starts again.  Returns what the open said.
 */
static int check_by_ino_order(struct walk *w, uint64_t ino, const struct entry_sum *disk)
{
	struct entry_sum byino = { 0 };
	const struct apfsi_dirent *e;
	uint64_t last = 0, first = 0;
	apfsi_dir *d;
	int ret = apfsi_dir_open(w->fs, ino,
				 APFSI_DIR_INODE_ORDER | APFSI_DIR_STAT | APFSI_DIR_ADDED, &d);

	if (ret != APFSI_OK)
		return ret;
	while (byino.n <= MAX_ENTRIES && apfsi_dir_next(d, &e) == APFSI_OK && e) {
		if ((byino.n && e->ino <= last) || (e->st && e->st->ino != e->ino))
			abort();  /* not in inode order, or another inode's attributes */
		first = byino.n ? first : e->ino;
		last = e->ino;
		entry_add(&byino, e);
	}
	if (byino.n != disk->n || byino.sum != disk->sum)
		abort();  /* vouched for, yet not the directory's entries */
	if (apfsi_dir_seek(d, 0) == APFSI_OK && apfsi_dir_next(d, &e) == APFSI_OK &&
	    (!e || e->ino != first))
		abort();
	apfsi_dir_close(d);
	return APFSI_OK;
}

/*
 * The inode order checked on directories of up to MAX_ENTRIES entries:
 * with the dates added in memory, and where there are more than 64, again
 * with 1 KiB of memory, so that they go to sorted runs of a temporary file
 * (64 pairs a run) and come back merged.  What the library vouched for with
 * the dates in memory it vouches for from runs too, unless it has no room.
 */
static void check_by_ino(struct walk *w, uint64_t ino)
{
	struct entry_sum disk = { 0 };
	const struct apfsi_dirent *e;
	char *user;  /* the memory the user set, kept for the other directories */
	apfsi_dir *d;
	int ret;

	if (apfsi_dir_open(w->fs, ino, 0, &d) != APFSI_OK)
		return;
	while (disk.n <= MAX_ENTRIES && apfsi_dir_next(d, &e) == APFSI_OK && e)
		entry_add(&disk, e);
	apfsi_dir_close(d);
	if (disk.n > MAX_ENTRIES)
		return;
	if (check_by_ino_order(w, ino, &disk) != APFSI_OK || disk.n <= 64)
		return;
	user = getenv("APFSINSPECT_DIR_ADDED_MEMORY");
	user = user ? strdup(user) : NULL;
	setenv("APFSINSPECT_DIR_ADDED_MEMORY", "1024", 1);
	ret = check_by_ino_order(w, ino, &disk);
	if (user)
		setenv("APFSINSPECT_DIR_ADDED_MEMORY", user, 1);
	else
		unsetenv("APFSINSPECT_DIR_ADDED_MEMORY");
	free(user);
	if (ret != APFSI_OK && ret != APFSI_ERR_NOMEM)
		abort();  /* the dates in runs told another story */
	if (ret == APFSI_OK && getenv("FUZZ_VERBOSE"))  /* replay.sh: a seed reaches the runs */
		fprintf(stderr, "fz_libapi: directory %llu: %llu entries, dates added in runs\n",
			(unsigned long long)ino, (unsigned long long)disk.n);
}

static void walk_dir(struct walk *w, uint64_t ino, unsigned depth)
{
	const struct apfsi_dirent *e;
	apfsi_dir *d;

	if (depth >= MAX_DEPTH || apfsi_dir_open(w->fs, ino, APFSI_DIR_STAT, &d) != APFSI_OK)
		return;
	check_by_ino(w, ino);
	while (w->entries < MAX_ENTRIES && apfsi_dir_next(d, &e) == APFSI_OK && e) {
		uint64_t child = e->ino;
		enum apfsi_file_type type = e->type;

		w->entries++;
		if (e->st && e->stat_error == APFSI_OK && e->st->ino != child)
			abort();  /* the entry's attributes are another inode's */
		inode(w, child, type);
		if (type != APFSI_TYPE_DIR)
			continue;
		/* a walk's rule for the entry (whatever it says, the fuzz walk goes on) */
		(void)apfsi_fs_dir_entered(w->fs, ino, e->name, child);
		walk_dir(w, child, depth + 1);
	}
	apfsi_dir_close(d);
}

/*
 * The private directory's entries, each looked up by its name there (the
 * rule of apfs/fs_private.c), and a directory the lookup follows walked:
 * never the root or the directory itself, and no directory through two
 * entries.
 */
static void walk_private(struct walk *w)
{
	static uint64_t dirs[MAX_ENTRIES];
	const struct apfsi_dirent *e;
	struct apfsi_dirent de;
	unsigned ndirs = 0;
	char name[1024];
	apfsi_dir *d;

	if (apfsi_dir_open(w->fs, APFSI_PRIVATE_DIR_INO, 0, &d) != APFSI_OK)
		return;
	while (w->entries < MAX_ENTRIES && apfsi_dir_next(d, &e) == APFSI_OK && e) {
		w->entries++;
		if (apfsi_fs_lookup_at(w->fs, APFSI_PRIVATE_DIR_INO, e->name, &de, name,
				       sizeof(name)) != APFSI_OK)
			continue;
		if (de.ino == APFSI_ROOT_INO || de.ino == APFSI_PRIVATE_DIR_INO)
			abort();  /* the root, or the directory itself, followed from there */
		inode(w, de.ino, de.type);
		if (de.type != APFSI_TYPE_DIR)
			continue;
		for (unsigned i = 0; i < ndirs; i++)
			if (dirs[i] == de.ino)
				abort();  /* one directory followed through two entries there */
		dirs[ndirs++] = de.ino;
		walk_dir(w, de.ino, 1);
	}
	apfsi_dir_close(d);
}

static void walk_fs(apfsi_volume *vol, const char *snapshot, unsigned flags)
{
	static struct walk w;

	w.entries = 0;
	if (apfsi_fs_open(vol, snapshot, flags, &w.fs) != APFSI_OK)
		return;
	inode(&w, APFSI_ROOT_INO, APFSI_TYPE_DIR);
	walk_dir(&w, APFSI_ROOT_INO, 0);
	walk_private(&w);
	apfsi_fs_stat_path(w.fs, "/missing/../x", NULL);
	apfsi_fs_close(w.fs);
	if (getenv("FUZZ_VERBOSE"))  /* replay.sh checks that a seed walks its tree */
		fprintf(stderr, "fz_libapi: %s: %u entries\n", snapshot ? snapshot : "live",
			w.entries);
}

struct changes {
	apfsi_fs *a, *b;
	unsigned n;
	uint64_t last;
};

static int one_name(uint64_t parent, const char *name, void *arg)
{
	unsigned *n = arg;

	(void)parent;
	if (!name)
		abort();
	return ++*n >= MAX_ENTRIES;
}

/* One side of a change: its path, attributes and names, as `diff --json` looks them up. */
static void side(apfsi_fs *fs, uint64_t ino)
{
	struct apfsi_stat st;
	char path[PATH_CAP];
	unsigned names = 0;

	apfsi_fs_path(fs, ino, path, sizeof(path));
	apfsi_fs_stat(fs, ino, &st);
	apfsi_fs_links(fs, ino, one_name, &names);
}

static int one_change(const struct apfsi_diff *d, void *arg)
{
	struct changes *c = arg;

	/* In inode order, each once; a known kind; attribute changes listed where said. */
	if ((c->n && d->ino <= c->last) || !strchr("ADM", d->change) || !d->change ||
	    (d->nxattrs && !d->xattrs))
		abort();
	for (size_t i = 0; i < d->nxattrs; i++)
		if (!d->xattrs[i].name || !d->xattrs[i].change ||
		    !strchr("+-~", d->xattrs[i].change))
			abort();
	c->last = d->ino;
	if (d->change != 'A')
		side(c->a, d->ino);
	if (d->change != 'D')
		side(c->b, d->ino);
	return ++c->n >= MAX_ENTRIES;
}

/* What changed from snapshot sel to the live tree, or to snapshot to (not NULL). */
static void diff(apfsi_volume *vol, const char *sel, const char *to)
{
	struct changes c = { 0 };

	if (apfsi_fs_open(vol, sel, APFSI_FS_NO_FIRMLINKS, &c.a) == APFSI_OK &&
	    apfsi_fs_open(vol, to, APFSI_FS_NO_FIRMLINKS, &c.b) == APFSI_OK &&
	    apfsi_fs_diff(c.a, c.b, MAX_READ, one_change, &c) == APFSI_OK &&
	    getenv("FUZZ_VERBOSE"))  /* replay.sh checks that a seed's changes are found */
		fprintf(stderr, "fz_libapi: diff %s..%s: %u changes\n", sel, to ? to : "live", c.n);
	apfsi_fs_close(c.a);
	apfsi_fs_close(c.b);
}

/*
 * The seal's check: counts that cannot say more nodes, or data hashes,
 * mismatched than were read, nor more files checked than hashes.
 */
static void seal(apfsi_volume *vol)
{
	struct apfsi_seal_check c;

	if (apfsi_volume_verify_seal(vol, &c) != APFSI_OK)
		return;
	if (c.mismatched > c.nodes || c.data_mismatched > c.data_hashes ||
	    c.data_files > c.data_hashes)
		abort();
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fz_libapi: seal: %llu nodes, %llu mismatched; %llu data hashes, "
			"%llu mismatched\n", (unsigned long long)c.nodes,
			(unsigned long long)c.mismatched, (unsigned long long)c.data_hashes,
			(unsigned long long)c.data_mismatched);
}

static void snapshots(apfsi_volume *vol)
{
	struct apfsi_snapshot_info si;
	char xid[32];
	unsigned n = 0;

	apfsi_volume_snapshot_count(vol, &n);
	for (unsigned i = 0; i < n && i < 4; i++) {
		if (apfsi_volume_snapshot(vol, i, &si) != APFSI_OK)
			continue;
		walk_fs(vol, si.name, 0);
		snprintf(xid, sizeof(xid), "0x%llx", (unsigned long long)si.xid);
		walk_fs(vol, xid, 0);
		diff(vol, xid, NULL);
		if (i + 1 < n && apfsi_volume_snapshot(vol, i + 1, &si) == APFSI_OK)
			diff(vol, xid, si.name);
	}
	apfsi_volume_snapshot(vol, n, &si);
}

/* The users, and an unlock with the known passwords for each cheap one. */
static void users(apfsi_volume *vol)
{
	struct apfsi_user_info u;
	struct apfsi_unlock_result res;
	size_t lens[NPASSWORDS];
	unsigned n = 0;

	for (size_t i = 0; i < NPASSWORDS; i++)
		lens[i] = strlen(passwords[i]);
	apfsi_volume_user_count(vol, &n);
	for (unsigned i = 0; i < n; i++) {
		struct apfsi_unlock_options o = { .threads = 1 };

		if (apfsi_volume_user(vol, i, &u) != APFSI_OK || !u.offline_unlockable ||
		    u.pbkdf2_iterations > MAX_ITERATIONS)
			continue;
		o.user_uuid = u.uuid;
		apfsi_volume_unlock(vol, APFSI_CRED_PASSWORD, passwords[0], lens[0], &o, &res);
		apfsi_volume_unlock_candidates(vol, (const char *const *)passwords, lens, NPASSWORDS,
					       &o, &res);
	}
	apfsi_volume_user(vol, n, &u);
}

static void volume(apfsi_volume *vol)
{
	struct apfsi_volume_info vi;
	uint8_t key[32];
	size_t klen;

	if (apfsi_volume_info(vol, &vi) != APFSI_OK)
		return;
	users(vol);
	apfsi_volume_key(vol, key, &klen);
	snapshots(vol);
	seal(vol);
	walk_fs(vol, NULL, 0);
	if (vi.has_group)
		walk_fs(vol, NULL, APFSI_FS_NO_FIRMLINKS);
}

/* Each layer's first and last bytes, and past its end (what verify hashes). */
static void layers(apfsi_image *img, unsigned n)
{
	static uint8_t buf[4096];
	struct apfsi_layer_info li;
	size_t got;

	for (unsigned i = 0; i <= n; i++) {
		if (apfsi_image_layer(img, i, &li) != APFSI_OK)
			continue;
		apfsi_image_layer_read(img, i, 0, buf, sizeof(buf), &got);
		if (got > sizeof(buf))
			abort();
		apfsi_image_layer_read(img, i, li.size > 10 ? li.size - 10 : 0, buf, sizeof(buf), &got);
		if (got > 10)
			abort();  /* more than the layer holds */
		apfsi_image_layer_read(img, i, li.size, buf, 1, &got);
	}
}

static void image(apfsi_image *img)
{
	static const char *const selectors[] = { NULL, "1", "Data", "System", "group", "x" };
	struct apfsi_image_info ii;
	struct apfsi_container_info ci;
	apfsi_volume *vol;

	if (apfsi_image_info(img, &ii) != APFSI_OK)
		return;
	for (unsigned i = 0; i <= ii.containers; i++)
		apfsi_container_info(img, i, &ci);
	layers(img, ii.layers);
	for (size_t i = 0; i < sizeof(selectors) / sizeof(selectors[0]); i++)
		apfsi_image_select_volume(img, selectors[i], &vol);
	for (unsigned i = 0; i < ii.volumes; i++)
		if (apfsi_image_volume(img, i, &vol) == APFSI_OK)
			volume(vol);
	apfsi_image_volume(img, ii.volumes, &vol);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fuzz_image_memfd(data, size);
	struct apfsi_open_options o = { .format = "raw" };
	char path[64];
	apfsi_image *img;

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (apfsi_image_open(path, &o, &img) == APFSI_OK) {
		image(img);
		apfsi_image_close(img);
	}
	close(fd);
	return 0;
}
