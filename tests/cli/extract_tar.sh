#!/usr/bin/env bash
# extract_tar.sh - `extract --tar FILE` writes a pax archive that bsdtar and
# GNU tar list, and that both restore with the same bytes, xattrs, hard
# links, symlinks, holes, owners and ns times as the host tree given to
# `mkimage from-dir` (the independent side); creation times are read back
# from the pax headers (tests/cli/extract_tools.py reads them raw) against
# the `times` scenario's table in testdata/README.md.
. "$(dirname "$0")/../lib.sh"
T="python3 $TESTS/cli/extract_tools.py"

for tool in tar getfattr setfattr python3 xxd; do
	if ! command -v $tool > /dev/null; then
		skip "extract --tar" "$tool not installed"; done_testing; exit 0
	fi
done
HAVE_BSDTAR=yes
command -v bsdtar > /dev/null || HAVE_BSDTAR=
# Round trips need a file system that takes big xattr values (a tmpfs).
BIGFS=
if d=$(mktemp -d -p /dev/shm 2> /dev/null); then
	: > "$d/f"
	setfattr -n user.t -v "0x$(head -c 20000 /dev/zero | xxd -p | tr -d '\n')" "$d/f" 2> /dev/null &&
		BIGFS=$d
	[ -n "$BIGFS" ] || rm -rf "$d"
fi
trap '[ -n "$BIGFS" ] && rm -rf "$BIGFS"' EXIT
RT=${BIGFS:-$WORK/extract-tar-rt}
S=$RT/tar-src
rm -rf "$S"; mkdir -p "$S/sub" "$S/d"
# Our own corner of the suite's WORK: other scripts make ex/, times.img...
W=$WORK/extract-tar
rm -rf "$W"; mkdir -p "$W"; cd "$W" || exit 1

# ---- the host tree -----------------------------------------------------------
printf 'hello\n' > "$S/a.txt"
setfattr -n user.com.apple.quarantine -v '0081;5f000000;Safari;ABCD' "$S/a.txt"
BIG=1000
[ -n "$BIGFS" ] && BIG=30000
head -c $BIG /dev/urandom > big.bin
setfattr -n user.com.example.big -v "0x$(xxd -p big.bin | tr -d '\n')" "$S/a.txt"
ln "$S/a.txt" "$S/sub/a-link.txt"
printf 'data fork\n' > "$S/forked.txt"
head -c $BIG /dev/urandom > fork.bin
setfattr -n user.com.apple.ResourceFork -v "0x$(xxd -p fork.bin | tr -d '\n')" "$S/forked.txt"
ln -s a.txt "$S/sym"
truncate -s 10M "$S/sparse.bin"
printf 'X' | dd of="$S/sparse.bin" bs=1 seek=5000000 conv=notrunc 2> /dev/null
printf '#!/bin/sh\n' > "$S/suid.sh"; chmod 4755 "$S/suid.sh"
setfattr -n user.com.example.dir -v dirval "$S/d"; chmod 750 "$S/d"
[ "$(id -u)" = 0 ] && chown 501:20 "$S/a.txt" "$S/d"
find "$S" -type f -exec cat {} + > /dev/null
touch -m -d '@1600000000.123456789' "$S/a.txt"
"$MKIMAGE" from-dir tar.img --dir "$S" > /dev/null 2>&1
check "from-dir copies the host tree" [ -s tar.img ]

rm -f t.tar t.m t.facts
expect_rc "extract --tar: status 0" 0 "$BIN" extract --tar t.tar --manifest t.m --facts t.facts tar.img /
SUMMARY=$ERR
expect_grep "summary: dates added are what the archive cannot hold" 'archive could not hold: .*dates added' "$SUMMARY"

# ---- listings ---------------------------------------------------------------
if [ -n "$HAVE_BSDTAR" ]; then
	expect_rc "bsdtar -tvf lists it" 0 bsdtar -tvf t.tar
	expect_grep "bsdtar: the hard link" 'root/(a.txt link to root/sub/a-link.txt|sub/a-link.txt link to root/a.txt)$' "$OUT"
	expect_grep "bsdtar: the symlink" '^lrwx.* root/sym -> a.txt$' "$OUT"
	expect_grep "bsdtar: the setuid bit kept" '^-rwsr-xr-x .* root/suid.sh$' "$OUT"
	expect_grep "bsdtar: the sparse file's size" ' 10485760 .* root/sparse.bin$' "$OUT"
else
	skip "bsdtar listing" "bsdtar (libarchive-tools) not installed"
fi
expect_rc "GNU tar --xattrs -tvf lists it" 0 tar --xattrs -tvf t.tar
expect_grep "GNU tar: owners" '^-rw-r--r--\* 501/20 .* root/(a.txt|sub/a-link.txt)$' "$OUT"
check "GNU tar: no warning (no LIBARCHIVE.xattr keys)" [ -z "$ERR" ]

