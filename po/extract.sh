#!/bin/sh
# Extract every message a person reads from hoso's sources into the template
# $1 (a .pot file). Run from the source tree (the pot target does). The
# keywords are the functions that translate their format themselves.
set -eu
out=$1
cd "$(dirname "$0")/.."
xgettext --from-code=UTF-8 --language=C --no-wrap --sort-by-file \
	--package-name=hoso --msgid-bugs-address= --add-comments=TRANSLATORS: \
	--keyword=_ --keyword=N_ \
	--keyword=cli_error:2 --flag=cli_error:2:c-format \
	--keyword=cli_warning:1 --flag=cli_warning:1:c-format \
	--keyword=cli_hint:1 --flag=cli_hint:1:c-format \
	--keyword=cli_usage:2 --flag=cli_usage:2:c-format \
	--keyword=hoso_error_set:2 --flag=hoso_error_set:2:c-format \
	--keyword=hoso_error_set_hint:1 --flag=hoso_error_set_hint:1:c-format \
	--keyword=hoso_error_git:2 --flag=hoso_error_git:2:c-format \
	--keyword=hoso_problems_add:7 --flag=hoso_problems_add:7:c-format \
	--keyword=report:5 --flag=report:5:c-format --keyword=refuse:3 --flag=refuse:3:c-format --keyword=invalid:2 --flag=invalid:2:c-format \
	--keyword=problem:4 --flag=problem:4:c-format --keyword=PROBLEM:5 --flag=PROBLEM:5:c-format --keyword=FOUND:5 --flag=FOUND:5:c-format \
	--keyword=finding:6 --flag=finding:6:c-format \
	--keyword=set_error:2 --keyword=cli_info:1 --flag=cli_info:1:c-format --keyword=cli_progress:1 \
	-o "$out" \
	cli/*.c core/*.c sync/*.c plugins/*.c plugins/builtin/*.c web/*.c
