#!/bin/bash
# The verify step of packaging/ci's templates, taken from the YAML and run
# with bash as each runner runs it, against a local hub: GitLab's script in a
# detached clone of the pushed commit, the Actions step with the pushed branch
# checked out. A push to main, clean and into another unit; a new branch; a
# run on main with nothing new; GitLab's merge request base; a forced push.
. "$(dirname "$0")/lib.sh"
CI="$(dirname "$0")/../../packaging/ci"
zero=0000000000000000000000000000000000000000

# The shell of the verify step: the literal block of GitLab's `script:` item,
# and the `run: |` of the Actions step named "hoso verify", dedented.
cat >"$TMP/extract.py" <<'EOF'
import sys, textwrap
kind, path = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
ind = lambda l: len(l) - len(l.lstrip(" "))

def block(i):
    """The literal block whose '|' ends line i, and the line after it."""
    out, j = [], i + 1
    while j < len(lines) and (not lines[j].strip() or ind(lines[j]) > ind(lines[i])):
        out.append(lines[j])
        j += 1
    return textwrap.dedent("\n".join(out)).strip("\n") + "\n", j

def die(why):
    sys.exit("%s: %s" % (path, why))

if kind == "gitlab":
    keys = [i for i, l in enumerate(lines) if l.strip() == "script:"]
    if len(keys) != 1:
        die("not one 'script:'")
    item = next(i for i in range(keys[0] + 1, len(lines)) if lines[i].strip())
    if lines[item].strip() != "- |":
        die("'script:' does not start with a '- |' item")
    text, after = block(item)
    if after < len(lines) and ind(lines[after]) == ind(lines[item]) and lines[after].lstrip().startswith("-"):
        die("'script:' has more than its '- |' item")
else:
    steps = [i for i, l in enumerate(lines)
             if l.strip() in ('- name: hoso verify', '- name: "hoso verify"')]
    if len(steps) != 1:
        die("not one step named 'hoso verify'")
    i = steps[0] + 1
    step = []
    while i < len(lines) and (not lines[i].strip() or ind(lines[i]) > ind(lines[steps[0]])):
        step.append(i)
        i += 1
    if not any(lines[k].strip() == "shell: bash" for k in step):
        die("the step does not run in bash")
    run = [k for k in step if lines[k].strip() == "run: |"]
    if len(run) != 1:
        die("the step has no 'run: |'")
    text, _ = block(run[0])
if "hoso verify" not in text:
    die("the step does not run hoso verify")
sys.stdout.write(text)
EOF
for t in gitlab actions; do
	y=$CI/gitlab-ci.yml
	[ "$t" = actions ] && y=$CI/gitea-actions.yml
	python3 "$TMP/extract.py" "$t" "$y" >"$TMP/$t.sh" || { fail "the verify step of $y"; finish; }
	bash -n "$TMP/$t.sh" || fail "the verify step of $y is not valid bash"
done

# hoso on PATH, as the package installs it.
mkdir -p "$TMP/bin" && ln -s "$(realpath "$HOSO")" "$TMP/bin/hoso" || fail "hoso on PATH"
export PATH="$TMP/bin:$PATH"

# The hub: clerk-030 writes in 030, clerk-026 in 026. On main: m1 adds a
# member in 030 (clerk-030's push), m2 another (clerk-026's push). The branch
# side, from m2: s1 and s2 add members in 030. f is side forced to one commit
# over m2 with s2's tree, leaving s1 and s2 on no branch.
HUB="$TMP/hub.git"
make_repo "$HUB"
for a in "clerk-030 --role clerk --unit 030" "clerk-026 --role clerk --unit 026"; do
	HOSO_USER=admin "$HOSO" -C "$HUB" access set $a >/dev/null 2>&1 || fail "access set $a"
