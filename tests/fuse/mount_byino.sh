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
mnt_prepare "$WORK"

F=40000
IMG=$WORK/flat.img
expect_rc "mkimage scale: one directory of $F files, shuffled" 0 \
	"$MKIMAGE" scale "$IMG" --entries $((F + 1)) --per-dir 100000000 --shuffle --unencrypted

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
		python3 "$TESTS/tools/scale_check.py" isn "$WORK/list" "$F" "$2"
	timeout 20 fusermount3 -u "$MNT"
}

list yes rising
list auto rising
list no windows

python3 "$TESTS/tools/inode_rename.py" "$IMG" f00000005.txt f00000006.txt
list yes windows
rm -f "$IMG"
done_testing
