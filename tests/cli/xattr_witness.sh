#!/usr/bin/env bash
# xattr_witness.sh - an extended-attribute record dropped, where the inode's
# flags witness it.  Apple's reference (j_inode_flags): INODE_HAS_RSRC_FORK
# says the inode has com.apple.ResourceFork, INODE_HAS_SECURITY_EA
# com.apple.system.Security; apfsck checks both ways, and macOS sets them
# (basic.img, a real Mac's image: rsrc.txt, inode 30, flags 0x4000;
# IMAGES.md gives its fork, 34 bytes, and com.apple.provenance on every
# file).  The record dropped from its leaf, the records after it moved down
# (tests/tools/leaf_drop.py): every node stays in order and in range.
# Before, `stat` listed the other xattrs with exit 0, and `cat --fork rsrc`
# and `xattr` said there was no such attribute, as for a file that never had one.
# Now a listing says the record is missing (exit 1, "entries may be
# missing"), `stat` names it after the attributes ("xattr missing: NAME",
# JSON xattrs_missing), and a read of it is damage.
. "$(dirname "$0")/../lib.sh"
need_image basic.img

# through_mount IMG NAME EXPECTED PYTHON: IMG mounted, PYTHON's output (the mount point in
# m; errno and os imported) held to EXPECTED; a skip where there is no FUSE.
through_mount() {
	if ! [ -c /dev/fuse ] || ! command -v fusermount3 > /dev/null; then
		skip "$2" "/dev/fuse or fusermount3 (fuse3) missing"
		return
	fi
	mnt_prepare "$WORK"
	if "$BIN" mount "$1" "$MNT" 2> "$WORK/merr"; then
		expect_eq "$2" "$3" "$(python3 -c "import errno, os, sys
m = sys.argv[1]
$4" "$MNT" 2>&1)"
		mnt_cleanup
	else
		notok "mount $1: $(cat "$WORK/merr")"
	fi
}

C=$WORK/basic.apfs
# the container, from sector 40 (IMAGES.md: TSK's -o 40)
dd if="$IMAGES/basic.img" of="$C" bs=512 skip=40 status=none
run_rc "$BIN" stat "$C" /rsrc.txt
expect_eq "sound: stat /rsrc.txt: exit 0, its fork and provenance (IMAGES.md), nothing said" \
	"0 xattr: com.apple.ResourceFork (34 bytes)
xattr: com.apple.provenance (11 bytes) " "$RC $(grep '^xattr:' <<< "$OUT") $ERR"
expect_eq "sound: none missing" "" "$(grep '^xattr missing' <<< "$OUT")"
run_rc "$BIN" stat --json "$C" /rsrc.txt
expect_eq "sound: stat --json: exit 0, xattrs_missing empty" "0 2 []" \
	"$RC $(python3 -c 'import json, sys; j = json.load(sys.stdin)
print(len(j["xattrs"]), j["xattrs_missing"])' <<< "$OUT")"
expect_eq "sound: cat --fork rsrc gives the fork (IMAGES.md)" \
	"this is the resource fork payload" "$("$BIN" cat --fork rsrc "$C" /rsrc.txt)"
# names sort by bytes: com.apple.ResourceFork ('R') is inode 30's first xattr record
expect_rc "leaf_drop.py: inode 30's first xattr record dropped" 0 python3 \
	"$TESTS/tools/leaf_drop.py" "$C" 30 4 0
WHY="volume '[^']*': inode 30: its flags say it has com.apple.ResourceFork \(INODE_HAS_RSRC_FORK\), but the tree holds no record of it: extended attributes may be missing"
run_rc "$BIN" stat "$C" /rsrc.txt
expect_eq "stat: exit 1, its attributes and provenance given, no fork (before: exit 0)" \
	"1 23 xattr: com.apple.provenance (11 bytes)" \
	"$RC $(sed -n 's/^size: //p' <<< "$OUT") $(grep '^xattr:' <<< "$OUT")"
expect_grep "... the fork named as missing" "$WHY" "$ERR"
expect_grep "... and the file" "^apfsinspect: /rsrc.txt: entries may be missing \(see above\)$" "$ERR"
expect_eq "... and named after the attributes (before: not at all)" \
	"xattr missing: com.apple.ResourceFork" "$(grep -A9 '^xattr:' <<< "$OUT" | tail -n +2)"
run_rc "$BIN" stat --json "$C" /rsrc.txt
expect_eq "stat --json: exit 1, xattrs the provenance, xattrs_missing the fork" \
	"1 [{'name': 'com.apple.provenance', 'size': 11}] ['com.apple.ResourceFork']" \
	"$RC $(python3 -c 'import json, sys; j = json.load(sys.stdin)
