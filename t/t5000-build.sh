#!/bin/bash
test_description="build: every branch of the demo queue, with git and quilt as the judges"
. "$(dirname "$0")/lib.sh"

# The fixture is the demo (examples/demo): its queue, and the upstream
# repository its make-upstream script makes (tags v6.8-rc3, v6.9-rc2,
# v6.9-rc3, v6.9-rc4, an unreachable v6.10-rc3; origin/master at
# v6.9-rc4). Each test works on its own copy, demo-NAME/, with the
# demo's quiltsync.yaml pointed at demo-NAME/linux.
#
# The judges: quilt push -a for trees (hashed by git in a scratch
# repository), git am for the commits of patches, git merge for merge
# commits, git fsck for the repository, and git itself for refs and
# objects (for-each-ref, count-objects, the objects directory).

for cmd in git quilt jq flock python3 tar; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done
umask 022
unset QUILT_PATCHES QUILT_PATCH_OPTS POSIXLY_CORRECT QUILT_PC

COMMITTER_NAME="Andrew Morton"
COMMITTER_EMAIL="akpm@linux-foundation.org"

# The demo's series, as the queue groups them (patch files in order).
GUP=mm-unstable-gup-folio-pinning-helpers
VMSCAN=mm-unstable-mm-vmscan-count-reclaim-progress-in-shrink-list-once
DAMON=mm-unstable-mm-damon-core-cap-the-effective-quota-at-the-size-quota
GUP_PATCHES="mm-gup-add-folio-pin-helpers.patch mm-gup-add-folio-pin-helpers-fix.patch
	mm-gup-use-folio-pin-helpers-in-follow-page.patch mm-gup-convert-pin-user-pages-fast.patch"
VMSCAN_PATCHES="mm-vmscan-rename-nr-scanned.patch"
DAMON_PATCHES="mm-damon-add-quota-goal.patch mm-damon-document-quota-goal.patch"
HOTFIXES_PATCHES="mm-kmemleak-fix-scan-of-empty-area.patch"
STABLE_PATCHES="mm-vmscan-document-the-reclaim-batch.patch"
NONMM_PATCHES="lib-string-add-strends.patch"
UNSTABLE_PATCHES="$GUP_PATCHES $VMSCAN_PATCHES $DAMON_PATCHES"

# new_demo NAME: demo-NAME/ with the queue, a fresh copy of the
# upstream repository and the config.
new_demo() {
	mkdir "demo-$1" &&
	cp -R "$TRASH/src/patches" "demo-$1/patches" &&
	cp -a "$TRASH/upstream" "demo-$1/linux" &&
	sed -e 's|^repository:.*|repository: linux|' "$TRASH/src/quiltsync.yaml" \
		>"demo-$1/quiltsync.yaml"
}

# build NAME [OPTIONS]: quiltsync build on demo-NAME
build() {
	local name=$1
	shift
	quiltsync build -c "demo-$name/quiltsync.yaml" "$@"
}

# snapshot NAME FILE: everything a build may write in the repository
# (refs, object counts, the objects directory), to compare later.
snapshot() {
	git -C "demo-$1/linux" for-each-ref >"$2" &&
	git -C "demo-$1/linux" count-objects -v >>"$2" &&
	(cd "demo-$1/linux/.git/objects" && find . | sort) >>"$2"
}

# heads NAME: "branch id" lines
heads() {
	git -C "demo-$1/linux" for-each-ref --format='%(refname:short) %(objectname)' refs/heads
}

# The tree of directory $1 as git sees it (exec bits, symlinks), hashed
# in a scratch repository so that no other repository gets an object.
tree_of() {
	rm -f "$TRASH/scratch.idx" &&
	GIT_INDEX_FILE=$TRASH/scratch.idx git --git-dir="$TRASH/scratch.git" \
		--work-tree="$1" add -A -- . ':!.pc' &&
	GIT_INDEX_FILE=$TRASH/scratch.idx git --git-dir="$TRASH/scratch.git" \
		--work-tree="$1" write-tree
}

# quilt_tree REPO REV PATCH...: the tree quilt push -a leaves on a
# checkout of REV of REPO, with a series file of just these patches.
quilt_tree() {
	local repo=$1 rev=$2 p
	shift 2
	rm -rf "$TRASH/qwt" "$TRASH/qp" && mkdir "$TRASH/qwt" "$TRASH/qp" &&
	git -C "$repo" archive "$rev" | tar -x -C "$TRASH/qwt" &&
	for p in "$@"; do
		cp "$TRASH/src/patches/$p" "$TRASH/qp/" &&
		echo "$p" >>"$TRASH/qp/series" || return 1
	done &&
	(cd "$TRASH/qwt" && QUILT_PATCHES=../qp quilt --quiltrc /dev/null push -a -q) \
		>"$TRASH/quilt.log" 2>&1 &&
	tree_of "$TRASH/qwt"
}

