#!/usr/bin/env bash
# extract_keep.sh - `extract` keeps what a file carries besides its bytes:
# xattrs (as user.NAME), the resource fork, hard links, symlinks, modes,
# owners, ns times, holes; `--appledouble` writes `._` files as xnu lays
# them out; the facts file keeps creation time, date added, BSD flags and
# every xattr's SHA-256; a summary line counts what the target refused.
#
# Expected values come from the host tree given to `mkimage from-dir`
# (getfattr/stat/sha256sum on it: testdata/README.md "from-dir" says what is
# copied, create_time = mtime and date_added = 2026-01-01), from the `times`
# scenario's table (testdata/README.md), from TSK, and from IMAGES.md for
# the real images.  AppleDouble files are read by tests/cli/extract_tools.py,
# written from xnu's description of the format, not from our C code.
. "$(dirname "$0")/../lib.sh"
T="python3 $TESTS/cli/extract_tools.py"

for tool in getfattr setfattr python3 sha256sum xxd; do
	if ! command -v $tool > /dev/null; then
		skip "extract keeps metadata" "$tool not installed"; done_testing; exit 0
	fi
done
# A tmpfs holds xattr values of any size up to 64 KiB; ext4 refuses those over
# about 4 KiB.  The host tree needs big ones (a resource fork), so it lives
# on a tmpfs when there is one.
BIGFS=
if d=$(mktemp -d -p /dev/shm 2> /dev/null); then
	head -c 20000 /dev/zero > "$d/f"
	setfattr -n user.t -v "0x$(head -c 20000 /dev/zero | xxd -p | tr -d '\n')" "$d/f" 2> /dev/null &&
		BIGFS=$d
	[ -n "$BIGFS" ] || rm -rf "$d"
fi
trap '[ -n "$BIGFS" ] && rm -rf "$BIGFS"' EXIT
S=${BIGFS:-$WORK}/extract-keep-src
rm -rf "$S"; mkdir -p "$S/sub" "$S/d"
# Our own corner of the suite's WORK: other scripts make ex/, times.img...
W=$WORK/extract-keep
rm -rf "$W"; mkdir -p "$W"; cd "$W" || exit 1

# ---- the host tree (the independent side) -----------------------------------
printf 'hello\n' > "$S/a.txt"
setfattr -n user.com.apple.quarantine -v '0081;5f000000;Safari;ABCD' "$S/a.txt"
# kMDItemWhereFroms is a binary plist: bytes with NULs.
printf 'bplist00\xa1\x01_\x10\x13https://example.com/\x00\x01' > where.bin
setfattr -n user.com.apple.metadata:kMDItemWhereFroms -v "0x$(xxd -p where.bin | tr -d '\n')" "$S/a.txt"
# A 10-byte name: its entry (11 + 11 bytes) needs 2 bytes of padding to 4.
setfattr -n user.com.ex.abc -v odd "$S/a.txt"
ln "$S/a.txt" "$S/sub/a-link.txt"
printf 'data fork\n' > "$S/forked.txt"
FORK=1000
[ -n "$BIGFS" ] && FORK=20000
head -c $FORK /dev/urandom > fork.bin
setfattr -n user.com.apple.ResourceFork -v "0x$(xxd -p fork.bin | tr -d '\n')" "$S/forked.txt"
if [ -n "$BIGFS" ]; then
	head -c 6000 /dev/urandom > big.bin
	setfattr -n user.com.example.big -v "0x$(xxd -p big.bin | tr -d '\n')" "$S/a.txt"
fi
ln -s a.txt "$S/sym"
truncate -s 10M "$S/sparse.bin"
printf 'X' | dd of="$S/sparse.bin" bs=1 seek=5000000 conv=notrunc 2> /dev/null
printf '#!/bin/sh\n' > "$S/suid.sh"
chmod 4755 "$S/suid.sh"
setfattr -n user.com.example.dir -v dirval "$S/d"
chmod 750 "$S/d"
[ "$(id -u)" = 0 ] && chown 501:20 "$S/a.txt" "$S/d"
find "$S" -type f -exec cat {} + > /dev/null
touch -m -d '@1600000000.123456789' "$S/a.txt"
touch -a -d '@1600000001.987654321' "$S/a.txt"

