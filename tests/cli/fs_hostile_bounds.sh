# fs_hostile_bounds.sh - images that lie about their shape, with every record
# well formed and every checksum right (testdata/README.md "Damaged
# scenarios": dir-cycle, size-claims): directory cycles, sizes claimed far
# beyond the blocks held, decmpfs headers claiming 2^40 bytes.  Every run is
# bounded in time (timeout) and address space (prlimit; not under ASan,
# whose shadow memory needs terabytes of it), and each must end with the
# specific report, not just some failure.  Also: extract writes holes as
# holes and never changes a directory it did not create.
. "$TESTS/lib.sh"
cd "$WORK" || exit 1

# A memory bound per run: 1 GiB of address space (the reader's buffers and
# threads need a few hundred MiB of it; one open of a decmpfs bomb used to
# allocate 192 MiB, a 16-reader mount 1.45 GB).
if ldd "$BIN" 2>/dev/null | grep -q libasan; then LIMIT=(); else LIMIT=(prlimit --as=$((1 << 30))); fi
B() { timeout -k 2 20 "${LIMIT[@]}" "$BIN" "$@"; }
sha() { sha256sum | cut -d' ' -f1; }

# ---- directory cycles ------------------------------------------------------
# dir-cycle (README): inodes /a 16, /a/b 17, /a/b/inside.txt 18, /c 19,
# /c/real.txt 20, /z.txt 21; /a/b/up1 and /a/b/up2 name 16, /c/alias names 17.
expect_rc "mkimage dir-cycle" 0 "$MKIMAGE" dir-cycle cyc.img
cycle_msgs() { # DESC PREFIX
	expect_grep "$1: up1 reported as a cycle naming inodes 16 and 17" \
		"^apfsinspect: $2/a/b/up1: directory inode 16, listed in directory inode 17, is its own ancestor: a directory cycle, not followed$" "$ERR"
	expect_grep "$1: up2 reported as a cycle" \
		"^apfsinspect: $2/a/b/up2: directory inode 16, listed in directory inode 17, is its own ancestor" "$ERR"
	expect_grep "$1: /c/alias reported as a directory listed twice (inodes 17, 19)" \
		"^apfsinspect: $2/c/alias: directory inode 17, listed in directory inode 19, was already walked under another name: a directory listed twice, not followed$" "$ERR"
}
expect_rc "ls -R on a cycle ends, status 1" 1 B ls -R cyc.img
cycle_msgs "ls -R" ""
expect_eq "ls -R: every name listed once, the walk went on after the cycle" \
	"a alias b c inside.txt real.txt up1 up2 z.txt" \
	"$(printf '%s\n' "$OUT" | grep -v -e '^$' -e ':$' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_rc "bodyfile --md5 on a cycle ends, status 1" 1 B bodyfile --md5 cyc.img
cycle_msgs "bodyfile" ""
expect_eq "bodyfile: 9 lines, one per entry" 9 "$(printf '%s\n' "$OUT" | wc -l)"
expect_grep "bodyfile: /c/real.txt hashed after the cycle" \
	"^$(printf 'real\n' | md5sum | cut -d' ' -f1)\|/c/real.txt\|20\|" "$OUT"
mkdir -p ex
expect_rc "extract of a cycle ends, status 1" 1 B extract cyc.img / ex
cycle_msgs "extract" "root"
expect_eq "extract: the three files, each once" \
	"$(printf 'inside\n' | sha)  root/a/b/inside.txt
$(printf 'real\n' | sha)  root/c/real.txt
$(printf 'after\n' | sha)  root/z.txt" "$(printf '%s\n' "$OUT" | sort -k2)"
expect_eq "extract: 4 directories made, none for the lying entries" 4 \
	"$(find ex/root -type d | wc -l)"
expect_rc "ls of a path through a cycle: status 1" 1 B ls cyc.img /a/b/up1/b
expect_grep "ls: the lookup names both inodes" \
	"directory inode 16 is listed in directory inode 17 as 'up1', but its own entry is 'a' in directory inode 2: not followed" "$ERR"
