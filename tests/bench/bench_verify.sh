#!/bin/bash
# 'hoso verify' beside ajv-cli, a general JSON Schema validator, on the
# generated province (run by hand, not in CI). Prints a table.
#
#   tests/bench/bench_verify.sh [BUILD-DIR] [WORK-DIR]
#
# - ajv-cli 5 (with ajv-formats) validates the member files only, extracted
#   to disk, against schemas/member.schema.json: one schema, nothing else;
# - 'hoso verify --all' checks every record of every type in the repository:
#   parsing, canonical form, schema, validators and the rules across records
#   (unique citizen ids and card numbers, references), and each file's path;
# - 'hoso verify --range' checks a commit that changes 1,000 members (one
#   field each), as CI and the hub's hook do after a push; ajv-cli on the
#   same 1,000 files gives the scale.
# Median of 3 each, with the largest resident size. Needs node and npm:
# ajv-cli is installed once under WORK-DIR/npm (kept when WORK-DIR is given).
set -eu
build=$(cd "${1:-build}" && pwd)
work=${2:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
hoso="$build/cli/hoso"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C.UTF-8
mkdir -p "$HOME"
git config --global user.name "Bench Clerk"
git config --global user.email bench@example.invalid
git config --global gc.auto 0
edits=1000

die() {
	echo "bench_verify: $*" >&2
	exit 1
}

"$hoso" verify --help >/dev/null 2>&1 || die "this hoso has no 'verify' command ($hoso)"
command -v npm >/dev/null || die "npm is needed for ajv-cli (apt-get install npm)"

echo "generating the province..." >&2
rm -rf "$work/demo" "$work/tree" "$work/changed"
"$hoso" demo "$work/demo" >/dev/null 2>&1 || die "hoso demo failed"
P="$work/demo/province.git"
records=$("$hoso" -C "$P" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])')
mkdir "$work/tree"
git -C "$P" archive main | tar -x -C "$work/tree"
members=$(find "$work/tree/data" -path '*/member/*.json' | wc -l)

# ajv-cli, once. Its strict mode stays on: the schema's own annotation
# keywords (x-label, ...) are declared to it, and every "format" it meets
# must be known (ajv-formats), so nothing in the schema is silently skipped.
ajv_bin="$work/npm/node_modules/.bin/ajv"
if [ ! -x "$ajv_bin" ]; then
	echo "installing ajv-cli under $work/npm..." >&2
	npm install --prefix "$work/npm" --no-audit --no-fund --silent ajv-cli@5 ajv-formats@3 >&2 ||
		die "cannot install ajv-cli"
