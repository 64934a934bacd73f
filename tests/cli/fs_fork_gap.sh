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
expect_rc "timeline --format dfxml: exit 1" 1 "$BIN" timeline --format dfxml "${V[@]}" \
	"$WORK/g.img"
expect_eq "... the file's fork run is there, cut to 8192 bytes" "len='8192'" \
	"$(python3 -c 'import re, sys
x = sys.stdin.read(); i = x.index(">zlib-rsrc.txt<"); j = x.index("kind=\x27rsrc\x27", i)
print(re.search(r"len=.\d+.", x[j:]).group(0))' <<< "$OUT")"
expect_grep "... its byte runs named as missing" \
	"^apfsinspect: /zlib-rsrc.txt: byte runs are missing \\(see above\\)$" "$ERR"
done_testing
