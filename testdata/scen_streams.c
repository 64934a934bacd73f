/* SPDX-License-Identifier: MIT */
/*
 * scen_streams.c - `mkimage streams OUT.img MANIFEST`: decmpfs files whose
 * payload is streams given as files, byte for byte, so that the reader is
 * tested on compressed data this project did not encode (real macOS
 * streams, published vectors, Python's zlib: tests/tools/streams.py).
 * The manifest, one directive a line ('#' starts a comment):
 *   volume NAME                      start a volume (files go into its root)
 *   file NAME TYPE SIZE PIECE...     a decmpfs file of TYPE and SIZE bytes
 * PIECE is a file holding one compressed stream (relative paths are taken
 * from the manifest's directory).  Types 3/7/11/13 take one piece, inline
 * after the decmpfs header; types 4/8/12/14 take one piece per 64 KiB of
 * SIZE, laid in the resource fork behind its chunk table.  Nothing is
 * checked against SIZE but the chunk count: a wrong payload is the test.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mk.h"

#define DECMPFS_MAGIC 0x636d7066u /* 'fpmc' on disk */
#define CHUNK 0x10000u
#define RSRC_DATA_OFF 0x100u
#define MAX_PIECE (1u << 20)
#define MAX_PIECES 4096
#define MAX_TOKENS (MAX_PIECES + 4)

struct piece {
	uint8_t *p;
	size_t len;
};

struct sfile {
	const char *name;
	unsigned type;
	uint64_t size;
	struct piece *pc;
	size_t npc;
};

static int slurp(const char *dir, const char *name, struct piece *out)
{
	char path[8192];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", name[0] == '/' ? "" : dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > (long)MAX_PIECE) {
		fprintf(stderr, "mkimage: streams: %s: cannot read (or over 1 MiB)\n", path);
		if (f)
			fclose(f);
		return -EINVAL;
	}
	rewind(f);
	out->len = (size_t)n;
	out->p = malloc(out->len + 1);
	if (!out->p || fread(out->p, 1, out->len, f) != out->len) {
		fclose(f);
		return out->p ? -EIO : -ENOMEM;
	}
	fclose(f);
	return 0;
}

static void put32(FILE *m, uint32_t v, bool be)
{
	uint8_t b[4];

	if (be)
		st_be32(b, v);
	else
		st_le32(b, v);
	fwrite(b, 1, 4, m);
}

/* Types 8/12/14: (n + 1) LE offsets from the fork's start, then the chunks. */
static void fork_le(FILE *m, const struct sfile *s)
{
	uint32_t off = (uint32_t)(4 * (s->npc + 1));

	for (size_t i = 0; i <= s->npc; i++) {
		put32(m, off, false);
		if (i < s->npc)
			off += (uint32_t)s->pc[i].len;
	}
	for (size_t i = 0; i < s->npc; i++)
		fwrite(s->pc[i].p, 1, s->pc[i].len, m);
}

/*
 * Type 4: a classic resource fork (BE header, data at 0x100, map after it)
 * whose one 'cmpf' resource is: LE chunk count, LE {offset, size} per chunk
 * (from the count), the chunks.
 */
static void fork_classic(FILE *m, const struct sfile *s)
{
	uint8_t hdr[16], map[50], zero[RSRC_DATA_OFF - 16] = { 0 };
	uint32_t rlen = (uint32_t)(4 + 8 * s->npc), off = rlen;

	for (size_t i = 0; i < s->npc; i++)
		rlen += (uint32_t)s->pc[i].len;
	st_be32(hdr, RSRC_DATA_OFF);
	st_be32(hdr + 4, RSRC_DATA_OFF + 4 + rlen);
	st_be32(hdr + 8, 4 + rlen);
	st_be32(hdr + 12, sizeof(map));
	fwrite(hdr, 1, 16, m);
	fwrite(zero, 1, sizeof(zero), m);
	put32(m, rlen, true);
	put32(m, (uint32_t)s->npc, false);
	for (size_t i = 0; i < s->npc; i++) {
		put32(m, off, false);
		put32(m, (uint32_t)s->pc[i].len, false);
		off += (uint32_t)s->pc[i].len;
	}
	for (size_t i = 0; i < s->npc; i++)
		fwrite(s->pc[i].p, 1, s->pc[i].len, m);
	mk_rsrc_map(map, hdr);
	fwrite(map, 1, sizeof(map), m);
}

static bool type_inline(unsigned t)
{
	return t == 3 || t == 7 || t == 11 || t == 13;
}

static bool type_fork(unsigned t)
{
	return t == 4 || t == 8 || t == 12 || t == 14;
}

