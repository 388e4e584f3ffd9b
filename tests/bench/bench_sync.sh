#!/bin/bash
# The sync benchmark, run by hand (not in CI): 'hoso sync' beside the git CLI
# doing the same exchange through the same real hub (lighttpd + git
# http-backend on 127.0.0.1, see tests/integration/hub.sh). Prints a table.
#
#   tests/bench/bench_sync.sh [BUILD-DIR] [WORK-DIR]
#
# The hub serves two copies of the generated province: one for hoso, one for
# the git CLI, so that each side has its own history. On each:
#   - replica B (unit 027) has pushed 1,000 edited members of its unit;
#   - replica A (unit 026) holds 1,000 edited members of its own, not yet sent.
# Timed: 'hoso -C A sync' against 'git pull --no-rebase && git push' in a git
# working-tree clone GA holding the same 1,000 edits (the same file bytes:
# git commits the canonical files hoso wrote, and the trees are checked to be
# equal). A sync cannot be repeated on the same state, so the prepared state
# (both hub repositories, A and GA) is copied afresh for each of 3 rounds.
#
# Then one member edited on both sides in different fields: hoso merges it
# record by record; git's line merge merges it only when the two changed lines
# are not adjacent in the file (keys are sorted, one a line).
#
# WORK-DIR (default: a new temporary directory, removed at the end) is kept
# when given. The hub is stopped, by its pid, on exit.
set -u
# Times are taken from bash's $EPOCHREALTIME, in microseconds.
build=$(cd "${1:-build}" && pwd) || exit 2
hoso="$build/cli/hoso"
[ -x "$hoso" ] || { echo "no hoso program at $hoso" >&2; exit 2; }
if [ -n "${2:-}" ]; then
	work=$2
	mkdir -p "$work" || exit 2
	work=$(cd "$work" && pwd)
	trap ':' EXIT
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/hoso-bench-sync.XXXXXX") || exit 2
	trap 'rm -rf "$work"' EXIT
fi
rounds=3
edits=1000

export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C.UTF-8 GIT_MERGE_AUTOEDIT=no
mkdir -p "$HOME"
git config --global user.name "Bench Clerk"
git config --global user.email bench@example.invalid
git config --global init.defaultBranch main
git config --global gc.auto 0
git config --global pull.rebase false
git config --global advice.detachedHead false

die() {
	echo "bench_sync: $*" >&2
	exit 1
}

# The hub: hub.sh keeps its files in $TMP/hub and chains its own cleanup
# (stopping lighttpd by pid) before the EXIT trap set above.
# shellcheck disable=SC2034 # read by hub.sh
TMP=$work
# shellcheck source-path=SCRIPTDIR source=../integration/hub.sh
. "$(dirname "$0")/../integration/hub.sh"
# The access log also says how many bytes each request carried in and out.
eval "$(declare -f _hub_write_conf | sed '1s/_hub_write_conf/_hub_write_conf_plain/')"
_hub_write_conf() {
	_hub_write_conf_plain "$@"
	echo 'accesslog.format = "%u \"%r\" %>s in=%I out=%O"' >>"$HUB_DIR/lighttpd.conf"
}

