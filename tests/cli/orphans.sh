#!/usr/bin/env bash
# orphans.sh - `mkimage orphans`: files deleted while still open, kept in the
# private directory as macOS keeps them (testdata/README.md "orphans", the
# layout apfsck checks: tests/cli/gen_conformance.sh), read by every command
# that takes --private-dir.  Expected values from that table; the bytes of
# the orphan whose leading extents are freed also from TSK's icat, which
# lists the private directory (fls) and reads that file as we do.  Then
# `orphans-misnamed` (the bound on the search for an entry not named as
# macOS names it) and `orphans-snapshot` (diff of orphans between views).
. "$(dirname "$0")/../lib.sh"

IMG=$WORK/orphans.img
expect_rc "mkimage orphans" 0 "$MKIMAGE" orphans "$IMG"
GONE=$'deleted while still open\n'
HERE=$'its directory is gone\n'
# /dir/partial.txt as it was written (testdata/README.md), and as the volume holds it now:
# its first two 4 KiB blocks freed.
python3 -c 'import sys
t = b"".join(b"partial %06u\n" % i for i in range(1400))
open(sys.argv[1], "wb").write(t)
open(sys.argv[2], "wb").write(bytes(8192) + t[8192:])' "$WORK/partial.txt" "$WORK/partial.now"

expect_rc "ls --private-dir" 0 "$BIN" ls --private-dir "$IMG"
expect_eq "... the four orphans, each 0xINODE-dead" \
	"0x19-dead 0x1a-dead 0x1b-dead 0x1d-dead" "$(xargs <<< "$OUT")"
expect_rc "ls /" 0 "$BIN" ls "$IMG"
expect_eq "... the small tree (testdata/README.md), no gone.txt" \
	"$(printf '%s\n' Café.txt dir empty.txt hello.txt link multi.bin | LC_ALL=C sort | xargs)" \
	"$(LC_ALL=C sort <<< "$OUT" | xargs)"
expect_rc "ls /dir" 0 "$BIN" ls "$IMG" /dir
expect_eq "... nested.txt and sub: no partial.txt, no olddir" "nested.txt sub" "$(xargs <<< "$OUT")"
expect_rc "list" 0 "$BIN" list "$IMG"
expect_grep "... 6 files and 2 directories: orphans are not counted" \
	"Files / Directories: +6 / 2$" "$OUT"

# stat: each an orphan, with the name its inode keeps.
while IFS='|' read -r e ino before; do
	expect_rc "stat --private-dir $e" 0 "$BIN" stat --private-dir "$IMG" "$e"
	expect_grep "... inode $ino" "^inode: $ino$" "$OUT"
	expect_grep "... its name before: $before" \
		"^orphan: deleted while open; its name before: $(sed 's/[().]/\\&/g' <<< "$before")$" \
		"$OUT"
done <<'EOF'
0x19-dead|25|/gone.txt
0x1a-dead|26|/dir/partial.txt
0x1b-dead|27|/dir/olddir
0x1d-dead|29|(directory 28)/was-here.txt
EOF
expect_rc "stat --json --private-dir 0x19-dead" 0 "$BIN" stat --json --private-dir "$IMG" 0x19-dead
expect_eq "... nlink 0, orphan, 25 bytes, all on disk" "0 True 25 0" "$(python3 -c '
import json, sys; d = json.load(sys.stdin)
print(d["nlink"], d["orphan"], d["size"], d["unstored"])' <<< "$OUT")"
expect_rc "stat --json --private-dir 0x1a-dead" 0 "$BIN" stat --json --private-dir "$IMG" 0x1a-dead
expect_eq "... 21000 bytes, 8192 not on disk, 24576 allocated" "21000 8192 24576" \
	"$(python3 -c 'import json, sys; d = json.load(sys.stdin)
print(d["size"], d["unstored"], d["allocated"])' <<< "$OUT")"

# cat: the bytes the table gives; the freed blocks read as zeros, and are said to be.
expect_eq "cat 0x19-dead: /gone.txt's bytes" "$(printf '%s' "$GONE" | sha256sum)" \
	"$("$BIN" cat --private-dir "$IMG" 0x19-dead | sha256sum)"
expect_eq "cat 0x1d-dead: was-here.txt's bytes" "$(printf '%s' "$HERE" | sha256sum)" \
	"$("$BIN" cat --private-dir "$IMG" 0x1d-dead | sha256sum)"
