/* SPDX-License-Identifier: MIT */
/*
 * imagehash.c - the SHA-256 of the evidence file for --hash-image, read
 * O_RDONLY in 1 MiB pieces, with progress on a terminal (images are GiBs).
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_fs.h"
#include "audit.h"
#include "clibase.h"

#define PIECE (1u << 20)

static int hash_fd(int fd, uint64_t size, EVP_MD_CTX *ctx, const char *path)
{
	unsigned char *buf = malloc(PIECE);
	struct progress p;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	progress_start(&p, path, size);
	while ((n = read(fd, buf, PIECE)) > 0) {
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			break;
		progress_add(&p, (uint64_t)n);
	}
	progress_end(&p);
	free(buf);
	return n < 0 ? cli_errno(errno) : n > 0 ? -EIO : 0;
}

int cli_sha256_file(const char *path, char hex[65])
{
	unsigned char md[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0 || !ctx) {
		ret = fd < 0 ? cli_errno(errno) : -ENOMEM;
		goto out;
	}
	if (fstat(fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		ret = -EISDIR;  /* a directory (sparse bundle): see README */
		goto out;
	}
	ret = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ? hash_fd(fd, (uint64_t)st.st_size,
								   ctx, path) : -EIO;
	if (!ret && !EVP_DigestFinal_ex(ctx, md, NULL))
		ret = -EIO;
	if (!ret)
		cli_hex(hex, md, 32);
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(ctx);
	return ret;
}