ms() { echo $((($2 - $1) / 1000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { echo "${EPOCHREALTIME/./}"; }

echo "generating the province..." >&2
rm -rf "$work/demo"
"$hoso" demo "$work/demo" >/dev/null 2>&1 || die "hoso demo failed"
demo="$work/demo/province.git"
records=$("$hoso" -C "$demo" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])')

echo "starting the hub and cloning the replicas..." >&2
hub_start bench
hub_add_repo hoso "$demo"
hub_add_repo git "$demo"
hub_hoso=$(hub_repo hoso)
hub_git=$(hub_repo git)
url_a="http://clerk-026@127.0.0.1:$HUB_PORT/git/hoso.git"
url_b="http://clerk-027@127.0.0.1:$HUB_PORT/git/hoso.git"
start=$(git -C "$hub_hoso" rev-parse main)
[ "$start" = "$(git -C "$hub_git" rev-parse main)" ] || die "the two hub copies differ"

t0=$(now)
HOSO_PASSWORD=pw-026 "$hoso" clone "$url_a" "$work/A" --unit 026 2>/dev/null || die "hoso clone A"
t1=$(now)
clone_hoso=$(ms "$t0" "$t1")
HOSO_PASSWORD=pw-027 "$hoso" clone "$url_b" "$work/B" --unit 027 2>/dev/null || die "hoso clone B"
t0=$(now)
git clone -q "$(hub_url_for clerk-026 pw-026 git)" "$work/GA" || die "git clone GA"
t1=$(now)
clone_git=$(ms "$t0" "$t1")
git clone -q "$(hub_url_for clerk-027 pw-027 git)" "$work/GB" || die "git clone GB"
for r in A B; do
	[ "$(git -C "$work/$r" rev-parse main)" = "$start" ] || die "$r does not start at the hub's main"
	[ "$(git -C "$work/G$r" rev-parse HEAD)" = "$start" ] || die "G$r does not start at the hub's main"
done

# edit_unit REPLICA GIT-CLONE UNIT TAG: import $edits edited members of UNIT
# into the hoso replica (one commit), then commit the same files in the git
# clone and check that both trees are equal.
edit_unit() {
	local r=$1 g=$2 unit=$3 tag=$4
	"$hoso" -C "$r" list member --unit "$unit" | head -n "$edits" | cut -f1 |
		awk -v tag="$tag" '{ printf "{\"id\": \"%s\", \"occupation\": \"%s %d\"}\n", $1, tag, NR }' \
			>"$work/edits-$unit.jsonl"
	[ "$(wc -l <"$work/edits-$unit.jsonl")" = "$edits" ] || die "unit $unit has fewer than $edits members"
	"$hoso" -C "$r" import member "$work/edits-$unit.jsonl" --unit "$unit" --update 2>/dev/null ||
		die "import into $r"
	git -C "$r" diff-tree -r --name-only main~1 main >"$work/paths-$unit"
	[ "$(wc -l <"$work/paths-$unit")" = "$edits" ] || die "the import into $r changed $(wc -l <"$work/paths-$unit") files"
	# The canonical bytes hoso wrote, into git's working tree.
	xargs git -C "$r" archive main -- <"$work/paths-$unit" | tar -x -i -C "$g" || die "copying the files to $g"
	git -C "$g" commit -q -a -m "edit $edits members of $unit" || die "git commit in $g"
	[ "$(git -C "$g" rev-parse 'HEAD^{tree}')" = "$(git -C "$r" rev-parse 'main^{tree}')" ] ||
		die "$g and $r do not have the same tree"
}

# hoso_phases FILE: the phases printed by 'hoso sync' as "FETCH MERGE CHECKS PUSH" in ms,
# from "(fetch 0.13 s, merge and checks 0.52 s, push 0.64 s)" (CHECKS is then "-",
# counted in MERGE) or "(fetch 0.13 s, merge 0.50 s, checks 0.02 s, push 0.64 s)".
hoso_phases() {
	sed -n 's/.*(\(fetch [^)]*\)).*/\1/p' "$1" | tr ',' '\n' | awk '
		{ gsub(/^ +| s$/, ""); v = $NF * 1000 + 0.5; $NF = ""; gsub(/ +$/, "")
		  if ($0 == "fetch") f = v; else if ($0 == "push") p = v; else if ($0 == "checks") c = v
		  else if ($0 ~ /^merge/) m = v }
		END { if (f != "") printf "%d %d %s %d\n", f, m, c == "" ? "-" : sprintf("%d", c), p }'
}

# wire FROM REPO: what the requests for REPO logged by the hub since line FROM
# of its access log carried, as "REQUESTS FETCHED-BYTES PUSHED-BYTES" (the packs:
# the bodies of the upload-pack answers and of the receive-pack requests).
# lighttpd writes its log in batches: wait (5 s at most) for the push to be in it.
wire() {
	local i
	for i in $(seq 50); do
		tail -n "+$1" "$HUB_DIR/run/access.log" | grep -q "POST /git/$2.git/git-receive-pack" && break
		sleep 0.1
	done
	tail -n "+$1" "$HUB_DIR/run/access.log" | grep -F " /git/$2.git/" | awk '
		{ n++; for (i = 1; i <= NF; i++) { if ($i ~ /^in=/) inb = substr($i, 4); if ($i ~ /^out=/) outb = substr($i, 5) } }
		/POST [^ ]*git-upload-pack/ { f += outb }
		/POST [^ ]*git-receive-pack/ { p += inb }
		END { printf "%d %d %d\n", n, f, p }'
}
log_lines() { echo $(($(wc -l <"$HUB_DIR/run/access.log") + 1)); }

# git_pull_phases TRACE2-FILE: the 'fetch' and 'merge' children of the
# top-level 'git pull' (git runs both as child processes), as "FETCH MERGE" in ms.
git_pull_phases() {
	python3 - "$1" <<'EOF'
import json, sys
argv, took = {}, {}
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if "/" in e.get("sid", "/"):
        continue  # a child's own events
    if e["event"] == "child_start":
        argv[e["child_id"]] = e.get("argv", [])
    elif e["event"] == "child_exit":
        a = argv.get(e["child_id"], [])
        name = a[0] if a and a[0] != "git" else (a[1] if len(a) > 1 else "?")
        took[name] = took.get(name, 0) + e["t_rel"]
print(round(took.get("fetch", 0) * 1000), round(took.get("merge", 0) * 1000))
EOF
}

echo "replica B: $edits edited members of 027, sent to the hub..." >&2
edit_unit "$work/B" "$work/GB" 027 "Nông dân B"
sync
t0=$(now)
HOSO_PASSWORD=pw-027 "$hoso" -C "$work/B" sync 2>"$work/sync-b.txt" || die "hoso sync B: $(cat "$work/sync-b.txt")"
t1=$(now)
push_b_hoso=$(ms "$t0" "$t1")
sync
t0=$(now)
git -C "$work/GB" push -q origin main || die "git push GB"
t1=$(now)
push_b_git=$(ms "$t0" "$t1")
[ "$(git -C "$hub_hoso" rev-parse 'main^{tree}')" = "$(git -C "$hub_git" rev-parse 'main^{tree}')" ] ||
	die "the hub copies differ after B's push"

echo "replica A: $edits edited members of 026, kept..." >&2
edit_unit "$work/A" "$work/GA" 026 "Giáo viên A"

# The prepared state, copied afresh for each round.
mkdir -p "$work/prep"
for d in "$hub_hoso" "$hub_git" "$work/A" "$work/GA"; do
	cp -a "$d" "$work/prep/" || die "cannot keep $d"
done
restore() {
	rm -rf "$hub_hoso" "$hub_git" "$work/A" "$work/GA"
	if ! cp -a "$work/prep/hoso.git" "$hub_hoso" || ! cp -a "$work/prep/git.git" "$hub_git" ||
		! cp -a "$work/prep/A" "$work/A" || ! cp -a "$work/prep/GA" "$work/GA"; then
		die "cannot restore the prepared state"
	fi
}

: >"$work/hoso-rounds.txt"
: >"$work/git-rounds.txt"
for round in $(seq $rounds); do
	echo "round $round of $rounds..." >&2
	restore
	# cp -a gives every file a new inode and ctime: let git see its index is
	# still true before timing it, as it would be in a clerk's clone.
	git -C "$work/GA" update-index -q --refresh
	sync
	from=$(log_lines)
	t0=$(now)
	HOSO_PASSWORD=pw-026 "$hoso" -C "$work/A" sync 2>"$work/sync-a.txt"
	rc=$?
	t1=$(now)
	[ "$rc" = 0 ] || die "hoso sync A, round $round: $(cat "$work/sync-a.txt")"
	grep -q "1 commit from the hub, 2 sent, 0 records merged, 0 conflicts" "$work/sync-a.txt" ||
		echo "round $round: unexpected: $(cat "$work/sync-a.txt")" >&2
	phases=$(hoso_phases "$work/sync-a.txt")
	echo "$(ms "$t0" "$t1") ${phases:-- - - -}" >>"$work/hoso-rounds.txt"
	[ "$(git -C "$work/A" rev-parse main)" = "$(git -C "$hub_hoso" rev-parse main)" ] ||
		die "round $round: the hub does not have A's main"

	sync
	rm -f "$work/trace2.json"
	t0=$(now)
	GIT_TRACE2_EVENT="$work/trace2.json" git -C "$work/GA" pull --no-rebase -q >"$work/pull.txt" 2>&1 ||
		die "git pull GA, round $round: $(cat "$work/pull.txt")"
	t1=$(now)
	git -C "$work/GA" push -q origin main 2>"$work/push.txt" || die "git push GA, round $round: $(cat "$work/push.txt")"
	t2=$(now)
	echo "$(ms "$t0" "$t2") $(ms "$t0" "$t1") $(ms "$t1" "$t2") $(git_pull_phases "$work/trace2.json")" >>"$work/git-rounds.txt"
	wire "$from" hoso >"$work/hoso-wire.txt"
	wire "$from" git >"$work/git-wire.txt"
	[ "$(git -C "$work/GA" rev-parse HEAD)" = "$(git -C "$hub_git" rev-parse main)" ] ||
		die "round $round: the hub does not have GA's main"
done
# git's merge of the same two commits in memory, without a working tree.
merge_commit=$(git -C "$hub_git" rev-parse main)
: >"$work/merge-tree.txt"
for i in 1 2 3; do
	t0=$(now)
	git -C "$hub_git" merge-tree --write-tree "$merge_commit^1" "$merge_commit^2" >/dev/null ||
		die "git merge-tree"
	t1=$(now)
	echo $((t1 - t0)) >>"$work/merge-tree.txt"
done
merge_tree=$(median <"$work/merge-tree.txt")
same_tree=$([ "$(git -C "$hub_hoso" rev-parse 'main^{tree}')" = "$(git -C "$hub_git" rev-parse 'main^{tree}')" ] && echo yes || echo NO)
git -C "$hub_hoso" fsck --strict --no-progress >/dev/null 2>&1 && fsck=clean || fsck=FAILED

# The rounds whose total is the median: their phases add up to it.
median_row() { sort -n -k1,1 "$1" | sed -n "$(((rounds + 1) / 2))p"; }
read -r hoso_total hoso_fetch hoso_merge hoso_checks hoso_push <<<"$(median_row "$work/hoso-rounds.txt")"
read -r hoso_requests hoso_fetched hoso_pushed <"$work/hoso-wire.txt"
read -r git_requests git_fetched git_pushed <"$work/git-wire.txt"
read -r git_total _ git_push git_fetch git_merge <<<"$(median_row "$work/git-rounds.txt")"

# One member edited on both sides in different fields, twice: fields four
# lines apart in the file (occupation on B, residence on A) and fields on
# adjacent lines (religion on B, residence on A). Both hoso replicas and both
# git clones start from the last round's hub state.
echo "one record edited on both sides..." >&2
HOSO_PASSWORD=pw-027 "$hoso" -C "$work/B" sync 2>/dev/null || die "hoso sync B before the clash"
git -C "$work/GB" pull -q --no-rebase || die "git pull GB before the clash"
mapfile -t pick < <("$hoso" -C "$work/A" list member --unit 026 | sed -n "$((edits + 1)),$((edits + 2))p" | cut -f1)
far=${pick[0]}
near=${pick[1]}
path_of() { echo "data/026/member/${1:25:1}/$1.json"; }
field() { "$hoso" -C "$1" show "$2" --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], "-"))' "$3"; }
religion=$(field "$work/A" "$near" religion)
[ "$religion" = phat_giao ] && new_religion=khong || new_religion=phat_giao
# copy_edit REPLICA GIT-CLONE ID: the record as hoso wrote it, into the git clone.
copy_edit() { git -C "$1" show "main:$(path_of "$3")" >"$2/$(path_of "$3")"; }
"$hoso" -C "$work/B" edit "$far" "occupation=Bác sĩ (B)" 2>/dev/null || die "edit on B"
"$hoso" -C "$work/B" edit "$near" "religion=$new_religion" 2>/dev/null || die "edit on B"
copy_edit "$work/B" "$work/GB" "$far"
copy_edit "$work/B" "$work/GB" "$near"
git -C "$work/GB" commit -q -a -m "B: occupation, religion"
HOSO_PASSWORD=pw-027 "$hoso" -C "$work/B" sync 2>/dev/null || die "hoso sync B, clash"
git -C "$work/GB" push -q origin main || die "git push GB, clash"
"$hoso" -C "$work/A" edit "$far" "residence=thôn Lũng Cú (A)" 2>/dev/null || die "edit on A"
"$hoso" -C "$work/A" edit "$near" "residence=thôn Má Lé (A)" 2>/dev/null || die "edit on A"
copy_edit "$work/A" "$work/GA" "$far"
copy_edit "$work/A" "$work/GA" "$near"
git -C "$work/GA" commit -q -a -m "A: residence"
HOSO_PASSWORD=pw-026 "$hoso" -C "$work/A" sync 2>"$work/sync-clash.txt"
clash_rc=$?
git -C "$work/GA" pull --no-rebase >"$work/pull-clash.txt" 2>&1
pull_rc=$?

