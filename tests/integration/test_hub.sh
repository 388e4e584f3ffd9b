#!/bin/bash
# The test hub (hub.sh) works as the sync tests need it, driven by the real
# git CLI: reads and pushes need a user, pushes land, rewrites and deletions
# are refused, a paused hub hangs its clients, a closed port refuses at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"

# g ARGS...: run git like lib.sh's run runs hoso ($out, $err, $rc).
g() {
	out=$(git "$@" 2>"$TMP/stderr")
	rc=$?
	err=$(cat "$TMP/stderr")
}

# new_commit REPO MESSAGE: a commit on main adding one file, made with
# plumbing; prints it.
new_commit() {
	local blob tree c
	blob=$(printf '%s\n' "$2" | git -C "$1" hash-object -w --stdin) &&
		tree=$({
			git -C "$1" ls-tree -z main
			printf '100644 blob %s\tnote-%s.txt\0' "$blob" "$RANDOM$RANDOM"
		} | git -C "$1" mktree -z) &&
		c=$(git -C "$1" commit-tree -p main -m "$2" "$tree") &&
		git -C "$1" update-ref refs/heads/main "$c" &&
		echo "$c"
}

# raw_post PATH: the status line lighttpd answers to an unauthenticated POST.
raw_post() {
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$HUB_PORT" || return 1
	printf 'POST %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/x-git-receive-pack-request\r\nContent-Length: 4\r\n\r\n0000' "$1" >&3
	IFS= read -r -t 5 line <&3
	exec 3<&-
	printf '%s' "${line%$'\r'}"
}

# elapsed_ms START: milliseconds since START (an $EPOCHREALTIME).
elapsed_ms() {
	local now=${EPOCHREALTIME/./} start=${1/./}
	echo $(((now - start) / 1000))
}

make_repo "$TMP/r.git"
t0=$EPOCHREALTIME
hub_start province
echo "hub_start: $(elapsed_ms "$t0") ms, $HUB_URL (pid $HUB_PID)"
hub_add_repo records "$TMP/r.git"
hub=$(hub_repo records)
base=$(tip "$hub")
git -C "$hub" merge-base --is-ancestor "$(tip "$TMP/r.git")" "$base" ||
	fail "the hub's copy has the source's main"
for key in receive.denyNonFastForwards receive.denyDeletes core.logAllRefUpdates http.receivepack; do
	[ "$(git -C "$hub" config --bool "$key")" = true ] || fail "the hub repository sets $key"
done
for f in users lighttpd.conf repos run www tmp; do
	[ -e "$HUB_DIR/$f" ] || fail "the hub has $f"
done

# Reads need a user.
g ls-remote "$(hub_repo_url records)"
expect_rc 128 "anonymous ls-remote"
expect_err "terminal prompts disabled" "anonymous ls-remote"
g ls-remote "$(hub_url_for clerk-026 wrong-pw records)"
expect_rc 128 "ls-remote with a wrong password"
expect_err "Authentication failed" "ls-remote with a wrong password"

# Clones with a user.
g clone -q --bare "$(hub_url_for clerk-026 pw-026 records)" "$TMP/c026.git"
expect_rc 0 "clerk-026 clones"
[ "$(tip "$TMP/c026.git")" = "$base" ] || fail "the clone has the hub's main"
g clone -q --bare "$(hub_url_for clerk-027 pw-027 records)" "$TMP/c027.git"
expect_rc 0 "clerk-027 clones"

# An unauthenticated push is refused and changes nothing.
c1=$(new_commit "$TMP/c026.git" "clerk 026: one record") || fail "cannot make a commit"
g -C "$TMP/c026.git" push "$(hub_repo_url records)" main
expect_rc 128 "anonymous push"
expect_err "terminal prompts disabled" "anonymous push"
[ "$(tip "$hub")" = "$base" ] || fail "an anonymous push changed the hub"
status=$(raw_post /git/records.git/git-receive-pack)
[ "${status#HTTP/1.* }" = "401 Unauthorized" ] || fail "an anonymous POST to git-receive-pack: '$status'"

# A push by clerk-026 lands, and the hub knows who pushed it.
g -C "$TMP/c026.git" push origin main
expect_rc 0 "clerk-026 pushes"
[ "$(tip "$hub")" = "$c1" ] || fail "clerk-026's commit is the hub's main"
who=$(git -C "$hub" reflog show -1 --format=%gn main)
[ "$who" = clerk-026 ] || fail "the hub's reflog names the pusher: '$who'"

