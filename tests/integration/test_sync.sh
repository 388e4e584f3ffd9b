#!/bin/bash
# Sync through a hub on a local path: clone, exchange, merge record by
# record, conflicts and their resolution, an edit against a deletion, a move
# against an edit, and a hub that is gone (exit 3, nothing lost).
. "$(dirname "$0")/lib.sh"
make_repo "$TMP/hub.git"
H() { "$HOSO" "$@"; }

run clone "$TMP/hub.git" "$TMP/a" --unit 026
expect_rc 0 "clone"
[ "$(git -C "$TMP/a" config hoso.unit)" = 026 ] || fail "the replica knows its unit"
[ "$(git -C "$TMP/a" rev-parse --is-bare-repository)" = true ] || fail "a replica is bare"
run clone "$TMP/hub.git" "$TMP/x" --unit 099
expect_rc 1 "clone for an unknown unit"; expect_err "unit '099'" "unknown unit"
[ -e "$TMP/x" ] && fail "a refused clone left a directory"
H clone "$TMP/hub.git" "$TMP/b" --unit 030 2>/dev/null || fail "clone b"
# A hub given by a relative path is stored whole: the replica syncs from anywhere.
(cd "$TMP" && "$HOSO" clone hub.git rel --unit 026 2>/dev/null) || fail "clone by a relative path"
run -C "$TMP/rel" sync
expect_rc 0 "sync of a replica cloned by a relative path"
(cd "$TMP" && "$HOSO" clone nothere.git none --unit 026 2>"$TMP/stderr")
rc=$?; err=$(cat "$TMP/stderr")
expect_rc 2 "clone of a path with no hub"; expect_err "no hub at 'nothere.git'" "says so"

# Work on both sides, then both sync: both have everything, as has the hub.
ida=$(H -C "$TMP/a" add organization "name=Chi bộ A" level=chi_bo_truc_thuoc)
idb=$(H -C "$TMP/b" add organization "name=Chi bộ B" level=chi_bo_truc_thuoc)
run -C "$TMP/a" sync; expect_rc 0 "first sync"
run -C "$TMP/b" sync; expect_rc 0 "second sync (merges)"
run -C "$TMP/a" sync; expect_rc 0 "third sync"
for r in a b; do
	H -C "$TMP/$r" show "$ida" >/dev/null 2>&1 || fail "$r has A's record"
	H -C "$TMP/$r" show "$idb" >/dev/null 2>&1 || fail "$r has B's record"
done
[ "$(git -C "$TMP/a" rev-parse main)" = "$(git -C "$TMP/hub.git" rev-parse main)" ] || fail "a and the hub agree"
[ "$(git -C "$TMP/b" rev-parse 'main^{tree}')" = "$(git -C "$TMP/hub.git" rev-parse 'main^{tree}')" ] || fail "b has the hub's tree"

# Different fields of one record on each side: both kept, no conflict.
H -C "$TMP/a" edit "$ida" sector=thon_ban 2>/dev/null
H -C "$TMP/b" edit "$ida" founded_on=1999-09-02 2>/dev/null
H -C "$TMP/a" sync 2>/dev/null; H -C "$TMP/b" sync 2>/dev/null; H -C "$TMP/a" sync 2>/dev/null
for r in a b; do
	run -C "$TMP/$r" show "$ida"
	printf '%s' "$out" | grep -q '^sector: thon_ban$' || fail "$r kept a's field"
	printf '%s' "$out" | grep -q '^founded_on: 1999-09-02$' || fail "$r kept b's field"
done
run -C "$TMP/a" conflicts
[ -z "$out" ] || fail "different fields make no conflict: $out"

# The same field on both sides: the later edit wins, the other is kept in a conflict record.
H -C "$TMP/a" edit "$ida" "name=Tên của A" 2>/dev/null
sleep 1
H -C "$TMP/b" edit "$ida" "name=Tên của B" 2>/dev/null
H -C "$TMP/a" sync 2>/dev/null
run -C "$TMP/b" sync
expect_rc 0 "a sync with a clash"; expect_err "1 conflict" "the clash is reported"
H -C "$TMP/a" sync 2>/dev/null
for r in a b; do
	run -C "$TMP/$r" show "$ida"
	printf '%s' "$out" | grep -q '^name: Tên của B$' || fail "$r: the later edit wins: $out"
	run -C "$TMP/$r" conflicts --json
	printf '%s' "$out" | python3 -c '
import json, sys
c = json.load(sys.stdin)
assert len(c) == 1, c
assert c[0]["field"] == "name" and {c[0]["ours"], c[0]["theirs"]} == {"Tên của A", "Tên của B"}, c' ||
		fail "$r lists the conflict with both values: $out"
done
git -C "$TMP/hub.git" grep -q "Tên của A" main -- data || fail "the losing value is on the hub"
# Resolve: take the other value; the conflict record goes; it syncs.
run -C "$TMP/a" conflicts --json
side=$(printf '%s' "$out" | python3 -c 'import json,sys; c=json.load(sys.stdin)[0]; print("ours" if c["ours"]=="Tên của A" else "theirs")')
run -C "$TMP/a" resolve "$ida" name --take "$side"
expect_rc 0 "resolve"
run -C "$TMP/a" show "$ida"
printf '%s' "$out" | grep -q '^name: Tên của A$' || fail "resolve took the chosen value"
run -C "$TMP/a" conflicts --json
[ "$out" = "[]" ] || fail "resolve removed the conflict: $out"
H -C "$TMP/a" sync 2>/dev/null; H -C "$TMP/b" sync 2>/dev/null
run -C "$TMP/b" show "$ida"
printf '%s' "$out" | grep -q '^name: Tên của A$' || fail "the resolution reached b"

