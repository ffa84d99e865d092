#!/bin/bash
test_description='quiltsync show-patch: fields checked against git mailinfo, git am and lsdiff'
. "$(dirname "$0")/lib.sh"

demo="$QS_SOURCE_DIR/examples/demo/patches"

# field FILE KEY: one JSON field of a show-patch --json line, raw
field() { jq -r ".$2" "$1"; }

test_expect_success 'author, email, subject and date equal git mailinfo -u' '
	for p in "$demo"/*.patch; do
		quiltsync show-patch --json "$p" >json &&
		git mailinfo -u msg patch <"$p" >info &&
		{
			echo "Author: $(field json author_name)" &&
			echo "Email: $(field json author_email)" &&
			echo "Subject: $(field json subject)" &&
			if [ -n "$(field json date)" ]; then echo "Date: $(field json date)"; fi &&
			echo
		} >ours &&
		test_cmp info ours || return 1
	done
'

test_expect_success 'the message equals what git am commits' '
	for p in "$demo"/*.patch; do
		# the same headers and message, with a patch that applies anywhere
		sed "/^---$/q" "$p" | sed "\$d" >mail &&
		printf "%s\n" "---" "diff --git a/new b/new" "new file mode 100644" \
			"--- /dev/null" "+++ b/new" "@@ -0,0 +1 @@" "+x" >>mail &&
		rm -rf am && git init -q am &&
		(cd am && git am -q ../mail && git log -1 --format=%B >../expect) &&
		quiltsync show-patch --json "$p" >json &&
		jq -j .message json >actual &&
		printf "\n" >>actual &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'files touched equal lsdiff --strip=1' '
	for p in "$demo"/*.patch; do
		quiltsync show-patch --json "$p" >json &&
		jq -r ".files[]" json | sort >actual &&
		lsdiff --strip=1 "$p" | sed "s/~.*//" | sort >expect &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'series markers: cover letter title, position, version' '
	quiltsync show-patch --json "$demo/mm-gup-add-folio-pin-helpers.patch" >json &&
	test "$(field json series_title)" = "gup: folio pinning helpers" &&
	test "$(field json series_total)" = 3 &&
	quiltsync show-patch --json "$demo/mm-damon-document-quota-goal.patch" >json &&
	test "$(field json series_index)" = 2 &&
	test "$(field json series_total)" = 2 &&
	test "$(field json version)" = 3 &&
	test "$(field json message_id)" = "20240402231530.1200-3-dj.park@example.kr"
'

test_expect_success 'trailers and Link message-ids' '
	quiltsync show-patch --json "$demo/mm-kmemleak-fix-scan-of-empty-area.patch" >json &&
	jq -r ".trailers[] | .key + \": \" + .value" json >actual &&
	sed -n "/^Link:/,/^---$/p" "$demo/mm-kmemleak-fix-scan-of-empty-area.patch" | sed "\$d" >expect &&
	test_cmp expect actual &&
	jq -r ".links[]" json >actual &&
	echo "20240312084107.22310-1-ines.marchetti@example.org" >expect &&
	test_cmp expect actual
'

test_expect_success 'the date is recorded as git records it' '
	quiltsync show-patch --json "$demo/mm-kmemleak-fix-scan-of-empty-area.patch" >json &&
	echo "$(field json time.seconds) $(field json time.offset)" >actual &&
	GIT_AUTHOR_DATE="$(field json date)" git var GIT_AUTHOR_IDENT | sed "s/.*> //" >expect &&
	test_cmp expect actual
'

test_expect_success 'a gzip-compressed patch reads the same as the plain one' '
	p="$demo/lib-string-add-strends.patch" &&
	gzip -c "$p" >strends.patch.gz &&
	cp "$p" strends.patch &&
	quiltsync show-patch --json strends.patch >plain &&
	quiltsync show-patch --json strends.patch.gz | sed "s/strends.patch.gz/strends.patch/" >gz &&
	test_cmp plain gz
'

test_expect_success 'several files: one JSON line each, in order' '
	quiltsync show-patch --json "$demo"/mm-gup-*.patch >json &&
	jq -r .file json >actual &&
	ls "$demo"/mm-gup-*.patch >expect &&
	test_cmp expect actual
'

test_expect_success 'human output names author, subject and files' '
	quiltsync show-patch "$demo/lib-string-add-strends.patch" >out &&
	test_grep "^author:   Zoë Kowalczyk <zoe@example.pl>$" out &&
	test_grep "^subject:  lib/string: add strends()$" out &&
	test_grep "^files:    lib/string.c (modified)$" out
'

test_expect_success 'a missing file: exit 5, the file named, the others still shown' '
	test_expect_code 5 quiltsync show-patch --json no-such.patch \
		"$demo/lib-string-add-strends.patch" >out 2>err &&
	test_grep "^quiltsync: .*'\''no-such.patch'\''" err &&
	test_grep "\"file\":\"$demo/lib-string-add-strends.patch\"" out
'

test_expect_success '--strict gives no fallback where git mailinfo finds no author' '
	printf "%s\n" "Fix the frobnicator." "" "Signed-off-by: Jo Doe <jo@example.org>" \
		"---" "--- a/x" "+++ b/x" "@@ -1 +1 @@" "-a" "+b" >bare.patch &&
	quiltsync show-patch --json bare.patch >json &&
	test "$(field json author_email)" = "jo@example.org" &&
	test "$(field json origin.author)" = signoff &&
	quiltsync show-patch --json --strict bare.patch >json &&
	test "$(field json author_email)" = "" &&
	git mailinfo -u msg patch <bare.patch >info &&
	! grep "^Email:" info
'

test_expect_success '-k and -b together are a usage error' '
	test_expect_code 2 quiltsync show-patch -k -b x.patch 2>err &&
	test_grep "cannot be used together" err
'

test_done
