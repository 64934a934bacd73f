/* SPDX-License-Identifier: MIT */
/*
 * test_libapi.c - the public API's error paths (include/apfsinspect.h):
 * bad arguments, what is not there, an ambiguous volume choice, a locked
 * volume, a damaged fs tree (CORRUPT, the message naming the block, the
 * log callback told), and the thread-local message; with a few reads of
 * the generated scenarios whose contents testdata/README.md lists: `basic`
 * ("The small tree"), `snapshot` (a file at the snapshot and now),
 * `macos-boot` (the Mac's root over a locked Data volume), and `basic` in
 * an encrypted disk image (its passphrase through the callback), `big-dir`
 * (100,000 names in one directory, handed out across many batches).  Images come from $MKIMAGE; the two-container disk
 * is laid out by util-linux sfdisk (tests/cli/partitions.sh does the same).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apfsinspect.h"
#include "lib/internal.h"
#include "util/bytes.h"

#include "libtest.h"

static bool have_two;

static int setup(void **state)
{
	(void)state;
	if (scratch_setup("libapi", "basic basic.img", "demo demo.img", "snapshot snap.img",
			  "macos-boot mb.img", "big-dir big.img", "truncated trunc.img",
			  "basic enc.dmg --wrap encrypted --image-passphrase 'pw-of-image' "
			  "--image-iterations 1000", NULL) ||
	    sh("cd '%s' && head -c 1048576 /dev/zero > zeros.img", scratch_dir))
		return -1;
	/* Two containers on one GPT disk, each holding a volume named Basic. */
	have_two = !sh("cd '%s' && truncate -s 40M two.img && printf 'label: gpt\\n"
		       "start=2048, size=32768, type=7C3457EF-0000-11AA-AA11-00306543ECAC\\n"
		       "start=36864, size=32768, type=7C3457EF-0000-11AA-AA11-00306543ECAC\\n' | "
		       "sfdisk -q two.img >/dev/null 2>&1 && "
		       "dd if=basic.img of=two.img bs=512 seek=2048 conv=notrunc status=none && "
		       "dd if=basic.img of=two.img bs=512 seek=36864 conv=notrunc status=none",
		       scratch_dir);
	return 0;
}

static apfsi_fs *open_fs(const char *name, apfsi_image **img)
{
	apfsi_volume *vol;
	apfsi_fs *fs;

	assert_int_equal(apfsi_image_open(img_path(name), NULL, img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(*img, NULL, &vol), APFSI_OK);
	assert_int_equal(apfsi_fs_open(vol, NULL, 0, &fs), APFSI_OK);
	return fs;
}

/* A failure's code, and a message that is not empty. */
#define expect_fail(call, code) do { \
		assert_int_equal((call), (code)); \
		assert_true(apfsi_last_message()[0] != '\0'); \
	} while (0)

static void test_invalid(void **state)
{
	struct apfsi_image_info ii;
	struct apfsi_stat st;
	apfsi_image *img;
	apfsi_fs *fs;
	char buf[8];

	(void)state;
	expect_fail(apfsi_image_open(NULL, NULL, &img), APFSI_ERR_INVALID);
	expect_fail(apfsi_image_open("x", NULL, NULL), APFSI_ERR_INVALID);
	expect_fail(apfsi_image_info(NULL, &ii), APFSI_ERR_INVALID);
	expect_fail(apfsi_fs_open(NULL, NULL, 0, &fs), APFSI_ERR_INVALID);
	expect_fail(apfsi_fs_stat(NULL, 2, &st), APFSI_ERR_INVALID);
	expect_fail(apfsi_file_pread(NULL, 0, buf, 1, NULL), APFSI_ERR_INVALID);
	expect_fail(apfsi_dir_next(NULL, NULL), APFSI_ERR_INVALID);
	fs = open_fs("basic.img", &img);
	expect_fail(apfsi_fs_stat_path(fs, NULL, &st), APFSI_ERR_INVALID);
	expect_fail(apfsi_fs_readlink(fs, 2, NULL, 0), APFSI_ERR_INVALID);
	expect_fail(apfsi_file_open_fork(fs, 2, "data", (apfsi_file **)buf), APFSI_ERR_INVALID);
	apfsi_fs_close(fs);
	apfsi_image_close(img);
	assert_string_equal(apfsi_strerror(9999), "unknown error");
	assert_string_equal(apfsi_strerror(-1), "unknown error");
	assert_string_equal(apfsi_version(), APFSI_VERSION);
}

