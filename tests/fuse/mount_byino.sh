#!/usr/bin/env bash
# mount_byino.sh - a directory of tens of thousands of files through the
# mount, read in inode order from its children's inode records
# (fuse/dir_byino.c, issue 14: each leaf of their inodes read once, where
# READDIRPLUS windows of 16,384 names read them once a window).  Expected
# values from testdata/README.md `scale --shuffle`: d00000 (inode 16) holds F
# files, name j (fGGGGGGGG.txt, G = j) on inode 17 + (j M mod F), M the first
# number from floor(0.618 F) up with no common factor with F, and only
# f00000000.txt holds data (7 bytes).  Through the mount every name must come
# once with its inode and size, in every READDIRPLUS mode; in rising inode
# order where READDIRPLUS is used (yes, auto); in hash order with
# readdirplus=no, and when one inode's primary name is forged to another
# file's (tests/tools/inode_rename.py), where the library cannot vouch for
# the inode order.  The kernel's small READDIR buffers make every listing
# resume hundreds of times mid-directory.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 > /dev/null; then
	skip "mount in inode order" "/dev/fuse or fusermount3 (fuse3) missing"; done_testing; exit 0
fi
MNT=$WORK/mnt
mkdir -p "$MNT"
cleanup() {
	if mountpoint -q "$MNT"; then
		timeout 10 fusermount3 -u "$MNT" 2>/dev/null || timeout 10 fusermount3 -uz "$MNT"
	fi
}
trap cleanup EXIT

F=40000
IMG=$WORK/flat.img
expect_rc "mkimage scale: one directory of $F files, shuffled" 0 \
	"$MKIMAGE" scale "$IMG" --entries $((F + 1)) --per-dir 100000000 --shuffle --unencrypted

# check LISTING ORDER: "INODE SIZE NAME" lines in readdir order against the README.
check_list() {
	python3 - "$1" "$F" "$2" <<'PY'
import math, sys
out, n, order = sys.argv[1], int(sys.argv[2]), sys.argv[3]
m = int(0.618 * n)
while math.gcd(m, n) != 1:
    m += 1
want = {"f%08d.txt" % j: 17 + j * m % n for j in range(n)}
seen, inos, bad = set(), [], []
for line in open(out, encoding="utf-8", errors="replace"):
    ino, size, name = line.rstrip("\n").split(" ", 2)
    if name in (".", ".."):
        continue
    size_ok = int(size) == (7 if name == "f00000000.txt" else 0)
    if name not in want or int(ino) != want[name] or name in seen or not size_ok:
        bad.append(line.strip())
    seen.add(name)
    inos.append(int(ino))
falls = sum(1 for a, b in zip(inos, inos[1:]) if b <= a)
print("# bad %d missing %d falls %d" % (len(bad), len(want) - len(seen), falls))
for b in bad[:3]:
    print("#   " + b)
ok = not bad and len(seen) == n
ok = ok and (falls == 0 if order == "rising" else falls > 0)
sys.exit(0 if ok else 1)
PY
}

# list MODE ORDER: mount with -o readdirplus=MODE, list d00000 in readdir order
# with each entry's inode (readdir's, which must be stat's) and size
# (READDIRPLUS's attributes, or LOOKUPs).
list() {
	"$BIN" mount -o "readdirplus=$1" "$IMG" "$MNT" 2> "$WORK/mount.err" || {
		notok "mount -o readdirplus=$1: $(cat "$WORK/mount.err")"; return; }
	# readdir's order (GNU find sorts large directories by inode number itself)
	python3 -c '
import os, sys
with os.scandir(sys.argv[1]) as it:
    for e in it:
        st = e.stat(follow_symlinks=False)
        ino = e.inode() if e.inode() == st.st_ino else -1
        print(ino, st.st_size, e.name)
' "$MNT/d00000" > "$WORK/list" 2> "$WORK/find.err"
	expect_eq "readdirplus=$1: the listing exits cleanly" "" "$(cat "$WORK/find.err")"
	check "readdirplus=$1: each name once, on the README's inode and size, $2" \
		check_list "$WORK/list" "$2"
	timeout 20 fusermount3 -u "$MNT"
}

list yes rising
list auto rising
list no windows

python3 "$TESTS/tools/inode_rename.py" "$IMG" f00000005.txt f00000006.txt
list yes windows
rm -f "$IMG"
done_testing