print(j["xattrs"], j["xattrs_missing"])' <<< "$OUT")"
for c in "cat --fork rsrc" xattr; do
	a=()
	[ "$c" = xattr ] && a=(com.apple.ResourceFork)
	# shellcheck disable=SC2086  # the command and its option
	run_rc "$BIN" $c "$C" /rsrc.txt "${a[@]}"
	expect_eq "$c: exit 1, damage (before: no such attribute)" \
		"1 apfsinspect: /rsrc.txt: damaged file-system data (see above)" \
		"$RC $(tail -1 <<< "$ERR")"
	expect_grep "... why" "$WHY" "$ERR"
done
run_rc "$BIN" xattr "$C" /rsrc.txt com.apple.nothing
expect_eq "xattr of a name no flag witnesses: none, as before" \
	"1 apfsinspect: /rsrc.txt: no extended attribute 'com.apple.nothing'" "$RC $ERR"
run_rc "$BIN" stat "$C" /hello.txt
expect_eq "stat /hello.txt (no fork: INODE_NO_RSRC_FORK): exit 0, its xattrs (IMAGES.md)" \
	"0 xattr: com.apple.provenance (11 bytes)
xattr: com.example.test (7 bytes)" "$RC $(grep '^xattr:' <<< "$OUT")"
run_rc "$BIN" cat "$C" /rsrc.txt
expect_eq "cat /rsrc.txt: its data (IMAGES.md), exit 0" "0 resource fork contents" "$RC $OUT"
# Through the mount: rsrc.txt's listxattr is EIO (the names it holds are not all), hello.txt's
# its two names (IMAGES.md).
through_mount "$C" "through the mount: listxattr rsrc.txt EIO, hello.txt its names" \
	"EIO ['com.apple.provenance', 'com.example.test']" 'try:
    os.listxattr(m + "/rsrc.txt"); r = "listed"
except OSError as e:
    r = errno.errorcode[e.errno]
print(r, sorted(os.listxattr(m + "/hello.txt")))'

# The other witness, set where its record never was: hello.txt (inode 16, TSK's fls in
# IMAGES.md) given INODE_HAS_SECURITY_EA (0x40; tests/tools/inode_field.py).  Its listing
# names com.apple.system.Security as missing; a read of another name is held to that
# name's own flag only (found in review: any flag unseen made it damage).
H=$WORK/hello.apfs
dd if="$IMAGES/basic.img" of="$H" bs=512 skip=40 status=none
expect_rc "inode_field.py: inode 16's internal_flags |= 0x40" 0 python3 \
	"$TESTS/tools/inode_field.py" "$H" 16 internal_flags '|0x40'
run_rc "$BIN" stat "$H" /hello.txt
expect_eq "stat /hello.txt: exit 1, its xattrs (IMAGES.md)" "1 xattr: com.apple.provenance (11 bytes)
xattr: com.example.test (7 bytes)" "$RC $(grep '^xattr:' <<< "$OUT")"
expect_grep "... the Security record named as missing" "inode 16: its flags say it has \
com.apple.system.Security \(INODE_HAS_SECURITY_EA\), but the tree holds no record of it" "$ERR"
run_rc "$BIN" xattr "$H" /hello.txt com.example.test
expect_eq "xattr com.example.test: value42 (IMAGES.md), exit 0" "0 value42" "$RC $OUT"
run_rc "$BIN" xattr "$H" /hello.txt com.apple.ResourceFork
expect_eq "xattr com.apple.ResourceFork (its flag unset): none, not damage" \
	"1 apfsinspect: /hello.txt: no extended attribute 'com.apple.ResourceFork'" "$RC $ERR"
run_rc "$BIN" xattr "$H" /hello.txt com.apple.system.Security
expect_eq "xattr com.apple.system.Security: damage" \
	"1 apfsinspect: /hello.txt: damaged file-system data (see above)" "$RC $(tail -1 <<< "$ERR")"
# Both flags: both named missing, in the text and in JSON.
expect_rc "inode_field.py: inode 16's internal_flags |= 0x4000 too" 0 python3 \
	"$TESTS/tools/inode_field.py" "$H" 16 internal_flags '|0x4000'
run_rc "$BIN" stat "$H" /hello.txt
expect_eq "both flags: stat: exit 1, both named missing after the xattrs" \
	"1 xattr missing: com.apple.ResourceFork
