/* SPDX-License-Identifier: MIT */
/*
 * fz_keybag.c - keybag load and unlock: both keybags of every volume
 * (their blocks given decrypted in the input and encrypted by the harness,
 * fuzz_image.c mode 2), every crypto user listed, every offline user tried
 * with the generator's passwords, and on success the key proved on the fs
 * tree and the root directory listed.  Input: a sparse image.
 */
#include "apfs/fs.h"
#include "keybag/keybag.h"
#include "tests/fuzz/fuzz.h"

static int count(const struct apfs_dirent *d, void *ctx)
{
	(void)d;
	return ++*(unsigned *)ctx > 64;
}

static void users(struct apfs_volume *v)
{
	struct kb_volume_keys *k;
	char flags[128];

	if (kb_load(v->c, v->uuid, &k))
		return;
	for (unsigned i = 0; i < k->nusers; i++) {
		kb_type_name(k->users[i].type);
		kb_type_plist(k->users[i].type);
		kb_flags_str(&k->users[i].kek, flags, sizeof(flags));
	}
	kb_free(k);
}

static void volume(struct apfs_volume *v)
{
	struct apfs_fs *fs;
	unsigned n = 0;

	users(v);
	fuzz_try_unlock(v);
	if (v->xts && apfs_fs_open(v, 0, &fs) == 0) {
		apfs_fs_readdir(fs, 2, 0, count, &n);
		apfs_fs_close(fs);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image_volumes(data, size, volume);
	return 0;
}
