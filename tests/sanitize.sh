#!/bin/bash
# tests/sanitize.sh [SOURCE-DIR]: the whole test suite once under
# AddressSanitizer and UndefinedBehaviorSanitizer, then the unit test
# programs under valgrind. Exits non-zero on any failure, any sanitizer
# report and any valgrind error or leak, and ends with a short summary.
#
#   build-asan      -DHOSO_SANITIZE=ON -DHOSO_WERROR=ON; every ctest test
#                   (unit, integration, cases). A report fails the process that
#                   made it (exit 86), and ASan's and LeakSanitizer's reports
#                   are also written to build-asan/sanitizer-logs/ (with
#                   log_path), so one from a process whose exit a test does not
#                   look at (a hook on the hub, a command whose failure was
#                   expected) still fails the run. UBSan's reports go to the
#                   process's stderr only (libubsan keeps its own report file):
#                   they are also looked for in ctest's log.
#   build-valgrind  a plain build (valgrind does not run ASan binaries); each
#                   unit test program (tests/unit/test_*.c) under memcheck.
#
# Leaks: every leak of hoso's own is an error, in the hoso program as in the
# tests; tests/sanitize/lsan.supp and tests/sanitize/valgrind.supp name only
# leaks and errors inside third-party libraries.
#
# valgrind fails on definite and indirect leaks and also on "possibly lost"
# ones: a block is possibly lost when only a pointer into its middle is left
# at exit. The unit tests free everything they made before they exit, so such
# a block is a leak as well (a list that holds its items by a member, a
# string pointer that was moved on); the usual innocent cause, a library's
# global or per-thread state, would go to valgrind.supp by name. "Still
# reachable" blocks are not errors: libraries keep some until exit.
#
# Environment: JOBS (default 2) builds and tests in parallel;
# SANITIZE_ASAN_OPTIONS is added to ASAN_OPTIONS, e.g. fast_unwind_on_malloc=0
# for whole stacks of blocks a library allocated (five times slower).
set -u

src=$(cd "${1:-$(dirname "$0")/..}" && pwd) || exit 2
[ -f "$src/CMakeLists.txt" ] && [ -d "$src/tests/unit" ] || {
	echo "sanitize: '$src' is not hoso's source directory" >&2
	exit 2
}
njobs=${JOBS:-2}
asan=$src/build-asan
vg=$src/build-valgrind
logs=$asan/sanitizer-logs
vglogs=$vg/valgrind-logs
supp=$src/tests/sanitize
start=$SECONDS
failed=0
summary=()

# note LINE: a line of the summary; fail LINE: one that fails the run.
note() { summary+=("  $1"); }
fail() {
	summary+=("  FAIL: $1")
	failed=1
}
elapsed() { echo "$(($SECONDS - $1)) s"; }

# --- AddressSanitizer and UndefinedBehaviorSanitizer: the whole suite ---
mkdir -p "$asan" "$vg"
t=$SECONDS
if cmake -S "$src" -B "$asan" -DHOSO_SANITIZE=ON -DHOSO_WERROR=ON >"$asan/sanitize-configure.log" 2>&1 &&
	cmake --build "$asan" -j "$njobs" >"$asan/sanitize-build.log" 2>&1; then
	note "asan: built ($(elapsed $t))"
	asan_built=1
else
	cat "$asan/sanitize-configure.log" "$asan/sanitize-build.log" 2>/dev/null | tail -40 >&2
	fail "asan: the build failed (see $asan/sanitize-build.log)"
	asan_built=0
fi

