#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# sealed_update.sh - `mkimage sealed-update` (testdata/README.md): a sealed System volume as
# a Mac shows it once an update is staged (docs/macos-boot.md §4): the live seal broken, the
# snapshot it boots from sealed on its own, the two trees different.  What each state holds
# comes from the README; each state's file bytes from tests/tools/fext_read.py (its own
# superblock's file-extent tree, read apart from the C reader); the nodes each seal covers
# from tests/tools/seal_node.py (the object map's sealed records at that state's xid).
# apfsck 0.2.1 checks each state's tree against its own seal (gen_conformance.sh).
. "$(dirname "$0")/../lib.sh"
img=$WORK/su.img
SNAP=com.apple.os.update-0F5E2A9C41D37B6E8A0C5D2F947E1B3A6C8D0E2F4A6B8C0D2E4F6A8B0C2D4E6F
expect_rc "mkimage sealed-update" 0 "$MKIMAGE" sealed-update "$img"

# ---- each state read with its own trees (before: a snapshot's files were read through
# the live file-extent tree, so the snapshot's /version.txt gave the live bytes) ----
expect_eq "live /: staged.txt added after the snapshot" "hello.txt many staged.txt version.txt" \
	"$("$BIN" ls "$img" / | tr '\n' ' ' | sed 's/ $//')"
expect_eq "snapshot /: as booted" "hello.txt many version.txt" \
	"$("$BIN" ls --snapshot "$SNAP" "$img" / | tr '\n' ' ' | sed 's/ $//')"
expect_eq "live /version.txt (README)" "live: update staged" "$("$BIN" cat "$img" /version.txt)"
run_rc "$BIN" cat --snapshot "$SNAP" "$img" /version.txt
expect_eq "snapshot /version.txt (README): the snapshot's bytes, exit 0" \
	"0 snapshot: as booted" "$RC $OUT"
# The superblocks: the live one (o_xid 3) and the snapshot's copy (o_xid 2), by their headers.
read -r LIVE_SB SNAP_SB <<< "$(python3 - "$img" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
sb = {struct.unpack_from("<Q", d, o + 16)[0]: o // 4096
      for o in range(0, len(d), 4096) if d[o + 32:o + 36] == b"APSB"}
print(sb.get(3, 0), sb.get(2, 0))
PY
)"
check "both superblocks found (live $LIVE_SB, snapshot $SNAP_SB)" [ "$LIVE_SB" -gt 0 -a "$SNAP_SB" -gt 0 ]
# /version.txt is inode 17, 20 bytes in either state (README).
for s in "live:$LIVE_SB:live\: update staged" "snapshot:$SNAP_SB:snapshot\: as booted"; do
	IFS=: read -r what sb text <<< "$s"
	expect_eq "$what /version.txt: the bytes its own fext tree gives" \
		"$(printf '%s\n' "${text//\\/}" | sha256sum | cut -d' ' -f1)" \
		"$(python3 "$TESTS/tools/fext_read.py" "$img" "$sb" 17 20)"
done
# one extract, not 1,000 runs of cat (31 s of the AddressSanitizer build's)
"$BIN" extract --snapshot "$SNAP" "$img" /many "$WORK/many" > /dev/null 2>&1
expect_eq "snapshot /many: 1000 files, every one as the README gives it" \
	"$(for i in $(seq 0 999); do printf 'sealed file %04d\n' "$i"; done | sha256sum)" \
	"$("$BIN" ls --snapshot "$SNAP" "$img" /many | while read -r f; do
		cat "$WORK/many/many/$f"; done | sha256sum)"
rm -rf "$WORK/many"
run_rc "$BIN" ls -R --snapshot "$SNAP" "$img" /
check "the snapshot's tree, read against its own seal: no warning" [ -z "$ERR" ]
# diff (README's two columns): / holds one child more (a directory's nlink is its child
# count), /version.txt's bytes differ (every file's data was written again, so extents
# differ everywhere and only the bytes tell), /staged.txt added.  Before: no content line.
run_rc "$BIN" diff --live "$img" "$SNAP"
expect_eq "diff --live: the README's changes, exit 0" "0 M nlink /
M content /version.txt
A file /staged.txt" "$RC $OUT"

# ---- list: the live seal broken, the snapshot's intact, each root hash its own root's ----
run_rc "$BIN" list "$img"
expect_eq "list: Sealed: Broken (diskutil's word), the transaction, then the snapshot's seal" \
	"Sealed: Broken|Seal: SHA-256, broken in transaction 3|Snapshot Name: $SNAP|Snapshot XID: \
2|Snapshot Sealed: Yes|Snapshot Seal: SHA-256, intact" \
	"$(grep -E '^ +(Sealed|Seal|Snapshot [A-Za-z]+):' <<< "$OUT" | sed 's/^ *//; s/:  */: /' |
	paste -sd'|')"
