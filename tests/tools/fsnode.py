# SPDX-License-Identifier: MIT
"""fsnode.py - the fs-tree nodes of an unencrypted image of 4 KiB blocks, for the tools
that forge records (drec_retype.py, fstree_edit.py).  A node (btree_node_phys_t, Apple's
reference) is an object of type btree_node (3) or btree root (2) with subtype fstree
(0xe) and a valid Fletcher-64; after its 56-byte header comes the table of contents
(kvloc_t: key offset and length, value offset and length), then the keys; values lie
back from the block's end, or from before the 40-byte btree_info_t of a root."""
import contextlib
import os
import struct
import sys

from fletcher import fletcher64

BS = 4096
TYPE_INODE, TYPE_DIR_REC = 3, 9
BTNODE_ROOT, BTNODE_LEAF, BTNODE_FIXED = 1, 2, 4
OID_MASK = (1 << 60) - 1


class Node:
    def __init__(self, base, blk):
        self.base, self.blk = base, bytearray(blk)
        self.subtype = struct.unpack_from("<I", blk, 28)[0]  # obj_phys_t's o_subtype
        self.flags, self.level, self.nkeys, self.toff, self.tlen = \
            struct.unpack_from("<HHIHH", blk, 32)
        self.keys = 56 + self.toff + self.tlen
        self.vend = BS - (40 if self.flags & BTNODE_ROOT else 0)

    def toc(self, i):
        """Where entry i's table-of-contents slot is."""
        return 56 + self.toff + 8 * i

    def entry(self, i):
        """(key offset, key bytes, value offset, value length) of entry i in the block."""
        ko, kl, vo, vl = struct.unpack_from("<HHHH", self.blk, self.toc(i))
        k = self.keys + ko
        return k, bytes(self.blk[k:k + kl]), self.vend - vo, vl

    def oid_type(self, i):
        """(object id, record type) of entry i's key; (None, None) for one that lies
        outside the node (fstree_edit.py unlocate)."""
        k = self.entry(i)[1]
        if len(k) < 8:
            return None, None
        h = struct.unpack_from("<Q", k)[0]
        return h & OID_MASK, h >> 60

    def drecs(self):
        """(name, value offset) of each directory record of a leaf (drec_name: hashed
        keys or not; j_drec_val_t at least 18 bytes)."""
        if not self.flags & BTNODE_LEAF or self.level:
            return
        for i in range(self.nkeys):
            _, k, v, vl = self.entry(i)
            name = drec_name(k)
            if name is not None and vl >= 18:
                yield name, v

    def write(self, f):
        """The node back into the image, its checksum made right again."""
        struct.pack_into("<Q", self.blk, 0, fletcher64(bytes(self.blk[8:])))
        f.seek(self.base)
        f.write(self.blk)


def drop_slot(n, i):
    """Slot i of node n dropped, those after it moved down (btn_nkeys one less): the
    node stays in order.  Exits unless n holds slot i."""
    if not 0 <= i < n.nkeys:
        sys.exit("fsnode.py: no slot %d in a node of %d records" % (i, n.nkeys))
    n.blk[n.toc(i):n.toc(n.nkeys - 1)] = bytes(n.blk[n.toc(i + 1):n.toc(n.nkeys)])
    n.nkeys -= 1
    struct.pack_into("<I", n.blk, 36, n.nkeys)  # btree_node_phys_t's btn_nkeys


def swap_slots(f, n, i, j):
    """Entries i and j of node n trade table-of-contents slots (the leaf lists each where
    the other stood), n written back."""
    pa, pb = n.toc(i), n.toc(j)
    n.blk[pa:pa + 8], n.blk[pb:pb + 8] = n.blk[pb:pb + 8], n.blk[pa:pa + 8]
    n.write(f)


