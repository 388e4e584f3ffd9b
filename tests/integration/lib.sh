# Shared by the integration tests: a scratch home with a git identity, a
# fresh repository, and assertions on what a user sees.
set -u

: "${HOSO:?HOSO must name the hoso program}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hoso-test.XXXXXX")
# KEEP_TMP=1 keeps the scratch directory (and a hub's logs) to look at after a failure.
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT
export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C.UTF-8
mkdir -p "$HOME"
git config --global user.name "Thư ký Thử"
git config --global user.email "clerk@example.invalid"
git config --global init.defaultBranch main

failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# make_repo DIR: a province repository with units 02, 030 and 026, and in
# 030 the cell CELL that member_fields' members belong to.
CELL=01HQ8Z5K3V0000000000000000
make_repo() {
	printf '{"units": [{"code": "030", "name": "Huyện Vị Xuyên"}, {"code": "026", "name": "Huyện Đồng Văn"}]}\n' > "$TMP/units.json"
	printf '{"id": "%s", "type": "organization", "name": "Chi bộ thôn Thượng", "level": "chi_bo_co_so", "sector": "thon_ban"}\n' "$CELL" > "$TMP/cell.json"
	"$HOSO" init "$1" --province 02 --name "Tỉnh Hà Giang" --units "$TMP/units.json" 2>/dev/null &&
		"$HOSO" -C "$1" add organization --unit 030 --file "$TMP/cell.json" >/dev/null 2>&1 ||
		{ echo "cannot make a repository" >&2; exit 1; }
}

# run CMD...: run hoso, keeping stdout in $out, stderr in $err and the exit code in $rc.
run() {
	out=$("$HOSO" "$@" 2>"$TMP/stderr")
	rc=$?
	err=$(cat "$TMP/stderr")
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "$2: exit $rc, expected $1 (stderr: $err)"
}

expect_err() {
	printf '%s' "$err" | grep -qiF -- "$1" || fail "$2: stderr lacks '$1': $err"
}

tip() {
	git -C "$1" rev-parse main
}

# fsck_clean REPO [--no-dangling]: git fsck --strict exits 0 and says nothing
# (a write killed after its pack but before its ref leaves harmless dangling
# objects: the second argument allows them).
fsck_clean() {
	git -C "$1" fsck --strict --no-progress ${2:-} >"$TMP/fsck" 2>&1 || fail "git fsck --strict: $(cat "$TMP/fsck")"
	! grep -q . "$TMP/fsck" || fail "git fsck --strict reported: $(cat "$TMP/fsck")"
}

# member_fields CITIZEN-ID [SED]: a valid member's fields in the array MF,
# each field passed through the sed expression SED if given.
member_fields() {
	local f
	MF=()
	for f in "full_name=Nguyễn Văn An" gender=nam birth_date=1980-05-02 ethnicity=01 \
		"citizen_id=$1" admission_date=2005-03-01 official_date=2006-03-01 \
		membership=chinh_thuc status=dang_sinh_hoat cell_id=$CELL; do
		[ -n "${2:-}" ] && f=$(printf '%s' "$f" | sed "$2")
		[ -n "$f" ] && MF+=("$f")
	done
}

# serve_start REPO [VAR=VALUE...]: 'hoso serve --port 0' on REPO in the
# background, with the variables given and no LANGUAGE (its pages are then
# Vietnamese); sets pid (stopped when the test exits) and url (its address,
# checked: the test ends if it did not start).
serve_start() {
	local repo=$1 _
	shift
	rm -f "$TMP/url"
	env -u LANGUAGE "$@" "$HOSO" -C "$repo" serve --port 0 >"$TMP/url" 2>"$TMP/serve.err" &
	pid=$!
	# Once: it stops whichever server $pid is, then runs the trap before it
	# (lib.sh's, and hub.sh's when a hub was started).
	if [ -z "${serve_trap:-}" ]; then
		local prev
		prev=$(trap -p EXIT)
		eval "local -a words=(${prev:-x x :})"
		# shellcheck disable=SC2064
		trap "kill \"\$pid\" 2>/dev/null; wait \"\$pid\" 2>/dev/null; ${words[2]}" EXIT
	fi
	serve_trap=1
	for _ in $(seq 50); do
		[ -s "$TMP/url" ] && break
		sleep 0.1
	done
	url=$(head -1 "$TMP/url")
	[[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+/$ ]] || {
		echo "FAIL: serve prints its address: '$url' ($(cat "$TMP/serve.err"))" >&2
		exit 1
	}
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed" >&2
		exit 1
	fi
	echo "ok"
}
