/* SPDX-License-Identifier: MIT */
/*
 * extract.h - the pieces of `apfsinspect extract` (cmd_fs_extract.c): what
 * an object carries besides its bytes (extended attributes, the resource
 * fork, hard links, owners, times, BSD flags), where it goes (a directory
 * tree, AppleDouble `._` files, a pax archive), the facts file that keeps
 * what no target can hold, and the count of what the target refused.
 */
#ifndef CLI_EXTRACT_H
#define CLI_EXTRACT_H

#include "cmd_fs.h"
#include "digest.h"

/*
 * Values held in memory at most (larger ones are hashed by streaming and
 * reported, not kept): one value, and all values of one inode together.
 * Linux's own limit on an xattr value is 64 KiB; resource forks can be
 * bigger, hence room for them in AppleDouble files and archives.
 */
#define EX_XATTR_MAX (64u << 20)
#define EX_XATTR_TOTAL_MAX (256u << 20)

/* One extended attribute of an inode, as extract handles it. */
struct ex_xattr {
	char *name;            /* as APFS stores it (com.apple.quarantine) */
	uint64_t size;
	uint8_t *val;          /* NULL: not held (see why) */
	char sha256[65];       /* "" when not read (beyond the size cap) */
	const char *why;       /* NULL, or why the value was not read/kept */
	int err;               /* the target's refusal (negative errno), 0 if kept */
	bool fork;             /* com.apple.ResourceFork */
	bool cmp_fork;         /* the fork holds the file's compressed data (decmpfs) */
	bool encoded;          /* the archive holds it under its %-encoded name */
};

struct ex_xattrs {
	struct ex_xattr *e;
	size_t n, cap;
	uint64_t held;         /* bytes held in memory */
	const char *failed;    /* the name of the first value that could not be read, or NULL */
};

/* Every xattr of st's inode (hidden ones excepted), values read and hashed. */
int ex_xattrs_read(apfsi_fs *fs, const struct apfsi_stat *st, uint64_t cap,
		   struct ex_xattrs *xs);
void ex_xattrs_free(struct ex_xattrs *xs);
/* Whether x goes to the target at all (not the compressed data of a decmpfs file). */
bool ex_xattr_kept(const struct ex_xattr *x);

/* What the target could not hold, counted for the summary line. */
struct ex_tally {
	uint64_t xattrs, xattrs_big, xattrs_unread, xattr_names, forks, links, owners, crtimes,
		 added, flags, modes, specials, appledouble;
};

/* Hard links: inode -> the first path extracted for it (and its digest). */
struct ex_link {
	uint64_t ino;
	char *path;
	char hex[65];
	uint64_t unstored;     /* its bytes not on disk (ex_part's), for every later name's facts */
};

struct ex_links {
	struct ex_link *e;
	size_t n, cap;
};

const struct ex_link *ex_link_find(const struct ex_links *l, uint64_t ino);
int ex_link_add(struct ex_links *l, uint64_t ino, const char *path, const char *hex,
		uint64_t unstored);
void ex_links_free(struct ex_links *l);

/*
 * A file whose bytes could not all be read (records lost, blocks past a
 * truncated image, a chunk that does not decode): the target keeps those
 * read, from byte 0, marked in the facts file and left out of the manifest.
 */
struct ex_part {
	bool lost;             /* the read of the file's bytes failed, or came short */
	uint64_t bytes;        /* its bytes the target holds, from 0 */
	uint64_t zeros;        /* an archive member: zeros after them that are not the file's */
	uint64_t unstored;     /* bytes not on disk, written as zeros (fs_unstored_note) */
	char hex[65];          /* SHA-256 of those bytes */
};

/* The facts file: one JSON document with an object per extracted path. */
struct ex_facts {
	FILE *f;
	struct json j;
};

int ex_facts_open(struct ex_facts *fa, const char *path);
int ex_facts_close(struct ex_facts *fa, const char *path);
void ex_facts_add(struct ex_facts *fa, const char *rel, const struct apfsi_stat *st,
		  const char *hex, const char *link_to, const char *target,
		  const struct ex_xattrs *xs);
/*
 * A regular file copied whole (link_to: the first name of a hard-linked
 * one), with "unstored": its bytes not on disk, written as zeros.
 */
void ex_facts_file(struct ex_facts *fa, const char *rel, const struct apfsi_stat *st,
		   const char *hex, const char *link_to, const struct ex_xattrs *xs,
		   const struct ex_part *part);

struct ex_tar;

struct ex_run {
	apfsi_fs *fs;
	FILE *manifest;        /* NULL: none (--tar - without --manifest) */
	struct digest_set hash; /* --hash: tagged manifest lines; none: sha256sum's */
	uint64_t cap;
	struct walk_guard g;
	size_t held;           /* bytes of directory windows the levels above hold (dirwin.h) */
	int err;
	int destfd;            /* DEST (directory mode) */
	bool appledouble, root;
	struct ex_links links;
	struct ex_facts facts;
	struct ex_tally tally;
	struct ex_tar *tar;    /* non-NULL: write a pax archive instead of a tree */
	struct progress prog;  /* files and bytes so far, on a terminal */
};

/* The summary of what the target could not hold, on stderr (nothing when all was held). */
void ex_tally_print(const struct ex_tally *t, bool tar, bool facts);

/* A file kept incomplete: named on stderr, and its facts with what the target holds. */
void ex_facts_part(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
		   const struct ex_xattrs *xs, const struct ex_part *part);

/*
 * Directory target (extract_disk.c): xattrs as user.* on fd, the owner when
 * root, counting what the target refused.  ex_disk_count_times counts what
 * no Linux file system holds (creation time, date added, BSD flags).
 */
void ex_disk_xattrs(struct ex_run *r, int fd, struct ex_xattrs *xs);
void ex_disk_owner(struct ex_run *r, int dirfd, const char *name, const struct apfsi_stat *st);
/* For a later name of a hard link: which xattrs the file (the first name's) holds. */
void ex_disk_probe_xattrs(int dirfd, const char *name, struct ex_xattrs *xs);
void ex_disk_count_times(struct ex_run *r, const struct apfsi_stat *st);

/* `._name` beside name in dirfd (extract_appledouble.c): 0 or a negative errno. */
int ex_appledouble_write(int dirfd, const char *name, const struct apfsi_stat *st,
			 const struct ex_xattrs *xs);
/* The file's bytes (for tests and fuzzing): malloc'd, *len set; NULL on ENOMEM/E2BIG. */
uint8_t *ex_appledouble_build(const struct apfsi_stat *st, const struct ex_xattrs *xs,
			      size_t *len);

/* pax archive target (extract_tar.c). */
/* Whether --tar can be written (libarchive loaded): 0, or -1 (said on stderr). */
int ex_tar_usable(void);
int ex_tar_open(struct ex_run *r, const char *path);
int ex_tar_close(struct ex_run *r);
bool ex_tar_dead(const struct ex_run *r);  /* the archive cannot be written any more */
/* A file's member: one whose bytes cannot all be read is sized to those that can (part). */
int ex_tar_file(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
		struct ex_xattrs *xs, char *hex, struct ex_part *part);
int ex_tar_link(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
		const char *first, struct ex_xattrs *xs);
int ex_tar_dir(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
	       struct ex_xattrs *xs);
int ex_tar_symlink(struct ex_run *r, const char *rel, const struct apfsi_stat *st,
		   const char *target, struct ex_xattrs *xs);

#endif
