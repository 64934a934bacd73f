#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# diff_gap.sh - `diff` where the live tree lost a leaf with every node still
# in order and in range: the leaf's record dropped from the index node above
# it, the records after moved down (tests/tools/index_slots.py drop).  The
# walk meets no damage.  Before, the lost leaf's inodes came out as removed
# ("D file", 30 lines) and its directory entries as dates added changed ("M
# added", 81 lines), each with exit 0; so did one record dropped from a leaf
# (a file extent: "M content"; a sibling link).  Now every change found is still
# given, and the diff ends with exit 1, naming what the view lacks: entries
# that name an inode the tree does not hold, a directory holding fewer
# entries than its inode counts.  The leaf's records come from the image by
# our own parser (tests/tools/ino_leaf.py); /d001's inode number and count
# from testdata/README.md ("snapshot-many": 16 + 1001·d, one child removed).
. "$(dirname "$0")/../lib.sh"

S=$WORK/sm.img
expect_rc "mkimage snapshot-many --unencrypted" 0 "$MKIMAGE" snapshot-many "$S" --unencrypted
expect_rc "the sound image: diff --live before" 0 "$BIN" diff --live --json "$S" before
SOUND=$OUT
expect_eq "... says nothing on stderr" "" "$ERR"

# inode numbers of the changes of one kind in diff --json lines, sorted
changed() { python3 -c 'import json, sys
print("\n".join(sorted(str(c["inode"]) for c in map(json.loads, sys.stdin)
                       if c["code"] == sys.argv[1])))' "$1"; }
# "INODE MAY_BE_LOST" of each A and D line of diff --json, sorted by inode
marks() { python3 -c 'import json, sys
print("\n".join("%d %s" % (c["inode"], c["may_be_lost"]) for c in sorted(map(json.loads,
                 sys.stdin), key=lambda c: c["inode"]) if c["code"] in "AD"))'; }
# /d001/f01000.txt, removed indeed since the snapshot, and /d099/added.txt, added indeed
# (testdata/README.md: /dNNN is inode 16 + 1001·d, its files after it: f01000.txt the first of
# /d001's)
GONE=$((16 + 1001 + 1))
expect_eq "the sound image: its one D and one A line, neither marked" \
	"$GONE None
$(changed A <<< "$SOUND") None" "$(marks <<< "$SOUND")"
# Drop, from the live tree alone, the leaf K (default 1) after the one that
# holds NAME's inode record (rewritten since the snapshot): IMG NAME LEAF_OUT [K].
drop_after() {
	cp "$S" "$1" && python3 "$TESTS/tools/ino_leaf.py" "$1" "$2" "${4:-1}" > "$3" &&
		python3 "$TESTS/tools/index_slots.py" "$1" "above:$(head -1 "$3" | cut -d' ' -f1)" \
			"drop:$(head -1 "$3" | cut -d' ' -f2):0" > /dev/null
}

# ---- a leaf of file inodes: /d050/renamed.txt's inode record, the next leaf ----
check "drop the live leaf after renamed.txt's inode" drop_after "$WORK/ino.img" renamed.txt \
	"$WORK/ino.leaf"
LOST=$(sed 1d "$WORK/ino.leaf" | awk '$2 == 3 { print $1 }' | sort)
N=$(printf '%s\n' "$LOST" | grep -c .)
check "the leaf held inode records ($N)" test "$N" -gt 10
expect_rc "diff --live before: exit 1" 1 "$BIN" diff --live "$WORK/ino.img" before
expect_grep "... names how many entries name an inode the tree does not hold" \
	"volume 'ManySnap': the view after: $N directory entries name an inode the tree does not hold" \
	"$ERR"
expect_eq "... once, and nothing of the view before" "1 0" \
	"$(grep -c 'the view after' <<< "$ERR") $(grep -c 'the view before' <<< "$ERR")"
expect_grep "... and what the diff's lines are worth" \
	"^apfsinspect: diff: records are missing from a view \(see above\): a change may be missing, or be one of records lost$" \
	"$ERR"
expect_rc "--json: exit 1 too" 1 "$BIN" diff --live --json "$WORK/ino.img" before
expect_eq "... the changes of the sound image, then each lost inode as removed" \
	"$(printf '%s\n%s' "$(changed D <<< "$SOUND")" "$LOST" | sort)" "$(changed D <<< "$OUT")"
expect_eq "... the other changes as on the sound image" \
	"$(grep -v '"code": "D"' <<< "$SOUND")" "$(grep -v '"code": "D"' <<< "$OUT")"
expect_eq "... each lost inode marked: an entry in the live tree names it, its inode record is \
not held; the file removed indeed, and the one added, not marked (before: no mark)" \
	"$( (printf '%s\n' "$LOST" | sed 's/$/ inode_record/'; echo "$GONE None"; echo \
	"$(changed A <<< "$SOUND") None") | sort)" "$(marks <<< "$OUT" | sort)"
run_rc "$BIN" diff --live "$WORK/ino.img" before
expect_eq "... in text, a field of its own after the path" "$N" "$(grep -c \
	"^D file /d050/f[0-9]*\.txt (may-be-lost:inode_record)$" <<< "$OUT")"
expect_grep "... the file removed indeed, as on the sound image" "^D file /d001/f01000\.txt$" "$OUT"

# ---- a leaf of directory entries: /d001's inode record, the next leaf ----
check "drop the live leaf after /d001's inode" drop_after "$WORK/dir.img" d001 "$WORK/dir.leaf"
E=$(sed 1d "$WORK/dir.leaf" | grep -c '^1017 9$')
check "the leaf held /d001's entries alone ($E)" \
	test "$E" -gt 10 -a "$E" -eq "$(sed 1d "$WORK/dir.leaf" | grep -c .)"
expect_rc "diff --live before: exit 1" 1 "$BIN" diff --live "$WORK/dir.img" before
expect_grep "... names /d001 (inode 1017) and both counts" \
	"volume 'ManySnap': the view after: directory 1017: its inode counts 999 entries, the tree holds $((999 - E)) \(1 directory short\)" \
	"$ERR"
expect_grep "... and the files those entries named, which no entry names now" \
	"the view after: $E inodes no directory entry names" "$ERR"
run_rc "$BIN" diff --live "$WORK/dir.img" before
expect_eq "... each of those files' date added (in the lost entry) marked as a change that may \
come of its entry lost, and no other line so marked (before: $E plain 'M added' lines)" "$E $E" \
	"$(grep -c '^M added /d001/f[0-9]*\.txt (may-be-lost:directory_entry)$' <<< "$OUT") \
$(grep -c 'may-be-lost:directory_entry)$' <<< "$OUT")"
run_rc "$BIN" diff --live --json "$WORK/dir.img" before
expect_eq "... /d001/f01000.txt, removed from /d001, which now holds fewer entries than it \
counts: marked as one whose entry may be lost (it cannot be told from one removed)" \
	"$GONE directory_entries" "$(marks <<< "$OUT" | grep "^$GONE ")"
expect_grep "... and what the diff's lines are worth" \
	"a change may be missing, or be one of records lost" "$ERR"

# ---- the leaf that holds /d001's inode record: its entries are of no inode ----
check "drop the live leaf of /d001's inode" drop_after "$WORK/own.img" d001 "$WORK/own.leaf" 0
N=$(sed 1d "$WORK/own.leaf" | awk '$2 == 3' | grep -c .)
check "the leaf held /d001's inode record, and others ($N)" \
	bash -c 'sed 1d "$1" | grep -q "^1017 3$"' _ "$WORK/own.leaf"
expect_rc "diff --live before: exit 1" 1 "$BIN" diff --live "$WORK/own.img" before
E=$(sed 1d "$WORK/own.leaf" | grep -c '^1017 9$')
expect_grep "... names /d001's entries past the leaf, whose inode the tree does not hold" \
	"the view after: $((999 - E)) directory entries are of a directory whose inode the tree does not hold \(the first: directory 1017\)" \
	"$ERR"
expect_grep "... and the entries that name the leaf's inodes, /d001 in / the first" \
	"the view after: $N directory entries name an inode the tree does not hold \(the first: inode 1017 in directory 2\)" \
	"$ERR"
run_rc "$BIN" diff --live --json "$WORK/own.img" before
LOSTO=$(sed 1d "$WORK/own.leaf" | awk '$2 == 3 { print $1 }')
expect_eq "... the leaf's inodes marked as inode records lost; /d001/f01000.txt, removed from \
/d001, whose own records the live tree lacks: marked for the directory above it" \
	"$( (printf '%s\n' "$LOSTO" | sed 's/$/ inode_record/'; echo "$GONE directory_above";
	echo "$(changed A <<< "$SOUND") None") | sort)" "$(marks <<< "$OUT" | sort)"

