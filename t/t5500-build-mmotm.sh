#!/bin/bash
test_description="build: an older mmotm queue, a destination in two parts one branch"
. "$(dirname "$0")/lib.sh"

# The queue is t1200's mmotm-shaped series file and its patches, made
# against the demo's upstream (examples/demo/make-upstream). block opens
# two parts, far apart; the second part's patches apply only on the
# first's. Entries outside every part have no file, or a file that is
# not a patch: they must stop nothing. (That the build does not even
# read them, test-queue shows: a queue opened for some sections fails
# on no missing file outside them.)
#
# The judges: git am of the same patches, in file order, on the same
# start (subjects, authors, trees), and git itself for refs.

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

MMOTM=$TEST_DIRECTORY/t1200
BLOCK="blk-add-queue-enter.patch blk-add-max-segments.patch
	blk-add-queue-enter-fix.patch blk-clamp-max-segments.patch"
LATER="vmscan-comment-the-order.patch vmscan-document-swap-cluster-max.patch"
ENTER=next-block-block-add-blk-queue-enter

# new_queue NAME: q-NAME/ with the queue, a copy of upstream and the config
new_queue() {
	mkdir "q-$1" &&
	cp -R "$MMOTM/patches" "q-$1/broken-out" &&
	cp -a "$TRASH/upstream" "q-$1/linux" &&
	cat >"q-$1/quiltsync.yaml" <<-\EOF
	repository: linux
	series: broken-out/series
	committer: Andrew Morton <akpm@linux-foundation.org>
	upstream: refs/remotes/origin/master
	sections: mmotm
	placeholders: {}
	branches:
	  - name: next-block
	    section: block
	    on: upstream
	    per-series: next-block-{slug}
	  - name: next-mainline-later
	    section: "mainline-later (next week, approximately)"
	    on: upstream
	  - name: next-idr
	    section: idr
	    on: upstream
	EOF
}

refs() { git -C "q-$1/linux" for-each-ref --format="%(refname) %(objectname)"; }

# am_oracle CLONE START PATCH...: git am of the patches, in this order,
# on START, in CLONE; leaves HEAD there.
am_oracle() {
	local clone=$1 start=$2 p
	shift 2
	git -C "$clone" checkout -q --detach "$start" &&
	for p in "$@"; do
		git -C "$clone" am -q "$MMOTM/patches/$p" || return 1
	done
}

# same_as_am CLONE BRANCH START N: BRANCH is N commits on START, with
# the subjects, authors and tree git am made at HEAD. (Dates, messages
# and committers are t5000's: one patch here has no Date: to follow.)
same_as_am() {
	local clone=$1 branch=$2 start=$3 n=$4
	git -C "$clone" rev-parse "$start^{commit}" >"$TRASH/expect.start" &&
	git -C "$clone" rev-parse "$branch~$n" >"$TRASH/actual.start" &&
	test_cmp "$TRASH/expect.start" "$TRASH/actual.start" &&
	git -C "$clone" log --format="%s%n%an <%ae>" "$start..HEAD" >"$TRASH/expect.log" &&
	git -C "$clone" log --format="%s%n%an <%ae>" "$start..$branch" >"$TRASH/actual.log" &&
	test_cmp "$TRASH/expect.log" "$TRASH/actual.log" &&
	git -C "$clone" rev-parse "HEAD^{tree}" >"$TRASH/expect.tree" &&
	git -C "$clone" rev-parse "$branch^{tree}" >"$TRASH/actual.tree" &&
	test_cmp "$TRASH/expect.tree" "$TRASH/actual.tree"
}

test_expect_success 'setup: the demo upstream' '
	"$QS_SOURCE_DIR/examples/demo/make-upstream" upstream >/dev/null &&
	git -C upstream rev-parse -q --verify v6.9-rc3 >/dev/null
'

