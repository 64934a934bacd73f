# containers_sparse.sh - Apple sparse images and sparse bundles (docs/containers.md
# §1, §2) written by the generator (mkimage --wrap, mkimage wrap).
#   * Known answer from the format description, not from our reader:
#     tests/tools/sprs_reassemble.py parses a sparseimage from the §1 field
#     tables and rebuilds the disk; a bundle is rebuilt with dd, band file n
#     at n x band-size (band-size and size read by Python's plistlib).  Both
#     must equal the generator's raw output byte for byte, with the bands
#     stored out of order and, past 1008 bands, an index-node chain.
#   * Every shared image wrapped both ways at several band sizes (one of
#     1536 bytes, not a multiple of 4096) lists and reads like the raw one.
#   * Damaged containers exit 1 naming the container and the structure.
. "$TESTS/lib.sh"
. "$TESTS/containers_lib.sh"
need_image basic.img
need_image encrypted.img
need_image dfvfs-apfs.raw
PASS=hunter2hunter2
S=$WORK/sparse
mkdir -p "$S"

# bundle_dd BUNDLE OUT: the bundle's disk put together from §2 alone: band file
# n copied to n x band-size (band-size and size from Info.plist by Python's
# plistlib), zeros elsewhere; what dd seek=n conv=notrunc per band does, in
# one process (a 48 MiB image in 1536-byte bands is 30,000 band files).
bundle_dd() {
	python3 - "$1" "$2" <<'PY'
import os, plistlib, sys
b, out = sys.argv[1:]
p = plistlib.load(open(b + '/Info.plist', 'rb'))
bs, size = p['band-size'], p['size']
with open(out, 'wb') as o:
    for name in os.listdir(b + '/bands'):
        o.seek(int(name, 16) * bs)
        o.write(open(b + '/bands/' + name, 'rb').read())
    o.truncate(size)
PY
}

# --- Known answers: the generator's raw output, rebuilt independently -------
"$MKIMAGE" basic "$S/basic.raw"
"$MKIMAGE" basic "$S/basic.sparseimage" --wrap sparseimage --band-size 4096
run_rc python3 "$TESTS/tools/sprs_reassemble.py" "$S/basic.sparseimage" "$S/basic.re"
expect_grep "basic, 4 KiB bands: header node only, bands stored out of order" \
	'^bands=[0-9]+ nodes=0 band_size=4096 size=[0-9]+ order=shuffled$' "$OUT"
check "basic as sparseimage: rebuilt from §1 equals the raw output byte for byte" \
	cmp -s "$S/basic.raw" "$S/basic.re"
NB=$(printf '%s\n' "$OUT" | sed -n 's/^bands=\([0-9]*\) .*/\1/p')
expect_rc "basic as sparseimage: list exits 0" 0 "$BIN" list "$S/basic.sparseimage"
expect_grep "basic as sparseimage: chain names it, $NB of 4096 bands written" \
	"^Image: sparseimage \(4\.0 KiB bands, $NB of 4096 written, 16\.0 MiB\) → APFS" "$OUT"

# A chain: bench's two 6 MiB files in 4 KiB bands are more than 1008 + 1010 bands.
"$MKIMAGE" bench "$S/bench.raw" --big-size $((6 << 20)) > /dev/null
"$MKIMAGE" bench "$S/bench.sparseimage" --big-size $((6 << 20)) --wrap sparseimage \
	--band-size 4096 > /dev/null
run_rc python3 "$TESTS/tools/sprs_reassemble.py" "$S/bench.sparseimage" "$S/bench.re"
expect_grep "bench, 4 KiB bands: an index-node chain (2 nodes or more)" \
	'^bands=[0-9]+ nodes=([2-9]|[1-9][0-9]+) band_size=4096 .* order=shuffled$' "$OUT"
check "bench as sparseimage with index nodes: rebuilt from §1 equals the raw output" \
	cmp -s "$S/bench.raw" "$S/bench.re"
