#!/usr/bin/env bash
# fs_generated.sh - images from build/mkimage (testdata/README.md): every
# decmpfs type the generator writes, sparse/holey/multi-extent files, and
# 100,000 files with case variants and a 64-level tree.  Expected content
# is recomputed from the generator's definitions, not from our output.
. "$(dirname "$0")/../lib.sh"
B=$BIN
cd "$WORK" || exit 1

# "line NNNNN of NAME\n" repeated, cut to LEN bytes (scen_compress.c text()).
gen_text() { awk -v n="$1" 'BEGIN { for (i = 0; i < 20000; i++) printf "line %05d of %s\n", i, n }' | head -c "$2"; }

if "$MKIMAGE" compression comp.img > /dev/null 2>&1; then
	for spec in Compressed:zlib-xattr.txt:3000:3 Compressed:zlib-rsrc.txt:200000:4 \
		    Compressed:lzvn-xattr.txt:3000:7 Compressed:lzvn-rsrc.txt:200000:8 \
		    Modern:lzfse-xattr.txt:3000:11 Modern:lzfse-rsrc.txt:200000:12 \
		    Modern:lzbitmap-xattr.txt:3000:13 Modern:lzbitmap-rsrc.txt:200000:14; do
		IFS=: read -r vol name len type <<< "$spec"
		expect_eq "$name decodes" "$(gen_text "$name" "$len" | sha256sum)" \
			"$("$B" cat --volume "$vol" comp.img "/$name" | sha256sum)"
		run_rc "$B" stat --json --volume "$vol" comp.img "/$name"
		expect_grep "$name: compression type $type" "\"compression\": ?$type," "$OUT"
		expect_grep "$name: uncompressed size $len" "\"size\": ?$len," "$OUT"
		run_rc "$B" stat --volume "$vol" comp.img "/$name"
		if printf '%s\n' "$OUT" | grep -q 'com.apple.decmpfs'; then
			notok "$name: com.apple.decmpfs hidden from the xattr list"
		else ok "$name: com.apple.decmpfs hidden from the xattr list"; fi
	done
	echo "# the generator writes LZVN/LZFSE/LZBITMAP as stored-raw chunks only;"
	echo "# their compressed forms are covered by test_lzvn/test_lzfse/test_lzbitmap"
else
	notok "compression scenario: mkimage compression failed"
fi

if "$MKIMAGE" large large.img > /dev/null 2>&1; then
	# cmp, not sha256sum: 2 GiB hashed took 10 s here
	check "sparse 1 GiB file reads as zeros, 1 GiB of them" eval \
		'"$B" cat --volume Large large.img /sparse-1g.bin | cmp -s - <(head -c $((1 << 30)) /dev/zero)'
	"$B" cat --volume Large large.img /holey.bin > holey.out
	expect_eq "holey.bin size" $((64 << 20)) "$(stat -c %s holey.out)"
	expect_eq "holey.bin first block all A" "$(head -c 4096 /dev/zero | tr '\0' A | sha256sum)" \
		"$(head -c 4096 holey.out | sha256sum)"
	expect_eq "holey.bin hole is zeros" "$(head -c $(((64 << 20) - 8192)) /dev/zero | sha256sum)" \
		"$(tail -c +4097 holey.out | head -c $(((64 << 20) - 8192)) | sha256sum)"
	expect_eq "holey.bin last block all Z" "$(head -c 4096 /dev/zero | tr '\0' Z | sha256sum)" \
		"$(tail -c 4096 holey.out | sha256sum)"
	rm -f holey.out
	run_rc "$B" ls -l --volume Large large.img /
	expect_grep "data-8m.bin is 8 MiB" ' 8388608 .* data-8m.bin$' "$OUT"
else
	notok "large scenario: mkimage large failed"
fi
# testdata/README.md huge-file: /big-tail.bin = 5 GiB sparse, then one block of 'T'.
if "$MKIMAGE" huge-file huge.img > /dev/null 2>&1; then
	run_rc "$B" stat huge.img /big-tail.bin
	expect_grep "file > 4 GiB: size 5 GiB + 4 KiB" "^size: $(((5 << 30) + 4096))\$" "$OUT"
	expect_eq "file > 4 GiB: the block past 2^32 reads as T" \
		"$(head -c 4096 /dev/zero | tr '\0' T | sha256sum)" \
		"$("$B" cat huge.img /big-tail.bin | tail -c 4096 | sha256sum)"
	rm -f huge.img
else
	notok "mkimage huge-file"
fi

if "$MKIMAGE" many-files many.img > /dev/null 2>&1; then
	run_rc "$B" ls -R many.img /
	expect_eq "ls -R lists 100,000 f*.txt files" 100000 "$(printf '%s\n' "$OUT" | grep -c '^f[0-9]*\.txt$')"
	expect_eq "d042/f42000.txt content" "file 42000" "$("$B" cat many.img /d042/f42000.txt)"
	expect_eq "case-sensitive: README" "README" "$("$B" cat many.img /case/README)"
	expect_eq "case-sensitive: ReadMe" "ReadMe" "$("$B" cat many.img /case/ReadMe)"
	expect_rc "case-sensitive: /CASE does not exist" 1 "$B" cat many.img /CASE/readme
	deep=$(seq -f 'd%g' 1 64 | tr '\n' /)
	expect_eq "64-level tree" leaf "$("$B" cat many.img "/deep/${deep}leaf.txt")"
	run_rc "$B" bodyfile many.img
	expect_eq "bodyfile lines (100,000 files + 100 dirs + 3 + case + deep tree)" \
		$((100000 + 100 + 3 + 1 + 1 + 64 + 1)) "$(printf '%s\n' "$OUT" | wc -l)"
