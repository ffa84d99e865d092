#!/bin/bash
test_description="build: only regular files are read, and only so much of them"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"

# A patch entry that is a symlink to /dev/zero grew without end, a FIFO
# blocked the build for ever with its lock held, a small .gz inflated to
# a gigabyte. Each now fails its entry like an unreadable file: the
# branches that take it fail with series:LINE, the others are built.
# Every build runs under timeout(1): the old behaviour never ends.

for cmd in git jq gzip timeout mkfifo; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

DAMON=mm-damon-add-quota-goal.patch

# fails_alone NAME WHY: the build of demo-NAME exits 1, with mm-unstable
# failed at $DAMON's line for WHY and the other trees built.
fails_alone() {
	local line
	line=$(grep -n "^$DAMON\$" "demo-$1/patches/series" | cut -d: -f1) &&
	test_expect_code 1 timeout 60 "$QUILTSYNC" build -c "demo-$1/quiltsync.yaml" --json >out.json &&
	test "$(field out.json mm-unstable status)" = failed &&
	test "$(field out.json mm-unstable error_line)" = "$line" &&
	field out.json mm-unstable error >err &&
	test_grep -q "$2" err &&
	test "$(field out.json mm-stable status)" = created &&
	test "$(field out.json mm-nonmm-unstable status)" = created
}

test_expect_success 'setup: the demo upstream' '
	setup_demo_upstream
'

test_expect_success 'a patch that is a symlink to /dev/zero fails its entry at once' '
	new_demo zero &&
	ln -sf /dev/zero "demo-zero/patches/$DAMON" &&
	fails_alone zero "it is not a regular file"
'

test_expect_success 'a patch that is a FIFO fails its entry; nothing waits for a writer' '
	new_demo fifo &&
	rm "demo-fifo/patches/$DAMON" &&
	mkfifo "demo-fifo/patches/$DAMON" &&
	fails_alone fifo "it is not a regular file"
'

test_expect_success 'a patch that is a directory fails its entry' '
	new_demo dir &&
	rm "demo-dir/patches/$DAMON" &&
	mkdir "demo-dir/patches/$DAMON" &&
	fails_alone dir "it is a directory"
'

test_expect_success 'a symlink to a regular patch is read' '
	new_demo link &&
	mv "demo-link/patches/$DAMON" "demo-link/real.patch" &&
	ln -s ../real.patch "demo-link/patches/$DAMON" &&
	timeout 60 "$QUILTSYNC" build -q -c demo-link/quiltsync.yaml
'

test_expect_success 'a compressed patch that inflates past max-patch-size fails its entry' '
	new_demo bomb &&
	echo "max-patch-size: 1m" >>demo-bomb/quiltsync.yaml &&
	sed -i "s/^$DAMON\$/$DAMON.gz/" demo-bomb/patches/series &&
	{ cat "demo-bomb/patches/$DAMON" && head -c 2097152 /dev/zero; } |
		gzip -9 >"demo-bomb/patches/$DAMON.gz" &&
	test $(wc -c <"demo-bomb/patches/$DAMON.gz") -lt 10000 &&
	DAMON=$DAMON.gz &&
	fails_alone bomb "inflates to more than 1048576 bytes"
'

test_expect_success 'a patch file larger than max-patch-size fails its entry' '
	new_demo large &&
	echo "max-patch-size: 4k" >>demo-large/quiltsync.yaml &&
	head -c 5000 /dev/zero | tr "\\0" "x" >>"demo-large/patches/$DAMON" &&
	fails_alone large "holds more than 4096 bytes"
'

test_expect_success 'within max-patch-size the same queue builds' '
	new_demo small &&
	echo "max-patch-size: 64K" >>demo-small/quiltsync.yaml &&
	timeout 60 "$QUILTSYNC" build -q -c demo-small/quiltsync.yaml
'

test_expect_success 'max-patch-size must be a size' '
	new_demo badsize &&
	for v in 0 12q 1.5m -1 99999999999999999999g; do
		sed -i "/^max-patch-size:/d" demo-badsize/quiltsync.yaml &&
		echo "max-patch-size: $v" >>demo-badsize/quiltsync.yaml &&
		test_expect_code 2 quiltsync build -c demo-badsize/quiltsync.yaml 2>err &&
		test_grep -q "quiltsync.yaml:[0-9]*:[0-9]*: max-patch-size: expected a size in bytes" err ||
		return 1
	done
'

test_expect_success 'a series file that is a directory: exit 5, located, nothing written' '
	new_demo series-dir &&
	mv demo-series-dir/patches/series demo-series-dir/series.txt &&
	mkdir demo-series-dir/patches/series &&
	test_expect_code 5 timeout 60 "$QUILTSYNC" build -c demo-series-dir/quiltsync.yaml 2>err &&
	test_grep -q "demo-series-dir/patches/series.: it is a directory" err &&
	test -z "$(git -C demo-series-dir/linux for-each-ref refs/heads/mm-*)"
'

test_expect_success 'a series file that is a FIFO: exit 5, no wait' '
	new_demo series-fifo &&
	rm demo-series-fifo/patches/series &&
	mkfifo demo-series-fifo/patches/series &&
	test_expect_code 5 timeout 60 "$QUILTSYNC" build -c demo-series-fifo/quiltsync.yaml 2>err &&
	test_grep -q "it is not a regular file" err
'

test_expect_success 'a branch name longer than a ref can be: exit 2 before anything is written' '
	new_demo longname &&
	long=$(for i in $(seq 1 20); do printf "%0200d/" $i; done)end &&
	test ${#long} -gt 4000 &&
	sed -i "s|^  - name: mm-nonmm-unstable\$|  - name: $long\n    section: mm-nonmm-unstable|" demo-longname/quiltsync.yaml &&
	sed -i "s|merge: \[mm-unstable, mm-nonmm-unstable\]|merge: [mm-unstable, $long]|" demo-longname/quiltsync.yaml &&
	git -C demo-longname/linux count-objects -v >before &&
	test_expect_code 2 quiltsync build -c demo-longname/quiltsync.yaml 2>err &&
	test_grep -q "quiltsync.yaml:[0-9]*: branch .0*\.\.\..: the name is longer than a ref of this repository may be" err &&
	git -C demo-longname/linux count-objects -v >after &&
	test_cmp before after &&
	test -z "$(git -C demo-longname/linux for-each-ref refs/heads/mm-*)"
'

test_expect_success 'a config that is a directory: exit 2, located' '
	mkdir conf.yaml &&
	test_expect_code 2 timeout 60 "$QUILTSYNC" build -c conf.yaml 2>err &&
	test_grep -q "conf.yaml.: it is a directory" err
'

test_done
