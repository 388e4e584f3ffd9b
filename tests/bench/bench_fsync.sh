#!/bin/bash
# What durability costs, run by hand (not in CI): the same jobs with fsync on
# (as hoso ships: libgit2's GIT_OPT_ENABLE_FSYNC_GITDIR and hoso's own pack
# writer) and off (HOSO_NO_FSYNC=1, which exists for this benchmark only),
# taking turns, side by side. Prints a table.
#
#   tests/bench/bench_fsync.sh [BUILD-DIR] [WORK-DIR]
#
# 1. a one-record edit as a fresh process on the generated province (~97k
#    records): loose objects, the ref and its reflogs;
# 2. the import of the province's members (74,619, one commit): one pack.
# BENCH_EDITS=N and BENCH_IMPORTS=N change the runs of each (default 21, 5).
set -eu
build=$(cd "${1:-build}" && pwd)
work=${2:-$(mktemp -d)}
hoso="$build/cli/hoso"
edits=${BENCH_EDITS:-21}
imports=${BENCH_IMPORTS:-5}
mkdir -p "$work"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name "Bench Clerk"
git config --global user.email bench@example.invalid
git config --global init.defaultBranch main
unset HOSO_NO_FSYNC

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# with MODE CMD...: run CMD with fsync on or off.
with() {
	if [ "$1" = off ]; then shift; HOSO_NO_FSYNC=1 "$@"; else shift; "$@"; fi
}
# fsyncs MODE CMD...: the fsync/fdatasync calls CMD makes and the time spent
# in them, as "COUNT calls, MS ms" (strace -T: the time inside each call, which
# the tracing does not slow), or "?".
fsyncs() {
	local mode=$1
	shift
	command -v strace >/dev/null || { echo "?"; return; }
	with "$mode" strace -f -T -e trace=fsync,fdatasync -o "$work/strace.txt" "$@" >/dev/null 2>&1
	awk 'match($0, /<[0-9.]+>$/) {n++; t += substr($0, RSTART + 1, RLENGTH - 2)}
		END {printf "%d calls, %.1f ms", n, t * 1000}' "$work/strace.txt"
}

echo "generating the province..." >&2
rm -rf "$work/demo"
"$hoso" demo "$work/demo" >/dev/null
demo="$work/demo/province.git"
records=$("$hoso" -C "$demo" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])')
"$hoso" -C "$demo" list member --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    r.pop("unit"); print(json.dumps(r, ensure_ascii=False))' > "$work/members.jsonl"
members=$(wc -l < "$work/members.jsonl")
"$hoso" -C "$demo" list organization --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    r.pop("unit"); print(json.dumps(r, ensure_ascii=False))' > "$work/orgs.jsonl"
printf '{"units": [{"code": "030", "name": "Huyện Vị Xuyên"}]}\n' > "$work/units.json"

# 1. One-record edits, fresh processes, on and off in turn. The first write
# builds the field index: not timed.
id=$("$hoso" -C "$demo" list member --unit 030 | head -1 | cut -f1)
"$hoso" -C "$demo" edit "$id" "occupation=Nghề thử" 2>/dev/null
echo "editing one record $edits times each way..." >&2
: > "$work/edit-on.txt"
: > "$work/edit-off.txt"
sync
for i in $(seq "$edits"); do
	for mode in on off; do
		t0=${EPOCHREALTIME/./}
		with "$mode" "$hoso" -C "$demo" edit "$id" "occupation=Nghề $mode $i" 2>/dev/null
		t1=${EPOCHREALTIME/./}
		echo $((t1 - t0)) >> "$work/edit-$mode.txt"
	done
done
edit_fsyncs_on=$(fsyncs on "$hoso" -C "$demo" edit "$id" "occupation=Nghề đếm 1")
edit_fsyncs_off=$(fsyncs off "$hoso" -C "$demo" edit "$id" "occupation=Nghề đếm 2")
git -C "$demo" fsck --strict --no-progress >/dev/null 2>&1 && edit_fsck=clean || edit_fsck=FAILED

