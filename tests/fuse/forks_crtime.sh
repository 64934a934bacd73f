#!/usr/bin/env bash
# forks_crtime.sh - the mount shows what stat(2) and read(2) alone cannot
# (issue 13, item 5): a file's resource fork as NAME:rsrc (Linux cannot
# walk macOS's NAME/..namedfork/rsrc: fuse/namedfork.c) and its creation
# time as the xattr user.apfs.crtime.  Expected values: testdata/README.md
# ("times"), ../shared/images/IMAGES.md and TSK (istat, icat) for basic.img.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 > /dev/null || ! command -v getfattr > /dev/null; then
	skip "FUSE fork and crtime tests" "/dev/fuse, fusermount3 or getfattr missing"
	done_testing; exit 0
fi
D=$(mktemp -d "$WORK/forks.XXXXXX") && cd "$D" || exit 1
mnt_prepare "$D"
T() { timeout -k 5 30 "$@"; }
crtime() { T getfattr --only-values -n user.apfs.crtime "$1" 2>/dev/null; }
do_mount() {
	expect_rc "mount $1" 0 timeout 60 "$BIN" mount "$1" "$MNT"
}
do_umount() {
	expect_rc "fusermount3 -u" 0 timeout 20 fusermount3 -u "$MNT"
}

# ---- creation time (README "times": created +1.100000001 s, dir +11.100000001 s)
expect_rc "mkimage times" 0 "$MKIMAGE" times times.img
do_mount times.img
expect_eq "user.apfs.crtime of /times.txt and /dir (README table)" \
	"1767225601.100000001 1767225611.100000001" \
	"$(crtime "$MNT/times.txt") $(crtime "$MNT/dir")"
expect_eq "user.apfs.added of /times.txt: the base (README: date_added is the base)" \
	"1767225600.000000000" "$(T getfattr --only-values -n user.apfs.added "$MNT/times.txt" 2>/dev/null)"
check "user.apfs.added of the root: none (ENODATA)" \
	sh -c "! T getfattr -n user.apfs.added '$MNT' > /dev/null 2>&1"
expect_eq "user.apfs.crtime is not listed (the listing stays the image's own)" "" \
	"$(T getfattr -d -m - "$MNT/times.txt" 2>/dev/null)"
expect_eq "mtime through stat(2) is still the modification time (README)" \
	"1767225602.200000002" "$(T stat -c %.9Y "$MNT/times.txt")"
expect_eq "times.txt:rsrc of a file without a fork: empty, as macOS's namedfork is" "0 0" \
	"$(T stat -c %s "$MNT/times.txt:rsrc") $(T cat "$MNT/times.txt:rsrc" | wc -c)"
check "dir:rsrc: a directory has no fork (ENOENT)" sh -c "! T stat '$MNT/dir:rsrc' 2>/dev/null"
check "a fork is never listed" sh -c "! ls -a '$MNT' | grep -q rsrc"
do_umount

# ---- from-dir: the host's fork; an entry really named NAME:rsrc comes first
if command -v setfattr > /dev/null; then
	mkdir -p src/sub
	printf 'data\n' > src/sub/a.txt
	head -c 3000 /dev/urandom > fork.bin
	setfattr -n user.com.apple.ResourceFork -v "0x$(xxd -p fork.bin | tr -d '\n')" src/sub/a.txt
	printf 'a real file\n' > src/b.txt
	printf 'named like a fork\n' > 'src/b.txt:rsrc'
	setfattr -n user.com.apple.ResourceFork -v 0x6e6f742073686f776e src/b.txt
	expect_rc "mkimage from-dir" 0 "$MKIMAGE" from-dir fd.img --dir src
	do_mount fd.img
	check "sub/a.txt:rsrc = the host's user.com.apple.ResourceFork" cmp -s fork.bin "$MNT/sub/a.txt:rsrc"
	expect_eq "b.txt:rsrc is the image's own entry of that name, not b.txt's fork" \
		"named like a fork" "$(T cat "$MNT/b.txt:rsrc")"
	check "NAME:rsrc of a missing NAME: ENOENT" sh -c "! T cat '$MNT/sub/none.txt:rsrc' 2>/dev/null"
	do_umount
else
	skip "forks of a from-dir image" "attr (setfattr) not installed"
fi

BASIC=$IMAGES/basic.img
if [ -e "$BASIC" ]; then
	do_mount "$BASIC"
	expect_eq "rsrc.txt:rsrc is the fork IMAGES.md gives; rsrc.txt its data" \
		"this is the resource fork payload|resource fork contents" \
		"$(T cat "$MNT/rsrc.txt:rsrc")|$(T cat "$MNT/rsrc.txt")"
	expect_eq "rsrc.txt:rsrc: 34 bytes (IMAGES.md), a read-only regular file" "34 regular file" \
		"$(T stat -c '%s %F' "$MNT/rsrc.txt:rsrc")"
	check "rsrc.txt:rsrc cannot be written" sh -c "! (echo x >> '$MNT/rsrc.txt:rsrc') 2>/dev/null"
	if command -v icat > /dev/null; then
		expect_eq "compressed.txt:rsrc = TSK's RSRC attribute (the compressed chunks)" \
			"$(icat -o 40 -B 505 "$BASIC" 32-4353-3 | sha256sum)" \
			"$(T cat "$MNT/compressed.txt:rsrc" | sha256sum)"
		want=$(istat -o 40 -B 505 "$BASIC" 16 |
			sed -n 's/^Created:[[:space:]]*\([0-9-]* [0-9:.]*\) (UTC)$/\1/p')
		got=$(crtime "$MNT/hello.txt")
		expect_eq "user.apfs.crtime of hello.txt = TSK istat's Created" "$want" \
			"$(TZ=UTC date -d "@${got%.*}" '+%Y-%m-%d %H:%M:%S').${got#*.}"
		want=$(istat -o 40 -B 505 "$BASIC" 23 |
			sed -n 's/^Date Added:[[:space:]]*\([0-9-]* [0-9:.]*\) (UTC)$/\1/p')
		got=$(T getfattr --only-values -n user.apfs.added "$MNT/random.bin" 2>/dev/null)
		expect_eq "user.apfs.added of random.bin = TSK istat's Date Added" "$want" \
			"$(TZ=UTC date -d "@${got%.*}" '+%Y-%m-%d %H:%M:%S').${got#*.}"
	else
		skip "forks and crtime against TSK" "sleuthkit not installed"
	fi
	do_umount
else
	missing "forks in the mount of basic.img" "basic.img not found"
fi
done_testing
