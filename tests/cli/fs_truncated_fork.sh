#!/usr/bin/env bash
# fs_truncated_fork.sh - a resource fork whose blocks lie past the end of a
# truncated image is there but cannot be read: never "no resource fork", and
# never a file without decmpfs.  A truncated image's error code was ENODATA,
# the code of "no such attribute": a compressed file whose fork lay past the
# end read as a plain file with an empty data stream (cat: 0 bytes, exit 0),
# and `cat --fork rsrc` said "No such file or directory".  `mkimage
# compression`, volume Compressed (testdata/README.md): /zlib-rsrc.txt is
# type 4 (zlib in the resource fork), 200000 bytes.  Its fork's one extent is
# moved to block 200000 of the 262144-block container and the image cut at
# 64 MiB (block 16384).
. "$(dirname "$0")/../lib.sh"

V=(--volume Compressed)
F=/zlib-rsrc.txt
expect_rc "mkimage compression" 0 "$MKIMAGE" compression "$WORK/c.img"
# The fork's extent: its first block, found by its byte run (DFXML kind rsrc).
BLK=$("$BIN" timeline --format dfxml "${V[@]}" "$WORK/c.img" 2> /dev/null | python3 -c '
import re, sys
x = sys.stdin.read(); i = x.index(">zlib-rsrc.txt<"); j = x.index("kind=\x27rsrc\x27", i)
print(int(re.search(r"fs_offset=.(\d+).", x[j:]).group(1)) // 4096)')
check "the fork's first block found ($BLK)" test -n "$BLK"
cp --sparse=always "$WORK/c.img" "$WORK/t.img"
expect_eq "its extent record moved to block 200000" 1 "$(python3 -c 'import struct, sys
sys.path.insert(0, sys.argv[1])
from fsnode import live_tree, sparse_nodes
n_set = 0
with open(sys.argv[2], "r+b") as f:
    for n in live_tree(list(sparse_nodes(f))).values():
        for i in range(n.nkeys if n.level == 0 else 0):
            v = n.entry(i)[2]
            if n.oid_type(i)[1] == 8 and struct.unpack_from("<Q", n.blk, v + 8)[0] == int(sys.argv[3]):
                struct.pack_into("<Q", n.blk, v + 8, 200000)  # j_file_extent_val_t phys_block_num
                n.write(f)
                n_set += 1
print(n_set)' "$TESTS/tools" "$WORK/t.img" "$BLK")"
truncate -s 64M "$WORK/t.img"

TRUNC="file data needs block 200000, which is missing: the image is truncated after block 16383"
expect_rc "cat: exit 1 (before: exit 0, no bytes)" 1 "$BIN" cat "${V[@]}" "$WORK/t.img" "$F"
expect_eq "... writes nothing" "" "$OUT"
expect_grep "... names the missing block" "$TRUNC" "$ERR"
expect_grep "... and the file, past a truncated image's end" \
	"^apfsinspect: $F: past the end of a truncated image \(see above\)$" "$ERR"
for c in "cat --fork rsrc" "xattr"; do
	a=()
	[ "$c" = xattr ] && a=(com.apple.ResourceFork)
	# shellcheck disable=SC2086  # the command and its option
	expect_rc "$c: exit 1" 1 "$BIN" $c "${V[@]}" "$WORK/t.img" "$F" "${a[@]}"
	expect_grep "... past the end of a truncated image, not no such fork" \
		"^apfsinspect: $F: past the end of a truncated image \(see above\)$" "$ERR"
	check "... never 'No such file' nor 'no resource fork'" \
		sh -c '! printf "%s" "$1" | grep -qiE "no such|no resource fork"' _ "$ERR"
done
# extract: the fork, read as an extended attribute to be hashed for the facts file, and
# then as the file's data, each named (before: the file named twice in the same words);
# the file cannot be opened (its chunk table is past the image's end): no member.
expect_rc "extract --tar: exit 1" 1 "$BIN" extract --tar "$WORK/t.tar" "${V[@]}" "$WORK/t.img" "$F"
expect_eq "... the fork named as the attribute, then the file" \
	"apfsinspect: zlib-rsrc.txt: extended attribute com.apple.ResourceFork: past the end of a truncated image (see above)
apfsinspect: zlib-rsrc.txt: past the end of a truncated image (see above)" \
	"$(grep '^apfsinspect: zlib' <<< "$ERR")"
expect_eq "... no member" "" "$(tar tf "$WORK/t.tar")"
expect_rc "stat: exit 0 (the header is inline)" 0 "$BIN" stat "${V[@]}" "$WORK/t.img" "$F"
expect_eq "... its size and compression, as testdata/README.md gives them" \
	"size: 200000|compression: 4 (zlib (resource fork))" \
	"$(grep -E '^(size|compression):' <<< "$OUT" | paste -sd'|')"
done_testing
