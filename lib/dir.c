/* SPDX-License-Identifier: MIT */
/*
 * dir.c - apfsi_dir: a directory's entries handed out one at a time,
 * read a batch at a time (apfs_fs_readdir_from resumes where the last batch
 * stopped at the cost of one lookup), and with APFSI_DIR_STAT each batch's
 * inodes read together in inode order (apfs_fs_stat_many), which costs far
 * less than one stat per name in name order.  With APFSI_DIR_INODE_ORDER
 * the entries come from the children's inode records in number order
 * (apfs_fs_byino_*: each leaf read once in a directory of millions), and
 * with APFSI_DIR_ADDED their dates added from the directory's records
 * (dir_added.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_int.h"

#define BATCH 256u

struct ent {
	uint64_t ino;     /* first: apfs_fs_stat_many reads the numbers with a stride */
	uint64_t added;
	uint64_t cookie;  /* APFSI_DIR_INODE_ORDER: where apfsi_dir_seek resumes after it */
	uint16_t type;
	size_t name;      /* offset in names */
};

struct apfsi_dir {
	struct apfsi_fs *fs;
	uint64_t ino;
	unsigned flags;
	struct apfs_dir_pos pos;
	struct apfs_byino plan;     /* APFSI_DIR_INODE_ORDER */
	struct dir_added added;     /* and APFSI_DIR_ADDED */
	uint64_t from;              /* its position after this batch (apfs_fs_byino_read) */
	uint64_t batch_from;        /* and before it */
	bool end;                   /* the directory has no entries past this batch */
	bool incomplete;            /* ... and nodes that may hold others could not be read */
	bool added_unread;          /* this batch failed reading the dates' temporary file */
	struct ent ents[BATCH];
	unsigned n, next;
	char *names;                /* the batch's names, NUL-terminated, one after another */
	size_t nlen, ncap;
	struct apfs_stat raw[BATCH];
	int err[BATCH];
	struct apfsi_stat st;
	struct apfsi_dirent out;
};

/* Keep one entry; stop (1: handed out again next time) when the batch is full. */
static int take(const struct apfs_dirent *d, void *ctx)
{
	struct apfsi_dir *dir = ctx;
	size_t len = strlen(d->name) + 1;
	struct ent *e;
	uint64_t added = d->date_added;
	int ret;

	if (dir->n == BATCH)
		return 1;
	if (dir_added_built(&dir->added) && (ret = dir_added_find(&dir->added, d->ino, &added))) {
		/* A number no record names is damage; any other error is the file's. */
		dir->added_unread = ret != -APFS_ECORRUPT;
		return ret;
	}
	if (dir->nlen + len > dir->ncap) {
		size_t cap = dir->ncap * 2 + len;
		char *p = realloc(dir->names, cap);

		if (!p)
			return -ENOMEM;
		dir->names = p, dir->ncap = cap;
	}
	e = &dir->ents[dir->n++];
	e->ino = d->ino, e->added = added, e->type = d->type, e->name = dir->nlen;
	e->cookie = d->next_cookie;
	memcpy(dir->names + dir->nlen, d->name, len);
	dir->nlen += len;
	return 0;
}

/*
 * A failed batch hands nothing out (its entries have no stats: raw[] still
 * holds the last batch's) and leaves pos where it was: asking again reads
 * the same entries again, and fails again on a damaged directory.
 */
static int fill_failed(struct apfsi_dir *dir, const struct apfs_dir_pos *from,
		       uint64_t ino_from, int code)
{
	dir->n = dir->next = 0;
	dir->end = false;
	dir->pos = *from;
	dir->from = ino_from;
	return code;
}

/* The next batch's entries: 0 at the directory's end, 1 when the batch filled. */
static int fill_batch(struct apfsi_dir *dir)
{
	if (dir->flags & APFSI_DIR_INODE_ORDER)
		return apfs_fs_byino_read(dir->fs->fs, &dir->plan, &dir->from, take, dir);
	return apfs_fs_readdir_from(dir->fs->fs, dir->ino, &dir->pos, take, dir);
}

/* Why the batch failed: the image, or (not its fault) the dates' temporary file. */
static int batch_failed(const struct apfsi_dir *dir, int ret)
{
	if (dir->added_unread)
		return apfsi_fail(apfsi_code(ret), "directory %llu: dates added: reading them "
				  "back from a temporary file in $TMPDIR: %s",
				  (unsigned long long)dir->ino, apfsi_strerror(apfsi_code(ret)));
	return apfsi_fail(apfsi_code(ret), "directory %llu: %s", (unsigned long long)dir->ino,
			  apfsi_strerror(apfsi_code(ret)));
}

static int fill(struct apfsi_dir *dir)
{
	struct apfs_dir_pos from = dir->pos;
	uint64_t ino_from = dir->from;
	int ret;

	dir->n = dir->next = 0;
	dir->nlen = 0;
	dir->batch_from = dir->from;
	dir->added_unread = false;
	ret = fill_batch(dir);
	/* The end, every entry that could be read taken: handed out, then the failure. */
	dir->incomplete = ret == -APFS_EINCOMPLETE;
	if (ret < 0 && !dir->incomplete)
		return fill_failed(dir, &from, ino_from, batch_failed(dir, ret));
	/* Not stopped by a full batch: the walk reached the directory's end. */
	dir->end = dir->n < BATCH || dir->incomplete;
	if ((dir->flags & APFSI_DIR_STAT) && dir->n) {
		ret = apfs_fs_stat_many(dir->fs->fs, dir->n, &dir->ents[0].ino, sizeof(struct ent),
					dir->raw, dir->err);
		if (ret)
			return fill_failed(dir, &from, ino_from,
					   apfsi_fail_errno(ret, "stat of a directory's entries"));
	}
	return APFSI_OK;
}