WANT=$("$BIN" cat "$S/bench.raw" /big.bin --volume Secret --passphrase bench-password | sha256sum)
expect_eq "bench as sparseimage: encrypted /big.bin reads as from the raw image" "$WANT" \
	"$("$BIN" cat "$S/bench.sparseimage" /big.bin --volume Secret \
		--passphrase bench-password | sha256sum)"

"$MKIMAGE" bench "$S/bench.sparsebundle" --big-size $((6 << 20)) --wrap sparsebundle \
	--band-size 4096 > /dev/null
bundle_dd "$S/bench.sparsebundle" "$S/bench.dd"
check "bench as sparsebundle: bands put together with dd equal the raw output" \
	cmp -s "$S/bench.raw" "$S/bench.dd"
check "bench as sparsebundle: Info.bckup equals Info.plist" \
	cmp -s "$S/bench.sparsebundle/Info.plist" "$S/bench.sparsebundle/Info.bckup"
check "bench as sparsebundle: token is empty (not encrypted)" \
	[ -f "$S/bench.sparsebundle/token" -a ! -s "$S/bench.sparsebundle/token" ]
check "bench as sparsebundle: some band files are short (trailing zero sectors dropped)" \
	[ -n "$(find "$S/bench.sparsebundle/bands" -type f -size -4096c)" ]
expect_eq "bench as sparsebundle: encrypted /big.bin reads as from the raw image" "$WANT" \
	"$("$BIN" cat "$S/bench.sparsebundle" /big.bin --volume Secret \
		--passphrase bench-password | sha256sum)"
expect_rc "bench as sparsebundle: list exits 0" 0 "$BIN" list "$S/bench.sparsebundle"
NP=$(ls "$S/bench.sparsebundle/bands" | wc -l)
expect_grep "bench as sparsebundle: chain names it, $NP band files present" \
	"^Image: sparsebundle \(4\.0 KiB bands, $NP of [0-9]+ present, [0-9.]+ MiB\) → APFS" "$OUT"
rm -f "$S"/bench.*.re "$S/bench.re" "$S/bench.dd"

# The same seed gives the same file; another seed another band order, same disk.
"$MKIMAGE" wrap "$S/basic.raw" "$S/s1" --wrap sparseimage --band-size 4096 --seed 1
"$MKIMAGE" wrap "$S/basic.raw" "$S/s1b" --wrap sparseimage --band-size 4096 --seed 1
"$MKIMAGE" wrap "$S/basic.raw" "$S/s2" --wrap sparseimage --band-size 4096 --seed 2
check "mkimage wrap: the same seed writes the same sparseimage" cmp -s "$S/s1" "$S/s1b"
expect_rc "mkimage wrap: another seed stores the bands in another order" 1 cmp -s "$S/s1" "$S/s2"
python3 "$TESTS/tools/sprs_reassemble.py" "$S/s2" "$S/s2.re" > /dev/null
check "mkimage wrap: ... and the same disk" cmp -s "$S/basic.raw" "$S/s2.re"
rm -f "$S"/s1* "$S"/s2*

