#!/bin/bash
test_description="build: the nightly job on real queues fails only what it must, and says so"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"

# The demo queue and upstream (examples/demo), each test on its own copy.
# What a cron job sees is judged as cron would: the exit status, what
# -q prints, and what the documented recipe mails (a fake `mail` in
# PATH keeps its arguments and its input).

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

GUP=mm-unstable-gup-folio-pinning-helpers
DAMON=mm-unstable-mm-damon-core-cap-the-effective-quota-at-the-size-quota

refs() { git -C "demo-$1/linux" for-each-ref --format="%(refname) %(objectname)"; }

test_expect_success 'setup: the demo upstream' '
	setup_demo_upstream
'

test_expect_success 'entries outside every section are not read: a missing one stops nothing' '
	new_demo outside &&
	printf "%s\n" "not-there.patch" "also-missing.patch.gz" >>demo-outside/patches/series &&
	sed -i "1i gone-before.patch" demo-outside/patches/series &&
	quiltsync build -c demo-outside/quiltsync.yaml --json >out.json 2>err &&
	jq -r ".branches[].status" out.json | sort -u >actual &&
	echo created >expect &&
	test_cmp expect actual &&
	! grep -q "not-there\|also-missing\|gone-before" err
'

test_expect_success 'a missing patch file fails only the branches that take it; exit 1' '
	new_demo missing &&
	line=$(grep -n "^mm-damon-add-quota-goal.patch\$" demo-missing/patches/series | cut -d: -f1) &&
	rm demo-missing/patches/mm-damon-add-quota-goal.patch &&
	test_expect_code 1 quiltsync build -c demo-missing/quiltsync.yaml --json >out.json 2>err &&
	jq -r ".branches[] | [.name, .status] | @tsv" out.json >actual &&
	cat >expect <<-EOF &&
	mm-hotfixes-stable	created
	mm-hotfixes-unstable	created
	mm-stable	created
	mm-unstable	failed
	$GUP	created
	mm-unstable-mm-vmscan-count-reclaim-progress-in-shrink-list-once	created
	mm-unstable-mm-damon-add-quota-goal	failed
	mm-nonmm-stable	created
	mm-nonmm-unstable	created
	mm-everything	blocked
	EOF
	test_cmp expect actual &&
	test "$(field out.json mm-unstable error_patch)" = mm-damon-add-quota-goal.patch &&
	test "$(field out.json mm-unstable error_line)" = $line &&
	test "$(field out.json mm-unstable error)" = \
		"mm-damon-add-quota-goal.patch: patch file '"'"'demo-missing/patches/mm-damon-add-quota-goal.patch'"'"' does not exist" &&
	# said once, with the branches it fails, not also as a warning
	test_must_be_empty err &&
	# what failed keeps nothing, the rest is there
	git -C demo-missing/linux rev-parse -q --verify $GUP >/dev/null &&
	test_must_fail git -C demo-missing/linux rev-parse -q --verify mm-unstable &&
	test_must_fail git -C demo-missing/linux rev-parse -q --verify mm-everything
'

test_expect_success 'an unparseable patch file fails its branches the same way' '
	new_demo garbled &&
	printf "From: nobody\n\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@ garbage\n-a\n" \
		>demo-garbled/patches/mm-vmscan-rename-nr-scanned.patch &&
	test_expect_code 1 quiltsync build -c demo-garbled/quiltsync.yaml --json >out.json 2>err &&
	test "$(field out.json mm-unstable status)" = failed &&
	test "$(field out.json mm-unstable error_patch)" = mm-vmscan-rename-nr-scanned.patch &&
	test "$(field out.json $GUP status)" = created &&
	test "$(field out.json mm-nonmm-unstable status)" = created
'

test_expect_success 'the series file itself unreadable: exit 5, nothing written' '
	new_demo noseries &&
	refs noseries >before &&
	rm demo-noseries/patches/series &&
	test_expect_code 5 quiltsync build -c demo-noseries/quiltsync.yaml 2>err &&
	test_grep -q "series" err &&
	refs noseries >after &&
	test_cmp before after
'

