# abi_layout.sh - the public structs of include/apfsinspect.h keep their
# size and the offset of every field they had when libapfsinspect.so.1
# first shipped (commit ABI_BASE), on 64-bit and 32-bit targets (issue 15:
# "structs only grow into their reserved[] fields").  A field taken from
# reserved[] must take whole 8-byte slots: a bool or an unsigned alone
# keeps the size on x86_64 but shrinks the struct by 4 bytes on i686, where
# uint64_t is 4-byte aligned, and a program built with the new header
# would overrun the old library's memset.  The baseline is the released
# header itself, compiled here by clang for each target (-ffreestanding:
# the header needs only <stdbool.h>, <stddef.h> and <stdint.h>).
. "$TESTS/lib.sh"
ROOT=$(cd "$TESTS/.." && pwd)
ABI_BASE=741616b

if ! command -v clang > /dev/null; then
	skip "public structs keep their layout" "clang (for its cross targets) is not installed"
	done_testing
	exit 0
fi
if ! git -C "$ROOT" show "$ABI_BASE:include/apfsinspect.h" > "$WORK/base.h" 2> /dev/null; then
	skip "public structs keep their layout" "no git history holding $ABI_BASE (a tarball?)"
	done_testing
	exit 0
fi
cp "$ROOT/include/apfsinspect.h" "$WORK/now.h"

# "struct field offset" lines, and "struct - size", for every struct of a header.
layout() { # HEADER TARGET
	local structs
	structs=$(grep -o '^struct apfsi_[a-z_]* {' "$1" | awk '{ print $2 }' | sort -u)
	python3 - "$1" $structs > "$WORK/probe.c" <<'PY'
import re, sys
hdr, structs = sys.argv[1], sys.argv[2:]
text = open(hdr).read()
print('#include <stddef.h>\n#include "%s"' % hdr)
print('unsigned long long layout[] = {')
for s in structs:
    body = re.search(r'^struct %s \{\n(.*?)^\};' % s, text, re.S | re.M).group(1)
    body = re.sub(r'/\*.*?\*/', '', body, flags=re.S)
    fields = []
    for decl in body.split(';'):
        decl = decl.strip()
        if not decl or '(' in decl:
            continue
        for name in decl.split(','):
            m = re.search(r'\**\s*(\w+)\s*(\[[^]]*\])?\s*$', name.strip())
            if m:
                fields.append(m.group(1))
    print('  sizeof(struct %s),' % s)
    for f in fields:
        print('  offsetof(struct %s, %s),' % (s, f))
print('};')
print('/* names:')
for s in structs:
    body = re.search(r'^struct %s \{\n(.*?)^\};' % s, text, re.S | re.M).group(1)
    body = re.sub(r'/\*.*?\*/', '', body, flags=re.S)
    print(s, '-')
    for decl in body.split(';'):
        decl = decl.strip()
        if not decl or '(' in decl:
            continue
        for name in decl.split(','):
            m = re.search(r'\**\s*(\w+)\s*(\[[^]]*\])?\s*$', name.strip())
            if m:
                print(s, m.group(1))
print('*/')
PY
	clang --target="$2" -ffreestanding -S -emit-llvm -o "$WORK/probe.ll" "$WORK/probe.c" || return 1
	paste -d' ' <(sed -n '/^\/\* names:/,/^\*\//p' "$WORK/probe.c" | sed '1d;$d') \
		<(grep -o 'i64 [0-9]*' "$WORK/probe.ll" | awk '{ print $2 }')
}

for t in x86_64-linux-gnu i686-linux-gnu aarch64-linux-gnu armv7-linux-gnueabihf; do
	if ! layout "$WORK/base.h" "$t" > "$WORK/base.$t" || ! layout "$WORK/now.h" "$t" > "$WORK/now.$t"; then
		skip "public structs keep their layout on $t" "clang cannot build for $t here"
		continue
	fi
	# Every struct and field of the baseline, with its size or offset, is still there
	# (reserved[] itself moves up as fields take its slots).
	grep -v ' reserved ' "$WORK/base.$t" > "$WORK/kept.$t"
	expect_eq "public structs keep their sizes and field offsets on $t (since $ABI_BASE)" "" \
		"$(grep -vxF -f "$WORK/now.$t" "$WORK/kept.$t")"
	expect_grep "the layout probe read apfsi_volume_info's fields on $t" \
		'^apfsi_volume_info reserved [0-9]' "$(cat "$WORK/now.$t")"
done
# The check can fail: a lone bool taken from reserved[] on i686.
sed 's/^\(\tuint8_t reserved_bytes\[6\];\)$/\/\/ \1/' "$WORK/now.h" > "$WORK/bad.h"
if grep -q 'reserved_bytes' "$WORK/now.h" && layout "$WORK/bad.h" i686-linux-gnu > "$WORK/bad.i686" 2> /dev/null; then
	expect_eq "... and it catches two bools taken from an 8-byte slot on i686" "changed" \
		"$(grep -qvxF -f "$WORK/bad.i686" "$WORK/kept.i686-linux-gnu" && echo changed)"
fi
done_testing
