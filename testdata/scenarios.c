/* SPDX-License-Identifier: MIT */
/*
 * scenarios.c - the named images (documented with their credentials in
 * testdata/README.md).  Each scenario fills volumes through mk_fs_*() and
 * declares crypto users; the image and container code does the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mk.h"

#define MARKER "all-users marker\n"

struct scenario {
	const char *name;
	const char *what;
	uint64_t bytes;           /* container size */
	int (*fill)(struct mk_image *img);
};

/**
 * mk_pattern() - deterministic non-zero content: byte i of a file depends
 * on i, the seed and what was drawn from the generator before.
 * @img: the image whose generator is drawn from
 * @len: bytes wanted
 */
uint8_t *mk_pattern(struct mk_image *img, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (p)
		mk_rng_bytes(&img->rng, p, len);
	return p;
}

/* The small tree most scenario volumes have (README "The small tree"). */
int mk_small_tree(struct mk_vol *v)
{
	uint64_t root = APFS_ROOT_DIR_INO_NUM, dir, sub, ino;
	const char *hello = "hello, world\n";
	uint8_t *multi = mk_pattern(v->img, 5 * v->img->bs + 100);
	int rc = multi ? 0 : -ENOMEM;

	if (!rc)
		rc = mk_fs_file(v, root, "hello.txt", hello, strlen(hello), &ino);
	if (!rc)
		rc = mk_fs_xattr(v, ino, "com.example.note", "xattr value", 11);
	if (!rc)
		rc = mk_fs_mkdir(v, root, "dir", &dir);
	if (!rc)
		rc = mk_fs_file(v, dir, "nested.txt", "nested\n", 7, NULL);
	if (!rc)
		rc = mk_fs_mkdir(v, dir, "sub", &sub);
	if (!rc)
		rc = mk_fs_file(v, sub, "deep.txt", "deep\n", 5, NULL);
	if (!rc)
		rc = mk_fs_file(v, root, "empty.txt", NULL, 0, NULL);
	if (!rc)
		rc = mk_fs_symlink(v, root, "link", "hello.txt");
	if (!rc)
		rc = mk_fs_file(v, root, "Caf\xc3\xa9.txt", "caf\xc3\xa9\n", 6, NULL);
	v->max_extent_blocks = 2;
	if (!rc)
		rc = mk_fs_file(v, root, "multi.bin", multi, 5 * v->img->bs + 100, NULL);
	v->max_extent_blocks = 1ull << 20;
	free(multi);
	return rc;
}

static int marker_vol(struct mk_vol *v)
{
	int rc = mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, "marker.txt", MARKER, strlen(MARKER),
			    NULL);

	return rc ? rc : mk_small_tree(v);
}

/* /hardlink-a.txt and /dir/hardlink-b.txt: one inode, two names. */
static int hardlinks(struct mk_vol *v)
{
	static const char *const names[] = { "hardlink-a.txt", "hardlink-b.txt" };
	uint64_t parents[2] = { APFS_ROOT_DIR_INO_NUM, 0 };

	/* "dir" is the first directory the small tree creates. */
	for (uint64_t i = APFS_MIN_USER_INO_NUM; i < v->ninodes && !parents[1]; i++)
		if (v->inodes[i].name && !strcmp(v->inodes[i].name, "dir"))
			parents[1] = i;
	return mk_fs_hardlinks(v, parents, names, 2, "linked\n", 7);
}

/*
 * Directory statistics kept for /dir, counted by hand from the tree: below
 * it are nested.txt (7 bytes), sub, hardlink-b.txt (7) and sub/deep.txt (5):
 * 4 entries, 19 bytes.  /dir/sub is a member: it shares /dir's record.
 */
static int basic_dir_stats(struct mk_vol *v)
{
	uint64_t dir = 0, sub = 0;
	int rc;

	for (uint64_t i = APFS_MIN_USER_INO_NUM; i < v->ninodes; i++) {
		if (v->inodes[i].name && !strcmp(v->inodes[i].name, "dir"))
			dir = i;
		if (v->inodes[i].name && !strcmp(v->inodes[i].name, "sub"))
			sub = i;
	}
	if (!dir || !sub)
		return -ENOENT;
	rc = mk_fs_dir_stats(v, dir, 4, 7 + 5 + 7);
	return rc ? rc : mk_fs_dir_stats_member(v, sub, dir);
}

