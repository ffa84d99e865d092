#!/bin/bash
test_description="build: akpm's real queue of 2022-05-10, with the two patch files it lacked"
. "$(dirname "$0")/lib.sh"

# The snapshot in ../shared/corpus names two patch files that did not
# exist that day (series:621 and series:788, both in mm-unstable). The
# nightly build must build every branch that does not take them, report
# the ones that do with the series file's line, and exit 1.
#
# The snapshot comes without its Linux 5.18-rc tree: t5410/make-base.py
# writes a stand-in on which GNU patch applies every patch that exists,
# as each tree and each series of mm-unstable takes them. The trees the
# build makes are then judged against `quilt push -a` of the same
# patches on the same stand-in.

for cmd in git jq python3 patch quilt; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done
have_shared || skip_all "../shared/corpus is absent (the akpm snapshot lives there)"

Q=$QS_SHARED/corpus/akpm-25-new-2022-05-10
MISSING_1=mm-memory_hotplug-override-memmap_on_memory-when-hugetlb_free_vmemmap=on.patch
MISSING_2=mm-swap-remove-unneeded-p-=-null-check-in-__swap_duplicate.patch

test_expect_success 'setup: the snapshot lacks exactly the two patches of series:621 and :788' '
	sed -n "621p;788p" "$Q/series" >names &&
	printf "%s\n" $MISSING_1 $MISSING_2 >expect &&
	test_cmp expect names &&
	! test -e "$Q/patches/$MISSING_1" &&
	! test -e "$Q/patches/$MISSING_2"
'

test_expect_success 'setup: a stand-in for Linux 5.18-rc3 on which every patch applies' '
	python3 "$TEST_FIXTURES/make-base.py" "$Q/series" "$Q/patches" base >chains &&
	test_grep -q "^tree mm-unstable: " chains &&
	git init -q -b master repo &&
	cp -R base/. repo/ &&
	git -C repo add -A &&
	git -C repo commit -q -m "Linux 5.18-rc3" &&
	git -C repo tag v5.18-rc3 &&
	cat >qs.yaml <<-EOF
	repository: repo
	series: $Q/series
	patches: $Q/patches
	committer: Andrew Morton <akpm@linux-foundation.org>
	upstream: refs/heads/master
	placeholders:
	  origin.patch: upstream
	  mm-hotfixes-stable.patch: mm-hotfixes-stable
	  mm-stable.patch: mm-stable
	  mm-nonmm-stable.patch: mm-nonmm-stable
	  linux-next.patch: null
	  stop.patch: null
	branches:
	  - name: mm-hotfixes-stable
	    on: upstream
	    mode: append
	  - name: mm-hotfixes-unstable
	    on: mm-hotfixes-stable
	  - name: mm-stable
	    on: upstream
	    mode: append
	  - name: mm-unstable
	    on: [mm-hotfixes-unstable, mm-stable]
	    per-series: mm-unstable-{slug}
	  - name: mm-nonmm-stable
	    on: upstream
	    mode: append
	  - name: mm-nonmm-unstable
	    on: mm-nonmm-stable
	integration:
	  - name: mm-everything
	    merge: [mm-unstable, mm-nonmm-unstable]
	EOF
'

test_expect_success 'the nightly build: exit 1, the two patches reported at their lines' '
	test_expect_code 1 quiltsync build -c qs.yaml --json >out.json &&
	jq -r ".branches[] | select(.status == \"failed\") |
		[.name, .error_line, .error_patch] | @tsv" out.json | sort >failed &&
	cat >expect <<-EOF &&
	mm-unstable	621	$MISSING_1
	mm-unstable-a-few-cleanup-patches-for-swap	788	$MISSING_2
	mm-unstable-add-hugetlb-optimize-vmemmap-sysctl	621	$MISSING_1
	EOF
	test_cmp expect failed &&
	jq -r ".branches[] | select(.status == \"failed\") | .error" out.json >errors &&
	test $(grep -c "does not exist\|cannot open\|No such file" errors) = 3
'

test_expect_success 'the series of the missing patches are the ones quiltsync series names' '
	quiltsync series --json --series "$Q/series" --patches "$Q/patches" 2>/dev/null |
		jq -r ".sections[] | select(.name == \"mm-unstable\") | .series[] |
			select(any(.patches[]; .line == 621 or .line == 788)) |
			\"mm-unstable-\" + .slug" | sort >expect &&
	grep -v "^mm-unstable	" failed | cut -f1 >actual &&
	test_cmp expect actual
'

test_expect_success 'what waits on a failed branch is blocked; every other branch is built' '
	jq -r ".branches[] | select(.status == \"blocked\") | [.name, .depends_on] | @tsv" out.json >blocked &&
	printf "mm-everything\tmm-unstable\n" >expect &&
	test_cmp expect blocked &&
	jq -r ".branches[] | select(.status != \"failed\" and .status != \"blocked\") | .status" out.json |
		sort -u >statuses &&
	echo created >expect &&
	test_cmp expect statuses &&
	quiltsync series --json --series "$Q/series" --patches "$Q/patches" 2>/dev/null |
		jq ".sections[] | select(.name == \"mm-unstable\") | .series | length" >n &&
	test $(jq "[.branches[] | select(.kind == \"series\")] | length" out.json) = $(cat n) &&
	test $(cat n) -gt 40 &&
	git -C repo fsck --strict --no-dangling 2>fsck.err &&
	test_must_be_empty fsck.err
