#!/bin/bash
test_description="build: missing and damaged objects are noticed, made again, reported"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-demo.sh"

# The audit damaged a built repository and rebuilt: a missing tree or
# blob under a cached commit, or a damaged commit, tree or cache blob,
# gave exit 0, "unchanged", while git fsck --strict failed. Each case
# here damages a copy of one built repository whose packs were
# unpacked (a loose object is one file to remove or spoil), checks that
# git fsck sees the damage, builds, and asks git fsck again: the
# branches must be the same commits and fsck clean.

for cmd in git jq; do
	command -v $cmd >/dev/null || skip_all "$cmd is not installed"
done

# path OID: the loose file of an object in built/linux's copy in $1.
loose() { echo "$1/linux/.git/objects/$(echo "$2" | cut -c1-2)/$(echo "$2" | cut -c3-)"; }

# damaged NAME: a copy of the built demo, ready to spoil.
damaged() {
	rm -rf "$1" && cp -a built "$1"
}

# spoil DIR OID HOW: replace a loose object by another object's bytes
# (it inflates; only a hash shows it), or by garbage (it does not).
spoil() {
	local f
	f=$(loose "$1" "$2")
	test -f "$f" &&
	chmod u+w "$f" &&
	case $3 in
	other) cp "$(loose "$1" "$(cat other)")" "$f" ;;
	garbage) printf 'x\234garbage' >"$f" ;;
	esac
}

# fsck_fails DIR / fsck_clean DIR: git's verdict on the damage.
fsck_fails() { ! git -C "$1/linux" fsck --strict >/dev/null 2>&1; }
fsck_clean() { git -C "$1/linux" fsck --strict --no-dangling; }

# same_branches DIR: the built branches, commit for commit.
same_branches() {
	git -C "$1/linux" for-each-ref --format="%(refname) %(objectname)" refs/heads >"$1.refs" &&
	test_cmp refs.built "$1.refs"
}

test_expect_success 'setup: the demo built, its packs unpacked into loose objects' '
	setup_demo_upstream &&
	new_demo built &&
	quiltsync build -q -c demo-built/quiltsync.yaml &&
	mv demo-built built &&
	mkdir packs &&
	for p in built/linux/.git/objects/pack/*.pack; do
		mv "$p" "${p%.pack}.idx" packs/ &&
		git -C built/linux unpack-objects -q <"packs/${p##*/}" || return 1
	done &&
	rm -f built/linux/.git/objects/pack/*.keep &&
	git -C built/linux fsck --strict &&
	git -C built/linux for-each-ref --format="%(refname) %(objectname)" refs/heads >refs.built &&
	git -C built/linux rev-parse mm-unstable~4 >other &&
	git -C built/linux diff-tree -r mm-unstable~ mm-unstable >last-patch &&
	test $(wc -l <last-patch) = 1 &&
	cut -d" " -f4 last-patch >blob &&
	git -C built/linux rev-parse mm-unstable~3:mm >tree &&
	git -C built/linux rev-parse mm-unstable~2 >commit &&
	git -C built/linux rev-parse refs/quiltsync/cache >cache-blob
'

test_expect_success 'a blob a cached commit made is missing: made again' '
	damaged missing-blob &&
	rm "$(loose missing-blob "$(cat blob)")" &&
	fsck_fails missing-blob &&
	quiltsync build -c missing-blob/quiltsync.yaml 2>err &&
	test_grep -q "warning: object $(cat blob) was missing: made again from the queue" err &&
	fsck_clean missing-blob &&
	same_branches missing-blob
'

test_expect_success 'a tree a cached commit made is missing: made again' '
	damaged missing-tree &&
	rm "$(loose missing-tree "$(cat tree)")" &&
	fsck_fails missing-tree &&
	quiltsync build -c missing-tree/quiltsync.yaml 2>err &&
	test_grep -q "object $(cat tree) was missing: made again" err &&
	fsck_clean missing-tree &&
	same_branches missing-tree
'

for how in other garbage; do
	test_expect_success "a cached commit replaced by $how bytes: made again, the file set aside" '
		damaged commit-'$how' &&
		spoil commit-'$how' "$(cat commit)" '$how' &&
		fsck_fails commit-'$how' &&
		quiltsync build -c commit-'$how'/quiltsync.yaml 2>err &&
		test_grep -q "object $(cat commit) was damaged: made again from the queue; the damaged file is now .*/quiltsync/damaged/$(cat commit)" err &&
		test -f commit-'$how'/linux/.git/quiltsync/damaged/$(cat commit) &&
		fsck_clean commit-'$how' &&
		same_branches commit-'$how'
	'
done

test_expect_success 'a damaged tree under a cached commit: --verify makes it again' '
	damaged tree-other &&
	spoil tree-other "$(cat tree)" other &&
	fsck_fails tree-other &&
	quiltsync build --verify -c tree-other/quiltsync.yaml 2>err &&
	test_grep -q "object $(cat tree) was damaged: made again" err &&
	fsck_clean tree-other &&
	same_branches tree-other
'