expect_rc "stat through /c/alias: status 1" 1 B stat cyc.img /c/alias/inside.txt
expect_grep "stat: says why" "/c/alias/inside.txt: not followed: a directory cycle or a directory listed twice" "$ERR"
expect_rc "the real path still resolves" 0 B cat cyc.img /a/b/inside.txt
expect_eq "and reads 'inside'" "inside" "$OUT"

# ---- sizes claimed beyond what the image holds ------------------------------
# size-claims (README): /claim-2p50.bin claims 2^50 bytes over one block of
# 'C'; /bomb0..7.bin claim 2^40 (decmpfs LZVN fork, one block of table);
# /ok.txt = "fine\n"; /lzvn-17m.bin: 273 chunks, byte i = (i % 251) ^ (i >> 16);
# /inline-16m.bin: 16 MiB of zeros, zlib in the xattr.
# The container is 64 MiB, so the default cap is the 64 GiB floor.
expect_rc "mkimage size-claims" 0 "$MKIMAGE" size-claims claims.img
CAP=68719476736
expect_rc "bodyfile --md5 with a 2^50 claim ends, status 1" 1 B bodyfile --md5 claims.img
expect_grep "bodyfile: the 2^50 claim is reported and skipped" \
	"^apfsinspect: /claim-2p50.bin: logical size 1125899906842624 bytes is beyond the plausibility cap of $CAP bytes \(inode [0-9]+, 4096 bytes allocated\): skipped; --max-file-size SIZE\|none overrides$" "$ERR"
expect_grep "bodyfile: its line is there, MD5 0" "^0\|/claim-2p50.bin\|[0-9]+\|r/rrw-r--r--\|501\|20\|1125899906842624\|" "$OUT"
expect_grep "bodyfile: /ok.txt hashed" "^$(printf 'fine\n' | md5sum | cut -d' ' -f1)\|/ok.txt\|" "$OUT"
expect_rc "bodyfile --md5 --max-file-size 2T: bombs opened, each refused at once" 1 \
	B bodyfile --md5 --max-file-size 2T claims.img
expect_eq "the decmpfs check reports all 8 bombs" 8 "$(printf '%s\n' "$ERR" | grep -c \
	'a table of 16777216 chunks (for 1099511627776 bytes) needs 67108868 bytes, but the resource fork holds 4096 bytes in blocks (it claims 1099511627776)')"
expect_rc "cat of a decmpfs bomb (cap lifted): status 1 at once" 1 B cat --max-file-size none claims.img /bomb3.bin
expect_grep "cat: the fork's real size named" "resource fork holds 4096 bytes in blocks" "$ERR"
want=$(python3 "$TESTS/tools/lzvn17m_rule.py")
expect_rc "cat of an honest 273-chunk LZVN file (table read window by window)" 0 \
	sh -c "timeout 20 $BIN cat claims.img /lzvn-17m.bin | sha256sum | cut -d' ' -f1 > lzvn.sha"
expect_eq "its bytes are those of the rule (Python)" "$want" "$(cat lzvn.sha)"
mkdir -p exc
expect_rc "extract / with the claims: status 1, nothing runs away" 1 B extract claims.img / exc
expect_grep "extract: the claim skipped with the cap named" \
	"^apfsinspect: root/claim-2p50.bin: logical size 1125899906842624 bytes is beyond the plausibility cap of $CAP bytes" "$ERR"
check "extract: skipped files are not created" test ! -e exc/root/claim-2p50.bin -a ! -e exc/root/bomb0.bin
expect_eq "extract: ok.txt and the honest files in the manifest" \
	"$(printf 'fine\n' | sha)  root/ok.txt $want  root/lzvn-17m.bin $(head -c 16777216 /dev/zero | sha)  root/inline-16m.bin" \
	"$(printf '%s\n' "$OUT" | sort -r -k2 | tr '\n' ' ' | sed 's/ $//')"
expect_rc "cat of the 2^50 claim is refused at once" 1 B cat claims.img /claim-2p50.bin
expect_grep "cat: says why, with the cap" \
	"^apfsinspect: /claim-2p50.bin: logical size 1125899906842624 bytes is beyond the plausibility cap of $CAP bytes" "$ERR"
