#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""drec_retype.py IMAGE NAME TYPE - forge, in place, the type (j_drec_val_t's flags &
DREC_TYPE_MASK, 0x000f) of the one directory record named NAME to TYPE (a DT_ number:
4 directory, 8 file, 10 symbolic link), leaving its inode's mode as it is; the node's
Fletcher-64 checksum is made right again.  For unencrypted, unsealed volumes of 4 KiB
blocks with hashed directory records.  The record is found by walking the table of
contents of every valid fs-tree leaf (btree_node_phys_t: the table after the 56-byte
header, keys after it, values back from the block's end, or from before the 40-byte
btree_info_t of a root): exactly one must match."""
import struct
import sys

from fsnode import sparse_nodes


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: drec_retype.py IMAGE NAME TYPE")
    name, dt = sys.argv[2].encode(), int(sys.argv[3])
    with open(sys.argv[1], "r+b") as f:
        hits = [(n, v) for n in sparse_nodes(f) for nm, v in n.drecs() if nm == name]
        if len(hits) != 1:
            sys.exit("drec_retype.py: %d records named %s found, not 1" % (len(hits), sys.argv[2]))
        n, v = hits[0]
        flags = struct.unpack_from("<H", n.blk, v + 16)[0]
        struct.pack_into("<H", n.blk, v + 16, (flags & ~0xF) | dt)
        n.write(f)


main()