test_expect_success '-q: nothing at all when every branch is built' '
	new_demo quiet &&
	quiltsync build -q -c demo-quiet/quiltsync.yaml >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success '-q: one line per branch not built, with series:LINE, on stderr' '
	new_demo quietfail &&
	line=$(grep -n "^mm-damon-add-quota-goal.patch\$" demo-quietfail/patches/series | cut -d: -f1) &&
	rm demo-quietfail/patches/mm-damon-add-quota-goal.patch &&
	test_expect_code 1 quiltsync build -q -c demo-quietfail/quiltsync.yaml >out 2>err &&
	test_must_be_empty out &&
	grep "^quiltsync: mm-" err >lines &&
	test $(wc -l <lines) = 3 &&
	test_grep -q "^quiltsync: mm-unstable failed at .*patches/series:$line: mm-damon-add-quota-goal.patch: " lines &&
	test_grep -q "^quiltsync: mm-unstable-mm-damon-add-quota-goal failed at .*patches/series:$line: " lines &&
	test_grep -q "^quiltsync: mm-everything blocked: waits on mm-unstable: " lines
'

test_expect_success 'the cron recipe of quiltsync-build(1) mails the failures' '
	new_demo cron &&
	rm demo-cron/patches/mm-damon-add-quota-goal.patch &&
	mkdir bin &&
	printf "#!/bin/sh\nprintf \"%%s\\\\n\" \"\$*\" >\"$TRASH/mail.args\"\ncat >\"$TRASH/mail.body\"\n" >bin/mail &&
	chmod +x bin/mail &&
	recipe=$(sed -n "/^	out=\$(quiltsync build -q/,/mail -s/p" \
		"$QS_SOURCE_DIR/man/quiltsync-build.1.scd" | sed "s|~/mm/quiltsync.yaml|demo-cron/quiltsync.yaml|") &&
	test -n "$recipe" &&
	PATH="$TRASH/bin:$PATH" bash -c "quiltsync() { \"$QUILTSYNC\" \"\$@\"; }; $recipe" &&
	test_grep -q "^-s quiltsync build: exit 1 akpm\$" mail.args &&
	test_grep -q "^quiltsync: mm-unstable failed at .*: mm-damon-add-quota-goal.patch: " mail.body &&
	test_grep -q "^quiltsync: mm-everything blocked" mail.body
'

# External trees by path and file:// URL, after the repository has a
# cache: libgit2's local transport could not fetch into a repository with
# a ref to a blob (refs/quiltsync/cache), so they failed from the second
# build on. git itself fetches them now.

# sub_commit MSG: a new commit on the sub-maintainer tree's slab-next
sub_commit() {
	echo "$1" >>sub/slab.txt &&
	git -C sub add slab.txt &&
	git -C sub commit -q -m "slab: $1"
}

test_expect_success 'setup: a built demo and a sub-maintainer tree' '
	new_demo ext &&
	quiltsync build -q -c demo-ext/quiltsync.yaml &&
	git -C demo-ext/linux rev-parse -q --verify refs/quiltsync/cache >/dev/null &&
	git clone -q upstream sub &&
	git -C sub checkout -q -b slab-next v6.9-rc3 &&
	sub_commit one
'

for url in ../sub "file://$TRASH/sub" "$TRASH/sub"; do
test_expect_success "an external tree at $url merges, and moves on the next build" '
	cp demo-ext/quiltsync.yaml ext.yaml &&
	printf "%s\n" "  - name: for-next" \
		"    merge: [mm-everything, {url: \"'"$url"'\", ref: slab-next}]" >>demo-ext/quiltsync.yaml &&
	quiltsync build -c demo-ext/quiltsync.yaml --json >out.json &&
	test "$(field out.json for-next status)" != failed &&
	git -C demo-ext/linux rev-parse for-next^2 >actual &&
	git -C sub rev-parse slab-next >expect &&
	test_cmp expect actual &&
	sub_commit "after $url" &&
	quiltsync build -c demo-ext/quiltsync.yaml --json >out.json &&
	test "$(field out.json for-next status)" = updated &&
	git -C demo-ext/linux rev-parse for-next^2 >actual &&
	git -C sub rev-parse slab-next >expect &&
	test_cmp expect actual &&
	git -C demo-ext/linux fsck --strict --no-dangling &&
	mv ext.yaml demo-ext/quiltsync.yaml
