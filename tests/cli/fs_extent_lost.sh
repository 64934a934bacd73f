#!/usr/bin/env bash
# fs_extent_lost.sh - a data stream's extents run from 0, each where the last
# ended, up to the file's size: a hole is an extent of its own (phys_block_num
# 0), as apfsck requires ("missing leading extents", "some extents are
# missing").  One file-extent record dropped from its leaf
# (tests/tools/leaf_drop.py) leaves the leaf in order; before, the bytes it
# held read as zeros with exit 0 (found in review: `cat` gave 10 NUL bytes).
# Now a read of those bytes is damage, named with the bytes no extent holds;
# every byte before them is given, and DFXML gives every run there is.
# An orphan's stream and a dataless file's may lack extents (apfsck;
# SF_DATALESS): theirs still read as a hole.  `large` (testdata/README.md):
# /data-8m.bin, 8 MiB of seeded bytes in 8 extents; /sparse-1g.bin, one
# sparse extent; /holey.bin, a sparse extent between two blocks of data.
. "$(dirname "$0")/../lib.sh"

L=$WORK/large.img
expect_rc "mkimage large" 0 "$MKIMAGE" large "$L"
expect_rc "the sound image: bodyfile --md5" 0 "$BIN" bodyfile --md5 "$L"
SOUND=$OUT
expect_eq "... says nothing" "" "$ERR"
ID=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1])
from fsnode import named_id, sparse_nodes
print(named_id(list(sparse_nodes(open(sys.argv[2], "rb"))), b"data-8m.bin", "test"))' \
	"$TESTS/tools" "$L")
check "data-8m.bin's inode found by our own parser ($ID)" test -n "$ID"

cp "$L" "$WORK/lost.img"
expect_rc "leaf_drop.py: its fourth extent" 0 python3 "$TESTS/tools/leaf_drop.py" \
	"$WORK/lost.img" "$ID" 8 3
"$BIN" cat "$L" /data-8m.bin > "$WORK/sound.bin"
"$BIN" cat "$WORK/lost.img" /data-8m.bin > "$WORK/lost.bin" 2> "$WORK/lost.err"
expect_eq "cat /data-8m.bin: exit 1" 1 "$?"
ERR=$(cat "$WORK/lost.err")
check "... gives the first 3 MiB, those before the lost extent, as on the sound image" \
	cmp -s "$WORK/lost.bin" <(head -c 3145728 "$WORK/sound.bin")
expect_grep "... names the stream and the bytes no extent holds (the fourth MiB)" \
	"data stream $ID: no extent holds its bytes 3145728 to 4194303 \(of 8388608; holes are extents of their own\): records of it are missing \(or its size is wrong\)" \
	"$ERR"
expect_grep "... then the file, as damage" "^apfsinspect: /data-8m.bin: damaged file-system data" \
	"$ERR"
expect_rc "stat --hash md5: exit 1" 1 "$BIN" stat --hash md5 "$WORK/lost.img" /data-8m.bin
expect_eq "... the attributes still given, no digest (before: nothing at all)" \
	"size: 8388608|inode: $ID|" "$(grep -E '^(size|inode|md5):' <<< "$OUT" | sort -r | paste -sd'|')|"
expect_rc "stat --json --hash md5,sha1: exit 1" 1 "$BIN" stat --json --hash md5,sha1 \
	"$WORK/lost.img" /data-8m.bin
expect_eq "... the digests null, the size given" "None None 8388608" \
	"$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["md5"], d["sha1"], d["size"])' \
		<<< "$OUT")"
expect_rc "timeline --format jsonl --hash md5: exit 1" 1 "$BIN" timeline --format jsonl --hash md5 \
	"$WORK/lost.img"
expect_eq "... md5 on every line: null for the file not read whole" \
	"/data-8m.bin None|/holey.bin 32|/sparse-1g.bin 32" \
	"$(python3 -c 'import json, sys
print("|".join(sorted("%s %s" % (d["path"], d["md5"] if d["md5"] is None else len(d["md5"]))
                      for d in map(json.loads, sys.stdin))))' <<< "$OUT")"
expect_rc "timeline --format dfxml: exit 1" 1 "$BIN" timeline --format dfxml "$WORK/lost.img"
check "... well-formed" xmllint --noout - <<< "$OUT"
expect_grep "... ends naming the file's byte runs as missing (before: 'entries may be missing')" \
	"^apfsinspect: /data-8m.bin: byte runs are missing \(see above\)$" "$ERR"
expect_eq "... data-8m.bin's byte runs: the seven extents there are (the fourth, 3 MiB, not)" \
	"0 1048576 2097152 4194304 5242880 6291456 7340032" \
	"$(python3 -c 'import re, sys; x = sys.stdin.read(); i = x.index("data-8m.bin")
print(*re.findall(r"<byte_run file_offset=.(\d+).", x[i:x.index("</fileobject>", i)]))' <<< "$OUT")"
expect_rc "bodyfile --md5: exit 1" 1 "$BIN" bodyfile --md5 "$WORK/lost.img"
expect_eq "... the sparse files hash as on the sound image" \
	"$(grep -v data-8m <<< "$SOUND")" "$(grep -v data-8m <<< "$OUT")"
