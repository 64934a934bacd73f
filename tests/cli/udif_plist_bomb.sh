#!/usr/bin/env bash
# udif_plist_bomb.sh - a .dmg whose koly trailer points at a hostile XML plist:
# libplist 2.2 recurses per nesting level (a million nested <array>s crash
# it, measured) and aborts on a string holding a NUL.  The UDIF reader checks
# the plist first (util/plistcheck.c) and refuses it with exit 1, never a
# signal.  The dmg is written here from the koly layout (docs/containers.md:
# magic, version 4, size 512, data fork offset at 24, XML offset/length at
# 216/224, sector count at 492).
. "$(dirname "$0")/../lib.sh"

mkdmg() { # OUT XML-PYTHON-EXPRESSION
	python3 - "$1" "$2" <<'PY'
import struct, sys
x = eval(sys.argv[2]).encode()
k = bytearray(512)
k[0:4] = b"koly"
struct.pack_into(">II", k, 4, 4, 512)
struct.pack_into(">Q", k, 24, 0)
struct.pack_into(">QQ", k, 216, 0, len(x))
struct.pack_into(">Q", k, 492, 1)
open(sys.argv[1], "wb").write(x + bytes(k))
PY
}
H='"<?xml version=\"1.0\"?><plist version=\"1.0\">"'

mkdmg "$WORK/deep.dmg" "$H + '<array>' * 1000000 + '</array>' * 1000000 + '</plist>'"
expect_rc "a million nested arrays: exit 1, no crash" 1 "$BIN" list "$WORK/deep.dmg"
expect_grep "nesting: says why" "UDIF XML plist refused: arrays or dictionaries nested too deep" "$ERR"

mkdmg "$WORK/nul.dmg" "$H + '<dict><key>resource-fork</key><dict><key>blkx</key><array><dict><key>Name</key><string>a&#0;b</string></dict></array></dict></dict></plist>'"
expect_rc "a NUL inside a string: exit 1, no abort" 1 "$BIN" list "$WORK/nul.dmg"
expect_grep "NUL: says why" "UDIF XML plist refused: a string holding a NUL" "$ERR"

# Control: a shallow plist passes the check and reaches the reader's own checks.
mkdmg "$WORK/empty.dmg" "$H + '<dict/></plist>'"
expect_rc "a shallow plist without blkx: exit 1" 1 "$BIN" list "$WORK/empty.dmg"
expect_grep "shallow: the reader's own message" "has no resource-fork/blkx array" "$ERR"

done_testing
