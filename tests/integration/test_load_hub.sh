#!/bin/bash
# Load through a real hub (lighttpd + git http-backend, Basic auth): eleven
# replicas, each of its own unit with its own clerk, loop add (and now and
# then edit) + 'hoso sync' at once for a bounded time. Then every replica
# syncs twice, one after the other, and:
#   - every record each replica wrote is on the hub, with its last edit;
#   - every replica's main is the hub's;
#   - no sync failed, except with "the hub kept moving: N pushes were
#     overtaken by other replicas" (exit 4, N > 1): its push lost the race to
#     other replicas' on every one of its N tries (each try fetches and merges
#     again; the work stays and goes with a later sync); a sync that went
#     through after overtaken pushes says "pushed at the Nth try". Both are
#     counted;
#   - git fsck --strict is clean on the hub and on every replica.
# Prints the throughput: syncs and records a second.
# LOAD_SECONDS=N changes the time the replicas work (default 40).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"

seconds=${LOAD_SECONDS:-40}
n=11
units=()
for k in $(seq "$n"); do units+=("$(printf '%03d' $((30 + k)))"); done
python3 - "${units[@]}" >"$TMP/units.json" <<'EOF'
import json, sys
print(json.dumps({"units": [{"code": u, "name": "Huyện thử %s" % u} for u in sys.argv[1:]]},
                 ensure_ascii=False))
EOF
"$HOSO" init "$TMP/seed.git" --province 02 --name "Tỉnh Hà Giang" --units "$TMP/units.json" >/dev/null 2>&1 ||
	{ echo "cannot make the seed repository" >&2; exit 1; }
for k in $(seq "$n"); do
	hub_add_user "clerk-${units[k - 1]}" "pw-$k" clerk "${units[k - 1]}"
done
hub_start
hub_add_repo records "$TMP/seed.git"
hubrepo=$(hub_repo records)
url=$(hub_repo_url records)
pids=()
for k in $(seq "$n"); do
	HOSO_USER="clerk-${units[k - 1]}" HOSO_PASSWORD="pw-$k" "$HOSO" clone "$url" "$TMP/r$k" \
		--unit "${units[k - 1]}" >/dev/null 2>"$TMP/clone$k" &
	pids+=($!)
done
for k in $(seq "$n"); do
	wait "${pids[k - 1]}" || fail "clone of replica $k: $(cat "$TMP/clone$k")"
done
[ "$failures" = 0 ] || finish

# replica K: add 1-3 records, edit one of its records now and then, sync;
# until the deadline. Logs: added ids, edits (id value), syncs (rc ms said).
replica() {
	local k=$1 deadline=$2 i=0 j id rc t0 t1 said
	export HOSO_USER="clerk-${units[k - 1]}" HOSO_PASSWORD="pw-$k"
	local d="$TMP/r$k" log="$TMP/log$k"
	: >"$log.ids"
	: >"$log.edits"
	: >"$log.syncs"
	while [ "${EPOCHREALTIME/./}" -lt "$deadline" ]; do
		i=$((i + 1))
		for j in $(seq $((RANDOM % 3 + 1))); do
			if id=$("$HOSO" -C "$d" add organization "name=Tải $k-$i-$j" level=to_dang 2>>"$log.errors"); then
				echo "$id" >>"$log.ids"
			else
				echo "add $i-$j failed" >>"$log.errors"
			fi
		done
		if [ $((RANDOM % 3)) = 0 ] && [ -s "$log.ids" ]; then
			id=$(shuf -n 1 "$log.ids")
			if "$HOSO" -C "$d" edit "$id" "name=Sửa $k-$i" >/dev/null 2>>"$log.errors"; then
				echo "$id Sửa $k-$i" >>"$log.edits"
			else
				echo "edit $i of $id failed" >>"$log.errors"
			fi
		fi
		t0=${EPOCHREALTIME/./}
		"$HOSO" -C "$d" sync >/dev/null 2>"$log.said"
		rc=$?
		t1=${EPOCHREALTIME/./}
		said=$(grep -E '^hoso: (synced|error)' "$log.said" | head -1)
		echo "$rc $(((t1 - t0) / 1000)) $said" >>"$log.syncs"
		[ "$rc" = 0 ] || cat "$log.said" >>"$log.errors"
	done
}

echo "load: $n replicas for $seconds s"
t_start=${EPOCHREALTIME/./}
deadline=$((t_start + seconds * 1000000))
pids=()
for k in $(seq "$n"); do
	replica "$k" "$deadline" &
	pids+=($!)