# ---- pax headers, read raw ---------------------------------------------------
PAX=$($T pax t.tar)
expect_grep "the big xattr as SCHILY.xattr.user.com.example.big, same bytes" \
	" SCHILY.xattr.user.com.example.big $(sha256sum < big.bin | cut -d' ' -f1) $BIG " "$PAX"
expect_grep "the fork as SCHILY.xattr.user.com.apple.ResourceFork, same bytes" \
	" SCHILY.xattr.user.com.apple.ResourceFork $(sha256sum < fork.bin | cut -d' ' -f1) $BIG " "$PAX"
check "xattrs only once: no LIBARCHIVE.xattr keys" bash -c "! grep -q ' LIBARCHIVE.xattr' <<< \"\$1\"" _ "$PAX"
expect_grep "the sparse file as GNU sparse 1.0" ' GNU.sparse.realsize [0-9a-f]* 8 10485760$' "$PAX"
expect_grep "mtime to the ns" ' mtime [0-9a-f]* 20 1600000000.123456789$' "$PAX"
check "the archive stores the sparse file's data, not its holes (< 1 MiB)" \
	test "$(stat -c %s t.tar)" -lt $((1024 * 1024 + 4 * BIG))

# ---- round trips -------------------------------------------------------------
roundtrip() { # NAME DIR
	local n=$1 D=$2
	(cd "$D" && sha256sum -c --quiet --strict "$W/t.m") > /dev/null 2>&1
	check "$n: every file's bytes match the manifest" [ $? = 0 ]
	expect_eq "$n: the big xattr, same bytes" "$(sha256sum < big.bin | cut -d' ' -f1)" \
		"$(getfattr --absolute-names --only-values -n user.com.example.big "$D/root/a.txt" 2> /dev/null | sha256sum | cut -d' ' -f1)"
	expect_eq "$n: the quarantine xattr" "0081;5f000000;Safari;ABCD" \
		"$(getfattr --absolute-names --only-values -n user.com.apple.quarantine "$D/root/a.txt" 2>&1)"
	expect_eq "$n: the resource fork, same bytes" "$(sha256sum < fork.bin | cut -d' ' -f1)" \
		"$(getfattr --absolute-names --only-values -n user.com.apple.ResourceFork "$D/root/forked.txt" 2> /dev/null | sha256sum | cut -d' ' -f1)"
	expect_eq "$n: a directory's xattr" dirval "$(getfattr --absolute-names --only-values -n user.com.example.dir "$D/root/d" 2>&1)"
	check "$n: the hard link is one inode" test "$D/root/a.txt" -ef "$D/root/sub/a-link.txt"
	expect_eq "$n: the symlink" a.txt "$(readlink "$D/root/sym")"
	check "$n: holes stay holes" test "$(stat -c %b "$D/root/sparse.bin")" -lt 100
	expect_eq "$n: mtime to the ns" 1600000000.123456789 "$(stat -c %.9Y "$D/root/a.txt")"
	if [ "$(id -u)" = 0 ]; then
		expect_eq "$n: owner" 501:20 "$(stat -c %u:%g "$D/root/a.txt")"
		expect_eq "$n: setuid restored" 4755 "$(stat -c %a "$D/root/suid.sh")"
	fi
}
rm -rf "$RT/gnu" && mkdir "$RT/gnu"
expect_rc "GNU tar --xattrs -x: status 0" 0 tar --xattrs --xattrs-include='*' -xpf t.tar -C "$RT/gnu"
[ -n "$BIGFS" ] && check "GNU tar -x: no warning" [ -z "$ERR" ]
if [ -n "$BIGFS" ]; then
	roundtrip "GNU tar" "$RT/gnu"
else
	skip "GNU tar round trip" "no tmpfs with user xattrs at /dev/shm"
fi
if [ -n "$HAVE_BSDTAR" ] && [ -n "$BIGFS" ]; then
	rm -rf "$RT/bsd" && mkdir "$RT/bsd"
	expect_rc "bsdtar -x: status 0" 0 bsdtar -xpf t.tar -C "$RT/bsd"
	roundtrip "bsdtar" "$RT/bsd"
else
	skip "bsdtar round trip" "bsdtar or a tmpfs with user xattrs missing"
fi

# ---- creation times (the times scenario) ------------------------------------
"$MKIMAGE" times times.img > /dev/null 2>&1
rm -f tt.tar
expect_rc "extract --tar of times.img" 0 "$BIN" extract --tar tt.tar times.img /
PAX=$($T pax tt.tar)
expect_grep "times.txt: LIBARCHIVE.creationtime = the table's +1.100000001 s" \
	' LIBARCHIVE.creationtime [0-9a-f]* [0-9]* 1767225601.100000001$' "$PAX"
