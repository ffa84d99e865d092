#!/bin/bash
test_description="build: dependency policies, local failures, append-only branches, integration conflicts"
. "$(dirname "$0")/lib.sh"

# Every queue here is made by git itself: each patch is a commit of a
# scratch clone (src/) of a small upstream, written out by git
# format-patch. Real git is the judge of the result: merge-base
# --is-ancestor for stacking, the trees of git's own merges and commits,
# for-each-ref before and after for "nothing was written", fsck.

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

# Fixed dates: the upstream and the mails are the same on every run.
export GIT_AUTHOR_DATE="2024-04-01 12:00:00 +0000"
export GIT_COMMITTER_DATE="2024-04-01 12:00:00 +0000"

# make_upstream DIR: tags v1.0-rc2, v1.0-rc3 (the base the per-series
# branches start from) and v1.0-rc4 on master (upstream: where the tree
# branches start); files f g m s.txt of 40 numbered lines each.
make_upstream() {
	git init -q -b master "$1" &&
	(
		cd "$1" &&
		for f in f g m s; do
			seq 1 40 | sed "s/^/$f line /" >$f.txt || return 1
		done &&
		echo "VERSION = 1.0-rc2" >Makefile &&
		git add . && git commit -q -m "Linux 1.0-rc2" && git tag v1.0-rc2 &&
		echo "VERSION = 1.0-rc3" >Makefile &&
		git commit -q -a -m "Linux 1.0-rc3" && git tag v1.0-rc3 &&
		echo "A demo tree." >README && git add README &&
		git commit -q -m "README: say what this tree is" &&
		echo "VERSION = 1.0-rc4" >Makefile &&
		git commit -q -a -m "Linux 1.0-rc4" && git tag v1.0-rc4
	)
}

# start_at REV: the scratch clone src/ of repo/ goes to REV.
start_at() {
	rm -rf src && git clone -q repo src && git -C src checkout -q --detach "$1"
}

# mkpatch OUT SUBJECT FILE SED: edit FILE in src/ with the sed script,
# commit it, and write that commit as a mail to OUT.
mkpatch() {
	sed -i "$4" "src/$3" &&
	git -C src commit -q -a -m "$2" &&
	git -C src format-patch -1 --stdout >"$1"
}

# write_config FILE [KEY: VALUE lines...]: the common head of a config
# (repository repo, queue in q/) and the rest from stdin.
write_config() {
	local out=$1
	shift
	{
		echo "repository: repo" &&
		echo "series: q/series" &&
		echo "patches: q" &&
		echo "committer: Q S Build <qs@example.com>" &&
		echo "upstream: refs/heads/master" &&
		for kv in "$@"; do echo "$kv"; done &&
		cat
	} >"$out"
}

refs() { git -C repo for-each-ref --format="%(refname) %(objectname)"; }

# field JSON BRANCH KEY: one key of one branch of a --json report.
field() {
	jq -r --arg b "$2" ".branches[] | select(.name == \$b) | .$3" "$1"
}

# ------------------------------------------------------------------
# 1. Dependencies between series of a per-series section.
#
# a: changes f lines 5 and 25        (applies alone)
# d: changes g line 3                (applies alone)
# b: changes f line 28, context 25-27: needs a (fuzz 0), merges cleanly
#    with 3-way on the base since a's change is 3 lines away
# c: changes f line 5 again ("FIVE" -> "FIVE!"): needs a; a 3-way merge
#    on the base conflicts

A=dev-a-change-five-and-twenty-five
B=dev-b-change-twenty-eight
C=dev-c-change-five-again
D=dev-d-change-g