'
done

test_expect_success 'a dry run says it would fetch a tree never fetched; nothing written, exit 0' '
	printf "%s\n" "  - name: for-next" \
		"    merge: [mm-everything, {url: \"$TRASH/sub/.git\", ref: slab-next}]" >>demo-ext/quiltsync.yaml &&
	refs ext >before &&
	quiltsync build -c demo-ext/quiltsync.yaml --dry-run >out &&
	test_grep -q "^skipped .*for-next: would fetch .slab-next. from $TRASH/sub/.git first" out &&
	refs ext >after &&
	test_cmp before after
'

# Branches checked out in a worktree are not moved: git refuses to, and
# moving one leaves that worktree's index describing the old commit.

test_expect_success 'a branch checked out in a linked worktree is not moved; the others are' '
	new_demo wt &&
	quiltsync build -q -c demo-wt/quiltsync.yaml &&
	git -C demo-wt/linux worktree add -q "$TRASH/wt-gup" $GUP &&
	git -C demo-wt/linux checkout -q mm-stable &&
	old_gup=$(git -C demo-wt/linux rev-parse $GUP) &&
	old_stable=$(git -C demo-wt/linux rev-parse mm-stable) &&
	sed -i "s/^Subject: \(.*\)/Subject: \1 (v2)/" demo-wt/patches/mm-gup-add-folio-pin-helpers.patch \
		demo-wt/patches/mm-vmscan-document-the-reclaim-batch.patch &&
	test_expect_code 1 quiltsync build -c demo-wt/quiltsync.yaml --json --allow-rewrite mm-stable >out.json &&
	test "$(field out.json $GUP status)" = failed &&
	test "$(field out.json $GUP error)" = \
		"checked out in the worktree '"'"'$TRASH/wt-gup'"'"': not moved, as git would not move it" &&
	test "$(field out.json mm-stable status)" = failed &&
	field out.json mm-stable error >err &&
	test_grep -q "checked out in the worktree .*demo-wt/linux" err &&
	test "$(field out.json mm-unstable status)" = updated &&
	test "$(git -C demo-wt/linux rev-parse $GUP)" = $old_gup &&
	test "$(git -C demo-wt/linux rev-parse mm-stable)" = $old_stable &&
	git -C wt-gup status --porcelain >status &&
	test_must_be_empty status &&
	git -C demo-wt/linux status --porcelain >status &&
	test_must_be_empty status &&
	# and the manifest says so
	git -C demo-wt/linux show refs/quiltsync/manifest:branches.json |
		jq -r ".[] | select(.name == \"$GUP\") | .status, .tip" >actual &&
	printf "%s\n" failed $old_gup >expect &&
	test_cmp expect actual
'

# A patch with no mail headers (a plain diff, as many queues have): its
# branch needs an author; the config's default author is used there only.

test_expect_success 'a headerless patch: fails without a default author, takes it with one' '
	new_demo noauthor &&
	f=demo-noauthor/patches/mm-vmscan-rename-nr-scanned.patch &&
	sed -n "/^---\$/,\$p" $f | sed 1d >plain &&
	sed -n "/^diff \|^--- a\//,\$p" plain >$f &&
	head -1 $f | grep -q "^diff\|^--- " &&
	test_expect_code 1 quiltsync build -c demo-noauthor/quiltsync.yaml --json >out.json &&
	test "$(field out.json mm-unstable status)" = failed &&
	field out.json mm-unstable error >err &&
	test_grep -q "no author e-mail address" err &&
	sed -i "s/^committer: .*/&\\nauthor: Default Author <default@example.org>/" \
		demo-noauthor/quiltsync.yaml &&
	quiltsync build -c demo-noauthor/quiltsync.yaml --json >out.json &&
	test "$(field out.json mm-unstable status)" = created &&
	git -C demo-noauthor/linux log --format="%an <%ae>|%s" mm-unstable >log &&
	test_grep -q "^Default Author <default@example.org>|mm-vmscan-rename-nr-scanned\$" log &&
	# the patches that name their author keep it
	test $(grep -c "^Default Author" log) = 1
'

