#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""drec_reino.py IMAGE NAME INO - forge, in place, the file id (j_drec_val_t's first
8 bytes) of the one directory record named NAME to INO (decimal or 0x-hex: 0, 1, or
numbers with bits 62 or 63 set, which no inode can have: a key's object id is 60 bits).
The node's Fletcher-64 checksum is made right again.  For unencrypted, unsealed volumes
of 4 KiB blocks with hashed directory records (fsnode.py): exactly one must match."""
import struct
import sys

from fsnode import sparse_nodes


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: drec_reino.py IMAGE NAME INO")
    name, ino = sys.argv[2].encode(), int(sys.argv[3], 0)
    with open(sys.argv[1], "r+b") as f:
        hits = [(n, v) for n in sparse_nodes(f) for nm, v in n.drecs() if nm == name]
        if len(hits) != 1:
            sys.exit("drec_reino.py: %d records named %s found, not 1" % (len(hits), sys.argv[2]))
        n, v = hits[0]
        struct.pack_into("<Q", n.blk, v, ino)
        n.write(f)


main()
