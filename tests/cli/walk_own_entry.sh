#!/usr/bin/env bash
# walk_own_entry.sh - a walk from the root enters a directory through its
# own entry (apfs/fs_path.c: the entry in the directory its inode names as
# parent, under the name its inode holds), and through another only where
# its own is not there to be met (apfsi_fs_dir_entered).  Before, a walk
# entered a directory at its first sight: an entry forged earlier in the
# walk showed the real subtree under a name not its own (bodyfile:
# /dir/nested.txt/deep.txt), and the real entry was refused as "listed
# twice".  On `mkimage basic` (testdata/README.md, the small tree: /dir
# holds nested.txt, sub and hardlink-b.txt; /dir/sub holds deep.txt) the
# entries /dir/nested.txt and then /Café.txt, both walked before /dir/sub,
# are made to name /dir/sub as a directory (tests/tools/drec_reino.py,
# drec_retype.py).  Every walk (ls -R sorted, long and unsorted, bodyfile,
# timeline, extract, extract --tar) must show deep.txt under /dir/sub only,
# refuse the forged entry with its path, naming its own, and exit 1; an
# entry naming a directory walked already keeps its message ("listed
# twice").  A directory whose inode's parent or name is damaged (no entry
# is its own) is still walked through its one entry, with a warning, exit
# 0: no subtree is hidden by one damaged field.  A walk from a PATH whose
# entry is a file's but names a directory is refused, as the mount
# refuses it.  The sound image: exit 0, nothing on stderr.
. "$(dirname "$0")/../lib.sh"

expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$WORK/sound.img"
run_rc "$BIN" stat --json "$WORK/sound.img" /dir
DIR=$(sed -n 's/^ *"inode": \([0-9]*\),*$/\1/p' <<< "$OUT" | head -1)
run_rc "$BIN" stat --json "$WORK/sound.img" /dir/sub
SUB=$(sed -n 's/^ *"inode": \([0-9]*\),*$/\1/p' <<< "$OUT" | head -1)
check "the inodes of /dir and /dir/sub ($DIR, $SUB)" [ -n "$DIR" ] && [ -n "$SUB" ]

# walks IMG: each walk's output as paths (DIR/NAME), one a line, into $WORK/NAME.paths, its
# exit status into $WORK/NAME.rc and stderr into $WORK/NAME.err
walks() {
	local img=$1 x=$WORK/x
	"$BIN" ls -R "$img" / > "$WORK/o" 2> "$WORK/ls.err"; echo $? > "$WORK/ls.rc"
	awk '/^$/ { next } /:$/ { d = substr($0, 1, length($0) - 1); next }
		{ print (d == "" || d == "/" ? "" : d) "/" $0 }' "$WORK/o" > "$WORK/ls.paths"
	"$BIN" ls -R -U "$img" / > "$WORK/o" 2> "$WORK/lsu.err"; echo $? > "$WORK/lsu.rc"
	awk '/^$/ { next } /:$/ { d = substr($0, 1, length($0) - 1); next }
		{ print (d == "" || d == "/" ? "" : d) "/" $0 }' "$WORK/o" > "$WORK/lsu.paths"
	"$BIN" ls -R -l "$img" / > "$WORK/o" 2> "$WORK/lsl.err"; echo $? > "$WORK/lsl.rc"
	awk '/^$/ { next } /:$/ { d = substr($0, 1, length($0) - 1); next }
		{ print (d == "" || d == "/" ? "" : d) "/" $NF }' "$WORK/o" > "$WORK/lsl.paths"
	"$BIN" bodyfile "$img" > "$WORK/o" 2> "$WORK/bf.err"; echo $? > "$WORK/bf.rc"
	cut -d'|' -f2 "$WORK/o" | sed 's/ -> .*//' > "$WORK/bf.paths"
	"$BIN" timeline "$img" > "$WORK/o" 2> "$WORK/tl.err"; echo $? > "$WORK/tl.rc"
	tail -n +2 "$WORK/o" | cut -d, -f1 | tr -d '"' > "$WORK/tl.paths"
	rm -rf "$x"
	"$BIN" extract "$img" / "$x" > /dev/null 2> "$WORK/ex.err"; echo $? > "$WORK/ex.rc"
	(cd "$x/root" 2>/dev/null && find . -mindepth 1 | sed 's/^\.//') > "$WORK/ex.paths"
	rm -f "$WORK/t.tar"
	"$BIN" extract --tar "$WORK/t.tar" "$img" / > /dev/null 2> "$WORK/tar.err"
	echo $? > "$WORK/tar.rc"
	tar -tf "$WORK/t.tar" 2>/dev/null | sed 's|^root||; s|/$||' | grep . > "$WORK/tar.paths"
	# extract's summary of what the target cannot hold is no failure
	sed -i '/^apfsinspect: extract: the \(target\|archive\) could not hold: /d' "$WORK/ex.err" \
		"$WORK/tar.err"
}
WALKS="ls lsu lsl bf tl ex tar"

