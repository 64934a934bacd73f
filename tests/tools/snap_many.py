#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""snap_many.py IN OUT K FIRSTXID - IN with its snapshot metadata tree (the one valid
root node of subtype OBJECT_TYPE_SNAPMETATREE, 0x10) rebuilt in place as K snapshot
records, transactions FIRSTXID, FIRSTXID+1, ..., named s000000, s000001, ..., each a copy
of the first record's j_snap_metadata_val_t (so each names the same superblock copy): a
volume that claims K snapshots of one state.  Two levels (Apple's reference,
btree_node_phys_t): leaves of up to 40 records in blocks of zeros taken from the image's
end, under the old root, which keeps its btree_info_t (its key and node counts set).
Variable-size entries: kvloc_t (key offset, length; value offset, length) in the table of
contents, keys after it, values counted back from the node's end.  No name records
(SNAP_NAME): a walk over the SNAP_METADATA ones lists them.  4 KiB blocks, K <= 6000."""
import struct
import sys

from fletcher import fletcher64

BS = 4096
PER_LEAF = 40
SNAP_META_HDR = 50  # j_snap_metadata_val_t before its name


def records(blk):
    """[(key, value)] of a variable-size node."""
    flags, _, nkeys, toff, tlen = struct.unpack_from("<HHIHH", blk, 32)
    keys, vend = 56 + toff + tlen, BS - (40 if flags & 1 else 0)
    out = []
    for i in range(nkeys):
        ko, kl, vo, vl = struct.unpack_from("<HHHH", blk, 56 + toff + 8 * i)
        out.append((bytes(blk[keys + ko:keys + ko + kl]), bytes(blk[vend - vo:vend - vo + vl])))
    return out


def node(base, paddr, level, recs, footer):
    """A node of recs at paddr: the root (footer: its btree_info_t) or a leaf."""
    b = bytearray(BS)
    vend = BS - (40 if footer else 0)
    toc, keys, vals = bytearray(), bytearray(), bytearray()
    for k, v in recs:
        toc += struct.pack("<HHHH", len(keys), len(k), len(vals) + len(v), len(v))
        keys += k
        vals[0:0] = v
    free = vend - len(vals) - 56 - len(toc) - len(keys)
    if free < 0:
        sys.exit("snap_many.py: %d records do not fit a node" % len(recs))
    b[56:56 + len(toc) + len(keys)] = toc + keys
    b[vend - len(vals):vend] = vals
    otype = struct.unpack_from("<I", base, 24)[0] & ~0xffff | (2 if footer else 3)
    struct.pack_into("<QQII", b, 8, paddr, struct.unpack_from("<Q", base, 16)[0], otype, 0x10)
    struct.pack_into("<HHIHHHHHHHH", b, 32, (1 if footer else 0) | (2 if not level else 0),
                     level, len(recs), 0, len(toc), len(keys), free, 0xffff, 0, 0xffff, 0)
    if footer:
        b[BS - 40:] = footer
    struct.pack_into("<Q", b, 0, fletcher64(bytes(b[8:])))
    return b


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    k, first = int(sys.argv[3]), int(sys.argv[4])
    d = bytearray(open(sys.argv[1], "rb").read())
    roots = [o for o in range(0, len(d), BS)
             if struct.unpack_from("<I", d, o + 28)[0] == 0x10
             and d[o + 32] & 1 and struct.unpack_from("<Q", d, o)[0] == fletcher64(d[o + 8:o + BS])]
    if len(roots) != 1 or not 0 < k <= 6000:
        sys.exit("snap_many.py: %d snapshot metadata roots (1 wanted), or K out of range"
                 % len(roots))
    root = roots[0]
    base = d[root:root + BS]
    meta = [v for key, v in records(base) if struct.unpack_from("<Q", key)[0] >> 60 == 1]
    if not meta:
        sys.exit("snap_many.py: the root holds no snapshot record (a one-level tree wanted)")
    zeros = [o for o in range(len(d) - BS, 0, -BS) if not any(d[o:o + BS])]
    recs = []
    for i in range(k):
        name = b"s%06d\0" % i
        v = bytearray(meta[0][:SNAP_META_HDR])
        struct.pack_into("<H", v, 48, len(name))
        recs.append((struct.pack("<Q", (first + i) | 1 << 60), bytes(v) + name))
    index = []
    for i in range(0, k, PER_LEAF):
        at = zeros.pop()
        d[at:at + BS] = node(base, at // BS, 0, recs[i:i + PER_LEAF], None)
        index.append((recs[i][0], struct.pack("<Q", at // BS)))
    footer = bytearray(base[BS - 40:])
    struct.pack_into("<QQ", footer, 24, k, len(index) + 1)  # bt_key_count, bt_node_count
    d[root:root + BS] = node(base, root // BS, 1, index, footer)
    open(sys.argv[2], "wb").write(d)
    print("block %d: %d records in %d leaves" % (root // BS, k, len(index)))


main()