# The SHA-256 of each state's root node block: the root oid its superblock names (byte 136),
# mapped at its xid in the object map (tests/tools/fsnode.py), as Apple's reference has it.
ROOTS=$(python3 - "$TESTS/tools" "$img" <<'PY'
import hashlib, struct, sys
sys.path.insert(0, sys.argv[1])
from fsnode import BS, omap_leaf_records
d = open(sys.argv[2], "rb").read()
blocks = [d[o:o + BS] for o in range(0, len(d), BS)]
sb = {struct.unpack_from("<Q", b, 16)[0]: struct.unpack_from("<Q", b, 136)[0]
      for b in blocks if b[32:36] == b"APSB"}
omap = {(oid, x): struct.unpack_from("<Q", b, v + 8)[0]
        for b in blocks for oid, x, fl, v in omap_leaf_records(b) if fl & 8}
print(" ".join(hashlib.sha256(blocks[omap[(sb[x], x)]]).hexdigest() for x in (3, 2)))
PY
)
expect_eq "list --json: each seal's root hash is its own root node's SHA-256, intact or not" \
	"$ROOTS False 3 | $SNAP 2 True 0 None" "$("$BIN" list --json "$img" | python3 -c '
import json, sys
v = json.load(sys.stdin)["containers"][0]["volumes"][0]
s = v["snapshot_seals"][0]
print(v["seal"]["root_hash"], s["seal"]["root_hash"], v["seal"]["intact"],
      v["seal"]["broken_xid"], "|", s["snapshot"], s["snapshot_xid"], s["seal"]["intact"],
      s["seal"]["broken_xid"], s["error"])')"

# ---- verify: the snapshot's seal checked, the live one's broken ----
# The data hashes (README: one a file of at most 4 blocks): the snapshot's /hello.txt,
# /version.txt and the 1000 files of /many; the live state's also /staged.txt.
SNAPDATA=1002 LIVEDATA=1003
read -r NSNAP _ <<< "$(python3 "$TESTS/tools/seal_node.py" "$img" "$WORK/bad-snap.img" 2)"
read -r NLIVE _ <<< "$(python3 "$TESTS/tools/seal_node.py" "$img" "$WORK/bad-live.img" 3)"
run_rc "$BIN" verify "$img"
expect_eq "verify: the live seal broken in transaction 3, the snapshot's checked: OK, exit 0" \
	"0 seal of volume 'Sealed': broken in transaction 3 (the integrity metadata says so): its \
nodes are not checked
seal of snapshot '$SNAP' of volume 'Sealed' (SHA-256): OK: all $NSNAP fs-tree nodes match, up \
to the root hash
  file data: OK: all $SNAPDATA hashes of $SNAPDATA files match
verify: OK: the data matches every stored hash and seal; the live tree of 1 volume is not \
checked: its seal is broken, as the integrity metadata records, and the seal of every snapshot \
of it was checked instead" "$RC $OUT"
expect_eq "verify --json: the live seal broken, the snapshot's ok, verdict ok" \
	"None broken 3 | $SNAP 2 ok $NSNAP | ok 1" "$("$BIN" verify --json "$img" | python3 -c '
import json, sys
j = json.load(sys.stdin)
a, b = j["seals"]
print(a["snapshot"], a["status"], a["broken_xid"], "|", b["snapshot"], b["snapshot_xid"],
      b["status"], b["nodes"], "|", j["verdict"], j["live_seals_superseded"])')"

# A node of the snapshot's tree changed (its last byte): the snapshot's seal fails there.
read -r _ BLK <<< "$(python3 "$TESTS/tools/seal_node.py" "$img" "$WORK/bad-snap.img" 2)"
run_rc "$BIN" verify "$WORK/bad-snap.img"
expect_eq "snapshot node changed: FAILED, exit 1" "1 seal of snapshot '$SNAP' of volume \
'Sealed' (SHA-256): FAILED: 1 of $NSNAP fs-tree nodes do not match their hash (named above)" \
	"$RC $(sed -n 2p <<< "$OUT")"
expect_grep "... the node named by its block ($BLK)" \
	"node at block $BLK does not match the SHA-256 hash its parent node holds" "$ERR"
run_rc "$BIN" ls -R "$WORK/bad-snap.img" /
check "... the live tree, which does not hold that node, reads without a warning" \
	[ "$RC" = 0 -a -z "$ERR" ]