# --- Every shared image, both ways, several band sizes ------------------------
# Each is rebuilt independently and listed; reading every file (slow: one
# unlock per file on encrypted.img) is done for basic.img at every size and
# for the others at two of them.
full_read() {
	[ "$1" = basic.img ] && return 0
	case "$2:$3" in sparseimage:1536 | sparsebundle:4096) return 0 ;; esac
	return 1
}
for src in basic.img encrypted.img dfvfs-apfs.raw; do
	cred=()
	[ "$src" = encrypted.img ] && cred=(--passphrase "$PASS")
	for kind in sparseimage sparsebundle; do
		for bs in 1536 4096 65536 default; do
			out=$S/${src%%.*}-$bs.$kind
			opt=()
			[ "$bs" = default ] || opt=(--band-size "$bs")
			"$MKIMAGE" wrap "$IMAGES/$src" "$out" --wrap $kind "${opt[@]}" --seed 7 ||
				{ notok "mkimage wrap $src as $kind $bs"; continue; }
			if [ $kind = sparseimage ]; then
				python3 "$TESTS/tools/sprs_reassemble.py" "$out" "$S/re" > /dev/null
			else
				bundle_dd "$out" "$S/re"
			fi
			check "$src as $kind, $bs-byte bands: rebuilt independently equals the source" \
				cmp -s "$IMAGES/$src" "$S/re"
			expect_rc "$src as $kind, $bs-byte bands: list exits 0" 0 "$BIN" list "$out"
			expect_grep "$src as $kind, $bs-byte bands: chain names it" "^Image: $kind \(" "$OUT"
			if [ "$src" = encrypted.img ]; then
				expect_rc "$src as $kind, $bs-byte bands: unlockvolume with the password" 0 \
					"$BIN" unlockvolume --passphrase "$PASS" "$out"
				expect_rc "$src as $kind, $bs-byte bands: a wrong password exits 3" 3 \
					"$BIN" unlockvolume --passphrase wrong-password "$out"
			fi
			full_read "$src" $kind $bs &&
				same_reads "$src as $kind, $bs-byte bands" "$IMAGES/$src" "$out" "${cred[@]}"
			rm -rf "$out" "$S/re"
		done
	done
done

# --- --format ----------------------------------------------------------------
"$MKIMAGE" wrap "$IMAGES/basic.img" "$S/b.sparseimage" --wrap sparseimage --band-size 4096
"$MKIMAGE" wrap "$IMAGES/basic.img" "$S/b.sparsebundle" --wrap sparsebundle --band-size 4096
expect_rc "--format sparseimage on a sparseimage: exit 0" 0 \
	"$BIN" list --format sparseimage "$S/b.sparseimage"
expect_rc "--format sparseimage on a raw image: exit 1" 1 \
	"$BIN" list --format sparseimage "$IMAGES/basic.img"
expect_grep "--format sparseimage on a raw image: named" "is not in the sparseimage format" "$ERR"
expect_rc "--format sparsebundle on a bundle: exit 0" 0 \
	"$BIN" list --format sparsebundle "$S/b.sparsebundle"
expect_rc "--format sparsebundle on a file: exit 1" 1 \
	"$BIN" list --format sparsebundle "$S/b.sparseimage"
expect_grep "--format sparsebundle on a file: says a bundle is a directory" \
	"is not a directory: a sparse bundle is one" "$ERR"
expect_rc "--format qcow2 on a bundle: exit 1" 1 "$BIN" list --format qcow2 "$S/b.sparsebundle"
expect_grep "--format qcow2 on a bundle: named" "is a directory, not in the qcow2 format" "$ERR"
expect_rc "--format raw on a sparseimage: exit 1 (sprs bytes are not APFS)" 1 \
	"$BIN" list --format raw "$S/b.sparseimage"

# --- Damaged sparse images (offsets from §1) --------------------------------------
"$MKIMAGE" wrap "$S/bench.raw" "$S/chain.sparseimage" --wrap sparseimage --band-size 4096
python3 - "$S/b.sparseimage" "$S/chain.sparseimage" <<'PY'
import struct, sys
one, chain = sys.argv[1], sys.argv[2]
d = bytearray(open(one, 'rb').read())
c = bytearray(open(chain, 'rb').read())
be32 = lambda b, o: struct.unpack_from('>I', b, o)[0]
be64 = lambda b, o: struct.unpack_from('>Q', b, o)[0]
nbands = be64(d, 28) * 512 // (be32(d, 8) * 512)
def save(name, e):
    open(one.rsplit('/', 1)[0] + '/d-' + name + '.sparseimage', 'wb').write(e)
def slot(e, i, v):
    e = bytearray(e); struct.pack_into('>I', e, 64 + 4 * i, v); return e
