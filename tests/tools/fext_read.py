#!/usr/bin/env python3
"""fext_read.py IMG APSB_BLOCK PRIVATE_ID SIZE - SHA-256 of a file on a sealed
volume, rebuilt from its file-extent tree alone: the volume superblock's
apfs_fext_tree_oid (offset 1032) names a physical B-tree of fixed 16-byte
keys (private_id, logical_addr) and 16-byte values (len_and_flags,
phys_block_num), per Apple's APFS reference.  Written apart from the C
reader, so a test can hold the two against each other."""
import hashlib
import struct
import sys

path, apsb, pid, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
img = open(path, "rb").read()
base = 20480 if img[512:520] == b"EFI PART" else 0
bs = struct.unpack_from("<I", img, base + 36)[0]


def block(n):
    return img[base + n * bs: base + (n + 1) * bs]


def records(node, root):
    """(key, value) pairs of a fixed-size node; index values are child blocks."""
    flags, level, nkeys = struct.unpack_from("<HHI", node, 32)
    toff, tlen = struct.unpack_from("<HH", node, 40)
    kstart, vend = 56 + toff + tlen, bs - (40 if root else 0)
    out = []
    for i in range(nkeys):
        ko, vo = struct.unpack_from("<HH", node, 56 + toff + 4 * i)
        vl = 8 if level else 16
        out.append((node[kstart + ko: kstart + ko + 16], node[vend - vo: vend - vo + vl]))
    return level, out


def walk(n, root=False):
    level, recs = records(block(n), root)
    for k, v in recs:
        if level:
            yield from walk(struct.unpack("<Q", v)[0])
        else:
            yield struct.unpack("<QQ", k), struct.unpack("<QQ", v)


fext_root = struct.unpack_from("<Q", block(apsb), 1032)[0]
data = bytearray(size)
for (p, logical), (len_flags, phys) in walk(fext_root, True):
    if p != pid or phys == 0:
        continue
    length = len_flags & ((1 << 56) - 1)
    chunk = img[base + phys * bs: base + phys * bs + length]
    data[logical: logical + length] = chunk[: max(0, min(length, size - logical))]
print(hashlib.sha256(bytes(data[:size])).hexdigest())
