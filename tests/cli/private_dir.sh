#!/usr/bin/env bash
# private_dir.sh - --private-dir: the volume's private directory (inode 3), which no path
# from the root reaches, read by ls, stat, cat, xattr, extract, bodyfile and timeline.
# macOS moves there the entry of a file deleted while still open (an orphan, kept until its
# last close): link count 0, its inode's parent_id and name left as they were (apfsck
# dir.c, inode.c: "the reported parent id is not updated when orphaned").  The generator
# makes none: tests/tools/drec_move.py moves an entry into 3 (keeping its name; a real
# one is 0xINODE-dead) and inode_field.py sets its link count.  Expected values from
# testdata/README.md: `snapshot` (/keep.txt = "kept\n", inode 17; /a.txt, /new.txt) and the
# small tree of `basic` (/dir/sub/deep.txt = "deep\n").
. "$(dirname "$0")/../lib.sh"

IMG=$WORK/orphan.img
expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$IMG"
expect_rc "a sound volume: ls --private-dir: exit 0" 0 "$BIN" ls --private-dir "$IMG"
expect_eq "... its private directory holds nothing" "" "$OUT"

expect_rc "drec_move.py: /keep.txt's entry into the private directory" 0 python3 \
	"$TESTS/tools/drec_move.py" "$IMG" keep.txt 3
expect_rc "inode_field.py: its link count 0" 0 python3 "$TESTS/tools/inode_field.py" "$IMG" 17 \
	nchildren 0
expect_rc "ls: exit 0" 0 "$BIN" ls "$IMG"
expect_eq "... / no longer lists keep.txt" "$(printf 'a.txt\nnew.txt')" "$OUT"
expect_rc "ls --private-dir: exit 0" 0 "$BIN" ls --private-dir "$IMG"
expect_eq "... lists the orphan" "keep.txt" "$OUT"
expect_rc "ls -l --private-dir" 0 "$BIN" ls -l --private-dir "$IMG"
expect_grep "... its link count 0, its 5 bytes" '^-rw-r--r-- +0 +[0-9]+ +[0-9]+ +5 .* keep\.txt$' \
	"$OUT"
expect_rc "ls --private-dir --snapshot before: exit 0" 0 "$BIN" ls --private-dir \
	--snapshot before "$IMG"
expect_eq "... the snapshot's private directory holds nothing" "" "$OUT"

expect_rc "ls --json --private-dir" 0 "$BIN" ls --json --private-dir "$IMG"
expect_eq "... the directory's path and the orphan's: no leading '/'" \
	"private-dir private-dir/keep.txt 17 0" "$(python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["path"], *(str(e[k]) for e in d["entries"] for k in ("path", "inode", "nlink")))' \
	<<< "$OUT")"

for p in keep.txt /keep.txt ./keep.txt //keep.txt/ private-dir/keep.txt; do
	expect_rc "cat --private-dir $p" 0 "$BIN" cat --private-dir "$IMG" "$p"
	expect_eq "... its content, as testdata/README.md says" "kept" "$OUT"
done
expect_rc "cat keep.txt (from the root): no such file" 1 "$BIN" cat "$IMG" /keep.txt
expect_rc "cat --private-dir a.txt: no such file there" 1 "$BIN" cat --private-dir "$IMG" a.txt
expect_grep "... named by its written path" "private-dir/a\.txt" "$ERR"
expect_rc "ls --private-dir ../a.txt: a usage error" 2 "$BIN" ls --private-dir "$IMG" ../a.txt
expect_grep "... saying why" "no '\.\.'" "$ERR"
expect_rc "ls --private-dir of a name of 4,090 bytes: a usage error" 2 "$BIN" ls --private-dir \
	"$IMG" "$(printf 'x%.0s' $(seq 4090))"
expect_grep "... saying why" "longer than 4,095 bytes" "$ERR"
expect_rc "ls --json --private-dir keep.txt (one file)" 0 "$BIN" ls --json --private-dir "$IMG" \
	keep.txt
