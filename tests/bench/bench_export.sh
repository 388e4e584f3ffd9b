#!/bin/bash
# Exports and the annual report on the generated province (run by hand, not
# in CI): every member in each format, and the 2023 report in each format,
# median of 3 each, with the largest resident size. Prints a table.
#
#   tests/bench/bench_export.sh [BUILD-DIR] [WORK-DIR]
set -eu
build=$(cd "${1:-build}" && pwd)
work=${2:-$(mktemp -d)}
hoso="$build/cli/hoso"
mkdir -p "$work"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"

echo "generating the province..." >&2
rm -rf "$work/demo"
"$hoso" demo "$work/demo" >/dev/null 2>&1
P="$work/demo/province.git"
members=$("$hoso" -C "$P" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_type"]["member"])')

med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# time_it NAME CMD...: three runs; the median ms and the largest RSS (KiB).
time_it() {
	local name=$1 i
	shift
	: > "$work/t-$name"
	: > "$work/m-$name"
	for i in 1 2 3; do
		sync
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
		awk '{print int($1 * 1000)}' "$work/time" >> "$work/t-$name"
		awk '{print $2}' "$work/time" >> "$work/m-$name"
	done
	printf '| %-40s | %8s ms | %8s MiB |\n' "$name" "$(med < "$work/t-$name")" \
		"$(sort -n "$work/m-$name" | tail -1 | awk '{printf "%.0f", $1 / 1024}')"
}

echo "hoso exports and report: $members members in the province"
echo
printf '| %-40s | %11s | %12s |\n' "job (median of 3)" "time" "max RSS"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' $(seq 42))" "$(printf -- '-%.0s' $(seq 13))" "$(printf -- '-%.0s' $(seq 14))"
# The first member export builds the field index it takes the names from: once.
t0=${EPOCHREALTIME/./}
"$hoso" -C "$P" export jsonl --type member -o "$work/first.jsonl" 2>/dev/null
t1=${EPOCHREALTIME/./}
printf '| %-40s | %8s ms | %12s |\n' "first member export (builds the index)" $(((t1 - t0) / 1000)) "-"
for f in csv xlsx sqlite jsonl; do
	time_it "export $f --type member" "$hoso" -C "$P" export "$f" --type member -o "$work/members.$f"
done
time_it "export jsonl --type organization" "$hoso" -C "$P" export jsonl --type organization -o "$work/orgs.jsonl"
for f in json md html; do
	time_it "report annual --year 2023 --format $f" "$hoso" -C "$P" report annual --year 2023 --format "$f" -o "$work/report.$f"
done
