/* SPDX-License-Identifier: MIT */
/* ewf1_int.h - what ewf1_open.c (the section walk) hands ewf1_read.c (chunks). */
#ifndef IMAGE_EWF1_INT_H
#define IMAGE_EWF1_INT_H

#include <pthread.h>
#include <stdint.h>

#include "image/dev.h"

#define EWF1_DESC 76       /* section descriptor */
#define EWF1_TABLE_HDR 24  /* table header: count, padding, base offset, padding, Adler-32 */
#define EWF1_VOLUME 1052   /* EnCase volume/disk section data */
#define EWF1_MAX_CHUNK (16u << 20) /* 32768 sectors of 512 bytes, EnCase's largest chunk */
#define EWF1_LOADED 32     /* tables whose offsets are kept in memory at once */
#define EWF1_CACHED_BYTES (2u << 20) /* decoded chunks kept, for reads smaller than a chunk */
#define EWF1_OPEN_FDS 256  /* segment files kept open; further ones are opened per read */

struct ewf1_seg {
	char *path;
	int fd;        /* -1: not open now */
	uint64_t size;
};

/* One table section: the chunks [first, first + n) of the media. */
struct ewf1_table {
	uint64_t first;
	uint32_t n;
	uint32_t seg;
	uint64_t entries;    /* file offset of the n offsets and their Adler-32 */
	uint64_t base;       /* what the offsets are relative to */
	uint64_t data_start; /* the sectors section's data: where its chunks may lie */
	uint64_t data_end;
	uint32_t *off;       /* the n raw entries once read (bit 31: compressed), or NULL */
	uint64_t used;       /* tick of the last use, for dropping the least used */
};

struct ewf1_chunk {
	uint64_t index; /* UINT64_MAX: unused */
	uint64_t used;
	uint8_t *data;
};

struct ewf1_priv {
	struct ewf1_seg *segs;
	uint32_t nseg, fds_open;
	struct ewf1_table *tables;
	uint32_t ntables, nloaded;
	uint32_t bps;        /* bytes per sector */
	uint32_t chunk;      /* bytes per chunk */
	uint64_t nchunks;
	pthread_mutex_t lock; /* tables' offsets and the chunk cache */
	uint64_t tick;
	struct ewf1_chunk *cache;
	uint32_t ncache;
};

/* The apfs_dev_ops read and close (ewf1_read.c). */
int ewf1_read(struct apfs_dev *dev, void *buf, size_t len, uint64_t off);
void ewf1_close(struct apfs_dev *dev);

#endif
