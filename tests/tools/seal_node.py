#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""seal_node.py IN OUT XID - the sealed fs-tree nodes a volume's object map places at
exactly transaction XID (a snapshot's state, or the live one's: the records flagged
OMAP_VAL_NOHEADER, 0x8, whose key omap_key_t (oid, xid) has that xid; Apple's reference),
counted, and OUT written as IN with the last byte of one of them flipped: the leaf
(btn_level, byte 34, 0) of the greatest virtual id (a sealed tree's root takes its id before
its children, so never the root; an index node's last bytes are a child's hash, whose
change would fail that child too).  Sealed nodes have no header and no checksum: only the
hash its parent holds can tell.  Prints "NODES BLOCK" (the count; the block changed).  One
volume, 4 KiB blocks."""
import struct
import sys

from fsnode import BS, omap_leaf_records


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    xid = int(sys.argv[3], 0)
    d = bytearray(open(sys.argv[1], "rb").read())
    recs = {}
    for off in range(0, len(d) - BS + 1, BS):
        blk = d[off:off + BS]
        for oid, x, fl, v in omap_leaf_records(blk):
            if fl & 8 and x == xid:
                recs[oid] = struct.unpack_from("<Q", blk, v + 8)[0]
    if not recs:
        sys.exit("seal_node.py: no sealed fs-tree node at xid %d" % xid)
    leaves = [oid for oid, b in recs.items()
              if struct.unpack_from("<H", d, b * BS + 34)[0] == 0]
    blk = recs[max(leaves)]
    d[blk * BS + BS - 1] ^= 1
    open(sys.argv[2], "wb").write(d)
    print(len(recs), blk)


main()
