#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# fs_leaf_damage_random.sh - directory listings over images damaged at random
# (tests/tools/damage_walk.py, fixed seeds): one to three of the fs-tree nodes
# that hold directory records, or index nodes, given a failing checksum, a
# record placed outside the node, two records' slots swapped, a bit of an
# index key changed, or an index record naming another's child.  Whatever the damage takes, a listing that exits 0 holds
# every name the generator gave the directory (testdata/README.md), no listing
# holds a name twice or one the directory never had, crashes or hangs, and a
# lookup of a name the directory has may fail as damage, never as "No such
# file".  Listed by `ls`, `ls -U` and `bodyfile`.  `scale --per-dir 260` (a tree of two levels; also through the mount),
# `scale --per-dir 17000` (three levels) and `unhashed` (names unhashed).
. "$(dirname "$0")/../lib.sh"

walk() { # DESC IMAGE SEED ROUNDS DIRS [MOUNTPOINT]
	local desc=$1 out; shift
	out=$(python3 "$TESTS/tools/damage_walk.py" "$BIN" "$@")
	expect_eq "$desc: no listing short without saying so, no lookup wrong" "bad 0" \
		"$(printf '%s\n' "$out" | tail -1)"
	printf '%s\n' "$out" | sed '$d' | head -20 | sed 's/^/#   /'
}

expect_rc "mkimage scale --per-dir 260" 0 "$MKIMAGE" scale "$WORK/s.img" --entries 1000 \
	--per-dir 260 --unencrypted
walk "scale, 260 a directory" "$WORK/s.img" 1 40 \
	'{"/d00000": ["f%08d.txt", 0, 260], "/d00001": ["f%08d.txt", 260, 520]}'
if [ -c /dev/fuse ] && command -v fusermount3 > /dev/null; then
	mnt_prepare "$WORK"
	walk "scale, 260 a directory, through the mount" "$WORK/s.img" 2 20 \
		'{"/d00000": ["f%08d.txt", 0, 260]}' "$MNT"
else
	skip "scale, through the mount" "/dev/fuse or fusermount3 (fuse3) missing"
fi
expect_rc "mkimage scale --per-dir 17000" 0 "$MKIMAGE" scale "$WORK/b.img" --entries 20000 \
	--per-dir 17000 --unencrypted
walk "scale, 17,000 a directory" "$WORK/b.img" 3 25 \
	'{"/d00000": ["f%08d.txt", 0, 17000], "/d00001": ["f%08d.txt", 17000, 19998]}'
expect_rc "mkimage unhashed" 0 "$MKIMAGE" unhashed "$WORK/u.img"
walk "unhashed /many" "$WORK/u.img" 4 40 '{"/many": ["m%04d.txt", 0, 3000]}'
done_testing