expect_eq "... its path as written" "private-dir/keep.txt" "$(python3 -c '
import json, sys; print(json.load(sys.stdin)["entries"][0]["path"])' <<< "$OUT")"
expect_rc "ls --json /a.txt (one file, from the root)" 0 "$BIN" ls --json "$IMG" /a.txt
expect_eq "... its path" "/a.txt" "$(python3 -c '
import json, sys; print(json.load(sys.stdin)["entries"][0]["path"])' <<< "$OUT")"
expect_rc "ls --json a.txt (one file, a path without its leading '/')" 0 "$BIN" ls --json \
	"$IMG" a.txt
expect_eq "... its path from the root, as every path of the root's tree is written" \
	"/a.txt /a.txt" "$(python3 -c '
import json, sys; d = json.load(sys.stdin); print(d["path"], d["entries"][0]["path"])' \
	<<< "$OUT")"
expect_rc "ls /a.txt (one file, no attributes asked)" 0 "$BIN" ls "$IMG" /a.txt
expect_eq "... its name" "a.txt" "$OUT"
expect_rc "list --private-dir: refused by name" 2 "$BIN" list --private-dir "$IMG"
expect_grep "... saying so" "option --private-dir does not apply" "$ERR"

expect_rc "stat --private-dir keep.txt" 0 "$BIN" stat --private-dir "$IMG" keep.txt
expect_grep "... its path" "^path: private-dir/keep\.txt$" "$OUT"
expect_grep "... its inode" "^inode: 17$" "$OUT"
expect_grep "... an orphan, and the name its inode keeps" \
	"^orphan: deleted while open; its name before: /keep\.txt$" "$OUT"
expect_rc "stat --json --private-dir keep.txt" 0 "$BIN" stat --json --private-dir "$IMG" keep.txt
expect_eq "... orphan true, its one link the name before" "True ['/keep.txt']" \
	"$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["orphan"], d["links"])' \
	<<< "$OUT")"
expect_rc "stat --json /a.txt" 0 "$BIN" stat --json "$IMG" /a.txt
expect_eq "... orphan false" "False" \
	"$(python3 -c 'import json, sys; print(json.load(sys.stdin)["orphan"])' <<< "$OUT")"
expect_rc "stat --private-dir / (the directory itself)" 0 "$BIN" stat --private-dir "$IMG" /
expect_grep "... inode 3" "^inode: 3$" "$OUT"
expect_eq "... no orphan" "" "$(grep '^orphan' <<< "$OUT")"

expect_rc "bodyfile --private-dir" 0 "$BIN" bodyfile --private-dir "$IMG"
expect_eq "... one line: the orphan's path, inode and size" "private-dir/keep.txt|17|5" \
	"$(cut -d'|' -f2,3,7 <<< "$OUT")"
expect_rc "bodyfile" 0 "$BIN" bodyfile "$IMG"
expect_eq "... from the root: no keep.txt" "" "$(grep keep <<< "$OUT")"
expect_rc "timeline --private-dir" 0 "$BIN" timeline --private-dir "$IMG"
expect_eq "... a header and the orphan" '"private-dir/keep.txt",17' \
	"$(sed -n '2,$p' <<< "$OUT" | cut -d, -f1,2)"
expect_rc "xattr --private-dir keep.txt com.example.none: none" 1 "$BIN" xattr --private-dir \
	"$IMG" keep.txt com.example.none
expect_grep "... named by its written path" "private-dir/keep\.txt" "$ERR"
expect_rc "extract --private-dir / DEST" 0 "$BIN" extract --private-dir "$IMG" / "$WORK/x"
expect_eq "... DEST/private-dir/keep.txt" "kept" "$(cat "$WORK/x/private-dir/keep.txt")"

# An orphan's old directory may be gone: its number stands for its path.
expect_rc "inode_field.py: its parent_id a directory no longer there (999)" 0 python3 \
	"$TESTS/tools/inode_field.py" "$IMG" 17 parent_id 999
expect_rc "stat --private-dir keep.txt: exit 0" 0 "$BIN" stat --private-dir "$IMG" keep.txt
expect_grep "... the name before, under its directory's number" \
	"^orphan: deleted while open; its name before: \(directory 999\)/keep\.txt$" "$OUT"

