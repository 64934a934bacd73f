#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scale_check.py FORMAT LISTING F ORDER [dated] - check a listing of directory d00000 of
`mkimage scale --entries F+1 --per-dir F-or-more --shuffle` against testdata/README.md:
file j is named fGGGGGGGG.txt (G = j) and lives on inode 17 + (j M mod F), M the first
number from floor(0.618 F) up with no common factor with F; only f00000000.txt holds
data (7 bytes).  Every name must come once, with its inode (and size, where the listing
has them), and the inodes in listing order must rise throughout (ORDER rising: read in
inode order) or fall back somewhere (ORDER windows: read by windows of names).

FORMAT: body (TSK body lines: |path|inode|, the /d00000 line skipped), ls (ls -l lines:
size and name, the inode given by the name), isn ("INODE SIZE NAME" lines), tl
(timeline's CSV: "path",inode,... with added_ns the 16th field), facts (extract's
facts file, paths root/d00000/NAME, or ls --json's, paths /d00000/NAME: one "key": value
a line, "added" as ISO 8601 UTC with nanoseconds).  dated: the image went
through tests/tools/drec_redate.py, so file j's date added (tl) must be
1,600,000,000 s + j x 1,000,003 ns."""
import calendar
import json
import math
import re
import sys

DATED_BASE, DATED_STEP = 1600000000 * 10**9, 1000003


def parse(fmt, line):
    """(name, inode or None, size or None[, date added]) of one line, or None to skip it."""
    if fmt == "tl":
        f = line.rstrip("\r\n").split(",")
        if not f[0].startswith('"/d00000/'):
            return None
        return f[0][len('"/d00000/'):-1], int(f[1]), int(f[7]), int(f[15] or 0)
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


KEYS = ('"path": ', '"inode": ', '"size": ', '"added": ')
ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{9})Z")


def jval(v):
    """json.loads(v), sparing the decoder a plain number or a string with nothing to
    unescape (a 300,000-entry listing decodes 1.2 million values)."""
    if v.isdigit() and v.isascii() and (v[0] != "0" or v == "0"):
        return int(v)
    if len(v) >= 2 and v[0] == v[-1] == '"' and "\\" not in v and '"' not in v[1:-1] \
            and v.isprintable():
        return v[1:-1]
    return json.loads(v)


def facts(lines):
    """The entries under d00000 of a facts file or ls --json, as timeline lines give them
    (each kept key's raw value held until the entry's "added", its last, decodes them)."""
    e = {}
    for line in lines:
        s = line.lstrip()
        if not s.startswith(KEYS):
            continue
        key, _, value = s.rstrip().rstrip(",").partition(": ")
        e[key] = value
        if key != '"added"':
            continue
        path = jval(e.get('"path"', '""')).removeprefix("root")
        if path.startswith("/d00000/"):
            yield path[len("/d00000/"):], jval(e['"inode"']), jval(e['"size"']), \
                iso_ns(jval(value))


def iso_ns(t):
    """ns since 1970 of 2020-09-13T12:26:40.000000000Z (0 for null); anything else fails."""
    if t is None:
        return 0
    f = [int(x) for x in ISO.fullmatch(t).groups()]
    return calendar.timegm(tuple(f[:6])) * 10**9 + f[6]


def main():
    fmt, listing, n, order = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    dated = sys.argv[5:] == ["dated"]
    m = int(0.618 * n)
    while math.gcd(m, n) != 1:
        m += 1
    want = {"f%08d.txt" % j: 17 + j * m % n for j in range(n)}
    seen, inos, bad = set(), [], []
    lines = open(listing, encoding="utf-8", errors="replace")
    for e in (facts(lines) if fmt == "facts" else (parse(fmt, line) for line in lines)):
        if e is None:
            continue
        name, ino, size = e[:3]
        right = name in want and name not in seen and ino in (None, want[name]) and \
            size in (None, 7 if name == "f00000000.txt" else 0)
        if right and dated:
            right = e[3:] == (DATED_BASE + int(name[1:9]) * DATED_STEP,)
        if not right:
            bad.append(repr(e))
        seen.add(name)
        inos.append(want.get(name, -1))
    falls = sum(1 for a, b in zip(inos, inos[1:]) if b <= a)
    print("# bad %d missing %d falls %d" % (len(bad), len(want) - len(seen), falls))
    for b in bad[:3]:
        print("#   " + b)
    ok = not bad and len(seen) == n and (falls == 0 if order == "rising" else falls > 0)
    sys.exit(0 if ok else 1)


main()
