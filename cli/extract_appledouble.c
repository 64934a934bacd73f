/* SPDX-License-Identifier: MIT */
/*
 * extract_appledouble.c - `extract --appledouble`: a file's extended
 * attributes and resource fork in a `._name` AppleDouble file beside it,
 * laid out as macOS writes one on a file system without xattrs, so that a
 * Mac copying the tree back (cp, ditto, Finder) restores them.
 *
 * Layout (RFC 1740 AppleDouble version 2, with the extended-attribute
 * header xnu puts inside the Finder Info entry, bsd/vfs/vfs_xattr.c; all
 * fields big-endian, no padding between them):
 *
 *     0  magic 0x00051607, version 0x00020000, filler "Mac OS X        ",
 *        2 entries: Finder Info (id 9) at 50, resource fork (id 2) last
 *    50  Finder Info, 32 bytes (com.apple.FinderInfo), 2 bytes of pad
 *    84  'ATTR', debug tag (the inode number), total size (= the fork's
 *        offset), data start, data length, 3 reserved words, flags, count
 *   120  entries: offset, length, flags (16 bits), name length with the
 *        NUL (8 bits), the name; each rounded up to 4 bytes
 *        then the values, one after the other
 *  3810  the resource fork (or xnu's empty fork header of 286 bytes), at
 *        3810 + a multiple of 4096 when the attributes need more room:
 *        xnu makes a 4096-byte file and grows it by 4096.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract.h"

#define AD_FINDERINFO 9
#define AD_RESOURCE 2
#define AD_ATTR_START 120         /* sizeof(attr_header_t) */
#define AD_MAX_HDR 65536          /* entries must end within it (ATTR_MAX_HDR_SIZE) */
#define AD_BUF 4096               /* ATTR_BUF_SIZE */
#define AD_EMPTY_FORK 286         /* sizeof(rsrcfork_header_t) */
#define FINDER_INFO "com.apple.FinderInfo"

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t entry_len(size_t namelen)
{
	return (11 + namelen + 3) & ~(size_t)3;
}

/* An xattr that goes in the attribute area (not the Finder Info, not the fork). */
static bool in_area(const struct ex_xattr *x)
{
	return ex_xattr_kept(x) && x->val && !x->fork &&
	       !(!strcmp(x->name, FINDER_INFO) && x->size == 32) && strlen(x->name) < 255;
}

struct ad_plan {
	size_t entries_end, data_len, fork_off, fork_len, total;
	const struct ex_xattr *fork, *finfo;
	uint16_t count;
};

static int plan(const struct ex_xattrs *xs, struct ad_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->entries_end = AD_ATTR_START;
	for (size_t i = 0; i < xs->n; i++) {
		const struct ex_xattr *x = &xs->e[i];

		if (x->fork && ex_xattr_kept(x) && x->val)
			p->fork = x;
		else if (!strcmp(x->name, FINDER_INFO) && x->size == 32 && x->val)
			p->finfo = x;
		if (!in_area(x))
			continue;
		p->entries_end += entry_len(strlen(x->name) + 1);
		p->data_len += (size_t)x->size;
		p->count++;
	}
	if (p->entries_end > AD_MAX_HDR)
		return -E2BIG;
	p->fork_off = AD_BUF - AD_EMPTY_FORK;
	if (p->entries_end + p->data_len > p->fork_off)
		p->fork_off += (p->entries_end + p->data_len - p->fork_off + AD_BUF - 1) /
			       AD_BUF * AD_BUF;
	p->fork_len = p->fork ? (size_t)p->fork->size : AD_EMPTY_FORK;
	p->total = p->fork_off + p->fork_len;
	return p->total > UINT32_MAX ? -E2BIG : 0;
}

