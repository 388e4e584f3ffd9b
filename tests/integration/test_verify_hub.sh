#!/bin/bash
# The hub's pre-receive hook (packaging/hooks/pre-receive) behind the real hub:
# lighttpd + git http-backend with Basic auth on 127.0.0.1, the hook running
# 'hoso verify --range old..new --user REMOTE_USER'. Pushes from the git CLI
# and from 'hoso sync': a clerk writing in another unit, an invalid field, a
# clerk editing access.json, valid pushes, a forced push, no user at all; a
# hub that lacks a plugin hoso.json pins (what the replica cannot see), with
# every error line of the hook in sync's message. The hub stays sound.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"
: "${HOSO_TEST_PLUGIN_DIR:?the directory of the fixture plugins}"
H() { "$HOSO" "$@"; }
shard() { printf '%s' "${1: -1}"; }
HOOK="$(dirname "$0")/../../packaging/hooks/pre-receive"

# The seed: a member in 030, written by an admin.
make_repo "$TMP/seed.git"
member_fields 002080001234
a=$(HOSO_USER=admin H -C "$TMP/seed.git" add member --unit 030 "${MF[@]}" party_card_no=1001 2>/dev/null) ||
	fail "add a member in 030"
apath="data/030/member/$(shard "$a")/$a.json"

# A second repository pins a plugin that the hub has not got (its plugins are
# in an empty directory), while the replicas have it.
make_repo "$TMP/pinned.git"
HOSO_PLUGIN_DIR="$TMP/plugins" HOSO_USER=admin H -C "$TMP/pinned.git" plugin install \
	"$HOSO_TEST_PLUGIN_DIR/good.so" >/dev/null 2>&1 || fail "pin a plugin"

# The hook runs hoso: lighttpd's CGI has PATH=/usr/bin:/bin only.
mkdir -p "$TMP/hub-plugins"
hub_hoso=$(readlink -f "$(command -v "$HOSO")") || fail "where is $HOSO"
HUB_CGI_ENV="HOSO=$hub_hoso HOSO_PLUGIN_DIR=$TMP/hub-plugins" hub_start
hub_add_repo records "$TMP/seed.git"
hub_add_repo pinned "$TMP/pinned.git"
hubrepo=$(hub_repo records)
for r in records pinned; do
	cp "$HOOK" "$(hub_repo "$r")/hooks/pre-receive" && chmod 755 "$(hub_repo "$r")/hooks/pre-receive" ||
		fail "install the hook in $r"
done

