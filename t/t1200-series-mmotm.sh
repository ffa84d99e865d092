#!/bin/bash
test_description="series: the older mmotm convention, #NEXT_PATCHES_START name ... #NEXT_PATCHES_END"
. "$(dirname "$0")/lib.sh"

# t1200/patches/series is shaped as the March 2022 mmotm series file was
# (quiltsync-series(5) has the facts): #origin.patch commented out on
# the first line, entries outside every part (linux-next.patch, the -mm
# only patches; their files are absent), empty parts, a name with blanks
# and parentheses, block and idr each opening two parts far apart, area
# headers, separators and review notes inside parts. Its patches apply
# on the demo upstream (t5500 builds them).

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

Q=$TEST_FIXTURES/patches
LATER="mainline-later (next week, approximately)"

# list [OPTIONS]: quiltsync series on the fixture, without placeholders
list() {
	quiltsync series --series "$Q/series" --placeholder= "$@"
}

test_expect_success 'quiltsync series --sections mmotm: the whole listing' '
	list --sections mmotm >actual 2>err &&
	test_cmp "$TEST_FIXTURES/expect" actual &&
	# the entries outside every part are listed, their missing files noted
	test "$(grep -c "warning: .*series:[0-9]*: patch file .* does not exist" err)" = 5
'

test_expect_success 'every destination once, in the order of its first part' '
	list --sections mmotm --json >out.json 2>/dev/null &&
	jq -r ".sections[].name" out.json >actual &&
	cat >expect <<-EOF &&
	linus
	$LATER
	merge-window-first
	block
	acpi
	scsi
	idr
	x86
	security
	EOF
	test_cmp expect actual
'

test_expect_success 'block: the entries of both parts, in file order' '
	"$QS_SERIES" --sections mmotm "$Q/series" >dump &&
	sed -n "s/^entry [0-9]* line=\([0-9]*\) patch \([^ ]*\) .* section=block .*/\1 \2/p" \
		dump >actual &&
	cat >expect <<-\EOF &&
	16 blk-add-queue-enter.patch
	18 blk-add-max-segments.patch
	37 blk-add-queue-enter-fix.patch
	39 blk-clamp-max-segments.patch
	EOF
	test_cmp expect actual &&
	test_grep -q "^section block first=14 last=40 entries=4\$" dump &&
	test_grep -q "^section idr first=32 last=45 entries=2\$" dump
'

test_expect_success 'block: its series, the fix in the second part with its parent' '
	jq -r ".sections[] | select(.name == \"block\") | .series[] |
		[.slug, (.patches | map(\"\(.name):\(.line)\") | join(\" \"))] | @tsv" \
		out.json >actual &&
	cat >expect <<-\EOF &&
	block-add-blk-queue-enter	blk-add-queue-enter.patch:16 blk-add-queue-enter-fix.patch:37
	block-add-blk-queue-max-segments	blk-add-max-segments.patch:18
	block-clamp-max-segments-to-at-least-one	blk-clamp-max-segments.patch:39
	EOF
	test_cmp expect actual
'

test_expect_success 'a name with blanks and parentheses is one name, found whole' '
	list --sections mmotm --section "$LATER" --json >later.json 2>/dev/null &&
	jq -r ".sections[] | [.name, (.series | length)] | @tsv" later.json >actual &&
	printf "%s\t2\n" "$LATER" >expect &&
	test_cmp expect actual &&
	test_expect_code 2 list --sections mmotm --section mainline-later 2>err &&
	test_grep -q "no section .mainline-later. in " err
'

test_expect_success 'empty parts are sections without entries' '
	jq -r ".sections[] | select(.series == [] and .committed == [] and .placeholders == []) | .name" \
		out.json >actual &&
	printf "%s\n" linus merge-window-first acpi x86 security >expect &&
	test_cmp expect actual
'

test_expect_success 'entries outside every part are in none; #origin.patch is no entry' '
	jq -r ".outside[] | [.name, .line, .kind] | @tsv" out.json >actual &&
	cat >expect <<-\EOF &&
	linux-next.patch	2	patch
	mm-readahead-rework.patch	24	patch
	mm-readahead-rework-fix.patch	25	patch
	mm-damon-tidy.patch	28	patch
	mm-gup-later.patch	50	patch
	EOF
	test_cmp expect actual &&
	! grep -q origin dump
'

test_expect_success 'read as #BRANCH (the default), the file is refused at its first marker' '
	for how in "" "--sections branch"; do
		test_expect_code 5 list $how >out 2>err &&
		test_must_be_empty out &&
		echo "quiltsync: $Q/series:3: '"'"'#NEXT_PATCHES_START linus'"'"' is a section marker of the mmotm convention, not of the branch one" >expect &&
		test_cmp expect err || return 1
	done
'

test_expect_success 'a #BRANCH file read as mmotm is refused the same way' '
	test_expect_code 5 quiltsync series --sections mmotm \
		--series "$QS_SOURCE_DIR/examples/demo/patches/series" 2>err &&
	test_grep -q "series:2: .#BRANCH mm-hotfixes-stable. is a section marker of the branch convention, not of the mmotm one" err
'

test_expect_success 'in a #BRANCH file a name opened twice is still an error' '
	mkdir twice &&
	printf "%s\n" "#BRANCH a" a.patch "#ENDBRANCH a" "#BRANCH a" "#ENDBRANCH a" >twice/series &&
	test_expect_code 5 quiltsync series --series twice/series 2>err &&
	test_grep -q "twice/series:4: duplicate section .a., first on line 1" err
'

test_expect_success '--sections takes branch or mmotm only' '
	test_expect_code 2 list --sections MMOTM 2>err &&
	test_grep -q "option .--sections. expects branch or mmotm, not .MMOTM." err
'

test_expect_success '-c takes the convention from quiltsync.yaml; --sections beside it wins' '
	mkdir conf &&
	cat >conf/quiltsync.yaml <<-EOF &&
	repository: linux
	series: $Q/series
	committer: A U Thor <author@example.com>
	upstream: origin/master
	sections: mmotm
	placeholders: {}
	branches: [{name: next-block, section: block, on: upstream}]
	EOF
	quiltsync series -c conf/quiltsync.yaml --json >conf.json 2>/dev/null &&
	test_cmp out.json conf.json &&
	test_expect_code 5 quiltsync series -c conf/quiltsync.yaml --sections branch 2>err &&
	test_grep -q "is a section marker of the mmotm convention" err
'

test_expect_success 'quiltsync apply --sections mmotm applies every entry, parts or not' '
	"$QS_SOURCE_DIR/examples/demo/make-upstream" upstream >/dev/null &&
	# what lies outside the parts has no file here: leave it out
	grep -v "^linux-next\|^mm-" "$Q/series" >"$TRASH/applied-series" &&
	quiltsync apply --repo upstream --base v6.9-rc4 --sections mmotm \
		--series "$TRASH/applied-series" --patches "$Q" >out &&
	test "$(wc -l <out)" = 9 &&
	test_expect_code 5 quiltsync apply --repo upstream --base v6.9-rc4 \
		--series "$TRASH/applied-series" --patches "$Q" 2>err &&
	test_grep -q "is a section marker of the mmotm convention" err
'

test_done
