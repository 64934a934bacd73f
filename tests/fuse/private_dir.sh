#!/usr/bin/env bash
# private_dir.sh - `mount --private-dir`: the volume's private directory
# (inode 3), which no path from the root reaches, as the mount's root.
# macOS moves there the entry of a file deleted while still open (an
# orphan: link count 0, its inode's parent and name left as they were;
# apfsck dir.c, inode.c), so `find`, `sha256sum` and the analyst's other
# tools reach it only this way.  `mkimage orphans` makes them as macOS does;
# for the other cases tests/tools/drec_move.py moves an entry into 3 and
# inode_field.py sets its link count, as tests/cli/private_dir.sh does.  Expected values from testdata/README.md: `snapshot`
# (/keep.txt = "kept\n", inode 17; /a.txt, /new.txt), the small tree of `basic`
# (/dir/sub/deep.txt = "deep\n") and `orphans`.
# An entry there naming the root or the directory itself is not followed:
# the mount never shows the root's tree below its own root.  Every wait
# is bounded.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	skip "mount --private-dir" "/dev/fuse or fusermount3 (fuse3) missing"
	done_testing; exit 0
fi
mnt_prepare "$WORK"
T() { timeout -k 5 30 "$@"; }
umount_it() {
	expect_rc "fusermount3 -u ($1)" 0 timeout 20 fusermount3 -u "$MNT"
}
mount_it() {
	local what=$1
	shift
	expect_rc "mount $what" 0 timeout 60 "$BIN" mount "$@" "$MNT"
}

expect_rc "mount --help" 0 "$BIN" mount --help
expect_grep "... names --private-dir" "--private-dir .*mount the volume's private directory" \
	"$OUT"

IMG=$WORK/orphan.img
expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$IMG"
mount_it "--private-dir of a sound volume" --private-dir "$IMG"
expect_eq "... the private directory holds nothing" "" "$(T ls -A "$MNT")"
umount_it "sound"

expect_rc "drec_move.py: /keep.txt's entry into the private directory" 0 python3 \
	"$TESTS/tools/drec_move.py" "$IMG" keep.txt 3
expect_rc "inode_field.py: its link count 0" 0 python3 "$TESTS/tools/inode_field.py" "$IMG" 17 \
	nchildren 0
mount_it "(the root)" "$IMG"
expect_eq "the root's mount no longer lists keep.txt" "$(printf 'a.txt\nnew.txt')" \
	"$(T ls -A "$MNT")"
umount_it "the root"

mount_it "--private-dir" --private-dir "$IMG"
check "... the mount point is the one given (not taken for a PATH)" mountpoint -q "$MNT"
expect_eq "... lists the orphan" "keep.txt" "$(T ls -A "$MNT")"
expect_eq "... its content, as testdata/README.md says" "kept" "$(T cat "$MNT/keep.txt")"
expect_eq "... its inode 17, link count 0, 5 bytes" "17 0 5" \
	"$(T stat -c '%i %h %s' "$MNT/keep.txt")"
expect_eq "... the root is the private directory (3)" "3 directory" \
	"$(T stat -c '%i %F' "$MNT")"
expect_eq "... find reaches it" "$MNT $MNT/keep.txt" "$(T find "$MNT" | LC_ALL=C sort | xargs)"
expect_eq "... no name of the root's tree (a.txt, new.txt)" "" \
	"$(T ls "$MNT/a.txt" "$MNT/new.txt" 2>/dev/null)"
umount_it "--private-dir"

mount_it "--private-dir --snapshot before" --private-dir --snapshot before "$IMG"
expect_eq "... the snapshot's private directory holds nothing" "" "$(T ls -A "$MNT")"
umount_it "--snapshot before"

# A directory there: an orphan directory's inode keeps its old parent, so its
# entry here is never its own, and it is entered all the same (here
# /dir/sub, which keeps deep.txt).
B2=$WORK/basic.img
expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$B2"
cp "$B2" "$WORK/basic.sound"
expect_rc "drec_move.py: /dir/sub's entry into the private directory" 0 python3 \
	"$TESTS/tools/drec_move.py" "$B2" sub 3
for opt in readdirplus=no readdirplus=yes; do
	mount_it "--private-dir -o $opt (an orphan directory)" --private-dir -o "$opt" "$B2"
	expect_eq "$opt: find: sub and its file" "$MNT $MNT/sub $MNT/sub/deep.txt" \
		"$(T find "$MNT" | LC_ALL=C sort | xargs)"
	expect_eq "$opt: sub/deep.txt, as testdata/README.md says" "deep" \
		"$(T cat "$MNT/sub/deep.txt")"
	umount_it "$opt"
done

