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
# holey.bin, `snapshot`'s two states, `scale`'s names) and, for multi.bin's
# seeded bytes, TSK icat of the undamaged image.  Each damaged node read
# around is named once, as a warning: the block the editing tool reports.
# Records traded between two leaves (fstree_edit.py trade; an xattr and a
# hard link in a from-dir image of a host tree) are damage, exit 1.
. "$(dirname "$0")/../lib.sh"

B=$WORK/basic.img L=$WORK/large.img
expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$B"
expect_rc "mkimage large" 0 "$MKIMAGE" large "$L"
# damaged COPY FROM FILE TYPE N [FILE2 TYPE2 N2]: COPY is FROM with record N of FILE's
# records of TYPE (3 inode, 4 xattr, 5 sibling link, 8 file extent, 9 directory record)
# after a later object's first in its leaf; or traded with record N2 of FILE2's of TYPE2
# (in another leaf).  damaged COPY FROM swapall | swaproot | swap A B | unlocate F T N |
# rekey I N [T]: fstree_edit.py's edits of those names.
damaged() {
	local copy=$1 from=$2 edit=after
	shift 2
	[ $# -eq 6 ] && edit=trade
	case "$*" in swapall | swaproot | "swap "* | "unlocate "* | "rekey "*) edit=$1; shift ;; esac
	cp --sparse=always "$from" "$copy"
	expect_rc "fstree_edit.py $(basename "$copy") $edit $*" 0 \
		python3 "$TESTS/tools/fstree_edit.py" "$copy" $edit "$@"
	EDITED=$OUT  # "block N" of each leaf the edit damaged
}
# named TEXT: the nodes TEXT's warnings name as damage read around, "block N: what" each.
named() {
	printf '%s\n' "$1" | sed -n 's/.*B-tree node at \(block [0-9]*: .*\) (damage): .*/\1/p'
}

# hello.txt (inode 16): its xattr record after inode 17's, so its extent too.
damaged "$WORK/xattr.img" "$B" hello.txt 4 0
expect_eq "hello.txt's bytes past the inode of the next file" \
	"$(printf 'hello, world\n' | sha256sum)" "$("$BIN" cat "$WORK/xattr.img" /hello.txt | sha256sum)"
expect_eq "hello.txt's xattr listed" "xattr: com.example.note (11 bytes)" \
	"$("$BIN" stat "$WORK/xattr.img" /hello.txt | grep '^xattr:')"
expect_eq "hello.txt's xattr read" "xattr value" \
	"$("$BIN" xattr "$WORK/xattr.img" /hello.txt com.example.note)"
# The answer is right, but read around damage: the leaf is named, once, as the edit left it.
run_rc "$BIN" stat "$WORK/xattr.img" /hello.txt
expect_eq "stat hello.txt: its leaf named out of order, once (the block fstree_edit.py edited)" \
	"$EDITED: keys out of order" "$(named "$ERR")"

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
run_rc "$BIN" ls -R "$WORK/root0.img" /
expect_eq "ls -R: the 11 names of the small tree and the hard link" 11 \
	"$(printf '%s\n' "$OUT" | grep -cv '^$\|^/.*:$')"
expect_eq "ls -R: the root's leaf named out of order once, though walked again and again" \
	"$EDITED: keys out of order" "$(named "$ERR")"
PATHS="/Café.txt /dir /dir/hardlink-b.txt /dir/nested.txt /dir/sub /dir/sub/deep.txt"
PATHS="$PATHS /empty.txt /hardlink-a.txt /hello.txt /link -> hello.txt /multi.bin"
expect_eq "bodyfile: every path of the small tree and the hard link" "$PATHS" \
	"$("$BIN" bodyfile "$WORK/root0.img" | cut -d'|' -f2 | LC_ALL=C sort | tr '\n' ' ' |
	   sed 's/ $//')"

