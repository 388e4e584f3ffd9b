#!/bin/bash
# In a plain 'git clone' with a working tree (as in CI), hoso keeps the
# working tree and the index in step with what it commits.
. "$(dirname "$0")/lib.sh"
make_repo "$TMP/r.git"
git clone -q "$TMP/r.git" "$TMP/wt"
cd "$TMP/wt" || exit 1
run add organization --unit 030 "name=Chi bộ thôn Lùng Tám" level=chi_bo_truc_thuoc
expect_rc 0 "add in a working tree"
id=$out
f="data/030/organization/${id:25:1}/$id.json"
[ -f "$f" ] || fail "the file is in the working tree"
[ -z "$(git status --porcelain)" ] || fail "git status is clean after add: $(git status --porcelain)"
run edit "$id" sector=thon_ban
grep -q '"sector": "thon_ban"' "$f" || fail "the edit is in the working tree"
[ -z "$(git status --porcelain)" ] || fail "git status is clean after edit"
run rm "$id"
[ -e "$f" ] && fail "rm removed the file"
[ -z "$(git status --porcelain)" ] || fail "git status is clean after rm"
git fsck --strict --no-progress 2>&1 | grep -q . && fail "fsck"
finish