# expect_quilt_tree REPO BRANCH START PATCH...: BRANCH's tree is quilt's
# for these patches on START, and BRANCH has one commit per patch on it.
expect_quilt_tree() {
	local repo=$1 branch=$2 start=$3 n
	shift 3
	n=$#
	quilt_tree "$repo" "$start" "$@" >"$TRASH/expect.tree" &&
	git -C "$repo" rev-parse "$branch^{tree}" >"$TRASH/actual.tree" &&
	test_cmp "$TRASH/expect.tree" "$TRASH/actual.tree" &&
	git -C "$repo" rev-parse "$start^{commit}" >"$TRASH/expect.start" &&
	git -C "$repo" rev-parse "$branch~$n" >"$TRASH/actual.start" &&
	test_cmp "$TRASH/expect.start" "$TRASH/actual.start"
}

# The file must be empty; shows it when it is not.
expect_empty() {
	if test -s "$1"; then
		echo "expect_empty: $1 is not empty:" >&2
		cat "$1" >&2
		return 1
	fi
}

wait_for_file() {
	local i=0
	while ! test -e "$1"; do
		i=$((i + 1))
		if [ $i -gt 200 ]; then
			echo "wait_for_file: no $1 after 20s" >&2
			return 1
		fi
		sleep 0.1
	done
}

# am_commit CLONE COMMIT PATCH [LINK]: make with git am, in CLONE, the
# commit for PATCH on COMMIT's parent, and print its id. The committer
# is the config's; the committer date follows the rule: the author date
# git am reads, unless it is earlier than the parent's committer date
# (then the parent's). Two departures from plain `git am`, both the
# documented behaviour (quiltsync-build(1)):
#  - a patch without Date: would get the clock's time from git am; the
#    build uses the parent's committer date, so we add that as a Date:
#    header to git am's copy;
#  - with LINK (the config's link pattern), a patch that has a
#    Message-ID and no Link: trailer gets "Link: LINK-with-the-id",
#    added to git am's copy with git interpret-trailers.
am_commit() {
	local clone=$1 ours=$2 patch=$3 link=${4:-} parent pdate ad cd msgid
	parent=$(git -C "$clone" rev-parse "$ours^") &&
	cp "$patch" "$TRASH/am.patch" &&
	git mailinfo -u "$TRASH/am.msg" "$TRASH/am.diff" <"$patch" >"$TRASH/am.info" &&
	if ! grep -q '^Date: ' "$TRASH/am.info"; then
		pdate=$(git -C "$clone" log -1 --format=%cD "$parent") &&
		if head -1 "$patch" | grep -q '^From '; then
			sed -i "1a Date: $pdate" "$TRASH/am.patch"
		else
			sed -i "1i Date: $pdate" "$TRASH/am.patch"
		fi
	fi &&
	if [ -n "$link" ] && ! grep -qi '^link:' "$TRASH/am.msg"; then
		msgid=$(sed -n -e '/^$/q' -e 's/^[Mm]essage-[Ii][Dd]: *<\(.*\)>.*/\1/p' "$patch") &&
		if [ -n "$msgid" ]; then
			git interpret-trailers --in-place \
				--trailer "Link: ${link/\{msgid\}/$msgid}" "$TRASH/am.patch"
		fi
	fi &&
	git -C "$clone" checkout -q --detach "$parent" &&
	git -C "$clone" am -q "$TRASH/am.patch" &&
	ad=$(git -C "$clone" log -1 --format=%ad --date=raw HEAD) &&
	cd=$(git -C "$clone" log -1 --format=%cd --date=raw "$parent") &&
	if [ "${ad%% *}" -lt "${cd%% *}" ]; then ad=$cd; fi &&
	git -C "$clone" checkout -q --detach "$parent" &&
	GIT_COMMITTER_NAME=$COMMITTER_NAME GIT_COMMITTER_EMAIL=$COMMITTER_EMAIL \
		GIT_COMMITTER_DATE="@$ad" git -C "$clone" am -q "$TRASH/am.patch" &&
	git -C "$clone" rev-parse HEAD
}

# am_parity CLONE BRANCH LINK PATCHDIR -- PATCH...: each of BRANCH's
# last commits is, byte for byte, the commit git am makes of its patch.
am_parity() {
	local clone=$1 branch=$2 link=$3 dir=$4 n i p ours theirs
	shift 5
	n=$#
	i=$n
	for p in "$@"; do
		i=$((i - 1))
		ours=$(git -C "$clone" rev-parse "$branch~$i") &&
		theirs=$(am_commit "$clone" "$ours" "$dir/$p" "$link") &&
		git -C "$clone" cat-file commit "$theirs" >"$TRASH/am.expect" &&
		git -C "$clone" cat-file commit "$ours" >"$TRASH/am.actual" &&
		test_cmp "$TRASH/am.expect" "$TRASH/am.actual" || return 1
	done
}

# merge_parity CLONE COMMIT INTO THEIRS-NAME: COMMIT (a merge) is the
# commit `git merge --no-edit THEIRS-NAME` makes on branch INTO at
# COMMIT's first parent, by the config's committer, dated the later of
# the two parents' committer dates.
merge_parity() {
	local clone=$1 ours=$2 into=$3 name=$4 d1 d2 date
	d1=$(git -C "$clone" log -1 --format=%cd --date=raw "$ours^1") &&
	d2=$(git -C "$clone" log -1 --format=%cd --date=raw "$ours^2") &&
	date=$d1 &&
	if [ "${d2%% *}" -gt "${d1%% *}" ]; then date=$d2; fi &&
	git -C "$clone" checkout -q -B "$into" "$ours^1" &&
	git -C "$clone" branch -f "$name" "$ours^2" &&
	GIT_AUTHOR_NAME=$COMMITTER_NAME GIT_AUTHOR_EMAIL=$COMMITTER_EMAIL \
	GIT_COMMITTER_NAME=$COMMITTER_NAME GIT_COMMITTER_EMAIL=$COMMITTER_EMAIL \
	GIT_AUTHOR_DATE="@$date" GIT_COMMITTER_DATE="@$date" \
		git -C "$clone" merge -q --no-ff --no-edit "$name" &&
	git -C "$clone" cat-file commit HEAD >"$TRASH/merge.expect" &&
	git -C "$clone" cat-file commit "$ours" >"$TRASH/merge.actual" &&
	test_cmp "$TRASH/merge.expect" "$TRASH/merge.actual"
}

