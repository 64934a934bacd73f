/* SPDX-License-Identifier: MIT */
/*
 * fs_seal_data.c - a sealed volume's file data against the hashes its fs
 * tree holds: FILE_INFO records of kind APFS_FILE_INFO_DATA_HASH, each the
 * hash (the seal's type) of hashed_len whole blocks from a logical byte
 * offset (docs/macos-boot.md §4).  The tree's node hashes vouch for these
 * records (apfs_fs_seal_verify); nothing vouches for the file-extent tree
 * that places the data, so data changed or moved shows here only.
 *
 * Keyed and hashed as apfsck (tested on real Macs) reads them: a file's
 * data stream by its id, its blocks as stored (holes as zeros, and the
 * bytes after the data in its last block: 7-Zip takes those as zeros);
 * a compressed file's decompressed bytes, zero-padded, by its inode
 * (inline data) or by its resource fork's stream.
 *
 * A walk over the tree in key order meets every record once: a regular
 * file's inode says under which key its hashes come (its own number, or a
 * stream's met later: kept as expected until the walk passes it), and each
 * object's hash records are checked as a group when met.  The few files
 * whose key comes before their inode (a clone's stream, a fork numbered
 * first) are found by a walk over the inodes before it.
 */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fs_int.h"

/* Hash this much at a time. */
#define PIECE (1u << 20)
/* Runs that fail or go unchecked named one by one; the rest counted. */
#define DATA_WARN_MAX 8
/*
 * Bytes hashed per container at most, all views together, as a multiple of
 * what the image holds of it: the data its sealed volumes hold, compressed
 * files decompressed (real System files shrink to about half), fits many
 * times over; a crafted tree whose records claim runs of holes, or of
 * decompressed zeros, of 65,535 blocks each, or a volume claiming many
 * snapshots of it, would otherwise cost hours.  Past it a hash is counted
 * as not checked.
 */
#define DATA_BUDGET_FACTOR 4
#define DATA_BUDGET_MIN (UINT64_C(256) << 20)

/* A regular file's data, whose hashes the walk has yet to meet under key. */
struct sd_expect {
	uint64_t key;   /* the object its hashes are keyed by */
	uint64_t ino;
	uint64_t size;  /* its bytes (decompressed) */
	bool dec;       /* compressed: the hashes cover its decompressed bytes */
};

/* The hash records of one object, checked as the walk meets them. */
struct sd_group {
	uint64_t key;
	uint64_t ino;              /* the file, for warnings (0: a stream no file named) */
	uint64_t size;             /* its bytes, where a file expected them */
	bool open, expected, unreadable, stray;
	struct apfs_file *dec;     /* a compressed file's decompressed bytes */
	struct fs_stream stream;   /* else the stream's blocks */
	uint64_t next;             /* the runs from byte 0 on reach here */
	uint64_t checked;
};

struct sd_walk {
	struct apfs_fs *fs;
	struct apfs_data_check *c;
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	uint8_t *buf;
	unsigned warned;
	uint64_t oid;              /* whose records the walk is at */
	uint64_t late_ino;         /* the first walk: a compressed file, its xattrs to come */
	bool stream_here;          /* it has a DSTREAM_ID record: a data stream */
	struct sd_expect *exp;     /* a heap, the least key first: still expected */
	size_t n, cap;
	struct sd_group g;
};

