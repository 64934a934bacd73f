#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""image_sum.py FILE... - one line per FILE: a SHA-256 of its contents, for telling
two images equal or not, read by their data regions only (fsnode.data_regions:
SEEK_DATA, SEEK_HOLE).  sha256sum reads a sparse 2.5 GiB image's holes as 2.5 GiB
of zeros (13 s here); this reads what the file holds.  Not sha256sum's digest: the
hash covers the size and then each 4 KiB block that is not all zeros with its
offset, so that two files of the same bytes get the same sum wherever their holes
are, and two that differ in any byte (or in size) get different ones."""
import hashlib
import os
import struct
import sys

from fsnode import data_regions

BS = 4096
ZERO = bytes(BS)


def image_sum(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(struct.pack("<Q", os.fstat(f.fileno()).st_size))
        for start, data in data_regions(f):
            for off in range(0, len(data), BS):
                blk = data[off:off + BS]
                if blk != ZERO[:len(blk)]:
                    h.update(struct.pack("<QI", start + off, len(blk)))
                    h.update(blk)
    return h.hexdigest()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for p in sys.argv[1:]:
        print(image_sum(p))


main()
