/* SPDX-License-Identifier: MIT */
/*
 * digest.c - several digests of a file's data in one read (OpenSSL EVP):
 * the data is read once, whatever the number of algorithms asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "digest.h"

static const struct {
	const char *name;
	const EVP_MD *(*md)(void);
} algos[DIGEST_MAX] = {
	{ "md5", EVP_md5 },
	{ "sha1", EVP_sha1 },
	{ "sha256", EVP_sha256 },
};

/* Which of algos one item of the list names; -1 for none. */
static int algo_of(const char *item, size_t len)
{
	for (int i = 0; i < DIGEST_MAX; i++)
		if (strlen(algos[i].name) == len && !strncmp(item, algos[i].name, len))
			return i;
	return -1;
}

int digest_parse(const char *list, struct digest_set *set)
{
	bool want[DIGEST_MAX] = { false };
	const char *p = list;

	memset(set, 0, sizeof(*set));
	while (p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int a = algo_of(p, len);

		if (a < 0 || want[a]) {
			fprintf(stderr, "apfsinspect: --hash: '%.*s' is %s (md5, sha1, sha256, "
				"comma-separated, each once)\n", (int)len, p,
				a < 0 ? "not an algorithm" : "given twice");
			return EXIT_USAGE;
		}
		want[a] = true;
		p = comma ? comma + 1 : NULL;
	}
	for (int i = 0; i < DIGEST_MAX; i++)
		if (want[i]) {
			set->name[set->n] = algos[i].name;
			set->md[set->n++] = algos[i].md();
		}
	return 0;
}

int digest_index(const struct digest_set *set, const char *name)
{
	for (unsigned i = 0; i < set->n; i++)
		if (!strcmp(set->name[i], name))
			return (int)i;
	return -1;
}

struct digest_sink {
	EVP_MD_CTX *ctx[DIGEST_MAX];
	unsigned n;
	struct progress prog;
};

static int digest_update(const uint8_t *p, size_t n, void *arg)
{
	struct digest_sink *d = arg;

	for (unsigned i = 0; i < d->n; i++)
		if (!EVP_DigestUpdate(d->ctx[i], p, n))
			return -EIO;
	progress_add(&d->prog, n);
	return 0;
}

static int digest_init(struct digest_sink *d, const struct digest_set *set)
{
	for (d->n = 0; d->n < set->n; d->n++) {
		d->ctx[d->n] = EVP_MD_CTX_new();
		if (!d->ctx[d->n])
			return -ENOMEM;
		if (!EVP_DigestInit_ex(d->ctx[d->n], set->md[d->n], NULL)) {
			d->n++;
			return -EIO;
		}
	}
	return 0;
}

int digest_hex(EVP_MD_CTX *ctx, char *hex)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (!ctx || !EVP_DigestFinal_ex(ctx, dig, &len))
		return -EIO;
	cli_hex(hex, dig, len);
	return 0;
}

static int digest_final(struct digest_sink *d, struct digest_out *out)
{
	for (unsigned i = 0; i < d->n; i++)
		if (digest_hex(d->ctx[i], out->hex[i]))
			return -EIO;
	return 0;
}

int digest_file(apfsi_fs *fs, uint64_t ino, const struct digest_set *set, const char *path,
		const struct apfsi_stat *note, struct digest_out *out)
{
	struct digest_sink d = { { NULL }, 0, { 0 } };
	apfsi_file *f = NULL;
	int ret = digest_init(&d, set);

	if (!ret)
		ret = cli_api_errno(apfsi_file_open(fs, ino, &f));
	/* a digest of zeros that are not the file's bytes is said to be one */
	if (!ret && note)
		fs_unstored_note(path, note, apfsi_file_unstored(f));
	if (!ret) {
		progress_start(&d.prog, path, apfsi_file_size(f));
		ret = fs_read_all(f, digest_update, &d);
		progress_end(&d.prog);
	}
	if (!ret)
		ret = digest_final(&d, out);
	apfsi_file_close(f);
	for (unsigned i = 0; i < d.n; i++)
		EVP_MD_CTX_free(d.ctx[i]);
	return ret;
}