expect_grep "dir: LIBARCHIVE.creationtime = the table's +11.100000001 s" \
	' LIBARCHIVE.creationtime [0-9a-f]* [0-9]* 1767225611.100000001$' "$PAX"
expect_grep "times.txt: atime" ' atime [0-9a-f]* [0-9]* 1767225604.400000004$' "$PAX"
expect_grep "times.txt: ctime" ' ctime [0-9a-f]* [0-9]* 1767225603.300000003$' "$PAX"
# The root's creation time equals its mtime: libarchive writes none for it.
expect_grep "summary: the root's creation time counted" 'could not hold: 1 creation times' "$ERR"

# ---- names as bytes ----------------------------------------------------------
"$MKIMAGE" names names.img > /dev/null 2>&1
rm -rf nm n.tar "$RT/names" && mkdir "$RT/names"
expect_rc "extract --tar of hostile names" 0 "$BIN" extract --tar n.tar --manifest nm --facts nf names.img /
tar --xattrs -xf n.tar -C "$RT/names" 2> /dev/null
(cd "$RT/names" && sha256sum -c --quiet --strict "$W/nm") > /dev/null 2>&1
check "hostile names: GNU tar restores every name and byte (sha256sum -c)" [ $? = 0 ]
expect_eq "hostile names: 16 regular files" 16 "$(grep -c . nm)"
# pax names are UTF-8; only the one name that is not (bad\xff\xfeutf8.txt) is marked BINARY.
expect_eq "hostile names: hdrcharset=BINARY for the non-UTF-8 name only" 1 \
	"$($T pax n.tar | grep -c ' hdrcharset [0-9a-f]* 6 BINARY$')"
# libarchive %-encodes such an xattr name in the SCHILY key and no tar decodes it:
# the name comes back changed, the summary says so, the facts keep the bytes.
expect_eq "hostile names: the xattr with ESC and newline comes back %-encoded" v \
	"$(getfattr --absolute-names --only-values -n 'user.user.%1B[2Jevil%0Aname' "$RT/names/root/xattr.txt" 2>&1)"
expect_grep "hostile names: the summary counts the changed xattr name" '1 xattr names %-encoded' "$ERR"
expect_eq "hostile names: the facts keep the exact name and say so" \
	"the archive holds it under its %-encoded name" \
	"$(python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["files"]:
    for x in f["xattrs"]:
        if x["name"] == "user.\x1b[2Jevil\nname": print(x["note"])' nf 2>&1)"

# ---- stdout, and never overwriting -------------------------------------------
if [ -n "$HAVE_BSDTAR" ]; then
	OUT=$("$BIN" extract --tar - tar.img /sub 2> /dev/null | bsdtar -tf - 2>&1)
	expect_eq "--tar - writes the archive to stdout" "$(printf 'sub/\nsub/a-link.txt')" "$OUT"
fi
printf 'keep me' > taken.tar
expect_rc "an existing archive is never overwritten" 1 "$BIN" extract --tar taken.tar tar.img /
expect_eq "  it keeps its bytes" 'keep me' "$(cat taken.tar)"

# ---- a real image (IMAGES.md: basic.img) -------------------------------------
if [ -e "$IMAGES/basic.img" ] && [ -n "$BIGFS" ]; then
	rm -rf "$RT/basic" bt.tar bt.m && mkdir "$RT/basic"
	expect_rc "basic.img: extract --tar" 0 "$BIN" extract --tar bt.tar --manifest bt.m "$IMAGES/basic.img" /
	tar --xattrs --xattrs-include='*' -xf bt.tar -C "$RT/basic"
	(cd "$RT/basic" && sha256sum -c --quiet --strict "$W/bt.m") > /dev/null 2>&1
	check "basic.img: GNU tar restores every file's bytes" [ $? = 0 ]
	expect_eq "basic.img: hello.txt's xattr com.example.test" value42 \
		"$(getfattr --absolute-names --only-values -n user.com.example.test "$RT/basic/root/hello.txt" 2>&1)"
	expect_eq "basic.img: rsrc.txt's fork" 'this is the resource fork payload' \
		"$(getfattr --absolute-names --only-values -n user.com.apple.ResourceFork "$RT/basic/root/rsrc.txt" 2>&1)"
	expect_grep "basic.img: bigattr's 6000-byte xattr (f5ddb394…bee964)" \
		'^f5ddb394[0-9a-f]*bee964' "$(getfattr --absolute-names --only-values -n user.com.example.big "$RT/basic/root/bigattr.txt" | sha256sum)"
	check "basic.img: hardlink-to-hello is hello.txt" test "$RT/basic/root/hello.txt" -ef "$RT/basic/root/hardlink-to-hello"
else
	missing "basic.img archive" "basic.img or a tmpfs with user xattrs not found"
fi
done_testing
