#!/bin/bash
# hoso verify on commits made behind hoso's back with the plain git CLI, as
# CI and the hub's hook meet them: each bad file named with its commit, path,
# field and rule; who may write each path; text, JSON and JUnit read back.
. "$(dirname "$0")/lib.sh"
R="$TMP/r.git"
make_repo "$R"
H() { "$HOSO" "$@"; }
export HOSO_USER=admin
H -C "$R" access set clerk-026 --role clerk --unit 026 2>/dev/null || fail "access set clerk-026"
H -C "$R" access set ttinh --role province 2>/dev/null || fail "access set ttinh"
member_fields 002080001234
a=$(H -C "$R" add member --unit 030 "${MF[@]}" party_card_no=1001 2>/dev/null) || fail "add a"
shard() { printf '%s' "${1: -1}"; }
apath="data/030/member/$(shard "$a")/$a.json"

# A whole repository written by hoso verifies clean; so does its last commit.
run -C "$R" verify
expect_rc 0 "verify --all of a clean repository"
printf '%s' "$out" | grep -q "files checked at .*: 0 errors" || fail "the summary: $out"
run -C "$R" verify --commit main --user admin
expect_rc 0 "verify --commit of hoso's own write"

# A working clone where commits are made with the git CLI.
W="$TMP/w"
git clone -q "$R" "$W" || fail "git clone"
commit() { git -C "$W" add -A && git -C "$W" commit -q -m "$1" && git -C "$W" rev-parse HEAD; }
base=$(git -C "$W" rev-parse HEAD)

