/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify.c - `apfsinspect verify`: read every byte of each layer whose
 * container stores a hash of its data (E01: MD5, SHA-1) and compare; then
 * the seal of every sealed volume (verify_seal.c).  The first thing an
 * analyst runs on evidence; the first half needs no APFS at all.
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
	"  (an E01's MD5 and SHA-1), then check the seal of every sealed volume (each\n"
	"  fs-tree node against its hash, up to the root hash).  Exit 0: everything\n"
	"  matches; 1: a hash or a node does not match, the data cannot be read, or\n"
	"  there is nothing to verify against.  Progress goes to stderr when it is a\n"
	"  terminal.\n"
	"  --format NAME  the image format, instead of detecting it\n"
	"  --json         the layers, hashes, seals and verdict as JSON\n";

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

/* The piece of dev at off (VERIFY_BUF bytes or what is left) into every digest. */
static int hash_piece(struct apfs_dev *dev, struct digests *d, uint8_t *buf, uint64_t off)
{
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
	return 0;
}

/* Hash all of dev (progress on a terminal: E01s are GiBs); 0, or the read error. */
static int hash_all(struct apfs_dev *dev, struct digests *d, uint8_t *buf)
{
	struct progress p;
	int ret = 0;

	progress_start(&p, dev->ops->kind, dev->size);
	for (uint64_t off = 0; !ret && off < dev->size;) {
		uint64_t n = dev->size - off < VERIFY_BUF ? dev->size - off : VERIFY_BUF;

		ret = hash_piece(dev, d, buf, off);
		off += n;
		progress_add(&p, n);
	}
	progress_end(&p);
	return ret;
}

static void print_hex(const uint8_t *v, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		printf("%02x", v[i]);
}

static void json_hex(struct json *j, const char *key, const uint8_t *v, unsigned len)
{
	char s[2 * EVP_MAX_MD_SIZE + 1] = "";

	for (unsigned i = 0; i < len && i < EVP_MAX_MD_SIZE; i++)
		snprintf(s + 2 * i, 3, "%02x", v[i]);
	json_str(j, key, s);
}

/* One stored hash against the computed one: text lines, or an object under --json. */
static void show_hash(struct json *j, const struct apfs_dev_hash *h, const uint8_t *got,
		      unsigned glen, bool ok)
{
	if (j) {
		json_obj_open(j, NULL);
		json_str(j, "algorithm", h->name);
		json_hex(j, "stored", h->value, h->len);
		json_hex(j, "computed", got, glen);
		json_bool(j, "match", ok);
		json_obj_close(j);
		return;
	}
	printf("  %-5s stored   ", h->name);
	print_hex(h->value, h->len);
	printf("\n        computed ");
	print_hex(got, glen);
	printf("  %s\n", ok ? "match" : "MISMATCH");
}

/* Compare each digest with the stored value; the number that differ. */
static unsigned compare(const struct apfs_dev *dev, struct digests *d, struct json *j)
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
		show_hash(j, h, got, glen, ok);
	}
	return bad;
}

static int verify_layer(struct apfs_dev *dev, uint8_t *buf, unsigned *bad, struct json *j)
{
	struct digests d;
	int ret;

	if (j) {
		json_obj_open(j, NULL);
		json_str(j, "layer", dev->ops->kind);
		json_str(j, "description", dev->summary);
		json_arr_open(j, "hashes");
	} else {
		printf("%s\n", dev->summary);
	}
	ret = digests_init(&d, dev);
	if (ret == 0)
		ret = hash_all(dev, &d, buf);
	if (ret == 0)
		*bad += compare(dev, &d, j);
	digests_free(&d);
	if (j) {
		json_arr_close(j);
		json_obj_close(j);
	}
	return ret;
}

/* Every stored hash of the chain's layers: *checked of them, *bad not matching. */
static int verify_chain(struct apfs_dev *top, unsigned *checked, unsigned *bad, struct json *j)
{
	const struct apfs_dev *l[LAYERS];
	size_t n = apfs_dev_chain(top, l, LAYERS);
	uint8_t *buf = malloc(VERIFY_BUF);
	int ret = buf ? 0 : -ENOMEM;

	for (size_t i = 0; buf && i < n && ret == 0; i++) {
		if (!l[i]->nhashes)
			continue;
		(*checked)++;
		ret = verify_layer((struct apfs_dev *)(uintptr_t)l[i], buf, bad, j);
	}
	free(buf);
	return ret;
}

static int verdict(const struct cli_opts *o, const struct apfs_dev *dev, unsigned checked,
		   unsigned bad, struct json *j)
{
	const struct apfs_dev *top[1];

	if (j)
		json_str(j, "verdict", !checked ? "nothing_to_verify" : bad ? "failed" : "ok");
	if (!checked) {
		apfs_dev_chain(dev, top, 1);
		fprintf(stderr, "apfsinspect: verify: '%s' (%s) stores no hash of its data and "
			"holds no sealed volume: nothing to verify it against\n", o->image,
			top[0]->summary);
		return EXIT_ERROR;
	}
	if (!j)
		printf("%s\n", bad ? "verify: FAILED: the data does not match what it was sealed or "
			     "hashed as" : "verify: OK: the data matches every stored hash and seal");
	return bad ? EXIT_ERROR : EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	struct cli_image img;
	struct cli_opts o;
	struct json js, *j = NULL;
	unsigned checked = 0, bad = 0;
	int ret = cli_parse(argc, argv, 0, 0, 0, verify_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	/* No APFS inside (evidence of another disk) still has its hashes checked. */
	ret = cli_image_open(&o, &img);
	if (!img.dev)
		return cli_exit_code(ret);
	if (o.json) {
		j = &js;
		json_begin(j, stdout);
		json_str(j, "image", o.image);
		json_arr_open(j, "layers");
	}
	ret = verify_chain(img.dev, &checked, &bad, j);
	if (j) {
		json_arr_close(j);
		json_arr_open(j, "seals");
	}
	if (!ret)
		verify_seals(&img, &checked, &bad, j);
	if (j)
		json_arr_close(j);
	ret = ret ? EXIT_ERROR : verdict(&o, img.dev, checked, bad, j);
	if (j)
		json_end(j);
	cli_image_close(&img);
	return ret;
}