test_expect_success 'setup: a queue whose later series need an earlier one' '
	mkdir deps && cd deps &&
	make_upstream repo && mkdir q && start_at v1.0-rc3 &&
	mkpatch q/a.patch "a: change five and twenty-five" f.txt \
		"s/^f line 5\$/f line FIVE/; s/^f line 25\$/f line TWENTY-FIVE/" &&
	mkpatch q/b.patch "b: change twenty-eight" f.txt \
		"s/^f line 28\$/f line TWENTY-EIGHT/" &&
	mkpatch q/c.patch "c: change five again" f.txt "s/^f line FIVE\$/f line FIVE!/" &&
	start_at v1.0-rc3 &&
	mkpatch q/d.patch "d: change g" g.txt "s/^g line 3\$/g line THREE/" &&
	printf "%s\n" "#BRANCH dev" "#" a.patch "#" d.patch "#" b.patch "#" c.patch \
		"#ENDBRANCH dev" >q/series &&
	write_config stack.yaml "fuzz: 0" <<-\EOF &&
	branches:
	  - name: dev
	    on: base
	    per-series: dev-{slug}
	EOF
	sed "s/^fuzz: 0\$/&\\ndependencies: 3way/" stack.yaml >3way.yaml &&
	sed "s/^fuzz: 0\$/&\\ndependencies: skip/" stack.yaml >skip.yaml &&
	test_grep -q "^dependencies: 3way" 3way.yaml &&
	test_grep -q "^dependencies: skip" skip.yaml &&
	test_grep -q "^index [0-9a-f]*\\.\\.[0-9a-f]* 100644" q/b.patch
'

test_expect_success 'stack: a series that needs another is built on its branch' '
	cd deps &&
	quiltsync build -c stack.yaml --json >out.json &&
	jq -r ".branches[] | [.name, .kind, .status, .depends_on // \"-\"] | join(\" \")" \
		out.json >actual &&
	cat >expect <<-EOF &&
	dev tree created -
	$A series created -
	$D series created -
	$B series created $A
	$C series created $B
	EOF
	test_cmp expect actual &&
	git -C repo merge-base --is-ancestor $A $B &&
	git -C repo merge-base --is-ancestor $B $C &&
	! git -C repo merge-base --is-ancestor $D $B &&
	git -C repo rev-parse $A^ v1.0-rc3^{commit} $D^ >bases &&
	test $(sort -u bases | wc -l) = 1 &&
	test "$(git -C repo rev-parse $B^)" = "$(git -C repo rev-parse $A)" &&
	for b in $A $B $C $D dev; do
		test "$(field out.json $b new)" = "$(git -C repo rev-parse $b)" || return 1
	done &&
	git -C repo fsck --strict --no-progress &&
	refs >refs.stack
'

test_expect_success 'stack: the per-series branches are exactly git am of their series' '
	cd deps &&
	rm -rf am && git clone -q repo am && cd am &&
	git checkout -q --detach v1.0-rc3 &&
	git am -q ../q/a.patch ../q/b.patch &&
	git rev-parse HEAD^{tree} >expect &&
	git -C ../repo rev-parse $B^{tree} >actual &&
	test_cmp expect actual &&
	git log -2 --format="%an <%ae> %ad%n%B" HEAD >expect &&
	git -C ../repo log -2 --format="%an <%ae> %ad%n%B" $B >actual &&
	test_cmp expect actual
'

test_expect_success '3way: a series that needs another is merged alone on the base' '
	cd deps &&
	test_expect_code 1 quiltsync build -c 3way.yaml --json >out.json &&
	jq -r ".branches[] | [.name, .status, .depends_on // \"-\"] | join(\" \")" \
		out.json >actual &&
	cat >expect <<-EOF &&
	dev unchanged -
	$A unchanged -
	$D unchanged -
	$B updated -
	$C failed -
	EOF
	test_cmp expect actual &&
	# b alone on the base: line 28 changed, a'"'"'s lines 5 and 25 not
	test "$(git -C repo rev-parse $B^)" = "$(git -C repo rev-parse v1.0-rc3^{commit})" &&
	git -C repo show v1.0-rc3:f.txt >expect &&
	sed -i "s/^f line 28\$/f line TWENTY-EIGHT/" expect &&
	git -C repo show $B:f.txt >actual &&
	test_cmp expect actual &&
	# c conflicts: failed, named, and its branch left at the stack build
	field out.json $C error >err &&
	echo "c.patch: f.txt: hunk #1 at line 2 does not apply (3-way merge conflict)" >expect &&
	test_cmp expect err &&
	test "$(field out.json $C new)" = null &&
	grep "refs/heads/$C " refs.stack >expect &&
	refs >now &&
	grep "refs/heads/$C " now >actual &&
	test_cmp expect actual &&
	git -C repo fsck --strict --no-progress
'