# An entry there naming the root (2), then the private directory itself (3),
# as a directory: not followed, and find ends, with nothing of the root's
# tree (/dir, /empty.txt ...) below the mount.
for n in 2 3; do
	cp "$WORK/basic.sound" "$B2"
	expect_rc "drec_move.py + drec_reino.py: sub moved into 3, naming $n" 0 sh -c \
		'python3 "$1/tools/drec_move.py" "$2" sub 3 &&
		 python3 "$1/tools/drec_reino.py" "$2" sub "$3"' sh "$TESTS" "$B2" "$n"
	mount_it "--private-dir (an entry naming $n)" --private-dir "$B2"
	expect_eq "$n: ls lists the entry" "sub" "$(T ls -A "$MNT")"
	run_rc T ls "$MNT/sub"
	expect_eq "$n: ls sub: refused as a loop" \
		"2 ls: cannot access '$MNT/sub': Too many levels of symbolic links" "$RC $ERR"
	run_rc T find "$MNT"
	expect_eq "$n: find ends, nothing below the entry" "1 $MNT" "$RC $OUT"
	umount_it "naming $n"
done

# The same of a file's entry: /empty.txt moved there, naming the root.
cp "$WORK/basic.sound" "$B2"
expect_rc "drec_move.py + drec_reino.py: empty.txt moved into 3, naming 2" 0 sh -c \
	'python3 "$1/tools/drec_move.py" "$2" empty.txt 3 &&
	 python3 "$1/tools/drec_reino.py" "$2" empty.txt 2' sh "$TESTS" "$B2"
for opt in readdirplus=no readdirplus=yes; do
	mount_it "--private-dir -o $opt (a file's entry naming the root)" --private-dir \
		-o "$opt" "$B2"
	run_rc T ls -l "$MNT/empty.txt"
	expect_eq "$opt: ls -l empty.txt: an error, not the root" "2 " "$RC $OUT"
	run_rc T find "$MNT"
	expect_eq "$opt: find ends, nothing below the entry" "$MNT $MNT/empty.txt" "$(xargs <<< "$OUT")"
	umount_it "$opt"
done

# `mkimage orphans --per-dir 300`: the layout macOS leaves and apfsck checks (testdata/README.md
# "orphans"; tests/cli/gen_conformance.sh), 304 entries, more than one READDIR buffer, in each
# mode: every one found, each file's bytes as the table gives them, the freed blocks as zeros.
O=$WORK/orphans.img
expect_rc "mkimage orphans --per-dir 300" 0 "$MKIMAGE" orphans "$O" --per-dir 300
python3 -c 'import sys
t = b"".join(b"partial %06u\n" % i for i in range(1400))
open(sys.argv[1], "wb").write(bytes(8192) + t[8192:])' "$WORK/partial.now"
for opt in readdirplus=no readdirplus=auto readdirplus=yes; do
	mount_it "--private-dir -o $opt (mkimage orphans)" --private-dir -o "$opt" "$O"
	expect_eq "$opt: find: the root and 304 entries" 305 "$(T find "$MNT" | wc -l)"
	expect_eq "$opt: the four named in the table, a directory among them" \
		"0x19-dead|25|0|regular file 0x1a-dead|26|0|regular file 0x1b-dead|27|2|directory \
0x1d-dead|29|0|regular file" "$(cd "$MNT" && T stat -c '%n|%i|%h|%F' 0x19-dead 0x1a-dead \
		0x1b-dead 0x1d-dead | xargs -d '\n')"
	expect_eq "$opt: 0x19-dead: /gone.txt's bytes" "deleted while still open" \
		"$(T cat "$MNT/0x19-dead")"
	check "$opt: 0x1a-dead: zeros where its extents are freed, then /dir/partial.txt's" \
		T cmp -s "$WORK/partial.now" "$MNT/0x1a-dead"
	expect_eq "$opt: 0x149-dead (o00299.txt): its line" "orphan 00299" \
		"$(T cat "$MNT/0x149-dead")"
	expect_eq "$opt: 300 files of one line each" 300 \
		"$(T find "$MNT" -name '0x*-dead' -size 13c | wc -l)"
	umount_it "$opt"
done
# The mount cannot tell a reader which bytes are not on disk; the daemon says it where it logs
# (here -f: stderr), at the first open, naming the inode, once however often it is opened
# (fuse/unstored.c).  The sound orphan draws no word.
"$BIN" mount -f --private-dir "$O" "$MNT" 2> "$WORK/daemon.err" &
DAEMON=$!
for _ in $(seq 100); do mountpoint -q "$MNT" && break; sleep 0.1; done
check "mount -f --private-dir: up" mountpoint -q "$MNT"
T cat "$MNT/0x19-dead" "$MNT/0x1a-dead" > /dev/null
for _ in 1 2 3; do T head -c 1 "$MNT/0x1a-dead" > /dev/null; done
umount_it "-f"
for _ in $(seq 100); do kill -0 "$DAEMON" 2> /dev/null || break; sleep 0.1; done
kill "$DAEMON" 2> /dev/null
wait "$DAEMON"
expect_eq "... the daemon's one word, for four opens: inode 26, 8192 of its 21000 bytes" \
	"apfsinspect: warning: inode 26: 8192 of its 21000 bytes are not on disk (deleted while \
open: macOS frees its extents as it deletes it): they read as zeros" "$(grep 'not on disk' \
	"$WORK/daemon.err")"