/* The layers' negative errnos, util/err.h's own codes among them. */
static void test_codes(void **state)
{
	(void)state;
	assert_int_equal(apfsi_code(0), APFSI_OK);
	assert_int_equal(apfsi_code(-ENOMEM), APFSI_ERR_NOMEM);
	assert_int_equal(apfsi_code(-APFS_ECORRUPT), APFSI_ERR_CORRUPT);
	assert_int_equal(apfsi_code(-APFS_EBADCSUM), APFSI_ERR_CORRUPT);
	assert_int_equal(apfsi_code(-APFS_ETRUNC), APFSI_ERR_TRUNCATED);
	assert_int_equal(apfsi_code(-APFS_ENOTAPFS), APFSI_ERR_NOT_APFS);
	assert_int_equal(apfsi_code(-APFS_ELOCKED), APFSI_ERR_LOCKED);
	assert_int_equal(apfsi_code(-APFS_EREJECTED), APFSI_ERR_WRONG_CREDENTIAL);
	assert_int_equal(apfsi_code(-APFS_EHWBOUND), APFSI_ERR_HW_BOUND);
	assert_int_equal(apfsi_code(-ENOTSUP), APFSI_ERR_UNSUPPORTED);
	assert_int_equal(apfsi_code(-ENOENT), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_code(-ENOTDIR), APFSI_ERR_NOT_DIR);
	assert_int_equal(apfsi_code(-EISDIR), APFSI_ERR_IS_DIR);
	assert_int_equal(apfsi_code(-ELOOP), APFSI_ERR_LOOP);
	assert_int_equal(apfsi_code(-ENAMETOOLONG), APFSI_ERR_NAME_TOO_LONG);
	assert_int_equal(apfsi_code(-ECANCELED), APFSI_ERR_CANCELLED);
	assert_int_equal(apfsi_code(-APFS_EINCOMPLETE), APFSI_ERR_INCOMPLETE);
	assert_int_equal(apfsi_code(-EIO), APFSI_ERR_IO);
}

static void test_not_found(void **state)
{
	struct apfsi_container_info ci;
	struct apfsi_stat st;
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_file *f;
	apfsi_dir *d;
	apfsi_fs *fs;
	char buf[64];

	(void)state;
	expect_fail(apfsi_image_open(img_path("no-such.img"), NULL, &img), APFSI_ERR_NOT_FOUND);
	fs = open_fs("basic.img", &img);
	expect_fail(apfsi_image_select_volume(img, "NoSuchVolume", &vol), APFSI_ERR_NOT_FOUND);
	assert_non_null(strstr(apfsi_last_message(), "NoSuchVolume"));
	expect_fail(apfsi_image_select_volume(img, "2", &vol), APFSI_ERR_NOT_FOUND);
	expect_fail(apfsi_image_volume(img, 1, &vol), APFSI_ERR_NOT_FOUND);
	expect_fail(apfsi_container_info(img, 1, &ci), APFSI_ERR_NOT_FOUND);
	expect_fail(apfsi_fs_stat_path(fs, "/no/such", &st), APFSI_ERR_NOT_FOUND);
	assert_non_null(strstr(apfsi_last_message(), "/no/such"));
	expect_fail(apfsi_fs_stat_path(fs, "/hello.txt/x", &st), APFSI_ERR_NOT_DIR);
	assert_int_equal(apfsi_fs_stat_path(fs, "/hello.txt", &st), APFSI_OK);
	expect_fail(apfsi_fs_getxattr(fs, st.ino, "com.example.none", 0, buf, sizeof(buf), NULL,
				      NULL), APFSI_ERR_NOT_FOUND);
	expect_fail(apfsi_file_open_fork(fs, st.ino, "rsrc", &f), APFSI_ERR_NOT_FOUND);
	expect_fail(apfsi_fs_readlink(fs, st.ino, buf, sizeof(buf)), APFSI_ERR_NOT_LINK);
	expect_fail(apfsi_dir_open(fs, st.ino, 0, &d), APFSI_ERR_NOT_DIR);
	expect_fail(apfsi_file_open(fs, APFSI_ROOT_INO, &f), APFSI_ERR_IS_DIR);
	expect_fail(apfsi_fs_stat(fs, 0x7777777, &st), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_image_select_volume(img, NULL, &vol), APFSI_OK);
	apfsi_fs_close(fs);
	expect_fail(apfsi_fs_open(vol, "no-such-snapshot", 0, &fs), APFSI_ERR_NOT_FOUND);
	apfsi_image_close(img);
}

