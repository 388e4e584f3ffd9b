#!/usr/bin/env bash
# Fuzz hoso for a bounded time: build the libFuzzer targets of tests/fuzz
# with clang in build-fuzz, run each for SECONDS (default 30) on a copy of
# its seed corpus (tests/fuzz/corpus/<target>/; the checkout is not written),
# two at a time, then run every input kept in tests/fuzz/regressions/<target>/
# once. Exits 1 on any crash, leak, timeout or broken invariant, and keeps
# what libFuzzer saved (the crashing input, its log) for a regression case.
#
# usage: tests/fuzz/run.sh [SECONDS-PER-TARGET]      (0: the regressions only)
set -euo pipefail

seconds=${1:-30}
case $seconds in
'' | *[!0-9]*)
	echo "usage: tests/fuzz/run.sh [SECONDS-PER-TARGET]" >&2
	exit 2
	;;
esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build-fuzz
targets=(canonical schema csv jsonl merge plugin)
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 2 ] && jobs=2

command -v clang >/dev/null || {
	echo "fuzz: error: clang is not installed" >&2
	echo "hint: run packaging/setup.sh as root (it installs clang and libclang-rt-14-dev)" >&2
	exit 1
}

echo "fuzz: building the targets with clang in $build"
mkdir -p "$build"
log=$build/fuzz-build.log
if ! { cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DHOSO_FUZZ=ON -DHOSO_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log" 2>&1 &&
	cmake --build "$build" --target hoso_fuzz -j "$jobs" >>"$log" 2>&1; }; then
	tail -n 30 "$log" >&2
	echo "fuzz: error: cannot build the fuzz targets (the whole log: $log)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hoso-fuzz.XXXXXX")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The dictionary of the target's input language, if any.
dict_of() {
	case $1 in
	canonical | schema | merge | jsonl) echo "$here/json.dict" ;;
	csv) echo "$here/csv.dict" ;;
	esac
}

# Fuzz one target for $seconds; its result in $work/<target>.rc, its log beside.
fuzz_one() {
	local t=$1 dict
	mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
	cp -R "$here/corpus/$t/." "$work/corpus/$t/"
	dict=$(dict_of "$t")
	set +e
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" \
		${dict:+-dict="$dict"} "$work/corpus/$t" >"$work/$t.log" 2>&1
	echo $? >"$work/$t.rc"
}

failed=0
summary=""
if [ "$seconds" -gt 0 ]; then
	echo "fuzz: running each target for $seconds s, $jobs at a time"
	running=0
	for t in "${targets[@]}"; do
		fuzz_one "$t" &
		running=$((running + 1))
		if [ "$running" -ge "$jobs" ]; then
			wait -n || true
			running=$((running - 1))
		fi
	done
	wait
	for t in "${targets[@]}"; do
		rc=$(cat "$work/$t.rc")
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -n 1)
		if [ "$rc" -eq 0 ]; then
			summary+="fuzz: $t: ok, ${runs:-0} runs in $seconds s"$'\n'
		else
			failed=$((failed + 1))
			summary+="fuzz: $t: FAILED (exit $rc) after ${runs:-?} runs: see $work/$t.log"$'\n'
			for a in "$work/artifacts/$t"/*; do
				if [ -e "$a" ]; then
					summary+="  input: $a"$'\n'
				fi
			done
			why=$(grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed)' "$work/$t.log" |
				head -n 3 | sed 's/^/  /' || true)
			if [ -n "$why" ]; then
				summary+="$why"$'\n'
			fi
		fi
	done
fi

# Every input that once crashed, once each.
nreg=0
for t in "${targets[@]}"; do
	for input in "$here/regressions/$t"/*; do
		[ -f "$input" ] || continue
		nreg=$((nreg + 1))
		name=${input#"$here/"}
		if "$build/tests/fuzz/fuzz_$t" -timeout=10 -rss_limit_mb=2048 "$input" \
			>"$work/regression.log" 2>&1; then
			summary+="fuzz: $name: ok"$'\n'
		else
			failed=$((failed + 1))
			cp "$work/regression.log" "$work/$t-$(basename "$input").log"
			summary+="fuzz: $name: FAILED: see $work/$t-$(basename "$input").log"$'\n'
		fi
	done
done

printf '%s' "$summary"
total=$(( (seconds > 0 ? ${#targets[@]} : 0) + nreg ))
echo "fuzz: $((total - failed)) passed, $failed failed"
if [ "$failed" -gt 0 ]; then
	echo "hint: fix the bug, then keep the input as tests/fuzz/regressions/<target>/<name>" >&2
	exit 1
fi
rm -rf "$work"