/* APFSI_DIR_INODE_ORDER: whether the entries can be read so (else UNSUPPORTED). */
static int plan(struct apfsi_dir *dir)
{
	int ret = apfsi_dir_plan(dir->fs, dir->ino, &dir->plan);

	if (ret == -ENOTSUP)
		return apfsi_fail(APFSI_ERR_UNSUPPORTED, "directory %llu: its entries are not "
				  "all their inodes' only names, or lie among far more records: "
				  "read it in on-disk order", (unsigned long long)dir->ino);
	if (ret)
		return apfsi_fail(apfsi_code(ret), "directory %llu: %s",
				  (unsigned long long)dir->ino, apfsi_strerror(apfsi_code(ret)));
	if ((dir->flags & APFSI_DIR_ADDED) &&
	    (ret = dir_added_build(dir->fs, dir->ino, dir->plan.n, &dir->added)))
		return apfsi_fail(apfsi_code(ret), "directory %llu: dates added: %s",
				  (unsigned long long)dir->ino, ret == -ENOMEM ?
				  "no room for them (memory, or a temporary file in $TMPDIR)" :
				  apfsi_strerror(apfsi_code(ret)));
	return APFSI_OK;
}

int apfsi_dir_open(apfsi_fs *fs, uint64_t ino, unsigned flags, apfsi_dir **out)
{
	struct apfsi_dir *dir;
	struct apfs_stat st;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_dir_open")))
		return ret;
	if (!out || (flags & ~(unsigned)(APFSI_DIR_STAT | APFSI_DIR_INODE_ORDER | APFSI_DIR_ADDED)))
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_dir_open: out required, flags 0x%x",
				  flags);
	*out = NULL;
	if ((ret = apfs_fs_stat(fs->fs, ino, &st)))
		return apfsi_fail(apfsi_code(ret), "inode %llu: %s", (unsigned long long)ino,
				  apfsi_strerror(apfsi_code(ret)));
	if (!S_ISDIR(st.mode))
		return apfsi_fail(APFSI_ERR_NOT_DIR, "inode %llu is not a directory",
				  (unsigned long long)ino);
	if (!(dir = calloc(1, sizeof(*dir))))
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory");
	dir->fs = fs, dir->ino = ino, dir->flags = flags;
	/* The first batch now: a locked or damaged directory fails here, not on the first next. */
	if (((flags & APFSI_DIR_INODE_ORDER) && (ret = plan(dir))) || (ret = fill(dir))) {
		apfsi_dir_close(dir);
		return ret;
	}
	*out = dir;
	return APFSI_OK;
}

static void hand_out(struct apfsi_dir *dir, const struct ent *e, unsigned i)
{
	memset(&dir->out, 0, sizeof(dir->out));
	dir->out.ino = e->ino;
	dir->out.type = apfsi_type_of_dt(e->type);
	dir->out.date_added = (int64_t)e->added;
	dir->out.name = dir->names + e->name;
	if (dir->flags & APFSI_DIR_INODE_ORDER)
		dir->out.cookie = e->cookie;
	if (!(dir->flags & APFSI_DIR_STAT))
		return;
	dir->out.stat_error = apfsi_code(dir->err[i]);
	if (dir->err[i])
		return;
	dir->raw[i].added = e->added;  /* it lives in the directory record */
	apfsi_stat_from(&dir->raw[i], &dir->st);
	dir->out.st = &dir->st;
}

/* Past the last entry: OK, or that entries may be missing (why: named as met). */
static int dir_end(const struct apfsi_dir *dir)
{
	if (!dir->incomplete)
		return APFSI_OK;
	return apfsi_fail(APFSI_ERR_INCOMPLETE, "directory %llu: entries may be missing (why: "
			  "named as met)", (unsigned long long)dir->ino);
}

int apfsi_dir_next(apfsi_dir *dir, const struct apfsi_dirent **out)
{
	int ret;

	apfsi_enter();
	if (!dir || !out)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_dir_next: dir and out are required");
	*out = NULL;
	if (dir->next == dir->n) {
		if (dir->end)
			return dir_end(dir);
		if ((ret = fill(dir)))
			return ret;
		if (!dir->n)
			return dir_end(dir);
	}
	hand_out(dir, &dir->ents[dir->next], dir->next);
	dir->next++;
	*out = &dir->out;
	return APFSI_OK;
}

/*
 * Within the batch in hand a seek only moves the index: a FUSE readdir
 * whose buffer filled resumes a few entries back, in the same batch.
 */
int apfsi_dir_seek(apfsi_dir *dir, uint64_t cookie)
{
	apfsi_enter();
	if (!dir || !(dir->flags & APFSI_DIR_INODE_ORDER) ||
	    (cookie && !(cookie & APFS_BYINO_COOKIE)))
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_dir_seek: an iterator opened with "
				  "APFSI_DIR_INODE_ORDER and one of its cookies (or 0)");
	if (cookie == dir->batch_from) {
		dir->next = 0;
		return APFSI_OK;
	}
	for (unsigned i = 0; i < dir->n; i++)
		if (dir->ents[i].cookie == cookie) {
			dir->next = i + 1;
			return APFSI_OK;
		}
	dir->from = dir->batch_from = cookie;
	dir->n = dir->next = 0;
	dir->end = false;
	return APFSI_OK;
}

void apfsi_dir_close(apfsi_dir *dir)
{
	if (!dir)
		return;
	dir_added_free(&dir->added);
	free(dir->names);
	free(dir);
}
