/* SPDX-License-Identifier: MIT */
/*
 * fs_dir.c - directory records: readdir with resumable cookies, a name's
 * lookup honouring the volume's case and normalization rules, an inode's
 * names and path.  A path's walk, and the rule each of its steps obeys, is
 * fs_path.c's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_int.h"

/* The entries of one hash a readdir cookie can count (its low 20 bits). */
#define COOKIE_SEQ_MAX 0xfffffu
/*
 * In a hashed cookie (hash << 20 | seq) handed out once the walk has met
 * a record of the directory in a damaged leaf (out of order, out of its
 * range, or that range not known: apfs_btree_iterate_ord): a resume by
 * that hash could land in a later node, sound by its order, past a record
 * the walk listed there after it but sorting below it (a name that stood
 * before, past its node's range, or one of the same hash).  Refused.
 */
#define COOKIE_UNSOUND (UINT64_C(1) << 42)
/*
 * In a cookie handed out once the walk has passed a node of the
 * directory's that could not be read (apfs_btree_iterate_past): the
 * listing's end, reached by a later call, says that entries may be missing.
 */
#define COOKIE_LOST (UINT64_C(1) << 43)

static int drec_corrupt(struct apfs_fs *fs, uint64_t dir, const char *why)
{
	apfs_err("%s: volume '%s': directory %llu: %s", fs->c->label, fs->v->name,
		 (unsigned long long)dir, why);
	return -APFS_ECORRUPT;
}

int fs_drec_parse(struct apfs_fs *fs, const uint8_t *k, size_t kl, const uint8_t *v,
		   size_t vl, struct drec *d)
{
	size_t hdr = fs->hashed ? 12 : 10, nl;

	if (kl < hdr || vl < sizeof(struct apfs_j_drec_val))
		return drec_corrupt(fs, fs_key_oid(k), "directory record too short");
	nl = fs->hashed ? (ld_le32(k + 8) & APFS_J_DREC_LEN_MASK) : ld_le16(k + 8);
	if (nl == 0 || nl != kl - hdr || k[kl - 1] != '\0')
		return drec_corrupt(fs, fs_key_oid(k), "name length disagrees with the key");
	/* Unhashed keys give the length 16 bits: names are copied into APFS_NAME_MAX. */
	if (nl > APFS_NAME_MAX)
		return drec_corrupt(fs, fs_key_oid(k), "name longer than APFS allows");
	d->hash = fs->hashed ? ld_le32(k + 8) >> APFS_J_DREC_HASH_SHIFT : 0;
	d->name = (const char *)k + hdr;
	d->name_len = strnlen(d->name, nl);
	d->ino = ld_le64(v);
	d->added = ld_le64(v + 8);
	d->type = ld_le16(v + 16) & APFS_DREC_TYPE_MASK;
	return 0;
}

static void fill_dirent(struct apfs_dirent *o, const struct drec *d)
{
	o->ino = d->ino;
	o->date_added = d->added;
	o->type = d->type;
	o->next_cookie = 0;
	memcpy(o->name, d->name, d->name_len + 1);
}

/* ---- readdir ------------------------------------------------------------ */

int fs_resume_unsound(struct apfs_fs *fs, uint64_t dir)
{
	return drec_corrupt(fs, dir, "records out of key order, or outside the range their "
			    "parent node gives them, where a readdir resumes (it would repeat or "
			    "miss entries)");
}

struct rd_ctx {
	struct apfs_fs *fs;
	uint64_t dir;
	uint64_t skip;        /* entries still to pass over (resume) */
	uint32_t cur_hash;
	uint64_t seq;         /* hashed: index within the hash; plain: ordinal */
	uint64_t given;       /* the directory's records met, skipped ones too */
	bool past;            /* a record past the directory's was met (its end) */
	bool unordered;       /* the leaf walked now is damaged (apfs_btree_iterate_ord) */
	bool damaged;         /* a record of the directory came from such a leaf */
	bool keyed;           /* resumed at a key inside the directory (hash, or kept place) */
	bool begun;           /* a record has been visited */
	bool stopped;         /* fn stopped the walk (the directory goes on) */
	bool lost_before;     /* resumed past a node of it that could not be read */
	bool lost_given;      /* the cookie last given out (or resumed from) says so */
	struct apfs_btree_lost lost;  /* nodes of it this walk could not read */
	apfs_dirent_fn fn;
	void *ctx;
	struct apfs_dirent de;
};

