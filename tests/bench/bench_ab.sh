#!/bin/bash
# Two builds of hoso side by side on the same data, interleaved, so that a
# noisy machine slows both alike (run by hand, not in CI). Prints medians.
#
#   tests/bench/bench_ab.sh OLD-BUILD-DIR NEW-BUILD-DIR [WORK-DIR]
#
# 1. a one-record edit as a fresh process on the generated province, and
#    'hoso --version' (the start-up floor), 15 times each, turn about;
# 2. importing the province's 74k members into a repository holding its
#    organizations, 3 times each, turn about.
# Each build runs with its own built-in plugins.
set -eu
old=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
work=${3:-$(mktemp -d)}
mkdir -p "$work"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name "Bench Clerk"
git config --global user.email bench@example.invalid

med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
hoso() { HOSO_BUILTIN_PLUGIN_DIR="$1/plugins/builtin" "$1/cli/hoso" "${@:2}"; }

echo "generating the province..." >&2
rm -rf "$work/demo"
hoso "$new" demo "$work/demo" >/dev/null 2>&1
P="$work/demo/province.git"
id=$(hoso "$new" -C "$P" list member --unit 030 | head -1 | cut -f1)
for b in old new; do
	: > "$work/edit-$b"
	: > "$work/floor-$b"
	: > "$work/import-$b"
done
# Each build's first write (which may build its field index) is not timed.
hoso "$old" -C "$P" edit "$id" "occupation=warm old" 2>/dev/null
hoso "$new" -C "$P" edit "$id" "occupation=warm new" 2>/dev/null

echo "edits..." >&2
for i in $(seq 15); do
	for b in old new; do
		dir=$old
		[ "$b" = new ] && dir=$new
		sync
		t0=${EPOCHREALTIME/./}
		hoso "$dir" -C "$P" edit "$id" "occupation=Nghề $b $i" 2>/dev/null
		t1=${EPOCHREALTIME/./}
		echo $((t1 - t0)) >> "$work/edit-$b"
		t0=${EPOCHREALTIME/./}
		"$dir/cli/hoso" --version >/dev/null
		t1=${EPOCHREALTIME/./}
		echo $((t1 - t0)) >> "$work/floor-$b"
	done
done

echo "imports..." >&2
for t in member organization; do
	hoso "$new" -C "$P" list "$t" --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    r.pop("unit"); print(json.dumps(r, ensure_ascii=False))' > "$work/$t.jsonl"
done
printf '{"units": [{"code": "030", "name": "Huyện Vị Xuyên"}]}\n' > "$work/units.json"
for i in 1 2 3; do
	for b in old new; do
		dir=$old
		[ "$b" = new ] && dir=$new
		rm -rf "$work/imp.git"
		hoso "$dir" init "$work/imp.git" --province 02 --name "Tỉnh Hà Giang" --units "$work/units.json" 2>/dev/null
		hoso "$dir" -C "$work/imp.git" import organization "$work/organization.jsonl" --unit 030 2>/dev/null ||
			{ echo "$b: the organizations did not import" >&2; exit 1; }
		sync
		t0=${EPOCHREALTIME/./}
		hoso "$dir" -C "$work/imp.git" import member "$work/member.jsonl" --unit 030 2>/dev/null ||
			{ echo "$b: the members did not import" >&2; exit 1; }
		t1=${EPOCHREALTIME/./}
		echo $((t1 - t0)) >> "$work/import-$b"
	done
done

ms() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }
printf '| %-44s | %10s | %10s |\n' "job (medians)" "old" "new"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' $(seq 46))" "$(printf -- '-%.0s' $(seq 12))" "$(printf -- '-%.0s' $(seq 12))"
printf '| %-44s | %7s ms | %7s ms |\n' "one-record edit (15 runs)" "$(ms "$(med < "$work/edit-old")")" "$(ms "$(med < "$work/edit-new")")"
printf '| %-44s | %7s ms | %7s ms |\n' "hoso --version (15 runs)" "$(ms "$(med < "$work/floor-old")")" "$(ms "$(med < "$work/floor-new")")"
printf '| %-44s | %7s ms | %7s ms |\n' "import 74k members (3 runs)" "$(ms "$(med < "$work/import-old")")" "$(ms "$(med < "$work/import-new")")"
echo "all runs (µs): edit old $(tr '\n' ' ' < "$work/edit-old")| new $(tr '\n' ' ' < "$work/edit-new")"
echo "all runs (µs): import old $(tr '\n' ' ' < "$work/import-old")| new $(tr '\n' ' ' < "$work/import-new")"