# ---- the tree's first two leaves: directory 1's entries (which has no inode: the root's and
# the private directory's entries), the root's inode and its first entries, /d000's inode.
# Found in review: `/`, private-dir and /d000 came out as plain deletions, since the chain up
# from the root ends in directory 1.  Every tree holds the root and the private directory. ----
cp "$S" "$WORK/first.img"
check "ino_leaf.py: the live leaf of /d000's inode record" bash -c \
	'python3 "$1" "$2" d000 0 > "$3"' _ "$TESTS/tools/ino_leaf.py" "$WORK/first.img" \
	"$WORK/first.leaf"
expect_rc "index_slots.py: that index node's first two records dropped" 0 python3 \
	"$TESTS/tools/index_slots.py" "$WORK/first.img" \
	"above:$(head -1 "$WORK/first.leaf" | cut -d' ' -f1)" drop:0:0 drop:0:0
check "... the second of them" test "$(head -1 "$WORK/first.leaf" | cut -d' ' -f2)" = 1
expect_rc "diff --live before: exit 1" 1 "$BIN" diff --live "$WORK/first.img" before
expect_eq "... the root, the private directory and /d000 marked as lost; the file removed \
indeed and the one added as on the sound image" "D dir / (may-be-lost:inode_record)
D dir (private-dir) (may-be-lost:inode_record)
D dir /d000 (may-be-lost:directory_above)
D file /d001/f01000.txt
A file /d099/added.txt" "$(grep '^[AD] ' <<< "$OUT")"
# /d002 one entry short (leaf_drop.py: its second directory record): a file removed from
# /d001 is not marked for it (found in review: any short directory would have passed).
cp "$S" "$WORK/d002.img"
expect_rc "leaf_drop.py: an entry of /d002 (inode 16 + 1001 * 2)" 0 python3 \
	"$TESTS/tools/leaf_drop.py" "$WORK/d002.img" $((16 + 1001 * 2)) 9 1
