#!/bin/bash
test_description="build: killed at any moment, every ref is old or new"
. "$(dirname "$0")/lib.sh"

# A build of the demo queue plus a generated section of 300 small
# patches (60 series of 5, each series on its own file), on a repository
# that holds the previous build's branches, with a changed queue so that
# old and new ids differ. Each round starts from a copy of the old
# repository, starts the build, and kills it with SIGKILL: after a
# random delay up to the time a full build takes; when the ref journal
# appears (or a random delay after); or while the refs are being
# written (the number of ref lock files starts to fall).
# After every kill, each ref (the manifest too) is its old or its new id
# (a ref that is
# neither is a mixed state), refs of both kinds together only with the
# journal left to finish them (lib/refs.h), git fsck --strict is clean;
# and the next run exits 0 and leaves exactly the new ids. The manifest
# names each branch's very commit whenever no journal is pending, and
# after the next run.

for cmd in git jq awk; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done
[ -r /proc/self/stat ] || skip_all "no /proc to watch the build with"

# The delays are random; QS_KILL_SEED=N replays a run's delays.
KILL_SEED=${QS_KILL_SEED:-$$}
say "QS_KILL_SEED=$KILL_SEED"

RANDOM_ROUNDS=${QS_KILL_ROUNDS:-40}
JOURNAL_ROUNDS=${QS_KILL_JOURNAL_ROUNDS:-20}
COMMIT_ROUNDS=${QS_KILL_COMMIT_ROUNDS:-10}
SERIES=60
PER_SERIES=5

export GIT_AUTHOR_DATE="2024-04-01 12:00:00 +0000"
export GIT_COMMITTER_DATE="2024-04-01 12:00:00 +0000"

refs() { git -C repo for-each-ref --format="%(refname) %(objectname)"; }

# The config for queue $1 (old or new): the demo's, with the generated
# section as one more tree branch with per-series branches, merged into
# the integration too.
write_config() {
	sed -e "s|^repository:.*|repository: ../repo|" \
	    -e "s|^\\(    merge: \\[mm-unstable, mm-nonmm-unstable\\)\\]|\\1, mm-big]|" \
	    -e "s|^integration:|  - name: mm-big\\n    on: base\\n    per-series: mm-big-{slug}\\n\\n&|" \
	    "$QS_SOURCE_DIR/examples/demo/quiltsync.yaml" >"$1/quiltsync.yaml"
}

