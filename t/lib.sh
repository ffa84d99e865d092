# SPDX-License-Identifier: GPL-2.0-only
# Shell test library, sourced by every t/tNNNN-*.sh. Modelled on git's
# t/test-lib.sh, much smaller. Output is TAP.
#
#   test_description='...'
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'what it checks' '
#           quiltsync series --json >actual &&
#           test_cmp expect actual
#   '
#   test_done
#
# Each test body runs with `eval` in the test's own scratch directory
# ($TRASH), in a subshell, so a failing step of the && chain fails the
# test and nothing leaks into the next one.
#
# Environment (set by meson): QUILTSYNC (the binary), QS_SOURCE_DIR (the
# project), QS_SHARED (../shared, may be absent).

set -u

: "${QUILTSYNC:?QUILTSYNC must name the quiltsync binary}"
: "${QS_SOURCE_DIR:?QS_SOURCE_DIR must name the source tree}"
: "${QS_SHARED:=$QS_SOURCE_DIR/../shared}"
TEST_NAME=$(basename "$0" .sh)
TEST_DIRECTORY="$QS_SOURCE_DIR/t"
# fixtures of this test live in t/tNNNN/
TEST_FIXTURES="$TEST_DIRECTORY/${TEST_NAME%%-*}"
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/qs-$TEST_NAME.XXXXXX")
export TRASH TEST_DIRECTORY TEST_FIXTURES QS_SHARED

# Tests must not depend on the user's git, time zone or locale.
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8
export GIT_CONFIG_NOSYSTEM=1 HOME="$TRASH/.home"
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL="committer@example.com"
mkdir -p "$HOME"

test_count=0
test_failures=0
test_skip_reason=

# Each exit is logged when QS_EXIT_LOG names a file (meson sets it):
# t/check-exit-codes.py holds them against the manual after the suite.
quiltsync() {
	local rc=0
	"$QUILTSYNC" "$@" || rc=$?
	[ -z "${QS_EXIT_LOG:-}" ] || echo "$rc ${1:-} $TEST_NAME" >>"$QS_EXIT_LOG"
	return $rc
}

trap 'rm -rf "$TRASH"' EXIT

say() { printf '# %s\n' "$*"; }

# Skip the whole file: prints the TAP plan "1..0 # SKIP reason".
skip_all() {
	printf '1..0 # SKIP %s\n' "$*"
	exit 0
}

# Skip the following tests until test_skip_clear.
test_skip_if() { test_skip_reason=$*; }
test_skip_clear() { test_skip_reason=; }

test_expect_success() {
	local desc=$1 body=$2
	test_count=$((test_count + 1))
	if [ -n "$test_skip_reason" ]; then
		printf 'ok %d - %s # SKIP %s\n' "$test_count" "$desc" "$test_skip_reason"
		return 0
	fi
	if (cd "$TRASH" && eval "$body") >"$TRASH/.out" 2>&1; then
		printf 'ok %d - %s\n' "$test_count" "$desc"
	else
		test_failures=$((test_failures + 1))
		printf 'not ok %d - %s\n' "$test_count" "$desc"
		sed 's/^/#   /' "$TRASH/.out"
		printf '#   in:%s\n' "$(printf '%s' "$body" | sed 's/^/#   /')"
	fi
}

test_done() {
	printf '1..%d\n' "$test_count"
	[ "$test_failures" -eq 0 ]
	exit $?
}

# Compare two files, showing a diff when they differ.
test_cmp() {
	diff -u "$1" "$2"
}

# The command must fail with an ordinary error exit, not by a signal.
test_must_fail() {
	local code=0
	"$@" || code=$?
	if [ $code -eq 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	elif [ $code -gt 128 ]; then
		echo "test_must_fail: '$*' died of signal $((code - 128))" >&2
		return 1
	fi
	return 0
}

# The command must exit with exactly this status.
test_expect_code() {
	local want=$1 code=0
	shift
	"$@" || code=$?
	if [ $code -ne "$want" ]; then
		echo "test_expect_code: '$*' exited $code, expected $want" >&2
		return 1
	fi
}

# Fails with a message naming what was missing from the file.
# test_must_be_empty FILE: FILE exists and is empty (else show it).
test_must_be_empty() {
	if ! [ -f "$1" ] || [ -s "$1" ]; then
		echo "'$1' is not an empty file:" >&2
		cat "$1" >&2 2>/dev/null
		return 1
	fi
}

test_grep() {
	if ! grep "$@"; then
		echo "test_grep: no match for: $*" >&2
		return 1
	fi
}

# Whether the shared corpora are present.
have_shared() { [ -d "$QS_SHARED/corpus" ]; }