def trade_records(f, na, ia, nb, ib, tool):
    """Entry ia of node na and entry ib of node nb trade keys and values (the same sizes
    each; else exits, naming tool), both nodes written back."""
    ka, kb = na.entry(ia), nb.entry(ib)
    if len(ka[1]) != len(kb[1]) or ka[3] != kb[3]:
        sys.exit("%s: the two records differ in size; cannot trade places" % tool)
    va, vb = bytes(na.blk[ka[2]:ka[2] + ka[3]]), bytes(nb.blk[kb[2]:kb[2] + kb[3]])
    na.blk[ka[0]:ka[0] + len(ka[1])], nb.blk[kb[0]:kb[0] + len(kb[1])] = kb[1], ka[1]
    na.blk[ka[2]:ka[2] + ka[3]], nb.blk[kb[2]:kb[2] + kb[3]] = vb, va
    na.write(f)
    nb.write(f)


def drec_name(k):
    """The name of a directory record's key (j_drec_hashed_key_t: after 12 bytes, its
    length in the hash field's low 10 bits; j_drec_key_t: after 10), or None for
    another record."""
    if len(k) < 11 or struct.unpack_from("<Q", k)[0] >> 60 != TYPE_DIR_REC:
        return None
    hashed = len(k) > 12 and struct.unpack_from("<I", k, 8)[0] & 0x3FF == len(k) - 12
    return k[12 if hashed else 10:].split(b"\0")[0]


def one_drec(live, name, tool):
    """The (leaf, index) of the one directory record named name (bytes) among the live
    tree's leaves; exits naming tool unless exactly one is found."""
    hits = [(n, i) for n in live.values() if n.level == 0
            for i in range(n.nkeys) if drec_name(n.entry(i)[1]) == name]
    if len(hits) != 1:
        sys.exit("%s: %d records named %s found, not 1" % (tool, len(hits), name.decode()))
    return hits[0]


@contextlib.contextmanager
def one_drec_arg(doc, tool):
    """The arguments IMAGE NAME NUMBER of a tool that edits one directory record: the image
    open for writing, the (leaf, index) of the one record named NAME in its live tree
    (one_drec), and NUMBER (decimal or 0x-hex); exits with doc for other arguments."""
    if len(sys.argv) != 4:
        sys.exit(doc)
    number = int(sys.argv[3], 0)
    with open(sys.argv[1], "r+b") as f:
        n, i = one_drec(live_tree(list(sparse_nodes(f))), sys.argv[2].encode(), tool)
        yield f, n, i, number


def nodes(data):
    """Every valid, variable-size fs-tree node of the image."""
    for base in range(0, len(data) - BS + 1, BS):
        blk = data[base:base + BS]
        otype, subtype = struct.unpack_from("<II", blk, 24)
        if (otype & 0xffff) not in (2, 3) or subtype != 0xE:
            continue
        if struct.unpack_from("<Q", blk, 0)[0] != fletcher64(blk[8:]):
            continue
        n = Node(base, blk)
        if not n.flags & BTNODE_FIXED:
            yield n


