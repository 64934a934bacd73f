#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scale_check.py FORMAT LISTING F ORDER - check a listing of directory d00000 of
`mkimage scale --entries F+1 --per-dir F-or-more --shuffle` against testdata/README.md:
file j is named fGGGGGGGG.txt (G = j) and lives on inode 17 + (j M mod F), M the first
number from floor(0.618 F) up with no common factor with F; only f00000000.txt holds
data (7 bytes).  Every name must come once, with its inode (and size, where the listing
has them), and the inodes in listing order must rise throughout (ORDER rising: read in
inode order) or fall back somewhere (ORDER windows: read by windows of names).

FORMAT: body (TSK body lines: |path|inode|, the /d00000 line skipped), ls (ls -l lines:
size and name, the inode given by the name), isn ("INODE SIZE NAME" lines)."""
import math
import sys


def parse(fmt, line):
    """(name, inode or None, size or None) of one line, or None to skip it."""
    if fmt == "body":
        f = line.rstrip("\n").split("|")
        if not f[1].startswith("/d00000/"):
            return None
        return f[1][len("/d00000/"):], int(f[2]), None
    if fmt == "ls":
        f = line.split()
        return f[6], None, int(f[4])
    ino, size, name = line.rstrip("\n").split(" ", 2)
    return (None if name in (".", "..") else (name, int(ino), int(size)))


def main():
    fmt, listing, n, order = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    m = int(0.618 * n)
    while math.gcd(m, n) != 1:
        m += 1
    want = {"f%08d.txt" % j: 17 + j * m % n for j in range(n)}
    seen, inos, bad = set(), [], []
    for line in open(listing, encoding="utf-8", errors="replace"):
        e = parse(fmt, line)
        if e is None:
            continue
        name, ino, size = e
        right = name in want and name not in seen and ino in (None, want[name]) and \
            size in (None, 7 if name == "f00000000.txt" else 0)
        if not right:
            bad.append(line.strip())
        seen.add(name)
        inos.append(want.get(name, -1))
    falls = sum(1 for a, b in zip(inos, inos[1:]) if b <= a)
    print("# bad %d missing %d falls %d" % (len(bad), len(want) - len(seen), falls))
    for b in bad[:3]:
        print("#   " + b)
    ok = not bad and len(seen) == n and (falls == 0 if order == "rising" else falls > 0)
    sys.exit(0 if ok else 1)


main()