# A node of the live tree changed: the live seal is broken, nothing vouches for it; the
# snapshot's seal still holds.
expect_rc "live node changed: the snapshot's seal still OK, exit 0" 0 "$BIN" verify \
	"$WORK/bad-live.img"

# The snapshot's integrity metadata: its root hash changed (its checksum made right again),
# or marked broken.  Each is the snapshot's own object, a version of the live one's oid.
python3 "$TESTS/tools/seal_edit.py" "$img" "$WORK/snap-root.img" root-hash 2
run_rc "$BIN" verify "$WORK/snap-root.img"
expect_eq "snapshot root hash changed: the root fails, exit 1" "1 FAILED: 1 of $NSNAP" \
	"$RC $(sed -n 2p <<< "$OUT" | grep -o 'FAILED: 1 of [0-9]*')"
python3 "$TESTS/tools/seal_edit.py" "$img" "$WORK/snap-flag.img" broken-flag 2
run_rc "$BIN" list "$WORK/snap-flag.img"
expect_eq "snapshot seal flagged broken, no transaction: list says broken" \
	"Snapshot Sealed: Broken|Snapshot Seal: SHA-256, broken" \
	"$(grep -E '^ +Snapshot Seal(ed)?:' <<< "$OUT" | sed 's/^ *//; s/:  */: /' | paste -sd'|')"
python3 "$TESTS/tools/seal_edit.py" "$img" "$WORK/snap-broken.img" broken-xid=2 2
run_rc "$BIN" verify "$WORK/snap-broken.img"
expect_eq "snapshot seal broken too: nothing checked, INCOMPLETE, exit 1" "1 seal of snapshot \
'$SNAP' of volume 'Sealed': broken in transaction 2 (the integrity metadata says so): its \
nodes are not checked
verify: INCOMPLETE: 2 seals not checked (said above: 2 broken, as the integrity metadata \
records); the image stores no hash of its data" "$RC $(sed -n '2,$p' <<< "$OUT")"

# The live seal made intact (its flag and broken xid cleared): both checked, each against its
# own seal.  Before, a view of the snapshot was checked against the live seal wherever the
# two trees' roots had the same oid, and warned of every node that differs.
python3 "$TESTS/tools/seal_edit.py" "$img" "$WORK/intact.img" intact 3
run_rc "$BIN" verify "$WORK/intact.img"
expect_eq "live seal intact: both seals OK, exit 0" "0 seal of volume 'Sealed' (SHA-256): OK: \
all $NLIVE fs-tree nodes match, up to the root hash
  file data: OK: all $LIVEDATA hashes of $LIVEDATA files match
seal of snapshot '$SNAP' of volume 'Sealed' (SHA-256): OK: all $NSNAP fs-tree nodes match, up \
to the root hash
  file data: OK: all $SNAPDATA hashes of $SNAPDATA files match
verify: OK: the data matches every stored hash and seal" "$RC $OUT"
run_rc "$BIN" ls -R --snapshot "$SNAP" "$WORK/intact.img" /
check "live seal intact: the snapshot's tree read without a warning" [ "$RC" = 0 -a -z "$ERR" ]

# The snapshot's superblock copy not sealed: its SEALED_VOLUME flag (0x20 of 0x21) cleared,
# and the integrity metadata (byte 1024) and file-extent tree (1032) it names made 0, as in
# a volume never sealed: said, counted as not checked, and the broken live seal counted too.
cp --sparse=always "$img" "$WORK/nosnapseal.img"
for f in "56 0x21 0x1" "1024 any 0" "1032 any 0"; do
	# shellcheck disable=SC2086
	expect_rc "apsb_set.py: the snapshot's copy, byte ${f%% *} -> ${f##* }" 0 python3 \
		"$TESTS/tools/apsb_set.py" "$WORK/nosnapseal.img" ${f%% *} "$(cut -d' ' -f2 <<< "$f")" \
		"${f##* }" 2
done
run_rc "$BIN" verify "$WORK/nosnapseal.img"
expect_eq "snapshot not sealed: said, counted, the live seal counted broken, INCOMPLETE, exit 1" \
	"1 snapshot '$SNAP' of volume 'Sealed': not sealed: nothing to check it against
verify: INCOMPLETE: 2 seals not checked (said above: 1 broken, as the integrity metadata \
records; 1 on snapshots not sealed though their volume is); the image stores no hash of its \
data" "$RC $(sed -n '2,$p' <<< "$OUT")"
expect_eq "snapshot not sealed: verify --json: status not_sealed, verdict incomplete" \
	"not_sealed incomplete" "$("$BIN" verify --json "$WORK/nosnapseal.img" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(j["seals"][1]["status"], j["verdict"])')"