# A non-fast-forward push is refused: by git itself unless forced, by the
# hub when forced.
c2=$(new_commit "$TMP/c027.git" "clerk 027: one record") || fail "cannot make a commit"
g -C "$TMP/c027.git" push origin main
expect_rc 1 "stale push"
expect_err "[rejected]" "stale push"
g -C "$TMP/c027.git" push --force origin main
expect_rc 1 "forced non-fast-forward push"
expect_err "[remote rejected] main -> main (non-fast-forward)" "forced non-fast-forward push"
[ "$(tip "$hub")" = "$c1" ] || fail "a non-fast-forward push changed the hub"
g -C "$TMP/c027.git" push origin :main
expect_rc 1 "deleting main"
expect_err "deletion prohibited" "deleting main"
[ "$(tip "$hub")" = "$c1" ] || fail "a deletion changed the hub"
# clerk-027 merges the hub's main and pushes: that lands.
g -C "$TMP/c027.git" fetch -q origin main
m=$(git -C "$TMP/c027.git" commit-tree -p "$c2" -p FETCH_HEAD -m "merge" "$(git -C "$TMP/c027.git" merge-tree --write-tree "$c2" FETCH_HEAD)") ||
	fail "cannot merge"
git -C "$TMP/c027.git" update-ref refs/heads/main "$m"
g -C "$TMP/c027.git" push origin main
expect_rc 0 "clerk-027 pushes a merge"
[ "$(tip "$hub")" = "$m" ] || fail "clerk-027's merge is the hub's main"

# Anonymous reads, when asked for, still leave pushes to users.
hub_stop
HUB_ANON_READ=1 hub_start province
g ls-remote "$(hub_repo_url records)"
expect_rc 0 "anonymous ls-remote with HUB_ANON_READ=1"
new_commit "$TMP/c027.git" "clerk 027: another" >/dev/null || fail "cannot make a commit"
g -C "$TMP/c027.git" push "$(hub_repo_url records)" main
expect_rc 128 "anonymous push with HUB_ANON_READ=1"
status=$(raw_post /git/records.git/git-receive-pack)
[ "${status#HTTP/1.* }" = "401 Unauthorized" ] || fail "an anonymous POST with HUB_ANON_READ=1: '$status'"
[ "$(tip "$hub")" = "$m" ] || fail "an anonymous push changed the hub"
hub_stop
hub_start province

# A paused hub accepts connections but never answers: git hangs until killed.
hub_pause
t0=$EPOCHREALTIME
out=$(timeout 3 git ls-remote "$(hub_url_for admin admin-pw records)" 2>"$TMP/stderr")
rc=$? err=$(cat "$TMP/stderr")
ms=$(elapsed_ms "$t0")
echo "ls-remote on a paused hub: killed after $ms ms"
expect_rc 124 "ls-remote on a paused hub"
[ "$ms" -ge 2900 ] || fail "ls-remote on a paused hub ended after $ms ms"
hub_resume
g ls-remote "$(hub_url_for admin admin-pw records)" refs/heads/main
expect_rc 0 "ls-remote after hub_resume"
[ "${out%%$'\t'*}" = "$m" ] || fail "ls-remote after hub_resume: '$out'"

# A closed port refuses at once.
closed=$(hub_closed_url records)
port=${closed#http://127.0.0.1:}
port=${port%%/*}
probe=$( (: <>"/dev/tcp/127.0.0.1/$port") 2>&1)
printf '%s' "$probe" | grep -q "Connection refused" || fail "hub_closed_url's port refuses: $probe"
t0=$EPOCHREALTIME
out=$(timeout 10 git ls-remote "$closed" 2>"$TMP/stderr")
rc=$? err=$(cat "$TMP/stderr")
ms=$(elapsed_ms "$t0")
echo "ls-remote on a closed port: $ms ms"
expect_rc 128 "ls-remote on a closed port"
expect_err "Failed to connect to 127.0.0.1 port $port" "ls-remote on a closed port"
[ "$ms" -lt 1000 ] || fail "ls-remote on a closed port took $ms ms"

# A stopped hub refuses too, and hub_start brings it back on the same URL.
url=$HUB_URL
hub_stop
g ls-remote "$(hub_url_for admin admin-pw records)"
expect_rc 128 "ls-remote on a stopped hub"
expect_err "Failed to connect" "ls-remote on a stopped hub"
hub_start province
[ "$HUB_URL" = "$url" ] || fail "a restarted hub keeps its URL: $HUB_URL, was $url"
g ls-remote "$(hub_url_for province province-pw records)"
expect_rc 0 "ls-remote on a restarted hub"

fsck_clean "$hub"
finish
