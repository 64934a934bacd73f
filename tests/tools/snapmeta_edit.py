#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""snapmeta_edit.py IMAGE OLD NEW - in every node of a snapshot metadata tree (o_subtype
OBJECT_TYPE_SNAPMETATREE, 0x10; Apple's reference) of an image of 4 KiB blocks whose
checksum is right, the bytes OLD become NEW (as long), each checksum made right again: a
snapshot renamed in its j_snap_metadata_val_t and its name record alike (the key order of
a tree of one snapshot stays).  OLD and NEW as hex:HEXDIGITS are bytes (a record's key).  Prints "block N" for each node changed; exits nonzero where
none was."""
import struct
import sys

from fletcher import fletcher64
from fsnode import image_blocks

BS = 4096
SUBTYPE_SNAPMETATREE = 0x10


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    old, new = (bytes.fromhex(a[4:]) if a.startswith("hex:") else a.encode()
                for a in sys.argv[2:])
    if len(old) != len(new):
        sys.exit(__doc__)
    changed = 0
    with open(sys.argv[1], "r+b") as f:
        for off, blk in list(image_blocks(f)):   # the holes hold no node
            blk = bytes(blk)
            if old not in blk or struct.unpack_from("<I", blk, 28)[0] != SUBTYPE_SNAPMETATREE \
                    or struct.unpack_from("<Q", blk, 0)[0] != fletcher64(blk[8:]):
                continue
            blk = bytearray(blk.replace(old, new))
            struct.pack_into("<Q", blk, 0, fletcher64(bytes(blk[8:])))
            f.seek(off)
            f.write(blk)
            print("block %d" % (off // BS))
            changed += 1
    if not changed:
        sys.exit("snapmeta_edit.py: no snapshot metadata node holds %s" % sys.argv[2])


main()
