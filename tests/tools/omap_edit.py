#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""omap_edit.py IMAGE OID - in the object-map leaf holding two versions of OID, swap the
table-of-contents slots of the first two: the leaf lists the newer version before the
older (keys out of order), its checksum made right again.  omap_edit.py IMAGE --index -
the same to the first two slots of the object map's one index node (its children then
out of order; the image must hold exactly one).  An object-map node (Apple's
reference, btree_node_phys_t) is an object of type btree (2) or btree node (3), subtype
omap (0xb), with fixed-size entries: its table of contents holds kvoff_t (key offset,
value offset; 2 bytes each), its keys are omap_key_t (oid, xid: 8 bytes each).  Exactly
one leaf must hold two versions; the image is read by its data regions only.  Prints the
leaf's block number: "block N"."""
import struct
import sys

from fletcher import fletcher64
from fsnode import BS, data_regions


def blocks(f):
    """(offset, block) of every block in the data regions of the image open as f."""
    for start, data in data_regions(f):
        for off in range(0, len(data) - BS + 1, BS):
            yield start + off, bytearray(data[off:off + BS])


def header(blk):
    """(flags, level, nkeys, toff, tlen) of blk if it is an object-map node with a valid
    checksum, else None."""
    otype, subtype = struct.unpack_from("<II", blk, 24)
    if (otype & 0xffff) not in (2, 3) or subtype != 0xB:
        return None
    if struct.unpack_from("<Q", blk, 0)[0] != fletcher64(bytes(blk[8:])):
        return None
    return struct.unpack_from("<HHIHH", blk, 32)


def versions(blk, oid):
    """The table-of-contents offsets of oid's records in blk, an omap leaf, else []."""
    if not header(blk):
        return []
    flags, level, nkeys, toff, tlen = header(blk)
    if level or not flags & 4 or 56 + toff + tlen + 16 * nkeys > BS:
        return []
    keys = 56 + toff + tlen
    slots = [56 + toff + 4 * i for i in range(nkeys)]  # kvoff_t: the key's offset first
    return [s for s in slots
            if struct.unpack_from("<Q", blk, keys + struct.unpack_from("<H", blk, s)[0])[0] == oid]


def index_slots(blk):
    """The table-of-contents offsets of blk's records if it is an object-map index node of
    two or more, else []."""
    if not header(blk):
        return []
    flags, level, nkeys, toff, tlen = header(blk)
    if not level or not flags & 4 or nkeys < 2 or 56 + toff + 4 * nkeys > BS:
        return []
    return [56 + toff + 4 * i for i in range(nkeys)]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    index = sys.argv[2] == "--index"
    oid = 0 if index else int(sys.argv[2])
    with open(sys.argv[1], "r+b") as f:
        hits = [(off, blk, v) for off, blk in blocks(f)
                for v in [index_slots(blk) if index else versions(blk, oid)] if len(v) >= 2]
        if len(hits) != 1:
            sys.exit("omap_edit.py: %d object-map %s, not 1" % (len(hits), "index nodes"
                     if index else "leaves hold two versions of %d" % oid))
        off, blk, (a, b) = hits[0][0], hits[0][1], hits[0][2][:2]
        blk[a:a + 4], blk[b:b + 4] = blk[b:b + 4], blk[a:a + 4]
        struct.pack_into("<Q", blk, 0, fletcher64(bytes(blk[8:])))
        f.seek(off)
        f.write(blk)
        print("block %d" % (off // BS))


main()
