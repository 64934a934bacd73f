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

from fletcher import fletcher64

BS = 4096
BTNODE_ROOT, BTNODE_LEAF, BTNODE_FIXED = 1, 2, 4
TYPE_DIR_REC = 9


def drec_values(blk, name):
    """Offsets in blk of the value of each directory record named name."""
    otype, subtype = struct.unpack_from("<II", blk, 24)
    if (otype & 0xffff) not in (2, 3) or subtype != 0xE:
        return []
    if struct.unpack_from("<Q", blk, 0)[0] != fletcher64(blk[8:]):
        return []
    flags, level, nkeys, toff, tlen = struct.unpack_from("<HHIHH", blk, 32)
    if not flags & BTNODE_LEAF or flags & BTNODE_FIXED or level:
        return []
    keys = 56 + toff + tlen
    vend = BS - (40 if flags & BTNODE_ROOT else 0)
    found = []
    for i in range(nkeys):
        ko, kl, vo, vl = struct.unpack_from("<HHHH", blk, 56 + toff + 8 * i)
        k = blk[keys + ko:keys + ko + kl]
        if kl < 12 or struct.unpack_from("<Q", k)[0] >> 60 != TYPE_DIR_REC:
            continue
        if k[12:].split(b"\0")[0] == name and vl >= 18:
            found.append(vend - vo)
    return found


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: drec_retype.py IMAGE NAME TYPE")
    name, dt = sys.argv[2].encode(), int(sys.argv[3])
    with open(sys.argv[1], "r+b") as f:
        data = f.read()
        hits = []
        for base in range(0, len(data) - BS + 1, BS):
            if data.find(name, base, base + BS) >= 0:
                hits += [(base, v) for v in drec_values(data[base:base + BS], name)]
        if len(hits) != 1:
            sys.exit("drec_retype.py: %d records named %s found, not 1" % (len(hits), sys.argv[2]))
        base, v = hits[0]
        blk = bytearray(data[base:base + BS])
        flags = struct.unpack_from("<H", blk, v + 16)[0]
        struct.pack_into("<H", blk, v + 16, (flags & ~0xF) | dt)
        struct.pack_into("<Q", blk, 0, fletcher64(bytes(blk[8:])))
        f.seek(base)
        f.write(blk)


main()
