#!/bin/bash
test_description="publish: to a bare repository by path and file://, exactly what changed, atomically"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"
. "$(dirname "$0")/lib-publish.sh"

# The server is a bare repository on the same machine: what git push
# does there is what it does over any transport (t5610 and t5620 take
# the daemon and ssh). Every check is git's: ls-remote, fsck, log.

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

URL="file://$TRASH/pub.git"

test_expect_success 'setup: the demo built, an empty bare repository as its remote' '
	setup_demo_upstream &&
	git init -q --bare pub.git &&
	publish_demo a "$URL"
'

test_expect_success 'a dry run shows refspecs and leases and sends nothing' '
	quiltsync publish -c demo-a/quiltsync.yaml --dry-run >out &&
	test_grep -q "^pub (file://.*pub.git): would publish" out &&
	test_grep -q "refspec [0-9a-f]*:refs/heads/mm-unstable, lease (must not exist)" out &&
	test_grep -q "^  would run: git push --atomic --porcelain" out &&
	test -z "$(git ls-remote pub.git)" &&
	test -z "$(git -C demo-a/linux for-each-ref refs/quiltsync/published/)"
'

test_expect_success 'first publish: every branch on the server with the local ids' '
	quiltsync publish -c demo-a/quiltsync.yaml >out &&
	test_grep -q "^pub (.*): published" out &&
	local_heads a >expect &&
	test_line_count=$(wc -l <expect) && test "$test_line_count" -eq 10 &&
	remote_heads "$URL" >actual &&
	test_cmp expect actual &&
	git -C pub.git fsck --no-progress --connectivity-only &&
	git -C demo-a/linux for-each-ref --format="%(objectname) %(refname)" \
		refs/quiltsync/published/pub/ | sed "s|refs/quiltsync/published/pub/|refs/heads/|" |
		sort >recorded &&
	test_cmp expect recorded &&
	test -z "$(git -C demo-a/linux for-each-ref refs/quiltsync/publishing/)"
'

test_expect_success 'append-only branches went without force, the others with a lease' '
	quiltsync publish -c demo-a/quiltsync.yaml --json >json &&
	test "$(jq -r ".remotes[0].result" json)" = unchanged &&
	test "$(jq -r ".remotes[0].command" json)" = null
'

test_expect_success 'a second publish sends nothing' '
	git -C pub.git for-each-ref --format="%(refname) %(objectname)" >before &&
	find pub.git/objects -type f | sort >objects.before &&
	quiltsync publish -c demo-a/quiltsync.yaml >out &&
	test_grep -q "up to date, nothing sent" out &&
	test_grep -q "10 unchanged" out &&
	find pub.git/objects -type f | sort >objects.after &&
	test_cmp objects.before objects.after &&
	git -C pub.git for-each-ref --format="%(refname) %(objectname)" >after &&
	test_cmp before after
'

test_expect_success 'with -q, success prints nothing at all' '
	quiltsync publish -q -c demo-a/quiltsync.yaml >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'one series changed: exactly its branch, mm-unstable and mm-everything move' '
	remote_heads "$URL" >before &&
	change_series a &&
	quiltsync publish -c demo-a/quiltsync.yaml --json >json &&
	test "$(jq -r ".remotes[0].result" json)" = published &&
	jq -r ".remotes[0].refs[] | select(.action != \"unchanged\") | .ref" json | sort >moved &&
	printf "%s\n" refs/heads/$DAMON_BRANCH refs/heads/mm-everything refs/heads/mm-unstable | sort >expect &&
	test_cmp expect moved &&
	jq -r ".remotes[0].refs[] | select(.action != \"unchanged\") | .lease" json >leases &&
	jq -r ".remotes[0].refs[] | select(.action != \"unchanged\") | .old" json >olds &&
	test_cmp olds leases &&
	remote_heads "$URL" >after &&
	test "$(comm -3 before after | wc -l)" -eq 6 &&
	local_heads a >expect &&
	test_cmp expect after &&
	git -C pub.git fsck --no-progress --connectivity-only