"$MKIMAGE" from-dir keep.img --dir "$S" > /dev/null 2>&1
check "from-dir copies the host tree" [ -s keep.img ]
host_x() { getfattr --absolute-names --only-values -n "$2" "$S/$1" 2> /dev/null | sha256sum | cut -d' ' -f1; }
out_x() { getfattr --absolute-names --only-values -n "$2" "$1" 2> /dev/null | sha256sum | cut -d' ' -f1; }

# ---- a tree on this file system ---------------------------------------------
rm -rf ex ex.m ex.m.facts
expect_rc "extract with --appledouble: status 0" 0 "$BIN" extract --appledouble --manifest ex.m \
	keep.img / ex
SUMMARY=$ERR
ATIME=$(stat -c %.9X ex/root/a.txt)  # before anything here reads the file (relatime)
(cd ex && sha256sum -c --quiet --strict ../ex.m) > /dev/null 2>&1
check "the manifest is valid sha256sum -c input and matches" [ $? = 0 ]
expect_eq "the manifest lists both names of the hard link" 2 "$(grep -c 'a.txt$\|a-link.txt$' ex.m)"
check "the facts file is JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' ex.m.facts
R=ex/root
expect_eq "quarantine xattr as user.com.apple.quarantine, same bytes" \
	"$(host_x a.txt user.com.apple.quarantine)" "$(out_x $R/a.txt user.com.apple.quarantine)"
expect_eq "kMDItemWhereFroms (binary) same bytes" \
	"$(sha256sum < where.bin | cut -d' ' -f1)" "$(out_x $R/a.txt user.com.apple.metadata:kMDItemWhereFroms)"
expect_eq "a directory's xattr" dirval "$(getfattr --absolute-names --only-values -n user.com.example.dir $R/d 2>&1)"
check "hard link: both names are one inode" test "$R/a.txt" -ef "$R/sub/a-link.txt"
expect_eq "hard link: link count 2" 2 "$(stat -c %h $R/a.txt)"
expect_eq "symlink target" a.txt "$(readlink $R/sym)"
expect_eq "sparse file: size" 10485760 "$(stat -c %s $R/sparse.bin)"
check "sparse file: holes stay holes (< 100 blocks of 512)" test "$(stat -c %b $R/sparse.bin)" -lt 100
expect_eq "sparse file: bytes" "$(sha256sum < "$S/sparse.bin")" "$(sha256sum < $R/sparse.bin)"
expect_eq "mode of a directory" 750 "$(stat -c %a $R/d)"
expect_eq "setuid left out of the tree" 755 "$(stat -c %a $R/suid.sh)"
expect_eq "mtime to the ns" 1600000000.123456789 "$(stat -c %.9Y $R/a.txt)"
expect_eq "mtime of a directory to the ns" "$(stat -c %.9Y "$S/d")" "$(stat -c %.9Y $R/d)"
if [ "$(id -u)" = 0 ]; then
	expect_eq "owner set (run as root)" 501:20 "$(stat -c %u:%g $R/a.txt)"
	expect_eq "owner of a directory" 501:20 "$(stat -c %u:%g $R/d)"
else
	expect_grep "owners counted when not root" 'owners not set' "$SUMMARY"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	# The same extract as nobody: owners cannot be set, and the summary says how many.
	NR=$(mktemp -d) && chmod 777 "$NR" && cp keep.img "$NR/" && chmod 644 "$NR/keep.img"
	expect_rc "extract as nobody: status 0" 0 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BIN" extract "$NR/keep.img" / "$NR/ex"
	# a.txt (501:20), d (501:20), the rest root's: every inode, none of them nobody's.
	expect_grep "as nobody: the owners not set counted" \
		" $(find "$S" -printf '%i\n' | sort -u | wc -l) owners not set \(not root\)" "$ERR"
	expect_eq "as nobody: the files are nobody's" 65534 "$(stat -c %u "$NR/ex/root/a.txt")"
	rm -rf "$NR"
