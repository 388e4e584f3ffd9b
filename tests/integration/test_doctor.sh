#!/bin/bash
# hoso doctor on replicas of a real hub (lighttpd + git http-backend on
# 127.0.0.1): a healthy replica, a commit waiting, the hub ahead, the hub
# down (a closed port) and hung, a pinned plugin missing or altered, a blob
# of main deleted, a conflict open, no git identity, a user who may not
# write the unit, a closed or unknown unit, a sync stopped mid-way or
# running, the province's repository, no repository at all, --json.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"
: "${HOSO_TEST_PLUGIN_DIR:?the directory of the fixture plugins}"
export HOSO_PLUGIN_DIR="$TMP/plugins"
H() { "$HOSO" "$@"; }

make_repo "$TMP/seed.git"
hub_start
hub_add_repo records "$TMP/seed.git"
hubrepo=$(hub_repo records)
url=$(hub_repo_url records)
A="$TMP/a"
origin_a="${url/http:\/\//http://clerk-026@}"
export HOSO_PASSWORD=pw-026
H clone "$origin_a" "$A" --unit 026 2>/dev/null || fail "clone a"

# The checks doctor printed, in order: "STATUS CHECK ..." (hint lines left out).
checks() {
	printf '%s\n' "$out" | awk '!/^hint: / { printf "%s %s ", $1, $2 }'
}

ALL_OK="ok repository ok unit ok identity ok hub ok plugins ok waiting ok conflicts ok sync "

# expect_line STATUS CHECK TEXT WHAT: a line "STATUS CHECK …TEXT…".
expect_line() {
	printf '%s\n' "$out" | grep -E "^$1 +$2 " | grep -qF -- "$3" ||
		fail "$4: no line '$1 $2 …$3…' in:"$'\n'"$out"
}

# expect_hint CHECK TEXT WHAT: the line after CHECK's warning or problem is a hint with TEXT.
expect_hint() {
	printf '%s\n' "$out" | grep -A1 -E "^(warning|problem) +$1 " | grep -E '^hint: ' |
		grep -qF -- "$2" || fail "$3: no hint with '$2' after the $1 line in:"$'\n'"$out"
}

# expect_only CHECK...: every other check of the last run is ok.
expect_only() {
	local c st
	for c in repository unit identity hub plugins waiting conflicts sync; do
		[[ " $* " == *" $c "* ]] && continue
		st=$(printf '%s\n' "$out" | awk -v c="$c" '$2 == c && !/^hint: / { print $1 }' | sort -u | tr '\n' ' ')
		[ "$st" = "ok " ] || fail "only $* should be wrong, but $c is '$st' in:"$'\n'"$out"
	done
}

# A healthy replica: every check ok, exit 0, nothing on stderr.
run -C "$A" doctor
expect_rc 0 "a healthy replica"
[ "$(checks)" = "$ALL_OK" ] || fail "a healthy replica: every check is ok, in order: $(checks)"$'\n'"$out"
[ -z "$err" ] || fail "a healthy replica: nothing on stderr: $err"
printf '%s\n' "$out" | grep -q '^hint: ' && fail "a healthy replica: no hint: $out"
expect_line ok repository "1 record;" "the records are counted"
expect_line ok repository "hoso.json, access.json and" "the configuration is said to load"
expect_line ok unit "026 Huyện Đồng Văn" "the replica's unit"
expect_line ok identity "'Thư ký Thử' <clerk@example.invalid>" "who commits"
expect_line ok identity "the hub sees 'clerk-026', who may write unit 026 (clerk)" "who the hub sees"
expect_line ok hub "'$origin_a' answered in" "the hub is named"
expect_line ok hub "has fetched all it has" "nothing new on the hub"
text=$out

# --json: one object that python3 parses, saying what the text said.
run -C "$A" doctor --json
expect_rc 0 "--json on a healthy replica"
printf '%s' "$out" | python3 -c '
import json, re, sys
doc = json.load(sys.stdin)
text = sys.argv[1].splitlines()
assert set(doc) == {"checks", "ok"} and doc["ok"] is True, doc
names = [c["check"] for c in doc["checks"]]
assert names == ["repository", "unit", "identity", "hub", "plugins", "waiting", "conflicts", "sync"], names
for c, line in zip(doc["checks"], text):
    assert set(c) == {"check", "status", "message", "hint"}, c
    assert c["status"] == "ok" and c["hint"] is None, c
    status, check, message = re.split(r" +", line, maxsplit=2)
    t = lambda s: re.sub(r"answered in [0-9.]+ s", "answered", s)
    assert (status, check, t(message)) == (c["status"], c["check"], t(c["message"])), (line, c)
' "$text" || fail "--json matches the text: $out"

