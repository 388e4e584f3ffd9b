#!/bin/bash
# The rules across records on every write, through the command line: add,
# edit, rm, import and sync's merge are refused when they would break one
# (naming the rule, the record and the field, committing nothing); warnings
# are printed and the write goes on. The field index behind them is a cache:
# gone, damaged or behind main, the answers stay right.
. "$(dirname "$0")/lib.sh"
R="$TMP/r.git"
make_repo "$R"
H() { "$HOSO" "$@"; }

# One member; a second with its citizen id, or its card, is refused.
member_fields 002080001234
a=$(H -C "$R" add member --unit 030 "${MF[@]}" party_card_no=1001 2>"$TMP/warn") || fail "add a: $(cat "$TMP/warn")"
grep -qF "warning: record $CELL: cell has 1 full member, fewer than 3 [party-rules/10]" "$TMP/warn" ||
	fail "a small cell is a warning: $(cat "$TMP/warn")"
before=$(tip "$R")
member_fields 002080001234 's/Nguyễn Văn An/Trần Văn Bình/'
run -C "$R" add member --unit 026 "${MF[@]}" party_card_no=1002
expect_rc 1 "a second citizen id"
expect_err "field 'citizen_id': citizen id '002080001234' is also on record '$a'" "names the other record"
expect_err "error: record " "names the record"
expect_err "[vn-identity/unique]" "names the rule"
expect_err "nothing was written" "says so"
member_fields 002080005678
run -C "$R" add member --unit 030 "${MF[@]}" party_card_no=1001
expect_rc 1 "a second card"; expect_err "party card '1001' is also on member '$a'" "the card"
[ "$(tip "$R")" = "$before" ] || fail "a refused add made a commit"

# References: to a record that is not there, or that goes.
member_fields 002080005678 "s/cell_id=.*/cell_id=01HQ8Z5K3V00000000000000ZZ/"
run -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 1 "a missing cell"
expect_err "field 'cell_id': organization '01HQ8Z5K3V00000000000000ZZ' does not exist" "rule 9"
run -C "$R" edit "$a" cell_id=01HQ8Z5K3V00000000000000ZZ
expect_rc 1 "an edit to a missing cell"; expect_err "[party-rules/9]" "edit"
run -C "$R" rm "$CELL"
expect_rc 1 "removing a cell its members are in"
expect_err "record $a: field 'cell_id': organization '$CELL' does not exist" "names the member left behind"
[ "$(tip "$R")" = "$before" ] || fail "a refused edit or rm made a commit"
H -C "$R" show "$CELL" >/dev/null 2>&1 || fail "the cell is still there"

# An import: rows that clash with each other or with what is there; nothing lands.
member_fields 002080007777
printf '{"full_name": "Lò Văn Cường", "gender": "nam", "birth_date": "1980-05-02", "ethnicity": "01", "citizen_id": "002080007777", "admission_date": "2005-03-01", "official_date": "2006-03-01", "membership": "chinh_thuc", "status": "dang_sinh_hoat", "cell_id": "%s"}\n' "$CELL" > "$TMP/row"
{ cat "$TMP/row"; sed 's/Lò Văn Cường/Lò Thị Dung/' "$TMP/row"; } > "$TMP/twins.jsonl"
run -C "$R" import member "$TMP/twins.jsonl" --unit 030
expect_rc 1 "two rows with one citizen id"; expect_err "citizen id '002080007777' is also on record" "the clash"
expect_err "twins.jsonl:2: field 'citizen_id'" "placed at its row"
sed 's/002080007777/002080001234/' "$TMP/row" > "$TMP/old.jsonl"
run -C "$R" import member "$TMP/old.jsonl" --unit 030
expect_rc 1 "a row with a member's citizen id"; expect_err "is also on record '$a'" "names the member"
[ "$(tip "$R")" = "$before" ] || fail "a refused import made a commit"
cp "$TMP/row" "$TMP/one.jsonl"
run -C "$R" import member "$TMP/one.jsonl" --unit 030
expect_rc 0 "a good import"

