#!/bin/bash
test_description="which: every patch of the Linux-scale build, judged by git log"
. "$(dirname "$0")/lib.sh"

# The Linux-scale queue (made by ../shared/bench/make-linux-queue, given
# by t/run as $QS_LINUX_QUEUE: 2967 patches in 290 series on v6.1-rc3)
# is built with a per-series branch for every series. Then every patch
# is asked for, by file name, by subject and by the commit id of each
# branch's every commit, and each answer is checked against git log of
# each branch it names (t5310/check-which.py): the commit is there, has
# the patch's subject and stands at the position given, and every commit
# of every branch is named by some answer. (xargs asks in batches that
# fit a command line; jq -s add joins their arrays.)

for cmd in git jq python3; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done
[ -n "${QS_LINUX_QUEUE:-}" ] && [ -f "$QS_LINUX_QUEUE/queue/series" ] ||
	skip_all "QS_LINUX_QUEUE is unset (no Linux-scale queue: t/run makes one from ../shared)"

CHECK="$TEST_FIXTURES/check-which.py"

test_expect_success 'setup: the Linux-scale queue built, one branch per series' '
	git clone -q --bare --shared "$QS_LINUX_QUEUE/repo" repo.git &&
	cat >qs.yaml <<-EOF &&
	repository: repo.git
	series: $QS_LINUX_QUEUE/queue/series
	patches: $QS_LINUX_QUEUE/queue/patches
	committer: Q S Build <qs@example.com>
	upstream: refs/heads/master
	branches:
	  - name: mm-unstable
	    on: base
	    per-series: mm-unstable-{slug}
	EOF
	quiltsync build -c qs.yaml -q &&
	git -C repo.git show refs/quiltsync/manifest:patches.json >patches.json &&
	jq -r ".[].name" patches.json >names &&
	test $(wc -l <names) -ge 2900 &&
	git -C repo.git for-each-ref refs/heads/mm-unstable-* >series-branches &&
	test $(wc -l <series-branches) -ge 250
'

test_expect_success 'every patch by its file name' '
	xargs -d "\n" "$QUILTSYNC" which -c qs.yaml --json <names >raw &&
	jq -s add raw >by-name.json &&
	test $(jq length by-name.json) = $(wc -l <names) &&
	python3 "$CHECK" repo.git v6.1-rc3 by-name.json name
'

test_expect_success 'every patch by its subject' '
	jq -r ".[].subject" patches.json | sort -u >subjects &&
	xargs -d "\n" "$QUILTSYNC" which -c qs.yaml --json <subjects >raw &&
	jq -s add raw >by-subject.json &&
	jq -r ".[].patch" by-subject.json | sort >found &&
	sort names >expect &&
	test_cmp expect found &&
	python3 "$CHECK" repo.git v6.1-rc3 by-subject.json subject
'

test_expect_success 'every commit of every branch by its id' '
	git -C repo.git for-each-ref --format="%(refname:short)" refs/heads/mm-unstable* |
	while read -r b; do
		git -C repo.git rev-list v6.1-rc3.."$b" || exit 1
	done | sort -u >commits &&
	test $(wc -l <commits) -ge 5000 &&
	xargs "$QUILTSYNC" which -c qs.yaml --json <commits >raw &&
	jq -s add raw >by-commit.json &&
	python3 "$CHECK" repo.git v6.1-rc3 by-commit.json commit
'

test_expect_success 'the checker finds a wrong answer' '
	jq ".[0].branches[0].commit = \"$(git -C repo.git rev-parse v6.1-rc3)\"" \
		by-name.json >wrong.json &&
	test_must_fail python3 "$CHECK" repo.git v6.1-rc3 wrong.json name >out &&
	test_grep -q "is not in git log" out
'

test_done