# An invalid field, a file that is not canonical, a record at the wrong path.
python3 - "$W/$apath" <<'EOF'
import json, sys
p = sys.argv[1]
r = json.load(open(p, encoding="utf-8"))
r["gender"] = "khong_ro"
open(p, "w", encoding="utf-8").write(json.dumps(r, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
EOF
c_bad=$(commit "an invalid gender")
mkdir -p "$W/data/026"
printf '{"type": "member"}' >"$W/data/026/stray.json"
c_stray=$(commit "a stray file")
run -C "$W" verify --range "$base..HEAD"
expect_rc 1 "verify of the bad range"
expect_err "error: $apath: field 'gender':" "names the path and the field"
expect_err "[enum] (commit ${c_bad:0:7})" "names the rule and the commit"
expect_err "data/026/stray.json: not a record's path" "a file that is no record"
expect_err "(commit ${c_stray:0:7})" "the stray file's commit"
printf '%s' "$out" | grep -q "2 files checked in ${base:0:7}..$(git -C "$W" rev-parse --short=7 HEAD): [1-9]" ||
	fail "the summary names the range: $out"

# The same as JSON and as JUnit, read back by real parsers.
run -C "$W" verify --range "$base..HEAD" --format json
expect_rc 1 "verify --format json"
printf '%s' "$out" >"$TMP/v.json"
python3 - "$TMP/v.json" "$apath" "$c_bad" <<'EOF' || fail "the JSON report"
import json, sys
v = json.load(open(sys.argv[1]))
ps = [p for p in v["problems"] if p["path"] == sys.argv[2]]
assert v["checked"] == 2 and v["errors"] >= 2, v
assert any(p["field"] == "gender" and p["rule"] == "enum" and p["commit"] == sys.argv[3]
           and p["severity"] == "error" for p in ps), ps
EOF
run -C "$W" verify --range "$base..HEAD" --format junit
expect_rc 1 "verify --format junit"
printf '%s' "$out" >"$TMP/v.xml"
python3 - "$TMP/v.xml" "$apath" <<'EOF' || fail "the JUnit report"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("./testsuite/testcase")
assert len(cases) == 2 and root.get("tests") == "2", ET.tostring(root)[:500]
bad = [c for c in cases if c.get("name") == sys.argv[2]][0]
f = bad.findall("failure")
assert f and f[0].get("type") == "enum" and "gender" in f[0].get("message"), ET.tostring(bad)
stray = [c for c in cases if c.get("name") == "data/026/stray.json"][0]
assert stray.findall("failure")[0].get("type") == "path"
EOF
git -C "$W" reset -q --hard "$base"

# Not canonical, in the wrong type's directory, and one id at two paths.
sed -i 's/  "gender"/    "gender"/' "$W/$apath"
c=$(commit "indented by hand")
run -C "$W" verify --commit HEAD
expect_rc 1 "a record not in canonical form"; expect_err "$apath: is not in the canonical form" "canonical"
expect_err "[canonical]" "the rule"
git -C "$W" reset -q --hard "$base"
mkdir -p "$W/data/026/member/$(shard "$a")"
cp "$W/$apath" "$W/data/026/member/$(shard "$a")/$a.json"
commit "the same member twice" >/dev/null
run -C "$W" verify --commit HEAD
expect_rc 1 "one id at two paths"; expect_err "record $a is also at 'data/030/member/" "unique"
git -C "$W" reset -q --hard "$base"
mkdir -p "$W/data/030/organization/$(shard "$a")"
git -C "$W" mv "$apath" "data/030/organization/$(shard "$a")/$a.json"
commit "a member among the organizations" >/dev/null
run -C "$W" verify --commit HEAD
expect_rc 1 "a record in its wrong type's directory"
expect_err "field 'type': the record's type 'member' is not its directory's 'organization'" "type and path"
git -C "$W" reset -q --hard "$base"

# A rule across records: a second member with a's citizen id, written by hand.
python3 - "$W/$apath" "$W/data/026/member" <<'EOF'
import json, os, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
r["id"] = "01HQ8Z5K3V000000000000000B"
r["party_card_no"] = "1002"
d = os.path.join(sys.argv[2], "B")
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, r["id"] + ".json"), "w", encoding="utf-8") as f:
    f.write(json.dumps(r, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
EOF
commit "a second member with the same citizen id" >/dev/null
run -C "$W" verify --commit HEAD
expect_rc 1 "a citizen id used twice"
expect_err "data/026/member/B/01HQ8Z5K3V000000000000000B.json: field 'citizen_id': citizen id '002080001234' is also on record '$a'" "the rule across records, placed at its path"
expect_err "[vn-identity/unique]" "names the validator's rule"
git -C "$W" reset -q --hard "$base"

# Who may write: a clerk of 026 in 030 and in access.json; the province anywhere
# under data/; only an admin in access.json. A commit that changes nothing of
# theirs passes.
sed -i 's/"full_name": "Nguyễn Văn An"/"full_name": "Nguyễn Văn Ân"/' "$W/$apath"
commit "an edit in 030" >/dev/null
run -C "$W" verify --range "$base..HEAD" --user clerk-026
expect_rc 1 "a clerk of 026 writing in 030"
expect_err "$apath: 'clerk-026' (clerk) may not write in unit '030' [access]" "names the user, the unit and the path"
run -C "$W" verify --range "$base..HEAD" --user ttinh
expect_rc 0 "the province writes in 030"
GL_USERNAME=clerk-026 run -C "$W" verify --range "$base..HEAD"
expect_rc 1 "the user from GL_USERNAME"; expect_err "'clerk-026' (clerk)" "GL_USERNAME"
run -C "$W" verify --range "$base..HEAD" --user nobody
expect_rc 1 "a user access.json does not name"; expect_err "'nobody' is not in access.json" "unknown user"
git -C "$W" reset -q --hard "$base"
python3 - "$W/access.json" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
a["users"]["clerk-026"] = {"role": "admin"}
open(sys.argv[1], "w").write(json.dumps(a, indent=2, sort_keys=True) + "\n")
EOF
commit "a clerk makes themselves admin" >/dev/null
run -C "$W" verify --range "$base..HEAD" --user clerk-026
expect_rc 1 "a clerk edits access.json"
expect_err "access.json: only an admin may change 'access.json' ('clerk-026' is a clerk) [access]" "access.json is an admin's"
run -C "$W" verify --range "$base..HEAD" --user admin
expect_rc 0 "an admin edits access.json"
git -C "$W" reset -q --hard "$base"
printf '{"type": "broken"' >"$W/access.json"
commit "a broken access.json" >/dev/null
run -C "$W" verify --commit HEAD --user admin
expect_rc 1 "a broken access.json"; expect_err "access.json:" "names access.json"
git -C "$W" reset -q --hard "$base"

# A new branch (40 zeros before it): from its merge base with main.
git -C "$W" checkout -q -b topic
sed -i 's/"full_name": "Nguyễn Văn An"/"full_name": "Nguyễn Văn Ân"/' "$W/$apath"
commit "on a topic branch" >/dev/null
run -C "$W" verify --range "0000000000000000000000000000000000000000..topic" --user clerk-026
expect_rc 1 "a new branch, against main"
printf '%s' "$out" | grep -q "^1 file checked in ${base:0:7}" || fail "a new branch is checked from its merge base: $out"
git -C "$W" checkout -q main

# A detached checkout with no branch main, as CI has it.
git clone -q "$R" "$TMP/ci" && git -C "$TMP/ci" checkout -q --detach && git -C "$TMP/ci" branch -q -D main
run -C "$TMP/ci" verify --commit HEAD --user admin
expect_rc 0 "a detached CI checkout"

# Usage.
run -C "$R" verify --range main
expect_rc 2 "a range without .."
run -C "$R" verify --all --commit main
expect_rc 2 "two modes"
run -C "$R" verify --range nosuch..main
expect_rc 2 "a commit that is not there"; expect_err "no commit 'nosuch'" "names it"
run -C "$R" verify --format xml
expect_rc 2 "an unknown format"
fsck_clean "$R"
# CI's configuration, as packaging/ci/ installs it: an admin's to write; any other file is refused.
git -C "$W" reset -q --hard "$base"
mkdir -p "$W/.gitea/workflows"
printf 'verify:\n  script: hoso verify\n' >"$W/.gitlab-ci.yml"
printf 'on: push\n' >"$W/.gitea/workflows/verify.yml"
commit "CI runs verify" >/dev/null
run -C "$W" verify --range "$base..HEAD" --user admin
expect_rc 0 "an admin adds CI's configuration"
run -C "$W" verify --range "$base..HEAD" --user clerk-026
expect_rc 1 "a clerk adds CI's configuration"
expect_err ".gitlab-ci.yml" "names the file a clerk may not write"
printf 'x\n' >"$W/notes.txt"
commit "a stray note" >/dev/null
run -C "$W" verify --commit HEAD --user admin
expect_rc 1 "any other file"
expect_err "notes.txt: not a file of a data repository" "names it"
finish
