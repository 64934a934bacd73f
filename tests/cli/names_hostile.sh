#!/usr/bin/env bash
# names_hostile.sh - names are data, never structure (issue 13, item 1):
# `mkimage names` (testdata/README.md "names") holds names with newline,
# tab, CR, '|', '\', ESC, BEL, DEL, a C1 control, invalid UTF-8, 255 bytes
# and one that reads as a second bodyfile line.  Each output format is
# checked against its own reference: bodyfile against TSK's fls -m and
# mactime, the extract manifest against GNU sha256sum (and sha256sum -c),
# ls against GNU ls -b / -N on the extracted tree, JSON and plist with
# Python's parsers; text outputs keep one line per item.  Output that cannot
# be written (/dev/full, a closed pipe) ends the command as coreutils do.
. "$(dirname "$0")/../lib.sh"
D=$(mktemp -d "$WORK/names.XXXXXX") && cd "$D" || exit 1
export LC_ALL=C.UTF-8

IMG=$WORK/names.img
expect_rc "mkimage names" 0 "$MKIMAGE" names "$IMG"
# testdata/README.md: 17 entries in /, 18 in the tree (dir\nnl/inner.txt), 16 regular files.
NROOT=17 NTREE=18 NFILES=16
# no_ctl FILE...: none of the files holds a raw ESC, BEL or CR.
no_ctl() { ! cat "$@" | grep -q "$(printf '[\033\007\r]')"; }