expect_rc "diff --live before: exit 1" 1 "$BIN" diff --live "$WORK/d002.img" before
expect_grep "... /d002 named short" "directory $((16 + 1001 * 2)): its inode counts" "$ERR"
expect_eq "... the file removed from /d001 not marked" "D file /d001/f01000.txt" \
	"$(grep '^D ' <<< "$OUT")"

# ---- one record dropped from a leaf (tests/tools/leaf_drop.py) ----
# /d002/f02000.txt (inode 16 + 1001·2 + 1, testdata/README.md) holds `file 2000\n`: its one
# file extent dropped; before, "M content" with exit 0.
cp "$S" "$WORK/ext.img"
expect_rc "leaf_drop.py: inode 2019's file extent" 0 python3 "$TESTS/tools/leaf_drop.py" \
	"$WORK/ext.img" 2019 8
expect_rc "diff --live before: exit 1" 1 "$BIN" diff --live "$WORK/ext.img" before
expect_grep "... names the data stream that lacks extents" \
	"the view after: 1 data stream lacks extents between 0 and the size \(the first: stream 2019\)" \
	"$ERR"
run_rc "$BIN" diff --live "$S" before
SOUNDT=$OUT
run_rc "$BIN" diff --live "$WORK/ext.img" before
expect_eq "... the file's content judged by its records (not read: its bytes would fail), \
marked as a change that may come of extents lost (before: no mark), every other change as on \
the sound image" \
	"$(printf '%s\nM content /d002/f02000.txt (may-be-lost:file_extents)' "$SOUNDT" | sort)" \
	"$(sort <<< "$OUT")"
