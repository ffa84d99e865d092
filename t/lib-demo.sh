# The demo queue and upstream (examples/demo) for tests of the build:
# source after lib.sh. `setup_demo_upstream` makes $TRASH/upstream once;
# each test then works on its own copy.

# setup_demo_upstream: the demo's upstream repository in $TRASH/upstream.
setup_demo_upstream() {
	"$QS_SOURCE_DIR/examples/demo/make-upstream" "$TRASH/upstream" >/dev/null &&
	git -C "$TRASH/upstream" rev-parse -q --verify v6.9-rc3 >/dev/null
}

# new_demo NAME: demo-NAME/ with the queue, a copy of the upstream and
# the demo's config naming it.
new_demo() {
	mkdir "demo-$1" &&
	cp -R "$QS_SOURCE_DIR/examples/demo/patches" "demo-$1/patches" &&
	cp -a "$TRASH/upstream" "demo-$1/linux" &&
	sed -e 's|^repository:.*|repository: linux|' \
		"$QS_SOURCE_DIR/examples/demo/quiltsync.yaml" >"demo-$1/quiltsync.yaml"
}

# field JSON BRANCH KEY: one key of one branch of a --json report.
field() {
	jq -r --arg b "$2" ".branches[] | select(.name == \$b) | .$3" "$1"
}