mkdir -p "$WORK/ex"
expect_rc "extract /: exit 1" 1 "$BIN" extract "$WORK/lost.img" / "$WORK/ex"
check "... holey.bin extracted whole" cmp -s "$WORK/ex/root/holey.bin" \
	<("$BIN" cat "$L" /holey.bin)

# holey.bin's sparse extent dropped (its second record): the 64 MiB less the first and
# last blocks lie in no extent.  Readers in parallel land inside it at 4 MiB, 8 MiB, ...:
# the gap is named once, from where it begins (it was named by each, from where it
# landed).  `cat` through one reader per core, and a mount's large reads alike.
HID=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1])
from fsnode import named_id, sparse_nodes
print(named_id(list(sparse_nodes(open(sys.argv[2], "rb"))), b"holey.bin", "test"))' \
	"$TESTS/tools" "$L")
cp "$L" "$WORK/hole.img"
expect_rc "leaf_drop.py: holey.bin's sparse extent" 0 python3 "$TESTS/tools/leaf_drop.py" \
	"$WORK/hole.img" "$HID" 8 1
"$BIN" cat "$WORK/hole.img" /holey.bin 2> "$WORK/hole.err" | wc -c > "$WORK/hole.n"
expect_eq "cat: the first block given, the gap named once, from its start" \
	"4096 1 data stream $HID: no extent holds its bytes 4096 to 67104767 (of 67108864" \
	"$(cat "$WORK/hole.n") $(grep -c 'no extent holds' "$WORK/hole.err") $(grep -o \
		"data stream [0-9]*: no extent holds its bytes [0-9]* to [0-9]* (of [0-9]*" "$WORK/hole.err")"

# The fourth extent's block number past the container: its read fails, and none of its
# bytes may be given (found in review: a failed piece's buffer, stale, was counted).
cp "$L" "$WORK/far.img"
expect_rc "extent_set.py: the fourth extent's block past the container" 0 python3 \
	"$TESTS/tools/extent_set.py" "$WORK/far.img" "$ID" 3 phys=0x7fffffffff
"$BIN" cat "$WORK/far.img" /data-8m.bin > "$WORK/far.bin" 2> /dev/null
expect_eq "an extent past the container: cat exit 1" 1 "$?"
check "... gives the first 3 MiB and nothing of the extent it could not read" \
	cmp -s "$WORK/far.bin" <(head -c 3145728 "$WORK/sound.bin")

# The first extent dropped: no extent from byte 0.
cp "$L" "$WORK/lead.img"
expect_rc "leaf_drop.py: its first extent" 0 python3 "$TESTS/tools/leaf_drop.py" \
	"$WORK/lead.img" "$ID" 8 0
expect_rc "cat: exit 1" 1 "$BIN" cat "$WORK/lead.img" /data-8m.bin
expect_grep "... bytes 0 to 1048575" "data stream $ID: no extent holds its bytes 0 to 1048575 " \
	"$ERR"

# A dataless file's read the gap as a hole (an orphan's too: tests/cli/private_dir.sh).
for f in "bsd_flags |0x40000000"; do
	cp "$WORK/lost.img" "$WORK/part.img"
	# shellcheck disable=SC2086  # the field and its value
	expect_rc "inode_field.py: $f" 0 python3 "$TESTS/tools/inode_field.py" "$WORK/part.img" \
		"$ID" $f
	"$BIN" cat "$WORK/part.img" /data-8m.bin > "$WORK/part.out" 2> "$WORK/part.err"
	expect_eq "$f: cat exit 0, the MiB in no extent said not on disk, not damage" \
		"0 apfsinspect: warning: /data-8m.bin: 1048576 of its 8388608 bytes are not on disk (a dataless file: its data is kept elsewhere): they read as zeros" \
		"$? $(cat "$WORK/part.err")"
	expect_eq "... 8 MiB, the fourth all zeros" "8388608 $(head -c 1048576 /dev/zero | md5sum)" \
		"$(wc -c < "$WORK/part.out") $(tail -c +3145729 "$WORK/part.out" | head -c 1048576 | md5sum)"
done
# Neither a parent_id of the private directory (apfsck inode.c: a real orphan keeps its old
# one; only its entry moves there) nor a link count of 0 with no entry there naming the file
# (an orphan's count is 0, but so may a damaged one be) makes an orphan: the gap is named
# (before 2026-12-07 the first, and for a while the second, read as a hole).
for f in "parent_id 3" "nchildren 0"; do
	cp "$WORK/lost.img" "$WORK/part.img"
	# shellcheck disable=SC2086  # the field and its value
	expect_rc "inode_field.py: $f" 0 python3 "$TESTS/tools/inode_field.py" "$WORK/part.img" \
		"$ID" $f
	expect_rc "... cat: exit 1" 1 sh -c '"$1" cat "$2" /data-8m.bin > /dev/null' _ "$BIN" \
		"$WORK/part.img"
	expect_grep "... the gap named" "data stream $ID: no extent holds its bytes" "$ERR"
done

done_testing