ALL_BRANCHES="mm-everything
mm-hotfixes-stable
mm-hotfixes-unstable
mm-nonmm-stable
mm-nonmm-unstable
mm-stable
mm-unstable
$DAMON
$GUP
$VMSCAN"

test_expect_success 'setup: the demo queue and its upstream repository' '
	cp -R "$QS_SOURCE_DIR/examples/demo" src &&
	sh src/make-upstream "$TRASH/upstream" &&
	git -C upstream rev-parse v6.9-rc3 v6.9-rc4 v6.8-rc3 v6.10-rc3 &&
	git init -q --bare scratch.git
'

# 1. Trees

test_expect_success 'full build: exit 0, every branch, git fsck --strict clean' '
	new_demo full &&
	build full >out 2>err &&
	expect_empty err &&
	git -C demo-full/linux for-each-ref --format="%(refname:short)" refs/heads >actual &&
	{ echo master && echo "$ALL_BRANCHES"; } | sort >expect &&
	test_cmp expect actual &&
	git -C demo-full/linux fsck --strict --no-dangling --no-progress >fsck.out 2>&1 &&
	expect_empty fsck.out
'

test_expect_success 'per-series branches: quilt push -a of the series alone on v6.9-rc3' '
	R=demo-full/linux &&
	expect_quilt_tree $R $GUP v6.9-rc3 $GUP_PATCHES &&
	expect_quilt_tree $R $VMSCAN v6.9-rc3 $VMSCAN_PATCHES &&
	expect_quilt_tree $R $DAMON v6.9-rc3 $DAMON_PATCHES
'

test_expect_success 'tree branches on upstream: quilt push -a of their sections' '
	R=demo-full/linux &&
	expect_quilt_tree $R mm-hotfixes-unstable origin/master $HOTFIXES_PATCHES &&
	expect_quilt_tree $R mm-stable origin/master $STABLE_PATCHES &&
	expect_quilt_tree $R mm-nonmm-unstable origin/master $NONMM_PATCHES &&
	git -C $R rev-parse origin/master origin/master >expect &&
	git -C $R rev-parse mm-hotfixes-stable mm-nonmm-stable >actual &&
	test_cmp expect actual
'

test_expect_success 'mm-unstable: git merge of its starts, then quilt push -a of its section' '
	rm -rf m && git clone -q --shared demo-full/linux m &&
	git -C m checkout -q --detach origin/mm-hotfixes-unstable &&
	git -C m merge -q --no-edit origin/mm-stable &&
	git -C m rev-parse "HEAD^{tree}" >expect &&
	git -C m rev-parse "origin/mm-unstable~7^{tree}" >actual &&
	test_cmp expect actual &&
	quilt_tree m HEAD $UNSTABLE_PATCHES >expect &&
	git -C m rev-parse "origin/mm-unstable^{tree}" >actual &&
	test_cmp expect actual
'

test_expect_success 'mm-everything: the tree git merge makes' '
	rm -rf m && git clone -q --shared demo-full/linux m &&
	git -C m checkout -q --detach origin/mm-unstable &&
	git -C m merge -q --no-edit origin/mm-nonmm-unstable &&
	git -C m rev-parse "HEAD^{tree}" >expect &&
	git -C m rev-parse "origin/mm-everything^{tree}" >actual &&
	test_cmp expect actual &&
	git -C m rev-parse origin/mm-unstable origin/mm-nonmm-unstable >expect &&
	git -C m rev-parse origin/mm-everything^1 origin/mm-everything^2 >actual &&
	test_cmp expect actual
'

# 2. Metadata

