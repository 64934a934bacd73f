#!/usr/bin/env bash
# mkimage_compression.sh - decmpfs files of the compression scenario: TSK
# and libfsapfs decompress the zlib (xattr, resource fork) and LZVN files to
# the text the scenario documents, generated here with awk.
. "$(dirname "$0")/../lib.sh"

if ! command -v fls >/dev/null || ! command -v fsapfsinfo >/dev/null; then
	skip "compression checks" "sleuthkit or libfsapfs-utils not installed"; done_testing; exit 0
fi
# expected NAME LEN: md5 of "line 00000 of NAME\n"... cut to LEN bytes
expected() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < 20000; i++) printf "line %05d of %s\n", i, n }' |
		head -c "$2" | md5sum | cut -d' ' -f1
}
C=$WORK/compression.img
expect_rc "mkimage compression" 0 "$MKIMAGE" compression "$C"
A=$(pstat "$C" 2>/dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
files=$(fls -B "${A:-0}" "$C" 2>/dev/null)
body=$WORK/c.body
fsapfsinfo -f 1 -H -B "$body" -d "$C" >/dev/null 2>&1
for f in zlib-xattr.txt:3000 zlib-rsrc.txt:200000 lzvn-xattr.txt:3000 lzvn-rsrc.txt:200000; do
	n=${f%%:*} len=${f##*:}
	want=$(expected "$n" "$len")
	i=$(printf '%s\n' "$files" | sed -n "s/^r\/r \([0-9]*\):	$n\$/\1/p")
	expect_eq "TSK decompresses $n" "$want" "$(icat -B "$A" "$C" "${i:-0}" | md5sum | cut -d' ' -f1)"
	expect_eq "libfsapfs decompresses $n" "$want" "$(grep "/$n|" "$body" | cut -d'|' -f1)"
done
out=$(fsapfsinfo -f 2 -H "$C" 2>&1)
for n in lzfse-xattr.txt lzfse-rsrc.txt lzbitmap-xattr.txt lzbitmap-rsrc.txt; do
	expect_grep "volume Modern lists $n" "/$n\$" "$out"
done
done_testing