xattr missing: com.apple.system.Security" "$RC $(grep '^xattr missing: ' <<< "$OUT")"
run_rc "$BIN" stat --json "$H" /hello.txt
expect_eq "both flags: stat --json: its two xattrs, both missing named" \
	"1 ['com.apple.provenance', 'com.example.test'] ['com.apple.ResourceFork', 'com.apple.system.Security']" \
	"$RC $(python3 -c 'import json, sys; j = json.load(sys.stdin)
print([x["name"] for x in j["xattrs"]], j["xattrs_missing"])' <<< "$OUT")"

# A symbolic link's target record (com.apple.fs.symlink) dropped: its mode witnesses it.
# basic.img's link-to-hello (inode 25, TSK's fls in IMAGES.md; target hello.txt).  Names
# sort by bytes: com.apple.fs.symlink before com.apple.provenance, the inode's first.
# Before: `stat` gave size 0 and no target, `ls -l` a link of size 0, exit 0, nothing said.
L=$WORK/link.apfs
dd if="$IMAGES/basic.img" of="$L" bs=512 skip=40 status=none
run_rc "$BIN" stat "$L" /link-to-hello
expect_eq "sound: stat /link-to-hello: its target (IMAGES.md)" "0 target: hello.txt" \
	"$RC $(grep '^target:' <<< "$OUT")"
expect_rc "leaf_drop.py: inode 25's first xattr record dropped" 0 python3 \
	"$TESTS/tools/leaf_drop.py" "$L" 25 4 0
LWHY="inode 25: its mode says it has com.apple.fs.symlink \(S_IFLNK: a symbolic link's target\), but the tree holds no record of it"
run_rc "$BIN" stat "$L" /link-to-hello
expect_eq "target record dropped: stat: its attributes, no target, the record named missing, exit 1 (before: exit 0)" \
	"1 25 xattr: com.apple.provenance (11 bytes)
xattr missing: com.apple.fs.symlink" \
	"$RC $(sed -n 's/^inode: //p' <<< "$OUT") $(grep '^target:\|^xattr' <<< "$OUT")"
expect_grep "... why" "$LWHY" "$ERR"
expect_grep "... and the file" "^apfsinspect: /link-to-hello: entries may be missing \(see above\)$" "$ERR"
# ls -l, bodyfile and timeline give the entry (its times and owner are evidence), the loss
# named on stderr, and end 1: what they list is not all there is (before: exit 0).
run_rc "$BIN" ls -l "$L" /
expect_eq "target record dropped: ls -l /: the link listed, exit 1" "1 1" \
	"$RC $(grep -c ' link-to-hello$' <<< "$OUT")"
expect_grep "... named" "$LWHY" "$ERR"
for c in "ls -l -U" "ls -l -R" "ls --json"; do
	run_rc "$BIN" $c "$L" /
	expect_eq "target record dropped: $c: exit 1, the loss named" "1 1" \
		"$RC $(grep -cE "$LWHY" <<< "$ERR" | sed 's/^[1-9][0-9]*$/1/')"
done
for c in bodyfile timeline; do
	run_rc "$BIN" $c "$L"
	expect_eq "target record dropped: $c: the link given, exit 1, the loss named" "1 1 1" \
		"$RC $(grep -c '/link-to-hello[|"]' <<< "$OUT") $(grep -cE "$LWHY" <<< "$ERR" |
		sed 's/^[1-9][0-9]*$/1/')"
done
expect_eq "target record dropped: ls --json: the link's entry alone partial" "link-to-hello" \
	"$("$BIN" ls --json "$L" / 2>/dev/null | python3 -c 'import json, sys
print(" ".join(e["name"] for e in json.load(sys.stdin)["entries"] if e["partial"]))')"
run_rc "$BIN" bodyfile "$IMAGES/basic.img"
check "sound basic.img: bodyfile exit 0, nothing said" [ "$RC" = 0 -a -z "$ERR" ]
expect_eq "target record dropped: hello.txt still reads (IMAGES.md: hello from apfs)" \
	"hello from apfs" "$("$BIN" cat "$L" /hello.txt)"
through_mount "$L" "through the mount: the link EIO, hello.txt its bytes" \
	"EIO hello from apfs" 'try:
    os.readlink(m + "/link-to-hello"); r = "read"
except OSError as e:
    r = errno.errorcode[e.errno]
print(r, open(m + "/hello.txt").read().strip())'

# A compressed file's com.apple.decmpfs record dropped: UF_COMPRESSED witnesses it.
# `mkimage compression`, volume Compressed (testdata/README.md): zlib-xattr.txt, 3000
# bytes of "line 00000 of zlib-xattr.txt\n"..., its one xattr the decmpfs header and zlib
# data.  Before: `cat` gave 0 bytes and `ls -l` size 0, exit 0 (read as a plain file).
Z=$WORK/comp.img
expect_rc "mkimage compression" 0 "$MKIMAGE" compression "$Z"
ZI=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1])
from fsnode import named_id, sparse_nodes
with open(sys.argv[2], "rb") as f:
    print(named_id(list(sparse_nodes(f)), b"zlib-xattr.txt", "xattr_witness.sh"))' \
	"$TESTS/tools" "$Z")
