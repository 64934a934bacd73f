#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""seal_rehash.py IN OUT EDIT [OID [ARG]] - a sealed volume of one state (`mkimage sealed`,
4 KiB blocks) with records of its fs tree changed and every hash above them made right
again, so that the seal vouches for the change, as if macOS had sealed the volume so.
EDIT:
  drop-hashes OID   the data-hash records (APFS_TYPE_FILE_INFO, 13) keyed OID removed from
                    their leaf (never a leaf's first record, which its parent's index key
                    names);
  drop-first OID    only the one of them at byte 0 (info_and_lba's low 56 bits);
  move-first OID AT that one's byte made AT (below the next record's: the keys stay in
                    order), so that no run begins at byte 0;
  drop-dstream OID  the DSTREAM_ID record (6) of OID removed: no data stream is named so;
  fifo OID          inode OID made a FIFO (j_inode_val_t's mode, byte 80, S_IFIFO | 0644);
  private OID NEW   inode OID's private_id (byte 8) made NEW: its data stream another's;
  bump              every data-hash record's hashed_len (j_file_data_hash_val_t's first 2
                    bytes) made 65,535 blocks.
Then, from the leaves up, each index value's hash (40 bytes: the child's oid less the
root's, the SHA-256 of the child's whole block: Apple's reference, binv_child_hash;
docs/macos-boot.md §4) and the integrity metadata's root hash (at im_root_hash_offset, its
Fletcher-64 made right).  The nodes are found through the object map
(fsnode.omap_leaf_records), the root oid in the volume superblock (apfs_root_tree_oid, byte
136), the integrity metadata by its oid (apfs_integrity_meta_oid, byte 1024).  Prints how
many records it changed."""
import hashlib
import struct
import sys

from fletcher import fletcher64
from fsnode import BS, Node, drop_slot, omap_leaf_records

S_IFIFO = 0o010000


def blocks_by_oid(d):
    """oid -> physical block of each object the object maps place (its newest xid)."""
    best = {}
    for off in range(0, len(d) - BS + 1, BS):
        blk = d[off:off + BS]
        for oid, xid, _, v in omap_leaf_records(blk):
            if oid not in best or xid > best[oid][0]:
                best[oid] = (xid, struct.unpack_from("<Q", blk, v + 8)[0])
    return {oid: b for oid, (_, b) in best.items()}


def live_apsb(d):
    """The volume superblock of the greatest o_xid."""
    found = [(struct.unpack_from("<Q", d, o + 16)[0], o) for o in range(0, len(d), BS)
             if d[o + 32:o + 36] == b"APSB"]
    return max(found)[1]


def node(d, b):
    return Node(b * BS, d[b * BS:(b + 1) * BS])


def edit_leaf(n, what, oid, arg):
    """The changes to leaf n; how many records changed."""
    changed, i = 0, 0
    while i < n.nkeys:
        o, t = n.oid_type(i)
        _, k, v, _ = n.entry(i)
        first = t == 13 and struct.unpack_from("<Q", k, 8)[0] & ((1 << 56) - 1) == 0
        if o == oid and (t == 13 and (what == "drop-hashes" or what == "drop-first" and first)
                         or t == 6 and what == "drop-dstream"):
            if i == 0:
                sys.exit("seal_rehash.py: a leaf's first record; its parent names it")
            drop_slot(n, i)
            changed += 1
            continue
        if o == oid and first and what == "move-first":
            lba = struct.unpack_from("<Q", k, 8)[0]
            struct.pack_into("<Q", n.blk, n.entry(i)[0] + 8, (lba >> 56 << 56) | arg)
            changed += 1
        if o == oid and t == 3 and what in ("fifo", "private"):
            if what == "fifo":
                struct.pack_into("<H", n.blk, v + 80, S_IFIFO | 0o644)
            else:
                struct.pack_into("<Q", n.blk, v + 8, arg)
            changed += 1
        if what == "bump" and t == 13:
            struct.pack_into("<H", n.blk, v, 65535)
            changed += 1
        i += 1
    return changed


def rehash(d, where, b, root, what, oid, arg):
    """Node at block b (and what lies below it) edited and its children's hashes made
    right; the records changed."""
    n = node(d, b)
    changed = 0
    if n.level == 0:
        changed = edit_leaf(n, what, oid, arg)
    for i in range(n.nkeys if n.level else 0):
        _, _, v, vl = n.entry(i)
        if vl != 40:
            sys.exit("seal_rehash.py: index values of %d bytes, not macOS's 40" % vl)
        child = where[struct.unpack_from("<Q", n.blk, v)[0] + root]
        changed += rehash(d, where, child, root, what, oid, arg)
        n.blk[v + 8:v + 40] = hashlib.sha256(d[child * BS:(child + 1) * BS]).digest()
    d[b * BS:(b + 1) * BS] = n.blk
    return changed


def main():
    edits = {"drop-hashes": 1, "drop-first": 1, "move-first": 2, "drop-dstream": 1, "fifo": 1,
             "private": 2, "bump": 0}
    if len(sys.argv) < 4 or edits.get(sys.argv[3]) != len(sys.argv) - 4:
        sys.exit(__doc__)
    d = bytearray(open(sys.argv[1], "rb").read())
    args = [int(a, 0) for a in sys.argv[4:]] + [0, 0]
    oid, arg = args[0], args[1]
    where, sb = blocks_by_oid(d), live_apsb(d)
    root = struct.unpack_from("<Q", d, sb + 136)[0]
    changed = rehash(d, where, where[root], root, sys.argv[3], oid, arg)
    if not changed:
        sys.exit("seal_rehash.py: no such record")
    if sys.argv[3].startswith("drop-"):
        info = BS * where[root] + BS - 40 + 24  # btree_info_t's bt_key_count
        struct.pack_into("<Q", d, info, struct.unpack_from("<Q", d, info)[0] - changed)
    im = where[struct.unpack_from("<Q", d, sb + 1024)[0]] * BS
    at = im + struct.unpack_from("<I", d, im + 44)[0]
    d[at:at + 32] = hashlib.sha256(d[where[root] * BS:(where[root] + 1) * BS]).digest()
    struct.pack_into("<Q", d, im, fletcher64(bytes(d[im + 8:im + BS])))
    open(sys.argv[2], "wb").write(d)
    print(changed)


main()
