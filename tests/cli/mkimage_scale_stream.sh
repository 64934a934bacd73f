#!/usr/bin/env bash
# mkimage_scale_stream.sh - `mkimage scale` (testdata/scen_stream.c), the
# volume written in bounded memory: at 100,000 entries apfsck finds it
# clean, TSK lists exactly the names testdata/README.md documents (computed
# here from that description, not from our reader), TSK and libfsapfs read
# the data of the files that have some, libfsapfs unlocks the encrypted
# twin, and the generator's peak memory does not grow with the entries.
# --per-dir puts the files in fewer, larger directories: TSK lists one of
# 20,000 files as documented, and our bodyfile of one of 300,000 files (read
# in windows of the directory, each in inode order) gives the documented
# lines, which TSK fls -r -m gives for the 20,000; --depth nests the
# directories, and TSK's body file of such a tree equals ours.
. "$(dirname "$0")/../lib.sh"

N=100000
P=$WORK/plain.img E=$WORK/enc.img
# Peak RSS in KiB of a command (GNU time: a small launcher, whose own
# high-water mark exec keeps, unlike Python's ~10 MB); -1 when it fails.
peak_kb() {
	/usr/bin/time -f %M -o "$WORK/rss" "$@" >/dev/null 2>&1 && tail -1 "$WORK/rss" || echo -1
}
# The README's layout: D = ceil(N / (P + 1)) directories dDDDDD under the root,
# directory d holding fGGGGGGGG.txt for g = P d ... P d + P - 1 below F = N - D
# (P files per directory, 999 unless --per-dir says).
layout() { # N [P]
	awk -v n="$1" -v p="${2:-999}" 'BEGIN {
		d = int((n + p) / (p + 1)); f = n - d
		for (i = 0; i < d; i++) printf "d%05d\n", i
		for (g = 0; g < f; g++) printf "d%05d/f%08d.txt\n", int(g / p), g
	}' | sort
}
apsb() { pstat "$1" 2>/dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1; }

if [ -x /usr/bin/time ]; then
	K10=$(peak_kb "$MKIMAGE" scale "$WORK/small.img" --entries 10000 --unencrypted)
	K100=$(peak_kb "$MKIMAGE" scale "$P" --entries $N --unencrypted)
	check "mkimage scale --entries $N (peak RSS $K100 KiB)" [ "$K100" -gt 0 ]
	# The in-memory generator took ~76 MB more per 100,000 entries; streamed,
	# the difference is a few pointers per block (growth of the block table).
	check "peak RSS at 100k within 4 MiB of 10k ($K10 -> $K100 KiB)" \
		[ "$K10" -gt 0 ] && [ $((K100 - K10)) -lt 4096 ]
else
	skip "generator memory" "/usr/bin/time (Debian package time) not installed"
	expect_rc "mkimage scale --entries $N" 0 "$MKIMAGE" scale "$P" --entries $N --unencrypted
	"$MKIMAGE" scale "$WORK/small.img" --entries 10000 --unencrypted
fi
expect_rc "mkimage scale, encrypted" 0 "$MKIMAGE" scale "$E" --entries $N
expect_rc "--entries 0 is refused" 2 "$MKIMAGE" scale "$WORK/x.img" --entries 0
expect_rc "--entries over 100 million is refused" 2 "$MKIMAGE" scale "$WORK/x.img" \
	--entries 100000001
