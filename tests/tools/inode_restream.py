#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""inode_restream.py IMAGE NAME ID - forge, in place, the private id (j_inode_val_t's
second 8 bytes: the number of the file's data stream, whose extent records are keyed by
it) of the inode that the one directory record named NAME points to, to ID (decimal or
0x-hex).  The node's Fletcher-64 checksum is made right again.  For unencrypted, unsealed
volumes of 4 KiB blocks with hashed directory records (fsnode.py): exactly one record
named NAME, and exactly one inode record of its file id, must be found."""
import struct
import sys

from fsnode import sparse_nodes, named_inode


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: inode_restream.py IMAGE NAME ID")
    name, sid = sys.argv[2].encode(), int(sys.argv[3], 0)
    with open(sys.argv[1], "r+b") as f:
        n, v, vl = named_inode(list(sparse_nodes(f)), name, "inode_restream.py")
        if vl < 16:
            sys.exit("inode_restream.py: the inode record is too short")
        struct.pack_into("<Q", n.blk, v + 8, sid)
        n.write(f)


main()
