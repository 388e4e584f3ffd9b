#!/bin/bash
# hoso demo: a deterministic province through the import path.
. "$(dirname "$0")/lib.sh"
run demo "$TMP/d1" --scale 0.05
expect_rc 0 "demo"
demo_out=$out
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
# The replicas synced: each has the hub's tree before the merger (two
# commits: T01 added, 026 and 027 merged into it), with one merged clash.
for r in 026 027 02; do
	[ "$(git -C "$TMP/d1/replica-$r" rev-parse 'main^{tree}')" = "$(git -C "$TMP/d1/province.git" rev-parse 'main~2^{tree}')" ] ||
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
# The merger of 1 July 2025: one commit; 026 and 027 hold nothing, T01 all;
# the 2023 report after it has the same figures.
git -C "$TMP/d1/province.git" log --format=%s -1 main | grep -q "^unit: merge 026, 027 into T01 on 2025-07-01" ||
	fail "the hub's last commit is the merger"
[ -z "$(git -C "$TMP/d1/province.git" ls-tree main data/026 data/027)" ] || fail "026 and 027 still hold records"
[ "$(git -C "$TMP/d1/province.git" ls-tree -r --name-only main -- data/T01 | wc -l)" = \
	"$(git -C "$TMP/d1/province.git" ls-tree -r --name-only main~2 -- data/026 data/027 | wc -l)" ] ||
	fail "T01 holds the records of 026 and 027"
printf '%s' "$demo_out" | grep -q "The 2023 report after the merge has the same figures" || fail "the demo says the 2023 report is the same"
for f in report-2023.html report-2025.html report-2023-again.html; do
	[ -s "$TMP/d1/$f" ] || fail "the demo wrote $f"
done
diff <(grep -v "$(git -C "$TMP/d1/province.git" rev-parse main~2)" "$TMP/d1/report-2023.html") \
	<(grep -v "$(git -C "$TMP/d1/province.git" rev-parse main)" "$TMP/d1/report-2023-again.html") >"$TMP/diff" ||
	fail "the 2023 report's pages differ in more than their commit: $(head -5 "$TMP/diff")"
run -C "$TMP/d1/province.git" verify --all
expect_rc 0 "verify after the demo's merger"
run demo "$TMP/d1" --scale 0.05
expect_rc 2 "demo into a used directory"; expect_err "already exists" "used directory"
finish
