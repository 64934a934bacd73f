#!/usr/bin/env bash
# fs_leaf_order.sh - a file's records in a leaf out of order (damaged): each
# edit of tests/tools/fstree_edit.py ("after") moves one record of a file
# past the first record of a later object in its leaf, so a walk over the
# file's records from their key meets another object's first and stopped
# there.  The file's extents, extended attributes and hard links, and a
# directory's entries, must still all be read, every node's checksum being
# valid: before, the rest of a file read as a hole (zeros, exit 0), an xattr
# or a link was missing from stat, and the root was listed empty or short.  The same for an object map's leaf: in `snapshot`, the
# fs-tree root's two versions (oid 1026 at xids 2 and 3) swapped by
# tests/tools/omap_edit.py, the live tree was read as the snapshot's (exit 0)
# and the snapshot's was "not in the object map".  Expected values from
# testdata/README.md (the small tree, `basic`'s hard link, `large`'s
# holey.bin, `snapshot`'s two states) and, for multi.bin's seeded bytes, TSK
# icat of the undamaged image.
. "$(dirname "$0")/../lib.sh"

B=$WORK/basic.img L=$WORK/large.img
expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$B"
expect_rc "mkimage large" 0 "$MKIMAGE" large "$L"
# damaged COPY FROM FILE TYPE N [FILE2 TYPE2 N2]: COPY is FROM with record N of FILE's
# records of TYPE (3 inode, 4 xattr, 5 sibling link, 8 file extent, 9 directory record)
# after a later object's first in its leaf; or traded with record N2 of FILE2's of TYPE2
# (in another leaf).
damaged() {
	local copy=$1 from=$2 edit=after
	shift 2
	[ $# -eq 6 ] && edit=trade
	cp --sparse=always "$from" "$copy"
	expect_rc "fstree_edit.py $(basename "$copy") $edit $*" 0 \
		python3 "$TESTS/tools/fstree_edit.py" "$copy" $edit "$@"
}

# hello.txt (inode 16): its xattr record after inode 17's, so its extent too.
damaged "$WORK/xattr.img" "$B" hello.txt 4 0
expect_eq "hello.txt's bytes past the inode of the next file" \
	"$(printf 'hello, world\n' | sha256sum)" "$("$BIN" cat "$WORK/xattr.img" /hello.txt | sha256sum)"
expect_eq "hello.txt's xattr listed" "xattr: com.example.note (11 bytes)" \
	"$("$BIN" stat "$WORK/xattr.img" /hello.txt | grep '^xattr:')"
expect_eq "hello.txt's xattr read" "xattr value" \
	"$("$BIN" xattr "$WORK/xattr.img" /hello.txt com.example.note)"

# multi.bin's second of three extents after the next file's inode: read in logical order.
damaged "$WORK/extent.img" "$B" multi.bin 8 1
out=$("$BIN" cat "$WORK/extent.img" /multi.bin | sha256sum)
A=$(pstat "$B" 2>/dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
ino=$(fls -B "${A:-0}" "$B" 2>/dev/null | sed -n 's/^r\/r \([0-9]*\):	multi.bin$/\1/p')
if [ -n "$ino" ]; then
	expect_eq "multi.bin's three extents, one past the next file's inode = TSK icat" \
		"$(icat -B "$A" "$B" "$ino" | sha256sum)" "$out"
else
	skip "multi.bin's three extents = TSK icat" "sleuthkit (pstat, fls, icat) not installed"
fi
expect_eq "multi.bin: 5 blocks + 100 bytes" 20580 \
	"$("$BIN" cat "$WORK/extent.img" /multi.bin | wc -c)"

# The root's (inode 2) first directory record, then its third, after inode 3's record.
ROOT="Café.txt dir empty.txt hardlink-a.txt hello.txt link multi.bin"
for nth in 0 2; do
	damaged "$WORK/root$nth.img" "$B" 2 9 $nth
	expect_eq "the root's entries, record $nth of them past inode 3's: testdata/README.md" \
		"$ROOT" "$("$BIN" ls "$WORK/root$nth.img" / | sort | tr '\n' ' ' | sed 's/ $//')"
done
expect_eq "ls -R: the 11 names of the small tree and the hard link" 11 \
	"$("$BIN" ls -R "$WORK/root0.img" / | grep -cv '^$\|^/.*:$')"
PATHS="/Café.txt /dir /dir/hardlink-b.txt /dir/nested.txt /dir/sub /dir/sub/deep.txt"
PATHS="$PATHS /empty.txt /hardlink-a.txt /hello.txt /link -> hello.txt /multi.bin"
expect_eq "bodyfile: every path of the small tree and the hard link" "$PATHS" \
	"$("$BIN" bodyfile "$WORK/root0.img" | cut -d'|' -f2 | LC_ALL=C sort | tr '\n' ' ' |
	   sed 's/ $//')"

# The hard link's second sibling link after the next object's first record.
damaged "$WORK/link.img" "$B" hardlink-a.txt 5 1
expect_eq "both names of the hard link" "link: /hardlink-a.txt
link: /dir/hardlink-b.txt" "$("$BIN" stat "$WORK/link.img" /hardlink-a.txt | grep '^link:' | sort -r)"

# holey.bin: its sparse middle extent after data-8m.bin's inode, so its Z block after that.
damaged "$WORK/holey.img" "$L" holey.bin 8 1
holey=$( { head -c 4096 /dev/zero | tr '\0' A; head -c $((64 * 1048576 - 8192)) /dev/zero
	   head -c 4096 /dev/zero | tr '\0' Z; } | sha256sum)
expect_eq "holey.bin is an A block, a hole, a Z block (testdata/README.md)" \
	"$holey" "$("$BIN" cat "$WORK/holey.img" /holey.bin | sha256sum)"

# Two files' extents traded between two leaves (`scale`: inode 19 is /d00000/f00000000.txt,
# 1018 /d00001/f00000999.txt, each leaf then holding the other's key): a search for either
# finds a leaf without it, which strays outside its range, so "no extent" cannot be vouched
# for: damage, exit 1, where a walk from the key read the file as zeros.
SC=$WORK/scale.img T=$WORK/traded.img
expect_rc "mkimage scale --entries 3000 --per-dir 999" 0 "$MKIMAGE" scale "$SC" --entries 3000 \
	--per-dir 999 --unencrypted
damaged "$T" "$SC" 19 8 0 1018 8 0
for f in d00000/f00000000.txt d00001/f00000999.txt; do
	expect_rc "cat /$f: its extent traded away: damage" 1 "$BIN" cat "$T" "/$f"
	expect_grep "cat /$f: the stray leaf named" \
		"B-tree node at block [0-9]+: a search passed a node whose keys stray outside" "$ERR"
done
# The same for directory records: /d00000's 501st (its records in hash order) and
# /d00001's, traded. A listing of /d00000 ended at /d00001's record, which sorts past the
# directory, and was 500-odd names long, exit 0: now the stray key is named.
damaged "$WORK/drecs.img" "$SC" 16 9 500 17 9 500
expect_rc "ls /d00000: a record traded away: damage" 1 "$BIN" ls "$WORK/drecs.img" /d00000
expect_grep "ls /d00000: the walk's end at a stray key named" \
	"B-tree node at block [0-9]+: a walk ended at a key that strays into this node" "$ERR"
expect_rc "ls /d00001: damage too" 1 "$BIN" ls "$WORK/drecs.img" /d00001

# snapshot: the fs-tree root's newer version listed before its older one.
S=$WORK/snapshot.img
expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$S"
expect_rc "omap_edit.py snapshot.img 1026" 0 python3 "$TESTS/tools/omap_edit.py" "$S" 1026
expect_eq "snapshot: the live tree, not the snapshot's" "a.txt keep.txt new.txt" \
	"$("$BIN" ls "$S" / | tr '\n' ' ' | sed 's/ $//')"
expect_eq "snapshot: /a.txt now" "version 2" "$("$BIN" cat "$S" /a.txt)"
expect_eq "snapshot: the snapshot's tree at xid 2" "a.txt gone.txt keep.txt" \
	"$("$BIN" ls --snapshot before "$S" / | tr '\n' ' ' | sed 's/ $//')"
expect_eq "snapshot: /a.txt at the snapshot" "version 1" \
	"$("$BIN" cat --snapshot before "$S" /a.txt)"
done_testing