# push_cli CLONE [ARGS...]: git push ARGS (default: origin main) from CLONE,
# its output in $out and its exit code in $rc.
push_cli() {
	local dir=$1
	shift
	[ $# -gt 0 ] || set -- origin main
	out=$(git -C "$dir" push "$@" 2>&1)
	rc=$?
}
expect_out() {
	printf '%s' "$out" | grep -qF -- "$1" || fail "$2: the output lacks '$1': $out"
}
# hub_kept TIP WHAT: the hub's main is still TIP.
hub_kept() {
	[ "$(tip "$hubrepo")" = "$1" ] || fail "$2: the hub's main moved"
}
commit() { git -C "$1" add -A && git -C "$1" commit -q -m "$2"; }
# rename_a CLONE NAME: member a's full name is NAME in CLONE's work tree.
rename_a() { sed -i "s/\"full_name\": \"[^\"]*\"/\"full_name\": \"$2\"/" "$1/$apath"; }

# --- A clerk of 026 writes in 030: the hub refuses, naming the unit and the path.
git clone -q "$(hub_url_for clerk-026 pw-026 records)" "$TMP/c26" || fail "git clone as clerk-026"
t0=$(tip "$hubrepo")
rename_a "$TMP/c26" "Nguyễn Văn Ân"
commit "$TMP/c26" "an edit in 030"
push_cli "$TMP/c26"
[ "$rc" != 0 ] || fail "a clerk's push into another unit was accepted"
expect_out "remote: hoso: error: $apath: 'clerk-026' (clerk) may not write in unit '030' [access]" \
	"the hook names the path, the user and the unit"
expect_out "! [remote rejected] main -> main (pre-receive hook declined)" "git says the hook declined"
hub_kept "$t0" "a clerk's push into another unit"
git -C "$TMP/c26" reset -q --hard origin/main

# The same with hoso sync: the replica's own verify refuses before sending.
export HOSO_PASSWORD=pw-026
run clone "$(hub_repo_url records | sed 's|^http://|http://clerk-026@|')" "$TMP/r26" --unit 026
expect_rc 0 "hoso clone as clerk-026"
r26_base=$(tip "$TMP/r26")
git clone -q "$TMP/r26" "$TMP/w26" && rename_a "$TMP/w26" "Nguyễn Văn Ân" && commit "$TMP/w26" "an edit in 030" &&
	git -C "$TMP/w26" push -q origin main || fail "a hand-made commit in the replica"
run -C "$TMP/r26" sync
expect_rc 1 "sync of a write in another unit"
expect_err "the hub would refuse what this replica has to send: nothing was sent" "sync refuses before sending"
expect_err "$apath: 'clerk-026' (clerk) may not write in unit '030'" "sync names the path and the unit"
hub_kept "$t0" "sync of a write in another unit"
git -C "$TMP/r26" update-ref refs/heads/main "$r26_base"

# --- An invalid field, pushed by an admin with the git CLI: refused, the field named.
git clone -q "$(hub_url_for admin admin-pw records)" "$TMP/ca" || fail "git clone as admin"
python3 - "$TMP/ca/$apath" <<'EOF'
import json, sys
p = sys.argv[1]
r = json.load(open(p, encoding="utf-8"))
r["gender"] = "khong_ro"
open(p, "w", encoding="utf-8").write(json.dumps(r, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
EOF
commit "$TMP/ca" "an invalid gender"
push_cli "$TMP/ca"
[ "$rc" != 0 ] || fail "an invalid record was accepted"
expect_out "remote: hoso: error: $apath: field 'gender':" "the hook names the path and the field"
expect_out "[enum]" "the hook names the rule"
expect_out "[remote rejected] main -> main (pre-receive hook declined)" "refused"
hub_kept "$t0" "an invalid record"
git -C "$TMP/ca" reset -q --hard origin/main

# --- A clerk makes themselves admin in access.json: refused.
python3 - "$TMP/c26/access.json" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
a["users"]["clerk-026"] = {"role": "admin"}
open(sys.argv[1], "w").write(json.dumps(a, indent=2, sort_keys=True) + "\n")
EOF
commit "$TMP/c26" "a clerk makes themselves admin"
push_cli "$TMP/c26"
[ "$rc" != 0 ] || fail "a clerk's edit of access.json was accepted"
expect_out "remote: hoso: error: access.json: only an admin may change 'access.json' ('clerk-026' is a clerk)" \
	"access.json is an admin's"
expect_out "[remote rejected] main -> main (pre-receive hook declined)" "refused"
hub_kept "$t0" "a clerk's edit of access.json"
git -C "$TMP/c26" reset -q --hard origin/main

# --- Valid pushes: an admin with the git CLI, a clerk in their unit with hoso sync.
rename_a "$TMP/ca" "Nguyễn Văn Ánh"
commit "$TMP/ca" "an admin's edit in 030"
push_cli "$TMP/ca"
[ "$rc" = 0 ] || fail "an admin's valid push was refused: $out"
[ "$(tip "$hubrepo")" = "$(git -C "$TMP/ca" rev-parse HEAD)" ] || fail "the hub's main moved to the admin's commit"
t1=$(tip "$hubrepo")
H -C "$TMP/r26" add organization "name=Chi bộ thôn Lũng Cú" level=to_dang >/dev/null 2>&1 ||
	fail "add an organization in 026"
run -C "$TMP/r26" sync
expect_rc 0 "a clerk's valid sync"
[ "$(tip "$hubrepo")" = "$(tip "$TMP/r26")" ] || fail "the hub's main is the clerk's"
git -C "$hubrepo" merge-base --is-ancestor "$t1" main || fail "the clerk's sync keeps the admin's commit"
git -C "$hubrepo" grep -q "Chi bộ thôn Lũng Cú" main -- data/026 || fail "the clerk's record is on the hub"
unset HOSO_PASSWORD

# --- A forced push that rewrites main: refused.
git -C "$TMP/ca" fetch -q origin && git -C "$TMP/ca" reset -q --hard origin/main
t2=$(tip "$hubrepo")
git -C "$TMP/ca" reset -q --hard HEAD~1
rename_a "$TMP/ca" "Nguyễn Văn Anh"
commit "$TMP/ca" "history rewritten"
push_cli "$TMP/ca" --force origin main
[ "$rc" != 0 ] || fail "a non-fast-forward push was accepted"
expect_out "remote: hoso: error: refusing a non-fast-forward update of 'main'" "the hook names the rewrite"
expect_out "[remote rejected] main -> main (pre-receive hook declined)" "refused"
hub_kept "$t2" "a forced push"
git -C "$TMP/ca" reset -q --hard origin/main

# --- No user: lighttpd asks for one (401); the hook itself refuses a push
# without REMOTE_USER (a local push runs it with the pusher's environment).
rename_a "$TMP/ca" "Nguyễn Văn Bình"
commit "$TMP/ca" "an edit without a user"
out=$(env -u GIT_ASKPASS -u SSH_ASKPASS git -C "$TMP/ca" push "$(hub_repo_url records)" main 2>&1)
rc=$?
[ "$rc" != 0 ] || fail "an unauthenticated push was accepted"
expect_out "could not read Username" "git is asked for a user"
python3 - "$(hub_repo_url records)/info/refs?service=git-receive-pack" <<'EOF' || fail "lighttpd does not answer 401 to a push without a user"
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=10)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 401 else 1)
sys.exit(1)
EOF
hub_kept "$t2" "an unauthenticated push"
out=$(env -u REMOTE_USER -u GL_USERNAME -u GITEA_PUSHER_NAME git -C "$TMP/ca" push "$hubrepo" main 2>&1)
rc=$?
[ "$rc" != 0 ] || fail "a local push without a user was accepted"
expect_out "remote: hoso: error: refusing an unauthenticated push to 'refs/heads/main'" "the hook refuses no user"
expect_out "[remote rejected] main -> main (pre-receive hook declined)" "refused"
hub_kept "$t2" "a local push without a user"

# --- The hub lacks a plugin that hoso.json pins: the replica, which has it,
# verifies clean and sends; the hub refuses. sync shows every error line of
# the hook, whole, as the git CLI shows them for the same commit.
export HOSO_PLUGIN_DIR="$TMP/plugins" HOSO_PASSWORD=pw-026
run clone "$(hub_repo_url pinned | sed 's|^http://|http://clerk-026@|')" "$TMP/p26" --unit 026
expect_rc 0 "clone the pinned repository"
p0=$(tip "$(hub_repo pinned)")
H -C "$TMP/p26" add organization "name=Chi bộ thôn Má Pì Lèng" level=to_dang >/dev/null 2>&1 ||
	fail "add an organization in the pinned repository"
run -C "$TMP/p26" sync
expect_rc 1 "sync to a hub without the pinned plugin"
expect_err "the hub refused the push (refs/heads/main: pre-receive hook declined); it said:" "sync says the hub refused"
[ "$(tip "$(hub_repo pinned)")" = "$p0" ] || fail "the refused sync moved the hub's main"
sync_err=$err
out=$(git -C "$TMP/p26" push "$(hub_url_for clerk-026 pw-026 pinned)" main 2>&1)
printf '%s\n' "$out" | sed -n 's/^remote: \(hoso: error: .*[^ ]\) *$/\1/p' >"$TMP/hook-errors"
grep -q "plugin 'good' 1.0.0 is pinned in hoso.json but not installed here" "$TMP/hook-errors" ||
	fail "the hook names the missing plugin: $out"
grep -q "refusing the push to 'refs/heads/main'" "$TMP/hook-errors" || fail "the hook's own last line: $out"
while IFS= read -r line; do
	printf '%s\n' "$sync_err" | grep -qxF -- "$line" || fail "sync's message lacks the hook's line '$line': $sync_err"
done <"$TMP/hook-errors"
printf '%s\n' "$sync_err" | grep -q "files checked" && fail "sync's message holds the hook's lines that are no errors: $sync_err"
unset HOSO_PLUGIN_DIR HOSO_PASSWORD

# --- The hub is sound, and its records verify.
fsck_clean "$hubrepo"
run -C "$hubrepo" verify --all
expect_rc 0 "verify --all of the hub"
run -C "$hubrepo" verify --all --format json
expect_rc 0 "verify --all --format json"
printf '%s' "$out" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert v["errors"] == 0 and v["checked"] > 0, v' || fail "the JSON report: $out"
run -C "$hubrepo" verify --all --format junit
expect_rc 0 "verify --all --format junit"
printf '%s' "$out" | python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
cases = root.findall(".//testcase")
assert cases and not root.findall(".//failure"), ET.tostring(root)[:500]' || fail "the JUnit report: $out"
finish