# Without `link`, the commits must be git am's as they are. The two
# damon patches get dates after v6.9-rc3's, the second a second earlier
# than the first, so that every case of the committer date rule is used:
# the author date; the parent's date when the parent is upstream's; the
# parent's when it is a commit the build made.
test_expect_success 'metadata: every patch commit is git am'"'"'s, byte for byte (no link)' '
	new_demo meta &&
	sed -i /^link:/d demo-meta/quiltsync.yaml &&
	sed -i "s/^Date: .*/Date: Sat, 20 Apr 2024 08:15:31 +0900/" \
		demo-meta/patches/mm-damon-add-quota-goal.patch &&
	sed -i "s/^Date: .*/Date: Sat, 20 Apr 2024 08:15:30 +0900/" \
		demo-meta/patches/mm-damon-document-quota-goal.patch &&
	build meta >out &&
	rm -rf m && git clone -q --shared demo-meta/linux m &&
	am_parity m origin/$GUP "" demo-meta/patches -- $GUP_PATCHES &&
	am_parity m origin/$VMSCAN "" demo-meta/patches -- $VMSCAN_PATCHES &&
	am_parity m origin/$DAMON "" demo-meta/patches -- $DAMON_PATCHES &&
	am_parity m origin/mm-unstable "" demo-meta/patches -- $UNSTABLE_PATCHES &&
	am_parity m origin/mm-hotfixes-unstable "" demo-meta/patches -- $HOTFIXES_PATCHES &&
	am_parity m origin/mm-stable "" demo-meta/patches -- $STABLE_PATCHES &&
	am_parity m origin/mm-nonmm-unstable "" demo-meta/patches -- $NONMM_PATCHES &&
	git -C m log -1 --format=%cd --date=raw origin/$DAMON~1 >actual &&
	git -C m log -1 --format=%ad --date=raw origin/$DAMON~1 >expect &&
	test_cmp expect actual &&
	git -C m log -1 --format=%cd --date=raw origin/$DAMON >actual &&
	test_cmp expect actual &&
	echo "1713568531 +0900" >expect &&
	test_cmp expect actual
'

test_expect_success 'metadata with link: git am plus git interpret-trailers' '
	R=demo-full/linux &&
	rm -rf m && git clone -q --shared $R m &&
	L=https://lore.kernel.org/r/{msgid} &&
	am_parity m origin/$DAMON "$L" src/patches -- $DAMON_PATCHES &&
	am_parity m origin/$GUP "$L" src/patches -- $GUP_PATCHES &&
	am_parity m origin/mm-unstable "$L" src/patches -- $UNSTABLE_PATCHES &&
	git -C m log -1 --format=%B origin/$DAMON >msg &&
	test_grep -q "^Link: https://lore.kernel.org/r/20240402231530.1200-3-dj.park@example.kr\$" msg
'

test_expect_success 'merge commits: git merge'"'"'s, message and all' '
	R=demo-full/linux &&
	rm -rf m && git clone -q --shared $R m &&
	merge_parity m origin/mm-unstable~7 mm-unstable mm-stable &&
	merge_parity m origin/mm-everything mm-everything mm-nonmm-unstable &&
	git -C m log -1 --format=%s origin/mm-everything >actual &&
	echo "Merge branch '"'"'mm-nonmm-unstable'"'"' into mm-everything" >expect &&
	test_cmp expect actual
'

test_expect_success 'merge of an external tree: the commit git pull URL REF makes' '
	new_demo pull &&
	git clone -q demo-pull/linux extra &&
	echo extra >extra/EXTRA &&
	git -C extra add EXTRA &&
	GIT_AUTHOR_DATE="@1713200000 +0200" GIT_COMMITTER_DATE="@1713200000 +0200" \
		git -C extra commit -q -m "extra: a file" &&
	git -C extra branch -q side &&
	cat >>demo-pull/quiltsync.yaml <<-EOF &&
	  - name: mm-next
	    merge: [mm-everything, {url: "$TRASH/extra", ref: side}]
	EOF
	build pull >out &&
	rm -rf m && git clone -q --shared demo-pull/linux m &&
	git -C m checkout -q -b mm-next origin/mm-everything &&
	GIT_AUTHOR_NAME=$COMMITTER_NAME GIT_AUTHOR_EMAIL=$COMMITTER_EMAIL \
	GIT_COMMITTER_NAME=$COMMITTER_NAME GIT_COMMITTER_EMAIL=$COMMITTER_EMAIL \
	GIT_AUTHOR_DATE="@1713200000 +0200" GIT_COMMITTER_DATE="@1713200000 +0200" \
		git -C m pull -q --no-rebase --no-edit "$TRASH/extra" side &&
	git -C m cat-file commit HEAD >expect &&
	git -C m cat-file commit origin/mm-next >actual &&
	test_cmp expect actual
'

# 3. Base selection

# The first commit of per-series branch $2 (of $3 patches) has parent $1.
expect_start() {
	git -C "$R" rev-parse "$1^{commit}" >"$TRASH/expect.start" &&
	git -C "$R" rev-parse "$2~$3" >"$TRASH/actual.start" &&
	test_cmp "$TRASH/expect.start" "$TRASH/actual.start" &&
	git -C "$R" merge-base --is-ancestor "$1" "$2"
}

expect_series_starts() {
	expect_start "$1" $GUP 4 &&
	expect_start "$1" $VMSCAN 1 &&
	expect_start "$1" $DAMON 2
}

test_expect_success 'base: previous-rc3 among decoy tags is v6.9-rc3' '
	new_demo base &&
	R=demo-base/linux &&
	# not -rc3; newer by date but older by version (annotated); an -rc3
	# with a suffix; and the unreachable v6.10-rc3 make-upstream made
	git -C $R tag v6.10-rc2 origin/master &&
	git -C $R tag -a -m "old version, new date" v6.7-rc3 origin/master &&
	git -C $R tag v6.11-rc3-rt origin/master &&
	# tags of a tree and of a blob, with higher versions
	git -C $R tag v6.12-rc3 "origin/master^{tree}" &&
	blob=$(echo blob | git -C $R hash-object -w --stdin) &&
	git -C $R tag v6.13-rc3 $blob &&
	test_must_fail git -C $R merge-base --is-ancestor v6.10-rc3 origin/master &&
	build base --json >out.json &&
	jq -r ".base, .base_id" out.json >actual &&
	{ echo v6.9-rc3 && git -C $R rev-parse v6.9-rc3; } >expect &&
	test_cmp expect actual &&
	expect_series_starts v6.9-rc3 &&
	test_must_fail git -C $R merge-base --is-ancestor v6.9-rc4 $GUP &&
	expect_start origin/master mm-stable 1