# unhashed: the root's leaf is first read by the probe of the key form, in the order of
# unhashed names, which is this volume's too: the walks after it still name the leaf.
U=$WORK/unhashed.img
expect_rc "mkimage unhashed" 0 "$MKIMAGE" unhashed "$U"
damaged "$WORK/uroot.img" "$U" 2 9 0
run_rc "$BIN" ls "$WORK/uroot.img" /
expect_eq "unhashed: the root's 9 entries, its first record past inode 3's: testdata/README.md" \
	"$(printf '%s\n' $ROOT many names | LC_ALL=C sort)" "$(printf '%s\n' "$OUT" | LC_ALL=C sort)"
expect_eq "unhashed: the root's leaf named out of order, though the key-form probe read it first" \
	"$EDITED: keys out of order" "$(named "$ERR")"
# The same volume of two levels (--per-dir 1), its root index node's first two records
# swapped: the key-form probe reads the root first, with a guessed comparator, which
# judges no order.  Its cursor is its own: the walks after read the root again and sort
# it (before, they started from the probe's kept root, unsorted: exit 1, "entries may be
# missing", and every lookup through it damage).
expect_rc "mkimage unhashed --per-dir 1" 0 "$MKIMAGE" unhashed "$WORK/u1.img" --per-dir 1
damaged "$WORK/u1root.img" "$WORK/u1.img" swaproot
run_rc "$BIN" ls -R "$WORK/u1root.img" /
expect_eq "unhashed, root index swapped: ls -R, exit 0" 0 "$RC"
expect_eq "unhashed, root index out of order: the root's 9 entries" \
	"$(printf '%s\n' $ROOT many names | LC_ALL=C sort)" \
	"$(printf '%s\n' "$OUT" | sed -n '1,/^$/p' | sed '/^$/d;/:$/d' | LC_ALL=C sort)"
expect_eq "unhashed, root index out of order: named once, though read by the probe too" \
	"$EDITED: keys out of order" "$(named "$ERR")"
expect_rc "unhashed, root index swapped: stat /many/m0000.txt (testdata/README.md)" 0 \
	"$BIN" stat "$WORK/u1root.img" /many/m0000.txt

# A record that cannot be located (its key offset past the node) is an error where read,
# not a node named out of order.
damaged "$WORK/unloc.img" "$B" unlocate 2 9 0
expect_rc "ls /: a root record past the node: damage" 1 "$BIN" ls "$WORK/unloc.img" /
expect_grep "ls /: the record named" "B-tree node at $EDITED: key outside the node" "$ERR"
expect_eq "ls /: nothing named as out of order" "" "$(named "$ERR")"

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
TRADED=$(printf '%s\n' "$EDITED" | tr '\n' '|' | sed 's/|$//')
for f in d00000/f00000000.txt d00001/f00000999.txt; do
	expect_rc "cat /$f: its extent traded away: damage" 1 "$BIN" cat "$T" "/$f"
	expect_grep "cat /$f: the stray leaf named" \
		"B-tree node at block [0-9]+: a search passed a node whose keys stray outside" "$ERR"
	expect_grep "cat /$f: a traded leaf named as out of order and out of its range (a block fstree_edit.py edited)" \
		"^($TRADED): keys out of order and outside the range its parent node at block [0-9]+ gives it$" \
		"$(named "$ERR")"
done
# An index key lowered (fstree_edit.py rekey 273 272: in `scale` of one directory, whose
# file fJ is inode 17 + J, the key of the leaf after inode 273's set to inode 272's): the
# leaf of 273 holds keys past its range, and the next begins past the key it is given
# (in a sound tree its first, as apfsck checks), so a search for inodes 272-282 lands in
# a leaf without them.  Damage, exit 1, both leaves named, each with the edited parent:
# before, the files were "No such file or directory", and the second leaf not named.
FL=$WORK/flat.img RK=$WORK/rekeyed.img
expect_rc "mkimage scale of one directory" 0 "$MKIMAGE" scale "$FL" --entries 3001 \
	--per-dir 100000000 --unencrypted