'

test_expect_success 'a developer clones and finds their series alone on the previous -rc3' '
	git clone -q "$URL" dev &&
	git -C dev log --format=%s "v6.9-rc3..origin/$DAMON_BRANCH" >subjects 2>/dev/null ||
	git -C dev log --format=%s "$(git -C demo-a/linux rev-parse v6.9-rc3)..origin/$DAMON_BRANCH" >subjects &&
	test "$(wc -l <subjects)" -eq 2 &&
	test_grep -q "Docs/mm/damon: describe how the size quota caps the" subjects &&
	git -C dev show -s --format=%b "origin/$DAMON_BRANCH" >body &&
	test_grep -q "Reviewed-by: SeongJae Park" body &&
	base=$(git -C demo-a/linux rev-parse "v6.9-rc3^{commit}") &&
	git -C dev merge-base --is-ancestor "$base" "origin/$DAMON_BRANCH" &&
	test "$(git -C dev rev-list --count "$base..origin/$DAMON_BRANCH")" -eq 2
'

test_expect_success 'someone else pushes to a rebuilt branch: the lease refuses, nothing moves (exit 9)' '
	git clone -q "$URL" other &&
	git -C other commit -q --allow-empty -m "not from quiltsync" &&
	git -C other push -q origin HEAD:refs/heads/mm-unstable-hand-made &&
	git -C other push -q -f origin HEAD:refs/heads/mm-unstable &&
	remote_heads "$URL" >before &&
	sed -i "/^Signed-off-by: Dae-jung Park/i Tested-by: Someone <t@example.org>" \
		demo-a/patches/mm-damon-document-quota-goal.patch &&
	quiltsync build -q -c demo-a/quiltsync.yaml &&
	test_expect_code 9 quiltsync publish -c demo-a/quiltsync.yaml >out &&
	test_grep -q "FAILED, nothing of it changed: refs/heads/mm-unstable: someone else pushed to it since the last publish" out &&
	remote_heads "$URL" >after &&
	test_cmp before after &&
	test_expect_code 9 quiltsync publish -q -c demo-a/quiltsync.yaml >out 2>err &&
	test_must_be_empty out &&
	test "$(wc -l <err)" -eq 1 &&
	test_grep -q "^quiltsync: publish to .pub. failed, nothing of it changed: refs/heads/mm-unstable: " err
'

test_expect_success 'once the other push is undone, publishing completes; a hand-made branch stays' '
	git -C other push -q -f origin "$(git -C demo-a/linux rev-parse refs/quiltsync/published/pub/mm-unstable):refs/heads/mm-unstable" &&
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	local_heads a >expect &&
	remote_heads "$URL" | grep -v hand-made >actual &&
	test_cmp expect actual &&
	git ls-remote --exit-code "$URL" refs/heads/mm-unstable-hand-made >/dev/null
'

test_expect_success 'someone else pushes while we push: the server refuses, nothing moves (exit 9)' '
	git -C other fetch -q origin &&
	theirs=$(git -C other commit-tree -m "pushed during the publish" "origin/mm-unstable^{tree}" -p origin/mm-unstable) &&
	cat >demo-a/linux/.git/hooks/pre-push <<-HOOK &&
	#!/bin/sh
	# runs after git checked the lease and before it sends: the race
	unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
	git -C "$TRASH/other" push -q -f origin $theirs:refs/heads/mm-unstable || exit 1
	HOOK
	chmod +x demo-a/linux/.git/hooks/pre-push &&
	change_series a &&
	remote_heads "$URL" | grep -v "refs/heads/mm-unstable$" >before &&
	test_expect_code 9 quiltsync publish -c demo-a/quiltsync.yaml >out &&
	test_grep -q "refs/heads/mm-unstable: someone else pushed to it while we pushed" out &&
	remote_heads "$URL" | grep -v "refs/heads/mm-unstable$" >after &&
	test_cmp before after &&
	test "$(git ls-remote "$URL" refs/heads/mm-unstable | cut -f1)" = "$theirs" &&
	rm demo-a/linux/.git/hooks/pre-push &&
	git -C other push -q -f origin "$(git -C demo-a/linux rev-parse refs/quiltsync/published/pub/mm-unstable):refs/heads/mm-unstable" &&
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	local_heads a >expect &&
	remote_heads "$URL" | grep -v hand-made >actual &&
	test_cmp expect actual
