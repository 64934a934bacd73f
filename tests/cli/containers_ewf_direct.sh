# containers_ewf_direct.sh - the E01 reader of image/ewf1*.c (no libewf) on
# sets written by ewfacquire (Debian ewf-tools, an independent writer) in
# every format it offers, compression level, chunk size and sector size:
# the media it reads hashes to md5sum/sha1sum of the source file, and the
# stored hashes it finds are those ewfacquire computed.  Formats it does
# not take (SMART, EWF, EnCase 1: chunks inside the table section) go to
# libewf and still read right.  Damage it must name: a flipped byte in an
# uncompressed and in a compressed chunk, a table whose offsets fail their
# Adler-32, an offset outside its sectors section (checksum made right), a
# stored size that does not fit an uncompressed chunk.
. "$TESTS/lib.sh"
if ! command -v ewfacquire > /dev/null; then
	skip "E01 direct reader tests" "ewfacquire (Debian ewf-tools) not installed"
	done_testing; exit 0
fi
D=$WORK/direct
mkdir -p "$D"

# Source: random (stored uncompressed) and zero (compressed) runs, 5,197,312
# bytes (a whole number of 512- and 4096-byte sectors; not of chunks, so the
# last chunk is short).
python3 - "$D/src.bin" <<'PY'
import random, sys
r = random.Random(11)
data = bytes(r.getrandbits(8) for _ in range(3000064)) + bytes(2 << 20) + \
       bytes(r.getrandbits(8) for _ in range(100000))
data += bytes(-len(data) % 4096)
open(sys.argv[1], 'wb').write(data)
PY
MD5=$(md5sum < "$D/src.bin" | cut -d' ' -f1)
SHA1=$(sha1sum < "$D/src.bin" | cut -d' ' -f1)

# acquire NAME OPTS...: ewfacquire unattended into $D/NAME.*, 1 MiB segments,
# MD5 and SHA-1; prints the first segment's path.
acquire() {
	local name=$1
	shift
	ewfacquire -u -q -t "$D/$name" -S 1MiB -C case -D "$name" -e examiner -E 1 -N none \
		-d sha1 "$@" "$D/src.bin" > "$D/$name.log" 2>&1
	ls "$D/$name".[eEsS]01 2> /dev/null | head -1
}

# direct NAME OPTS...: a set the direct reader takes, checked against the source.
direct() {
	local name=$1 first
	shift
	first=$(acquire "$name" "$@")
	if [ -z "$first" ]; then
		notok "$name: ewfacquire $* wrote a set"; return
	fi
	APFSINSPECT_EWF=direct expect_rc "$name ($*): verify through the direct reader exits 0" \
		0 "$BIN" verify "$first"
	expect_grep "$name: the media read hashes to md5sum of the source" \
		"^        computed $MD5  match" "$OUT"
	# Which hashes are stored (a digest section holds SHA-1 only from EnCase 6
	# on): as libewf finds them.
	expect_eq "$name: the same stored hashes as libewf finds" \
		"$(APFSINSPECT_EWF=libewf "$BIN" verify "$first" | grep stored)" \
		"$(grep stored <<< "$OUT")"
}

for f in ftk encase2 encase3 encase4 encase5 encase6 encase7 linen5 linen6 linen7 ewfx; do
	direct "$f" -f "$f" -c fast
done
direct none -c none
direct best -c best
direct spc16 -c fast -b 16
direct spc2048 -c fast -b 2048
direct bps4096 -c fast -P 4096

# Formats whose chunks sit in the table section: declined, read by libewf.
for f in smart ewf encase1; do
	first=$(acquire "$f" -f "$f" -c fast)
	APFSINSPECT_EWF=direct expect_rc "$f: the direct reader declines it" 1 "$BIN" verify "$first"
	expect_grep "$f: declined by name" "not of the layout read without libewf" "$ERR"
	expect_rc "$f: read through libewf instead, verify exits 0" 0 "$BIN" verify "$first"
	expect_grep "$f: libewf's reading hashes to md5sum of the source" \
		"^        computed $MD5  match" "$OUT"
done

# The same reads through both readers: every byte of the media.
first=$(acquire both -c fast)
a=$(APFSINSPECT_EWF=direct "$BIN" verify "$first" | sed -n 's/^        computed \([0-9a-f]*\).*/\1/p')
b=$(APFSINSPECT_EWF=libewf "$BIN" verify "$first" | sed -n 's/^        computed \([0-9a-f]*\).*/\1/p')
expect_eq "direct and libewf readers compute the same hashes" "$b" "$a"

