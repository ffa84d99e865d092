#!/bin/bash
test_description="build: night after night, packs stay within git's limits and quiltsync's own state does not grow"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"

# Every build writes a pack. Run alone by cron, quiltsync is the only
# thing that writes the repository, so unless it runs git's maintenance
# nothing merges those packs. The demo queue, with git's thresholds made
# small: gc.autoPackLimit=3 instead of 50.

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

NIGHTS=8
DAMON=mm-unstable-mm-damon-core-cap-the-effective-quota-at-the-size-quota

packs() { ls "demo-$1/linux/.git/objects/pack" | grep -c "\.pack\$"; }

# night NAME N: one night's edit (a line in one patch's message), a build
night() {
	sed -i "s/^\(Signed-off-by: Haruto Sakamoto.*\)/Night $2.\n\n\1/" \
		"demo-$1/patches/mm-vmscan-rename-nr-scanned.patch" &&
	quiltsync build -q -c "demo-$1/quiltsync.yaml"
}

# Each branch is what the queue says: applying every patch again finds
# nothing to change (a per-series branch whose series left is gone).
branches_right() {
	quiltsync build -c "demo-$1/quiltsync.yaml" --dry-run --no-cache --json >check.json &&
	jq -r ".branches[].status" check.json | grep -v "^gone\$" | sort -u >actual &&
	echo unchanged >expect &&
	test_cmp expect actual
}

cache_lines() {
	git -C "demo-$1/linux" cat-file blob refs/quiltsync/cache | wc -l
}

test_expect_success 'setup: the demo upstream' '
	setup_demo_upstream
'

test_expect_success 'setup: the first two nights' '
	new_demo nights &&
	git -C demo-nights/linux config gc.autoPackLimit 3 &&
	quiltsync build -q -c demo-nights/quiltsync.yaml &&
	night nights 2 &&
	cache_lines nights >cache.first &&
	ls demo-nights/linux/.git/quiltsync >state.first &&
	git -C demo-nights/linux for-each-ref --format="%(refname)" refs/quiltsync >qsrefs.first
'

test_expect_success "$NIGHTS nights of edits: never more packs than gc.autoPackLimit" '
	for n in $(seq 3 $NIGHTS); do
		night nights $n &&
		echo "$(packs nights)" >>counts || return 1
	done &&
	awk "\$1 > 3 { bad = 1 } END { exit bad }" counts &&
	git -C demo-nights/linux fsck --strict --no-dangling &&
	branches_right nights
'