/* xnu's init_empty_resource_fork: a fork header with an empty map. */
static void empty_fork(uint8_t *p)
{
	static const char tag[] = "This resource fork intentionally left blank   ";

	be32(p, 256);
	be32(p + 4, 256);
	be32(p + 12, 30);
	memcpy(p + 16, tag, sizeof(tag) - 1);
	be32(p + 256, 256);
	be32(p + 260, 256);
	be32(p + 268, 30);
	be16(p + 280, 28);     /* mh_Types */
	be16(p + 282, 30);     /* mh_Names */
	be16(p + 284, 0xffff); /* typeCount: -1 */
}

static void put_header(uint8_t *b, const struct apfsi_stat *st, const struct ad_plan *p)
{
	be32(b, 0x00051607);
	be32(b + 4, 0x00020000);
	memcpy(b + 8, "Mac OS X        ", 16);
	be16(b + 24, 2);
	be32(b + 26, AD_FINDERINFO);
	be32(b + 30, 50);
	be32(b + 34, (uint32_t)(p->fork_off - 50));
	be32(b + 38, AD_RESOURCE);
	be32(b + 42, (uint32_t)p->fork_off);
	be32(b + 46, (uint32_t)p->fork_len);
	if (p->finfo)
		memcpy(b + 50, p->finfo->val, 32);
	memcpy(b + 84, "ATTR", 4);
	be32(b + 88, (uint32_t)st->ino);
	be32(b + 92, (uint32_t)p->fork_off);
	be32(b + 96, (uint32_t)p->entries_end);
	be32(b + 100, (uint32_t)p->data_len);
	be16(b + 118, p->count);
}

static void put_attrs(uint8_t *b, const struct ex_xattrs *xs, const struct ad_plan *p)
{
	size_t ent = AD_ATTR_START, data = p->entries_end;

	for (size_t i = 0; i < xs->n; i++) {
		const struct ex_xattr *x = &xs->e[i];
		size_t nl;

		if (!in_area(x))
			continue;
		nl = strlen(x->name) + 1;
		be32(b + ent, (uint32_t)data);
		be32(b + ent + 4, (uint32_t)x->size);
		b[ent + 10] = (uint8_t)nl;
		memcpy(b + ent + 11, x->name, nl);
		memcpy(b + data, x->val, (size_t)x->size);
		ent += entry_len(nl);
		data += (size_t)x->size;
	}
}

uint8_t *ex_appledouble_build(const struct apfsi_stat *st, const struct ex_xattrs *xs,
			      size_t *len)
{
	struct ad_plan p;
	uint8_t *b;

	if (plan(xs, &p)) {
		errno = E2BIG;
		return NULL;
	}
	b = calloc(1, p.total);
	if (!b)
		return NULL;
	put_header(b, st, &p);
	put_attrs(b, xs, &p);
	if (p.fork)
		memcpy(b + p.fork_off, p.fork->val, p.fork_len);
	else
		empty_fork(b + p.fork_off);
	*len = p.total;
	return b;
}

/* Whether st's inode has anything for a `._` file. */
static bool worth_it(const struct ex_xattrs *xs)
{
	for (size_t i = 0; i < xs->n; i++)
		if (ex_xattr_kept(&xs->e[i]))
			return true;
	return false;
}

int ex_appledouble_write(int dirfd, const char *name, const struct apfsi_stat *st,
			 const struct ex_xattrs *xs)
{
	char adname[FS_NAME_MAX + 3];
	uint8_t *b;
	size_t len = 0;
	int fd, ret = 0;

	if (!worth_it(xs))
		return 0;
	if (strlen(name) + 2 > 255)
		return -ENAMETOOLONG;
	snprintf(adname, sizeof(adname), "._%s", name);
	b = ex_appledouble_build(st, xs, &len);
	if (!b)
		return cli_errno(errno);
	fd = openat(dirfd, adname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		ret = cli_errno(errno);
	for (size_t done = 0; !ret && done < len;) {
		ssize_t w = write(fd, b + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			ret = w < 0 ? cli_errno(errno) : -EIO;
		else
			done += (size_t)w;
	}
	if (fd >= 0 && close(fd) && !ret)
		ret = cli_errno(errno);
	free(b);
	return ret;
}
