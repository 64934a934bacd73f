/* SPDX-License-Identifier: MIT */
/*
 * unlock_cands.h - candidate secrets of an unlock, each in the secure heap
 * (util/secmem.h) and wiped when freed, with the normal forms a non-ASCII
 * password is also tried in.  For lib/unlock.c and the CLI's credentials.
 */
#ifndef LIB_UNLOCK_CANDS_H
#define LIB_UNLOCK_CANDS_H

#include <stddef.h>

/* A secret longer than this is refused (the CLI's longest line, with room). */
#define APFSI_MAX_SECRET 4096
/* Candidates one dictionary unlock takes. */
#define APFSI_MAX_CANDIDATES 100000000u

/*
 * How macOS normalises a non-ASCII password before PBKDF2 is not known
 * (docs/apfs-format.md §5.2), so such a password is also tried in NFC and
 * NFD when those differ from the bytes given (and from each other).  The
 * forms of s (NUL-terminated) into out[0..*n) (secure heap: free with
 * apfs_secret_free), *n 0 to 2; 0 or -ENOMEM.
 */
int apfsi_normal_forms(const char *s, char *out[2], size_t outlen[2], unsigned *n);

struct apfsi_cands {
	char **v;          /* NUL-terminated copies (a candidate may hold NUL bytes) */
	size_t *len;
	size_t *from;      /* the caller's index each came from (its normal forms share it) */
	size_t n, cap;
};

/* Append a copy of s (len bytes); from names it for the caller.  0, -E2BIG or -ENOMEM. */
int apfsi_cands_add(struct apfsi_cands *c, const char *s, size_t len, size_t from);
/* Append the normal forms of every candidate so far (after the originals). */
int apfsi_cands_add_forms(struct apfsi_cands *c);
void apfsi_cands_free(struct apfsi_cands *c);

#endif
