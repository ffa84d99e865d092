# Helpers for the tests of quiltsync publish: source after lib.sh and
# lib-demo.sh. Servers are started by the tests on 127.0.0.1 only, and
# stopped (by the pids they wrote) when the test file exits.

# publish_demo NAME URL: the demo of new_demo NAME, built, with one remote
# "pub" at URL instead of the demo's (more remotes: add_remote), last
# in the file.
publish_demo() {
	new_demo "$1" &&
	sed -i '/^remotes:/,/^[a-z]/{/^[a-z]/!d;/^remotes:/d}' "demo-$1/quiltsync.yaml" &&
	printf 'remotes:\n  - name: pub\n    url: %s\n' "$2" >>"demo-$1/quiltsync.yaml" &&
	quiltsync build -q -c "demo-$1/quiltsync.yaml"
}

# add_remote NAME REMOTE URL [MORE YAML]: one more remote in demo-NAME's config.
add_remote() {
	printf '  - name: %s\n    url: %s\n' "$2" "$3" >>"demo-$1/quiltsync.yaml" &&
	if [ -n "${4:-}" ]; then printf '    %s\n' "$4" >>"demo-$1/quiltsync.yaml"; fi
}

# local_heads NAME: the branches quiltsync made in demo-NAME, "id ref" sorted.
local_heads() {
	git -C "demo-$1/linux" for-each-ref --format='%(objectname) %(refname)' 'refs/heads/mm-*' |
		sort
}

# remote_heads URL: the same, as the server has them (git ls-remote, as a developer sees them).
remote_heads() {
	git ls-remote --heads "$1" | sed 's/\t/ /' | sort
}

# change_series NAME: one more trailer in the last patch of the damon
# series, so that exactly its branch, mm-unstable and mm-everything change.
change_series() {
	sed -i '/^Signed-off-by: Dae-jung Park/i Reviewed-by: SeongJae Park <sj@kernel.org>' \
		"demo-$1/patches/mm-damon-document-quota-goal.patch" &&
	quiltsync build -q -c "demo-$1/quiltsync.yaml"
}

DAMON_BRANCH=mm-unstable-mm-damon-core-cap-the-effective-quota-at-the-size-quota

# Servers: each writes its pid to $TRASH/pids/NAME; all are stopped at exit.
mkdir -p "$TRASH/pids"
stop_server() {
	if [ -s "$TRASH/pids/$1" ]; then
		kill "$(cat "$TRASH/pids/$1")" 2>/dev/null
		rm -f "$TRASH/pids/$1"
	fi
	return 0
}
stop_all_servers() {
	for f in "$TRASH"/pids/*; do
		[ -e "$f" ] && stop_server "$(basename "$f")"
	done
	return 0
}
trap stop_all_servers EXIT

# A port nobody listens on, for a server of ours: a random one, checked.
free_port() {
	local port tries=0
	while [ $tries -lt 50 ]; do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo $port
			return 0
		fi
		tries=$((tries + 1))
	done
	return 1
}

# start_git_daemon: git daemon on 127.0.0.1:$DAEMON_PORT serving
# $TRASH/srv (receive-pack on); waits until it answers.
start_git_daemon() {
	mkdir -p "$TRASH/srv" &&
	DAEMON_PORT=$(free_port) &&
	echo "$DAEMON_PORT" >"$TRASH/daemon.port" &&
	{ git daemon --listen=127.0.0.1 --port="$DAEMON_PORT" --reuseaddr \
		--base-path="$TRASH/srv" --export-all --enable=receive-pack \
		--informative-errors "$TRASH/srv" >>"$TRASH/daemon.log" 2>&1 &
	  echo $! >"$TRASH/pids/daemon"; } &&
	wait_for_port "$DAEMON_PORT"
}

wait_for_port() {
	local i=0
	while [ $i -lt 100 ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "nothing listens on 127.0.0.1:$1" >&2
	return 1
}
