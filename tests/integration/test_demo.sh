#!/bin/bash
# hoso demo: a deterministic province through the import path.
. "$(dirname "$0")/lib.sh"
run demo "$TMP/d1" --scale 0.05
expect_rc 0 "demo"
printf '%s' "$out" | grep -q "province.git" || fail "demo prints where to look"
fsck_clean "$TMP/d1/province.git"
run -C "$TMP/d1/province.git" status --json
printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["by_type"]["member"] > 3000, s
for t in ("organization", "inspection", "supervision", "discipline"):
    assert s["by_type"].get(t, 0) > 0, (t, s)' || fail "demo records: $out"
"$HOSO" demo "$TMP/d2" --scale 0.05 >/dev/null 2>&1 || fail "second demo"
[ "$(git -C "$TMP/d1/province.git" rev-parse 'main^{tree}')" = "$(git -C "$TMP/d2/province.git" rev-parse 'main^{tree}')" ] ||
	fail "the same seed gives the same tree"
run demo "$TMP/d1" --scale 0.05
expect_rc 2 "demo into a used directory"; expect_err "already exists" "used directory"
finish