test_expect_success 'skip: a series that needs another is left as it was' '
	cd deps &&
	git -C repo for-each-ref refs/heads >before &&
	test_expect_code 1 quiltsync build -c skip.yaml --json >out.json &&
	jq -r ".branches[] | [.name, .status, .depends_on // \"-\", .old // \"-\", .new // \"-\"] | join(\" \")" \
		out.json >actual &&
	b_old=$(git -C repo rev-parse $B) && c_old=$(git -C repo rev-parse $C) &&
	cat >expect <<-EOF &&
	dev unchanged - $(git -C repo rev-parse dev) $(git -C repo rev-parse dev)
	$A unchanged - $(git -C repo rev-parse $A) $(git -C repo rev-parse $A)
	$D unchanged - $(git -C repo rev-parse $D) $(git -C repo rev-parse $D)
	$B skipped - $b_old -
	$C skipped - $c_old -
	EOF
	test_cmp expect actual &&
	field out.json $B error >err &&
	test_grep -q "^b.patch: f.txt: hunk #1 at line 25 does not apply" err &&
	test_expect_code 1 quiltsync build -c skip.yaml >human &&
	test_grep -q "^skipped .* $B: b.patch: f.txt: hunk #1" human &&
	git -C repo for-each-ref refs/heads >after &&
	test_cmp before after
'

test_expect_success 'skip: on a fresh repository the skipped branches are not made' '
	cd deps &&
	rm -rf fresh && mkdir fresh && cd fresh &&
	make_upstream repo && cp -R ../q . && cp ../skip.yaml . &&
	test_expect_code 1 quiltsync build -c skip.yaml --json >out.json &&
	test "$(field out.json $B status)" = skipped &&
	test "$(field out.json $B old)" = null &&
	git -C repo for-each-ref --format="%(refname:short)" refs/heads/dev-* >actual &&
	printf "%s\n" $A $D | sort >expect &&
	test_cmp expect actual &&
	# the same ids as in the first repository: nothing depends on where
	git -C repo rev-parse $A $D dev >actual &&
	git -C ../repo rev-parse $A $D dev >expect &&
	test_cmp expect actual
'

# ------------------------------------------------------------------
# 2. Failures stay local; 5. gone branches; 6. stable series names.

test_expect_success 'setup: three trees, per-series branches, two integrations' '
	mkdir local && cd local &&
	make_upstream repo && mkdir q && start_at v1.0-rc4 &&
	mkpatch q/fix-one.patch "fix: one" f.txt "s/^f line 2\$/f line two/" &&
	start_at v1.0-rc4 &&
	mkpatch q/fix-two.patch "fix: two" g.txt "s/^g line 10\$/g line ten/" &&
	start_at v1.0-rc4 &&
	mkpatch q/dev-one.patch "dev: one" f.txt "s/^f line 20\$/f line twenty/" &&
	start_at v1.0-rc4 &&
	mkpatch q/dev-two.patch "dev: two" s.txt "s/^s line 20\$/s line twenty/" &&
	start_at v1.0-rc4 &&
	mkpatch q/other.patch "other: one" m.txt "s/^m line 30\$/m line thirty/" &&
	printf "%s\n" "#BRANCH fixes" "#" fix-one.patch "#" fix-two.patch "#ENDBRANCH fixes" \
		"#BRANCH dev" "#" dev-one.patch "#" dev-two.patch "#ENDBRANCH dev" \
		"#BRANCH other" other.patch "#ENDBRANCH other" >q/series &&
	write_config qs.yaml <<-\EOF &&
	branches:
	  - name: fixes
	    on: upstream
	    per-series: fixes-{slug}
	  - name: dev
	    on: upstream
	    per-series: dev-{slug}
	  - name: other
	    on: upstream
	integration:
	  - name: all
	    merge: [dev, fixes, other]
	  - name: side
	    merge: [dev, other]
	EOF
	quiltsync build -c qs.yaml --json >out.json &&
	jq -r ".branches[] | .name + \" \" + .status" out.json >actual &&
	cat >expect <<-\EOF &&
	fixes created
	fixes-fix-one created
	fixes-fix-two created
	dev created
	dev-dev-one created
	dev-dev-two created
	other created
	all created
	side created
	EOF
	test_cmp expect actual &&
	refs >refs.1
'