used = [i for i in range(1008) if be32(d, 64 + 4 * i)]
save('past-eof', slot(d, used[-1] + 100, nbands))               # an unused slot, beyond the file
save('past-size', slot(d, used[0], nbands + 1))                 # band id nbands: past the size
save('duplicate', slot(d, used[1], be32(d, 64 + 4 * used[0])))
save('cut', d[:len(d) - 2048])                                  # the last band cut short
e = bytearray(d); struct.pack_into('>I', e, 4, 2); save('version', e)
e = bytearray(d); struct.pack_into('>I', e, 8, 0); save('band-zero', e)
e = bytearray(d); struct.pack_into('>Q', e, 28, 1 << 60); save('huge-size', e)
e = bytearray(d); struct.pack_into('>Q', e, 20, len(d) + (1 << 20)); save('next-past-eof', e)
# the chain: index node 0 at n1, node 1 at n2
n1 = be64(c, 20); n2 = be64(c, n1 + 12)
e = bytearray(c); struct.pack_into('>Q', e, n2 + 12, n2); save('loop', e)
e = bytearray(c); struct.pack_into('>Q', e, n2 + 12, n1); save('backwards', e)
e = bytearray(c); struct.pack_into('>Q', e, n1 + 12, n1 + 4096 * 500); save('inside-bands', e)
open(one.rsplit('/', 1)[0] + '/offsets', 'w').write('%d %d\n' % (n1, n2))
PY
read -r N1 N2 < "$S/offsets"
while IFS='|' read -r t what; do
	run_rc timeout 30 "$BIN" cat "$S/d-$t.sparseimage" /random.bin
	expect_eq "sparseimage $t: exit 1, no crash or hang" 1 "$RC"
	expect_grep "sparseimage $t: names the container and the structure" \
		"d-$t\.sparseimage': sparseimage $what" "$ERR"
done <<EOF
past-eof|header node at offset 0: slot [0-9]+ \(band [0-9]+, at [0-9]+\) lies past the end of the file
past-size|header node at offset 0: slot [0-9]+ names band 4096, past the logical size \(4096 bands\)
duplicate|header node at offset 0: slot [0-9]+ names band [0-9]+, which an earlier slot already holds
cut|header node at offset 0: slot [0-9]+ \(band [0-9]+, at [0-9]+\) lies past the end of the file
version|header: version 2 \(only 3 is known\)
band-zero|header: 0 sectors per band
huge-size|header: [0-9]+ sectors per band, 1152921504606846976 sectors in all
next-past-eof|index node at offset [0-9]+: its 4096 bytes cannot be read
loop|index node at offset $N2: the next node's offset $N2 points back into the chain
backwards|index node at offset $N2: the next node's offset $N1 points back into the chain
inside-bands|index node at offset $N1: the next node's offset [0-9]+ points back into the chain
EOF