'

test_expect_success 'base: versions are ordered by number, not by name or date' '
	R=demo-base/linux &&
	git -C $R tag x6.9-rc3 v6.9-rc3 &&
	git -C $R tag x6.10-rc3 v6.8-rc3 &&
	git -C $R tag x6.11-rc3 v6.10-rc3 &&
	sed -i "/^base:/a base-pattern: \"^x(\\\\\\\\d+)\\\\\\\\.(\\\\\\\\d+)-rc3\$\"" demo-base/quiltsync.yaml &&
	grep "^base-pattern:" demo-base/quiltsync.yaml &&
	build base --json >out.json &&
	jq -r .base out.json >actual &&
	echo x6.10-rc3 >expect &&
	test_cmp expect actual &&
	expect_series_starts v6.8-rc3
'

test_expect_success 'base: an annotated tag of an annotated tag is peeled to its commit' '
	R=demo-base/linux &&
	git -C $R tag -a -m inner x-inner v6.9-rc2 &&
	git -C $R -c advice.nestedTag=false tag -a -m outer x6.20-rc3 x-inner &&
	build base --json >out.json &&
	jq -r .base out.json >actual &&
	echo x6.20-rc3 >expect &&
	test_cmp expect actual &&
	expect_series_starts v6.9-rc2
'

test_expect_success 'base: a tag, then a commit id' '
	R=demo-base/linux &&
	sed -i -e "/^base-pattern:/d" -e "s/^base:.*/base: v6.8-rc3/" demo-base/quiltsync.yaml &&
	build base >out &&
	expect_series_starts v6.8-rc3 &&
	id=$(git -C $R rev-parse v6.9-rc2) &&
	sed -i "s/^base:.*/base: $id/" demo-base/quiltsync.yaml &&
	build base >out &&
	expect_series_starts $id &&
	expect_start origin/master mm-stable 1
'

test_expect_success 'base: no matching tag is a config error (exit 2) that says what was searched; nothing written' '
	R=demo-base/linux &&
	sed -i "s/^base:.*/base: previous-rc3\nbase-pattern: \"^v(\\\\\\\\d+)\\\\\\\\.(\\\\\\\\d+)-rc9\$\"/" \
		demo-base/quiltsync.yaml &&
	snapshot base before &&
	test_expect_code 2 build base >out 2>err &&
	expect_empty out &&
	test_grep -F "^v(\d+)\.(\d+)-rc9\$" err &&
	test_grep -F "refs/remotes/origin/master" err &&
	snapshot base after &&
	test_cmp before after
'

# 4. Dry run

test_expect_success 'dry run on a new repository: the plan, and nothing written' '
	new_demo dry &&
	snapshot dry before &&
	build dry --dry-run >plan &&
	build dry --dry-run --json >plan.json &&
	snapshot dry after &&
	test_cmp before after &&
	test_expect_code 1 quiltsync status -c demo-dry/quiltsync.yaml &&
	sed "s/^\(would create\) *\([0-9a-f]\{12\}\)  \([^:]*\):.*/\1 \2 \3/" plan >actual &&
	jq -r ".branches[] | \"would create \(.new[:12]) \(.name)\"" plan.json >expect &&
	test_cmp expect actual &&
	test $(wc -l <plan) = 10 &&
	jq -r ".dry_run, ([.branches[] | .status] | unique | .[])" plan.json >actual &&
	printf "true\ncreated\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'dry run: the ids it plans are the ones the build makes' '
	build dry --json >real.json &&
	jq -r ".branches[] | \"\(.name) \(.new)\"" plan.json >expect &&
	jq -r ".branches[] | \"\(.name) \(.new)\"" real.json >actual &&
	test_cmp expect actual &&
	heads dry | grep -v "^master " >actual &&
	sort expect >expect.sorted &&
	test_cmp expect.sorted actual
'

test_expect_success 'dry run of a change: would update old..new, nothing written, status kept' '
	sed -i "s/the sum in a local/the total in a local/" \
		demo-dry/patches/mm-vmscan-rename-nr-scanned.patch &&
	quiltsync status -c demo-dry/quiltsync.yaml >status.before &&
	snapshot dry before &&
	build dry --dry-run >plan &&
	snapshot dry after &&
	test_cmp before after &&
	quiltsync status -c demo-dry/quiltsync.yaml >status.after &&
	test_cmp status.before status.after &&
	build dry --json >real.json &&
	for b in $VMSCAN mm-unstable mm-everything; do
		old=$(jq -r ".branches[] | select(.name == \"$b\") | .old[:12]" real.json) &&
		new=$(jq -r ".branches[] | select(.name == \"$b\") | .new[:12]" real.json) &&
		test "$old" != "$new" &&
		test_grep "^would update $old\.\.$new  $b: " plan || exit 1
	done &&
	grep -v "^would update" plan >rest &&
	test $(wc -l <rest) = 7 &&
	test_must_fail grep -v "^unchanged " rest