expect_rc "cat --max-file-size 4: a 5-byte file is beyond it" 1 B cat --max-file-size 4 claims.img /ok.txt
expect_grep "cat: the cap given is the one named" "logical size 5 bytes is beyond the plausibility cap of 4 bytes" "$ERR"
expect_rc "cat --max-file-size 1K: within it" 0 B cat --max-file-size 1K claims.img /ok.txt
expect_eq "cat: the file's bytes" "fine" "$OUT"
expect_rc "--max-file-size takes only sizes" 2 B extract --max-file-size 12Q claims.img / exc
expect_grep "--max-file-size: says what it wants" "'12Q' is not a size" "$ERR"
expect_rc "--max-file-size does not apply to ls" 2 B ls --max-file-size 1G claims.img

# ---- holes stay holes; existing directories are left alone ------------------
# huge-file (README): /big-tail.bin = a 5 GiB hole, then 4096 'T' at 5 GiB.
expect_rc "mkimage huge-file" 0 "$MKIMAGE" huge-file huge.img
mkdir -p exh
expect_rc "extract of a 5 GiB sparse file" 0 timeout -k 2 120 "$BIN" extract huge.img /big-tail.bin exh
expect_eq "extract: its size is 5 GiB + 4 KiB" $((5 * 1073741824 + 4096)) "$(stat -c %s exh/big-tail.bin)"
expect_eq "extract: it holds one block on disk, not 5 GiB of zeros (<= 64 KiB allocated)" yes \
	"$([ $(($(stat -c '%b * %B' exh/big-tail.bin))) -le 65536 ] && echo yes || echo "no: $(stat -c '%b blocks' exh/big-tail.bin)")"
expect_eq "extract: its last block is 4096 'T'" "$(head -c 4096 /dev/zero | tr '\0' T | sha)" \
	"$(tail -c 4096 exh/big-tail.bin | sha)"
expect_eq "extract: the block before is zeros" "$(head -c 4096 /dev/zero | sha)" \
	"$(tail -c 8192 exh/big-tail.bin | head -c 4096 | sha)"
# (The summary of what the target could not hold is no progress line.)
expect_eq "extract: no progress line when stderr is no terminal" "" "$(grep -v 'could not hold' <<< "$ERR")"
# On a terminal: progress on stderr (hashing 5 GiB of hole takes seconds
# even with SHA instructions; a line is due every second), then cleared.
mkdir -p exp
prog=$(timeout -k 2 120 script -qec "$BIN extract --manifest exp.man huge.img /big-tail.bin exp" /dev/null | tr '\r' '\n')
expect_grep "extract on a terminal: progress shown" "^apfsinspect: big-tail.bin: [0-9.]+ of 5.0 GiB \([0-9]+%\)" "$prog"
expect_eq "extract on a terminal: same manifest" "$(printf '%s\n' "$OUT" | cut -d' ' -f1)" "$(cut -d' ' -f1 exp.man)"
rm -rf exp exp.man
rm -rf exh huge.img

# An existing destination directory keeps its mode and times (the image's
# directories are 0755, dated 2026-01-01; ours 0700, dated 2001), DEST too.
mkdir -p exd/root/a && chmod 0700 exd exd/root exd/root/a
touch -d '2001-02-03 04:05:06 UTC' exd exd/root exd/root/a
expect_rc "extract into existing directories: status 1 (the cycle)" 1 B extract cyc.img / exd
expect_eq "existing directories (DEST, root, a) keep their mode and mtime" \
	"700 981173106 700 981173106 700 981173106" \
	"$(stat -c '%a %Y' exd exd/root exd/root/a | tr '\n' ' ' | sed 's/ $//')"
expect_eq "directories extract made get the image's" "755 1767225600" "$(stat -c '%a %Y' exd/root/c)"
# A symlink in DEST where a directory goes is not followed, and not taken for a cycle.
mkdir -p exs/root elsewhere && ln -s ../../elsewhere exs/root/a
expect_rc "extract onto a symlink named like a directory: status 1" 1 B extract cyc.img / exs
expect_grep "extract: root/a is not a directory (a symlink), said as such" "^apfsinspect: root/a: Not a directory$" "$ERR"
expect_eq "extract: nothing written through the symlink" "" "$(ls -A elsewhere)"
done_testing
