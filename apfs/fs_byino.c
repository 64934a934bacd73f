/* SPDX-License-Identifier: MIT */
/*
 * fs_byino.c - a large directory's entries in inode-number order, read
 * from its children's inode records (fs.h: apfs_fs_byino_plan/read).
 *
 * Why: a directory's records are in name-hash order, its children's inodes
 * in number order.  A walk that reads every entry's inode with bounded
 * memory takes the names a window at a time and reads each window's
 * inodes in number order, so a directory of n names over L leaves of
 * inodes costs about n / window x L leaf reads: quadratic once it spans
 * many windows (3,000,000 names in one directory: 1.48 M block reads,
 * against 0.14 M for the same names spread over 3,000 directories).
 *
 * Every inode record holds its parent and its primary name
 * (INO_EXT_TYPE_NAME); for a file with one link they are its directory
 * entry's (apfsck, tested on real Macs, reports an inode whose only link
 * disagrees).  So the records of the children's number range, read once
 * in key order, hand out the same entries in inode order, each leaf read
 * once.  They are only used when they are shown to be the same entries:
 * the plan sums a keyed hash of (number, type, name) over the directory's
 * records and over the inodes in the range that name the directory as
 * parent, and the two sums and counts must agree.  The key is random per
 * process, so an image cannot craft entries whose sums collide.  An entry
 * that is not its inode's primary name (a hard link's second name), an
 * inode whose name, type or parent differs from its entry, keys out of
 * order, a damaged leaf in the range, or a range with far more records
 * than entries (the scan would cost more than the windows) makes the plan
 * decline (-ENOTSUP): the caller reads windows.
 *
 * The check covers one pass from the range's start; a read resumed later
 * starts with a new B-tree search, which a damaged index could send
 * elsewhere.  So keys must rise throughout (the plan declines otherwise),
 * and a resumed read must find, first, the entry it handed out last, and
 * fails as damage if it does not: it then goes on exactly as the plan did.
 *
 * Memory: none that grows with the directory.  Cost: the directory's
 * records once, then the range's records twice (the check, the read).
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>

#include "cipher/siphash.h"
#include "fs_int.h"

/* The range may hold this many records per entry before windows are cheaper. */
#define BYINO_RECORDS_PER_ENTRY 16
#define BYINO_RECORDS_SLACK 4096

static uint64_t byino_key[2];
static bool byino_keyed;
static pthread_once_t byino_once = PTHREAD_ONCE_INIT;

static void byino_key_make(void)
{
	byino_keyed = getrandom(byino_key, sizeof(byino_key), 0) == (ssize_t)sizeof(byino_key);
}

/* The keyed hash of one entry: its number, its type and its name as stored. */
static uint64_t entry_hash(uint64_t ino, unsigned type, const char *name)
{
	uint8_t m[9 + APFS_NAME_MAX];
	size_t len = strnlen(name, APFS_NAME_MAX - 1);

	st_le64(m, ino);
	m[8] = (uint8_t)type;
	memcpy(m + 9, name, len);
	return apfs_siphash24(byino_key[0], byino_key[1], m, 9 + len);
}

/* ---- the directory's side ----------------------------------------------- */

static int drec_sum(const struct apfs_dirent *d, void *ctx)
{
	struct apfs_byino *p = ctx;

	if (d->ino < p->lo)
		p->lo = d->ino;
	if (d->ino > p->hi)
		p->hi = d->ino;
	p->n++;
	p->sum += entry_hash(d->ino, d->type, d->name);
	return 0;
}

/* ---- the inodes' side --------------------------------------------------- */

struct scan {
	struct apfs_fs *fs;
	const struct apfs_byino *p;
	uint64_t records, limit;
	uint64_t n, sum;
	bool declined;            /* a child the entries cannot be read from, or too sparse */
	const char *why;          /* reading: what was wrong with the records */
	const char *name;         /* the child's primary name (name_of) */
	uint64_t prev_oid;        /* the last record's key, which the next must not sort below */
	unsigned prev_type;
	bool any;                 /* a record seen */
	/* reading: */
	bool refind;              /* the first record must be the inode of `taken` */
	bool have_taken;
	uint64_t taken;           /* the last child handed out (resume: before this call) */
	apfs_dirent_fn fn;
	void *ctx;
	bool stopped;
	struct apfs_dirent de;
};

