#!/bin/bash
test_description="diff parsing: git apply, lsdiff and GNU patch as oracles"
. "$(dirname "$0")/lib.sh"

: "${QS_DIFF:?QS_DIFF must name the qs-diff helper}"
qs_diff() { "$QS_DIFF" "$@"; }

# The files GNU patch picks, from `patch --dry-run` output: "checking
# file X" (for renames and copies the file read is the "from" name), a
# skipped file is "-".
gnu_targets() {
	sed -n \
	    -e "s/^checking file \(.*\) (\(renamed\|copied\) from \(.*\))\$/\3/" \
	    -e "t q" \
	    -e "s/^checking file \(.*\)\$/\1/" \
	    -e "t q" \
	    -e "s/^File \(.*\): git binary diffs are not supported\.\$/\1/" \
	    -e "t q" \
	    -e "s/^No file to patch.*/-/p" \
	    -e "d" \
	    -e ": q" \
	    -e "s/^'\(.*\)'\$/\1/p" -e "t" -e "p" "$1"
}

# Compare our choice of targets with GNU patch's, in the current directory.
check_targets() {
	local strip=$1 patchfile=$2

	{ patch "$strip" --dry-run -f -i "$patchfile" >gnu.out 2>&1 || :; } &&
	gnu_targets gnu.out >expect &&
	qs_diff target "$strip" "$patchfile" >actual 2>/dev/null &&
	test_cmp expect actual
}

F=$TEST_FIXTURES

