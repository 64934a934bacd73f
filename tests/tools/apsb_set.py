#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""apsb_set.py IMAGE OFFSET OLD NEW [XID] - in every volume superblock (apfs_superblock_t, magic
"APSB" at byte 32; Apple's reference) of an image of 4 KiB blocks whose 64-bit field at byte
OFFSET holds OLD (or any value: OLD "any"), write NEW there, each checksum made right again: a volume that claims
what its trees do not hold (OFFSET 216: apfs_num_snapshots).  With XID, only the one whose
object header's o_xid (byte 16) is XID: a snapshot's superblock copy, or the live one.  Prints "block N" for each
superblock changed; exits nonzero where none was."""
import struct
import sys

from fletcher import fletcher64
from fsnode import image_blocks

BS = 4096


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    at, new = int(sys.argv[2], 0), int(sys.argv[4], 0)
    old = None if sys.argv[3] == "any" else int(sys.argv[3], 0)
    xid = int(sys.argv[5], 0) if len(sys.argv) == 6 else None
    changed = 0
    with open(sys.argv[1], "r+b") as f:
        for off, blk in list(image_blocks(f)):   # the holes hold no superblock
            if blk[32:36] != b"APSB" or \
                    (old is not None and struct.unpack_from("<Q", blk, at)[0] != old) or \
                    (xid is not None and struct.unpack_from("<Q", blk, 16)[0] != xid):
                continue
            struct.pack_into("<Q", blk, at, new)
            struct.pack_into("<Q", blk, 0, fletcher64(bytes(blk[8:])))
            f.seek(off)
            f.write(blk)
            print("block %d" % (off // BS))
            changed += 1
    if not changed:
        sys.exit("apsb_set.py: no volume superblock holds %s at byte %d" % (sys.argv[3], at))


main()
