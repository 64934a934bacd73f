#!/usr/bin/env bash
# seal_data.sh - verify holds a sealed volume's file data to the hashes its sealed fs tree
# holds for it (FILE_INFO records: docs/macos-boot.md §4).  The node hashes vouch for those
# records; nothing vouches for the file-extent tree that places the data, so a block
# changed, or an extent pointed elsewhere, shows only here.  Expected counts come from the
# files testdata/README.md lists for `sealed` (one hash a run of at most 4 blocks); blocks
# are found by their bytes, and the file-extent tree edited by tests/tools/fext_set.py,
# apart from the C reader.  apfsck and 7-Zip check the same hashes (gen_conformance.sh).
. "$(dirname "$0")/../lib.sh"
img=$WORK/sealed.img
expect_rc "mkimage sealed" 0 "$MKIMAGE" sealed "$img"
APSB=$("$BIN" list --json "$img" | sed -n '/"volumes"/,$ s/^ *"superblock_block": \([0-9]*\),*$/\1/p' | head -1)

# README: the files with data and their sizes (the small tree's four texts and multi.bin,
# 3000 of 17 bytes in /many, big.bin, the two compressed files' decompressed bytes).
read -r FILES HASHES <<< "$(python3 -c '
sizes = [13, 7, 5, 6, 20580] + [17] * 3000 + [1048676, 3000, 200000]
blocks = [(s + 4095) // 4096 for s in sizes]
print(len(sizes), sum((b + 3) // 4 for b in blocks))')"
run_rc "$BIN" verify "$img"
expect_eq "intact: every file's data matches its hashes ($HASHES of $FILES files), exit 0" \
	"0   file data: OK: all $HASHES hashes of $FILES files match" "$RC $(sed -n 2p <<< "$OUT")"
check "intact: nothing on stderr" [ -z "$ERR" ]
json_seal() {
	"$BIN" verify --json "$1" | python3 -c '
import json, sys
s = json.load(sys.stdin)["seals"][0]
print(s["status"], s["nodes_mismatched"], *(s["data_" + k] for k in
      ("files", "hashes", "mismatched", "unchecked", "uncovered", "strays")))'
}
expect_eq "verify --json: ok, the data counted" "ok 0 $FILES $HASHES 0 0 0 0" "$(json_seal "$img")"

# One byte of /many/f1234.txt's block (README: inode 26 + 1234), found by its bytes: the
# node hashes still match, its data hash does not.
bad=$WORK/data.img
python3 - "$img" "$bad" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
o = d.find(b"sealed file 1234\n")
d[o] = ord("S")
open(sys.argv[2], "wb").write(d)
PY
run_rc "$BIN" verify "$bad"
expect_eq "a data block changed: the nodes OK, the data FAILED, exit 1" "1 OK: all
  file data: FAILED: 1 of $HASHES hashes (of $FILES files) do not match (said above)
verify: FAILED: the data does not match what it was sealed or hashed as" \
	"$RC $(sed -n 1p <<< "$OUT" | grep -o 'OK: all')
$(sed -n '2,$p' <<< "$OUT")"
expect_eq "... the file and its bytes named, once" "1" "$(grep -c "volume 'Sealed': file \
/many/f1234\.txt (inode 1260): bytes 0-4095 do not match the hash the sealed tree holds for \
them: the data was changed after sealing$" <<< "$ERR")"
expect_eq "... --json: failed, one mismatch" "failed 0 $FILES $HASHES 1 0 0 0" "$(json_seal "$bad")"

# A byte past the data in its last block (after /many/f0042.txt's 17 bytes): the file reads
# the same, but the hash covers the whole block as stored, as apfsck reads it.
python3 - "$img" "$WORK/slack.img" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
o = d.find(b"sealed file 0042\n")
d[o + 17] = 1
open(sys.argv[2], "wb").write(d)
PY
expect_eq "a byte past the data: cat gives the same bytes" "sealed file 0042" \
	"$("$BIN" cat "$WORK/slack.img" /many/f0042.txt)"
run_rc "$BIN" verify "$WORK/slack.img"
expect_eq "... but the block's hash fails: FAILED, /many/f0042.txt named, exit 1" "1 1" \
	"$RC $(grep -c "file /many/f0042\.txt (inode 68): bytes 0-4095 do not match" <<< "$ERR")"

# The file-extent tree (no seal covers it) pointing /many/f0001.txt (stream 27) at the block
# of /many/f0002.txt: cat gives the other file's bytes, every node still matches, the data
# hash catches it.
moved=$WORK/moved.img
cp "$img" "$moved"
B2=$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
o = d.find(b"sealed file 0002\n")
print(o // 4096 if o % 4096 == 0 else -1)' "$img")
expect_rc "fext_set.py: stream 27 at byte 0 -> block $B2" 0 python3 "$TESTS/tools/fext_set.py" \
	"$moved" "${APSB:-0}" 27 0 "$B2"
expect_eq "moved extent: cat gives f0002's bytes under f0001's name" "sealed file 0002" \
	"$("$BIN" cat "$moved" /many/f0001.txt)"
run_rc "$BIN" verify "$moved"
expect_eq "moved extent: the nodes OK, the data FAILED, f0001.txt named, exit 1" "1 OK: all 1" \
	"$RC $(sed -n 1p <<< "$OUT" | grep -o 'OK: all') $(grep -c "file /many/f0001\.txt \
(inode 27): bytes 0-4095 do not match" <<< "$ERR")"

# The extent pointed past the container's end (16,384 blocks of 4 KiB: README, 64 MiB): the
# data cannot be read, so its hash is not checked: INCOMPLETE, named.
gone=$WORK/gone.img
cp "$img" "$gone"
python3 "$TESTS/tools/fext_set.py" "$gone" "${APSB:-0}" 27 0 100000 > /dev/null
run_rc "$BIN" verify "$gone"
expect_eq "data past the end: not checked, INCOMPLETE, exit 1" "1   file data: $((HASHES - 1)) \
hashes of $((FILES - 1)) files match; 1 not checked (said above)
verify: INCOMPLETE: the file data of 1 seal not all checked (said above); every stored hash \
and seal checked matches" "$RC $(sed -n '2,$p' <<< "$OUT")"
expect_grep "... the file named" "file /many/f0001\\.txt \\(inode 27\\): bytes 0-4095 cannot be \
read \\(see above\\): their hash is not checked" "$ERR"
expect_eq "... --json: incomplete, one not checked" "incomplete 0 $((FILES - 1)) $((HASHES - 1)) \
0 1 0 0" "$(json_seal "$gone")"
expect_eq "... --json verdict incomplete" "incomplete" "$("$BIN" verify --json "$gone" | \
	python3 -c 'import json, sys; print(json.load(sys.stdin)["verdict"])')"

# The compressed file's resource fork (README: stream 3029) pointed at f0002.txt's block:
# its chunks cannot be found, so none of its 13 hashes (200,000 bytes) is checked: each
# counted, the file named once.
cp "$img" "$WORK/fork.img"
python3 "$TESTS/tools/fext_set.py" "$WORK/fork.img" "${APSB:-0}" 3029 0 "$B2" > /dev/null
run_rc "$BIN" verify "$WORK/fork.img"
expect_eq "a compressed file's fork elsewhere: its 13 hashes not checked, INCOMPLETE, exit 1" \
	"1   file data: $((HASHES - 13)) hashes of $((FILES - 1)) files match; 13 not checked \
(said above)" "$RC $(sed -n 2p <<< "$OUT")"
expect_eq "... the file named once" 1 "$(grep -c "file /compressed-rsrc\.txt (inode 3028): \
bytes 0-199999 cannot be read (see above): their hashes are not checked" <<< "$ERR")"

# The compressed file's first chunk rewritten in its fork (tests/tools/fork_rezip.py: line
# 000005 made a second 000004, recompressed to the same length): no node changes, the file
# reads other bytes, and the hash of its first run (4 blocks of decompressed bytes) fails.
cp "$img" "$WORK/rezip.img"
python3 "$TESTS/tools/fork_rezip.py" "$WORK/rezip.img" "${APSB:-0}" 3029 > /dev/null
expect_eq "fork rewritten: the file reads line 4 twice" "sealed line 000004
sealed line 000004" "$("$BIN" cat "$WORK/rezip.img" /compressed-rsrc.txt | sed -n 5,6p)"
run_rc "$BIN" verify "$WORK/rezip.img"
expect_eq "... its first run's hash fails: FAILED, the run named, exit 1" "1 1" "$RC $(grep -c \
"file /compressed-rsrc\.txt (inode 3028): bytes 0-16383 do not match the hash" <<< "$ERR")"

# Made so and sealed so (tests/tools/seal_rehash.py: records changed, every hash above them
# made right, so every node matches): /many/f0002.txt (stream 28) without its data hash is
# data the seal does not vouch for; /compressed-inline.txt (inode 3027, its data inline: no
# data stream) made a FIFO leaves its one hash record to no file or stream.  Both are said;
# neither is a mismatch.
expect_eq "seal_rehash.py: f0002.txt's one hash record dropped" 1 \
	"$(python3 "$TESTS/tools/seal_rehash.py" "$img" "$WORK/nohash.img" drop-hashes 28)"
run_rc "$BIN" verify "$WORK/nohash.img"
expect_eq "a file without hashes: said, the nodes and the rest OK, exit 0" "0 OK: all
  file data: all $((HASHES - 1)) hashes of $((FILES - 1)) files match; 1 file with data \
has no hashes covering all of it: the seal does not vouch for it" \
	"$RC $(sed -n 1p <<< "$OUT" | grep -o 'OK: all')
$(sed -n 2p <<< "$OUT")"
expect_eq "... --json: data_uncovered 1" "ok 0 $((FILES - 1)) $((HASHES - 1)) 0 0 1 0" \
	"$(json_seal "$WORK/nohash.img")"
expect_eq "seal_rehash.py: compressed-inline.txt's inode made a FIFO" 1 \
	"$(python3 "$TESTS/tools/seal_rehash.py" "$img" "$WORK/fifo.img" fifo 3027)"
run_rc "$BIN" verify "$WORK/fifo.img"
expect_eq "a hash record of no regular file: said, exit 0" "0 OK: all
  file data: all $((HASHES - 1)) hashes of $((FILES - 1)) files match; 1 hash record \
belongs to no file" "$RC $(sed -n 1p <<< "$OUT" | grep -o 'OK: all')
$(sed -n 2p <<< "$OUT")"
expect_eq "... --json: data_strays 1" "ok 0 $((FILES - 1)) $((HASHES - 1)) 0 0 0 1" \
	"$(json_seal "$WORK/fifo.img")"

# /multi.bin (stream 24: 6 blocks, 2 runs) without its first run's hash: the second still
# matches, but no run from byte 0 covers the file.
expect_eq "seal_rehash.py: multi.bin's hash at byte 0 dropped" 1 \
	"$(python3 "$TESTS/tools/seal_rehash.py" "$img" "$WORK/gap.img" drop-first 24)"
run_rc "$BIN" verify "$WORK/gap.img"
expect_eq "a file's first run unhashed: the rest match, the file said uncovered, exit 0" \
	"0 ok 0 $FILES $((HASHES - 1)) 0 0 1 0" "$RC $(json_seal "$WORK/gap.img")"
# /compressed-rsrc.txt's first run (its fork, stream 3029) said to begin at byte 8192: its
# hash fails there, and though the runs add up to the file's size, none begins at byte 0.
expect_eq "seal_rehash.py: the fork's first hash moved to byte 8192" 1 \
	"$(python3 "$TESTS/tools/seal_rehash.py" "$img" "$WORK/moved-run.img" move-first 3029 8192)"
expect_eq "a run moved: its hash fails, the file said uncovered" \
	"failed 0 $FILES $HASHES 1 0 1 0" "$(json_seal "$WORK/moved-run.img")"
# /many/f0004.txt (inode 30) given f0002.txt's stream (28), as a clone shares one: met after
# the stream's hashes, it is covered by them; its own stream's hashes are still checked.
expect_eq "seal_rehash.py: inode 30's private_id made 28" 1 \
	"$(python3 "$TESTS/tools/seal_rehash.py" "$img" "$WORK/clone.img" private 30 28)"
expect_eq "a file sharing an earlier stream: covered, every hash checked once, exit 0" \
	"ok 0 $FILES $HASHES 0 0 0 0" "$(json_seal "$WORK/clone.img")"
# Files that share a stream of another size: /Café.txt (inode 23, 6 bytes) given
# /multi.bin's stream (24, 20,580 bytes): its hashes are read over the longer file (before,
# over whichever the walk took first, the rest as zeros); Café.txt's own stream (its records
# under 23, with their DSTREAM_ID) is still checked as a stream.
python3 "$TESTS/tools/seal_rehash.py" "$img" "$WORK/clone2.img" private 23 24 > /dev/null
expect_eq "a stream shared by files of two sizes: every hash checked once, exit 0" \
	"ok 0 $FILES $HASHES 0 0 0 0" "$(json_seal "$WORK/clone2.img")"
# A key the walk never reaches (f0002.txt's private_id made 2^64 - 1): the file is said
# uncovered (before, neither checked nor counted: OK); its stream 28 still checked.
python3 "$TESTS/tools/seal_rehash.py" "$img" "$WORK/far.img" private 28 0xffffffffffffffff \
	> /dev/null
expect_eq "a key past every record: the file said uncovered" "ok 0 $FILES $HASHES 0 0 1 0" \
	"$(json_seal "$WORK/far.img")"
# A file whose hashes come before it, under a key no stream names: /many/f0002.txt (inode
# 28) made a FIFO and its DSTREAM_ID record dropped, /many/f0004.txt (inode 30) given its
# stream 28, and that stream's block changed (found by its bytes).  f0004.txt reads the
# changed bytes; its hashes, met before its inode, are checked for it (before, they were
# counted as strays and the file as covered by them: OK, exit 0).
python3 "$TESTS/tools/seal_rehash.py" "$img" "$WORK/l1.img" fifo 28 > /dev/null
python3 "$TESTS/tools/seal_rehash.py" "$WORK/l1.img" "$WORK/l2.img" drop-dstream 28 > /dev/null
python3 "$TESTS/tools/seal_rehash.py" "$WORK/l2.img" "$WORK/late.img" private 30 28 > /dev/null
expect_eq "a file's hashes met before it: checked for it, exit 0" \
	"ok 0 $FILES $HASHES 0 0 0 0" "$(json_seal "$WORK/late.img")"
python3 - "$WORK/late.img" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[d.find(b"sealed file 0002\n")] ^= 32
open(sys.argv[1], "wb").write(d)
PY
expect_eq "... its stream's block changed: f0004.txt reads it" "Sealed file 0002" \
	"$("$BIN" cat "$WORK/late.img" /many/f0004.txt)"
run_rc "$BIN" verify "$WORK/late.img"
expect_eq "... and its hash fails: FAILED, f0004.txt named, exit 1" "1 1" "$RC $(grep -c \
"file /many/f0004\.txt (inode 30): bytes 0-4095 do not match the hash" <<< "$ERR")"

# Every hash record claiming 65,535 blocks (256 MiB): the container of 64 MiB allows 4 times
# what the image holds of it, 256 MiB, hashed in all: one run, the rest counted as not
# checked (before, every record was hashed: hours on a crafted image).
expect_eq "seal_rehash.py: every hash claims 65,535 blocks" "$HASHES" \
	"$(python3 "$TESTS/tools/seal_rehash.py" "$img" "$WORK/bump.img" bump)"
run_rc "$BIN" verify "$WORK/bump.img"
expect_eq "claims past the budget: one run hashed (and failed), the rest not checked, exit 1" \
	"1 failed 0 1 1 1 $((HASHES - 1))" "$RC $(json_seal "$WORK/bump.img" | cut -d' ' -f1-6)"
expect_grep "... the budget named" "not checked: past the bytes a check hashes" "$ERR"
expect_eq "... the line in the singular where one" "  file data: FAILED: 1 of 1 hash (of 1 \
file) do not match (said above); $((HASHES - 1)) not checked (said above)" \
	"$("$BIN" verify "$WORK/bump.img" 2> /dev/null | sed -n 2p)"

done_testing