for p in "$F"/*.patch; do
	name=$(basename "$p" .patch)
	test_expect_success "dump of $name" '
		qs_diff dump -v "$F/$name.patch" >actual &&
		test_cmp "$F/$name.dump" actual
	'
done

for name in git-features git-binary; do
	test_expect_success "$name: numstat and summary equal git apply's" '
		git apply --numstat "$F/$name.patch" >expect &&
		qs_diff numstat "$F/$name.patch" >actual &&
		test_cmp expect actual &&
		git apply --summary "$F/$name.patch" >expect &&
		qs_diff summary "$F/$name.patch" >actual &&
		test_cmp expect actual
	'
done

# git rejects the lenient forms GNU patch accepts: those are left to lsdiff
for name in akpm debian-index counts-swallow crlf-content; do
	test_expect_success "$name: numstat equals git apply's" '
		git apply --numstat "$F/$name.patch" >expect &&
		qs_diff numstat "$F/$name.patch" >actual &&
		test_cmp expect actual
	'
done

if command -v lsdiff >/dev/null; then
	# lsdiff mangles quoted git names and lists renames by their old name
	for name in akpm debian-index lenient nonewline chopped; do
		test_expect_success "$name: file list equals lsdiff's" '
			lsdiff --strip=1 "$F/$name.patch" >expect &&
			qs_diff files "$F/$name.patch" >actual &&
			test_cmp expect actual
		'
	done
else
	say "lsdiff (patchutils) is not installed: file list checks skipped"
fi

test_expect_success 'binary literal payloads decode to the file contents' '
	head -c 3000 /dev/zero >expect &&
	qs_diff binary 3 rev "$F/git-binary.patch" >actual &&
	cmp expect actual &&
	seq 1 1000 | tr "\n" "\0" >expect &&
	qs_diff binary 2 fwd "$F/git-binary.patch" >actual &&
	cmp expect actual
'

test_expect_success 'binary delta payloads carry the preimage and result sizes' '
	qs_diff binary 1 fwd "$F/git-binary.patch" >delta &&
	od -An -tu1 -N4 delta >actual &&
	echo " 189  69 197  69" >expect &&
	test_cmp expect actual
'

for p in "$F"/malformed/*.patch; do
	name=$(basename "$p" .patch)
	test_expect_success "malformed: $name is a located error" '
		cp "$p" "$name.patch" &&
		test_expect_code 1 qs_diff dump "$name.patch" >out 2>err &&
		test_cmp "$F/malformed/$name.err" err
	'
done

for name in bad-header bad-number huge-number eof-in-hunk too-few-lines context-only; do
	test_expect_success "malformed: GNU patch rejects $name too" '
		test_must_fail patch -p1 --dry-run -f -i "$F/malformed/$name.patch" >out 2>&1
	'
done

# A ---/+++ pair without a hunk is text to GNU patch: skipped before a
# diff and after one; a patch with nothing else has no diff at all, and
# GNU patch fails it ("Only garbage"), which callers see as no file diff.
test_expect_success 'garbage pairs: GNU patch applies the one real diff' '
	mkdir pairs && cd pairs &&
	printf "a\nb\nc\n" >f &&
	patch -p1 -f -i "$F/garbage-pairs.patch" >out 2>&1 &&
	printf "a\nB\nc\n" >expect &&
	test_cmp expect f
'

test_expect_success 'only garbage: no file diff, and GNU patch finds only garbage' '
	printf "text\n--- a/f\n+++ b/f\n" >p &&
	qs_diff dump p >actual &&
	test_cmp /dev/null actual &&
	test_expect_code 2 patch -p1 --dry-run -f -i p >out 2>&1 &&
	grep "Only garbage was found" out
'

# Targets: GNU patch run the way quilt runs it, in trees where different
# candidate names exist.

test_expect_success 'target: akpm names, new and deleted files' '
	mkdir akpm && cd akpm &&
	mkdir mm && touch mm/frob.c mm/old.c &&
	check_targets -p1 "$F/akpm.patch"
'

test_expect_success 'target: akpm names when the ~name file exists' '
	mkdir akpm2 && cd akpm2 &&
	mkdir mm && touch mm/frob.c "mm/frob.c~mm-frob-the-widgets" mm/old.c &&
	check_targets -p1 "$F/akpm.patch"
'

test_expect_success 'target: Index lines, spaces before a tab, timestamps' '
	mkdir deb && cd deb &&
	mkdir src && touch "src/main c.c" gone.c &&
	check_targets -p1 "$F/debian-index.patch"
'

test_expect_success 'target: -p0 with Index, orig and new names' '
	mkdir deb0 && cd deb0 &&
	mkdir -p pkg-1.0/src pkg-1.0.orig &&
	touch "pkg-1.0/src/main c.c" pkg-1.0/gone.c &&
	check_targets -p0 "$F/debian-index.patch"
'

test_expect_success 'target: a strip level beyond the names finds nothing' '
	mkdir deep && cd deep &&
	check_targets -p5 "$F/akpm.patch"
'

test_expect_success 'target: git renames, copies, quoted and spaced names' '
	mkdir git && cd git &&
	touch keep.c moved.c copied.c gone.txt run.sh "with space.txt" \
		"$(printf "caf\303\251.txt")" nonl.txt &&
	check_targets -p1 "$F/git-features.patch"
'

test_expect_success 'target: git binary diffs' '
	mkdir bin && cd bin &&
	touch delta.bin zeros.bin &&
	check_targets -p1 "$F/git-binary.patch"
'

test_expect_success 'target: both names exist, the shorter wins' '
	mkdir both && cd both &&
	mkdir longdir d && touch longdir/ab d/abcdefg &&
	printf -- "--- longdir/ab\n+++ d/abcdefg\n@@ -1 +1 @@\n-x\n+y\n" >p &&
	check_targets -p0 p
'

test_expect_success 'target: GNU patch finds no name when fewer components lose on length' '
	mkdir quirk && cd quirk &&
	mkdir x && touch x/ab abcdefgh &&
	printf -- "--- x/ab\n+++ abcdefgh\n@@ -1 +1 @@\n-x\n+y\n" >p &&
	check_targets -p0 p &&
	echo - >expect &&
	test_cmp expect actual
'

test_expect_success 'target: only the old name exists' '
	mkdir old && cd old &&
	mkdir -p a/sub && touch a/sub/file.c &&
	printf -- "--- a/sub/file.c\n+++ b/s/f.c\n@@ -1 +1 @@\n-x\n+y\n" >p &&
	check_targets -p1 p
'

test_expect_success 'target: a new file goes where the fewest directories are missing' '
	mkdir new && cd new &&
	mkdir exists &&
	printf -- "--- a/exists/n.c\t1970-01-01 00:00:00.000000000 +0000\n+++ b/mi/n.c\n@@ -0,0 +1 @@\n+y\n" >p &&
	check_targets -p1 p &&
	echo exists/n.c >expect &&
	test_cmp expect actual
'

test_expect_success 'target: a new file without an epoch stamp is still created' '
	mkdir new2 && cd new2 &&
	printf -- "--- a/n.c\n+++ b/n.c\n@@ -0,0 +1 @@\n+y\n" >p &&
	check_targets -p1 p
'

test_expect_success 'target: deleting a missing file patches the last name' '
	mkdir del && cd del &&
	printf -- "--- a/d1/x.c\n+++ b/d2/x.c\t1970-01-01 00:00:00 +0000\n@@ -1 +0,0 @@\n-x\n" >p &&
	check_targets -p1 p
'

test_expect_success 'target: Index only counts without other names' '
	mkdir idx && cd idx &&
	touch only-index.c &&
	printf -- "Index: only-index.c\n--- x\n+++ y\n@@ -1 +1 @@\n-x\n+y\n" >p &&
	check_targets -p1 p
'

# Real queues: every patch parses, and per-file counts equal git's.

check_queue() {
	local dir=$1 f n=0
	: >failures
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		case $(basename "$f") in series*|README*) continue ;; esac
		n=$((n + 1))
		if ! qs_diff numstat "$f" >ours 2>err; then
			echo "parse failed: $(cat err)" >>failures
			continue
		fi
		git apply --numstat "$f" >theirs 2>/dev/null || continue
		cmp -s ours theirs || echo "numstat differs: $f" >>failures
		if command -v lsdiff >/dev/null; then
			lsdiff --strip=1 "$f" >theirs 2>/dev/null &&
			qs_diff files "$f" >ours &&
			{ cmp -s ours theirs || echo "file list differs: $f" >>failures; }
		fi
	done
	say "$dir: $n patches"
	test_cmp /dev/null failures
}

AKPM=$QS_SHARED/corpus/akpm-25-new-2022-05-10/patches
if [ -d "$AKPM" ]; then
	test_expect_success 'akpm corpus: every patch parses like git apply counts it' '
		check_queue "$AKPM"
	'
else
	say "skipping the akpm corpus: $AKPM is absent"
fi

if [ -n "${QS_DEBIAN_QUEUES:-}" ]; then
	for q in glibc binutils; do
		test_expect_success "Debian $q queue parses like git apply counts it" '
			find "$QS_DEBIAN_QUEUES/$q/queue" -type f >list &&
			mkdir flat-$q &&
			while read -r f; do
				cp "$f" "flat-$q/$(echo "${f#$QS_DEBIAN_QUEUES/}" | tr / _)"
			done <list &&
			check_queue "flat-$q"
		'
	done
else
	say "skipping the Debian queues: QS_DEBIAN_QUEUES is unset"
fi

test_done
