#!/bin/bash
# The annual report: figures a small repository's answers are known for,
# with the records the counting rules must leave out (another year, another
# conducting role, a member gone or admitted later); the three formats; and
# on the generated 2023 province, the published figures.
. "$(dirname "$0")/lib.sh"
R="$TMP/r.git"
make_repo "$R"
H() { "$HOSO" -C "$R" "$@" 2>/dev/null; }

member_fields 002080000001
m1=$(H add member --unit 030 "${MF[@]}") || fail "m1"
member_fields 002180000002 's/gender=nam/gender=nu/; s/Nguyễn Văn An/Lò Thị Dung/'
m2=$(H add member --unit 030 "${MF[@]}") || fail "m2"
member_fields 002080000003 's/Nguyễn Văn An/Vàng Văn Ba/; s/status=dang_sinh_hoat/status=chuyen_di/'
H add member --unit 030 "${MF[@]}" >/dev/null || fail "a member who left"
member_fields 002080000004 's/Nguyễn Văn An/Sùng Văn Tư/; s/admission_date=2005-03-01/admission_date=2024-03-01/; s/official_date=2006-03-01/official_date=2025-03-01/'
H add member --unit 030 "${MF[@]}" admission_decision_date=2024-02-01 >/dev/null || fail "a member of 2024"
member_fields 002080000005 's/Nguyễn Văn An/Giàng Văn Năm/; s/status=dang_sinh_hoat/status=chuyen_di/'
m5=$(H add member --unit 030 "${MF[@]}") || fail "a member who left in 2024"
H add member_event --unit 030 member_id="$m5" kind=chuyen_di date=2024-02-01 >/dev/null || fail "the leaving"
org=$(H add organization "name=Chi bộ thôn Hạ" level=chi_bo_co_so --unit 030) || fail "org"

inspect() { # ROLE DATE ORG-IDS MEMBER-IDS
	H add inspection --unit 030 conducted_by="$CELL" conducted_by_role="$1" kind=thuong_xuyen \
		start_date="$2" ${3:+subject_org_ids=$3} ${4:+subject_member_ids=$4} >/dev/null || fail "inspection $*"
}
inspect cap_uy 2023-03-01 "$org;$CELL" "$m1"
inspect chi_bo 2023-09-01 "$org" "$m1;$m2"
inspect ubkt 2023-05-01 "$org" "$m2"        # another conducting role: not a committee's
inspect cap_uy 2022-12-31 "$org" "$m1"      # another year
H add supervision --unit 030 conducted_by="$CELL" conducted_by_role=ubkt kind=chuyen_de \
	start_date=2023-06-01 "subject_org_ids=$org" >/dev/null || fail "supervision"
H add supervision --unit 030 conducted_by="$CELL" conducted_by_role=cap_uy kind=thuong_xuyen \
	start_date=2024-01-02 "subject_member_ids=$m1" >/dev/null || fail "supervision of 2024"
H add discipline --unit 030 subject_kind=member subject_id="$m2" form=khien_trach decision_date=2023-11-20 >/dev/null || fail "discipline"
H add discipline --unit 030 subject_kind=organization subject_id="$org" form=khien_trach decision_date=2023-10-01 >/dev/null || fail "discipline org"
H add discipline --unit 030 subject_kind=member subject_id="$m1" form=canh_cao decision_date=2022-05-01 >/dev/null || fail "discipline 2022"

run -C "$R" report annual --year 2023 --format json
expect_rc 0 "report json"
printf '%s' "$out" | python3 -c '
import json, sys
f = json.load(sys.stdin)
pc = f["inspections"]["party_committees"]
assert (pc["records"], pc["org_visits"], pc["member_visits"]) == (2, 3, 3), pc
assert (pc["distinct_orgs"], pc["distinct_members"]) == (2, 2), pc
assert f["inspections"]["by_role"]["ubkt"]["records"] == 1, f["inspections"]["by_role"]
assert f["inspections"]["by_role"]["cap_uy"]["records"] == 1, f["inspections"]["by_role"]  # not 2022
sv = f["supervisions"]["party_committees"]
assert (sv["records"], sv["org_visits"], sv["member_visits"]) == (1, 1, 0), sv
d = f["discipline"]
assert d["members"]["total"] == 1 and d["members"]["by_form"] == {"khien_trach": 1}, d
assert d["organizations"]["total"] == 1, d
# m1, m2, and m5, who left only in 2024: not the one gone with no date, nor the one of 2024
assert f["members"]["total"] == 3 and f["members"]["by_gender"] == {"nam": 2, "nu": 1}, f["members"]
mv = f["movement"]
assert (mv["start"], mv["end"], mv["in_total"], mv["out_total"], mv["unexplained"]) == (3, 3, 0, 0, 0), mv
assert f["organizations"]["total"] == 2, f["organizations"]
assert len(f["commit"]) == 40, f["commit"]
' || fail "the figures: $out"
[ "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["commit"])')" = "$(tip "$R")" ] ||
	fail "the report names the commit it was computed from"

run -C "$R" report annual --year 2024 --format json
printf '%s' "$out" | python3 -c '
import json, sys
f = json.load(sys.stdin)
mv = f["movement"]
assert f["members"]["total"] == 3, f["members"]["total"]
assert (mv["start"], mv["out"], mv["end"]) == (3, {"chuyen_di": 1}, 3), mv' ||
	fail "2024: m5 gone, the member of 2024 in: $out"
run -C "$R" report annual --year 2023
expect_rc 0 "report md"
printf '%s' "$out" | grep -q "^# Báo cáo công tác xây dựng Đảng năm 2023" || fail "the md title"
printf '%s' "$out" | grep -q "Cấp ủy các cấp kiểm tra 2 cuộc đối với 3 tổ chức đảng và 3 đảng viên" ||
	fail "the md headline: $out"
printf '%s' "$out" | grep -q "^| Chi bộ cơ sở | 2 |" || fail "codes named by the schemas' Vietnamese labels"
printf '%s' "$out" | grep -q "^| Khiển trách | 1 |" || fail "the discipline forms named"
run -C "$R" report annual --year 2023 --format html -o "$TMP/r.html"
expect_rc 0 "report html"
grep -q "<svg" "$TMP/r.html" || fail "the html has its charts"
grep -Eq "(src|href)=['\"]?(https?:)?//" "$TMP/r.html" && fail "the html loads nothing from elsewhere"
grep -q "name=viewport" "$TMP/r.html" || fail "the html is made for a phone too"
run -C "$R" report annual --year 2023 --format pdf
expect_rc 2 "a format the report has not"
run -C "$R" report annual
expect_rc 2 "no year"

# The generated province of 2023: the published figures.
"$HOSO" demo "$TMP/d" >/dev/null 2>&1 || fail "demo"
run -C "$TMP/d/province.git" report annual --year 2023
expect_rc 0 "report on the province"
printf '%s' "$out" | grep -q "kiểm tra 3.290 cuộc đối với 583 tổ chức đảng và 3.456 đảng viên" || fail "inspections: $out"
printf '%s' "$out" | grep -q "giám sát 3.574 cuộc đối với 1.073 tổ chức đảng và 3.363 đảng viên" || fail "supervisions"
printf '%s' "$out" | grep -q "kỷ luật 8 tổ chức đảng và 258 đảng viên" || fail "discipline"
printf '%s' "$out" | grep -q "Tổng số đảng viên: 74.215" || fail "the member total"
finish
