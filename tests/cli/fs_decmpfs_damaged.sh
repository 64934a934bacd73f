#!/usr/bin/env bash
# fs_decmpfs_damaged.sh - a compressed file whose com.apple.decmpfs header is
# damaged: its data cannot be decoded, but what the image still holds must
# stay readable.  `mkimage compression`, volume Compressed (testdata/README.md):
# /zlib-rsrc.txt is type 4 (zlib in the resource fork), 200000 bytes; its header
# (magic "fpmc", u32 type, u64 size) is forged by tests/tools/decmpfs_retype.py
# to an unknown type (99), then to a wrong magic ("xxxx").  Either way `cat`
# fails naming the file and why, and `xattr` still gives the header as stored
# and `cat --fork rsrc` the resource fork, byte for byte as before the damage
# (a resource fork begins with its data offset, 256: 00 00 01 00).
. "$(dirname "$0")/../lib.sh"

V=(--volume Compressed)
F=/zlib-rsrc.txt
expect_rc "mkimage compression" 0 "$MKIMAGE" compression "$WORK/c.img"
FORK=$("$BIN" cat --fork rsrc "${V[@]}" "$WORK/c.img" "$F" | sha256sum)
expect_eq "undamaged: the fork begins with its data offset 256" " 00 00 01 00" \
	"$("$BIN" cat --fork rsrc "${V[@]}" "$WORK/c.img" "$F" | head -c 4 | od -An -tx1)"

# damage NEWTYPE NEWMAGIC HEADER-HEX WHY: forge, then check every command
damage() {
	local d="type $1, magic $2"
	cp --sparse=always "$WORK/c.img" "$WORK/d.img"
	python3 "$TESTS/tools/decmpfs_retype.py" "$WORK/d.img" 4 200000 "$1" "$2"
	expect_rc "$d: cat exits 1" 1 sh -c '"$@" > "$0.out" 2> "$0.err"' "$WORK/r" \
		"$BIN" cat "${V[@]}" "$WORK/d.img" "$F"
	expect_eq "$d: cat writes nothing" 0 "$(wc -c < "$WORK/r.out")"
	expect_grep "$d: cat names the file" "$F" "$(cat "$WORK/r.err")"
	expect_grep "$d: cat says why" "$4" "$(cat "$WORK/r.err")"
	expect_eq "$d: xattr gives the header as stored" "$3" \
		"$("$BIN" xattr --hex "${V[@]}" "$WORK/d.img" "$F" com.apple.decmpfs)"
	expect_eq "$d: cat --fork rsrc gives the fork as before" "$FORK" \
		"$("$BIN" cat --fork rsrc "${V[@]}" "$WORK/d.img" "$F" | sha256sum)"
}
# fpmc, 99 (63 00 00 00), 200000 (40 0d 03 00 ...)
damage 99 fpmc 66706d6363000000400d030000000000 "compression type 99 is not supported"
expect_eq "type 99: stat shows the type and the size" "size: 200000|compression: 99 (unknown)" \
	"$("$BIN" stat "${V[@]}" "$WORK/d.img" "$F" | grep -E '^(size|compression):' | paste -sd'|')"
# xxxx, 4, 200000
damage 4 xxxx 7878787804000000400d030000000000 "lacks the fpmc magic"
expect_rc "magic xxxx: ls -l exits 1" 1 sh -c '"$@" > "$0.out" 2> "$0.err"' "$WORK/r" \
	"$BIN" ls -l "${V[@]}" "$WORK/d.img" /
expect_eq "magic xxxx: ls -l lists the other three" "lzvn-rsrc.txt lzvn-xattr.txt zlib-xattr.txt" \
	"$(awk '{ print $NF }' "$WORK/r.out" | paste -sd' ')"
expect_grep "magic xxxx: ls -l names the file" "zlib-rsrc.txt" "$(cat "$WORK/r.err")"
done_testing
