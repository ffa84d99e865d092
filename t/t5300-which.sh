#!/bin/bash
test_description='which: every kind of query, against manifests made by hand'
. "$(dirname "$0")/lib.sh"

# The manifests here are written by write_manifest from the JSON in
# t/t5300/ (compacted by jq, as the writer writes them), committed with
# git's plumbing as quiltsync-manifest(5) describes: no build runs. So
# the answers are judged against a manifest we know whole: six branches
# (a tree branch with two per-series branches, a tree branch that
# failed, an integration built on the first and one blocked on the
# second) and five patches.

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

MANIFEST=refs/quiltsync/manifest

# write_manifest DIR: a manifest commit of DIR's build.json,
# branches.json and patches.json, on the current manifest (if any),
# and refs/quiltsync/manifest set to it.
write_manifest() {
	local dir=$1 build branches patches tree parent commit
	build=$(jq -c . "$dir/build.json" | git -C repo hash-object -w --stdin) &&
	branches=$(jq -c . "$dir/branches.json" | git -C repo hash-object -w --stdin) &&
	patches=$(jq -c . "$dir/patches.json" | git -C repo hash-object -w --stdin) &&
	tree=$(printf '100644 blob %s\t%s\n' "$branches" branches.json \
		"$build" build.json "$patches" patches.json | git -C repo mktree) &&
	parent=$(git -C repo rev-parse -q --verify $MANIFEST) || parent= &&
	commit=$(git -C repo commit-tree ${parent:+-p "$parent"} \
		-m "quiltsync build: 6 branches, 5 patches" "$tree") &&
	git -C repo update-ref $MANIFEST "$commit"
}

# qs_which ARGS...: quiltsync which with the test's config
qs_which() { quiltsync which -c quiltsync.yaml "$@"; }

# patches FILE: the patch names of a --json answer, one a line
patches() { jq -r '.[].patch' "$1"; }

test_expect_success 'setup: a repository and a config' '
	git init -q repo &&
	cat >quiltsync.yaml <<-\EOF &&
	repository: repo
	series: patches/series
	patches: patches
	committer: Andrew Morton <akpm@example.org>
	upstream: refs/remotes/origin/master
	base: v6.9-rc3
	branches:
	  - name: mm-unstable
	    on: upstream
	    per-series: mm-unstable-{slug}
	  - name: mm-nonmm-unstable
	    on: upstream
	integration:
	  - name: mm-everything
	    merge: [mm-unstable, mm-nonmm-unstable]
	EOF
	cp -R "$TEST_FIXTURES" first
'

test_expect_success 'no manifest yet: a clear error, exit 1' '
	test_expect_code 1 qs_which some.patch >out 2>err &&
	test_grep "^quiltsync: no build has written a manifest in .*repo'\'' yet$" err &&
	! test -s out
'

test_expect_success 'no query is a usage error (2)' '
	test_expect_code 2 qs_which 2>err &&
	test_grep "^usage: quiltsync which" err
'

test_expect_success '--grep and --path together are a usage error (2)' '
	test_expect_code 2 qs_which --grep --path x 2>err &&
	test_grep "cannot be used together" err
'

test_expect_success 'an unknown option is a usage error (2)' '
	test_expect_code 2 qs_which --frobnicate x 2>err &&
	test_grep "unknown option" err
'

test_expect_success 'setup: the first manifest' '
	write_manifest first &&
	git -C repo cat-file -p $MANIFEST^{tree} >tree &&
	test_grep "build.json" tree
'

COPY=repo/.git/quiltsync/manifest-copy

test_expect_success 'a query keeps an uncompressed copy of the manifest, for this manifest' '
	qs_which --json lib-string-use-strends.patch >out &&
	id=$(git -C repo rev-parse $MANIFEST) &&
	for b in build branches patches
	do
		git -C repo cat-file blob $MANIFEST:$b.json >$b.json || return 1
	done &&
	n=$(jq length patches.json) &&
	echo "quiltsync manifest-copy 1 $id - $(wc -c <build.json) $(wc -c <branches.json)" \
		"$(wc -c <patches.json) $n" >expect &&
	head -n 1 $COPY >header &&
	test_cmp expect header &&
	cat build.json branches.json patches.json >expect &&
	tail -n +2 $COPY | head -c $(wc -c <expect) >actual &&
	test_cmp expect actual &&
	test $(wc -c <$COPY) -eq $(($(wc -c <header) + $(wc -c <expect) + 9 * n))
'

