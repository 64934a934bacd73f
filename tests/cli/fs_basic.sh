#!/usr/bin/env bash
# fs_basic.sh - every file of basic.img as ../shared/images/IMAGES.md lists it
# (upstream manifest.json made on macOS): names, sizes, modes, SHA-256s,
# the hard link, the symlink, the xattrs, the LZVN-compressed file, Unicode
# names, case-insensitive lookup; and bodyfile against TSK's fls -m.
. "$(dirname "$0")/../lib.sh"
need_image basic.img
img=$IMAGES/basic.img
B=$BIN

# path|size|mode|sha256 from IMAGES.md
while IFS='|' read -r p size mode sha; do
	expect_eq "sha256 of $p" "$sha" "$("$B" cat "$img" "$p" | sha256sum | cut -d' ' -f1)"
	run_rc "$B" stat --json "$img" "$p"
	expect_grep "size of $p" "\"size\": ?$size," "$OUT"
	expect_grep "mode of $p" "\"mode_string\": ?\"$mode\"" "$OUT"
done <<'LIST'
/bigattr.txt|28|-rw-r--r--|04aebeb2dd97388480684f50c389dff001fed5927891d7a0e17122249c7f3558
/compressed.txt|23893|-rw-r--r--|23f90f8b2c3a4b5f3b5e156339994afd5c2718b378aca6f0e17111f80a70d4ec
/dir1/nested/deep.txt|10|-rw-r--r--|30cf6f2de471343739bcc1dde393c0c0771814ac3ad798f68c8a74495174521a
/empty.txt|0|-rw-r--r--|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
/hardlink-to-hello|16|-rw-r--r--|25364e43b2cfa0c8cafbbfd4017149c3214727f6d9a57cfc8fafc8a56af0815f
/hello.txt|16|-rw-r--r--|25364e43b2cfa0c8cafbbfd4017149c3214727f6d9a57cfc8fafc8a56af0815f
/random.bin|1572864|-rw-r--r--|99f7fea86c625dbcea4f1d8d47a6c41a3f2a2b04664ebd2b53642c25e689781b
/rsrc.txt|23|-rw-r--r--|c4e2d89a6204e5164209f33f20214affbd437398c25e6e88ea7d3c158aa07e34
/script.sh|18|-rwxr-xr-x|b4d644d4279594903f1a9911956432d9473041f2984fc6014c14d7402c7d126c
/ünïcødé/файл.txt|21|-rw-r--r--|cc4c4f3164ed1354d2a85f7531e127626a39a27857b85efa368b6f237c6bb9c5
LIST

# ls --json -R: each entry's path is its own (the files above among them), ending in its name.
expect_eq "ls --json -R: the paths of IMAGES.md's files, each ending in its entry's name" \
	"10 0" "$("$B" ls --json -R "$img" / | python3 -c '
import json, sys
want = set(sys.argv[1:])
e = json.load(sys.stdin)["entries"]
print(len(want & {x["path"] for x in e}),
      sum(1 for x in e if not x["path"].endswith("/" + x["name"])))' \
	/bigattr.txt /compressed.txt /dir1/nested/deep.txt /empty.txt /hardlink-to-hello \
	/hello.txt /random.bin /rsrc.txt /script.sh /ünïcødé/файл.txt)"

expect_eq "hello.txt content (gen-fixtures.sh)" "hello from apfs" "$("$B" cat "$img" /hello.txt)"
expect_eq "case-insensitive lookup /HELLO.TXT" "hello from apfs" "$("$B" cat "$img" /HELLO.TXT)"
expect_eq "case-insensitive lookup /DIR1/Nested/DEEP.txt" "deep file" \
	"$("$B" cat "$img" /DIR1/Nested/DEEP.txt)"
# NFD spelling of the NFC name on disk, upper-cased Cyrillic: same file.
nfd=$(printf '/u\xcc\x88ni\xcc\x88c\xc3\xb8de\xcc\x81/\xd0\xa4\xd0\x90\xd0\x99\xd0\x9b.TXT')
expect_eq "normalization-insensitive lookup" "unicode name content" "$("$B" cat "$img" "$nfd")"

run_rc "$B" stat --json "$img" /hello.txt
expect_grep "hello.txt inode 16 (fls)" '"inode": ?16,' "$OUT"
expect_grep "hello.txt has 2 links" '"nlink": ?2,' "$OUT"
expect_grep "crtime to the nanosecond" '"created": ?"2026-07-27T20:00:3[0-9]\.[0-9]{9}Z"' "$OUT"
run_rc "$B" stat "$img" /hello.txt
expect_grep "xattr com.example.test is 7 bytes" '^xattr: com.example.test \(7 bytes\)$' "$OUT"
expect_grep "xattr com.apple.provenance is 11 bytes" '^xattr: com.apple.provenance \(11 bytes\)$' "$OUT"
run_rc "$B" stat --json "$img" /hardlink-to-hello
expect_grep "hard link: same inode 16" '"inode": ?16,' "$OUT"
# Both names of inode 16 (IMAGES.md: hardlink-to-hello is a hard link to
# hello.txt; fls lists both as 16), whichever name is asked for.
for p in /hello.txt /hardlink-to-hello; do
	expect_eq "stat $p: links are both names" "/hardlink-to-hello /hello.txt" \
		"$("$B" stat --json "$img" "$p" | python3 -c 'import json, sys; print(*sorted(json.load(sys.stdin)["links"]))')"
	run_rc "$B" stat "$img" "$p"
	expect_eq "stat $p: two link lines" 2 "$(grep -c '^link: ' <<< "$OUT")"
