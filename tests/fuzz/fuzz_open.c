/* SPDX-License-Identifier: MIT */
/*
 * fuzz_open.c - the open sequence of the image targets, as cli/image.c
 * does it: find the containers, open each, open every volume slot; and
 * unlocking with the generator's passwords (testdata/README.md).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keybag/keybag.h"
#include "tests/fuzz/fuzz.h"

/*
 * PBKDF2 rounds the targets will pay for one guess: seeds are generated
 * with --iterations 1; a mutated count above this is the parser's
 * KB_MAX_ITERATIONS business, not worth seconds per execution here.
 */
#define FUZZ_MAX_ITERATIONS 64

static const char *const passwords[] = {
	"demo", "alice-password", "bob-password", "bootstrap-secret", "disk-password",
	"cs-password", "ten-password", "catalina-password", "modern-password",
	"damaged-password", "demo1234abcd5678efgh9012", "password",
};

void fuzz_each_container(struct apfs_dev *dev, fuzz_container_fn fn)
{
	struct apfs_part *parts = NULL;
	unsigned n = 0;

	if (apfs_find_containers(dev, &parts, &n))
		return;
	for (unsigned i = 0; i < n; i++) {
		struct apfs_container *c;

		if (apfs_container_open(dev, parts[i].offset, parts[i].size, 0, &c) == 0) {
			fn(c);
			apfs_container_close(c);
		}
	}
	free(parts);
}

void fuzz_each_volume(struct apfs_container *c, fuzz_volume_fn fn)
{
	for (unsigned i = 0; i < APFS_NX_MAX_FILE_SYSTEMS; i++) {
		struct apfs_volume *v;

		if (apfs_volume_open(c, i, &v) == 0) {
			fn(v);
			apfs_volume_close(v);
		}
	}
}

/* One user, every known password; 1 when the volume took a key. */
static int try_user(struct apfs_volume *v, const struct kb_volume_keys *k,
		    const struct kb_user *u)
{
	uint8_t vek[32], cs[16];
	size_t len;
	int ok = 0;

	if (!u->offline_unlockable || u->kek.iterations > FUZZ_MAX_ITERATIONS)
		return 0;
	for (size_t i = 0; !ok && i < sizeof(passwords) / sizeof(passwords[0]); i++) {
		if (kb_unlock_user(k, u, passwords[i], strlen(passwords[i]), vek, &len, cs))
			continue;
		ok = apfs_volume_set_key(v, vek, len, cs) == 0;
	}
	OPENSSL_cleanse(vek, sizeof(vek));
	return ok;
}

void fuzz_try_unlock(struct apfs_volume *v)
{
	struct kb_volume_keys *k;

	if (!apfs_volume_encrypted(v) || v->xts || kb_load(v->c, v->uuid, &k))
		return;
	for (unsigned i = 0; i < k->nusers && !try_user(v, k, &k->users[i]); i++)
		;
	kb_free(k);
}

/* The image targets' entry: fn on every volume of the sparse image in data. */
static fuzz_volume_fn image_volume_fn;

static void image_container(struct apfs_container *c)
{
	fuzz_each_volume(c, image_volume_fn);
}

void fuzz_image_volumes(const uint8_t *data, size_t size, fuzz_volume_fn fn)
{
	struct apfs_dev *dev;

	fuzz_quiet();
	dev = fuzz_image_dev(data, size);
	image_volume_fn = fn; /* libFuzzer runs one input at a time */
	if (dev)
		fuzz_each_container(dev, image_container);
	fuzz_image_free(dev);
}
