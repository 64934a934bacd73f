/* SPDX-License-Identifier: MIT */
/*
 * plistcheck.c - depth, size and reference checks of an untrusted plist
 * (XML or binary "bplist00") before libplist sees it; see plistcheck.h.
 * Binary layout: Apple's CFBinaryPList.c (trailer of 32 bytes: 6 unused,
 * offset size, reference size, object count, top object, offset table
 * offset, all big-endian).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/plistcheck.h"

struct bplist {
	const uint8_t *p;
	size_t len;
	unsigned osize, rsize;
	uint64_t nobj, top, table;
};

static uint64_t be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int refuse(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return -EINVAL;
}

/* ---- XML ---------------------------------------------------------------- */

/* Skip "<!-- ... -->", "<?...?>", "<!DOCTYPE ...>" starting at i; the index after it. */
static size_t xml_skip_special(const char *s, size_t len, size_t i)
{
	const char *end;

	if (len - i >= 4 && !memcmp(s + i, "<!--", 4)) {
		end = memmem(s + i + 4, len - i - 4, "-->", 3);
		return end ? (size_t)(end - s) + 3 : len;
	}
	end = memchr(s + i, '>', len - i);
	return end ? (size_t)(end - s) + 1 : len;
}

static bool xml_is_container(const char *name, size_t n)
{
	return (n == 5 && !memcmp(name, "array", 5)) || (n == 4 && !memcmp(name, "dict", 4));
}

/*
 * A character reference "&#0;", "&#x00;" ... at s: libplist decodes it to a
 * NUL inside a string, and its getters assert (abort) on such a string.
 */
static bool xml_nul_ref(const char *s, size_t n)
{
	size_t i = 2;
	bool hex = n > 2 && (s[2] == 'x' || s[2] == 'X');

	if (hex)
		i++;
	while (i < n && s[i] == '0')
		i++;
	return i < n && s[i] == ';' && i > 2u + hex;
}

static int xml_check(const char *s, size_t len, unsigned max_depth, size_t max_nodes,
		     char *why, size_t whylen)
{
	size_t i = 0, nodes = 0;
	unsigned depth = 0;
	const char *amp = s;

	if (memchr(s, 0, len))
		return refuse(why, whylen, "a NUL byte in an XML property list");
	while ((amp = memmem(amp, len - (size_t)(amp - s), "&#", 2))) {
		if (xml_nul_ref(amp, len - (size_t)(amp - s)))
			return refuse(why, whylen, "a string holding a NUL character");
		amp += 2;
	}

	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i), *gt;
		size_t n = 0;
		bool close;

		if (!lt)
			break;
		i = (size_t)(lt - s);
		if (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?')) {
			i = xml_skip_special(s, len, i);
			continue;
		}
		close = i + 1 < len && s[i + 1] == '/';
		gt = memchr(s + i, '>', len - i);
		if (!gt)
			break;
		while (i + 1 + close + n < (size_t)(gt - s) &&
		       !strchr(" \t\r\n/", s[i + 1 + close + n]))
			n++;
		if (!close && ++nodes > max_nodes)
			return refuse(why, whylen, "more values than a user database holds");
		if (xml_is_container(s + i + 1 + close, n) && gt[-1] != '/') {
			if (close && depth)
				depth--;
			else if (!close && ++depth > max_depth)
				return refuse(why, whylen, "arrays or dictionaries nested too deep");
		}
		i = (size_t)(gt - s) + 1;
	}
	return 0;
}

/* ---- binary ------------------------------------------------------------- */