static int rd_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct rd_ctx *r = arg;
	struct drec d;
	int ret;

	/* Its first record comes from a damaged leaf (apfs_btree_iterate_ord): refused. */
	if (!r->begun && r->keyed && r->unordered)
		return fs_resume_unsound(r->fs, r->dir);
	r->begun = true;
	if (!fs_key_drec_of(k, r->dir)) {
		r->past = true;
		return 1;
	}
	/* a neighbour's damaged leaf the walk only passed through is none of the directory's */
	r->damaged |= r->unordered;
	ret = fs_drec_parse(r->fs, k, kl, v, vl, &d);
	if (ret)
		return ret;
	if (r->fs->hashed && d.hash != r->cur_hash) {
		r->cur_hash = d.hash;
		r->seq = 0;
	}
	/*
	 * A cookie holds the index within a hash in 20 bits: past that a resume
	 * would start at the next hash and lose the rest of this one.  Real
	 * names share a 22-bit hash a few at a time; a million is a forgery.
	 */
	if (r->fs->hashed && r->seq == COOKIE_SEQ_MAX)
		return drec_corrupt(r->fs, r->dir, "over a million names share one hash");
	r->seq++;
	r->given++;
	if (r->skip) {
		r->skip--;
		return 0;
	}
	fill_dirent(&r->de, &d);
	r->de.next_cookie = !r->fs->hashed ? r->seq :
			    (uint64_t)d.hash << 20 | r->seq | (r->damaged ? COOKIE_UNSOUND : 0);
	if (r->lost_before || r->lost.leaves)
		r->de.next_cookie |= COOKIE_LOST;
	ret = r->fn(&r->de, r->ctx);
	r->stopped = ret != 0;
	/*
	 * Stopped at this entry: the next walk resumes here, by the cookie
	 * before it.  Not after a damaged leaf: a resume by key there, or past
	 * a record of it, is not trusted (its order is only the walk's
	 * sorting), by counting its entries from the start it is.  Nor past
	 * a node it could not read where the cookie before this entry does not
	 * say so: it stood before that node, whose loss a resume by key would
	 * not meet again.  One that says so carries the loss on (COOKIE_LOST).
	 */
	if (ret && !r->fs->hashed && !r->damaged && (!r->lost.leaves || r->lost_given))
		fs_resume_put(r->fs->resume, r->dir, r->seq - 1, k, kl);
	r->lost_given = (r->de.next_cookie & COOKIE_LOST) != 0;
	return ret;
}

void fs_dir_lost_init(struct apfs_btree_lost *lost, uint8_t end[8], uint64_t dir)
{
	fs_key(end, dir, APFS_TYPE_DIR_REC + 1);  /* the first key past the directory's */
	*lost = (struct apfs_btree_lost){ .end = end, .endlen = 8 };
}

/*
 * A listing of dir that went on past nodes of its records it could not
 * read (lost: this walk's; or before: an earlier call's, by its cookie)
 * and reached the directory's end: every entry it could read was given.
 * Said by the walk that passed them (a resumed one's end only returns the
 * code: a paged listing would say it again at each look at its end).
 */
static int dir_incomplete(struct apfs_fs *fs, uint64_t dir, const struct apfs_btree_lost *lost)
{
	char at[40] = "its block not known";  /* the object map did not give it */

	if (lost->first)
		snprintf(at, sizeof(at), "block %llu", (unsigned long long)lost->first);
	if (lost->leaves)
		apfs_err("%s: volume '%s': directory %llu: %llu node%s that may hold its records "
			 "could not be read (the first: %s, named above): entries may be missing",
			 fs->c->label, fs->v->name, (unsigned long long)dir,
			 (unsigned long long)lost->leaves, lost->leaves == 1 ? "" : "s", at);
	return -APFS_EINCOMPLETE;
}

int fs_dir_walked(struct apfs_fs *fs, uint64_t dir, int ret, bool stopped,
		  const struct apfs_btree_lost *lost, bool lost_before, uint64_t given)
{
	/* the walk's end (0 also where fn stopped it: then the directory goes on) */
	if (ret || stopped)
		return ret;
	if (lost->leaves || lost_before)
		return dir_incomplete(fs, dir, lost);
	if (dir == APFS_ROOT_DIR_INO_NUM && (ret = fs_root_listed(fs)))
		return ret;
	return given == FS_GIVEN_UNKNOWN ? 0 : fs_valence_listed(fs, dir, given);
}

