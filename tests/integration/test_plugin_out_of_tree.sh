#!/bin/bash
# A plugin built out of tree against the installed header alone (no hoso
# library), installed and pinned by an admin, runs on every write.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(dirname "$(dirname "$HOSO")")
cmake --install "$build" --prefix "$TMP/prefix" >/dev/null || { fail "cmake --install"; finish; }
[ -f "$TMP/prefix/include/hoso/plugin.h" ] || fail "plugin.h is installed"
pc=$(find "$TMP/prefix" -name hoso-plugin.pc | head -1)
[ -n "$pc" ] || fail "hoso-plugin.pc is installed"
cflags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags hoso-plugin)
mkdir -p "$TMP/out"
# shellcheck disable=SC2086
cc -shared $cflags "$src/plugins/examples/no-empty-names.c" -o "$TMP/out/no-empty-names.so" ||
	fail "the example builds with the installed header only"
ldd "$TMP/out/no-empty-names.so" | grep -q hoso && fail "the example links against hoso"
make_repo "$TMP/r.git"
export HOSO_PLUGIN_DIR="$TMP/plugins"
HOSO_USER=admin run -C "$TMP/r.git" plugin install "$TMP/out/no-empty-names.so"
expect_rc 0 "an admin installs and pins it"
run -C "$TMP/r.git" plugin list
printf '%s' "$out" | grep -q '^no-empty-names .*user' || fail "plugin list shows it: $out"
run -C "$TMP/r.git" add organization --unit 030 "name=Chi bộ" level=to_dang
expect_rc 0 "a warning does not refuse"; expect_err "warning: field 'name': the name is only" "it warns"
long=$(printf 'x%.0s' $(seq 130))
run -C "$TMP/r.git" add organization --unit 030 "name=$long" level=to_dang
expect_rc 1 "its error refuses"; expect_err "[no-empty-names/long]" "naming its rule"
finish