/* Two volumes named Basic: neither a name nor the default picks one; the number does. */
static void test_ambiguous(void **state)
{
	struct apfsi_image_info ii;
	struct apfsi_volume_info vi;
	apfsi_image *img;
	apfsi_volume *vol;

	(void)state;
	if (!have_two)
		skip();
	assert_int_equal(apfsi_image_open(img_path("two.img"), NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_info(img, &ii), APFSI_OK);
	assert_int_equal(ii.containers, 2);
	assert_int_equal(ii.volumes, 2);
	assert_non_null(strstr(ii.chain, "GPT (512-byte sectors)"));
	expect_fail(apfsi_image_select_volume(img, NULL, &vol), APFSI_ERR_AMBIGUOUS);
	expect_fail(apfsi_image_select_volume(img, "Basic", &vol), APFSI_ERR_AMBIGUOUS);
	expect_fail(apfsi_image_select_volume(img, "", &vol), APFSI_ERR_INVALID);
	assert_int_equal(apfsi_image_select_volume(img, "2", &vol), APFSI_OK);
	assert_int_equal(apfsi_volume_info(vol, &vi), APFSI_OK);
	assert_int_equal(vi.number, 2);
	assert_int_equal(vi.container, 1);
	assert_string_equal(vi.name, "Basic");
	apfsi_image_close(img);
}

static void test_locked(void **state)
{
	struct apfsi_volume_info vi;
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_fs *fs;

	(void)state;
	assert_int_equal(apfsi_image_open(img_path("demo.img"), NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(img, "Demo", &vol), APFSI_OK);
	assert_int_equal(apfsi_volume_info(vol, &vi), APFSI_OK);
	assert_true(vi.encrypted && vi.locked);
	assert_string_equal(vi.role, "Data");
	expect_fail(apfsi_fs_open(vol, NULL, 0, &fs), APFSI_ERR_LOCKED);
	assert_non_null(strstr(apfsi_last_message(), "locked"));
	apfsi_image_close(img);
}

struct logged {
	int errors, warnings;
	char first[1024], warning[1024];
};

static void collect_log(int level, const char *msg, void *arg)
{
	struct logged *l = arg;

	if (level == APFSI_LOG_ERROR && !l->errors++)
		snprintf(l->first, sizeof(l->first), "%s", msg);
	if (level == APFSI_LOG_WARNING && !l->warnings++)
		snprintf(l->warning, sizeof(l->warning), "%s", msg);
}

/* The block of the fs tree's root node (the layers below say where it is). */
static uint64_t root_node_byte(apfsi_volume *vol)
{
	struct apfs_volume *v = vol->v;
	struct apfs_omap_res r;

	assert_int_equal(apfs_omap_lookup(v->c, v->omap_paddr, get_le64(v->sb.apfs_root_tree_oid),
					  v->xid, &r), 0);
	return r.paddr;
}

static void *other_thread(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)(apfsi_last_message()[0] != '\0');
}

/* One byte of the fs tree's root changed: CORRUPT, the message and the log name the block. */
static void test_corrupt(void **state)
{
	struct logged l = { 0 };
	struct apfsi_stat st;
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_fs *fs = NULL;
	char want[64];
	uint64_t blk;
	pthread_t th;
	void *seen;
	int ret;

	(void)state;
	assert_int_equal(apfsi_image_open(img_path("basic.img"), NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(img, NULL, &vol), APFSI_OK);
	blk = root_node_byte(vol);
	apfsi_image_close(img);
	assert_int_equal(sh("cd '%s' && cp basic.img bad.img && printf '\\377' | dd of=bad.img "
			    "bs=1 seek=%llu conv=notrunc status=none", scratch_dir,
			    (unsigned long long)(blk * 4096 + 100)), 0);
	apfsi_set_log(collect_log, APFSI_LOG_WARNING, &l);
	assert_int_equal(apfsi_image_open(img_path("bad.img"), NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(img, NULL, &vol), APFSI_OK);
	ret = apfsi_fs_open(vol, NULL, 0, &fs);
	if (!ret)
		ret = apfsi_fs_stat_path(fs, "/hello.txt", &st);
	apfsi_set_log(NULL, 0, NULL);
	assert_int_equal(ret, APFSI_ERR_CORRUPT);
	snprintf(want, sizeof(want), "block %llu", (unsigned long long)blk);
	assert_non_null(strstr(apfsi_last_message(), "bad checksum"));
	assert_non_null(strstr(apfsi_last_message(), want));
	assert_true(l.errors >= 1);
	assert_non_null(strstr(l.first, want));
	/* The message is this thread's: another sees none. */
	assert_int_equal(pthread_create(&th, NULL, other_thread, NULL), 0);
	pthread_join(th, &seen);
	assert_null(seen);
	apfsi_fs_close(fs);
	apfsi_image_close(img);
}

static int stop_at_once(const void *data, size_t len, void *arg)
{
	(void)data, (void)len, (void)arg;
	return 7;
}

static int append(const void *data, size_t len, void *arg)
{
	char *s = arg;
	size_t have = strlen(s);

	if (have + len >= 64)
		return -1;
	memcpy(s + have, data, len);
	s[have + len] = '\0';
	return 0;
}

/* Reads of the small tree (testdata/README.md): data, a link, an xattr, a listing. */
static void test_reads(void **state)
{
	const struct apfsi_dirent *e;
	struct apfsi_stat st;
	char buf[64] = "";
	apfsi_image *img;
	apfsi_file *f;
	apfsi_dir *d;
	unsigned n = 0, seen = 0;
	size_t got;
	uint64_t size;
	apfsi_fs *fs = open_fs("basic.img", &img);

	(void)state;
	assert_int_equal(apfsi_fs_stat_path(fs, "/hello.txt", &st), APFSI_OK);
	assert_int_equal(st.type, APFSI_TYPE_FILE);
	assert_int_equal(st.size, 13);
	assert_int_equal(apfsi_file_open(fs, st.ino, &f), APFSI_OK);
	assert_int_equal(apfsi_file_read_all(f, 0, append, buf), APFSI_OK);
	assert_string_equal(buf, "hello, world\n");
	assert_int_equal(apfsi_file_read_all(f, 0, stop_at_once, NULL), 7);
	assert_int_equal(apfsi_file_pread(f, 7, buf, sizeof(buf), &got), APFSI_OK);
	assert_int_equal(got, 6);
	assert_memory_equal(buf, "world\n", 6);
	apfsi_file_close(f);
	assert_int_equal(apfsi_fs_getxattr(fs, st.ino, "com.example.note", 0, buf, sizeof(buf),
					   &got, &size), APFSI_OK);
	assert_int_equal(size, 11);
	assert_memory_equal(buf, "xattr value", 11);
	assert_int_equal(apfsi_fs_stat_path(fs, "/link", &st), APFSI_OK);
	assert_int_equal(st.type, APFSI_TYPE_SYMLINK);
	assert_int_equal(apfsi_fs_readlink(fs, st.ino, buf, sizeof(buf)), APFSI_OK);
	assert_string_equal(buf, "hello.txt");
	expect_fail(apfsi_fs_readlink(fs, st.ino, buf, 4), APFSI_ERR_NAME_TOO_LONG);
	assert_int_equal(apfsi_dir_open(fs, APFSI_ROOT_INO, APFSI_DIR_STAT, &d), APFSI_OK);
	while (apfsi_dir_next(d, &e) == APFSI_OK && e) {
		n++;
		assert_non_null(e->st);
		assert_int_equal(e->st->ino, e->ino);
		if (!strcmp(e->name, "dir"))
			seen |= 1, assert_int_equal(e->type, APFSI_TYPE_DIR);
		if (!strcmp(e->name, "multi.bin"))
			seen |= 2, assert_int_equal(e->st->size, 5 * 4096 + 100);
	}
	apfsi_dir_close(d);
	assert_int_equal(seen, 3);
	assert_int_equal(n, 7);  /* the small tree's 6 names at the root, and basic's hard link */
	apfsi_fs_close(fs);
	apfsi_image_close(img);
}

/* The whole file at path into buf (NUL-terminated); its size, or -1. */
static long slurp_path(apfsi_fs *fs, const char *path, char *buf, size_t cap)
{
	struct apfsi_stat st;
	apfsi_file *f;
	size_t got = 0;

	if (apfsi_fs_stat_path(fs, path, &st) || apfsi_file_open(fs, st.ino, &f))
		return -1;
	assert_int_equal(apfsi_file_pread(f, 0, buf, cap - 1, &got), APFSI_OK);
	buf[got] = '\0';
	apfsi_file_close(f);
	return (long)got;
}

/* `snapshot`: 'before' at xid 2 holds /a.txt version 1 and /gone.txt; now version 2. */
static void test_snapshot(void **state)
{
	struct apfsi_snapshot_info si;
	struct apfsi_stat st;
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_fs *fs;
	char buf[64];
	unsigned n;

	(void)state;
	assert_int_equal(apfsi_image_open(img_path("snap.img"), NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(img, "Snap", &vol), APFSI_OK);
	assert_int_equal(apfsi_volume_snapshot_count(vol, &n), APFSI_OK);
	assert_int_equal(n, 1);
	assert_int_equal(apfsi_volume_snapshot(vol, 0, &si), APFSI_OK);
	assert_string_equal(si.name, "before");
	assert_int_equal(si.xid, 2);
	expect_fail(apfsi_volume_snapshot(vol, 1, &si), APFSI_ERR_NOT_FOUND);
	for (int by_xid = 0; by_xid < 2; by_xid++) {
		assert_int_equal(apfsi_fs_open(vol, by_xid ? "0x2" : "before", 0, &fs), APFSI_OK);
		assert_int_equal(slurp_path(fs, "/a.txt", buf, sizeof(buf)), 10);
		assert_string_equal(buf, "version 1\n");
		assert_int_equal(slurp_path(fs, "/gone.txt", buf, sizeof(buf)), 14);
		apfsi_fs_close(fs);
	}
	/* an xid is decimal or 0x-hex digits and nothing else (strtoull took all of these for 2) */
	assert_int_equal(apfsi_fs_open(vol, "0X2", 0, &fs), APFSI_OK);
	apfsi_fs_close(fs);
	assert_int_equal(apfsi_fs_open(vol, "0002", 0, &fs), APFSI_OK);
	apfsi_fs_close(fs);
	expect_fail(apfsi_fs_open(vol, " 2", 0, &fs), APFSI_ERR_NOT_FOUND);
	expect_fail(apfsi_fs_open(vol, "+2", 0, &fs), APFSI_ERR_NOT_FOUND);
	expect_fail(apfsi_fs_open(vol, "-18446744073709551614", 0, &fs), APFSI_ERR_NOT_FOUND);
	expect_fail(apfsi_fs_open(vol, "0x", 0, &fs), APFSI_ERR_NOT_FOUND);
	expect_fail(apfsi_fs_open(vol, "18446744073709551618", 0, &fs), APFSI_ERR_NOT_FOUND);
	assert_int_equal(apfsi_fs_open(vol, NULL, 0, &fs), APFSI_OK);
	assert_int_equal(slurp_path(fs, "/a.txt", buf, sizeof(buf)), 10);
	assert_string_equal(buf, "version 2\n");
	expect_fail(apfsi_fs_stat_path(fs, "/gone.txt", &st), APFSI_ERR_NOT_FOUND);
	apfsi_fs_close(fs);
	apfsi_image_close(img);
}

/*
 * `macos-boot`: the System volume opens as the Mac's root (System's files,
 * /Users firmlinked to the Data volume, locked here); as it is with
 * APFSI_FS_NO_FIRMLINKS (/Users: System's own empty directory).
 */
static void test_group_root(void **state)
{
	struct logged l = { 0 };
	struct apfsi_volume_info vi;
	const struct apfsi_dirent *e;
	struct apfsi_stat st;
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_dir *d;
	apfsi_fs *fs;
	char buf[64];

	(void)state;
	assert_int_equal(apfsi_image_open(img_path("mb.img"), NULL, &img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(img, "group", &vol), APFSI_OK);
	assert_int_equal(apfsi_volume_info(vol, &vi), APFSI_OK);
	assert_string_equal(vi.role, "System");
	assert_true(vi.sealed && vi.has_group && !vi.encrypted);
	apfsi_set_log(collect_log, APFSI_LOG_WARNING, &l);
	assert_int_equal(apfsi_fs_open(vol, NULL, 0, &fs), APFSI_OK);
	apfsi_set_log(NULL, 0, NULL);
	assert_non_null(strstr(l.warning, "Macintosh HD - Data"));
	assert_non_null(strstr(l.warning, "locked"));
	assert_int_equal(slurp_path(fs, "/System/Applications/Calculator.app/Contents/README.txt",
				    buf, sizeof(buf)), 28);
	assert_string_equal(buf, "Calculator.app (a stand-in)\n");
	assert_int_equal(apfsi_fs_stat_path(fs, "/Users", &st), APFSI_OK);
	expect_fail(apfsi_dir_open(fs, st.ino, 0, &d), APFSI_ERR_LOCKED);
	apfsi_fs_close(fs);
	assert_int_equal(apfsi_fs_open(vol, NULL, APFSI_FS_NO_FIRMLINKS, &fs), APFSI_OK);
	assert_int_equal(apfsi_fs_stat_path(fs, "/Users", &st), APFSI_OK);
	assert_int_equal(st.type, APFSI_TYPE_DIR);
	assert_int_equal(apfsi_dir_open(fs, st.ino, 0, &d), APFSI_OK);
	assert_int_equal(apfsi_dir_next(d, &e), APFSI_OK);
	assert_null(e);
	apfsi_dir_close(d);
	apfsi_fs_close(fs);
	expect_fail(apfsi_fs_open(vol, NULL, 0x80, &fs), APFSI_ERR_INVALID);
	apfsi_image_close(img);
}

struct pass {
	const char *pw;
	unsigned asked;
};

static int give_pass(void *arg, const char *image, unsigned attempt, char *buf, size_t cap,
		     size_t *len)
{
	struct pass *p = arg;

	(void)image;
	p->asked++;
	if (attempt || strlen(p->pw) > cap)
		return 1;
	memcpy(buf, p->pw, strlen(p->pw));
	*len = strlen(p->pw);
	return 0;
}

struct opener {
	struct pass p;
	int ret;
};

static void *open_enc(void *arg)
{
	struct opener *o = arg;
	struct apfsi_open_options opt = { .passphrase = give_pass, .passphrase_arg = &o->p };
	apfsi_image *img;

	o->ret = apfsi_image_open(img_path("enc.dmg"), &opt, &img);
	if (!o->ret)
		apfsi_image_close(img);
	return NULL;
}

/* An encrypted disk image: IMAGE_LOCKED without or with a wrong passphrase; opens with it. */
static void test_image_passphrase(void **state)
{
	struct apfsi_open_options o = { .passphrase = give_pass };
	struct pass wrong = { "not-it", 0 }, right = { "pw-of-image", 0 };
	struct apfsi_image_info ii;
	apfsi_image *img;
	apfsi_volume *vol;

	(void)state;
	expect_fail(apfsi_image_open(img_path("enc.dmg"), NULL, &img), APFSI_ERR_IMAGE_LOCKED);
	o.passphrase_arg = &wrong;
	expect_fail(apfsi_image_open(img_path("enc.dmg"), &o, &img), APFSI_ERR_IMAGE_LOCKED);
	assert_true(wrong.asked >= 1);
	o.passphrase_arg = &right;
	assert_int_equal(apfsi_image_open(img_path("enc.dmg"), &o, &img), APFSI_OK);
	assert_int_equal(apfsi_image_info(img, &ii), APFSI_OK);
	assert_string_equal(ii.format, "encrypted");
	assert_int_equal(apfsi_image_select_volume(img, "Basic", &vol), APFSI_OK);
	apfsi_image_close(img);
	/* Opens on several threads at once: each asks its own callback only. */
	struct opener op[4];
	pthread_t th[4];

	for (unsigned i = 0; i < 4; i++) {
		op[i] = (struct opener){ { i % 2 ? "not-it" : "pw-of-image", 0 }, -1 };
		assert_int_equal(pthread_create(&th[i], NULL, open_enc, &op[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(op[i].ret, i % 2 ? APFSI_ERR_IMAGE_LOCKED : APFSI_OK);
		assert_int_equal(op[i].p.asked, i % 2 ? 2 : 1);
	}
}

/* `big-dir`: /big's 100,000 names e000000.txt ... e099999.txt, each once; e042424.txt has data. */
static void test_big_dir(void **state)
{
	const struct apfsi_dirent *e;
	struct apfsi_stat st;
	apfsi_image *img;
	apfsi_dir *d;
	uint8_t *seen = calloc(100000, 1);
	unsigned n = 0, dup = 0, odd = 0;
	apfsi_fs *fs = open_fs("big.img", &img);

	(void)state;
	assert_non_null(seen);
	assert_int_equal(apfsi_fs_stat_path(fs, "/big", &st), APFSI_OK);
	assert_int_equal(apfsi_dir_open(fs, st.ino, APFSI_DIR_STAT, &d), APFSI_OK);
	while (apfsi_dir_next(d, &e) == APFSI_OK && e) {
		unsigned k;
		char tail[8];

		n++;
		if (sscanf(e->name, "e%6u%7s", &k, tail) != 2 || strcmp(tail, ".txt") || k >= 100000 ||
		    !e->st || e->stat_error) {
			odd++;
			continue;
		}
		dup += seen[k]++;
		if (k == 42424)
			assert_int_equal(e->st->size, 12);
		else
			assert_int_equal(e->st->size, 0);
	}
	apfsi_dir_close(d);
	assert_int_equal(n, 100000);
	assert_int_equal(odd, 0);
	assert_int_equal(dup, 0);
	free(seen);
	apfsi_fs_close(fs);
	apfsi_image_close(img);
}

struct preader {
	apfsi_file *f;
	const uint8_t *want;
	size_t size;
	unsigned seed;
	int bad;
};

/* Reads at pseudo-random offsets and lengths, each checked against the whole. */
static void *pread_many(void *arg)
{
	struct preader *p = arg;
	uint8_t buf[9000];

	for (unsigned i = 0; i < 2000; i++) {
		size_t off, len, got = 0;

		p->seed = p->seed * 1103515245u + 12345u;
		off = (p->seed >> 8) % p->size;
		len = (p->seed >> 4) % sizeof(buf);
		if (apfsi_file_pread(p->f, off, buf, len, &got) ||
		    got != (off + len <= p->size ? len : p->size - off) ||
		    memcmp(buf, p->want + off, got))
			p->bad++;
	}
	return NULL;
}

/* One handle read positionally by four threads at once (the header's thread rule). */
static void test_pread_threads(void **state)
{
	struct preader r[4];
	struct apfsi_stat st;
	pthread_t th[4];
	apfsi_image *img;
	apfsi_file *f;
	uint8_t *whole;
	size_t got;
	char path[64];
	apfsi_fs *fs = open_fs("basic.img", &img);

	(void)state;
	assert_int_equal(apfsi_fs_stat_path(fs, "/multi.bin", &st), APFSI_OK);
	assert_int_equal(apfsi_fs_path(fs, st.ino, path, sizeof(path)), APFSI_OK);
	assert_string_equal(path, "/multi.bin");
	expect_fail(apfsi_fs_path(fs, st.ino, path, 4), APFSI_ERR_NAME_TOO_LONG);
	assert_int_equal(apfsi_file_open(fs, st.ino, &f), APFSI_OK);
	assert_int_equal(apfsi_file_size(f), 5 * 4096 + 100);
	whole = malloc(st.size);
	assert_non_null(whole);
	assert_int_equal(apfsi_file_pread(f, 0, whole, st.size, &got), APFSI_OK);
	assert_int_equal(got, st.size);
	for (unsigned i = 0; i < 4; i++) {
		r[i] = (struct preader){ f, whole, st.size, i + 1, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, pread_many, &r[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].bad, 0);
	}
	free(whole);
	apfsi_file_close(f);
	apfsi_fs_close(fs);
	apfsi_image_close(img);
}

/*
 * `truncated` (the basic image cut off; its file size says how many blocks
 * it holds): the container opens, its volume is skipped with TRUNCATED as
 * the image's first_error; and a file of zeros holds no APFS at all.
 */
static void test_truncated(void **state)
{
	struct apfsi_container_info ci;
	struct apfsi_image_info ii;
	struct logged l = { 0 };
	apfsi_image *img;
	apfsi_volume *vol;
	FILE *f = fopen(img_path("trunc.img"), "rb");
	long size;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	fclose(f);
	apfsi_set_log(collect_log, APFSI_LOG_ERROR, &l);
	assert_int_equal(apfsi_image_open(img_path("trunc.img"), NULL, &img), APFSI_OK);
	apfsi_set_log(NULL, 0, NULL);
	assert_int_equal(apfsi_image_info(img, &ii), APFSI_OK);
	assert_int_equal(ii.containers, 1);
	assert_int_equal(ii.volumes, 0);
	assert_int_equal(ii.first_error, APFSI_ERR_TRUNCATED);
	assert_int_equal(apfsi_container_info(img, 0, &ci), APFSI_OK);
	assert_int_equal(ci.block_size, 4096);
	assert_int_equal(ci.blocks_present, (uint64_t)size / 4096);
	assert_true(ci.blocks_present < ci.block_count);
	assert_int_equal(ci.volumes, 0);
	assert_non_null(strstr(l.first, "missing"));
	expect_fail(apfsi_image_select_volume(img, NULL, &vol), APFSI_ERR_NOT_FOUND);
	apfsi_image_close(img);
	expect_fail(apfsi_image_open(img_path("zeros.img"), NULL, &img), APFSI_ERR_NOT_APFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_ambiguous),
		cmocka_unit_test(test_locked),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_group_root),
		cmocka_unit_test(test_image_passphrase),
		cmocka_unit_test(test_big_dir),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_pread_threads),
	};

	return cmocka_run_group_tests(tests, setup, scratch_teardown);
}
