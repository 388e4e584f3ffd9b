#!/bin/bash
# hoso serve end to end, in Debian's Chromium driven by playwright-core: on a
# phone-sized screen, the member list of unit 030, a new member refused for a
# bad citizen id (the message beside the field), fixed and saved, then edited
# (tests/e2e/serve.mjs); then a conflict made by two replicas of a real hub,
# synced, settled on the conflicts screen and synced again (tests/e2e/sync.mjs).
# The git CLI checks what was written.
#
# Needs /usr/bin/chromium, node >= 18 and npm (packaging/setup.sh installs
# them); without them this test fails. playwright-core (pinned in
# tests/e2e/package-lock.json) is installed once with `npm ci` into
# <build>/e2e-node/, again only when the lock file changes: the only network
# use, to the npm registry. The browser reaches 127.0.0.1 alone. Screenshots
# of each step are left in <build>/e2e-artifacts/.
USER_HOME=${HOME:-}
. "$(dirname "$0")/lib.sh"

missing() {
	echo "FAIL: $1: run packaging/setup.sh as root (it installs chromium, nodejs and npm; CI runs it)" >&2
	exit 1
}
[ -x /usr/bin/chromium ] || missing "/usr/bin/chromium is missing (Debian's chromium package)"
command -v node >/dev/null || missing "node is missing"
command -v npm >/dev/null || missing "npm is missing"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
	missing "node $(node --version) is older than 18 (playwright-core 1.61 needs 18)"

E2E=$(cd "$(dirname "$0")/../e2e" && pwd)
BUILD=$(cd "$(dirname "$(dirname "$HOSO")")" && pwd)
NODE_DIR="$BUILD/e2e-node"
ARTIFACTS="$BUILD/e2e-artifacts"

