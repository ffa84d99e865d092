#!/bin/bash
test_description="apply: the tree quilt push leaves behind, without a worktree"
. "$(dirname "$0")/lib.sh"

# The oracle is quilt itself: every fixture t4100/CASE holds `setup` (a
# shell snippet that builds the base tree), patches and a series file.
# quiltsync applies the series to a git repository of the base; quilt
# pushes it patch by patch in a copy of the base, and `git add -A` plus
# `git write-tree` give its tree after each patch. The two lists of
# "patch tree" lines (or "patch failed") must be equal, and so must the
# offsets and fuzz factors GNU patch reports for each hunk.

for cmd in quilt patch git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done
umask 022
unset QUILT_PATCHES QUILT_PATCH_OPTS POSIXLY_CORRECT QUILT_PC

F=$TEST_FIXTURES

series_names() {
	sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' -e 's/[[:space:]].*//' "$1"
}

# Make repo/ (one commit of base/) in the current directory.
make_repo() {
	git init -q repo &&
	cp -a base/. repo/ &&
	git -C repo add -A &&
	git -C repo -c user.name=T -c user.email=t@example.org \
		commit -q --allow-empty -m base
}

# The tree of directory $1, with the exec bits and symlinks git sees.
tree_of() {
	rm -f "$PWD/tree.idx" &&
	GIT_INDEX_FILE=$PWD/tree.idx git --git-dir=repo/.git --work-tree="$1" \
		add -A -- . ':!.pc' &&
	GIT_INDEX_FILE=$PWD/tree.idx git --git-dir=repo/.git --work-tree="$1" \
		write-tree
}

# quilt push, one patch at a time: "name tree" lines, "name failed" and
# a stop at the first failure; the hunks GNU patch placed away from
# their stated line in gnu-hunks.
quilt_steps() {
	local name
	rm -rf wt && cp -a base wt && : >quilt.out && : >gnu-hunks &&
	for name in $(series_names qp/series); do
		if (cd wt && QUILT_PATCHES=../qp quilt --quiltrc /dev/null push) \
			>push.log 2>&1; then
			echo "$name $(tree_of wt)" >>quilt.out &&
			awk -v p="$name" '
				/^patching (file|symbolic link) / {
					f = $3; gsub(/^'\''|'\''$/, "", f)
				}
				/^Hunk #[0-9]+ succeeded/ { print p ": " f ": " $0 }
			' push.log >>gnu-hunks || return 1
		else
			echo "$name failed" >>quilt.out
			break
		fi
	done
}

# The same from quiltsync's --json output.
ours_steps() {
	local code=0
	quiltsync apply --json --repo repo --base HEAD --series qp/series \
		>ours.json 2>ours.err || code=$?
	jq -r '.patch + " " + (.tree // "failed")' ours.json >ours.out &&
	jq -r '.patch as $p | .hunks[] | select(.applied and (.offset != 0 or .fuzz != 0)) |
		"\($p): \(.file): Hunk #\(.hunk) succeeded at \(.new_line)" +
		(if .fuzz != 0 then " with fuzz \(.fuzz)" else "" end) +
		(if .offset != 0 then " (offset \(.offset) line" +
			(if .offset == 1 or .offset == -1 then "" else "s" end) + ")" else "" end) + "."' \
		ours.json >our-hunks &&
	if grep -q ' failed$' ours.out; then
		test $code = 1 || { echo "exit code $code, not 1" >&2; return 1; }
	else
		test $code = 0 || { echo "exit code $code, not 0" >&2; cat ours.err >&2; return 1; }
	fi
}