test_expect_success 'a patch that does not apply fails its branches, and only those' '
	cd local &&
	# fix-two now removes a line that is not there; dev-two and other change
	sed -i "s/^-g line 10\$/-g line ten thousand/" q/fix-two.patch &&
	start_at v1.0-rc4 &&
	mkpatch q/dev-two.patch "dev: two" s.txt "s/^s line 20\$/s line TWENTY/" &&
	start_at v1.0-rc4 &&
	mkpatch q/other.patch "other: one" m.txt "s/^m line 30\$/m line THIRTY/" &&
	test_expect_code 1 quiltsync build -c qs.yaml --json >out.json &&
	jq -r ".branches[] | [.name, .status, .depends_on // \"-\"] | join(\" \")" \
		out.json >actual &&
	cat >expect <<-\EOF &&
	fixes failed -
	fixes-fix-one unchanged -
	fixes-fix-two failed -
	dev updated -
	dev-dev-one unchanged -
	dev-dev-two updated -
	other updated -
	all blocked fixes
	side updated -
	EOF
	test_cmp expect actual &&
	echo "fix-two.patch: g.txt: hunk #1 at line 7 does not apply" >expect &&
	field out.json fixes error >actual &&
	test_cmp expect actual &&
	field out.json fixes-fix-two error >actual &&
	test_cmp expect actual &&
	echo "waits on fixes: fix-two.patch: g.txt: hunk #1 at line 7 does not apply" >expect &&
	field out.json all error >actual &&
	test_cmp expect actual &&
	# the failed and blocked ones kept their ids, the others moved to the new
	refs >refs.2 &&
	for b in fixes fixes-fix-two all; do
		grep "^refs/heads/$b " refs.1 >expect &&
		grep "^refs/heads/$b " refs.2 >actual &&
		test_cmp expect actual &&
		test "$(field out.json $b new)" = null || return 1
	done &&
	for b in dev dev-dev-two other side; do
		! grep -q "^refs/heads/$b $(field out.json $b old)\$" refs.2 &&
		grep -q "^refs/heads/$b $(field out.json $b new)\$" refs.2 || return 1
	done &&
	git -C repo show other:m.txt >m &&
	test_grep -q "^m line THIRTY\$" m &&
	git -C repo show side:s.txt >s &&
	test_grep -q "^s line TWENTY\$" s &&
	git -C repo fsck --strict --no-progress
'

test_expect_success 'the human report names the patch, the file and the hunk' '
	cd local &&
	test_expect_code 1 quiltsync build -c qs.yaml >out &&
	test_grep -q "^failed .* fixes: fix-two.patch: g.txt: hunk #1 at line 7 does not apply\$" out &&
	test_grep -q "^blocked .* all: waits on fixes: fix-two.patch: g.txt: hunk #1 .* (on fixes)\$" out &&
	test_grep -q "^unchanged .* side: " out
'

test_expect_success 'a fixed patch unblocks the integration' '
	cd local &&
	start_at v1.0-rc4 &&
	mkpatch q/fix-two.patch "fix: two" g.txt "s/^g line 10\$/g line ten/" &&
	quiltsync build -c qs.yaml --json >out.json &&
	test "$(field out.json fixes status)" = unchanged &&
	test "$(field out.json all status)" = updated &&
	git -C repo merge-base --is-ancestor fixes all &&
	git -C repo merge-base --is-ancestor dev all &&
	git -C repo merge-base --is-ancestor other all
'

test_expect_success 'an unrelated series added does not rename or move the others' '
	cd local &&
	start_at v1.0-rc4 &&
	mkpatch q/dev-new.patch "dev: a new one" g.txt "s/^g line 33\$/g line 33 new/" &&
	git -C repo for-each-ref --format="%(refname) %(objectname)" "refs/heads/dev-*" >before &&
	sed -i "s/^dev-one.patch\$/&\\n#\\ndev-new.patch/" q/series &&
	test_grep -q "^dev-new.patch\$" q/series &&
	quiltsync build -c qs.yaml --json >out.json &&
	jq -r ".branches[] | select(.kind == \"series\") | .name + \" \" + .status" \
		out.json >actual &&
	cat >expect <<-\EOF &&
	fixes-fix-one unchanged
	fixes-fix-two unchanged
	dev-dev-one unchanged
	dev-dev-a-new-one created
	dev-dev-two unchanged
	EOF
	test_cmp expect actual &&
	git -C repo for-each-ref --format="%(refname) %(objectname)" "refs/heads/dev-*" >after &&
	grep -v "^refs/heads/dev-dev-a-new-one " after >actual &&
	test_cmp before actual &&
	test "$(field out.json dev status)" = updated
'

