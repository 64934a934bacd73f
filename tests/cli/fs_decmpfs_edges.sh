#!/usr/bin/env bash
# fs_decmpfs_edges.sh - decmpfs bounds, one byte each side (issue 18):
# `mkimage decmpfs-edges` (testdata/README.md) holds files whose chunk,
# header or fork sits exactly at or one past a bound; each refusal must be
# the message of the check it means, since a loosened check lets a later
# one refuse the same file with another message.
. "$(dirname "$0")/../lib.sh"
cd "$WORK" || exit 1

expect_rc "mkimage decmpfs-edges" 0 "$MKIMAGE" decmpfs-edges e.img
M="^apfsinspect: decmpfs: inode [0-9]+:"
# Bounded: a chunk taken as shorter than it is once made reads spin.
T() { timeout -k 2 20 "$BIN" "$@"; }
refused() { # FILE MESSAGE
	expect_rc "cat $1: status 1" 1 T cat e.img "/$1"
	expect_grep "cat $1: $2" "$M $2\$" "$ERR"
	expect_eq "cat $1: nothing written" "" "$OUT"
}
# A compressed chunk of 128 KiB fits the input buffer and is decoded (its
# raw 128 KiB - 1 bytes are more than a chunk); 128 KiB + 1 is refused first.
refused chunk-max.bin "chunk 0 \(type 8\) does not decode to 1 bytes"
refused chunk-over.bin "resource-fork chunk outside the fork"
# Decoding one byte short of the size is damage, for chunks and inline data.
refused chunk-short.bin "chunk 0 \(type 8\) does not decode to 10 bytes"
refused inline-short.bin "inline data \(type 7\) does not decode to 10 bytes"
# The decmpfs header is 16 bytes: 15 is refused, 16 (size 0) is an empty file.
refused hdr-15.bin "com.apple.decmpfs has an impossible size"
expect_rc "cat hdr-16.bin: status 0" 0 T cat e.img /hdr-16.bin
expect_eq "cat hdr-16.bin: empty" "" "$OUT$ERR"
# Two chunks need a table of 3 offsets (12 bytes): a fork of 7 bytes cannot
# hold the 2 chunk starts; 8 can, and the whole table is then found missing.
refused fork-7.bin "resource fork too small for the file size"
refused fork-8.bin "a table of 2 chunks \(for 65537 bytes\) needs 12 bytes, but the resource fork holds 8 bytes in blocks \(it claims 8\)"
expect_rc "cat ok.txt beside them" 0 T cat e.img /ok.txt
expect_eq "ok.txt reads fine" "fine" "$OUT"
done_testing
