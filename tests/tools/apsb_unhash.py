#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""apsb_unhash.py IMAGE - clear the case- and normalization-insensitive bits
(APFS_INCOMPAT_CASE_INSENSITIVE 0x1, APFS_INCOMPAT_NORMALIZATION_INSENSITIVE 0x8) of
apfs_incompatible_features in every volume superblock (apfs_superblock_t, magic "APSB"
at byte 32, the features at byte 56; Apple's reference) of an image of 4 KiB blocks,
each checksum made right again: the volume then says its directory records carry no name
hash while they still do.  Prints "block N" for each superblock changed."""
import struct
import sys

from fletcher import fletcher64
from fsnode import image_blocks

BS = 4096


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: apsb_unhash.py IMAGE")
    with open(sys.argv[1], "r+b") as f:
        for off, blk in list(image_blocks(f)):   # the holes hold no superblock
            if blk[32:36] != b"APSB":
                continue
            inc = struct.unpack_from("<Q", blk, 56)[0]
            if not inc & 0x9:
                continue
            struct.pack_into("<Q", blk, 56, inc & ~0x9)
            struct.pack_into("<Q", blk, 0, fletcher64(bytes(blk[8:])))
            f.seek(off)
            f.write(blk)
            print("block %d" % (off // BS))


if __name__ == "__main__":
    main()
