#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
test_description='qs_mail against git on akpm'"'"'s queue

Every patch of ../shared/corpus/akpm-25-new-2022-05-10:
- info, msg and patch identical to `git mailinfo -u`;
- qs_mail_message() identical to the commit message real `git am`
  writes for a mail with the same headers and message and a trivial diff
  of ours in place of the patch;
- the trailers identical to `git interpret-trailers --parse` on that
  commit message, the Link: message-ids to the URLs it gives;
- "This patch (of N):" and Patch series titles as grep finds them.'
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mailinfo.sh"

AKPM="$QS_SHARED/corpus/akpm-25-new-2022-05-10/patches"
have_shared || skip_all "no shared corpus in $QS_SHARED"
[ -d "$AKPM" ] || skip_all "no akpm corpus in $QS_SHARED/corpus"

patches=()
for f in "$AKPM"/*; do
	patches+=("$(basename "$f")")
done

# The oracle for the message: each mail up to where git mailinfo says
# its patch starts (the patch must be the verbatim tail of the file),
# then a diff that adds a file of its own, all applied with one real git
# am; commit i holds mail i's message.
test_expect_success 'git am commits every mail with a substitute diff' '
	mkdir mails am &&
	i=0 &&
	for f in "${patches[@]}"; do
		i=$((i + 1)) &&
		git mailinfo -u m p <"$AKPM/$f" >/dev/null &&
		size=$(wc -c <"$AKPM/$f") && plen=$(wc -c <p) &&
		tail -c "$plen" "$AKPM/$f" >tail &&
		test_cmp p tail &&
		head -c $((size - plen)) "$AKPM/$f" >mails/$i &&
		printf "diff --git a/qs-oracle-%d b/qs-oracle-%d\nnew file mode 100644\n--- /dev/null\n+++ b/qs-oracle-%d\n@@ -0,0 +1 @@\n+%d\n" \
			$i $i $i $i >>mails/$i || return 1
	done &&
	git init -q repo &&
	git -C repo commit -q --allow-empty -m base &&
	(cd repo && git am -q $(seq -f ../mails/%g 1 $i)) &&
	git -C repo rev-list --reverse HEAD~$i..HEAD >commits &&
	i=0 &&
	while read c; do
		i=$((i + 1)) &&
		git -C repo cat-file commit $c >commit &&
		sed "1,/^\$/d" commit >am/$i.msg || return 1
	done <commits &&
	echo ${#patches[@]} >expect.count &&
	echo $i >actual.count &&
	test_cmp expect.count actual.count
'

i=0
for f in "${patches[@]}"; do
	i=$((i + 1))
	test_expect_success "$f" "
		compare_mailinfo '$AKPM/$f' -- --am-message qs.message --trailers qs.trailers \
			--links qs.links &&
		test_cmp am/$i.msg qs.message &&
		git interpret-trailers --parse <am/$i.msg >git.trailers &&
		test_cmp git.trailers qs.trailers &&
		sed -n 's|^Link: <\\{0,1\\}https\\{0,1\\}://l[ok][rm][el]\\.kernel\\.org/[^/]*/\\([^/?#> ]*@[^/?#> ]*\\).*|\\1|p' \
			git.trailers >git.links &&
		test_cmp git.links qs.links
	"
done

test_expect_success 'This patch (of N) and Patch series titles' '
	for f in "${patches[@]}"; do
		"$QS_MAILINFO" --derived derived m p <"$AKPM/$f" >/dev/null &&
		n=$(sed -n "s/^This patch (of \([0-9]*\)):\$/\1/p" "$AKPM/$f") &&
		echo "series-total: ${n:-0}" >expect &&
		grep "^series-total:" derived >actual &&
		test_cmp expect actual &&
		sed -n "s/^Patch series \"\(.*\)\"\(, v[0-9]*\)\{0,1\}\.\$/series-title: \1/p" "$AKPM/$f" >expect &&
		grep "^series-title:" derived >actual || : &&
		if [ -s expect ]; then test_cmp expect actual; fi || return 1
	done
'

test_done
