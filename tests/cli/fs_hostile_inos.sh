#!/usr/bin/env bash
# fs_hostile_inos.sh - a directory record whose file id names no inode: 0 and 1
# (no object has them), the highest a key holds (2^60 - 1: none either), and
# numbers past those 60 bits (2^60 itself; bits 60, 62 and 63 set on 0x11),
# which a reader that masks them reads as inode 17 (/dir: the entry would show
# another file's attributes, and exit 0).  Each is forged into /empty.txt of
# `mkimage basic` (testdata/README.md: the small tree and /hardlink-a.txt, so
# the root holds Café.txt, dir, empty.txt, hardlink-a.txt, hello.txt, link and
# multi.bin) by tests/tools/drec_reino.py.  Every command must list the other
# six, name /empty.txt (and the number) as damaged and exit 1.
# The same for an inode's private id, the number of its data stream:
# /hello.txt's (13 bytes, "hello, world\n"; /dir/nested.txt holds "nested\n")
# forged by tests/tools/inode_restream.py past 60 bits, which a reader that
# masks it reads as no extents, 13 zero bytes, exit 0.
# And a directory's DIR_STATS_KEY field (`mkimage dir-stats`: /dir's names its
# DIR_STATS record, testdata/README.md) set to 2^60 + 0x1c by
# tests/tools/inode_xfield.py, which a reader that masks it takes for the
# record, exit 0.
. "$(dirname "$0")/../lib.sh"

expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$WORK/basic.img"
OTHERS="Café.txt dir hardlink-a.txt hello.txt link multi.bin"

# run WHAT CMD...: exit 1, the output and the error saved
run() {
	local what=$1
	shift
	expect_rc "$what: exit 1" 1 sh -c '"$@" > "$0.out" 2> "$0.err"' "$WORK/r" "$@"
}

for ino in 0 1 0x0fffffffffffffff 0x1000000000000000 0x1000000000000011 0x4000000000000011 \
	0x8000000000000011; do
	cp "$WORK/basic.img" "$WORK/h.img"
	python3 "$TESTS/tools/drec_reino.py" "$WORK/h.img" empty.txt "$ino"
	case $ino in
	0 | 1 | 0x0fffffffffffffff) why="No such file or directory" ;;  # in range, no inode
	*) why="inode number $ino is past the 60 bits of an object id" ;;
	esac
	run "file id $ino: ls -l" "$BIN" ls -l "$WORK/h.img" /
	names=$(awk '$1 ~ /^l/ { print $(NF - 2); next } { print $NF }' "$WORK/r.out" | tr '\n' ' ')
	expect_eq "file id $ino: ls -l lists the other six" "$OTHERS " "$names"
	expect_grep "file id $ino: ls -l names the entry" "/empty.txt" "$(cat "$WORK/r.err")"
	expect_grep "file id $ino: ls -l says why" "$why" "$(cat "$WORK/r.err")"
	run "file id $ino: bodyfile" "$BIN" bodyfile "$WORK/h.img"
	expect_eq "file id $ino: bodyfile: no line for /empty.txt" 0 \
		"$(grep -c '|/empty.txt|' "$WORK/r.out")"
	expect_eq "file id $ino: bodyfile: /hello.txt on its own inode" 1 \
		"$(grep -c '|/hello.txt|' "$WORK/r.out")"
	run "file id $ino: stat" "$BIN" stat "$WORK/h.img" /empty.txt
	expect_grep "file id $ino: stat says why" "$why" "$(cat "$WORK/r.err")"
	run "file id $ino: timeline" "$BIN" timeline "$WORK/h.img"
	expect_eq "file id $ino: timeline: no line for /empty.txt" 0 \
		"$(grep -c '^"/empty.txt"' "$WORK/r.out")"
done

for sid in 0x1000000000000000 0x1000000000000010 0x8000000000000010; do
	cp "$WORK/basic.img" "$WORK/h.img"
	python3 "$TESTS/tools/inode_restream.py" "$WORK/h.img" hello.txt "$sid"
	why="data stream number $sid is past the 60 bits of an object id"
	run "private id $sid: cat" "$BIN" cat "$WORK/h.img" /hello.txt
	expect_eq "private id $sid: cat writes nothing" 0 "$(wc -c < "$WORK/r.out")"
	expect_grep "private id $sid: cat says why" "$why" "$(cat "$WORK/r.err")"
	rm -rf "$WORK/x"
	run "private id $sid: extract" "$BIN" extract "$WORK/h.img" / "$WORK/x"
	expect_grep "private id $sid: extract names the file" "hello.txt" "$(cat "$WORK/r.err")"
	expect_grep "private id $sid: extract says why" "$why" "$(cat "$WORK/r.err")"
	expect_eq "private id $sid: extract copies the others" "nested" \
		"$(cat "$WORK/x/root/dir/nested.txt" 2>/dev/null || echo missing)"
done

expect_rc "mkimage dir-stats" 0 "$MKIMAGE" dir-stats "$WORK/ds.img"
python3 "$TESTS/tools/inode_xfield.py" "$WORK/ds.img" dir 10 0x100000000000001c
run "DIR_STATS_KEY past 60 bits: stat" "$BIN" stat "$WORK/ds.img" /dir
expect_grep "DIR_STATS_KEY past 60 bits: stat says why" \
	"directory-stats number 0x100000000000001c is past the 60 bits" "$(cat "$WORK/r.err")"
done_testing
