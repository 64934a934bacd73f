#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""omap_move.py IMAGE BLOCK - in a sealed volume's object map, the record of one fs-tree
node made to place it at BLOCK (a block past a truncated image's end, for tests of what a
read there says): of the records flagged OMAP_VAL_NOHEADER (0x8: a sealed volume's fs-tree
nodes, Apple's reference), the one of the greatest virtual id that is not the tree's root
(apfs_root_tree_oid, byte 136 of the volume superblock; one volume superblock in the
image).  An object-map leaf (btree_node_phys_t, object type btree or btree node, subtype
omap 0xB, level 0) holds fixed-size entries: kvoff_t (key offset, value offset) in its
table of contents, keys omap_key_t (oid, xid), values omap_val_t (flags, size: 4 bytes
each; paddr: 8) counted back from the node's end (less btree_info_t's 40 bytes in a
root).  Checksum made right again.  Prints "oid N"."""
import struct
import sys

from fletcher import fletcher64
from fsnode import image_blocks, omap_leaf_records


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    to = int(sys.argv[2], 0)
    with open(sys.argv[1], "r+b") as f:
        every = list(image_blocks(f))
        roots = [struct.unpack_from("<Q", b, 136)[0] for _, b in every if b[32:36] == b"APSB"]
        if len(roots) != 1:
            sys.exit("omap_move.py: %d volume superblocks, not 1" % len(roots))
        hits = [(oid, off, blk, v) for off, blk in every for oid, _, fl, v in omap_leaf_records(blk)
                if fl & 8 and oid != roots[0]]
        if not hits:
            sys.exit("omap_move.py: no sealed fs-tree node but the root in the object map")
        oid, off, blk, v = max(hits, key=lambda h: h[0])
        struct.pack_into("<Q", blk, v + 8, to)
        struct.pack_into("<Q", blk, 0, fletcher64(bytes(blk[8:])))
        f.seek(off)
        f.write(blk)
        print("oid %d" % oid)


main()