done
wait "${pids[@]}"
t_end=${EPOCHREALTIME/./}

# Every replica syncs twice, one after the other.
for pass in 1 2; do
	for k in $(seq "$n"); do
		HOSO_USER="clerk-${units[k - 1]}" HOSO_PASSWORD="pw-$k" run -C "$TMP/r$k" sync
		expect_rc 0 "final sync $pass of replica $k"
	done
done

# The syncs and writes during the run.
ok=0 raced=0 retried=0 bad=0 adds=0 edits=0
for k in $(seq "$n"); do
	log="$TMP/log$k"
	adds=$((adds + $(wc -l <"$log.ids")))
	edits=$((edits + $(wc -l <"$log.edits")))
	if grep -q -E '^(add|edit) .* failed$' "$log.errors" 2>/dev/null; then
		fail "replica $k: $(grep -c -E '^(add|edit) .* failed$' "$log.errors") writes failed: $(grep -m3 -E 'failed$|error' "$log.errors")"
	fi
	while read -r rc ms said; do
		if [ "$rc" = 0 ]; then
			ok=$((ok + 1))
			[[ $said == *"pushed at the "* ]] && retried=$((retried + 1))
		elif [ "$rc" = 4 ] && [[ $said =~ ^"hoso: error: the hub kept moving: "([0-9]+)" pushes were overtaken" ]] &&
			[ "${BASH_REMATCH[1]}" -gt 1 ]; then
			raced=$((raced + 1))
		else
			bad=$((bad + 1))
			fail "replica $k: a sync failed (exit $rc, $ms ms): $said"
		fi
	done <"$log.syncs"
done

# On the hub, with the git CLI: every record written, with its last edit.
hubtree=$(git -C "$hubrepo" rev-parse 'main^{tree}')
git -C "$hubrepo" ls-tree -r --name-only main -- data >"$TMP/hub-paths"
for k in $(seq "$n"); do
	u=${units[k - 1]}
	sed -n "s|^data/$u/organization/./\\(.*\\)\\.json$|\\1|p" "$TMP/hub-paths" | sort >"$TMP/hub-ids"
	sort "$TMP/log$k.ids" >"$TMP/ids"
	missing=$(comm -23 "$TMP/ids" "$TMP/hub-ids" | wc -l)
	[ "$missing" = 0 ] || fail "replica $k: $missing of its $(wc -l <"$TMP/ids") records are not on the hub"
	[ "$(wc -l <"$TMP/hub-ids")" = "$(wc -l <"$TMP/ids")" ] ||
		fail "unit $u: $(wc -l <"$TMP/hub-ids") records on the hub, replica $k wrote $(wc -l <"$TMP/ids")"
	# The last edit of each record.
	tac "$TMP/log$k.edits" | sort -u -k1,1 | while read -r id value; do
		git -C "$hubrepo" cat-file -p "main:data/$u/organization/${id:25:1}/$id.json" |
			grep -qF "\"name\": \"$value\"" || echo "record $id lacks its last edit '$value'"
	done >"$TMP/lost-edits"
	[ -s "$TMP/lost-edits" ] && fail "replica $k: $(head -3 "$TMP/lost-edits")"
	[ "$(git -C "$TMP/r$k" rev-parse 'main^{tree}')" = "$hubtree" ] || fail "replica $k does not have the hub's tree"
	[ "$(tip "$TMP/r$k")" = "$(tip "$hubrepo")" ] || fail "replica $k's main is not the hub's"
done
fsck_clean "$hubrepo"
for k in $(seq "$n"); do fsck_clean "$TMP/r$k"; done

ms=$(((t_end - t_start) / 1000))
echo "load: $ms ms, $((ok + raced + bad)) syncs: $ok went through ($retried after overtaken pushes), $raced gave up as the hub kept moving, $bad failed otherwise"
python3 -c "import sys; ms, syncs, adds, edits = map(int, sys.argv[1:]); s = ms / 1000
print('load: %.2f syncs/s, %.2f records/s added (%d), %.2f edits/s (%d)' % (syncs / s, adds / s, adds, edits / s, edits))" \
	"$ms" "$ok" "$adds" "$edits"
sort -n -k2 "$TMP"/log*.syncs | awk '$1 == 0 {a[++n] = $2} END {if (n) printf "load: a sync took %d ms (median), %d ms (90th percentile), %d ms (max)\n", a[int((n + 1) / 2)], a[int(n * 0.9 + 0.5)], a[n]}'
finish
