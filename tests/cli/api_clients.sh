# api_clients.sh - the commands moved onto libapfsinspect (Makefile
# API_CLIENTS: list and the shared writers) compile with only include/ (and util/,
# the shared helpers below everything) on the include path, nothing of
# apfs/, keybag/, image/ or lib/ (issue 15:
# the CLI is a client of apfsinspect.h); and the check fails for a file that
# still reaches below the library, so that it can catch a regression.
. "$TESTS/lib.sh"
ROOT=$(cd "$TESTS/.." && pwd)

if ! command -v "${CC:-cc}" > /dev/null; then
	skip "API clients compile with -Iinclude only" "no C compiler"
	done_testing
	exit 0
fi
expect_rc "API clients compile with only include/ on the include path" 0 \
	make -s -C "$ROOT" B="$B" WERROR=1 check-api-clients
files=$(make -s -C "$ROOT" -f Makefile -f - print-api-clients <<'MK'
print-api-clients:
	@echo $(API_CLIENTS)
MK
)
for f in cli/cmd_list.c cli/cmd_list_plist.c cli/list_facts.c cli/chain.c cli/api_open.c \
	cli/api_select.c cli/cmd_hashes.c; do
	expect_grep "API clients: $f is on the list" "(^| )$f( |\$)" "$files"
	expect_eq "API clients: $f includes no internal header" "" \
		"$(grep -nE '#include "(apfs|keybag|image|lib|codec|cipher)/|#include "(cli|group|credential|usernames|cmd_fs)\.h"' \
			"$ROOT/$f")"
done
# Every command is a client (issue 15 item 2): every cli/*.c is on the list,
# and no file of cli/ or fuse/ names a header below the library.
expect_eq "API clients: every cli/*.c is on the list" \
	"$(cd "$ROOT" && ls cli/*.c | sort | tr '\n' ' ')" "$(printf '%s\n' $files | sort | tr '\n' ' ')"
expect_eq "API clients: no cli/ or fuse/ file includes apfs/, keybag/, image/, lib/, codec/ or cipher/" "" \
	"$(cd "$ROOT" && grep -nE '#include "(apfs|keybag|image|lib|codec|cipher)/' cli/* fuse/*)"
# The check itself: a file that includes an internal header must fail it.
printf '#include "apfs/apfs.h"\nint api_clients_probe(void);\nint api_clients_probe(void) { return 0; }\n' \
	> "$WORK/probe.c"
expect_rc "API clients: a file including apfs/apfs.h fails the check" 2 \
	make -s -C "$ROOT" B="$B" FILES="$WORK/probe.c" check-api-clients
expect_grep "API clients: ... because apfs/apfs.h is off the include path" 'apfs/apfs.h' "$ERR"
done_testing