# manifest_agrees ROUND WHEN: the manifest names the very commit of every
# branch it says holds what the build made (built or unchanged), and
# every one of those branches exists.
manifest_agrees() {
	git -C repo show refs/quiltsync/manifest:branches.json >branches.json &&
	jq -r ".[] | select(.status == \"built\" or .status == \"unchanged\") |
		\"refs/heads/\(.name) \(.tip)\"" branches.json | sort >manifest-tips &&
	test -s manifest-tips &&
	git -C repo for-each-ref --format="%(refname) %(objectname)" refs/heads |
		sort >branch-tips &&
	join -a1 manifest-tips branch-tips | awk -v round="$1" -v when="$2" "
		NF != 3 { print round \" (\" when \"): the manifest names \" \$1 \", which does not exist\"; bad = 1 }
		NF == 3 && \$2 != \$3 { print round \" (\" when \"): the manifest says \" \$1 \" is \" \$2 \", it is \" \$3; bad = 1 }
		END { exit bad }"
}

test_expect_success 'setup: the demo upstream, the demo queue and 300 more patches' '
	"$QS_SOURCE_DIR/examples/demo/make-upstream" "$TRASH/repo" &&
	mkdir old && cp -R "$QS_SOURCE_DIR/examples/demo/patches" old/ &&
	write_config old &&
	test_grep -q "^repository: ../repo\$" old/quiltsync.yaml &&
	test_grep -q "merge: \\[mm-unstable, mm-nonmm-unstable, mm-big\\]" old/quiltsync.yaml &&
	test_grep -q "per-series: mm-big-{slug}" old/quiltsync.yaml &&
	git clone -q repo src && git -C src checkout -q --detach v6.9-rc3 &&
	mkdir src/big &&
	for s in $(seq -w 1 $SERIES); do
		for p in $(seq 1 $PER_SERIES); do
			echo "series $s, step $p" >>src/big/s$s.txt &&
			git -C src add big/s$s.txt &&
			git -C src commit -q -m "big$s: step $p" || return 1
		done
	done &&
	git -C src format-patch -q -o "$TRASH/fp" v6.9-rc3..HEAD &&
	cp fp/*.patch old/patches/ &&
	{
		echo "#BRANCH mm-big" &&
		n=0 &&
		for f in $(cd fp && ls); do
			if [ $((n % PER_SERIES)) = 0 ]; then echo "#"; fi &&
			echo "$f" &&
			n=$((n + 1)) || return 1
		done &&
		echo "#ENDBRANCH mm-big"
	} >big.series &&
	sed -i "/^#ENDBRANCH mm-nonmm-unstable\$/r big.series" old/patches/series &&
	test_grep -c "^0[0-9]*-big[0-9]*-step-[0-9].patch\$" old/patches/series >count &&
	echo $((SERIES * PER_SERIES)) >expect &&
	test_cmp expect count
'

test_expect_success 'setup: the old build, and a changed queue' '
	quiltsync build -c old/quiltsync.yaml --json >old.json &&
	jq -r ".branches[] | select(.status != \"created\") | .name" old.json >not-created &&
	test_must_fail test -s not-created &&
	refs >refs.old &&
	test $(grep -c "^refs/heads/mm-big-big" refs.old) = $SERIES &&
	manifest_agrees setup "the old build" &&
	cp -R repo repo.old &&
	cp -R old new && write_config new &&
	# a new author date for the second patch of every generated series
	# and for two demo patches: new commits, same branch names
	for f in new/patches/*-step-2.patch new/patches/mm-kmemleak-fix-scan-of-empty-area.patch \
		 new/patches/mm-gup-add-folio-pin-helpers.patch; do
		sed -i "s/^\\(Date: .*\\) [+-][0-9]\\{4\\}\$/\\1 -0130/" "$f" &&
		test_must_fail cmp -s "$f" "old/patches/${f#new/patches/}" || return 1
	done &&
	start=$(date +%s%N) &&
	quiltsync build -c new/quiltsync.yaml --json >new.json &&
	end=$(date +%s%N) &&
	echo $(( (end - start) / 1000 )) >build-us &&
	refs >refs.new &&
	manifest_agrees setup "the new build" &&
	git -C repo rev-parse refs/quiltsync/manifest^ >parent &&
	grep "^refs/quiltsync/manifest " refs.old | cut -d" " -f2 >expect &&
	test_cmp expect parent &&
	quiltsync build -c new/quiltsync.yaml --json >again.json &&
	refs >refs.again &&
	test_cmp refs.new refs.again &&
	# old and new differ for most branches; none is new in name
	join -j1 refs.old refs.new >both &&
	awk "\$2 != \$3" both >differ &&
	test $(wc -l <differ) -ge $SERIES &&
	cut -d" " -f1 refs.old >names.old && cut -d" " -f1 refs.new >names.new &&
	test_cmp names.old names.new &&
	rm -rf repo && cp -R repo.old repo &&
	refs >actual && test_cmp refs.old actual
'

# check_after_kill ROUND: the state a kill left, then the next run.
check_after_kill() {
	local journal=repo/.git/quiltsync/refs-journal had_journal=no
	refs >now &&
	if [ -e $journal ]; then had_journal=yes; fi &&
	awk -v journal=$had_journal -v round="$1" "
		FILENAME == ARGV[1] { old[\$1] = \$2; names[\$1] = 1; next }
		FILENAME == ARGV[2] { new[\$1] = \$2; names[\$1] = 1; next }
		{ now[\$1] = \$2; names[\$1] = 1 }
		END {
			bad = 0; nold = 0; nnew = 0
			for (n in names) {
				v = (n in now) ? now[n] : \"absent\"
				o = (n in old) ? old[n] : \"absent\"
				w = (n in new) ? new[n] : \"absent\"
				if (o == w) {
					if (v != o) { print round \": \" n \" is \" v \", was \" o; bad = 1 }
					continue
				}
				if (v == o) nold++
				else if (v == w) nnew++
				else { print round \": \" n \" is \" v \", neither old \" o \" nor new \" w; bad = 1 }
			}
			if (nold && nnew && journal != \"yes\") {
				print round \": \" nold \" refs old and \" nnew \" new, and no journal to finish them\"
				bad = 1
			}
			state = nnew == 0 ? \"old\" : nold == 0 ? \"new\" : \"mixed\"
			print state, journal >\"state\"
			exit bad
		}" refs.old refs.new now &&
	git -C repo fsck --strict --no-dangling --no-progress >fsck.out 2>&1 || {
		echo "round $1: git fsck failed:" && cat fsck.out && return 1
	} &&
	# without a journal to finish, what the kill left is a whole build
	if [ $had_journal = no ]; then manifest_agrees "$1" "after the kill"; fi &&
	quiltsync build -c new/quiltsync.yaml --json >next.json 2>next.err || {
		echo "round $1: the next run failed ($?):" && cat next.err && return 1
	} &&
	refs >after &&
	test_cmp refs.new after &&
	manifest_agrees "$1" "after the next run" &&
	test_must_fail test -e $journal &&
	test_must_fail test -e $journal.new &&
	# no ref lock of the killed build is left to block git
	find repo/.git -name "*.lock" ! -name build.lock >locks &&
	test_cmp /dev/null locks &&
	echo "$(cat state) $(jq .recovered_refs next.json)" >>stats &&
	# temporary pack files of a killed build, left as git leaves its own
	find repo/.git/objects -name "tmp_*" >tmp-files &&
	if [ -s tmp-files ]; then echo "$1" >>garbage; fi
}

# kill_round ROUND HOW [US]: one build of the new queue on a copy of the
# old repository, killed after HOW: a delay in microseconds; "journal":
# when the ref journal appears, then after US more (the journal stays
# while the refs are written, a good part of a build: each ref update
# is synced); "commit": when the number of ref lock files starts to
# fall, that is when the first refs have just been written.
kill_round() {
	local pid code=0 us=$2 stat max=0 locks
	{ rm -rf repo && cp -R repo.old repo; } || return 1
	# a simple command: $! is quiltsync itself, not a subshell
	"$QUILTSYNC" build -q -c new/quiltsync.yaml >/dev/null 2>build.err &
	pid=$!
	if [ "$us" = journal ]; then
		# poll with builtins only; a zombie has state Z: the build ended
		while ! [ -e repo/.git/quiltsync/refs-journal ]; do
			read -r stat </proc/$pid/stat 2>/dev/null || break
			case $stat in *") Z "* | *") X "*) break ;; esac
		done
		us=${3:-0}
	elif [ "$us" = commit ]; then
		shopt -s nullglob
		while :; do
			read -r stat </proc/$pid/stat 2>/dev/null || break
			case $stat in *") Z "* | *") X "*) break ;; esac
			[ -e repo/.git/quiltsync/refs-journal ] || continue
			locks=(repo/.git/refs/heads/*.lock)
			if [ ${#locks[@]} -gt $max ]; then
				max=${#locks[@]}
			elif [ ${#locks[@]} -lt $max ]; then
				break
			fi
		done
		us=0
	fi
	if [ "$us" != 0 ]; then
		sleep "$(awk -v u=$us "BEGIN { printf \"%.6f\", u / 1e6 }")"
	fi
	kill -KILL $pid 2>/dev/null
	wait $pid || code=$?
	case $code in
	137) echo killed >>landed ;;
	0) echo finished >>landed ;;
	*) echo "round $1: the killed build exited $code:" && cat build.err && return 1 ;;
	esac
	check_after_kill "$1"
}

test_expect_success "SIGKILL after $RANDOM_ROUNDS random delays: refs old or new, fsck clean, next run new" '
	: >stats && : >landed && : >garbage &&
	RANDOM=$KILL_SEED &&
	total=$(cat build-us) &&
	for i in $(seq 1 $RANDOM_ROUNDS); do
		us=$(( (RANDOM * 32768 + RANDOM) % (total + 1) )) &&
		kill_round "random $i (${us}us)" $us || return 1
	done &&
	test $(wc -l <stats) = $RANDOM_ROUNDS &&
	test_grep -q killed landed &&
	cp stats stats.random && cp landed landed.random && cp garbage garbage.random
'

test_expect_success "SIGKILL when the ref journal appears (and later), $JOURNAL_ROUNDS times" '
	: >stats && : >landed &&
	RANDOM=$((KILL_SEED + 1)) &&
	total=$(cat build-us) &&
	for i in $(seq 1 $JOURNAL_ROUNDS); do
		# odd rounds at once, even ones up to a build'"'"'s time later
		us=$(( i % 2 ? 0 : (RANDOM * 32768 + RANDOM) % (total + 1) )) &&
		kill_round "journal $i (+${us}us)" journal $us || return 1
	done &&
	test $(wc -l <stats) = $JOURNAL_ROUNDS &&
	cp stats stats.journal && cp landed landed.journal
'

test_expect_success "SIGKILL while the refs are being written, $COMMIT_ROUNDS times" '
	: >stats && : >landed &&
	for i in $(seq 1 $COMMIT_ROUNDS); do
		kill_round "commit $i" commit || return 1
	done &&
	test $(wc -l <stats) = $COMMIT_ROUNDS &&
	cp stats stats.commit && cp landed landed.commit
'

# What the kills hit: whether the build ended first; refs all old, all
# new or mixed, and whether a journal was left.
for f in random journal commit; do
	if [ -f "$TRASH/stats.$f" ]; then
		say "$f kills: $(sort "$TRASH/landed.$f" | uniq -c | tr -s " \n" " ")"
		say "$f states (refs, journal left): $(cut -d" " -f1,2 "$TRASH/stats.$f" | sort | uniq -c | tr -s " \n" " ")"
	fi
done
say "rounds that left tmp_* files in objects/ after the next run: $(cat "$TRASH"/garbage.random 2>/dev/null | wc -l)"
say "a full build took $(cat "$TRASH/build-us" 2>/dev/null)us"

test_done
