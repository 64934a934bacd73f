#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""decmpfs_retype.py IMAGE TYPE SIZE NEWTYPE [NEWMAGIC] - forge, in place, the
com.apple.decmpfs header (decmpfs_disk_header: magic 'fpmc', u32 compression type,
u64 uncompressed size; all little-endian) of the one file whose header says TYPE and
SIZE: its type becomes NEWTYPE, and its magic NEWMAGIC (4 ASCII bytes) if given.  The
header lies in an xattr value in an fs-tree node; the node's Fletcher-64 checksum is
made right again; only the image's data regions are read (a sparse container of a
GiB).  For unencrypted, unsealed volumes of 4 KiB blocks (fsnode.py):
exactly one header must match."""
import struct
import sys

from fsnode import sparse_nodes


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit("usage: decmpfs_retype.py IMAGE TYPE SIZE NEWTYPE [NEWMAGIC]")
    want = b"fpmc" + struct.pack("<IQ", int(sys.argv[2], 0), int(sys.argv[3], 0))
    magic = sys.argv[5].encode() if len(sys.argv) == 6 else b"fpmc"
    if len(magic) != 4:
        sys.exit("decmpfs_retype.py: NEWMAGIC must be 4 bytes")
    with open(sys.argv[1], "r+b") as f:
        hits = [(n, at) for n in sparse_nodes(f) for at in [bytes(n.blk).find(want)]
                if at >= 0 and bytes(n.blk).count(want) == 1]
        if len(hits) != 1:
            sys.exit("decmpfs_retype.py: %d headers of type %s, size %s found, not 1"
                     % (len(hits), sys.argv[2], sys.argv[3]))
        n, at = hits[0]
        n.blk[at:at + 8] = magic + struct.pack("<I", int(sys.argv[4], 0))
        n.write(f)


main()