test_expect_success 'a series that left the queue: its branch is listed as gone, not deleted' '
	cd local &&
	old=$(git -C repo rev-parse dev-dev-one) &&
	sed -i "/^dev-one.patch\$/d" q/series &&
	quiltsync build -c qs.yaml --json >out.json &&
	jq -r ".branches[] | select(.status == \"gone\") | [.name, .kind, .old, .new // \"-\"] | join(\" \")" \
		out.json >actual &&
	echo "dev-dev-one series $old -" >expect &&
	test_cmp expect actual &&
	test "$(git -C repo rev-parse dev-dev-one)" = "$old" &&
	quiltsync build -c qs.yaml >out &&
	test_grep -q "^gone .* dev-dev-one: " out &&
	git -C repo rev-parse --verify -q refs/heads/dev-dev-one
'

# A later branch named like an earlier per-series pattern ("dev-extra"
# for "dev-{slug}"), and a later pattern inside an earlier one
# ("dev-fixes-{slug}"): gone branches are listed only once every name
# the config makes is known.
test_expect_success 'a later branch whose name fits a per-series pattern is not gone' '
	cd local &&
	mkdir overlap && cd overlap &&
	make_upstream repo && cp -R ../q . &&
	write_config qs.yaml <<-\EOF &&
	branches:
	  - name: dev
	    on: upstream
	    per-series: dev-{slug}
	  - name: dev-extra
	    section: other
	    on: upstream
	  - name: fixes
	    on: upstream
	    per-series: dev-fixes-{slug}
	integration:
	  - name: all
	    merge: [dev, dev-extra]
	EOF
	quiltsync build -c qs.yaml --json >first.json &&
	quiltsync build -c qs.yaml --json >second.json &&
	jq -r ".branches[] | .name + \" unchanged\"" first.json >expect &&
	jq -r ".branches[] | .name + \" \" + .status" second.json >actual &&
	test_cmp expect actual
'

# ------------------------------------------------------------------
# 3. Append-only branches.

test_expect_success 'setup: a stable branch (append) and one on top of it' '
	mkdir append && cd append &&
	make_upstream repo && mkdir q && start_at v1.0-rc4 &&
	mkpatch q/s1.patch "stable: first" s.txt "s/^s line 1\$/s line one/" &&
	mkpatch q/s2.patch "stable: second" s.txt "s/^s line 20\$/s line twenty/" &&
	cp q/s1.patch q/s2.patch . &&
	mkpatch q/s3.patch "stable: third" s.txt "s/^s line 40\$/s line forty/" &&
	start_at v1.0-rc4 &&
	mkpatch q/u1.patch "unstable: first" f.txt "s/^f line 1\$/f line one/" &&
	printf "%s\n" "#BRANCH stable" s1.patch s2.patch "#ENDBRANCH stable" \
		"#BRANCH unstable" u1.patch "#ENDBRANCH unstable" >q/series &&
	cp q/series series.orig &&
	write_config qs.yaml <<-\EOF &&
	branches:
	  - name: stable
	    on: upstream
	    mode: append
	  - name: unstable
	    on: stable
	EOF
	quiltsync build -c qs.yaml &&
	git -C repo rev-list --count v1.0-rc4..stable >n &&
	echo 2 >expect && test_cmp expect n &&
	git -C repo merge-base --is-ancestor stable unstable
'

test_expect_success 'a committed patch changed in the queue: exit 7 and nothing written' '
	cd append &&
	refs >before &&
	s1=$(git -C repo rev-parse --short=7 stable~1) &&
	sed -i "s/^+s line one\$/+s line ONE/" q/s1.patch &&
	start_at v1.0-rc4 &&
	mkpatch q/u1.patch "unstable: first" f.txt "s/^f line 1\$/f line ONE/" &&
	test_expect_code 7 quiltsync build -c qs.yaml >out 2>err &&
	echo "quiltsync: q/series:2: append-only branch '"'"'stable'"'"': '"'"'s1.patch'"'"' changed in the queue since it was committed as $s1 '"'"'stable: first'"'"'" >expect &&
	test_cmp expect err &&
	refs >after &&
	test_cmp before after &&
	test_expect_code 7 quiltsync build -c qs.yaml --json >out.json 2>err &&
	refs >after &&
	test_cmp before after
'

test_expect_success 'a committed message changed is refused too' '
	cd append &&
	cp s1.patch q/s1.patch &&
	refs >before &&
	sed -i "s/^Subject: \\[PATCH\\] stable: second\$/Subject: [PATCH] stable: the second/" q/s2.patch &&
	test_grep -q "stable: the second" q/s2.patch &&
	test_expect_code 7 quiltsync build -c qs.yaml 2>err &&
	test_grep -q "append-only branch .stable.: .s2.patch. changed" err &&
	refs >after &&
	test_cmp before after &&
	cp s2.patch q/s2.patch
