#!/bin/bash
# Units change (hoso unit): two districts merged into a new unit on the hub
# while their clerks edit on their replicas; a split by a field; reports and
# exports as of days on either side; verify after each; the refusals.
# Each change is checked with the git CLI: one commit, the records at their
# new paths with their ids, hoso.json and access.json as the change says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"

R="$TMP/seed.git"
printf '{"units": [{"code": "026", "name": "Huyện Đồng Văn"}, {"code": "027", "name": "Huyện Mèo Vạc"}, {"code": "030", "name": "Huyện Vị Xuyên"}]}\n' >"$TMP/units.json"
"$HOSO" init "$R" --province 02 --name "Tỉnh Hà Giang" --units "$TMP/units.json" 2>/dev/null || fail "init"
export HOSO_USER=admin
A() { "$HOSO" -C "$R" "$@" 2>/dev/null; }
org() { # UNIT NAME LEVEL [FIELD=VALUE...]
	local unit=$1 name=$2 level=$3
	shift 3
	A add organization --unit "$unit" "name=$name" "level=$level" founded_on=2000-01-01 "$@" || fail "organization $name"
}
P=$(org 02 "Đảng bộ tỉnh Hà Giang" dang_bo_tinh)
D26=$(org 026 "Đảng bộ huyện Đồng Văn" dang_bo_cap_tren_co_so parent_id="$P")
D27=$(org 027 "Đảng bộ huyện Mèo Vạc" dang_bo_cap_tren_co_so parent_id="$P")
C26a=$(org 026 "Chi bộ thôn Lũng Cú" chi_bo_co_so parent_id="$D26" admin_unit=00715)
C26b=$(org 026 "Chi bộ thôn Sủng Là" chi_bo_co_so parent_id="$D26" admin_unit=00718)
C27=$(org 027 "Chi bộ thôn Pả Vi" chi_bo_co_so parent_id="$D27" admin_unit=00730)
C30=$(org 030 "Chi bộ thôn Thượng" chi_bo_co_so parent_id="$P")
member() { # UNIT CELL CITIZEN-ID NAME
	member_fields "$3" "s/Nguyễn Văn An/$4/; s/cell_id=.*/cell_id=$2/"
	A add member --unit "$1" "${MF[@]}" || fail "member $4"
}
m1=$(member 026 "$C26a" 002080000001 "Giàng Văn Một")
m2=$(member 026 "$C26a" 002080000002 "Sùng Văn Hai")
m3=$(member 026 "$C26b" 002080000003 "Lò Văn Ba")
m4=$(member 027 "$C27" 002080000004 "Vàng Văn Bốn")
m5=$(member 030 "$C30" 002080000005 "Hoàng Văn Năm")
ev=$(A add member_event --unit 026 member_id="$m3" kind=phat_the date=2010-01-01) || fail "an event of m3"
run -C "$R" verify --all
expect_rc 0 "verify the seed"

# ---------------------------------------------------------------- the hub
hub_add_user clerk-m pw-m clerk 027
hub_hoso=$(readlink -f "$(command -v "$HOSO")") || fail "where is $HOSO"
HUB_CGI_ENV="HOSO=$hub_hoso" hub_start
hub_add_repo records "$R"
hub=$(hub_repo records)
cp "$(dirname "$0")/../../packaging/hooks/pre-receive" "$hub/hooks/pre-receive" &&
	chmod 755 "$hub/hooks/pre-receive" || fail "install the hook"
url=$(hub_repo_url records)
HOSO_USER=clerk-026 HOSO_PASSWORD=pw-026 run clone "$url" "$TMP/a" --unit 026
expect_rc 0 "clone for 026"
HOSO_USER=clerk-m HOSO_PASSWORD=pw-m run clone "$url" "$TMP/b" --unit 027
expect_rc 0 "clone for 027"
HOSO_USER=clerk-m HOSO_PASSWORD=pw-m run clone "$url" "$TMP/c" --unit 027
expect_rc 0 "a second clone for 027, synced from the clerk's screen"
[ -d "$TMP/a" ] && [ -d "$TMP/b" ] && [ -d "$TMP/c" ] || finish
CA() { HOSO_USER=clerk-026 HOSO_PASSWORD=pw-026 "$HOSO" -C "$TMP/a" "$@"; }
CB() { HOSO_USER=clerk-m HOSO_PASSWORD=pw-m "$HOSO" -C "$TMP/b" "$@"; }
H() { "$HOSO" -C "$hub" "$@"; }
path_of() { git -C "$1" ls-tree -r --name-only main -- data | grep "/$2.json$"; }