damaged "$RK" "$FL" rekey 273 272
for j in 255 265; do
	run_rc "$BIN" stat "$RK" /d00000/f00000$j.txt
	expect_eq "stat f00000$j.txt (inode $((17 + j))): damage, exit 1" 1 "$RC"
	expect_grep "stat f00000$j.txt: the leaf the search lands in named" \
		"B-tree node at block [0-9]+: a search passed a node whose first key is not its parent's key for it" "$ERR"
	expect_eq "stat f00000$j.txt: not said absent" 0 "$(printf '%s\n' "$ERR" | grep -c 'No such file')"
done
expect_rc "stat f00000266.txt (inode 283, the next leaf's first): found" 0 \
	"$BIN" stat "$RK" /d00000/f00000266.txt
run_rc "$BIN" bodyfile "$RK"
expect_eq "bodyfile, index key lowered: exit 1" 1 "$RC"
dam=$(printf '%s\n' "$ERR" | LC_ALL=C sort |
      sed -n 's|^apfsinspect: \(/d00000/f[0-9]*\.txt\): damaged file-system data (see above)$|\1|p')
expect_eq "bodyfile, index key lowered: each path listed or named damaged, once" \
	"$( { echo /d00000; seq -f '/d00000/f%08g.txt' 0 2999; } | LC_ALL=C sort)" \
	"$( { printf '%s\n' "$OUT" | cut -d'|' -f2; printf '%s\n' "$dam"; } | LC_ALL=C sort)"
# Damaged: inodes 272-282's files.  (The stray leaf's other files are listed, each below
# an error from its stat's look for a firmlink attribute, which that leaf cannot vouch
# absent: said, as every damage met is.)
expect_eq "bodyfile, index key lowered: inodes 272-282's files damaged" \
	"$(seq -f '/d00000/f%08g.txt' 255 265)" "$dam"
expect_eq "bodyfile, index key lowered: the two leaves named, each once, under the edited node" \
	"outside the range
beginning at a key other than the one" \
	"$(named "$ERR" | sed -n "s/^block [0-9]*: keys \(.*\) its parent node at $EDITED gives it$/\1/p")"

# A walk that begins in such a leaf, from a key before its first: `scale` of ten files a
# directory, the key of the leaf after the one holding /d00000 (inode 16) and its ten
# records lowered to (16, directory record), 8 bytes (fstree_edit.py rekey 16 16 9): the
# lookup of /d00000 finds its inode, and its listing begins in the next leaf, which holds
# none of its names.  Damage, exit 1, where it was listed empty, exit 0.
S10=$WORK/s10.img R10=$WORK/s10low.img
expect_rc "mkimage scale, ten files a directory" 0 "$MKIMAGE" scale "$S10" --entries 3000 \
	--per-dir 10 --unencrypted
expect_eq "ls /d00000, undamaged: its ten files (testdata/README.md)" \
	"$(seq -f 'f%08g.txt' 0 9)" "$("$BIN" ls "$S10" /d00000)"
damaged "$R10" "$S10" rekey 16 16 9
run_rc "$BIN" ls "$R10" /d00000
expect_eq "ls /d00000, its listing begun in the next leaf: damage, exit 1" 1 "$RC"
expect_grep "ls /d00000: the walk's first leaf named" \
	"B-tree node at block [0-9]+: a walk began in a node whose first key is not its parent's key for it" "$ERR"
expect_grep "ls /d00000: that leaf named as beginning past its key, under the edited node" \
	"^block [0-9]+: keys beginning at a key other than the one its parent node at $EDITED gives it$" \
	"$(named "$ERR")"

# The same for directory records: /d00000's 501st (its records in hash order) and
# /d00001's, traded. A listing of /d00000 ended at /d00001's record, which sorts past the
# directory, and was 500-odd names long, exit 0: now the stray key is named.
damaged "$WORK/drecs.img" "$SC" 16 9 500 17 9 500
expect_rc "ls /d00000: a record traded away: damage" 1 "$BIN" ls "$WORK/drecs.img" /d00000
expect_grep "ls /d00000: the walk's end at a stray key named" \
	"B-tree node at block [0-9]+: a walk ended at a key that strays into this node" "$ERR"
