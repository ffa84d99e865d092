#!/bin/bash
test_description="publish: to git daemon on 127.0.0.1, a push cut off in the middle, a server that hangs"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"
. "$(dirname "$0")/lib-publish.sh"

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done
git daemon --help >/dev/null 2>&1 || [ -x "$(git --exec-path)/git-daemon" ] ||
	skip_all "git daemon is not installed (Debian: git)"
mkdir -p "$TRASH/srv"
start_git_daemon >"$TRASH/start.log" 2>&1 ||
	skip_all "git daemon does not start on 127.0.0.1: $(tail -n 1 "$TRASH/start.log")"

URL="git://127.0.0.1:$DAEMON_PORT/pub.git"

# wait_for_file FILE: until a hook wrote it (10 s at most).
wait_for_file() {
	local i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	test -s "$1"
}

test_expect_success 'setup: the demo built, an empty repository served by git daemon' '
	setup_demo_upstream &&
	git init -q --bare srv/pub.git &&
	publish_demo a "$URL"
'

test_expect_success 'first publish: every branch on the server with the local ids' '
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	local_heads a >expect &&
	remote_heads "$URL" >actual &&
	test_cmp expect actual &&
	git -C srv/pub.git fsck --no-progress --connectivity-only
'

test_expect_success 'a second publish sends nothing' '
	quiltsync publish -c demo-a/quiltsync.yaml --json >json &&
	test "$(jq -r ".remotes[0].result" json)" = unchanged &&
	test "$(jq "[.remotes[0].refs[] | select(.action != \"unchanged\")] | length" json)" -eq 0
'

test_expect_success 'the push cut off in the middle: nothing moves (exit 10)' '
	cat >srv/pub.git/hooks/pre-receive <<-HOOK &&
	#!/bin/sh
	echo \$\$ >"$TRASH/pids/hook"
	echo \$PPID >"$TRASH/pids/receive-pack"
	sleep 30 & echo \$! >"$TRASH/pids/sleep"
	wait
	exit 1
	HOOK
	chmod +x srv/pub.git/hooks/pre-receive &&
	remote_heads "$URL" >before &&
	change_series a &&
	{ quiltsync publish -c demo-a/quiltsync.yaml >out 2>&1; echo $? >rc; } &
	# the hook wrote every pid once it wrote its sleep'"'"'s
	wait_for_file "$TRASH/pids/sleep" &&
	stop_server receive-pack && stop_server daemon &&
	stop_server sleep && stop_server hook &&
	wait &&
	test "$(cat rc)" -eq 10 &&
	test_grep -q "FAILED, nothing of it changed" out &&
	git -C srv/pub.git for-each-ref --format="%(objectname) %(refname)" refs/heads/ | sort >after &&
	test_cmp before after
'

test_expect_success 'the daemon back: the next publish completes with exactly the local ids' '
	rm srv/pub.git/hooks/pre-receive &&
	DAEMON_PORT=$(cat daemon.port) &&
	{ git daemon --listen=127.0.0.1 --port="$DAEMON_PORT" --reuseaddr \
		--base-path="$TRASH/srv" --export-all --enable=receive-pack \
		"$TRASH/srv" >>daemon.log 2>&1 & echo $! >pids/daemon; } &&
	wait_for_port "$DAEMON_PORT" &&
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	local_heads a >expect &&
	remote_heads "$URL" >actual &&
	test_cmp expect actual &&
	git -C srv/pub.git fsck --no-progress --connectivity-only &&
	test -z "$(git -C demo-a/linux for-each-ref refs/quiltsync/publishing/)"
'

test_expect_success 'a server that hangs: stopped after the timeout, nothing moves (exit 10)' '
	sed -i "s|^    url: git://.*|&\n    timeout: 3|" demo-a/quiltsync.yaml &&
	cat >srv/pub.git/hooks/pre-receive <<-HOOK &&
	#!/bin/sh
	echo \$\$ >"$TRASH/pids/hook"
	sleep 8 & echo \$! >"$TRASH/pids/sleep"
	wait
	exit 1
	HOOK
	chmod +x srv/pub.git/hooks/pre-receive &&
	remote_heads "$URL" >before &&
	change_series a &&
	start=$(date +%s) &&
	test_expect_code 10 quiltsync publish -q -c demo-a/quiltsync.yaml 2>err &&
	test $(( $(date +%s) - start )) -lt 8 &&
	test_grep -q "git push timed out after 3 seconds" err &&
	stop_server sleep && stop_server hook &&
	remote_heads "$URL" >after &&
	test_cmp before after
'

test_done