D=$WORK/sd.img
expect_rc "mkimage snapshot-diff" 0 "$MKIMAGE" snapshot-diff "$D"
cp "$D" "$D.sound"
expect_rc "the sound image: diff --live before" 0 "$BIN" diff --live "$D" before
SOUNDD=$OUT
# /hard-a.txt and /hard-c.txt: inode 27, two links, sibling ids 28, 29 (testdata/README.md)
expect_rc "leaf_drop.py: one of inode 27's sibling links" 0 python3 \
	"$TESTS/tools/leaf_drop.py" "$D" 27 5
expect_rc "diff --live before: exit 1" 1 "$BIN" diff --live "$D" before
expect_grep "... names the file with fewer sibling links than links" \
	"volume 'Diff': the view after: 1 file with hard links: fewer sibling-link records than links \(the first: inode 27\)" \
	"$ERR"
expect_eq "... the changes as on the sound image, its names' change marked as one that may \
come of a sibling link lost (before: no mark)" \
	"$(sed 's|^M links /hard-a\.txt$|& (may-be-lost:sibling_links)|' <<< "$SOUNDD")" "$OUT"

# A hard link's own entry lost while its other name's stands: /hard-c.txt's date added moved a
# day (drec_date.py), then /hard-a.txt's entry (the root's twelfth record of type 9) dropped;
# the file's date added is then the other name's.  Found in review: an unmarked 'M added'.
cp "$D.sound" "$WORK/hl.img"
expect_rc "drec_date.py: /hard-c.txt a day later" 0 python3 "$TESTS/tools/drec_date.py" \
	"$WORK/hl.img" hard-c.txt 86400000000000
run_rc python3 "$TESTS/tools/leaf_drop.py" "$WORK/hl.img" 2 9 11
expect_rc "... and /hard-a.txt's entry dropped: diff --live before: exit 1" 1 "$BIN" diff \
	--live "$WORK/hl.img" before
expect_grep "... / named short" "the view after: directory 2: its inode counts 14 entries, the \
tree holds 13" "$ERR"
expect_grep "... the file's date added (the other name's) marked as one its entry lost may \
explain" "^M links,added /hard-a\.txt \(may-be-lost:directory_entry\)$" "$OUT"
run_rc "$BIN" ls "$WORK/hl.img" /
expect_eq "... the entry dropped was /hard-a.txt's: ls / lists /hard-c.txt alone of the two" \
	"hard-c.txt" "$(grep '^hard-' <<< "$OUT")"

# A view with no directory record at all (every entry of 1, / and /dir, inode 23, dropped):
# found in review, sorting no entry was undefined (qsort of NULL; UBSan, as CI builds it,
# stops there).  Every date added is then unknown, and each such line says so.
cp "$D" "$WORK/nodrec.img"
for o in 1 2 23; do
	while python3 "$TESTS/tools/leaf_drop.py" "$WORK/nodrec.img" "$o" 9 0 > /dev/null 2>&1; do :
	done
done
expect_rc "no directory record left: diff --live before: exit 1" 1 "$BIN" diff --live \
	"$WORK/nodrec.img" before
expect_grep "... / named: it counts 14 entries and holds none" \
	"the view after: directory 2: its inode counts 14 entries, the tree holds 0" "$ERR"
expect_eq "... every line with 'added' among its fields marked for the entry lost" "" \
	"$(grep '^M [a-z,]*added' <<< "$OUT" | grep -v '(may-be-lost:directory_entry)$')"

# ---- a layout of real Macs the generator does not make: an entry of the purgeable
# directory (7), which has no inode record (apfsck dir.c); tests/tools/drec_move.py moves
# /new.txt's entry there and counts it out of /.  Found in review: named as damage.
P=$WORK/purg.img
expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$P"
cp "$P" "$P.sound"
run_rc "$BIN" diff --live "$P" before
SOUNDP=$OUT
expect_rc "drec_move.py: /new.txt's entry into directory 7" 0 python3 \
	"$TESTS/tools/drec_move.py" "$P" new.txt 7
