#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""inode_xfield.py IMAGE NAME TYPE VALUE - forge, in place, the 8-byte extended field
of type TYPE (x_field_t.x_type, e.g. 10 INO_EXT_TYPE_DIR_STATS_KEY) in the inode record
that the one directory record named NAME points to: its value becomes VALUE (decimal or
0x-hex, little-endian u64).  The fields follow j_inode_val_t (92 bytes): xf_blob_t
(u16 count, u16 bytes used), count x_field_t (u8 type, u8 flags, u16 size), then the
values, each padded to 8 bytes.  The node's Fletcher-64 checksum is made right again.
For unencrypted, unsealed volumes of 4 KiB blocks with hashed records (fsnode.py)."""
import struct
import sys

from fsnode import sparse_nodes, named_inode

INODE_VAL = 92


def field_at(blk, v, vl, want):
    """Where the value of the 8-byte field of type want lies, or None."""
    if vl < INODE_VAL + 4:
        return None
    n = struct.unpack_from("<H", blk, v + INODE_VAL)[0]
    data = v + INODE_VAL + 4 + 4 * n
    for i in range(n):
        t, _, size = struct.unpack_from("<BBH", blk, v + INODE_VAL + 4 + 4 * i)
        if t == want and size == 8 and data + 8 <= v + vl:
            return data
        data += (size + 7) & ~7
    return None


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: inode_xfield.py IMAGE NAME TYPE VALUE")
    name, want, value = sys.argv[2].encode(), int(sys.argv[3], 0), int(sys.argv[4], 0)
    with open(sys.argv[1], "r+b") as f:
        n, v, vl = named_inode(list(sparse_nodes(f)), name, "inode_xfield.py")
        at = field_at(n.blk, v, vl, want)
        if at is None:
            sys.exit("inode_xfield.py: no 8-byte field of type %d in %s's inode" % (want, sys.argv[2]))
        struct.pack_into("<Q", n.blk, at, value)
        n.write(f)


main()
