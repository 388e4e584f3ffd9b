#!/bin/bash
# Bad input gets exit 1 (data) or 2 (usage), a message naming the file and
# field, and changes nothing.
. "$(dirname "$0")/lib.sh"
R="$TMP/r.git"
make_repo "$R"
before=$(tip "$R")

unchanged() {
	[ "$(tip "$R")" = "$before" ] || fail "$1: a commit was made"
	[ -z "$(find "$R/objects" -type f -newer "$TMP/mark" -path '*/objects/??/*' 2>/dev/null)" ] ||
		fail "$1: loose objects were written"
}
touch "$TMP/mark"

bad_file() { # NAME EXPECTED-RC EXPECTED-TEXT < content
	cat > "$TMP/$1"
	run -C "$R" add member --unit 030 --file "$TMP/$1"
	expect_rc "$2" "$1"
	expect_err "$3" "$1"
	expect_err "$1" "$1 names the file"
	unchanged "$1"
}

printf '{"full_name": "A",' | bad_file truncated.json 1 "invalid JSON"
printf '{"full_name": "A", "full_name": "B"}' | bad_file dupkey.json 1 "duplicate"
printf '{"full_name": "\xff\xfe"}' | bad_file badutf8.json 1 "invalid JSON"
printf '{"full_name": "A\x00B"}' | bad_file nul.json 1 "NUL"
printf '{"full_name": "A\\u0000B"}' | bad_file nulescape.json 1 "NUL"
printf '[1, 2]' | bad_file array.json 1 "expected a JSON object"
printf '{"full_name": "A"} xyz' | bad_file trailing.json 1 "invalid JSON"
python3 -c 'print("{\"a\":" * 40 + "1" + "}" * 40)' | bad_file deep.json 1 "nesting deeper"
python3 -c 'print("{\"full_name\": \"" + "a" * 20000000 + "\"}")' | bad_file huge.json 1 "more than the limit"
printf '{"birth_date": 1e999999}' | bad_file overflow.json 1 "invalid JSON"
printf '{"id": "../x", "full_name": "A"}' | bad_file badid.json 1 "not a ULID"

# Fields given on the command line.
member_fields 002080001234 's/birth_date=1980-05-02/birth_date=1979-13-45/'
run -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 1 "impossible date"; expect_err "field 'birth_date'" "impossible date"; unchanged "impossible date"
member_fields 002080001234 's/gender=nam/gender=male/'
run -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 1 "enum"; expect_err "'male' is not one of nam, nu" "enum"; unchanged "enum"
member_fields 002080001234 's/citizen_id=[0-9]*//'
run -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 1 "missing required"; expect_err "field 'citizen_id': is required" "missing"; unchanged "missing"
# The built-in validators join every write: a citizen id that says a woman
# for a man (RECORDS.md rule 1), an admission before 18 (rule 3).
member_fields 002180001234
run -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 1 "citizen id against gender"; expect_err "field 'citizen_id'" "rule 1 names the field"
expect_err "the record says nam" "rule 1 says why"; unchanged "rule 1"
member_fields 002080001234 's/admission_date=2005-03-01/admission_date=1995-03-01/;s/official_date=2006-03-01/official_date=1996-03-01/'
run -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 1 "admitted at 14"; expect_err "party-rules/3" "rule 3 is named"; unchanged "rule 3"
run -C "$R" add person --unit 030 full_name=A
expect_rc 2 "unknown type"; expect_err "unknown record type 'person'" "unknown type"; unchanged "unknown type"
run -C "$R" add member --unit 099 full_name=A
expect_rc 2 "unknown unit"; expect_err "unknown unit '099'" "unknown unit"; unchanged "unknown unit"
run -C "$R" add member full_name=A
expect_rc 2 "no unit"; expect_err "which unit" "no unit"
run -C "$R" show ../x
expect_rc 2 "bad id"; expect_err "not a record id" "bad id"
run -C "$R" edit 01HQ8Z5K3V00000000000000ZZ full_name=B
expect_rc 1 "edit of a missing record"; expect_err "no record" "edit missing"
run -C "$R" add member --unit 030 id=01HQ8Z5K3V0000000000000000
expect_rc 2 "id set by hand"; expect_err "field 'id'" "id set by hand"
run -C "$R" add member --unit 030 --bogus
expect_rc 2 "unknown option"; expect_err "unknown option '--bogus'" "unknown option"; expect_err "hint: usage" "usage hint"
run frobnicate
expect_rc 2 "unknown command"
# No author configured: refused with a hint, nothing written.
mv "$HOME/.gitconfig" "$HOME/.gitconfig.off"
member_fields 002080001234
run -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 4 "no author"; expect_err "user.name" "no author"; expect_err "hint: set who you are" "no author hint"
run init "$TMP/new.git" --province 02 --name X
expect_rc 4 "init without author"; [ -e "$TMP/new.git" ] && fail "init without author left a directory"
mv "$HOME/.gitconfig.off" "$HOME/.gitconfig"
unchanged "no author"
fsck_clean "$R"
finish
