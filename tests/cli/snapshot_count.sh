#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# snapshot_count.sh - a volume counts its snapshots (apfs_num_snapshots, byte
# 216 of apfs_superblock_t; Apple's reference).  A snapshot metadata tree of
# more than one node that lost a child stays in order: the walk meets
# nothing, and a snapshot, with the files it alone still holds, went
# unlisted with exit 0.  Here the volume's count is raised past what its tree
# holds (tests/tools/apsb_set.py): `snapshots` gives those it holds and ends
# with exit 1, naming both counts; a snapshot named and not found says it may
# be one of those lost; a snapshot found, and the live tree, open as before
# and say nothing.  A volume group's System volume whose boot snapshot is not
# found in such a tree does not show the Mac's root (it may be the boot
# snapshot that was lost).  Counts from testdata/README.md (`snapshot`: one
# snapshot, `before`; `macos-boot` seed 1: the boot snapshot's name).
. "$(dirname "$0")/../lib.sh"

S=$WORK/snap.img
expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$S"
expect_rc "the sound image: snapshots" 0 "$BIN" snapshots "$S"
SOUND=$OUT
expect_rc "... --json" 0 "$BIN" snapshots --json "$S"
SOUNDJ=$OUT
expect_rc "... list --json" 0 "$BIN" list --json "$S"
SOUNDL=$OUT
expect_rc "... diff --live before" 0 "$BIN" diff --live "$S" before
SOUNDD=$OUT

C=$WORK/count2.img
cp "$S" "$C"
expect_rc "apsb_set.py: the volume counts 2 snapshots" 0 python3 "$TESTS/tools/apsb_set.py" \
	"$C" 216 1 2
expect_rc "snapshots: exit 1" 1 "$BIN" snapshots "$C"
expect_eq "... lists the one the tree holds, as on the sound image" "$SOUND" "$OUT"
expect_grep "... names both counts" \
	"volume 'Snap': snapshot metadata tree: the volume counts 2 snapshots, the tree holds 1: snapshots may be missing" \
	"$ERR"
expect_eq "... once, the one line on stderr" 1 "$(grep -c . <<< "$ERR")"
expect_rc "snapshots --json: exit 1" 1 "$BIN" snapshots --json "$C"
expect_eq "... the same JSON as on the sound image" "$SOUNDJ" "$OUT"
expect_rc "diff --live before: both found, exit 0 (as ls --snapshot)" 0 "$BIN" diff --live \
	"$C" before
expect_eq "... the same changes as on the sound image" "$SOUNDD" "$OUT"
expect_eq "... says nothing" "" "$ERR"
expect_rc "diff --live nosuch: exit 1, not the usage error" 1 "$BIN" diff --live "$C" nosuch
expect_grep "... 'nosuch' may be one of those lost" \
	"'nosuch': no such snapshot among those the snapshot metadata tree of volume 'Snap' holds, which lacks some" \
	"$ERR"
expect_eq "... both counts named once" 1 "$(grep -c 'the volume counts 2 snapshots' <<< "$ERR")"
expect_rc "ls --snapshot nosuch: exit 1" 1 "$BIN" ls --snapshot nosuch "$C" /
expect_grep "... says the same" "--snapshot 'nosuch': no such snapshot among those" "$ERR"
expect_rc "ls --snapshot before: exit 0" 0 "$BIN" ls --snapshot before "$C" /
expect_eq "... says nothing: the snapshot asked for was found" "" "$ERR"
expect_rc "ls (the live tree): exit 0" 0 "$BIN" ls "$C" /
expect_eq "... says nothing" "" "$ERR"
expect_rc "on the sound image, diff --live nosuch is the usage error" 2 "$BIN" diff --live \
	"$S" nosuch

# list, on a volume that is not sealed (its snapshots shown by count only): the shortfall named
# once, exit 1 as snapshots (before: exit 0, and JSON with no key for it).
expect_rc "the sound image: list --json, exit 0" 0 "$BIN" list --json "$S"
expect_eq "... the volume counts 1 and its tree gives 1; no error" "1 1 None" \
	"$(python3 -c 'import json, sys
v = json.load(sys.stdin)["containers"][0]["volumes"][0]
print(v["snapshots"], v["snapshots_listed"], v["snapshots_error"])' <<< "$OUT")"
expect_rc "list: exit 1" 1 "$BIN" list "$C"
expect_eq "... names both counts, once, the one line on stderr" "apfsinspect: container at offset \
0: volume 'Snap': snapshot metadata tree: the volume counts 2 snapshots, the tree holds 1: \
snapshots may be missing (or the count is wrong)" "$ERR"
expect_grep "... the count shown is the volume's" "Snapshots: +2$" "$OUT"
expect_rc "list --json: exit 1" 1 "$BIN" list --json "$C"
expect_eq "... counted 2, listed 1, the error in the same words" "2 1 volume 'Snap': snapshot \
metadata tree: the volume counts 2 snapshots, the tree holds 1: snapshots may be missing (or \
the count is wrong)" "$(python3 -c 'import json, sys
v = json.load(sys.stdin)["containers"][0]["volumes"][0]
print(v["snapshots"], v["snapshots_listed"], v["snapshots_error"].split(": ", 1)[1])' <<< "$OUT")"
if "$BIN" list --plist "$S" > /dev/null 2>&1; then
	expect_rc "list --plist: exit 1" 1 "$BIN" list --plist "$C"
	expect_grep "... said on stderr" "the volume counts 2 snapshots, the tree holds 1" "$ERR"
