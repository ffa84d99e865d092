#!/bin/bash
test_description="build: a concurrent git repack or gc never leaves a ref naming a missing object"
. "$(dirname "$0")/lib.sh"

# A build's new pack holds objects no ref names until its last step; a
# `git repack -a -d` or `git gc --prune=now` running meanwhile deleted
# it (on the old code most trials ended with refs naming missing
# objects). Each trial here starts a build of a 2000-patch queue whose
# commits are all new, runs one of the two at a varied delay, and then
# checks what any cron job's next step would trust: every ref names an
# object that is there, `git fsck --strict` is clean, and the build
# either succeeded or said that it changed nothing.

for cmd in git jq awk; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

TRIALS=${QS_GC_TRIALS:-20}
SERIES=400
PER_SERIES=5

refs() { git -C repo for-each-ref --format="%(refname) %(objectname)"; }

test_expect_success "setup: a queue of $((SERIES * PER_SERIES)) patches, built once" '
	git init -q -b master src &&
	mkdir src/big q &&
	for s in $(seq -w 1 $SERIES); do
		seq 1 20 | sed "s/^/line /" >src/big/s$s.txt &&
		for p in $(seq 1 $PER_SERIES); do
			printf "%s\n" "From: A U Thor <author@example.com>" \
				"Date: Mon, 1 Apr 2024 12:00:00 +0000" \
				"Subject: [PATCH $p/$PER_SERIES] big$s: step $p" "" \
				"Step $p of series $s." "---" \
				"--- a/big/s$s.txt" "+++ b/big/s$s.txt" \
				"@@ -$p,1 +$p,1 @@" "-line $p" "+line $p (series $s, step $p)" \
				>q/big$s-$p.patch || return 1
		done || return 1
	done &&
	git -C src add . && git -C src commit -q -m "Linux 1.0-rc3" &&
	git -C src tag v1.0-rc3 &&
	git clone -q --bare src repo &&
	git -C repo config gc.auto 0 &&
	{
		echo "#BRANCH mm-big" &&
		for s in $(seq -w 1 $SERIES); do
			echo "#" && seq 1 $PER_SERIES | sed "s/^/big$s-/; s/\$/.patch/" || return 1
		done &&
		echo "#ENDBRANCH mm-big"
	} >q/series &&
	cat >qs.yaml <<-\EOF &&
	repository: repo
	series: q/series
	patches: q
	committer: Q S Build <qs@example.com>
	upstream: refs/heads/master
	branches:
	  - name: mm-big
	    on: base
	    per-series: mm-big-{slug}
	EOF
	quiltsync build -q -c qs.yaml &&
	test $(git -C repo rev-list --count v1.0-rc3..mm-big) = $((SERIES * PER_SERIES)) &&
	test $(git -C repo for-each-ref refs/heads/mm-big-* | wc -l) = $SERIES &&
	cp -R repo repo.old &&
	start=$(date +%s%N) &&
	quiltsync build -q -c qs.yaml --no-cache &&
	end=$(date +%s%N) &&
	echo $(( (end - start) / 1000000 )) >build-ms &&
	say "a build takes $(cat build-ms) ms"
'

# check_refs TRIAL: every ref names an object that is there; fsck is clean.
check_refs() {
	git -C repo for-each-ref --format="%(objectname)" >ids &&
	git -C repo cat-file --batch-check <ids >have &&
	if grep -q missing have; then
		echo "trial $1: a ref names a missing object:" && grep missing have
		return 1
	fi &&
	git -C repo fsck --strict --no-dangling >fsck.out 2>&1 ||
	{ echo "trial $1: git fsck:"; cat fsck.out; return 1; }
}

