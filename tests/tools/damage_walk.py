#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""damage_walk.py BIN IMAGE SEED N DIRS [MOUNTPOINT] - N times, a copy of IMAGE (an
unencrypted image of 4 KiB blocks) damaged in one to three of its fs-tree nodes that hold
directory records, or index nodes, in ways a reader can always tell (tests/tools/fsnode.py):
a byte changed (the node's checksum then fails), or one record's table-of-contents slot
given a key or value offset past the node, or two records' slots swapped (the node out of
order), or a bit of an index record's key changed (a key raised or lowered), or an index
record made to name another's child (the checksum made right again in each).  Then every
directory of DIRS (JSON: {"/path": ["printf format of its names", first, end]}, the names
the generator gives it: testdata/README.md) is listed by `BIN ls`, `BIN ls -U`, `BIN
bodyfile` (the names right below it) and, with a MOUNTPOINT, `ls -f` through `BIN mount`.
What the damage took may be missing, but never silently: a listing that exits 0 must
hold every name.  A name listed twice, a name the
directory never had, a crash or a hang is wrong too.  And `BIN stat` of three of each
directory's names may fail as damage, never as "No such file".  One line for each wrong
listing or lookup (the seed, the round, the damage, the directory, the way it was read),
then "bad N"."""
import json
import os
import random
import shutil
import struct
import subprocess
import sys

from fletcher import fletcher64
from fsnode import BS, TYPE_DIR_REC, sparse_nodes


def damage(f, n, rnd):
    """One damage to node n (its image open as f): what was done."""
    kind = rnd.choice(["checksum", "key offset", "value offset", "swap", "index key",
                       "child twice"])
    if kind in ("swap", "child twice") and n.nkeys < 2 or \
            kind in ("index key", "child twice") and not n.level:
        kind = "checksum"
    if kind == "checksum":
        o = rnd.randrange(8, BS)
        f.seek(n.base + o)
        f.write(bytes([n.blk[o] ^ (1 << rnd.randrange(8))]))
        return (n.base // BS, kind, o)
    blk = bytearray(n.blk)  # n.blk stays as read: later rounds damage it afresh
    i = rnd.randrange(n.nkeys)
    if kind in ("swap", "child twice"):
        j = rnd.choice([x for x in range(n.nkeys) if x != i])
        a, b = n.toc(i), n.toc(j)
        if kind == "swap":
            blk[a:a + 8], blk[b:b + 8] = blk[b:b + 8], blk[a:a + 8]
        else:  # record i names record j's child (its value's place)
            blk[a + 4:a + 8] = blk[b + 4:b + 8]
        what = (i, j)
    elif kind == "index key":
        k, key = n.entry(i)[:2]
        o = rnd.randrange(len(key))
        blk[k + o] ^= 1 << rnd.randrange(8)
        what = (i, o)
    else:
        struct.pack_into("<H", blk, n.toc(i) + (0 if kind == "key offset" else 4), 0xFFFF)
        what = i
    struct.pack_into("<Q", blk, 0, fletcher64(bytes(blk[8:])))
    f.seek(n.base)
    f.write(blk)
    return (n.base // BS, kind, what)


def looked_up(binary, img, path, names):
    """The names of path that `BIN stat` says are not there (never right: each is)."""
    gone = []
    for name in names:
        p = subprocess.run([binary, "stat", img, path + "/" + name], capture_output=True,
                           timeout=60)
        if p.returncode and b"No such file" in p.stderr:
            gone.append(name)
    return gone


def listing(binary, img, path, way, mnt):
    """(exit status, names) of one listing; None on a hang."""
    try:
        if way == "bodyfile":
            p = subprocess.run([binary, "bodyfile", img], capture_output=True, timeout=300)
            names = [ln.split("|")[1][len(path) + 1:] for ln in
                     p.stdout.decode("utf-8", "replace").splitlines()
                     if ln.count("|") >= 2 and ln.split("|")[1].startswith(path + "/")]
            return p.returncode, [x for x in names if "/" not in x]
        if way != "mount":
            p = subprocess.run([binary, "ls"] + way.split() + [img, path], capture_output=True,
                               timeout=120)
            return p.returncode, p.stdout.decode("utf-8", "replace").splitlines()
        if subprocess.run([binary, "mount", img, mnt], timeout=60).returncode:
            return 1, []  # a volume that cannot be opened: no listing, said so
        try:
            p = subprocess.run(["ls", "-f", mnt + path], capture_output=True, timeout=120)
        finally:
            subprocess.run(["fusermount3", "-u", mnt], timeout=60)
        names = [x for x in p.stdout.decode("utf-8", "replace").splitlines() if x not in (".", "..")]
        return p.returncode, names
    except subprocess.TimeoutExpired:
        return None


def main():
    binary, src, seed, rounds, spec = sys.argv[1:6]
    mnt = sys.argv[6] if len(sys.argv) > 6 else None
    dirs = {d: set(fmt % i for i in range(a, b)) for d, (fmt, a, b) in json.loads(spec).items()}
    rnd = random.Random(int(seed))
    with open(src, "rb") as f:
        nodes = [n for n in sparse_nodes(f) if n.nkeys and
                 (n.level or any(n.oid_type(i)[1] == TYPE_DIR_REC for i in range(n.nkeys)))]
    img = src + ".damaged"
    bad = 0
    for r in range(int(rounds)):
        shutil.copy(src, img)
        with open(img, "r+b") as f:
            done = [damage(f, rnd.choice(nodes), rnd) for _ in range(rnd.randint(1, 3))]
        for path, want in dirs.items():
            for way in ["", "-U", "bodyfile"] + (["mount"] if mnt else []):
                got = listing(binary, img, path, way, mnt)
                why = "hang" if got is None else \
                    "crash (status %d)" % got[0] if got[0] < 0 or got[0] > 10 else \
                    "a name twice" if len(got[1]) != len(set(got[1])) else \
                    "a name it never had" if set(got[1]) - want else \
                    "exit 0, %d of %d names" % (len(got[1]), len(want)) \
                    if got[0] == 0 and set(got[1]) != want else None
                if why:
                    print("seed %s round %d %s: %s %s: %s" % (seed, r, done, path, way, why))
                    bad += 1
            gone = looked_up(binary, img, path, rnd.sample(sorted(want), 3))
            if gone:
                print("seed %s round %d %s: %s stat: %s 'No such file'" % (seed, r, done, path,
                                                                            gone))
                bad += 1
    os.unlink(img)
    print("bad %d" % bad)


main()