expect_rc "--per-dir 0 is refused" 2 "$MKIMAGE" scale "$WORK/x.img" --per-dir 0
# The bodyfile lines the README's layout gives (TSK's format): every time 2026-01-01
# (1767225600), 501:20, directories 0755 and size 0, files 0644, the first of each
# directory holding "file G\n".
body() { # N P
	awk -v n="$1" -v p="$2" 'BEGIN {
		d = int((n + p) / (p + 1)); f = n - d; t = "|1767225600|1767225600|1767225600|1767225600"
		for (i = 0; i < d; i++) printf "0|/d%05d|%d|d/drwxr-xr-x|501|20|0%s\n", i, 16 + i, t
		for (g = 0; g < f; g++)
			printf "0|/d%05d/f%08d.txt|%d|r/rrw-r--r--|501|20|%d%s\n", int(g / p), g,
				16 + d + g, g % p ? 0 : length("file " g) + 1, t
	}' | sort
}
# One directory of 299,999 files: more names than one bodyfile window holds (cli/dirwin.h).
BIG=$WORK/big.img NB=300000
expect_rc "mkimage scale --per-dir $((NB - 1))" 0 "$MKIMAGE" scale "$BIG" --entries $NB \
	--per-dir $((NB - 1)) --unencrypted
"$BIN" bodyfile "$BIG" | sort > "$WORK/ours.body"
expect_eq "bodyfile of one directory of $((NB - 1)) files: the documented lines" \
	"$(body $NB $((NB - 1)) | sha256sum)" "$(sha256sum < "$WORK/ours.body")"
MID=$WORK/mid.img NM=20000
"$MKIMAGE" scale "$MID" --entries $NM --per-dir 9999 --unencrypted
# Chains of 20 directories of 9 files each (--depth): 200 directories, paths 21 deep.
DEEP=$WORK/deep.img
"$MKIMAGE" scale "$DEEP" --entries 2000 --per-dir 9 --depth 20 --unencrypted
expect_eq "--depth 20: the deepest path has 20 directories and a file" 21 \
	"$("$BIN" bodyfile "$DEEP" | cut -d'|' -f2 | awk -F/ '{ print NF - 1 }' | sort -n | tail -1)"

# ---- apfsck ------------------------------------------------------------------
src=$SHARED/tools/apfsprogs-0.2.1
if [ -d "$src" ] && cp -r "$src" "$WORK/apfsprogs" && chmod -R u+w "$WORK/apfsprogs" &&
	make -s -C "$WORK/apfsprogs/apfsck" >"$WORK/apfsck.log" 2>&1; then
	for img in "$P" "$WORK/small.img"; do
		out=$("$WORK/apfsprogs/apfsck/apfsck" "$img" 2>&1)
		expect_eq "apfsck: $(basename "$img") clean (${out%%$'\n'*})" 0 $?
	done
	out=$("$WORK/apfsprogs/apfsck/apfsck" "$MID" 2>&1)
	expect_eq "apfsck: --per-dir 9999 clean (${out%%$'\n'*})" 0 $?
	out=$("$WORK/apfsprogs/apfsck/apfsck" "$DEEP" 2>&1)
	expect_eq "apfsck: --depth 20 clean (${out%%$'\n'*})" 0 $?
	for n in 1 1001; do
		"$MKIMAGE" scale "$WORK/e$n.img" --entries $n --unencrypted
		out=$("$WORK/apfsprogs/apfsck/apfsck" "$WORK/e$n.img" 2>&1)
		expect_eq "apfsck: --entries $n clean (${out%%$'\n'*})" 0 $?
	done
else
	skip "apfsck" "apfsprogs 0.2.1 not found or did not build"
fi

