#!/usr/bin/env bash
# fs_images.sh - dfvfs-apfs.raw and encrypted.img, with expected values from
# ../shared/images/IMAGES.md (dfvfs's own tests; go-apfs-v2's acceptance
# test), never from our output.
. "$(dirname "$0")/../lib.sh"
B=$BIN
if [ -e "$IMAGES/dfvfs-apfs.raw" ]; then
	d=$IMAGES/dfvfs-apfs.raw
	for pi in /a_directory:16 /a_directory/a_file:17 /a_directory/another_file:19 \
		  /a_link:20 /passwords.txt:18; do
		run_rc "$B" stat --json "$d" "${pi%%:*}"
		expect_grep "inode of ${pi%%:*} is ${pi##*:}" "\"inode\": ?${pi##*:}," "$OUT"
	done
	expect_eq "root has 4 entries" ".fseventsd a_directory a_link passwords.txt" \
		"$("$B" ls -a "$d" / | tr '\n' ' ' | sed 's/ $//')"
	expect_eq "a_directory has 3 entries" 3 "$("$B" ls -a "$d" /a_directory | wc -l)"
	expect_eq "passwords.txt" "$(printf 'place,user,password\nbank,joesmith,superrich\nalarm system,-,1234\ntreasure chest,-,1111\nuber secret laire,admin,admin\n' | sha256sum)" \
		"$("$B" cat "$d" /passwords.txt | sha256sum)"
	expect_eq "another_file (extent at 393216)" "This is another file." \
		"$("$B" cat "$d" /a_directory/another_file)"
	expect_eq "a_file" "$(printf 'This is a text file.\n\nWe should be able to parse it.\n' | sha256sum)" \
		"$("$B" cat "$d" /a_directory/a_file | sha256sum)"
	run_rc "$B" stat "$d" /a_directory/a_file
	expect_grep "a_file xattr myxattr (21 bytes)" '^xattr: myxattr \(21 bytes\)$' "$OUT"
	run_rc "$B" stat "$d" /a_directory/a_resourcefork
	expect_grep "resource fork of 17 bytes" '^xattr: com.apple.ResourceFork \(17 bytes\)$' "$OUT"
	run_rc "$B" stat --json "$d" /a_directory/another_file
	expect_grep "another_file uid 99" '"uid": ?99,' "$OUT"
	expect_grep "another_file mode 0100644" '"mode": ?33188,' "$OUT"
	expect_grep "another_file 1 link" '"nlink": ?1,' "$OUT"
	run_rc "$B" stat "$d" /a_link
	expect_grep "a_link target" '^target: a_directory/another_file$' "$OUT"
	# The extent: block 96 = byte 393216 (istat); our reader must read it there.
	expect_eq "bytes at 393216 are another_file's" "This is another file." \
		"$(dd if="$d" bs=4096 skip=96 count=1 2>/dev/null | head -c 21)"
else
	missing "dfvfs-apfs.raw" "image not found"
fi
if [ -e "$IMAGES/encrypted.img" ]; then
	e=$IMAGES/encrypted.img
	expect_eq "secret.txt SHA-256" a4730fc4e2ed7c7b7cafdc182094bdc60ee5bd94989878a8061d6e356043baa2 \
		"$("$B" cat --passphrase hunter2hunter2 "$e" /secret.txt | sha256sum | cut -d' ' -f1)"
	expect_eq "dir/nested.txt SHA-256" 470d30407c79de54e0a578dc40183d52619a4ae23d84cdc0a612cf3339f5bf40 \
		"$("$B" cat --passphrase hunter2hunter2 "$e" /dir/nested.txt | sha256sum | cut -d' ' -f1)"
	expect_eq "case-insensitive on the encrypted volume" "nested secret" \
		"$("$B" cat --passphrase hunter2hunter2 "$e" /DIR/Nested.TXT)"
	run_rc "$B" ls --passphrase hunter2hunter2 "$e" /
	expect_grep "listing has secret.txt" '^secret.txt$' "$OUT"
	expect_grep "listing has dir" '^dir$' "$OUT"
	run_rc "$B" stat --json --passphrase hunter2hunter2 "$e" /secret.txt
	expect_grep "secret.txt inode 18" '"inode": ?18,' "$OUT"
	expect_rc "locked without a credential: exit 3" 3 "$B" cat "$e" /secret.txt < /dev/null
	expect_rc "wrong password: exit 3" 3 "$B" ls --passphrase not-the-password "$e" /
	check "wrong password lists nothing" [ -z "$OUT" ]
else
	missing "encrypted.img" "image not found"
fi
done_testing
