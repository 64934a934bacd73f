#!/usr/bin/env bash
# read_error_chain.sh - a read error is a chain of messages, the image's layer
# first ("E01 chunk ... fails its checksum"), then the container's ("cannot
# read file data at block N"); readers in parallel keep theirs and the one
# whose chunk is handed on says them all, once (found in review: only the
# first of the chain was kept, so the line naming the block was lost for a
# file read by several readers, and not for a small one).  A 12 MiB file of
# seeded bytes (Python's random), laid out by `mkimage from-dir`, acquired by
# ewfacquire (Debian ewf-tools, an independent writer) and one byte of the
# file's seventh MiB flipped in the segment file.
. "$(dirname "$0")/../lib.sh"

if ! command -v ewfacquire > /dev/null; then
	skip "E01 read errors" "ewfacquire (Debian ewf-tools) not installed"; done_testing; exit 0
fi
mkdir -p "$WORK/src"
python3 -c 'import random, sys
r = random.Random(5)
open(sys.argv[1], "wb").write(bytes(r.getrandbits(8) for _ in range(12 << 20)))' "$WORK/src/r.bin"
expect_rc "mkimage from-dir" 0 "$MKIMAGE" from-dir "$WORK/f.img" --dir "$WORK/src"
expect_rc "ewfacquire" 0 ewfacquire -u -q -t "$WORK/f" -S 1GiB -C c -D f -e e -E 1 -N none \
	-c fast "$WORK/f.img"
expect_eq "a byte of the file's seventh MiB flipped in the segment file" 1 "$(python3 -c '
import sys
raw = open(sys.argv[1], "rb").read()
pat = raw[6 << 20:(6 << 20) + 64]
d = bytearray(open(sys.argv[2], "rb").read())
i = d.find(pat)
if i >= 0 and d.find(pat, i + 1) < 0:
    d[i + 10] ^= 0x40
    open(sys.argv[2], "wb").write(d)
    print(1)' "$WORK/src/r.bin" "$WORK/f.E01")"

"$BIN" cat "$WORK/f.E01" /r.bin > "$WORK/out" 2> "$WORK/err"
expect_eq "cat: exit 1" 1 "$?"
ERR=$(cat "$WORK/err")
expect_eq "... the E01 chunk named once" 1 \
	"$(grep -c "E01 chunk holding sectors [0-9]*-[0-9]* fails its checksum" <<< "$ERR")"
expect_eq "... and the block it held, once (before: lost)" 1 \
	"$(grep -c "container at offset 0: cannot read file data at block [0-9]*" <<< "$ERR")"
N=$(stat -c %s "$WORK/out")
head -c "$N" "$WORK/src/r.bin" > "$WORK/want"
check "... gives a prefix of the file, whole pieces up to the bad chunk ($N bytes)" \
	test "$N" -ge 4194304 -a "$N" -le 6291456 -a $((N % 2097152)) = 0
check "... as the file's own bytes" cmp -s "$WORK/out" "$WORK/want"
expect_rc "stat --hash sha256: exit 1" 1 "$BIN" stat --hash sha256 "$WORK/f.E01" /r.bin
expect_eq "... the chain said once: both lines" "1 1" \
	"$(grep -c 'fails its checksum' <<< "$ERR") $(grep -c 'cannot read file data at block' <<< "$ERR")"
done_testing