else
	notok "many-files scenario: mkimage many-files failed"
fi
# Whole-file reads go through several readers handing chunks on in order:
# a 9 MiB + 5 byte file (5 chunks, a partial tail) on a plain and an
# encrypted volume must equal bytes recomputed here (splitmix64, README).
SIZE=$(((9 << 20) + 5))
if "$MKIMAGE" bench bench.img --big-size $SIZE --seed 3 > /dev/null 2>&1; then
	want=$(python3 "$TESTS/tools/splitmix.py" "$SIZE" 3)
	expect_eq "9 MiB file, plain volume: bytes in order" "$want  -" \
		"$("$B" cat --volume Plain bench.img /big.bin | sha256sum)"
	expect_eq "9 MiB file, encrypted volume: bytes in order" "$want  -" \
		"$("$B" cat --volume Secret --passphrase bench-password bench.img /big.bin | sha256sum)"
	mkdir -p ex && "$B" extract --volume Secret --passphrase bench-password bench.img /big.bin ex > ex.sha256
	expect_eq "extract: the file and its manifest agree with the recomputed bytes" \
		"$want $want" "$(sha256sum < ex/big.bin | cut -d' ' -f1) $(cut -d' ' -f1 ex.sha256)"
	rm -rf ex
	expect_rc "extract --manifest FILE" 0 "$B" extract --manifest ex.manifest --volume Plain bench.img /big.bin ex
	expect_eq "--manifest: the file holds the manifest, stdout nothing" "$want  big.bin|" \
		"$(cat ex.manifest)|$OUT"
	check "--manifest: sha256sum -c agrees" eval '(cd ex && sha256sum -c --quiet ../ex.manifest)'
	expect_rc "--manifest never overwrites a file" 1 "$B" extract --manifest ex.manifest --volume Plain bench.img /big.bin ex2
	rm -rf ex ex2 ex.sha256 ex.manifest bench.img
else
	notok "mkimage bench --big-size"
fi

# testdata/README.md big-dir: /big holds e000000.txt .. e099999.txt; TSK
# fls counts the same entries independently.
if "$MKIMAGE" big-dir bigdir.img > /dev/null 2>&1; then
	run_rc "$B" ls bigdir.img /big
	expect_eq "big-dir: ls lists 100,000 entries" 100000 "$(printf '%s\n' "$OUT" | grep -c '^e[0-9]*\.txt$')"
	expect_eq "big-dir: sorted and unique" 100000 "$(printf '%s\n' "$OUT" | sort -u | wc -l)"
	expect_eq "big-dir: case-insensitive path into the big directory" "entry 42424" \
		"$("$B" cat bigdir.img /BIG/E042424.TXT)"
	if command -v fls > /dev/null; then
		apsb=$("$B" list --json bigdir.img | sed -n '/"volumes"/,$ s/^ *"superblock_block": \([0-9]*\),*$/\1/p' | head -1)
		expect_eq "big-dir: TSK fls sees the same names" \
			"$(printf '%s\n' "$OUT" | sort | sha256sum)" \
			"$(fls -B "$apsb" bigdir.img "$(fls -B "$apsb" bigdir.img |
				awk -F'\t' '$2 == "big" { split($1, a, " "); sub(":", "", a[2]); print a[2] }')" |
				awk -F'\t' '{ print $2 }' | sort | sha256sum)"
	else
		skip "big-dir vs TSK" "fls (sleuthkit) not installed"
	fi
	rm -f bigdir.img
else
	notok "mkimage big-dir"
fi

# testdata/README.md: snapshot 'before' at xid 2 holds a.txt v1 and gone.txt;
# now a.txt is v2 and new.txt exists.  TSK's fls -S 2 agrees (mkimage_snapshot.sh).
if "$MKIMAGE" snapshot snap.img > /dev/null 2>&1; then
	run_rc "$B" snapshots snap.img
	expect_grep "snapshots: 'before' at xid 2" '^2[[:space:]].*before$' "$OUT"
	expect_eq "live a.txt" "version 2" "$("$B" cat snap.img /a.txt)"
	expect_eq "snapshot a.txt by name" "version 1" "$("$B" cat --snapshot before snap.img /a.txt)"
	expect_eq "snapshot a.txt by xid" "version 1" "$("$B" cat --snapshot 2 snap.img /a.txt)"
	expect_eq "snapshot listing" "a.txt gone.txt keep.txt" "$("$B" ls --snapshot before snap.img / | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "live listing" "a.txt keep.txt new.txt" "$("$B" ls snap.img / | tr '\n' ' ' | sed 's/ $//')"
	expect_rc "unknown snapshot: usage error, exit 2" 2 "$B" ls --snapshot nope snap.img /
	expect_rc "deleted file exists only in the snapshot" 1 "$B" cat snap.img /gone.txt
else
	notok "mkimage snapshot"
fi
done_testing