walks "$WORK/sound.img"
for w in $WALKS; do
	expect_eq "sound image, $w: exit 0, nothing on stderr" "0 " \
		"$(cat "$WORK/$w.rc") $(cat "$WORK/$w.err")"
	expect_eq "sound image, $w: deep.txt under /dir/sub" "/dir/sub/deep.txt" \
		"$(grep 'deep\.txt' "$WORK/$w.paths")"
done

# forged NAME PARENT_INO: the walks of $F, in which entry NAME of directory inode PARENT names
# /dir/sub.  Whatever the order a walk meets the two entries in, deep.txt is under /dir/sub
# only and the forged entry is the one refused: met first, as not its own (the library's
# message), met after, as a directory listed twice (walkguard.c's, as before).  A sorted
# listing meets it first here, and must say the first.  (extract names paths from root/.)
forged() {
	local name=$1 parent=$2 path=$3 w
	walks "$F"
	for w in $WALKS; do
		expect_eq "$path forged, $w: exit 1" 1 "$(cat "$WORK/$w.rc")"
		expect_eq "... deep.txt under /dir/sub only" "/dir/sub/deep.txt" \
			"$(grep 'deep\.txt' "$WORK/$w.paths")"
		expect_grep "... the forged entry refused" "directory inode $SUB is listed in \
directory inode $parent as '${name//./\\.}', but its own entry is 'sub' in directory inode \
$DIR: not followed|^apfsinspect: (root)?${path//./\\.}: directory inode $SUB, listed in directory \
inode $parent, was already walked under another name" "$(cat "$WORK/$w.err")"
		expect_eq "... named with its path, and nothing else said" "" \
			"$(grep -v "^apfsinspect: \(root\)\?${path//./\\.}: directory inode $SUB" \
			   "$WORK/$w.err")"
		expect_eq "... /dir/sub not refused" "" "$(grep '/dir/sub: ' "$WORK/$w.err")"
	done
	for w in ls lsl; do
		expect_grep "$path forged, $w (sorted: the forged entry first): refused as not its \
own" "as '${name//./\\.}', but its own entry is 'sub'" "$(cat "$WORK/$w.err")"
	done
}

F=$WORK/forged.img
cp "$WORK/sound.img" "$F"
expect_rc "drec_reino.py, drec_retype.py: /dir/nested.txt names /dir/sub, a directory" 0 \
	sh -c 'python3 "$1/tools/drec_reino.py" "$2" nested.txt "$3" &&
	       python3 "$1/tools/drec_retype.py" "$2" nested.txt 4' sh "$TESTS" "$F" "$SUB"
forged nested.txt "$DIR" /dir/nested.txt
# another directory's entry, before /dir in name order
cp "$WORK/sound.img" "$F"
expect_rc "drec_reino.py, drec_retype.py: /Café.txt names /dir/sub, a directory" 0 \
	sh -c 'python3 "$1/tools/drec_reino.py" "$2" Café.txt "$3" &&
	       python3 "$1/tools/drec_retype.py" "$2" Café.txt 4' sh "$TESTS" "$F" "$SUB"
forged Café.txt 2 /Café.txt

# /multi.bin naming /dir/sub: after /dir in every order, a directory listed twice as before
cp "$WORK/sound.img" "$F"
expect_rc "drec_reino.py, drec_retype.py: /multi.bin names /dir/sub, a directory" 0 \
	sh -c 'python3 "$1/tools/drec_reino.py" "$2" multi.bin "$3" &&
	       python3 "$1/tools/drec_retype.py" "$2" multi.bin 4' sh "$TESTS" "$F" "$SUB"
