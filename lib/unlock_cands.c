/* SPDX-License-Identifier: MIT */
/* unlock_cands.c - candidate secrets in the secure heap (unlock_cands.h). */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/secmem.h"
#include "unlock_cands.h"

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* A secure copy of utf8proc's result, which is wiped and freed. */
static char *secure_take(uint8_t *f, size_t *len)
{
	size_t n = strlen((char *)f);
	char *s = apfs_secret_alloc(n + 1);

	if (s)
		memcpy(s, f, n + 1);
	*len = n;
	OPENSSL_cleanse(f, n);
	free(f);
	return s;
}

int apfsi_normal_forms(const char *s, char *out[2], size_t outlen[2], unsigned *n)
{
	uint8_t *f[2] = { NULL, NULL };
	int ret = 0;

	*n = 0;
	if (is_ascii(s))
		return 0;
	f[0] = utf8proc_NFC((const uint8_t *)s);
	f[1] = utf8proc_NFD((const uint8_t *)s);
	for (int k = 0; k < 2; k++) {
		bool keep = f[k] && strcmp((char *)f[k], s) &&
			    (k == 0 || !f[0] || strcmp((char *)f[0], (char *)f[1]));

		if (!f[k])
			continue;
		if (keep && !ret) {
			out[*n] = secure_take(f[k], &outlen[*n]);
			ret = out[*n] ? 0 : -ENOMEM;
			*n += !ret;
		} else {
			OPENSSL_cleanse(f[k], strlen((char *)f[k]));
			free(f[k]);
		}
		f[k] = NULL;
	}
	return ret;
}

static int grow(struct apfsi_cands *c)
{
	size_t cap = c->cap ? 2 * c->cap : 16;
	char **v = realloc(c->v, cap * sizeof(*v));
	size_t *len, *from;

	if (v)
		c->v = v;
	len = v ? realloc(c->len, cap * sizeof(*len)) : NULL;
	if (len)
		c->len = len;
	from = len ? realloc(c->from, cap * sizeof(*from)) : NULL;
	if (from)
		c->from = from;
	if (!from)
		return -ENOMEM;
	c->cap = cap;
	return 0;
}

/* Append s (already in the secure heap; taken over). */
static int take(struct apfsi_cands *c, char *s, size_t len, size_t from)
{
	if (c->n >= APFSI_MAX_CANDIDATES || (c->n == c->cap && grow(c))) {
		apfs_secret_free(s);
		return c->n >= APFSI_MAX_CANDIDATES ? -E2BIG : -ENOMEM;
	}
	c->v[c->n] = s;
	c->len[c->n] = len;
	c->from[c->n++] = from;
	return 0;
}

int apfsi_cands_add(struct apfsi_cands *c, const char *s, size_t len, size_t from)
{
	char *copy;

	if (len > APFSI_MAX_SECRET)
		return -E2BIG;
	copy = apfs_secret_alloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return take(c, copy, len, from);
}

int apfsi_cands_add_forms(struct apfsi_cands *c)
{
	size_t given = c->n;
	int ret = 0;

	for (size_t i = 0; i < given && !ret; i++) {
		char *f[2];
		size_t fl[2];
		unsigned nf = 0;

		ret = apfsi_normal_forms(c->v[i], f, fl, &nf);
		for (unsigned k = 0; k < nf; k++)
			if (ret)
				apfs_secret_free(f[k]);
			else
				ret = take(c, f[k], fl[k], c->from[i]);
	}
	return ret;
}

void apfsi_cands_free(struct apfsi_cands *c)
{
	for (size_t i = 0; i < c->n; i++)
		apfs_secret_free(c->v[i]);
	free(c->v);
	free(c->len);
	free(c->from);
	memset(c, 0, sizeof(*c));
}
