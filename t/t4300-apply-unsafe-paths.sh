#!/bin/bash
test_description="apply, build: no tree git refuses is ever made"
. "$(dirname "$0")/lib.sh"

# Each name below is a file (or a symbolic link) a patch creates. git is
# the judge of every one, in a repository of its own: it refuses the
# name when `git apply --index` refuses it with core.protectHFS and
# core.protectNTFS on (verify_path(), as git am runs it too), or when
# `git fsck --strict` reports the tree git makes of it with the
# protections off (hasDotgit, gitmodulesSymlink, and the warnings about
# links as .gitattributes, .gitignore and .mailmap, which we take as
# refusals). quiltsync must refuse exactly those (exit 5, the name in
# quotes, not one object written) and take the others, in trees that
# git fsck --strict passes; a build must fail the branch, not the build.

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

export GIT_AUTHOR_DATE="2024-04-01 12:00:00 +0000"
export GIT_COMMITTER_DATE="2024-04-01 12:00:00 +0000"

# VERDICT|KIND|NAME: NAME as printf %b reads it (\xHH, \\ a backslash)
cat >"$TRASH/cases" <<-\EOF
refused|file|.git\xe2\x80\x8c/config
refused|file|.gi\xe2\x80\x8dt/hooks/pre-commit
refused|file|.GIT\xef\xbb\xbf/config
refused|file|\xe2\x80\x8e.git/config
refused|file|.git./config
refused|file|.git /config
refused|file|.git. . /config
refused|file|git~1/config
refused|file|GIT~1/config
refused|file|.git::$INDEX_ALLOCATION/config
refused|file|sub/.git:stream/config
refused|file|sub\\.git\\config
refused|file|a\\git~1\\config
refused|file|\\.git\\config
refused|file|.git\xff/config
refused|link|.gitmodules
refused|link|sub/.GitModules
refused|link|.gitmodules\xe2\x80\x8c
refused|link|.gitmodules..
refused|link|.gitmodules::$DATA
refused|link|gitmod~1
refused|link|gi7eba~1
refused|link|sub\\.gitmodules
refused|link|.gitattributes
refused|link|gitatt~1
refused|link|.gitignore
refused|link|.mailmap
taken|file|.gitx/config
taken|file|.git~1/config
taken|file|git~2/config
taken|file|.gi\xe2\x80\x8bt/config
taken|file|.gitmodules
taken|file|sub\\.gitmodules
taken|link|gitmod~5
taken|link|gi7eba~10
taken|link|.gitmodulesx
taken|link|.gitignore.d
EOF

# mkpatch OUT KIND NAME: a patch creating NAME, a file or a link
mkpatch() {
	if [ "$2" = link ]; then
		printf 'diff --git a/%s b/%s\nnew file mode 120000\n' "$3" "$3" &&
		printf -- '--- /dev/null\n+++ b/%s\n@@ -0,0 +1 @@\n+f\n' "$3" &&
		printf '\\ No newline at end of file\n'
	else
		# a tab ends a name that holds a space, for GNU patch and git
		printf -- '--- /dev/null\t\n+++ b/%s\t\n@@ -0,0 +1 @@\n+x\n' "$3"
	fi >"$1"
}

# git_refuses PATCH: git refuses what the patch makes, either way above
git_refuses() {
	rm -rf judge && git init -q judge &&
	(
		cd judge &&
		echo base >f && git add f && git commit -q -m base &&
		if ! git -c core.protectHFS=true -c core.protectNTFS=true \
			apply --index "$1" 2>/dev/null; then
			return 0
		fi &&
		git reset -q --hard &&
		git -c core.protectHFS=false -c core.protectNTFS=false \
			apply --index "$1" &&
		git commit -q -m made &&
		git fsck --strict --no-progress >fsck.out 2>&1
		grep -E "(hasDotgit|[a-z]*Symlink):" fsck.out
	) >/dev/null
}

test_expect_success 'setup: a repository to apply to' '
	git init -q repo && cd repo &&
	echo base >f && git add f && git commit -q -m base
'

i=0
while IFS='|' read -r verdict kind spec; do
	i=$((i + 1))
	name=$(printf '%b' "$spec")
	patch=$TRASH/case-$i.patch
	mkpatch "$patch" "$kind" "$name"
	if [ "$verdict" = refused ]; then
		test_expect_success "$kind '$spec': git refuses it, and so does quiltsync" '
			git_refuses "$patch" &&
			cd repo &&
			git count-objects -v >before &&
			test_expect_code 5 quiltsync apply --repo . --base HEAD \
				"$patch" >out 2>err &&
			test_grep -q -F "unsafe path '\''$name'\''" err &&
			test_grep -q -F "case-$i.patch" err &&
			git count-objects -v >after &&
			test_cmp before after
		'
	else
		test_expect_success "$kind '$spec': git takes it, and so does quiltsync" '
			! git_refuses "$patch" &&
			cd repo &&
			quiltsync apply --repo . --base HEAD "$patch" >out &&
			tree=$(cut -d" " -f2 out) &&
			commit=$(git commit-tree -m taken $tree) &&
			git update-ref refs/heads/taken-$i $commit &&
			git fsck --strict --no-progress
		'
	fi
