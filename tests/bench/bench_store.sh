#!/bin/bash
# The record store's benchmark, run by hand (not in CI): hoso beside the git
# CLI doing the same job on the same data. Prints a table.
#
#   tests/bench/bench_store.sh [BUILD-DIR] [WORK-DIR]
#
# 1. import the generated province's members (one commit) vs 'git add -A &&
#    git commit' of the same canonical files already on disk;
# 2. a one-record edit as a fresh process on the whole province (~90k
#    records) vs 'git add FILE && git commit' in a working tree;
# 3. reading every member: 'hoso list member --json'.
set -eu
# Times are taken from bash's $EPOCHREALTIME, in microseconds, with no process of their own.
build=$(cd "${1:-build}" && pwd)
work=${2:-$(mktemp -d)}
hoso="$build/cli/hoso"
runs=21
mkdir -p "$work"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name "Bench Clerk"
git config --global user.email bench@example.invalid
git config --global init.defaultBranch main
git config --global gc.auto 0

ms() { echo $((($2 - $1) / 1000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "generating the province..." >&2
rm -rf "$work/demo"
"$hoso" demo "$work/demo" >/dev/null
demo="$work/demo/province.git"
records=$("$hoso" -C "$demo" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])')

# 1. Import. The rows: every member, as JSONL without the unit.
"$hoso" -C "$demo" list member --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    r.pop("unit"); print(json.dumps(r, ensure_ascii=False))' > "$work/members.jsonl"
members=$(wc -l < "$work/members.jsonl")
# The members' cells must be there first (the rules across records check it).
"$hoso" -C "$demo" list organization --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    r.pop("unit"); print(json.dumps(r, ensure_ascii=False))' > "$work/orgs.jsonl"
printf '{"units": [{"code": "030", "name": "Huyện Vị Xuyên"}]}\n' > "$work/units.json"
# Three rounds, hoso and git taking turns; each starts with the disk quiet
# (sync), since the last round's writeback would otherwise land on the next.
rounds=3
: > "$work/hoso-import.txt"
: > "$work/git-import.txt"
for round in $(seq $rounds); do
	rm -rf "$work/imp.git"
	"$hoso" init "$work/imp.git" --province 02 --name "Tỉnh Hà Giang" --units "$work/units.json" 2>/dev/null
	"$hoso" -C "$work/imp.git" import organization "$work/orgs.jsonl" --unit 030 2>/dev/null ||
		{ echo "the organizations did not import" >&2; exit 1; }
	sync
	t0=${EPOCHREALTIME/./}
	"$hoso" -C "$work/imp.git" import member "$work/members.jsonl" --unit 030 2>/dev/null ||
		{ echo "the members did not import" >&2; exit 1; }
	t1=${EPOCHREALTIME/./}
	ms "$t0" "$t1" >> "$work/hoso-import.txt"

	# The same canonical files on disk, committed by git.
	rm -rf "$work/gitimp"
	git clone -q "$work/imp.git" "$work/gitimp"
	rm -rf "$work/gitimp/.git"
	git -C "$work/gitimp" init -q
	git -C "$work/gitimp" add hoso.json access.json schemas data/030/organization
	git -C "$work/gitimp" commit -q -m init
	sync
	t0=${EPOCHREALTIME/./}
	git -C "$work/gitimp" add -A
	git -C "$work/gitimp" commit -q -m "import members"
	t1=${EPOCHREALTIME/./}
	ms "$t0" "$t1" >> "$work/git-import.txt"
done
hoso_import=$(median < "$work/hoso-import.txt")
git_import=$(median < "$work/git-import.txt")
packs=$(find "$work/imp.git/objects/pack" -name '*.pack' | wc -l)
loose=$(find "$work/imp.git/objects" -path '*/objects/??/*' -type f | wc -l)
git -C "$work/imp.git" fsck --strict --no-progress >/dev/null 2>&1 && fsck=clean || fsck=FAILED
same=$([ "$(git -C "$work/gitimp" rev-parse 'HEAD^{tree}')" = "$(git -C "$work/imp.git" rev-parse 'main^{tree}')" ] && echo yes || echo NO)
sync

# 2. One-record edits as fresh processes on the whole province.
id=$("$hoso" -C "$demo" list member --unit 030 | head -1 | cut -f1)
path="data/030/member/${id:25:1}/$id.json"
# The first write builds the field index the rules across records use: timed apart.
t0=${EPOCHREALTIME/./}
"$hoso" -C "$demo" edit "$id" "occupation=Nghề thử 0" 2>/dev/null
t1=${EPOCHREALTIME/./}
first_edit=$(ms "$t0" "$t1")
: > "$work/hoso-edit.txt"
for i in $(seq $runs); do
	t0=${EPOCHREALTIME/./}
	"$hoso" -C "$demo" edit "$id" "occupation=Nghề thử $i" 2>/dev/null
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0)) >> "$work/hoso-edit.txt"
done
rm -rf "$work/wt"
git clone -q "$demo" "$work/wt"
sync
: > "$work/git-edit.txt"
for i in $(seq $runs); do
	sed -i "s/\"occupation\": \"[^\"]*\"/\"occupation\": \"Git $i\"/" "$work/wt/$path"
	t0=${EPOCHREALTIME/./}
	git -C "$work/wt" add "$path"
	git -C "$work/wt" commit -q -m "edit $i"
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0)) >> "$work/git-edit.txt"
done
# The floor under every hoso command: process start and git_libgit2_init
# (which loads the system's CA bundle into mbedTLS), as 'hoso --version'.
: > "$work/floor.txt"
for i in $(seq $runs); do
	t0=${EPOCHREALTIME/./}
	"$hoso" --version > /dev/null
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0)) >> "$work/floor.txt"
done
floor=$(median < "$work/floor.txt")
hoso_edit=$(median < "$work/hoso-edit.txt")
git_edit=$(median < "$work/git-edit.txt")

