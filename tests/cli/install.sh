# install.sh - `make install PREFIX=... DESTDIR=...` puts the program, the
# man page and the bash and zsh completion where those tools look; `man -l`
# renders the page without a warning; the page documents every command and
# every option that cli/opts.c parses, each under the commands that take it
# (cli/optable.c, printed by --list-options), and no option that does not
# exist; the bash completion offers a command's own options and no other
# (compgen after sourcing it, as bash does on TAB).
. "$TESTS/lib.sh"
ROOT=$(cd "$TESTS/.." && pwd)
DEST=$WORK/destdir
PREFIX=/usr/local

expect_rc "make install into a DESTDIR: exit 0" 0 \
	make -s -C "$ROOT" B="$B" PREFIX="$PREFIX" DESTDIR="$DEST" install
for f in bin/apfsinspect share/man/man1/apfsinspect.1 \
	share/bash-completion/completions/apfsinspect share/zsh/site-functions/_apfsinspect; do
	check "installed: $PREFIX/$f" test -s "$DEST$PREFIX/$f"
done
check "installed program runs" "$DEST$PREFIX/bin/apfsinspect" --version
expect_eq "nothing installed outside DESTDIR$PREFIX" "" \
	"$(cd "$DEST" && find . -type f | grep -v "^\\.$PREFIX/" || true)"

MAN=$DEST$PREFIX/share/man/man1/apfsinspect.1
if ! command -v man > /dev/null; then
	skip "man -l renders the page" "man is not installed"
	done_testing; exit 0
fi
TXT=$(MANWIDTH=120 man --nh --nj -l "$MAN" 2> "$WORK/man.err" | col -b)
expect_eq "man -l: no warning" "" "$(cat "$WORK/man.err")"
expect_grep "man -l: rendered" '^NAME$' "$TXT"
printf '%s\n' "$TXT" > "$WORK/man.txt"

# The options getopt_long is given (optspell.c's cli_long_opts table, optspell.h's short letters).
long_opts=$(sed -n 's/^\t{ "\([a-z0-9-]*\)", [a-z_]*, NULL, [^ ]* },$/\1/p' "$ROOT/cli/optspell.c" | sort -u)
short=$(sed -n 's/^#define CLI_SHORT_OPTS "\(.*\)"$/\1/p' "$ROOT/cli/optspell.h" | tr -d ':' | sed 's/./& /g')
expect_eq "optspell.c read: all its long options (one a line in cli_long_opts)" \
	"$(grep -c '^.{ "[a-z0-9-]*", [a-z_]*, NULL, ' "$ROOT/cli/optspell.c")" "$(printf '%s\n' "$long_opts" | wc -l)"
check "optspell.c: the table read is not empty" [ -n "$long_opts" ]
missing_opts=""
for o in $long_opts; do grep -qe "--$o\\b" "$WORK/man.txt" || missing_opts="$missing_opts --$o"; done
expect_eq "man page: every long option of opts.c" "" "$missing_opts"
missing_opts=""
for o in $short; do grep -qE "(^|[ ,])-$o([ ,]|$)" "$WORK/man.txt" || missing_opts="$missing_opts -$o"; done
expect_eq "man page: every short option of opts.c" "" "$missing_opts"
expect_eq "man page: no option that opts.c does not parse" "" \
	"$(grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' "$WORK/man.txt" | sort -u | sed 's/^--//' |
		while read -r o; do printf '%s\n' "$long_opts" | grep -qx "$o" || [ "$o" = list-options ] ||
			[ "$o" = version ] || echo "--$o"; done)"

# Per command: its subsection exists and names each option the command takes, except the
# ones every command takes (OPTIONS OF EVERY COMMAND) and the credential options (CREDENTIALS,
# which lists the commands that take them); and it names no option the command refuses.
python3 - "$WORK/man.txt" "$BIN" > "$WORK/percmd.txt" <<'EOF'
import re, subprocess, sys
text = open(sys.argv[1]).read()
lines = text.split("\n")
def section(title, level):
    # level 0: a .SH heading (column 0); level 1: a .SS heading (column 3)
    out, on = [], False
    for l in lines:
        if re.match(r"^\S", l):
            on = level == 0 and l.strip() == title
            continue
        if level == 1 and re.match(r"^   \S", l):
            on = l.strip() == title
            continue
        if on:
            out.append(l)
    return "\n".join(out)