static int bp_trailer(struct bplist *b, char *why, size_t whylen)
{
	const uint8_t *t = b->p + b->len - 32;

	b->osize = t[6];
	b->rsize = t[7];
	b->nobj = be(t + 8, 8);
	b->top = be(t + 16, 8);
	b->table = be(t + 24, 8);
	if (!b->osize || b->osize > 8 || !b->rsize || b->rsize > 8)
		return refuse(why, whylen, "binary plist trailer: bad offset or reference size");
	if (!b->nobj || b->nobj > b->len || b->top >= b->nobj)
		return refuse(why, whylen, "binary plist trailer: bad object count or top object");
	if (b->table < 8 || b->table > b->len - 32 ||
	    b->nobj > (b->len - 32 - b->table) / b->osize)
		return refuse(why, whylen, "binary plist: offset table outside the file");
	return 0;
}

/*
 * The references an object holds (arrays, sets: count; dictionaries:
 * 2 x count): their count and where they start, or -1 when out of bounds.
 */
static int bp_refs(const struct bplist *b, uint64_t obj, size_t *start, uint64_t *n)
{
	uint64_t off = be(b->p + b->table + obj * b->osize, b->osize), cnt;
	unsigned type, info;

	*n = 0;
	if (off < 8 || off >= b->table)
		return -1;
	type = b->p[off] >> 4;
	info = b->p[off] & 0xf;
	if (type != 0xa && type != 0xc && type != 0xd)
		return 0;
	cnt = info;
	off++;
	if (info == 0xf) {
		unsigned w;

		if (off >= b->table || b->p[off] >> 4 != 1 || (w = 1u << (b->p[off] & 0xf)) > 8 ||
		    off + 1 + w > b->table)
			return -1;
		cnt = be(b->p + off + 1, w);
		off += 1 + w;
	}
	if (type == 0xd)
		cnt = cnt > UINT64_MAX / 2 ? UINT64_MAX : 2 * cnt;
	if (cnt > (b->table - off) / b->rsize)
		return -1;
	*start = (size_t)off;
	*n = cnt;
	return 0;
}

struct frame {
	uint64_t obj, next, n;
	size_t start;
};

struct walk {
	const struct bplist *b;
	uint8_t *state;   /* 0 new, 1 on the path, 2 done */
	uint64_t *size;   /* expanded size, saturated at max_nodes + 1 */
	struct frame *stack;
	unsigned sp, max_depth;
	uint64_t max_nodes;
};

/*
 * A string object (ASCII 0x5N, UTF-16 0x6N, UTF-8 0x7N) holding a NUL: libplist
 * keeps it, and its getters then assert (abort) on the length mismatch.
 * 1 when it holds one; -1 when the object runs out of bounds.
 */
static int bp_nul_string(const struct bplist *b, uint64_t obj)
{
	uint64_t off = be(b->p + b->table + obj * b->osize, b->osize), cnt, unit;
	unsigned type;

	if (off < 8 || off >= b->table)
		return -1;
	type = b->p[off] >> 4;
	if (type < 5 || type > 7)
		return 0;
	unit = type == 6 ? 2 : 1;
	cnt = b->p[off++] & 0xf;
	if (cnt == 0xf) {
		unsigned w;

		if (off >= b->table || b->p[off] >> 4 != 1 || (w = 1u << (b->p[off] & 0xf)) > 8 ||
		    off + 1 + w > b->table)
			return -1;
		cnt = be(b->p + off + 1, w);
		off += 1 + w;
	}
	if (cnt > (b->table - off) / unit)
		return -1;
	for (uint64_t i = 0; i < cnt; i++)
		if (unit == 1 ? !b->p[off + i] : !(b->p[off + 2 * i] | b->p[off + 2 * i + 1]))
			return 1;
	return 0;
}

/* An array, set or dictionary (its offset already checked by bp_nul_string). */
static bool bp_container(const struct bplist *b, uint64_t obj)
{
	unsigned type = b->p[be(b->p + b->table + obj * b->osize, b->osize)] >> 4;

	return type == 0xa || type == 0xc || type == 0xd;
}

