#!/usr/bin/env bash
# fs_fork_gap.sh - a resource fork whose stream lacks extents (records lost)
# gives every byte before them, and a file compressed into it every chunk
# before them.  Before, `cat --fork rsrc` and `xattr` gave none of the fork
# (the library's getxattr gave no bytes with an error), and the compressed
# file was refused whole at open though its first chunks were held.
# `mkimage compression`, volume Compressed (testdata/README.md):
# /zlib-rsrc.txt is type 4, 200000 bytes, the text "line 00000 of
# zlib-rsrc.txt\n", "line 00001 ...", cut to that size; its resource fork is
# one extent.  That extent's length is cut to 8192 bytes (tests/tools/fork_cut.py),
# so the fork's bytes from 8192 on are in no extent.  The fork's layout (Apple's resource fork
# with decmpfs's zlib table: data offset, big-endian, at 0; at it + 4 the
# chunk count, then (offset, size) pairs, little-endian) says which chunks
# end below 8192.
. "$(dirname "$0")/../lib.sh"

V=(--volume Compressed)
F=/zlib-rsrc.txt
expect_rc "mkimage compression" 0 "$MKIMAGE" compression "$WORK/c.img"
"$BIN" cat --fork rsrc "${V[@]}" "$WORK/c.img" "$F" > "$WORK/fork"
SIZE=$(stat -c %s "$WORK/fork")
check "the sound fork is more than 8192 bytes ($SIZE)" [ "$SIZE" -gt 8192 ]
cp --sparse=always "$WORK/c.img" "$WORK/g.img"
expect_rc "fork_cut.py: the fork's extent cut to 8192 bytes" 0 python3 "$TESTS/tools/fork_cut.py" \
	"$WORK/g.img" zlib-rsrc.txt 8192

GAP="no extent holds its bytes 8192 to $((SIZE - 1)) \\(of $SIZE; holes are extents of their own\\)"
for c in "cat --fork rsrc" "xattr"; do
	a=()
	[ "$c" = xattr ] && a=(com.apple.ResourceFork)
	# shellcheck disable=SC2086  # the command and its option
	"$BIN" $c "${V[@]}" "$WORK/g.img" "$F" "${a[@]}" > "$WORK/out" 2> "$WORK/err"
	expect_eq "$c: exit 1" 1 "$?"
	check "... gives the fork's first 8192 bytes, as the sound image holds them (before: none)" \
		cmp -s "$WORK/out" <(head -c 8192 "$WORK/fork")
	expect_grep "... names the bytes no extent holds" "$GAP" "$(cat "$WORK/err")"
done
"$BIN" xattr --hex "${V[@]}" "$WORK/g.img" "$F" com.apple.ResourceFork > "$WORK/hex" 2> /dev/null
check "xattr --hex: the same bytes, the last line ended" \
	cmp -s "$WORK/hex" <(head -c 8192 "$WORK/fork" | xxd -p -c 30)

# Which chunks end below 8192, from the sound fork's table; then the text they hold.
WANT=$(python3 -c 'import struct, sys
fork = open(sys.argv[1], "rb").read()
base = struct.unpack_from(">I", fork, 0)[0] + 4
n = struct.unpack_from("<I", fork, base)[0]
ends = [base + o + s for o, s in (struct.unpack_from("<II", fork, base + 4 + 8 * i) for i in range(n))]
print(sum(1 for e in ends if e <= 8192))' "$WORK/fork")
check "the first chunk ends below 8192, the last does not ($WANT of 4)" \
	test "$WANT" -ge 1 -a "$WANT" -lt 4
python3 -c 'import sys
t = "".join("line %05d of zlib-rsrc.txt\n" % i for i in range(8000))[:200000]
sys.stdout.write(t[:int(sys.argv[1]) * 65536])' "$WANT" > "$WORK/want"
"$BIN" cat "${V[@]}" "$WORK/g.img" "$F" > "$WORK/out" 2> "$WORK/err"
expect_eq "cat: exit 1" 1 "$?"
check "... gives the $WANT chunks before the lost bytes: the documented text (before: none)" \
	cmp -s "$WORK/out" "$WORK/want"
expect_grep "... names the bytes no extent holds" "$GAP" "$(cat "$WORK/err")"
# extract --tar: the member is sized to the chunks the fork holds (apfsi_file_readable, from
# the chunk table), so it holds what the directory copy holds, with no zeros (before: the
# file's 200000 bytes, zeros past the chunks read, named as not the file's).
expect_rc "extract --tar: exit 1" 1 "$BIN" extract --tar "$WORK/g.tar" --manifest "$WORK/g.man" \
	"${V[@]}" "$WORK/g.img" "$F"
expect_eq "... its member: the $WANT chunks held, the documented text" \
	"$((WANT * 65536)) $(sha256sum < "$WORK/want" | cut -d' ' -f1)" \
	"$(tar tvf "$WORK/g.tar" | awk '{ print $3 }') $(tar xOf "$WORK/g.tar" | sha256sum |
	cut -d' ' -f1)"