def data_regions(f):
    """(offset, bytes) of each data region of the image open as f (SEEK_DATA,
    SEEK_HOLE), widened to whole blocks: a sparse container of a GiB costs what it
    holds, not its size."""
    fd, end, pos = f.fileno(), os.fstat(f.fileno()).st_size, 0
    while pos < end:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:  # ENXIO: no data past pos
            return
        stop = min(end, -(-os.lseek(fd, start, os.SEEK_HOLE) // BS) * BS)
        start -= start % BS
        f.seek(start)
        yield start, f.read(stop - start)
        pos = stop


def image_blocks(f):
    """(offset, block) of every block in the data regions of the image open as f."""
    for start, data in data_regions(f):
        for off in range(0, len(data) - BS + 1, BS):
            yield start + off, bytearray(data[off:off + BS])


def omap_leaf_records(blk):
    """[(oid, xid, flags, offset of its omap_val_t)] of blk if it is an object-map leaf
    with a valid checksum, else [].  An object-map node (Apple's reference) is of type
    btree or btree node, subtype omap 0xB, with fixed-size entries: kvoff_t (key offset,
    value offset) in its table of contents, keys omap_key_t (oid, xid), values omap_val_t
    (flags, size: 4 bytes each; paddr: 8) counted back from the node's end (less
    btree_info_t's 40 bytes in a root)."""
    otype, subtype = struct.unpack_from("<II", blk, 24)
    if (otype & 0xffff) not in (2, 3) or subtype != 0xB:
        return []
    if struct.unpack_from("<Q", blk, 0)[0] != fletcher64(bytes(blk[8:])):
        return []
    flags, level, nkeys, toff, tlen = struct.unpack_from("<HHIHH", blk, 32)
    keys, vend = 56 + toff + tlen, BS - (40 if flags & 1 else 0)
    if level or not flags & 4 or keys + 16 * nkeys > vend:
        return []
    out = []
    for i in range(nkeys):
        ko, vo = struct.unpack_from("<HH", blk, 56 + toff + 4 * i)
        if keys + ko + 16 <= vend and 16 <= vo <= vend:
            oid, xid = struct.unpack_from("<QQ", blk, keys + ko)
            out.append((oid, xid, struct.unpack_from("<I", blk, vend - vo)[0], vend - vo))
    return out


def sparse_nodes(f):
    """nodes() of the image open as f, read by its data regions only."""
    for start, data in data_regions(f):
        for n in nodes(data):
            n.base += start
            yield n


def newest(all_nodes):
    """Each virtual object id's newest node, by id (o_oid, o_xid): on an image with
    snapshots the older ones are a snapshot's, the newest the live tree's."""
    by_oid = {}
    for n in all_nodes:
        oid, xid = struct.unpack_from("<QQ", n.blk, 8)
        if oid not in by_oid or by_oid[oid][0] < xid:
            by_oid[oid] = (xid, n)
    return {oid: n for oid, (_, n) in by_oid.items()}


def live_tree(all_nodes):
    """The fs-tree nodes the newest root reaches, by virtual object id (each id's newest
    node, newest()): on an image with snapshots, the live tree's alone (a snapshot's
    tree is an older root's; a node both share is in both)."""
    by_oid = newest(all_nodes)
    roots = [n for n in by_oid.values() if n.flags & BTNODE_ROOT and n.subtype == 0xE]
    if not roots:
        return {}
    todo = [max(roots, key=lambda n: struct.unpack_from("<Q", n.blk, 16)[0])]
    live = {}
    while todo:
        n = todo.pop()
        live[struct.unpack_from("<Q", n.blk, 8)[0]] = n
        for i in range(n.nkeys if n.level else 0):
            _, _, v, vl = n.entry(i)
            child = by_oid.get(struct.unpack_from("<Q", n.blk, v)[0]) if vl == 8 else None
            if child is not None and child.level == n.level - 1:
                todo.append(child)
    return live


def named_id(all_nodes, name, tool):
    """The file id of the one directory record named name (bytes); exits, naming tool,
    unless exactly one."""
    ids = [struct.unpack_from("<Q", n.blk, v)[0] for n in all_nodes
           for nm, v in n.drecs() if nm == name]
    if len(ids) != 1:
        sys.exit("%s: %d records named %s found, not 1" % (tool, len(ids), name.decode()))
    return ids[0]


def named_inode(all_nodes, name, tool):
    """(leaf, value offset, value length) of the inode record that the one directory
    record named name (bytes) points to; exits, naming tool, unless exactly one of each."""
    ino = named_id(all_nodes, name, tool)
    hits = [(n, n.entry(i)[2], n.entry(i)[3]) for n in all_nodes if n.level == 0
            for i in range(n.nkeys) if n.oid_type(i) == (ino, TYPE_INODE)]
    if len(hits) != 1:
        sys.exit("%s: %d inode records of %d found, not 1" % (tool, len(hits), ino))
    return hits[0]