bool fs_dir_spread(const struct apfs_btree_lost *lost, bool past)
{
	return lost->walked > 1 || !past;
}

struct count_ctx {
	uint64_t dir, n;
	bool past;  /* a record past dir's was met */
};

static int count_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct count_ctx *c = arg;

	(void)kl, (void)v, (void)vl;
	if (!fs_key_drec_of(k, c->dir)) {
		c->past = true;
		return 1;
	}
	c->n++;
	return 0;
}

/*
 * The records of dir, counted by a walk of them all (messages muted: the
 * listing that asks has met and named what there is to name), or
 * FS_GIVEN_UNKNOWN where that walk did not read them all; *spread (may be
 * NULL): whether they may have lost some to another node (fs_dir_spread).
 */
static uint64_t dir_count(struct apfs_fs *fs, uint64_t dir, bool *spread)
{
	struct count_ctx c = { dir, 0, false };
	struct apfs_btree_lost lost;
	uint8_t key[8], end[8];
	bool unordered;
	int ret;

	fs_key(key, dir, APFS_TYPE_DIR_REC);
	fs_dir_lost_init(&lost, end, dir);
	apfs_log_mute(true);
	ret = apfs_btree_iterate_past(&fs->tree, key, sizeof(key), count_visit, &c, &unordered,
				      &lost);
	apfs_log_mute(false);
	if (spread)
		*spread = fs_dir_spread(&lost, c.past);
	return ret || lost.leaves ? FS_GIVEN_UNKNOWN : c.n;
}

/*
 * What fs_dir_walked holds a listing of r->dir to at the walk's end (ret):
 * the directory's entries from its start.  A walk from the start counted
 * them, where they spread beyond one leaf (fs_dir_spread); one resumed on a
 * volume without name hashes has its ordinal from the start (r->seq); one
 * resumed on a hashed volume, whose cookie is a hash and a place within
 * it, counts them again (found in review: the mount and `ls -U` past one
 * window ended with no word of 77 names lost).  Not where the walk did
 * not reach the end, or said already that entries may be missing.
 */
static uint64_t rd_given(const struct rd_ctx *r, uint64_t cookie, int ret)
{
	if (ret || r->stopped || r->lost.leaves || r->lost_before)
		return FS_GIVEN_UNKNOWN;
	if (!cookie)
		return fs_dir_spread(&r->lost, r->past) ? r->given : FS_GIVEN_UNKNOWN;
	return r->fs->hashed ? dir_count(r->fs, r->dir, NULL) : r->seq;
}

/**
 * fs_vol_readdir - stream a directory's entries (see fs.h)
 */
int fs_vol_readdir(struct apfs_fs *fs, uint64_t dir, uint64_t cookie, apfs_dirent_fn fn,
		    void *ctx)
{
	struct rd_ctx *r;
	uint8_t key[FS_DREC_KEY_MAX], end[8];
	size_t klen = 8;
	int ret;

	/* a position of the inode order (fs_byino.c) is none of this order's */
	if (cookie & APFS_BYINO_COOKIE)
		return -EINVAL;
	if ((ret = fs_key_checked(fs, key, dir, APFS_TYPE_DIR_REC)))
		return ret;
	if (fs->hashed && (cookie & COOKIE_UNSOUND))
		return fs_resume_unsound(fs, dir);
	if (!(r = malloc(sizeof(*r))))
		return -ENOMEM;
	*r = (struct rd_ctx){ .fs = fs, .dir = dir, .fn = fn, .ctx = ctx,
			      .lost_before = (cookie & COOKIE_LOST) != 0,
			      .lost_given = (cookie & COOKIE_LOST) != 0 };
	cookie &= ~COOKIE_LOST;
	fs_dir_lost_init(&r->lost, end, dir);
	if (cookie && fs->hashed) {
		/* Resume at the first name of that hash, past those already seen. */
		r->cur_hash = (uint32_t)(cookie >> 20) & 0x3fffff;
		r->skip = cookie & 0xfffff;
		st_le32(key + 8, r->cur_hash << APFS_J_DREC_HASH_SHIFT);
		klen = 12;
		r->keyed = true;
	} else if (cookie && fs_resume_get(fs->resume, dir, cookie, key, &klen)) {
		/* Where a walk stopped, at the entry numbered cookie: one lookup. */
		r->seq = cookie;
		r->keyed = true;
	} else if (cookie) {
		r->skip = cookie;
	}
	ret = apfs_btree_iterate_past(&fs->tree, key, klen, rd_visit, r, &r->unordered, &r->lost);
	ret = fs_dir_walked(fs, dir, ret, r->stopped, &r->lost, r->lost_before,
			    rd_given(r, cookie, ret));
	free(r);
	return ret;
}

