#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fext_set.py IMG APSB_BLOCK PRIVATE_ID LOGICAL PHYS - in a sealed volume's file-extent
tree (the volume superblock at APSB_BLOCK names its root, apfs_fext_tree_oid at byte 1032:
a physical B-tree of fixed 16-byte keys (private_id, logical_addr) and 16-byte values
(len_and_flags, phys_block_num), Apple's reference), the record of stream PRIVATE_ID at
byte LOGICAL given phys_block_num PHYS, its node's checksum made right again (the tree is
not hashed: no seal covers it).  Prints the block it held; exits nonzero where there is no
such record.  4 KiB blocks, no GPT."""
import struct
import sys

from fletcher import fletcher64

BS = 4096


def leaf_slots(d, n, root):
    """(node block, value offset, key) of each leaf record below node n."""
    node = d[n * BS:(n + 1) * BS]
    _, level, nkeys = struct.unpack_from("<HHI", node, 32)
    toff, tlen = struct.unpack_from("<HH", node, 40)
    kstart, vend = 56 + toff + tlen, BS - (40 if root else 0)
    for i in range(nkeys):
        ko, vo = struct.unpack_from("<HH", node, 56 + toff + 4 * i)
        key = struct.unpack_from("<QQ", node, kstart + ko)
        if level:
            yield from leaf_slots(d, struct.unpack_from("<Q", node, vend - vo)[0], False)
        else:
            yield n, vend - vo, key


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    path = sys.argv[1]
    apsb, pid, logical, phys = (int(a, 0) for a in sys.argv[2:])
    d = bytearray(open(path, "rb").read())
    root = struct.unpack_from("<Q", d, apsb * BS + 1032)[0]
    for n, vo, key in leaf_slots(d, root, True):
        if key == (pid, logical):
            at = n * BS + vo + 8
            old = struct.unpack_from("<Q", d, at)[0]
            struct.pack_into("<Q", d, at, phys)
            struct.pack_into("<Q", d, n * BS, fletcher64(bytes(d[n * BS + 8:(n + 1) * BS])))
            open(path, "wb").write(d)
            print(old)
            return
    sys.exit("fext_set.py: no record (%d, %d)" % (pid, logical))


if __name__ == "__main__":
    main()