/* basic's volume; with stats, directory statistics too (dir-stats). */
static int basic_vol(struct mk_image *img, const char *name, bool stats)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, name, APFS_VOL_ROLE_NONE, true);

	if (!rc)
		rc = mk_small_tree(&v);
	if (!rc)
		rc = hardlinks(&v);
	if (!rc && stats)
		rc = basic_dir_stats(&v);
	return rc ? rc : mk_vol_finish(&v);
}

static int fill_basic(struct mk_image *img)
{
	return basic_vol(img, "Basic", false);
}

#define UNHASHED_MANY 3000       /* /many's files, unless --per-dir says */
#define UNHASHED_MANY_MAX 100000 /* what the 64 MiB container holds */

/* /names: one name in NFC and NFD, and in two cases: four files on such a volume. */
static int unhashed_names(struct mk_vol *v)
{
	static const char *const names[][2] = {
		{ "Caf\xc3\xa9.txt", "nfc\n" }, { "Cafe\xcc\x81.txt", "nfd\n" },
		{ "readme", "lower\n" }, { "README", "upper\n" },
	};
	uint64_t dir;
	int rc = mk_fs_mkdir(v, APFS_ROOT_DIR_INO_NUM, "names", &dir);

	for (size_t i = 0; !rc && i < sizeof(names) / sizeof(names[0]); i++)
		rc = mk_fs_file(v, dir, names[i][0], names[i][1], strlen(names[i][1]), NULL);
	return rc;
}

/*
 * One volume `Unhashed`, case- and normalization-sensitive, its directory
 * records without a name hash: basic's tree, /names, and /many, n (3000 or
 * --per-dir) empty files m0000.txt, m0001.txt ... but m1234.txt =
 * "entry 1234\n".
 */
static int fill_unhashed(struct mk_image *img)
{
	uint64_t n = img->per_dir ? img->per_dir : UNHASHED_MANY, dir;
	struct mk_vol v;
	char name[32];
	int rc;

	if (n > UNHASHED_MANY_MAX) {
		fprintf(stderr, "mkimage: unhashed: --per-dir %llu is past %u\n",
			(unsigned long long)n, UNHASHED_MANY_MAX);
		return -EINVAL;
	}
	rc = mk_vol_init_unhashed(&v, img, "Unhashed", APFS_VOL_ROLE_NONE);

	if (!rc)
		rc = mk_small_tree(&v);
	if (!rc)
		rc = hardlinks(&v);
	if (!rc)
		rc = unhashed_names(&v);
	if (!rc)
		rc = mk_fs_mkdir(&v, APFS_ROOT_DIR_INO_NUM, "many", &dir);
	for (unsigned i = 0; !rc && i < n; i++) {
		snprintf(name, sizeof(name), "m%04u.txt", i);
		rc = mk_fs_file(&v, dir, name, "entry 1234\n", i == 1234 ? 11 : 0, NULL);
	}
	return rc ? rc : mk_vol_finish(&v);
}

/* Not in basic: libfsapfs 20201107 rejects the dir-stats field, and basic is checked with it. */
static int fill_dir_stats(struct mk_image *img)
{
	return basic_vol(img, "Stats", true);
}

static const struct mk_user data_users[] = {
	{ "5A4B3C2D-1E0F-4A5B-8C7D-6E5F4A3B2C1D", "alice-password", "alice hint", MK_KEK_256,
	  false, 0 },
	{ "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9", "bob-password", NULL, MK_KEK_256, false, 0 },
	{ "EBC6C064-0000-11AA-AA11-00306543ECAC", "ABCD-EFGH-IJKL-MNOP-QRST-UVWX", NULL,
	  MK_KEK_256, false, 0 },
	{ "2457711A-523C-4604-B75A-F48A571D5036", "bootstrap-secret", NULL, MK_KEK_256, false, 0 },
	{ "EC1C2AD9-B618-4ED6-BD8D-50F361C27507", "icloud-user-secret", NULL, MK_KEK_256, false, 0 },
	{ "64C0C6EB-0000-11AA-AA11-00306543ECAC", "icloud-external-secret", NULL, MK_KEK_256,
	  true, 0 },
	{ "2FA31400-BAFF-4DE7-AE2A-C3AA6E1FD340", "institutional-user-secret", NULL, MK_KEK_256,
	  false, 0 },
	{ "C064EBC6-0000-11AA-AA11-00306543ECAC", "institutional-external-secret", NULL,
	  MK_KEK_256, true, 0 },
};