'

# The author is part of what was published: a name, an address, a date
# or a time zone changed in the queue is a rewrite like any other.
for edit in "s/^From: A U Thor </From: A. U. Thor </" \
	"s/^From: A U Thor <author@example.com>/From: A U Thor <thor@example.com>/" \
	"s/^\(Date: .*\) [0-9][0-9]:/\1 23:/" \
	"s/^\(Date: .*\) +0000\$/\1 +0100/"; do
test_expect_success "a committed author changed is refused: $edit" '
	cd append &&
	refs >before &&
	sed -i "$edit" q/s2.patch &&
	! cmp -s s2.patch q/s2.patch &&
	test_expect_code 7 quiltsync build -c qs.yaml 2>err &&
	test_grep -q "append-only branch .stable.: .s2.patch. changed in the queue since it was committed" err &&
	refs >after &&
	test_cmp before after &&
	cp s2.patch q/s2.patch &&
	quiltsync build -c qs.yaml
'
done

test_expect_success '--allow-rewrite rebuilds the append-only branch' '
	cd append &&
	old=$(git -C repo rev-parse stable) &&
	sed -i "s/^+s line one\$/+s line ONE/" q/s1.patch &&
	quiltsync build -c qs.yaml --allow-rewrite stable --json >out.json &&
	test "$(field out.json stable status)" = updated &&
	test "$(field out.json unstable status)" = updated &&
	! git -C repo merge-base --is-ancestor $old stable &&
	git -C repo show stable:s.txt >s &&
	test_grep -q "^s line ONE\$" s &&
	test_grep -q "^s line twenty\$" s &&
	git -C repo rev-list --count v1.0-rc4..stable >n &&
	echo 2 >expect && test_cmp expect n &&
	quiltsync build -c qs.yaml --json >out.json &&
	test "$(field out.json stable status)" = unchanged
'

test_expect_success 'a committed patch removed from the section is refused' '
	cd append &&
	refs >before &&
	s2=$(git -C repo rev-parse --short=7 stable) &&
	sed -i "/^s2.patch\$/d" q/series &&
	test_expect_code 7 quiltsync build -c qs.yaml 2>err &&
	test_grep -q "append-only branch .stable.: commit $s2 .stable: second. is no longer in section .stable." err &&
	refs >after &&
	test_cmp before after
'

test_expect_success 'committed entries of the series file still match their commits' '
	cd append &&
	sed -e "s/^s1.patch\$/##s1.patch/" -e "s/^s2.patch\$/##s2.patch/" series.orig >q/series &&
	refs >before &&
	quiltsync build -c qs.yaml --json >out.json &&
	test "$(field out.json stable status)" = unchanged &&
	refs >after &&
	test_cmp before after
'

test_expect_success 'a new patch is appended on the tip; earlier commits keep their ids' '
	cd append &&
	git -C repo rev-list v1.0-rc4..stable >old-commits &&
	old=$(git -C repo rev-parse stable) &&
	sed -i "s/^##s2.patch\$/&\\ns3.patch/" q/series &&
	quiltsync build -c qs.yaml --json >out.json &&
	test "$(field out.json stable status)" = updated &&
	test "$(field out.json stable applied)" = 1 &&
	git -C repo merge-base --is-ancestor $old stable &&
	test "$(git -C repo rev-parse stable~1)" = "$old" &&
	git -C repo rev-list v1.0-rc4..stable~1 >actual &&
	test_cmp old-commits actual &&
	git -C repo log -1 --format=%s stable >subject &&
	echo "stable: third" >expect &&
	test_cmp expect subject &&
	git -C repo merge-base --is-ancestor stable unstable &&
	git -C repo fsck --strict --no-progress
'

# ------------------------------------------------------------------
# 4. An integration conflict, resolved by a person, recorded, replayed.