'

test_expect_success 'an append-only branch rewritten locally: exit 7, nothing sent' '
	remote_heads "$URL" >before &&
	sed -i "/^Signed-off-by:/i Acked-by: Someone <a@example.org>" \
		demo-a/patches/mm-vmscan-document-the-reclaim-batch.patch &&
	quiltsync build -q -c demo-a/quiltsync.yaml --allow-rewrite mm-stable &&
	test_expect_code 7 quiltsync publish -c demo-a/quiltsync.yaml >out &&
	test_grep -q "refs/heads/mm-stable: append-only branch would not fast-forward" out &&
	remote_heads "$URL" >after &&
	test_cmp before after
'

test_expect_success 'publish --allow-rewrite pushes it, with a lease' '
	quiltsync publish -c demo-a/quiltsync.yaml --allow-rewrite mm-stable --json >json &&
	test "$(jq -r ".remotes[0].refs[] | select(.ref == \"refs/heads/mm-stable\") | .lease" json)" = \
	     "$(jq -r ".remotes[0].refs[] | select(.ref == \"refs/heads/mm-stable\") | .old" json)" &&
	local_heads a >expect &&
	remote_heads "$URL" | grep -v hand-made >actual &&
	test_cmp expect actual
'

test_expect_success 'an update hook rejects one ref: no ref of that remote moves (exit 10)' '
	cat >pub.git/hooks/update <<-\HOOK &&
	#!/bin/sh
	[ "$1" != refs/heads/mm-everything ] || { echo "no mm-everything today" >&2; exit 1; }
	HOOK
	chmod +x pub.git/hooks/update &&
	remote_heads "$URL" >before &&
	change_series a &&
	test_expect_code 10 quiltsync publish -c demo-a/quiltsync.yaml >out &&
	test_grep -q "FAILED, nothing of it changed: refs/heads/mm-everything: \[remote rejected\] (hook declined)" out &&
	test_grep -q "not sent  mm-unstable " out &&
	remote_heads "$URL" >after &&
	test_cmp before after &&
	test -n "$(git -C demo-a/linux for-each-ref refs/quiltsync/publishing/)"
'

test_expect_success 'a pre-receive hook rejects: nothing moves; without it, the next publish completes' '
	rm pub.git/hooks/update &&
	printf "#!/bin/sh\necho no pushes today >&2\nexit 1\n" >pub.git/hooks/pre-receive &&
	chmod +x pub.git/hooks/pre-receive &&
	remote_heads "$URL" >before &&
	test_expect_code 10 quiltsync publish -c demo-a/quiltsync.yaml >out &&
	test_grep -q "pre-receive hook declined" out &&
	remote_heads "$URL" >after &&
	test_cmp before after &&
	rm pub.git/hooks/pre-receive &&
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	local_heads a >expect &&
	remote_heads "$URL" | grep -v hand-made >actual &&
	test_cmp expect actual &&
	test -z "$(git -C demo-a/linux for-each-ref refs/quiltsync/publishing/)"
'

