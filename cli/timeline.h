/* SPDX-License-Identifier: MIT */
/*
 * timeline.h - `apfsinspect timeline`: every entry of a tree with its five
 * timestamps (ns), written as CSV, JSON lines or DFXML.  cmd_timeline.c
 * walks; tl_text.c and tl_dfxml.c write.
 */
#ifndef CLI_TIMELINE_H
#define CLI_TIMELINE_H

#include "apfsinspect.h"
#include "digest.h"

/* One entry of the walk, as the writers see it. */
struct tl_entry {
	apfsi_fs *fs;
	const char *path;                /* from the volume's root, as stored */
	const struct apfsi_stat *st;      /* st->added: the directory record's date added */
	const char *target;              /* a symlink's target, else NULL */
	const struct digest_set *hash;
	const struct digest_out *dig;    /* NULL: not hashed (not a file, not asked, failed) */
};

/* What was read: the image and the volume's container (DFXML's source and volume). */
struct tl_source {
	const char *image;                    /* the path given */
	const struct apfsi_volume_info *vol;  /* name, UUID */
	const struct apfsi_container_info *c; /* offset in the image, block size and count */
};

struct tl_format {
	const char *name;
	void (*begin)(FILE *f, const struct digest_set *hash, const struct tl_source *src);
	/* 0, or a negative errno for what was not written (DFXML's byte runs) */
	int (*entry)(FILE *f, const struct tl_entry *e);
	void (*end)(FILE *f);
};

extern const struct tl_format tl_csv, tl_jsonl, tl_dfxml;

/*
 * The escaping rule of CSV and DFXML names (tl_text.c): valid UTF-8 stays;
 * control bytes (0x00-0x1f), DEL, bytes that are not UTF-8, the
 * noncharacters U+FFFE and U+FFFF (which XML 1.0 cannot hold) and '\'
 * itself become \xNN, so the rule can be undone and no name can hold a line
 * break.  Written to f; returns whether anything was escaped.
 */
bool tl_put_name(FILE *f, const char *s, const char *xml_ents);
/* Whether tl_put_name escapes any of s as \xNN (without writing it). */
bool tl_name_escaped(const char *s);

#endif
