/* SPDX-License-Identifier: MIT */
/*
 * scen_macos.c - the `macos-boot` scenario: one APFS container laid out as
 * macOS 11+ lays out an Intel Mac's disk (docs/macos-boot.md): a volume
 * group of a sealed System volume booted from a snapshot and a FileVault
 * Data volume, with Preboot, Recovery and VM beside them.  Every value is
 * in testdata/README.md "macos-boot".
 */
#include <errno.h>
#include <stdio.h>

#include "apfs/apfs.h"
#include "macos.h"

/* Five volumes need more than 4 x 512 MiB (nx_max_file_systems, README). */
#define MACOS_BYTES (2560ull << 20)

/* What macOS installs belongs to root:wheel. */
void mac_root_owned(struct mk_vol *v)
{
	v->own = true;
	v->uid = 0;
	v->gid = 0;
}

void mac_join_group(struct mk_vol *v, const struct mac_group *g)
{
	v->in_group = true;
	memcpy(v->group_id, g->group_id, 16);
}

/* A seed-drawn word of `syl` syllables, capitalised if asked (UTF-8). */
static void word(struct mk_image *img, char *out, size_t len, unsigned syl, bool cap)
{
	static const char *const s[16] = { "ba", "ce", "di", "fo", "gu", "ka", "le", "mi",
					   "no", "pa", "re", "si", "t\xc3\xb6", "vu", "xa", "ze" };
	size_t n = 0;

	out[0] = 0;
	for (unsigned i = 0; i < syl; i++)
		n += (size_t)snprintf(out + n, len - n, "%s", s[mk_rng_next(&img->rng) % 16]);
	if (cap && out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

/*
 * User number k (3 on) of --users: generateduid, then the syllables of its
 * given name (3, ASCII: its short name is that name and k) and family name
 * (3, may hold "ö"), all from the seed; password SHORT-password, hint
 * "hint for SHORT" for even k, uid 500 + k, admin when k is a multiple of
 * 3, a picture for odd k.
 */
static void extra_user(struct mk_image *img, struct mac_user *u, unsigned k)
{
	char given[16], family[32], name[24];

	memset(u, 0, sizeof(*u));
	mk_rng_uuid(&img->rng, u->guid);
	do
		word(img, given, sizeof(given), 3, false);
	while (strstr(given, "\xc3"));
	word(img, family, sizeof(family), 3, true);
	snprintf(name, sizeof(name), "%s%u", given, k);
	snprintf(u->name, sizeof(u->name), "%s", name);
	given[0] = (char)(given[0] - 'a' + 'A');
	snprintf(u->realname, sizeof(u->realname), "%s %s", given, family);
	snprintf(u->password, sizeof(u->password), "%s-password", name);
	if (k % 2 == 0)
		snprintf(u->hint, sizeof(u->hint), "hint for %s", name);
	u->uid = 500 + k;
	u->admin = k % 3 == 0;
	u->picture = k % 2 == 1;
}

/*
 * Everything the seed decides about the group, drawn before any volume in
 * this order: alice's and bob's generateduids, the group (= Data volume)
 * UUID, the SecureAccessToken, the boot snapshot's 64 hex digits, then the
 * --users beyond the first two.
 */
static void draw_group(struct mk_image *img, struct mac_group *g)
{
	static const struct mac_user users[2] = {
		{ "alice", "Alice Appleseed", "alice-password", "alice hint", 501, true, true, { 0 } },
		{ "bob", "Bob Builder", "bob-password", "", 502, false, false, { 0 } },
	};
	uint8_t hex[32];
	int n;

	memcpy(g->users, users, sizeof(users));
	for (unsigned i = 0; i < 2; i++)
		mk_rng_uuid(&img->rng, g->users[i].guid);
	mk_rng_uuid(&img->rng, g->group_id);
	apfs_uuid_str(g->group_id, g->group_str);
	mk_rng_bytes(&img->rng, g->token, sizeof(g->token));
	mk_rng_bytes(&img->rng, hex, sizeof(hex));
	n = snprintf(g->snap_name, sizeof(g->snap_name), "com.apple.os.update-");
	for (unsigned i = 0; i < sizeof(hex); i++)
		n += snprintf(g->snap_name + n, sizeof(g->snap_name) - (size_t)n, "%02X", hex[i]);
	g->files = img->files;
	g->hostile = img->preboot_hostile;
	g->seed = img->seed;
	for (g->nusers = 2; g->nusers < img->users && g->nusers < MAC_MAX_USERS; g->nusers++)
		extra_user(img, &g->users[g->nusers], g->nusers + 1);
}

/* Recovery: /<group>/SystemVersion.plist, as Intel Recovery volumes keep one per install. */
static int recovery_volume(struct mk_image *img, const struct mac_group *g)
{
	static const char text[] = "Recovery for macOS 14.6.1 (23G93)\n";
	struct mk_vol v;
	uint64_t dir;
	int rc = mk_vol_init(&v, img, "Recovery", APFS_VOL_ROLE_RECOVERY, true);

	mac_root_owned(&v);
	if (!rc)
		rc = mk_fs_mkdir(&v, APFS_ROOT_DIR_INO_NUM, g->group_str, &dir);
	if (!rc)
		rc = mk_fs_file(&v, dir, "README.txt", text, sizeof(text) - 1, NULL);
	return rc ? rc : mk_vol_finish(&v);
}

/* VM: empty, as when the Mac is shut down (swap files live there while it runs). */
static int vm_volume(struct mk_image *img)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "VM", APFS_VOL_ROLE_VM, true);

	return rc ? rc : mk_vol_finish(&v);
}

/*
 * The container is MACOS_BYTES, or (with many --files) what the content
 * needs plus an eighth free, a whole number of MiB: written sparse either way.
 */
static int settle(struct mk_image *img)
{
	uint64_t mib = (1u << 20) / img->bs, want = MACOS_BYTES / img->bs;
	uint64_t need = (img->next_paddr + img->next_paddr / 8 + 16 * mib + mib - 1) / mib * mib;

	return mk_image_settle(img, need > want ? need : want);
}

/**
 * mk_fill_macos_boot() - the volumes in nx_fs_oid order: System, Preboot,
 * Recovery, Data, VM (a fresh install's order, docs/macos-boot.md §2,
 * without the Update volume).
 * @img: the image (img->files, img->hardware, img->unencrypted apply)
 */
int mk_fill_macos_boot(struct mk_image *img)
{
	static struct mac_group g;
	int rc;

	draw_group(img, &g);
	img->efi = true;
	img->grow = true;
	rc = mac_system_volume(img, &g);
	if (!rc)
		rc = mac_preboot_volume(img, &g);
	if (!rc)
		rc = recovery_volume(img, &g);
	if (!rc)
		rc = mac_data_volume(img, &g);
	if (!rc)
		rc = vm_volume(img);
	return rc ? rc : settle(img);
}