# 3. Reading every member.
t0=${EPOCHREALTIME/./}
"$hoso" -C "$demo" list member --json > /dev/null
t1=${EPOCHREALTIME/./}
list_all=$(ms "$t0" "$t1")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f×", a / b }'; }
echo
echo "hoso record store benchmark: $records records in the province, $members members imported"
echo
printf '| %-48s | %12s | %12s | %8s |\n' "job" "hoso" "git CLI" "git/hoso"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' $(seq 50))" "$(printf -- '-%.0s' $(seq 14))" "$(printf -- '-%.0s' $(seq 14))" "$(printf -- '-%.0s' $(seq 10))"
printf '| %-48s | %9s ms | %9s ms | %8s |\n' "import $members members, one commit (median of $rounds)" "$hoso_import" "$git_import" "$(ratio "$git_import" "$hoso_import")"
msf() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }
printf '| %-48s | %9s ms | %9s ms | %8s |\n' "one-record edit, fresh process (median of $runs)" "$(msf "$hoso_edit")" "$(msf "$git_edit")" "$(ratio "$git_edit" "$hoso_edit")"
printf '| %-48s | %9s ms | %12s | %8s |\n' "  of which process start + libgit2 init" "$(msf "$floor")" "-" "-"
printf '| %-48s | %9s ms | %12s | %8s |\n' "first edit of a replica (builds the field index)" "$first_edit" "-" "-"
printf '| %-48s | %9s ms | %12s | %8s |\n' "list member --json (every member)" "$list_all" "-" "-"
echo
echo "import left $packs pack(s) and $loose loose object(s) (those of init); git fsck --strict: $fsck; same tree as git: $same"
echo "all runs (ms / µs): import hoso $(tr '\n' ' ' < "$work/hoso-import.txt")| git $(tr '\n' ' ' < "$work/git-import.txt")"