# Every compression quilt reads: .lzma (lzma -c) and .lz (lzip) too. The
# file's decompressed bytes are the patch, so the commits are those of
# the plain files, and quilt itself pushes the same queue.

test_expect_success 'patches as .lzma and .lz make the very commits of the plain files' '
	command -v lzip >/dev/null && command -v xz >/dev/null &&
	new_demo plain &&
	quiltsync build -q -c demo-plain/quiltsync.yaml &&
	new_demo packed &&
	(
		cd demo-packed/patches &&
		xz --format=lzma -k mm-gup-add-folio-pin-helpers.patch &&
		lzip -k mm-damon-add-quota-goal.patch &&
		rm mm-gup-add-folio-pin-helpers.patch mm-damon-add-quota-goal.patch &&
		sed -i -e "s/^mm-gup-add-folio-pin-helpers.patch\$/&.lzma/" \
			-e "s/^mm-damon-add-quota-goal.patch\$/&.lz/" series &&
		grep -q "^mm-gup-add-folio-pin-helpers.patch.lzma\$" series &&
		grep -q "^mm-damon-add-quota-goal.patch.lz\$" series
	) &&
	quiltsync build -q -c demo-packed/quiltsync.yaml &&
	refs plain | grep refs/heads/ >expect &&
	refs packed | grep refs/heads/ >actual &&
	test_cmp expect actual &&
	# quilt reads them the same way: mm-unstable'"'"'s 7 patches on its start
	git -C demo-packed/linux worktree add -q --detach "$TRASH/qtree" mm-unstable~7 &&
	sed -n "/^#BRANCH mm-unstable/,/^#ENDBRANCH mm-unstable/p" demo-packed/patches/series |
		grep -v "^#" >qtree-series &&
	(cd qtree && QUILT_PATCHES="$TRASH/demo-packed/patches" QUILT_SERIES="$TRASH/qtree-series" \
		quilt push -aq >/dev/null) &&
	git -C qtree add -A . ":!.pc" &&
	test "$(git -C qtree write-tree)" = "$(git -C demo-packed/linux rev-parse "mm-unstable^{tree}")"
'

# A branch that fails keeps its last good commit: the report and the
# manifest say it is stale, and failed-series: unpublish takes a failed
# per-series branch out of publishing.

test_expect_success 'a failed branch that keeps an older commit is stale; failed-series: unpublish' '
	new_demo stale &&
	quiltsync build -q -c demo-stale/quiltsync.yaml &&
	# a line to remove that no tree has: the patch no longer applies
	sed -i "0,/^-[^-]/s/^-\([^-].*\)/-\1 (changed upstream)/" \
		demo-stale/patches/mm-damon-add-quota-goal.patch &&
	grep -q "(changed upstream)" demo-stale/patches/mm-damon-add-quota-goal.patch &&
	test_expect_code 1 quiltsync build -c demo-stale/quiltsync.yaml --json >out.json &&
	jq -r ".branches[] | select(.stale) | .name" out.json >actual &&
	printf "%s\n" mm-unstable mm-unstable-mm-damon-core-cap-the-effective-quota-at-the-size-quota \
		mm-everything >expect &&
	test_cmp expect actual &&
	jq -r ".branches[] | select(.publish | not) | .name" out.json >actual &&
	test_must_be_empty actual &&
	echo "failed-series: unpublish" >>demo-stale/quiltsync.yaml &&
	test_expect_code 1 quiltsync build -c demo-stale/quiltsync.yaml --json >out.json &&
	jq -r ".branches[] | select(.publish | not) | .name" out.json >actual &&
	echo mm-unstable-mm-damon-core-cap-the-effective-quota-at-the-size-quota >expect &&
	test_cmp expect actual &&
	git -C demo-stale/linux show refs/quiltsync/manifest:branches.json |
		jq -r ".[] | select(.stale) | [.name, .status, .publish] | @tsv" >actual &&
	printf "%s\t%s\t%s\n" mm-unstable failed true \
		mm-unstable-mm-damon-core-cap-the-effective-quota-at-the-size-quota failed false \
		mm-everything blocked true >expect &&
	test_cmp expect actual &&
	quiltsync status -c demo-stale/quiltsync.yaml --json >status.json &&
	test "$(jq -r ".branches[] | select(.name == \"mm-unstable\") | .stale" status.json)" = true