/* ---- lookup ------------------------------------------------------------- */

struct lk_ctx {
	struct apfs_fs *fs;
	uint64_t dir;
	uint32_t hash;
	const char *name;     /* as given (plain volumes) */
	const char *folded;   /* comparison form (hashed volumes) */
	struct apfs_dirent *out;
	bool found;
};

static int lk_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct lk_ctx *l = arg;
	struct drec d;
	char *f = NULL;
	int ret;

	if (!fs_key_drec_of(k, l->dir))
		return 1;
	ret = fs_drec_parse(l->fs, k, kl, v, vl, &d);
	if (ret)
		return ret;
	if (!l->fs->hashed) {
		if (strcmp(d.name, l->name))
			return 1;
		fill_dirent(l->out, &d);
		l->found = true;
		return 1;
	}
	if (d.hash != l->hash)
		return 1;
	ret = apfs_name_fold(d.name, d.name_len, l->fs->ci, &f);
	if (ret == -ENOMEM)
		return ret;  /* declined, it could count toward "none" (apfs_btree_find_one) */
	if (ret)
		return 0; /* a name that is not UTF-8 cannot equal a valid one */
	if (!strcmp(f, l->folded)) {
		fill_dirent(l->out, &d);
		l->found = true;
		ret = 1;
	}
	free(f);
	return ret;
}

/* The directories a lookup's miss found short (fs->short_dirs), in every open volume. */
static pthread_mutex_t short_lock = PTHREAD_MUTEX_INITIALIZER;

static bool short_found(struct apfs_fs *fs, uint64_t dir, struct fs_short_dir *out)
{
	const struct fs_short_dir *m = &fs->short_dirs[dir % FS_SHORT_DIRS];
	bool hit;

	pthread_mutex_lock(&short_lock);
	hit = dir && m->dir == dir;
	if (hit)
		*out = *m;
	pthread_mutex_unlock(&short_lock);
	return hit;
}

static void short_keep(struct apfs_fs *fs, const struct fs_short_dir *d)
{
	pthread_mutex_lock(&short_lock);
	fs->short_dirs[d->dir % FS_SHORT_DIRS] = *d;
	pthread_mutex_unlock(&short_lock);
}

/* What a walk of a directory's records found, against its inode's count. */
enum { DIR_WHOLE, DIR_SHORT, DIR_UNKNOWN };

/*
 * Whether dir's records are fewer than its inode counts (DIR_SHORT, *d
 * their counts), not (DIR_WHOLE), or not known: a walk that could not read
 * them all (a leaf damaged, or an error such as no memory: found in review,
 * it was remembered as whole for good), not remembered; or an error.
 */
static int dir_short(struct apfs_fs *fs, uint64_t dir, struct fs_short_dir *d)
{
	bool spread = true;
	int ret;

	if (short_found(fs, dir, d))
		return DIR_SHORT;
	d->dir = dir;
	ret = fs_dir_counted(fs, dir, &d->counted);
	if (ret)
		return ret;
	if (d->counted <= 0)
		return DIR_WHOLE;  /* a count that says nothing (fs_valence_listed) */
	d->given = dir_count(fs, dir, &spread);
	if (d->given == FS_GIVEN_UNKNOWN)
		return DIR_UNKNOWN;
	if (d->given >= (uint64_t)d->counted || !spread)
		return DIR_WHOLE;
	short_keep(fs, d);
	return DIR_SHORT;
}