"$BIN" cat --private-dir "$IMG" 0x1a-dead > "$WORK/cat.bin" 2> "$WORK/cat.err"
expect_eq "cat 0x1a-dead: exit 0" 0 "$?"
check "... zeros, then partial.txt's bytes from 8192 on" cmp -s "$WORK/partial.now" "$WORK/cat.bin"
check "... and not its bytes before 8192 (they are gone)" sh -c \
	'! cmp -s "$1" "$2"' sh "$WORK/partial.txt" "$WORK/cat.bin"
expect_grep "... said on stderr" "^apfsinspect: warning: private-dir/0x1a-dead: 8192 of its \
21000 bytes are not on disk \(deleted while open" "$(cat "$WORK/cat.err")"
expect_rc "cat --private-dir 0x1b-dead: a directory" 1 "$BIN" cat --private-dir "$IMG" 0x1b-dead

if command -v icat > /dev/null && command -v pstat > /dev/null && command -v fls > /dev/null; then
	A=$(pstat "$IMG" 2> /dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
	expect_eq "TSK fls of the private directory (3): the same four entries and inodes" \
		"25:0x19-dead 26:0x1a-dead 27:0x1b-dead 29:0x1d-dead" \
		"$(fls -B "${A:-0}" "$IMG" 3 2> /dev/null | sed 's/^.\/.\s*\([0-9]*\):\s*/\1:/' |
			LC_ALL=C sort | xargs)"
	icat -B "${A:-0}" "$IMG" 26 > "$WORK/tsk.bin" 2> /dev/null
	check "TSK icat of inode 26: the same bytes as cat" cmp -s "$WORK/tsk.bin" "$WORK/cat.bin"
else
	skip "TSK: fls and icat of the orphans" "TSK (fls, icat, pstat) not installed"
	skip "TSK: icat of inode 26" "TSK (fls, icat, pstat) not installed"
fi

# bodyfile and its digests; timeline.
expect_rc "bodyfile --private-dir --md5" 0 "$BIN" bodyfile --private-dir --md5 "$IMG"
expect_eq "... each orphan: path, inode, size, MD5 of the bytes above" \
"$(printf '%s|private-dir/0x19-dead|25|25\n' "$(printf '%s' "$GONE" | md5sum | cut -c1-32)"
printf '%s|private-dir/0x1a-dead|26|21000\n' "$(md5sum < "$WORK/partial.now" | cut -c1-32)"
printf '0|private-dir/0x1b-dead|27|0\n'
printf '%s|private-dir/0x1d-dead|29|22' "$(printf '%s' "$HERE" | md5sum | cut -c1-32)")" \
	"$(cut -d'|' -f1-3,7 <<< "$OUT" | LC_ALL=C sort -t'|' -k2)"
expect_grep "... the freed blocks said" "private-dir/0x1a-dead: 8192 of its 21000 bytes are \
not on disk" "$ERR"
expect_rc "timeline --private-dir" 0 "$BIN" timeline --private-dir "$IMG"
expect_grep "... lists the orphan directory" '^"private-dir/0x1b-dead"' "$(sed 1d <<< "$OUT")"

# extract: copies, the manifest, the facts file's unstored.
D=$WORK/x
expect_rc "extract --private-dir / DEST --manifest" 0 "$BIN" extract --private-dir \
	--manifest "$WORK/m.txt" "$IMG" / "$D"
expect_eq "... the files' bytes, the directory made" "ok ok ok dir" "$( (
	cmp -s "$D/private-dir/0x19-dead" <(printf '%s' "$GONE") && echo ok
	cmp -s "$D/private-dir/0x1a-dead" "$WORK/partial.now" && echo ok
	cmp -s "$D/private-dir/0x1d-dead" <(printf '%s' "$HERE") && echo ok
	[ -d "$D/private-dir/0x1b-dead" ] && echo dir) | xargs)"
expect_eq "... the manifest checks (sha256sum -c)" 0 "$(cd "$D" && sha256sum -c --quiet \
	"$WORK/m.txt" > /dev/null 2>&1; echo $?)"
expect_eq "... the facts file: unstored of each file" "0x19-dead 0 0x1a-dead 8192 0x1d-dead 0" \
	"$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(*(x for f in sorted(d["files"], key=lambda f: f["path"]) if "unstored" in f
	for x in (f["path"].rsplit("/", 1)[-1], f["unstored"])))' "$WORK/m.txt.facts")"

