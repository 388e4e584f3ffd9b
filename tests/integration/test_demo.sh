#!/bin/bash
# hoso demo: a deterministic province through the import path.
. "$(dirname "$0")/lib.sh"
run demo "$TMP/d1" --scale 0.05
expect_rc 0 "demo"
printf '%s' "$out" | grep -q "province.git" || fail "demo prints where to look"
printf '%s' "$out" | grep -q "report-2023.html" || fail "demo prints where its report is"
grep -q "Báo cáo công tác xây dựng Đảng năm 2023" "$TMP/d1/report-2023.html" && grep -q "<svg" "$TMP/d1/report-2023.html" ||
	fail "demo writes the year's HTML report"
fsck_clean "$TMP/d1/province.git"
run -C "$TMP/d1/province.git" status --json
printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["by_type"]["member"] > 3000, s
for t in ("organization", "inspection", "supervision", "discipline"):
    assert s["by_type"].get(t, 0) > 0, (t, s)' || fail "demo records: $out"
# The second one runs every validator on the generated records: none refuses one.
run demo "$TMP/d2" --scale 0.05 --check
expect_rc 0 "demo --check"
printf '%s' "$err" | grep -q "error:" && fail "the generated province breaks a rule: $err"
# The generated province (before the replicas' offline work) is the same tree.
generated() { git -C "$1" rev-parse "$(git -C "$1" log --format=%H --grep='^demo: ' -1)^{tree}"; }
[ "$(generated "$TMP/d1/province.git")" = "$(generated "$TMP/d2/province.git")" ] ||
	fail "the same seed gives the same tree"
# The replicas synced: each has the hub's tree, with one merged clash.
for r in 026 027 02; do
	[ "$(git -C "$TMP/d1/replica-$r" rev-parse 'main^{tree}')" = "$(git -C "$TMP/d1/province.git" rev-parse 'main^{tree}')" ] ||
		fail "replica $r has the hub's tree"
	fsck_clean "$TMP/d1/replica-$r"
done
# The intrusion: refused before the push, undone, then synced.
printf '%s' "$out" | grep -q "'clerk-027' (clerk) may not write in unit '026'" ||
	fail "the demo shows verify refusing a write into another unit: $out"
git -C "$TMP/d1/province.git" log --format=%s main | grep -c "^edit member .* in 026 (offline)" | grep -qx 4 ||
	fail "the hub has the district's, the province's, the intrusion's and its undo's commits"
git -C "$TMP/d1/province.git" show main:access.json | grep -q '"clerk-027"' || fail "the demo sets access.json"
run -C "$TMP/d1/replica-026" conflicts --json
printf '%s' "$out" | python3 -c 'import json,sys; c=json.load(sys.stdin); assert len(c)==1 and c[0]["field"]=="occupation", c' ||
	fail "the demo's clash is one conflict on occupation: $out"
run demo "$TMP/d1" --scale 0.05
expect_rc 2 "demo into a used directory"; expect_err "already exists" "used directory"
finish
