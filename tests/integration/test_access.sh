#!/bin/bash
# hoso access set/list/remove: only an admin changes access.json, each change
# one commit of canonical bytes; bad roles, unknown units and the last admin
# refused with nothing committed. Checked with the git CLI.
. "$(dirname "$0")/lib.sh"
R="$TMP/r.git"
make_repo "$R"
unset HOSO_USER

access() {
	git -C "$R" show main:access.json
}

# What init wrote, listed as a table and as the file's object.
run -C "$R" access list
expect_rc 0 "list"
[ "$out" = "admin  admin" ] || fail "list of a new repository: '$out'"
run -C "$R" access list --json
expect_rc 0 "list --json"
[ "$out" = "$(access)" ] || fail "list --json is access.json's object: '$out'"

# The git user (Thư ký Thử) is not in access.json: refused, nothing committed.
before=$(tip "$R")
run -C "$R" access set clerk-026 --role clerk --unit 026
expect_rc 1 "a user not in access.json sets"
expect_err "hoso: error: only an admin may change access.json ('Thư ký Thử' is not in access.json)" "names the user"
[ "$(tip "$R")" = "$before" ] || fail "a refused set committed"

# An admin sets a clerk: one commit by the repository's git user, canonical bytes.
HOSO_USER=admin run -C "$R" access set clerk-026 --role clerk --unit 026
expect_rc 0 "admin sets a clerk"
expect_err "set 'clerk-026' to clerk of 026" "says what it set"
[ "$(git -C "$R" rev-list --count "$before..main")" = 1 ] || fail "one commit sets a clerk"
[ "$(git -C "$R" log -1 --format='%s|%an <%ae>' main)" = "access: set clerk-026 to clerk of 026|Thư ký Thử <clerk@example.invalid>" ] ||
	fail "commit subject and author: $(git -C "$R" log -1 --format='%s|%an <%ae>' main)"
[ "$(git -C "$R" diff --name-only "$before" main)" = access.json ] || fail "only access.json changes"
cat > "$TMP/want.json" <<'JSON'
{
  "format": 1,
  "users": {
    "admin": {
      "role": "admin"
    },
    "clerk-026": {
      "role": "clerk",
      "units": [
        "026"
      ]
    }
  }
}
JSON
access > "$TMP/got.json"
cmp -s "$TMP/got.json" "$TMP/want.json" || fail "access.json bytes: $(diff "$TMP/want.json" "$TMP/got.json")"
fsck_clean "$R"

# Units in any order, given twice: stored once each, in order; the same again commits nothing.
HOSO_USER=admin run -C "$R" access set clerk-2 --role clerk --unit 030 --unit 026 --unit 030
expect_rc 0 "a clerk of two units"
access | python3 -c '
import json, sys
u = json.load(sys.stdin)["users"]
assert u["clerk-2"] == {"role": "clerk", "units": ["026", "030"]}, u' || fail "clerk-2's units: $(access)"
before=$(tip "$R")
HOSO_USER=admin run -C "$R" access set clerk-2 --role clerk --unit 026 --unit 030
expect_rc 0 "the same set again"
expect_err "nothing to commit" "says nothing changed"
[ "$(tip "$R")" = "$before" ] || fail "a set that changes nothing committed"

# A clerk is no admin.
HOSO_USER=clerk-026 run -C "$R" access remove clerk-2
expect_rc 1 "a clerk removes"
expect_err "only an admin may change access.json ('clerk-026' is clerk)" "names the clerk's role"
[ "$(tip "$R")" = "$before" ] || fail "a clerk's remove committed"