# A commit waiting: a warning naming hoso sync; still exit 0.
H -C "$A" add organization "name=Chi bộ chờ" level=to_dang >/dev/null 2>&1 || fail "add"
run -C "$A" doctor
expect_rc 0 "a commit waiting is a warning"
expect_line warning waiting "1 commit on main is not on the hub yet" "the waiting commit is counted"
expect_hint waiting "hoso sync" "the hint says to sync"
expect_only waiting
run -C "$A" doctor --json
printf '%s' "$out" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
w = [c for c in doc["checks"] if c["check"] == "waiting"]
assert doc["ok"] is True and len(w) == 1 and w[0]["status"] == "warning", doc
assert "hoso sync" in w[0]["hint"] and "1 commit" in w[0]["message"], w' || fail "--json: the warning: $out"
H -C "$A" sync 2>/dev/null || fail "sync a"

# The hub moved on: doctor says so (it reads the hub's refs, fetches nothing).
HOSO_USER=admin H -C "$hubrepo" add organization --unit 030 "name=Chi bộ tỉnh" level=to_dang >/dev/null 2>&1 ||
	fail "a commit on the hub"
before=$(git -C "$A" rev-parse refs/remotes/origin/main)
run -C "$A" doctor
expect_rc 0 "the hub ahead is a warning"
expect_line warning hub "has commits this replica has not fetched" "the hub's news"
expect_hint hub "hoso sync" "the hint says to sync"
expect_only hub
[ "$(git -C "$A" rev-parse refs/remotes/origin/main)" = "$before" ] || fail "doctor fetched"
H -C "$A" sync 2>/dev/null || fail "sync a after the hub moved"