static int name_of(uint8_t type, const uint8_t *d, size_t len, void *ctx)
{
	struct scan *s = ctx;

	if (type != APFS_INO_EXT_TYPE_NAME)
		return 0;
	if (!fs_xfield_name_ok(d, len))
		return -APFS_ECORRUPT;
	s->name = (const char *)d;
	return 1;
}

/*
 * The scan cannot go on: declined while planning (the windows will report
 * whatever is wrong), damage while reading what the plan read.
 */
static int stop(struct scan *s, const char *why)
{
	s->declined = true;
	s->why = why;
	return 1;
}

/* An inode record in the range naming the directory as parent: its name. */
static int child_name(struct scan *s, const uint8_t *v, size_t vl)
{
	const char *why;

	s->name = NULL;
	if (fs_xfields_each(v + sizeof(struct apfs_j_inode_val),
			    vl - sizeof(struct apfs_j_inode_val), name_of, s, &why) != 1)
		return stop(s, "a child's inode record without its name");
	return 0;
}

static int hand_out(struct scan *s, uint64_t ino, unsigned type)
{
	int ret;

	s->de.ino = ino;
	s->de.type = (uint16_t)type;
	s->de.date_added = 0;  /* in the directory record, which this order does not read */
	s->de.next_cookie = APFS_BYINO_COOKIE | (ino + 1);
	memcpy(s->de.name, s->name, strlen(s->name) + 1);
	ret = s->fn(&s->de, s->ctx);
	if (ret > 0) {
		s->stopped = true;
	} else if (!ret) {
		s->taken = ino;
		s->have_taken = true;
	}
	return ret;
}

/*
 * Keys must rise: a record that sorts below the one before it (a leaf out
 * of order, an index that sends a search elsewhere) would let a resumed
 * search see another sequence than the plan saw.  Inode records, one per
 * number, strictly.
 */
static bool in_order(struct scan *s, uint64_t oid, unsigned type)
{
	bool ok = !s->any || oid > s->prev_oid ||
		  (oid == s->prev_oid && (type > s->prev_type ||
					  (type == s->prev_type && type != APFS_TYPE_INODE)));

	s->any = true;
	s->prev_oid = oid;
	s->prev_type = type;
	return ok;
}

/* A resumed read starts at the inode it handed out last, which must be found there. */
static int refound(struct scan *s, uint64_t oid, unsigned type)
{
	s->refind = false;
	if (oid != s->taken || type != APFS_TYPE_INODE)
		return stop(s, "resuming at the last entry read found another record");
	s->any = true;
	s->prev_oid = oid;
	s->prev_type = type;
	return 0;
}

static int scan_visit(const void *k, size_t kl, const void *v, size_t vl, void *ctx)
{
	struct scan *s = ctx;
	uint64_t ino = fs_key_oid(k);
	unsigned ktype = fs_key_type(k), type;

	(void)kl;
	if (s->refind)
		return refound(s, ino, ktype);
	if (ino > s->p->hi)
		return 1;
	if (!in_order(s, ino, ktype))
		return stop(s, "records out of key order");
	if (++s->records > s->limit)
		return stop(s, NULL);
	if (ktype != APFS_TYPE_INODE)
		return 0;
	/* too short to say whose child it is: the windows will say what is wrong */
	if (vl < sizeof(struct apfs_j_inode_val))
		return stop(s, "an inode record shorter than j_inode_val_t");
	if (ld_le64(v) != s->p->dir)
		return 0;
	if (child_name(s, v, vl))
		return 1;
	type = ld_le16((const uint8_t *)v + offsetof(struct apfs_j_inode_val, mode)) >> 12;
	if (s->fn)
		return hand_out(s, ino, type);
	s->n++;
	s->sum += entry_hash(ino, type, s->name);
	return 0;
}

static int scan(struct apfs_fs *fs, struct scan *s, uint64_t from)
{
	uint8_t key[8];

	fs_key(key, from, APFS_TYPE_INODE);
	return apfs_btree_iterate(&fs->tree, key, sizeof(key), scan_visit, s);
}

/*
 * The range's records, summed as the directory's were.  Quietly: a damaged
 * leaf here may hold no child (another file's extents), and the windows
 * the caller falls back to report what they meet themselves.
 */