# An orphan's stream may lack extents (apfsck extents.c: macOS frees them as it deletes the
# file); a read takes a file of link count 0 for one, and its bytes in no extent as a hole.
expect_rc "leaf_drop.py: the orphan's one file extent" 0 python3 "$TESTS/tools/leaf_drop.py" \
	"$IMG" 17 8
expect_rc "cat --private-dir keep.txt: exit 0" 0 sh -c '"$1" cat --private-dir "$2" keep.txt \
	> /dev/null' _ "$BIN" "$IMG"
expect_eq "... its 5 bytes as a hole" "0000000000" \
	"$("$BIN" cat --private-dir "$IMG" keep.txt | od -An -tx1 -v | tr -d ' \n')"

# A directory there (an orphan directory holds nothing on a Mac: apfsck inode.c; here
# /dir/sub keeps deep.txt, so that a path goes through it).  A path lookup takes no
# directory through an entry that is not its own, and an orphan's inode keeps its old
# parent: --private-dir takes the private directory's own entries, and nothing else does.
B2=$WORK/basic.img
expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$B2"
cp "$B2" "$WORK/basic.sound"
expect_rc "drec_move.py: /dir/sub's entry into the private directory" 0 python3 \
	"$TESTS/tools/drec_move.py" "$B2" sub 3
expect_rc "cat --private-dir sub/deep.txt" 0 "$BIN" cat --private-dir "$B2" sub/deep.txt
expect_eq "... its content, as testdata/README.md says" "deep" "$OUT"
expect_eq "... nothing on stderr" "" "$ERR"
expect_rc "ls -R --private-dir" 0 "$BIN" ls -R --private-dir "$B2"
expect_eq "... sub, then its entry under private-dir/sub" \
	"$(printf 'sub\n\nprivate-dir/sub:\ndeep.txt')" "$OUT"
expect_rc "stat --private-dir sub" 0 "$BIN" stat --private-dir "$B2" sub
expect_grep "... its name before" "^orphan: deleted while open; its name before: /dir/sub$" "$OUT"
# sub's inode number, as the inode record the edit below must match gives it
SUB=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["inode"])' \
	<<< "$("$BIN" stat --json --private-dir "$B2" sub)")
expect_rc "inode_field.py: sub's old directory gone (its parent_id 999)" 0 python3 \
	"$TESTS/tools/inode_field.py" "$B2" "$SUB" parent_id 999
expect_rc "stat --json --private-dir sub/deep.txt: exit 0" 0 "$BIN" stat --json --private-dir \
	"$B2" sub/deep.txt
expect_eq "... not an orphan itself; its name under its directory's number" \
	"False ['(directory $SUB)/deep.txt']" \
	"$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["orphan"], d["links"])' \
	<<< "$OUT")"

# Each case below on a fresh copy: drec_move.py keeps a leaf's keys in order for one entry
# moved into a directory, not for two.
# The same entry, its inode's name no longer its name (inode_name.py): neither as macOS names
# an orphan's entry (0x13-dead) nor as its inode does, so not followed.
expect_rc "inode_name.py: sub's inode named 'sux'" 0 python3 "$TESTS/tools/inode_name.py" "$B2" \
	"$SUB" sux
expect_rc "cat --private-dir sub/deep.txt: exit 1" 1 "$BIN" cat --private-dir "$B2" sub/deep.txt
expect_grep "... said so" "'sub', an entry of the private directory naming inode $SUB \(a \
directory, whose one entry there is 0x$(printf %x "$SUB")-dead, as macOS names it, or else the \
name its inode holds\): not followed" "$ERR"

# Below an orphan directory, a walk goes where a lookup goes: deep.txt made to name /dir (17)
# as a directory is no way into the root's tree (whose own walk is not there to see /dir
# twice).
cp "$WORK/basic.sound" "$B2"
expect_rc "sub moved into 3, its deep.txt naming /dir (17) as a directory" 0 sh -c \
	'python3 "$1/tools/drec_move.py" "$2" sub 3 &&
	 python3 "$1/tools/drec_reino.py" "$2" deep.txt 17 &&
	 python3 "$1/tools/drec_retype.py" "$2" deep.txt 4' sh "$TESTS" "$B2"
