#!/bin/bash
# One writer at a time: parallel writers all land; a killed writer's lock and
# leftovers are recovered by the next command.
. "$(dirname "$0")/lib.sh"
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
finish