/* The decmpfs value and the fork of s, written into the volume. */
static int write_file(struct mk_vol *v, const struct sfile *s)
{
	char *x = NULL, *f = NULL;
	size_t xlen = 0, flen = 0;
	FILE *xm = open_memstream(&x, &xlen), *fm = open_memstream(&f, &flen);
	int rc = xm && fm ? 0 : -ENOMEM;

	if (!rc) {
		put32(xm, DECMPFS_MAGIC, false);
		put32(xm, s->type, false);
		put32(xm, (uint32_t)s->size, false);
		put32(xm, (uint32_t)(s->size >> 32), false);
		if (type_inline(s->type))
			fwrite(s->pc[0].p, 1, s->pc[0].len, xm);
		else if (s->type == 4)
			fork_classic(fm, s);
		else
			fork_le(fm, s);
	}
	/* Both streams closed, whatever failed: x and f are only complete after it. */
	if (xm && fclose(xm))
		rc = -ENOMEM;
	if (fm && fclose(fm))
		rc = -ENOMEM;
	if (!rc)
		rc = mk_decmpfs_inode(v, s->name, x, xlen, f, flen, s->size);
	free(x);
	free(f);
	return rc;
}

static int check_file(const struct sfile *s)
{
	uint64_t chunks = s->size / CHUNK + (s->size % CHUNK != 0);

	if (type_inline(s->type) && s->npc == 1)
		return 0;
	if (type_fork(s->type) && s->npc == chunks)
		return 0;
	fprintf(stderr, "mkimage: streams: %s: type %u, %llu bytes: wrong number of pieces (%zu)\n",
		s->name, s->type, (unsigned long long)s->size, s->npc);
	return -EINVAL;
}

/* tok: "file" NAME TYPE SIZE PIECE... */
static int one_file(struct mk_vol *v, const char *dir, char **tok, size_t n)
{
	struct sfile s = { .name = tok[1] };
	char *end;
	int rc = 0;

	if (n < 5)
		return -EINVAL;
	s.type = (unsigned)strtoul(tok[2], &end, 0);
	s.size = strtoull(tok[3], &end, 0);
	if (*end)
		return -EINVAL;
	s.npc = n - 4;
	s.pc = calloc(s.npc, sizeof(*s.pc));
	if (!s.pc)
		return -ENOMEM;
	rc = check_file(&s);
	for (size_t i = 0; !rc && i < s.npc; i++)
		rc = slurp(dir, tok[4 + i], &s.pc[i]);
	if (!rc)
		rc = write_file(v, &s);
	for (size_t i = 0; i < s.npc; i++)
		free(s.pc[i].p);
	free(s.pc);
	return rc;
}

static size_t split(char *line, char **tok)
{
	size_t n = 0;

	for (char *t = strtok(line, " \t\r\n"); t && n < MAX_TOKENS; t = strtok(NULL, " \t\r\n"))
		tok[n++] = t;
	return n;
}

/* One manifest line into the image; *open says whether v is a volume begun. */
static int directive(struct mk_image *img, struct mk_vol *v, bool *open, const char *dir,
		     char *line)
{
	static char *tok[MAX_TOKENS];
	size_t n;
	int rc = 0;

	if (strchr(line, '#'))
		*strchr(line, '#') = '\0';
	n = split(line, tok);
	if (n == 0)
		return 0;
	if (n == 2 && !strcmp(tok[0], "volume")) {
		if (*open)
			rc = mk_vol_finish(v);
		*open = !rc;
		return rc ? rc : mk_vol_init(v, img, tok[1], APFS_VOL_ROLE_NONE, true);
	}
	if (!strcmp(tok[0], "file") && *open)
		return one_file(v, dir, tok, n);
	return -EINVAL;
}

static int fill(struct mk_image *img, const char *manifest)
{
	char *copy = strdup(manifest), *line = NULL, *dir;
	size_t cap = 0;
	unsigned lineno = 0;
	struct mk_vol v;
	bool open = false;
	FILE *f = fopen(manifest, "r");
	int rc = f && copy ? 0 : -errno;

	dir = copy ? dirname(copy) : NULL;
	while (!rc && getline(&line, &cap, f) > 0) {
		lineno++;
		rc = directive(img, &v, &open, dir, line);
		if (rc)
			fprintf(stderr, "mkimage: streams: %s:%u: %s\n", manifest, lineno,
				strerror(-rc));
	}
	if (!rc && open)
		rc = mk_vol_finish(&v);
	if (f)
		fclose(f);
	free(line);
	free(copy);
	return rc;
}

/**
 * mk_streams() - the streams command; returns the exit status (0, 1
 * failure, 2 usage).
 * @argc: argument count (argv[1] is "streams")
 * @argv: arguments: OUT.img MANIFEST
 */
int mk_streams(int argc, char **argv)
{
	struct mk_image img;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: mkimage streams OUT.img MANIFEST\n");
		return 2;
	}
	rc = mk_image_init(&img, 4096, (32u << 20) / 4096, 1);
	if (rc)
		return 1;
	mk_rng_bytes(&img.rng, img.sep_id, 16);
	rc = fill(&img, argv[3]);
	if (!rc)
		rc = mk_container_finish(&img);
	if (!rc)
		rc = mk_image_write(&img, argv[2], false);
	mk_kb_free(img.ckb);
	free(img.ckb);
	mk_image_free(&img);
	if (rc)
		fprintf(stderr, "mkimage: streams: no image written (%s)\n", strerror(-rc));
	return rc ? 1 : 0;
}