expect_rc "ls -R --private-dir: exit 1" 1 "$BIN" ls -R --private-dir "$B2"
expect_eq "... sub listed, nothing of /dir below it" "$(printf 'sub\n\nprivate-dir/sub:\ndeep.txt')" \
	"$OUT"
expect_rc "bodyfile --private-dir: exit 1" 1 "$BIN" bodyfile --private-dir "$B2"
expect_eq "... sub and its entry deep.txt, nothing below" "private-dir/sub private-dir/sub/deep.txt" \
	"$(cut -d'|' -f2 <<< "$OUT" | xargs)"
# The same with deep.txt's type left a file's: bodyfile and extract follow an inode's mode, and
# still not into /dir.
cp "$WORK/basic.sound" "$B2"
expect_rc "sub moved into 3, its deep.txt naming /dir (17), typed a file" 0 sh -c \
	'python3 "$1/tools/drec_move.py" "$2" sub 3 &&
	 python3 "$1/tools/drec_reino.py" "$2" deep.txt 17' sh "$TESTS" "$B2"
expect_rc "bodyfile --private-dir: exit 1" 1 "$BIN" bodyfile --private-dir "$B2"
expect_eq "... nothing below sub/deep.txt" "private-dir/sub private-dir/sub/deep.txt" \
	"$(cut -d'|' -f2 <<< "$OUT" | xargs)"
expect_grep "... said why" "^apfsinspect: private-dir/sub/deep\.txt: directory inode 17, listed \
in directory inode $SUB, listed as something other than a directory: not followed$" "$ERR"
# A directory whose inode holds no name (apfsck: every inode holds one): any entry of its
# parent's could pass for its own, so none does, in the root's tree as below an orphan (here
# /dir/nested.txt made to name /dir/sub too: one directory under two names otherwise).
cp "$WORK/basic.sound" "$B2"
expect_rc "/dir/sub's inode with no name, /dir/nested.txt naming it as a directory" 0 sh -c \
	'python3 "$1/tools/inode_name.py" "$2" "$3" "" &&
	 python3 "$1/tools/drec_reino.py" "$2" nested.txt "$3" &&
	 python3 "$1/tools/drec_retype.py" "$2" nested.txt 4' sh "$TESTS" "$B2" "$SUB"
for p in /dir/sub /dir/nested.txt; do
	expect_rc "ls $p: exit 1" 1 "$BIN" ls "$B2" "$p"
	expect_grep "... said why" "directory inode $SUB, listed in directory inode 17 as \
'${p##*/}', holds no name, so its own entry cannot be told: not followed" "$ERR"
done
# An orphan directory whose own entry is in the private directory (its parent id 3, against
# apfsck): entered there once, as a tree allows.
cp "$WORK/basic.sound" "$B2"
expect_rc "sub moved into 3, its parent id 3" 0 sh -c \
	'python3 "$1/tools/drec_move.py" "$2" sub 3 &&
	 python3 "$1/tools/inode_field.py" "$2" "$3" parent_id 3' sh "$TESTS" "$B2" "$SUB"
expect_rc "ls -R --private-dir: exit 0" 0 "$BIN" ls -R --private-dir "$B2"
expect_eq "... sub and its deep.txt" "$(printf 'sub\n\nprivate-dir/sub:\ndeep.txt')" "$OUT"

cp "$WORK/basic.sound" "$B2"
expect_rc "drec_move.py: /dir/nested.txt's entry into the private directory" 0 python3 \
	"$TESTS/tools/drec_move.py" "$B2" nested.txt 3
expect_rc "stat --private-dir nested.txt" 0 "$BIN" stat --private-dir "$B2" nested.txt
expect_grep "... its name before: its inode's, in its old directory" \
	"^orphan: deleted while open; its name before: /dir/nested\.txt$" "$OUT"
cp "$WORK/basic.sound" "$B2"
expect_rc "drec_move.py: /empty.txt's entry into the private directory" 0 python3 \
	"$TESTS/tools/drec_move.py" "$B2" empty.txt 3