fi
expect_grep "summary counts creation times and dates added" \
	'could not hold: .*creation times, .*dates added' "$SUMMARY"
expect_grep "summary counts the setuid bit" '1 setuid/setgid bits left out' "$SUMMARY"
# The first name extracted of the hard-linked pair, and the other one.
FIRST=root/a.txt OTHER=root/sub/a-link.txt
if [ "$($T facts ex.m.facts root/a.txt hard_link_to)" != None ]; then
	FIRST=root/sub/a-link.txt OTHER=root/a.txt
fi
if command -v istat > /dev/null; then
	blk=$(pstat keep.img 2> /dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
	ino=$($T facts ex.m.facts root/a.txt inode)
	IST=$(istat -B "${blk:-0}" keep.img "$ino" 2> /dev/null)
	tsk_time() { TZ=UTC date -d "$(sed -n "s/^$1:[[:space:]]*\(.*\) (UTC)\$/\1/p" <<< "$IST")" "$2" 2>&1; }
	expect_eq "mtime = TSK istat's" "$(tsk_time 'Content Modified' +%s.%N)" "$(stat -c %.9Y $R/a.txt)"
	# (from-dir reads the host file, so its atime is when mkimage ran: TSK tells.)
	expect_eq "atime = TSK istat's" "$(tsk_time Accessed +%s.%N)" "$ATIME"
	expect_eq "facts: creation time = TSK istat's" "$(tsk_time Created +%Y-%m-%dT%H:%M:%S.%NZ)" \
		"$($T facts ex.m.facts root/a.txt created)"
	expect_eq "facts: date added = TSK istat's" "$(tsk_time 'Date Added' +%Y-%m-%dT%H:%M:%S.%NZ)" \
		"$($T facts ex.m.facts root/a.txt added)"
	expect_eq "facts: BSD flags = TSK istat's" "$(sed -n 's/^BSD flags:[[:space:]]*0x//p' <<< "$IST" | sed 's/^0*//;s/^$/0/')" \
		"$($T facts ex.m.facts root/a.txt flags)"
	id=$(sed -n 's/^Type: ExATTR (\([0-9-]*\)) *Name: com.apple.quarantine .*/\1/p' <<< "$IST")
	expect_eq "facts: the quarantine xattr's SHA-256 = TSK icat's" \
		"$(icat -B "${blk:-0}" keep.img "$ino-${id:-x}" 2> /dev/null | sha256sum | cut -d' ' -f1)" \
		"$($T factx ex.m.facts $FIRST com.apple.quarantine | cut -d' ' -f1)"
else
	skip "times against TSK" "sleuthkit not installed"
fi

# ---- a target without hard links (exFAT, FAT): linkat refused with EPERM ----
if command -v cc > /dev/null; then
	printf '%s\n' '#include <errno.h>' \
		'int linkat(int a, const char *b, int c, const char *d, int e)' \
		'{ (void)a; (void)b; (void)c; (void)d; (void)e; errno = EPERM; return -1; }' > nolink.c
	cc -shared -fPIC -o nolink.so nolink.c
	rm -rf exn exn.m exn.m.facts
	# (verify_asan_link_order=0: an ASan build takes a preloaded library after its runtime.)
	expect_rc "no hard links on the target: status 0" 0 env LD_PRELOAD="$W/nolink.so" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$BIN" extract --manifest exn.m keep.img / exn
	expect_grep "no hard links: the copy is counted" '1 hard links written as copies' "$ERR"
	check "no hard links: two files" test ! exn/root/a.txt -ef exn/root/sub/a-link.txt
	(cd exn && sha256sum -c --quiet --strict ../exn.m) > /dev/null 2>&1
	check "no hard links: both names have the bytes (sha256sum -c)" [ $? = 0 ]
else
	skip "a target without hard links" "no C compiler for the linkat shim"
fi

# ---- the facts file ----------------------------------------------------------
expect_eq "facts: creation time (from-dir: = mtime)" 2020-09-13T12:26:40.123456789Z \
	"$($T facts ex.m.facts root/a.txt created)"
expect_eq "facts: date added (from-dir: 2026-01-01)" 2026-01-01T00:00:00.000000000Z \
	"$($T facts ex.m.facts root/a.txt added)"
expect_eq "facts: BSD flags" 0 "$($T facts ex.m.facts root/a.txt flags)"
expect_eq "facts: the quarantine xattr's SHA-256 and size" \
	"$(host_x a.txt user.com.apple.quarantine) 25 kept" \
	"$($T factx ex.m.facts $OTHER com.apple.quarantine)"
expect_eq "facts: the resource fork's SHA-256 and size" \
	"$(sha256sum < fork.bin | cut -d' ' -f1) $FORK" \
	"$($T factx ex.m.facts root/forked.txt com.apple.ResourceFork | cut -d' ' -f1,2)"
expect_eq "facts: the second name points at the first" $FIRST \
	"$($T facts ex.m.facts $OTHER hard_link_to)"

# ---- AppleDouble -----------------------------------------------------------
if command -v file > /dev/null; then
	expect_eq "file(1) (libmagic) knows ._a.txt" "AppleDouble encoded Macintosh file" "$(file -b $R/._a.txt)"
fi
AD=$($T appledouble $R/._a.txt 2>&1)
expect_grep "._a.txt: filler as macOS writes it" '^filler Mac OS X {8}$' "$AD"
expect_grep "._a.txt: the quarantine attribute, same bytes" \
	"^attr com.apple.quarantine $(host_x a.txt user.com.apple.quarantine) 25$" "$AD"
expect_grep "._a.txt: kMDItemWhereFroms, same bytes" \
	"^attr com.apple.metadata:kMDItemWhereFroms $(sha256sum < where.bin | cut -d' ' -f1) " "$AD"
expect_grep "._a.txt: an entry padded to 4 bytes, then the next" \
	"^attr com.ex.abc $(printf odd | sha256sum | cut -d' ' -f1) 3$" "$AD"
expect_eq "._a.txt: every attribute" $([ -n "$BIGFS" ] && echo 4 || echo 3) "$(grep -c '^attr ' <<< "$AD")"
expect_grep "._a.txt: no fork: xnu's empty fork header" '^fork empty$' "$AD"
# xnu makes a 4096-byte file and grows it by 4096 (the 6000-byte value needs one more).
expect_eq "._a.txt: as long as xnu makes it" $([ -n "$BIGFS" ] && echo 8192 || echo 4096) \
	"$(stat -c %s $R/._a.txt 2>&1)"
check "every name of a hard link has its ._ file" test -s $R/sub/._a-link.txt
AD=$($T appledouble $R/._forked.txt 2>&1)
expect_grep "._forked.txt: the resource fork, same bytes, last" \
	"^fork $(sha256sum < fork.bin | cut -d' ' -f1) $FORK$" "$AD"
AD=$($T appledouble $R/._d 2>&1)
expect_grep "._d: a directory's attribute" "^attr com.example.dir $(printf dirval | sha256sum | cut -d' ' -f1) 6$" "$AD"
check "no ._ file for a file without xattrs" test ! -e $R/._sparse.bin
check "no ._ file for a symlink" test ! -e $R/._sym

# ---- what ext4 refuses, and a tmpfs holds ----------------------------------
if [ -n "$BIGFS" ]; then
	if [ "$(stat -f -c %T "$WORK")" = ext2/ext3 ]; then
		expect_grep "ext4: the big xattr and the fork refused, counted as too large" \
			'2 xattrs refused, 2 of them too large, 1 resource forks not held' "$SUMMARY"
		expect_eq "facts: the refused xattr keeps its SHA-256" \
			"$(sha256sum < big.bin | cut -d' ' -f1) 6000 not-kept" \
			"$($T factx ex.m.facts $FIRST com.example.big)"
		expect_eq "facts: the second name of the link says the same" \
			"$(sha256sum < big.bin | cut -d' ' -f1) 6000 not-kept" \
			"$($T factx ex.m.facts $OTHER com.example.big)"
		expect_eq "facts: why it was refused" "No space left on device" \
			"$($T factn ex.m.facts $FIRST com.example.big)"
	else
		skip "ext4 refusals" "$WORK is not ext4"
	fi
	rm -rf "$BIGFS/ex"
	expect_rc "extract onto a tmpfs: status 0" 0 "$BIN" extract keep.img / "$BIGFS/ex"
	expect_eq "tmpfs: the 6000-byte xattr, same bytes" "$(sha256sum < big.bin | cut -d' ' -f1)" \
		"$(out_x "$BIGFS/ex/root/a.txt" user.com.example.big)"
	expect_eq "tmpfs: the resource fork as user.com.apple.ResourceFork, same bytes" \
		"$(sha256sum < fork.bin | cut -d' ' -f1)" \
		"$(out_x "$BIGFS/ex/root/forked.txt" user.com.apple.ResourceFork)"
	check "tmpfs: nothing refused" bash -c "! grep -q 'xattrs refused' <<< \"\$1\"" _ "$ERR"
else
	skip "big xattrs" "no tmpfs with user xattrs at /dev/shm"
fi

# ---- times: the `times` scenario's table -------------------------------------
"$MKIMAGE" times times.img > /dev/null 2>&1
rm -rf ext ext.facts
expect_rc "extract times: status 0" 0 "$BIN" extract --facts ext.facts times.img / ext
for row in "times.txt created 2026-01-01T00:00:01.100000001Z" \
	"times.txt modified 2026-01-01T00:00:02.200000002Z" \
	"times.txt accessed 2026-01-01T00:00:04.400000004Z" \
	"times.txt added 2026-01-01T00:00:00.000000000Z" \
	"dir created 2026-01-01T00:00:11.100000001Z"; do
	set -- $row
	expect_eq "times: facts $2 of $1" "$3" "$($T facts ext.facts "root/$1" "$2")"
done
expect_eq "times: mtime of the file on disk" 1767225602.200000002 "$(stat -c %.9Y ext/root/times.txt)"
expect_eq "times: atime of the directory on disk" 1767225614.400000004 "$(stat -c %.9X ext/root/dir)"

# ---- a real image (IMAGES.md: basic.img) -------------------------------------
if [ -e "$IMAGES/basic.img" ]; then
	rm -rf exb exb.m exb.m.facts
	expect_rc "basic.img: extract --appledouble" 0 "$BIN" extract --appledouble --manifest exb.m \
		"$IMAGES/basic.img" / exb
	B=exb/root
	expect_eq "basic.img: hello.txt's xattr com.example.test" value42 \
		"$(getfattr --absolute-names --only-values -n user.com.example.test $B/hello.txt 2>&1)"
	check "basic.img: hardlink-to-hello is hello.txt" test $B/hello.txt -ef $B/hardlink-to-hello
	expect_eq "basic.img: rsrc.txt's fork as an xattr" 'this is the resource fork payload' \
		"$(getfattr --absolute-names --only-values -n user.com.apple.ResourceFork $B/rsrc.txt 2>&1)"
	expect_grep "basic.img: rsrc.txt's fork in ._rsrc.txt" \
		"^fork $(printf 'this is the resource fork payload\n' | sha256sum | cut -d' ' -f1) 34$" \
		"$($T appledouble $B/._rsrc.txt 2>&1)"
	expect_grep "basic.img: bigattr's 6000-byte xattr hashed in the facts (f5ddb394…bee964)" \
		'^f5ddb394[0-9a-f]*bee964 6000 ' "$($T factx exb.m.facts root/bigattr.txt com.example.big)"
	expect_grep "basic.img: com.apple.provenance hashed (42792b5d…828d44b)" \
		'^42792b5d[0-9a-f]*828d44b 11 kept' "$($T factx exb.m.facts root/hello.txt com.apple.provenance)"
	expect_grep "basic.img: compressed.txt's fork is its compressed data, not kept" \
		' not-kept$' "$($T factx exb.m.facts root/compressed.txt com.apple.ResourceFork)"
	check "basic.img: compressed.txt has no fork xattr" \
		bash -c "! getfattr -n user.com.apple.ResourceFork $B/compressed.txt 2> /dev/null | grep -q ."
	if command -v istat > /dev/null; then
		IST=$(istat -o 40 -B 505 "$IMAGES/basic.img" 32 2> /dev/null)
		flags=$(sed -n 's/^BSD flags:[[:space:]]*0x//p' <<< "$IST")
		expect_eq "basic.img: compressed.txt's BSD flags = TSK istat's (UF_COMPRESSED)" \
			"$((16#${flags:-x}))" "$($T facts exb.m.facts root/compressed.txt flags)"
		# Date added belongs to a directory entry: TSK shows one per inode, so a
		# file with one name (rsrc.txt, inode 30).
		IST=$(istat -o 40 -B 505 "$IMAGES/basic.img" 30 2> /dev/null)
		for k in "Date Added:added" "Created:created"; do
			t=$(sed -n "s/^${k%%:*}:[[:space:]]*\(.*\) (UTC)\$/\1/p" <<< "$IST")
			expect_eq "basic.img: rsrc.txt's ${k#*:} = TSK istat's" \
				"$(TZ=UTC date -d "${t:-none}" +%Y-%m-%dT%H:%M:%S.%NZ 2>&1)" \
				"$($T facts exb.m.facts root/rsrc.txt "${k#*:}")"
		done
	fi
	# Every xattr `stat --json` shows for a path is in the facts with its size.
	BAD=$(python3 - "$BIN" "$IMAGES/basic.img" exb.m.facts 2>&1 <<'PY'
import json, subprocess, sys
b, img, facts = sys.argv[1:4]
for f in json.load(open(facts))["files"]:
    path = "/" + f["path"].split("/", 1)[1] if "/" in f["path"] else "/"
    st = json.loads(subprocess.run([b, "stat", "--json", img, path], capture_output=True).stdout)
    want = sorted((x["name"], x["size"]) for x in st["xattrs"])
    got = sorted((x["name"], x["size"]) for x in f["xattrs"])
    if want != got:
        print(path, want, got)
PY
)
	expect_eq "basic.img: the facts hold every xattr stat --json shows" "" "$BAD"
	expect_grep "basic.img: compressed.txt's bytes (IMAGES.md)" \
		'^23f90f8b2c3a4b5f3b5e156339994afd5c2718b378aca6f0e17111f80a70d4ec  root/compressed.txt$' "$(cat exb.m)"
else
	missing "basic.img extract" "basic.img not found"
fi
if [ -e "$IMAGES/dfvfs-apfs.raw" ] && command -v icat > /dev/null; then
	rm -rf exd
	expect_rc "dfvfs: extract" 0 "$BIN" extract "$IMAGES/dfvfs-apfs.raw" / exd
	expect_eq "dfvfs: a_file's myxattr = TSK icat 17-4354-1" \
		"$(icat -B 107 "$IMAGES/dfvfs-apfs.raw" 17-4354-1 | sha256sum)" \
		"$(getfattr --absolute-names --only-values -n user.myxattr exd/root/a_directory/a_file | sha256sum)"
	expect_eq "dfvfs: a_resourcefork's fork = TSK icat 23-4353-1" \
		"$(icat -B 107 "$IMAGES/dfvfs-apfs.raw" 23-4353-1 | sha256sum)" \
		"$(getfattr --absolute-names --only-values -n user.com.apple.ResourceFork exd/root/a_directory/a_resourcefork | sha256sum)"
	if [ "$(id -u)" = 0 ]; then
		expect_eq "dfvfs: another_file's owner 99:99" 99:99 "$(stat -c %u:%g exd/root/a_directory/another_file)"
	fi
else
	missing "dfvfs extract" "dfvfs-apfs.raw or sleuthkit not found"
fi

# ---- usage -------------------------------------------------------------------
expect_rc "--appledouble with --tar is refused" 2 "$BIN" extract --appledouble --tar x.tar keep.img /
expect_rc "--tar takes no DEST" 2 "$BIN" extract --tar x.tar keep.img / somewhere
check "nothing written for a refused command" test ! -e x.tar
: > taken.facts
expect_rc "an existing facts file is never overwritten" 1 "$BIN" extract --facts taken.facts keep.img / exf
check "  and stays empty" test ! -s taken.facts
done_testing
