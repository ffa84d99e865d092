#!/bin/bash
test_description="hunk engine: GNU patch 2.7.6, run as quilt push runs it, is the oracle"
. "$(dirname "$0")/lib.sh"

: "${QS_HUNK:?QS_HUNK must name the qs-hunk helper}"
command -v patch >/dev/null || skip_all "GNU patch is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"

F=$TEST_FIXTURES

# parity DIR PATCH INPUT [OPTIONS...]: apply PATCH (one file diff naming
# a/f, b/f) to a copy of INPUT ("-": no file) with GNU patch as quilt
# runs it and with qs-hunk, in DIR; succeed when both agree on success
# (quilt treats exit 1 and 2 alike), on the "Hunk #n ..." lines (their
# offsets, fuzz and lines; a line GNU prints as negative is 0 for us)
# and on the resulting file, bytes and existence. A fatal GNU error
# (exit 2) leaves no result to compare.
parity() {
	local d=$1 p=$2 in=$3 grc=0 qrc=0
	shift 3
	mkdir -p "$d/gnu" || return 1
	if [ "$in" != - ]; then
		cp "$in" "$d/gnu/f" || return 1
	else
		in=$d/absent
	fi
	(cd "$d/gnu" && LC_ALL=C LANG=POSIX patch "$@" -p1 --backup \
		--prefix=.pc/x/ -f -r "$d/rej" -i "$p") >"$d/gnu.out" 2>&1 ||
		grc=$?
	"$QS_HUNK" "$@" "$p" "$in" "$d/qs" >"$d/qs.out" 2>&1 || qrc=$?
	if [ $qrc -gt 2 ]; then
		echo "qs-hunk died with status $qrc"
		cat "$d/qs.out"
		return 1
	fi
	if [ $((grc == 0)) != $((qrc == 0)) ]; then
		echo "exit status: GNU patch $grc, qs-hunk $qrc"
		cat "$d/gnu.out" "$d/qs.out"
		return 1
	fi
	[ $grc = 2 ] && return 0
	# GNU prints "FAILED at -3" for lines before the first; we say 0
	sed -n -e "s/^\(Hunk #[0-9]* [A-Za-z]* at \)-[0-9]*/\10/" \
		-e "/^Hunk #/p" "$d/gnu.out" >"$d/gnu.hunks"
	grep "^Hunk #" "$d/qs.out" >"$d/qs.hunks"
	test_cmp "$d/gnu.hunks" "$d/qs.hunks" || return 1
	if [ -e "$d/gnu/f" ] && [ -e "$d/qs" ]; then
		cmp "$d/gnu/f" "$d/qs" || return 1
	elif [ -e "$d/gnu/f" ] || [ -e "$d/qs" ]; then
		echo "the file exists on one side only"
		ls -l "$d/gnu" "$d"
		return 1
	fi
}

# fixture NAME: t/t4000/NAME.patch applied to NAME.in (absent: no file)
# with the options in NAME.args
fixture() {
	local n=$1 in=- args=
	[ -e "$F/$n.in" ] && in=$F/$n.in
	[ -e "$F/$n.args" ] && args=$(cat "$F/$n.args")
	# shellcheck disable=SC2086
	parity "$TRASH/fx-$n" "$F/$n.patch" "$in" $args
}