# Of a directory, the private directory's one entry is followed, and only while the directory
# is no longer in a tree (apfs/fs_private.c), so that what is reached from there is a tree.
# A second entry (0x19-dead made to name olddir, 27, as a directory): not followed, 0x1b-dead
# still is.
cp "$IMG" "$WORK/dup.img"
expect_rc "drec_reino.py + drec_retype.py: 0x19-dead naming olddir (27) as a directory" 0 sh -c \
	'python3 "$1/tools/drec_reino.py" "$2" 0x19-dead 27 &&
	 python3 "$1/tools/drec_retype.py" "$2" 0x19-dead 4' sh "$TESTS" "$WORK/dup.img"
expect_rc "ls --private-dir 0x19-dead: exit 1" 1 "$BIN" ls --private-dir "$WORK/dup.img" 0x19-dead
expect_grep "... its one entry there is 0x1b-dead" "'0x19-dead', an entry of the private \
directory naming inode 27 \(a directory, whose one entry there is 0x1b-dead" "$ERR"
expect_rc "ls --private-dir 0x1b-dead: exit 0" 0 "$BIN" ls --private-dir "$WORK/dup.img" 0x1b-dead
# The same under the name its inode holds: was-here.txt's inode (29) named 0x19-dead, that
# entry made to name it as a directory; 0x1d-dead names it too, and is its one entry.
cp "$IMG" "$WORK/dup2.img"
expect_rc "inode_name.py + drec_reino.py + drec_retype.py: 0x19-dead, 29's own name, naming it" \
	0 sh -c 'python3 "$1/tools/inode_name.py" "$2" 29 0x19-dead &&
		python3 "$1/tools/drec_reino.py" "$2" 0x19-dead 29 &&
		python3 "$1/tools/drec_retype.py" "$2" 0x19-dead 4' sh "$TESTS" "$WORK/dup2.img"
expect_rc "ls --private-dir 0x19-dead: exit 1" 1 "$BIN" ls --private-dir "$WORK/dup2.img" 0x19-dead
expect_grep "... its one entry there is 0x1d-dead" "'0x19-dead', an entry of the private \
directory naming inode 29 \(a directory, whose one entry there is 0x1d-dead" "$ERR"
expect_rc "ls -R --private-dir: exit 1" 1 "$BIN" ls -R --private-dir "$WORK/dup.img"
expect_eq "... 0x1b-dead walked, 0x19-dead not" "private-dir/0x1b-dead:" \
	"$(grep '^private-dir/' <<< "$OUT")"
# olddir (27) put back in the tree: /link made to name it as a directory, its inode's parent
# and name saying so (inode_name.py).  Its entry in the private directory is not followed.
cp "$IMG" "$WORK/live.img"
expect_rc "drec_reino.py + drec_retype.py + inode_field.py + inode_name.py: /link is olddir" \
	0 sh -c 'python3 "$1/tools/drec_reino.py" "$2" link 27 &&
		python3 "$1/tools/drec_retype.py" "$2" link 4 &&
		python3 "$1/tools/inode_field.py" "$2" 27 parent_id 2 &&
		python3 "$1/tools/inode_name.py" "$2" 27 link' sh "$TESTS" "$WORK/live.img"
expect_rc "ls /link: a directory of the tree, exit 0" 0 "$BIN" ls "$WORK/live.img" /link
expect_rc "ls --private-dir 0x1b-dead: exit 1" 1 "$BIN" ls --private-dir "$WORK/live.img" 0x1b-dead
expect_grep "... its own entry still names it" "'0x1b-dead', an entry of the private directory \
naming inode 27 \(a directory whose own entry, where its inode says, still names it: no \
orphan\): not followed" "$ERR"
expect_rc "bodyfile --private-dir: exit 1" 1 "$BIN" bodyfile --private-dir "$WORK/live.img"
expect_grep "... its line" "^0\|private-dir/0x1b-dead\|27\|" "$OUT"
# olddir's inode with no name (inode_name.py ""): its own entry cannot be told, and any entry
# of its parent's (/dir, there) would be taken for one: not followed; its parent gone (999),
# nothing can lead into it again: followed.
cp "$IMG" "$WORK/anon.img"
expect_rc "inode_name.py: olddir's inode (27) with no name" 0 python3 \
	"$TESTS/tools/inode_name.py" "$WORK/anon.img" 27 ""