expect_rc "ls /d00001: damage too" 1 "$BIN" ls "$WORK/drecs.img" /d00001

# An extended attribute and a hard link's sibling link traded between leaves (mkimage
# from-dir of a host tree: 400 files f000 ... f399 with one xattr each, then two hard links
# a-link1/2 and z-link1/2, whose inodes lie at the two ends of the tree): the records of
# f000 and f399, or of a-link1 and z-link1, each stand in the other's leaf. A search for
# either's attribute finds its own leaf straying outside its range, looks where the key
# traded in belongs, and finds it there (damage, exit 1, before). A search for all of a
# file's attributes or links (a key prefix) cannot take a record from another leaf: stat
# is damage, exit 1.
H=$WORK/host
mkdir -p "$H"
if python3 - "$H" <<'PY' 2>/dev/null
import os, sys
os.chdir(sys.argv[1])
for i in range(400):
    open("f%03d" % i, "w").write("file %d\n" % i)
    os.setxattr("f%03d" % i, "user.com.example.note", b"note %03d" % i)
for p in "az":
    open(p + "-link1", "w").write(p + "\n")
    os.link(p + "-link1", p + "-link2")
PY
then
	X=$WORK/xattrs.img
	expect_rc "mkimage from-dir: 400 files with an xattr each, two hard links" 0 \
		"$MKIMAGE" from-dir "$X" --dir "$H"
	damaged "$WORK/xtrade.img" "$X" f000 4 0 f399 4 0
	TRADED=$(printf '%s\n' "$EDITED" | tr '\n' '|' | sed 's/|$//')
	for f in f000 f399; do
		expect_rc "xattr /$f: its record, traded into the other leaf, found there" 0 \
			"$BIN" xattr "$WORK/xtrade.img" /$f com.example.note
		expect_eq "xattr /$f: its own value (the host tree's), not the other file's" \
			"note ${f#f}" "$OUT"
		expect_grep "xattr /$f: the stray leaf named, a warning" \
			"warning: .*B-tree node at ($TRADED): keys out of order and outside the range" "$ERR"
		expect_rc "stat /$f: its xattr traded away: damage" 1 "$BIN" stat "$WORK/xtrade.img" /$f
	done
	damaged "$WORK/ltrade.img" "$X" a-link1 5 0 z-link1 5 0
	TRADED=$(printf '%s\n' "$EDITED" | tr '\n' '|' | sed 's/|$//')
	for f in a-link1 z-link2; do
		expect_rc "stat /$f: a sibling link traded away: damage" 1 \
			"$BIN" stat "$WORK/ltrade.img" /$f
		expect_grep "stat /$f: the stray leaf named" \
			"B-tree node at ($TRADED): a search passed a node whose keys stray" "$ERR"
	done
else
	skip "xattr and sibling link traded between leaves" "cannot set user xattrs in $H"
fi

# Every leaf of the tree out of order (its first and last records swapped): every entry
# read, in key order, and the first 16 leaves named, then that more were met, once.
damaged "$WORK/allswap.img" "$SC" swapall
run_rc "$BIN" bodyfile "$WORK/allswap.img"
want=$(for d in 0 1 2; do
	printf '/d%05d\n' $d
	seq -f "/d$(printf %05d $d)/f%08g.txt" $((999 * d)) $((999 * d + 998))
done | LC_ALL=C sort)
expect_eq "bodyfile, every leaf out of order: the 3,000 paths of testdata/README.md's scale" \
	"$want" "$(printf '%s\n' "$OUT" | cut -d'|' -f2 | LC_ALL=C sort)"
expect_eq "bodyfile, every leaf out of order: exit 0" 0 "$RC"
expect_eq "every leaf out of order: 16 of the edited leaves named, each once" 16 \
	"$(named "$ERR" | sed -n 's/: keys out of order$//p' | sort -u |
	   comm -12 - <(printf '%s\n' "$EDITED" | sort) | wc -l)"
