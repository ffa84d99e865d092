#!/bin/bash
test_description='the command line: help, version, exit codes, exported API, man pages'
. "$(dirname "$0")/lib.sh"

libdir=$(dirname "$QUILTSYNC")/../lib

test_expect_success '--version names the version' '
	quiltsync --version >out &&
	test_grep -E "^quiltsync [0-9]+\.[0-9]+\.[0-9]+$" out
'

test_expect_success '--help lists every command' '
	quiltsync --help >out &&
	test_grep "^  series " out &&
	test_grep "^  show-patch " out &&
	test_grep "^  apply " out
'

test_expect_success 'no command is a usage error (2)' '
	test_expect_code 2 quiltsync 2>err &&
	test_grep "usage: quiltsync" err
'

test_expect_success 'an unknown command is a usage error (2) and says so' '
	test_expect_code 2 quiltsync frobnicate 2>err &&
	test_grep "^quiltsync: '\''frobnicate'\'' is not a quiltsync command" err
'

for cmd in series show-patch apply; do
	test_expect_success "$cmd --help prints usage and options, exit 0" "
		quiltsync $cmd --help >out &&
		test_grep '^usage: quiltsync $cmd' out &&
		test_grep '^options:' out &&
		quiltsync help $cmd >out2 &&
		test_cmp out out2
	"
	test_expect_success "$cmd with an unknown option is a usage error (2)" "
		test_expect_code 2 quiltsync $cmd --no-such-option 2>err &&
		test_grep \"^quiltsync: unknown option '--no-such-option'\" err
	"
done

test_expect_success 'show-patch: an option that needs a value says so' '
	test_expect_code 2 quiltsync show-patch -p 2>err &&
	test_grep "requires a value" err
'

test_expect_success 'show-patch: a non-numeric value is refused' '
	test_expect_code 2 quiltsync show-patch -p x some.patch 2>err &&
	test_grep "expects a number" err
'

test_expect_success 'the library exports exactly the functions of the public headers' '
	cat "$QS_SOURCE_DIR"/include/quiltsync/*.h | tr "\n" " " |
		grep -oP "QS_EXTERN\([^;]*?\)\s*\**\s*\K\w+(?=\s*\()" | sort -u >declared &&
	nm -D --defined-only "$libdir"/libquiltsync.so | awk "{print \$3}" |
		sed "s/@.*//" | grep -v "^QUILTSYNC_" | sort -u >exported &&
	test_cmp declared exported
'

test_expect_success 'the version script lists exactly the declared functions' '
	cat "$QS_SOURCE_DIR"/include/quiltsync/*.h | tr "\n" " " |
		grep -oP "QS_EXTERN\([^;]*?\)\s*\**\s*\K\w+(?=\s*\()" | sort -u >declared &&
	grep -oP "^\tqs_\w+(?=;)" "$QS_SOURCE_DIR"/lib/libquiltsync.sym | tr -d "\t" | sort -u >listed &&
	test_cmp declared listed
'

test_expect_success 'no internal symbol leaks from the library' '
	nm -D --defined-only "$libdir"/libquiltsync.so | awk "{print \$3}" >all &&
	! grep -E "^qs__|^qs_buf_" all
'

if ! command -v scdoc >/dev/null; then
	test_skip_if "scdoc is not installed"
fi
for page in "$QS_SOURCE_DIR"/man/*.scd; do
	name=$(basename "$page" .scd)
	test_expect_success "man page $name renders with man -l" "
		scdoc <'$page' >'$name' &&
		MANWIDTH=80 man -l '$name' >rendered 2>manerr &&
		test_grep '^NAME' rendered &&
		test_grep '^SYNOPSIS\|^DESCRIPTION' rendered &&
		! test -s manerr
	"
done
test_skip_clear

test_done
