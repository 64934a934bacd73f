/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify.c - `apfsinspect verify`: read every byte of each layer whose
 * container stores a hash of its data (E01: MD5, SHA-1) and compare.  The
 * first thing an analyst runs on evidence; it needs no APFS at all.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define VERIFY_BUF (4u << 20)
#define LAYERS 16

static const char verify_help[] =
	"usage: apfsinspect verify [--format NAME] IMAGE\n"
	"  Read all of IMAGE and check it against every hash its container stores\n"
	"  (an E01's MD5 and SHA-1).  Exit 0: every stored hash matches; 1: a hash\n"
	"  does not match, the data cannot be read, or no hash is stored.\n"
	"  --format NAME  the image format, instead of detecting it\n";

struct digests {
	EVP_MD_CTX *ctx[APFS_DEV_HASHES];
	unsigned n;
};

static int digests_init(struct digests *d, const struct apfs_dev *dev)
{
	d->n = 0;
	for (unsigned i = 0; i < dev->nhashes; i++) {
		const EVP_MD *md = EVP_get_digestbyname(dev->hashes[i].name);

		d->ctx[i] = EVP_MD_CTX_new();
		d->n = i + 1;
		if (!md || !d->ctx[i] || !EVP_DigestInit_ex(d->ctx[i], md, NULL))
			return -1;
	}
	return 0;
}

static void digests_free(struct digests *d)
{
	for (unsigned i = 0; i < d->n; i++)
		EVP_MD_CTX_free(d->ctx[i]);
}

/* Hash all of dev; 0, or the read error (already named by the layer). */
static int hash_all(struct apfs_dev *dev, struct digests *d, uint8_t *buf)
{
	for (uint64_t off = 0; off < dev->size;) {
		size_t n = dev->size - off < VERIFY_BUF ? (size_t)(dev->size - off) : VERIFY_BUF;
		int ret = apfs_dev_read(dev, buf, n, off);

		if (ret) {
			fprintf(stderr, "apfsinspect: verify: FAILED: %s: bytes %llu-%llu cannot "
				"be read (see above)\n", dev->summary, (unsigned long long)off,
				(unsigned long long)(off + n - 1));
			return ret;
		}
		for (unsigned i = 0; i < d->n; i++)
			EVP_DigestUpdate(d->ctx[i], buf, n);
		off += n;
	}
	return 0;
}

static void print_hex(const uint8_t *v, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		printf("%02x", v[i]);
}

/* Compare each digest with the stored value; the number that differ. */
static unsigned compare(const struct apfs_dev *dev, struct digests *d)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < d->n; i++) {
		const struct apfs_dev_hash *h = &dev->hashes[i];
		uint8_t got[EVP_MAX_MD_SIZE];
		unsigned glen = 0;
		bool ok;

		EVP_DigestFinal_ex(d->ctx[i], got, &glen);
		ok = glen == h->len && !memcmp(got, h->value, glen);
		bad += !ok;
		printf("  %-5s stored   ", h->name);
		print_hex(h->value, h->len);
		printf("\n        computed ");
		print_hex(got, glen);
		printf("  %s\n", ok ? "match" : "MISMATCH");
	}
	return bad;
}

static int verify_layer(struct apfs_dev *dev, uint8_t *buf, unsigned *bad)
{
	struct digests d;
	int ret;

	printf("%s\n", dev->summary);
	ret = digests_init(&d, dev);
	if (ret == 0)
		ret = hash_all(dev, &d, buf);
	if (ret == 0)
		*bad += compare(dev, &d);
	digests_free(&d);
	return ret;
}

static int verify_chain(struct apfs_dev *top, const char *path)
{
	const struct apfs_dev *l[LAYERS];
	size_t n = apfs_dev_chain(top, l, LAYERS);
	uint8_t *buf = malloc(VERIFY_BUF);
	unsigned checked = 0, bad = 0;
	int ret = 0;

	for (size_t i = 0; buf && i < n && ret == 0; i++) {
		if (!l[i]->nhashes)
			continue;
		checked++;
		ret = verify_layer((struct apfs_dev *)(uintptr_t)l[i], buf, &bad);
	}
	free(buf);
	if (!buf || ret)
		return EXIT_ERROR;
	if (!checked) {
		fprintf(stderr, "apfsinspect: verify: '%s' (%s) stores no hash of its data: "
			"nothing to verify it against\n", path, l[0]->summary);
		return EXIT_ERROR;
	}
	printf("%s\n", bad ? "verify: FAILED: the data does not match its stored hash" :
			     "verify: OK: the data matches every stored hash");
	return bad ? EXIT_ERROR : EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	struct apfs_dev *dev = NULL;
	struct cli_opts o;
	int ret = cli_parse(argc, argv, 0, 0, 0, verify_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = apfs_dev_open_format(o.image, o.image_format ? o.image_format : o.format, &dev);
	cli_image_cred_wipe();
	if (ret)
		return cli_exit_code(ret);
	ret = verify_chain(dev, o.image);
	apfs_dev_close(dev);
	return ret;
}