# An edit against a deletion: the edit stays, and a conflict says so.
H -C "$TMP/a" rm "$idb" 2>/dev/null
H -C "$TMP/b" edit "$idb" sector=xa 2>/dev/null
H -C "$TMP/a" sync 2>/dev/null; H -C "$TMP/b" sync 2>/dev/null; H -C "$TMP/a" sync 2>/dev/null
run -C "$TMP/a" show "$idb"
expect_rc 0 "the edited record survives its deletion"
printf '%s' "$out" | grep -q '^sector: xa$' || fail "with the edit"
run -C "$TMP/a" conflicts --json
printf '%s' "$out" | grep -q '"deleted":true' || fail "a conflict records the deletion: $out"

# Moved to another unit on one side, edited on the other: one record, moved, with the edit.
H -C "$TMP/a" edit "$ida" --unit 030 2>/dev/null
H -C "$TMP/b" edit "$ida" admin_unit=00715 2>/dev/null
H -C "$TMP/a" sync 2>/dev/null; H -C "$TMP/b" sync 2>/dev/null; H -C "$TMP/a" sync 2>/dev/null
n=$(git -C "$TMP/hub.git" ls-tree -r --name-only main -- data | grep -c "$ida")
[ "$n" = 1 ] || fail "one file for the moved record, not $n"
git -C "$TMP/hub.git" ls-tree -r --name-only main -- data/030 | grep -q "$ida" || fail "it is in its new unit"
git -C "$TMP/hub.git" show "main:data/030/organization/${ida:25:1}/$ida.json" | grep -q '"admin_unit": "00715"' ||
	fail "with the edit"

# Moved on one side, deleted on the other: a move is an edit, so the record
# stays in its new unit and a conflict records the deletion.
idm=$(H -C "$TMP/a" add organization "name=Tổ chuyển" level=to_dang)
H -C "$TMP/a" sync 2>/dev/null; H -C "$TMP/b" sync 2>/dev/null
H -C "$TMP/a" rm "$idm" 2>/dev/null
H -C "$TMP/b" edit "$idm" --unit 030 2>/dev/null
H -C "$TMP/a" sync 2>/dev/null; H -C "$TMP/b" sync 2>/dev/null; H -C "$TMP/a" sync 2>/dev/null
git -C "$TMP/hub.git" cat-file -e "main:data/030/organization/${idm:25:1}/$idm.json" ||
	fail "a record moved against a deletion stays in its new unit"
run -C "$TMP/a" conflicts --json
printf '%s' "$out" | python3 -c "
import json, sys
c = [x for x in json.load(sys.stdin) if x['record_id'] == '$idm']
assert len(c) == 1 and c[0]['deleted'] and c[0]['field'] == '', c" || fail "and a conflict records the deletion: $out"

# The hub gone: exit 3, the local commit kept and counted; the next sync sends it.
H -C "$TMP/b" add organization "name=Chi bộ ngoại tuyến" level=to_dang >/dev/null 2>&1
mv "$TMP/hub.git" "$TMP/hub.away"
run -C "$TMP/b" sync
expect_rc 3 "sync without the hub"
expect_err "1 commit waits to be sent" "the message counts the waiting commits"
mv "$TMP/hub.away" "$TMP/hub.git"
run -C "$TMP/b" status --json
printf '%s' "$out" | grep -q '"commits_to_send": 1' || fail "status counts the waiting commit: $out"
run -C "$TMP/b" sync
expect_rc 0 "the next sync"
git -C "$TMP/hub.git" grep -q "Chi bộ ngoại tuyến" main -- data || fail "the offline work reached the hub"

# Racing pushes to a local-path hub (libgit2 moves its branch without a
# check; hoso locks the hub and checks): nothing is lost.
for i in 1 2 3 4; do
	H -C "$TMP/a" add organization "name=Đua A$i" level=to_dang >/dev/null 2>&1
	H -C "$TMP/b" add organization "name=Đua B$i" level=to_dang >/dev/null 2>&1
	"$HOSO" -C "$TMP/a" sync >/dev/null 2>"$TMP/ra" & pa=$!
	"$HOSO" -C "$TMP/b" sync >/dev/null 2>"$TMP/rb" & pb=$!
	wait $pa || fail "racing sync a, round $i: $(cat "$TMP/ra")"
	wait $pb || fail "racing sync b, round $i: $(cat "$TMP/rb")"
done
H -C "$TMP/a" sync 2>/dev/null; H -C "$TMP/b" sync 2>/dev/null; H -C "$TMP/a" sync 2>/dev/null
for i in 1 2 3 4; do
	for s in A B; do
		git -C "$TMP/hub.git" grep -q "Đua $s$i" main -- data || fail "Đua $s$i is on the local hub"
	done
done

for r in hub.git a b; do fsck_clean "$TMP/$r"; done
finish