# ---- bodyfile: TSK's fls -m, line for line --------------------------------
"$BIN" bodyfile "$IMG" > our.body
expect_eq "bodyfile: one line per entry" $NTREE "$(wc -l < our.body)"
expect_eq "bodyfile: every line has 11 fields" $NTREE "$(awk -F'|' 'NF == 11' our.body | wc -l)"
check "bodyfile: no ESC, BEL or CR in it" no_ctl our.body
if command -v fls > /dev/null && command -v mactime > /dev/null; then
	apsb=$(pstat "$IMG" | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
	fls -r -m / -B "${apsb:-0}" "$IMG" > fls.body
	# TSK's own output, with the deviations README "Names in the output" documents:
	# a symlink target's control bytes as '^' (fls writes them raw: its line
	# splits), its size as lstat gives it (fls: 0), and '|' in a name as %7C.
	python3 - fls.body > fls.adj <<'PY'
import re, sys
raw = open(sys.argv[1], 'rb').read()
# A line that does not start a record ("0|/") continues the one before: fls
# wrote a control byte of a symlink target raw.
recs = re.split(rb'\n(?=0\|/)', raw.rstrip(b'\n'))
tail = re.compile(rb'^0\|(.*)\|(\d+)\|([^|]*)\|(\d+)\|(\d+)\|(\d+)\|(\d+\|\d+\|\d+\|\d+)$', re.S)
out = []
for r in recs:
    m = tail.match(r)
    name, ino, mode, uid, gid, size, times = m.groups()
    name = re.sub(rb'[\x00-\x1f]', b'^', name).replace(b'|', b'%7C')
    if mode.startswith(b'l/') and b' -> ' in name:
        size = str(len(name.split(b' -> ', 1)[1])).encode()
    out.append(b'|'.join([b'0', name, ino, mode, uid, gid, size, times]))
sys.stdout.buffer.write(b''.join(sorted(l + b'\n' for l in out)))
PY
	expect_eq "bodyfile equals TSK's fls -m line for line (README's deviations applied)" \
		"$(cat fls.adj)" "$(sort our.body)"
	# mactime (which decodes %XX) reads one event per entry, each inode once, no forged name.
	mactime -b our.body -d -y > mac.csv 2> /dev/null
	expect_eq "mactime: one event per entry" $NTREE "$(tail -n +2 mac.csv | wc -l)"
	expect_eq "mactime: every inode once" $NTREE \
		"$(tail -n +2 mac.csv | cut -d, -f7 | sort -u | wc -l)"
	expect_grep "mactime reads the name holding '|' back" '"/pipe\|name.txt"$' "$(cat mac.csv)"
	check "mactime: no event for the forged /FORGED" sh -c "! grep -q '^[^\"]*\"/FORGED' mac.csv"
else
	skip "bodyfile vs fls -m and mactime" "sleuthkit not installed"
fi

# ---- extract manifest: GNU sha256sum --------------------------------------
mkdir ex
"$BIN" extract --manifest "$D/manifest" "$IMG" / ex > /dev/null 2> ex.err
expect_eq "manifest: one line per regular file" $NFILES "$(wc -l < manifest)"
expect_eq "manifest equals GNU sha256sum's own lines for the extracted files" \
	"$(cd ex && find root -type f -print0 | xargs -0 sha256sum | sort)" "$(sort manifest)"
run_rc sh -c "cd ex && sha256sum -c ../manifest"
expect_eq "sha256sum -c verifies every line of the manifest" "0 $NFILES" \
	"$RC $(printf '%s\n' "$OUT" | grep -c ': OK$')"

# ---- ls: GNU ls -b, one line per entry; -N as GNU ls writes to a pipe ------
# (extract writes the '/' of the forged name as '_': README, extract.)
"$BIN" ls "$IMG" / > ls.out
expect_eq "ls: one line per entry" $NROOT "$(wc -l < ls.out)"
expect_eq "ls equals GNU ls -b on the extracted tree" \
	"$(cd ex/root && ls -b | sort)" "$(tr / _ < ls.out | sort)"
expect_eq "ls -N equals GNU ls (not a terminal: bytes as they are)" \
	"$(cd ex/root && ls | sort)" "$("$BIN" ls -N "$IMG" / | tr / _ | sort)"
"$BIN" ls -l "$IMG" / > lsl.out
expect_eq "ls -l: one line per entry" $NROOT "$(wc -l < lsl.out)"
expect_eq "ls -l: the symlink target as GNU ls -lb writes it" \
	"$(cd ex/root && ls -lb link-nl | sed 's/.* link-nl/link-nl/')" \
	"$(grep ' link-nl ' lsl.out | sed 's/.* link-nl/link-nl/')"
expect_eq "ls -R: entries, the blank line and the directory's header" $((NROOT + 3)) \
	"$("$BIN" ls -R "$IMG" / | wc -l)"
expect_grep "ls -R: the directory's header escaped" '^/dir\\nnl:$' "$("$BIN" ls -R "$IMG" /)"
check "ls, ls -l: no ESC, BEL or CR" no_ctl ls.out lsl.out

# ---- JSON and plist: the parsers give the names back -----------------------
# README: a byte that is not UTF-8 is \u00XX (XX its value); the rest exactly.
expected_py='["L" * 251 + ".txt", "back\\slash.txt", "bad\xff\xfeutf8.txt", "bell\x07.txt",
 "c1\x9b31m.txt", "cr\rname.txt", "del\x7f.txt", "dir\nnl", "esc\x1b[31mred.txt",
 "innocent.txt\n0|/FORGED|99|r/rrw-r--r--|0|0|0|1234567890|1234567890|1234567890|1234567890",
 "link-nl", "new\nline.txt",
 "pipe|name.txt", "quote\"name.txt", "space name.txt", "tab\there.txt", "xattr.txt"]'
expect_eq "ls --json: python's json gives every name exactly (README)" True \
	"$("$BIN" ls --json "$IMG" / | python3 -c "
import json, sys
names = [e['name'] for e in json.load(sys.stdin)['entries']]
print(sorted(names) == sorted($expected_py))")"
expect_eq "stat --json: symlink target and xattr name exactly" "target\\nline user.\\x1b[2Jevil\\nname" \
	"$( { "$BIN" stat --json "$IMG" /link-nl; echo; "$BIN" stat --json "$IMG" /xattr.txt; } |
	python3 -c "
import json, sys
docs = sys.stdin.read().split('\n}\n')
a = json.loads(docs[0] + '}'); b = json.loads(docs[1] + '}')
print(repr(a['target'])[1:-1], repr(b['xattrs'][0]['name'])[1:-1])" 2>&1)"
expect_eq "list --plist: the volume name, escaped as README says, read by plistlib" \
	'Names\x0aVol\x1b[7m' "$("$BIN" list --plist "$IMG" | python3 -c "
import plistlib, sys
print(plistlib.loads(sys.stdin.buffer.read())['Containers'][0]['Volumes'][0]['Name'])")"