/*
 * A lookup that finds no entry of a name in dir is sure only where dir's
 * records are all in the tree.  A child of an index node dropped, the
 * records after it moved down over its record, leaves every node in order
 * and in range, and the search lands where the name would be with no word
 * of it (found in review: `stat` of a name whose record was in the lost
 * child said "No such file or directory").  Its inode's count is the one
 * witness (fs_valence_listed): where dir's records are fewer, the name may
 * be among those lost.  Held to it as a whole listing is: only where the
 * records may have spread beyond one leaf (fs_dir_spread; found in review:
 * a single-leaf directory whose count was one too high listed with exit 0,
 * and a lookup in it failed).  That costs a walk of dir's records, once
 * per directory found whole; where the walk cannot read them all (a leaf
 * damaged, named where listed) the miss stands, as the search did not
 * pass that leaf, and is not remembered.  A directory found short is remembered with its two
 * counts, so that each later miss there costs no walk: through the mount
 * the answer is EIO, which the kernel does not cache (found in review: 90
 * ms a miss in a directory of 1,000,000 entries).
 */
static int lookup_missed(struct apfs_fs *fs, uint64_t dir)
{
	_Atomic uint64_t *memo = &fs->whole_dirs[dir % FS_WHOLE_DIRS];
	struct fs_short_dir d;
	int ret;

	if (atomic_load(memo) == dir)
		return -ENOENT;
	ret = dir_short(fs, dir, &d);
	if (ret == DIR_WHOLE)
		atomic_store(memo, dir);
	if (ret == DIR_WHOLE || ret == DIR_UNKNOWN)
		return -ENOENT;
	if (ret < 0)
		return ret;
	apfs_err("%s: volume '%s': directory %llu holds no entry of that name, but its inode "
		 "counts %d entries and its records give %llu: the name may be among those "
		 "missing (or the count is wrong)", fs->c->label, fs->v->name,
		 (unsigned long long)dir, d.counted, (unsigned long long)d.given);
	return -APFS_EINCOMPLETE;
}

/*
 * One name in a directory by a search of the tree alone: -ENOENT where the
 * search finds none, not held to the directory's count (fs_vol_lookup_name
 * does that).  For a question a lost record cannot make wrong
 * (fs_private.c: whether an entry names a directory, which one lost could
 * not lead into either).
 */
int fs_vol_find_name(struct apfs_fs *fs, uint64_t dir, const char *name, struct apfs_dirent *out)
{
	struct lk_ctx l = { .fs = fs, .dir = dir, .name = name, .out = out };
	size_t nl = strlen(name);
	uint8_t *key;
	char *folded = NULL;
	size_t klen;
	int ret;

	if (nl == 0 || nl >= APFS_NAME_MAX)
		return nl ? -ENAMETOOLONG : -ENOENT;
	key = malloc(12 + nl + 1);
	if (!key)
		return -ENOMEM;
	if ((ret = fs_key_checked(fs, key, dir, APFS_TYPE_DIR_REC))) {
		free(key);
		return ret;
	}
	if (fs->hashed) {
		ret = apfs_name_hash(name, nl, fs->ci, &l.hash);
		if (!ret)
			ret = apfs_name_fold(name, nl, fs->ci, &folded);
		st_le32(key + 8, l.hash << APFS_J_DREC_HASH_SHIFT);
		klen = 12;
	} else {
		st_le16(key + 8, (uint16_t)(nl + 1));
		memcpy(key + 10, name, nl + 1);
		klen = 10 + nl + 1;
	}
	l.folded = folded;
	if (!ret)
		ret = apfs_btree_find_one(&fs->tree, key, klen, fs->hashed, lk_visit, &l);
	free(key);
	free(folded);
	if (ret == -EILSEQ)
		ret = -ENOENT;
	else if (!ret && !l.found)
		ret = -ENOENT;
	return ret;
}

/**
 * fs_vol_lookup_name - one name in a directory (see fs.h)
 */
int fs_vol_lookup_name(struct apfs_fs *fs, uint64_t dir, const char *name,
			struct apfs_dirent *out)
{
	int ret = fs_vol_find_name(fs, dir, name, out);

	/* none in a root whose inode record is lost: the node lost may have held it (review) */
	if (ret == -ENOENT && dir == APFS_ROOT_DIR_INO_NUM && fs_root_listed(fs) == -APFS_EINCOMPLETE)
		ret = -APFS_ECORRUPT;
	return ret == -ENOENT ? lookup_missed(fs, dir) : ret;
}