# A cache blob that still inflates would name wrong commits: it is
# hashed when read; damaged, it counts as no cache (every patch is
# applied again) and its file is set aside.
test_expect_success 'a damaged cache blob: every patch applied again, fsck clean' '
	damaged cache &&
	spoil cache "$(cat cache-blob)" other &&
	fsck_fails cache &&
	quiltsync build --json -c cache/quiltsync.yaml >report.json 2>err &&
	test "$(field report.json mm-unstable applied)" = 7 &&
	jq -r ".warnings[]" report.json | test_grep -q "object $(cat cache-blob) was damaged" &&
	fsck_clean cache &&
	same_branches cache &&
	quiltsync build --json -c cache/quiltsync.yaml >again.json &&
	test "$(field again.json mm-unstable applied)" = 0
'

# A cache hit looks up the trees and blobs its commit added (their ids
# are in the cache entry): reading them all would cost a build that
# changes nothing its speed. A tree or blob replaced by another valid
# object is there to a lookup: --verify reads and hashes them.
test_expect_success 'a damaged blob under a cached commit: --verify makes it again' '
	damaged blob-other &&
	spoil blob-other "$(cat blob)" other &&
	fsck_fails blob-other &&
	quiltsync build -q -c blob-other/quiltsync.yaml &&
	fsck_fails blob-other &&
	quiltsync build --verify -c blob-other/quiltsync.yaml 2>err &&
	test_grep -q "object $(cat blob) was damaged: made again from the queue; the damaged file is now" err &&
	fsck_clean blob-other &&
	same_branches blob-other &&
	quiltsync build --verify -c blob-other/quiltsync.yaml 2>err &&
	test_must_be_empty err
'

test_expect_success 'a clean repository: --verify finds nothing, writes nothing' '
	damaged clean &&
	find clean/linux/.git/objects -type f | sort >objects.before &&
	quiltsync build --verify --json -c clean/quiltsync.yaml >report.json 2>err &&
	test_must_be_empty err &&
	test "$(jq ".warnings | length" report.json)" = 0 &&
	test "$(field report.json mm-unstable status)" = unchanged &&
	find clean/linux/.git/objects -type f | sort >objects.after &&
	test_cmp objects.before objects.after
'

# Upstream's objects are not the queue's to make: --verify names the
# first it finds bad, fails with exit 6 and writes no ref.
test_expect_success 'a damaged upstream blob: --verify fails with its id, exit 6, no ref moved' '
	damaged upstream &&
	git -C upstream/linux rev-parse v6.9-rc3:mm/vmscan.c >upstream-blob &&
	spoil upstream "$(cat upstream-blob)" garbage &&
	fsck_fails upstream &&
	git -C upstream/linux for-each-ref >refs.before &&
	test_expect_code 6 quiltsync build --verify -c upstream/quiltsync.yaml 2>err &&
	test_grep -q "^quiltsync: the base [0-9a-f]*: object $(cat upstream-blob) is damaged; it is upstream.s, not the queue.s" err &&
	git -C upstream/linux for-each-ref >refs.after &&
	test_cmp refs.before refs.after
'

test_expect_success 'a missing upstream tree: --verify says missing, exit 6' '
	damaged upstream-tree &&
	git -C upstream-tree/linux rev-parse v6.9-rc3:mm >upstream-tree.id &&
	rm "$(loose upstream-tree "$(cat upstream-tree.id)")" &&
	test_expect_code 6 quiltsync build --verify -c upstream-tree/quiltsync.yaml 2>err &&
	test_grep -q "object $(cat upstream-tree.id) is missing" err
'

# In a pack, git's own reads fall back on another copy; fsck reports
# the damaged one until a repack writes the objects out anew.
test_expect_success 'a damaged blob in a pack: a fresh copy packed, then git repack -a -d leaves fsck clean' '
	setup_demo_upstream &&
	new_demo packed &&
	quiltsync build -q -c demo-packed/quiltsync.yaml &&
	# a blob only the build made: upstream'\''s pack may hold the others too
	for b in $(git -C demo-packed/linux log --format= --raw --no-abbrev mm-unstable~7..mm-unstable |
		   awk "\$4 !~ /^0+\$/ {print \$4}"); do
		git -C upstream cat-file -e "$b" 2>/dev/null || { echo "$b"; break; }
	done >packed-blob &&
	test -s packed-blob &&
	# every copy: the build'\''s threads each wrote one in their own pack
	n=0 &&
	for idx in demo-packed/linux/.git/objects/pack/*.idx; do
		off=$(git show-index <"$idx" | awk -v id="$(cat packed-blob)" "\$2 == id {print \$1}")
		test -n "$off" || continue
		pack=${idx%.idx}.pack &&
		chmod u+w "$pack" &&
		printf "\377\377\377\377\377\377" | dd of="$pack" bs=1 seek=$((off + 3)) conv=notrunc 2>/dev/null &&
		n=$((n + 1)) || return 1
	done &&
	test $n -ge 1 &&
	! git -C demo-packed/linux fsck --strict >/dev/null 2>&1 &&
	quiltsync build --verify -c demo-packed/quiltsync.yaml 2>err &&
	test_grep -q "object $(cat packed-blob) was damaged in a pack: made again from the queue; .git repack -a -d. drops the damaged copy" err &&
	git -C demo-packed/linux cat-file blob "$(cat packed-blob)" >/dev/null &&
	git -C demo-packed/linux repack -a -d -q 2>/dev/null &&
	git -C demo-packed/linux fsck --strict --no-dangling
'

test_done
