#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# bodyfile_byino.sh - bodyfile and ls -U -l over one directory larger than
# any window of names (cli/dirwin.h: at most ~242,000 names of 14 bytes), read in inode
# order from its children's inode records (APFSI_DIR_INODE_ORDER, issue 14:
# each leaf of their inodes read once, where windows read them once a
# window).  Expected values from testdata/README.md `scale --shuffle`:
# directory d00000 (inode 16) holds F files, name j (fGGGGGGGG.txt, G = j)
# on inode 17 + (j M mod F), M the first number from floor(0.618 F) up with
# no common factor with F.  Every name must come once with its inode, in
# rising inode order.  The same image with one inode's primary name forged
# to another file's (tests/tools/inode_rename.py) must not be read so: the
# names are still the directory's own, read by windows (whose order falls
# back at each new window).  timeline needs each entry's date added too, which
# only the directory's records hold: with every record dated apart
# (tests/tools/drec_redate.py: file j at 1,600,000,000 s + j x 1,000,003 ns)
# each file must come with its own date, in inode order and by windows, in
# timeline's lines, extract's facts file and ls -U --json.  The library holds
# 4 MiB of (inode, date) pairs (262,144) and puts more in sorted runs of a
# temporary file (lib/dir_added_runs.c): 300,000 make two runs; timeline is
# run too with 1 MiB (five runs) and with 8 MiB (all in memory).
. "$(dirname "$0")/../lib.sh"

F=300000
IMG=$WORK/flat.img
expect_rc "mkimage scale: one directory of $F files, shuffled" 0 \
	"$MKIMAGE" scale "$IMG" --entries $((F + 1)) --per-dir 100000000 --shuffle --unencrypted

# walk WHAT ORDER FORMAT CMD...: run CMD (the image last), check its listing
# (tests/tools/scale_check.py) read in ORDER.
walk() {
	local what=$1 order=$2 fmt=$3
	shift 3
	expect_rc "$what" 0 sh -c '"$@" > "$0"' "$WORK/out" "$@"
	check "$what: each name once, on the README's inode; order: $order" \
		python3 "$TESTS/tools/scale_check.py" "$fmt" "$WORK/out" "$F" "$order" $DATED
}
DATED=

walk "bodyfile, one directory of $F files" rising body "$BIN" bodyfile "$IMG"
walk "ls -U -l, one directory of $F files" rising ls "$BIN" ls -U -l "$IMG" /d00000
expect_eq "every file's record dated apart" "$F" "$(python3 "$TESTS/tools/drec_redate.py" "$IMG")"
DATED=dated
walk "timeline, one directory of $F files" rising tl "$BIN" timeline "$IMG"
walk "timeline, one directory of $F files, dates in five runs" rising tl \
	env APFSINSPECT_DIR_ADDED_MEMORY=1048576 "$BIN" timeline "$IMG"
walk "timeline, one directory of $F files, dates all in memory" rising tl \
	env APFSINSPECT_DIR_ADDED_MEMORY=8388608 "$BIN" timeline "$IMG"
# no room for the runs' file: the library says NOMEM, and timeline reads windows instead
walk "timeline, one directory of $F files, no temporary file to be had" windows tl \
	env TMPDIR=/nonexistent/apfsinspect-test "$BIN" timeline "$IMG"
walk "ls -U --json, one directory of $F files, no temporary file to be had" windows facts \
	env TMPDIR=/nonexistent/apfsinspect-test "$BIN" ls -U --json "$IMG" /d00000
# extract's facts file keeps the dates added the archive cannot (exit 0: it says so)
expect_rc "extract --tar, one directory of $F files" 0 sh -c \
	'"$1" extract --tar - --manifest "$3/m.txt" "$2" / > /dev/null 2> "$3/err"' _ \
	"$BIN" "$IMG" "$WORK"
check "extract --tar: its facts file: each name once, on the README's inode, its own date" \
	python3 "$TESTS/tools/scale_check.py" facts "$WORK/m.txt.facts" "$F" rising dated
rm -f "$WORK/m.txt" "$WORK/m.txt.facts"
# ls -U --json too, each date its own
walk "ls -U --json, one directory of $F files" rising facts "$BIN" ls -U --json "$IMG" /d00000
DATED=
python3 "$TESTS/tools/inode_rename.py" "$IMG" f00000005.txt f00000006.txt
walk "bodyfile, one inode's name forged" windows body "$BIN" bodyfile "$IMG"
walk "ls -U -l, one inode's name forged" windows ls "$BIN" ls -U -l "$IMG" /d00000
DATED=dated
walk "timeline, one inode's name forged" windows tl "$BIN" timeline "$IMG"
walk "ls -U --json, one inode's name forged" windows facts "$BIN" ls -U --json "$IMG" /d00000
DATED=

# One leaf of the children's range damaged (tests/tools/fstree_edit.py): the
# library does not vouch for the inode order, quietly; the windows list every
# file whose inode can be read and report the rest (as before the inode order).
expect_rc "mkimage scale: again, for damage" 0 \
	"$MKIMAGE" scale "$IMG" --entries $((F + 1)) --per-dir 100000000 --shuffle --unencrypted
python3 "$TESTS/tools/fstree_edit.py" "$IMG" break 150017
expect_rc "bodyfile, one leaf damaged: exit 1" 1 sh -c '"$1" bodyfile "$2" > "$3" 2> "$4"' _ \
	"$BIN" "$IMG" "$WORK/out" "$WORK/err"
n=$(wc -l < "$WORK/out" | tr -d ' ')
check "bodyfile, one leaf damaged: the files of the other leaves listed ($n lines)" \
	test "$n" -gt $((F - 100)) -a "$n" -le "$F"
expect_grep "bodyfile, one leaf damaged: the damage named" "bad checksum in file-system tree" \
	"$(cat "$WORK/err")"
rm -f "$IMG"
done_testing