if [ "$asan_built" = 1 ]; then
	rm -rf "$logs"
	mkdir -p "$logs"
	# 86: not one of hoso's own exit codes (0-4), so no test takes a
	# report for an expected failure.
	export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:exitcode=86:strict_string_checks=1:log_path=$logs/asan${SANITIZE_ASAN_OPTIONS:+:$SANITIZE_ASAN_OPTIONS}"
	export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86"
	t=$SECONDS
	ctest --test-dir "$asan" -j "$njobs" --output-on-failure >"$asan/ctest.log" 2>&1
	ctest_rc=$?
	unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
	result=$(grep -E '^[0-9]+% tests passed' "$asan/ctest.log" || echo "no result")
	if [ "$ctest_rc" -eq 0 ]; then
		note "asan: ctest: $result ($(elapsed $t))"
	else
		sed -n '/^The following tests FAILED:/,$p' "$asan/ctest.log" >&2
		fail "asan: ctest: $result ($(elapsed $t)); output in $asan/ctest.log"
	fi
	# A report says ERROR; anything else there is a warning, printed only
	# (LeakSanitizer's "Unable to get registers from thread N" when a test
	# kills a process while it checks for leaks at exit).
	reports=$(grep -l -E '^==[0-9]+==ERROR: ' "$logs"/* 2>/dev/null | wc -l)
	warnings=$(grep -L -E '^==[0-9]+==ERROR: ' "$logs"/* 2>/dev/null | wc -l)
	ub=$(grep -c 'runtime error:' "$asan/Testing/Temporary/LastTest.log" 2>/dev/null)
	for f in $(grep -L -E '^==[0-9]+==ERROR: ' "$logs"/* 2>/dev/null); do
		echo "--- $f (a warning)" >&2
		head -20 "$f" >&2
	done
	[ "$warnings" -eq 0 ] || note "asan: $warnings sanitizer warning(s) that are not reports, in $logs"
	if [ "$reports" -ne 0 ]; then
		for f in $(grep -l -E '^==[0-9]+==ERROR: ' "$logs"/*); do
			echo "--- $f" >&2
			head -60 "$f" >&2
		done
		fail "asan: $reports report(s) of ASan or LeakSanitizer, in $logs"
	fi
	if [ "${ub:-0}" -ne 0 ]; then
		grep -A8 'runtime error:' "$asan/Testing/Temporary/LastTest.log" >&2
		fail "asan: $ub UBSan report(s) in $asan/Testing/Temporary/LastTest.log"
	fi
	[ "$reports" -eq 0 ] && [ "${ub:-0}" -eq 0 ] && note "asan: no sanitizer report"
fi

# --- valgrind: the unit test programs, from a plain build ---
units=()
for f in "$src"/tests/unit/test_*.c; do
	units+=("$(basename "$f" .c)")
done
t=$SECONDS
if cmake -S "$src" -B "$vg" -DHOSO_WERROR=ON >"$vg/sanitize-configure.log" 2>&1 &&
	cmake --build "$vg" -j "$njobs" --target "${units[@]}" >"$vg/sanitize-build.log" 2>&1; then
	note "valgrind: built ${#units[@]} unit test programs ($(elapsed $t))"
	vg_built=1
else
	cat "$vg/sanitize-configure.log" "$vg/sanitize-build.log" 2>/dev/null | tail -40 >&2
	fail "valgrind: the build failed (see $vg/sanitize-build.log)"
	vg_built=0
fi

# run_valgrind NAME: one unit test program under memcheck, from where ctest
# runs it. Its output goes to $vglogs/NAME.out, valgrind's reports to
# $vglogs/NAME.PID.log (one per process: some tests fork), its exit code and
# time to $vglogs/NAME.rc.
run_valgrind() {
	local rc t=$SECONDS
	(cd "$vg/tests" && valgrind -q --error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible \
		--show-leak-kinds=definite,indirect,possible --num-callers=40 \
		--suppressions="$supp/valgrind.supp" --gen-suppressions=all \
		--log-file="$vglogs/$1.%p.log" "./$1" >"$vglogs/$1.out" 2>&1)
	rc=$?
	echo "$rc $(elapsed $t)" >"$vglogs/$1.rc"
}

if [ "$vg_built" = 1 ]; then
	if ! command -v valgrind >/dev/null; then
		fail "valgrind: not installed (packaging/setup.sh installs it)"
	else
		rm -rf "$vglogs"
		mkdir -p "$vglogs"
		t=$SECONDS
		# The slowest first (by ctest's times in build-asan, when there),
		# so that the programs running side by side end together.
		cost=$asan/Testing/Temporary/CTestCostData.txt
		order=$(for u in "${units[@]}"; do
			echo "$u $(awk -v t="unit/$u" '$1 == t { print $3 }' "$cost" 2>/dev/null)"
		done | sort -k2 -g -r | cut -d' ' -f1)
		for u in $order; do
			while [ "$(jobs -rp | wc -l)" -ge "$njobs" ]; do
				wait -n
			done
			run_valgrind "$u" &
		done
		wait
		bad=()
		for u in "${units[@]}"; do
			read -r rc _ <"$vglogs/$u.rc" 2>/dev/null || rc="?"
			reported=$(find "$vglogs" -name "$u.*.log" -size +0 | sort)
			if [ "$rc" != 0 ] || [ -n "$reported" ]; then
				bad+=("$u")
				echo "--- $u: exit $rc under valgrind" >&2
				tail -20 "$vglogs/$u.out" >&2
				for f in $reported; do
					head -80 "$f" >&2
				done
			fi
		done
		if [ "${#bad[@]}" -eq 0 ]; then
			note "valgrind: ${#units[@]} unit test programs clean ($(elapsed $t))"
		else
			fail "valgrind: ${#bad[@]} of ${#units[@]} unit test programs failed or reported: ${bad[*]} ($(elapsed $t)); logs in $vglogs"
		fi
	fi
fi

echo "sanitize: summary ($(elapsed $start) in all)"
printf '%s\n' "${summary[@]}"
exit "$failed"
