#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
test_description='qs_mail on Debian'"'"'s glibc and binutils queues

Every patch the series files name:
- info, msg and patch identical to `git mailinfo -u` (strict mode);
- where git leaves the author or the subject empty, the fallbacks give
  what grep and sed find in the text before the patch: the first DEP-3
  (or dpatch "# DP:") Description/Subject and Author/From field, else the
  first Signed-off-by, else the file name;
- with the fallbacks, every patch has a subject, and git am commits a
  mail made of the fallback author, subject and message with exactly our
  message.
The queues come from ../shared/bench/make-debian-queue, in
$QS_DEBIAN_QUEUES/glibc/queue and $QS_DEBIAN_QUEUES/binutils/queue.'
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mailinfo.sh"

[ -n "${QS_DEBIAN_QUEUES:-}" ] || skip_all "QS_DEBIAN_QUEUES is not set"
for q in glibc binutils; do
	[ -f "$QS_DEBIAN_QUEUES/$q/queue/series" ] ||
		skip_all "no $q queue in $QS_DEBIAN_QUEUES (make it with make-debian-queue)"
done

# expect_fallbacks FILE NAME: write expect.fallback, what the fallbacks
# must give for FILE, found with sed in the text before its patch
expect_fallbacks() {
	local file=$1 name=$2 size plen base value
	git mailinfo -u m p <"$file" >info &&
	size=$(wc -c <"$file") && plen=$(wc -c <p) &&
	head -c $((size - plen)) "$file" >pre &&
	{
		if grep -q "^Author: ." info; then
			echo "author-origin: header-or-inbody"
		elif value=$(sed -n "s/^\(# DP: *\)\{0,1\}\([Aa]uthor\|[Ff]rom\):[ 	]*\([^ 	].*\)/\3/p" pre |
			     sed -n 1p) && [ -n "$value" ]; then
			echo "author-origin: dep3"
			case "$value" in
			*"<"*@*">"*)
				echo "$value" | sed "s/[ 	]*$//; s/^\(.*[^ ]\) *<\(.*\)>\$/author: \1 <\2>/"
				;;
			esac
		elif grep -q "^Signed-off-by: " qs.trailers; then
			echo "author-origin: signoff"
		else
			echo "author-origin: none"
		fi
		if grep -q "^Subject: ." info; then
			echo "subject-origin: header-or-inbody"
		elif value=$(sed -n "s/^\(# DP: *\)\{0,1\}\([Dd]escription\|[Ss]ubject\):[ 	]*\([^ 	].*\)/\3/p" pre |
			     sed -n 1p) && [ -n "$value" ]; then
			echo "subject-origin: dep3"
			# git's subject clean-up: leading [tags], Re:, white space, colons
			echo "$value" |
			sed "s/^\(Description: *\)*//
			     s/^\(\[[^]]*\]\|[Rr][Ee]:\|[ 	:]\)*//
			     s/[ 	][ 	]*/ /g; s/ *\$//; s/^/subject: /"
		else
			base=${name##*/} && base=${base%.gz} && base=${base%.bz2} && base=${base%.xz} &&
			base=${base%.patch} && base=${base%.diff} &&
			echo "subject-origin: filename" &&
			echo "subject: $base"
		fi
	} >expect.fallback
}

# actual_fallbacks: the same lines from qs-mailinfo's --derived output
actual_fallbacks() {
	sed -n "/^author-origin: \(header\|inbody\)$/s/: .*/: header-or-inbody/p
		/^author-origin: \(dep3\|signoff\|none\)$/p
		/^subject-origin: \(header\|inbody\)$/s/: .*/: header-or-inbody/p
		/^subject-origin: \(dep3\|filename\)$/p" derived >actual.fallback.origins &&
	{
		sed -n 1p actual.fallback.origins &&
		if grep -q "^author-origin: dep3" derived && grep -q "^author: .*<.*@.*>" expect.fallback; then
			grep "^author: " derived
		fi &&
		sed -n 2p actual.fallback.origins &&
		if grep -q "^subject-origin: \(dep3\|filename\)" derived; then
			grep "^subject: " derived
		fi
	} >actual.fallback
}

patches=()
for q in glibc binutils; do
	while read -r p rest; do
		case "$p" in ""|"#"*) continue ;; esac
		patches+=("$q/$p")
	done <"$QS_DEBIAN_QUEUES/$q/queue/series"
done

for p in "${patches[@]}"; do
	file="$QS_DEBIAN_QUEUES/${p%%/*}/queue/${p#*/}"
	test_expect_success "$p" "
		compare_mailinfo '$file'
	"
	test_expect_success "$p: fallbacks" "
		\"\$QS_MAILINFO\" --fallback --name '${p#*/}' --derived derived \
			--am-message qs.message --trailers qs.trailers m p <'$file' >info.fallback &&
		expect_fallbacks '$file' '${p#*/}' &&
		actual_fallbacks &&
		test_cmp expect.fallback actual.fallback &&
		test_grep -q '^Subject: .' info.fallback
	"
done

# git am on mails made of our fallback author, subject and message: the
# commit message must come back as our message, and every patch commits
test_expect_success 'git am commits the fallback messages unchanged' '
	mkdir mails &&
	i=0 &&
	for p in "${patches[@]}"; do
		i=$((i + 1)) &&
		file="$QS_DEBIAN_QUEUES/${p%%/*}/queue/${p#*/}" &&
		"$QS_MAILINFO" --fallback --name "${p#*/}" --am-message msg.$i m p <"$file" >info &&
		author=$(sed -n "s/^Author: //p" info) &&
		email=$(sed -n "s/^Email: //p" info) &&
		{
			printf "From: %s <%s>\n" "${author:-Nobody}" "${email:-nobody@example.com}" &&
			printf "Subject: " &&
			sed -n 1p msg.$i &&
			echo &&
			sed 1d msg.$i &&
			printf "diff --git a/qs-oracle-%d b/qs-oracle-%d\nnew file mode 100644\n--- /dev/null\n+++ b/qs-oracle-%d\n@@ -0,0 +1 @@\n+%d\n" \
				$i $i $i $i
		} >mails/$i || return 1
	done &&
	git init -q repo &&
	git -C repo commit -q --allow-empty -m base &&
	(cd repo && git am -q $(seq -f ../mails/%g 1 $i)) &&
	git -C repo rev-list --reverse HEAD~$i..HEAD >commits &&
	i=0 &&
	while read c; do
		i=$((i + 1)) &&
		git -C repo cat-file commit $c >commit &&
		sed "1,/^\$/d" commit >am.$i &&
		test_cmp am.$i msg.$i || return 1
	done <commits &&
	test $i -eq ${#patches[@]}
'

test_done
