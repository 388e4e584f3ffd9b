#!/bin/bash
# The Debian package: cpack makes it from the build tree; its control fields
# and file list hold what packaging/CMakeLists.txt says; unpacked anywhere
# with dpkg -x, its hoso runs with no HOSO_* variable and finds its schemas,
# plugins and messages in the unpacked tree, not in the build tree; its
# systemd user units pass systemd-analyze verify, and the service's command
# sends a replica's work when the hub is there and exits 3 (a success for the
# unit) when it is not.
#
# The build tree is the one $HOSO was built in (<build>/cli/hoso), or
# HOSO_BUILD_DIR.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${HOSO_BUILD_DIR:-$(cd "$(dirname "$(realpath "$HOSO")")/.." && pwd)}
[ -f "$BUILD/CPackConfig.cmake" ] ||
	{ echo "no CPackConfig.cmake in '$BUILD' (set HOSO_BUILD_DIR to hoso's build tree)" >&2; exit 1; }
for t in cpack dpkg dpkg-deb gzip; do
	command -v "$t" >/dev/null || { echo "'$t' is needed (cmake, dpkg, gzip)" >&2; exit 1; }
done
skip() { echo "skip: $*"; }

# --- cpack, in a directory of its own: nothing is installed on the machine.
start=$(date +%s%N)
(cd "$TMP" && cpack -G DEB -B "$TMP/pkg" --config "$BUILD/CPackConfig.cmake") >"$TMP/cpack.log" 2>&1 ||
	{ fail "cpack: $(tail -20 "$TMP/cpack.log")"; finish; }
echo "cpack: $((($(date +%s%N) - start) / 1000000)) ms"
version=$("$HOSO" --version | sed -n 's/^hoso //p')
arch=$(dpkg --print-architecture)
deb="$TMP/pkg/hoso_${version}_${arch}.deb"
[ -f "$deb" ] || { fail "no $(basename "$deb") in: $(ls "$TMP/pkg")"; finish; }
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