static void data_warn(struct sd_walk *w, uint64_t ino, uint64_t key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "file PATH (inode N): ..." or "data stream N: ...", the first few. */
static void data_warn(struct sd_walk *w, uint64_t ino, uint64_t key, const char *fmt, ...)
{
	char path[1024], what[256];
	va_list ap;

	if (w->warned++ >= DATA_WARN_MAX) {
		if (w->warned == DATA_WARN_MAX + 1)
			apfs_warn("%s: volume '%s': further data hashes not matching or not "
				  "checked are not named", w->fs->c->label, w->fs->v->name);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ino) {
		apfs_warn("%s: volume '%s': data stream %llu: %s", w->fs->c->label,
			  w->fs->v->name, (unsigned long long)key, what);
		return;
	}
	if (fs_vol_path(w->fs, ino, path, sizeof(path)))
		snprintf(path, sizeof(path), "(path not known)");
	apfs_warn("%s: volume '%s': file %s (inode %llu): %s", w->fs->c->label, w->fs->v->name,
		  path, (unsigned long long)ino, what);
}

/*
 * len more bytes hashed, if the container's budget has them: taken only
 * where they fit (compare-and-swap), so that threads verifying at once
 * never see the budget spent by a request about to be refused.
 */
static bool budget_take(struct apfs_container *c, uint64_t len)
{
	uint64_t held = c->blocks_present * c->block_size, limit, spent;

	limit = held > UINT64_MAX / DATA_BUDGET_FACTOR ? UINT64_MAX : held * DATA_BUDGET_FACTOR;
	if (limit < DATA_BUDGET_MIN)
		limit = DATA_BUDGET_MIN;
	spent = atomic_load(&c->seal_data_spent);
	while (len <= limit && spent <= limit - len)
		if (atomic_compare_exchange_weak(&c->seal_data_spent, &spent, spent + len))
			return true;
	return false;
}

/* n bytes at off as the hash covers them: short reads (past the end) padded with zeros. */
static int run_read(struct sd_walk *w, uint64_t off, size_t n)
{
	size_t got = 0;
	int ret = w->g.dec ? apfs_file_read(w->g.dec, off, w->buf, n, &got) :
			     fs_stream_read(w->fs, &w->g.stream, off, w->buf, n, &got);

	if (!ret && got < n)
		memset(w->buf + got, 0, n - got);
	return ret;
}

/* The digest of len bytes from off into md: 0, or the read's error. */
static int run_digest(struct sd_walk *w, uint64_t off, uint64_t len, uint8_t *md)
{
	int ret = EVP_DigestInit_ex(w->ctx, w->md, NULL) == 1 ? 0 : -ENOMEM;

	for (uint64_t done = 0; !ret && done < len; done += PIECE) {
		size_t n = len - done < PIECE ? (size_t)(len - done) : PIECE;

		ret = run_read(w, off + done, n);
		if (!ret && EVP_DigestUpdate(w->ctx, w->buf, n) != 1)
			ret = -ENOMEM;
	}
	if (!ret && EVP_DigestFinal_ex(w->ctx, md, NULL) != 1)
		ret = -ENOMEM;
	return ret;
}

/*
 * A record's value, j_file_data_hash_val_t: hashed_len (blocks), hash_size,
 * the hash.  NULL when it is no data hash this check can use, *why said.
 */
static const uint8_t *hash_of(const struct sd_walk *w, const uint8_t *k, size_t kl,
			      const uint8_t *v, size_t vl, uint64_t *off, uint64_t *len,
			      const char **why)
{
	uint64_t lba = kl == 16 ? ld_le64(k + 8) : 0;

	*why = "is malformed";
	if (kl != 16 || vl < 3 || vl != 3u + v[2] || ld_le16(v) == 0)
		return NULL;
	*why = "is of a kind not known";
	if (lba >> APFS_FILE_INFO_TYPE_SHIFT != APFS_FILE_INFO_DATA_HASH)
		return NULL;
	*why = "holds a hash not of the seal's size";
	if (v[2] != w->fs->seal.hash_len)
		return NULL;
	*off = lba & APFS_FILE_INFO_LBA_MASK;
	*len = (uint64_t)ld_le16(v) * w->fs->bs;
	return v + 3;
}

/* One run hashed and held to want. */
static void run_check(struct sd_walk *w, const uint8_t *want, uint64_t off, uint64_t len)
{
	struct sd_group *g = &w->g;
	uint8_t md[EVP_MAX_MD_SIZE];

	if (!budget_take(w->fs->c, len)) {
		w->c->unchecked++;
		data_warn(w, g->ino, g->key, "bytes %llu-%llu: not checked: past the bytes a check "
			  "hashes (records claiming far more data than the container holds)",
			  (unsigned long long)off, (unsigned long long)(off + len - 1));
		return;
	}
	if (run_digest(w, off, len, md)) {
		w->c->unchecked++;
		data_warn(w, g->ino, g->key, "bytes %llu-%llu cannot be read (see above): their "
			  "hash is not checked", (unsigned long long)off,
			  (unsigned long long)(off + len - 1));
		return;
	}
	w->c->hashes++;
	w->c->bytes += len;
	g->checked++;
	if (memcmp(md, want, w->fs->seal.hash_len)) {
		w->c->mismatched++;
		data_warn(w, g->ino, g->key, "bytes %llu-%llu do not match the hash the sealed tree "
			  "holds for them: the data was changed after sealing",
			  (unsigned long long)off, (unsigned long long)(off + len - 1));
	}
}

/* One FILE_INFO record of the group's object. */
static void group_record(struct sd_walk *w, const uint8_t *k, size_t kl, const uint8_t *v,
			 size_t vl)
{
	struct sd_group *g = &w->g;
	uint64_t off = 0, len = 0;
	const char *why;
	const uint8_t *want = hash_of(w, k, kl, v, vl, &off, &len, &why);

	if (g->stray) {
		w->c->strays++;
		return;
	}
	/* covered, whether or not it can be checked here */
	if (want && off == g->next)
		g->next += len;
	if (g->unreadable) {
		w->c->unchecked++;
	} else if (!want) {
		w->c->unchecked++;
		data_warn(w, g->ino, g->key, "its hash record 0x%016llx %s: not checked",
			  (unsigned long long)(kl == 16 ? ld_le64(k + 8) : 0), why);
	} else {
		run_check(w, want, off, len);
	}
}

/* The group's reader: a compressed file's decompressed bytes, or the stream's blocks. */
static int group_reader(struct sd_walk *w, bool dec)
{
	struct sd_group *g = &w->g;
	uint32_t bs = w->fs->bs;
	int ret;

	if (dec)
		return fs_vol_file_open(w->fs, g->ino, &g->dec);
	if (!g->expected) {
		/* a stream no file named before it: its blocks, up to its last extent's end */
		ret = fs_stream_load_partial(w->fs, g->key, UINT64_MAX, &g->stream);
		if (!ret)
			g->stream.size = g->stream.n ? g->stream.ext[g->stream.n - 1].logical +
						       g->stream.ext[g->stream.n - 1].len : 0;
		return ret;
	}
	if (g->size > UINT64_MAX - bs)
		return -APFS_ECORRUPT;
	return fs_stream_load(w->fs, g->key, (g->size + bs - 1) / bs * bs, &g->stream);
}

/* The heap's entries i and j in order (i's key not above j's). */
static bool exp_before(const struct sd_walk *w, size_t i, size_t j)
{
	return w->exp[i].key <= w->exp[j].key;
}

static void exp_swap(struct sd_walk *w, size_t i, size_t j)
{
	struct sd_expect t = w->exp[i];

	w->exp[i] = w->exp[j];
	w->exp[j] = t;
}

/* The least expectation taken off the heap into *e. */
static void expect_pop(struct sd_walk *w, struct sd_expect *e)
{
	size_t i = 0;

	*e = w->exp[0];
	w->exp[0] = w->exp[--w->n];
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < w->n && !exp_before(w, m, l))
			m = l;
		if (l + 1 < w->n && !exp_before(w, m, l + 1))
			m = l + 1;
		if (m == i)
			return;
		exp_swap(w, i, m);
		i = m;
	}
}

