#!/bin/bash
# Hostile input, tests/data/hostile/ (its README says how the cases are
# made): each case, through add, import and edit, gets exit 1 (data) or 2
# (usage) and a message naming the file (and line or field) — never a crash,
# a hang or more than 200 MB — and writes nothing: main unchanged, no file
# added to or gone from the repository, git fsck --strict clean. The
# controls (exit 0) run in a repository of their own each.
. "$(dirname "$0")/lib.sh"
DATA=$(cd "$(dirname "$0")/../data/hostile" && pwd)
IN="$TMP/in"
MEMBER=01HQ8Z5K3V0000000000000001
MAX_RSS_KB=$((200 * 1024))
command -v /usr/bin/time >/dev/null || { echo "the test needs /usr/bin/time (Debian package time)" >&2; exit 1; }

# The cases as files in $IN: a small one copied, a big one made from its recipe.
mkdir -p "$IN"
python3 - "$DATA" "$IN" <<'PY' || { echo "cannot make the cases" >&2; exit 1; }
import codecs, os, shutil, sys

src, dst = sys.argv[1:]
unescape = lambda s: codecs.escape_decode(s.encode())[0]
for name in sorted(os.listdir(src)):
    if name in ("README.md", ".gitattributes"):
        continue
    if not name.endswith(".recipe"):
        shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))
        continue
    with open(os.path.join(dst, name[:-len(".recipe")]), "wb") as out, \
            open(os.path.join(src, name), encoding="utf-8") as recipe:
        for line in recipe:
            op, _, arg = line.rstrip("\n").partition(" ")
            if not op or op.startswith("#"):
                continue
            if op == "text":
                out.write(unescape(arg))
            elif op in ("repeat", "each"):
                n, _, text = arg.partition(" ")
                n, text = int(n), unescape(text)
                if op == "each":
                    out.write(b"".join(text.replace(b"{i}", b"%d" % i) for i in range(n)))
                    continue
                block = max(1, (1 << 20) // len(text))
                while n > 0:
                    out.write(text * min(n, block))
                    n -= block
            elif op == "size":
                out.truncate(int(arg))
            else:
                sys.exit("%s: unknown directive '%s'" % (name, op))
PY

# The repository: the cell, and a member the evaluations and edits refer to.
member_file() { # OUT: the control member as MEMBER, with a citizen id of its own
	sed "s/^{/{\"id\": \"$MEMBER\", /; s/002080005678/002080005670/" "$DATA/member.json" > "$1"
}
member_file "$TMP/member-0.json"
new_repo() {
	make_repo "$1"
	"$HOSO" -C "$1" add member --unit 030 --file "$TMP/member-0.json" >/dev/null 2>&1 ||
		{ echo "cannot add the member" >&2; exit 1; }
}
R="$TMP/r.git"
new_repo "$R"
before=$(tip "$R")
files() { (cd "$1" && find . | LC_ALL=C sort); }
files "$R" > "$TMP/files-before"

# CASE | EXIT | ARGUMENTS | STDERR HAS
# In ARGUMENTS, @F is the case's file; @F.jsonl and @F.csv the same bytes
# under that extension; @T (in an argument) the case's text; @M the member.
# Data refused (exit 1) from a file must name it. "-": no file.

trim() { local s=$1; s=${s#"${s%%[! ]*}"}; printf '%s' "${s%"${s##*[! ]}"}"; }
n=0
while IFS='|' read -r c_case c_rc c_args c_expect; do
	c_case=$(trim "$c_case")
	case "$c_case" in "" | "#"*) continue ;; esac
	c_rc=$(trim "$c_rc")
	c_expect=$(trim "$c_expect")
	read -r -a words <<<"$c_args"
	label="$c_case: hoso ${words[*]}"
	args=() named=
	for w in "${words[@]}"; do
		case "$w" in
		@F) w="$IN/$c_case" named=$c_case ;;
		@F.*)
			named="${c_case%.*}.${w#@F.}"
			[ -e "$IN/$named" ] || ln -s "$c_case" "$IN/$named"
			w="$IN/$named" ;;
		esac
		case "$w" in *@T*) w=${w//@T/$(cat "$IN/$c_case")} ;; esac
		args+=("${w//@M/$MEMBER}")
	done

	repo=$R
	if [ "$c_rc" = 0 ]; then
		n=$((n + 1))
		repo="$TMP/control-$n.git"
		new_repo "$repo" </dev/null
		ok_before=$(tip "$repo")
	fi
	timeout 20 /usr/bin/time -f %M -o "$TMP/rss" "$HOSO" -C "$repo" "${args[@]}" \
		</dev/null >"$TMP/stdout" 2>"$TMP/stderr"
	rc=$?
	err=$(cat "$TMP/stderr")
	rss=$(tail -n 1 "$TMP/rss")
	if [ "$rc" = 124 ]; then
		fail "$label: no answer in 20 s"
		continue
	elif [ "$rc" -gt 128 ]; then
		fail "$label: killed by signal $((rc - 128)): $err"
		continue
	fi
	[ "$rc" = "$c_rc" ] || fail "$label: exit $rc, expected $c_rc: $(printf '%s' "$err" | head -c 600)"
	[ -z "$c_expect" ] || printf '%s' "$err" | grep -qF -- "$c_expect" ||
		fail "$label: the message lacks '$c_expect': $(printf '%s' "$err" | head -c 600)"
	[ -z "$named" ] || [ "$c_rc" != 1 ] || printf '%s' "$err" | grep -qF -- "$named" ||
		fail "$label: the message does not name '$named': $(printf '%s' "$err" | head -c 600)"
	[ "$rss" -le "$MAX_RSS_KB" ] 2>/dev/null || fail "$label: peak memory $rss kB, more than $MAX_RSS_KB kB"
	if [ "$c_rc" = 0 ]; then
		[ "$(git -C "$repo" rev-list --count "$ok_before..main")" = 1 ] || fail "$label: accepted without one commit"
		continue
	fi
	[ "$(tip "$R")" = "$before" ] || { fail "$label: main moved"; before=$(tip "$R"); }
	files "$R" > "$TMP/files-after"
	cmp -s "$TMP/files-before" "$TMP/files-after" ||
		fail "$label: the repository's files changed: $(diff "$TMP/files-before" "$TMP/files-after" | grep '^[<>]' | head -5)"
	cp "$TMP/files-after" "$TMP/files-before"
done <<'TABLE'
member.json                   | 0 | add member --unit 030 --file @F                  |
member.json                   | 0 | import member @F.jsonl --unit 030                | imported 1 member
bom.json                      | 0 | add member --unit 030 --file @F                  |
bom.json                      | 0 | import member @F.jsonl --unit 030                | imported 1 member
number_zero.json              | 0 | add evaluation --unit 030 --file @F              |
bom_twice.json                | 1 | add member --unit 030 --file @F                  | invalid JSON at line 1, column 1
bom_twice.json                | 1 | import member @F.jsonl --unit 030                | bom_twice.jsonl:1: a byte order mark
bom_line2.jsonl               | 1 | import member @F --unit 030                      | bom_line2.jsonl:2: a byte order mark
csv_bom_twice.csv             | 1 | import member @F --unit 030                      | unknown field
deep_objects.json             | 1 | add member --unit 030 --file @F                  | maximum parsing depth reached
deep_objects.json             | 1 | import member @F.jsonl --unit 030                | deep_objects.jsonl:1: invalid JSON
deep_arrays.json              | 1 | add member --unit 030 --file @F                  | maximum parsing depth reached
deep_arrays.json              | 1 | import member @F.jsonl --unit 030                | deep_arrays.jsonl:1: invalid JSON
deep_value.txt                | 1 | edit @M education:=@T                            | field 'education': invalid JSON: maximum parsing depth
nesting_17.json               | 1 | add member --unit 030 --file @F                  | nesting deeper than 16 levels
nesting_17.json               | 1 | import member @F.jsonl --unit 030                | nesting_17.jsonl:1: field 'education.a.a
huge_string.json              | 1 | add member --unit 030 --file @F                  | record is 52428818 bytes, more than the limit
huge_string.json              | 1 | import member @F.jsonl --unit 030                | huge_string.jsonl:1: line is longer than 1048576 bytes
jsonl_line_100mb.jsonl        | 1 | import member @F --unit 030                      | jsonl_line_100mb.jsonl:2: line is longer than 1048576 bytes
file_1gb.json                 | 1 | add member --unit 030 --file @F                  | record is 1073741824 bytes, more than the limit
file_1gb.json                 | 1 | import member @F.jsonl --unit 030                | file is 1073741824 bytes, more than the limit
file_1gb.json                 | 1 | import member @F.csv --unit 030                  | file is 1073741824 bytes, more than the limit
nul_in_string.json            | 1 | add member --unit 030 --file @F                  | column 22: NUL byte
nul_in_string.json            | 1 | import member @F.jsonl --unit 030                | nul_in_string.jsonl:1: line has a NUL byte at column 22
nul_raw.json                  | 1 | add member --unit 030 --file @F                  | NUL byte
nul_raw.json                  | 1 | import member @F.jsonl --unit 030                | nul_raw.jsonl:1: line has a NUL byte
nul_escape.json               | 1 | add member --unit 030 --file @F                  | \u0000 is not allowed
nul_escape.json               | 1 | import member @F.jsonl --unit 030                | nul_escape.jsonl:1: invalid JSON
utf8_overlong.json            | 1 | add member --unit 030 --file @F                  | unable to decode byte 0xc0
utf8_overlong.json            | 1 | import member @F.jsonl --unit 030                | utf8_overlong.jsonl:1: invalid JSON
utf8_truncated.json           | 1 | add member --unit 030 --file @F                  | unable to decode byte 0xe1
utf8_truncated.json           | 1 | import member @F.jsonl --unit 030                | utf8_truncated.jsonl:1: invalid JSON
utf8_ff.json                  | 1 | add member --unit 030 --file @F                  | unable to decode byte 0xff
utf8_ff.json                  | 1 | import member @F.jsonl --unit 030                | utf8_ff.jsonl:1: invalid JSON
value_utf8_overlong.txt       | 1 | edit @M full_name=@T                             | field 'full_name': string is not valid UTF-8
value_utf8_truncated.txt      | 1 | edit @M full_name=@T                             | field 'full_name': string is not valid UTF-8
value_utf8_ff.txt             | 1 | edit @M full_name=@T                             | field 'full_name': string is not valid UTF-8
value_utf8_ff.txt             | 1 | edit @M positions=a;@T;b                         | field 'positions[1]': string is not valid UTF-8
value_utf8_ff.txt             | 1 | add member --unit 030 full_name=@T               | field 'full_name': string is not valid UTF-8
surrogate_escape.json         | 1 | add member --unit 030 --file @F                  | invalid Unicode '\uD800'
surrogate_escape.json         | 1 | import member @F.jsonl --unit 030                | surrogate_escape.jsonl:1: invalid JSON
surrogate_cesu.json           | 1 | add member --unit 030 --file @F                  | unable to decode byte 0xed
surrogate_cesu.json           | 1 | import member @F.jsonl --unit 030                | surrogate_cesu.jsonl:1: invalid JSON
value_surrogate_cesu.txt      | 1 | edit @M full_name=@T                             | field 'full_name': string is not valid UTF-8
-                             | 1 | edit @M full_name:="\ud800"                      | invalid Unicode
number_overflow.json          | 1 | add evaluation --unit 030 --file @F              | real number overflow
number_overflow.json          | 1 | import evaluation @F.jsonl --unit 030            | number_overflow.jsonl:1: invalid JSON
number_overflow_negative.json | 1 | add evaluation --unit 030 --file @F              | real number overflow
number_underflow.json         | 1 | add evaluation --unit 030 --file @F              | number '1e-999999' is too small: it would be stored as 0
number_underflow.json         | 1 | import evaluation @F.jsonl --unit 030            | number_underflow.jsonl:1: invalid JSON
-                             | 1 | edit @M education:={"general":1e-999999}         | too small: it would be stored as 0
-                             | 1 | edit @M education.general:=1e999999              | real number overflow
trailing_garbage.json         | 1 | add member --unit 030 --file @F                  | end of file expected
trailing_garbage.json         | 1 | import member @F.jsonl --unit 030                | trailing_garbage.jsonl:1: invalid JSON
two_objects.json              | 1 | add member --unit 030 --file @F                  | end of file expected
two_objects.json              | 1 | import member @F.jsonl --unit 030                | two_objects.jsonl:1: invalid JSON
id_traversal.json             | 1 | add member --unit 030 --file @F                  | field 'id': '../../etc/passwd' is not a ULID
id_traversal.json             | 1 | import member @F.jsonl --unit 030                | id_traversal.jsonl:1: field 'id'
csv_id_traversal.csv          | 1 | import member @F --unit 030                      | csv_id_traversal.csv:2: field 'id': '../../etc/passwd' is not a ULID
id_slash.json                 | 1 | add member --unit 030 --file @F                  | field 'id': '01HQ8Z5K3V/000000000000001' is not a ULID
id_slash.json                 | 1 | import member @F.jsonl --unit 030                | id_slash.jsonl:1: field 'id'
id_dotdot.json                | 1 | add member --unit 030 --file @F                  | field 'id': '..' is not a ULID
id_dotdot.json                | 1 | import member @F.jsonl --unit 030                | id_dotdot.jsonl:1: field 'id'
-                             | 2 | edit ../../etc/passwd full_name=B                | not a record id
-                             | 2 | show ../../etc/passwd                            | not a record id
-                             | 2 | show 01HQ8Z5K3V0000000000000000/..               | not a record id
type_traversal.json           | 1 | add member --unit 030 --file @F                  | field 'type': the record is a '../x'
type_traversal.json           | 1 | import member @F.jsonl --unit 030                | type_traversal.jsonl:1: field 'type': the row is a '../x'
member.json                   | 2 | add ../x --unit 030 --file @F                    | unknown record type '../x'
member.json                   | 2 | import ../x @F.jsonl --unit 030                  | unknown record type '../x'
-                             | 2 | list ../x                                        | unknown record type '../x'
member.json                   | 2 | add member --unit ../030 --file @F               | unknown unit '../030'
member.json                   | 2 | import member @F.jsonl --unit ../030             | unknown unit '../030'
-                             | 2 | edit @M --unit ../030                            | unknown unit '../030'
-                             | 2 | edit @M --unit 030/../026                        | unknown unit '030/../026'
duplicate_key.json            | 1 | add member --unit 030 --file @F                  | duplicate object key
duplicate_key.json            | 1 | import member @F.jsonl --unit 030                | duplicate_key.jsonl:1: invalid JSON
duplicate_key_nfc.json        | 1 | add member --unit 030 --file @F                  | duplicate key after Unicode normalization
duplicate_key_nfc.json        | 1 | import member @F.jsonl --unit 030                | duplicate_key_nfc.jsonl:1: field 'education.ghi_chú'
-                             | 1 | edit @M education:={"general":"a","general":"b"} | duplicate object key
empty_key.json                | 1 | add member --unit 030 --file @F                  | unknown field
empty_key.json                | 1 | import member @F.jsonl --unit 030                | empty_key.jsonl:1: unknown field
csv_unclosed_quote.csv        | 1 | import member @F --unit 030                      | csv_unclosed_quote.csv:2: field 'full_name': quoted cell is not closed
csv_quote_in_unquoted.csv     | 1 | import member @F --unit 030                      | csv_quote_in_unquoted.csv:2: field 'full_name': quote inside an unquoted cell
csv_cr_only.csv               | 1 | import member @F --unit 030                      | csv_cr_only.csv:1: carriage return (CR) without a line feed
csv_header_only.csv           | 1 | import member @F --unit 030                      | has no rows
csv_more_fields.csv           | 1 | import member @F --unit 030                      | csv_more_fields.csv:2: row has 11 cells, the header has 10
csv_nul.csv                   | 1 | import member @F --unit 030                      | csv_nul.csv:2: field 'full_name': a NUL byte
csv_invalid_utf8.csv          | 1 | import member @F --unit 030                      | csv_invalid_utf8.csv:2: field 'full_name': invalid UTF-8
csv_quote_runaway.csv         | 1 | import member @F --unit 030                      | csv_quote_runaway.csv: 1000 rows are not valid; the rest of the file, from line 1002, was not read
many_bad_rows.jsonl           | 1 | import member @F --unit 030                      | errors; the rest of the file, after line
many_unique_items.json        | 1 | add member --unit 030 --file @F                  | bytes as stored, more than the limit
many_unique_items.json        | 1 | import member @F.jsonl --unit 030                | many_unique_items.jsonl:1: record is
many_items_one_duplicate.json | 1 | add member --unit 030 --file @F                  | field 'positions': has a duplicate item at [100000]
TABLE

# The BOM is skipped, not kept: the record it brought is the control's, byte for byte.
bom=$(git -C "$TMP/control-3.git" ls-tree -r --name-only main -- data/030/member | grep -v "$MEMBER")
plain=$(git -C "$TMP/control-1.git" ls-tree -r --name-only main -- data/030/member | grep -v "$MEMBER")
[ "$(git -C "$TMP/control-3.git" show "main:$bom" | grep -v '"id"')" = \
	"$(git -C "$TMP/control-1.git" show "main:$plain" | grep -v '"id"')" ] ||
	fail "bom.json: the record differs from member.json's"
fsck_clean "$R"
finish
