#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
test_description='qs_mail against git mailinfo -u: git own t5100 mails, and ours

Every mail goes through `git mailinfo -u` and through qs-mailinfo (our
parser, strict) with the same options; the exit status must agree and,
when git accepts the mail, so must info, msg and patch, byte for byte.
git is run live: the golden files of ../shared/corpus/git-t5100 come from
a newer git than the one we match and are not used.'
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mailinfo.sh"

T5100="$QS_SHARED/corpus/git-t5100"
have_shared || skip_all "no shared corpus in $QS_SHARED"
[ -d "$T5100" ] || skip_all "no git-t5100 corpus in $QS_SHARED/corpus"

compared=0
# check MAIL LABEL OPTION-SETS...: one test per option set
check() {
	local mail=$1 label=$2 opts
	shift 2
	for opts in "$@"; do
		compared=$((compared + 1))
		test_expect_success "$label ${opts:-(no options)}" "
			compare_mailinfo '$mail' $opts
		"
	done
}

ALL_OPTIONS=("" "-k" "-b" "--scissors" "--no-inbody-headers" "--message-id")

test_expect_success 'split sample.mbox, rfc2047-samples.mbox and sample.mboxrd' '
	mkdir sample rfc2047 mboxrd &&
	git mailsplit -osample "$T5100/sample.mbox" >sample.count &&
	git mailsplit -orfc2047 "$T5100/rfc2047-samples.mbox" >rfc2047.count &&
	git mailsplit --mboxrd -omboxrd "$T5100/sample.mboxrd" >mboxrd.count &&
	echo 18 >expect.sample && test_cmp expect.sample sample.count &&
	echo 11 >expect.rfc2047 && test_cmp expect.rfc2047 rfc2047.count
'

# every message of sample.mbox with every option git mailinfo has a
# golden file for, and -k/-b, and the rest too: they cost nothing
for n in $(seq -f %04g 1 18); do
	check "$TRASH/sample/$n" "sample.mbox $n" "${ALL_OPTIONS[@]}"
done
for n in $(seq -f %04g 1 11); do
	check "$TRASH/rfc2047/$n" "rfc2047-samples.mbox $n" "" "-k"
done
for n in 0001 0002; do
	check "$TRASH/mboxrd/$n" "sample.mboxrd $n" "" "-k"
done
for f in comment.in embed-from.in info-from.in nul-b64.in quoted-from.in \
	 quoted-string.in nul-plain quoted-cr.mbox empty; do
	check "$T5100/$f" "$f" "" "-k" "--no-inbody-headers"
done

test_expect_success 'an empty mail fails in both' '
	test_must_fail git mailinfo -u m p <"$T5100/empty" &&
	test_must_fail "$QS_MAILINFO" m p <"$T5100/empty"
'

# our own mails for the corners git's corpus leaves alone: MIME
# nesting, flowed text, charsets, encoded words, in-body headers,
# scissors, CRLF, stdio end-of-file quirks, errors
for f in "$TEST_FIXTURES"/*.eml; do
	check "$f" "t2000/$(basename "$f")" "${ALL_OPTIONS[@]}"
done

test_expect_success 'the errors git reports are ours too' '
	test_must_fail "$QS_MAILINFO" m p <"$TEST_FIXTURES/us-ascii-8bit.eml" &&
	test_must_fail "$QS_MAILINFO" m p <"$TEST_FIXTURES/encoded-word-invalid.eml" &&
	test_must_fail "$QS_MAILINFO" m p <"$TEST_FIXTURES/too-many-boundaries.eml" 2>err &&
	test_grep "too many boundaries" err
'

test_expect_success 'without strict mode, rejected mails parse' '
	"$QS_MAILINFO" --fallback --name x/us.patch m p <"$TEST_FIXTURES/us-ascii-8bit.eml" >info &&
	printf "Author: A\nEmail: a@example.com\nSubject: bad charset\n\n" >expect &&
	test_cmp expect info &&
	printf "caf\351\n" >expect.msg &&
	test_cmp expect.msg m
'

# qs_mail_message() against real git am: every mail and option set for
# which git mailinfo gives a patch that is the verbatim tail of the file
# (not MIME-encoded) gets that tail replaced by a diff of ours and goes
# through git am, with the git am option that matches; commit k holds the
# message we must give. Mails git am refuses (no author, a NUL byte in
# the message) are left out and counted.
test_expect_success 'git am commits mails with a substitute diff' '
	git init -q repo &&
	git -C repo commit -q --allow-empty -m base &&
	mkdir am &&
	k=0 && refused=0 &&
	for mail in sample/* "$TEST_FIXTURES"/*.eml "$T5100"/*.in; do
		for opts in "" -k -b --scissors --message-id; do
			git mailinfo -u $opts m p <"$mail" >info 2>/dev/null || continue
			test -s p || continue
			size=$(wc -c <"$mail") && plen=$(wc -c <p) &&
			tail -c "$plen" "$mail" >tail &&
			cmp -s tail p || continue
			k=$((k + 1)) &&
			head -c $((size - plen)) "$mail" >am/$k.mail &&
			printf "diff --git a/o%d b/o%d\nnew file mode 100644\n--- /dev/null\n+++ b/o%d\n@@ -0,0 +1 @@\n+x\n" \
				$k $k $k >>am/$k.mail &&
			case "$opts" in
			-b) amopts=--keep-non-patch ;;
			--message-id) amopts=-m ;;
			*) amopts=$opts ;;
			esac &&
			if (cd repo && git am -q $amopts ../am/$k.mail) >/dev/null 2>&1; then
				git -C repo cat-file commit HEAD >commit &&
				sed "1,/^\$/d" commit >am/$k.msg &&
				printf "%s\t%s\t%s\n" $k "$mail" "$opts" >>am.list || return 1
			else
				(cd repo && git am --abort) &&
				refused=$((refused + 1)) || return 1
			fi
		done || return 1
	done &&
	echo "$refused" >am.refused &&
	test -s am.list
'

am_checked=0
while IFS="	" read -r k mail opts; do
	am_checked=$((am_checked + 1))
	test_expect_success "git am message: ${mail#$TRASH/} ${opts:-(no options)}" "
		\"\$QS_MAILINFO\" $opts --am-message actual.message m p <'$mail' >/dev/null &&
		test_cmp am/$k.msg actual.message
	"
done <"$TRASH/am.list"

say "compared $compared mails and option sets with git mailinfo -u"
say "compared $am_checked messages with git am's; $(cat "$TRASH/am.refused") refused by git am"
test_done