done
m0=$(tip "$HUB")
# add CITIZEN-ID CARD: a member in 030 on the hub's main; its path in
# $added, main's new tip in $new.
add() {
	local id
	member_fields "$1"
	id=$("$HOSO" -C "$HUB" add member --unit 030 "${MF[@]}" party_card_no="$2" 2>/dev/null) ||
		fail "add member $1"
	added="data/030/member/${id: -1}/$id.json"
	new=$(tip "$HUB")
}
add 002080001111 2001; m1=$new
add 002080002222 2002; m2=$new p_b=$added
add 002080003333 2003; s1=$new p_c=$added
add 002080004444 2004; s2=$new p_d=$added
f=$(git -C "$HUB" commit-tree -p "$m2" -m "side, again" "$s2^{tree}") || fail "commit-tree"
# at BRANCH COMMIT...: the hub's branches as a push left them.
at() {
	while [ $# -gt 1 ]; do
		git -C "$HUB" update-ref "refs/heads/$1" "$2" || fail "update-ref $1"
		shift 2
	done
}

# gitlab BRANCH BEFORE AFTER USER [MR-BASE]: the script in a fresh clone
# that fetched only BRANCH and checked out AFTER detached, as GitLab's runner
# does.
gitlab() {
	ck="$TMP/gl"
	rm -rf "$ck"
	git init -q "$ck" && git -C "$ck" remote add origin "$HUB" &&
		git -C "$ck" fetch -q origin "+refs/heads/$1:refs/remotes/origin/$1" &&
		git -C "$ck" checkout -q -f "$3" 2>/dev/null || fail "GitLab's checkout of $1"
	out=$(cd "$ck" && env -u CI_MERGE_REQUEST_DIFF_BASE_SHA CI_COMMIT_BEFORE_SHA="$2" CI_COMMIT_SHA="$3" \
		GITLAB_USER_LOGIN="$4" ${5:+CI_MERGE_REQUEST_DIFF_BASE_SHA="$5"} bash -eo pipefail "$TMP/gitlab.sh" 2>&1)
	rc=$? err=$out
}

# actions BRANCH BEFORE AFTER USER: the step in a fresh clone with every
# branch fetched and BRANCH checked out, as actions/checkout does with
# fetch-depth 0; rc is what the step wrote to GITHUB_OUTPUT.
actions() {
	ck="$TMP/ga"
	rm -rf "$ck"
	git init -q "$ck" && git -C "$ck" remote add origin "$HUB" &&
		git -C "$ck" fetch -q origin '+refs/heads/*:refs/remotes/origin/*' '+refs/tags/*:refs/tags/*' &&
		git -C "$ck" checkout -q -f -B "$1" "refs/remotes/origin/$1" || fail "the Actions checkout of $1"
	actions_again "$2" "$3" "$4"
}
actions_again() {
	: >"$TMP/github_output"
	out=$(cd "$ck" && env BEFORE="$1" AFTER="$2" ACTOR="$3" GITHUB_OUTPUT="$TMP/github_output" \
		bash -eo pipefail "$TMP/actions.sh" 2>&1)
	rc=$? err=$out
	[ "$rc" = 0 ] || fail "the Actions step itself exited $rc: $out"
	rc=$(sed -n 's/^rc=//p' "$TMP/github_output")
}

# report WHAT RANGE [PATH...]: verify-junit.xml parses, its suite names RANGE
# (from..to as 12 hex digits each, or just to), and exactly PATH... fail, each
# on the rule access.
report() {
	local what=$1
	shift
	python3 - "$ck/verify-junit.xml" "$@" <<'EOF' || fail "$what: the JUnit report ($out)"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = root.findall("testsuite")
assert len(suites) == 1 and suites[0].get("name").endswith(" " + sys.argv[2]), [s.get("name") for s in suites]
cases = root.findall("./testsuite/testcase")
assert cases and root.get("tests") == str(len(cases)), ET.tostring(root)[:500]
want = set(sys.argv[3:])
bad = {c.get("name"): c.findall("failure") + c.findall("error") for c in cases}
bad = {k: v for k, v in bad.items() if v}
assert set(bad) == want, bad
for p, fs in bad.items():
    assert any(f.get("type") == "access" and p in f.text for f in fs), [(f.get("type"), f.text) for f in fs]
EOF
}
range() { printf '%s..%s' "${1:0:12}" "${2:0:12}"; }
# push BRANCH BEFORE AFTER USER [MR-BASE]: the step of template $t.
push() { "$t" "$@"; }

for t in gitlab actions; do
	# A clerk pushes to main in their unit; then another writes there.
	at main "$m1"
	push main "$m0" "$m1" clerk-030
	expect_rc 0 "$t: a clean push to main"
	report "$t: a clean push to main" "$(range "$m0" "$m1")"
	at main "$m2"
	push main "$m1" "$m2" clerk-026
	expect_rc 1 "$t: a clerk of 026 pushes into 030"
	report "$t: a push into another unit" "$(range "$m1" "$m2")" "$p_b"

	# A new branch: from its merge base with main, as the pusher's.
	at side "$s2"
	push side $zero "$s2" clerk-026
	expect_rc 1 "$t: a new branch by a clerk of 026 into 030"
	report "$t: a new branch by the wrong clerk" "$(range "$m2" "$s2")" "$p_c" "$p_d"
	push side $zero "$s2" clerk-030
	expect_rc 0 "$t: a new branch by the clerk of 030"
	report "$t: a new branch by the right clerk" "$(range "$m2" "$s2")"

	# A run on main that brings nothing new: every file, not as the user's
	# (as clerk-026's, the 030 records and access.json would fail).
	push main $zero "$m2" clerk-026
	expect_rc 0 "$t: a run on main with nothing new"
	report "$t: a run on main with nothing new" "${m2:0:12}"
	grep -q "tests=\"$(git -C "$HUB" ls-tree -r "$m2" | wc -l)\"" "$ck/verify-junit.xml" ||
		fail "$t: a run on main checks every file at main"
	if [ $t = actions ]; then
		actions_again "" "$m2" clerk-026
		expect_rc 0 "actions: a run on main with no before-SHA at all"
		report "actions: no before-SHA" "${m2:0:12}"
	fi

	# GitLab's merge request pipeline: from the merge request's base.
	if [ $t = gitlab ]; then
		gitlab side $zero "$s2" clerk-026 "$s1"
		expect_rc 1 "gitlab: a merge request"
		report "gitlab: a merge request from its base" "$(range "$s1" "$s2")" "$p_d"
	fi

	# A forced push: the before-SHA is on no branch the clone fetched, and
	# counts as zeros (verify would exit 2 on it).
	at side "$f"
	push side "$s2" "$f" clerk-026
	! git -C "$ck" cat-file -e "$s2^{commit}" 2>/dev/null || fail "$t: the clone has the forced-out commit"
	expect_rc 1 "$t: a forced push by a clerk of 026 into 030"
	report "$t: a forced push" "$(range "$m2" "$f")" "$p_c" "$p_d"
	push side "$s2" "$f" clerk-030
	expect_rc 0 "$t: a forced push by the clerk of 030"
	at side "$s2"
done
finish