expect_grep "... said: those bytes, no zeros" "^apfsinspect: zlib-rsrc.txt: incomplete: the \
archive's member holds its first $((WANT * 65536)) bytes of 200000; the manifest leaves it out \
\(the facts file marks it\)$" "$ERR"
expect_eq "... the facts: those bytes, no zeros after" "$((WANT * 65536)) 0" \
	"$(python3 -c 'import json, sys; i = json.load(open(sys.argv[1]))["files"][0]["incomplete"]
print(i["bytes"], i["zeros_after"])' "$WORK/g.man.facts")"
# The same past the chunk table's first window (256 chunks): a type-4 file of 300 chunks
# (Python's zlib), its fork cut at a block boundary near its end.  Which chunks end below
# the cut comes from the pieces' sizes and the layout testdata/README.md gives (`streams`:
# data at 0x100, a 4-byte length, the count, 8 bytes a chunk, then the chunks).
Z=$WORK/z300
mkdir -p "$Z"
read -r CUT KEPT KSHA < <(python3 -c 'import hashlib, sys, zlib
d, n = sys.argv[1], 300
orig, ends, end = b"", [], 0x104 + 4 + 8 * n
with open(d + "/man", "w") as m:
    m.write("volume V\nfile big.bin 4 %d %s\n" % (n * 65536, " ".join("c%d" % i for i in range(n))))
for i in range(n):
    c = "".join("chunk %05d line %05d\n" % (i, j) for j in range(3277)).encode()[:65536]
    z = zlib.compress(c, 9)
    open("%s/c%d" % (d, i), "wb").write(z)
    orig += c
    end += len(z)
    ends.append(end)
cut = ends[280] // 4096 * 4096
kept = sum(1 for e in ends if e <= cut)
print(cut, kept * 65536, hashlib.sha256(orig[:kept * 65536]).hexdigest())' "$Z")
check "the cut ($CUT) keeps more than one table window of chunks ($KEPT bytes)" \
	test "$KEPT" -gt $((256 * 65536)) -a "$KEPT" -lt $((300 * 65536))
expect_rc "mkimage streams: big.bin, 300 chunks" 0 "$MKIMAGE" streams "$WORK/z.img" "$Z/man"
expect_rc "fork_cut.py: big.bin's fork cut to $CUT bytes" 0 python3 "$TESTS/tools/fork_cut.py" \
	"$WORK/z.img" big.bin "$CUT"
expect_rc "extract --tar: exit 1" 1 "$BIN" extract --tar "$WORK/z.tar" "$WORK/z.img" /big.bin
expect_eq "... its member: the chunks below the cut, as Python's zlib had them" "$KEPT $KSHA" \
	"$(tar tvf "$WORK/z.tar" | awk '{ print $3 }') $(tar xOf "$WORK/z.tar" | sha256sum |
	cut -d' ' -f1)"
expect_grep "... said: no zeros" "^apfsinspect: big.bin: incomplete: the archive's member holds \
its first $KEPT bytes of $((300 * 65536))(;|$)" "$ERR"
expect_rc "timeline --format dfxml: exit 1" 1 "$BIN" timeline --format dfxml "${V[@]}" \
	"$WORK/g.img"
expect_eq "... the file's fork run is there, cut to 8192 bytes" "len='8192'" \
	"$(python3 -c 'import re, sys
x = sys.stdin.read(); i = x.index(">zlib-rsrc.txt<"); j = x.index("kind=\x27rsrc\x27", i)
print(re.search(r"len=.\d+.", x[j:]).group(0))' <<< "$OUT")"
expect_grep "... its byte runs named as missing" \
	"^apfsinspect: /zlib-rsrc.txt: byte runs are missing \\(see above\\)$" "$ERR"
done_testing