/* The group's bytes made readable; where they cannot be, each hash is counted, the file named. */
static void group_open(struct sd_walk *w, bool dec)
{
	struct sd_group *g = &w->g;

	if (!group_reader(w, dec))
		return;
	g->unreadable = true;
	data_warn(w, g->ino, g->key, "bytes 0-%llu cannot be read (see above): their hashes are "
		  "not checked", (unsigned long long)(g->size ? g->size - 1 : 0));
}

/*
 * The group of hash records of key begins: the file that expected them,
 * else a data stream (its DSTREAM_ID record met), else records of nothing
 * the walk knows: strays.
 */
static void group_start(struct sd_walk *w, uint64_t key)
{
	struct sd_group *g = &w->g;
	struct sd_expect e, other;

	memset(g, 0, sizeof(*g));
	g->key = key;
	g->open = true;
	if (w->n && w->exp[0].key == key) {
		expect_pop(w, &e);
		g->expected = true;
		g->ino = e.ino;
		g->size = e.size;
		/* files sharing the stream (clones): the same hashes, over the longest */
		while (w->n && w->exp[0].key == key) {
			expect_pop(w, &other);
			if (other.size > g->size)
				g->size = other.size;
			if (other.dec != e.dec) {
				w->c->unchecked++;
				data_warn(w, other.ino, key, "its hashes are another file's, read "
					  "another way (compressed or not): not checked for it");
			}
		}
		group_open(w, e.dec);
	} else if (w->stream_here) {
		group_open(w, false);
	} else {
		g->stray = true;
	}
}