expect_rc "leaf_drop.py: zlib-xattr.txt's (inode $ZI) decmpfs record dropped" 0 python3 \
	"$TESTS/tools/leaf_drop.py" "$Z" "$ZI" 4 0
ZWHY="inode $ZI: its flags say it has com.apple.decmpfs \(UF_COMPRESSED\), but the tree holds no record of it"
run_rc "$BIN" cat --volume Compressed "$Z" /zlib-xattr.txt
expect_eq "decmpfs record dropped: cat: exit 1, damage, no bytes (before: 0 bytes, exit 0)" \
	"1 apfsinspect: /zlib-xattr.txt: damaged file-system data (see above) " \
	"$RC $(tail -1 <<< "$ERR") $OUT"
expect_grep "... why" "$ZWHY" "$ERR"
run_rc "$BIN" stat --volume Compressed "$Z" /zlib-xattr.txt
expect_eq "decmpfs record dropped: stat: its attributes, the record named missing, exit 1" \
	"1 $ZI xattr missing: com.apple.decmpfs" \
	"$RC $(sed -n 's/^inode: //p' <<< "$OUT") $(grep '^xattr' <<< "$OUT")"
expect_grep "... why" "$ZWHY" "$ERR"
run_rc "$BIN" ls -l --volume Compressed "$Z" /
expect_eq "decmpfs record dropped: ls -l: the file listed, the loss named, exit 1" "1 1" \
	"$RC $(grep -c ' zlib-xattr.txt$' <<< "$OUT")"
expect_grep "... named" "$ZWHY" "$ERR"
run_rc "$BIN" bodyfile --volume Compressed "$Z"
expect_eq "decmpfs record dropped: bodyfile: the file given, exit 1" "1 1" \
	"$RC $(grep -c '/zlib-xattr.txt|' <<< "$OUT")"
run_rc "$BIN" xattr --volume Compressed "$Z" /zlib-xattr.txt com.apple.decmpfs
expect_eq "decmpfs record dropped: xattr com.apple.decmpfs: damage" \
	"1 apfsinspect: /zlib-xattr.txt: damaged file-system data (see above)" \
	"$RC $(tail -1 <<< "$ERR")"
expect_eq "decmpfs record dropped: lzvn-xattr.txt still reads (testdata/README.md)" \
	"$(for i in $(seq 0 200); do printf 'line %05d of lzvn-xattr.txt\n' "$i"; done |
	head -c 3000 | sha256sum)" \
	"$("$BIN" cat --volume Compressed "$Z" /lzvn-xattr.txt | sha256sum)"

# UF_COMPRESSED set on a file with a data stream and no decmpfs (`mkimage basic`'s
# /multi.bin, inode 24, 20,580 bytes: testdata/README.md): macOS reads the stream as it is
# (xnu's decmpfs_file_is_compressed: "failed to get the xattr so the file is not
# compressed"), and so do we: its bytes as its file-extent records give them, read here by
# tests/tools/fsnode.py apart from the C reader; the record is still named missing.
MB=$WORK/mb.img
expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$MB"
WANT="$(python3 - "$TESTS/tools" "$MB" <<'PY'
import hashlib, struct, sys
sys.path.insert(0, sys.argv[1])
from fsnode import BS, live_tree, sparse_nodes
with open(sys.argv[2], "rb") as f:
    data = bytearray(20580)  # testdata/README.md: 5 blocks + 100 bytes
    for n in live_tree(list(sparse_nodes(f))).values():
        for i in range(n.nkeys if n.level == 0 else 0):
            if n.oid_type(i) != (24, 8):  # j_file_extent records of stream 24
                continue
            k, _, v, _ = n.entry(i)
            logical = struct.unpack_from("<Q", n.blk, k + 8)[0]
            length, phys = struct.unpack_from("<QQ", n.blk, v)
            f.seek(phys * BS)
            chunk = f.read(length & ((1 << 56) - 1))
            data[logical:logical + len(chunk)] = chunk[:max(0, len(data) - logical)]
print(hashlib.sha256(bytes(data)).hexdigest() + "  -")
PY
)"
check "... the sound image's /multi.bin reads as its extents give it" \
	[ "$WANT" = "$("$BIN" cat "$MB" /multi.bin | sha256sum)" ]