# The hub down (a closed port on 127.0.0.1): exit 3, the URL named, work kept.
H -C "$A" add organization "name=Chi bộ ngoại tuyến" level=to_dang >/dev/null 2>&1 || fail "add offline"
closed=$(hub_closed_url records)
closed=${closed/http:\/\//http://clerk-026@}
git -C "$A" remote set-url origin "$closed"
run -C "$A" doctor
expect_rc 3 "the hub down"
expect_line problem hub "cannot reach '$closed': " "the unreachable hub is named"
expect_hint hub "hoso sync" "the hint names hoso sync"
expect_hint hub "kept" "the hint says the work is kept"
expect_line warning waiting "1 commit on main is not on the hub yet" "the waiting commit, offline"
expect_only hub waiting
run -C "$A" doctor --json
expect_rc 3 "--json, the hub down"
printf '%s' "$out" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
h = [c for c in doc["checks"] if c["check"] == "hub"]
assert doc["ok"] is False and len(h) == 1 and h[0]["status"] == "problem", doc
assert sys.argv[1] in h[0]["message"] and "hoso sync" in h[0]["hint"], h' "$closed" || fail "--json: the hub down: $out"
git -C "$A" remote set-url origin "$origin_a"

# The hub refuses the password: a problem (exit 1, not 3: the hub answered).
HOSO_PASSWORD=wrong run -C "$A" doctor
expect_rc 1 "a wrong password"
expect_line problem hub "refused the user or password" "says why"
expect_hint hub "HOSO_PASSWORD" "the hint names the password"

# The hub hung: --timeout bounds the wait, exit 3.
hub_pause
t0=${EPOCHREALTIME/./}
# (A doctor that ignored the deadline would hang: the test's own gives up at 20 s.)
out=$(timeout 20 "$HOSO" -C "$A" doctor --timeout 1 2>"$TMP/stderr")
rc=$?
err=$(cat "$TMP/stderr")
t1=${EPOCHREALTIME/./}
hub_resume
expect_rc 3 "the hub hung"
expect_line problem hub "did not answer within 1 s" "the deadline is said"
ms=$(((t1 - t0) / 1000))
[ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ] || fail "--timeout 1 took $ms ms"
run -C "$A" doctor --timeout soon
expect_rc 2 "--timeout takes seconds"
run -C "$A" doctor now
expect_rc 2 "doctor takes no arguments"
H -C "$A" sync 2>/dev/null || fail "sync a after the hang"

# A pinned plugin missing: exit 1, and the hint is the command that installs it.
mkdir -p "$HUB_DIR/www"
cp "$HOSO_TEST_PLUGIN_DIR/good.so" "$HUB_DIR/www/good.so"
plugin_url="http://127.0.0.1:$HUB_PORT/good.so"
HOSO_USER=admin HOSO_PLUGIN_DIR="$TMP/admin-plugins" H -C "$hubrepo" plugin install "$plugin_url" >/dev/null 2>&1 ||
	fail "the admin pins a plugin"
H -C "$A" sync 2>/dev/null || fail "sync a, which installs the pinned plugin"
run -C "$A" doctor
expect_rc 0 "the pinned plugin installed"
expect_line ok plugins "hoso.json pins 1, installed here" "the pin is counted"
rm "$TMP/plugins/good.so"
run -C "$A" doctor
expect_rc 1 "a pinned plugin missing"
expect_line problem plugins "plugin 'good' 1.0.0 is pinned in hoso.json but not installed here" "the plugin is named"
expect_hint plugins "hoso plugin install $plugin_url" "the hint installs it"
expect_only plugins
hint=$(printf '%s\n' "$out" | grep -A1 -E '^problem +plugins ' | sed -n 's/^hint: .*: hoso /hoso /p')
read -ra cmd <<<"${hint#hoso }"
H -C "$A" "${cmd[@]}" >/dev/null 2>&1 || fail "the hint's command runs: $hint"
run -C "$A" doctor
expect_rc 0 "the hint's command mends it"
expect_line ok plugins "hoso.json pins 1" "the plugin is back"
printf 'x' >>"$TMP/plugins/good.so"
run -C "$A" doctor
expect_rc 1 "a pinned plugin altered"
expect_line problem plugins "the file here is refused" "the altered file is refused"
expect_hint plugins "hoso plugin install $plugin_url" "the hint installs it again"
H -C "$A" plugin install "$plugin_url" >/dev/null 2>&1 || fail "reinstall the plugin"

# A blob of main deleted from .git/objects: exit 1, the repository's problem.
id=$(H -C "$A" add organization "name=Chi bộ mất" level=to_dang 2>/dev/null)
path=$(git -C "$A" ls-tree -r --name-only main | grep "/$id.json$")
blob=$(git -C "$A" rev-parse "main:$path")
loose="$A/objects/${blob:0:2}/${blob:2}"
[ -f "$loose" ] || fail "the new record's blob is a loose object"
mv "$loose" "$TMP/saved-blob"
run -C "$A" doctor
expect_rc 1 "a blob of main missing"
expect_line problem repository "1 object that main's tree reaches is missing" "the missing object is counted"
expect_line problem repository "$path (${blob:0:12})" "the missing object is named"
expect_hint repository "hoso clone '$origin_a'" "the hint makes a new replica"
mv "$TMP/saved-blob" "$loose"
run -C "$A" doctor
expect_rc 0 "the blob back"
records=$(git -C "$A" ls-tree -r --name-only main -- data | wc -l)
expect_line ok repository "$records records;" "the records are counted again"
H -C "$A" sync 2>/dev/null || fail "sync a after the blob"

# A conflict open: a second replica of 026 edits the same field.
A2="$TMP/a2"
H clone "$origin_a" "$A2" --unit 026 2>/dev/null || fail "clone a2"
H -C "$A" edit "$id" "name=Tên của A" 2>/dev/null || fail "edit in a"
H -C "$A2" edit "$id" "name=Tên của A2" 2>/dev/null || fail "edit in a2"
H -C "$A" sync 2>/dev/null || fail "sync a with the edit"
H -C "$A2" sync 2>/dev/null || fail "sync a2 with the clashing edit"
run -C "$A2" doctor
expect_rc 0 "a conflict open is a warning"
expect_line warning conflicts "1 conflict is open (1 in unit 026)" "the conflict is counted"
expect_hint conflicts "hoso conflicts" "the hint lists them"
expect_hint conflicts "hoso resolve" "the hint settles them"
expect_only conflicts
# Settled as the hint says, the warning goes.
H -C "$A" sync 2>/dev/null || fail "sync a after the conflict"
H -C "$A" resolve "$id" name --take ours >/dev/null 2>&1 || fail "resolve"
H -C "$A" sync 2>/dev/null || fail "sync a after resolving"
run -C "$A" doctor
expect_rc 0 "the conflict settled"
expect_line ok conflicts "no open conflicts" "no conflict is left"

# No user.name: a problem, and the hint is the git config command.
git config --global --unset user.name
run -C "$A" doctor
expect_rc 1 "no user.name"
expect_line problem identity "git config user.name is not set" "says who is missing"
expect_hint identity "git config --global user.name" "the hint sets it"
expect_only identity
# HOSO_USER names the user, but commits still need git's user.name.
HOSO_USER=clerk-026 run -C "$A" doctor
expect_rc 1 "HOSO_USER without user.name"
expect_line problem identity "user.name" "commits need an author"
expect_hint identity "git config --global user.name" "the hint sets it"
git config --global user.name "Thư ký Thử"

# A user the hub knows, who may not write this replica's unit.
B="$TMP/b"
H clone "$(hub_url_for clerk-027 pw-027 records)" "$B" --unit 026 2>/dev/null || fail "clone b"
HOSO_PASSWORD=pw-027 run -C "$B" doctor
expect_rc 1 "a user who may not write the unit"
expect_line problem identity "'clerk-027', who may not write unit 026 (access.json: clerk)" "says who and what"
expect_hint identity "hoso access set 'clerk-027' --role clerk --unit 026" "the admin's command"
expect_only identity

# A unit closed (valid_to past), and a unit hoso.json does not know.
printf '{"units": [{"code": "030", "name": "Huyện Vị Xuyên"}, {"code": "026", "name": "Huyện Đồng Văn", "valid_to": "2025-06-30"}]}\n' >"$TMP/closed-units.json"
H init "$TMP/closed.git" --province 02 --name "Tỉnh Hà Giang" --units "$TMP/closed-units.json" 2>/dev/null || fail "init closed"
H clone "$TMP/closed.git" "$TMP/c" --unit 026 2>/dev/null || fail "clone c"
run -C "$TMP/c" doctor
expect_rc 1 "a closed unit"
expect_line problem unit "unit '026' Huyện Đồng Văn was closed after 2025-06-30" "the closing is said"
expect_hint unit "hoso -C '$TMP/c' unit use CODE (open units: 02 030)" "the hint names the open units"
git -C "$TMP/c" config hoso.unit 099
run -C "$TMP/c" doctor
expect_rc 1 "an unknown unit"
expect_line problem unit "unit '099' of this replica (git config hoso.unit) is not in hoso.json" "the unknown unit"
# A hub on a local path names no user, nor does HOSO_USER: git's name stands
# in, and may not write: a warning naming who may.
git -C "$TMP/c" config hoso.unit 030
run -C "$TMP/c" doctor
expect_rc 0 "no user told"
expect_line warning identity "'Thư ký Thử' <clerk@example.invalid>, who may not write unit 030 (access.json: not listed), and the hub's URL names no user" "git's name judged"
expect_hint identity "export HOSO_USER=NAME (who may write unit 030: admin)" "the hint names who may"
# This repository pins no plugin: the one installed for the hub's does not run here.
expect_line warning plugins "plugin 'good' is installed but not pinned in hoso.json" "an unpinned plugin"
expect_hint plugins "hoso plugin remove good" "the hint removes it"
expect_only identity plugins
HOSO_USER=admin run -C "$TMP/c" doctor
expect_rc 0 "HOSO_USER told"
expect_line ok identity "the hub sees 'admin', who may write unit 030 (admin)" "HOSO_USER is who the hub sees"

# A sync stopped mid-way leaves its pid in the lock: a warning; the next sync clears it.
echo 999999 >"$A/hoso-sync.lock"
run -C "$A" doctor
expect_rc 0 "a sync stopped mid-way is a warning"
expect_line warning sync "a sync was stopped mid-way (pid 999999) and none is running now" "says so"
expect_hint sync "hoso sync" "the hint syncs"
expect_only sync
H -C "$A" sync 2>/dev/null || fail "sync after a stopped one"
run -C "$A" doctor
expect_line ok sync "no sync is running, and none was stopped mid-way" "the next sync cleared it"
# A sync running (its lock held): said, and not a problem.
python3 -c '
import fcntl, os, sys, time
f = open(sys.argv[1], "r+")
fcntl.flock(f, fcntl.LOCK_EX)
f.write("%d\n" % os.getpid()); f.flush()
print("held", flush=True)
time.sleep(30)' "$A/hoso-sync.lock" >"$TMP/held" &
holder=$!
for _ in $(seq 100); do [ -s "$TMP/held" ] && break; sleep 0.05; done
run -C "$A" doctor
kill "$holder"; wait "$holder" 2>/dev/null
expect_rc 0 "a sync running"
expect_line ok sync "a sync is running now (pid $holder)" "the running sync is said"

# The province's repository: no unit, no hub, and that is fine.
run -C "$hubrepo" doctor
expect_rc 0 "the province's repository"
expect_line ok unit "none: this is the province's repository" "no unit is not a problem"
expect_line ok hub "none: the province's repository is the hub" "no hub is not a problem"

# No repository at all: the repository's problem, exit 1, in text and JSON;
# -C names it even when GIT_DIR names another, as for every command.
mkdir -p "$TMP/empty"
GIT_DIR=$hubrepo run -C "$TMP/empty" doctor
expect_rc 1 "no repository"
expect_line problem repository "cannot open repository" "says it does not open"
expect_hint repository "hoso -C DIR doctor" "the hint names one"
[ "$(checks)" = "problem repository " ] || fail "no repository: only that line: $out"
run -C "$TMP/empty" doctor --json
expect_rc 1 "--json, no repository"
printf '%s' "$out" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert doc["ok"] is False and [c["check"] for c in doc["checks"]] == ["repository"], doc
assert doc["checks"][0]["status"] == "problem" and doc["checks"][0]["hint"], doc' ||
	fail "--json: no repository: $out"

fsck_clean "$A"
finish
