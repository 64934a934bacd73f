/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify.c - `apfsinspect verify`: read every byte of each layer whose
 * container stores a hash of its data (E01: MD5, SHA-1) and compare; then
 * the seal of every sealed volume (verify_seal.c).  The first thing an
 * analyst runs on evidence; the first half needs no APFS at all (the image
 * is opened with APFSI_OPEN_WITHOUT_APFS).  A client of apfsinspect.h only.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "verify.h"

#define VERIFY_BUF (4u << 20)

/* What the checks of one layer need: its index, facts and stored hashes. */
struct layer {
	apfsi_image *img;
	unsigned i;
	struct apfsi_layer_info info;
	struct apfsi_stored_hash hashes[4];
	unsigned nhashes;
};

static const char verify_help[] =
	"usage: apfsinspect verify [--format NAME] IMAGE\n"
	"  Read all of IMAGE and check it against every hash its container stores\n"
	"  (an E01's MD5 and SHA-1), then check the seal of every sealed volume and\n"
	"  snapshot (each fs-tree node against its hash, up to the root hash, then\n"
	"  each file's data against the hashes the tree holds for it).  Exit 0:\n"
	"  everything matches (a live seal broken, as on a Mac with an update staged,\n"
	"  where every snapshot's seal is checked instead); 1: a hash, a node or a\n"
	"  file's data does not match, the data cannot be read, a seal there, or a\n"
	"  volume or snapshot that may hold one, or some of a seal's data hashes, are\n"
	"  not checked (broken, or not readable: INCOMPLETE), or there is nothing to\n"
	"  verify against.  Progress goes to stderr when it is a terminal.\n"
	"  --format NAME  the image format, instead of detecting it\n"
	"  --json         the layers, hashes, seals and verdict as JSON\n";

struct digests {
	EVP_MD_CTX *ctx[4];
	unsigned n;
};