'

# 5. No-op rebuild

test_expect_success 'no-op rebuild: every branch unchanged, no object written, nothing applied' '
	new_demo noop &&
	build noop >first &&
	snapshot noop before &&
	build noop >second &&
	snapshot noop after &&
	test_cmp before after &&
	test $(wc -l <second) = 10 &&
	test_must_fail grep -v "^unchanged " second &&
	build noop --json >third.json &&
	snapshot noop after &&
	test_cmp before after &&
	jq -r ".branches[] | \"\(.status) \(.applied) \(.old == .new)\"" third.json | sort -u >actual &&
	echo "unchanged 0 true" >expect &&
	test_cmp expect actual
'

# 6. JSON and status

test_expect_success 'status before any build: exit 1 and a message' '
	new_demo json &&
	test_expect_code 1 quiltsync status -c demo-json/quiltsync.yaml >out 2>err &&
	expect_empty out &&
	test_grep -q "no build" err &&
	test_expect_code 1 quiltsync status --json -c demo-json/quiltsync.yaml >out 2>err &&
	expect_empty out
'

test_expect_success '--json: valid JSON with the fields of every branch' '
	build json --json >created.json &&
	python3 -m json.tool created.json >/dev/null &&
	jq -e "all(.branches[]; has(\"name\") and has(\"kind\") and has(\"old\") and
		has(\"new\") and has(\"status\") and has(\"series\") and
		has(\"depends_on\") and has(\"patches\") and has(\"error\"))" created.json &&
	jq -r ".branches[] | [.name, .kind, .status, (.old // \"-\"), (.series // \"-\"),
		(.depends_on // \"-\"), .patches, (.error // \"-\")] | @tsv" created.json >actual &&
	T=$(printf "\t") &&
	cat >expect <<-EOF &&
	mm-hotfixes-stable${T}tree${T}created${T}-${T}-${T}-${T}0${T}-
	mm-hotfixes-unstable${T}tree${T}created${T}-${T}-${T}-${T}1${T}-
	mm-stable${T}tree${T}created${T}-${T}-${T}-${T}1${T}-
	mm-unstable${T}tree${T}created${T}-${T}-${T}-${T}7${T}-
	$GUP${T}series${T}created${T}-${T}gup: folio pinning helpers${T}-${T}4${T}-
	$VMSCAN${T}series${T}created${T}-${T}mm/vmscan: count reclaim progress in shrink_list() once${T}-${T}1${T}-
	$DAMON${T}series${T}created${T}-${T}mm/damon/core: cap the effective quota at the size quota${T}-${T}2${T}-
	mm-nonmm-stable${T}tree${T}created${T}-${T}-${T}-${T}0${T}-
	mm-nonmm-unstable${T}tree${T}created${T}-${T}-${T}-${T}1${T}-
	mm-everything${T}integration${T}created${T}-${T}-${T}-${T}0${T}-
	EOF
	test_cmp expect actual &&
	jq -r ".branches[] | \"\(.name) \(.new)\"" created.json | sort >actual &&
	heads json | grep -v "^master " >expect &&
	test_cmp expect actual
'

test_expect_success 'status: the last build, as --json and as the human summary printed it' '
	quiltsync status --json -c demo-json/quiltsync.yaml >status.json &&
	test_cmp created.json status.json &&
	build json >human &&
	quiltsync status -c demo-json/quiltsync.yaml >status.txt &&
	test_cmp human status.txt &&
	build json --json >second.json &&
	quiltsync status --json -c demo-json/quiltsync.yaml >status.json &&
	test_cmp second.json status.json &&
	jq -r ".branches[] | .status" second.json | sort -u >actual &&
	echo unchanged >expect &&
	test_cmp expect actual
'

test_expect_success '--json: a title with quotes, a backslash and UTF-8 comes out as git has it' '
	new_demo quote &&
	sed -i "s|^Subject: .*|Subject: mm/vmscan: count \"reclaim\" \\\\ progress, Zoë|" \
		demo-quote/patches/mm-vmscan-rename-nr-scanned.patch &&
	build quote --json >out.json &&
	python3 -m json.tool out.json >/dev/null &&
	jq -r ".branches[] | select(.kind == \"series\") | .name" out.json >names &&
	name=$(sed -n 2p names) &&
	jq -r ".branches[] | select(.name == \"$name\") | .series" out.json >actual &&
	git -C demo-quote/linux log -1 --format=%s "$name" >expect &&
	test_grep -q "\"reclaim\" .* Zoë\$" expect &&
	test_grep -qF "\\" expect &&
	test_cmp expect actual
'

# 7. Lock

test_expect_success 'lock held: exit 4, nothing written' '
	new_demo lock &&
	mkdir -p demo-lock/linux/.git/quiltsync &&
	snapshot lock before &&
	flock -x demo-lock/linux/.git/quiltsync/build.lock \
		sh -c "touch held && sleep 3" &
	holder=$! &&
	wait_for_file held &&
	test_expect_code 4 build lock >out 2>err &&
	test_grep -q "locked" err &&
	snapshot lock after &&
	wait $holder &&
	test_cmp before after &&
	test_expect_code 1 quiltsync status -c demo-lock/quiltsync.yaml
'

test_expect_success 'lock held: --wait waits for the holder, then builds' '
	rm -f held released &&
	flock -x demo-lock/linux/.git/quiltsync/build.lock \
		sh -c "touch held && sleep 2 && touch released" &
	holder=$! &&
	wait_for_file held &&
	build lock --wait 10 >out 2>err &&
	test -e released &&
	wait $holder &&
	heads lock | grep -v "^master " >actual &&
	test $(wc -l <actual) = 10
'

test_expect_success 'lock held longer than --wait: exit 4' '
	rm -f held &&
	flock -x demo-lock/linux/.git/quiltsync/build.lock \
		sh -c "touch held && sleep 4" &
	holder=$! &&
	wait_for_file held &&
	snapshot lock before &&
	test_expect_code 4 build lock --wait 1 >out 2>err &&
	snapshot lock after &&
	wait $holder &&
	test_cmp before after
'

# 8. Config errors

test_expect_success 'config: an unknown key is exit 2 with file:line:column; nothing written' '
	new_demo conf &&
	build conf >out &&
	snapshot conf before &&
	cp demo-conf/quiltsync.yaml good.yaml &&
	sed -i "s/^link:/lnik:/" demo-conf/quiltsync.yaml &&
	line=$(grep -n "^lnik:" demo-conf/quiltsync.yaml | cut -d: -f1) &&
	test_expect_code 2 build conf >out 2>err &&
	test_grep -q "quiltsync.yaml:$line:1: .*lnik" err &&
	snapshot conf after &&
	test_cmp before after
'

test_expect_success 'config: a misspelt value is exit 2 with file:line:column and the key' '
	cp good.yaml demo-conf/quiltsync.yaml &&
	sed -i "0,/mode: append/s/mode: append/mode: apend/" demo-conf/quiltsync.yaml &&
	line=$(grep -n "mode: apend" demo-conf/quiltsync.yaml | cut -d: -f1) &&
	test_expect_code 2 build conf >out 2>err &&
	test_grep -q "quiltsync.yaml:$line:[0-9][0-9]*: .*mode" err &&
	test_grep -q "apend" err &&
	snapshot conf after &&
	test_cmp before after
'

test_expect_success 'config: a section the series file does not have is exit 2; nothing written' '
	cp good.yaml demo-conf/quiltsync.yaml &&
	sed -i "s/^  - name: mm-nonmm-unstable\$/&\n    section: mm-nonexistent/" demo-conf/quiltsync.yaml &&
	grep -q "section: mm-nonexistent" demo-conf/quiltsync.yaml &&
	test_expect_code 2 build conf >out 2>err &&
	test_grep -q "mm-nonexistent" err &&
	snapshot conf after &&
	test_cmp before after
'

test_expect_success 'config: a missing required key is exit 2; nothing written' '
	cp good.yaml demo-conf/quiltsync.yaml &&
	sed -i "/^committer:/d" demo-conf/quiltsync.yaml &&
	test_expect_code 2 build conf >out 2>err &&
	test_grep -q "committer" err &&
	snapshot conf after &&
	test_cmp before after
'

# 9. Reproducibility

test_expect_success 'reproducible: other directory, time zone, locale, clock, mtimes, jobs' '
	mkdir -p r1 r2/a/much/deeper/place &&
	cp -R src/patches r1/patches &&
	TZ=UTC LC_ALL=C sh src/make-upstream "$TRASH/r1/linux" &&
	sed -e "s|^repository:.*|repository: linux|" src/quiltsync.yaml >r1/quiltsync.yaml &&
	sleep 1 &&
	D=r2/a/much/deeper/place &&
	cp -R src/patches $D/queue &&
	TZ=Asia/Kolkata LC_ALL=C.UTF-8 sh src/make-upstream "$TRASH/r2/git/linux" &&
	sed -e "s|^repository:.*|repository: ../../../../git/linux|" \
	    -e "s|^series:.*|series: queue/series|" -e "s|^patches:.*|patches: queue|" \
		src/quiltsync.yaml >$D/quiltsync.yaml &&
	touch -d "2031-02-03 04:05:06" $D/queue/* &&
	find r2 -exec touch -h {} + &&
	git -C r1/linux for-each-ref >expect &&
	git -C r2/git/linux for-each-ref >actual &&
	test_cmp expect actual &&
	(cd r1 && TZ=UTC LC_ALL=C quiltsync build -q -j 1) &&
	sleep 1 &&
	(cd $D && TZ=Asia/Kolkata LC_ALL=C.UTF-8 LANG=de_DE.UTF-8 \
		GIT_COMMITTER_DATE="2001-02-03 04:05:06 +0100" \
		GIT_AUTHOR_DATE="1999-01-01 00:00:00 -1200" \
		GIT_COMMITTER_NAME=Someone GIT_COMMITTER_EMAIL=someone@example.net \
		GIT_AUTHOR_NAME=Else GIT_AUTHOR_EMAIL=else@example.net \
		GIT_DIR="$TRASH/scratch.git" \
		quiltsync build -q -j 4 --no-cache) &&
	git -C r1/linux for-each-ref refs/heads refs/quiltsync >expect &&
	git -C r2/git/linux for-each-ref refs/heads refs/quiltsync >actual &&
	test_cmp expect actual &&
	git -C demo-full/linux for-each-ref refs/heads >expect &&
	git -C r1/linux for-each-ref refs/heads >actual &&
	test_cmp expect actual
'

test_expect_success 'reproducible: a third build, America/Los_Angeles, no cache, after a repack' '
	new_demo la &&
	touch -d "1990-06-07 08:09:10" demo-la/patches/* &&
	git -C demo-la/linux repack -adq &&
	TZ=America/Los_Angeles LC_ALL=C build la -q --no-cache &&
	git -C demo-full/linux for-each-ref refs/heads >expect &&
	git -C demo-la/linux for-each-ref refs/heads >actual &&
	test_cmp expect actual
'

# 10. One series changed

test_expect_success 'one series changed: only its branch and the branches that contain it change' '
	new_demo one &&
	build one >out &&
	heads one >before &&
	git -C demo-one/linux rev-parse "mm-unstable^{tree}" >tree.before &&
	sed -i "s/the sum in a local/the total in a local/" \
		demo-one/patches/mm-vmscan-rename-nr-scanned.patch &&
	build one --json >changed.json &&
	heads one >after &&
	join before after | awk "\$2 != \$3 { print \$1 }" >actual &&
	printf "%s\n" mm-everything mm-unstable $VMSCAN | sort >expect &&
	test_cmp expect actual &&
	git -C demo-one/linux rev-parse "mm-unstable^{tree}" >tree.after &&
	test_cmp tree.before tree.after &&
	git -C demo-one/linux log -1 --format=%B $VMSCAN >msg &&
	test_grep -q "the total in a local" msg &&
	git -C demo-one/linux fsck --strict --no-dangling --no-progress >fsck.out 2>&1 &&
	expect_empty fsck.out
'

test_expect_success 'one series changed: the report says what was applied anew' '
	jq -r ".branches[] | \"\(.name) \(.status) \(.applied) \(.patches)\"" changed.json >actual &&
	cat >expect <<-EOF &&
	mm-hotfixes-stable unchanged 0 0
	mm-hotfixes-unstable unchanged 0 1
	mm-stable unchanged 0 1
	mm-unstable updated 3 7
	$GUP unchanged 0 4
	$VMSCAN updated 1 1
	$DAMON unchanged 0 2
	mm-nonmm-stable unchanged 0 0
	mm-nonmm-unstable unchanged 0 1
	mm-everything updated 0 0
	EOF
	test_cmp expect actual &&
	quiltsync status -c demo-one/quiltsync.yaml >human &&
	test_grep -q "^updated .* mm-unstable: 7 patches, 3 applied anew\$" human &&
	test_grep -q "^updated .* $VMSCAN: 1 patch, 1 applied anew\$" human
'

# git merge makes no merge commit when one side already has the other:
# "Already up to date", or a fast-forward.
test_expect_success 'merges: up to date and fast-forward, as git merge does them' '
	new_demo ff &&
	sed -i -e "/^mm-vmscan-document-the-reclaim-batch.patch$/d" \
		-e "/^lib-string-add-strends.patch$/d" demo-ff/patches/series &&
	build ff >out &&
	git -C demo-ff/linux rev-list --merges mm-unstable mm-everything >merges &&
	expect_empty merges &&
	rm -rf m && git clone -q --shared demo-ff/linux m &&
	git -C m checkout -q --detach origin/mm-hotfixes-unstable &&
	git -C m merge -q --no-edit origin/mm-stable &&
	git -C m rev-parse HEAD >expect &&
	git -C m rev-parse "origin/mm-unstable~7" >actual &&
	test_cmp expect actual &&
	git -C m checkout -q --detach origin/mm-unstable &&
	git -C m merge -q --no-edit origin/mm-nonmm-unstable &&
	git -C m rev-parse HEAD >expect &&
	git -C m rev-parse origin/mm-everything >actual &&
	test_cmp expect actual
'

# quilt pushes an empty patch file (and git am refuses one): it applies
# and makes no commit.
test_expect_success 'an empty patch file: applied as quilt does, no commit' '
	new_demo empty &&
	: >demo-empty/patches/lib-empty.patch &&
	sed -i "s/^lib-string-add-strends.patch$/&\nlib-empty.patch/" \
		demo-empty/patches/series &&
	grep -q "^lib-empty.patch$" demo-empty/patches/series &&
	build empty --json >out.json &&
	jq -r ".branches[] | select(.name == \"mm-nonmm-unstable\") | .status, .patches" \
		out.json >actual &&
	printf "created\n2\n" >expect &&
	test_cmp expect actual &&
	git -C demo-empty/linux rev-list --count origin/master..mm-nonmm-unstable >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	# the manifest says so, and reads back
	quiltsync which -c demo-empty/quiltsync.yaml --json lib-empty.patch >which.json &&
	jq -r ".[0].applied.how, (.[0].branches[] | [.name, .commit] | @tsv)" which.json >actual &&
	printf "empty\nmm-nonmm-unstable\t\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'config error: a repository that does not exist, exit 2' '
	new_demo norepo &&
	sed -i "s|^repository:.*|repository: nowhere|" demo-norepo/quiltsync.yaml &&
	test_expect_code 2 build norepo 2>err &&
	test_grep -q "nowhere.* is not a git repository" err &&
	test ! -e demo-norepo/nowhere
'

test_done
