#!/bin/bash
test_description="publish: branches of series that left the queue are deleted after the grace period, and only those"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"
. "$(dirname "$0")/lib-publish.sh"

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

URL="file://$TRASH/pub.git"

# drop_damon NAME: the damon series leaves demo-NAME's queue, and a build records it gone.
drop_damon() {
	sed -i "/^mm-damon-/d" "demo-$1/patches/series" &&
	quiltsync build -q -c "demo-$1/quiltsync.yaml"
}

test_expect_success 'setup: the demo built and published; a hand-made branch fitting the pattern' '
	setup_demo_upstream &&
	git init -q --bare pub.git &&
	publish_demo a "$URL" &&
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	git clone -q "$URL" other &&
	git -C other push -q origin "origin/mm-unstable:refs/heads/mm-unstable-hand-made" &&
	git -C demo-a/linux fetch -q "$URL" refs/heads/mm-unstable-hand-made:refs/heads/mm-unstable-hand-made &&
	git ls-remote --exit-code "$URL" "refs/heads/$DAMON_BRANCH" >/dev/null
'

test_expect_success 'a series leaves the queue: its branch is kept while the base stays' '
	drop_damon a &&
	quiltsync publish -c demo-a/quiltsync.yaml --json >json &&
	test "$(jq -r ".remotes[0].refs[] | select(.ref == \"refs/heads/$DAMON_BRANCH\") | .reason" json)" = \
		"its series left the queue: kept until the base moves on" &&
	git ls-remote --exit-code "$URL" "refs/heads/$DAMON_BRANCH" >/dev/null &&
	git ls-remote --exit-code "$URL" refs/heads/mm-unstable-hand-made >/dev/null &&
	git -C demo-a/linux rev-parse -q --verify "refs/heads/$DAMON_BRANCH" >/dev/null &&
	test "$(jq ".pruned | length" json)" -eq 0
'

test_expect_success 'the base moves on: it is deleted in the same atomic push; the hand-made one stays' '
	sed -i "s/^base: .*/base: v6.9-rc4/" demo-a/quiltsync.yaml &&
	quiltsync build -q -c demo-a/quiltsync.yaml &&
	quiltsync publish -c demo-a/quiltsync.yaml --dry-run >out &&
	test_grep -q "delete    $DAMON_BRANCH [0-9a-f]* -> -: its series left the queue" out &&
	test_grep -q -- "--force-with-lease=refs/heads/$DAMON_BRANCH:[0-9a-f]\{40\} .* :refs/heads/$DAMON_BRANCH" out &&
	git ls-remote --exit-code "$URL" "refs/heads/$DAMON_BRANCH" >/dev/null &&
	quiltsync publish -c demo-a/quiltsync.yaml >out &&
	test_must_fail git ls-remote --exit-code "$URL" "refs/heads/$DAMON_BRANCH" &&
	test_grep -q "^deleted here too: $DAMON_BRANCH (its series left the queue)" out &&
	test_must_fail git -C demo-a/linux rev-parse -q --verify "refs/heads/$DAMON_BRANCH" &&
	git -C demo-a/linux rev-parse -q --verify refs/heads/mm-unstable-hand-made >/dev/null &&
	git ls-remote --exit-code "$URL" refs/heads/mm-unstable-hand-made >/dev/null &&
	local_heads a | grep -v -e hand-made >expect &&
	remote_heads "$URL" | grep -v hand-made >actual &&
	test_cmp expect actual &&
	test_must_fail git -C demo-a/linux rev-parse -q --verify "refs/quiltsync/published/pub/$DAMON_BRANCH" &&
	git -C pub.git fsck --no-progress --connectivity-only
'

test_expect_success 'the series comes back: its branch is published again' '
	git -C demo-a/linux checkout -q --detach &&
	cp "$QS_SOURCE_DIR/examples/demo/patches/series" demo-a/patches/series &&
	quiltsync build -q -c demo-a/quiltsync.yaml &&
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	test "$(git ls-remote "$URL" "refs/heads/$DAMON_BRANCH" | cut -f1)" = \
	     "$(git -C demo-a/linux rev-parse "refs/heads/$DAMON_BRANCH")"
'

test_expect_success 'prune: now deletes at once; prune: never keeps; someone else.s push is never deleted' '
	git init -q --bare now.git && git init -q --bare never.git && git init -q --bare theirs.git &&
	add_remote a now "$TRASH/now.git" "prune: now" &&
	add_remote a never "$TRASH/never.git" "prune: never" &&
	add_remote a theirs "$TRASH/theirs.git" "prune: now" &&
	quiltsync publish -q -c demo-a/quiltsync.yaml now never theirs &&
	git clone -q theirs.git t2 &&
	git -C t2 commit -q --allow-empty -m "theirs now" &&
	git -C t2 push -q -f origin "HEAD:refs/heads/$DAMON_BRANCH" &&
	drop_damon a &&
	quiltsync publish -q -c demo-a/quiltsync.yaml now never theirs &&
	test_must_fail git ls-remote --exit-code now.git "refs/heads/$DAMON_BRANCH" &&
	git ls-remote --exit-code never.git "refs/heads/$DAMON_BRANCH" >/dev/null &&
	test "$(git ls-remote theirs.git "refs/heads/$DAMON_BRANCH" | cut -f1)" = \
	     "$(git -C t2 rev-parse HEAD)"
'

test_expect_success 'failed-series: unpublish: a failed series is withdrawn at once, and comes back' '
	git init -q --bare wd.git &&
	publish_demo b "$TRASH/wd.git" &&
	echo "failed-series: unpublish" >>demo-b/quiltsync.yaml &&
	quiltsync publish -q -c demo-b/quiltsync.yaml &&
	git ls-remote --exit-code wd.git "refs/heads/$DAMON_BRANCH" >/dev/null &&
	cp demo-b/patches/mm-damon-add-quota-goal.patch good.patch &&
	# a line to remove that no tree has: the patch no longer applies
	sed -i "0,/^-[^-]/s/^-\([^-].*\)/-\1 (changed upstream)/" \
		demo-b/patches/mm-damon-add-quota-goal.patch &&
	test_expect_code 1 quiltsync build -q -c demo-b/quiltsync.yaml &&
	quiltsync publish -c demo-b/quiltsync.yaml --json >json &&
	test "$(jq -r ".remotes[0].refs[] | select(.ref == \"refs/heads/$DAMON_BRANCH\") | [.action, .status, .reason] | @tsv" json)" = \
		"$(printf "delete\tok\tits series failed: failed-series: unpublish withdraws it")" &&
	test_must_fail git ls-remote --exit-code wd.git "refs/heads/$DAMON_BRANCH" &&
	git -C demo-b/linux rev-parse -q --verify "refs/heads/$DAMON_BRANCH" >/dev/null &&
	test_must_fail git -C demo-b/linux rev-parse -q --verify "refs/quiltsync/published/pub/$DAMON_BRANCH" &&
	cp good.patch demo-b/patches/mm-damon-add-quota-goal.patch &&
	quiltsync build -q -c demo-b/quiltsync.yaml &&
	quiltsync publish -q -c demo-b/quiltsync.yaml &&
	local_heads b >expect &&
	remote_heads "$TRASH/wd.git" >actual &&
	test_cmp expect actual
'

test_done