fi
schema="$work/tree/schemas/member.schema.json"
# shellcheck disable=SC2016 # "$schema" is the JSON key
case $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["$schema"])' "$schema") in
*/draft/2020-12/*) spec=draft2020 ;;
*/draft/2019-09/*) spec=draft2019 ;;
*/draft-07/*) spec=draft7 ;;
*) die "$schema: a \$schema this bench does not know" ;;
esac
keywords=$(grep -o '"x-[A-Za-z0-9_-]*":' "$schema" | sort -u | sed 's/:$//' | paste -sd, -)
printf 'module.exports = (ajv) => { for (const k of [%s]) ajv.addKeyword(k); };\n' "$keywords" \
	>"$work/npm/hoso-keywords.js"
ajv=("$ajv_bin" validate --spec="$spec" -c ajv-formats -c "$work/npm/hoso-keywords.js" -s "$schema")

# ajv must catch a broken member: an impossible date (a format), a citizen id
# with a letter (a pattern) and a field the schema does not have.
good=$(find "$work/tree/data" -path '*/member/*.json' | head -1)
mkdir -p "$work/broken"
python3 - "$good" "$work/broken/member.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["birth_date"] = "1990-02-30"
r["citizen_id"] = "00219558864X"
r["nickname"] = "An"
json.dump(r, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
"${ajv[@]}" -d "$good" >/dev/null 2>&1 || die "ajv-cli rejects a valid member ($good)"
if "${ajv[@]}" --all-errors --errors=line -d "$work/broken/member.json" >"$work/broken/out" 2>&1; then
	die "ajv-cli accepts a broken member: $(cat "$work/broken/out")"
fi
for f in /birth_date /citizen_id nickname; do
	grep -q "$f" "$work/broken/out" || die "ajv-cli does not report $f: $(cat "$work/broken/out")"
done

med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# run_once ID CMD...: one timed run, its ms, RSS and exit code appended to
# $work/{t,m,c}-ID; the output kept in $work/out-ID.
run_once() {
	local id=$1 rc=0
	shift
	sync
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out-$id" 2>&1 || rc=$?
	awk '{print int($1 * 1000)}' "$work/time" >>"$work/t-$id"
	awk '{print $2}' "$work/time" >>"$work/m-$id"
	printf '%s ' "$rc" >>"$work/c-$id"
}
# pair ID1 ID2: the commands in the arrays cmd1 and cmd2, three times each,
# taking turns (the machine's speed drifts: only side by side is fair).
pair() {
	local i
	rm -f "$work"/[tmc]-"$1" "$work"/[tmc]-"$2"
	for i in 1 2 3; do
		run_once "$1" "${cmd1[@]}"
		run_once "$2" "${cmd2[@]}"
	done
}
# row ID NAME: the median ms, the largest RSS and the exit codes of job ID.
row() {
	printf '| %-58s | %8s ms | %7s MiB | %-5s |\n' "$2" "$(med <"$work/t-$1")" \
		"$(sort -n "$work/m-$1" | tail -1 | awk '{printf "%.0f", $1 / 1024}')" "$(cat "$work/c-$1")"
}

# The commit of $edits members of one unit, each with one field changed,
# made through the import path (one commit) as a clerk's spreadsheet would be.
unit=026
"$hoso" -C "$P" export jsonl --type member --unit "$unit" -o "$work/unit.jsonl" 2>/dev/null ||
	die "hoso export failed"
head -n "$edits" "$work/unit.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    r["occupation"] += " (2024)"
    print(json.dumps(r, ensure_ascii=False))' >"$work/edits.jsonl"
[ "$(wc -l <"$work/edits.jsonl")" = "$edits" ] || die "unit $unit has fewer than $edits members"
before=$(git -C "$P" rev-parse main)

echo "hoso verify beside ajv-cli: $records records, $members of them members"
echo
printf '| %-58s | %11s | %11s | %-5s |\n' "job (median of 3)" "time" "max RSS" "exit"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' $(seq 60))" "$(printf -- '-%.0s' $(seq 13))" \
	"$(printf -- '-%.0s' $(seq 13))" "$(printf -- '-%.0s' $(seq 7))"
# ajv-cli expands the quoted glob itself: $members paths are too many for one command line.
cmd1=("${ajv[@]}" -d "$work/tree/data/*/member/*/*.json")
cmd2=("$hoso" -C "$P" verify --all --user admin)
pair ajv-all verify-all
row ajv-all "ajv-cli: $members member files, member schema only"
row verify-all "hoso verify --all: $records records, everything"
checked=$(grep -c ' valid$' "$work/out-ajv-all" || true)

"$hoso" -C "$P" import member "$work/edits.jsonl" --unit "$unit" --update >/dev/null 2>&1 ||
	die "the import of $edits edited members failed"
after=$(git -C "$P" rev-parse main)
changed=$(git -C "$P" diff-tree -r --name-only "$before" "$after" | wc -l)
[ "$changed" = "$edits" ] || die "the import changed $changed files, not $edits"
mkdir "$work/changed"
git -C "$P" diff-tree -r --name-only "$before" "$after" | xargs git -C "$P" archive "$after" -- |
	tar -x -C "$work/changed"
# As admin: the generated access.json holds no one else.
cmd1=("$hoso" -C "$P" verify --range "$before..$after" --user admin)
cmd2=("${ajv[@]}" -d "$work/changed/data/*/member/*/*.json")
pair verify-range ajv-range
row verify-range "hoso verify --range: one commit, $edits members changed"
row ajv-range "ajv-cli: the same $edits member files"
echo
echo "ajv-cli $(node -e 'console.log(require(process.argv[1]).version)' "$work/npm/node_modules/ajv-cli/package.json")," \
	"ajv $(node -e 'console.log(require(process.argv[1]).version)' "$work/npm/node_modules/ajv/package.json")," \
	"node $(node --version); it found $checked of $members member files valid."
echo "ajv-cli ran as: ajv validate --spec=$spec -c ajv-formats -c hoso-keywords.js -s schemas/member.schema.json -d 'data/*/member/*/*.json'"
echo "(hoso-keywords.js declares the schema's annotation keywords: $keywords)"