expect_rc "ls --private-dir 0x1b-dead: exit 1" 1 "$BIN" ls --private-dir "$WORK/anon.img" 0x1b-dead
expect_grep "... said why" "naming inode 27 \(a directory whose inode holds no name, so its own \
entry cannot be told, and whose parent is there\): not followed" "$ERR"
expect_rc "inode_field.py: its parent gone (999)" 0 python3 "$TESTS/tools/inode_field.py" \
	"$WORK/anon.img" 27 parent_id 999
expect_rc "ls --private-dir 0x1b-dead: exit 0" 0 "$BIN" ls --private-dir "$WORK/anon.img" 0x1b-dead
# An entry of type file there naming a live directory (0x19-dead naming /dir, 17): the walks
# that follow an inode's mode (bodyfile, extract) do not go into /dir's tree.
cp "$IMG" "$WORK/typed.img"
expect_rc "drec_reino.py: 0x19-dead naming /dir (17), its type left a file's" 0 python3 \
	"$TESTS/tools/drec_reino.py" "$WORK/typed.img" 0x19-dead 17
expect_rc "bodyfile --private-dir: exit 1" 1 "$BIN" bodyfile --private-dir "$WORK/typed.img"
expect_eq "... nothing below 0x19-dead (/dir's nested.txt, sub ...)" "" \
	"$(cut -d'|' -f2 <<< "$OUT" | grep '^private-dir/0x19-dead/')"
expect_rc "extract --private-dir / DEST: exit 1" 1 "$BIN" extract --private-dir \
	"$WORK/typed.img" / "$WORK/typed.x"
expect_eq "... nothing copied below 0x19-dead" "" \
	"$(find "$WORK/typed.x/private-dir/0x19-dead" -mindepth 1 2> /dev/null)"
# Two entries there naming, as directories, an inode that is not there (7: /hello.txt's entry
# moved under it, so that it has records): neither followed, as no directory's entry naming
# nothing is, so one set of records is not reached under two names.
cp "$IMG" "$WORK/none.img"
expect_rc "hello.txt's entry under 7 (no inode); 0x19-dead and 0x1d-dead naming 7 as directories" \
	0 sh -c 'python3 "$1/tools/drec_move.py" "$2" hello.txt 7 &&
		python3 "$1/tools/drec_reino.py" "$2" 0x19-dead 7 &&
		python3 "$1/tools/drec_retype.py" "$2" 0x19-dead 4 &&
		python3 "$1/tools/drec_reino.py" "$2" 0x1d-dead 7 &&
		python3 "$1/tools/drec_retype.py" "$2" 0x1d-dead 4' sh "$TESTS" "$WORK/none.img"
for e in 0x19-dead 0x1d-dead; do
	expect_rc "ls --private-dir $e: exit 1" 1 "$BIN" ls --private-dir "$WORK/none.img" "$e"
	expect_grep "... said why" "'$e', an entry of the private directory naming inode 7 \(a \
directory's entry naming no inode\): not followed" "$ERR"
done
rm -rf "$WORK/dup.img" "$WORK/dup2.img" "$WORK/live.img" "$WORK/anon.img" "$WORK/typed.img" \
	"$WORK/none.img" \
	"$WORK/typed.x"

# --per-dir 300: more entries than the private directory's first read window, each found as an
# orphan by its name (0xINODE-dead), each holding its own line.
M=$WORK/many.img
expect_rc "mkimage orphans --per-dir 300" 0 "$MKIMAGE" orphans "$M" --per-dir 300
expect_rc "ls --private-dir (304 entries)" 0 "$BIN" ls --private-dir "$M"
expect_eq "... 304 names, 0x1e-dead to 0x149-dead (inodes 30-329: o00000.txt-o00299.txt)" \
	"304 1 1" "$(wc -l <<< "$OUT") $(grep -cx 0x1e-dead <<< "$OUT") $(grep -cx 0x149-dead <<< "$OUT")"
expect_rc "stat --private-dir 0x149-dead" 0 "$BIN" stat --private-dir "$M" 0x149-dead
expect_grep "... an orphan, its name before /o00299.txt" \
	"^orphan: deleted while open; its name before: /o00299\.txt$" "$OUT"
expect_eq "cat --private-dir 0x149-dead: its line" "orphan 00299" \
	"$("$BIN" cat --private-dir "$M" 0x149-dead)"
expect_rc "bodyfile --private-dir (304 entries)" 0 "$BIN" bodyfile --private-dir "$M"
expect_eq "... 304 lines, 300 of 13 bytes" "304 300" \
	"$(wc -l <<< "$OUT") $(cut -d'|' -f7 <<< "$OUT" | grep -cx 13)"

