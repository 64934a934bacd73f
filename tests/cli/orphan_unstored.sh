#!/usr/bin/env bash
# orphan_unstored.sh - bytes of a file that are not on disk are said to be so.  An orphan
# (a file deleted while open, kept in the private directory until its last close) may lack
# extents: macOS frees them as it deletes the file (apfsck extents.c); a dataless file
# (SF_DATALESS) keeps its data elsewhere.  Their missing bytes read as zeros, which are not
# the file's: `cat` and `extract` name them on stderr, `stat` on a line of its own, and
# stat's JSON and extract's facts file count them (`unstored`).  The generator makes no
# orphan: tests/tools/drec_move.py moves an entry into the private directory (3),
# inode_field.py sets the link count or the flags, leaf_drop.py drops an extent record.
# Expected values from testdata/README.md: `snapshot` (/keep.txt = "kept\n", inode 17;
# /a.txt), `large` (/data-8m.bin, 8 MiB in 8 extents of 1 MiB), and TSK's icat of the
# sound image for data-8m.bin's bytes.
. "$(dirname "$0")/../lib.sh"

IMG=$WORK/unstored.img
expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$IMG"
python3 "$TESTS/tools/drec_move.py" "$IMG" keep.txt 3 &&
	python3 "$TESTS/tools/inode_field.py" "$IMG" 17 nchildren 0 &&
	python3 "$TESTS/tools/leaf_drop.py" "$IMG" 17 8 > /dev/null
check "an orphan made of /keep.txt, its one extent record dropped" [ $? = 0 ]
NOTE='5 of its 5 bytes are not on disk \(deleted while open: macOS frees its extents as it deletes it\): they read as zeros$'

expect_rc "cat --private-dir keep.txt: exit 0" 0 sh -c '"$1" cat --private-dir "$2" keep.txt \
	> /dev/null' _ "$BIN" "$IMG"
expect_eq "... its 5 bytes as zeros" "0000000000" \
	"$("$BIN" cat --private-dir "$IMG" keep.txt 2> /dev/null | od -An -tx1 -v | tr -d ' \n')"
expect_grep "... and says they are not on disk" "^apfsinspect: warning: private-dir/keep\.txt: $NOTE" "$ERR"
expect_rc "stat --private-dir keep.txt: exit 0" 0 "$BIN" stat --private-dir "$IMG" keep.txt
expect_grep "... a line of its own" \
	'^not on disk: 5 of its 5 bytes \(deleted while open: macOS frees its extents as it deletes it\): they read as zeros$' "$OUT"
expect_rc "stat --json --private-dir keep.txt" 0 "$BIN" stat --json --private-dir "$IMG" keep.txt
expect_eq "... unstored 5" 5 "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["unstored"])' <<< "$OUT")"

expect_rc "stat --hash sha1 --private-dir keep.txt: exit 0" 0 "$BIN" stat --hash sha1 \
	--private-dir "$IMG" keep.txt
expect_eq "... its own line says it; nothing on stderr" "" "$ERR"
expect_rc "stat --json --hash sha1 --private-dir keep.txt: exit 0" 0 "$BIN" stat --json \
	--hash sha1 --private-dir "$IMG" keep.txt
expect_eq "... nothing on stderr (no error line under --json)" "" "$ERR"
rm -rf "$WORK/un-x"
expect_rc "extract --hash sha1 --private-dir keep.txt: exit 0" 0 "$BIN" extract --hash sha1 \
	--private-dir "$IMG" keep.txt "$WORK/un-x"
expect_eq "... the note once" 1 "$(grep -c 'not on disk' <<< "$ERR")"
rm -rf "$WORK/un-x"
expect_rc "timeline --hash sha1 --private-dir: exit 0" 0 "$BIN" timeline \
	--hash sha1 --private-dir "$IMG"
expect_grep "... timeline says it too, a warning" "^apfsinspect: warning: private-dir/keep\.txt: $NOTE" \
	"$ERR"
