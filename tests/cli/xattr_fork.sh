#!/usr/bin/env bash
# xattr_fork.sh - look inside a file's metadata (issue 13, item 5):
# `xattr IMAGE PATH NAME [--hex]` and `cat --fork rsrc`.  Expected values:
# ../shared/images/IMAGES.md and TSK's icat of the attribute (basic.img, a
# real Mac's image), the host's own xattrs (getfattr, xxd) for a from-dir
# image, testdata/README.md's hostile xattr name.
. "$(dirname "$0")/../lib.sh"
D=$(mktemp -d "$WORK/xattr.XXXXXX") && cd "$D" || exit 1
sha() { sha256sum | cut -c1-64; }

BASIC=$IMAGES/basic.img
if [ -e "$BASIC" ]; then
	expect_eq "cat --fork rsrc rsrc.txt: the fork IMAGES.md gives, not the data" \
		"this is the resource fork payload|resource fork contents" \
		"$("$BIN" cat --fork rsrc "$BASIC" /rsrc.txt)|$("$BIN" cat "$BASIC" /rsrc.txt)"
	if command -v icat > /dev/null; then
		expect_eq "cat --fork rsrc rsrc.txt = TSK's RSRC attribute (icat 30-4353-2)" \
			"$(icat -o 40 -B 505 "$BASIC" 30-4353-2 | sha)" \
			"$("$BIN" cat --fork rsrc "$BASIC" /rsrc.txt | sha)"
		# compressed.txt keeps its compressed chunks in the fork: the fork, not the data
		expect_eq "cat --fork rsrc compressed.txt = TSK's RSRC attribute (icat 32-4353-3)" \
			"$(icat -o 40 -B 505 "$BASIC" 32-4353-3 | sha)" \
			"$("$BIN" cat --fork rsrc "$BASIC" /compressed.txt | sha)"
	else
		skip "forks against icat" "sleuthkit not installed"
	fi
	expect_eq "cat compressed.txt is still its data (IMAGES.md 23f90f8b…)" \
		23f90f8b2c3a4b5f3b5e156339994afd5c2718b378aca6f0e17111f80a70d4ec \
		"$("$BIN" cat "$BASIC" /compressed.txt | sha)"
	expect_grep "xattr com.apple.provenance (IMAGES.md 42792b5d…828d44b)" '^42792b5d.*828d44b$' \
		"$("$BIN" xattr "$BASIC" /script.sh com.apple.provenance | sha)"
	expect_grep "xattr com.example.big, 6000 bytes in a stream (IMAGES.md f5ddb394…bee964)" \
		'^6000 f5ddb394.*bee964$' \
		"$("$BIN" xattr "$BASIC" /bigattr.txt com.example.big | wc -c) $("$BIN" xattr "$BASIC" /bigattr.txt com.example.big | sha)"
	expect_eq "xattr --hex: xxd -p lines that xxd -r -p turns back into the value" \
		"$("$BIN" xattr "$BASIC" /bigattr.txt com.example.big | xxd -p)" \
		"$("$BIN" xattr --hex "$BASIC" /bigattr.txt com.example.big)"
	expect_eq "xattr com.apple.decmpfs (hidden) reads by name: 'fpmc', type 8 (IMAGES.md)" \
		66706d630800 "$("$BIN" xattr --hex "$BASIC" /compressed.txt com.apple.decmpfs | cut -c1-12)"
	expect_rc "xattr beyond --max-file-size is refused" 1 \
		"$BIN" xattr --max-file-size 5000 "$BASIC" /bigattr.txt com.example.big
	expect_rc "xattr: no such attribute, exit 1" 1 "$BIN" xattr "$BASIC" /hello.txt no.such
	expect_rc "cat --fork rsrc of a file without one, exit 1" 1 \
		"$BIN" cat --fork rsrc "$BASIC" /hello.txt
	expect_rc "cat --fork data is refused (the one named fork is rsrc)" 2 \
		"$BIN" cat --fork data "$BASIC" /rsrc.txt
	expect_rc "xattr --hex on ls is refused" 2 "$BIN" ls --hex "$BASIC" /
else
	missing "xattr and forks on basic.img" "basic.img not found"
fi

# ---- from-dir: the host's own values --------------------------------------
if command -v setfattr > /dev/null && command -v getfattr > /dev/null; then
	mkdir src
	printf 'data\n' > src/f.txt
	head -c 3000 /dev/urandom > fork.bin
	head -c 200 /dev/urandom > bin.val
	setfattr -n user.com.apple.ResourceFork -v "0x$(xxd -p fork.bin | tr -d '\n')" src/f.txt
	setfattr -n user.com.example.bin -v "0x$(xxd -p bin.val | tr -d '\n')" src/f.txt
	setfattr -n user.com.apple.quarantine -v '0083;5f1e2d3c;Safari;' src/f.txt
	expect_rc "mkimage from-dir" 0 "$MKIMAGE" from-dir fd.img --dir src
	expect_eq "cat --fork rsrc = the host's user.com.apple.ResourceFork" \
		"$(sha < fork.bin)" "$("$BIN" cat --fork rsrc fd.img /f.txt | sha)"
	expect_eq "xattr com.example.bin = the host's value, byte for byte (getfattr)" \
		"$(getfattr --only-values -n user.com.example.bin src/f.txt | sha)" \
		"$("$BIN" xattr fd.img /f.txt com.example.bin | sha)"
	expect_eq "xattr --hex com.example.bin = xxd -p of the host's value" \
		"$(xxd -p bin.val)" "$("$BIN" xattr --hex fd.img /f.txt com.example.bin)"
	expect_eq "xattr com.apple.quarantine" "0083;5f1e2d3c;Safari;" \
		"$("$BIN" xattr fd.img /f.txt com.apple.quarantine)"
else
	skip "xattrs against the host's" "attr (setfattr, getfattr) not installed"
fi

# ---- a hostile xattr name (README "names") ---------------------------------
"$MKIMAGE" names names.img > /dev/null
expect_eq "xattr with the name README gives (ESC, newline inside): its value v" "v" \
	"$("$BIN" xattr names.img /xattr.txt $'user.\e[2Jevil\nname')"
run_rc "$BIN" xattr names.img /xattr.txt $'no\e[2Jsuch\nname'
expect_eq "no such xattr: one line, the name escaped" \
	'1 apfsinspect: /xattr.txt: no extended attribute '"'"'no\x1b[2Jsuch\x0aname'"'" "$RC $ERR"
done_testing
