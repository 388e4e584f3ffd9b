#!/bin/bash
# Crash safety: hoso killed with SIGKILL at random moments during add, import
# (3,000 rows: a pack), sync (through a real hub, with a merge to do), plugin
# install and plugin remove. After each kill:
#   - git fsck --strict is clean (dangling objects allowed);
#   - the operation happened entirely or not at all: the commit is there with
#     all its records, or main is unchanged; for sync, the hub and the replica
#     are each at a consistent commit and the next sync converges; for
#     plugins, the file is whole with the right hash or absent, and a pin in
#     hoso.json always has its file;
#   - the next command works with no manual cleanup, and afterwards no ref
#     lock, no temporary object or pack and no pack without its index is left.
#     The one leftover that may stay is harmless, and checked to be the only
#     one: a plugin's '<name>.so.tmp<pid>', which the loader ignores.
# Each kill comes after a random delay, from 0 to a little more than the
# operation takes when left alone (measured first). The operations share
# about 70 s: on a slow machine each stops after fewer rounds (8 at least),
# and says how many it did. The delays come from a seed: CRASH_SEED=N
# repeats a run's delays (the moments they hit depend on the machine's
# speed). CRASH_ROUNDS=N changes the rounds (kills) per operation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"
: "${HOSO_TEST_PLUGIN_DIR:?the directory of the fixture plugins}"

seed=${CRASH_SEED:-$((($(date +%s) * 7919 + $$) % 32768))}
rounds=${CRASH_ROUNDS:-20}
RANDOM=$seed
echo "crash: seed $seed, $rounds kills per operation (reproduce with CRASH_SEED=$seed)"
t_start=${EPOCHREALTIME/./}

now_us() { echo "${EPOCHREALTIME/./}"; }

# kill_after MS CMD...: run CMD in the background, SIGKILL it after MS ms;
# sets $killed (1: it was still running) and $krc (its exit status).
kill_after() {
	local ms=$1 pid
	shift
	"$@" >/dev/null 2>"$TMP/killed-stderr" &
	pid=$!
	[ "$ms" -gt 0 ] && sleep "$(printf '0.%03d' "$ms")"
	if kill -KILL "$pid" 2>/dev/null; then killed=1; else killed=0; fi
	wait "$pid" 2>/dev/null
	krc=$?
	[ "$killed" = 1 ] && [ "$krc" != 137 ] && killed=0
	return 0
}

# delay MAX: a random delay in ms, 0..MAX.
delay() {
	echo $(((RANDOM * 32768 + RANDOM) % ($1 + 1)))
}

# out_of_time BUDGET-MS ROUND: the phase has used its share of the test's
# time, and has done at least 8 rounds (a slow machine does fewer rounds).
out_of_time() {
	[ "$2" -gt 8 ] && [ $((($(now_us) - t_phase) / 1000)) -gt "$1" ]
}

# span MS: the delays' range for an operation that takes MS ms.
span() {
	local s=$(($1 * 12 / 10 + 5))
	[ "$s" -gt 999 ] && s=999
	echo "$s"
}

# leftovers REPO WHAT: after a command that went through, nothing a killed
# writer left may remain.
leftovers() {
	local r=$1 what=$2 f
	[ -e "$r/refs/heads/main.lock" ] && fail "$what: refs/heads/main.lock left"
	[ -e "$r/refs/remotes/origin/main.lock" ] && fail "$what: refs/remotes/origin/main.lock left"
	[ -e "$r/FETCH_HEAD.lock" ] && fail "$what: FETCH_HEAD.lock left"
	[ -s "$r/hoso.lock" ] && fail "$what: hoso.lock still names a writer: $(cat "$r/hoso.lock")"
	[ -s "$r/hoso-sync.lock" ] && fail "$what: hoso-sync.lock still names a sync: $(cat "$r/hoso-sync.lock")"
	f=$(find "$r/objects" -name 'tmp_*' -o -name '*_git2_*' -o -name '*.lock' | head -3)
	[ -n "$f" ] && fail "$what: temporary files left: $f"
	for f in "$r"/objects/pack/pack-*.pack; do
		[ -e "$f" ] || continue
		[ -e "${f%.pack}.idx" ] || fail "$what: a pack without its index: $f"
	done
	for f in "$r"/objects/pack/pack-*.idx; do
		[ -e "$f" ] || continue
		[ -e "${f%.idx}.pack" ] || fail "$what: an index without its pack: $f"
	done
}