# --- Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = hoso ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: '$(field Version)', the program says $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
[ "$(field Section)" = utils ] || fail "Section: '$(field Section)'"
[ "$(field Priority)" = optional ] || fail "Priority: '$(field Priority)'"
[[ "$(field Maintainer)" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] || fail "Maintainer: '$(field Maintainer)'"
[ -z "$(field Homepage)" ] || fail "a Homepage: $(field Homepage)"
depends=$(field Depends)
echo "Depends: $depends"
for lib in 'libgit2-[0-9.]+ \(>= [^)]+\)' 'libjansson4 \(>= [^)]+\)' 'libc6 \(>= [^)]+\)'; do
	[[ ", $depends," =~ ,\ $lib, ]] || fail "Depends lacks $lib (dpkg-shlibdeps): $depends"
done
[[ ", $depends," == *", git"[,\ ]* ]] && fail "git is a Depends; hoso never runs it: $depends"
[[ ", $(field Recommends)," == *", git,"* ]] || fail "Recommends lacks git: $(field Recommends)"
field Description | sed -n 1p | grep -qi "records" || fail "Description: $(field Description | head -1)"
[ "$(field Description | wc -l)" -ge 3 ] || fail "the Description has no long part"
dpkg-deb -I "$deb" >"$TMP/info" || fail "dpkg-deb -I"
grep -q '^ *[0-9]* bytes, *[0-9]* lines *md5sums' "$TMP/info" || fail "no md5sums: $(cat "$TMP/info")"

# --- The file list: every file named in packaging/CMakeLists.txt, root's, in
# mode 0644 but the program and the hook (0755), directories 0755, all under
# /usr (none in /usr/local).
dpkg-deb -c "$deb" >"$TMP/list" || fail "dpkg-deb -c"
files=$(awk '$1 ~ /^-/ {print $6}' "$TMP/list")
# has MODE PATH-REGEX: a regular file of that mode at exactly one such path.
has() {
	local n
	n=$(M="$1" RE="^\\./$2\$" awk '$1 == ENVIRON["M"] && $6 ~ ENVIRON["RE"]' "$TMP/list" | wc -l)
	[ "$n" = 1 ] || fail "the package has $n files $1 ./$2 (a regular expression): $(grep -F "$(basename "${2//\\/}")" "$TMP/list")"
}
has -rwxr-xr-x usr/bin/hoso
plugin_dir=$(printf '%s\n' "$files" | sed -n 's|^\./\(usr/lib/\(.*/\)\{0,1\}hoso/plugins\)/vn-identity\.so$|\1|p')
[ -n "$plugin_dir" ] || fail "no vn-identity.so under usr/lib/[...]/hoso/plugins"
libdir=${plugin_dir%/hoso/plugins}
n=0
for so in "$BUILD"/plugins/builtin/*.so; do
	has -rw-r--r-- "$plugin_dir/$(basename "$so")"
	n=$((n + 1))
done
[ "$n" -ge 7 ] || fail "only $n built-in plugins in $BUILD/plugins/builtin"
[ "$(printf '%s\n' "$files" | grep -c "^\./$plugin_dir/")" = "$n" ] ||
	fail "the package's plugins are not the $n built: $(grep -F /plugins/ "$TMP/list")"
for s in "$SRC"/schemas/*.schema.json; do
	has -rw-r--r-- "usr/share/hoso/schemas/$(basename "$s")"
done
has -rw-r--r-- usr/include/hoso/plugin\\.h
has -rw-r--r-- "$libdir/pkgconfig/hoso-plugin\\.pc"
pages=$(cd "$SRC/packaging" && ls man/*.1 2>/dev/null)
[ -n "$pages" ] || skip "no packaging/man/*.1 yet: no man page to look for"
for p in $pages; do
	has -rw-r--r-- "usr/share/man/man1/$(basename "$p")\\.gz"
done
if [ -f "$SRC/packaging/completion/hoso" ]; then
	has -rw-r--r-- usr/share/bash-completion/completions/hoso
else
	skip "no packaging/completion/hoso yet: the completion is not looked for"
fi
has -rwxr-xr-x usr/share/hoso/hooks/pre-receive
has -rw-r--r-- usr/share/hoso/hooks/README\\.md
for f in gitlab-ci.yml gitea-actions.yml README.md; do
	has -rw-r--r-- "usr/share/hoso/ci/$f"
done
has -rw-r--r-- 'usr/lib/systemd/user/hoso-sync@\.service'
has -rw-r--r-- 'usr/lib/systemd/user/hoso-sync@\.timer'
has -rw-r--r-- usr/share/doc/hoso/copyright
if [ -d "$SRC/po" ]; then
	has -rw-r--r-- usr/share/locale/vi/LC_MESSAGES/hoso\\.mo
else
	skip "no po/ yet: the message catalog is not looked for"
fi
awk '$2 != "root/root"' "$TMP/list" | grep . && fail "files not root's"
awk '$1 ~ /^d/ && $1 != "drwxr-xr-x"' "$TMP/list" | grep . && fail "directories not 0755"
awk '$1 ~ /^-/ && $1 != "-rw-r--r--" && $6 != "./usr/bin/hoso" && $6 != "./usr/share/hoso/hooks/pre-receive"' "$TMP/list" |
	grep . && fail "files that should be 0644"
awk '$6 !~ /^\.\/(usr\/.*)?$/ || $6 ~ /^\.\/usr\/local\//' "$TMP/list" | grep . && fail "files outside /usr"

# --- Unpacked anywhere.
dpkg -x "$deb" "$TMP/root" || { fail "dpkg -x"; finish; }
for p in $pages; do
	gzip -t "$TMP/root/usr/share/man/man1/$(basename "$p").gz" || fail "$p: not gzip"
	cmp -s <(gzip -dc "$TMP/root/usr/share/man/man1/$(basename "$p").gz") "$SRC/packaging/$p" ||
		fail "$p: the package's page is not the source's"
done
cmp -s "$TMP/root/usr/share/hoso/hooks/pre-receive" "$SRC/packaging/hooks/pre-receive" || fail "the hook differs"
# Packaged files are the build's, stripped: the program has no symbol table.
file "$TMP/root/usr/bin/hoso" | grep -q ', stripped' || fail "the program is not stripped: $(file "$TMP/root/usr/bin/hoso")"

# pkg ROOT ARGS...: ROOT's hoso with no HOSO_* variable (nor anything else
# from this environment but a home, a PATH, the locale and, under
# tests/sanitize.sh, the sanitizers' settings).
clean=(env -i HOME="$HOME" PATH=/usr/bin:/bin GIT_CONFIG_NOSYSTEM=1
	${ASAN_OPTIONS+"ASAN_OPTIONS=$ASAN_OPTIONS"} ${LSAN_OPTIONS+"LSAN_OPTIONS=$LSAN_OPTIONS"}
	${UBSAN_OPTIONS+"UBSAN_OPTIONS=$UBSAN_OPTIONS"})
pkg() {
	local root=$1
	shift
	out=$("${clean[@]}" LC_ALL=C.UTF-8 "$root/usr/bin/hoso" "$@" 2>"$TMP/stderr")
	rc=$?
	err=$(cat "$TMP/stderr")
}
pkg "$TMP/root" --version
expect_rc 0 "--version"
[ "$out" = "hoso $version" ] || fail "--version says '$out'"

# init copies the schemas: the unpacked ones, byte for byte.
printf '{"units": [{"code": "030", "name": "Huyện Vị Xuyên"}, {"code": "026", "name": "Huyện Đồng Văn"}]}\n' >"$TMP/units.json"
R="$TMP/r.git"
pkg "$TMP/root" init "$R" --province 02 --name "Tỉnh Hà Giang" --units "$TMP/units.json"
expect_rc 0 "init"
for s in "$TMP"/root/usr/share/hoso/schemas/*.schema.json; do
	git -C "$R" show "main:schemas/$(basename "$s")" 2>/dev/null | cmp -s - "$s" ||
		fail "init did not copy the package's $(basename "$s")"
done
fsck_clean "$R"

# The built-in plugins are the unpacked ones.
pkg "$TMP/root" -C "$R" plugin list --json
expect_rc 0 "plugin list"
printf '%s' "$out" >"$TMP/plugins.json"
python3 - "$TMP/plugins.json" "$TMP/root/$plugin_dir" "$n" <<'EOF' || fail "plugin list: $out"
import json, os, sys
plugins, where, n = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
builtin = [p for p in plugins if p["from"] == "built-in"]
assert len(builtin) == n, [p["name"] for p in builtin]
for p in builtin:
    assert os.path.dirname(p["path"]) == where, (p["path"], where)
EOF

# A member whose citizen id the schema lets through (12 digits) and the
# built-in vn-identity validator refuses: 999 is no province's code.
printf '{"id": "%s", "type": "organization", "name": "Chi bộ thôn Thượng", "level": "chi_bo_co_so", "sector": "thon_ban"}\n' "$CELL" >"$TMP/cell.json"
pkg "$TMP/root" -C "$R" add organization --unit 030 --file "$TMP/cell.json"
expect_rc 0 "add the cell"
member_fields 999080001234
pkg "$TMP/root" -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 1 "a citizen id of no province"
expect_err "'999080001234' starts with '999', which is not a province code [vn-identity/citizen-id]" "vn-identity's refusal"

# Moved elsewhere, with one schema marked: the moved program copies the
# moved (marked) schema and loads the moved plugins, so each is found from
# the program's own path, not from the build tree or the first root.
mkdir -p "$TMP/elsewhere" && cp -a "$TMP/root" "$TMP/elsewhere/root" || fail "copy the root"
M="$TMP/elsewhere/root"
sed -i 's/^  "title": "\(.*\)",$/  "title": "\1 [moved]",/' "$M/usr/share/hoso/schemas/member.schema.json"
grep -q '\[moved\]' "$M/usr/share/hoso/schemas/member.schema.json" || fail "cannot mark the member schema"
pkg "$M" init "$TMP/m.git" --province 02 --name "Tỉnh Hà Giang" --units "$TMP/units.json"
expect_rc 0 "init from the moved root"
git -C "$TMP/m.git" show main:schemas/member.schema.json 2>/dev/null | grep -q '\[moved\]' ||
	fail "the moved program did not copy the moved root's schema"
pkg "$M" -C "$TMP/m.git" plugin list
grep -q "built-in.* $M/$plugin_dir/vn-identity\.so\$" <<<"$out" || fail "the moved program's plugins: $out"
rm "$M/$plugin_dir/vn-identity.so"
pkg "$M" -C "$TMP/m.git" plugin list
grep -q "vn-identity" <<<"$out$err" && fail "a plugin taken from somewhere else than the moved root: $out"

# Messages: the package's catalog, under a Vietnamese locale, says what the
# build's says; without the catalog in the moved root, English.
if [ ! -d "$SRC/po" ]; then
	skip "no po/ yet: the messages are not tried"
elif ! mkdir -p "$TMP/locale" || ! localedef -i vi_VN -f UTF-8 "$TMP/locale/vi_VN.UTF-8" 2>/dev/null; then
	skip "cannot make a vi_VN.UTF-8 locale: the messages are not tried"
else
	# Under tests/sanitize.sh, no leak check here: libp11-kit's constructor
	# leaks glibc's newlocale() under a locale other than C's (libcurl loads
	# it), which is not what this test is about.
	vi() {
		"${clean[@]}" ${ASAN_OPTIONS+"ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0"} \
			LOCPATH="$TMP/locale" LANG=vi_VN.UTF-8 LANGUAGE=vi "$@" 2>&1
	}
	want=$(vi "$HOSO" -C "$R" show not-an-id)
	if [ "$want" = "$(LC_ALL=C.UTF-8 "$HOSO" -C "$R" show not-an-id 2>&1)" ]; then
		skip "the build's catalog does not translate this message yet: the messages are not tried"
	else
		got=$(vi "$TMP/root/usr/bin/hoso" -C "$R" show not-an-id)
		[ "$got" = "$want" ] || fail "the package says '$got' in Vietnamese, the build '$want'"
		rm "$M/usr/share/locale/vi/LC_MESSAGES/hoso.mo"
		got=$(vi "$M/usr/bin/hoso" -C "$R" show not-an-id)
		[ "$got" != "$want" ] || fail "without its catalog, the moved program still speaks Vietnamese: the catalog came from elsewhere"
	fi
fi

# --- The systemd user units.
U="$TMP/root/usr/lib/systemd/user"
for f in hoso-sync@.service hoso-sync@.timer; do
	grep -qF 'systemctl --user enable --now hoso-sync@$(systemd-escape --path ~/hoso-026).timer' "$U/$f" ||
		fail "$f does not say how to enable it"
done
unit() { sed -n "s/^$1=//p" "$U/$2"; }
[ "$(unit Type hoso-sync@.service)" = oneshot ] || fail "the service is not oneshot"
[ "$(unit ExecStart hoso-sync@.service)" = "hoso -C %f sync" ] || fail "ExecStart: $(unit ExecStart hoso-sync@.service)"
[[ " $(unit SuccessExitStatus hoso-sync@.service) " == *" 3 "* ]] || fail "exit 3 is not a success of the service"
[ -n "$(unit OnUnitActiveSec hoso-sync@.timer)" ] || fail "the timer does not repeat"
if command -v systemd-analyze >/dev/null; then
	# Without a running user manager, --user needs only a runtime directory;
	# the command is checked as the package's program (systemd would look for
	# 'hoso' in its own fixed PATH, /usr/bin among it), and man pages are not
	# looked for (they are not installed on this machine).
	mkdir -p "$TMP/units" "$TMP/run" && chmod 700 "$TMP/run"
	cp "$U"/hoso-sync@.* "$TMP/units/"
	sed -i "s|^ExecStart=hoso |ExecStart=$TMP/root/usr/bin/hoso |" "$TMP/units/hoso-sync@.service"
	XDG_RUNTIME_DIR="$TMP/run" systemd-analyze verify --user --man=no \
		"$TMP/units/hoso-sync@.service" "$TMP/units/hoso-sync@.timer" >"$TMP/verify" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$TMP/verify")"
	# It warns of what it ignores (an unknown key, a bad time) and exits 0.
	! grep . "$TMP/verify" || fail "systemd-analyze verify said something"
else
	skip "no systemd-analyze: the units are not verified"
fi

# The service's command, %f a replica: with its hub (a local path) there, it
# sends the replica's commit; with the hub unreachable (a closed port on
# 127.0.0.1), it exits 3 and keeps the commit.
sync_cmd() { # the ExecStart line, for the package's program and replica $1
	local cmd words
	cmd=$(unit ExecStart hoso-sync@.service)
	read -ra words <<<"${cmd#hoso }"
	pkg "$TMP/root" "${words[@]//%f/$1}"
}
pkg "$TMP/root" clone "$R" "$TMP/replica.git" --unit 026
expect_rc 0 "clone"
member_fields 002080001234
pkg "$TMP/root" -C "$R" add member --unit 030 "${MF[@]}"
expect_rc 0 "add a member on the hub"
member_fields 002180004321
pkg "$TMP/root" -C "$TMP/replica.git" add member --unit 026 "${MF[@]}" "full_name=Lò Thị Dung" gender=nu
expect_rc 0 "add a member on the replica"
sync_cmd "$TMP/replica.git"
expect_rc 0 "the service's command, the hub there"
[ "$(git -C "$R" rev-parse main)" = "$(git -C "$TMP/replica.git" rev-parse main)" ] || fail "the hub did not get the replica's main"
git -C "$R" ls-tree -r --name-only main | grep -q '^data/026/member/' || fail "the replica's member is not on the hub"
. "$(dirname "$0")/hub.sh"
git -C "$TMP/replica.git" remote set-url origin "$(hub_closed_url records)"
member_fields 002080004322
pkg "$TMP/root" -C "$TMP/replica.git" add member --unit 026 "${MF[@]}" "full_name=Lò Văn Páo"
expect_rc 0 "add a member on the replica, offline"
kept=$(git -C "$TMP/replica.git" rev-parse main)
sync_cmd "$TMP/replica.git"
expect_rc 3 "the service's command, the hub unreachable"
[ "$(git -C "$TMP/replica.git" rev-parse main)" = "$kept" ] || fail "the offline sync moved main"
finish