test_expect_success 'a push that succeeded but was never recorded is taken as ours' '
	change_series a &&
	git -C demo-a/linux push -q --force "$TRASH/pub.git" \
		"refs/heads/mm-unstable:refs/heads/mm-unstable" &&
	git -C demo-a/linux update-ref refs/quiltsync/publishing/pub/mm-unstable refs/heads/mm-unstable &&
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	local_heads a >expect &&
	remote_heads "$URL" | grep -v hand-made >actual &&
	test_cmp expect actual
'

test_expect_success 'two remotes published independently: a failing one does not stop the other' '
	git init -q --bare mirror.git &&
	add_remote a mirror "$TRASH/mirror.git" &&
	add_remote a gone "$TRASH/does-not-exist.git" "timeout: 20" &&
	test_expect_code 10 quiltsync publish -c demo-a/quiltsync.yaml --json >json &&
	test "$(jq -r ".remotes[] | .name + \" \" + .result" json)" = "$(printf "pub unchanged\nmirror published\ngone failed")" &&
	jq -r ".remotes[2].error" json | test_grep -q "cannot list the remote.s branches" &&
	test -z "$(git -C demo-a/linux for-each-ref refs/quiltsync/published/gone/ refs/quiltsync/publishing/gone/)" &&
	local_heads a >expect &&
	remote_heads "$TRASH/mirror.git" >actual &&
	test_cmp expect actual &&
	quiltsync publish -q -c demo-a/quiltsync.yaml mirror pub
'

test_expect_success 'a remote the config does not name: exit 2, nothing sent' '
	test_expect_code 2 quiltsync publish -c demo-a/quiltsync.yaml nope 2>err &&
	test_grep -q "no remote named .nope." err
'

test_expect_success 'a bad remotes entry: exit 2 naming file and line, nothing sent' '
	cp demo-a/quiltsync.yaml bad.yaml &&
	sed -i "s|^repository:.*|repository: demo-a/linux|" bad.yaml &&
	printf "  - name: x\n    url: u\n    atomic: yes\n" >>bad.yaml &&
	remote_heads "$URL" >before &&
	test_expect_code 2 quiltsync publish -c bad.yaml 2>err &&
	test_grep -q "bad.yaml:[0-9]*:[0-9]*: remotes\[3\].atomic: expected true or false" err &&
	remote_heads "$URL" >after &&
	test_cmp before after
'

test_expect_success 'a server without atomic pushes: refused, saying so, nothing sent (exit 10)' '
	git init -q --bare plain.git &&
	git -C plain.git config receive.advertiseAtomic false &&
	add_remote a plain "file://$TRASH/plain.git" &&
	test_expect_code 10 quiltsync publish -c demo-a/quiltsync.yaml plain >out &&
	test_grep -q "the server does not offer atomic pushes: nothing sent" out &&
	test -z "$(git ls-remote plain.git)" &&
	test -z "$(git -C demo-a/linux for-each-ref refs/quiltsync/published/plain/)"
'

