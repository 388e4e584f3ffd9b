#!/bin/bash
# import: CSV and JSONL, all rows or none in one commit, ids across rows,
# --update, a packfile for large imports, every bad line named.
. "$(dirname "$0")/lib.sh"
R="$TMP/r.git"
make_repo "$R"
cell=01HQ8Z5K3V0000000000000000

# CSV with a BOM, quotes, an embedded comma and newline, dotted headers, empty cells.
printf '\xef\xbb\xbfid,full_name,gender,birth_date,ethnicity,citizen_id,admission_date,official_date,membership,status,cell_id,education.general,positions,occupation\r\n' > "$TMP/m.csv"
printf '01HQ8Z5K3V00000000000000A1,"Hoàng Văn Minh, con",nam,1975-02-01,02,002075000001,2000-03-01,2001-03-01,chinh_thuc,dang_sinh_hoat,%s,12/12,Bí thư;Trưởng thôn,"Làm ruộng\r\nvà chăn nuôi"\r\n' $cell >> "$TMP/m.csv"
printf ',Giàng Thị Mai,nu,1990-07-09,08,002190000002,2012-01-05,2013-01-05,chinh_thuc,dang_sinh_hoat,%s,,,\r\n' $cell >> "$TMP/m.csv"
run -C "$R" import member "$TMP/m.csv" --unit 030
expect_rc 0 "CSV import"
expect_err "imported 2 member records" "CSV import summary"
f=$(git -C "$R" show main:data/030/member/1/01HQ8Z5K3V00000000000000A1.json)
printf '%s' "$f" | grep -q '"full_name": "Hoàng Văn Minh, con"' || fail "quoted comma: $f"
printf '%s' "$f" | grep -q '"occupation": "Làm ruộng\\nvà chăn nuôi"' || fail "quoted newline: $f"
printf '%s' "$f" | grep -q '"general": "12/12"' || fail "dotted header: $f"
printf '%s' "$f" | python3 -c 'import json,sys; assert json.load(sys.stdin)["positions"]==["Bí thư","Trưởng thôn"]' || fail "list cell"
[ "$(git -C "$R" rev-list --count main)" = 3 ] || fail "one commit for the import"

# JSONL whose rows refer to each other by id.
cat > "$TMP/o.jsonl" <<'JSONL'
{"id": "01HQ8Z5K3V00000000000000B1", "name": "Đảng bộ xã Thanh Thủy", "level": "dang_bo_co_so", "sector": "xa"}

{"id": "01HQ8Z5K3V00000000000000B2", "name": "Chi bộ thôn Nặm Ngặt", "level": "chi_bo_truc_thuoc", "parent_id": "01HQ8Z5K3V00000000000000B1"}
JSONL
run -C "$R" import organization "$TMP/o.jsonl" --unit 030
expect_rc 0 "JSONL import"
git -C "$R" cat-file -e main:data/030/organization/2/01HQ8Z5K3V00000000000000B2.json || fail "JSONL row with id"

# --update patches the given fields only; without it an existing id is refused.
printf '{"id": "01HQ8Z5K3V00000000000000B2", "sector": "thon_ban"}\n' > "$TMP/u.jsonl"
run -C "$R" import organization "$TMP/u.jsonl" --unit 030
expect_rc 1 "existing id without --update"; expect_err "already exists" "existing id"
expect_err "u.jsonl:1" "names the line"
run -C "$R" import organization "$TMP/u.jsonl" --unit 030 --update
expect_rc 0 "--update"
f=$(git -C "$R" show main:data/030/organization/2/01HQ8Z5K3V00000000000000B2.json)
printf '%s' "$f" | grep -q '"sector": "thon_ban"' || fail "--update set the field"
printf '%s' "$f" | grep -q '"name": "Chi bộ thôn Nặm Ngặt"' || fail "--update kept the other fields"

# 3,000 good rows and three bad ones: nothing imported, every bad line named.
python3 - "$TMP/big.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(3003):
        r = {"name": "Chi bộ số %d" % i, "level": "chi_bo_truc_thuoc"}
        if i == 10: r["level"] = "bogus"
        if i == 1500: r = {"name": "x", "level": "to_dang", "nickname": "y"}
        line = json.dumps(r, ensure_ascii=False)
        if i == 2999: line = line[:-3]
        f.write(line + "\n")
PY
before=$(tip "$R")
run -C "$R" import organization "$TMP/big.jsonl" --unit 030
expect_rc 1 "a bad row among thousands"
expect_err "big.jsonl:11: field 'level'" "line 11"
expect_err "big.jsonl:1501: field 'nickname'" "line 1501"
expect_err "big.jsonl:3000:" "line 3000"
expect_err "3 rows are not valid; nothing was imported" "summary"
[ "$(tip "$R")" = "$before" ] || fail "a bad import made a commit"

# The good rows: one commit written as one packfile, no loose objects.
sed -i -e '11d' -e '1501d' -e '3000d' "$TMP/big.jsonl"
loose_before=$(find "$R/objects" -path '*/objects/??/*' -type f | wc -l)
packs_before=$(find "$R/objects/pack" -name '*.pack' | wc -l)
run -C "$R" import organization "$TMP/big.jsonl" --unit 026
expect_rc 0 "large import"
[ "$(find "$R/objects" -path '*/objects/??/*' -type f | wc -l)" = "$loose_before" ] || fail "a large import wrote loose objects"
[ "$(find "$R/objects/pack" -name '*.pack' | wc -l)" = $((packs_before + 1)) ] || fail "a large import wrote one pack"
[ "$(git -C "$R" ls-tree -r --name-only main -- data/026/organization | wc -l)" = 3000 ] || fail "3000 records"
fsck_clean "$R"
run -C "$R" list organization --unit 026
[ "$(printf '%s\n' "$out" | wc -l)" = 3000 ] || fail "list reads the packed records"

# Broken CSV quoting and a wrong cell count.
printf 'name,level\n"Chi bộ A,chi_bo_truc_thuoc\n' > "$TMP/q.csv"
run -C "$R" import organization "$TMP/q.csv" --unit 030
expect_rc 1 "unterminated quote"; expect_err "q.csv:2" "unterminated quote line"
printf 'name,level\nChi bộ A,chi_bo_truc_thuoc,extra\n' > "$TMP/n.csv"
run -C "$R" import organization "$TMP/n.csv" --unit 030
expect_rc 1 "cell count"; expect_err "n.csv:2" "cell count line"
run -C "$R" import organization "$TMP/x.txt" --unit 030
expect_rc 2 "unknown format"
fsck_clean "$R"
finish
