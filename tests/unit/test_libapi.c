/* SPDX-License-Identifier: MIT */
/*
 * test_libapi.c - the public API's error paths (include/apfsinspect.h):
 * bad arguments, what is not there, an ambiguous volume choice, a locked
 * volume, a damaged fs tree (CORRUPT, the message naming the block, the
 * log callback told), and the thread-local message; with a few reads of
 * the generated `basic` scenario whose contents testdata/README.md lists
 * ("The small tree").  Images come from $MKIMAGE; the two-container disk
 * is laid out by util-linux sfdisk (tests/cli/partitions.sh does the same).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
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

static char dir[512];
static bool have_two;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static const char *img_path(const char *name)
{
	static _Thread_local char p[700];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int setup(void **state)
{
	const char *mk = getenv("MKIMAGE"), *tmp = getenv("TMPDIR");

	(void)state;
	if (!mk)
		return -1;
	snprintf(dir, sizeof(dir), "%s/libapi.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	if (sh("cd '%s' && '%s' basic basic.img >/dev/null && '%s' demo demo.img >/dev/null",
	       dir, mk, mk))
		return -1;
	/* Two containers on one GPT disk, each holding a volume named Basic. */
	have_two = !sh("cd '%s' && truncate -s 40M two.img && printf 'label: gpt\\n"
		       "start=2048, size=32768, type=7C3457EF-0000-11AA-AA11-00306543ECAC\\n"
		       "start=36864, size=32768, type=7C3457EF-0000-11AA-AA11-00306543ECAC\\n' | "
		       "sfdisk -q two.img >/dev/null 2>&1 && "
		       "dd if=basic.img of=two.img bs=512 seek=2048 conv=notrunc status=none && "
		       "dd if=basic.img of=two.img bs=512 seek=36864 conv=notrunc status=none", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf '%s'", dir);
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
	int errors;
	char first[1024];
};

static void collect_log(int level, const char *msg, void *arg)
{
	struct logged *l = arg;

	if (level == APFSI_LOG_ERROR && !l->errors++)
		snprintf(l->first, sizeof(l->first), "%s", msg);
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
			    "bs=1 seek=%llu conv=notrunc status=none", dir,
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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
