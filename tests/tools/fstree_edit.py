#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fstree_edit.py IMAGE EDIT ARGS - damage the fs tree of an unencrypted image of 4 KiB
blocks in one of ten ways, each node's checksum made right again except where the
checksum is the damage (tests/tools/fsnode.py):

  swap A B    in the leaf holding the inode records of A and B, swap their
              table-of-contents slots: the leaf lists B's record before A's (keys out
              of order, every node's checksum valid);
  rekey I N [T]  in the index node above the leaf holding inode I's record, set the key
              of that leaf's next sibling to inode N's (still above the leaf's own first
              key, so a walk from the start sees every record once, in order; a search
              for a key in [N, the next leaf's first key) lands in the next leaf); with
              T, to the 8-byte key of N and record type T (9: before N's first directory
              record, which then lands in the next leaf);
  break I     flip a byte of the leaf holding inode I's record: its checksum fails;
  after F T N in the leaf holding record N (from 0, in key order) of type T of file F
              (an inode number, or the name of one directory record), swap its slot
              with that of the leaf's first record of a larger object: a walk over F's
              records of type T from their key meets another object's key before it;
  swaproot    in the fs tree's root, an index node, swap the slots of its first two
              records (the index out of order);
  unlocate F T N   record N of type T of F (as for after): its table-of-contents slot
              gets a key offset past the node, so that record cannot be located;
  unlocateall F T   in every leaf holding records of type T of F, the middle one of
              them (in the leaf's order) gets a key offset past the node: every such
              leaf lacks one record, its others as they were;
  unlocatechild B   in the index node above the node at block B (a leaf, or an index
              node), the record naming it gets a key offset past the node: it is named by
              no record that can be located;
  swapall     in every fs-tree leaf of two records or more, swap the slots of its first
              and last records: every such leaf out of order;
  trade F T N G U M   record N of type T of F and record M of type U of G, in two leaves,
              trade keys and values (the same sizes): each leaf holds a key of the
              other's range, and a search in one for its own record finds it gone.

Exactly one node must qualify (swapall, unlocateall: one at least).  The image is read
by its data regions only (a sparse container of a GiB costs what it holds).  Every edit but break
prints the block number of each node it damaged (rekey: the index node): "block N", one
line each."""
import struct
import sys

from fsnode import BS, BTNODE_ROOT, named_id, sparse_nodes, swap_slots, trade_records, OID_MASK

TYPE_INODE = 3
SUBTYPE_FSTREE = 0xE  # o_subtype of an fs-tree node (Apple's reference, OBJECT_TYPE_FSTREE)


def holds(n, ino):
    return n.level == 0 and any(n.oid_type(i) == (ino, TYPE_INODE) for i in range(n.nkeys))


def swap(f, all_nodes, a, b):
    a, b = int(a), int(b)
    for n in all_nodes:
        ia = [i for i in range(n.nkeys) if n.level == 0 and n.oid_type(i) == (a, TYPE_INODE)]
        ib = [i for i in range(n.nkeys) if n.level == 0 and n.oid_type(i) == (b, TYPE_INODE)]
        if ia and ib:
            swap_slots(f, n, ia[0], ib[0])
            return [n]
    sys.exit("fstree_edit.py: no leaf holds inodes %d and %d" % (a, b))


def rekey(f, all_nodes, ino, new, rtype=TYPE_INODE):
    ino, new, rtype = int(ino), int(new), int(rtype)
    leaf_oids = [struct.unpack_from("<Q", n.blk, 8)[0] for n in all_nodes if holds(n, ino)]
    for n in all_nodes:
        if n.level != 1:
            continue
        for i in range(n.nkeys - 1):
            _, _, voff, _ = n.entry(i)
            if struct.unpack_from("<Q", n.blk, voff)[0] in leaf_oids:
                k, _, _, _ = n.entry(i + 1)
                struct.pack_into("<Q", n.blk, k, rtype << 60 | (new & OID_MASK))
                struct.pack_into("<H", n.blk, n.toc(i + 1) + 2, 8)  # kvloc_t's k.len
                n.write(f)
                return [n]
    sys.exit("fstree_edit.py: no index node above inode %d's leaf with a next child" % ino)


def spoil(f, all_nodes, ino):
    ino = int(ino)
    for n in all_nodes:
        if holds(n, ino):
            f.seek(n.base + 8)
            f.write(bytes([n.blk[8] ^ 0xFF]))
            return
    sys.exit("fstree_edit.py: no leaf holds inode %d" % ino)


def record(all_nodes, name, rtype, nth):
    """(leaf, entry) of record nth (from 0, in key order) of type rtype of file name."""
    oid = int(name) if name.isdigit() else named_id(all_nodes, name.encode(), "fstree_edit.py")
    hits = [(n, i) for n in all_nodes if n.level == 0
            for i in range(n.nkeys) if n.oid_type(i) == (oid, int(rtype))]
    if len(hits) <= int(nth):
        sys.exit("fstree_edit.py: %d has no record %s of type %s" % (oid, nth, rtype))
    return hits[int(nth)]


def swap_root(f, all_nodes):
    roots = [n for n in all_nodes if n.flags & BTNODE_ROOT and n.level > 0 and n.nkeys >= 2 and
             n.subtype == SUBTYPE_FSTREE]
    if len(roots) != 1:
        sys.exit("fstree_edit.py: %d fs-tree roots of two index records, not 1" % len(roots))
    swap_slots(f, roots[0], 0, 1)
    return roots


def unlocate(f, all_nodes, name, rtype, nth):
    n, i = record(all_nodes, name, rtype, nth)
    struct.pack_into("<H", n.blk, n.toc(i), 0xFFFF)  # kvloc_t's k.off: past any node
    n.write(f)
    return [n]


def unlocate_all(f, all_nodes, name, rtype):
    oid = int(name) if name.isdigit() else named_id(all_nodes, name.encode(), "fstree_edit.py")
    done = []
    for n in all_nodes:
        mine = [i for i in range(n.nkeys) if n.level == 0 and n.oid_type(i) == (oid, int(rtype))]
        if mine:
            struct.pack_into("<H", n.blk, n.toc(mine[len(mine) // 2]), 0xFFFF)
            n.write(f)
            done.append(n)
    if not done:
        sys.exit("fstree_edit.py: %d has no record of type %s" % (oid, rtype))
    return done


def unlocate_child(f, all_nodes, blk):
    leaf = [n for n in all_nodes if n.base // BS == int(blk)]
    if len(leaf) != 1:
        sys.exit("fstree_edit.py: no fs-tree node at block %s" % blk)
    oid = struct.unpack_from("<Q", leaf[0].blk, 8)[0]  # obj_phys_t's o_oid
    hits = [(n, i) for n in all_nodes if n.level > 0 for i in range(n.nkeys)
            if n.entry(i)[3] == 8 and struct.unpack_from("<Q", n.blk, n.entry(i)[2])[0] == oid]
    if len(hits) != 1:
        sys.exit("fstree_edit.py: %d index records name the node at block %s, not 1"
                 % (len(hits), blk))
    n, i = hits[0]
    struct.pack_into("<H", n.blk, n.toc(i), 0xFFFF)  # kvloc_t's k.off: past any node
    n.write(f)
    return [n]


def swap_all(f, all_nodes):
    leaves = [n for n in all_nodes if n.level == 0 and n.nkeys >= 2 and
              n.subtype == SUBTYPE_FSTREE]
    if not leaves:
        sys.exit("fstree_edit.py: no fs-tree leaf of two records")
    for n in leaves:
        swap_slots(f, n, 0, n.nkeys - 1)
    return leaves


def trade(f, all_nodes, *args):
    (na, ia), (nb, ib) = record(all_nodes, *args[:3]), record(all_nodes, *args[3:])
    if na.base == nb.base:
        sys.exit("fstree_edit.py: the two records are in one leaf")
    trade_records(f, na, ia, nb, ib, "fstree_edit.py")
    return [na, nb]


def after(f, all_nodes, name, rtype, nth):
    n, i = record(all_nodes, name, rtype, nth)
    later = [j for j in range(n.nkeys) if n.oid_type(j)[0] > n.oid_type(i)[0]]
    if not later:
        sys.exit("fstree_edit.py: no later object's record in the leaf of record %s of %s"
                 % (nth, name))
    swap_slots(f, n, i, later[0])
    return [n]


def main():
    edits = {"swap": (swap, 2), "rekey": (rekey, 2), "break": (spoil, 1), "after": (after, 3),
             "trade": (trade, 6), "swapall": (swap_all, 0),
             "swaproot": (swap_root, 0), "unlocate": (unlocate, 3),
             "unlocateall": (unlocate_all, 2), "unlocatechild": (unlocate_child, 1)}
    if len(sys.argv) < 3 or sys.argv[2] not in edits or \
            len(sys.argv) - 3 not in (edits[sys.argv[2]][1], 3 if sys.argv[2] == "rekey" else -1):
        sys.exit(__doc__)
    with open(sys.argv[1], "r+b") as f:
        for n in edits[sys.argv[2]][0](f, list(sparse_nodes(f)), *sys.argv[3:]) or []:
            print("block %d" % (n.base // BS))


main()
