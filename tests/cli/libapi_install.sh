# libapi_install.sh - libapfsinspect as a program outside the tree sees it:
# `make install PREFIX=... DESTDIR=...` puts the header, the shared library
# (SONAME libapfsinspect.so.1, exporting the header's functions and nothing
# else), the static library and apfsinspect.pc in place; tests/libapi/example.c,
# copied out of the tree, builds through pkg-config against the installed
# files only (dynamically, and statically with --static), runs, and prints
# what testdata/README.md ("The small tree") and ../shared/images/IMAGES.md
# document of the images: names, sizes, SHA-256 of data and resource forks,
# link targets, xattrs.
. "$TESTS/lib.sh"
ROOT=$(cd "$TESTS/.." && pwd)
DEST=$WORK/libdest
PREFIX=/usr/local
LIBDIR=$DEST$PREFIX/lib

expect_rc "make install into a DESTDIR: exit 0" 0 \
	make -s -C "$ROOT" B="$B" PREFIX="$PREFIX" DESTDIR="$DEST" install
for f in include/apfsinspect.h lib/libapfsinspect.so.1 lib/libapfsinspect.a \
	lib/pkgconfig/apfsinspect.pc share/man/man3/libapfsinspect.3; do
	check "installed: $PREFIX/$f" test -s "$DEST$PREFIX/$f"
done
expect_eq "installed: libapfsinspect.so links to the SONAME" "libapfsinspect.so.1" \
	"$(readlink "$LIBDIR/libapfsinspect.so")"
expect_grep "SONAME libapfsinspect.so.1" 'Library soname: \[libapfsinspect\.so\.1\]' \
	"$(readelf -d "$LIBDIR/libapfsinspect.so.1")"
expect_eq "APFSI_VERSION in the header is the Makefile's VERSION" \
	"$(sed -n 's/^VERSION := //p' "$ROOT/Makefile")" \
	"$(sed -n 's/^#define APFSI_VERSION "\(.*\)"$/\1/p' "$DEST$PREFIX/include/apfsinspect.h")"

if command -v man > /dev/null; then
	MANWIDTH=100 man --nh --nj -l "$DEST$PREFIX/share/man/man3/libapfsinspect.3" \
		> "$WORK/man3.txt" 2> "$WORK/man3.err"
	expect_eq "libapfsinspect(3): man -l renders it without a warning" "" "$(cat "$WORK/man3.err")"
	expect_grep "libapfsinspect(3): rendered" '^RULES' "$(cat "$WORK/man3.txt")"
else
	skip "libapfsinspect(3) renders" "man is not installed"
fi