test_expect_success 'the copy is derived: deleted or garbled, the answers stay' '
	qs_which --json mm-gup-use-folio-pin-helpers.patch >expect &&
	rm -f $COPY &&
	qs_which --json mm-gup-use-folio-pin-helpers.patch >actual &&
	test_cmp expect actual &&
	test -f $COPY &&
	rm -f $COPY &&
	echo garbage >$COPY &&
	qs_which --json mm-gup-use-folio-pin-helpers.patch >actual &&
	test_cmp expect actual &&
	head -n 1 $COPY >line &&
	test_grep "^quiltsync manifest-copy 1 " line
'

test_expect_success 'a Message-ID, bare' '
	qs_which --json 20240301120000.2-jorg@example.org >out &&
	echo mm-gup-use-folio-pin-helpers.patch >expect &&
	patches out >actual &&
	test_cmp expect actual &&
	jq -e ".[0].matched_by == \"message-id\"" out
'

for q in "<20240301120000.2-jorg@example.org>" \
	"https://lore.kernel.org/r/20240301120000.2-jorg@example.org" \
	"https://lore.kernel.org/linux-mm/20240301120000.2-jorg@example.org/" \
	"https://lore.kernel.org/linux-mm/20240301120000.2-jorg@example.org/T/#u" \
	"https://lore.kernel.org/all/20240301120000.2-jorg%40example.org/raw"
do
	test_expect_success "a Message-ID as $q" "
		qs_which --json '$q' >out &&
		echo mm-gup-use-folio-pin-helpers.patch >expect &&
		patches out >actual &&
		test_cmp expect actual
	"
done

test_expect_success 'a Message-ID with a + in it' '
	qs_which --json "<vmscan+rename@example.com>" >out &&
	echo mm-vmscan-rename-nr-scanned.patch >expect &&
	patches out >actual &&
	test_cmp expect actual
'

test_expect_success 'a patch file name' '
	qs_which --json lib-string-use-strends.patch >out &&
	echo lib-string-use-strends.patch >expect &&
	patches out >actual &&
	test_cmp expect actual &&
	jq -e ".[0].matched_by == \"name\"" out
'

test_expect_success 'a commit id, in full, on any branch' '
	qs_which --json c005e5000000000000000000000000000000c005 >out &&
	echo mm-gup-use-folio-pin-helpers.patch >expect &&
	patches out >actual &&
	test_cmp expect actual &&
	jq -e ".[0].matched_by == \"commit\"" out
'

test_expect_success 'a commit id abbreviated, in either case' '
	qs_which --json c009c9 C007A7 >out &&
	printf "%s\n" mm-vmscan-rename-nr-scanned.patch \
		mm-vmscan-rename-nr-scanned.patch >expect &&
	patches out >actual &&
	test_cmp expect actual
'

test_expect_success 'an exact subject' '
	qs_which --json "lib/string: add strends()" >out &&
	echo lib-string-add-strends.patch >expect &&
	patches out >actual &&
	test_cmp expect actual &&
	jq -e ".[0].matched_by == \"subject\"" out
'

test_expect_success 'a subject must match exactly without --grep' '
	test_expect_code 1 qs_which "lib/string: add" 2>err &&
	test_grep "^quiltsync: no patch matches '\''lib/string: add'\''$" err
'

test_expect_success '--grep: a part of subjects, in any case; several patches' '
	qs_which --json --grep "FOLIO PIN" >out &&
	printf "%s\n" mm-gup-add-folio-pin-helpers.patch \
		mm-gup-use-folio-pin-helpers.patch >expect &&
	patches out >actual &&
	test_cmp expect actual &&
	jq -e "all(.[]; .matched_by == \"grep\")" out
'

test_expect_success '--path: a file' '
	qs_which --json --path lib/string.c >out &&
	printf "%s\n" lib-string-add-strends.patch lib-string-use-strends.patch >expect &&
	patches out >actual &&
	test_cmp expect actual
'

test_expect_success '--path: a directory, with or without its slash' '
	qs_which --json --path mm/ >out &&
	printf "%s\n" mm-gup-add-folio-pin-helpers.patch \
		mm-gup-use-folio-pin-helpers.patch \
		mm-vmscan-rename-nr-scanned.patch >expect &&
	patches out >actual &&
	test_cmp expect actual &&
	qs_which --json --path mm >out &&
	patches out >actual &&
	test_cmp expect actual &&
	qs_which --json --path include >out &&
	printf "%s\n" mm-gup-add-folio-pin-helpers.patch \
		lib-string-add-strends.patch >expect &&
	patches out >actual &&
	test_cmp expect actual
'

test_expect_success '--path: a prefix of a name is not a directory' '
	test_expect_code 1 qs_which --path mm/gu 2>err &&
	test_grep "no patch matches '\''mm/gu'\''" err
'

