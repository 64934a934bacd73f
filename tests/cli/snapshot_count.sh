#!/usr/bin/env bash
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

cp "$S" "$WORK/count0.img"
expect_rc "apsb_set.py: the volume counts no snapshot" 0 python3 "$TESTS/tools/apsb_set.py" \
	"$WORK/count0.img" 216 1 0
expect_rc "snapshots: more held than counted: exit 0" 0 "$BIN" snapshots "$WORK/count0.img"
expect_eq "... the same list" "$SOUND" "$OUT"
expect_eq "... nothing is missing: nothing said" "" "$ERR"

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