opts = lambda c: subprocess.run([sys.argv[2], "--list-options"] + ([c] if c else []),
                                capture_output=True, text=True).stdout.split()
cmds = opts(None)
every = set.intersection(*(set(opts(c)) for c in cmds))
common = section("OPTIONS OF EVERY COMMAND", 0)
creds = section("CREDENTIALS", 0)
cred_opts = {"--passphrase", "--stdin-passphrase", "--passphrase-file", "--recovery-key", "--vek", "--potfile", "--user"}
def mentions(t, o):
    return re.search(r"(^|[\s,(])" + re.escape(o) + r"($|[\s,.;)])", t, re.M)
for o in sorted(every):
    if not mentions(common, o):
        print("not in OPTIONS OF EVERY COMMAND:", o)
for o in sorted(cred_opts):
    if not mentions(creds, o):
        print("not in CREDENTIALS:", o)
for c in cmds:
    sub = section(c, 1)
    if not sub.strip():
        print("no subsection:", c); continue
    own = set(opts(c))
    takes_cred = bool(own & cred_opts)
    if takes_cred != bool(re.search(r"(?<![\w-])" + re.escape(c) + r"(?![\w-])", creds.split("\n\n")[0])):
        print("CREDENTIALS does not list", c, "correctly")
    for o in sorted(own - every - cred_opts):
        if not mentions(sub, o):
            print(c + ": option not in its subsection:", o)
    for o in re.findall(r"--[a-z][a-z0-9-]*[a-z0-9]", sub):
        if o not in own:
            print(c + ": its subsection names an option it refuses:", o)
EOF
expect_eq "man page: each command's subsection names exactly the options it takes" "" "$(cat "$WORK/percmd.txt")"

# ---- bash completion: source it, ask as bash does on TAB ----------------------
COMP=$DEST$PREFIX/share/bash-completion/completions/apfsinspect
complete_words() { # WORDS... (the last is the one being completed) -> the candidates, sorted
	bash -c '
		PATH=$1:$PATH; shift; . "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
		_apfsinspect; printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$DEST$PREFIX/bin" "$COMP" "$@"
}
expect_eq "bash: the commands after apfsinspect" \
	"$("$BIN" --list-options | sort | paste -sd' ')" \
	"$(complete_words apfsinspect '' | grep -v '^--' | paste -sd' ')"
expect_eq "bash: ls --p offers ls's options that start so (not --plist)" \
	"--passphrase --passphrase-file --potfile --private-dir" "$(complete_words apfsinspect ls --p | paste -sd' ')"
expect_eq "bash: list --p offers --plist only" "--plist" "$(complete_words apfsinspect list --p | paste -sd' ')"
expect_eq "bash: mount - offers -f and -o, ls - does not" "-f -o|" \
	"$(complete_words apfsinspect mount - | grep -xE -- '-f|-o' | paste -sd' ')|$(complete_words apfsinspect ls - | grep -xE -- '-f|-o' | paste -sd' ')"
expect_eq "bash: hashes --format offers the output formats" "hashcat hashcat-user john" \
	"$(complete_words apfsinspect hashes --format '' | paste -sd' ')"
expect_eq "bash: --log completes file names" "$WORK/destdir" \
	"$(complete_words apfsinspect list --log "$WORK/dest" | paste -sd' ')"
expect_eq "bash: nothing offered for a password" "" \
	"$(complete_words apfsinspect ls --passphrase '' | paste -sd' ')"

if command -v zsh > /dev/null; then
	Z=$DEST$PREFIX/share/zsh/site-functions/_apfsinspect
	check "zsh: the completion parses (zsh -n)" zsh -n "$Z"
	expect_eq "zsh: compinit finds it for apfsinspect" "_apfsinspect" \
		"$(zsh -fc 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2"; print -r -- $_comps[apfsinspect]' \
			_ "${Z%/*}" "$WORK/zcompdump" 2>&1)"
else
	skip "zsh completion" "zsh is not installed (setup.sh TEST_PKGS)"
fi
done_testing