done <"$TRASH/cases"

# ------------------------------------------------------------------
# A base tree made elsewhere may hold such a name already. A patch
# that makes quiltsync write a new tree holding it fails; one that
# leaves that tree as it is applies.

test_expect_success 'setup: a base tree holding a name git refuses' '
	git init -q held && cd held &&
	mkdir sub && echo a >sub/a && echo f >f &&
	git add . && git commit -q -m base &&
	blob=$(echo evil | git hash-object -w --stdin) &&
	git -c core.protectNTFS=false update-index --add \
		--cacheinfo "100644,$blob,sub/.git./config" &&
	git commit -q -m "sub: an NTFS .git" &&
	printf -- "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-f\n+F\n" >../root.patch &&
	printf -- "--- a/sub/a\n+++ b/sub/a\n@@ -1 +1 @@\n-a\n+A\n" >../sub.patch
'

test_expect_success 'a patch leaving that tree alone applies' '
	cd held &&
	quiltsync apply --repo . --base HEAD ../root.patch >out &&
	git ls-tree "$(cut -d" " -f2 out)" sub >actual &&
	git ls-tree HEAD sub >expect &&
	test_cmp expect actual
'

test_expect_success 'a patch rewriting that tree is refused, nothing written' '
	cd held &&
	git count-objects -v >before &&
	test_expect_code 5 quiltsync apply --repo . --base HEAD ../sub.patch 2>err &&
	test_grep -q -F "unsafe path '\''sub/.git.'\'' in the tree it changes: it has a component NTFS reads as" err &&
	git count-objects -v >after &&
	test_cmp before after
'

# ------------------------------------------------------------------
# The build: a branch whose patch makes such a name fails at that
# patch (its series line in the report), and only that branch.

# make_upstream DIR: tags v1.0-rc2, v1.0-rc3 and master; f.txt, sub/a.txt
# and sub/b.txt
make_upstream() {
	git init -q -b master "$1" &&
	(
		cd "$1" &&
		mkdir sub &&
		for f in f sub/a sub/b; do
			seq 1 10 >$f.txt || return 1
		done &&
		echo "VERSION = 1.0-rc2" >Makefile &&
		git add . && git commit -q -m "Linux 1.0-rc2" && git tag v1.0-rc2 &&
		echo "VERSION = 1.0-rc3" >Makefile &&
		git commit -q -a -m "Linux 1.0-rc3" && git tag v1.0-rc3
	)
}

# mkmail OUT KIND NAME: mkpatch's patch as the mail of a queue
mkmail() {
	mkpatch "$1.diff" "$2" "$3" &&
	{
		printf "From: A U Thor <author@example.com>\n" &&
		printf "Subject: [PATCH] add %s\n\n---\n" "$3" &&
		cat "$1.diff"
	} >"$1" &&
	rm "$1.diff"
}

# write_config FILE: the common head of a config, the rest from stdin
write_config() {
	{
		echo "repository: repo" &&
		echo "series: q/series" &&
		echo "patches: q" &&
		echo "committer: Q S Build <qs@example.com>" &&
		echo "upstream: refs/heads/master" &&
		cat
	} >"$1"
}

# field JSON BRANCH KEY: one key of one branch of a --json report
field() {
	jq -r --arg b "$2" ".branches[] | select(.name == \$b) | .$3" "$1"
}

test_expect_success 'setup: a queue whose patches make names git refuses' '
	mkdir build && cd build &&
	make_upstream repo && mkdir q &&
	mkmail q/good.patch file good.txt &&
	mkmail q/ntfs.patch file ".git./config" &&
	mkmail q/hfs.patch file "$(printf ".git\\xe2\\x80\\x8c/config")" &&
	mkmail q/link.patch link ".gitmodules" &&
	printf "%s\n" "#BRANCH good" good.patch "#ENDBRANCH good" \
		"#BRANCH ntfs" ntfs.patch "#ENDBRANCH ntfs" \
		"#BRANCH hfs" hfs.patch "#ENDBRANCH hfs" \
		"#BRANCH link" link.patch "#ENDBRANCH link" >q/series &&
	write_config qs.yaml <<-\EOF
	branches:
	  - name: good
	    on: upstream
	  - name: ntfs
	    on: upstream
	  - name: hfs
	    on: upstream
	  - name: link
	    on: upstream
	integration:
	  - name: all
	    merge: [good, ntfs]
	EOF