# outcome ID FIELD-B VALUE-B FIELD-A VALUE-A: what each side made of the record.
outcome() {
	local id=$1 fb=$2 vb=$3 fa=$4 va=$5 h g
	if [ "$clash_rc" = 0 ] && [ "$(field "$work/A" "$id" "$fb")" = "$vb" ] && [ "$(field "$work/A" "$id" "$fa")" = "$va" ]; then
		h="merged, both fields kept"
	else
		h="NOT merged (sync exit $clash_rc)"
	fi
	if grep -q "CONFLICT.*$id" "$work/pull-clash.txt"; then
		g="CONFLICT (exit $pull_rc)"
	elif grep -qF "\"$fb\": \"$vb\"" "$work/GA/$(path_of "$id")" && grep -qF "\"$fa\": \"$va\"" "$work/GA/$(path_of "$id")"; then
		g="merged, both lines kept"
	else
		g="merged, a line LOST"
	fi
	printf '| %-48s | %-28s | %-28s |\n' "$fb (B) + $fa (A), $6" "$h" "$g"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "-" }'; }
dashes() { printf -- '-%.0s' $(seq "$1"); }
line() { printf '|%s|%s|%s|%s|\n' "$(dashes 50)" "$(dashes 14)" "$(dashes 14)" "$(dashes 10)"; }
row() { printf '| %-48s | %9s ms | %9s ms | %8s |\n' "$1" "$2" "$3" "$4"; }
kib() { awk -v b="$1" 'BEGIN { printf "%.0f KiB", b / 1024 }'; }
if [ "$hoso_fetch" = - ]; then
	# A hoso that does not print its phases.
	merge_label="  merge and checks (hoso: record by record)"
	hoso_rest=-
