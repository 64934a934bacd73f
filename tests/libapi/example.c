/* SPDX-License-Identifier: MIT */
/*
 * example.c - a program written against the installed apfsinspect.h only:
 * open an image, list its volumes, walk the chosen volume's tree and print
 * each entry with its SHA-256 (files and resource forks), link targets and
 * extended attributes.  tests/cli/libapi_install.sh builds it through
 * pkg-config against `make install`'s tree and checks what it prints
 * against the images' documented contents.
 *
 *   example IMAGE [VOLUME [PATH]]     (VOLUME "": the default; PATH: that file only)
 *
 * Output, one line each (names from the image are printed as they are:
 * fine for a test, escape them in a real tool):
 *   image FORMAT CONTAINERS VOLUMES
 *   volume N NAME ROLE encrypted=0|1 locked=0|1
 *   open: ERRNAME: MESSAGE               the chosen volume does not open
 *   F PATH SIZE SHA256                   a regular file
 *   R PATH SIZE SHA256                   its resource fork
 *   D PATH                               a directory
 *   L PATH TARGET                        a symbolic link
 *   X PATH NAME SIZE                     an extended attribute
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apfsinspect.h>

/* ---- SHA-256 (FIPS 180-4), so that the program needs nothing but the library ---- */

struct sha256 {
	uint32_t h[8];
	uint8_t buf[64];
	uint64_t len;
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], v[8], t1, t2;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	memcpy(v, s->h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		t1 = v[7] + (ROR(v[4], 6) ^ ROR(v[4], 11) ^ ROR(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + K[i] + w[i];
		t2 = (ROR(v[0], 2) ^ ROR(v[0], 13) ^ ROR(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		s->h[i] += v[i];
}

static void sha_init(struct sha256 *s)
{
	static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
}

static void sha_update(struct sha256 *s, const uint8_t *p, size_t n)
{
	while (n) {
		size_t have = s->len % 64, take = 64 - have < n ? 64 - have : n;

		memcpy(s->buf + have, p, take);
		s->len += take, p += take, n -= take;
		if (s->len % 64 == 0)
			sha_block(s, s->buf);
	}
}

static void sha_hex(struct sha256 *s, char out[65])
{
	uint64_t bits = s->len * 8;
	uint8_t pad = 0x80, len[8];

	sha_update(s, &pad, 1);
	pad = 0;
	while (s->len % 64 != 56)
		sha_update(s, &pad, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha_update(s, len, 8);
	for (int i = 0; i < 8; i++)
		sprintf(out + 8 * i, "%08x", s->h[i]);
}

/* ---- the walk ----------------------------------------------------------- */

static int sink(const void *data, size_t len, void *arg)
{
	sha_update(arg, data, len);
	return 0;
}

static void report(const char *what, int err)
{
	printf("%s: %s: %s\n", what, apfsi_strerror(err), apfsi_last_message());
}

/* The file's data through the parallel reader. */
static void print_file(apfsi_fs *fs, const char *path, uint64_t ino)
{
	struct sha256 s;
	apfsi_file *f;
	char hex[65];
	int err = apfsi_file_open(fs, ino, &f);

	if (!err) {
		sha_init(&s);
		err = apfsi_file_read_all(f, 0, sink, &s);
		if (!err) {
			sha_hex(&s, hex);
			printf("F %s %llu %s\n", path, (unsigned long long)apfsi_file_size(f), hex);
		}
		apfsi_file_close(f);
	}
	if (err)
		report(path, err);
}

/* The resource fork, if any, through positional reads. */
static void print_fork(apfsi_fs *fs, const char *path, uint64_t ino)
{
	uint8_t buf[4096];
	struct sha256 s;
	apfsi_file *f;
	uint64_t off = 0;
	size_t got = 1;
	char hex[65];
	int err = apfsi_file_open_fork(fs, ino, "rsrc", &f);

	if (err == APFSI_ERR_NOT_FOUND)
		return;
	sha_init(&s);
	while (!err && got && off < apfsi_file_size(f)) {
		err = apfsi_file_pread(f, off, buf, sizeof(buf), &got);
		sha_update(&s, buf, got);
		off += got;
	}
	if (!err) {
		sha_hex(&s, hex);
		printf("R %s %llu %s\n", path, (unsigned long long)off, hex);
	} else {
		report(path, err);
	}
	apfsi_file_close(f);
}

struct xa {
	const char *path;
};

static int print_xattr(const char *name, uint64_t size, void *arg)
{
	const struct xa *x = arg;

	printf("X %s %s %llu\n", x->path, name, (unsigned long long)size);
	return 0;
}

static void walk(apfsi_fs *fs, uint64_t dir, const char *path, int depth);

static void print_entry(apfsi_fs *fs, const struct apfsi_dirent *d, const char *path, int depth)
{
	struct xa x = { path };
	char target[1024];
	int err;

	switch (d->type) {
	case APFSI_TYPE_DIR:
		printf("D %s\n", path);
		walk(fs, d->ino, path, depth + 1);
		break;
	case APFSI_TYPE_SYMLINK:
		err = apfsi_fs_readlink(fs, d->ino, target, sizeof(target));
		if (err)
			report(path, err);
		else
			printf("L %s %s\n", path, target);
		break;
	case APFSI_TYPE_FILE:
		print_file(fs, path, d->ino);
		print_fork(fs, path, d->ino);
		break;
	default:
		break;
	}
	if ((err = apfsi_fs_listxattr(fs, d->ino, 0, print_xattr, &x)))
		report(path, err);
}

static void walk(apfsi_fs *fs, uint64_t dir, const char *path, int depth)
{
	const struct apfsi_dirent *d;
	apfsi_dir *it;
	int err;

	if (depth > 64)
		return;
	if ((err = apfsi_dir_open(fs, dir, APFSI_DIR_STAT, &it))) {
		report(path, err);
		return;
	}
	while (!(err = apfsi_dir_next(it, &d)) && d) {
		size_t n = strlen(path) + strlen(d->name) + 2;
		char *p = malloc(n);

		if (!p)
			break;
		snprintf(p, n, "%s/%s", path, d->name);
		print_entry(fs, d, p, depth);
		free(p);
	}
	if (err)
		report(path, err);
	apfsi_dir_close(it);
}

static void one_file(apfsi_fs *fs, const char *path)
{
	struct apfsi_stat st;
	int err = apfsi_fs_stat_path(fs, path, &st);

	if (err)
		report(path, err);
	else
		print_file(fs, path, st.ino);
}

static void list_volumes(apfsi_image *img, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct apfsi_volume_info vi;
		apfsi_volume *v;

		if (apfsi_image_volume(img, i, &v) || apfsi_volume_info(v, &vi))
			continue;
		printf("volume %u %s %s encrypted=%d locked=%d\n", vi.number, vi.name, vi.role,
		       vi.encrypted, vi.locked);
	}
}

int main(int argc, char **argv)
{
	struct apfsi_image_info ii;
	apfsi_image *img;
	apfsi_volume *vol;
	apfsi_fs *fs;
	int err;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: example IMAGE [VOLUME [PATH]]\n");
		return 2;
	}
	if ((err = apfsi_image_open(argv[1], NULL, &img))) {
		report("open", err);
		return 1;
	}
	apfsi_image_info(img, &ii);
	printf("image %s %u %u\n", ii.format, ii.containers, ii.volumes);
	list_volumes(img, ii.volumes);
	err = apfsi_image_select_volume(img, argc > 2 && *argv[2] ? argv[2] : NULL, &vol);
	if (!err)
		err = apfsi_fs_open(vol, NULL, 0, &fs);
	if (err) {
		report("open", err);
		apfsi_image_close(img);
		return 1;
	}
	if (argc > 3)
		one_file(fs, argv[3]);
	else
		walk(fs, APFSI_ROOT_INO, "", 0);
	apfsi_fs_close(fs);
	apfsi_image_close(img);
	return 0;
}