run_rc "$BIN" list "$WORK/nosnapseal.img"
expect_eq "snapshot not sealed: list says so" "Snapshot Sealed: No" \
	"$(grep -E '^ +Snapshot Seal(ed)?:' <<< "$OUT" | sed 's/^ *//; s/:  */: /' | paste -sd'|')"
# Found in the first review: the live seal intact, a node of the snapshot's tree changed
# (FAILED), then the snapshot's copy unsealed as above: "not sealed" was said and passed
# over, OK, exit 0.  Found in the second: the SEALED flag alone cleared (the integrity
# metadata still named), or the integrity metadata alone made 0 (the flag still set, in
# both superblocks): the seal went unchecked, unsaid ("holds no sealed volume"; in an E01,
# OK).  Each is now a seal not checked, named: INCOMPLETE.
python3 "$TESTS/tools/seal_node.py" "$WORK/intact.img" "$WORK/changed.img" 2 > /dev/null
WHY_FLAG="volume 'Sealed', snapshot 2: not flagged sealed, but it names integrity metadata or a \
file-extent tree \(a seal removed, or one it once had\): its seal cannot be read"
WHY_OID="volume 'Sealed': flagged sealed \(SEALED_VOLUME\), but it names no integrity metadata"
MATCH="every stored hash and seal checked matches" NONE="the image stores no hash of its data"
for c in "unsealed:56 0x21 0x1 2:1 on snapshots not sealed though their volume is:$MATCH" \
	 "flag:56 0x21 0x1 2:1 that could not be read:$MATCH" \
	 "oid:1024 any 0:2 that could not be read:$NONE"; do
	IFS=: read -r n edit why tail <<< "$c"
	cp --sparse=always "$WORK/changed.img" "$WORK/$n.img"
	# shellcheck disable=SC2086
	python3 "$TESTS/tools/apsb_set.py" "$WORK/$n.img" $edit > /dev/null
	if [ "$n" = unsealed ]; then
		python3 "$TESTS/tools/apsb_set.py" "$WORK/$n.img" 1024 any 0 2 > /dev/null
		python3 "$TESTS/tools/apsb_set.py" "$WORK/$n.img" 1032 any 0 2 > /dev/null
	fi
	run_rc "$BIN" verify "$WORK/$n.img"
	expect_eq "the changed snapshot, $n: not OK but INCOMPLETE, exit 1" "1 verify: INCOMPLETE: \
${why%% *} seal$([ "${why%% *}" = 1 ] || echo s) not checked (said above: $why); $tail" \
		"$RC $(tail -1 <<< "$OUT")"
done
expect_grep "... the flag cleared: named" "$WHY_FLAG" "$(cd "$WORK" && "$BIN" verify flag.img 2>&1)"
expect_grep "... the oid made 0: named" "$WHY_OID" "$(cd "$WORK" && "$BIN" verify oid.img 2>&1)"
run_rc "$BIN" list "$WORK/oid.img"
expect_eq "... list: Sealed: unknown, for the volume and its snapshot" \
	"Sealed: unknown (damaged file-system data)|Snapshot Sealed: unknown (damaged file-system data)" \
	"$(grep -E '^ +(Snapshot )?Sealed:' <<< "$OUT" | sed 's/^ *//; s/:  */: /' | paste -sd'|')"
# Found in review: a snapshot record of transaction 0 (no transaction is) was shown by
# ls --snapshot as the live tree, exit 0, and verify read an unset result for it.
cp --sparse=always "$img" "$WORK/xid0.img"
expect_rc "snapmeta_edit.py: the snapshot record's key made transaction 0" 0 python3 \
	"$TESTS/tools/snapmeta_edit.py" "$WORK/xid0.img" hex:0200000000000010 hex:0000000000000010
run_rc "$BIN" ls --snapshot "$SNAP" "$WORK/xid0.img" /
expect_eq "xid 0: ls --snapshot refuses, naming the record, exit 1" "1 " "$RC $OUT"
expect_grep "... the record named" "a snapshot record of transaction 0, which no transaction is" \
	"$ERR"
run_rc "$BIN" verify "$WORK/xid0.img"
expect_eq "xid 0: verify: the snapshots not all found, INCOMPLETE, exit 1" "1 snapshots of \
volume 'Sealed': not all found (entries may be missing; said above): a seal they may have is \
not checked" "$RC $(sed -n 2p <<< "$OUT")"
run_rc "$BIN" list "$WORK/xid0.img"
expect_eq "xid 0: list names the record once, then the listing short (the third review: the \
record twice, the shortfall not at all), exit 1 (before: 0)" "1 1 1" \
	"$(grep -c 'which no transaction is: left out$' <<< "$ERR") $(grep -c \
	'a record of it was left out (named above): snapshots may be missing$' <<< "$ERR") $RC"