elif [ "$hoso_checks" = - ]; then
	merge_label="  merge and checks (hoso: record by record)"
	hoso_rest=$((hoso_total - hoso_fetch - hoso_merge - hoso_push))
else
	merge_label="  merge (hoso: record by record)"
	hoso_rest=$((hoso_total - hoso_fetch - hoso_merge - hoso_checks - hoso_push))
fi
echo
echo "hoso sync benchmark: $records records in the province, through lighttpd + git http-backend on 127.0.0.1"
echo
printf '| %-48s | %12s | %12s | %8s |\n' "job" "hoso" "git CLI" "git/hoso"
line
row "A: sync, 1,000 edits each side (median of $rounds)" "$hoso_total" "$git_total" "$(ratio "$git_total" "$hoso_total")"
row "  fetch" "$hoso_fetch" "$git_fetch" "$(ratio "$git_fetch" "$hoso_fetch")"
row "$merge_label" "$hoso_merge" "$git_merge" "$(ratio "$git_merge" "$hoso_merge")"
[ "$hoso_checks" = - ] || row "  checks (schemas, rules)" "$hoso_checks" "-" "-"
printf '| %-48s | %12s | %9s ms | %8s |\n' "    git: the same merge in memory (merge-tree)" "-" \
	"$(awk -v v="$merge_tree" 'BEGIN { printf "%.1f", v / 1000 }')" "-"