expect_rc "inode_field.py: inode 24's bsd_flags |= UF_COMPRESSED (0x20)" 0 python3 \
	"$TESTS/tools/inode_field.py" "$MB" 24 bsd_flags '|0x20'
GOT=$("$BIN" cat "$MB" /multi.bin 2>/dev/null | sha256sum; echo "${PIPESTATUS[0]}")
expect_eq "UF_COMPRESSED, a data stream, no decmpfs: cat gives the stream, exit 0" \
	"$WANT
0" "$GOT"
run_rc "$BIN" stat "$MB" /multi.bin
expect_eq "... stat: size 20580, the record named missing, exit 1" \
	"1 20580 xattr missing: com.apple.decmpfs" \
	"$RC $(sed -n 's/^size: //p' <<< "$OUT") $(grep '^xattr' <<< "$OUT")"

# com.apple.system.Security with its record: a from-dir file given the access control list
# macOS gives a home's folders (tests/lib.sh builds it from xnu's kauth.h) and a note.  The
# generator sets INODE_HAS_SECURITY_EA (apfsck holds flag and record to each other:
# gen_conformance.sh).  The record dropped (names sort by bytes: com.apple.system.Security
# before com.example.note, the inode's first): stat names it missing, a read is damage.
T=$WORK/acltree
mkdir -p "$T" && printf 'guarded\n' > "$T/acl.txt"
if command -v setfattr > /dev/null &&
	setfattr -n user.com.apple.system.Security -v "0x$(acl_deny_delete_hex)" "$T/acl.txt" &&
	setfattr -n user.com.example.note -v note "$T/acl.txt"; then
	F=$WORK/acl.img
	expect_rc "mkimage from-dir: acl.txt with an ACL and a note" 0 "$MKIMAGE" from-dir "$F" \
		--dir "$T"
	# acl.txt's inode and its internal_flags, by tests/tools/fsnode.py (a reader of its own)
	read -r INO FL < <(python3 -c 'import struct, sys; sys.path.insert(0, sys.argv[1])
from fsnode import TYPE_INODE, live_tree, named_id, sparse_nodes
with open(sys.argv[2], "rb") as f:
    nodes = list(sparse_nodes(f))
ino = named_id(nodes, b"acl.txt", "xattr_witness.sh")
for n in live_tree(nodes).values():
    for i in range(n.nkeys if n.level == 0 else 0):
        if n.oid_type(i) == (ino, TYPE_INODE):
            print(ino, struct.unpack_from("<Q", n.blk, n.entry(i)[2] + 48)[0])' \
		"$TESTS/tools" "$F")
	check "the generator set INODE_HAS_SECURITY_EA (0x40) on acl.txt, inode ${INO:-?}" \
		test $(( ${FL:-0} & 0x40 )) -ne 0
	run_rc "$BIN" stat "$F" /acl.txt
	expect_eq "sound: stat /acl.txt: exit 0, the ACL (68 bytes) and the note" \
		"0 xattr: com.apple.system.Security (68 bytes)
xattr: com.example.note (4 bytes)" "$RC $(grep '^xattr' <<< "$OUT")"
	expect_eq "sound: the ACL's bytes are the host's" "$(acl_deny_delete_hex)" \
		"$("$BIN" xattr "$F" /acl.txt com.apple.system.Security | xxd -p | tr -d '\n')"
	expect_rc "leaf_drop.py: acl.txt's first xattr record dropped" 0 python3 \
		"$TESTS/tools/leaf_drop.py" "$F" "$INO" 4 0
	run_rc "$BIN" stat "$F" /acl.txt
	expect_eq "ACL record dropped: stat: exit 1, the note, the ACL named missing" \
		"1 xattr: com.example.note (4 bytes)
xattr missing: com.apple.system.Security" "$RC $(grep '^xattr' <<< "$OUT")"
	expect_grep "... why" "inode $INO: its flags say it has com.apple.system.Security \
\(INODE_HAS_SECURITY_EA\), but the tree holds no record of it" "$ERR"
	run_rc "$BIN" xattr "$F" /acl.txt com.apple.system.Security
	expect_eq "ACL record dropped: xattr com.apple.system.Security: damage" \
		"1 apfsinspect: /acl.txt: damaged file-system data (see above)" \
		"$RC $(tail -1 <<< "$ERR")"
	run_rc "$BIN" xattr "$F" /acl.txt com.example.note
	expect_eq "ACL record dropped: the note, exit 0" "0 note" "$RC $OUT"
else
	skip "an ACL record dropped" "setfattr (attr) or user xattrs on $WORK unavailable"
fi
done_testing