expect_rc "a sound file: cat /a.txt: exit 0" 0 "$BIN" cat "$IMG" /a.txt
expect_eq "... says nothing on stderr" "" "$ERR"
expect_rc "stat --json /a.txt" 0 "$BIN" stat --json "$IMG" /a.txt
expect_eq "... unstored 0" 0 "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["unstored"])' <<< "$OUT")"
expect_rc "stat --json / (a directory)" 0 "$BIN" stat --json "$IMG" /
expect_eq "... unstored null" None "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["unstored"])' <<< "$OUT")"
expect_grep "stat of a sound file: no such line" '^path: /a\.txt$' "$("$BIN" stat "$IMG" /a.txt)"
check "... and no 'not on disk'" eval '! "$BIN" stat "$IMG" /a.txt | grep -q "^not on disk"'

rm -rf "$WORK/un-x" "$WORK/un.facts"
expect_rc "extract --private-dir keep.txt DEST: exit 0" 0 "$BIN" extract --private-dir \
	--facts "$WORK/un.facts" "$IMG" keep.txt "$WORK/un-x"
expect_grep "... says they are not on disk" "^apfsinspect: warning: keep\.txt: $NOTE" "$ERR"
expect_eq "... the copy: 5 zeros" "0000000000" "$(od -An -tx1 -v "$WORK/un-x/keep.txt" | tr -d ' \n')"
expect_eq "... its facts: unstored 5" "keep.txt 5" "$(python3 -c 'import json, sys
f = json.load(open(sys.argv[1]))["files"][0]; print(f["path"], f["unstored"])' "$WORK/un.facts")"
rm -rf "$WORK/un-x" "$WORK/un.facts"
expect_rc "extract /a.txt: exit 0" 0 "$BIN" extract --facts "$WORK/un.facts" "$IMG" /a.txt "$WORK/un-x"
expect_eq "... a sound file's facts: unstored 0" "a.txt 0" "$(python3 -c 'import json, sys
f = json.load(open(sys.argv[1]))["files"][0]; print(f["path"], f["unstored"])' "$WORK/un.facts")"
rm -rf "$WORK/un-x" "$WORK/un.facts"
expect_rc "extract --tar - --private-dir keep.txt: exit 0" 0 sh -c '"$1" extract --tar - \
	--private-dir "$2" keep.txt > "$3"' _ "$BIN" "$IMG" "$WORK/un.tar"
expect_grep "... says they are not on disk" "^apfsinspect: warning: keep\.txt: $NOTE" "$ERR"
expect_eq "... the member: 5 zeros" "0000000000" \
	"$(tar -xOf "$WORK/un.tar" keep.txt | od -An -tx1 -v | tr -d ' \n')"
rm -f "$WORK/un.tar"
expect_rc "bodyfile --md5 --private-dir: exit 0" 0 "$BIN" bodyfile --md5 --private-dir "$IMG"
expect_grep "... its MD5 of zeros said to be of bytes not on disk" \
	"^apfsinspect: warning: private-dir/keep\.txt: $NOTE" "$ERR"

# A dataless file (SF_DATALESS: its data elsewhere) that lacks its extent: the same, said so.
expect_rc "mkimage snapshot (again)" 0 "$MKIMAGE" snapshot "$IMG"
python3 "$TESTS/tools/inode_field.py" "$IMG" 17 bsd_flags 0x40000000 &&
	python3 "$TESTS/tools/leaf_drop.py" "$IMG" 17 8 > /dev/null
check "/keep.txt made dataless, its extent record dropped" [ $? = 0 ]
expect_rc "cat /keep.txt: exit 0" 0 sh -c '"$1" cat "$2" /keep.txt > /dev/null' _ "$BIN" "$IMG"
expect_grep "... says why its 5 bytes are not on disk" \
	'^apfsinspect: warning: /keep\.txt: 5 of its 5 bytes are not on disk \(a dataless file: its data is kept elsewhere\): they read as zeros$' "$ERR"
expect_rc "stat --json /keep.txt" 0 "$BIN" stat --json "$IMG" /keep.txt
expect_eq "... unstored 5, its link count 1" "5 1" "$(python3 -c 'import json, sys
d = json.load(sys.stdin); print(d["unstored"], d["nlink"])' <<< "$OUT")"
rm -f "$IMG"