# litter REPO: a killed command left something for the next to clean up (a
# lock naming it, a ref lock, temporary files); counted in $littered.
littered=0
litter() {
	local r=$1
	if [ -s "$r/hoso.lock" ] || [ -s "$r/hoso-sync.lock" ] || [ -e "$r/refs/heads/main.lock" ] ||
		[ -e "$r/refs/remotes/origin/main.lock" ] || [ -e "$r/FETCH_HEAD.lock" ] ||
		[ -n "$(find "$r/objects" -name 'tmp_*' -o -name '*_git2_*' | head -1)" ]; then
		littered=$((littered + 1))
	fi
}

# count REPO PATH: files under PATH on main.
count() {
	git -C "$1" ls-tree -r --name-only main -- "$2" | wc -l
}

# ---------------------------------------------------------------- add
t_phase=$(now_us) littered=0
R="$TMP/add.git"
make_repo "$R"
# The first write builds the field index: time the second.
"$HOSO" -C "$R" add organization --unit 030 "name=Đo thời gian" level=to_dang >/dev/null 2>&1
t0=$(now_us)
"$HOSO" -C "$R" add organization --unit 030 "name=Đo thời gian" level=to_dang >/dev/null 2>&1
ms=$((($(now_us) - t0) / 1000))
max=$(span "$ms")
landed=0 before_commit=0 finished=0
for i in $(seq "$rounds"); do
	out_of_time 10000 "$i" && break
	before=$(tip "$R")
	n=$(count "$R" data/030/organization)
	d=$(delay "$max")
	kill_after "$d" "$HOSO" -C "$R" add organization --unit 030 "name=Bị ngắt $i" level=to_dang
	after=$(tip "$R")
	fsck_clean "$R" --no-dangling
	if [ "$after" = "$before" ]; then
		[ "$killed" = 1 ] || fail "add $i (${d} ms) was not killed, exit $krc, and made no commit"
		[ "$(count "$R" data/030/organization)" = "$n" ] || fail "add $i (${d} ms): main unchanged but the records changed"
		before_commit=$((before_commit + 1))
	else
		[ "$(git -C "$R" rev-parse "$after^")" = "$before" ] || fail "add $i (${d} ms): main is not one commit on the old tip"
		[ "$(count "$R" data/030/organization)" = $((n + 1)) ] || fail "add $i (${d} ms): the commit lacks its record"
		git -C "$R" grep -q "Bị ngắt $i\"" main -- data/030/organization || fail "add $i (${d} ms): the record is not whole"
		if [ "$killed" = 1 ]; then landed=$((landed + 1)); else finished=$((finished + 1)); fi
	fi
	litter "$R"
	run -C "$R" add organization --unit 030 "name=Sau lần ngắt $i" level=to_dang
	expect_rc 0 "an add after add $i was killed at ${d} ms"
	leftovers "$R" "after add $i (${d} ms)"
done
fsck_clean "$R" --no-dangling
echo "add: $((before_commit + landed + finished)) rounds, $ms ms alone; kills at 0-$max ms: $before_commit before the commit, $landed after it, $finished too late; $littered left litter, cleaned by the next command ($((($(now_us) - t_phase) / 1000)) ms)"
t_phase=$(now_us) littered=0

# ---------------------------------------------------------------- import
R="$TMP/import.git"
make_repo "$R"
python3 -c '
import json
for i in range(3000):
    print(json.dumps({"name": "Tổ đảng số %d" % i, "level": "to_dang"}, ensure_ascii=False))' >"$TMP/rows.jsonl"