expect_eq "every leaf out of order: that more were met, said once" 1 \
	"$(printf '%s\n' "$ERR" | grep -c 'further B-tree nodes out of order or out of range are not named$')"
expect_eq "every leaf out of order: nothing else said" 17 "$(printf '%s\n' "$ERR" | wc -l)"
# Inodes 272 and 273 swapped in their leaf, met again and again by bodyfile's stats: the
# leaf is named once.
damaged "$WORK/ino.img" "$SC" swap 272 273
run_rc "$BIN" bodyfile "$WORK/ino.img"
expect_eq "bodyfile, one leaf out of order: the 3,000 paths" \
	"$want" "$(printf '%s\n' "$OUT" | cut -d'|' -f2 | LC_ALL=C sort)"
expect_eq "bodyfile, one leaf out of order: named once" "$EDITED: keys out of order" \
	"$(named "$ERR")"

# `scale --per-dir 260` (/d0000N holding f%08d.txt from 260 N, testdata/README.md), its
# root index node's first two records swapped: each child still holds keys from its own
# key to the next, so the node, sorted, is sound and is read so.  Before, /d00000 listed
# 183 of its 260 names (the walk began by stored place, past the child stored first), and
# every path lookup failed as damage (each search for a key the tree lacks, such as a
# file's firmlink attribute, was: "may stand in another of its children").
expect_rc "mkimage scale --per-dir 260" 0 "$MKIMAGE" scale "$WORK/s260.img" --entries 1000 \
	--per-dir 260 --unencrypted
damaged "$WORK/s260root.img" "$WORK/s260.img" swaproot
for d in 0 1 2 3; do
	n=$((d < 3 ? 260 : 1000 - 4 - 3 * 260))
	run_rc "$BIN" ls -U "$WORK/s260root.img" "/d0000$d"
	expect_eq "root index swapped: ls -U /d0000$d: its $n names, exit 0" \
		"0 $(for i in $(seq $((260 * d)) $((260 * d + n - 1))); do printf 'f%08d.txt\n' "$i"
		     done | LC_ALL=C sort | tr '\n' ' ')" \
		"$RC $(printf '%s\n' "$OUT" | LC_ALL=C sort | tr '\n' ' ')"
done
expect_eq "root index swapped: named once, as out of order" "$EDITED: keys out of order" \
	"$(named "$ERR")"
for f in d00000/f00000000.txt d00000/f00000259.txt d00001/f00000400.txt d00003/f00000995.txt; do
	expect_rc "root index swapped: stat /$f" 0 "$BIN" stat "$WORK/s260root.img" "/$f"
done
expect_rc "root index swapped: stat of a name /d00001 lacks: not found, not damage" 1 \
	"$BIN" stat "$WORK/s260root.img" /d00001/f00000000.txt
expect_eq "root index swapped: no such file" \
	"apfsinspect: /d00001/f00000000.txt: No such file or directory" \
	"$(printf '%s\n' "$ERR" | tail -1)"
# A key raised past its neighbours (rekey 17 50: the next leaf's key set to inode 50's,
# past the keys of the leaves after it) is not mended by sorting: that child's keys lie
# below its new key.  The listing says what it cannot vouch for (exit 1).
damaged "$WORK/s260rekey.img" "$WORK/s260.img" rekey 17 50
expect_rc "index key raised out of order: ls /d00000 says entries may be missing" 1 \
	"$BIN" ls "$WORK/s260rekey.img" /d00000
expect_grep "index key raised out of order: why" "/d00000: entries may be missing" "$ERR"