# Data refused: exit 1, the field named, nothing committed.
HOSO_USER=admin run -C "$R" access set x --role clerk --unit 0260
expect_rc 1 "an unknown unit"
expect_err "access.json: field 'users.x.units[0]': unit '0260' is not in hoso.json" "names the unit's field"
expect_err "nothing was committed" "says nothing was committed"
expect_err "hint: the units of hoso.json are: 02 030 026" "lists the units"
HOSO_USER=admin run -C "$R" access set x --role boss
expect_rc 1 "a bad role"
expect_err "field 'users.x.role': 'boss' is not a role: admin, province or clerk" "names the role's field"
HOSO_USER=admin run -C "$R" access set x --role clerk
expect_rc 1 "a clerk without a unit"
expect_err "field 'users.x.units': a clerk needs at least one unit" "names the units' field"
expect_err "hint: give each unit the clerk holds with --unit U" "says how"
HOSO_USER=admin run -C "$R" access set x --role admin --unit 026
expect_rc 1 "an admin with a unit"
expect_err "field 'users.x.units': an admin holds no units" "admins hold no units"
[ "$(tip "$R")" = "$before" ] || fail "refused sets committed"

# Usage: exit 2.
HOSO_USER=admin run -C "$R" access set x
expect_rc 2 "set without --role"
expect_err "'access set' needs --role admin, province or clerk" "asks for the role"
HOSO_USER=admin run -C "$R" access set x --role admin --json
expect_rc 2 "set with a list option"
expect_err "'--json' is not an option of 'access set'" "names the wrong option"
HOSO_USER=admin run -C "$R" access set x --role admin --colour
expect_rc 2 "an unknown option"
HOSO_USER=admin run -C "$R" access grant x
expect_rc 2 "an unknown subcommand"
[ "$(tip "$R")" = "$before" ] || fail "usage errors committed"

# The last admin cannot go, nor be demoted.
HOSO_USER=admin run -C "$R" access remove admin
expect_rc 1 "removing the last admin"
expect_err "field 'users': names no admin" "says why"
expect_err "hint: make another user an admin first" "says what to do"
HOSO_USER=admin run -C "$R" access set admin --role province
expect_rc 1 "demoting the last admin"
[ "$(tip "$R")" = "$before" ] || fail "the last admin's removal committed"
access | grep -q '"admin": {' || fail "the admin is still in access.json"
HOSO_USER=admin run -C "$R" access remove nobody
expect_rc 1 "removing a user not there"
expect_err "'nobody' is not in access.json" "names the user"

# Without HOSO_USER, git's user.name names the one running hoso.
HOSO_USER=admin run -C "$R" access set "Thư ký Thử" --role admin
expect_rc 0 "a second admin"
run -C "$R" access set prov --role province
expect_rc 0 "git's user, now an admin, sets"
run -C "$R" access remove clerk-026
expect_rc 0 "remove"
expect_err "removed 'clerk-026' from access.json" "says what it removed"
[ "$(git -C "$R" log -1 --format=%s main)" = "access: remove clerk-026" ] || fail "remove's commit subject"
access | grep -q clerk-026 && fail "clerk-026 is still in access.json"
fsck_clean "$R"

run -C "$R" access list
expect_rc 0 "list"
cat > "$TMP/want.txt" <<'TXT'
Thư ký Thử  admin
admin       admin
clerk-2     clerk     026,030
prov        province
TXT
[ "$out" = "$(cat "$TMP/want.txt")" ] || fail "the table: $(printf '%s' "$out" | diff "$TMP/want.txt" -)"
run -C "$R" access list --json
[ "$out" = "$(access)" ] || fail "list --json after changes"
run -C "$R" access list extra
expect_rc 2 "list with an argument"

# An access.json broken by hand (a plain git commit) says nothing about anyone: refused.
git clone -q "$R" "$TMP/w" 2>/dev/null || fail "git clone"
printf '{"format": 1, "users": {"admin": {"role": "boss"}}}\n' > "$TMP/w/access.json"
git -C "$TMP/w" commit -qam "access.json by hand" && git -C "$TMP/w" push -q origin main 2>/dev/null ||
	fail "commit and push by hand"
before=$(tip "$R")
HOSO_USER=admin run -C "$R" access set x --role admin
expect_rc 1 "set on a broken access.json"
expect_err "field 'users.admin.role': 'boss' is not a role" "names the broken field"
expect_err "access.json on main breaks its rules" "says the file is broken"
[ "$(tip "$R")" = "$before" ] || fail "a set on a broken access.json committed"
run -C "$R" access list
expect_rc 1 "list of a broken access.json"

finish