test_expect_success 'what the nights left behind is in a cruft pack, not loose' '
	ls demo-nights/linux/.git/objects/pack/*.mtimes >cruft &&
	test $(wc -l <cruft) = 1 &&
	git -C demo-nights/linux count-objects -v >objects &&
	test_grep -q "^count: 0\$" objects
'

test_expect_success 'gc.cruftPacks=false is the user'"'"'s choice: loose objects' '
	new_demo loose &&
	git -C demo-loose/linux config gc.autoPackLimit 3 &&
	git -C demo-loose/linux config gc.cruftPacks false &&
	quiltsync build -q -c demo-loose/quiltsync.yaml &&
	for n in $(seq 2 $NIGHTS); do
		night loose $n || return 1
	done &&
	test $(packs loose) -le 3 &&
	! ls demo-loose/linux/.git/objects/pack/*.mtimes &&
	git -C demo-loose/linux count-objects -v >objects &&
	! test_grep -q "^count: 0\$" objects
'

test_expect_success 'what quiltsync keeps does not grow: the cache, its state, its refs' '
	cache_lines nights >actual &&
	test_cmp cache.first actual &&
	ls demo-nights/linux/.git/quiltsync >actual &&
	test_cmp state.first actual &&
	git -C demo-nights/linux for-each-ref --format="%(refname)" refs/quiltsync >actual &&
	test_cmp qsrefs.first actual
'

test_expect_success 'the cache forgets a dropped series at the next build' '
	id=$(git -C demo-nights/linux rev-parse $DAMON) &&
	git -C demo-nights/linux cat-file blob refs/quiltsync/cache >before &&
	test_grep -q " $id" before &&
	sed -i "/^mm-damon-.*-quota-goal.patch\$/d" demo-nights/patches/series &&
	quiltsync build -q -c demo-nights/quiltsync.yaml &&
	git -C demo-nights/linux cat-file blob refs/quiltsync/cache >after &&
	! grep -q " $id" after &&
	test $(wc -l <after) -lt $(wc -l <before) &&
	branches_right nights
'

test_expect_success 'gc.auto=0 turns it off: the packs pile up' '
	new_demo noauto &&
	git -C demo-noauto/linux config gc.autoPackLimit 3 &&
	git -C demo-noauto/linux config gc.auto 0 &&
	quiltsync build -q -c demo-noauto/quiltsync.yaml &&
	for n in $(seq 2 $NIGHTS); do
		night noauto $n || return 1
	done &&
	test $(packs noauto) -ge $NIGHTS
'

test_expect_success 'maintenance.auto=false turns it off, as for git commands' '
	new_demo nomaint &&
	git -C demo-nomaint/linux config gc.autoPackLimit 3 &&
	git -C demo-nomaint/linux config maintenance.auto false &&
	quiltsync build -q -c demo-nomaint/quiltsync.yaml &&
	for n in $(seq 2 $NIGHTS); do
		night nomaint $n || return 1
	done &&
	test $(packs nomaint) -ge $NIGHTS
'

test_expect_success 'a no-op build and a dry run leave the packs alone; the next real build does not' '
	git -C demo-noauto/linux config --unset gc.auto &&
	before=$(packs noauto) &&
	quiltsync build -q -c demo-noauto/quiltsync.yaml &&
	test $(packs noauto) = $before &&
	sed -i "s/^Night 2\./Night 2 again./" demo-noauto/patches/mm-vmscan-rename-nr-scanned.patch &&
	quiltsync build -q --dry-run -c demo-noauto/quiltsync.yaml &&
	test $(packs noauto) = $before &&
	quiltsync build -q -c demo-noauto/quiltsync.yaml &&
	test $(packs noauto) -le 3 &&
	git -C demo-noauto/linux fsck --strict --no-dangling &&
	branches_right noauto
'

# gc holds gc.pid while it runs; a gc in the background would still be
# running, or its packs still changing, after the build returns.
test_expect_success 'git runs in the foreground: no gc left behind when the build returns' '
	new_demo fg &&
	git -C demo-fg/linux config gc.autoPackLimit 1 &&
	quiltsync build -q -c demo-fg/quiltsync.yaml &&
	night fg 2 &&
	test ! -e demo-fg/linux/.git/gc.pid &&
	ls demo-fg/linux/.git/objects/pack >after-build &&
	test $(packs fg) -le 2 &&
	sleep 1 &&
	ls demo-fg/linux/.git/objects/pack >later &&
	test_cmp after-build later
'

# A stand-in for git whose maintenance fails; everything else is git's.
test_expect_success 'setup: a git whose maintenance fails' '
	mkdir bin &&
	real=$(command -v git) &&
	printf "%s\n" "#!/bin/sh" \
		"for a; do test \"\$a\" = maintenance && { echo \"fatal: no maintenance tonight\" >&2; exit 128; }; done" \
		"exec \"$real\" \"\$@\"" >bin/git &&
	chmod +x bin/git
'

test_expect_success 'a failed maintenance is a warning: the build stands, exit 0' '
	new_demo fail &&
	quiltsync build -q -c demo-fail/quiltsync.yaml &&
	sed -i "s/^Subject: \(.*\)/Subject: \1 (v2)/" demo-fail/patches/mm-vmscan-rename-nr-scanned.patch &&
	PATH="$TRASH/bin:$PATH" quiltsync build -q -c demo-fail/quiltsync.yaml >out 2>err &&
	test_must_be_empty out &&
	echo "quiltsync: warning: git maintenance run --auto failed (exit 128): fatal: no maintenance tonight" >expect &&
	test_cmp expect err &&
	quiltsync status -c demo-fail/quiltsync.yaml --json >status.json &&
	jq -r ".warnings[]" status.json >actual &&
	echo "git maintenance run --auto failed (exit 128): fatal: no maintenance tonight" >expect &&
	test_cmp expect actual &&
	test "$(jq -r ".branches[] | select(.name == \"mm-unstable\") | .status" status.json)" = updated &&
	branches_right fail
'

test_expect_success 'a build that moves nothing reports no warning' '
	PATH="$TRASH/bin:$PATH" quiltsync build -c demo-fail/quiltsync.yaml --json >out.json 2>err &&
	test_must_be_empty err &&
	test "$(jq ".warnings | length" out.json)" = 0
'

test_done