# The experiments of notes/gnu-patch-semantics.md (F: locating, W: white
# space and line ends, X: reading, N/R: creation, deletion, reversal)
# and the edge cases around them.
for p in "$F"/*.patch; do
	name=$(basename "$p" .patch)
	test_expect_success "GNU parity: $name" "fixture $name"
done

test_expect_success 'sanity: the oracle comparison catches a difference' '
	printf "a\nb\nc\n" >in &&
	printf -- "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n" >p &&
	parity "$TRASH/sanity" "$TRASH/p" in &&
	printf "a\nB\nc\n" >expect &&
	test_cmp expect "$TRASH/sanity/qs" &&
	printf "a\nX\nc\n" >"$TRASH/sanity/qs" &&
	! cmp -s "$TRASH/sanity/gnu/f" "$TRASH/sanity/qs"
'

# Big files: a 1 MB file with hunks found at offsets both ways, with
# fuzz, one failing and one found by searching the whole file.
test_expect_success 'GNU parity: hunks in a 1 MB file' '
	python3 - "$TRASH/big.in" "$TRASH/big.patch" <<-\EOF &&
	import sys
	lines = ["\tline %d of a rather long file, with some text;\n" % i
		 for i in range(1, 20001)]
	with open(sys.argv[1], "w") as f:
	    f.write("".join(["extra %d\n" % i for i in range(37)] + lines))
	out = ["--- a/f\n", "+++ b/f\n"]
	def hunk(at, ctx=3, change=True, fuzz_at=None):
	    old = lines[at - 1 - ctx:at - 1] + [lines[at - 1]] + lines[at:at + ctx]
	    if fuzz_at is not None:
	        old[fuzz_at] = "changed\n"
	    out.append("@@ -%d,%d +%d,%d @@\n" % (at - ctx, len(old), at - ctx, len(old)))
	    for i, l in enumerate(old):
	        if i == ctx:
	            out.append("-" + (l if change else "absent\n"))
	            out.append("+NEW " + l)
	        else:
	            out.append(" " + l)
	hunk(100)
	hunk(5000, fuzz_at=0)
	hunk(9000, change=False)
	hunk(12000, fuzz_at=6)
	hunk(19990)
	with open(sys.argv[2], "w") as f:
	    f.write("".join(out))
	EOF
	parity "$TRASH/big" "$TRASH/big.patch" "$TRASH/big.in" &&
	test_grep "succeeded at 5034 with fuzz 1 (offset 37 lines)" "$TRASH/big/qs.out" &&
	test_grep "FAILED" "$TRASH/big/qs.out"
'

test_expect_success 'GNU parity: a hunk 60000 lines away from its stated line' '
	python3 -c "import sys; sys.stdout.write(\"pad\n\" * 60000 + \"a\nb\nc\n\")" >far.in &&
	printf -- "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n" >far.patch &&
	parity "$TRASH/far" "$TRASH/far.patch" "$TRASH/far.in" &&
	test_grep "offset 60000 lines" "$TRASH/far/qs.out"
'

# Random cases: files made of a small vocabulary (so lines repeat and
# first matches matter), patches made by GNU diff with 0 to 5 lines of
# context, applied to the file or to a stale variant of it (lines added
# or removed at the top, blocks duplicated, lines edited), sometimes
# with -R or -F, sometimes with the patch mangled (wrong line numbers,
# hunks out of order, lost leading spaces, '#' lines, CRLF).
SEED=4000
COUNT=400
test_expect_success "GNU parity: $COUNT random cases (seed $SEED)" '
	python3 "$F/gen-random.py" $SEED $COUNT random &&
	: >failures &&
	n=0 &&
	while [ $n -lt $COUNT ]; do
		n=$((n + 1)) &&
		in=- &&
		{ [ ! -e random/$n.in ] || in=$TRASH/random/$n.in; } &&
		args=$(cat random/$n.args) &&
		if ! parity "$TRASH/rnd-$n" "$TRASH/random/$n.patch" "$in" $args \
			>"rnd-$n.log" 2>&1
		then
			echo "case $n ($args): $(head -n 1 rnd-$n.log)" >>failures
		fi
	done &&
	echo "$COUNT cases, $((COUNT - $(wc -l <failures))) matched" >random.count &&
	grep -h "^Hunk #" rnd-*/gnu.out >all-hunks &&
	test_grep -q "offset" all-hunks &&
	test_grep -q "with fuzz" all-hunks &&
	test_grep -q "FAILED" all-hunks &&
	test_cmp /dev/null failures
'
[ -e "$TRASH/random.count" ] && say "random: $(cat "$TRASH/random.count")"

test_done