# Not sorted, and not vouched for, where a child the sort did not move is wrong too: every
# child is read.  The root's slots 27 and 28 (keys: inodes 431 and 461) swapped, slot 27's
# key then lowered to inode 421 (still ascending there: its child, holding inodes 461 to
# 490, is now under 421 and inode 431's child spans to 491), and slots 34 and 35 swapped
# (the node out of order).  Found in review: with only moved children read, the node was
# sorted and `stat` of inode 486, /d00001/f00000466.txt, said "No such file".
cp --sparse=always "$WORK/s260.img" "$WORK/s260low.img"
run_rc python3 "$TESTS/tools/index_slots.py" "$WORK/s260low.img" root swap:27:28 \
	inokey:27:421 swap:34:35
expect_eq "index_slots.py: the root's slots 27 and 28 as the edit expects" "27: 431 3 28: 461 3" \
	"$(printf '%s\n' "$OUT" | grep -E '^2[78]: ' | tr '\n' ' ' | sed 's/ $//')"
run_rc "$BIN" stat "$WORK/s260low.img" /d00001/f00000466.txt
expect_eq "a key lowered beside a swap: stat of a file the tree holds is damage, not 'No such file'" \
	"1 apfsinspect: /d00001/f00000466.txt: damaged file-system data (see above)" \
	"$RC $(printf '%s\n' "$ERR" | tail -1)"
run_rc "$BIN" ls -l "$WORK/s260low.img" /d00001
expect_eq "a key lowered beside a swap: ls -l /d00001 says no name is missing from the tree" "" \
	"$(printf '%s\n' "$ERR" | grep 'No such file')"

# The root's first record naming its second child, the first child named by no record
# (slot 1 a copy of the last, the last dropped: the node out of order).  Sorted, the first
# child's lower bound is the root's, none, so nothing else judges it: found in review,
# `ls /` gave no name with exit 0, and `stat /d00000` "No such file".  Not sorted now: the
# first child too must begin at its own key.
cp --sparse=always "$WORK/s260.img" "$WORK/s260first.img"
run_rc python3 "$TESTS/tools/index_slots.py" "$WORK/s260first.img" root valdup:0:1 \
	copy:1:46 nkeys:46:0
expect_eq "index_slots.py: the root held 47 records" "46: " \
	"$(printf '%s\n' "$OUT" | tail -1 | cut -c1-4)"
expect_rc "first child named by none: ls / says entries may be missing" 1 \
	"$BIN" ls "$WORK/s260first.img" /
expect_grep "first child named by none: why" "/: entries may be missing" "$ERR"
run_rc "$BIN" stat "$WORK/s260first.img" /d00000
expect_eq "first child named by none: stat /d00000 is damage, not 'No such file'" \
	"1 apfsinspect: /d00000: damaged file-system data (see above)" \
	"$RC $(printf '%s\n' "$ERR" | tail -1)"

# The same child named by none, the root's records moved down over the first's: the root
# stays in order and each child begins at its own key, so no node is out of order or range;
# only what the tree lacks shows the loss.  Before: `ls /` gave nothing with exit 0, `stat /`
# said "No such file", `bodyfile` gave nothing with exit 0.  Every volume has its root
# directory's inode record (inode 2); the tree lacks it, so the root's entries may be lost.
cp --sparse=always "$WORK/s260.img" "$WORK/s260shift.img"
run_rc python3 "$TESTS/tools/index_slots.py" "$WORK/s260shift.img" root \
	$(for i in $(seq 0 45); do printf 'copy:%d:%d ' "$i" $((i + 1)); done) nkeys:46:0
expect_eq "index_slots.py: the root held 47 records, the first the root directory's (1 9)" \
	"0 0: 1 9 46: " "$RC $(printf '%s\n' "$OUT" | sed -n 2p) $(printf '%s\n' "$OUT" | tail -1 | cut -c1-4)"
ROOTLOST="volume 'Scale': inode 2, the root directory's, is not in the file-system tree"
run_rc "$BIN" ls "$WORK/s260shift.img" /
expect_eq "records moved down: ls / gives nothing, and says entries may be missing" \
	"1  apfsinspect: /: entries may be missing" "$RC $OUT $(printf '%s\n' "$ERR" | tail -1 | cut -c1-38)"