row "  push" "$hoso_push" "$git_push" "$(ratio "$git_push" "$hoso_push")"
row "  the rest (start, open; pull's own work)" "$hoso_rest" "$((git_total - git_fetch - git_merge - git_push))" "-"
printf '| %-48s | %12s | %12s | %8s |\n' "  fetched from the hub (last round)" "$(kib "$hoso_fetched")" "$(kib "$git_fetched")" \
	"$(ratio "$git_fetched" "$hoso_fetched")"
printf '| %-48s | %12s | %12s | %8s |\n' "  pushed to the hub (last round)" "$(kib "$hoso_pushed")" "$(kib "$git_pushed")" \
	"$(ratio "$git_pushed" "$hoso_pushed")"
printf '| %-48s | %12s | %12s | %8s |\n' "  HTTP requests (last round)" "$hoso_requests" "$git_requests" "-"
row "B: send 1,000 edits, nothing to merge (one run)" "$push_b_hoso" "$push_b_git" "$(ratio "$push_b_git" "$push_b_hoso")"
row "clone over HTTP (one run; git also checks out)" "$clone_hoso" "$clone_git" "$(ratio "$clone_git" "$clone_hoso")"
echo
echo "git side: 'git pull --no-rebase && git push' in a working-tree clone; fetch and merge are the"
echo "child processes of 'git pull' (trace2). hoso side: 'hoso sync' on the bare replica, with the"
echo "phases it prints. Phases are those of the median round. git's merge includes writing the"
echo "1,000 files into its working tree; 'git merge-tree --write-tree' makes the same merged tree"
echo "without one. Bytes: the packs, from the hub's access log."
echo "merged trees: same as git's: $same_tree; hub after hoso: git fsck --strict: $fsck"
echo "all rounds, ms (total fetch merge checks push): hoso $(tr '\n' ',' <"$work/hoso-rounds.txt" | sed 's/,$//')"
echo "all rounds, ms (total pull push fetch merge):   git $(tr '\n' ',' <"$work/git-rounds.txt" | sed 's/,$//')"
echo "hoso said (last round): $(grep 'synced' "$work/sync-a.txt")"
echo
# apart ID F1 F2: how many lines lie between the lines of fields F1 and F2 in the record's file.
apart() {
	local f a b n
	f=$work/GB/$(path_of "$1")
	a=$(grep -n "^  \"$2\":" "$f" | cut -d: -f1)
	b=$(grep -n "^  \"$3\":" "$f" | cut -d: -f1)
	n=$((a > b ? a - b - 1 : b - a - 1))
	[ "$n" = 0 ] && echo "adjacent lines" || echo "$n lines between"
}
echo "one member edited on both sides, different fields:"
echo
printf '| %-48s | %-28s | %-28s |\n' "fields edited" "hoso sync" "git pull --no-rebase"
printf '|%s|%s|%s|\n' "$(dashes 50)" "$(dashes 30)" "$(dashes 30)"
outcome "$far" occupation "Bác sĩ (B)" residence "thôn Lũng Cú (A)" "$(apart "$far" occupation residence)"
outcome "$near" religion "$new_religion" residence "thôn Má Lé (A)" "$(apart "$near" religion residence)"
echo
echo "hoso said: $(grep -E 'synced|error' "$work/sync-clash.txt")"
echo "git said:"
grep -E 'CONFLICT|Auto-merging|Automatic merge' "$work/pull-clash.txt" | sed 's/^/  /'
git -C "$work/GA" merge --abort 2>/dev/null
[ -z "${2:-}" ] || echo "work directory kept: $work"