static int keyed_vol(struct mk_image *img, const char *name, uint16_t role, bool cs128,
		     unsigned kek_len, const struct mk_user *u, size_t nu)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, name, role, true);

	if (!rc)
		rc = mk_vol_encrypt(&v, cs128, kek_len);
	for (size_t i = 0; !rc && i < nu; i++)
		rc = mk_vol_add_user(&v, &u[i]);
	if (!rc)
		rc = marker_vol(&v);
	return rc ? rc : mk_vol_finish(&v);
}

static int encrypted_vol(struct mk_image *img, const char *name, uint16_t role,
			 const struct mk_user *u, size_t nu)
{
	return keyed_vol(img, name, role, false, 32, u, nu);
}

static int fill_all_users(struct mk_image *img)
{
	static const struct mk_user disk = { NULL, "disk-password", "disk hint", MK_KEK_256,
					     false, 0 };
	struct mk_vol v;
	int rc = encrypted_vol(img, "Data", APFS_VOL_ROLE_DATA, data_users,
			       sizeof(data_users) / sizeof(data_users[0]));

	if (!rc)
		rc = encrypted_vol(img, "Backup", APFS_VOL_ROLE_NONE, &disk, 1);
	if (!rc)
		rc = mk_vol_init(&v, img, "Plain", APFS_VOL_ROLE_NONE, true);
	if (!rc)
		rc = marker_vol(&v);
	return rc ? rc : mk_vol_finish(&v);
}

static int fill_demo(struct mk_image *img)
{
	static const struct mk_user u[] = {
		{ "3D5A2E71-8C4B-4F0A-9E16-2B7C5D8A4F03", "demo", "the usual", MK_KEK_256, false, 0 },
		{ "EBC6C064-0000-11AA-AA11-00306543ECAC", "DEMO-1234-ABCD-5678-EFGH-9012", NULL,
		  MK_KEK_256, false, 0 },
	};

	return encrypted_vol(img, "Demo", APFS_VOL_ROLE_DATA, u, 2);
}

/*
 * Key variants: a CoreStorage-converted volume (128-bit VEK with its own
 * blob UUID, 128-bit KEK, users with flags 0x02 and 0x10), a Catalina-style
 * one (128-bit KEK, 256-bit VEK) and a modern one; each also holds a
 * hardware-bound (0x01) user and a macOS 26 (22-byte metadata) user; the
 * modern one also a user whose password is non-ASCII (stored NFD).
 */
static int fill_key_variants(struct mk_image *img)
{
	static const struct mk_user legacy[] = {
		{ "A1B2C3D4-0001-4000-8000-000000000001", "cs-password", "cs hint", MK_KEK_CS128,
		  false, 0 },
		{ "A1B2C3D4-0002-4000-8000-000000000002", "ten-password", NULL, MK_KEK_0X10, false, 0 },
		{ "A1B2C3D4-0003-4000-8000-000000000003", NULL, NULL, MK_KEK_HW, false, 0 },
		{ "A1B2C3D4-0004-4000-8000-000000000004", NULL, NULL, MK_KEK_MACOS26, false, 0 },
	};
	static const struct mk_user catalina[] = {
		{ "A1B2C3D4-0005-4000-8000-000000000005", "catalina-password", NULL, MK_KEK_CS128,
		  false, 0 },
	};
	static const struct mk_user modern[] = {
		{ "A1B2C3D4-0006-4000-8000-000000000006", "modern-password", NULL, MK_KEK_256,
		  false, 0 },
		/*
		 * "pässwörd" as macOS stores it for PBKDF2: fully decomposed (NFD).
		 * Before the hardware-bound users, since libfsapfs stops at those.
		 */
		{ "A1B2C3D4-0009-4000-8000-000000000009", "pa\xcc\x88ssw" "o\xcc\x88rd", NULL,
		  MK_KEK_256, false, 0 },
		{ "A1B2C3D4-0007-4000-8000-000000000007", NULL, NULL, MK_KEK_HW, false, 0 },
		{ "A1B2C3D4-0008-4000-8000-000000000008", NULL, NULL, MK_KEK_MACOS26, false, 0 },
	};
	int rc = keyed_vol(img, "Legacy", APFS_VOL_ROLE_DATA, true, 16, legacy, 4);

	if (!rc)
		rc = keyed_vol(img, "Catalina", APFS_VOL_ROLE_NONE, false, 16, catalina, 1);
	return rc ? rc : keyed_vol(img, "Modern", APFS_VOL_ROLE_NONE, false, 32, modern, 4);
}

