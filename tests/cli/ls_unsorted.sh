#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# ls_unsorted.sh - `ls -U` (--unsorted): a directory as it is stored, read a
# window at a time in inode order (cli/dirwin.h), in memory bounded however
# large the directory.  On `mkimage scale` volumes whose layout
# testdata/README.md documents (computed here from that description), -U
# must list exactly the entries the sorted listing does, with the same long
# lines and JSON objects (and, on the small one, the paths TSK fls -r -p
# lists); one directory of 249,999 files is more than one window holds, so
# entries at the seams of windows are checked too.  On basic.img (shared),
# hidden names follow -a as in the sorted listing.
. "$(dirname "$0")/../lib.sh"

NB=250000
BIG=$WORK/big.img SMALL=$WORK/small.img
expect_rc "mkimage scale --per-dir $((NB - 1))" 0 "$MKIMAGE" scale "$BIG" --entries $NB \
	--per-dir $((NB - 1)) --unencrypted
expect_rc "mkimage scale --entries 3000" 0 "$MKIMAGE" scale "$SMALL" --entries 3000 \
	--unencrypted

# The README's layout: D = ceil(N / (P + 1)) directories dDDDDD under the root, directory d
# holding fGGGGGGGG.txt for g = P d ... P d + P - 1 below F = N - D, every entry 501:20 at
# 2026-01-01T00:00:00, directories 0755 (nlink: their files + 2, as ls shows a directory's),
# files 0644 with one link, the first of each directory holding "file g\n".
long_lines() { # N P: "DIR<TAB>LINE", sorted
	awk -v n="$1" -v p="$2" 'BEGIN {
		d = int((n + p) / (p + 1)); f = n - d; t = "2026-01-01T00:00:00"
		for (i = 0; i < d; i++) {
			k = f - p * i; if (k > p) k = p; if (k < 0) k = 0
			printf "/\tdrwxr-xr-x %3u %5u %5u %12u %s d%05d\n", k + 2, 501, 20, 0, t, i
		}
		for (g = 0; g < f; g++)
			printf "/d%05d\t-rw-r--r-- %3u %5u %5u %12u %s f%08d.txt\n", int(g / p), 1, 501,
				20, g % p ? 0 : length("file " g) + 1, t, g
	}' | LC_ALL=C sort
}
# ls -R output as "DIR<TAB>LINE" (headers folded into each line), sorted.
tagged() {
	awk 'BEGIN { dir = "/" } /^$/ { next } /:$/ { dir = substr($0, 1, length($0) - 1); next }
		{ print dir "\t" $0 }' | LC_ALL=C sort
}

for img in "$SMALL" "$BIG"; do
	n=$([ "$img" = "$BIG" ] && echo $NB || echo 3000)
	p=$([ "$img" = "$BIG" ] && echo $((NB - 1)) || echo 999)
	"$BIN" ls -U -R -l "$img" / | tagged > "$WORK/u.txt"
	expect_eq "ls -U -R -l, $n entries: the documented lines" \
		"$(long_lines "$n" "$p" | sha256sum)" "$(sha256sum < "$WORK/u.txt")"
	"$BIN" ls -R -l "$img" / | tagged > "$WORK/s.txt"
	expect_eq "ls -U -R -l, $n entries: the sorted listing's lines" \
		"$(sha256sum < "$WORK/s.txt")" "$(sha256sum < "$WORK/u.txt")"
	expect_eq "ls -U -R, $n entries: the sorted listing's names" \
		"$("$BIN" ls -R "$img" / | tagged | sha256sum)" \
		"$("$BIN" ls -U -R "$img" / | tagged | sha256sum)"
	# Every JSON object, its keys sorted, once per entry whatever the order.
	objs() { python3 -c '
import json, sys
d = json.load(sys.stdin)
for e in sorted(json.dumps(x, sort_keys=True) for x in d["entries"]): print(e)'; }
	expect_eq "ls -U -R --json, $n entries: the sorted listing's objects" \
		"$("$BIN" ls -R --json "$img" / | objs | sha256sum)" \
		"$("$BIN" ls -U -R --json "$img" / | objs | sha256sum)"
done
expect_eq "ls -U of the big directory is not in name order" 1 \
	"$("$BIN" ls -U "$BIG" /d00000 | LC_ALL=C sort -c 2>/dev/null; echo $?)"

# Memory: the sorted listing holds the 249,999 names and their attributes; -U a window.
peak_kb() {
	/usr/bin/time -f %M -o "$WORK/rss" "$@" >/dev/null 2>&1 && tail -1 "$WORK/rss" || echo -1
}
if [ -x /usr/bin/time ]; then
	ks=$(peak_kb "$BIN" ls -R -l "$BIG" /)
	ku=$(peak_kb "$BIN" ls -U -R -l "$BIG" /)
	check "ls -U -R -l peak RSS below the sorted one's by 16 MiB ($ku vs $ks KiB)" \
		eval "[ $ku -gt 0 ] && [ $((ks - ku)) -gt 16384 ]"
else
	skip "peak RSS" "/usr/bin/time (Debian package time) not installed"
fi

# TSK lists a directory in time that grows with its square: fls -r of the big image took
# 38 s of TSK's own CPU alone, 72 s beside the suite, a tenth of its run.  TSK is held to
# the small image, in both builds; the big one's lines, the window seams among them, are
# held above to the documented ones, computed without our code.
if command -v fls >/dev/null && command -v pstat >/dev/null; then
	A=$(pstat "$SMALL" 2>/dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
	fls -r -p -B "${A:-0}" "$SMALL" 2>/dev/null | sed 's/^[^	]*	//' | LC_ALL=C sort \
		> "$WORK/tsk.txt"
	"$BIN" ls -U -R "$SMALL" / | awk 'BEGIN { dir = "" } /^$/ { next }
		/:$/ { dir = substr($0, 2, length($0) - 2) "/"; next } { print dir $0 }' |
		LC_ALL=C sort > "$WORK/ours.txt"
	expect_eq "ls -U -R of small.img: the paths TSK fls -r -p lists" \
		"$(sha256sum < "$WORK/tsk.txt")" "$(sha256sum < "$WORK/ours.txt")"
else
	skip "TSK paths" "sleuthkit (fls, pstat) not installed"
fi

# A real volume: hidden names, symlinks, hard links (basic.img, IMAGES.md).
if need_image basic.img; then
	for a in "" -a; do
		expect_eq "basic.img: ls -U -R -l $a lists the sorted listing's lines" \
			"$("$BIN" ls -R -l $a "$IMAGES/basic.img" / | tagged | sha256sum)" \
			"$("$BIN" ls -U -R -l $a "$IMAGES/basic.img" / | tagged | sha256sum)"
	done
	expect_eq "basic.img: -U without -a shows no dot name" 0 \
		"$("$BIN" ls -U -R "$IMAGES/basic.img" / | grep -c '^\.')"
fi
done_testing