test_expect_success 'setup: two trees that merge cleanly' '
	mkdir conflict && cd conflict &&
	make_upstream repo && mkdir q && start_at v1.0-rc4 &&
	mkpatch q/l1.patch "left: three" m.txt "s/^m line 3\$/m line 3 (left)/" &&
	start_at v1.0-rc4 &&
	mkpatch q/r1.patch "right: seven" m.txt "s/^m line 7\$/m line 7 (right)/" &&
	printf "%s\n" "#BRANCH left" l1.patch "#ENDBRANCH left" \
		"#BRANCH right" r1.patch "#ENDBRANCH right" >q/series &&
	write_config qs.yaml <<-\EOF &&
	branches:
	  - name: left
	    on: upstream
	  - name: right
	    on: upstream
	integration:
	  - name: mix
	    merge: [left, right]
	EOF
	quiltsync build -c qs.yaml --json >out.json &&
	test "$(field out.json mix status)" = created &&
	git -C repo log -1 --format=%s mix >subject &&
	echo "Merge branch '"'"'right'"'"' into mix" >expect &&
	test_cmp expect subject
'

test_expect_success 'a conflict: exit 3, branches, file and hunks named, mix left as it was' '
	cd conflict &&
	start_at v1.0-rc4 &&
	mkpatch q/r1.patch "right: three" m.txt "s/^m line 3\$/m line 3 (right)/" &&
	refs >before &&
	test_expect_code 3 quiltsync build -c qs.yaml --json >out.json &&
	jq -r ".branches[] | .name + \" \" + .status" out.json >actual &&
	printf "%s\n" "left unchanged" "right updated" "mix conflict" >expect &&
	test_cmp expect actual &&
	jq -c ".branches[] | select(.name == \"mix\") | .merge" out.json >actual &&
	echo "{\"ours\":\"$(git -C repo rev-parse left)\",\"theirs\":\"$(git -C repo rev-parse right)\",\"conflicts\":[{\"path\":\"m.txt\",\"hunks\":1}]}" >expect &&
	test_cmp expect actual &&
	field out.json mix error >actual &&
	echo "merging right: 1 conflicting file" >expect &&
	test_cmp expect actual &&
	grep "refs/heads/mix " before >expect &&
	refs >after &&
	grep "refs/heads/mix " after >actual &&
	test_cmp expect actual &&
	test_expect_code 3 quiltsync build -c qs.yaml >out &&
	test_grep -q "^conflict .* mix: merging right: 1 conflicting file\$" out &&
	test_grep -q "^    conflict in m.txt (1 hunk)\$" out
'

test_expect_success 'a person resolves it in a worktree; quiltsync resolve records it' '
	cd conflict &&
	ours=$(field out.json mix merge.ours) && theirs=$(field out.json mix merge.theirs) &&
	git -C repo worktree add -q --detach ../wt $ours &&
	test_must_fail git -C wt merge -q --no-edit $theirs >merge.out 2>&1 &&
	test_grep -q "^<<<<<<<" wt/m.txt &&
	test_expect_code 3 quiltsync resolve -c qs.yaml --worktree wt 2>err &&
	echo "quiltsync: m.txt:3: conflict marker left in the resolved file" >expect &&
	test_cmp expect err &&
	find . -path "./quiltsync-resolutions/*" >list &&
	test_cmp /dev/null list &&
	git -C repo show v1.0-rc4:m.txt >resolved &&
	sed -i "s/^m line 3\$/m line 3 (left and right)/" resolved &&
	cp resolved wt/m.txt &&
	quiltsync resolve -c qs.yaml --worktree wt >out &&
	echo "recorded 1 resolved hunk in quiltsync-resolutions" >expect &&
	test_cmp expect out &&
	ls quiltsync-resolutions >list &&
	test_grep -q -x "[0-9a-f]\{40\}" list &&
	test $(wc -l <list) = 1 &&
	git -C wt add m.txt && git -C wt commit -q --no-edit &&
	git -C wt rev-parse HEAD^{tree} >person.tree
'

test_expect_success 'the next build applies the resolution: the tree of the person'"'"'s merge' '
	cd conflict &&
	quiltsync build -c qs.yaml --json >out.json &&
	test "$(field out.json mix status)" = updated &&
	git -C repo rev-parse mix^{tree} >actual &&
	test_cmp person.tree actual &&
	git -C repo rev-parse mix^1 mix^2 >actual &&
	git -C repo rev-parse left right >expect &&
	test_cmp expect actual &&
	git -C repo fsck --strict --no-progress
'

