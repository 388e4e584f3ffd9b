#!/bin/bash
# Messages in Vietnamese under a Vietnamese locale (made here with
# localedef), English otherwise; labels by default under it; numbers stay
# C's; and po/vi.po translates every message the sources hold.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

# Every message is translated: the sources' messages against po/vi.po.
sh "$SRC/po/extract.sh" "$TMP/hoso.pot" 2>/dev/null || fail "extracting the messages"
msgcmp "$SRC/po/vi.po" "$TMP/hoso.pot" 2>"$TMP/msgcmp" ||
	fail "po/vi.po lacks messages (cmake --build build --target pot, then translate): $(head -20 "$TMP/msgcmp")"
msgfmt -c --statistics -o /dev/null "$SRC/po/vi.po" 2>"$TMP/stats" || fail "msgfmt -c: $(cat "$TMP/stats")"
grep -q "untranslated\|fuzzy" "$TMP/stats" && fail "po/vi.po: $(cat "$TMP/stats")"
# msgfmt -c checks only messages xgettext saw as formats: every translation
# keeps its message's printf directives, in order, or it is not printed right.
python3 - "$SRC/po/vi.po" <<'EOF' || fail "po/vi.po: a translation's printf directives differ from its message's"
import re, sys
pat = re.compile(r"%(?:\d+\$)?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGcspn%]")
def text(block, key):
    out, on = [], False
    for line in block.split("\n"):
        if line.startswith(key + " "):
            on = True
            out.append(line[len(key) + 1:].strip()[1:-1])
        elif on and line.startswith('"'):
            out.append(line[1:-1])
        else:
            on = False
    return "".join(out)
bad = 0
for e in open(sys.argv[1], encoding="utf-8").read().split("\n\n"):
    mid = text(e, "msgid")
    if not mid:
        continue
    got = pat.findall(text(e, "msgstr") or text(e, "msgstr[0]"))
    want = [pat.findall(mid)] + ([pat.findall(text(e, "msgid_plural"))] if "msgid_plural" in e else [])
    if got not in want:
        print("directives differ:", mid, file=sys.stderr)
        bad += 1
sys.exit(bad > 0)
EOF

# A Vietnamese locale of our own.
mkdir -p "$TMP/locale"
localedef -i vi_VN -f UTF-8 "$TMP/locale/vi_VN.UTF-8" 2>"$TMP/localedef" ||
	{ echo "cannot make the vi_VN.UTF-8 locale: $(cat "$TMP/localedef")" >&2; exit 1; }
vi() { # run hoso under the Vietnamese locale
	out=$(env -u LC_ALL LOCPATH="$TMP/locale" LANG=vi_VN.UTF-8 LANGUAGE=vi "$HOSO" "$@" 2>"$TMP/stderr")
	rc=$?
	err=$(cat "$TMP/stderr")
}

R="$TMP/r.git"
make_repo "$R"
member_fields 002080001234
run -C "$R" add member --unit 030 "${MF[@]}"
id=$out

# differs CMD...: the same command says different things in English and Vietnamese.
differs() {
	run "$@"; local en_rc=$rc en_out=$out en_err=$err
	vi "$@"
	[ "$rc" = "$en_rc" ] || fail "'$*': exit $rc in Vietnamese, $en_rc in English"
	[ "$out$err" != "$en_out$en_err" ] || fail "'$*' says the same in Vietnamese: $err"
}

# The program's own messages, usage and help.
differs -C "$R" show not-an-id
expect_err "hoso: lỗi:" "an error's prefix"
differs -C "$R" frobnicate
differs -C "$R" add --help
differs --help
# The library's: a record that is not there.
differs -C "$R" show 01HQ8Z5K3V00000000000000ZZ
# A built-in validator's: a citizen id that is not 12 digits.
member_fields 12345
differs -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 1 "a bad citizen id"
expect_err "citizen_id" "the field is named as it is stored"
# Status's lines.
differs -C "$R" status

# Labels: by default under the Vietnamese locale, never in --json, none on request.
vi -C "$R" show "$id"
printf '%s' "$out" | grep -q "^Họ và tên khai sinh: Nguyễn Văn An$" || fail "show labels a field: $out"
printf '%s' "$out" | grep -q "^Dân tộc: Kinh$" || fail "show labels a code: $out"
vi -C "$R" show "$id" --labels none
printf '%s' "$out" | grep -q "^ethnicity: 01$" || fail "--labels none shows codes: $out"
run -C "$R" show "$id" --labels vi
printf '%s' "$out" | grep -q "^Giới tính: Nam$" || fail "--labels vi in English: $out"
run -C "$R" show "$id"
printf '%s' "$out" | grep -q "^gender: nam$" || fail "codes by default in English: $out"
vi -C "$R" show "$id" --json
printf '%s' "$out" | grep -q '"gender": "nam"' || fail "--json keeps codes: $out"
run -C "$R" show "$id" --labels fr
expect_rc 2 "an unknown --labels"
vi -C "$R" export csv --type member -o "$TMP/labelled.csv"
head -1 "$TMP/labelled.csv" | grep -q "Họ và tên" || fail "the CSV header by labels: $(head -1 "$TMP/labelled.csv")"
grep -q ",Kinh," "$TMP/labelled.csv" || fail "the CSV codes by labels: $(cat "$TMP/labelled.csv")"
# ...and such a file imports back: the same records.
make_repo "$TMP/back.git"
run -C "$TMP/back.git" import member "$TMP/labelled.csv" --unit 030
expect_rc 0 "a labelled CSV imports"
run -C "$TMP/back.git" show "$id" --json
back=$out
run -C "$R" show "$id" --json
[ "$back" = "$out" ] || fail "the labelled CSV gives back the record: $back"

# Numbers stay C's under a locale whose decimal point is a comma.
printf '{"year": 2025, "rule_set": "qd366_2025", "subject_kind": "member", "subject_id": "%s", "rating": "htnv", "score": 62.5}\n' "$id" >"$TMP/ev.json"
vi -C "$R" add evaluation --unit 030 --file "$TMP/ev.json"
expect_rc 0 "an evaluation with a score under the Vietnamese locale"
git -C "$R" show "main:data/030/evaluation/${out:25:1}/$out.json" | grep -q "\"score\": 62.5" ||
	fail "the score is written with a decimal point"
fsck_clean "$R"
finish
