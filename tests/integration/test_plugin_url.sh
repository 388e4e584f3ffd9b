#!/bin/bash
# plugin install URL: downloaded with libcurl from a server on 127.0.0.1;
# the right hash installs and pins (with the URL), a wrong hash or a 404
# installs nothing.
. "$(dirname "$0")/lib.sh"
: "${HOSO_TEST_PLUGIN_DIR:?the directory of the fixture plugins}"
make_repo "$TMP/r.git"
R="$TMP/r.git"
export HOSO_PLUGIN_DIR="$TMP/plugins" HOSO_USER=admin

# A static file server on a free port of 127.0.0.1, stopped by its pid.
mkdir -p "$TMP/www"
cp "$HOSO_TEST_PLUGIN_DIR/good.so" "$TMP/www/"
python3 - "$TMP/www" > "$TMP/port" 2>/dev/null <<'PY' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$TMP/port")"
sha=$(sha256sum "$TMP/www/good.so" | cut -d' ' -f1)

run -C "$R" plugin install "$url/missing.so"
expect_rc 1 "a 404"; expect_err "the server answered 404" "names the status"
run -C "$R" plugin install "$url/good.so" --sha256 "${sha//[0-9]/0}"
expect_rc 1 "a wrong hash"; expect_err "is not the file pinned" "names the hash"
[ -z "$(ls -A "$TMP/plugins")" ] || fail "a refused download left files: $(ls -A "$TMP/plugins")"
git -C "$R" show main:hoso.json | grep -q '"good"' && fail "a refused download pinned something"

run -C "$R" plugin install "$url/good.so" --sha256 "$sha"
expect_rc 0 "the right hash"
cmp -s "$TMP/plugins/good.so" "$TMP/www/good.so" || fail "the downloaded file is installed"
[ "$(ls -A "$TMP/plugins")" = good.so ] || fail "no download left behind: $(ls -A "$TMP/plugins")"
git -C "$R" show main:hoso.json | python3 -c "
import json, sys
p = json.load(sys.stdin)['plugins']
assert p == [{'name': 'good', 'version': '1.0.0', 'sha256': '$sha', 'url': '$url/good.so'}], p" ||
	fail "the pin records the URL"
run -C "$R" plugin install "http://127.0.0.1:1/good.so"
expect_rc 3 "a server that is not there"

# A replica has none of the pinned plugins: sync installs them from their
# URL, checked against the pin, before it merges anything.
export HOSO_PLUGIN_DIR="$TMP/replica-plugins"
"$HOSO" clone "$R" "$TMP/rep" --unit 030 2>/dev/null || fail "clone"
run -C "$TMP/rep" sync
expect_rc 0 "sync with a pinned plugin to fetch"
expect_err "installed 1 plugin pinned in hoso.json" "says so"
cmp -s "$TMP/replica-plugins/good.so" "$TMP/www/good.so" || fail "sync installed the pinned file"
run -C "$TMP/rep" plugin list --json
printf '%s' "$out" | grep -q '"name": "good"' || fail "the fetched plugin runs: $out"
# The URL serves another file: it is not installed, and writes wait for it.
rm -rf "$TMP/replica-plugins"
printf 'x' >> "$TMP/www/good.so"
run -C "$TMP/rep" sync
expect_rc 1 "a pinned plugin whose URL serves another file"
expect_err "plugin 'good' pinned in hoso.json was not installed" "the download is refused"
expect_err "is not the file pinned" "names why"
expect_err "is pinned in hoso.json but not installed here; get it from $url/good.so" "writes wait"
[ -e "$TMP/replica-plugins/good.so" ] && fail "a refused download was installed"
[ -z "$(ls -A "$TMP/replica-plugins" 2>/dev/null)" ] || fail "a refused download left files"
finish