# 2. Imports into a fresh repository holding the members' organizations,
# on and off in turn, each starting with the disk quiet.
echo "importing $members members $imports times each way..." >&2
: > "$work/import-on.txt"
: > "$work/import-off.txt"
import_fsck=clean
for i in $(seq "$imports"); do
	for mode in on off; do
		rm -rf "$work/imp.git"
		"$hoso" init "$work/imp.git" --province 02 --name "Tỉnh Hà Giang" --units "$work/units.json" 2>/dev/null
		"$hoso" -C "$work/imp.git" import organization "$work/orgs.jsonl" --unit 030 2>/dev/null ||
			{ echo "the organizations did not import" >&2; exit 1; }
		sync
		t0=${EPOCHREALTIME/./}
		with "$mode" "$hoso" -C "$work/imp.git" import member "$work/members.jsonl" --unit 030 2>/dev/null ||
			{ echo "the members did not import ($mode)" >&2; exit 1; }
		t1=${EPOCHREALTIME/./}
		echo $(((t1 - t0) / 1000)) >> "$work/import-$mode.txt"
		git -C "$work/imp.git" fsck --strict --no-progress >/dev/null 2>&1 || import_fsck=FAILED
	done
done
# import_fsyncs MODE: the fsync calls of one more import.
import_fsyncs() {
	rm -rf "$work/imp.git"
	"$hoso" init "$work/imp.git" --province 02 --name "Tỉnh Hà Giang" --units "$work/units.json" 2>/dev/null
	"$hoso" -C "$work/imp.git" import organization "$work/orgs.jsonl" --unit 030 2>/dev/null
	fsyncs "$1" "$hoso" -C "$work/imp.git" import member "$work/members.jsonl" --unit 030
}
import_fsyncs_on=$(import_fsyncs on)
import_fsyncs_off=$(import_fsyncs off)

edit_on=$(median < "$work/edit-on.txt")
edit_off=$(median < "$work/edit-off.txt")
import_on=$(median < "$work/import-on.txt")
import_off=$(median < "$work/import-off.txt")
msf() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }
echo
echo "fsync benchmark: $records records in the province, $members members imported"
echo
printf '| %-46s | %14s | %22s | %18s |\n' "job (median)" "fsync on" "fsync off (benchmark)" "cost of fsync"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' $(seq 48))" "$(printf -- '-%.0s' $(seq 16))" "$(printf -- '-%.0s' $(seq 24))" "$(printf -- '-%.0s' $(seq 20))"
printf '| %-46s | %11s ms | %19s ms | %18s |\n' "one-record edit, fresh process ($edits runs)" "$(msf "$edit_on")" "$(msf "$edit_off")" \
	"$(awk -v a="$edit_on" -v b="$edit_off" 'BEGIN { printf "%+.1f ms (%+.0f%%)", (a - b) / 1000, (a - b) * 100 / b }')"
printf '| %-46s | %11s ms | %19s ms | %18s |\n' "import $members members, one commit ($imports runs)" "$import_on" "$import_off" \
	"$(awk -v a="$import_on" -v b="$import_off" 'BEGIN { printf "%+d ms (%+.0f%%)", a - b, (a - b) * 100 / b }')"
echo
echo "fsync calls (one more run of each, under strace), and the time spent inside them:"
echo "  edit:   on $edit_fsyncs_on; off $edit_fsyncs_off"
echo "  import: on $import_fsyncs_on; off $import_fsyncs_off"
echo "git fsck --strict: province after the edits $edit_fsck, each import $import_fsck"
echo "all runs: edit on (µs) $(tr '\n' ' ' < "$work/edit-on.txt")"
echo "          edit off (µs) $(tr '\n' ' ' < "$work/edit-off.txt")"
echo "          import on (ms) $(tr '\n' ' ' < "$work/import-on.txt")| off (ms) $(tr '\n' ' ' < "$work/import-off.txt")"