'

# What changed per branch since the last build's manifest; a series that
# left mm-unstable for mm-stable is said to have moved there.

VMSCAN=mm-unstable-mm-vmscan-count-reclaim-progress-in-shrink-list-once

test_expect_success 'patches added, removed and changed are listed per branch' '
	new_demo changes &&
	quiltsync build -q -c demo-changes/quiltsync.yaml &&
	sed -i "s/^Subject: \(.*\)/Subject: \1 v2/" \
		demo-changes/patches/mm-damon-document-quota-goal.patch &&
	sed -i "/^mm-gup-add-folio-pin-helpers-fix.patch\$/d" demo-changes/patches/series &&
	quiltsync build -c demo-changes/quiltsync.yaml --json >out.json &&
	jq -r ".branches[] | select(.name == \"mm-unstable\") | .changes |
		[.added, .removed, .changed] | map(join(\",\")) | @tsv" out.json >actual &&
	printf "\t%s\t%s\n" mm-gup-add-folio-pin-helpers-fix.patch \
		mm-damon-document-quota-goal.patch >expect &&
	test_cmp expect actual &&
	jq -r ".branches[] | select(.name == \"$GUP\") | .changes.removed[]" out.json >actual &&
	echo mm-gup-add-folio-pin-helpers-fix.patch >expect &&
	test_cmp expect actual &&
	quiltsync status -c demo-changes/quiltsync.yaml --json >status.json &&
	jq -c ".branches[] | select(.name == \"mm-unstable\") | .changes" status.json >actual &&
	echo "{\"added\":[],\"removed\":[\"mm-gup-add-folio-pin-helpers-fix.patch\"],\"changed\":[\"mm-damon-document-quota-goal.patch\"]}" >expect &&
	test_cmp expect actual
'

test_expect_success 'a series moved from mm-unstable to mm-stable: moved, not gone' '
	new_demo moved &&
	quiltsync build -q -c demo-moved/quiltsync.yaml &&
	sed -i -e "/^mm-vmscan-rename-nr-scanned.patch\$/d" \
		-e "s/^mm-vmscan-document-the-reclaim-batch.patch\$/&\nmm-vmscan-rename-nr-scanned.patch/" \
		demo-moved/patches/series &&
	quiltsync build -c demo-moved/quiltsync.yaml --json >out.json &&
	test "$(field out.json $VMSCAN status)" = gone &&
	test "$(field out.json $VMSCAN moved_to)" = mm-stable &&
	test "$(field out.json $VMSCAN reason)" = "its series moved to mm-stable" &&
	jq -r ".branches[] | select(.name == \"mm-stable\") | .changes.added[]" out.json >actual &&
	echo mm-vmscan-rename-nr-scanned.patch >expect &&
	test_cmp expect actual
'

# The cycle of the stable trees. Linus pulls mm-stable in the merge
# window, akpm drops the merged patches from the queue, and after -rc3
# mm-stable starts again on the new upstream, with no flag: every commit
# it had is upstream, merged as it was or applied anew (the same
# patch-id, as `git cherry` finds it). If one is not, the build refuses
# as for any rewrite, unless --allow-rewrite names the branch.

# new_release DEMO VERSION: Linus tags VERSION on master and it is fetched.
new_release() {
	echo "$2" >>"demo-$1/linux/README" &&
	git -C "demo-$1/linux" commit -q -a -m "Linux $2" &&
	git -C "demo-$1/linux" tag "v$2" &&
	git -C "demo-$1/linux" update-ref refs/remotes/origin/master master
}

# drop_patch DEMO PATCH: akpm drops PATCH from the series file.
drop_patch() {
	sed -i "/^$2\$/d" "demo-$1/patches/series" &&
	! grep -q "^$2\$" "demo-$1/patches/series"
}

# to_stable DEMO PATCH: akpm moves PATCH to the end of mm-stable.
to_stable() {
	sed -i "/^$2\$/d" "demo-$1/patches/series" &&
	sed -i "/^#ENDBRANCH mm-stable\$/i $2" "demo-$1/patches/series"
}

RECLAIM=mm-vmscan-document-the-reclaim-batch.patch
RENAME=mm-vmscan-rename-nr-scanned.patch

test_expect_success 'mm-stable merged by Linus: the next build starts a new cycle on upstream' '
	new_demo merged &&
	quiltsync build -q -c demo-merged/quiltsync.yaml &&
	old=$(git -C demo-merged/linux rev-parse mm-stable) &&
	git -C demo-merged/linux merge -q --no-ff -m "Merge branch mm-stable" mm-stable &&
	new_release merged 6.10-rc1 && new_release merged 6.11-rc3 &&
	drop_patch merged $RECLAIM &&
	quiltsync build -c demo-merged/quiltsync.yaml --json >out.json &&
	test "$(field out.json mm-stable status)" = updated &&
	test "$(field out.json mm-stable new_cycle)" = true &&
	test "$(field out.json mm-stable reason)" = "new cycle: 0 patches, 0 applied anew" &&
	test "$(git -C demo-merged/linux rev-parse mm-stable)" = \
		"$(git -C demo-merged/linux rev-parse refs/remotes/origin/master)" &&
	test "$(field out.json mm-hotfixes-stable new_cycle)" = false &&
	test "$(git -C demo-merged/linux rev-parse mm-hotfixes-stable)" = \
		"$(git -C demo-merged/linux rev-parse refs/remotes/origin/master)" &&
	test "$(jq -r .base out.json)" = v6.11-rc3 &&
	git -C demo-merged/linux merge-base --is-ancestor $old mm-stable &&
	quiltsync build -c demo-merged/quiltsync.yaml --json >again.json &&
	test "$(field again.json mm-stable status)" = unchanged &&
	test "$(field again.json mm-stable new_cycle)" = false
'

test_expect_success 'mm-stable applied anew upstream: a new cycle by patch-id, as git cherry sees it' '
	new_demo picked &&
	quiltsync build -q -c demo-picked/quiltsync.yaml &&
	old=$(git -C demo-picked/linux rev-parse mm-stable) &&
	git -C demo-picked/linux cherry-pick -x mm-stable >/dev/null &&
	new_release picked 6.10-rc1 && new_release picked 6.11-rc3 &&
	git -C demo-picked/linux cherry refs/remotes/origin/master $old >cherry &&
	test_grep -q "^- $old\$" cherry &&
	drop_patch picked $RECLAIM &&
	to_stable picked $RENAME &&
	quiltsync build -c demo-picked/quiltsync.yaml --json >out.json &&
	test "$(field out.json mm-stable new_cycle)" = true &&
	test "$(field out.json mm-stable reason)" = "new cycle: 1 patch, 1 applied anew" &&
	test "$(git -C demo-picked/linux rev-parse mm-stable~1)" = \
		"$(git -C demo-picked/linux rev-parse refs/remotes/origin/master)" &&
	git -C demo-picked/linux log -1 --format=%s mm-stable >subject &&
	test_grep -q "count reclaim progress" subject
'

test_expect_success 'one commit of mm-stable not upstream: exit 7, nothing written, and why' '
	new_demo partial &&
	to_stable partial $RENAME &&
	quiltsync build -q -c demo-partial/quiltsync.yaml &&
	old=$(git -C demo-partial/linux rev-parse mm-stable) &&
	git -C demo-partial/linux cherry-pick -x mm-stable~1 >/dev/null &&
	new_release partial 6.10-rc1 && new_release partial 6.11-rc3 &&
	git -C demo-partial/linux cherry refs/remotes/origin/master $old >cherry &&
	test_grep -q "^+ $old\$" cherry &&
	drop_patch partial $RECLAIM &&
	refs partial >before &&
	test_expect_code 7 quiltsync build -c demo-partial/quiltsync.yaml 2>err &&
	short=$(git -C demo-partial/linux rev-parse --short=7 $old) &&
	test_grep -q "append-only branch .mm-stable.: .* not a new cycle: commit $short .mm/vmscan: count reclaim progress in shrink_list() once. is not in upstream" err &&
	refs partial >after &&
	test_cmp before after
'

test_expect_success 'merged over two nights: the second scan goes on from the first' '
	new_demo twonights &&
	to_stable twonights $RENAME &&
	quiltsync build -q -c demo-twonights/quiltsync.yaml &&
	old=$(git -C demo-twonights/linux rev-parse mm-stable) &&
	git -C demo-twonights/linux cherry-pick -x mm-stable~1 >/dev/null &&
	new_release twonights 6.10-rc1 &&
	quiltsync build -c demo-twonights/quiltsync.yaml --json >night1.json &&
	test "$(field night1.json mm-stable status)" = unchanged &&
	git -C demo-twonights/linux show refs/quiltsync/cache >cache &&
	test_grep -q " 10\$" cache &&
	git -C demo-twonights/linux cherry-pick -x mm-stable >/dev/null &&
	new_release twonights 6.10-rc2 &&
	drop_patch twonights $RECLAIM && drop_patch twonights $RENAME &&
	quiltsync build -c demo-twonights/quiltsync.yaml --json >night2.json &&
	test "$(field night2.json mm-stable new_cycle)" = true &&
	test "$(git -C demo-twonights/linux rev-parse mm-stable)" = \
		"$(git -C demo-twonights/linux rev-parse refs/remotes/origin/master)"
'

test_expect_success '--allow-rewrite names the branches it applies to' '
	test_expect_code 2 quiltsync build -c demo-partial/quiltsync.yaml --allow-rewrite mm-unstable 2>err &&
	echo "quiltsync: cannot allow rewriting '"'"'mm-unstable'"'"': it is not an append-only branch" >expect &&
	test_cmp expect err &&
	test_expect_code 2 quiltsync build -c demo-partial/quiltsync.yaml --allow-rewrite mm-stabel 2>err &&
	test_grep -q "cannot allow rewriting .mm-stabel.: the config has no branch of that name" err &&
	test_expect_code 7 quiltsync build -c demo-partial/quiltsync.yaml --allow-rewrite mm-hotfixes-stable 2>err &&
	test_grep -q "append-only branch .mm-stable." err &&
	refs partial >after &&
	test_cmp before after &&
	quiltsync build -c demo-partial/quiltsync.yaml --allow-rewrite mm-stable --json >out.json &&
	test "$(field out.json mm-stable status)" = updated &&
	test "$(field out.json mm-stable new_cycle)" = false &&
	test "$(git -C demo-partial/linux rev-parse mm-stable~1)" = \
		"$(git -C demo-partial/linux rev-parse refs/remotes/origin/master)"
'

# "##name.patch" entries record patches committed to akpm's own git
# branch; their files are gone (in the 2022-05-10 snapshot, all 270 of
# them). quilt takes them for comments; the build makes no commit for
# them, says so, and on later builds pairs them with the branch's
# commits only where the branch has one for them.

test_expect_success 'a new append-only branch is made without its file-less records, and says so' '
	new_demo records &&
	sed -i "/^#BRANCH mm-stable\$/a ##gone-record.patch" demo-records/patches/series &&
	quiltsync build -c demo-records/quiltsync.yaml --json >out.json &&
	test "$(field out.json mm-stable reason)" = \
		"new branch, 1 patch; 1 committed (##) entry without a patch file, not made" &&
	old=$(git -C demo-records/linux rev-parse mm-stable) &&
	to_stable records $RENAME &&
	quiltsync build -c demo-records/quiltsync.yaml --json >out.json &&
	test "$(field out.json mm-stable status)" = updated &&
	test "$(git -C demo-records/linux rev-parse mm-stable~1)" = $old
'

test_expect_success 'a committed patch whose file is gone still stands for its commit' '
	new_demo record-of-commit &&
	quiltsync build -q -c demo-record-of-commit/quiltsync.yaml &&
	refs record-of-commit >before &&
	sed -i "s/^$RECLAIM\$/##&/" demo-record-of-commit/patches/series &&
	rm demo-record-of-commit/patches/$RECLAIM &&
	quiltsync build -c demo-record-of-commit/quiltsync.yaml --json >out.json &&
	test "$(field out.json mm-stable status)" = unchanged &&
	test "$(field out.json mm-stable reason)" = "1 patch, unchanged" &&
	refs record-of-commit | grep -v "^refs/quiltsync/" >after &&
	grep -v "^refs/quiltsync/" before >before.heads &&
	test_cmp before.heads after
'

test_done
