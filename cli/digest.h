/* SPDX-License-Identifier: MIT */
/*
 * digest.h - `--hash md5,sha1,sha256`: the digests a command computes over
 * a file's data (stat, bodyfile, timeline), all in one pass (digest.c).
 */
#ifndef CLI_DIGEST_H
#define CLI_DIGEST_H

#include <openssl/evp.h>

#include "cmd_fs.h"

#define DIGEST_MAX 3

/* The algorithms asked for, always in the order md5, sha1, sha256. */
struct digest_set {
	unsigned n;
	const char *name[DIGEST_MAX];   /* "md5", "sha1", "sha256": DFXML's and JSON's names */
	const EVP_MD *md[DIGEST_MAX];
};

/* One file's digests, lower-case hex, in the set's order. */
struct digest_out {
	char hex[DIGEST_MAX][2 * EVP_MAX_MD_SIZE + 1];
};

/*
 * Parse --hash LIST (comma-separated md5, sha1, sha256; each at most once)
 * into set; NULL gives an empty set.  0, or EXIT_USAGE after saying why.
 */
int digest_parse(const char *list, struct digest_set *set);

/* Finish ctx into hex (lower case, NUL-ended: 2 * EVP_MAX_MD_SIZE + 1 bytes at most). 0 or -EIO. */
int digest_hex(EVP_MD_CTX *ctx, char *hex);

/* Index of name in set, or -1 (a command that writes one column of it). */
int digest_index(const struct digest_set *set, const char *name);

/*
 * Hash inode ino's data (decompressed, decrypted: what `cat` writes) with
 * every algorithm of set; path names it in progress and errors.  note,
 * the file's attributes, asks for the warning that bytes read as zeros are
 * not on disk (unstored.c); NULL where the caller says it its own way
 * (stat's line) or has said it (extract's copy).  0 or a negative errno.
 */
int digest_file(apfsi_fs *fs, uint64_t ino, const struct digest_set *set, const char *path,
		const struct apfsi_stat *note, struct digest_out *out);

#endif