'

test_expect_success 'build: each branch fails at the patch, the build goes on' '
	cd build &&
	test_expect_code 1 quiltsync build -c qs.yaml --json >out.json &&
	jq -r ".branches[] | [.name, .status, .error_patch // \"-\",
		(.error_line // \"-\" | tostring)] | join(\" \")" out.json >actual &&
	cat >expect <<-\EOF &&
	good created - -
	ntfs failed ntfs.patch 5
	hfs failed hfs.patch 8
	link failed link.patch 11
	all blocked - -
	EOF
	test_cmp expect actual &&
	field out.json ntfs error >err &&
	test_grep -q -F "ntfs.patch: unsafe path '\''.git./config'\'' in the diff at line" err &&
	field out.json hfs error >err &&
	test_grep -q -F "unsafe path '\''$(printf ".git\\xe2\\x80\\x8c/config")'\''" err &&
	field out.json link error >err &&
	test_grep -q -F "unsafe path '\''.gitmodules'\'' in the diff at line" err &&
	test_grep -q -F "symbolic link git reads as '\''.gitmodules'\''" err &&
	git -C repo rev-parse --verify -q refs/heads/good &&
	for b in ntfs hfs link all; do
		test_must_fail git -C repo rev-parse --verify -q refs/heads/$b || return 1
	done &&
	# nothing git refuses was written, not even unreachable
	git -C repo fsck --strict --no-progress
'

test_expect_success 'git am refuses the same mails' '
	cd build &&
	for p in ntfs hfs link; do
		rm -rf am && git clone -q repo am &&
		test_must_fail git -C am -c core.protectHFS=true -c core.protectNTFS=true \
			am -q "$PWD/q/$p.patch" 2>/dev/null || return 1
	done &&
	rm -rf am && git clone -q repo am &&
	git -C am am -q "$PWD/q/good.patch"
'

# ------------------------------------------------------------------
# External trees merged in may hold such names. libgit2 refuses the
# NTFS ones in a merge (which stopped the whole build, exit 6); the
# HFS+ ones it takes, and the merge would make a tree git refuses. Both
# fail the integration branch, naming the path.

test_expect_success 'setup: external trees holding names git refuses' '
	mkdir ext && cd ext &&
	make_upstream repo && mkdir q &&
	git clone -q repo extra &&
	(
		cd extra &&
		blob=$(echo evil | git hash-object -w --stdin) &&
		git -c core.protectNTFS=false update-index --add \
			--cacheinfo "100644,$blob,sub/.git./config" &&
		git commit -q -m "sub: an NTFS .git" && git branch ntfs &&
		git reset -q --hard master &&
		git -c core.protectHFS=false update-index --add \
			--cacheinfo "100644,$blob,sub/$(printf ".git\\xe2\\x80\\x8c")/config" &&
		git commit -q -m "sub: an HFS+ .git" && git branch hfs
	) &&
	git clone -q repo src &&
	sed -i "s/^3\$/three/" src/sub/a.txt &&
	git -C src commit -q -a -m "sub: three" &&
	git -C src format-patch -1 --stdout >q/dev.patch &&
	printf "%s\n" "#BRANCH dev" dev.patch "#ENDBRANCH dev" >q/series &&
	write_config qs.yaml <<-EOF
	branches:
	  - name: dev
	    on: upstream
	integration:
	  - name: with-ntfs
	    merge: [dev, {url: "$TRASH/ext/extra", ref: ntfs}]
	  - name: with-hfs
	    merge: [dev, {url: "$TRASH/ext/extra", ref: hfs}]
	EOF
'

test_expect_success 'build: such a merge fails its branch, not the build' '
	cd ext &&
	test_expect_code 1 quiltsync build -c qs.yaml --json >out.json &&
	jq -r ".branches[] | .name + \" \" + .status" out.json >actual &&
	printf "%s\n" "dev created" "with-ntfs failed" "with-hfs failed" >expect &&
	test_cmp expect actual &&
	field out.json with-ntfs error >err &&
	test_grep -q -F "unsafe path '\''sub/.git.'\'' in it: it has a component NTFS" err &&
	field out.json with-hfs error >err &&
	test_grep -q -F "unsafe path '\''sub/$(printf ".git\\xe2\\x80\\x8c")'\'' in the merge: it has a component HFS+" err &&
	for b in with-ntfs with-hfs; do
		test_must_fail git -C repo rev-parse --verify -q refs/heads/$b || return 1
	done &&
	git -C repo merge-base --is-ancestor master dev
'

test_done