walks "$F"
for w in ls lsl bf; do
	expect_eq "/multi.bin forged, $w: exit 1, deep.txt under /dir/sub only" \
		"1 /dir/sub/deep.txt" "$(cat "$WORK/$w.rc") $(grep 'deep\.txt' "$WORK/$w.paths")"
	expect_grep "... named as before: a directory listed twice" "/multi\.bin: directory inode \
$SUB, listed in directory inode 2, was already walked under another name: a directory listed \
twice, not followed" "$(cat "$WORK/$w.err")"
done

# damaged DESC WHY: the walks of $F, whose /dir/sub inode has a field damaged so that no entry
# is its own: walked through /dir/sub all the same, with one warning, WHY, after its path; exit 0
damaged() {
	local desc=$1 why=$2 w
	walks "$F"
	for w in $WALKS; do
		expect_eq "$desc, $w: exit 0, deep.txt under /dir/sub" "0 /dir/sub/deep.txt" \
			"$(cat "$WORK/$w.rc") $(grep 'deep\.txt' "$WORK/$w.paths")"
		expect_eq "... one warning, with the path: the entry taken, what its inode says" \
			"apfsinspect: warning: $(test $w = ex || test $w = tar && echo root)/dir/sub: \
$why" "$(cat "$WORK/$w.err")"
	done
}
cp "$WORK/sound.img" "$F"
expect_rc "inode_field.py: /dir/sub's parent_id is the root's" 0 \
	python3 "$TESTS/tools/inode_field.py" "$F" "$SUB" parent_id 2
damaged "parent_id 2" "directory inode $SUB is listed in directory inode $DIR as 'sub', but its \
inode names 'sub' in directory inode 2, where no entry names it: entered through this entry \
(its inode's parent or name is damaged)"
cp "$WORK/sound.img" "$F"
expect_rc "inode_name.py: /dir/sub's inode holds the name 'sob'" 0 \
	python3 "$TESTS/tools/inode_name.py" "$F" "$SUB" sob
damaged "name 'sob'" "directory inode $SUB is listed in directory inode $DIR as 'sub', but its \
inode names 'sob' in directory inode $DIR, where no entry names it: entered through this entry \
(its inode's parent or name is damaged)"
cp "$WORK/sound.img" "$F"
expect_rc "inode_name.py: /dir/sub's inode holds no name" 0 \
	python3 "$TESTS/tools/inode_name.py" "$F" "$SUB" ""
damaged "no name" "directory inode $SUB is listed in directory inode $DIR as 'sub', but its inode \
holds no name, so its own entry cannot be told (its parent is directory inode $DIR): entered \
through this entry, the first met"
# a name that differs from its entry's in case only: the volume's search of names takes the two
# for one, so the search for its own entry meets this very entry (found in review: refused, and
# its subtree hidden)
cp "$WORK/sound.img" "$F"
expect_rc "inode_name.py: /dir/sub's inode holds the name 'SUB'" 0 \
	python3 "$TESTS/tools/inode_name.py" "$F" "$SUB" SUB
damaged "name 'SUB'" "directory inode $SUB is listed in directory inode $DIR as 'sub', but its \
inode holds the name 'SUB' (parent directory inode $DIR), which the volume's search of names \
takes for this entry's though the bytes differ: entered through this entry (its inode's name is \
damaged)"
# a path lookup (and so the mount) follows none of these: ls of the path refuses it
run_rc "$BIN" ls "$F" /dir/sub
expect_eq "no name: ls /dir/sub refused (the lookup's rule), exit 1" 1 "$RC"