static int digests_init(struct digests *d, const struct layer *l)
{
	d->n = 0;
	for (unsigned i = 0; i < l->nhashes; i++) {
		const EVP_MD *md = EVP_get_digestbyname(l->hashes[i].name);

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

/* The piece of the layer at off (VERIFY_BUF bytes or what is left) into every digest. */
static int hash_piece(const struct layer *l, struct digests *d, uint8_t *buf, uint64_t off)
{
	uint64_t size = l->info.size;
	size_t n = size - off < VERIFY_BUF ? (size_t)(size - off) : VERIFY_BUF, got = 0;
	int ret = apfsi_image_layer_read(l->img, l->i, off, buf, n, &got);

	if (ret || got != n) {
		fprintf(stderr, "apfsinspect: verify: FAILED: %s: bytes %llu-%llu cannot "
			"be read (see above)\n", l->info.description, (unsigned long long)off,
			(unsigned long long)(off + n - 1));
		return ret ? ret : APFSI_ERR_IO;
	}
	for (unsigned i = 0; i < d->n; i++)
		EVP_DigestUpdate(d->ctx[i], buf, n);
	return 0;
}

/* Hash all of the layer (progress on a terminal: E01s are GiBs); 0, or the read error. */
static int hash_all(const struct layer *l, struct digests *d, uint8_t *buf)
{
	uint64_t size = l->info.size;
	struct progress p;
	int ret = 0;

	progress_start(&p, l->info.kind, size);
	for (uint64_t off = 0; !ret && off < size;) {
		uint64_t n = size - off < VERIFY_BUF ? size - off : VERIFY_BUF;

		ret = hash_piece(l, d, buf, off);
		off += n;
		progress_add(&p, n);
	}
	progress_end(&p);
	return ret;
}

static void print_hex(const uint8_t *v, unsigned len)
{
	cli_put_hex(stdout, v, len);
}

static void json_hex(struct json *j, const char *key, const uint8_t *v, unsigned len)
{
	char s[2 * EVP_MAX_MD_SIZE + 1];

	cli_hex(s, v, len < EVP_MAX_MD_SIZE ? len : EVP_MAX_MD_SIZE);
	json_str(j, key, s);
}

/* One stored hash against the computed one: text lines, or an object under --json. */
static void show_hash(struct json *j, const struct apfsi_stored_hash *h, const uint8_t *got,
		      unsigned glen, bool ok)
{
	if (j) {
		json_obj_open(j, NULL);
		json_str(j, "algorithm", h->name);
		json_hex(j, "stored", h->value, (unsigned)h->len);
		json_hex(j, "computed", got, glen);
		json_bool(j, "match", ok);
		json_obj_close(j);
		return;
	}
	printf("  %-5s stored   ", h->name);
	print_hex(h->value, (unsigned)h->len);
	printf("\n        computed ");
	print_hex(got, glen);
	printf("  %s\n", ok ? "match" : "MISMATCH");
}

/* Compare each digest with the stored value; the number that differ. */
static unsigned compare(const struct layer *l, struct digests *d, struct json *j)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < d->n; i++) {
		const struct apfsi_stored_hash *h = &l->hashes[i];
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

static int verify_layer(const struct layer *l, uint8_t *buf, unsigned *bad, struct json *j)
{
	struct digests d;
	int ret;

	if (j) {
		json_obj_open(j, NULL);
		json_str(j, "layer", l->info.kind);
		json_str(j, "description", l->info.description);
		json_arr_open(j, "hashes");
	} else {
		printf("%s\n", l->info.description);
	}
	ret = digests_init(&d, l);
	if (ret == 0)
		ret = hash_all(l, &d, buf);
	if (ret == 0)
		*bad += compare(l, &d, j);
	digests_free(&d);
	if (j) {
		json_arr_close(j);
		json_obj_close(j);
	}
	return ret;
}

/* Layer i's facts and stored hashes: 0, or the library's error. */
static int layer_of(apfsi_image *img, unsigned i, struct layer *l)
{
	int ret = apfsi_image_layer(img, i, &l->info);

	l->img = img, l->i = i, l->nhashes = 0;
	for (unsigned k = 0; !ret && k < l->info.stored_hashes; k++) {
		if (k >= sizeof(l->hashes) / sizeof(l->hashes[0]))
			return APFSI_ERR_UNSUPPORTED;  /* more than any container format stores */
		ret = apfsi_image_layer_hash(img, i, k, &l->hashes[k]);
		l->nhashes += !ret;
	}
	return ret;
}

/* Every stored hash of the chain's layers, counted in *t. */
static int verify_chain(apfsi_image *img, struct verify_tally *t, struct json *j)
{
	struct apfsi_image_info ii;
	struct layer l;
	uint8_t *buf = malloc(VERIFY_BUF);
	int ret = !buf ? APFSI_ERR_NOMEM : apfsi_image_info(img, &ii);

	for (unsigned i = 0; !ret && i < ii.layers; i++) {
		ret = layer_of(img, i, &l);
		if (ret || !l.nhashes)
			continue;
		t->checked++;
		ret = verify_layer(&l, buf, &t->bad, j);
	}
	free(buf);
	return ret;
}

/* Seals, and volumes that may have one, not checked. */
static unsigned unverified(const struct verify_tally *t)
{
	return t->broken + t->unchecked + t->unread + t->unsealed + t->capped + t->partial;
}

/* JSON's verdict: "incomplete" where a seal there, or a volume, was not checked. */
static const char *verdict_name(const struct verify_tally *t)
{
	return t->bad ? "failed" : unverified(t) ? "incomplete" :
	       !t->checked ? "nothing_to_verify" : "ok";
}

/*
 * After sep: "1 seal not checked (said above: 1 broken, as the integrity
 * metadata records)", and volumes not read, whose seal is not known.
 */
static void not_checked(const struct verify_tally *t, const char *sep)
{
	const struct { unsigned n; const char *what; } why[] = {
		{ t->broken, "broken, as the integrity metadata records" },
		{ t->unchecked, "that could not be read" },
		{ t->unsealed, "on snapshots not sealed though their volume is" },
		{ t->capped, "on snapshots past a volume's first 64" },
	};
	unsigned n = t->broken + t->unchecked + t->unsealed + t->capped;
	const char *in = " ";

	if (n) {
		printf("%s%u seal%s not checked (said above:", sep, n, n == 1 ? "" : "s");
		for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
			if (why[i].n) {
				printf("%s%u %s", in, why[i].n, why[i].what);
				in = "; ";
			}
		printf(")");
		sep = "; ";
	}
	if (t->partial) {
		printf("%sthe file data of %u seal%s not all checked (said above)", sep, t->partial,
		       t->partial == 1 ? "" : "s");
		sep = "; ";
	}
	if (t->unread)
		printf("%svolumes, snapshots or containers not read (said above): a seal they may "
		       "have is not checked", sep);
}

static int verdict(const struct cli_opts *o, apfsi_image *img, const struct verify_tally *t,
		   struct json *j)
{
	struct apfsi_layer_info top;

	if (j) {
		json_str(j, "verdict", verdict_name(t));
		json_u64(j, "live_seals_superseded", t->superseded);
	}
	if (!t->checked && !unverified(t)) {
		if (apfsi_image_layer(img, 0, &top))
			top.description = "?";
		fprintf(stderr, "apfsinspect: verify: '%s' (%s) stores no hash of its data and "
			"holds no sealed volume: nothing to verify it against\n", o->image,
			top.description);
		return EXIT_ERROR;
	}
	if (!j) {
		printf("verify: %s", t->bad ? "FAILED: the data does not match what it was sealed "
		       "or hashed as" : unverified(t) ? "INCOMPLETE" :
		       "OK: the data matches every stored hash and seal");
		not_checked(t, t->bad ? "; " : ": ");
		if (!t->bad && unverified(t))
			printf("; %s", t->checked ? "every stored hash and seal checked matches" :
			       "the image stores no hash of its data");
		if (t->superseded)
			printf("; the live tree of %u volume%s is not checked: its seal is broken, as "
			       "the integrity metadata records, and the seal of every snapshot of it "
			       "was checked instead", t->superseded, t->superseded == 1 ? "" : "s");
		printf("\n");
	}
	return t->bad || unverified(t) ? EXIT_ERROR : EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	apfsi_image *img;
	struct cli_opts o;
	struct json js, *j = NULL;
	struct verify_tally t = { 0 };
	int ret = cli_parse(argc, argv, 0, 0, 0, verify_help, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	/* With or without APFS inside: evidence of another disk still has its hashes. */
	if ((ret = cli_api_open_flags(&o, APFSI_OPEN_WITHOUT_APFS, &img)))
		return ret;
	if (o.json) {
		j = &js;
		json_begin(j, stdout);
		json_str(j, "image", o.image);
		json_arr_open(j, "layers");
	}
	ret = verify_chain(img, &t, j);
	if (j) {
		json_arr_close(j);
		json_arr_open(j, "seals");
	}
	if (!ret)
		verify_seals(img, &t, j);
	if (j)
		json_arr_close(j);
	ret = ret ? EXIT_ERROR : verdict(&o, img, &t, j);
	if (j)
		json_end(j);
	apfsi_image_close(img);
	return ret;
}
