#!/bin/bash
# The man pages of packaging/man/ against the program: a page for every
# command 'hoso --help' lists and none for a command that does not exist,
# every option 'hoso CMD --help' prints documented in that page's OPTIONS
# (and none documented there that the command lacks), and pages that groff
# reads without a warning.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAN="$SRC/packaging/man"
# The help is parsed: keep it in English whatever the caller's environment.
unset LANGUAGE

[ -d "$MAN" ] || { echo "FAIL: no directory packaging/man" >&2; exit 1; }

# The commands, as 'hoso --help' lists them (a hidden command is not listed).
"$HOSO" --help > "$TMP/help" || fail "hoso --help exits $?"
mapfile -t commands < <(awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }' "$TMP/help")
[ "${#commands[@]}" -ge 10 ] || fail "found ${#commands[@]} commands in 'hoso --help': $(cat "$TMP/help")"
printf '%s\n' "${commands[@]}" | grep -qx init || fail "'hoso --help' lists no init: $(cat "$TMP/help")"

is_command() {
	local c
	for c in "${commands[@]}"; do
		[ "$c" = "$1" ] && return 0
	done
	return 1
}

# page_text FILE: the page with roff's escaped hyphens as plain ones.
page_text() {
	sed 's/\\-/-/g' "$1"
}

# options_section FILE: the page's OPTIONS section, hyphens plain.
options_section() {
	page_text "$1" | awk '/^\.SH/ { on = ($2 == "OPTIONS") ; next } on'
}

# has_option TEXT-FILE NAME: --NAME is in the text, not as the start of a longer name.
has_option() {
	grep -qE -- "--$2([^a-z0-9-]|\$)" "$1"
}

# The program's own page: every command in it with a reference to its page.
[ -f "$MAN/hoso.1" ] || fail "no packaging/man/hoso.1"
if [ -f "$MAN/hoso.1" ]; then
	page_text "$MAN/hoso.1" > "$TMP/hoso.txt"
	for c in "${commands[@]}"; do
		grep -qF "hoso-$c (1)" "$TMP/hoso.txt" || fail "hoso.1 does not refer to hoso-$c(1)"
	done
	for o in -C --help --version; do
		grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|\$)" "$TMP/hoso.txt" || fail "hoso.1 does not document $o"
	done
fi

# A page for every command, and the options of each.
for c in "${commands[@]}"; do
	page="$MAN/hoso-$c.1"
	if [ ! -f "$page" ]; then
		fail "'hoso --help' lists '$c', and there is no packaging/man/hoso-$c.1"
		continue
	fi
	head -1 "$page" | grep -qF -- '-*- coding: UTF-8 -*-' || fail "hoso-$c.1: the first line is not the coding line"
	grep -qE "^\.TH HOSO\\\\-$(echo "$c" | tr a-z A-Z) 1( |\$)" "$page" || fail "hoso-$c.1: no '.TH HOSO\\-${c^^} 1'"
	page_text "$page" | grep -qE "^hoso-$c - " || fail "hoso-$c.1: its NAME line is not 'hoso\\-$c \\- ...'"

	"$HOSO" "$c" --help > "$TMP/help-$c" || fail "hoso $c --help exits $?"
	options_section "$page" > "$TMP/options-$c"
	# Option lines of the help: "  --name ARG  help" or "  -o, --name ARG  help".
	mapfile -t longs < <(grep -oE '^  (-[A-Za-z], )?--[a-z0-9][a-z0-9-]*' "$TMP/help-$c" | sed 's/.*--//')
	mapfile -t shorts < <(grep -oE '^  -[A-Za-z], ' "$TMP/help-$c" | sed 's/^  \(-.\), /\1/')
	for o in "${longs[@]}"; do
		has_option "$TMP/options-$c" "$o" || fail "hoso-$c.1: 'hoso $c --help' has --$o, and the page's OPTIONS do not"
	done
	for o in "${shorts[@]}"; do
		grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|\$)" "$TMP/options-$c" ||
			fail "hoso-$c.1: 'hoso $c --help' has $o, and the page's OPTIONS do not"
	done

	# The other way: an option the page's OPTIONS list (a .TP tag) that the
	# command does not have.
	awk 'prev == ".TP" { print } { prev = $1 }' "$TMP/options-$c" | grep -oE -- '--[a-z0-9][a-z0-9-]*' |
		sed 's/^--//' | sort -u > "$TMP/documented-$c"
	while read -r o; do
		printf '%s\n' "${longs[@]}" | grep -qx -- "$o" ||
			fail "hoso-$c.1 documents --$o, and 'hoso $c --help' has no such option"
	done < "$TMP/documented-$c"
done

# No page for a command that does not exist (a hidden one included).
for page in "$MAN"/hoso-*.1; do
	[ -e "$page" ] || continue
	c=$(basename "$page" .1)
	c=${c#hoso-}
	is_command "$c" || fail "packaging/man/hoso-$c.1 documents '$c', which 'hoso --help' does not list"
done

# Correct roff: no warning from groff at its strictest. The pages are UTF-8
# (Vietnamese names): -k runs them through preconv first, as man(1) does.
if command -v groff >/dev/null 2>&1; then
	for page in "$MAN"/*.1; do
		groff -k -man -Tutf8 -ww -z "$page" > "$TMP/groff" 2>&1 || fail "$(basename "$page"): groff exits $?"
		[ -s "$TMP/groff" ] && fail "$(basename "$page"): groff warns: $(cat "$TMP/groff")"
		# Every byte is UTF-8, so that preconv reads what was written.
		iconv -f UTF-8 -t UTF-8 "$page" > /dev/null 2>&1 || fail "$(basename "$page") is not UTF-8"
	done
else
	echo "SKIP: groff is not installed: the pages' roff is not checked (apt-get install groff-base)"
fi
if command -v man >/dev/null 2>&1; then
	for page in "$MAN"/*.1; do
		MANWIDTH=80 man -l "$page" > "$TMP/rendered" 2>"$TMP/man-err" || fail "$(basename "$page"): man -l exits $?: $(cat "$TMP/man-err")"
		grep -q '^NAME' "$TMP/rendered" || fail "$(basename "$page"): man -l renders no NAME section"
	done
fi
finish