# A directory's own entry that lies below it (found in review: the directory's whole subtree was
# hidden).  From a tree of names of one length (mkimage from-dir): /xa holds f.txt, y (holding
# deep.txt and an empty directory xb) and y2 (holding q.txt); /zz holds z.txt.  /xa/y/xb is made
# to name /xa, and /xa's inode to name /xa/y as its parent and xb as its name.  Its own entry
# is there, but no walk comes to it except through /xa: /xa is walked through the root's entry
# with a warning, and the entry below refused as a cycle, as before the rule.
mkdir -p "$WORK/src/xa/y/xb" "$WORK/src/xa/y2" "$WORK/src/zz"
for f in xa/f.txt xa/y/deep.txt xa/y2/q.txt zz/z.txt; do echo "$f" > "$WORK/src/$f"; done
expect_rc "mkimage from-dir: /xa, /zz" 0 "$MKIMAGE" from-dir "$F" --dir "$WORK/src"
run_rc "$BIN" stat --json "$F" /xa
XA=$(sed -n 's/^ *"inode": \([0-9]*\),*$/\1/p' <<< "$OUT" | head -1)
run_rc "$BIN" stat --json "$F" /xa/y
Y=$(sed -n 's/^ *"inode": \([0-9]*\),*$/\1/p' <<< "$OUT" | head -1)
expect_rc "drec_reino.py, inode_field.py, inode_name.py: /xa's own entry is /xa/y/xb" 0 \
	sh -c 'python3 "$1/tools/drec_reino.py" "$2" xb "$3" &&
	       python3 "$1/tools/inode_field.py" "$2" "$3" parent_id "$4" &&
	       python3 "$1/tools/inode_name.py" "$2" "$3" xb' sh "$TESTS" "$F" "$XA" "$Y"
walks "$F"
for w in $WALKS; do
	r=$(test $w = ex || test $w = tar && echo root)
	expect_eq "own entry below, $w: exit 1, every file shown" \
		"1 /xa/f.txt /xa/y/deep.txt /xa/y2/q.txt /zz/z.txt" \
		"$(cat "$WORK/$w.rc") $(grep '\.txt$' "$WORK/$w.paths" | sort | xargs)"
	expect_eq "... a warning for /xa, the refusal of the entry below it" \
"apfsinspect: warning: $r/xa: directory inode $XA is listed in directory inode 2 as 'xa', but its \
own entry, 'xb' in directory inode $Y, lies where no walk comes: a directory on its way from the \
root is not named by its own entry, or it lies below this one: entered through this entry (an \
entry, or a parent or name of an inode, is damaged)
apfsinspect: $r/xa/y/xb: directory inode $XA, listed in directory inode $Y, is its own ancestor: \
a directory cycle, not followed" "$(cat "$WORK/$w.err")"
done

# shown DESC PATH WHY: every walk of $F shows deep.txt as PATH only, and warns, with the path
# the walk names it by, WHY (found in the second review: both subtrees were hidden)
shown() {
	local desc=$1 path=$2 why=$3 w r
	walks "$F"
	for w in ${SHOWN_WALKS:-$WALKS}; do
		r=$(test $w = ex || test $w = tar && echo root)
		expect_eq "$desc, $w: deep.txt as $path" "$path" "$(grep 'deep\.txt' "$WORK/$w.paths")"
		expect_eq "... warned once" "apfsinspect: warning: $r${path%/deep.txt}: $why" \
			"$(grep '^apfsinspect: warning: ' "$WORK/$w.err")"
	done
}
# the root's entry 'dir' made to name /dir/sub: sub's own entry is there, in /dir, but no entry
# leads to /dir now, so deep.txt is shown as the one entry naming sub shows it, as before the rule
cp "$WORK/sound.img" "$F"
expect_rc "drec_reino.py: the root's entry 'dir' names /dir/sub" 0 \
	python3 "$TESTS/tools/drec_reino.py" "$F" dir "$SUB"
shown "/dir names /dir/sub" /dir/deep.txt "directory inode $SUB is listed in directory inode 2 as \
'dir', but its own entry, 'sub' in directory inode $DIR, lies where no walk comes: a directory on \
its way from the root is not named by its own entry, or it lies below this one: entered through \
this entry (an entry, or a parent or name of an inode, is damaged)"
for w in ls lsl lsu; do
	expect_eq "... $w: exit 0" 0 "$(cat "$WORK/$w.rc")"
done
# /dir/sub's own entry made a file's, and /dir/nested.txt a directory's naming it: ls enters
# no file's entry, so its own is no way in, and nested.txt is taken, with a warning
cp "$WORK/sound.img" "$F"
expect_rc "drec_retype.py, drec_reino.py: /dir/sub a file's entry, /dir/nested.txt names sub" 0 \
	sh -c 'python3 "$1/tools/drec_retype.py" "$2" sub 8 &&
	       python3 "$1/tools/drec_reino.py" "$2" nested.txt "$3" &&
	       python3 "$1/tools/drec_retype.py" "$2" nested.txt 4' sh "$TESTS" "$F" "$SUB"