'

test_expect_success 'with -q, one line per failed or blocked branch, with series:LINE' '
	test_expect_code 1 quiltsync build -c qs.yaml -q >out 2>err &&
	test_must_be_empty out &&
	test $(wc -l <err) = 4 &&
	test_grep -q "^quiltsync: mm-unstable failed at .*series:621: $MISSING_1" err &&
	test_grep -q "^quiltsync: mm-unstable-a-few-cleanup-patches-for-swap failed at .*series:788: $MISSING_2" err &&
	test_grep -q "^quiltsync: mm-everything blocked" err
'

# quilt_tree NAME SECTION...: quilt push -a of the sections' patches
# (those that exist) on the stand-in, in quilt-NAME/.
quilt_tree() {
	local name=$1
	shift
	cp -R base "quilt-$name" &&
	mkdir "quilt-$name/patches" &&
	for s in "$@"; do
		# a section ends at its #ENDBRANCH or the next #BRANCH (akpm
		# commented out the #ENDBRANCH of mm-hotfixes-stable)
		awk -v s="$s" '
			$0 == "#BRANCH " s { on = 1; next }
			/^#(END)?BRANCH / { on = 0 }
			on && NF && !/^#/ { print $1 }' "$Q/series" |
			while read -r p; do
				if test -f "$Q/patches/$p"; then
					cp "$Q/patches/$p" "quilt-$name/patches/" &&
					echo "$p" || exit 1
				fi
			done || return 1
	done >"quilt-$name/patches/series" &&
	(cd "quilt-$name" && quilt --quiltrc - push -a -q --fuzz=0 >/dev/null) &&
	rm -rf "quilt-$name/.pc" "quilt-$name/patches"
}

# same_tree BRANCH DIR: the branch's files are DIR's.
same_tree() {
	rm -rf "tree-$1" && mkdir "tree-$1" &&
	git -C repo archive "$1" | tar -x -C "tree-$1" &&
	diff -r "tree-$1" "$2" >diff.out &&
	test_must_be_empty diff.out
}

test_expect_success 'the stable trees hold only records: made without them, and said so' '
	for b in mm-hotfixes-stable:10 mm-stable:212 mm-nonmm-stable:48; do
		test "$(jq -r ".branches[] | select(.name == \"${b%:*}\") | .reason" out.json)" = \
			"new branch, 0 patches; ${b#*:} committed (##) entries without a patch file, not made" ||
		return 1
	done &&
	test "$(git -C repo rev-parse mm-stable)" = "$(git -C repo rev-parse master)"
'

test_expect_success 'mm-hotfixes-unstable is what quilt push makes' '
	quilt_tree hotfixes mm-hotfixes-stable mm-hotfixes-unstable &&
	same_tree mm-hotfixes-unstable quilt-hotfixes
'

test_expect_success 'the largest series (the maple tree) is what quilt push makes of it alone' '
	quiltsync series --json --series "$Q/series" --patches "$Q/patches" 2>/dev/null |
		jq -r "[.sections[] | select(.name == \"mm-unstable\") | .series[]] |
			max_by(.patches | length) | .slug, (.patches[].name)" >largest &&
	slug=$(head -1 largest) &&
	test $(sed 1d largest | wc -l) -gt 50 &&
	cp -R base quilt-largest && mkdir quilt-largest/patches &&
	sed 1d largest >quilt-largest/patches/series &&
	(cd quilt-largest/patches && xargs -I{} cp "$Q/patches/{}" . <series) &&
	(cd quilt-largest && quilt --quiltrc - push -a -q --fuzz=0 >/dev/null) &&
	rm -rf quilt-largest/.pc quilt-largest/patches &&
	test "$(jq -r ".branches[] | select(.name == \"mm-unstable-$slug\") | .depends_on" out.json)" = null &&
	same_tree "mm-unstable-$slug" quilt-largest
'

test_expect_success 'mm-nonmm-unstable is what quilt push makes' '
	quilt_tree nonmm mm-nonmm-stable mm-nonmm-unstable &&
	same_tree mm-nonmm-unstable quilt-nonmm
'

test_expect_success 'once the two patches exist, every branch is built; the rest comes from the cache' '
	mkdir q2 &&
	cp "$Q/series" q2/series &&
	cp -R "$Q/patches" q2/patches &&
	sed -i "/^$MISSING_1\$/d;/^$MISSING_2\$/d" q2/series &&
	sed -e "s|^series: .*|series: q2/series|" -e "s|^patches: .*|patches: q2/patches|" qs.yaml >qs2.yaml &&
	quiltsync build -c qs2.yaml --json >out2.json &&
	jq -r ".branches[] | select(.status == \"failed\" or .status == \"blocked\") | .name" out2.json >bad &&
	test_must_be_empty bad &&
	test "$(jq -r ".branches[] | select(.name == \"mm-stable\") | .status" out2.json)" = unchanged &&
	test "$(jq -r ".branches[] | select(.name == \"mm-unstable\") | .status" out2.json)" = created
'

test_expect_success 'mm-unstable (on the merge of mm-hotfixes-unstable and mm-stable) is what quilt push makes' '
	Q=$TRASH/q2 &&
	quilt_tree unstable mm-hotfixes-stable mm-hotfixes-unstable mm-stable mm-unstable &&
	same_tree mm-unstable quilt-unstable
'

test_done