/* ---- names of an inode -------------------------------------------------- */

struct ln_ctx {
	struct apfs_fs *fs;
	uint64_t ino;
	apfs_link_fn fn;
	void *ctx;
	unsigned n;
};

static int ln_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct ln_ctx *l = arg;
	char name[APFS_NAME_MAX];
	uint16_t nl;

	(void)kl;
	if (fs_key_oid(k) != l->ino || fs_key_type(k) != APFS_TYPE_SIBLING_LINK)
		return 1;
	if (vl < 10)
		return drec_corrupt(l->fs, l->ino, "sibling link too short");
	nl = ld_le16((const uint8_t *)v + 8);
	if (nl == 0 || nl > vl - 10 || nl > sizeof(name))
		return drec_corrupt(l->fs, l->ino, "sibling link name outside its record");
	memcpy(name, (const uint8_t *)v + 10, nl);
	name[nl - 1] = '\0';
	l->n++;
	return l->fn(ld_le64(v), name, l->ctx);
}

/**
 * fs_vol_links - every name of an inode (see fs.h)
 */
int fs_vol_links(struct apfs_fs *fs, uint64_t ino, apfs_link_fn fn, void *ctx)
{
	struct ln_ctx l = { fs, ino, fn, ctx, 0 };
	struct fs_inode in;
	uint8_t key[8];
	int ret;

	if ((ret = fs_key_checked(fs, key, ino, APFS_TYPE_SIBLING_LINK)))
		return ret;
	/* every sibling link of ino's, wherever a leaf out of order holds it */
	ret = apfs_btree_find(&fs->tree, key, sizeof(key), true, ln_visit, &l);
	if (ret || l.n)
		return ret < 0 ? ret : 0;
	ret = fs_inode_get(fs, ino, &in);
	if (ret)
		return ret;
	ret = fn(get_le64(in.raw.parent_id), in.name, ctx);
	return ret < 0 ? ret : 0;
}

/*
 * A path built from its last name up, at the end of buf: name and its '/'
 * put before buf[*pos].
 */
int fs_path_prepend(char *buf, size_t *pos, const char *name)
{
	size_t nl = strlen(name);

	if (nl + 1 > *pos)
		return -ENAMETOOLONG;
	*pos -= nl;
	memcpy(buf + *pos, name, nl);
	buf[--*pos] = '/';
	return 0;
}

/* The path built at buf + pos (to cap) moved to buf's start; "/" if empty. */
void fs_path_finish(char *buf, size_t pos, size_t cap)
{
	if (pos == cap - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, cap - pos);
}

/*
 * Whether directory dir has an entry name naming ino: 1, 0, or an error.
 * By the tree's search alone (fs_vol_find_name): an entry lost can lead
 * nowhere, so a question of which entry is a directory's own is not made
 * wrong by one.  found (if not NULL) gets the entry met, whose stored name
 * may differ from name in case or normalisation, as the volume's search
 * takes names.
 */
int fs_entry_names(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino,
		   struct apfs_dirent *found)
{
	struct apfs_dirent *e = found ? found : malloc(sizeof(*e));
	int ret;

	if (!e)
		return -ENOMEM;
	ret = fs_vol_find_name(fs, dir, name, e);
	ret = ret == -ENOENT ? 0 : ret ? ret : e->ino == ino;
	if (!found)
		free(e);
	return ret;
}

/**
 * fs_vol_path - a path of an inode from the root (see fs.h)
 */
int fs_vol_path(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	size_t pos = cap;
	struct fs_inode in;
	int ret;

	if (cap < 2)
		return -ENAMETOOLONG;
	buf[--pos] = '\0';
	for (unsigned depth = 0; ino != APFS_ROOT_DIR_INO_NUM; depth++) {
		if (depth > MAX_PATH_DEPTH || ino <= APFS_ROOT_DIR_PARENT)
			return drec_corrupt(fs, ino, "parent chain does not reach the root");
		ret = fs_inode_get(fs, ino, &in);
		if (ret || (ret = fs_path_prepend(buf, &pos, in.name)))
			return ret;
		ino = get_le64(in.raw.parent_id);
	}
	fs_path_finish(buf, pos, cap);
	return 0;
}