static int plan_scan(struct apfs_fs *fs, struct apfs_byino *p)
{
	struct scan *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->fs = fs;
	s->p = p;
	s->limit = p->n * BYINO_RECORDS_PER_ENTRY + BYINO_RECORDS_SLACK;
	apfs_log_mute(true);
	ret = scan(fs, s, p->lo);
	apfs_log_mute(false);
	if (ret != -ENOMEM && (ret || s->declined || s->n != p->n || s->sum != p->sum))
		ret = -ENOTSUP;
	free(s);
	return ret;
}

/* A plan of dir before its records are summed. */
static void plan_reset(struct apfs_byino *p, uint64_t dir)
{
	memset(p, 0, sizeof(*p));
	p->dir = dir;
	p->lo = UINT64_MAX;
}

/**
 * fs_vol_byino_plan - whether dir's entries can be read in inode order (fs.h)
 */
int fs_vol_byino_plan(struct apfs_fs *fs, uint64_t dir, struct apfs_byino *p)
{
	int ret;

	plan_reset(p, dir);
	if (pthread_once(&byino_once, byino_key_make) || !byino_keyed)
		return -ENOTSUP;
	/*
	 * Nodes of the directory that could not be read: declined, and the
	 * caller's windows list what can be read and name them (muted here, so
	 * named once).  Another failure is read again aloud, to be named.
	 */
	apfs_log_mute(true);
	ret = fs_vol_readdir(fs, dir, 0, drec_sum, p);
	apfs_log_mute(false);
	if (ret == -APFS_EINCOMPLETE)
		return -ENOTSUP;
	if (ret && ret != -ENOMEM) {
		plan_reset(p, dir);
		ret = fs_vol_readdir(fs, dir, 0, drec_sum, p);
	}
	if (ret)
		return ret;
	/* no inode has a number past the 60 bits of a key, nor 0 */
	if (!p->n || !p->lo || p->hi > APFS_OBJ_ID_MASK)
		return -ENOTSUP;
	return plan_scan(fs, p);
}

static int read_corrupt(struct apfs_fs *fs, const struct apfs_byino *p, const char *why)
{
	apfs_err("%s: volume '%s': directory %llu read in inode order: %s", fs->c->label,
		 fs->v->name, (unsigned long long)p->dir, why);
	return -APFS_ECORRUPT;
}

/*
 * Where a read resumes: 0, the first child; else the cookie of the child
 * handed out last (its number + 1), found again before going on.
 */
static int resume_at(const struct apfs_byino *p, uint64_t from, struct scan *s)
{
	uint64_t at = from & ~APFS_BYINO_COOKIE;

	if (!from)
		return 0;
	if (!(from & APFS_BYINO_COOKIE) || at <= p->lo || at > APFS_OBJ_ID_MASK + 1)
		return -EINVAL;
	s->refind = true;
	s->have_taken = true;
	s->taken = at - 1;
	return 0;
}

/**
 * fs_vol_byino_read - entries of a plan from *from on, in inode order (fs.h)
 */
int fs_vol_byino_read(struct apfs_fs *fs, const struct apfs_byino *p, uint64_t *from,
		      apfs_dirent_fn fn, void *ctx)
{
	struct scan *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	*s = (struct scan){ .fs = fs, .p = p, .limit = UINT64_MAX, .fn = fn, .ctx = ctx };
	ret = resume_at(p, *from, s);
	/* past the last child: the end, with nothing to find again */
	if (!ret && s->refind && s->taken >= p->hi)
		s->refind = false;
	else if (!ret)
		ret = scan(fs, s, s->refind ? s->taken : p->lo);
	/* The plan read these very records in this order: anything else is damage. */
	if (!ret && s->declined)
		ret = read_corrupt(fs, p, s->why ? s->why : "a record the plan did not see");
	if (!ret && s->refind)
		ret = read_corrupt(fs, p, "the last entry read is not found again");
	if (!ret && s->stopped) {
		if (s->have_taken)
			*from = APFS_BYINO_COOKIE | (s->taken + 1);
		ret = 1;
	} else if (!ret) {
		*from = APFS_BYINO_COOKIE | (p->hi + 1);
	}
	free(s);
	return ret;
}
