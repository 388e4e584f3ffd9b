#!/bin/bash
# A merger of units on the generated province, side by side with the git CLI
# moving the same records (run by hand, not in CI). Prints medians.
#
#   tests/bench/bench_unit.sh BUILD-DIR [WORK-DIR] [ROUNDS]
#
# 1. 'hoso unit merge 026 027 --into T01' (16,537 records at the demo's
#    scale; the district committees dissolved, their organizations put under
#    the province's), against git's plumbing moving data/026 and data/027 to
#    data/T01 in a temporary index (read-tree, ls-files, update-index,
#    write-tree, commit-tree, update-ref): the same records moved, without
#    hoso.json, access.json, the organizations or any check;
# 2. the 2023 report before the merger and after it (each record then found
#    in its unit as of the day);
# 3. the export of the members as of 2023 and as they are;
# 4. 'hoso verify --all' after the merger, against 'git fsck'.
set -eu
build=$(cd "$1" && pwd)
work=${2:-$(mktemp -d)}
rounds=${3:-3}
mkdir -p "$work"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 HOSO_USER=admin
mkdir -p "$HOME"
git config --global user.name "Bench Admin"
git config --global user.email bench@example.invalid
H="$build/cli/hoso"

med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# secs CMD...: run CMD, print its wall time in seconds.
secs() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	t1=${EPOCHREALTIME/./}
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }'
}

echo "generating the province..." >&2
rm -rf "$work/demo"
"$H" demo "$work/demo" >/dev/null 2>&1
P="$work/demo/province.git"
# The demo ends with the merger: its commit before is where each round starts.
start=$(git -C "$P" rev-parse main~2)
merged=$(git -C "$P" rev-parse main)
province=$("$H" -C "$P" list organization --unit 02 --where level=dang_bo_tinh | head -1 | cut -f1)
fresh() { # DIR: the province as it was before the merger
	rm -rf "$1"
	git clone -q --bare --no-hardlinks "$P" "$1"
	git -C "$1" update-ref refs/heads/main "$start"
}
git_merge() { # DIR: git's plumbing moves data/026 and data/027 to data/T01
	local idx="$1/bench-index" tree commit
	GIT_INDEX_FILE=$idx git -C "$1" read-tree main &&
		GIT_INDEX_FILE=$idx git -C "$1" ls-files -s -- data/026 data/027 |
		sed 's#\tdata/02[67]/#\tdata/T01/#' >"$1/moved" &&
		GIT_INDEX_FILE=$idx git -C "$1" rm -q -r --cached -- data/026 data/027 &&
		GIT_INDEX_FILE=$idx git -C "$1" update-index --index-info <"$1/moved" &&
		tree=$(GIT_INDEX_FILE=$idx git -C "$1" write-tree) &&
		commit=$(git -C "$1" commit-tree "$tree" -p main -m "move 026 and 027 to T01") &&
		git -C "$1" update-ref refs/heads/main "$commit" &&
		rm -f "$idx"
}
for f in hoso git report-before report-after export-asof export-now verify fsck; do : >"$work/t-$f"; done
for i in $(seq "$rounds"); do
	echo "round $i..." >&2
	fresh "$work/h.git"
	"$H" -C "$work/h.git" unit add T01 --name "Đồng Văn – Mèo Vạc" --from 2025-07-01 >/dev/null 2>&1
	secs "$H" -C "$work/h.git" unit merge 026 027 --into T01 --on 2025-07-01 \
		--dissolve dang_bo_cap_tren_co_so --reparent-to "$province" >>"$work/t-hoso"
	fresh "$work/g.git"
	secs git_merge "$work/g.git" >>"$work/t-git"
	[ "$(git -C "$work/g.git" ls-tree -r --name-only main -- data/T01 | wc -l)" = \
		"$(git -C "$work/h.git" ls-tree -r --name-only main -- data/T01 | wc -l)" ] ||
		{ echo "git and hoso moved different records" >&2; exit 1; }
	git -C "$P" update-ref refs/heads/main "$start"
	secs "$H" -C "$P" report annual --year 2023 -o "$work/r.md" >>"$work/t-report-before"
	git -C "$P" update-ref refs/heads/main "$merged"
	secs "$H" -C "$P" report annual --year 2023 -o "$work/r.md" >>"$work/t-report-after"
	secs "$H" -C "$P" export csv --type member --as-of 2023-12-31 -o "$work/m.csv" >>"$work/t-export-asof"
	secs "$H" -C "$P" export csv --type member -o "$work/m.csv" >>"$work/t-export-now"
	secs "$H" -C "$work/h.git" verify --all >>"$work/t-verify"
	secs git -C "$work/h.git" fsck --strict >>"$work/t-fsck"
done
n=$(git -C "$work/h.git" ls-tree -r --name-only main -- data/T01 | wc -l)
printf '\n%-46s %10s\n' "median of $rounds rounds, $n records moved" "seconds"
printf '%-46s %10s\n' "hoso unit merge (one commit, checked)" "$(med <"$work/t-hoso")"
printf '%-46s %10s\n' "git plumbing: the same records moved" "$(med <"$work/t-git")"
printf '%-46s %10s\n' "hoso report annual 2023, before the merger" "$(med <"$work/t-report-before")"
printf '%-46s %10s\n' "hoso report annual 2023, after (as of 2023)" "$(med <"$work/t-report-after")"
printf '%-46s %10s\n' "hoso export csv member --as-of 2023-12-31" "$(med <"$work/t-export-asof")"
printf '%-46s %10s\n' "hoso export csv member (as now)" "$(med <"$work/t-export-now")"
printf '%-46s %10s\n' "hoso verify --all after the merger" "$(med <"$work/t-verify")"
printf '%-46s %10s\n' "git fsck --strict after the merger" "$(med <"$work/t-fsck")"