# ---- TSK ---------------------------------------------------------------------
if command -v fls >/dev/null; then
	A=$(apsb "$P")
	fls -r -p -B "${A:-0}" "$P" 2>/dev/null | sed 's/^[^	]*	//' | sort > "$WORK/tsk.txt"
	layout $N > "$WORK/want.txt"
	expect_eq "TSK lists the documented $N paths" "$(sha256sum < "$WORK/want.txt")" \
		"$(sha256sum < "$WORK/tsk.txt")"
	expect_eq "TSK fls -r -m: one line per entry" $N \
		"$(fls -r -m / -B "${A:-0}" "$P" 2>/dev/null | wc -l)"
	# File g has inode 16 + D + g; the first file of each directory holds "file g\n".
	expect_eq "TSK icat: f00041958.txt (inode 42074)" "file 41958" \
		"$(icat -B "${A:-0}" "$P" 42074 2>/dev/null)"
	expect_eq "TSK icat: f00041959.txt is empty" 0 \
		"$(icat -B "${A:-0}" "$P" 42075 2>/dev/null | wc -c)"
	"$MKIMAGE" scale "$WORK/e1001.img" --entries 1001 --unencrypted
	A=$(apsb "$WORK/e1001.img")
	fls -r -p -B "${A:-0}" "$WORK/e1001.img" 2>/dev/null | sed 's/^[^	]*	//' | sort > "$WORK/tsk.txt"
	expect_eq "TSK: --entries 1001 gives the documented paths (an empty last directory)" \
		"$(layout 1001 | sha256sum)" "$(sha256sum < "$WORK/tsk.txt")"
	A=$(apsb "$MID")
	fls -r -m / -B "${A:-0}" "$MID" 2>/dev/null | sort > "$WORK/tsk.body"
	expect_eq "TSK: --per-dir 9999 gives the documented paths" \
		"$(layout $NM 9999 | sha256sum)" \
		"$(cut -d'|' -f2 "$WORK/tsk.body" | sed 's|^/||' | sort | sha256sum)"
	expect_eq "TSK fls -r -m gives the documented bodyfile lines (--per-dir 9999)" \
		"$(body $NM 9999 | sha256sum)" "$(sha256sum < "$WORK/tsk.body")"
	A=$(apsb "$DEEP")
	expect_eq "bodyfile of --depth 20 equals TSK fls -r -m" \
		"$(fls -r -m / -B "${A:-0}" "$DEEP" 2>/dev/null | sort | sha256sum)" \
		"$("$BIN" bodyfile "$DEEP" | sort | sha256sum)"
else
	skip "TSK checks" "sleuthkit not installed"
fi

# ---- libfsapfs ---------------------------------------------------------------
SHIM_SRC=$SHARED/tools/fsapfs-openssl3-shim.c
if command -v fsapfsinfo >/dev/null && [ -e "$SHIM_SRC" ] &&
	cc -O2 -shared -fPIC -o "$WORK/shim.so" "$SHIM_SRC" -ldl -lcrypto 2>/dev/null; then
	out=$(fsapfsinfo -F /d00042/f00041958.txt "$P" 2>&1)
	expect_grep "libfsapfs: /d00042/f00041958.txt is 11 bytes" 'Size[[:space:]]*: 11$' "$out"
	out=$(LD_PRELOAD=$WORK/shim.so fsapfsinfo -p scale-password -F /d00099/f00098901.txt "$E" 2>&1)
	expect_grep "libfsapfs unlocks the encrypted twin: last directory's first file, 11 bytes" \
		'Size[[:space:]]*: 11$' "$out"
	out=$(LD_PRELOAD=$WORK/shim.so fsapfsinfo -p scale-password -F /d00099/f00099899.txt "$E" 2>&1)
	expect_grep "libfsapfs: the last file exists and is empty" 'Size[[:space:]]*: 0$' "$out"
	out=$(LD_PRELOAD=$WORK/shim.so fsapfsinfo -p wrong -F /d00099 "$E" 2>&1)
	expect_grep "libfsapfs: a wrong password does not unlock it" 'nable|rror' "$out"
else
	skip "libfsapfs checks" "libfsapfs-utils or the shim not available"
fi

# ---- our reader, the encrypted twin against the documented layout ----------
"$BIN" bodyfile --passphrase scale-password "$E" 2>/dev/null |
	cut -d'|' -f2 | sed 's|^/||' | sort > "$WORK/ours.txt"
expect_eq "apfsinspect bodyfile of the encrypted twin: the documented paths" \
	"$(sha256sum < "$WORK/want.txt")" "$(sha256sum < "$WORK/ours.txt")"
done_testing
