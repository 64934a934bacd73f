/* SPDX-License-Identifier: MIT */
/*
 * readall.h - the parallel ordered reader (readall.c): a whole file read
 * with a reader thread per core, its chunks handed on in order.  The
 * library's apfsi_file_read_all and the commands' fs_reader (cli/readall.c)
 * both run on it.
 */
#ifndef LIB_READALL_H
#define LIB_READALL_H

#include <stddef.h>

#include "apfs/fs.h"

/* 0 to go on; nonzero stops the read, and the read returns it. */
typedef int (*apfsi_reader_sink)(const void *p, size_t n, void *arg);

/*
 * The buffers outlive one file: a caller reading many files (extract) pays
 * for fresh memory once.  NULL when out of memory.
 */
struct apfsi_reader *apfsi_reader_new(void);
void apfsi_reader_free(struct apfsi_reader *r);

/*
 * Read f whole into sink, in order, with up to `threads` readers (0: one
 * per core).  Returns 0, a negative errno of the read, or sink's nonzero
 * value.  msg (cap bytes, may be NULL) receives the error of the chunk the
 * read failed at, "" when none; it is said (logged) once, on the caller's
 * thread, however many readers met it.
 */
int apfsi_reader_read(struct apfsi_reader *r, struct apfs_file *f, unsigned threads,
		      apfsi_reader_sink sink, void *arg, char *msg, size_t cap);

#endif