# A first import, left alone: there is a pack already, and its time.
t0=$(now_us)
run -C "$R" import organization "$TMP/rows.jsonl" --unit 026
ms=$((($(now_us) - t0) / 1000))
expect_rc 0 "an import left alone"
max=$(span "$ms")
landed=0 before_commit=0 finished=0
for i in $(seq "$rounds"); do
	out_of_time 14000 "$i" && break
	# Each round from the same start, so that fsck stays quick.
	rm -rf "$TMP/imp.git"
	cp -a "$R" "$TMP/imp.git"
	before=$(tip "$TMP/imp.git")
	d=$(delay "$max")
	kill_after "$d" "$HOSO" -C "$TMP/imp.git" import organization "$TMP/rows.jsonl" --unit 026
	after=$(tip "$TMP/imp.git")
	fsck_clean "$TMP/imp.git" --no-dangling
	n=$(count "$TMP/imp.git" data/026/organization)
	if [ "$after" = "$before" ]; then
		[ "$killed" = 1 ] || fail "import $i (${d} ms) was not killed, exit $krc, and made no commit"
		[ "$n" = 3000 ] || fail "import $i (${d} ms): main unchanged, $n records"
		before_commit=$((before_commit + 1))
	else
		[ "$(git -C "$TMP/imp.git" rev-parse "$after^")" = "$before" ] || fail "import $i (${d} ms): main is not one commit on the old tip"
		[ "$n" = 6000 ] || fail "import $i (${d} ms): the commit has $((n - 3000)) of 3000 records"
		if [ "$killed" = 1 ]; then landed=$((landed + 1)); else finished=$((finished + 1)); fi
	fi
	litter "$TMP/imp.git"
	run -C "$TMP/imp.git" add organization --unit 030 "name=Sau lần ngắt $i" level=to_dang
	expect_rc 0 "an add after import $i was killed at ${d} ms"
	leftovers "$TMP/imp.git" "after import $i (${d} ms)"
	fsck_clean "$TMP/imp.git" --no-dangling
done
echo "import: $((before_commit + landed + finished)) rounds, $ms ms alone; kills at 0-$max ms: $before_commit before the commit, $landed after it, $finished too late; $littered left litter, cleaned by the next command ($((($(now_us) - t_phase) / 1000)) ms)"
t_phase=$(now_us) littered=0