static const struct scenario scenarios[] = {
	{ "basic", "one plain volume with a small tree", 16ull << 20, fill_basic },
	{ "dir-stats", "basic's tree with directory statistics, in both layouts", 16ull << 20,
	  fill_dir_stats },
	{ "unhashed", "directory records without a name hash (case- and normalization-sensitive)",
	  64ull << 20, fill_unhashed },
	{ "all-users", "3 volumes: Data (8 crypto users), Backup (Disk User), Plain",
	  1536ull << 20, fill_all_users },
	{ "demo", "one encrypted volume: user demo/demo and a recovery key", 16ull << 20,
	  fill_demo },
	{ "many-files", "100,000 files in 100 directories, case variants, a 64-level tree",
	  128ull << 20, mk_fill_many_files },
	{ "big-dir", "one directory of 100,000 entries on a case-insensitive volume",
	  64ull << 20, mk_fill_big_dir },
	{ "large", "sparse 1 GiB file, a 64 MiB file with a hole, 8 MiB in 8 extents",
	  2ull << 30, mk_fill_large },
	{ "huge-file", "one file of 5 GiB + 4 KiB: a hole, then data past 2^32", 16ull << 20,
	  mk_fill_huge_file },
	{ "snapshot", "a volume with snapshot 'before' holding older file versions", 16ull << 20,
	  mk_fill_snapshot },
	{ "snapshot-diff", "snapshot 'before' and a live tree differing by a documented list",
	  16ull << 20, mk_fill_snapshot_diff },
	{ "snapshot-diff-encrypted", "snapshot-diff on an encrypted volume (password diff)",
	  16ull << 20, mk_fill_snapshot_diff_encrypted },
	{ "snapshot-many", "100,000 files at snapshot 'before', four of them changed since",
	  128ull << 20, mk_fill_snapshot_many },
	{ "sealed", "a sealed System volume: hashed no-header fs tree, fext tree, integrity meta",
	  64ull << 20, mk_fill_sealed },
	{ "sealed-update", "a sealed volume booted from a sealed snapshot, its live seal broken "
	  "by a staged update", 32ull << 20, mk_fill_sealed_update },
	{ "compression", "decmpfs: zlib (xattr, resource fork), LZVN/LZFSE/LZBITMAP raw chunks",
	  1024ull << 20, mk_fill_compression },
	{ "key-variants", "CoreStorage 128-bit, 0x10, Catalina, hardware-bound, macOS 26 keys",
	  1536ull << 20, fill_key_variants },
	{ "bad-keybag-checksum", "damaged: container keybag fails its checksum", 16ull << 20,
	  mk_fill_bad_keybag_checksum },
	{ "keybag-entry-overrun", "damaged: a volume-keybag entry runs past kl_nbytes",
	  16ull << 20, mk_fill_entry_overrun },
	{ "der-length-past-end", "damaged: a KEK blob's DER length runs past its entry",
	  16ull << 20, mk_fill_der_length },
	{ "huge-iterations", "damaged: a crypto user with 2^32 PBKDF2 iterations", 16ull << 20,
	  mk_fill_huge_iterations },
	{ "btree-loop", "damaged: an fs-tree index entry points back at the root", 16ull << 20,
	  mk_fill_btree_loop },
	{ "truncated", "damaged: the basic image cut off halfway through its blocks", 16ull << 20,
	  mk_fill_truncated },
	{ "times", "one file and one directory whose four times differ in seconds and nanoseconds",
	  16ull << 20, mk_fill_times },
	{ "orphans", "files deleted while still open, kept in the private directory (--per-dir N "
	  "more)", 64ull << 20, mk_fill_orphans },
	{ "orphans-misnamed", "hostile: --per-dir N (300) files of link count 0, each entry of the "
	  "private directory misnamed", 64ull << 20, mk_fill_orphans_misnamed },
	{ "orphans-snapshot", "orphans at snapshot 'before' and live: one closed since, one still "
	  "written, one deleted after it", 16ull << 20, mk_fill_orphans_snapshot },
	{ "names", "hostile names: newline, tab, CR, '|', '\\', ESC, BEL, DEL, bad UTF-8, 255 bytes",
	  16ull << 20, mk_fill_names },
	{ "dir-cycle", "hostile: directories listed under /a/b and /c point back at /a and /a/b",
	  16ull << 20, mk_fill_dir_cycle },
	{ "size-claims", "hostile: a stream claiming 2^50 bytes, decmpfs forks claiming 2^40",
	  64ull << 20, mk_fill_size_claims },
	{ "decmpfs-edges", "hostile: decmpfs chunks, headers and forks one byte each side of a bound",
	  16ull << 20, mk_fill_decmpfs_edges },
	{ "macos-boot", "an Intel Mac's disk: sealed System + FileVault Data group, Preboot, "
	  "Recovery, VM", 2560ull << 20, mk_fill_macos_boot },
	{ "group-firmlinks", "hostile: a System/Data group whose firmlinks file mixes good and "
	  "hostile lines", 32ull << 20, mk_fill_group_firmlinks },
	{ "group-firmlinks-64k", "group-firmlinks with its firmlinks file padded to 64 KiB",
	  32ull << 20, mk_fill_group_firmlinks_64k },
	{ "group-firmlinks-64k1", "group-firmlinks with its firmlinks file padded to 64 KiB + 1",
	  32ull << 20, mk_fill_group_firmlinks_64k1 },
	{ "bench", "for make bench: Plain and Secret, each /big.bin (256 MiB) and 1000 small files",
	  0, mk_fill_bench },
	{ "scale", "one volume of --entries N entries (up to 100 million), written as it is made",
	  16ull << 20, mk_fill_scale },
};