test_expect_success 'the resolution still applies after an unrelated change in that file' '
	cd conflict &&
	start_at v1.0-rc4 &&
	mkpatch q/l1.patch "left: three and thirty" m.txt \
		"s/^m line 3\$/m line 3 (left)/; s/^m line 30\$/m line 30 (left)/" &&
	quiltsync build -c qs.yaml --json >out.json &&
	test "$(field out.json left status)" = updated &&
	test "$(field out.json mix status)" = updated &&
	sed "s/^m line 30\$/m line 30 (left)/" resolved >expect &&
	git -C repo show mix:m.txt >actual &&
	test_cmp expect actual &&
	git -C repo rev-parse mix^1 mix^2 >actual &&
	git -C repo rev-parse left right >expect &&
	test_cmp expect actual
'

test_expect_success 'the resolution applies to the merge in the other order' '
	cd conflict &&
	printf "%s\n" "  - name: xim" "    merge: [right, left]" >>qs.yaml &&
	quiltsync build -c qs.yaml --json >out.json &&
	test "$(field out.json xim status)" = created &&
	git -C repo rev-parse mix^{tree} >expect &&
	git -C repo rev-parse xim^{tree} >actual &&
	test_cmp expect actual
'

test_expect_success 'resolve outside a merge: exit 5, and what to do' '
	git init -q nomerge &&
	git -C nomerge commit -q --allow-empty -m one &&
	printf "repository: .\nseries: s\ncommitter: A <a@b>\nupstream: HEAD\nbranches:\n  - name: x\n    on: upstream\n" \
		>nomerge/q.yaml &&
	test_expect_code 5 quiltsync resolve -c nomerge/q.yaml --worktree nomerge 2>err &&
	test_grep -q "no merge in progress in .*nomerge.*run git merge there first" err &&
	test ! -e nomerge/quiltsync-resolutions
'

# ------------------------------------------------------------------
# 5. Per-series names the plan refuses before any work starts. Once, a
# clash found while threads were already building series made the build
# write nothing, print "no error" and exit 0: a cron job's
# `build || mail` never fired.

test_expect_success 'setup: a series titled "stable" and a tree branch mm-stable' '
	mkdir names && cd names &&
	make_upstream repo && mkdir q && start_at v1.0-rc3 &&
	mkpatch q/s.patch "stable" s.txt "s/^s line 1\$/s line ONE/" &&
	start_at v1.0-rc3 &&
	mkpatch q/a.patch "a: change f" f.txt "s/^f line 5\$/f line FIVE/" &&
	start_at v1.0-rc3 &&
	mkpatch q/d.patch "d: change g" g.txt "s/^g line 3\$/g line THREE/" &&
	# akpm-style mails without a Date: (the commit takes its parent date)
	sed -i "/^Date: /d" q/a.patch q/d.patch &&
	printf "%s\n" "#BRANCH mm-stable" "#ENDBRANCH mm-stable" \
		"#BRANCH mm-unstable" "#" a.patch "#" d.patch "#" s.patch \
		"#ENDBRANCH mm-unstable" >q/series &&
	write_config clash.yaml <<-\EOF &&
	branches:
	  - name: mm-stable
	    on: upstream
	  - name: mm-unstable
	    on: base
	    per-series: mm-{slug}
	EOF
	long=$(printf "x%.0s" $(seq 1 260)) &&
	sed "s/^    per-series: mm-{slug}\$/    per-series: mm-$long-{slug}/" clash.yaml >long.yaml &&
	test_grep -q "per-series: mm-x*-{slug}" long.yaml
'

for jobs in 1 2; do
test_expect_success "a per-series name that is another branch's: exit 2, nothing written (-j $jobs)" '
	cd names &&
	refs >before &&
	test_expect_code 2 quiltsync build -c clash.yaml -j '$jobs' >out 2>err &&
	test_grep -q "clash.yaml:[0-9]*: per-series branch .mm-stable. of series .stable. has the name of another branch" err &&
	! grep -q "no error" err &&
	refs >after &&
	test_cmp before after &&
	test ! -e repo/.git/quiltsync/last-build.json
'

test_expect_success "a per-series name git cannot store: exit 2, nothing written (-j $jobs)" '
	cd names &&
	refs >before &&
	test_expect_code 2 quiltsync build -c long.yaml -j '$jobs' >out 2>err &&
	test_grep -q "long.yaml:[0-9]*: per-series branch .mm-xxx*-a-change-f. of series .a: change f.: a part of the name is longer than a file name may be" err &&
	refs >after &&
	test_cmp before after
'
done

test_done