test_expect_success 'several queries: every answer, exit 1 and a message for the one that missed' '
	test_expect_code 1 qs_which --json mm-vmscan-rename-nr-scanned.patch nothing.patch \
		strends-1@example.net >out 2>err &&
	printf "%s\n" mm-vmscan-rename-nr-scanned.patch lib-string-add-strends.patch >expect &&
	patches out >actual &&
	test_cmp expect actual &&
	echo "quiltsync: no patch matches '\''nothing.patch'\''" >expect &&
	test_cmp expect err
'

test_expect_success '--json: the fields of a patch on three branches' '
	qs_which --json mm-gup-use-folio-pin-helpers.patch >out &&
	jq -e "length == 1" out &&
	jq -e ".[0] | .query == \"mm-gup-use-folio-pin-helpers.patch\" and
		.patch == \"mm-gup-use-folio-pin-helpers.patch\" and
		.subject == \"mm/gup: use folio pin helpers in follow_page\" and
		.series == \"gup: folio pinning helpers\" and
		.series_slug == \"gup-folio-pinning-helpers\" and
		.series_position == 2 and .series_count == 2 and
		.line == 13 and .section == \"mm-unstable\" and .committed == false and
		.message_id == \"20240301120000.2-jorg@example.org\" and
		.applied == {how: \"fuzz\", offset: 2, fuzz: 1, error: null}" out &&
	jq -c ".[0].branches[]" out >actual &&
	cat >expect <<-\EOF &&
	{"name":"mm-unstable","kind":"tree","commit":"c004d4000000000000000000000000000000c004","position":2,"status":"built","error":null}
	{"name":"mm-unstable-gup-folio-pinning-helpers","kind":"series","commit":"c005e5000000000000000000000000000000c005","position":2,"status":"unchanged","error":null}
	{"name":"mm-everything","kind":"integration","commit":"c006f6000000000000000000000000000000c006","position":null,"status":"built","error":null}
	EOF
	test_cmp expect actual
'

test_expect_success '--json: a patch whose branch failed says so, with the error' '
	qs_which --json lib-string-add-strends.patch lib-string-use-strends.patch >out &&
	jq -c ".[] | [.applied.how, .applied.error, .series, .message_id]" out >actual &&
	cat >expect <<-\EOF &&
	["failed","hunk 2 FAILED at 40",null,"strends-1@example.net"]
	["not-reached",null,null,null]
	EOF
	test_cmp expect actual &&
	jq -c ".[0].branches" out >actual &&
	cat >expect <<-\EOF &&
	[{"name":"mm-nonmm-unstable","kind":"tree","commit":null,"position":null,"status":"failed","error":"lib-string-add-strends.patch: hunk 2 FAILED at 40"}]
	EOF
	test_cmp expect actual
'

test_expect_success '--json: one array, also for no answer' '
	test_expect_code 1 qs_which --json nothing >out 2>err &&
	echo "[]" >expect &&
	test_cmp expect out
'

test_expect_success 'human output: a patch on its branches' '
	qs_which mm-gup-use-folio-pin-helpers.patch >actual &&
	cat >expect <<-\EOF &&
	mm-gup-use-folio-pin-helpers.patch
	    subject:    mm/gup: use folio pin helpers in follow_page
	    series:     gup: folio pinning helpers (2/2)
	    section:    mm-unstable, series file line 13
	    message-id: <20240301120000.2-jorg@example.org>
	    applied:    with fuzz 1, offset 2
	    branches:
	      built      c004d4000000  mm-unstable (tree, position 2)
	      unchanged  c005e5000000  mm-unstable-gup-folio-pinning-helpers (series, position 2)
	      built      c006f6000000  mm-everything (integration)
	EOF
	test_cmp expect actual
'

test_expect_success 'human output: failed and not reached, with the errors' '
	qs_which lib-string-add-strends.patch lib-string-use-strends.patch >actual &&
	cat >expect <<-\EOF &&
	lib-string-add-strends.patch
	    subject:    lib/string: add strends()
	    section:    mm-nonmm-unstable, series file line 31
	    message-id: <strends-1@example.net>
	    applied:    FAILED: hunk 2 FAILED at 40
	    branches:
	      failed     -             mm-nonmm-unstable (tree): lib-string-add-strends.patch: hunk 2 FAILED at 40

	lib-string-use-strends.patch
	    subject:    lib/string: use strends()
	    section:    mm-nonmm-unstable, series file line 32
	    applied:    not reached: its branch failed on an earlier patch
	    branches:
	      failed     -             mm-nonmm-unstable (tree): lib-string-add-strends.patch: hunk 2 FAILED at 40
	EOF
	test_cmp expect actual
'

test_expect_success 'setup: a second build whose mm-unstable moved' '
	cp -R first second &&
	jq "(.[] | select(.name == \"mm-vmscan-rename-nr-scanned.patch\") | .commits[0].commit)
		|= \"d007a7000000000000000000000000000000d007\"" first/patches.json \
		>second/patches.json &&
	write_manifest second &&
	git -C repo rev-list $MANIFEST >list &&
	test $(wc -l <list) -eq 2
'

test_expect_success 'the latest manifest answers by default' '
	qs_which --json d007a7 >out &&
	echo mm-vmscan-rename-nr-scanned.patch >expect &&
	patches out >actual &&
	test_cmp expect actual &&
	test_expect_code 1 qs_which c007a7 2>err
'

# Without --rev, which reads the ref and the manifest's copy itself, with
# no libgit2 (whose start reads the whole CA bundle); the answers must be
# the same wherever git keeps the ref, and from a linked worktree (which
# goes through libgit2).
test_expect_success 'the same answers with the manifest ref packed, and the copy of an older build' '
	qs_which --json d007a7 >before &&
	git -C repo pack-refs --all &&
	test ! -e repo/.git/refs/quiltsync/manifest &&
	grep -q " refs/quiltsync/manifest\$" repo/.git/packed-refs &&
	qs_which --json d007a7 >after &&
	test_cmp before after &&
	# a copy of the first manifest must not answer for the second
	qs_which --rev $MANIFEST^ --json mm-vmscan-rename-nr-scanned.patch >/dev/null &&
	qs_which --json d007a7 >again &&
	test_cmp before again
'

test_expect_success 'the same answers from a linked worktree of the repository' '
	git -C repo worktree add -q --detach "$TRASH/linked" $MANIFEST &&
	sed "s|^repository: repo|repository: linked|" quiltsync.yaml >linked.yaml &&
	quiltsync which -c linked.yaml --json d007a7 >from-linked &&
	qs_which --json d007a7 >from-main &&
	test_cmp from-main from-linked
'

test_expect_success 'a query reads no CA bundle (libgit2 stays asleep)' '
	command -v strace >/dev/null || { echo "strace is not installed: not checked" && return 0; } &&
	# LeakSanitizer cannot run under ptrace; this looks at files only
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -e trace=openat -o trace "$QUILTSYNC" which -c quiltsync.yaml d007a7 >/dev/null &&
	! grep -q "ca-certificates\\|/etc/ssl" trace
'

test_expect_success '--rev: an earlier build answers' '
	qs_which --json --rev $MANIFEST~1 c007a7 >out &&
	patches out >actual &&
	test_cmp expect actual &&
	test_expect_code 1 qs_which --rev $MANIFEST~1 d007a7 2>err &&
	first=$(git -C repo rev-parse $MANIFEST~1) &&
	qs_which --json --rev $first c007a7 >out &&
	patches out >actual &&
	test_cmp expect actual
'

test_expect_success '--rev: a revision that names nothing, exit 1' '
	test_expect_code 1 qs_which --rev $MANIFEST~5 x 2>err &&
	test_grep "no manifest '\''refs/quiltsync/manifest~5'\''" err
'

test_expect_success 'a manifest of a newer format is refused: bad input (5)' '
	cp -R first newer &&
	jq ".format = 2" first/build.json >newer/build.json &&
	write_manifest newer &&
	test_expect_code 5 qs_which x 2>err &&
	test_grep "build.json: manifest format 2 is newer than this quiltsync reads (1)" err
'

test_expect_success 'a malformed manifest is refused, naming the blob (5)' '
	cp -R first broken &&
	jq ".[3].status = 3" first/branches.json >broken/branches.json &&
	write_manifest broken &&
	test_expect_code 5 qs_which x 2>err &&
	test_grep "branches.json: branch 3: '\''status'\'' is not a string" err
'

test_expect_success 'a malformed patch is refused when a query reaches it (5)' '
	cp -R first badpatch &&
	jq ".[3].line = \"x\"" first/patches.json >badpatch/patches.json &&
	write_manifest badpatch &&
	test_expect_code 5 qs_which lib-string-add-strends.patch 2>err &&
	test_grep "patches.json: patch 3: '\''line'\'' is not a number" err &&
	qs_which --json mm-vmscan-rename-nr-scanned.patch >out &&
	echo mm-vmscan-rename-nr-scanned.patch >expect &&
	patches out >actual &&
	test_cmp expect actual
'

test_expect_success 'a config whose repository does not exist is a usage error (2)' '
	sed "s/^repository: repo/repository: nowhere/" quiltsync.yaml >other.yaml &&
	test_expect_code 2 quiltsync which -c other.yaml x 2>err &&
	test_grep "is not a git repository" err
'

test_done
