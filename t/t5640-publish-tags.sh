#!/bin/bash
test_description="publish: dated tags of the branches that moved, named by --now, never moved"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"
. "$(dirname "$0")/lib-publish.sh"

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

URL="file://$TRASH/pub.git"
T=refs/tags/mm-everything-2023-12-29-21-56

test_expect_success 'setup: the demo built, a remote that tags mm-everything and mm-stable' '
	setup_demo_upstream &&
	git init -q --bare pub.git &&
	publish_demo a "$URL" &&
	printf "    tags:\n      pattern: \"{branch}-{YYYY}-{MM}-{DD}-{hh}-{mm}\"\n      branches: [mm-everything, mm-stable]\n" \
		>>demo-a/quiltsync.yaml
'

test_expect_success 'first publish: a tag per listed branch, on the published commit, named by --now' '
	quiltsync publish -q -c demo-a/quiltsync.yaml --now 2023-12-29T21:56 &&
	git ls-remote --refs pub.git "refs/tags/*" | cut -f2 >tags &&
	printf "%s\n" refs/tags/mm-everything-2023-12-29-21-56 refs/tags/mm-stable-2023-12-29-21-56 >expect &&
	test_cmp expect tags &&
	test "$(git -C pub.git rev-parse "$T")" = "$(git -C pub.git rev-parse refs/heads/mm-everything)"
'

test_expect_success 'nothing moved: no new tag' '
	quiltsync publish -q -c demo-a/quiltsync.yaml --now 2023-12-30T08:00 &&
	test "$(git ls-remote --refs pub.git "refs/tags/*" | wc -l)" -eq 2
'

test_expect_success 'mm-everything moved: a new tag for it alone; the old one stays where it was' '
	old=$(git -C pub.git rev-parse "$T") &&
	change_series a &&
	quiltsync publish -q -c demo-a/quiltsync.yaml --now @1704007200 &&
	git ls-remote --refs pub.git "refs/tags/*" | cut -f2 >tags &&
	printf "%s\n" "$T" refs/tags/mm-everything-2023-12-31-07-20 refs/tags/mm-stable-2023-12-29-21-56 >expect &&
	test_cmp expect tags &&
	test "$(git -C pub.git rev-parse "$T")" = "$old" &&
	test "$(git -C pub.git rev-parse refs/tags/mm-everything-2023-12-31-07-20)" = \
	     "$(git -C demo-a/linux rev-parse refs/heads/mm-everything)"
'

test_expect_success 'a tag of that name elsewhere: refused, never moved, nothing sent (exit 9)' '
	change_series a &&
	git -C pub.git tag mm-everything-2024-01-02-03-04 refs/heads/mm-stable &&
	git -C pub.git for-each-ref >before &&
	test_expect_code 9 quiltsync publish -c demo-a/quiltsync.yaml --now 2024-01-02T03:04 >out &&
	test_grep -q "tags are never moved" out &&
	git -C pub.git for-each-ref >after &&
	test_cmp before after
'

test_expect_success 'a bad --now: exit 2' '
	test_expect_code 2 quiltsync publish -c demo-a/quiltsync.yaml --now yesterday 2>err &&
	test_grep -q "expected YYYY-MM-DDThh:mm" err
'

test_done