expect_rc "diff --live before: exit 0" 0 "$BIN" diff --live "$P" before
expect_eq "... says nothing" "" "$ERR"
expect_grep "... /new.txt added, as on the sound image" "^A file /new.txt$" "$OUT"

# ---- an orphan: a file unlinked while open, kept until its last close, its entry moved into
# the private directory (3; named 0x<ino>-dead there), its link count 0, its parent_id and
# name as they were (apfsck dir.c, inode.c: "the reported parent id is not updated when
# orphaned"; "follow what apple does").  /keep.txt (inode 17, testdata/README.md `snapshot`)
# made one in the live tree (drec_move.py counts it out of /).  Its stream may lack extents
# (apfsck extents.c): one dropped, no gap.  Found in review: diff knew an orphan by a parent_id
# of 3, which apfsck reports as damage, and counted a real one's lacking extents as a gap.
O=$WORK/orphan.img
cp "$P.sound" "$O"
expect_rc "drec_move.py: /keep.txt's entry into the private directory" 0 python3 \
	"$TESTS/tools/drec_move.py" "$O" keep.txt 3
expect_rc "inode_field.py: its link count 0" 0 python3 "$TESTS/tools/inode_field.py" "$O" 17 \
	nchildren 0
expect_rc "leaf_drop.py: its one file extent" 0 python3 "$TESTS/tools/leaf_drop.py" "$O" 17 8
expect_rc "an orphan lacking its extent: diff --live before: exit 0 (before: 1)" 0 "$BIN" diff \
	--live "$O" before
expect_eq "... says nothing on stderr" "" "$ERR"
expect_eq "... the sound image's changes, / one entry less, the file's links 0 and its content \
judged by its records, not marked lost, said to be an orphan in the live tree" \
	"$(printf '%s\n' "$SOUNDP" "M nlink /" "M nlink,content /keep.txt (orphan:after)" | sort)" \
	"$(sort <<< "$OUT")"
# Its old directory gone since (apfsck inode.c: "Orphans report a stale parent id"): no
# damage; its path, which no longer exists, not made up.
cp "$O" "$O.gone"
expect_rc "inode_field.py: its parent_id a directory no longer there (999)" 0 python3 \
	"$TESTS/tools/inode_field.py" "$O.gone" 17 parent_id 999
expect_rc "... diff --live before: exit 0" 0 "$BIN" diff --live "$O.gone" before
expect_eq "... says nothing on stderr" "" "$ERR"
expect_grep "... its line names the orphan by inode" \
	"^M nlink,content \(orphan: inode 17\) \(orphan:after\)$" "$OUT"
expect_rc "... diff --json" 0 "$BIN" diff --json --live "$O" before
expect_eq "... orphan \"after\" on its line alone" "17 after" "$(python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["orphan"] is not None:
        print(o["inode"], o["orphan"])' <<< "$OUT")"
# A dataless file's data is elsewhere (SF_DATALESS 0x40000000: iCloud): /d002/f02000.txt,
# whose file extent was dropped above, made dataless.
expect_rc "inode_field.py: inode 2019 dataless" 0 python3 "$TESTS/tools/inode_field.py" \
	"$WORK/ext.img" 2019 bsd_flags "|0x40000000"
expect_rc "a dataless file lacking extents: diff --live before: exit 0" 0 "$BIN" diff --live \
	"$WORK/ext.img" before
expect_eq "... says nothing on stderr" "" "$ERR"
expect_eq "... its flags and content changed, unmarked, every other change as on the sound image" \
	"$(printf '%s\nM flags,content /d002/f02000.txt' "$SOUNDT" | sort)" "$(sort <<< "$OUT")"

# ---- both views the same where nothing was lost ----
expect_rc "a view against itself: diff before before" 0 "$BIN" diff "$S" before before
expect_eq "... differs in nothing" "" "$OUT"
expect_eq "... says nothing on stderr" "" "$ERR"

done_testing