# playwright-core, installed once for this build tree. A fresh install goes to
# a directory beside it and replaces it whole, so an interrupted one is redone.
if ! cmp -s "$E2E/package-lock.json" "$NODE_DIR/package-lock.json" ||
	! cmp -s "$E2E/package.json" "$NODE_DIR/package.json" ||
	[ ! -f "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
	echo "e2e: npm ci in $NODE_DIR"
	rm -rf "$NODE_DIR.new" && mkdir -p "$NODE_DIR.new" &&
		cp "$E2E/package.json" "$E2E/package-lock.json" "$NODE_DIR.new/" || exit 1
	# The user's npm configuration (registry, proxy, CA) and cache, not lib.sh's
	# scratch home; and the machine's CA store, which node does not read by itself.
	[ -n "${NODE_EXTRA_CA_CERTS:-}" ] || [ ! -f /etc/ssl/certs/ca-certificates.crt ] ||
		export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
	(cd "$NODE_DIR.new" && HOME=${USER_HOME:-$HOME} npm ci --no-audit --no-fund) >"$TMP/npm.log" 2>&1 || {
		echo "FAIL: npm ci of tests/e2e/package-lock.json: $(cat "$TMP/npm.log")" >&2
		rm -rf "$NODE_DIR.new"
		exit 1
	}
	rm -rf "$NODE_DIR" && mv "$NODE_DIR.new" "$NODE_DIR" || exit 1
fi
cp "$E2E"/*.mjs "$NODE_DIR/" || exit 1
echo "e2e: node $(node --version), npm $(npm --version)," \
	"playwright-core $(node -p 'require(process.argv[1]).version' "$NODE_DIR/node_modules/playwright-core/package.json")"

R="$TMP/r.git"
make_repo "$R"
git -C "$R" config hoso.unit 030
commits=$(git -C "$R" rev-list --count main)

serve_start "$R"

# The browser's own scratch files (its profile) in a TMPDIR of this test's,
# removed with it.
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS" "$TMP/tmp" || exit 1
TMPDIR="$TMP/tmp" timeout 180 node "$NODE_DIR/serve.mjs" "$url" "$R" "$ARTIFACTS" >"$TMP/e2e.out" 2>"$TMP/e2e.err"
rc=$?
cat "$TMP/e2e.out"
grep -v -e 'Failed to connect to the bus' -e 'unexpected operator' "$TMP/e2e.err" >&2
if [ "$rc" != 0 ]; then
	kill -0 "$pid" 2>/dev/null || { wait "$pid"; echo "FAIL: the server has exited, with $?" >&2; }
	echo "FAIL: the browser's walk exited $rc (screenshots: $ARTIFACTS; the server said: $(cat "$TMP/serve.err"))" >&2
	exit 1
fi
# Nothing of the browser is left: no process, no profile.
left=$(SCRATCH="$TMP/tmp" python3 -c '
import glob, os
for f in glob.glob("/proc/[0-9]*/cmdline"):
    try:
        c = open(f, "rb").read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        continue
    if os.environ["SCRATCH"] in c:
        print(f.split("/")[2], c[:200])
')
[ -z "$left" ] || fail "browser processes left: $left"
[ -z "$(ls -A "$TMP/tmp")" ] || fail "the browser left files: $(ls -A "$TMP/tmp")"
for n in 01-list 02-form-filled 03-bad-citizen-id 04-record 05-edit-form 06-edited; do
	[ -s "$ARTIFACTS/$n.png" ] || fail "no screenshot $n.png"
done

# What the git CLI sees on main: the member as fixed and edited, in two commits.
id=$(tail -1 "$TMP/e2e.out")
[[ "$id" =~ ^[0-7][0-9A-HJKMNP-TV-Z]{25}$ ]] || fail "the walk named no record id: '$id'"
git -C "$R" show "main:data/030/member/${id:25:1}/$id.json" >"$TMP/member.json" 2>&1 ||
	fail "the member is on main: $(cat "$TMP/member.json")"
python3 - "$TMP/member.json" "$id" >"$TMP/member.out" 2>&1 <<'EOF' || fail "the member as written: $(tail -1 "$TMP/member.out")"
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
want = {"id": sys.argv[2], "type": "member", "full_name": "Hoàng Thị Thuỷ", "gender": "nu",
        "citizen_id": "002185004321", "occupation": "Giáo viên tiểu học"}
bad = {k: m.get(k) for k, v in want.items() if m.get(k) != v}
assert not bad, "on main: %s, expected: %s" % (bad, {k: want[k] for k in bad})
EOF
[ "$(git -C "$R" rev-list --count main)" = $((commits + 2)) ] ||
	fail "two commits, not $(($(git -C "$R" rev-list --count main) - commits)): $(git -C "$R" log --format=%s main)"
git -C "$R" log -2 --format=%s main >"$TMP/log"
printf 'edit member %s in 030 (web)\nadd member %s in 030 (web)\n' "$id" "$id" | cmp -s - "$TMP/log" ||
	fail "the two commits, said so: $(cat "$TMP/log")"
fsck_clean "$R"

kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" = 0 ] || fail "serve stops on SIGTERM with exit 0, not $rc"
# The clerk's sync (tests/e2e/sync.mjs), on a replica of a real hub: a member
# edited there and, differently, by the province on another replica that
# synced first. The page syncs, shows the conflict, keeps ours, syncs again.
. "$(dirname "$0")/hub.sh"   # after serve_start's trap: its cleanup is chained to it
member_fields 002080001234
M=$("$HOSO" -C "$R" add member --unit 030 "${MF[@]}" occupation=Thợ\ may 2>/dev/null) || fail "a member to share"
hub_start
hub_add_repo records "$R"
"$HOSO" clone "$(hub_url_for clerk-027 pw-027 records)" "$TMP/a" --unit 030 2>/dev/null || fail "clone a"
"$HOSO" clone "$(hub_url_for province province-pw records)" "$TMP/b" --unit 030 2>/dev/null || fail "clone b"
"$HOSO" -C "$TMP/b" edit "$M" "occupation=Nông dân (tỉnh sửa)" >/dev/null 2>&1 || fail "b's edit"
HOSO_PASSWORD=province-pw "$HOSO" -C "$TMP/b" sync >/dev/null 2>&1 || fail "b's sync"
"$HOSO" -C "$TMP/a" edit "$M" "occupation=Giáo viên (huyện sửa)" >/dev/null 2>&1 || fail "a's edit"

serve_start "$TMP/a" HOSO_PASSWORD=pw-027
TMPDIR="$TMP/tmp" timeout 180 node "$NODE_DIR/sync.mjs" "$url" "$TMP/a" "$(hub_repo records)" "$M" \
	"Giáo viên (huyện sửa)" "Nông dân (tỉnh sửa)" \
	"$ARTIFACTS/sync" >"$TMP/e2e.out" 2>"$TMP/e2e.err"
rc=$?
cat "$TMP/e2e.out"
grep -v -e 'Failed to connect to the bus' -e 'unexpected operator' "$TMP/e2e.err" >&2
[ "$rc" = 0 ] || fail "the sync walk exited $rc (screenshots: $ARTIFACTS/sync; the server said: $(cat "$TMP/serve.err"))"
# The hub has ours, and no conflict left open; the replica is the hub's.
HUBR=$(hub_repo records)
git -C "$HUBR" show "main:data/030/member/${M:25:1}/$M.json" | grep -q '"occupation": "Giáo viên (huyện sửa)"' ||
	fail "the hub has the value kept: $(git -C "$HUBR" show "main:data/030/member/${M:25:1}/$M.json" | grep occupation)"
[ -z "$(git -C "$HUBR" ls-tree -r --name-only main data | grep /conflict/)" ] || fail "a conflict is left open on the hub"
git -C "$HUBR" log --format=%s main | grep -q "^resolve $M occupation: take ours$" || fail "the settlement's commit reached the hub"
[ "$(git -C "$TMP/a" rev-parse main)" = "$(git -C "$HUBR" rev-parse main)" ] || fail "the replica is the hub's"
fsck_clean "$HUBR"
fsck_clean "$TMP/a"
kill -TERM "$pid"
wait "$pid" || fail "serve stops on SIGTERM with exit 0"
finish
