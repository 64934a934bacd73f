#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""inode_rename.py IMAGE OLD NEW - forge, in place, the primary name an inode record
holds (its INO_EXT_TYPE_NAME field) from OLD to NEW, of the same length, leaving the
directory record that names the file as it is; the node's Fletcher-64 checksum is made
right again, so only the disagreement between the two names tells.  For unencrypted,
unsealed volumes of 4 KiB blocks.  The field is found as OLD with its NUL, in a valid
fs-tree node (object type 0x3 btree_node, subtype 0xe fstree), not behind a
j_drec_hashed_key_t (a key whose type, the top 4 bits of its first 8 bytes, is 9):
exactly one must be."""
import struct
import sys

from fletcher import fletcher64
from fsnode import data_regions

BS = 4096


def is_fs_node(blk):
    otype, subtype = struct.unpack_from("<II", blk, 24)
    return (otype & 0xffff) == 3 and subtype == 0xE and \
        struct.unpack_from("<Q", blk, 0)[0] == fletcher64(blk[8:])


def main():
    if len(sys.argv) != 4 or len(sys.argv[2]) != len(sys.argv[3]):
        sys.exit("usage: inode_rename.py IMAGE OLD NEW (names of one length)")
    old, new = sys.argv[2].encode() + b"\0", sys.argv[3].encode() + b"\0"
    with open(sys.argv[1], "r+b") as f:
        hits = []
        for start, data in data_regions(f):   # the holes hold no name
            at = data.find(old)
            while at >= 0:
                base = at - at % BS
                in_drec = at >= 12 and (data[at - 5] >> 4) == 9
                if not in_drec and is_fs_node(data[base:base + BS]):
                    hits.append((start + base, data[base:base + BS], at - base))
                at = data.find(old, at + 1)
        if len(hits) != 1:
            sys.exit("inode_rename.py: %d inode names %s found, not 1" % (len(hits), sys.argv[2]))
        base, blk, at = hits[0]
        blk = bytearray(blk)
        blk[at:at + len(new)] = new
        struct.pack_into("<Q", blk, 0, fletcher64(bytes(blk[8:])))
        f.seek(base)
        f.write(blk)


main()
