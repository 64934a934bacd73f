/* SPDX-License-Identifier: MIT */
/*
 * scen_stream.c - the `scale` scenario: one volume of --entries N entries
 * (up to 100 million) written in bounded memory.  The tree is regular, so
 * every record can be made in fs-tree key order (obj_id, type, then the
 * name hash) without holding the volume: records go straight into
 * streamed B-trees (btree_stream.c), file data straight to the output, and
 * only one directory's entries are held at a time, to sort them by hash:
 * 8 bytes each (hash and index; the name is made again from the index), so
 * one directory of 10 million files sorts in 160 MB with qsort's buffer.
 *
 * Layout (inode numbers chosen so that key order is generation order):
 * the root holds D = ceil(N / (P + 1)) directories `d00000` ... (inodes 16 ...),
 * directory d holds the P files `fGGGGGGGG.txt` for g = P d ... P d + P - 1
 * (inodes 16 + D + g), the last one fewer so that directories and files
 * add up to N.  P is 999 unless --per-dir says otherwise: one directory of
 * all the files puts their inodes in name order, which is far from the
 * name-hash order of the directory's records.  With --depth K the
 * directories form chains K deep: d's parent is d - 1 unless K divides d
 * (then the root), so the root holds ceil(D / K) of them.  The first file of each directory holds `file G\n`; the
 * others are empty.  With --shuffle the names of a directory's files are the
 * same set, but the j-th name of directory d (fGGGGGGGG.txt, G = P d + j) is
 * the file of inode 16 + D + P d + (j M mod n), n its files and M the first
 * number from floor(0.618 n) up coprime with n: name order then jumps
 * across the directory's inodes as on a real volume, where names and inode
 * numbers are unrelated (the first file keeps its name and data).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cipher/xts.h"
#include "mk.h"

#define PER_DIR 1000   /* by default, a directory and its 999 files */
#define SCALE_USER "5CA1E0E0-2B0C-4A5D-9E8F-7A6B5C4D3E2F"
#define DT_DIR_ 4
#define DT_REG_ 8
#define PEXT_KIND_NEW (1ull << 60)

struct scale {
	struct mk_vol v;
	struct mk_stree fs, om, er;
	uint64_t dirs, files;     /* D and F: D + F = N */
	uint64_t per;             /* P: files per directory (--per-dir, default 999) */
	uint64_t depth;           /* K: directories nested K deep (--depth, default 1) */
	bool shuffle;             /* --shuffle: names unrelated to inode order */
	uint8_t *block;           /* one data block */
};

/*
 * One entry of the directory being written: its name hash and its index
 * in the directory's list (struct dir_list names it), 8 bytes, so that a
 * directory of 10 million files sorts in 80 MB.
 */
struct child {
	uint32_t hash;
	uint32_t idx;
};

/* What a directory's entries are, by index (the header's naming). */
enum list_kind {
	LIST_SYS,    /* under the root's parent: "root" and "private-dir" */
	LIST_ROOT,   /* the root: the heads of the chains, d00000 ... */
	LIST_DIR,    /* directory d: its files, then the next of its chain */
};

struct dir_list {
	const struct scale *s;
	enum list_kind kind;
	uint64_t d;   /* LIST_DIR: the directory */
	uint64_t n;   /* LIST_DIR: its files; index n is the next directory of its chain */
};

static uint64_t jkey(uint64_t oid, unsigned type)
{
	return (oid & APFS_OBJ_ID_MASK) | (uint64_t)type << APFS_OBJ_TYPE_SHIFT;
}

/* The fs tree's nodes, as they are written in oid order, into the omap tree. */
static int omap_push(void *ctx, const struct mk_omap_rec *m)
{
	struct scale *s = ctx;
	struct apfs_omap_key k = { put_le64(m->oid), put_le64(m->xid) };
	struct apfs_omap_val v = { put_le32(m->flags), put_le32(s->v.img->bs),
				   put_le64(m->paddr) };

	return mk_stree_add(&s->om, &k, sizeof(k), &v, sizeof(v));
}

static int trees_init(struct scale *s)
{
	struct mk_image *img = s->v.img;
	uint32_t phys = APFS_BTREE_PHYSICAL | APFS_BTREE_SEQUENTIAL_INSERT;
	int rc;

	s->fs.t = (struct mk_tree){ .img = img, .subtype = APFS_OBJECT_TYPE_FSTREE,
				    .xts = s->v.encrypted ? s->v.xts : NULL,
				    .bt_flags = APFS_BTREE_KV_NONALIGNED |
						APFS_BTREE_SEQUENTIAL_INSERT,
				    .node_cb = omap_push, .node_ctx = s };
	s->om.t = (struct mk_tree){ .img = img, .subtype = APFS_OBJECT_TYPE_OMAP,
				    .physical = true, .fixed = true, .bt_flags = phys };
	s->er.t = (struct mk_tree){ .img = img, .subtype = APFS_OBJECT_TYPE_BLOCKREFTREE,
				    .physical = true,
				    .bt_flags = phys | APFS_BTREE_KV_NONALIGNED };
	rc = mk_stree_init(&s->fs);
	if (!rc)
		rc = mk_stree_init(&s->om);
	if (!rc)
		rc = mk_stree_init(&s->er);
	return rc;
}

