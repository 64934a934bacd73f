# ewf1_edges.sh - the bounds of the E01 reader's walk (image/ewf1_open.c),
# each at its limit and one past it, on patched copies of one small set
# written by ewfacquire (Debian ewf-tools; each change resealed with its
# Adler-32, as containers_ewf_direct's damage does).  At the limit the set
# is taken and its media hashes to md5sum of the source; one past it the
# direct reader declines it, an error under APFSINSPECT_EWF=direct.
#   walk_segment: a section's next at at + 76 (an empty section) taken,
#     at + 75 declined; next = size + 1 declined;
#   volume: 512 and 4096 bytes per sector taken, 256, 511, 4097 and 8192
#     declined, and 513 and 4095 (not powers of two); sectors per chunk * bytes = 16 MiB taken, one sector more
#     declined;
#   table: n * 4 + 4 equal to the room taken (ewfacquire's own), one entry
#     more declined (the volume's counts raised to match), n = 0 declined;
#   the descriptor's Adler-32 one off declined; one sector taken, none and
#     2^64 - 1 declined;
#   chunk_where (image/ewf1_read.c): the last chunk ends at its sectors
#     section's data end in every set taken; chunk n-2 ending one byte past
#     it, or at its own start, refused by name with both ranges.
. "$TESTS/lib.sh"
if ! command -v ewfacquire > /dev/null; then
	skip "E01 reader edge tests" "ewfacquire (Debian ewf-tools) not installed"
	done_testing; exit 0
fi
D=$WORK/ewf1edges
mkdir -p "$D"
python3 - "$D/src.bin" "$D/one.bin" <<'PY'
import random, sys
r = random.Random(7)
d = bytes(r.getrandbits(8) for _ in range(300000)) + bytes(200000)
open(sys.argv[1], 'wb').write(d + bytes(-len(d) % 4096))
open(sys.argv[2], 'wb').write(d[:512])
PY
MD5=$(md5sum < "$D/src.bin" | cut -d' ' -f1)
MD5_ONE=$(md5sum < "$D/one.bin" | cut -d' ' -f1)
# Two sets of one segment: 64 sectors of 512 bytes a chunk, and 32768 (16 MiB).
for s in a:64 big:32768; do
	ewfacquire -u -q -t "$D/${s%:*}" -b "${s#*:}" -S 10MiB -C case -D "${s%:*}" -e examiner \
		-E 1 -N none -c fast "$D/src.bin" > "$D/${s%:*}.log" 2>&1
done
# And one of a single sector (the first 512 bytes).
ewfacquire -u -q -t "$D/one" -b 64 -S 10MiB -C case -D one -e examiner \
	-E 1 -N none -c fast "$D/one.bin" > "$D/one.log" 2>&1

# patch SET NAME KIND [ARGS]: a copy of $D/SET.E01 changed by KIND into $D/NAME.E01.
patch() {
	python3 - "$D/$1.E01" "$D/$2.E01" "${@:3}" <<'PY'
import random, struct, sys, zlib
src, dst, kind, args = sys.argv[1], sys.argv[2], sys.argv[3], [int(a) for a in sys.argv[4:]]
d = bytearray(open(src, 'rb').read())
adl = lambda b: zlib.adler32(bytes(b))

def sections(d):
    off = 13
    while True:
        t, nxt = struct.unpack_from('<16sQ', d, off)
        yield t.rstrip(b'\0'), off, nxt
        if nxt == off:
            return
        off = nxt

def seal(d, at, n):
    struct.pack_into('<I', d, at + n, adl(d[at:at + n]))

sec = {t: (off, nxt) for t, off, nxt in sections(d)}
vol, tab = sec[b'volume'][0] + 76, sec[b'table'][0] + 76
if kind == 'volume':          # chunks, sectors per chunk, bytes per sector, sectors
    c, spc, bps, n = args
    struct.pack_into('<IIIQ', d, vol + 4, c, spc, bps, n)
    seal(d, vol, 1048)
elif kind == 'table-n':       # the table's count set, the volume's counts raised to match
    n = args[0]
    c, spc, bps, sectors = struct.unpack_from('<IIIQ', d, vol + 4)
    extra = n - struct.unpack_from('<I', d, tab)[0]
    struct.pack_into('<I', d, tab, n)
    seal(d, tab, 20)
    if n:
        struct.pack_into('<IIIQ', d, vol + 4, c + extra, spc, bps, sectors + extra * spc)
        seal(d, vol, 1048)
elif kind == 'next-size':     # the hash section's next one past the file's end
    off = sec[b'hash'][0]
    struct.pack_into('<Q', d, off + 16, len(d) + args[0])
    seal(d, off, 72)
elif kind == 'insert':        # an unknown section of next - at = args[0] after the file header
    grow = args[0]
    for t, off, nxt in list(sections(d)):
        struct.pack_into('<Q', d, off + 16, nxt + grow)
        seal(d, off, 72)
        if t in (b'table', b'table2'):
            base = struct.unpack_from('<Q', d, off + 84)[0]
            struct.pack_into('<Q', d, off + 84, base + grow)
            seal(d, off + 76, 20)
    head = bytearray(b'xpad'.ljust(16, b'\0') + struct.pack('<QQ', 13 + grow, grow) + bytes(40))
    if grow < 76:             # the descriptor's last bytes are the next one's first:
        r = random.Random(0)  # its Adler-32 made to end with them (its padding varied)
        for i in range(1 << 16):
            head[32:72] = bytes(r.getrandbits(8) for _ in range(40))
            if struct.pack('<I', adl(head))[grow - 72:] == d[13:13 + 76 - grow]:
                break
        else:
            sys.exit('no padding gives the checksum')
    head += struct.pack('<I', adl(head))
    d = d[:13] + head[:grow] + d[13:]
elif kind == 'desc-sum':      # the hash section's descriptor Adler-32 off by args[0]
    off = sec[b'hash'][0]
    struct.pack_into('<I', d, off + 72, (adl(d[off:off + 72]) + args[0]) & 0xffffffff)
elif kind in ('chunk-end', 'chunk-empty'):
    # chunk n-2's end (the last entry's offset) moved to its sectors section's
    # data end + args[0], or to its own start; the offsets' Adler-32 resealed.
    # The expected refusal (chunk, its bytes, the section's data) goes to dst.ranges.
    n, base = struct.unpack_from('<I4xQ', d, tab)
    s_at, s_next = sec[b'sectors']
    ent = tab + 24
    prev, last = struct.unpack_from('<II', d, ent + (n - 2) * 4)
    at = base + (prev & 0x7fffffff)
    end = s_next + args[0] if kind == 'chunk-end' else at
    struct.pack_into('<I', d, ent + (n - 1) * 4, (last & 0x80000000) | (end - base))
    seal(d, ent, n * 4)
    open(dst + '.ranges', 'w').write('chunk %d lies at bytes %d-%d, outside its sectors '
                                     'section \\(%d-%d\\)\n' % (n - 2, at, end, s_at + 76, s_next))
open(dst, 'wb').write(d)
PY
}

