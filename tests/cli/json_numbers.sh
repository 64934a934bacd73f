#!/usr/bin/env bash
# json_numbers.sh - the JSON writer (cli/json.c) writes its indent and its
# numbers by hand, where printf's "%*s" and "%llu" were over half of the
# instructions of `extract`'s facts file.  Held here to Python's json:
# a harness built here writes u64 and i64 values (the edges: 0, 2^64 - 1,
# -2^63, 2^63 - 1; and 20,000 drawn at random, seeded) in an array, and an
# array nested 6 deep; the text must be json.dumps(..., indent=2)'s, byte
# for byte (the same layout: two spaces a level, ", " never, ": " after keys).
. "$(dirname "$0")/../lib.sh"

if ! command -v cc > /dev/null; then
	skip "the JSON writer" "no C compiler for the harness"; done_testing; exit 0
fi
ROOT=$TESTS/..
cat > "$WORK/h.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "clibase.h"
/* "u N" / "i N" lines: json_u64 / json_i64 in array "v"; then "deep": 6 arrays, 7 in the last */
int main(void)
{
	struct json j;
	char line[64];

	json_begin(&j, stdout);
	json_arr_open(&j, "v");
	while (fgets(line, sizeof(line), stdin)) {
		if (line[0] == 'u')
			json_u64(&j, NULL, strtoull(line + 2, NULL, 10));
		else
			json_i64(&j, NULL, strtoll(line + 2, NULL, 10));
	}
	json_arr_close(&j);
	json_arr_open(&j, "deep");
	for (int i = 0; i < 5; i++)
		json_arr_open(&j, NULL);
	json_u64(&j, NULL, 7);
	for (int i = 0; i < 5; i++)
		json_arr_close(&j);
	json_arr_close(&j);
	json_end(&j);
	return 0;
}
C
expect_rc "the harness builds with cli/json.c" 0 cc -O1 -I "$ROOT/include" -I "$ROOT/cli" \
	-I "$ROOT" -o "$WORK/h" "$WORK/h.c" "$ROOT/cli/json.c" "$ROOT/cli/safetext.c" \
	"$ROOT/cli/format.c" "$ROOT/cli/scratch.c"
python3 - "$WORK/in" "$WORK/want" <<'PY'
import json, random, sys
r = random.Random(20261206)
vals = [("u", 0), ("u", 1), ("u", 9), ("u", 10), ("u", 2**64 - 1), ("u", 2**63),
        ("i", 0), ("i", -1), ("i", -2**63), ("i", 2**63 - 1), ("i", -10)]
vals += [("u", r.randrange(2**64)) for _ in range(10000)]
vals += [("i", r.randrange(-2**63, 2**63)) for _ in range(10000)]
with open(sys.argv[1], "w") as f:
    f.writelines("%s %d\n" % v for v in vals)
doc = {"schema_version": 1, "v": [v for _, v in vals], "deep": [[[[[[7]]]]]]}
open(sys.argv[2], "w").write(json.dumps(doc, indent=2) + "\n")
PY
"$WORK/h" < "$WORK/in" > "$WORK/got"
check "the document is json.dumps(indent=2)'s, byte for byte ($(wc -l < "$WORK/in") numbers)" \
	cmp -s "$WORK/got" "$WORK/want"
cmp "$WORK/got" "$WORK/want" | head -3 | sed 's/^/# /'
done_testing