static int put(struct scale *s, const void *k, size_t klen, const void *v, size_t vlen)
{
	return mk_stree_add(&s->fs, k, (uint16_t)klen, v, (uint16_t)vlen);
}

static int emit_inode(struct scale *s, uint64_t ino, const struct mk_inode *in)
{
	uint8_t k[8], val[MK_INODE_VAL_MAX];
	size_t vlen = mk_inode_val(in, ino, val);

	st_le64(k, jkey(ino, APFS_TYPE_INODE));
	return put(s, k, 8, val, vlen);
}

static int dir_inode(struct scale *s, uint64_t ino, uint64_t parent, const char *name,
		     uint64_t nchildren)
{
	char n[32];
	struct mk_inode in = { .parent = parent, .nchildren = nchildren, .nlink = 1,
			       .mode = MK_S_IFDIR | 0755, .name = n };

	snprintf(n, sizeof(n), "%s", name);
	return emit_inode(s, ino, &in);
}

static uint64_t first_file(const struct scale *s, uint64_t d)
{
	return d * s->per;
}

static uint64_t files_in(const struct scale *s, uint64_t d)
{
	uint64_t f = first_file(s, d);

	return s->files - f < s->per ? s->files - f : s->per;
}

static uint64_t file_ino(const struct scale *s, uint64_t g)
{
	return APFS_MIN_USER_INO_NUM + s->dirs + g;
}

static void file_name(char *out, size_t len, uint64_t g)
{
	snprintf(out, len, "f%08llu.txt", (unsigned long long)g);
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b, b = t;
	}
	return a;
}

/* --shuffle's multiplier M for a directory of n files (the header says why). */
static uint64_t shuffle_mul(uint64_t n)
{
	uint64_t m = n * 618 / 1000;

	while (m < n && gcd(m, n) != 1)
		m++;
	return m ? m : 1;
}

/* M's inverse mod n (extended Euclid): the name index j of inode offset i is i M^-1. */
static uint64_t shuffle_inv(uint64_t m, uint64_t n)
{
	__int128 t = 0, nt = 1, r = n, nr = m % n;

	while (nr) {
		__int128 q = r / nr, x = t - q * nt, y = r - q * nr;

		t = nt, nt = x, r = nr, nr = y;
	}
	return (uint64_t)(t < 0 ? t + n : t);
}

/* The inode offset (in its directory) of the file named by offset j. */
static uint64_t name_to_off(const struct scale *s, uint64_t j, uint64_t n)
{
	return s->shuffle && n > 1 ? (uint64_t)((unsigned __int128)j * shuffle_mul(n) % n) : j;
}

/* The name offset (in its directory) of the file at inode offset i. */
static uint64_t off_to_name(const struct scale *s, uint64_t i, uint64_t n)
{
	return s->shuffle && n > 1 ?
		(uint64_t)((unsigned __int128)i * shuffle_inv(shuffle_mul(n), n) % n) : i;
}

static void dir_name(char *out, size_t len, uint64_t d)
{
	snprintf(out, len, "d%05llu", (unsigned long long)d);
}

/* Entry idx of list l: its name (in out, 32 bytes), and with ino set, its inode and type. */
static void list_entry(const struct dir_list *l, uint32_t idx, char *out, uint64_t *ino,
		       uint16_t *dtype)
{
	const struct scale *s = l->s;
	uint64_t d = l->kind == LIST_ROOT ? idx * s->depth : l->d + 1;
	uint64_t i = APFS_MIN_USER_INO_NUM + d;
	uint16_t ent = DT_DIR_;

	if (l->kind == LIST_SYS) {
		snprintf(out, 32, "%s", idx ? "private-dir" : "root");
		i = idx ? APFS_PRIV_DIR_INO_NUM : APFS_ROOT_DIR_INO_NUM;
	} else if (l->kind == LIST_DIR && idx < l->n) {
		file_name(out, 32, first_file(s, l->d) + idx);
		i = file_ino(s, first_file(s, l->d) + name_to_off(s, idx, l->n));
		ent = DT_REG_;
	} else {
		dir_name(out, 32, d);
	}
	if (ino)
		*ino = i, *dtype = ent;
}

