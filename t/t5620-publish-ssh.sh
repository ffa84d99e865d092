#!/bin/bash
test_description="publish: over ssh, to a local sshd with a key made for the test"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"
. "$(dirname "$0")/lib-publish.sh"

# sshd (Debian's openssh-server) runs as the test's user on 127.0.0.1,
# with a host key and a user key made here; the client's settings are
# the user's own, as publish must use them: core.sshCommand in the
# repository's config names an ssh config file of the test (ssh reads
# ~/.ssh from the password database, not $HOME, so the real one is left
# alone). As root, sshd needs its privilege separation directory, which
# the package's service makes when it starts: made here the same way.

for cmd in git jq ssh ssh-keygen; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed (Debian: openssh-client)"
done
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || skip_all "sshd is not installed (Debian: openssh-server)"
if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
	mkdir -p -m 0755 /run/sshd 2>/dev/null ||
		skip_all "sshd cannot start: no /run/sshd and it cannot be made"
fi

S="$TRASH/ssh"
mkdir -p "$S" "$TRASH/srv"
SSH_PORT=$(free_port) || skip_all "no free port on 127.0.0.1"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_key" &&
ssh-keygen -q -t ed25519 -N '' -f "$S/user_key" &&
cp "$S/user_key.pub" "$S/authorized_keys" ||
	skip_all "ssh-keygen cannot make the keys"
cat >"$S/sshd_config" <<EOC
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $S/host_key
AuthorizedKeysFile $S/authorized_keys
PidFile $S/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers $(id -un)
SetEnv GIT_CONFIG_NOSYSTEM=1
EOC
"$SSHD" -t -f "$S/sshd_config" >"$S/check.log" 2>&1 ||
	skip_all "sshd refuses its config: $(tail -n 1 "$S/check.log")"
{ "$SSHD" -D -e -f "$S/sshd_config" >"$S/sshd.log" 2>&1 & echo $! >"$TRASH/pids/sshd"; }
wait_for_port "$SSH_PORT" 2>/dev/null ||
	skip_all "sshd does not start on 127.0.0.1: $(tail -n 1 "$S/sshd.log")"
printf '[127.0.0.1]:%s %s\n' "$SSH_PORT" "$(cut -d' ' -f1,2 "$S/host_key.pub")" >"$S/known_hosts"
cat >"$S/config" <<EOC
Host 127.0.0.1
	Port $SSH_PORT
	User $(id -un)
	IdentityFile $S/user_key
	IdentitiesOnly yes
	UserKnownHostsFile $S/known_hosts
	StrictHostKeyChecking yes
	BatchMode yes
EOC
ssh -F "$S/config" 127.0.0.1 true 2>"$S/login.log" ||
	skip_all "cannot log in to the test's sshd: $(tail -n 1 "$S/login.log")"

URL="ssh://127.0.0.1$TRASH/srv/pub.git"

test_expect_success 'setup: the demo built, its ssh command the user chose' '
	setup_demo_upstream &&
	git init -q --bare srv/pub.git &&
	publish_demo a "$URL" &&
	git -C demo-a/linux config core.sshCommand "ssh -F $S/config"
'

test_expect_success 'first publish over ssh: every branch on the server with the local ids' '
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	local_heads a >expect &&
	git -C srv/pub.git for-each-ref --format="%(objectname) %(refname)" "refs/heads/mm-*" | sort >actual &&
	test_cmp expect actual &&
	git -C srv/pub.git fsck --no-progress --connectivity-only
'

test_expect_success 'a second publish sends nothing; one series changed moves its three refs' '
	quiltsync publish -c demo-a/quiltsync.yaml >out &&
	test_grep -q "up to date, nothing sent" out &&
	change_series a &&
	quiltsync publish -c demo-a/quiltsync.yaml --json >json &&
	test "$(jq "[.remotes[0].refs[] | select(.action == \"update\")] | length" json)" -eq 3 &&
	local_heads a >expect &&
	git -C srv/pub.git for-each-ref --format="%(objectname) %(refname)" "refs/heads/mm-*" | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'a host key ssh does not know: no prompt, exit 10, nothing moves' '
	: >"$S/known_hosts.empty" &&
	sed "s|$S/known_hosts\$|$S/known_hosts.empty|" "$S/config" >"$S/config.unknown" &&
	git -C demo-a/linux config core.sshCommand "ssh -F $S/config.unknown" &&
	change_series a &&
	git -C srv/pub.git for-each-ref "refs/heads/mm-*" >before &&
	git -C demo-a/linux for-each-ref refs/quiltsync/published/ refs/quiltsync/publishing/ >records.before &&
	test_expect_code 10 quiltsync publish -q -c demo-a/quiltsync.yaml 2>err &&
	test_grep -q "Host key verification failed" err &&
	git -C srv/pub.git for-each-ref "refs/heads/mm-*" >after &&
	test_cmp before after &&
	git -C demo-a/linux for-each-ref refs/quiltsync/published/ refs/quiltsync/publishing/ >records.after &&
	test_cmp records.before records.after
'

test_expect_success 'without an ssh command of the user, ssh runs in batch mode' '
	git -C demo-a/linux config --unset core.sshCommand &&
	mkdir -p fakebin &&
	cat >fakebin/ssh <<-EOF &&
	#!/bin/sh
	printf "%s\n" "\$*" >>"$TRASH/ssh.args"
	exec "$(command -v ssh)" -F "$S/config" "\$@"
	EOF
	chmod +x fakebin/ssh &&
	git -C demo-a/linux config core.sshCommand "ssh -F $S/config" &&
	quiltsync publish -q -c demo-a/quiltsync.yaml &&
	git -C demo-a/linux config --unset core.sshCommand &&
	change_series a &&
	PATH="$TRASH/fakebin:$PATH" quiltsync publish -q -c demo-a/quiltsync.yaml &&
	test_grep -q "^-o BatchMode=yes " ssh.args &&
	test "$(grep -c "BatchMode=yes" ssh.args)" -eq "$(wc -l <ssh.args)" &&
	local_heads a >expect &&
	git -C srv/pub.git for-each-ref --format="%(objectname) %(refname)" "refs/heads/mm-*" | sort >actual &&
	test_cmp expect actual
'

test_done