run_rc "$BIN" snapshots "$WORK/xid0.img"
expect_eq "xid 0: snapshots: that record left out, the listing incomplete, exit 1" "1 0" \
	"$RC $(grep -c "$SNAP" <<< "$OUT")"
# A volume that claims 70 snapshots of one state (tests/tools/snap_many.py; the live seal
# intact, so each resolves to a sound tree): the first 64 walked, the rest counted, named
# in one line: a tree walk per snapshot would let 65,536 records cost hours.  Each copies
# the first snapshot's superblock copy, whose file-extent tree is the xid-2 state's, while
# at xids 3-72 the object map gives the live tree: the live /version.txt read through the
# old extents gives the snapshot's bytes, which its hash (in the sealed live tree) refuses.
expect_rc "snap_many.py: 70 snapshot records, xids 3-72" 0 python3 \
	"$TESTS/tools/snap_many.py" "$WORK/intact.img" "$WORK/many.img" 70 3
run_rc "$BIN" verify "$WORK/many.img"
expect_eq "70 snapshots: 64 walked, 6 counted; a live file read through a snapshot's old \
extents fails its hash: FAILED, exit 1" "1 64 64
snapshots of volume 'Sealed': 6 more snapshots with a seal (or signs of one), past the first \
64, not checked
verify: FAILED: the data does not match what it was sealed or hashed as; 6 seals not checked \
(said above: 6 on snapshots past a volume's first 64)" \
	"$RC $(grep -c "^seal of snapshot 's0000[0-9][0-9]' of volume 'Sealed' (SHA-256): OK" \
	<<< "$OUT") $(grep -c "^  file data: FAILED: 1 of " <<< "$OUT")
$(tail -2 <<< "$OUT")"
expect_grep "... the file named: /version.txt, its one block" "file /version\.txt \\(inode 17\\): \
bytes 0-4095 do not match the hash the sealed tree holds" "$ERR"
# The live superblock counts a snapshot more than its metadata tree holds: a seal the lost one
# may have is not checked, so the broken live seal counts too.
expect_rc "apsb_set.py: apfs_num_snapshots 1 -> 2 (live)" 0 python3 \
	"$TESTS/tools/apsb_set.py" "$img" 216 1 2 3
run_rc "$BIN" list "$img"
expect_grep "a snapshot lost: list names the shortfall" "the volume counts 2 snapshots, the tree \
holds 1" "$ERR"
expect_eq "... and ends 1 (before: 0)" 1 "$RC"
# The volume renamed "X", newline, ESC "[31mZ" (8 bytes over "Sealed\0\0", at byte 704 of its
# superblock): the shortfall's line escapes it (the third review: printed raw).
cp --sparse=always "$img" "$WORK/esc.img"
read -r OLDNAME NEWNAME <<< "$(python3 -c 'import struct
print(struct.unpack("<Q", b"Sealed\0\0")[0], struct.unpack("<Q", b"X\n\x1b[31mZ")[0])')"
python3 "$TESTS/tools/apsb_set.py" "$WORK/esc.img" 704 "$OLDNAME" "$NEWNAME" 3 > /dev/null
for c in list verify; do
	run_rc "$BIN" $c "$WORK/esc.img"
	expect_eq "a snapshot lost, the volume's name hostile: $c's line escapes it, on one line" \
		"1 0" "$(grep -c "^apfsinspect: container at offset 0: volume 'X\\\\x0a\\\\x1b\\[31mZ': \
snapshot metadata tree: the volume counts 2 snapshots, the tree holds 1" <<< "$ERR") \
$(grep -c "$(printf '\033')" <<< "$ERR")"
done
run_rc "$BIN" verify "$img"
expect_eq "a snapshot lost: said, INCOMPLETE, exit 1" "1 snapshots of volume 'Sealed': not all \
found (entries may be missing; said above): a seal they may have is not checked" \
	"$RC $(sed -n 4p <<< "$OUT")"
expect_grep "... and the shortfall named on stderr (before: 'said above' of nothing said)" \
	"the volume counts 2 snapshots, the tree holds 1" "$ERR"
expect_grep "... the verdict counts both" "^verify: INCOMPLETE: 1 seal not checked \\(said \
above: 1 broken, as the integrity metadata records\\); volumes, snapshots or containers not read" "$OUT"
done_testing
