#!/usr/bin/env bash
# bodyfile_byino.sh - bodyfile and ls -U -l over one directory larger than
# any window of names (cli/dirwin.h: at most ~242,000 names of 14 bytes), read in inode
# order from its children's inode records (APFSI_DIR_INODE_ORDER, issue 14:
# each leaf of their inodes read once, where windows read them once a
# window).  Expected values from testdata/README.md `scale --shuffle`:
# directory d00000 (inode 16) holds F files, name j (fGGGGGGGG.txt, G = j)
# on inode 17 + (j M mod F), M the first number from floor(0.618 F) up with
# no common factor with F.  Every name must come once with its inode, in
# rising inode order.  The same image with one inode's primary name forged
# to another file's (tests/tools/inode_rename.py) must not be read so: the
# names are still the directory's own, read by windows (whose order falls
# back at each new window).
. "$(dirname "$0")/../lib.sh"

F=300000
IMG=$WORK/flat.img
expect_rc "mkimage scale: one directory of $F files, shuffled" 0 \
	"$MKIMAGE" scale "$IMG" --entries $((F + 1)) --per-dir 100000000 --shuffle --unencrypted

# check OUT ORDER [ls]: the body file (or ls -U -l's lines, whose names give
# their inodes by the README's rule, and sizes: 7 bytes for f00000000.txt,
# else 0) against the README's names; ORDER rising|windows.
check_body() {
	python3 - "$1" "$F" "$2" "${3:-}" <<'PY'
import math, sys
out, n, order, ls = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "ls"
m = int(0.618 * n)
while math.gcd(m, n) != 1:
    m += 1
want = {"/d00000/f%08d.txt" % j: 17 + j * m % n for j in range(n)}
seen, inos, bad = set(), [], []
for line in open(out, encoding="utf-8", errors="replace"):
    if ls:
        f = line.split()
        name = "/d00000/" + f[6]
        size_ok = int(f[4]) == (7 if f[6] == "f00000000.txt" else 0)
        f = ["", name, str(want.get(name, -1)) if size_ok else "-1"]
    else:
        f = line.rstrip("\n").split("|")
    if f[1] == "/d00000":
        continue
    if f[1] not in want or int(f[2]) != want[f[1]] or f[1] in seen:
        bad.append(line.strip())
    seen.add(f[1])
    inos.append(int(f[2]))
falls = sum(1 for a, b in zip(inos, inos[1:]) if b <= a)
print("bad %d missing %d falls %d" % (len(bad), len(want) - len(seen), falls))
for b in bad[:3]:
    print("  " + b)
ok = not bad and len(seen) == n
ok = ok and (falls == 0 if order == "rising" else falls > 0)
sys.exit(0 if ok else 1)
PY
}

expect_rc "bodyfile, one directory of $F files" 0 sh -c '"$1" bodyfile "$2" > "$3"' _ \
	"$BIN" "$IMG" "$WORK/body"
expect_eq "bodyfile: every entry" $((F + 1)) "$(wc -l < "$WORK/body" | tr -d ' ')"
check "bodyfile: each name once, on the README's inode, in rising inode order" \
	check_body "$WORK/body" rising

expect_rc "ls -U -l, one directory of $F files" 0 sh -c '"$1" ls -U -l "$2" /d00000 > "$3"' _ \
	"$BIN" "$IMG" "$WORK/ls"
expect_eq "ls -U -l: every entry" $F "$(wc -l < "$WORK/ls" | tr -d ' ')"
check "ls -U -l: each name once with its size, in rising inode order" \
	check_body "$WORK/ls" rising ls

python3 "$TESTS/tools/inode_rename.py" "$IMG" f00000005.txt f00000006.txt
expect_rc "bodyfile, one inode's name forged" 0 sh -c '"$1" bodyfile "$2" > "$3"' _ \
	"$BIN" "$IMG" "$WORK/body"
expect_eq "forged: every entry" $((F + 1)) "$(wc -l < "$WORK/body" | tr -d ' ')"
check "forged: the directory's own names, read by windows, not the inodes' names" \
	check_body "$WORK/body" windows
expect_rc "ls -U -l, one inode's name forged" 0 sh -c '"$1" ls -U -l "$2" /d00000 > "$3"' _ \
	"$BIN" "$IMG" "$WORK/ls"
check "forged: ls -U -l lists the directory's own names, by windows" \
	check_body "$WORK/ls" windows ls
rm -f "$IMG"
done_testing