report_2023() { H report annual --year 2023 --format json 2>/dev/null | grep -v '"commit"'; }
report_2023 >"$TMP/report-2023-before.json" || fail "the 2023 report before"
grep -q '"026": 3' "$TMP/report-2023-before.json" || fail "the 2023 report counts 3 members in 026: $(cat "$TMP/report-2023-before.json")"
H export csv --type member --labels none -o "$TMP/members-2023-before.csv" 2>/dev/null || fail "export before"

# The clerks work offline, before they learn of the merge.
member_fields 002080000006 "s/Nguyễn Văn An/Thào Văn Sáu/; s/cell_id=.*/cell_id=$C26a/"
m6=$(CA add member "${MF[@]}" 2>/dev/null) || fail "a new member on a's replica, in 026"
CA edit "$m1" occupation=giáo_viên >/dev/null 2>&1 || fail "an edit of m1 on a"
CB edit "$m4" occupation=nông_dân >/dev/null 2>&1 || fail "an edit of m4 on b"

# ---------------------------------------------------------------- merge
run -C "$hub" unit merge 026 027 --into T01 --on 2025-07-01
expect_rc 2 "a merge into a unit not yet added"
expect_err "there is no unit 'T01'" "it names the unit"
HOSO_USER=clerk-026 run -C "$hub" unit add T01 --name "Xã Đồng Văn" --from 2025-07-01
expect_rc 1 "a clerk adds a unit"
expect_err "only an admin may change the units" "the refusal says who may"
before=$(tip "$hub")
run -C "$hub" unit add T01 --name "Xã Đồng Văn" --level xa --from 2025-07-01
expect_rc 0 "add T01"
[ "$(git -C "$hub" rev-parse main^)" = "$before" ] || fail "unit add is one commit"
git -C "$hub" show main:hoso.json | grep -q '"code": "T01"' || fail "T01 is in hoso.json"
run -C "$hub" unit close 026 --on 2025-07-01
expect_rc 2 "closing a unit that holds records"
expect_err "still holds 7 records" "the refusal counts them"
run -C "$hub" unit merge 026 027 --into T01 --on 2025-07-01 --dissolve dang_bo_huyen --reparent-to "$P"
expect_rc 2 "a level no organization has (a typo)"
expect_err "'dang_bo_huyen' is not a level of organizations" "the refusal names it"
run -C "$hub" unit merge 026 027 --into T01 --on 2025-06-31
expect_rc 2 "a day that is not a date"
run -C "$hub" unit merge 026 027 --into T01 --on 2025-07-01 --dissolve dang_bo_cap_tren_co_so
expect_rc 2 "dissolving the districts' committees leaves their cells without a parent"
expect_err "--reparent-to" "the hint names the option"
[ "$(tip "$hub")" = "$(git -C "$hub" rev-parse main)" ] || fail "nothing changed"
before=$(tip "$hub")
n26=$(git -C "$hub" ls-tree -r --name-only main -- data/026 | wc -l)
n27=$(git -C "$hub" ls-tree -r --name-only main -- data/027 | wc -l)
run -C "$hub" unit merge 026 027 --into T01 --on 2025-07-01 --dissolve dang_bo_cap_tren_co_so --reparent-to "$P"
expect_rc 0 "merge 026 and 027 into T01"
expect_err "records moved $((n26 + n27)); organizations closed 2, given a new parent 3; users given the new units 2" "the merge says what it did"
[ "$(git -C "$hub" rev-parse main^)" = "$before" ] || fail "the merge is one commit"
[ -z "$(git -C "$hub" ls-tree main data/026 data/027)" ] || fail "026 and 027 still hold records"
[ "$(git -C "$hub" ls-tree -r --name-only main -- data/T01 | wc -l)" = $((n26 + n27)) ] || fail "T01 holds the records of both"
for id in "$m1" "$m3" "$m4" "$ev" "$C26a" "$D27"; do
	case $(path_of "$hub" "$id") in data/T01/*) ;; *) fail "$id is not in T01: $(path_of "$hub" "$id")" ;; esac
done
git -C "$hub" show "main:$(path_of "$hub" "$D26")" | grep -q '"dissolved_on": "2025-07-01"' || fail "D26 is closed"
git -C "$hub" show "main:$(path_of "$hub" "$D26")" | grep -q "\"$P\"" || fail "D26 names its successor"
git -C "$hub" show "main:$(path_of "$hub" "$C26a")" | grep -q "\"parent_id\": \"$P\"" || fail "C26a is under the province"
git -C "$hub" show "main:$(path_of "$hub" "$P")" | grep -A3 predecessor_ids | grep -q "$D26" || fail "P lists D26 as a predecessor"
git -C "$hub" show main:hoso.json >"$TMP/hoso.json"
python3 - "$TMP/hoso.json" "$before" <<'EOF' || fail "hoso.json after the merge"
import json, sys
c = json.load(open(sys.argv[1]))
u = {x["code"]: x for x in c["units"]}
assert u["026"]["valid_to"] == "2025-06-30" and u["026"]["successors"] == ["T01"], u["026"]
assert u["027"]["valid_to"] == "2025-06-30" and u["027"]["successors"] == ["T01"], u["027"]
assert u["T01"]["predecessors"] == ["026", "027"] and "valid_to" not in u["T01"], u["T01"]
r = c["reorganizations"][-1]
assert r == {"on": "2025-07-01", "kind": "merge", "from": ["026", "027"], "into": ["T01"], "before": sys.argv[2]}, r
EOF
git -C "$hub" show main:access.json | python3 -c '
import json, sys
u = json.load(sys.stdin)["users"]
assert u["clerk-026"]["units"] == ["T01"], u["clerk-026"]
assert u["clerk-m"]["units"] == ["T01"], u["clerk-m"]
assert u["clerk-027"]["units"] == ["030"], u["clerk-027"]' || fail "access.json: the clerks of 026 and 027 hold T01"
run -C "$hub" verify --all
expect_rc 0 "verify after the merge"
before=$(tip "$hub")
member_fields 002080000009 "s/cell_id=.*/cell_id=$C26a/"
run -C "$hub" add member --unit 026 "${MF[@]}"
expect_rc 1 "a write in a closed unit"
expect_err "unit '026' was closed after 2025-06-30; its records are in T01" "the refusal names the unit that took its place"
[ "$(tip "$hub")" = "$before" ] || fail "the refused write made a commit"
fsck_clean "$hub"
run -C "$hub" list member --unit 026
expect_rc 0 "a list of a closed unit"
[ -z "$out" ] || fail "a closed unit lists nothing: $out"
expect_err "unit 026 was closed after 2025-06-30 and holds no records now: they are in T01" "the list says where they are"
run -C "$hub" export csv --type member --unit 026
expect_err "--as-of 2025-06-30 gives them as they were in unit 026" "the export says how to get them"
run -C "$hub" unit list --as-of 2024-01-01
printf '%s\n' "$out" | grep -q "^026 " && ! printf '%s\n' "$out" | grep -q "^T01 " || fail "units as of 2024: $out"
run -C "$hub" unit list --as-of 2025-07-01
printf '%s\n' "$out" | grep -q "^T01 " && ! printf '%s\n' "$out" | grep -q "^026 " || fail "units as of July 2025: $out"
run -C "$hub" unit list
printf '%s\n' "$out" | grep -q "^026 .*2025-06-30 Huyện Đồng Văn → T01$" || fail "unit list shows 026 closed into T01: $out"