# orphans-misnamed (hostile): 300 files of link count 0, each its first block's extent freed,
# whose entries in the private directory are not named 0xINODE-dead (apfsck "wrong name").
# A read looks for such an entry among the directory's first 256 only (apfs/fs_orphan.c;
# README "Hostile images"), in the order its records are stored (tests/tools/dir_order.py,
# which reads the tree itself): those 256 read as orphans (zeros, said), the other 44 as
# damage (exit 1, the gap named), so that an image of many cannot make each open a walk.
X=$WORK/misnamed.img
expect_rc "mkimage orphans-misnamed" 0 "$MKIMAGE" orphans-misnamed "$X"
python3 "$TESTS/tools/dir_order.py" "$X" 3 > "$WORK/order" || notok "dir_order.py"
expect_eq "dir_order.py: 300 entries" 300 "$(wc -l < "$WORK/order")"
expect_rc "extract --private-dir / DEST: exit 1 (the damage)" 1 "$BIN" extract --private-dir "$X" / \
	"$WORK/xm"
warned=$(sed -n 's|^apfsinspect: warning: private-dir/\([^:]*\): 13 of its 13 bytes are not on disk .*|\1|p' \
	<<< "$ERR" | LC_ALL=C sort)
damaged=$(sed -n 's|^apfsinspect: private-dir/\([^:]*\): damaged file-system data .*|\1|p' \
	<<< "$ERR" | LC_ALL=C sort)
expect_eq "... the first 256 in stored order read as orphans (zeros, said)" \
	"$(head -256 "$WORK/order" | LC_ALL=C sort)" "$warned"
expect_eq "... the other 44 as damage" "$(tail -n +257 "$WORK/order" | LC_ALL=C sort)" "$damaged"
expect_eq "... each orphan's copy: 13 zeros" "256" "$(cd "$WORK/xm/private-dir" &&
	for e in $warned; do cmp -s "$e" <(head -c 13 /dev/zero) && echo; done | wc -l)"
rm -f "$X"

# orphans-snapshot: orphans at snapshot `before` and live (testdata/README.md's table): diff
# shows each under the name it had, with the views where it is one.
S=$WORK/osnap.img
expect_rc "mkimage orphans-snapshot" 0 "$MKIMAGE" orphans-snapshot "$S"
expect_eq "ls --private-dir --snapshot before: closed.log's and open.log's entries" \
	"0x10-dead 0x11-dead" "$("$BIN" ls --private-dir --snapshot before "$S" | xargs)"
expect_eq "ls --private-dir (live): open.log's and later.txt's" "0x11-dead 0x12-dead" \
	"$("$BIN" ls --private-dir "$S" | xargs)"
expect_rc "diff --live before" 0 "$BIN" diff --live "$S" before
expect_eq "... closed.log gone (an orphan before), open.log grown (one in both), later.txt \
deleted while open (one after), the root one child less" \
	"$(printf '%s\n' "D file /closed.log (orphan:before)" \
		"M nlink /" \
		"M nlink /later.txt (orphan:after)" \
		"M size,content /open.log (orphan:before,after)")" "$(LC_ALL=C sort <<< "$OUT")"
expect_rc "diff --json --live before" 0 "$BIN" diff --json --live "$S" before
expect_eq "... orphan, inode and sizes of each line" \
	"/ 2 None 3 2|/closed.log 16 before 13 -|/later.txt 18 after 14 14|/open.log 17 before,after 7 14" \
	"$(python3 -c 'import json, sys
rows = []
for l in sys.stdin:
    o = json.loads(l)
    b, a = o.get("before"), o.get("after")
    big = lambda s: "-" if s is None else (s["nlink"] if o["path"] == "/" else s["size"])
    rows.append("%s %d %s %s %s" % (o["path"], o["inode"], o["orphan"], big(b), big(a)))
print("|".join(sorted(rows)))' <<< "$OUT")"
expect_eq "cat --private-dir --snapshot before 0x11-dead: open.log then" "line 1" \
	"$("$BIN" cat --private-dir --snapshot before "$S" 0x11-dead)"
expect_eq "cat --private-dir 0x11-dead: open.log now" "$(printf 'line 1\nline 2')" \
	"$("$BIN" cat --private-dir "$S" 0x11-dead)"
rm -f "$IMG" "$M" "$S"
done_testing
