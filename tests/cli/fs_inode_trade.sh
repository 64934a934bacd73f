#!/usr/bin/env bash
# fs_inode_trade.sh - two inode records traded between neighbouring fs-tree
# leaves (tests/tools/inode_trade.py): each leaf then holds one key of the
# other's range.  A lookup in either leaf of a key it does not hold (every
# stat asks for the com.apple.fs.firmlink attribute, absent) looks where
# the stray key belongs, meets there the record traded away, and may say
# "none": `ls -l` lists every directory as on the image before the damage,
# exit 0, with one warning a leaf; the two inodes are found.  Before, each
# such lookup printed "a search passed a node whose keys stray" (52 lines
# under /d00000) and `ls -l` went on, exit 1 for the two traded files.
# With --copy one leaf's last inode record is overwritten by the next
# leaf's first instead: that record is lost, so no absence in the leaf can
# be vouched for.  Its file is named damaged; the others of the leaf are
# listed under a warning that whether each is a firmlink is not known:
# the first 16 inodes named, then one line that more are not (before, one
# line each, 21 for this leaf, and again at each getattr of a mount);
# `ls -l` of one of them names it.
. "$(dirname "$0")/../lib.sh"

# The name of inode $1 in /d00000 of the sound image (ls --json).
name_of() {
	"$BIN" ls --json "$SOUND" /d00000 | python3 -c '
import json, sys
print(*[e["name"] for e in json.load(sys.stdin)["entries"] if e["inode"] == int(sys.argv[1])])' "$1"
}

SOUND=$WORK/sound.img
expect_rc "mkimage scale: 1000 files, 260 a directory" 0 \
	"$MKIMAGE" scale "$SOUND" --entries 1000 --per-dir 260 --unencrypted
IMG=$WORK/traded.img
cp "$SOUND" "$IMG"
# Into a file first: a process substitution is not waited for, and the tool
# prints before it writes (the suite once compared the image before the write).
python3 "$TESTS/tools/inode_trade.py" "$IMG" > "$WORK/trade"
read -r a b blk_a blk_b < "$WORK/trade"
check "inode_trade.py named two inodes ($a, $b)" [ -n "$a" ] && [ -n "$b" ]
expect_rc "the image changed" 1 cmp -s "$SOUND" "$IMG"
for d in /d00000 /d00001 /d00002 /d00003; do
	want=$("$BIN" ls -l "$SOUND" "$d")
	got=$("$BIN" ls -l "$IMG" "$d" 2> "$WORK/err"); rc=$?
	expect_eq "$d: ls -l exits 0" 0 "$rc"
	expect_eq "$d: the listing of the image before the damage" "$want" "$got"
	expect_eq "$d: no error, only warnings" "" "$(grep -v ': warning: ' "$WORK/err")"
done
expect_eq "sound: /d00000 holds 260 names (the generator's --per-dir)" 260 \
	"$("$BIN" ls "$SOUND" /d00000 | wc -l)"
for ino in "$a" "$b"; do
	name=$(name_of "$ino")
	check "inode $ino is a file of /d00000 ($name)" [ -n "$name" ]
	expect_eq "stat /d00000/$name on the damaged image: as before" \
		"$("$BIN" stat "$SOUND" "/d00000/$name" 2>&1)" "$("$BIN" stat "$IMG" "/d00000/$name" 2> /dev/null)"
done

cp "$SOUND" "$IMG"
python3 "$TESTS/tools/inode_trade.py" "$IMG" --copy > "$WORK/trade"
read -r lost other _ < "$WORK/trade"
name=$(name_of "$lost")
"$BIN" ls -l "$IMG" /d00000 > "$WORK/out" 2> "$WORK/err"; rc=$?
expect_eq "--copy: ls -l exits 1" 1 "$rc"
check "--copy: the lost inode's file ($name) is named damaged" \
	grep -q "^apfsinspect: /d00000/$name: damaged file-system data" "$WORK/err"
check "--copy: the search that could not vouch is named" \
	grep -q "a search passed a node whose keys stray outside its parent's range" "$WORK/err"
expect_rc "--copy: $name not listed" 1 grep -q " $name\$" "$WORK/out"
prev=$(name_of $((lost - 1)))
check "--copy: $prev (inode $((lost - 1)), in the same leaf) listed" grep -q " $prev\$" "$WORK/out"
expect_eq "--copy: 16 inodes named whose firmlink state is not known" 16 \
	"$(grep -c 'warning: .*: whether it is a firmlink is not known' "$WORK/err")"
expect_eq "--copy: then once, that further ones are not named" 1 \
	"$(grep -c "warning: .*: further inodes whose firmlink state is not known are shown as none and not named\$" "$WORK/err")"
expect_eq "--copy: besides, one warning (the node)" 1 \
	"$(grep ': warning: ' "$WORK/err" | grep -vc 'firmlink state\|is a firmlink')"
"$BIN" ls -l "$IMG" "/d00000/$prev" > /dev/null 2> "$WORK/err"; rc=$?
expect_eq "--copy: ls -l /d00000/$prev exits 0" 0 "$rc"
check "--copy: its firmlink attribute's search named unvouched, a warning" \
	grep -q "warning: .*inode $((lost - 1)): whether it is a firmlink is not known" "$WORK/err"

# The trade, then one byte of the second leaf changed (its checksum not made right): the
# first leaf's files, whose firmlink searches look in the second leaf, are listed, each
# with a warning that names the bad checksum; the second leaf's files are damaged, as
# they were before the lookup looked where the trade went.
cp "$SOUND" "$IMG"
python3 "$TESTS/tools/inode_trade.py" "$IMG" > /dev/null
flip_byte "$IMG" $((blk_b * 4096 + 200))
"$BIN" ls -l "$IMG" /d00000 > "$WORK/out" 2> "$WORK/err"; rc=$?
expect_eq "bad leaf: ls -l exits 1 (the second leaf's files)" 1 "$rc"
prev=$(name_of $((a - 1)))
check "bad leaf: $prev (inode $((a - 1)), in the first leaf) listed" grep -q " $prev\$" "$WORK/out"
check "bad leaf: the checksum named at block $blk_b" \
	grep -q "bad checksum in file-system tree at block $blk_b\$" "$WORK/err"
"$BIN" ls -l "$IMG" "/d00000/$prev" > /dev/null 2> "$WORK/err"; rc=$?
expect_eq "bad leaf: ls -l /d00000/$prev exits 0" 0 "$rc"
check "bad leaf: its firmlink search's failure named, a warning" \
	grep -q "warning: .*inode $((a - 1)): whether it is a firmlink is not known (.*checksum" \
	"$WORK/err"
done_testing