static int bp_push(struct walk *w, uint64_t obj, char *why, size_t whylen)
{
	struct frame *f;
	int nul = bp_nul_string(w->b, obj);

	if (nul)
		return refuse(why, whylen, nul > 0 ? "binary plist: a string holding a NUL "
					 "character" : "binary plist: an object lies outside the file");

	/* Depth counts containers, as in XML: a leaf below max_depth of them takes
	 * the stack's spare frame (max_depth + 1 of them). */
	if (w->sp > w->max_depth || (w->sp == w->max_depth && bp_container(w->b, obj)))
		return refuse(why, whylen, "binary plist: arrays or dictionaries nested too deep");
	f = &w->stack[w->sp++];
	f->obj = obj;
	f->next = 0;
	if (bp_refs(w->b, obj, &f->start, &f->n))
		return refuse(why, whylen, "binary plist: an object lies outside the file");
	w->state[obj] = 1;
	w->size[obj] = 1;
	return 0;
}

/* One step of the depth-first walk: visit the top frame's next child. */
static int bp_step(struct walk *w, char *why, size_t whylen)
{
	struct frame *f = &w->stack[w->sp - 1];
	uint64_t child;

	if (f->next == f->n) {
		w->state[f->obj] = 2;
		w->sp--;
		if (w->sp) {
			uint64_t *ps = &w->size[w->stack[w->sp - 1].obj];

			*ps += w->size[f->obj];
			if (*ps > w->max_nodes)
				*ps = w->max_nodes + 1;
		}
		return 0;
	}
	child = be(w->b->p + f->start + f->next++ * w->b->rsize, w->b->rsize);
	if (child >= w->b->nobj)
		return refuse(why, whylen, "binary plist: a reference names no object");
	if (w->state[child] == 1)
		return refuse(why, whylen, "binary plist: an object contains itself");
	if (w->state[child] == 0)
		return bp_push(w, child, why, whylen);
	w->size[f->obj] += w->size[child];
	if (w->size[f->obj] > w->max_nodes)
		w->size[f->obj] = w->max_nodes + 1;
	return 0;
}

static int bp_check(const uint8_t *p, size_t len, unsigned max_depth, size_t max_nodes,
		    char *why, size_t whylen)
{
	struct bplist b = { .p = p, .len = len };
	struct walk w = { .b = &b, .max_depth = max_depth, .max_nodes = max_nodes };
	int ret;

	if (len < 8 + 1 + 32)
		return refuse(why, whylen, "binary plist shorter than its header and trailer");
	ret = bp_trailer(&b, why, whylen);
	if (ret)
		return ret;
	w.state = calloc((size_t)b.nobj, 1);
	w.size = calloc((size_t)b.nobj, sizeof(*w.size));
	w.stack = calloc(max_depth + 1u, sizeof(*w.stack));
	ret = w.state && w.size && w.stack ? bp_push(&w, b.top, why, whylen) : -ENOMEM;
	while (!ret && w.sp)
		ret = bp_step(&w, why, whylen);
	if (!ret && w.size[b.top] > max_nodes)
		ret = refuse(why, whylen, "binary plist: more values than a user database holds "
					  "once shared objects are expanded");
	free(w.state);
	free(w.size);
	free(w.stack);
	return ret;
}

int plist_check(const void *buf, size_t len, unsigned max_depth, size_t max_nodes, char *why,
		size_t whylen)
{
	const char *s = buf;
	size_t i = 0;

	if (len >= 8 && !memcmp(s, "bplist00", 8))
		return bp_check(buf, len, max_depth, max_nodes, why, whylen);
	if (len >= 6 && !memcmp(s, "bplist", 6))
		return refuse(why, whylen, "binary plist of an unknown version");
	while (i < len && strchr(" \t\r\n", s[i]) && s[i])
		i++;
	if (len - i >= 3 && !memcmp(s + i, "\xef\xbb\xbf", 3))
		i += 3;
	if (i == len || s[i] != '<')
		return refuse(why, whylen, "neither a binary nor an XML property list");
	return xml_check(s, len, max_depth, max_nodes, why, whylen);
}
