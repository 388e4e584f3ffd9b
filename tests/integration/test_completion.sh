#!/bin/bash
# Bash completion: packaging/completion/hoso's _hoso, called as bash calls it
# (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT), offers what 'hoso
# __complete' finds in the program's tables and the repository.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../packaging/completion/hoso" || { echo "cannot source the completion" >&2; exit 1; }
R="$TMP/r.git"
make_repo "$R"

# complete LINE: what bash offers at the end of "hoso LINE", its words split at
# blanks as bash splits them (a last empty word after a blank); the program
# typed is $HOSO. COMPREPLY holds the answer, $got it on one line.
complete_line() {
	local -a rest
	read -ra rest <<<"$1"
	COMP_WORDS=("$HOSO" "${rest[@]}")
	[[ -z $1 || $1 == *[[:blank:]] ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$HOSO $1"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_hoso
	got="${COMPREPLY[*]}"
}

# offered WORD: 0 if COMPREPLY holds WORD.
offered() {
	local x
	for x in "${COMPREPLY[@]}"; do
		[[ $x == "$1" ]] && return 0
	done
	return 1
}

# expect LINE WORD...: completing LINE offers each WORD.
expect() {
	local line=$1 w
	shift
	complete_line "$line"
	for w in "$@"; do
		offered "$w" || fail "'hoso $line' does not offer '$w' (offers: $got)"
	done
}

# Every command 'hoso --help' lists, and nothing else: not the hidden __complete.
commands=$("$HOSO" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' | sort)
[ "$(printf '%s\n' "$commands" | grep -c .)" -ge 15 ] || fail "hoso --help lists too few commands: $commands"
complete_line ""
[ "$(printf '%s\n' "${COMPREPLY[@]}" | sort)" = "$commands" ] ||
	fail "'hoso ' offers: $got; hoso --help lists: ${commands//$'\n'/ }"
offered __complete && fail "'hoso ' offers the hidden __complete"
complete_line "ve"
[ "$got" = verify ] || fail "'hoso ve' offers '$got', not verify"
expect "-" -C --help --version

# Options from each command's table; one given is not offered again.
expect "add --" --unit --file --help
expect "export -" --type --unit --output -o --labels
complete_line "add --unit 030 --"
offered --unit && fail "'hoso add --unit 030 --' offers --unit again"
offered --file || fail "'hoso add --unit 030 --' does not offer --file"

# Types and units come from the repository: -C, else the current directory.
cd "$R" || exit 1
expect "add " member organization
expect "list member --unit " 030 026
complete_line "list member --unit 03"
[ "$got" = 030 ] || fail "'hoso list member --unit 03' offers '$got', not 030"
cd "$TMP" || exit 1
expect "-C $R add " member organization
complete_line "add "
[ -z "$got" ] || fail "'hoso add ' outside a repository offers: $got"

# Values of options, from their tables: --format, --labels, --role, --take.
expect "verify --format " text json junit
expect "report annual --format " md html json
expect "export csv --labels " vi en
expect "access set u --role " admin province clerk
complete_line "verify --format "
offered md && fail "'hoso verify --format ' offers report's md"
# "--format=j": bash splits the word at "=", and replaces only what follows.
COMP_WORDS=("$HOSO" verify --format "=" j)
COMP_CWORD=4
COMP_LINE="$HOSO verify --format=j"
COMP_POINT=${#COMP_LINE}
_hoso
[ "${COMPREPLY[*]}" = "json junit" ] || fail "'hoso verify --format=j' offers '${COMPREPLY[*]}'"
# Right after the "=", bash's word is "=" and readline's the empty text after it.
COMP_WORDS=("$HOSO" verify --format "=")
COMP_CWORD=3
COMP_LINE="$HOSO verify --format="
COMP_POINT=${#COMP_LINE}
_hoso
[ "${COMPREPLY[*]}" = "text json junit" ] || fail "'hoso verify --format=' offers '${COMPREPLY[*]}'"

# Record ids: the tree's names, narrowed by what is typed.
member_fields 002080001234
run -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 0 "add a member"
id=$out
expect "-C $R show " "$id" "$CELL"
complete_line "-C $R show ${id:0:5}"
[ "$got" = "$id" ] || fail "'hoso show ${id:0:5}' offers '$got', not $id"
expect "-C $R log " "$id"
# A replica's own unit: only its records.
git -C "$R" config hoso.unit 026
complete_line "-C $R show "
offered "$id" && fail "a replica of 026 offers the id of a record in 030"
git -C "$R" config --unset hoso.unit

# Positionals: export's formats, plugin's sub-commands; verify takes none.
expect "export " csv xlsx sqlite jsonl
expect "report " annual
expect "plugin " list install remove
expect "access " set list remove
complete_line "-C $R verify "
[ -z "$got" ] || fail "'hoso verify ' offers: $got"

# Files and directories: the names in the current directory.
mkdir -p "$TMP/files/sub" && cd "$TMP/files" || exit 1
: >rows.csv
: >more.jsonl
expect "import member " rows.csv more.jsonl sub
expect "export csv -o " rows.csv
expect "-C " sub
complete_line "-C "
offered rows.csv && fail "'hoso -C ' offers a file, not only directories"
complete_line "import member r"
[ "$got" = rows.csv ] || fail "'hoso import member r' offers '$got'"
cd "$TMP" || exit 1

# hoso answers --help itself: not its help text as candidates.
complete_line "show --help "
[ -z "$got" ] || fail "'hoso show --help ' offers: $got"

# The program: nothing on stderr and exit 0, whatever the words.
for words in "bogus ''" "show --nope -x ''" "-C $TMP/none show ''" "-C" "" "add --unit" "-- -- ''"; do
	eval "set -- $words"
	out=$("$HOSO" __complete -- "$@" 2>"$TMP/stderr")
	rc=$?
	[ "$rc" = 0 ] || fail "__complete $words: exit $rc"
	[ -s "$TMP/stderr" ] && fail "__complete $words: stderr: $(cat "$TMP/stderr")"
done
[ "$("$HOSO" __complete -- import member '')" = :file ] || fail "__complete import member '': not ':file'"

finish