# A dataless file of two names: each name's facts count its bytes not on disk.
H=$WORK/unstored-host
rm -rf "$H"; mkdir -p "$H"
printf 'twelve bytes' > "$H/one"
ln "$H/one" "$H/two"
expect_rc "mkimage from-dir: a file of two names" 0 "$MKIMAGE" from-dir "$IMG" --dir "$H"
HI=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["inode"])' \
	"$("$BIN" stat --json "$IMG" /one)")
python3 "$TESTS/tools/inode_field.py" "$IMG" "$HI" bsd_flags 0x40000000 &&
	python3 "$TESTS/tools/leaf_drop.py" "$IMG" "$HI" 8 > /dev/null
check "made dataless ($HI), its extent record dropped" [ $? = 0 ]
rm -rf "$WORK/un-x" "$WORK/un.facts"
expect_rc "extract / DEST: exit 0" 0 "$BIN" extract --facts "$WORK/un.facts" "$IMG" / "$WORK/un-x"
expect_eq "... both names' facts: unstored 12" "root/one 12 root/two 12" "$(python3 -c 'import json, sys
print(" ".join("%s %s" % (f["path"], f.get("unstored")) for f in json.load(open(sys.argv[1]))["files"]
               if f["path"] in ("root/one", "root/two")))' "$WORK/un.facts")"
rm -rf "$WORK/un-x" "$WORK/un.facts" "$H" "$IMG"

# Part of a file: the fourth of data-8m.bin's eight 1 MiB extents freed.  The bytes around
# it are the file's, as TSK reads them from the sound image.
L=$WORK/unstored-large.img
expect_rc "mkimage large" 0 "$MKIMAGE" large "$L"
ID=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1])
from fsnode import named_id, sparse_nodes
print(named_id(list(sparse_nodes(open(sys.argv[2], "rb"))), b"data-8m.bin", "test"))' \
	"$TESTS/tools" "$L")
if command -v icat > /dev/null && command -v pstat > /dev/null; then
	A=$(pstat "$L" 2> /dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
	icat -B "${A:-0}" "$L" "${ID:-0}" > "$WORK/tsk.bin" 2> /dev/null
	expect_eq "TSK reads the sound file's 8 MiB" 8388608 "$(stat -c %s "$WORK/tsk.bin")"
	python3 "$TESTS/tools/drec_move.py" "$L" data-8m.bin 3 &&
		python3 "$TESTS/tools/inode_field.py" "$L" "$ID" nchildren 0 &&
		python3 "$TESTS/tools/leaf_drop.py" "$L" "$ID" 8 3 > /dev/null
	check "an orphan made of /data-8m.bin, its fourth extent record dropped" [ $? = 0 ]
	want=$(python3 -c 'import hashlib, sys
b = bytearray(open(sys.argv[1], "rb").read()); b[3 << 20:4 << 20] = bytes(1 << 20)
print(hashlib.sha256(b).hexdigest())' "$WORK/tsk.bin")
	expect_eq "cat: TSK's bytes around the freed MiB, zeros in it" "$want" \
		"$("$BIN" cat --private-dir "$L" data-8m.bin 2> /dev/null | sha256sum | cut -d' ' -f1)"
	expect_rc "cat: exit 0" 0 sh -c '"$1" cat --private-dir "$2" data-8m.bin > /dev/null' \
		_ "$BIN" "$L"
	expect_grep "... 1 MiB not on disk, said" \
		'^apfsinspect: warning: private-dir/data-8m\.bin: 1048576 of its 8388608 bytes are not on disk' "$ERR"
	expect_rc "stat --json" 0 "$BIN" stat --json --private-dir "$L" data-8m.bin
	expect_eq "... unstored 1048576" 1048576 \
		"$(python3 -c 'import json, sys; print(json.load(sys.stdin)["unstored"])' <<< "$OUT")"
	rm -f "$WORK/tsk.bin"
else
	skip "a freed extent inside a file" "TSK (icat, pstat) not installed"
fi
rm -f "$L"
done_testing