rm -f "$O"

# What is reached from the private directory is a tree (apfs/fs_private.c): of a directory, its
# one entry there is followed, and only while no entry of a tree names it; the private
# directory itself is no directory's child.  The layouts of tests/cli/orphans.sh and
# tests/cli/private_dir.sh, through the mount: ELOOP where the CLI says "not followed".
O=$WORK/orphans.img
expect_rc "mkimage orphans" 0 "$MKIMAGE" orphans "$O"
cp "$O" "$WORK/dup.img"
expect_rc "0x19-dead made a second entry of olddir (27)" 0 sh -c \
	'python3 "$1/tools/drec_reino.py" "$2" 0x19-dead 27 &&
	 python3 "$1/tools/drec_retype.py" "$2" 0x19-dead 4' sh "$TESTS" "$WORK/dup.img"
mount_it "--private-dir (olddir named twice)" --private-dir "$WORK/dup.img"
run_rc T ls "$MNT/0x19-dead"
expect_eq "... the second entry refused as a loop" \
	"2 ls: cannot access '$MNT/0x19-dead': Too many levels of symbolic links" "$RC $ERR"
expect_rc "... 0x1b-dead, its one entry, entered" 0 T ls "$MNT/0x1b-dead"
umount_it "olddir named twice"
cp "$O" "$WORK/live.img"
expect_rc "/link made olddir (27), its inode saying so" 0 sh -c \
	'python3 "$1/tools/drec_reino.py" "$2" link 27 &&
	 python3 "$1/tools/drec_retype.py" "$2" link 4 &&
	 python3 "$1/tools/inode_field.py" "$2" 27 parent_id 2 &&
	 python3 "$1/tools/inode_name.py" "$2" 27 link' sh "$TESTS" "$WORK/live.img"
mount_it "--private-dir (olddir in the tree again)" --private-dir "$WORK/live.img"
run_rc T ls "$MNT/0x1b-dead"
expect_eq "... its entry there refused as a loop" \
	"2 ls: cannot access '$MNT/0x1b-dead': Too many levels of symbolic links" "$RC $ERR"
umount_it "olddir in the tree again"
cp "$O" "$WORK/anon.img"
expect_rc "olddir's inode with no name, 0x19-dead naming /dir (typed a file)" 0 sh -c \
	'python3 "$1/tools/inode_name.py" "$2" 27 "" &&
	 python3 "$1/tools/drec_reino.py" "$2" 0x19-dead 17' sh "$TESTS" "$WORK/anon.img"
mount_it "--private-dir (olddir nameless, 0x19-dead naming /dir)" --private-dir "$WORK/anon.img"
run_rc T ls -d "$MNT/0x1b-dead" "$MNT/0x19-dead"
expect_eq "... both refused as loops" "2 ls: cannot access '$MNT/0x1b-dead': Too many levels of \
symbolic links
ls: cannot access '$MNT/0x19-dead': Too many levels of symbolic links" "$RC $ERR"
run_rc T find "$MNT"
expect_eq "... find: nothing of /dir's tree" "" "$(grep -e nested -e deep <<< "$OUT")"
umount_it "olddir nameless"
cp "$WORK/basic.sound" "$B2"
expect_rc "/dir/sub made to name 3, 3's inode saying so" 0 sh -c \
	'python3 "$1/tools/drec_reino.py" "$2" sub 3 &&
	 python3 "$1/tools/inode_field.py" "$2" 3 parent_id 17 &&
	 python3 "$1/tools/inode_name.py" "$2" 3 sub' sh "$TESTS" "$B2"
mount_it "(the root; /dir/sub naming the private directory)" "$B2"
run_rc T ls "$MNT/dir/sub"
expect_eq "... /dir/sub refused as a loop" \
	"2 ls: cannot access '$MNT/dir/sub': Too many levels of symbolic links" "$RC $ERR"
run_rc T find "$MNT"
expect_eq "... find ends, with nothing below /dir/sub" "1 " \
	"$RC $(grep "^$MNT/dir/sub/" <<< "$OUT")"
umount_it "/dir/sub naming 3"
rm -f "$O" "$WORK/dup.img" "$WORK/live.img" "$WORK/anon.img"

# A volume group's merged root joins two volumes, each with its own private directory.
G=$WORK/group.img
expect_rc "mkimage group-firmlinks" 0 "$MKIMAGE" group-firmlinks "$G"
expect_rc "mount --private-dir --volume group: a usage error" 2 timeout 60 "$BIN" mount \
	--private-dir --volume group "$G" "$MNT"
expect_grep "... saying which to give" "give --no-firmlinks .* or --volume" "$ERR"
check "... nothing mounted" sh -c '! mountpoint -q "$1"' sh "$MNT"
mount_it "--private-dir --volume group --no-firmlinks: the System volume's" --private-dir \
	--volume group --no-firmlinks "$G"
expect_eq "... which holds nothing" "" "$(T ls -A "$MNT")"
umount_it "group --no-firmlinks"
rm -f "$G"
done_testing