shown "/dir/sub a file's entry" /dir/nested.txt/deep.txt "directory inode $SUB is listed in \
directory inode $DIR as 'nested.txt', but its own entry, 'sub' in directory inode $DIR, is not a \
directory's, and no walk enters through it: entered through this entry (an entry's type is \
damaged)"
# the root's entry of /dir made a file's, and /Café.txt (before it) a directory's naming /dir/sub:
# sub's own entry is there, but the way to it from the root goes through a file's entry, which
# ls does not enter, so Café.txt is taken, with a warning
cp "$WORK/sound.img" "$F"
expect_rc "drec_retype.py, drec_reino.py: the root's /dir a file's entry, /Café.txt names sub" 0 \
	sh -c 'python3 "$1/tools/drec_retype.py" "$2" dir 8 &&
	       python3 "$1/tools/drec_reino.py" "$2" Café.txt "$3" &&
	       python3 "$1/tools/drec_retype.py" "$2" Café.txt 4' sh "$TESTS" "$F" "$SUB"
SHOWN_WALKS="ls lsu lsl" shown "/dir a file's entry" /Café.txt/deep.txt "directory inode $SUB is \
listed in directory inode 2 as 'Café.txt', but its own entry, 'sub' in directory inode $DIR, lies \
where no walk comes: a directory on its way from the root is not named by its own entry, or it \
lies below this one: entered through this entry (an entry, or a parent or name of an inode, is \
damaged)"
# the other walks enter a directory by its inode's mode, /dir too, and meet sub's own entry there
for w in bf tl ex tar; do
	expect_eq "... $w (enters /dir by its inode's mode): deep.txt once, under /dir/sub" \
		/dir/sub/deep.txt "$(grep 'deep\.txt' "$WORK/$w.paths")"
done

# Own entries deeper than a walk goes (found in the third review).  From two chains of 200
# directories (/a/n/.../n/hk, /bb/n/.../n/f.txt), /bb's inode made to name the empty /a/.../hk
# as its own entry, so that the second chain hangs 200 deeper; /yy and /yy2 (root files) made
# to name its 60th and 57th directories, whose own entries lie 259 and 256 deep, and /0p the
# 100th of /a's chain, met first.  ls -R stops 256 deep, so neither own entry of the second
# chain is a way in: both are entered through the root's entries, with warnings, and f.txt is
# shown once, under /yy.  Before: /yy2 was refused (the chain checked 256 steps, one more than
# a walk enters below), and /yy too, once /0p's refusal had kept /a's chain in the memo
# without its depth; f.txt was shown nowhere.
rm -rf "$WORK/src" && mkdir -p "$WORK/src"
a=$WORK/src/a b=$WORK/src/bb
for i in $(seq 199); do a=$a/n b=$b/n; done
mkdir -p "$a/hk" "$b" && echo f > "$b/f.txt"
for f in yy yy2 0p; do echo "$f" > "$WORK/src/$f"; done
expect_rc "mkimage from-dir: two chains of 200 directories" 0 "$MKIMAGE" from-dir "$F" --dir "$WORK/src"
ino() { "$BIN" stat --json "$F" "$1" | sed -n 's/^ *"inode": \([0-9]*\),*$/\1/p' | head -1; }
lvl() { local p=$1 i; for i in $(seq $(($2 - 1))); do p=$p/n; done; echo "$p"; }
BB=$(ino /bb) A200=$(ino "$(lvl /a 200)") B56=$(ino "$(lvl /bb 56)") B57=$(ino "$(lvl /bb 57)")
A99=$(ino "$(lvl /a 99)") A100=$(ino "$(lvl /a 100)")
B59=$(ino "$(lvl /bb 59)") B60=$(ino "$(lvl /bb 60)")
expect_rc "drec_reino.py, inode_name.py, inode_field.py, drec_retype.py: /bb hangs below /a's \
chain; /yy, /yy2 and /0p name its 60th and 57th directories and /a's 100th" 0 sh -c '
	python3 "$1/tools/drec_reino.py" "$2" hk "$3" &&
	python3 "$1/tools/inode_name.py" "$2" "$3" hk &&
	python3 "$1/tools/inode_field.py" "$2" "$3" parent_id "$4" &&
	python3 "$1/tools/drec_reino.py" "$2" yy "$5" && python3 "$1/tools/drec_retype.py" "$2" yy 4 &&
	python3 "$1/tools/drec_reino.py" "$2" yy2 "$6" && python3 "$1/tools/drec_retype.py" "$2" yy2 4 &&
	python3 "$1/tools/drec_reino.py" "$2" 0p "$7" && python3 "$1/tools/drec_retype.py" "$2" 0p 4
	' sh "$TESTS" "$F" "$BB" "$A200" "$B60" "$B57" "$A100"