# The index is a cache. Gone: made again. Damaged: made again.
rm -f "$R"/hoso-index.sqlite*
member_fields 002080007777
run -C "$R" add member --unit 026 "${MF[@]}"
expect_rc 1 "without the index"; expect_err "citizen id '002080007777' is also on record" "rebuilt"
printf 'not a database at all' > "$R/hoso-index.sqlite"; rm -f "$R"/hoso-index.sqlite-*
run -C "$R" add member --unit 026 "${MF[@]}"
expect_rc 1 "with a damaged index"; expect_err "citizen id '002080007777' is also on record" "made again"

# Unusable (here a directory stands in its place): still right, and said.
rm -f "$R"/hoso-index.sqlite*
mkdir "$R/hoso-index.sqlite"
run -C "$R" add member --unit 026 "${MF[@]}"
expect_rc 1 "without a usable index"; expect_err "citizen id '002080007777' is also on record" "found by walking"
expect_err "the field index cannot be used" "says the index could not be used"
rmdir "$R/hoso-index.sqlite"

# Behind main: a commit made with plain git is caught up with.
git clone -q "$R" "$TMP/w"
member_fields 002080009999
id=01HQ8Z5K3V00000000000000G1
python3 - "$TMP/w/data/030/member/1/$id.json" "$id" "$CELL" <<'PY'
import json, os, sys
path, id, cell = sys.argv[1:]
os.makedirs(os.path.dirname(path), exist_ok=True)
rec = {"id": id, "type": "member", "full_name": "Hà Văn Em", "gender": "nam",
       "birth_date": "1980-05-02", "ethnicity": "01", "citizen_id": "002080009999",
       "admission_date": "2005-03-01", "official_date": "2006-03-01",
       "membership": "chinh_thuc", "status": "dang_sinh_hoat", "cell_id": cell}
open(path, "w").write(json.dumps(rec, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
PY
git -C "$TMP/w" add -A && git -C "$TMP/w" -c user.name=t -c user.email=t@x commit -qm "by hand" &&
	git -C "$TMP/w" push -q origin HEAD:main || fail "a commit by hand"
run -C "$R" add member --unit 026 "${MF[@]}"
expect_rc 1 "a clash with a record committed by hand"; expect_err "is also on record '$id'" "caught up"
fsck_clean "$R"

# Sync: two replicas give two people one citizen id offline; the second
# merge is refused, nothing is merged or sent, and after a fix it goes.
H clone "$R" "$TMP/a" --unit 026 2>/dev/null || fail "clone a"
H clone "$R" "$TMP/b" --unit 030 2>/dev/null || fail "clone b"
member_fields 002180003333 's/gender=nam/gender=nu/; s/Nguyễn Văn An/Nguyễn Thị Hoa/'
H -C "$TMP/a" add member "${MF[@]}" >/dev/null 2>&1 || fail "add on a"
member_fields 002180003333 's/gender=nam/gender=nu/; s/Nguyễn Văn An/Phạm Thị Lan/'
idb=$(H -C "$TMP/b" add member "${MF[@]}" 2>/dev/null) || fail "add on b"
H -C "$TMP/a" sync >/dev/null 2>&1 || fail "a syncs"
hub=$(tip "$R"); mine=$(tip "$TMP/b")
run -C "$TMP/b" sync
expect_rc 1 "a merge that breaks a rule"
expect_err "citizen id '002180003333' is also on record" "names the clash"
expect_err "nothing was merged or sent" "says what happened"
[ "$(tip "$TMP/b")" = "$mine" ] && [ "$(tip "$R")" = "$hub" ] || fail "the refused merge changed main"
H -C "$TMP/b" edit "$idb" citizen_id=002180004444 2>/dev/null || fail "the fix"
run -C "$TMP/b" sync
expect_rc 0 "after the fix"
[ "$(tip "$TMP/b")" = "$(tip "$R")" ] || fail "the hub has b's work"
fsck_clean "$R"
finish