# race TRIAL COMMAND...: a build whose commits are all new (a date of its
# own in every step-1 patch), COMMAND started at a varied moment inside it.
race() {
	local trial=$1 delay
	shift
	rm -rf repo && cp -R repo.old repo &&
	sed -i "s/^Date: .*/Date: Mon, 1 Apr 2024 12:$(printf %02d $((trial % 60))):00 +0000/" q/big*-1.patch &&
	delay=$(awk -v t="$(cat build-ms)" -v i="$trial" -v n="$TRIALS" \
		"BEGIN { printf \"%.3f\", t / 1000 * (i % n) / n }") || return 1
	quiltsync build -q -c qs.yaml >build.out 2>&1 &
	sleep "$delay"
	"$@" >/dev/null 2>&1
	wait $!
	echo $? >build.rc
	case $(cat build.rc) in
	0) ;;
	4|6) test_grep -q "no ref was changed\|vanished" build.out ||
		{ echo "trial $trial: exit $(cat build.rc) without saying nothing changed:"; cat build.out; return 1; } ;;
	*) echo "trial $trial: exit $(cat build.rc):"; cat build.out; return 1 ;;
	esac &&
	check_refs "$trial" &&
	if test "$(cat build.rc)" = 0; then
		# a build that succeeded has all it made, and keeps nothing
		quiltsync build -q -c qs.yaml &&
		test -z "$(ls repo/objects/pack/*.keep 2>/dev/null)"
	fi
}

test_expect_success "$TRIALS builds raced by git repack -adf" '
	for t in $(seq 1 $TRIALS); do
		race $t git -C repo repack -adf -q || return 1
	done
'

test_expect_success "$TRIALS builds raced by git gc --prune=now" '
	for t in $(seq 1 $TRIALS); do
		race $((t + TRIALS)) git -C repo gc --prune=now -q || return 1
	done
'

# The build is frozen (SIGSTOP) part way, the branch moved, the build let
# go on: it must find the move before writing anything. Where the build
# is frozen depends on the machine's load, so a try that froze it too
# early (before it read the branch) or found it finished is made again
# with a later or earlier stop; one try must reach the case.
try_move_during_build() {
	rm -rf repo && cp -R repo.old repo &&
	{ quiltsync build -q -c qs.yaml >build.out 2>&1; echo $? >build.rc; } &
	bg=$!
	sleep "$1"
	# the quiltsync process under the background shell (lib.sh logs its exit)
	pid=$(cat "/proc/$bg/task/$bg/children" 2>/dev/null | cut -d" " -f1)
	if [ -z "$pid" ] || ! kill -STOP "$pid" 2>/dev/null; then
		wait "$bg"
		echo finished
		return 0
	fi
	git -C repo update-ref "$branch" v1.0-rc3
	refs >before
	kill -CONT "$pid"
	wait "$bg"
	echo stopped
}

test_expect_success 'a branch moved by someone else during the build: exit 8, nothing written' '
	sed -i "s/^Date: .*/Date: Mon, 1 Apr 2024 13:00:00 +0000/" q/big*-1.patch &&
	branch=$(git -C repo.old for-each-ref --format="%(refname)" refs/heads/mm-big-* | head -1) &&
	test -n "$branch" &&
	delay=$(awk -v t="$(cat build-ms)" "BEGIN { printf \"%.3f\", t / 2000 }") &&
	for try in 1 2 3 4 5 6 7 8; do
		how=$(try_move_during_build "$delay") &&
		if [ "$(cat build.rc)" = 8 ]; then
			say "the build was stopped after ${delay}s on try $try"
			break
		fi &&
		case $how in
		finished) delay=$(awk -v d="$delay" "BEGIN { printf \"%.3f\", d / 2 }") ;;
		*) delay=$(awk -v d="$delay" "BEGIN { printf \"%.3f\", d * 1.5 }") ;;
		esac || return 1
	done &&
	test "$(cat build.rc)" = 8 &&
	test_grep -q "ref .$branch. changed during the build" build.out &&
	refs >after &&
	test_cmp before after
'

test_expect_success 'a .keep a killed build left is removed by the next build' '
	rm -rf repo && cp -R repo.old repo &&
	sed -i "s/^Date: .*/Date: Tue, 2 Apr 2024 12:00:00 +0000/" q/big*-1.patch &&
	quiltsync build -q -c qs.yaml &&
	pack=$(ls repo/objects/pack/*.pack | head -1) &&
	echo "quiltsync build" >"${pack%.pack}.keep" &&
	echo "someone else" >repo/objects/pack/pack-0000000000000000000000000000000000000000.keep &&
	sed -i "s/^Date: .*/Date: Wed, 3 Apr 2024 12:00:00 +0000/" q/big*-1.patch &&
	quiltsync build -q -c qs.yaml &&
	ls repo/objects/pack/*.keep >keeps &&
	echo repo/objects/pack/pack-0000000000000000000000000000000000000000.keep >expect &&
	test_cmp expect keeps
'

test_done
