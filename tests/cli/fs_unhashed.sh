#!/usr/bin/env bash
# fs_unhashed.sh - a volume whose directory records carry no name hash
# (j_drec_key_t: name length, name), as iOS and `mkapfs -z` make on a volume
# neither case- nor normalization-insensitive: `mkimage unhashed`
# (testdata/README.md: basic's tree, /names with one name in NFC and NFD and
# in two cases, /many of 3000 files m0000.txt ... m2999.txt, m1234.txt =
# "entry 1234\n").  Every path must be the one libfsapfs (fsapfsinfo -H)
# lists; names are matched byte for byte (NFC and NFD, readme and README
# are four files); the 3000 entries of /many are all listed, once.
. "$(dirname "$0")/../lib.sh"

IMG=$WORK/unhashed.img
expect_rc "mkimage unhashed" 0 "$MKIMAGE" unhashed "$IMG"
NFC=$'Caf\xc3\xa9.txt' NFD=$'Cafe\xcc\x81.txt'

expect_grep "list: Case-sensitive" "Name: +Unhashed \\(Case-sensitive\\)" "$("$BIN" list "$IMG")"
expect_eq "ls /: basic's tree, many and names" \
	"Café.txt dir empty.txt hardlink-a.txt hello.txt link many multi.bin names " \
	"$("$BIN" ls "$IMG" / | LC_ALL=C sort | tr '\n' ' ')"
expect_eq "ls /many: m0000.txt ... m2999.txt, each once" \
	"$(for i in $(seq 0 2999); do printf 'm%04d.txt\n' "$i"; done)" \
	"$("$BIN" ls "$IMG" /many | LC_ALL=C sort)"
expect_eq "cat /many/m1234.txt" "entry 1234" "$("$BIN" cat "$IMG" /many/m1234.txt)"
expect_eq "cat /many/m2999.txt: empty" "" "$("$BIN" cat "$IMG" /many/m2999.txt)"
expect_eq "cat /hello.txt" "hello, world" "$("$BIN" cat "$IMG" /hello.txt)"
expect_eq "cat /dir/sub/deep.txt" "deep" "$("$BIN" cat "$IMG" /dir/sub/deep.txt)"
expect_eq "cat /names/ NFC" "nfc" "$("$BIN" cat "$IMG" "/names/$NFC")"
expect_eq "cat /names/ NFD" "nfd" "$("$BIN" cat "$IMG" "/names/$NFD")"
expect_eq "cat /names/readme" "lower" "$("$BIN" cat "$IMG" /names/readme)"
expect_eq "cat /names/README" "upper" "$("$BIN" cat "$IMG" /names/README)"
expect_rc "cat /names/ReadMe: no such file (case-sensitive)" 1 "$BIN" cat "$IMG" /names/ReadMe
expect_rc "cat /MANY/m0000.txt: no such file" 1 "$BIN" cat "$IMG" /MANY/m0000.txt
expect_eq "stat: the two names of one inode (hard links)" \
	"$("$BIN" stat "$IMG" /hardlink-a.txt | grep '^inode:')" \
	"$("$BIN" stat "$IMG" /dir/hardlink-b.txt | grep '^inode:')"

# Against libfsapfs: every path of the volume (its hierarchy has the root
# as "/"; our bodyfile shows a symlink as "NAME -> TARGET").
if command -v fsapfsinfo >/dev/null; then
	fsapfsinfo -H "$IMG" | sed -n 's|^/{[^}]*}\(/.\)|\1|p' | LC_ALL=C sort > "$WORK/lib.txt"
	"$BIN" bodyfile "$IMG" | cut -d'|' -f2 | sed 's| -> .*||' | LC_ALL=C sort > "$WORK/ours.txt"
	expect_eq "fsapfsinfo -H lists 3017 paths below the root" 3017 "$(wc -l < "$WORK/lib.txt")"
	expect_eq "bodyfile's paths are libfsapfs's" "" "$(diff "$WORK/lib.txt" "$WORK/ours.txt")"
else
	skip "paths against libfsapfs" "fsapfsinfo (libfsapfs-utils) not installed"
fi

# Inode order (timeline, extract read /many in windows or whole): every
# entry once, with its size.
"$BIN" timeline "$IMG" > "$WORK/tl.csv"
expect_eq "timeline: a line for each of /many's 3000" 3000 "$(grep -c '^"/many/m' "$WORK/tl.csv")"
rm -rf "$WORK/x"
"$BIN" extract "$IMG" /many "$WORK/x" > "$WORK/x.sha" 2>/dev/null
expect_eq "extract /many: 3000 files" 3000 "$(find "$WORK/x" -type f | wc -l)"
expect_eq "extract /many: m1234.txt" "entry 1234" "$(cat "$WORK/x/many/m1234.txt")"
done_testing