# parity CASE: quiltsync and quilt agree on fixture CASE.
parity() {
	rm -rf "$1" && mkdir -p "$1/base" "$1/qp" && cd "$1" &&
	(cd base && . "$F/$1/setup") &&
	make_repo &&
	cp "$F/$1"/*.patch "$F/$1/series" qp/ &&
	quilt_steps &&
	ours_steps &&
	test_cmp quilt.out ours.out &&
	test_cmp gnu-hunks our-hunks
}

for dir in "$F"/*/; do
	name=$(basename "$dir")
	desc=$(sed -n '1s/^# //p' "$dir/setup")
	test_expect_success "$name: $desc" "parity $name"
done

test_expect_success 'the fixtures cover failures and successes' '
	cat */quilt.out >all &&
	test_grep -q " failed\$" all &&
	test_grep -q -v " failed\$" all
'

# The one-line summary per patch, and the failure report.
test_expect_success 'human output: patch, tree and how it applied' '
	cd offset &&
	quiltsync apply --repo repo --base HEAD --series qp/series >actual &&
	echo "p.patch $(cut -d" " -f2 ours.out) offset" >expect &&
	test_cmp expect actual &&
	cd ../fuzz &&
	quiltsync apply --repo repo --base HEAD --series qp/series >actual &&
	echo "p.patch $(cut -d" " -f2 ours.out) fuzz 2" >expect &&
	test_cmp expect actual
'

test_expect_success 'a failure names the file and the hunk, and stops the series' '
	cd series-stop &&
	test_expect_code 1 quiltsync apply --repo repo --base HEAD \
		--series qp/series >out 2>err &&
	test_grep -q "^1.patch [0-9a-f]* clean\$" out &&
	test_grep -q "^2.patch - failed\$" out &&
	! grep -q "^3.patch" out &&
	test_grep -q "quiltsync: 2.patch: f: hunk #1 at line 1 does not apply" err
'

test_expect_success 'an already applied patch fails with a reversed-patch hint' '
	cd modify &&
	test_expect_code 1 quiltsync apply --repo repo --base HEAD \
		qp/p.patch qp/p.patch >out 2>err &&
	test_grep -q "reversed (or previously applied) patch detected" err &&
	test_expect_code 1 quiltsync apply --json --repo repo --base HEAD \
		qp/p.patch qp/p.patch >out.json &&
	jq -r ".status" out.json >actual &&
	printf "clean\nfailed\n" >expect &&
	test_cmp expect actual &&
	jq -e "select(.status == \"failed\") | .tree == null and (.error | test(\"reversed\"))" \
		out.json
'

# Git binary patches: GNU patch refuses them, so quilt cannot apply
# them; quiltsync does (a deliberate difference) and git apply is the
# oracle.
test_expect_success 'git binary patches (literal and delta) give git apply'"'"'s tree' '
	git init -q bin && cd bin &&
	seq 1 3000 | gzip -n -9 >small.bin &&
	{ printf "\\000\\001\\002\\003"; seq 1 20000; } >big.bin &&
	printf "gone\\000\\n" >old.bin &&
	git add -A && git -c user.name=T -c user.email=t@example.org commit -q -m base &&
	seq 1 3001 | gzip -n -9 >small.bin &&
	{ printf "\\000\\001\\002\\003"; seq 1 20000 | sed s/^777\$/seven/; } >big.bin &&
	rm old.bin && printf "\\377\\376new\\000" >new.bin &&
	git add -A && git diff --cached --binary HEAD >../bin.patch &&
	git reset -q --hard &&
	test_grep -q "^literal " ../bin.patch &&
	test_grep -q "^delta " ../bin.patch &&
	quiltsync apply --repo . --base HEAD ../bin.patch >../ours &&
	git apply --index ../bin.patch && git write-tree >../tree &&
	echo "../bin.patch $(cat ../tree) clean" >../expect &&
	test_cmp ../expect ../ours &&
	git reset -q --hard &&
	mkdir ../qp && cp ../bin.patch ../qp/ && echo bin.patch >../qp/series &&
	test_must_fail env QUILT_PATCHES=../qp quilt --quiltrc /dev/null push -q >../quilt.log 2>&1 &&
	test_grep -q "git binary diffs are not supported" ../quilt.log
'

test_expect_success 'a binary patch reversed gives the base back; a wrong preimage fails' '
	cd bin &&
	tree=$(cat ../tree) && base=$(git rev-parse "HEAD^{tree}") &&
	quiltsync apply --repo . --base $tree -R ../bin.patch >out &&
	echo "../bin.patch $base clean" >expect &&
	test_cmp expect out &&
	test_expect_code 1 quiltsync apply --repo . --base $tree ../bin.patch 2>err &&
	test_grep -q "binary" err
'

# The 3-way fallback against git apply -3.
test_expect_success 'setup: a patch whose context changed since it was made' '
	git init -q three && cd three &&
	printf "line %d\\n" $(seq 1 20) >f &&
	git add f && git -c user.name=T -c user.email=t@example.org commit -q -m A &&
	sed "s/^line 11\$/line eleven/" f >f.new && mv f.new f &&
	git diff >../three.patch &&
	git checkout -q f &&
	sed "s/^line 9\$/line nine/" f >f.new && mv f.new f &&
	git -c user.name=T -c user.email=t@example.org commit -q -a -m B &&
	git branch clean &&
	sed "s/^line 11\$/line ELEVEN/" f >f.new && mv f.new f &&
	git -c user.name=T -c user.email=t@example.org commit -q -a -m C &&
	git branch conflict HEAD && git reset -q --hard clean
'

test_expect_success '--3way merges like git apply -3; without it the patch fails' '
	cd three &&
	test_expect_code 1 quiltsync apply --repo . --base clean --fuzz 0 ../three.patch &&
	quiltsync apply --repo . --base clean --fuzz 0 --3way ../three.patch >out &&
	git apply -3 ../three.patch 2>/dev/null &&
	echo "../three.patch $(git write-tree) 3-way" >expect &&
	test_cmp expect out &&
	git reset -q --hard clean &&
	quiltsync apply --json --repo . --base clean --fuzz 0 --3way ../three.patch >out.json &&
	jq -e ".status == \"3way\" and .hunks[0].merged" out.json
'

test_expect_success '--3way: a conflict fails, as it does for git apply -3' '
	cd three &&
	git checkout -q conflict &&
	test_must_fail git apply -3 ../three.patch >/dev/null 2>&1 &&
	git reset -q --hard conflict &&
	test_expect_code 1 quiltsync apply --repo . --base conflict --fuzz 0 --3way \
		../three.patch >out 2>err &&
	test_grep -q "3-way merge" err
'

# Paths that must never be written: refused (exit 5) with a message
# naming the path, and not one object written.
test_expect_success 'setup: a repository with a symlink' '
	git init -q unsafe && cd unsafe &&
	printf "x\\n" >f && ln -s /tmp link &&
	git add -A && git -c user.name=T -c user.email=t@example.org commit -q -m base
'

for u in absolute:0:/etc/passwd dotdot:1:../outside dotgit:1:.git/hooks/pre-commit \
	 dotgit-case:1:sub/.GiT/config symlink:1:link/evil; do
	IFS=: read -r kind strip path <<-EOF
	$u
	EOF
	test_expect_success "unsafe path ($kind) is refused and nothing is written" "
		cd unsafe &&
		git count-objects -v >before &&
		test_expect_code 5 quiltsync apply --repo . --base HEAD -p $strip \
			\"\$F/unsafe-$kind.patch\" >out 2>err &&
		test_grep -q -F \"'$path'\" err &&
		test_grep -q -F \"unsafe-$kind.patch\" err &&
		git count-objects -v >after &&
		test_cmp before after
	"
done

test_done