# ---- text: stat, list, snapshots, messages: one line each ------------------
out=$("$BIN" stat "$IMG" /link-nl)
expect_grep "stat: the target on one line" '^target: target\\x0aline$' "$out"
out=$("$BIN" stat "$IMG" /xattr.txt)
expect_grep "stat: the xattr name on one line" '^xattr: user\.\\x1b\[2Jevil\\x0aname \(1 bytes\)$' "$out"
out=$("$BIN" stat "$IMG" $'/new\nline.txt')
expect_grep "stat: the path on one line" '^path: /new\\x0aline.txt$' "$out"
expect_eq "stat: as many lines for a hostile name as for a plain one" \
	"$("$BIN" stat "$IMG" '/space name.txt' | wc -l)" "$(printf '%s\n' "$out" | wc -l)"
out=$("$BIN" list "$IMG")
expect_grep "list: the volume name on one line" 'Name: +Names\\x0aVol\\x1b\[7m \(Case-sensitive\)$' "$out"
printf '%s\n' "$out" > list.out
check "list: no ESC, BEL or CR in it" no_ctl list.out
expect_grep "snapshots: the volume name escaped" "^Snapshots of volume 'Names\\\\x0aVol\\\\x1b\[7m'" \
	"$("$BIN" snapshots "$IMG")"
run_rc "$BIN" cat "$IMG" $'/new\nline.txt/\e[2Jx'
expect_eq "an error naming a path is one line, the path escaped" \
	'apfsinspect: /new\x0aline.txt/\x1b[2Jx: Not a directory' "$ERR"

# ---- output that cannot be written -------------------------------------
"$MKIMAGE" many-files mf.img > /dev/null
for cmd in "ls -R" "bodyfile" "timeline" "timeline --format jsonl" "timeline --format dfxml"; do
	RC=0; $BIN $cmd mf.img $([ "$cmd" != "ls -R" ] || echo /) > /dev/full 2> full.err || RC=$?
	expect_eq "$cmd > /dev/full: exit 1 and coreutils' message" \
		"1 apfsinspect: write error: No space left on device" "$RC $(cat full.err)"
	if command -v strace > /dev/null; then
		# LeakSanitizer cannot run under ptrace (an ASan build): it is left out here
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -o st.txt -e trace=write $BIN $cmd mf.img \
			$([ "$cmd" != "ls -R" ] || echo /) > /dev/full 2> /dev/null
		# One failed write, and at most the one more try at exit that names the error.
		check "$cmd > /dev/full: stops at the first failed write (no walk on)" \
			test "$(grep -c '^write(1,' st.txt)" -le 2
	else
		skip "$cmd > /dev/full stops at once" "strace not installed"
	fi
done
RC=0; "$BIN" extract "$IMG" / exfull > /dev/full 2> full.err || RC=$?
expect_eq "extract, its manifest to /dev/full: exit 1 and coreutils' message" \
	"1 apfsinspect: write error: No space left on device" "$RC $(cat full.err)"
# A closed pipe: SIGPIPE at its default ends us as it ends GNU ls; ignored, exit 1 and EPIPE.
pipe_py='
import os, signal, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run(sys.argv[2:], stdout=w, stderr=subprocess.PIPE,
                   restore_signals=sys.argv[1] == "default")
print(p.returncode, p.stderr.decode().strip())'
expect_eq "ls -R into a closed pipe: killed by SIGPIPE, as GNU ls -R is" \
	"$(python3 -c "$pipe_py" default ls -R "$D/ex")" \
	"$(python3 -c "$pipe_py" default "$BIN" ls -R mf.img /)"
expect_eq "ls -R into a closed pipe, SIGPIPE ignored: exit 1, 'Broken pipe'" \
	"1 apfsinspect: write error: Broken pipe" \
	"$(python3 -c "$pipe_py" ignore "$BIN" ls -R mf.img /)"
for cmd in bodyfile timeline; do
	expect_eq "$cmd into a closed pipe, SIGPIPE ignored: exit 1, 'Broken pipe'" \
		"1 apfsinspect: write error: Broken pipe" \
		"$(python3 -c "$pipe_py" ignore "$BIN" $cmd mf.img)"
done
done_testing
