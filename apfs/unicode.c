/* SPDX-License-Identifier: MIT */
/*
 * unicode.c - names on case- and normalization-insensitive volumes.
 *
 * Apple hashes a directory-record name as CRC-32C over the UTF-32LE code
 * points of its canonical decomposition (NFD), case folded on
 * case-insensitive volumes; the record keeps 22 bits of it.  Two names are
 * the same file when their decomposed (folded) forms are equal.  libutf8proc
 * supplies NFD and folding, so no Unicode tables live here.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "fs_int.h"

/* Canonical decomposition (+ case folding), as code points. */
static int decompose(const char *name, size_t len, bool fold, utf8proc_int32_t **out,
		     size_t *n)
{
	utf8proc_option_t opt = UTF8PROC_DECOMPOSE | UTF8PROC_STABLE |
				(fold ? UTF8PROC_CASEFOLD : 0);
	utf8proc_ssize_t cnt, cnt2;
	utf8proc_int32_t *buf;

	if (len > APFS_NAME_MAX * 4)
		return -ENAMETOOLONG;
	cnt = utf8proc_decompose((const utf8proc_uint8_t *)name, (utf8proc_ssize_t)len, NULL,
				 0, opt);
	if (cnt < 0)
		return -EILSEQ;
	buf = malloc(((size_t)cnt + 1) * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	cnt2 = utf8proc_decompose((const utf8proc_uint8_t *)name, (utf8proc_ssize_t)len, buf,
				  cnt, opt);
	if (cnt2 != cnt) {
		free(buf);
		return -EILSEQ;
	}
	*out = buf;
	*n = (size_t)cnt;
	return 0;
}

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), no final xor. */
static uint32_t crc32c(uint32_t crc, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	return crc;
}

/**
 * apfs_name_hash - 22-bit directory-record hash of a name (see fs.h)
 */
int apfs_name_hash(const char *name, size_t len, bool case_fold, uint32_t *hash)
{
	utf8proc_int32_t *cp;
	uint32_t crc = 0xffffffffu;
	size_t n;
	int ret = decompose(name, len, case_fold, &cp, &n);

	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		uint8_t le[4];

		st_le32(le, (uint32_t)cp[i]);
		crc = crc32c(crc, le, 4);
	}
	free(cp);
	*hash = crc & 0x3fffffu;
	return 0;
}

/**
 * apfs_name_fold - comparison form of a name (see fs.h)
 */
int apfs_name_fold(const char *name, size_t len, bool case_fold, char **out)
{
	utf8proc_int32_t *cp;
	size_t n;
	int ret = decompose(name, len, case_fold, &cp, &n);
	utf8proc_ssize_t w;
	char *s;

	if (ret)
		return ret;
	s = malloc(n * 4 + 1);
	if (!s) {
		free(cp);
		return -ENOMEM;
	}
	w = 0;
	for (size_t i = 0; i < n; i++)
		w += utf8proc_encode_char(cp[i], (utf8proc_uint8_t *)s + w);
	s[w] = '\0';
	free(cp);
	*out = s;
	return 0;
}