else
	skip "list --plist: libplist is not loaded here"
fi
# The snapshot metadata tree's one node unreadable (a byte of it changed: its checksum fails):
# apfs_snap_meta_tree_oid is the physical block at byte 152 of the volume superblock (Apple's
# reference).  list gives the rest, names the tree, and ends 1.
cp "$S" "$WORK/snapbad.img"
SNAPBLK=$(python3 -c 'import json, struct, sys
sb = json.load(sys.stdin)["containers"][0]["volumes"][0]["superblock_block"]
with open(sys.argv[1], "rb") as f:
    f.seek(sb * 4096 + 152)
    print(struct.unpack("<Q", f.read(8))[0])' "$S" <<< "$SOUNDL")
printf '\xff' | dd of="$WORK/snapbad.img" bs=1 seek=$((SNAPBLK * 4096 + 100)) conv=notrunc \
	status=none
expect_rc "the snapshot metadata tree unreadable: list exit 1" 1 "$BIN" list --json \
	"$WORK/snapbad.img"
expect_eq "... the volume still listed, none of its snapshots, an error given" "1 0 True" \
	"$(python3 -c 'import json, sys
v = json.load(sys.stdin)["containers"][0]["volumes"][0]
print(v["snapshots"], v["snapshots_listed"], bool(v["snapshots_error"]))' <<< "$OUT")"
expect_grep "... the block named on stderr" "block $SNAPBLK" "$ERR"

cp "$S" "$WORK/count0.img"
expect_rc "apsb_set.py: the volume counts no snapshot" 0 python3 "$TESTS/tools/apsb_set.py" \
	"$WORK/count0.img" 216 1 0
expect_rc "snapshots: more held than counted: exit 0" 0 "$BIN" snapshots "$WORK/count0.img"
expect_eq "... the same list" "$SOUND" "$OUT"
expect_eq "... nothing is missing: nothing said" "" "$ERR"
expect_rc "list --json: more held than counted: exit 0" 0 "$BIN" list --json "$WORK/count0.img"
expect_eq "... counted 0, listed 1, no error" "0 1 None" "$(python3 -c 'import json, sys
v = json.load(sys.stdin)["containers"][0]["volumes"][0]
print(v["snapshots"], v["snapshots_listed"], v["snapshots_error"])' <<< "$OUT")"

# ---- a volume group's System volume ----
M=$WORK/mb.img
BOOT=com.apple.os.update-B622D86AB2957EDDDAC853F4170060A56ED287D45D175D31734351646DCD931C
SYS=(--volume 'Macintosh HD' --passphrase alice-password)
expect_rc "mkimage macos-boot" 0 "$MKIMAGE" macos-boot "$M"
expect_rc "the sound image: ls /" 0 "$BIN" ls "${SYS[@]}" "$M" /
SOUNDM=$OUT
# The boot snapshot there by its name, but the System volume counts 2: the newest by name
# may be one of those lost.  Found in review: taken with exit 0.
cp "$M" "$WORK/mb2.img"
expect_rc "apsb_set.py: the System volume counts 2 snapshots" 0 python3 \
	"$TESTS/tools/apsb_set.py" "$WORK/mb2.img" 216 1 2
expect_rc "boot snapshot by name, the tree lacking one: ls / exit 1" 1 "$BIN" ls "${SYS[@]}" \
	"$WORK/mb2.img" /
expect_grep "... says why" "the System volume 'Macintosh HD': its boot snapshot is not sure" "$ERR"
# apfs_root_to_xid (byte 968) naming it (xid 2): sure, though the tree lacks another.
expect_rc "apsb_set.py: apfs_root_to_xid 2" 0 python3 "$TESTS/tools/apsb_set.py" \
	"$WORK/mb2.img" 968 0 2
expect_rc "the boot snapshot named by xid: ls / exit 0" 0 "$BIN" ls "${SYS[@]}" "$WORK/mb2.img" /
expect_eq "... the Mac's root as on the sound image" "$SOUNDM" "$OUT"
expect_eq "... says nothing" "" "$ERR"
expect_rc "snapmeta_edit.py: the boot snapshot renamed" 0 python3 \
	"$TESTS/tools/snapmeta_edit.py" "$M" "$BOOT" "x${BOOT#c}"
expect_rc "no boot snapshot, the count right: ls / shows the live tree (exit 0)" 0 "$BIN" ls \
	"${SYS[@]}" "$M" /
expect_grep "... with the warning" "has no boot snapshot \(com.apple.os.update-...\): its live tree is shown" \
	"$ERR"
expect_rc "apsb_set.py: the System volume counts 2 snapshots" 0 python3 \
	"$TESTS/tools/apsb_set.py" "$M" 216 1 2
expect_rc "no boot snapshot where the tree lacks some: ls / exit 1" 1 "$BIN" ls "${SYS[@]}" "$M" /
expect_eq "... shows nothing" "" "$OUT"
expect_grep "... and says why" \
	"the System volume 'Macintosh HD': its boot snapshot is not sure: its snapshot metadata tree lacks some it counts, and apfs_root_to_xid names none it holds: the Mac's root is not shown" \
	"$ERR"
expect_rc "... a snapshot named still opens" 0 "$BIN" ls "${SYS[@]}" --snapshot "x${BOOT#c}" "$M" /

done_testing