expect_grep "records moved down: ls /: why" "$ROOTLOST" "$ERR"
run_rc "$BIN" stat "$WORK/s260shift.img" /
expect_eq "records moved down: stat / is damage, not 'No such file'" \
	"1 apfsinspect: /: damaged file-system data (see above)" \
	"$RC $(printf '%s\n' "$ERR" | tail -1)"
expect_grep "records moved down: stat /: why" "$ROOTLOST" "$ERR"
run_rc "$BIN" stat "$WORK/s260shift.img" /d00000
expect_eq "records moved down: stat /d00000, a name / held, is damage, not 'No such file' (review)" \
	"1 apfsinspect: /d00000: damaged file-system data (see above)" \
	"$RC $(printf '%s\n' "$ERR" | tail -1)"
run_rc "$BIN" stat "$WORK/s260.img" /d00099
expect_eq "sound image: stat of a name / lacks, No such file" \
	"1 apfsinspect: /d00099: No such file or directory" "$RC $ERR"
expect_rc "records moved down: bodyfile fails" 1 "$BIN" bodyfile "$WORK/s260shift.img"
expect_grep "records moved down: bodyfile: why" "$ROOTLOST" "$ERR"
expect_eq "records moved down: named once by bodyfile" "1" \
	"$(printf '%s\n' "$ERR" | grep -c 'the root directory.s')"

# The object map's index node (`scale` of 60,000 entries: one) with its first two slots
# swapped (omap_edit.py --index): read sorted.  Its first reading is in the volume's
# key-form probe, whose messages are muted; the walks after start from it kept, sorted, in
# the cursor.  Found in review: nothing was ever said of it (exit 0, no warning).  Now it
# is named once, and /d00003 lists its 3,000 names (f00009000.txt ... f00011999.txt).
expect_rc "mkimage scale --entries 60000 --per-dir 3000" 0 "$MKIMAGE" scale "$WORK/s60k.img" \
	--entries 60000 --per-dir 3000 --unencrypted
expect_rc "omap_edit.py --index" 0 python3 "$TESTS/tools/omap_edit.py" "$WORK/s60k.img" --index
EDITED=$OUT
run_rc "$BIN" ls "$WORK/s60k.img" /d00003
expect_eq "object-map index swapped: /d00003's 3,000 names, exit 0" \
	"0 $(for i in $(seq 9000 11999); do printf 'f%08d.txt\n' "$i"; done | md5sum)" \
	"$RC $(printf '%s\n' "$OUT" | LC_ALL=C sort | md5sum)"
expect_eq "object-map index swapped: named once, though first read muted" \
	"$EDITED: keys out of order" "$(named "$ERR")"
expect_grep "object-map index swapped: as the object map's" \
	"object map: B-tree node at $EDITED: keys out of order" "$ERR"

# snapshot: the fs-tree root's newer version listed before its older one.
S=$WORK/snapshot.img
expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$S"
expect_rc "omap_edit.py snapshot.img 1026" 0 python3 "$TESTS/tools/omap_edit.py" "$S" 1026
EDITED=$OUT
run_rc "$BIN" ls "$S" /
expect_eq "snapshot: the live tree, not the snapshot's" "a.txt keep.txt new.txt" \
	"$(printf '%s\n' "$OUT" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "snapshot: the object map's leaf named out of order, once (the block omap_edit.py edited)" \
	"$EDITED: keys out of order" "$(named "$ERR")"
expect_grep "snapshot: as the object map's" "object map: B-tree node at $EDITED: keys out" "$ERR"
expect_eq "snapshot: /a.txt now" "version 2" "$("$BIN" cat "$S" /a.txt)"
expect_eq "snapshot: the snapshot's tree at xid 2" "a.txt gone.txt keep.txt" \
	"$("$BIN" ls --snapshot before "$S" / | tr '\n' ' ' | sed 's/ $//')"
expect_eq "snapshot: /a.txt at the snapshot" "version 1" \
	"$("$BIN" cat --snapshot before "$S" /a.txt)"
done_testing