# damage KIND SET: change a copy of set $D/SET.E* (python below) into $D/dmg-KIND.
damage() {
	local kind=$1 set=$2
	rm -rf "$D/dmg-$kind"
	mkdir -p "$D/dmg-$kind"
	cp "$D/$set".E* "$D/dmg-$kind/"
	python3 - "$kind" "$D/dmg-$kind"/*.E?? <<'PY'
import struct, sys, zlib
kind = sys.argv[1]

def tables(path):
    """(data, table offset, entry count, base, entries) of each table section."""
    d = bytearray(open(path, 'rb').read())
    off = 13
    while True:
        t, nxt = struct.unpack_from('<16sQ', d, off)
        if t.rstrip(b'\0') == b'table':
            n, _, base = struct.unpack_from('<IIQ', d, off + 76)
            yield d, off, n, base, list(struct.unpack_from('<%dI' % n, d, off + 100))
        if nxt == off:
            return
        off = nxt

# The first table with a chunk (not its last) as the damage needs: compressed
# (zlib-byte, zlib-short), uncompressed followed by compressed (size: made one
# byte longer, its neighbour then fails differently), else uncompressed.
pick = {'zlib-byte': lambda e, i: e[i] >> 31, 'zlib-short': lambda e, i: e[i] >> 31,
        'size': lambda e, i: not e[i] >> 31 and e[i + 1] >> 31 and i + 2 < len(e)}
want = pick.get(kind, lambda e, i: not e[i] >> 31)
for path in sys.argv[2:]:
    hit = next(((d, off, n, base, e, i) for d, off, n, base, e in tables(path)
                for i in range(n - 1) if want(e, i)), None)
    if hit:
        break
d, off, n, base, e, i = hit
ents = off + 100
at = lambda i: base + (e[i] & 0x7fffffff)
if kind == 'raw-byte':      # a byte inside an uncompressed chunk
    d[at(i) + 100] ^= 0x40
elif kind == 'zlib-byte':   # a byte inside a compressed chunk's deflate data
    d[at(i) + (at(i + 1) - at(i)) // 2] ^= 0x40
elif kind == 'zlib-short':  # a valid zlib stream of the chunk less its last byte, same length
    a, b = at(i), at(i + 1)
    short = zlib.decompress(bytes(d[a:b]))[:-1]
    for lvl, mem, strat in ((l, m, s) for l in range(10) for m in range(1, 10) for s in range(5)):
        c = zlib.compressobj(lvl, zlib.DEFLATED, 15, mem, strat)
        z = c.compress(short) + c.flush()
        if len(z) == b - a:
            d[a:b] = z
            break
    else:
        sys.exit('no zlib stream of the same length')
elif kind == 'table-sum':   # an offset changed, the offsets' Adler-32 left
    e[i] += 1
elif kind == 'outside':     # an offset before the sectors section
    e[i] = (e[i] & 0x80000000) | 2
elif kind == 'size':        # an uncompressed chunk one byte longer than it can be
    e[i + 1] += 1
if kind in ('table-sum', 'outside', 'size'):
    struct.pack_into('<%dI' % n, d, ents, *e)
    if kind != 'table-sum':
        struct.pack_into('<I', d, ents + 4 * n, zlib.adler32(bytes(d[ents:ents + 4 * n])))
open(path, 'wb').write(d)
PY
	APFSINSPECT_EWF=direct run_rc "$BIN" verify "$D/dmg-$kind/$set.E01"
}
acquire dmg -c fast > /dev/null
damage raw-byte dmg
expect_eq "flipped byte, uncompressed chunk: verify exits 1" 1 "$RC"
expect_grep "flipped byte, uncompressed chunk: named with its sectors" \
	"E01 chunk holding sectors [0-9]+-[0-9]+ fails its checksum" "$ERR"
damage zlib-byte dmg
expect_eq "flipped byte, compressed chunk: verify exits 1" 1 "$RC"
expect_grep "flipped byte, compressed chunk: named with its sectors" \
	"E01 chunk holding sectors [0-9]+-[0-9]+ cannot be decompressed" "$ERR"
damage zlib-short dmg
expect_eq "compressed chunk one byte short: verify exits 1" 1 "$RC"
expect_grep "compressed chunk one byte short: named with its sectors" \
	"E01 chunk holding sectors [0-9]+-[0-9]+ cannot be decompressed" "$ERR"
damage table-sum dmg
expect_eq "table offsets failing their Adler-32: verify exits 1" 1 "$RC"
expect_grep "table offsets failing their Adler-32: the table is named" \
	"E01 table section of segment '.*dmg.E01' \\(chunk offsets at byte [0-9]+\\) fails its checksum" "$ERR"
damage outside dmg
expect_eq "offset outside the sectors section: verify exits 1" 1 "$RC"
expect_grep "offset outside the sectors section: named with both ranges" \
	"chunk [0-9]+ lies at bytes [0-9]+-[0-9]+, outside its sectors section" "$ERR"
damage size dmg
expect_eq "uncompressed chunk of the wrong size: verify exits 1" 1 "$RC"
expect_grep "uncompressed chunk of the wrong size: named with its sectors" \
	"E01 chunk holding sectors [0-9]+-[0-9]+ has a stored size that does not fit it" "$ERR"
done_testing
