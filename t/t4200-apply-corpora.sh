#!/bin/bash
test_description="apply: real queues, tree by tree against quilt push"
. "$(dirname "$0")/lib.sh"

# Debian's glibc and binutils queues ($QS_DEBIAN_QUEUES/<name>/{repo,queue},
# tags `upstream` and `expected-final`) are compared with quilt after
# every patch: quilt pushes one patch at a time in a worktree, and the
# files it touched (its backups in .pc/<patch>/ name them) go into a git
# index whose tree is written. The Linux-scale queue ($QS_LINUX_QUEUE:
# repo with tags v6.1-rc3 and expected-final, queue/series and
# queue/patches) takes quilt minutes to push, so its steps are sampled:
# every $QS_LINUX_STEP-th patch (default 25) is pushed by quilt alone on
# a sparse checkout of our tree before it, and the tree quilt leaves must
# be our tree after it. The final trees must equal `expected-final`.

for cmd in quilt git jq lsdiff; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done
if [ -z "${QS_DEBIAN_QUEUES:-}" ] && [ -z "${QS_LINUX_QUEUE:-}" ]; then
	skip_all "QS_DEBIAN_QUEUES and QS_LINUX_QUEUE are unset (no corpus to apply)"
fi
umask 022
unset QUILT_PATCH_OPTS POSIXLY_CORRECT QUILT_PC

series_names() {
	sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' -e 's/[[:space:]].*//' "$1"
}

# g ARGS: git on the bare clone, with our own index and wt/ as worktree
g() {
	GIT_INDEX_FILE=$PWD/idx git --git-dir="$PWD/r.git" --work-tree="$PWD/wt" "$@"
}

# Put the files quilt touched for patch $1 (listed in wt/.pc/$1/) into idx.
index_touched() {
	(cd "wt/.pc/$1" && find . \( -type f -o -type l \) ! -name .timestamp -print0) |
	sed -z 's|^\./||' |
	(cd wt && GIT_INDEX_FILE=../idx git --git-dir=../r.git --work-tree=. \
		update-index -z --add --remove --stdin)
}

# quilt push one patch at a time from $1 (rev), queue $2 (patches dir) and
# $3 (series): "name tree" per patch, "name failed" at the first failure.
quilt_each_step() {
	local base=$1 patches=$2 series=$3 name
	rm -rf wt && mkdir wt &&
	git --git-dir=r.git archive "$base" | tar -x -C wt &&
	g read-tree "$base" &&
	: >quilt.out &&
	for name in $(series_names "$series"); do
		if (cd wt && QUILT_PATCHES=$patches QUILT_SERIES=$series \
			quilt --quiltrc /dev/null push -q) >>quilt.log 2>&1; then
			index_touched "$name" &&
			echo "$name $(g write-tree)" >>quilt.out || return 1
		else
			echo "$name failed" >>quilt.out
			break
		fi
	done
}

# ours REV PATCHES SERIES: quiltsync's "name tree" lines in ours.out
ours() {
	quiltsync apply --json --repo r.git --base "$1" --patches "$2" \
		--series "$3" >ours.json 2>ours.err &&
	jq -r '.patch + " " + (.tree // "failed")' ours.json >ours.out
}

debian_queue() {
	local name=$1 dir=$QS_DEBIAN_QUEUES/$1
	mkdir "$name" && cd "$name" &&
	git clone -q --bare --shared "$dir/repo" r.git &&
	ours upstream "$dir/queue" "$dir/queue/series" &&
	quilt_each_step upstream "$dir/queue" "$dir/queue/series" &&
	test_cmp quilt.out ours.out &&
	git --git-dir=r.git rev-parse "expected-final^{tree}" >expect &&
	tail -n 1 ours.out | cut -d" " -f2 >actual &&
	test_cmp expect actual &&
	git --git-dir=r.git fsck --no-dangling >fsck.out 2>&1 &&
	echo "$name: $(wc -l <ours.out) patches applied, $(wc -l <quilt.out)" \
	     "compared with quilt step by step, all equal;" \
	     "final tree = expected-final" >"$TRASH/report.$name"
}

# Test bodies write their figures to report files; print them as TAP comments.
report() {
	if [ -f "$TRASH/report.$1" ]; then
		say "$(cat "$TRASH/report.$1")"
	fi
}