# taken NAME WHAT [MD5]: the direct reader takes $D/NAME.E01 and reads the
# source's bytes (those hashing to MD5, the large source's by default).
taken() {
	APFSINSPECT_EWF=direct expect_rc "$2: taken by the direct reader, verify exits 0" \
		0 "$BIN" verify "$D/$1.E01"
	expect_grep "$2: the media read hashes to md5sum of the source" \
		"^        computed ${3:-$MD5}  match" "$OUT"
}
# declined NAME WHAT: the direct reader declines $D/NAME.E01, by name.
declined() {
	APFSINSPECT_EWF=direct expect_rc "$2: declined by the direct reader, verify exits 1" \
		1 "$BIN" verify "$D/$1.E01"
	expect_grep "$2: the refusal is the direct reader's decline" \
		"E01 set is not of the layout read without libewf \\(APFSINSPECT_EWF=direct\\)" "$ERR"
}

# walk_segment: next < at + 76 || next > size.
patch a sec76 insert 76
taken sec76 "a section of 76 bytes (next = at + 76)"
patch a sec75 insert 75
declined sec75 "a section of 75 bytes (next = at + 75, the next descriptor's checksum made right)"
patch a next-past next-size 1
declined next-past "a section ending a byte past the file (next = size + 1)"

# volume: 512 <= bytes per sector <= 4096, a power of two; the same 32 KiB chunks.
taken a "512 bytes per sector, 64 a chunk (ewfacquire's own)"
patch a bps4096 volume 16 8 4096 123
taken bps4096 "4096 bytes per sector, 8 a chunk"
patch a bps8192 volume 16 4 8192 62
declined bps8192 "8192 bytes per sector"
patch a bps4097 volume 16 8 4097 123
declined bps4097 "4097 bytes per sector"
patch a bps256 volume 16 128 256 1968
declined bps256 "256 bytes per sector"
patch a bps511 volume 16 64 511 984
declined bps511 "511 bytes per sector"
# Inside 512..4096 but not a power of two: one past each limit inward.
patch a bps513 volume 16 64 513 984
declined bps513 "513 bytes per sector"
patch a bps4095 volume 16 8 4095 123
declined bps4095 "4095 bytes per sector"
# sectors per chunk * bytes per sector <= 16 MiB.
taken big "32768 sectors of 512 bytes a chunk (16 MiB)"
patch big spc32769 volume 1 32769 512 984
declined spc32769 "32769 sectors of 512 bytes a chunk"

# table: n > 0 and n * 4 + 4 within the section (ewfacquire's: exactly).
patch a tab-more table-n 17
declined tab-more "a table of one entry more than its section holds"
patch a tab-zero table-n 0
declined tab-zero "a table of no entries"

# The section descriptor's Adler-32: right in every set above, one off declined.
patch a desc-sum desc-sum 1
declined desc-sum "the hash section's descriptor Adler-32 one off"

# volume: sectors == 0.  One sector taken (a set of it), none declined.
taken one "a set of one sector" "$MD5_ONE"
patch one sectors0 volume 0 64 512 0
declined sectors0 "a volume of no sectors (and no chunks)"
# sectors > UINT64_MAX / bps: the largest count declined (no count past the
# limit can match a 32-bit chunk count, so its edge has no set).
patch a sectors-max volume 0 64 512 18446744073709551615
declined sectors-max "a volume of 2^64 - 1 sectors"

# chunk_where: a chunk's end inside its sectors section's data, and after its
# start.  The last chunk ends exactly at the data's end in every set taken
# above; chunk n-2 ending a byte past it, or at its own start, is refused by
# name with both ranges (the bytes computed from the set's sections above).
for k in chunk-end:1 chunk-empty:0; do
	patch a "${k%:*}" "${k%:*}" "${k#*:}"
	APFSINSPECT_EWF=direct expect_rc "${k%:*}: refused, verify exits 1" \
		1 "$BIN" verify "$D/${k%:*}.E01"
	expect_grep "${k%:*}: the chunk and both ranges named" \
		"$(cat "$D/${k%:*}.E01.ranges")" "$ERR"
done
done_testing
