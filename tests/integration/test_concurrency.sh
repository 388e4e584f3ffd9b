#!/bin/bash
# One writer at a time: parallel writers all land; a killed writer's lock and
# leftovers are recovered by the next command; on a replica, adds, edits,
# imports and a sync running at once through a real hub all land.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"
R="$TMP/r.git"
make_repo "$R"
n=4 each=15
for w in $(seq $n); do
	(for i in $(seq $each); do
		"$HOSO" -C "$R" add organization --unit 030 "name=Chi bộ $w-$i" level=to_dang >/dev/null 2>>"$TMP/errors" ||
			echo "writer $w, write $i failed" >> "$TMP/errors"
	done) &
done
wait
[ -s "$TMP/errors" ] && fail "parallel writes failed: $(head -5 "$TMP/errors")"
got=$(git -C "$R" ls-tree -r --name-only main -- data/030/organization | wc -l)
[ "$got" = $((n * each + 1)) ] || fail "$got of $((n * each)) records (and the cell) landed"
[ "$(git -C "$R" rev-list --count main)" = $((n * each + 2)) ] || fail "one commit per write"
fsck_clean "$R"

# A writer killed mid-write leaves its pid in hoso.lock, a ref lock and temp files.
echo 999999 > "$R/hoso.lock"
git -C "$R" rev-parse main > "$R/refs/heads/main.lock"
touch "$R/objects/tmp_object_git2_AbCdEf" "$R/objects/pack/pack_git2_XyZ" "$R/objects/pack/tmp_hoso_1_2.pack"
run -C "$R" add organization --unit 030 "name=Sau sự cố" level=to_dang
expect_rc 0 "a write after a killed writer"
[ -e "$R/refs/heads/main.lock" ] && fail "stale ref lock left"
[ -n "$(find "$R/objects" -name '*git2_*' -o -name 'tmp_hoso_*')" ] && fail "temp files left"
[ -s "$R/hoso.lock" ] && fail "hoso.lock still names a writer"
fsck_clean "$R"

# An import killed at several moments: all of it or none of it, and the next
# command works with no manual cleanup.
python3 -c '
import json
for i in range(4000):
    print(json.dumps({"name": "Tổ đảng số %d" % i, "level": "to_dang"}, ensure_ascii=False))' > "$TMP/big.jsonl"
for delay in 0.05 0.2 0.4 0.8; do
	before=$(git -C "$R" ls-tree -r --name-only main -- data/026 | wc -l)
	"$HOSO" -C "$R" import organization "$TMP/big.jsonl" --unit 026 >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	after=$(git -C "$R" ls-tree -r --name-only main -- data/026 | wc -l)
	[ $((after - before)) = 0 ] || [ $((after - before)) = 4000 ] ||
		fail "killed import after ${delay}s left $((after - before)) records"
	fsck_clean "$R" --no-dangling
	run -C "$R" add organization --unit 030 "name=Sau lần ngắt $delay" level=to_dang
	expect_rc 0 "a write after an import killed at ${delay}s"
done
fsck_clean "$R" --no-dangling

# A replica written to by several processes at once: two adders, an editor,
# an importer (two imports of 300 rows: packs) and a syncer, while another
# replica pushes to the hub (so the syncs have merges to make). Every command
# must succeed, and every record land, locally and on the hub.
make_repo "$TMP/seed.git"
hub_start
hub_add_repo records "$TMP/seed.git"
hubrepo=$(hub_repo records)
HOSO_USER=clerk-026 HOSO_PASSWORD=pw-026 run clone "$(hub_repo_url records)" "$TMP/a" --unit 026
expect_rc 0 "clone of a"
HOSO_USER=clerk-027 HOSO_PASSWORD=pw-027 run clone "$(hub_repo_url records)" "$TMP/b" --unit 030
expect_rc 0 "clone of b"
[ -d "$TMP/a" ] && [ -d "$TMP/b" ] || finish
A() { HOSO_USER=clerk-026 HOSO_PASSWORD=pw-026 "$HOSO" -C "$TMP/a" "$@"; }
B() { HOSO_USER=clerk-027 HOSO_PASSWORD=pw-027 "$HOSO" -C "$TMP/b" "$@"; }
# Records the editor will edit, made beforehand.
for i in 1 2 3 4; do
	A add organization "name=Sửa $i-0" level=to_dang >>"$TMP/edited" 2>>"$TMP/errors" ||
		echo "the editor's record $i could not be made" >>"$TMP/errors"