/* Key order within a directory: by name hash, then name (as fsrec.c sorts). */
static int cmp_child(const void *pa, const void *pb, void *ctx)
{
	const struct child *a = pa, *b = pb;
	char na[32], nb[32];

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	list_entry(ctx, a->idx, na, NULL, NULL);
	list_entry(ctx, b->idx, nb, NULL, NULL);
	return strcmp(na, nb);
}

/* The n entries of list l, in key order, as the directory records of parent. */
static int emit_drecs(struct scale *s, uint64_t parent, struct dir_list *l, struct child *c,
		      size_t n)
{
	uint8_t key[12 + 32];
	char name[32];
	struct apfs_j_drec_val dv = { 0 };
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		list_entry(l, (uint32_t)i, name, NULL, NULL);
		c[i] = (struct child){ mk_name_hash(name, s->v.case_insensitive), (uint32_t)i };
	}
	qsort_r(c, n, sizeof(*c), cmp_child, l);
	for (size_t i = 0; !rc && i < n; i++) {
		uint64_t ino;
		uint16_t dtype;
		size_t nl;

		list_entry(l, c[i].idx, name, &ino, &dtype);
		nl = strlen(name) + 1;
		st_le64(key, jkey(parent, APFS_TYPE_DIR_REC));
		st_le32(key + 8, c[i].hash << APFS_J_DREC_HASH_SHIFT | (uint32_t)nl);
		memcpy(key + 12, name, nl);
		dv.file_id = put_le64(ino);
		dv.date_added = put_le64(MK_TIME);
		dv.flags = put_le16(dtype);
		rc = put(s, key, 12 + nl, &dv, sizeof(dv));
	}
	return rc;
}

/* Inodes 1-3: the root and private-dir records under 1, their inodes, the root's entries. */
static int emit_top(struct scale *s, struct child *c)
{
	struct dir_list sys = { s, LIST_SYS, 0, 0 }, root = { s, LIST_ROOT, 0, 0 };
	uint64_t heads = (s->dirs + s->depth - 1) / s->depth;
	int rc = emit_drecs(s, APFS_ROOT_DIR_PARENT, &sys, c, 2);

	if (!rc)
		rc = dir_inode(s, APFS_ROOT_DIR_INO_NUM, APFS_ROOT_DIR_PARENT, "root", heads);
	if (!rc)
		rc = emit_drecs(s, APFS_ROOT_DIR_INO_NUM, &root, c, heads);
	return rc ? rc : dir_inode(s, APFS_PRIV_DIR_INO_NUM, APFS_ROOT_DIR_PARENT, "private-dir", 0);
}

/* Directory d: its inode and its entries (its files, and the next of its chain). */
static int emit_dir(struct scale *s, uint64_t d, struct child *c)
{
	char name[32];
	struct dir_list l = { s, LIST_DIR, d, files_in(s, d) };
	uint64_t parent = d % s->depth ? APFS_MIN_USER_INO_NUM + d - 1 : APFS_ROOT_DIR_INO_NUM;
	bool sub = (d + 1) % s->depth && d + 1 < s->dirs;
	int rc;

	dir_name(name, sizeof(name), d);
	rc = dir_inode(s, APFS_MIN_USER_INO_NUM + d, parent, name, l.n + sub);
	return rc ? rc : emit_drecs(s, APFS_MIN_USER_INO_NUM + d, &l, c, l.n + sub);
}

/* One block of data for stream ino, written now (encrypted on an encrypted volume). */
static int write_block(struct scale *s, uint64_t ino, const char *text, uint64_t *paddr)
{
	struct mk_image *img = s->v.img;
	uint8_t k[8], val[20];
	int rc = 0;

	*paddr = mk_alloc(img, 1);
	if (!*paddr)
		return -ENOSPC;
	memset(s->block, 0, img->bs);
	memcpy(s->block, text, strlen(text));
	if (s->v.encrypted)
		rc = mk_encrypt(s->v.xts, s->block, img->bs, *paddr * (img->bs / 512));
	if (!rc)
		rc = mk_image_stream(img, *paddr, s->block, img->bs);
	/* Its physical-extent record (extentref.c): one block, KIND_NEW, owner ino, 1 ref. */
	st_le64(k, jkey(*paddr, APFS_TYPE_EXTENT));
	st_le64(val, 1 | PEXT_KIND_NEW);
	st_le64(val + 8, ino);
	st_le32(val + 16, 1);
	return rc ? rc : mk_stree_add(&s->er, k, 8, val, 20);
}

