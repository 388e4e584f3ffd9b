#!/bin/bash
# Sync through a real hub: lighttpd + git http-backend with Basic auth on
# 127.0.0.1. Clone, exchange, a wrong password, the hub stopped, the hub
# hung (the watchdog), two replicas pushing at the same moment.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"
make_repo "$TMP/seed.git"
hub_start
hub_add_repo records "$TMP/seed.git"
url=$(hub_repo_url records)
H() { "$HOSO" "$@"; }

# Clone with the user in the URL and the password from the environment; the
# password is not stored.
export HOSO_PASSWORD=pw-026
run clone "${url/http:\/\//http://clerk-026@}" "$TMP/a" --unit 026
expect_rc 0 "clone over HTTP"
grep -rq "pw-026" "$TMP/a/config" && fail "the password is stored in the replica"
# The password in the URL itself is used, and not stored either.
unset HOSO_PASSWORD
run clone "$(hub_url_for clerk-027 pw-027 records)" "$TMP/b" --unit 030
expect_rc 0 "clone with userinfo"
grep -q "pw-027" "$TMP/b/config" && fail "the password from the URL is stored"
git -C "$TMP/b" config remote.origin.url | grep -q '^http://clerk-027@127.0.0.1' || fail "the user stays in the URL"

# Work on both sides; both sync; all converge on the hub.
ida=$(H -C "$TMP/a" add organization "name=Chi bộ A" level=to_dang)
idb=$(H -C "$TMP/b" add organization "name=Chi bộ B" level=to_dang)
HOSO_PASSWORD=pw-026 run -C "$TMP/a" sync; expect_rc 0 "sync a"
HOSO_PASSWORD=pw-027 run -C "$TMP/b" sync; expect_rc 0 "sync b"
HOSO_PASSWORD=pw-026 run -C "$TMP/a" sync; expect_rc 0 "sync a again"
hubrepo=$(hub_repo records)
[ "$(git -C "$TMP/a" rev-parse main)" = "$(git -C "$hubrepo" rev-parse main)" ] || fail "a has the hub's main"
git -C "$hubrepo" grep -q "Chi bộ A" main -- data || fail "a's record reached the hub"
git -C "$hubrepo" grep -q "Chi bộ B" main -- data || fail "b's record reached the hub"

# A wrong password fails once, quickly, with a clear message, and keeps the work.
H -C "$TMP/a" add organization "name=Chi bộ chờ" level=to_dang >/dev/null 2>&1
t0=${EPOCHREALTIME/./}
HOSO_PASSWORD=wrong run -C "$TMP/a" sync
t1=${EPOCHREALTIME/./}
expect_rc 4 "a wrong password"
expect_err "refused the user or password" "the message says why"
[ $(((t1 - t0) / 1000)) -lt 5000 ] || fail "a wrong password took $(((t1 - t0) / 1000)) ms"
printf '%s' "$err" | grep -q "wrong" && fail "the password is echoed"

# The hub stopped: exit 3, the commit kept; the next sync delivers it.
hub_stop
HOSO_PASSWORD=pw-026 run -C "$TMP/a" sync
expect_rc 3 "sync with the hub stopped"
expect_err "1 commit waits to be sent" "the waiting commit is counted"
hub_start
HOSO_PASSWORD=pw-026 run -C "$TMP/a" sync
expect_rc 0 "sync when the hub is back"
git -C "$hubrepo" grep -q "Chi bộ chờ" main -- data || fail "the kept commit reached the hub"

# The hub hung: the watchdog ends the sync at the deadline, exit 3.
H -C "$TMP/a" add organization "name=Chi bộ treo" level=to_dang >/dev/null 2>&1
hub_pause
t0=${EPOCHREALTIME/./}
HOSO_PASSWORD=pw-026 run -C "$TMP/a" sync --timeout 2
t1=${EPOCHREALTIME/./}
hub_resume
expect_rc 3 "sync with the hub hung"
expect_err "did not answer within 2 s" "the watchdog says so"
ms=$(((t1 - t0) / 1000))
[ "$ms" -ge 1900 ] && [ "$ms" -lt 6000 ] || fail "the watchdog fired after $ms ms"
HOSO_PASSWORD=pw-026 run -C "$TMP/a" sync
expect_rc 0 "sync after the hang"

# Two replicas pushing at the same moment: both land, nothing lost.
for i in 1 2 3; do
	H -C "$TMP/a" add organization "name=Đua A$i" level=to_dang >/dev/null 2>&1
	H -C "$TMP/b" add organization "name=Đua B$i" level=to_dang >/dev/null 2>&1
	HOSO_PASSWORD=pw-026 "$HOSO" -C "$TMP/a" sync >/dev/null 2>"$TMP/ra" &
	pa=$!
	HOSO_PASSWORD=pw-027 "$HOSO" -C "$TMP/b" sync >/dev/null 2>"$TMP/rb" &
	pb=$!
	wait $pa || fail "racing sync a, round $i: $(cat "$TMP/ra")"
	wait $pb || fail "racing sync b, round $i: $(cat "$TMP/rb")"
done
HOSO_PASSWORD=pw-026 H -C "$TMP/a" sync >/dev/null 2>&1
HOSO_PASSWORD=pw-027 H -C "$TMP/b" sync >/dev/null 2>&1
for i in 1 2 3; do
	for s in A B; do
		git -C "$hubrepo" grep -q "Đua $s$i" main -- data || fail "Đua $s$i is on the hub"
	done
done
[ "$(git -C "$TMP/a" rev-parse 'main^{tree}')" = "$(git -C "$TMP/b" rev-parse 'main^{tree}')" ] || fail "a and b converge"

# The git CLI clones the hub; everything is sound.
git clone -q "$(hub_url_for admin admin-pw records)" "$TMP/cli" || fail "git clone of the hub"
fsck_clean "$TMP/cli"
fsck_clean "$hubrepo"
fsck_clean "$TMP/a"
fsck_clean "$TMP/b"
finish