test_expect_success 'atomic: false publishes there; a rejected ref leaves the others moved and itself to the next publish' '
	sed -i "\|url: file://.*/plain.git|a\    atomic: false" demo-a/quiltsync.yaml &&
	quiltsync publish -c demo-a/quiltsync.yaml plain --dry-run >out &&
	test_grep -q "^  would run: git push --porcelain" out &&
	quiltsync publish -q -c demo-a/quiltsync.yaml plain &&
	local_heads a >expect &&
	remote_heads "$TRASH/plain.git" >actual &&
	test_cmp expect actual &&
	cat >plain.git/hooks/update <<-\HOOK &&
	#!/bin/sh
	[ "$1" != refs/heads/mm-everything ] || { echo "no mm-everything today" >&2; exit 1; }
	HOOK
	chmod +x plain.git/hooks/update &&
	git -C demo-a/linux rev-parse refs/heads/mm-everything >old-everything &&
	change_series a &&
	test_expect_code 10 quiltsync publish -q -c demo-a/quiltsync.yaml plain 2>err &&
	test_grep -q "publish to .plain. failed, some refs moved: refs/heads/mm-everything: \\[remote rejected\\]" err &&
	test_expect_code 10 quiltsync publish -c demo-a/quiltsync.yaml plain --json >json &&
	test "$(jq -r ".remotes[0].refs[] | select(.status == \"rejected\") | .ref" json)" = refs/heads/mm-everything &&
	test "$(git ls-remote plain.git refs/heads/mm-unstable | cut -f1)" = \
	     "$(git -C demo-a/linux rev-parse refs/heads/mm-unstable)" &&
	test "$(git ls-remote plain.git refs/heads/mm-everything | cut -f1)" = "$(cat old-everything)" &&
	test "$(git -C demo-a/linux rev-parse refs/quiltsync/published/plain/mm-everything)" = "$(cat old-everything)" &&
	rm plain.git/hooks/update &&
	quiltsync publish -c demo-a/quiltsync.yaml plain --json >json &&
	test "$(jq -r ".remotes[0].refs[] | select(.action != \"unchanged\") | .ref" json)" = refs/heads/mm-everything &&
	local_heads a >expect &&
	remote_heads "$TRASH/plain.git" >actual &&
	test_cmp expect actual
'

test_expect_success 'a killed build.s journal left: a dry run refuses to guess (exit 6), naming it' '
	mkdir -p demo-a/linux/.git/quiltsync &&
	: >demo-a/linux/.git/quiltsync/refs-journal &&
	test_expect_code 6 quiltsync publish -c demo-a/quiltsync.yaml pub --dry-run 2>err &&
	test_grep -q "a killed build left its ref updates unfinished (.*refs-journal.)" err &&
	rm demo-a/linux/.git/quiltsync/refs-journal
'

test_expect_success 'a build that holds the lock: publish waits or says so (exit 4)' '
	mkdir -p demo-a/linux/.git/quiltsync &&
	flock demo-a/linux/.git/quiltsync/build.lock sleep 3 &
	sleep 0.5 &&
	test_expect_code 4 quiltsync publish -q -c demo-a/quiltsync.yaml pub 2>err &&
	test_grep -q "locked" err &&
	quiltsync publish -q --wait 10 -c demo-a/quiltsync.yaml pub
'

test_expect_success 'build --publish: build, then publish under the same lock' '
	git init -q --bare pub-b.git &&
	new_demo b &&
	sed -i "s|^    url: ../../build/demo/public.git.*|    url: ../pub-b.git|" demo-b/quiltsync.yaml &&
	test_grep -q "url: ../pub-b.git" demo-b/quiltsync.yaml &&
	quiltsync build -q --publish -c demo-b/quiltsync.yaml >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	local_heads b >expect &&
	remote_heads "$TRASH/pub-b.git" >actual &&
	test_cmp expect actual &&
	sed -i "/^Signed-off-by: Dae-jung Park/i Reviewed-by: SeongJae Park <sj@kernel.org>" \
		demo-b/patches/mm-damon-document-quota-goal.patch &&
	quiltsync build --publish --json -c demo-b/quiltsync.yaml >json &&
	test "$(jq -s length json)" -eq 2 &&
	test "$(jq -s -r ".[1].remotes[0].result" json)" = published &&
	test "$(jq -s "[.[1].remotes[0].refs[] | select(.action == \"update\")] | length" json)" -eq 3 &&
	local_heads b >expect &&
	remote_heads "$TRASH/pub-b.git" >actual &&
	test_cmp expect actual
'

test_expect_success 'build --publish --dry-run: exit 2, nothing built or sent' '
	remote_heads "$TRASH/pub-b.git" >before &&
	test_expect_code 2 quiltsync build --publish --dry-run -c demo-b/quiltsync.yaml 2>err &&
	test_grep -q "cannot go with --dry-run" err &&
	remote_heads "$TRASH/pub-b.git" >after &&
	test_cmp before after
'

test_done