# Exported: the functions the installed header declares, and nothing else.
api=$(grep -oE '\bapfsi_[a-z_]+\(' "$DEST$PREFIX/include/apfsinspect.h" | tr -d '(' | sort -u)
exported=$(nm -D --defined-only "$LIBDIR/libapfsinspect.so.1" | awk '$2 == "T" || $2 == "D" ||
	$2 == "B" || $2 == "R" || $2 == "W" || $2 == "V" { sub(/@.*/, "", $3); print $3 }' | sort -u)
expect_eq "exported: no symbol the header does not declare" "" \
	"$(comm -13 <(printf '%s\n' "$api") <(printf '%s\n' "$exported"))"
# Every public function the library defines (the static library has them all) is exported.
defined=$(nm --defined-only "$LIBDIR/libapfsinspect.a" 2>/dev/null | awk '$2 == "T" { print $3 }' |
	sort -u | comm -12 - <(printf '%s\n' "$api"))
expect_eq "exported: every header function the library defines ($(printf '%s\n' "$defined" | wc -l) of $(printf '%s\n' "$api" | wc -l))" \
	"" "$(comm -23 <(printf '%s\n' "$defined") <(printf '%s\n' "$exported"))"
expect_eq "exported: no internal symbol (apfs_, kb_, lzfse...)" "" \
	"$(nm -D --defined-only "$LIBDIR/libapfsinspect.so.1" | awk '$2 != "A" { print $3 }' | grep -v '^apfsi_')"

# Built out of the tree, through pkg-config, against the installed files only.
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig PKG_CONFIG_SYSROOT_DIR=$DEST
mkdir -p "$WORK/ex" && cp "$ROOT/tests/libapi/example.c" "$WORK/ex/"
flags=$(pkg-config --cflags --libs apfsinspect)
# A library built by `make asan` needs the program built with the same sanitizers.
SAN=""
if readelf -d "$LIBDIR/libapfsinspect.so.1" | grep -q 'libasan'; then
	SAN="-fsanitize=address,undefined"
fi
# (Requires.private adds its packages' -I and -D: harmless, the header includes none of them.)
expect_grep "pkg-config: the installed include directory" "(^| )-I$DEST$PREFIX/include( |\$)" "$flags"
expect_grep "pkg-config: the installed library" "(^| )-L$LIBDIR -lapfsinspect( |\$)" "$flags"
libs=$(pkg-config --static --libs apfsinspect)
for l in -lcrypto -lz -lbz2 -lutf8proc; do
	expect_grep "pkg-config --static: $l (Requires.private, Libs.private)" "(^| )$l( |\$)" "$libs"
done
# libplist and the libyal libraries are loaded when an image needs them (util/dl.c), never linked.
for l in -lplist-2.0 -lewf -lvmdk -lfuse3; do
	expect_eq "pkg-config --static: no $l (loaded when needed)" "" "$(printf '%s\n' $libs | grep -x -- "$l")"
done
# shellcheck disable=SC2086
expect_rc "example.c builds against the installed header and .so" 0 \
	sh -c "cd '$WORK/ex' && ${CC:-cc} -std=c11 -Wall -Wextra -Werror $SAN -o example example.c $flags"
static=$(pkg-config --static --cflags --libs apfsinspect | sed 's/-lapfsinspect/-l:libapfsinspect.a/')
expect_rc "example.c links statically with pkg-config --static" 0 \
	sh -c "cd '$WORK/ex' && ${CC:-cc} -std=c11 $SAN -o example-static example.c $static"
EX=$WORK/ex/example
export LD_LIBRARY_PATH=$LIBDIR
expect_grep "the program loads the installed library" "libapfsinspect\\.so\\.1 => $LIBDIR/" "$(ldd "$EX")"
check "the static program needs no libapfsinspect.so" sh -c "! ldd '$WORK/ex/example-static' | grep -q libapfsinspect"

sha() { printf "$1" | sha256sum | cut -d' ' -f1; }

# ---- the generated small tree (testdata/README.md) ----------------------------
"$MKIMAGE" basic "$WORK/gen.img" > /dev/null
for prog in "$EX" "$WORK/ex/example-static"; do
	expect_rc "$(basename "$prog"): generated basic: exit 0" 0 "$prog" "$WORK/gen.img"
	expect_grep "$(basename "$prog"): volume Basic" '^volume 1 Basic None encrypted=0 locked=0$' "$OUT"
done
for want in \
	"F /hello.txt 13 $(sha 'hello, world\n')" \
	"F /dir/nested.txt 7 $(sha 'nested\n')" \
	"F /dir/sub/deep.txt 5 $(sha 'deep\n')" \
	"F /empty.txt 0 $(sha '')" \
	"F /Café.txt 6 $(sha 'café\n')" \
	"F /hardlink-a.txt 7 $(sha 'linked\n')" \
	"F /dir/hardlink-b.txt 7 $(sha 'linked\n')" \
	"L /link hello.txt" \
	"X /hello.txt com.example.note 11" \
	"D /dir/sub"; do
	expect_grep "generated basic: $want" "^$want\$" "$OUT"
done
expect_grep "generated basic: /multi.bin is 5 blocks + 100 bytes" '^F /multi\.bin 20580 [0-9a-f]{64}$' "$OUT"
expect_eq "generated basic: every file of the small tree, no other" \
	"/Café.txt /dir/hardlink-b.txt /dir/nested.txt /dir/sub/deep.txt /empty.txt /hardlink-a.txt /hello.txt /multi.bin" \
	"$(printf '%s\n' "$OUT" | awk '$1 == "F" { print $2 }' | LC_ALL=C sort | paste -sd' ')"

# A file of 16 pieces, read by several threads and handed on in order: `large`'s /holey.bin
# (64 MiB: block 0 all A, the last block all Z, zeros between).
"$MKIMAGE" large "$WORK/large.img" > /dev/null
holey=$( { head -c 4096 /dev/zero | tr '\0' A; head -c $((64 * 1048576 - 8192)) /dev/zero
	head -c 4096 /dev/zero | tr '\0' Z; } | sha256sum | cut -d' ' -f1)
expect_rc "generated large: exit 0" 0 "$EX" "$WORK/large.img" "" /holey.bin
expect_eq "generated large: /holey.bin read whole in order" "F /holey.bin 67108864 $holey" \
	"$(printf '%s\n' "$OUT" | grep '^F ')"
rm -f "$WORK/large.img"

# ---- the real images (../shared/images/IMAGES.md) ------------------------------
basic_lines=(
	"F /hello.txt 16 25364e43b2cfa0c8cafbbfd4017149c3214727f6d9a57cfc8fafc8a56af0815f"
	"F /hardlink-to-hello 16 25364e43b2cfa0c8cafbbfd4017149c3214727f6d9a57cfc8fafc8a56af0815f"
	"F /bigattr.txt 28 04aebeb2dd97388480684f50c389dff001fed5927891d7a0e17122249c7f3558"
	"F /compressed.txt 23893 23f90f8b2c3a4b5f3b5e156339994afd5c2718b378aca6f0e17111f80a70d4ec"
	"F /dir1/nested/deep.txt 10 30cf6f2de471343739bcc1dde393c0c0771814ac3ad798f68c8a74495174521a"
	"F /empty.txt 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	"F /random.bin 1572864 99f7fea86c625dbcea4f1d8d47a6c41a3f2a2b04664ebd2b53642c25e689781b"
	"F /rsrc.txt 23 c4e2d89a6204e5164209f33f20214affbd437398c25e6e88ea7d3c158aa07e34"
	"F /script.sh 18 b4d644d4279594903f1a9911956432d9473041f2984fc6014c14d7402c7d126c"
	"F /ünïcødé/файл.txt 21 cc4c4f3164ed1354d2a85f7531e127626a39a27857b85efa368b6f237c6bb9c5"
	"R /rsrc.txt 34 $(sha 'this is the resource fork payload\n')"
	"L /link-to-hello hello.txt"
	"X /hello.txt com.example.test 7"
	"X /bigattr.txt com.example.big 6000"
	"X /hello.txt com.apple.provenance 11"
)
for img in basic.img basic.dmg basic-lzfse.dmg basic-bz2.dmg; do
	if [ ! -e "$IMAGES/$img" ]; then
		missing "$img" "../shared/images/$img not found"; continue
	fi
	expect_rc "$img: exit 0" 0 "$EX" "$IMAGES/$img"
	expect_grep "$img: volume ACCEPT" '^volume 1 ACCEPT ' "$OUT"
	bad=""
	for want in "${basic_lines[@]}"; do
		printf '%s\n' "$OUT" | grep -qxF -- "$want" || bad="$bad [$want]"
	done
	expect_eq "$img: the files, fork, link and xattrs IMAGES.md lists" "" "$bad"
	expect_eq "$img: 10 files (IMAGES.md's table), no other" 10 \
		"$(printf '%s\n' "$OUT" | grep -c '^F ')"
done
expect_grep "basic.dmg: the outer layer is UDIF" '^image UDIF' \
	"$([ -e "$IMAGES/basic.dmg" ] && "$EX" "$IMAGES/basic.dmg" || echo 'image UDIF (skipped)')"

if [ -e "$IMAGES/dfvfs-apfs.raw" ]; then
	expect_rc "dfvfs-apfs.raw: exit 0" 0 "$EX" "$IMAGES/dfvfs-apfs.raw"
	for want in \
		"volume 1 apfs_test None encrypted=0 locked=0" \
		"F /passwords.txt 116 $(sha 'place,user,password\nbank,joesmith,superrich\nalarm system,-,1234\ntreasure chest,-,1111\nuber secret laire,admin,admin\n')" \
		"F /a_directory/another_file 22 $(sha 'This is another file.\n')" \
		"F /a_directory/a_file 53 $(sha 'This is a text file.\n\nWe should be able to parse it.\n')" \
		"R /a_directory/a_resourcefork 17 $(sha 'My resource fork\n')" \
		"L /a_link a_directory/another_file" \
		"X /a_directory/a_file myxattr 21"; do
		expect_grep "dfvfs-apfs.raw: $want" "^$(printf '%s' "$want" | sed 's/[.[*^$]/\\&/g')\$" "$OUT"
	done
else
	missing "dfvfs-apfs.raw" "../shared/images/dfvfs-apfs.raw.gz not found"
fi

if [ -e "$IMAGES/encrypted.img" ]; then
	run_rc "$EX" "$IMAGES/encrypted.img"
	expect_eq "encrypted.img: exit 1 (the volume is locked)" 1 "$RC"
	expect_grep "encrypted.img: volume Enc, encrypted and locked" '^volume 1 Enc .* encrypted=1 locked=1$' "$OUT"
	expect_grep "encrypted.img: the open says locked (APFSI_ERR_LOCKED)" '^open: volume is locked: ' "$OUT"
else
	missing "encrypted.img" "../shared/images/encrypted.img.gz not found"
fi
done_testing
