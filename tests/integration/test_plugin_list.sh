#!/bin/bash
# Plugins: each refusal named with why; a user's plugin runs only when
# hoso.json pins it, and only the very file pinned; installs and removals.
. "$(dirname "$0")/lib.sh"
: "${HOSO_TEST_PLUGIN_DIR:?the directory of the fixture plugins}"
make_repo "$TMP/r.git"
R="$TMP/r.git"

# The fixtures as they are: refused, or not pinned.
HOSO_PLUGIN_DIR="$HOSO_TEST_PLUGIN_DIR" run -C "$R" plugin list --json
expect_rc 0 "plugin list"
printf '%s' "$out" | python3 -c '
import json, sys
p = {x["name"]: x for x in json.load(sys.stdin)}
assert p["vn-identity"]["from"] == "built-in" and p["party-rules"]["from"] == "built-in", p
assert p["vn-identity"]["kinds"] == "validator", p["vn-identity"]
for exporter in ("csv", "xlsx", "sqlite", "jsonl"):
    assert p[exporter]["kinds"] == "exporter" and p[exporter]["from"] == "built-in", p[exporter]
assert p["annual"]["kinds"] == "report", p["annual"]
assert not any(x["pinned"] for x in p.values()), p
for other in ("good", "abi2", "other", "noentry", "refuses"):
    assert other not in p, other' || fail "only the built-in plugins run: $out"
expect_err "plugin 'good' is installed but not pinned in hoso.json, so it does not run" "unpinned"
expect_err "plugin 'abi2' is installed but not pinned" "unpinned, whatever its ABI"

export HOSO_PLUGIN_DIR="$TMP/plugins"
# Refused installs install nothing.
run -C "$R" plugin install "$HOSO_TEST_PLUGIN_DIR/abi2.so"
expect_rc 1 "install of another ABI"
expect_err "plugin 'abi2' was built for plugin ABI 2; this hoso supports ABI 1" "another ABI"
run -C "$R" plugin install "$HOSO_TEST_PLUGIN_DIR/noentry.so"
expect_rc 1 "install of a file with no entry point"; expect_err "no entry point hoso_plugin_entry" "no entry"
run -C "$R" plugin install "$HOSO_TEST_PLUGIN_DIR/wrongname.so"
expect_rc 1 "install of a misnamed plugin"; expect_err "says its name is 'other'" "misnamed"
run -C "$R" plugin install "$HOSO_TEST_PLUGIN_DIR/good.so" --sha256 0000000000000000000000000000000000000000000000000000000000000000
expect_rc 1 "install with a wrong hash"; expect_err "is not the file pinned" "wrong hash"
[ -e "$TMP/plugins" ] && [ -n "$(ls -A "$TMP/plugins")" ] && fail "a refused install left a file"

# A clerk installs: the file is there, not pinned, not run.
before=$(tip "$R")
HOSO_USER=clerk-030 run -C "$R" plugin install "$HOSO_TEST_PLUGIN_DIR/good.so"
expect_rc 0 "a clerk installs"; expect_err "runs once an admin pins it" "not pinned"
[ "$(tip "$R")" = "$before" ] || fail "a clerk's install pins nothing"

# An admin installs: pinned in hoso.json in one commit, and it runs.
sha=$(sha256sum "$HOSO_TEST_PLUGIN_DIR/good.so" | cut -d' ' -f1)
HOSO_USER=admin run -C "$R" plugin install "$HOSO_TEST_PLUGIN_DIR/good.so" --sha256 "$sha"
expect_rc 0 "an admin installs"
[ "$(git -C "$R" rev-list --count "$before..main")" = 1 ] || fail "one commit pins it"
git -C "$R" show main:hoso.json | python3 -c "
import json, sys
p = json.load(sys.stdin)['plugins']
assert p == [{'name': 'good', 'version': '1.0.0', 'sha256': '$sha'}], p" || fail "the pin in hoso.json"
run -C "$R" plugin list --json
printf '%s' "$out" | python3 -c '
import json, sys
p = {x["name"]: x for x in json.load(sys.stdin)}
assert p["good"]["pinned"] and p["good"]["from"] == "user", p["good"]
assert not p["vn-identity"]["pinned"], p["vn-identity"]' || fail "the pinned plugin runs, and says so: $out"
run -C "$R" plugin list
printf '%s' "$out" | grep -q "^good .* user *pinned " || fail "the listing says pinned: $out"

# The file changed after pinning: refused, and a write is still possible
# (the pin is there, the file is not the pinned one: it does not run).
printf 'x' >> "$TMP/plugins/good.so"
run -C "$R" plugin list
expect_err "is not the file pinned" "a tampered file is refused"
printf '%s' "$out" | grep -q '^good ' && fail "the tampered plugin does not run"

# A pinned plugin missing: writes are refused, naming it.
rm "$TMP/plugins/good.so"
run -C "$R" add organization --unit 030 "name=Tổ A" level=to_dang
expect_rc 1 "a write without a pinned plugin"
expect_err "plugin 'good' 1.0.0 is pinned in hoso.json but not installed here" "names the missing plugin"
# Remove the pin (admin): writes work again.
HOSO_USER=admin run -C "$R" plugin remove good
expect_rc 0 "an admin removes"
git -C "$R" show main:hoso.json | grep -q '"good"' && fail "the pin is gone"
run -C "$R" add organization --unit 030 "name=Tổ A" level=to_dang
expect_rc 0 "a write after the pin is removed"
fsck_clean "$R"
finish