static void group_end(struct sd_walk *w)
{
	struct sd_group *g = &w->g;

	if (!g->open)
		return;
	w->c->files += g->checked > 0;
	w->c->uncovered += g->expected && g->next < g->size;
	apfs_file_close(g->dec);
	fs_stream_free(&g->stream);
	memset(g, 0, sizeof(*g));
}

/*
 * Expectations whose key the walk has passed (below upto; through: up to
 * it too) without meeting a hash: uncovered.
 */
static void expect_pass(struct sd_walk *w, uint64_t upto, bool through)
{
	struct sd_expect e;
	uint64_t last = 0;
	bool any = false;

	while (w->n && (w->exp[0].key < upto || (through && w->exp[0].key == upto))) {
		expect_pop(w, &e);
		/* a stream two files share: once */
		w->c->uncovered += !any || e.key != last;
		last = e.key;
		any = true;
	}
}

/* A file's data expected under key (at or past the walk). */
static int expect_add(struct sd_walk *w, const struct sd_expect *e)
{
	size_t i = w->n;

	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct sd_expect *p = realloc(w->exp, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		w->exp = p;
		w->cap = cap;
	}
	w->exp[w->n++] = *e;
	while (i && !exp_before(w, (i - 1) / 2, i)) {
		exp_swap(w, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

/*
 * Where a regular file's hashes are keyed: its data stream (private id); a
 * compressed file's inode (inline data) or its resource fork's stream.
 * False (counted as uncovered) where a compressed file's fork is no stream.
 */
static bool file_key(struct sd_walk *w, uint64_t ino, const struct apfs_stat *st,
		     struct sd_expect *e)
{
	struct fs_xattr x;
	bool stream;

	*e = (struct sd_expect){ .key = st->private_id, .ino = ino, .size = st->size,
				 .dec = st->compression != 0 };
	if (!st->compression)
		return true;
	e->key = ino;
	if (!fs_decmpfs_in_rsrc(st->compression))
		return true;
	if (fs_xattr_get(w->fs, ino, APFS_XATTR_RESOURCE_FORK, &x))
		return false;
	e->key = x.stream_id;
	stream = (x.flags & APFS_XATTR_DATA_STREAM) != 0;
	fs_xattr_free(&x);
	return stream;
}

/* Whether an inode record's value is a regular file's. */
static bool regular(const void *v, size_t vl)
{
	const struct apfs_j_inode_val *in = v;

	return vl >= sizeof(*in) && S_ISREG(get_le16(in->mode));
}

/*
 * A regular file's data, and where its hashes are keyed: 1, 0 for none
 * (nothing to expect: no data, or a fork that is no stream, counted), or an
 * error (its inode unreadable: counted and named once, when warn).
 */
static int file_of(struct sd_walk *w, uint64_t ino, struct sd_expect *e, bool warn)
{
	struct apfs_stat st;

	if (fs_vol_stat(w->fs, ino, &st)) {
		w->c->unchecked += warn;
		if (warn)
			data_warn(w, ino, 0, "cannot be read (see above): the hashes of its data "
				  "are not checked");
		return -1;
	}
	if (st.size == 0)
		return 0;
	if (!file_key(w, ino, &st, e)) {
		w->c->uncovered += warn;
		return 0;
	}
	return 1;
}

/* A file whose hashes may come before its inode: expected from the start if they do. */
static int late_one(struct sd_walk *w, uint64_t ino)
{
	struct sd_expect e;

	if (file_of(w, ino, &e, false) == 1 && e.key < e.ino)
		return expect_add(w, &e);
	return 0;
}

/*
 * The first walk, for files whose hashes come before their inode: a plain
 * file's stream numbered below it (a clone's), a compressed file's
 * resource fork so numbered.  Read from the records themselves, so that
 * only those files are looked up (the second walk looks up every file).
 */
static int late_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	static const char fork[] = APFS_XATTR_RESOURCE_FORK;
	struct sd_walk *w = arg;
	const struct apfs_j_inode_val *in = v;
	uint64_t oid = kl >= 8 ? fs_key_oid(k) : 0;
	struct fs_xattr x;
	bool below;

	if (kl >= 8 && fs_key_type(k) == APFS_TYPE_INODE && regular(v, vl)) {
		w->late_ino = get_le32(in->bsd_flags) & APFS_UF_COMPRESSED ? oid : 0;
		return !w->late_ino && get_le64(in->private_id) < oid ? late_one(w, oid) : 0;
	}
	/* a compressed file's resource fork: j_xattr_key_t's name after its length */
	if (!w->late_ino || oid != w->late_ino || fs_key_type(k) != APFS_TYPE_XATTR ||
	    kl != 10 + sizeof(fork) || memcmp((const uint8_t *)k + 10, fork, sizeof(fork)) ||
	    fs_xattr_parse(w->fs, oid, v, vl, &x))
		return 0;
	below = (x.flags & APFS_XATTR_DATA_STREAM) && x.stream_id < oid;
	fs_xattr_free(&x);
	return below ? late_one(w, oid) : 0;
}

/* A regular file's inode: where its hashes will be met (those met first: late_visit). */
static int inode_seen(struct sd_walk *w, uint64_t ino, const void *v, size_t vl)
{
	struct sd_expect e;

	if (regular(v, vl) && file_of(w, ino, &e, true) == 1 && e.key >= ino)
		return expect_add(w, &e);
	return 0;
}

/* The walk over every record in key order. */
static int sd_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct sd_walk *w = arg;
	uint64_t oid;

	if (kl < 8)
		return 0;
	oid = fs_key_oid(k);
	if (oid != w->oid) {
		group_end(w);
		expect_pass(w, oid, false);
		w->oid = oid;
		w->stream_here = false;
	}
	switch (fs_key_type(k)) {
	case APFS_TYPE_INODE:
		return inode_seen(w, oid, v, vl);
	case APFS_TYPE_DSTREAM_ID:
		w->stream_here = true;
		return 0;
	case APFS_TYPE_FILE_INFO:
		if (!w->g.open)
			group_start(w, oid);
		group_record(w, k, kl, v, vl);
		return 0;
	default:
		return 0;
	}
}

int apfs_fs_seal_data_verify(struct apfs_fs *fs, struct apfs_data_check *c)
{
	struct sd_walk w = { .fs = fs, .c = c, .md = apfs_seal_md(fs->seal.hash_type),
			     .oid = UINT64_MAX };
	int ret;

	memset(c, 0, sizeof(*c));
	if (!fs->tree.seal || !w.md)
		return -ENOENT;
	w.ctx = EVP_MD_CTX_new();
	w.buf = malloc(PIECE);
	ret = w.ctx && w.buf ? apfs_btree_iterate(&fs->tree, NULL, 0, late_visit, &w) : -ENOMEM;
	if (!ret)
		ret = apfs_btree_iterate(&fs->tree, NULL, 0, sd_visit, &w);
	group_end(&w);
	expect_pass(&w, UINT64_MAX, true);
	EVP_MD_CTX_free(w.ctx);
	free(w.buf);
	free(w.exp);
	return ret;
}