for q in glibc binutils; do
	if [ -z "${QS_DEBIAN_QUEUES:-}" ] || ! [ -d "${QS_DEBIAN_QUEUES:-}/$q/repo" ]; then
		test_skip_if "no Debian $q queue in \$QS_DEBIAN_QUEUES"
	fi
	test_expect_success "Debian $q: every step equals quilt push's tree" "debian_queue $q"
	report $q
	test_skip_clear
done

L=${QS_LINUX_QUEUE:-}
STEP=${QS_LINUX_STEP:-25}
if [ -z "$L" ] || ! [ -d "$L/repo" ]; then
	test_skip_if "no Linux-scale queue in \$QS_LINUX_QUEUE"
fi

test_expect_success 'Linux-scale queue: the whole series applies to expected-final' '
	mkdir linux && cd linux &&
	git clone -q --bare --shared "$L/repo" r.git &&
	start=$(date +%s.%N) &&
	/usr/bin/time -f "%M" -o rss "$QUILTSYNC" apply --json --repo r.git --base v6.1-rc3 \
		--patches "$L/queue/patches" --series "$L/queue/series" >ours.json 2>ours.err &&
	end=$(date +%s.%N) &&
	jq -r ".patch + \" \" + (.tree // \"failed\")" ours.json >ours.out &&
	! grep -q " failed\$" ours.out &&
	git --git-dir=r.git rev-parse "expected-final^{tree}" >expect &&
	tail -n 1 ours.out | cut -d" " -f2 >actual &&
	test_cmp expect actual &&
	jq -r .status ours.json | sort | uniq -c | tr -s " \n" " " >statuses &&
	echo "linux: $(wc -l <ours.out) patches applied in" \
	     "$(echo "$end - $start" | bc) s, peak RSS $(tail -n 1 rss) KB;" \
	     "statuses: $(cat statuses); final tree = expected-final" \
		>"$TRASH/report.linux"
'
report linux

# The sampled steps: quilt pushes patch k alone on our tree k-1.
linux_sample() {
	local k=$1 name=$2 prev=$3 tree=$4 opts paths
	rm -rf wt idx && mkdir wt &&
	opts=$(grep -m1 "^$name\\b" "$L/queue/series" | cut -s -d" " -f2-) &&
	printf "%s %s\n" "$name" "$opts" >one.series &&
	# the files the patch may read: its names (-p1) and what we changed
	{ lsdiff --strip=1 "$L/queue/patches/$name" &&
	  sed -n "s|^diff --git a/\([^ ]*\) b/\([^ ]*\)\$|\1\n\2|p" \
		"$L/queue/patches/$name" &&
	  git --git-dir=r.git diff-tree -r --name-only "$prev" "$tree"; } |
	sort -u >wanted &&
	sed "s|^|$prev:|" wanted | git --git-dir=r.git cat-file --batch-check |
	paste -d" " - wanted | awk "\$2 == \"blob\" { print \$NF }" >present &&
	if [ -s present ]; then
		git --git-dir=r.git archive "$prev" $(cat present) | tar -x -C wt
	fi &&
	(cd wt && QUILT_PATCHES=$L/queue/patches QUILT_SERIES=$PWD/../one.series \
		quilt --quiltrc /dev/null push -q) >push.log 2>&1 &&
	g read-tree "$prev" &&
	index_touched "$name" &&
	echo "$k $name $(g write-tree)" >>quilt-sampled.out &&
	echo "$k $name $tree" >>ours-sampled.out
}

test_expect_success "Linux-scale queue: every ${STEP}th step equals quilt push's tree" '
	cd linux &&
	git --git-dir=r.git rev-parse "v6.1-rc3^{tree}" >base &&
	{ cat base && cut -d" " -f2 ours.out; } >trees &&
	: >quilt-sampled.out && : >ours-sampled.out &&
	k=0 && while read -r name tree; do
		k=$((k + 1)) &&
		if [ $((k % STEP)) -eq 1 ] || [ "$STEP" -eq 1 ]; then
			prev=$(sed -n "${k}p" trees) &&
			linux_sample $k "$name" "$prev" "$tree" || exit 1
		fi
	done <ours.out &&
	test_cmp quilt-sampled.out ours-sampled.out &&
	echo "linux: $(wc -l <ours-sampled.out) sampled steps compared with quilt," \
	     "all equal" >"$TRASH/report.linux-steps"
'
report linux-steps
test_skip_clear

test_done
