#!/usr/bin/env bash
# mkimage_scale_stream.sh - `mkimage scale` (testdata/scen_stream.c), the
# volume written in bounded memory: at 100,000 entries apfsck finds it
# clean, TSK lists exactly the names testdata/README.md documents (computed
# here from that description, not from our reader), TSK and libfsapfs read
# the data of the files that have some, libfsapfs unlocks the encrypted
# twin, and the generator's peak memory does not grow with the entries.
. "$(dirname "$0")/../lib.sh"

N=100000
P=$WORK/plain.img E=$WORK/enc.img
# Peak RSS in KiB of a command (GNU time: a small launcher, whose own
# high-water mark exec keeps, unlike Python's ~10 MB); -1 when it fails.
peak_kb() {
	/usr/bin/time -f %M -o "$WORK/rss" "$@" >/dev/null 2>&1 && tail -1 "$WORK/rss" || echo -1
}
# The README's layout: D = ceil(N / 1000) directories dDDDDD under the root,
# directory d holding fGGGGGGGG.txt for g = 999 d ... 999 d + 998 below F = N - D.
layout() { # N
	awk -v n="$1" 'BEGIN {
		d = int((n + 999) / 1000); f = n - d
		for (i = 0; i < d; i++) printf "d%05d\n", i
		for (g = 0; g < f; g++) printf "d%05d/f%08d.txt\n", int(g / 999), g
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

# ---- apfsck ------------------------------------------------------------------
src=$SHARED/tools/apfsprogs-0.2.1
if [ -d "$src" ] && cp -r "$src" "$WORK/apfsprogs" && chmod -R u+w "$WORK/apfsprogs" &&
	make -s -C "$WORK/apfsprogs/apfsck" >"$WORK/apfsck.log" 2>&1; then
	for img in "$P" "$WORK/small.img"; do
		out=$("$WORK/apfsprogs/apfsck/apfsck" "$img" 2>&1)
		expect_eq "apfsck: $(basename "$img") clean (${out%%$'\n'*})" 0 $?
	done
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
