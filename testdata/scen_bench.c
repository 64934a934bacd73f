/* SPDX-License-Identifier: MIT */
/*
 * scen_bench.c - the `bench` scenario for `make bench`: volume Plain and
 * volume Secret (encrypted, one Local OD user), each holding /big.bin of
 * seeded pseudo-random bytes in four extents and /small/ with 1000 files of
 * 4 KiB.  The bytes of big.bin are documented (testdata/README.md) so that
 * a test can recompute them without our code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mk.h"

#define BENCH_EXTENTS 4
#define BENCH_SMALL 1000
#define BENCH_SMALL_SIZE 4096
#define BENCH_USER "8E4C11A5-5EC2-4E7A-9B3D-0B1E2C3D4E5F"

/* Container bytes: both big files, the small files and room for metadata. */
uint64_t mk_bench_bytes(uint64_t big)
{
	uint64_t n = 2 * ((big + 0xfffff) & ~0xfffffull) + (64ull << 20);

	/* Two volumes need more than 512 MiB (nx_max_file_systems, README). */
	return n > (512ull << 20) ? n : (576ull << 20);
}

/*
 * splitmix64 seeded with the image seed, outputs stored little-endian: fast
 * (8 bytes per step, so 256 MiB take a fraction of a second) and easy to
 * recompute in a test.  Restarting at offset 0 for each volume gives both
 * the same bytes.
 */
static void big_bytes(uint64_t *state, uint8_t *out, size_t len)
{
	uint8_t last[8];
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		st_le64(out + i, z ^ (z >> 31));
	}
	if (i < len) {
		big_bytes(state, last, 8);
		memcpy(out + i, last, len - i);
	}
}

#define BENCH_CHUNK (4u << 20)

/*
 * One extent of /big.bin: its blocks allocated at once, their bytes made,
 * encrypted and written to the output BENCH_CHUNK at a time, so that a
 * file of GiB never sits in memory.  buf holds BENCH_CHUNK bytes.
 */
static int big_extent(struct mk_vol *v, uint64_t ino, uint64_t *state, uint64_t off,
		      uint64_t n, uint8_t *buf)
{
	uint32_t bs = v->img->bs;
	uint64_t nblk = (n + bs - 1) / bs, paddr = mk_alloc(v->img, nblk);
	int rc = paddr ? 0 : -ENOSPC;

	for (uint64_t done = 0; !rc && done < n; done += BENCH_CHUNK) {
		uint64_t len = n - done < BENCH_CHUNK ? n - done : BENCH_CHUNK;
		uint64_t whole = (len + bs - 1) / bs * bs, first = paddr + done / bs;

		/* Whole 8-byte steps until the extent's end: the bytes do not depend on BENCH_CHUNK. */
		big_bytes(state, buf, len);
		memset(buf + len, 0, whole - len);
		if (v->encrypted)
			rc = mk_encrypt(v->xts, buf, whole, first * (bs / 512));
		if (!rc)
			rc = mk_image_stream(v->img, first, buf, whole);
	}
	return rc ? rc : mk_fs_extent_written(v, ino, off, n, paddr);
}

/* /big.bin in BENCH_EXTENTS extents of equal block counts (the last may be shorter). */
static int big_file(struct mk_vol *v, uint64_t seed, uint64_t size)
{
	uint32_t bs = v->img->bs;
	uint64_t nblk = (size + bs - 1) / bs, per = (nblk + BENCH_EXTENTS - 1) / BENCH_EXTENTS;
	uint64_t state = seed, ino, off;
	uint8_t *buf = malloc(BENCH_CHUNK);
	int rc = buf ? mk_fs_file(v, APFS_ROOT_DIR_INO_NUM, "big.bin", NULL, 0, &ino) : -ENOMEM;

	for (off = 0; !rc && off < size; off += per * bs)
		rc = big_extent(v, ino, &state, off, size - off < per * bs ? size - off : per * bs,
				buf);
	if (!rc && size)
		rc = mk_fs_stream_done(v, ino);
	if (!rc && size) {
		v->inodes[ino].has_stream = true;
		v->inodes[ino].size = size;
		v->inodes[ino].alloced = nblk * bs;
	}
	free(buf);
	return rc;
}

/* /small/fNNNN.bin: "small file NNNN\n" (16 bytes) repeated to 4 KiB. */
static int small_files(struct mk_vol *v)
{
	uint8_t body[BENCH_SMALL_SIZE];
	char name[16], line[17];
	uint64_t dir;
	int rc = mk_fs_mkdir(v, APFS_ROOT_DIR_INO_NUM, "small", &dir);

	for (unsigned i = 0; !rc && i < BENCH_SMALL; i++) {
		snprintf(name, sizeof(name), "f%04u.bin", i);
		snprintf(line, sizeof(line), "small file %04u\n", i);
		for (size_t o = 0; o < sizeof(body); o += 16)
			memcpy(body + o, line, 16);
		rc = mk_fs_file(v, dir, name, body, sizeof(body), NULL);
	}
	return rc;
}

static int bench_vol(struct mk_image *img, const char *name, bool encrypted)
{
	static const struct mk_user user = { BENCH_USER, "bench-password", NULL, MK_KEK_256,
					     false, 1000 };
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, name, APFS_VOL_ROLE_NONE, true);

	if (!rc && encrypted)
		rc = mk_vol_encrypt(&v, false, 32);
	if (!rc && encrypted)
		rc = mk_vol_add_user(&v, &user);
	if (!rc)
		rc = big_file(&v, img->seed, img->big_size);
	if (!rc)
		rc = small_files(&v);
	return rc ? rc : mk_vol_finish(&v);
}

/**
 * mk_fill_bench() - volumes Plain and Secret (Local OD user BENCH_USER,
 * password "bench-password", 1000 iterations) with /big.bin of
 * img->big_size bytes and /small/.
 * @img: the image
 */
int mk_fill_bench(struct mk_image *img)
{
	int rc = mk_image_open(img, img->out_path, img->out_gpt);

	if (!rc)
		rc = bench_vol(img, "Plain", false);

	return rc ? rc : bench_vol(img, "Secret", true);
}