# ---------------------------------------------------------------- sync
make_repo "$TMP/seed.git"
hub_start
hub_add_repo records "$TMP/seed.git"
hubrepo=$(hub_repo records)
url=$(hub_repo_url records)
HOSO_USER=clerk-026 HOSO_PASSWORD=pw-026 run clone "$url" "$TMP/a" --unit 026
expect_rc 0 "clone of a"
HOSO_USER=clerk-027 HOSO_PASSWORD=pw-027 run clone "$url" "$TMP/b" --unit 030
expect_rc 0 "clone of b"
[ -d "$TMP/a" ] && [ -d "$TMP/b" ] || finish
A() { HOSO_USER=clerk-026 HOSO_PASSWORD=pw-026 "$HOSO" -C "$TMP/a" "$@"; }
B() { HOSO_USER=clerk-027 HOSO_PASSWORD=pw-027 "$HOSO" -C "$TMP/b" "$@"; }
# b moves the hub and a has a commit of its own: a's sync fetches, merges, pushes.
prepare_sync() {
	B add organization "name=Chi bộ B $1" level=to_dang >/dev/null 2>&1 || fail "an add on b, round $1"
	B sync >/dev/null 2>"$TMP/b-sync" || fail "b's sync, round $1: $(cat "$TMP/b-sync")"
	A add organization "name=Chi bộ A $1" level=to_dang >/dev/null 2>&1 || fail "an add on a, round $1"
}
prepare_sync 0
t0=$(now_us)
A sync >/dev/null 2>&1 || fail "a's sync left alone"
ms=$((($(now_us) - t0) / 1000))
max=$(span "$ms")
merged=0 pushed=0 before_merge=0 finished=0
for i in $(seq "$rounds"); do
	out_of_time 26000 "$i" && break
	prepare_sync "$i"
	a_before=$(tip "$TMP/a")
	hub_before=$(tip "$hubrepo")
	d=$(delay "$max")
	kill_after "$d" env HOSO_USER=clerk-026 HOSO_PASSWORD=pw-026 "$HOSO" -C "$TMP/a" sync
	# The hub may still be taking in a push the client sent whole before it
	# died: its hook (hoso verify, slow under a sanitizer on a loaded machine)
	# runs while the objects wait in quarantine.
	for _ in $(seq 6000); do
		compgen -G "$hubrepo/objects/tmp_objdir-incoming-*" >/dev/null || break
		sleep 0.01
	done
	a_after=$(tip "$TMP/a")
	hub_after=$(tip "$hubrepo")
	fsck_clean "$TMP/a" --no-dangling
	fsck_clean "$hubrepo" --no-dangling
	# a: unchanged, or the merge of its tip and the hub's.
	if [ "$a_after" = "$a_before" ]; then
		before_merge=$((before_merge + 1))
	else
		[ "$(git -C "$TMP/a" rev-parse "$a_after^1" "$a_after^2" 2>/dev/null | tr '\n' ' ')" = "$a_before $hub_before " ] ||
			fail "sync $i (${d} ms): a's main is not the merge of its tip and the hub's"
		git -C "$TMP/a" grep -q "Chi bộ B $i\"" main -- data || fail "sync $i (${d} ms): the merge lacks b's record"
		git -C "$TMP/a" grep -q "Chi bộ A $i\"" main -- data || fail "sync $i (${d} ms): the merge lacks a's record"
		merged=$((merged + 1))
	fi
	# the hub: unchanged, or at a's merge.
	if [ "$hub_after" != "$hub_before" ]; then
		[ "$hub_after" = "$a_after" ] || fail "sync $i (${d} ms): the hub is at $hub_after, neither its old tip nor a's merge"
		pushed=$((pushed + 1))
	fi
	[ "$killed" = 0 ] && finished=$((finished + 1))
	# The next sync converges, with no cleanup.
	litter "$TMP/a"
	A sync >/dev/null 2>"$TMP/a-sync"
	rc=$?
	[ "$rc" = 0 ] || fail "a's sync after sync $i was killed at ${d} ms: exit $rc: $(cat "$TMP/a-sync")"
	leftovers "$TMP/a" "after sync $i (${d} ms)"
	[ "$(tip "$TMP/a")" = "$(tip "$hubrepo")" ] || fail "sync $i (${d} ms): a does not converge with the hub"
	git -C "$hubrepo" grep -q "Chi bộ A $i\"" main -- data || fail "sync $i (${d} ms): a's record did not reach the hub"
done
B sync >/dev/null 2>&1 || fail "b's last sync"
[ "$(tip "$TMP/b")" = "$(tip "$hubrepo")" ] || fail "b converges with the hub"
fsck_clean "$TMP/a" --no-dangling
fsck_clean "$TMP/b"
fsck_clean "$hubrepo" --no-dangling
echo "sync: $((before_merge + merged)) rounds, $ms ms alone; kills at 0-$max ms: $before_merge before the merge, $merged after it ($pushed pushed), $finished too late; $littered left litter, cleaned by the next command ($((($(now_us) - t_phase) / 1000)) ms)"
t_phase=$(now_us) littered=0

