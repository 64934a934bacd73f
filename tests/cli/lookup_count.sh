#!/usr/bin/env bash
# lookup_count.sh - a lookup that misses is held to its directory's count
# (nchildren) as a whole listing is: only where the directory's records may
# have spread beyond one leaf.  Found in review: basic.img's root (one
# leaf) with its count one too high listed with exit 0, and a lookup of a
# name not there failed; through the mount every NAME:rsrc in a directory
# found short was EIO, the fork never looked for.  Directories raised by one
# here (tests/tools/inode_field.py nchildren +1), every record still there.
. "$(dirname "$0")/../lib.sh"

MOUNT=
if [ -c /dev/fuse ] && command -v fusermount3 > /dev/null; then
	mnt_prepare "$WORK"
	MOUNT=1
fi

# basic.img, a real Mac's (IMAGES.md): the container from sector 40; the root, inode 2
if [ -e "$IMAGES/basic.img" ]; then
	C=$WORK/basic.apfs
	dd if="$IMAGES/basic.img" of="$C" bs=512 skip=40 status=none
	expect_rc "inode_field.py: the root's nchildren + 1" 0 python3 \
		"$TESTS/tools/inode_field.py" "$C" 2 nchildren +1
	expect_rc "ls /: one leaf, exit 0 as before" 0 "$BIN" ls "$C" /
	run_rc "$BIN" stat "$C" /nonexist
	expect_eq "stat /nonexist: no such file, as the listing has it" \
		"1 apfsinspect: /nonexist: No such file or directory" "$RC $ERR"
	if [ -n "$MOUNT" ] && "$BIN" mount "$C" "$MNT"; then
		expect_eq "through the mount: rsrc.txt:rsrc, the fork IMAGES.md gives" \
			"this is the resource fork payload" "$(cat "$MNT/rsrc.txt:rsrc" 2>&1)"
		mnt_cleanup
	else
		skip "basic.img through the mount" "no FUSE here, or the mount failed"
	fi
else
	missing "basic.img" "../shared/images/basic.img not found"
fi

# A from-dir tree: /d of 401 files (400 + r.txt, whose fork is "fork payload\n"), its
# records over several leaves; /d raised to 402.
T=$WORK/tree
mkdir -p "$T/d"
python3 -c 'import os, sys
d = sys.argv[1] + "/d"
for i in range(400):
    open("%s/f%04d.txt" % (d, i), "w").write("x")
open(d + "/r.txt", "w").write("data\n")
os.setxattr(d + "/r.txt", "user.com.apple.ResourceFork", b"fork payload\n")' "$T" ||
	notok "user xattrs on $T"
F=$WORK/fd.img
expect_rc "mkimage from-dir" 0 "$MKIMAGE" from-dir "$F" --dir "$T"
# /d's inode, from its directory record (tests/tools/fsnode.py, a reader of its own)
INO=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1])
from fsnode import named_id, sparse_nodes
with open(sys.argv[2], "rb") as f:
    print(named_id(list(sparse_nodes(f)), b"d", "lookup_count.sh"))' "$TESTS/tools" "$F")
expect_rc "inode_field.py: /d's nchildren + 1" 0 python3 "$TESTS/tools/inode_field.py" "$F" \
	"$INO" nchildren +1
run_rc "$BIN" ls "$F" /d
expect_eq "ls /d: its 401 names, exit 1" "1 401" "$RC $(wc -l <<< "$OUT")"
expect_grep "... its count named" "directory $INO: its inode counts 402 entries, a whole \
listing found 401" "$ERR"
run_rc "$BIN" stat "$F" /d/nonexist
expect_eq "stat /d/nonexist: entries may be missing" \
	"1 apfsinspect: /d/nonexist: entries may be missing (see above)" "$RC $(tail -1 <<< "$ERR")"
expect_grep "... both counts" "directory $INO holds no entry of that name, but its inode \
counts 402 entries and its records give 401" "$ERR"
expect_eq "cat --fork rsrc /d/r.txt: the fork" "fork payload" \
	"$("$BIN" cat --fork rsrc "$F" /d/r.txt)"
if [ -n "$MOUNT" ] && "$BIN" mount "$F" "$MNT"; then
	expect_eq "through the mount: d/r.txt:rsrc, the fork (before: EIO)" "fork payload" \
		"$(cat "$MNT/d/r.txt:rsrc" 2>&1)"
	expect_eq "through the mount: d/nonexist is EIO" \
		"stat: cannot statx '$MNT/d/nonexist': Input/output error" \
		"$(stat "$MNT/d/nonexist" 2>&1)"
	expect_eq "through the mount: d/nonexist:rsrc is EIO too (its file not sure)" \
		"stat: cannot statx '$MNT/d/nonexist:rsrc': Input/output error" \
		"$(stat "$MNT/d/nonexist:rsrc" 2>&1)"
	mnt_cleanup
else
	skip "the tree through the mount" "no FUSE here, or the mount failed"
fi
done_testing
