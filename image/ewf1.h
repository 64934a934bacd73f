/* SPDX-License-Identifier: MIT */
/*
 * ewf1.h - EWF version 1 (E01 as EnCase 2-7, FTK Imager, linen and
 * ewfacquire write it) read directly, without libewf.
 *
 * libewf reads every table section of every segment when a set is opened;
 * a command that reads a few blocks (list, listcryptousers) then costs
 * more in libewf's open than in everything else (BENCHMARKS.md).  This
 * reader walks the section descriptors only (a few per segment), and
 * reads a table's chunk offsets the first time a chunk of that table is
 * read, keeping a bounded number of tables.
 *
 * It takes only the layout it knows in full: sectors sections each
 * followed by their table (and its table2 mirror), a volume section of
 * the EnCase size, one chunk count that the tables, the volume section and
 * the sector count all agree on, the set ending in "done".  Anything else
 * (SMART S01, EnCase 1 tables holding their chunks, a damaged descriptor,
 * a missing or cut segment) is declined, and libewf reads it and reports
 * what is wrong as before.
 *
 * Format: the EWF description of libyal (Expert Witness Compression
 * Format, sections "Section header", "Volume section", "Table section",
 * "Hash section", "Digest section").
 */
#ifndef IMAGE_EWF1_H
#define IMAGE_EWF1_H

#include "image/dev.h"

/*
 * The segment files names[0..n) (in order) as one device over lower: 1
 * with *out set (owning lower), 0 when the set is not of the layout this
 * reader takes (nothing logged; lower untouched), -ENOMEM.
 */
int apfs_ewf1_open(struct apfs_dev *lower, char **names, int n, struct apfs_dev **out);

/*
 * dev->summary as both E01 readers give it, from its kind ("E01", "S01"),
 * size and stored hashes: "E01 (3 segments, 4.0 GiB, MD5 and SHA1 stored)".
 */
void apfs_ewf_summary(struct apfs_dev *dev, unsigned nseg);

#endif