# ---------------------------------------------------------------- plugins
R="$TMP/plugin.git"
make_repo "$R"
export HOSO_PLUGIN_DIR="$TMP/plugins"
P="$HOSO_PLUGIN_DIR/good.so"
sha=$(sha256sum "$HOSO_TEST_PLUGIN_DIR/good.so" | cut -d' ' -f1)
# pin REPO: the sha256 hoso.json pins for 'good', or nothing.
# (hoso.json is canonical: one key a line, and 'good' is the only plugin.)
pin() {
	git -C "$1" show main:hoso.json | sed -n 's/^ *"sha256": "\([0-9a-f]*\)",\{0,1\}$/\1/p'
}
# plugin_state WHAT: the file is whole or absent; a pin has its file; the
# next commands work.
plugin_state() {
	local what=$1 p
	if [ -e "$P" ]; then
		[ "$(sha256sum "$P" | cut -d' ' -f1)" = "$sha" ] || fail "$what: good.so is there but not whole"
	fi
	p=$(pin "$R")
	if [ -n "$p" ]; then
		[ "$p" = "$sha" ] || fail "$what: the pin's hash is not the file's"
		[ -e "$P" ] || fail "$what: good.so is pinned but not installed"
	fi
	run -C "$R" plugin list --json
	expect_rc 0 "plugin list $what"
	run -C "$R" add organization --unit 030 "name=Sau $what" level=to_dang
	expect_rc 0 "an add $what"
	leftovers "$R" "$what"
	for p in "$HOSO_PLUGIN_DIR"/*; do
		[ -e "$p" ] || continue
		case ${p##*/} in
		good.so | good.so.tmp[0-9]*) ;;
		*) fail "$what: an unexpected file among the plugins: $p" ;;
		esac
	done
}
export HOSO_USER=admin
t0=$(now_us)
run -C "$R" plugin install "$HOSO_TEST_PLUGIN_DIR/good.so"
ms=$((($(now_us) - t0) / 1000))
expect_rc 0 "plugin install left alone"
max=$(span "$ms")
run -C "$R" plugin remove good
expect_rc 0 "plugin remove left alone"
pinned=0 copied=0 nothing=0 removed=0 unpinned=0 kept=0
for i in $(seq "$rounds"); do
	out_of_time 20000 "$i" && break
	d=$(delay "$max")
	kill_after "$d" "$HOSO" -C "$R" plugin install "$HOSO_TEST_PLUGIN_DIR/good.so"
	if [ -n "$(pin "$R")" ]; then pinned=$((pinned + 1)); elif [ -e "$P" ]; then copied=$((copied + 1)); else nothing=$((nothing + 1)); fi
	fsck_clean "$R" --no-dangling
	litter "$R"
	plugin_state "after plugin install $i was killed at ${d} ms"
	# Finish it, then kill a removal.
	run -C "$R" plugin install "$HOSO_TEST_PLUGIN_DIR/good.so"
	expect_rc 0 "plugin install after install $i was killed"
	d=$(delay "$max")
	kill_after "$d" "$HOSO" -C "$R" plugin remove good
	if [ -z "$(pin "$R")" ] && [ ! -e "$P" ]; then removed=$((removed + 1)); elif [ -z "$(pin "$R")" ]; then unpinned=$((unpinned + 1)); else kept=$((kept + 1)); fi
	fsck_clean "$R" --no-dangling
	litter "$R"
	plugin_state "after plugin remove $i was killed at ${d} ms"
	run -C "$R" plugin remove good
	expect_rc 0 "plugin remove after remove $i was killed"
done
unset HOSO_USER
fsck_clean "$R" --no-dangling
echo "plugin install: $((nothing + copied + pinned)) rounds, $ms ms alone; kills at 0-$max ms: $nothing left nothing, $copied copied the file, $pinned pinned it"
echo "plugin remove: $kept left it pinned, $unpinned unpinned it, $removed removed it; $littered kills of either left litter, cleaned by the next command ($((($(now_us) - t_phase) / 1000)) ms with the installs)"
echo "crash: seed $seed, $((($(now_us) - t_start) / 1000)) ms"
[ "$failures" = 0 ] || echo "reproduce with CRASH_SEED=$seed" >&2
finish
