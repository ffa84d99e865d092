#!/bin/bash
test_description="build: exit codes that say what happened, and nothing written when they say so"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"

# A repository cloned shallow cannot tell which -rc3 upstream holds, nor
# merge: its history stops short (and libgit2 1.5 reads none of it).
# That is the repository the config names, not a system failure: exit 2
# with what to do, nothing written (it was exit 6, "object not found").

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

test_expect_success 'setup: the demo upstream, and a shallow clone of it' '
	setup_demo_upstream &&
	new_demo shallow &&
	rm -rf demo-shallow/linux &&
	git clone -q --depth 1 "file://$TRASH/upstream" demo-shallow/linux &&
	git -C demo-shallow/linux fetch -q --depth 1 origin "refs/tags/*:refs/tags/*" &&
	test "$(git -C demo-shallow/linux rev-parse --is-shallow-repository)" = true &&
	git -C demo-shallow/linux count-objects -v >objects.before
'

test_expect_success 'a shallow repository and base previous-rc3: exit 2, nothing written' '
	test_expect_code 2 quiltsync build -c demo-shallow/quiltsync.yaml 2>err &&
	test_grep -q "^quiltsync: .demo-shallow/linux. is a shallow clone: the build walks upstream.s history" err &&
	test_grep -q "git fetch --unshallow" err &&
	git -C demo-shallow/linux count-objects -v >objects.after &&
	test_cmp objects.before objects.after &&
	test -z "$(git -C demo-shallow/linux for-each-ref refs/heads/mm-*)"
'

test_expect_success 'a shallow repository and a base named as a tag: exit 2 all the same' '
	sed -i "s/^base: .*/base: v6.9-rc3/" demo-shallow/quiltsync.yaml &&
	test_expect_code 2 quiltsync build -c demo-shallow/quiltsync.yaml 2>err &&
	test_grep -q "^quiltsync: .demo-shallow/linux. is a shallow clone" err &&
	test -z "$(git -C demo-shallow/linux for-each-ref refs/heads/mm-*)"
'

test_expect_success 'once the history is whole, the same build succeeds' '
	git -C demo-shallow/linux fetch -q --unshallow &&
	quiltsync build -q -c demo-shallow/quiltsync.yaml
'

test_done
