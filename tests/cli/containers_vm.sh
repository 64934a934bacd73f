# containers_vm.sh - virtual-machine disks made by qemu-img convert (Debian
# qemu-utils, an independent writer) from each shared raw image: VMDK
# (monolithic sparse, split sparse, monolithic flat, stream optimised), VHD
# (dynamic, fixed), VHDX, qcow2 (plain and compressed).  Each lists and reads
# file for file like its raw source.  A split VMDK whose disk crosses its
# 2 GiB extent boundary, and damaged qcow2 tables, complete the picture.
. "$TESTS/lib.sh"
. "$TESTS/containers_lib.sh"
need_image basic.img
need_image encrypted.img
need_image dfvfs-apfs.raw
if ! command -v qemu-img > /dev/null; then
	skip "VM disk tests" "qemu-img (Debian qemu-utils) not installed"; done_testing; exit 0
fi
PASS=hunter2hunter2
V=$WORK/vm
mkdir -p "$V"

# fmt:subformat:what-list-calls-it; every source in each, basic.img in more variants.
FORMATS="vmdk:monolithicSparse:VMDK \\(monolithic sparse
vmdk:twoGbMaxExtentSparse:VMDK \\(split sparse
vpc:dynamic:VHD \\(dynamic
vhdx:dynamic:VHDX \\(dynamic
qcow2::qcow2 \\(version 3"
MORE="vmdk:monolithicFlat:VMDK \\(monolithic flat
vmdk:streamOptimized:VMDK \\(stream optimized
vpc:fixed:VHD \\(fixed
qcow2-c::qcow2 \\(version 3"

for src in basic.img encrypted.img dfvfs-apfs.raw; do
	cred=()
	[ "$src" = encrypted.img ] && cred=(--passphrase "$PASS")
	while IFS=: read -r fmt sub kind; do
		out=$V/${src%%.*}-$fmt-${sub:-x}
		opts=()
		[ -n "$sub" ] && opts=(-o "subformat=$sub")
		[ "$fmt" = qcow2-c ] && opts=(-c)
		qemu-img convert -f raw -O "${fmt%-c}" "${opts[@]}" "$IMAGES/$src" "$out" ||
			{ notok "qemu-img convert $src to $fmt $sub"; continue; }
		expect_rc "$src as $fmt $sub: list exits 0" 0 "$BIN" list "$out"
		expect_grep "$src as $fmt $sub: chain names it" "^Image: $kind" "$OUT"
		same_reads "$src as $fmt $sub" "$IMAGES/$src" "$out" "${cred[@]}"
		rm -f "$out"*
	done <<< "$FORMATS$([ "$src" = basic.img ] && printf '\n%s' "$MORE")"
done

# A 24 MiB file read by cat's parallel readers (a pool of library handles):
# equal to the same file read from the raw image.
"$MKIMAGE" bench "$WORK/par.img" --big-size $((24 << 20)) > /dev/null
WANT=$("$BIN" cat "$WORK/par.img" /big.bin --volume Secret --passphrase bench-password | sha256sum)
for fmt in qcow2 vmdk vhdx; do
	qemu-img convert -f raw -O $fmt "$WORK/par.img" "$V/par.$fmt"
	expect_eq "24 MiB encrypted file, parallel readers, $fmt: same as from the raw image" \
		"$WANT" "$("$BIN" cat "$V/par.$fmt" /big.bin --volume Secret --passphrase bench-password | sha256sum)"
	rm -f "$V/par.$fmt"
done
rm -f "$WORK/par.img"

# --format overrides detection: a raw image forced to vmdk is named, not read.
expect_rc "--format vmdk on a raw image: exit 1" 1 "$BIN" list --format vmdk "$IMAGES/basic.img"
expect_grep "--format vmdk on a raw image: named" "is not in the vmdk format" "$ERR"
qemu-img convert -f raw -O vhdx "$IMAGES/basic.img" "$V/basic.vhdx"
qemu-img convert -f raw -O qcow2 "$IMAGES/basic.img" "$V/basic.qcow2"
expect_rc "--format qcow2 on a VHDX: exit 1" 1 "$BIN" list --format qcow2 "$V/basic.vhdx"
expect_grep "--format qcow2 on a VHDX: named" "is not in the qcow2 format" "$ERR"
expect_rc "--format raw on a qcow2: exit 1 (qcow2 bytes are not APFS)" 1 \
	"$BIN" list --format raw "$V/basic.qcow2"

# A split VMDK (qemu-img's 2 GiB extents) with basic.img straddling the
# boundary: the container at 2 GiB - 8 MiB + 20480 reads as in the raw disk.
BIG=$WORK/big.raw
truncate -s $(( (2048 + 16) * 1024 * 1024 )) "$BIG"
dd if="$IMAGES/basic.img" of="$BIG" bs=1M seek=$((2048 - 8)) conv=notrunc status=none
qemu-img convert -f raw -O vmdk -o subformat=twoGbMaxExtentSparse "$BIG" "$V/big.vmdk"
OFF=$(( (2048 - 8) * 1024 * 1024 + 20480 ))
check "split VMDK: qemu-img wrote two extents" [ -e "$V/big-s002.vmdk" ]
expect_rc "split VMDK across extents: list exits 0" 0 "$BIN" list --offset $OFF "$V/big.vmdk"
expect_grep "split VMDK across extents: 2 extents in the chain" \
	'^Image: VMDK \(split sparse, 2 extents, ' "$OUT"
expect_eq "split VMDK across extents: list --json equal to the raw disk's" \
	"$(list_core --offset $OFF "$BIG")" "$(list_core --offset $OFF "$V/big.vmdk")"
expect_eq "split VMDK across extents: random.bin equal to the raw disk's" \
	"$("$BIN" cat --offset $OFF "$BIG" /random.bin | sha256sum)" \
	"$("$BIN" cat --offset $OFF "$V/big.vmdk" /random.bin | sha256sum)"
rm -f "$BIG"
mv "$V/big-s002.vmdk" "$V/big-s002.gone"
expect_rc "split VMDK, second extent missing: exit 1" 1 "$BIN" list "$V/big.vmdk"
expect_grep "split VMDK, second extent missing: names VMDK and the extent file" \
	"big.vmdk': VMDK image: .*no such file: .*big-s002\.vmdk" "$ERR"

# Damaged qcow2 (offsets from QEMU's qcow2 specification): an L1 entry and
# L2 entries past the end of the file, an L2 entry pointing at its own table
# (a loop in the mapping), an absurd L1 size and cluster size, a cut file.
qemu-img convert -f raw -O qcow2 "$IMAGES/basic.img" "$V/q.qcow2"
python3 - "$V/q.qcow2" <<'PY'
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
cb, = struct.unpack('>I', d[20:24])
l1n, = struct.unpack('>I', d[36:40])
l1o, = struct.unpack('>Q', d[40:48])
l2o = struct.unpack('>Q', d[l1o:l1o + 8])[0] & 0x00fffffffffffe00
far = (len(d) * 64) & ~0xffff
def save(name, e): open(p[:-6] + name + '.qcow2', 'wb').write(e)
e = bytearray(d); e[l1o:l1o + 8] = struct.pack('>Q', 1 << 63 | far); save('-l1past', e)
def l2(val):
    e = bytearray(d)
    for i in range(1 << (cb - 3)):
        o = l2o + 8 * i
        if struct.unpack('>Q', e[o:o + 8])[0]:
            e[o:o + 8] = struct.pack('>Q', 1 << 63 | val)
    return e
save('-l2past', l2(far))
save('-l2loop', l2(l2o))
e = bytearray(d); e[36:40] = struct.pack('>I', 0x7fffffff); save('-l1huge', e)
e = bytearray(d); e[20:24] = struct.pack('>I', 63); save('-clusterbits', e)
save('-cut', d[:len(d) // 2])
PY
for t in l1past l2past l2loop l1huge clusterbits cut; do
	run_rc timeout 30 "$BIN" cat "$V/q-$t.qcow2" /random.bin
	expect_eq "qcow2 $t: exit 1, no crash or hang" 1 "$RC"
done
for t in l1past l2past; do
	run_rc "$BIN" list "$V/q-$t.qcow2"
	expect_grep "qcow2 $t: names the qcow image and the failed read" \
		"q-$t.qcow2': qcow image: read of [0-9]+ bytes at [0-9]+: .*(level2 table|out of bounds)" "$ERR"
done
for t in l1huge clusterbits; do
	run_rc "$BIN" list "$V/q-$t.qcow2"
	expect_grep "qcow2 $t: names the qcow header field" \
		"q-$t.qcow2': qcow image: header or tables cannot be read: .*out of bounds" "$ERR"
done

done_testing
