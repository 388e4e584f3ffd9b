#!/bin/bash
# hoso plugin list: what loads, from where; each refused plugin named with why.
. "$(dirname "$0")/lib.sh"
: "${HOSO_TEST_PLUGIN_DIR:?the directory of the fixture plugins}"
make_repo "$TMP/r.git"
HOSO_PLUGIN_DIR="$HOSO_TEST_PLUGIN_DIR" run -C "$TMP/r.git" plugin list --json
expect_rc 0 "plugin list"
printf '%s' "$out" | python3 -c '
import json, sys
p = {x["name"]: x for x in json.load(sys.stdin)}
assert "good" in p, p
g = p["good"]
assert g["from"] == "user" and g["kinds"] == "validator" and g["version"] == "1.0.0", g
assert len(g["sha256"]) == 64, g
for bad in ("abi2", "other", "noentry", "refuses"):
    assert bad not in p, bad' || fail "plugin list shows the good plugin only: $out"
expect_err "plugin 'abi2' was built for plugin ABI 2; this hoso supports ABI 1" "another ABI"
expect_err "no entry point hoso_plugin_entry" "no entry point"
expect_err "says its name is 'other'" "a name that is not the stem"
expect_err "plugin 'refuses' refused to load" "an entry point that refuses"
finish