test_expect_success 'sections: mmotm builds every branch; what lies outside the parts stops nothing' '
	new_queue full &&
	# outside every part: a file that is no patch at all, the rest missing
	printf "not a patch\n\0\n" >q-full/broken-out/mm-readahead-rework.patch &&
	quiltsync build -c q-full/quiltsync.yaml --json >out.json 2>err &&
	test_must_be_empty err &&
	jq -r ".branches[] | [.name, .status, .patches] | @tsv" out.json >actual &&
	cat >expect <<-EOF &&
	next-block	created	4
	$ENTER	created	2
	next-block-block-add-blk-queue-max-segments	created	1
	next-block-block-clamp-max-segments-to-at-least-one	created	1
	next-mainline-later	created	2
	next-idr	created	2
	EOF
	test_cmp expect actual
'

test_expect_success 'next-block: both parts, in file order, as git am makes them on upstream' '
	rm -rf m && git clone -q --shared q-full/linux m &&
	am_oracle m origin/master $BLOCK &&
	same_as_am m origin/next-block origin/master 4 &&
	git -C m log --format=%s --reverse origin/master..origin/next-block >actual &&
	cat >expect <<-\EOF &&
	block: add blk_queue_enter()
	block: add blk_queue_max_segments()
	blk-add-queue-enter-fix
	block: clamp max_segments to at least one
	EOF
	test_cmp expect actual
'

test_expect_success 'the second part alone does not apply: order is what makes the branch' '
	rm -rf m2 && git clone -q --shared q-full/linux m2 &&
	test_must_fail am_oracle m2 origin/master blk-add-queue-enter-fix.patch 2>/dev/null
'

test_expect_success 'a section named with blanks and parentheses, and one in two parts' '
	rm -rf m && git clone -q --shared q-full/linux m &&
	am_oracle m origin/master $LATER &&
	same_as_am m origin/next-mainline-later origin/master 2 &&
	am_oracle m origin/master idr-add-alloc.patch idr-alloc-check-start.patch &&
	same_as_am m origin/next-idr origin/master 2
'

test_expect_success 'per-series: the fix in the second part is in its parent'"'"'s series branch' '
	rm -rf m && git clone -q --shared q-full/linux m &&
	am_oracle m v6.9-rc3 blk-add-queue-enter.patch blk-add-queue-enter-fix.patch &&
	same_as_am m origin/$ENTER v6.9-rc3 2 &&
	jq -r ".branches[] | select(.name == \"next-block-block-clamp-max-segments-to-at-least-one\") | .depends_on" \
		out.json >actual &&
	echo next-block-block-add-blk-queue-max-segments >expect &&
	test_cmp expect actual
'

test_expect_success 'the manifest lists the patches of the parts in series file order' '
	git -C q-full/linux show refs/quiltsync/manifest:patches.json >patches.json &&
	jq -r ".[] | [.line, .name, .section] | @tsv" patches.json >actual &&
	series=$MMOTM/patches/series &&
	for p in $LATER $BLOCK idr-add-alloc.patch idr-alloc-check-start.patch; do
		grep -n "^$p\$" "$series" | cut -d: -f1 || return 1
	done | sort -n >lines &&
	cut -f1 actual >actual.lines &&
	test_cmp lines actual.lines &&
	test "$(grep -c "	block\$" actual)" = 4 &&
	test "$(grep -c "	mainline-later (next week, approximately)\$" actual)" = 2
'

test_expect_success 'a rebuild of the same queue changes nothing' '
	refs full >before &&
	quiltsync build -c q-full/quiltsync.yaml --json >again.json 2>err &&
	test_must_be_empty err &&
	jq -r ".branches[].status" again.json | sort -u >actual &&
	echo unchanged >expect &&
	test_cmp expect actual &&
	refs full >after &&
	test_cmp before after
'

test_expect_success 'without sections: mmotm the build refuses the file and writes nothing' '
	new_queue branch &&
	sed -i /^sections:/d q-branch/quiltsync.yaml &&
	refs branch >before &&
	test_expect_code 5 quiltsync build -c q-branch/quiltsync.yaml 2>err &&
	test_grep -q "series:3: .#NEXT_PATCHES_START linus. is a section marker of the mmotm convention, not of the branch one" err &&
	refs branch >after &&
	test_cmp before after
'

test_done