done
expect_eq "a file of one name: its own path" "/ünïcødé/файл.txt" \
	"$("$B" stat --json "$img" /ÜNÏCØDÉ/файл.txt | python3 -c 'import json, sys; print(*json.load(sys.stdin)["links"])')"
run_rc "$B" stat "$img" /script.sh
expect_grep "stat /script.sh: inode 24 (fls)" '^inode: 24$' "$OUT"
expect_eq "a file of one name: no link lines" 0 "$(grep -c '^link: ' <<< "$OUT")"
expect_eq "the root's one path" "/" \
	"$("$B" stat --json "$img" / | python3 -c 'import json, sys; print(*json.load(sys.stdin)["links"])')"
run_rc "$B" stat "$img" /bigattr.txt
expect_grep "bigattr.txt xattr of 6000 bytes" '^xattr: com.example.big \(6000 bytes\)$' "$OUT"
run_rc "$B" stat "$img" /rsrc.txt
expect_grep "rsrc.txt resource fork of 34 bytes" '^xattr: com.apple.ResourceFork \(34 bytes\)$' "$OUT"
run_rc "$B" stat --json "$img" /compressed.txt
expect_grep "compressed.txt is decmpfs type 8 (LZVN, resource fork)" '"compression": ?8,' "$OUT"
expect_grep "compressed.txt inode 32" '"inode": ?32,' "$OUT"
run_rc "$B" stat --json "$img" /link-to-hello
expect_grep "symlink target" '"target": ?"hello.txt"' "$OUT"
expect_grep "symlink inode 25" '"inode": ?25,' "$OUT"
expect_rc "missing file: exit 1" 1 "$B" cat "$img" /no-such-file
expect_grep "missing file: message" '^apfsinspect: /no-such-file: No such file' "$ERR"
expect_eq "seq 1 5000 is compressed.txt" "$(seq 1 5000 | sha256sum)" \
	"$("$B" cat "$img" /compressed.txt | sha256sum)"

run_rc "$B" ls "$img" /
expect_eq "ls / (sorted)" "bigattr.txt
compressed.txt
dir1
empty.txt
hardlink-to-hello
hello.txt
link-to-hello
random.bin
rsrc.txt
script.sh
ünïcødé" "$OUT"
run_rc "$B" ls -R "$img" /dir1
expect_grep "ls -R reaches deep.txt" '^deep.txt$' "$OUT"

# extract: every file's SHA-256 in the manifest equals IMAGES.md.
rm -rf "$WORK/ex"
expect_rc "extract / succeeds" 0 "$B" extract "$img" / "$WORK/ex"
expect_grep "manifest has random.bin" '^99f7fea86c625dbcea4f1d8d47a6c41a3f2a2b04664ebd2b53642c25e689781b  root/random.bin$' "$OUT"
(cd "$WORK/ex" && printf '%s\n' "$OUT" | sha256sum -c --quiet) > /dev/null 2>&1
check "extracted files match the manifest" [ $? = 0 ]
expect_eq "extract keeps mode 0755" 755 "$(stat -c %a "$WORK/ex/root/script.sh")"
if command -v istat > /dev/null; then
	# The mtime as TSK reads it (inode 16, APSB block 505 at sector 40: IMAGES.md).
	want=$(istat -o 40 -B 505 "$img" 16 2>/dev/null |
		sed -n 's/^Content Modified:[[:space:]]*\(.*\) (UTC)$/\1/p')
	expect_eq "extract keeps mtime (ns, = TSK istat)" "$(TZ=UTC date -d "${want:-none}" +%s.%N 2>&1)" \
		"$(stat -c %.9Y "$WORK/ex/root/hello.txt")"
else
	skip "extract keeps mtime" "sleuthkit not installed"
fi
expect_eq "extract keeps the symlink" hello.txt "$(readlink "$WORK/ex/root/link-to-hello")"

# bodyfile vs TSK fls -m: every field of every line, except the sizes TSK
# cannot know (compressed.txt: TSK prints the data-stream size 0; symlinks:
# TSK prints 0, we the target length as lstat does).
if command -v fls > /dev/null; then
	fls -r -m / -o 40 -B 505 "$img" | sort > "$WORK/fls.body"
	"$B" bodyfile "$img" | sort > "$WORK/our.body"
	sed -e 's#^\(0|/compressed.txt|32|[^|]*|[0-9]*|[0-9]*|\)0|#\123893|#' \
	    -e 's#^\(0|/link-to-hello -> hello.txt|25|[^|]*|[0-9]*|[0-9]*|\)0|#\19|#' \
		"$WORK/fls.body" > "$WORK/fls.adj"
	expect_eq "bodyfile equals fls -m (sizes of compressed/symlink adjusted)" \
		"$(cat "$WORK/fls.adj")" "$(cat "$WORK/our.body")"
	run_rc "$B" bodyfile --md5 "$img"
	expect_grep "bodyfile --md5 of hello.txt" "^$(printf 'hello from apfs\n' | md5sum | cut -d' ' -f1)\|/hello.txt\|16\|" "$OUT"
else
	skip "bodyfile vs fls" "TSK not installed"
fi
done_testing