/* The DSTREAM_ID and FILE_EXTENT records of a one-block stream at paddr. */
static int emit_extent(struct scale *s, uint64_t ino, uint64_t paddr)
{
	struct apfs_j_file_extent_key k;
	struct apfs_j_file_extent_val val;
	uint8_t dk[8], dv[4];
	int rc;

	st_le64(dk, jkey(ino, APFS_TYPE_DSTREAM_ID));
	st_le32(dv, 1);
	rc = put(s, dk, 8, dv, 4);
	k.hdr.obj_id_and_type = put_le64(jkey(ino, APFS_TYPE_FILE_EXTENT));
	k.logical_addr = put_le64(0);
	val.len_and_flags = put_le64(s->v.img->bs);
	val.phys_block_num = put_le64(paddr);
	val.crypto_id = put_le64(s->v.encrypted ? paddr : 0);
	return rc ? rc : put(s, &k, sizeof(k), &val, sizeof(val));
}

static int emit_file(struct scale *s, uint64_t g)
{
	char name[32], text[32];
	uint64_t d = g / s->per, ino = file_ino(s, g), paddr = 0;
	bool data = g % s->per == 0;
	struct mk_inode in = { .parent = APFS_MIN_USER_INO_NUM + d, .nlink = 1,
			       .mode = MK_S_IFREG | 0644, .name = name };
	int rc = 0;

	file_name(name, sizeof(name), first_file(s, d) +
		  off_to_name(s, g - first_file(s, d), files_in(s, d)));
	if (data) {
		snprintf(text, sizeof(text), "file %llu\n", (unsigned long long)g);
		rc = write_block(s, ino, text, &paddr);
		in.has_stream = true;
		in.size = strlen(text);
		in.alloced = s->v.img->bs;
		s->v.blocks_used++;
	}
	if (!rc)
		rc = emit_inode(s, ino, &in);
	return rc || !data ? rc : emit_extent(s, ino, paddr);
}

static int emit_all(struct scale *s)
{
	uint64_t most = s->per < s->files ? s->per : s->files;  /* the largest directory */
	size_t cap = s->dirs > most + 1 ? s->dirs : most + 1;
	struct child *c = calloc(cap > 2 ? cap : 2, sizeof(*c));  /* 2: emit_top's LIST_SYS */
	int rc = c ? emit_top(s, c) : -ENOMEM;

	for (uint64_t d = 0; !rc && d < s->dirs; d++)
		rc = emit_dir(s, d, c);
	for (uint64_t g = 0; !rc && g < s->files; g++)
		rc = emit_file(s, g);
	free(c);
	return rc;
}

static int scale_vol(struct scale *s, struct mk_image *img)
{
	static const struct mk_user user = { SCALE_USER, "scale-password", NULL, MK_KEK_256,
					     false, 0 };
	uint64_t root, omap, er;
	int rc = mk_vol_init(&s->v, img, "Scale", APFS_VOL_ROLE_NONE, true);

	if (!rc)
		rc = mk_vol_encrypt(&s->v, false, 32);
	if (!rc)
		rc = mk_vol_add_user(&s->v, &user);
	if (!rc)
		rc = trees_init(s);
	if (!rc)
		rc = emit_all(s);
	s->v.ndirs = s->dirs;
	s->v.nfiles = s->files;
	s->v.next_ino = file_ino(s, s->files);
	/* The fs tree first: its last nodes still feed the omap tree. */
	if (!rc)
		rc = mk_stree_finish(&s->fs, &root);
	if (!rc)
		rc = mk_stree_finish(&s->om, &omap);
	if (!rc)
		rc = mk_stree_finish(&s->er, &er);
	mk_stree_free(&s->fs);
	mk_stree_free(&s->om);
	mk_stree_free(&s->er);
	return rc ? rc : mk_vol_finish_streamed(&s->v, root, omap, er);
}

/* What is used, an eighth free and room for the space manager; whole MiB. */
static int settle(struct mk_image *img)
{
	uint64_t mib = (1u << 20) / img->bs;
	uint64_t need = img->next_paddr + img->next_paddr / 8 + 16 * mib;

	return mk_image_settle(img, (need + mib - 1) / mib * mib);
}

/**
 * mk_fill_scale() - volume `Scale` (case-insensitive; encrypted unless
 * --unencrypted, Local OD user SCALE_USER, password "scale-password") of
 * img->entries entries, written to img->out_path as it is made.
 * @img: the image
 */
int mk_fill_scale(struct mk_image *img)
{
	struct scale s = { 0 };
	int rc;

	if (!img->entries || img->entries > 100000000ull || img->per_dir > 100000000ull ||
	    img->depth > 1000)
		return -EINVAL;
	s.per = img->per_dir ? img->per_dir : PER_DIR - 1;
	s.depth = img->depth ? img->depth : 1;
	s.shuffle = img->shuffle;
	s.dirs = (img->entries + s.per) / (s.per + 1);
	s.files = img->entries - s.dirs;
	s.block = malloc(img->bs);
	img->grow = true;
	rc = s.block ? mk_image_open(img, img->out_path, img->out_gpt) : -ENOMEM;
	if (!rc)
		rc = scale_vol(&s, img);
	free(s.block);
	return rc ? rc : settle(img);
}