# The 2023 report is what it was; a 2025 report counts T01.
report_2023 >"$TMP/report-2023-after.json"
diff "$TMP/report-2023-before.json" "$TMP/report-2023-after.json" >"$TMP/diff" || fail "the 2023 report changed: $(cat "$TMP/diff")"
H report annual --year 2025 --format json 2>/dev/null | grep -q '"T01": 4' || fail "the 2025 report counts 4 members in T01"
H export csv --type member --labels none --as-of 2023-12-31 -o "$TMP/members-2023-after.csv" 2>/dev/null || fail "export as of 2023"
diff "$TMP/members-2023-before.csv" "$TMP/members-2023-after.csv" >"$TMP/diff" || fail "the 2023 export changed: $(cat "$TMP/diff")"
H export csv --type member --labels none --unit 026 --as-of 2023-12-31 2>/dev/null | grep -c "Văn" | grep -qx 3 ||
	fail "026's members as of 2023 are three"
H export csv --type organization --labels none --as-of 2025-07-01 2>/dev/null | grep -q "Đảng bộ huyện" &&
	fail "the dissolved committees are not exported as of July 2025"

# ---------------------------------------------------------------- replicas learn
CA sync >/dev/null 2>"$TMP/a-sync"
[ $? = 0 ] || fail "a's sync after the merge: $(cat "$TMP/a-sync")"
grep -q "now works for unit T01" "$TMP/a-sync" || fail "a is told its unit: $(cat "$TMP/a-sync")"
[ "$(git -C "$TMP/a" config hoso.unit)" = T01 ] || fail "a now works for T01"
CA status 2>/dev/null | grep -q "^unit: *T01" || fail "status says T01"
CB sync >/dev/null 2>"$TMP/b-sync" || fail "b's sync after the merge: $(cat "$TMP/b-sync")"
for id in "$m1" "$m6" "$m4"; do
	case $(path_of "$hub" "$id") in data/T01/*) ;; *) fail "$id is not in T01 on the hub: $(path_of "$hub" "$id")" ;; esac
done
git -C "$hub" show "main:$(path_of "$hub" "$m1")" | grep -q '"occupation": "giáo_viên"' || fail "a's edit of m1 moved with it"
git -C "$hub" show "main:$(path_of "$hub" "$m4")" | grep -q '"occupation": "nông_dân"' || fail "b's edit of m4 moved with it"
[ -z "$(git -C "$hub" ls-tree main data/026 data/027)" ] || fail "a record went back to a closed unit"
run -C "$hub" verify --all
expect_rc 0 "verify after the replicas' syncs"
CA sync >/dev/null 2>&1 || fail "a's second sync"
[ "$(tip "$TMP/a")" = "$(tip "$hub")" ] || fail "a converges"
fsck_clean "$hub"
fsck_clean "$TMP/a"

# The clerk's screen: its sync button says the unit changed; its 2023 report
# still counts by the old districts.
serve_start "$TMP/c" HOSO_USER=clerk-m HOSO_PASSWORD=pw-m
python3 - "$url" >"$TMP/py.out" 2>&1 <<'EOF' || fail "the screen after the merge: $(cat "$TMP/py.out")"
import http.client, re, sys, urllib.parse
port = int(sys.argv[1].rstrip("/").rsplit(":", 1)[1])
host = "127.0.0.1:%d" % port
def req(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = {"Host": host, "Origin": "http://" + host, "Content-Type": "application/x-www-form-urlencoded"}
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    return r, r.read().decode("utf-8", "replace")
r, page = req("GET", "/sync")
token = re.search(r'name="_csrf" value="([0-9a-f]+)"', page).group(1)
r, page = req("POST", "/sync", urllib.parse.urlencode({"_csrf": token}))
assert r.status == 200 and "027" in page and "phục vụ đơn vị T01" in page, page[-800:]
r, page = req("GET", "/report?year=2023")
assert r.status == 200 and "Huyện Đồng Văn" in page and "Huyện Mèo Vạc" in page, page[:300]
EOF
[ "$(git -C "$TMP/c" config hoso.unit)" = T01 ] || fail "the screen's sync switched c to T01"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

# ---------------------------------------------------------------- split
# The member a's replica added in 026 after the merge (admitted in 2005) is
# counted in 2023 where its cell was then: 026 has four.
report_2023 >"$TMP/report-2023-before-split.json"
grep -q '"026": 4' "$TMP/report-2023-before-split.json" || fail "m6 counts in 026 as of 2023: $(cat "$TMP/report-2023-before-split.json")"
H unit add X1 --name "Xã Lũng Cú" --from 2026-01-01 >/dev/null 2>&1 || fail "add X1"
H unit add X2 --name "Xã Đồng Văn" --from 2026-01-01 >/dev/null 2>&1 || fail "add X2"
before=$(tip "$hub")
run -C "$hub" unit split T01 --into X1 --into X2 --by admin_unt=00715 --on 2026-01-01
expect_rc 2 "a field no record has (a typo that would send every record to X2)"
expect_err "no record type has a field 'admin_unt'" "the refusal names it"
run -C "$hub" unit split T01 --into X1 --into X2 --by admin_unit=00715 --by admin_unit=00718 --on 2026-01-01
expect_rc 1 "a split whose rules leave records without a unit"
expect_err "without a unit" "it says so"
[ "$(tip "$hub")" = "$before" ] || fail "the refused split changed main"
run -C "$hub" unit split T01 --into X1 --into X2 --by admin_unit=00715 --on 2026-01-01
expect_rc 0 "split T01 by admin_unit"
[ "$(git -C "$hub" rev-parse main^)" = "$before" ] || fail "the split is one commit"
for id in "$C26a" "$m1" "$m2" "$m6"; do
	case $(path_of "$hub" "$id") in data/X1/*) ;; *) fail "$id is not in X1: $(path_of "$hub" "$id")" ;; esac
done
for id in "$C26b" "$m3" "$ev" "$m4" "$C27" "$D26"; do
	case $(path_of "$hub" "$id") in data/X2/*) ;; *) fail "$id is not in X2: $(path_of "$hub" "$id")" ;; esac
done
git -C "$hub" show main:access.json | grep -A4 '"clerk-026"' | grep -q '"X1"' || fail "the clerk of T01 holds X1"
run -C "$hub" verify --all
expect_rc 0 "verify after the split"
report_2023 >"$TMP/report-2023-split.json"
diff "$TMP/report-2023-before-split.json" "$TMP/report-2023-split.json" >"$TMP/diff" || fail "the 2023 report changed after the split: $(cat "$TMP/diff")"
H report annual --year 2025 --format json 2>/dev/null | grep -q '"T01": 5' || fail "the 2025 report still counts T01"
H report annual --year 2026 --format json 2>/dev/null | grep -q '"X1": 3' || fail "the 2026 report counts X1"

# a's replica of T01 learns of the split: the choice is the clerk's.
CA edit "$m2" occupation=thợ_mộc >/dev/null 2>&1 || fail "an edit of m2 on a, in T01"
member_fields 002080000007 "s/Nguyễn Văn An/Mua Văn Bảy/; s/cell_id=.*/cell_id=$C26a/"
m7=$(CA add member "${MF[@]}" 2>/dev/null) || fail "a new member on a's replica, in T01"
CA sync >/dev/null 2>"$TMP/a-sync" || fail "a's sync after the split: $(cat "$TMP/a-sync")"
grep -q "split into X1, X2" "$TMP/a-sync" || fail "a is told of the split: $(cat "$TMP/a-sync")"
grep -q "hoso unit use" "$TMP/a-sync" || fail "a is told how to choose"
CA status 2>/dev/null | grep -q "choose this replica's unit" || fail "status says to choose"
git -C "$hub" show "main:$(path_of "$hub" "$m2")" | grep -q '"occupation": "thợ_mộc"' || fail "a's edit of m2 reached the hub"
case $(path_of "$hub" "$m2") in data/X1/*) ;; *) fail "m2 stays in X1: $(path_of "$hub" "$m2")" ;; esac
# A member written in T01 after the split goes where its cell went (the rule names admin_unit, which members lack).
case $(path_of "$hub" "$m7") in data/X1/*) ;; *) fail "m7 follows its cell to X1: $(path_of "$hub" "$m7")" ;; esac
run -C "$hub" verify --all
expect_rc 0 "verify after a's sync across the split"
run -C "$TMP/a" unit use T01
expect_rc 2 "using a closed unit"
run -C "$TMP/a" unit use X1
expect_rc 0 "a chooses X1"
[ "$(git -C "$TMP/a" config hoso.unit)" = X1 ] || fail "a works for X1"

# ---------------------------------------------------------------- verify refuses
# A record put in a closed unit by hand, with git.
W="$TMP/w"
git clone -q "$hub" "$W" || fail "git clone"
p=$(path_of "$W" "$m5")
mkdir -p "$W/data/026/member/${p: -6:1}"
git -C "$W" mv "$p" "data/026/member/${p: -6:1}/$m5.json"
git -C "$W" commit -qm "a member into a closed unit" || fail "commit by hand"
run -C "$W" verify --commit HEAD
expect_rc 1 "verify a record in a closed unit"
expect_err "unit '026' was closed after 2025-06-30" "verify names the closed unit"
expect_err "data/026/member/" "and the path"
# hoso.json edited by hand: a successor that is no unit, a last day that is no date.
git -C "$W" reset -q --hard HEAD^
python3 - "$W/hoso.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
for u in c["units"]:
    if u["code"] == "026":
        u["successors"] = ["T99"]
    if u["code"] == "027":
        u["valid_to"] = "2025-06-31"
open(sys.argv[1], "w").write(json.dumps(c, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
EOF
git -C "$W" commit -qam "hoso.json by hand" || fail "commit hoso.json by hand"
run -C "$W" verify --commit HEAD
expect_rc 1 "verify a hoso.json whose links are broken"
expect_err "'T99' is not a unit of hoso.json" "a successor that is no unit"
expect_err "'2025-06-31' is not a date" "a last day that is no date"
# access.json that breaks its rules says so, rather than that the admin is not in it.
git -C "$W" reset -q --hard HEAD^
sed -i 's/"role": "clerk"/"role": "boss"/' "$W/access.json"
git -C "$W" commit -qam "access.json by hand" || fail "commit access.json by hand"
run -C "$W" unit add T09 --name "Thử"
expect_rc 1 "a change of units when access.json breaks its rules"
expect_err "access.json on main breaks its rules" "the refusal says why"
finish
