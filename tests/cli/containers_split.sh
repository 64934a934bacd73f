# containers_split.sh - raw images cut by coreutils split at odd sizes
# (1,500,000 bytes; 4096 + 7 bytes) in every naming scheme (NAME.001...,
# NAME.000..., NAMEaa...), and a UDIF .dmg cut into NAME.dmg +
# NAME.002.dmgpart...: each set reads file for file like the uncut image and
# is never taken for a truncated one; a missing or short middle segment is
# an error naming it.
. "$TESTS/lib.sh"
. "$TESTS/containers_lib.sh"
need_image basic.img
need_image encrypted.img
need_image dfvfs-apfs.raw
need_image basic.dmg
PASS=hunter2hunter2
S=$WORK/split

# cut SRC SIZE SCHEME: split into a fresh $S; prints the first segment's name.
cut_set() {
	local src=$1 size=$2 scheme=$3 w=3
	rm -rf "$S"
	mkdir -p "$S"
	# Over 999 pieces need four digits, as FTK and dc3dd also widen them.
	[ $(( $(stat -c %s "$src") / size )) -ge 999 ] && w=4
	case $scheme in
	001) split -b "$size" -d -a $w --numeric-suffixes=1 "$src" "$S/img." &&
		ls "$S"/img.* | head -1 ;;
	000) split -b "$size" -d -a $w "$src" "$S/img." && ls "$S"/img.* | head -1 ;;
	aa) split -b "$size" "$src" "$S/img" && echo "$S/imgaa" ;;
	esac
}

for src in basic.img encrypted.img dfvfs-apfs.raw; do
	cred=()
	[ "$src" = encrypted.img ] && cred=(--passphrase "$PASS")
	sizes="1500000 4103"
	# 48 MiB in 4103-byte pieces is 12,000 files: the two smaller images cover that size.
	[ "$src" = encrypted.img ] && sizes=1500000
	for size in $sizes; do
		schemes="001 000 aa"
		# basic.img in 4103-byte pieces: 4,090 files, past split's "yz" to "zaaa".
		[ "$src$size" = basic.img4103 ] && schemes=aa
		for scheme in $schemes; do
			first=$(cut_set "$IMAGES/$src" "$size" "$scheme")
			n=$(ls "$S" | wc -l)
			name="$src cut at $size ($scheme, $n segments)"
			expect_rc "$name: list exits 0" 0 "$BIN" list "$first"
			expect_grep "$name: the chain names the split set" \
				"^Image: split raw \\($n [a-z-]+ segments, " "$OUT"
			if printf '%s\n' "$OUT" | grep -q Truncated; then
				notok "$name: read as a truncated image"
			else
				ok "$name: not read as a truncated image"
			fi
			same_reads "$name" "$IMAGES/$src" "$first" "${cred[@]}"
		done
	done
done

# Damage, on basic.img cut at 1,500,000 bytes (12 segments) in each scheme.
for scheme in 001 000 aa; do
	first=$(cut_set "$IMAGES/basic.img" 1500000 "$scheme")
	mid=$(ls "$S" | sed -n 5p)
	cp "$S/$mid" "$WORK/mid.bak"
	rm "$S/$mid"
	expect_rc "$scheme set, segment $mid missing: exit 1" 1 "$BIN" list "$first"
	expect_grep "$scheme set, segment $mid missing: named" "segment '.*/$mid' is missing" "$ERR"
	head -c 1000000 "$WORK/mid.bak" > "$S/$mid"
	expect_rc "$scheme set, segment $mid short: exit 1" 1 "$BIN" list "$first"
	expect_grep "$scheme set, segment $mid short: named" \
		"segment '.*/$mid' is 1000000 bytes, not 1500000 like the first: short" "$ERR"
	second=$(ls "$S" | sed -n 2p)
	rm "$S/$second"
	expect_rc "$scheme set, second segment missing: exit 1" 1 "$BIN" list "$first"
	expect_grep "$scheme set, second segment missing: named" "segment '.*/$second' is missing" "$ERR"
done

# A later segment given instead of the first is named, not read from the middle.
for scheme in 001 aa; do
	first=$(cut_set "$IMAGES/basic.img" 1500000 "$scheme")
	third=$(ls "$S" | sed -n 3p)
	expect_rc "$scheme set, third segment given: exit 1" 1 "$BIN" list "$S/$third"
	expect_grep "$scheme set, third segment given: names the first" \
		"is a later segment of a split image whose first segment is '$first'" "$ERR"
done

# 16 MiB cut every 1 MiB: the last segment is as long as the others, and fine.
first=$(cut_set "$IMAGES/basic.img" 1048576 001)
expect_rc "basic.img in 16 equal segments: exit 0" 0 "$BIN" list "$first"
expect_grep "16 equal segments: the chain names the split set" '^Image: split raw \(16 numbered segments, 16.0 MiB\)' "$OUT"

# A lone first segment (no second) is an ordinary file, not a set.
first=$(cut_set "$IMAGES/dfvfs-apfs.raw" 1500000 001)
rm "$S"/img.00[2-9]
expect_rc "lone img.001: read as a raw image (exit 0)" 0 "$BIN" list "$first"
expect_grep "lone img.001: chain says raw" '^Image: raw \(1500000 bytes\)' "$OUT"

# A UDIF .dmg cut into NAME.dmg + NAME.002.dmgpart ... (hdiutil segment's
# names): the split set, then UDIF inside it, reads like basic.img.
rm -rf "$S"
mkdir -p "$S"
split -b 500000 -d -a 3 --numeric-suffixes=1 "$IMAGES/basic.dmg" "$S/part."
mv "$S/part.001" "$S/basic.dmg"
for f in "$S"/part.*; do mv "$f" "$S/basic.${f##*.}.dmgpart"; done
n=$(ls "$S" | wc -l)
expect_rc "dmg + dmgpart ($n segments): list exits 0" 0 "$BIN" list "$S/basic.dmg"
expect_grep "dmg + dmgpart: chain is split raw, then UDIF" \
	"^Image: split raw \\($n dmg \\+ dmgpart segments, .*\\) → UDIF \\(UDZO zlib, " "$OUT"
same_reads "dmg + dmgpart" "$IMAGES/basic.img" "$S/basic.dmg"
rm "$S/basic.003.dmgpart"
expect_rc "dmg + dmgpart, 003 missing: exit 1" 1 "$BIN" list "$S/basic.dmg"
expect_grep "dmg + dmgpart, 003 missing: named" "segment '.*basic\\.003\\.dmgpart' is missing" "$ERR"

# --format split on a file that starts no set is named.
expect_rc "--format split on basic.img: exit 1" 1 "$BIN" list --format split "$IMAGES/basic.img"
expect_grep "--format split on basic.img: named" "is not in the split format" "$ERR"

done_testing