expect_rc "drec_reino.py: that entry naming the root (2)" 0 python3 \
	"$TESTS/tools/drec_reino.py" "$B2" empty.txt 2
expect_rc "ls --private-dir empty.txt: the root not entered from there" 1 "$BIN" ls \
	--private-dir "$B2" empty.txt
expect_grep "... said so" "'empty\.txt', an entry of the private directory naming inode 2 \
\(the root\): not followed" "$ERR"
expect_grep "... and which PATH" "private-dir/empty\.txt: not followed" "$ERR"

# An entry there naming the root, as a directory: no walk enters the root as a child.
cp "$WORK/basic.sound" "$B2"
expect_rc "drec_move.py: /dir/sub's entry into the private directory" 0 python3 \
	"$TESTS/tools/drec_move.py" "$B2" sub 3
expect_rc "drec_reino.py: that entry naming the root (2)" 0 python3 \
	"$TESTS/tools/drec_reino.py" "$B2" sub 2
expect_rc "bodyfile --private-dir: exit 1" 1 "$BIN" bodyfile --private-dir "$B2"
expect_eq "... the entry's line alone, nothing of the root's tree below it" "private-dir/sub" \
	"$(cut -d'|' -f2 <<< "$OUT")"
expect_grep "... the root not followed, said so" \
	"private-dir/sub: the root \(inode 2\), listed in directory inode 3: not followed" "$ERR"
expect_rc "ls -R --private-dir: exit 1" 1 "$BIN" ls -R --private-dir "$B2"
expect_eq "... the entry alone" "sub" "$OUT"
expect_rc "timeline --private-dir: exit 1" 1 "$BIN" timeline --private-dir "$B2"
expect_eq "... a header and the entry's line alone" '"private-dir/sub"' \
	"$(sed -n '2,$p' <<< "$OUT" | cut -d, -f1)"
expect_rc "extract --private-dir / DEST: exit 1" 1 "$BIN" extract --private-dir "$B2" / \
	"$WORK/x2"
expect_eq "... nothing of the root's tree copied" "" "$(find "$WORK/x2" -type f)"

# The private directory is no directory's child (its parent is 1, as the root's), whatever an
# entry and its own inode say: /dir/sub's entry made to name it, its inode's parent and name
# forged to match (tests/tools/inode_name.py).  Before, a path and a walk from the root went
# in, and through entries of its own, round again.
cp "$WORK/basic.sound" "$B2"
expect_rc "drec_reino.py + inode_field.py + inode_name.py: /dir/sub naming 3, 3's inode saying so" \
	0 sh -c 'python3 "$1/tools/drec_reino.py" "$2" sub 3 &&
		python3 "$1/tools/inode_field.py" "$2" 3 parent_id 17 &&
		python3 "$1/tools/inode_name.py" "$2" 3 sub' sh "$TESTS" "$B2"
expect_rc "ls /dir/sub: exit 1" 1 "$BIN" ls "$B2" /dir/sub
expect_grep "... said so" "the private directory \(inode 3\) is listed in directory inode 17 as \
'sub': not followed" "$ERR"
expect_rc "ls -R /: exit 1" 1 "$BIN" ls -R "$B2" /
expect_grep "... the walk not in it" "^apfsinspect: /dir/sub: the private directory \(inode 3\), \
listed in directory inode 17: not followed$" "$ERR"
expect_eq "... nothing listed below /dir/sub" "" "$(grep -x '/dir/sub:' <<< "$OUT")"

# A volume group's merged root joins two volumes' trees, each with a private directory.
G=$WORK/group.img
expect_rc "mkimage group-firmlinks" 0 "$MKIMAGE" group-firmlinks "$G"
expect_rc "ls --private-dir --volume group: a usage error" 2 "$BIN" ls --private-dir \
	--volume group "$G"
expect_grep "... saying which to give" "give --no-firmlinks .* or --volume" "$ERR"
expect_rc "ls --private-dir --volume group --no-firmlinks: the System volume's" 0 "$BIN" ls \
	--private-dir --volume group --no-firmlinks "$G"
expect_eq "... which holds nothing" "" "$OUT"
rm -f "$G"
done_testing