#define NSCEN (sizeof(scenarios) / sizeof(scenarios[0]))

void mk_scenario_list(void)
{
	for (size_t i = 0; i < NSCEN; i++)
		printf("%-22s %s\n", scenarios[i].name, scenarios[i].what);
}

/**
 * mk_scenario() - build scenario `name` into the file `out`.
 */
int mk_scenario(const char *name, const char *out, const struct mk_opts *o)
{
	const struct scenario *s = NULL;
	struct mk_image img;
	int rc;

	for (size_t i = 0; i < NSCEN; i++)
		if (!strcmp(scenarios[i].name, name))
			s = &scenarios[i];
	if (!s)
		return -ENOENT;
	/* Size 0: the container grows with --big-size (bench). */
	rc = mk_image_init(&img, o->block_size,
			   (s->bytes ? s->bytes : mk_bench_bytes(o->big_size)) / o->block_size,
			   o->seed);
	if (rc)
		return rc;
	img.iterations = o->iterations;
	img.big_size = o->big_size;
	img.unencrypted = o->unencrypted;
	img.sealed_ref = o->sealed_ref;
	img.hardware = o->hardware;
	img.files = o->files;
	img.entries = o->entries;
	img.per_dir = o->per_dir;
	img.depth = o->depth;
	img.shuffle = o->shuffle;
	img.out_path = out;
	img.out_gpt = o->gpt;
	img.preboot_xml = o->preboot_xml;
	img.users = o->users;
	img.preboot_hostile = o->preboot_hostile;
	mk_rng_bytes(&img.rng, img.sep_id, 16);
	rc = s->fill(&img);
	if (!rc)
		rc = mk_container_finish(&img);
	if (!rc)
		rc = mk_image_write(&img, out, o->gpt);
	mk_kb_free(img.ckb);
	free(img.ckb);
	mk_image_free(&img);
	return rc;
}
