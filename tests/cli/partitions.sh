# partitions.sh - GPT disks built with util-linux sfdisk (an independent
# writer of GPT): 512- and 4096-byte sectors, several APFS containers.
. "$TESTS/lib.sh"
need_image dfvfs-apfs.raw
need_image encrypted.img
if ! command -v sfdisk > /dev/null; then
	skip "GPT tests" "sfdisk (util-linux fdisk package) not installed"; done_testing; exit 0
fi
APFS=7C3457EF-0000-11AA-AA11-00306543ECAC
ISC=69646961-6700-11AA-AA11-00306543ECAC

# 4096-byte sectors (sfdisk here cannot write them; a few lines of Python
# lay out the GPT by the UEFI spec): the container at LBA 16 = byte 65536.
cat > "$WORK/gpt4k.py" <<'PY'
import struct, sys, uuid, zlib
path, ptype = sys.argv[1], uuid.UUID(sys.argv[2]).bytes_le
first, last = int(sys.argv[3]), int(sys.argv[4])  # the entry's LBAs
bad_crc = len(sys.argv) > 5  # the header's table CRC32 off by one
ss, nlba = 4096, 2048
entry = ptype + uuid.uuid4().bytes_le + struct.pack('<QQQ', first, last, 0) + bytes(72)
table = entry + bytes(128 * 127)
hdr = struct.pack('<8sIIIIQQQQ16sQIII', b'EFI PART', 0x10000, 92, 0, 0, 1, nlba - 1, 6,
                  nlba - 6, uuid.uuid4().bytes_le, 2, 128, 128, zlib.crc32(table) ^ bad_crc)
hdr = hdr[:16] + struct.pack('<I', zlib.crc32(hdr)) + hdr[20:]
mbr = bytearray(512)
mbr[446:462] = struct.pack('<BBBBBBBBII', 0, 0, 2, 0, 0xee, 0xff, 0xff, 0xff, 1, nlba - 1)
mbr[510:512] = b'\x55\xaa'
with open(path, 'wb') as f:
    f.truncate(nlba * ss)
    f.write(mbr)
    f.seek(ss); f.write(hdr)
    f.seek(2 * ss); f.write(table)
PY
gpt4k() { # OUT FIRST LAST [bad-crc]
	python3 "$WORK/gpt4k.py" "$1" "$APFS" "$2" "$3" ${4:+bad} &&
		dd if="$IMAGES/dfvfs-apfs.raw" of="$1" bs=4096 seek=16 conv=notrunc status=none
}
gpt4k "$WORK/gpt4k.img" 16 $((16 + 1014 - 1))
expect_rc "4K-sector GPT: exit 0" 0 "$BIN" list "$WORK/gpt4k.img"
expect_grep "4K-sector GPT: container found at 65536" 'GPT entry 1 \(Apple_APFS\), offset 65536$' "$OUT"
expect_grep "4K-sector GPT: volume read" 'Name: +apfs_test' "$OUT"
expect_eq "4K-sector GPT: no warning" "" "$ERR"
# The table's CRC32 one off: said, and the table still read (UEFI says to use
# the backup; an examiner wants what the primary says, with the warning).
gpt4k "$WORK/gpt4k-crc.img" 16 $((16 + 1014 - 1)) bad-crc
expect_rc "GPT table CRC32 wrong: exit 0" 0 "$BIN" list "$WORK/gpt4k-crc.img"
expect_grep "GPT table CRC32 wrong: warned" '^apfsinspect: warning: GPT partition table CRC32 mismatch; reading it anyway$' "$ERR"
expect_grep "GPT table CRC32 wrong: container still found" 'GPT entry 1 \(Apple_APFS\), offset 65536$' "$OUT"
# An entry ending one LBA before it starts is skipped with its LBAs named.
gpt4k "$WORK/gpt4k-neg.img" 16 15
run_rc "$BIN" list "$WORK/gpt4k-neg.img"
expect_grep "GPT entry ending before its start: skipped, said" \
	'^apfsinspect: warning: GPT entry 1: Apple_APFS partition LBA 16-15 lies outside the image; skipped$' "$ERR"

# Two containers on one 512-byte-sector disk, the second an ISC partition.
truncate -s 64M "$WORK/two.img"
printf 'label: gpt\nstart=2048, size=8112, type=%s\nstart=16384, size=98304, type=%s\n' \
	"$APFS" "$ISC" | sfdisk -q "$WORK/two.img" > /dev/null 2>&1
dd if="$IMAGES/dfvfs-apfs.raw" of="$WORK/two.img" bs=512 seek=2048 conv=notrunc status=none
dd if="$IMAGES/encrypted.img" of="$WORK/two.img" bs=512 seek=16384 conv=notrunc status=none
expect_rc "two containers: exit 0" 0 "$BIN" list "$WORK/two.img"
expect_grep "two containers: counted" '^APFS Containers \(2 found\)$' "$OUT"
expect_grep "two containers: first" 'GPT entry 1 \(Apple_APFS\), offset 1048576$' "$OUT"
expect_grep "two containers: second is ISC" 'GPT entry 2 \(Apple_APFS_ISC\), offset 8388608$' "$OUT"
expect_grep "two containers: volumes numbered across the image" 'Volume 2 1BEC6FD3-1871-4697-BF1F-20C2620146D8' "$OUT"
expect_rc "two containers: --offset picks one" 0 "$BIN" list --offset 8388608 "$WORK/two.img"
expect_grep "two containers: --offset shows only it" '^APFS Containers \(1 found\)$' "$OUT"

# A partition whose container is damaged: the other one still lists, exit 1.
dd if=/dev/zero of="$WORK/two.img" bs=512 seek=16384 count=8 conv=notrunc status=none
expect_rc "one damaged container: exit 1" 1 "$BIN" list "$WORK/two.img"
expect_grep "one damaged container: the good one is shown" 'Name: +apfs_test' "$OUT"
expect_grep "one damaged container: the bad one is named" 'byte offset 8388608' "$ERR"
done_testing
