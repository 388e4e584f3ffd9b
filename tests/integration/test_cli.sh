#!/bin/bash
# init, add, show, edit, list, log, rm and status, checked with the git CLI.
. "$(dirname "$0")/lib.sh"
R="$TMP/r.git"
make_repo "$R"
fsck_clean "$R"
[ "$(git -C "$R" rev-list --count main)" = 2 ] || fail "init makes one commit (and make_repo one for the cell)"
[ "$(git -C "$R" rev-parse --is-bare-repository)" = true ] || fail "init makes a bare repository"
git -C "$R" show main:hoso.json | grep -q '"code": "030"' || fail "hoso.json lists unit 030"
git -C "$R" show main:access.json | grep -q '"admin"' || fail "access.json names the admin"
[ "$(git -C "$R" ls-tree --name-only main schemas/ | wc -l)" -ge 11 ] || fail "schemas/ copied"

# add prints the id alone; the file sits at data/<unit>/<type>/<shard>/<id>.json.
member_fields 002080001234
run -C "$R" add member --unit 030 "${MF[@]}" education.general=12/12 \
	'positions:=["Bí thư chi bộ"]' 'other_names=Nguyễn Văn Ân'
expect_rc 0 "add"
id=$out
[[ "$id" =~ ^[0-7][0-9A-HJKMNP-TV-Z]{25}$ ]] || fail "add printed '$id', not an id"
path="data/030/member/${id:25:1}/$id.json"
git -C "$R" cat-file -e "main:$path" || fail "no file at $path"
fsck_clean "$R"
# Canonical bytes: sorted keys, 2 spaces, NFC, final newline.
git -C "$R" show "main:$path" > "$TMP/rec.json"
cat > "$TMP/want.json" <<JSON
{
  "admission_date": "2005-03-01",
  "birth_date": "1980-05-02",
  "cell_id": "01HQ8Z5K3V0000000000000000",
  "citizen_id": "002080001234",
  "education": {
    "general": "12/12"
  },
  "ethnicity": "01",
  "full_name": "Nguyễn Văn An",
  "gender": "nam",
  "id": "$id",
  "membership": "chinh_thuc",
  "official_date": "2006-03-01",
  "other_names": "Nguyễn Văn Ân",
  "positions": [
    "Bí thư chi bộ"
  ],
  "status": "dang_sinh_hoat",
  "type": "member"
}
JSON
cmp -s "$TMP/rec.json" "$TMP/want.json" || fail "record bytes differ: $(diff "$TMP/want.json" "$TMP/rec.json")"
git -C "$R" log -1 --format='%an <%ae>' | grep -q 'Thư ký Thử <clerk@example.invalid>' || fail "author is the configured user"

# NFD input is stored as NFC.
nfd=$(printf 'Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Ba')
member_fields 002180001235
run -C "$R" add member --unit 026 "${MF[@]}" "full_name=$nfd" gender=nu
expect_rc 0 "add NFD"
id2=$out
git -C "$R" show "main:data/026/member/${id2:25:1}/$id2.json" | grep -q '"full_name": "Nguyễn Thị Ba"' || fail "NFC"

run -C "$R" show "$id"
expect_rc 0 "show"
printf '%s' "$out" | grep -q '^full_name: Nguyễn Văn An$' || fail "show prints fields: $out"
run -C "$R" show "$id" --json
printf '%s' "$out" | grep -q '"unit": "030"' || fail "show --json has the unit"

# edit: one field; numbers and booleans converted by the schema.
run -C "$R" edit "$id" status=mien_sinh_hoat --unset other_names
expect_rc 0 "edit"
git -C "$R" show "main:$path" | grep -q '"status": "mien_sinh_hoat"' || fail "edit landed"
git -C "$R" show "main:$path" | grep -q other_names && fail "--unset removed the field"
n=$(git -C "$R" rev-list --count main)
run -C "$R" edit "$id" status=mien_sinh_hoat
expect_rc 0 "edit to the same value"
[ "$(git -C "$R" rev-list --count main)" = "$n" ] || fail "a no-op edit made a commit"
run -C "$R" add cell_meeting --unit 030 cell_id=01HQ8Z5K3V0000000000000000 date=2023-05-02 kind=thuong_ky members_total=12 attended=11
expect_rc 0 "add with integers"
git -C "$R" show "main:data/030/cell_meeting/${out:25:1}/$out.json" | grep -q '"attended": 11,' || fail "integer stored as a number"
run -C "$R" add cell_meeting --unit 030 cell_id=01HQ8Z5K3V0000000000000000 date=2023-05-02 kind=thuong_ky attended=eleven
expect_rc 1 "a word for an integer"
expect_err "field 'attended'" "names the field"

# list, filters, JSON.
run -C "$R" list member
[ "$(printf '%s\n' "$out" | wc -l)" = 2 ] || fail "list shows 2 members: $out"
run -C "$R" list member --unit 026
printf '%s' "$out" | grep -q "$id2" || fail "list --unit"
printf '%s' "$out" | grep -q "$id" && fail "list --unit shows only that unit"
run -C "$R" list member --where gender=nu --json
[ "$(printf '%s' "$out" | grep -c '"id"')" = 1 ] || fail "list --where --json: $out"
printf '%s' "$out" | python3 -c 'import json,sys; a=json.load(sys.stdin); assert a[0]["gender"]=="nu" and a[0]["unit"]=="026"' ||
	fail "list --json is a JSON array"

# move to another unit: same id, new directory, one commit.
run -C "$R" edit "$id" --unit 026
expect_rc 0 "move"
git -C "$R" cat-file -e "main:$path" 2>/dev/null && fail "old file left after a move"
git -C "$R" cat-file -e "main:data/026/member/${id:25:1}/$id.json" || fail "moved file"

# log of one record.
run -C "$R" log "$id"
[ "$(printf '%s\n' "$out" | grep -c '^commit ')" = 3 ] || fail "log ID shows add, edit, move: $out"
run -C "$R" log --json
printf '%s' "$out" | python3 -c 'import json,sys; a=json.load(sys.stdin); assert len(a) >= 6' || fail "log --json"

# rm, then show fails; status counts.
run -C "$R" rm "$id"
expect_rc 0 "rm"
run -C "$R" show "$id"
expect_rc 1 "show after rm"
expect_err "no record '$id'" "show after rm"
run -C "$R" status --json
printf '%s' "$out" | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s["records"]==3 and s["by_type"]["member"]==1, s' ||
	fail "status --json counts: $out"

# A replica's own unit (git config hoso.unit) is the default --unit.
git -C "$R" config hoso.unit 026
run -C "$R" add organization "name=Chi bộ thôn Sủng Là" level=chi_bo_truc_thuoc
expect_rc 0 "add in the replica's own unit"
git -C "$R" cat-file -e "main:data/026/organization/${out:25:1}/$out.json" || fail "own unit is the default"
run -C "$R" show "$out"
printf '%s' "$out" | grep -q '^unit: 026$' || fail "show finds a record of the own unit"
run -C "$R" status
printf '%s' "$out" | grep -q '^unit: *026$' || fail "status names the replica's unit: $out"
git -C "$R" config --unset hoso.unit

# -C works from anywhere, and hoso run outside a repository says so.
(cd "$TMP" && run list member; expect_rc 1 "outside a repository"; expect_err "hint:" "a hint")
fsck_clean "$R"
finish