done
for r in 1 2; do
	python3 -c '
import json, sys
for i in range(300):
    print(json.dumps({"name": "Nhập %s-%d" % (sys.argv[1], i), "level": "to_dang"}, ensure_ascii=False))' "$r" >"$TMP/rows-$r.jsonl"
done
before=$(git -C "$TMP/a" ls-tree -r --name-only main -- data/026/organization | wc -l)
: >"$TMP/errors"
adds=20 edits=10 syncs=5
pids=()
for w in 1 2; do
	(for i in $(seq $adds); do
		A add organization "name=Thêm $w-$i" level=to_dang >>"$TMP/added-$w" 2>>"$TMP/errors" ||
			echo "adder $w, add $i failed" >>"$TMP/errors"
	done) &
	pids+=($!)
done
(for i in $(seq $edits); do
	n=0
	while read -r id; do
		n=$((n + 1))
		A edit "$id" "name=Sửa $n-$i" >/dev/null 2>>"$TMP/errors" || echo "edit $i of $id failed" >>"$TMP/errors"
	done <"$TMP/edited"
done) &
pids+=($!)
(for r in 1 2; do
	A import organization "$TMP/rows-$r.jsonl" >/dev/null 2>>"$TMP/errors" || echo "import $r failed" >>"$TMP/errors"
done) &
pids+=($!)
(for i in $(seq $syncs); do
	A sync >/dev/null 2>>"$TMP/errors" || echo "a's sync $i failed" >>"$TMP/errors"
done) &
pids+=($!)
(for i in $(seq $syncs); do
	B add organization "name=Bên B $i" level=to_dang >/dev/null 2>>"$TMP/b-errors" &&
		B sync >/dev/null 2>>"$TMP/b-errors" || echo "b's round $i failed" >>"$TMP/b-errors"
done) &
pids+=($!)
wait "${pids[@]}"
grep -q "failed" "$TMP/errors" && fail "writers to one replica failed: $(head -20 "$TMP/errors")"
grep -q "failed" "$TMP/b-errors" 2>/dev/null && fail "the other replica failed: $(head -5 "$TMP/b-errors")"
A sync >/dev/null 2>"$TMP/last" || fail "a's last sync: $(cat "$TMP/last")"
B sync >/dev/null 2>"$TMP/last" || fail "b's last sync: $(cat "$TMP/last")"
# Checked with the git CLI, on the replica and on the hub.
for repo in "$TMP/a" "$hubrepo"; do
	git -C "$repo" ls-tree -r --name-only main -- data/026/organization | sed 's|.*/||; s|\.json$||' | sort >"$TMP/ids"
	got=$(wc -l <"$TMP/ids")
	want=$((before + 2 * adds + 600))
	[ "$got" = "$want" ] || fail "${repo##*/}: $got records in unit 026, expected $want"
	cat "$TMP/added-1" "$TMP/added-2" | sort >"$TMP/added"
	[ "$(wc -l <"$TMP/added")" = $((2 * adds)) ] || fail "the adders printed $(wc -l <"$TMP/added") ids"
	missing=$(comm -23 "$TMP/added" "$TMP/ids")
	[ -z "$missing" ] || fail "${repo##*/}: added records missing: $missing"
	n=$(git -C "$repo" grep -h '"name": "Nhập ' main -- data/026/organization | sort -u | wc -l)
	[ "$n" = 600 ] || fail "${repo##*/}: $n of 600 imported records"
	n=0
	while read -r id; do
		n=$((n + 1))
		git -C "$repo" grep -q "\"name\": \"Sửa $n-$edits\"" main -- "data/026/organization/${id:25:1}/$id.json" ||
			fail "${repo##*/}: record $id lacks its last edit"
	done <"$TMP/edited"
	n=$(git -C "$repo" grep -h '"name": "Bên B ' main -- data/030/organization | wc -l)
	[ "$n" = "$syncs" ] || fail "${repo##*/}: $n of b's $syncs records"
done
[ "$(git -C "$TMP/a" rev-parse 'main^{tree}')" = "$(git -C "$hubrepo" rev-parse 'main^{tree}')" ] ||
	fail "a does not converge with the hub"
fsck_clean "$TMP/a"
fsck_clean "$hubrepo"
finish