# --- Damaged bundles ----------------------------------------------------------
# bundle NAME: a fresh copy of b.sparsebundle as $S/d-NAME.sparsebundle
bundle() { rm -rf "$S/d-$1.sparsebundle"; cp -r "$S/b.sparsebundle" "$S/d-$1.sparsebundle"; }
# plist NAME KEY VALUE-XML|-: Info.plist with KEY's value replaced (- deletes the key)
plist() {
	bundle "$1"
	python3 - "$S/d-$1.sparsebundle/Info.plist" "$2" "$3" <<'PY'
import re, sys
p, key, val = sys.argv[1:]
t = open(p).read()
m = re.search(r'\t<key>%s</key>\n\t<[^\n]*\n' % re.escape(key), t)
t = t[:m.start()] + ('' if val == '-' else '\t<key>%s</key>\n\t%s\n' % (key, val)) + t[m.end():]
open(p, 'w').write(t)
PY
}
plist no-band-size band-size -
plist band-size-zero band-size '<integer>0</integer>'
plist band-size-odd band-size '<integer>1000</integer>'
plist band-size-string band-size '<string>8388608</string>'
plist no-size size -
plist huge-size size '<integer>9223372036854775807</integer>'
plist other-type diskimage-bundle-type '<string>com.apple.diskimage.shadow</string>'
bundle garbage
printf 'not a plist\n' > "$S/d-garbage.sparsebundle/Info.plist"
bundle long-band
first=$(ls "$S/d-long-band.sparsebundle/bands" | head -1)
truncate -s 4097 "$S/d-long-band.sparsebundle/bands/$first"
bundle no-bands
rm -r "$S/d-no-bands.sparsebundle/bands"
# Hostile files where bands or the plist belong: a FIFO (opening one blocks),
# a symbolic link out of the bundle.
bundle fifo-band
rm "$S/d-fifo-band.sparsebundle/bands/$first"
mkfifo "$S/d-fifo-band.sparsebundle/bands/$first"
bundle link-band
ln -sf /etc/passwd "$S/d-link-band.sparsebundle/bands/$first"
bundle fifo-plist
rm "$S/d-fifo-plist.sparsebundle/Info.plist"
mkfifo "$S/d-fifo-plist.sparsebundle/Info.plist"
bundle fifo-token
rm "$S/d-fifo-token.sparsebundle/token"
mkfifo "$S/d-fifo-token.sparsebundle/token"
bundle encrypted
printf 'encrcdsa\0\0\0\2' > "$S/d-encrypted.sparsebundle/token"
mkdir -p "$S/d-plain-dir.sparsebundle"
: > "$S/d-plain-dir.sparsebundle/file"
while IFS='|' read -r t what; do
	run_rc timeout 30 "$BIN" cat "$S/d-$t.sparsebundle" /random.bin
	expect_eq "sparsebundle $t: exit 1, no crash or hang" 1 "$RC"
	expect_grep "sparsebundle $t: names the container and the structure" \
		"d-$t\.sparsebundle'?:? $what" "$ERR"
done <<EOF
no-band-size|sparsebundle Info.plist has no integer band-size
band-size-zero|sparsebundle Info.plist: band-size 0 \(want 512 bytes
band-size-odd|sparsebundle Info.plist: band-size 1000 \(want 512 bytes
band-size-string|sparsebundle Info.plist has no integer band-size
no-size|sparsebundle Info.plist has no integer size
huge-size|sparsebundle Info.plist: size 9223372036854775807 \(want 1 byte
other-type|is a directory whose Info.plist has diskimage-bundle-type 'com.apple.diskimage.shadow': not a sparse bundle
garbage|Info.plist is not a property list dictionary
long-band|sparsebundle band file bands/$first is 4097 bytes, longer than the band size \(4096\)
no-bands|sparsebundle has no bands/ directory
fifo-band|sparsebundle band file bands/$first is not a regular file
link-band|sparsebundle band file bands/$first is not a regular file
fifo-plist|sparsebundle Info.plist cannot be read: Invalid argument
plain-dir|is a directory, not an image \(nor a sparse bundle: no Info.plist\)
EOF
# A token holding only the start of an encrcdsa header: the encrypted bundle's header is named.
run_rc timeout 30 "$BIN" cat "$S/d-encrypted.sparsebundle" /random.bin
expect_eq "sparsebundle encrypted, token cut short: exit 1, no crash or hang" 1 "$RC"
expect_grep "sparsebundle encrypted, token cut short: names the token and the header" \
	"d-encrypted\.sparsebundle/token': encrypted disk image \(encrcdsa\) header is cut short" "$ERR"
# A FIFO token is not an encryption header: the bundle reads as a plain one.
expect_eq "sparsebundle with a FIFO token: opens (not encrypted), reads as the raw image" \
	"$("$BIN" cat "$IMAGES/basic.img" /random.bin | sha256sum)" \
	"$(timeout 30 "$BIN" cat "$S/d-fifo-token.sparsebundle" /random.bin | sha256sum)"

done_testing
