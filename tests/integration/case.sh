#!/bin/bash
# One data-driven case: tests/data/{valid,invalid}/<case>/ holds `type`,
# `record.json` and, for an invalid case, `expect` (text the message must
# contain). A valid record is added and lands in git; an invalid one exits 1
# with the message and commits nothing.
. "$(dirname "$0")/lib.sh"
case_dir=$1
# The cases are the schemas': no plugin runs (the rules across records have
# their own tests, in test_rules.sh).
mkdir -p "$TMP/no-plugins"
export HOSO_BUILTIN_PLUGIN_DIR="$TMP/no-plugins"
make_repo "$TMP/r.git"
before=$(tip "$TMP/r.git")
type=$(cat "$case_dir/type")
run -C "$TMP/r.git" add "$type" --unit 030 --file "$case_dir/record.json"
case "$case_dir" in
*/valid/*)
	expect_rc 0 "valid record"
	[ "$(git -C "$TMP/r.git" rev-list --count "$before..main")" = 1 ] || fail "no commit for a valid record"
	path=$(git -C "$TMP/r.git" ls-tree -r --name-only main -- data | grep -F "/$out.json")
	case "$path" in "data/030/$type/"*"/$out.json") ;; *) fail "record at '$path', id '$out'" ;; esac
	fsck_clean "$TMP/r.git"
	;;
*)
	expect_rc 1 "invalid record"
	expect_err "$(cat "$case_dir/expect")" "invalid record"
	expect_err "record.json" "the message names the file"
	[ "$(tip "$TMP/r.git")" = "$before" ] || fail "an invalid record made a commit"
	;;
esac
finish