run_rc "$BIN" ls -R "$F" /
expect_eq "own entries too deep: ls -R shows f.txt once, under /yy (140 directories down)" \
	"/yy$(lvl "" 141)" "$(grep -B2 '^f\.txt$' <<< "$OUT" | sed -n 's/:$//p' | tail -1)"
expect_eq "... f.txt once" 1 "$(grep -c '^f\.txt$' <<< "$OUT")"
for e in "yy $B60 $B59" "yy2 $B57 $B56"; do
	set -- $e
	expect_grep "... /$1 entered, with a warning" "^apfsinspect: warning: /$1: directory inode \
$2 is listed in directory inode 2 as '$1', but its own entry, 'n' in directory inode $3, lies \
where no walk comes" "$ERR"
done
expect_grep "... /0p refused: its own entry is there, 99 deep" "^apfsinspect: /0p: directory inode \
$A100 is listed in directory inode 2 as '0p', but its own entry is 'n' in directory inode $A99: \
not followed" "$ERR"

# --json: each refusal's code is directory_not_followed, the warning's "warning" (a code set for
# the message about to be written once went to the one before it: found in review)
cp "$WORK/sound.img" "$F"
python3 "$TESTS/tools/drec_reino.py" "$F" nested.txt "$SUB" > /dev/null &&
	python3 "$TESTS/tools/drec_retype.py" "$F" nested.txt 4 > /dev/null
python3 "$TESTS/tools/inode_name.py" "$F" "$DIR" dir > /dev/null
run_rc "$BIN" ls -R --json "$F" /
expect_eq "ls -R --json, /dir/nested.txt forged: the refusal's code" \
	'"code":"directory_not_followed","message":"/dir/nested.txt: directory inode' \
	"$(grep -o '"code":"[a-z_]*","message":"[^:]*: directory inode' <<< "$ERR")"
"$MKIMAGE" dir-cycle "$WORK/cyc.img" > /dev/null
run_rc "$BIN" bodyfile --json "$WORK/cyc.img"
expect_eq "bodyfile --json of dir-cycle: exit 1, three refusals, each directory_not_followed" \
	"1 3 3" "$RC $(grep -c . <<< "$ERR") $(grep -c '"code":"directory_not_followed"' <<< "$ERR")"

# /dir/nested.txt naming /dir/sub but still a file's entry: no walk starts there (the mount's
# ELOOP); before, timeline and extract showed deep.txt as /dir/nested.txt/deep.txt, exit 0
cp "$WORK/sound.img" "$F"
expect_rc "drec_reino.py: /dir/nested.txt names /dir/sub, its type still a file's" 0 \
	python3 "$TESTS/tools/drec_reino.py" "$F" nested.txt "$SUB"
run_rc "$BIN" timeline "$F" /dir/nested.txt
expect_eq "timeline from /dir/nested.txt: exit 1, no deep.txt" "1 " \
	"$RC $(grep deep <<< "$OUT")"
expect_grep "... refused, named" "^apfsinspect: /dir/nested\.txt: directory inode $SUB is \
listed as something other than a directory: not followed" "$ERR"
rm -rf "$WORK/x"
run_rc "$BIN" extract "$F" /dir/nested.txt "$WORK/x"
expect_eq "extract from /dir/nested.txt: exit 1, nothing made" "1 " \
	"$RC $(cd "$WORK/x" 2>/dev/null && find . -mindepth 1)"
expect_grep "... refused, named" "^apfsinspect: nested\.txt: directory inode $SUB is listed as \
something other than a directory: not followed" "$ERR"
run_rc "$BIN" ls -R "$F" /dir/nested.txt
expect_eq "ls -R of it: the entry, as a file's, exit 0" "0 nested.txt" "$RC $OUT"
done_testing
