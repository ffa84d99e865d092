#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
test_description='quiltsync series: grouping akpm queues into patch series

A small akpm-style queue in t1100/queue checks the text and JSON output
exactly; the real akpm queue of ../shared and a Debian queue check the
grouping and slug rules at scale.'
. "$(dirname "$0")/lib.sh"

if ! command -v jq >/dev/null; then
	skip_all "jq is not installed"
fi

Q=$TEST_FIXTURES/queue

test_expect_success 'the fixture queue as text' '
	quiltsync series --series "$Q/series" >actual 2>err &&
	test_cmp "$TEST_FIXTURES/expect.txt" actual &&
	echo "quiltsync: warning: $Q/series:25: patch file '\''$Q/mm-missing-file.patch'\'' does not exist" >expect.err &&
	test_cmp expect.err err
'

test_expect_success 'the fixture queue as JSON' '
	quiltsync series --json --series "$Q/series" --patches "$Q" >actual 2>err &&
	test_cmp "$TEST_FIXTURES/expect.json" actual &&
	jq -e . actual >/dev/null
'

test_expect_success 'a clash of titles gets the hash of the first patch name' '
	quiltsync series --json --series "$Q/series" >out.json 2>err &&
	jq -r ".sections[1].series[].slug" out.json >actual &&
	hash=$(printf %s mm-fix-typo-in-vmscan.patch | git hash-object --stdin | cut -c1-7) &&
	printf "%s\n" widgets-a-new-allocator mm-fix-typo "mm-fix-typo-$hash" \
		mm-missing-file >expect &&
	test_cmp expect actual
'

test_expect_success '--section shows one section and nothing outside' '
	quiltsync series --json --series "$Q/series" --section mm-nonmm-unstable >out.json 2>err &&
	jq -r "[(.sections | length), .sections[0].name, (.outside | length)] | @tsv" out.json >actual &&
	printf "1\tmm-nonmm-unstable\t0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'an unknown --section is a usage error' '
	test_expect_code 2 quiltsync series --series "$Q/series" --section nope >out 2>err &&
	test_grep "no section '\''nope'\''" err &&
	test_cmp /dev/null out
'

test_expect_success '--placeholder replaces the default list' '
	quiltsync series --json --series "$Q/series" --placeholder mm-stable.patch \
		--placeholder=stop.patch >out.json 2>err &&
	jq -r ".outside[] | \"\(.name) \(.kind)\"" out.json >actual &&
	printf "%s\n" "origin.patch patch" "stop.patch placeholder" \
		"linux-next.patch patch" "linux-next-rejects.patch patch" >expect &&
	test_cmp expect actual &&
	test_grep "origin.patch'\'' does not exist" err
'

test_expect_success 'a missing series file is bad input' '
	test_expect_code 5 quiltsync series --series "$Q/no-such-series" 2>err &&
	test_grep "no-such-series" err
'

test_expect_success 'operands are refused' '
	test_expect_code 2 quiltsync series --series "$Q/series" extra 2>err &&
	test_grep "unexpected argument '\''extra'\''" err
'

S=$QS_SHARED/corpus/akpm-25-new-2022-05-10
if ! have_shared; then
	test_skip_if "$QS_SHARED/corpus is absent"
fi

test_expect_success 'akpm queue: loads, warning about its two missing files' '
	quiltsync series --json --series "$S/series" --patches "$S/patches" >akpm.json 2>err &&
	jq -e . akpm.json >/dev/null &&
	cat >expect <<-EOF &&
	quiltsync: warning: $S/series:621: patch file '\''$S/patches/mm-memory_hotplug-override-memmap_on_memory-when-hugetlb_free_vmemmap=on.patch'\'' does not exist
	quiltsync: warning: $S/series:788: patch file '\''$S/patches/mm-swap-remove-unneeded-p-=-null-check-in-__swap_duplicate.patch'\'' does not exist
	EOF
	test_cmp expect err
'

test_expect_success 'akpm queue: the six sections, named as in the file' '
	sed -n "s/^#BRANCH //p" "$S/series" >expect &&
	test $(wc -l <expect) -eq 6 &&
	jq -r ".sections[].name" akpm.json >actual &&
	test_cmp expect actual
'

# Active entries of the sections, from the series file alone: lines that
# are not comments, between #BRANCH and #ENDBRANCH, not placeholders.
active_entries() {
	awk '/^#BRANCH /{ins=1; next} /^#ENDBRANCH /{ins=0; next}
	     ins && /^[^#]/ && $1 !~ /^(mm-stable|mm-nonmm-stable|mm-hotfixes-stable|origin|linux-next|stop)\.patch$/ {print $1}' "$1"
}

test_expect_success 'akpm queue: every active patch is in exactly one series' '
	active_entries "$S/series" | sort >expect &&
	test $(wc -l <expect) -eq 261 &&
	jq -r ".sections[].series[].patches[].name" akpm.json | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'akpm queue: committed entries and placeholders are listed per section' '
	awk "/^#BRANCH /{s=\$2} /^#ENDBRANCH /{s=\"\"} s && /^##[^#].*\\.patch\$/ {print s, substr(\$1, 3)}" \
		"$S/series" >expect &&
	jq -r ".sections[] | .name as \$s | .committed[] | \"\(\$s) \(.name)\"" akpm.json >actual &&
	test_cmp expect actual &&
	jq -r ".sections[] | .name as \$s | .placeholders[] | \"\(\$s) \(.name)\"" akpm.json >actual &&
	printf "%s\n" "mm-hotfixes-stable mm-hotfixes-stable.patch" "mm-stable mm-stable.patch" \
		"mm-nonmm-stable mm-nonmm-stable.patch" >expect &&
	test_cmp expect actual
'

test_expect_success 'akpm queue: entries outside sections' '
	jq -r ".outside[] | \"\(.line) \(.kind) \(.name)\"" akpm.json >actual &&
	cat >expect <<-\EOF &&
	1 placeholder origin.patch
	1036 placeholder stop.patch
	1039 placeholder linux-next.patch
	1040 patch linux-next-rejects.patch
	1041 patch linux-next-git-rejects.patch
	1044 patch mm-oom_killc-fix-vm_oom_kill_table-ifdeffery.patch
	1047 patch delayacct-track-delays-from-write-protect-copy.patch
	EOF
	test_cmp expect actual
'

test_expect_success 'akpm queue: notes are attached to their patches' '
	jq -c "[.sections[].series[].patches[] | select(.notes | length > 0) | {(.name): .notes}] | add" \
		akpm.json >notes.json &&
	jq -r ".[\"mm-page_alloc-cache-the-result-of-node_dirty_ok.patch\"][]" notes.json >actual &&
	echo "acks?" >expect &&
	test_cmp expect actual &&
	jq -r ".[\"ocfs2-fix-ocfs2-corrupt-when-iputting-an-inode.patch\"][]" notes.json >actual &&
	echo "Joseph comments" >expect &&
	test_cmp expect actual
'

test_expect_success 'akpm queue: userfaultfd-wp is one series with its fixes' '
	sed -n "/^mm-introduce-pte_marker-swap-entry.patch\$/,/^selftests-uffd-enable-uffd-wp-for-shmem-hugetlbfs.patch\$/p" \
		"$S/series" >expect &&
	test $(wc -l <expect) -eq 32 &&
	jq -r ".sections[].series[] | select(.patches[0].name == \"mm-introduce-pte_marker-swap-entry.patch\") | .patches[].name" \
		akpm.json >actual &&
	test_cmp expect actual &&
	jq -r ".sections[].series[] | select(.patches[0].name == \"mm-introduce-pte_marker-swap-entry.patch\") | .title, .slug, .area" \
		akpm.json >actual &&
	printf "%s\n" "userfaultfd-wp: Support shmem and hugetlbfs" \
		userfaultfd-wp-support-shmem-and-hugetlbfs mm/userfaultfd >expect &&
	test_cmp expect actual
'

test_expect_success 'akpm queue: more real series' '
	jq -r ".sections[].series[] | \"\(.patches | length) \(.slug) \(.patches[0].name)\"" \
		akpm.json >all &&
	cat >expect <<-\EOF &&
	5 fix-bugs-in-memcontroller-cgroup-tests cgroups-refactor-children-cgroups-in-memcg-tests.patch
	7 use-pageblock-order-for-cma-and-alloc-contig-range-alignment mm-page_isolation-move-has_unmovable_pages-to-mm-page_isolationc.patch
	3 lib-kstrtox-c-add-false-true-support-to-kstrtobool lib-kstrtoxc-add-false-true-support-to-kstrtobool.patch
	1 mips-rename-mt-init-to-mips-mt-init mips-rename-mt_init-to-mips_mt_init.patch
	71 introducing-the-maple-tree maple-tree-add-new-data-structure.patch
	3 kasan-clean-up-comments-in-internal-kasan-h kasan-clean-up-comments-in-internal-kasanh.patch
	4 kasan-update-documentation kasan-update-documentation.patch
	14 a-few-cleanup-patches-for-swap mm-swap-use-helper-is_swap_pte-in-swap_vma_readahead.patch
	2 ocfs2-clear-links-count-in-ocfs2-mknod-if-an-error-occurs ocfs2-clear-links-count-in-ocfs2_mknod-if-an-error-occurs.patch
	2 init-add-hostname-kernel-parameter init-add-hostname-kernel-parameter.patch
	EOF
	grep -F -f expect all >actual &&
	test_cmp expect actual
'

test_expect_success 'akpm queue: slugs are well formed, short and unique' '
	jq -r ".sections[].series[].slug" akpm.json >slugs &&
	test $(wc -l <slugs) -gt 50 &&
	! grep -v -E "^[a-z0-9]+(-[a-z0-9]+)*\$" slugs &&
	awk "length(\$0) > 64" slugs >long &&
	test_cmp /dev/null long &&
	sort slugs | uniq -d >dups &&
	test_cmp /dev/null dups
'

test_expect_success 'akpm queue: the same input gives byte-identical JSON' '
	quiltsync series --json --series "$S/series" --patches "$S/patches" >again.json 2>/dev/null &&
	cmp akpm.json again.json
'

test_expect_success 'akpm queue: text output' '
	quiltsync series --series "$S/series" --patches "$S/patches" >akpm.txt 2>/dev/null &&
	grep "^section " akpm.txt >actual &&
	cat >expect <<-\EOF &&
	section mm-hotfixes-stable: 0 series, 0 patches
	section mm-hotfixes-unstable: 1 series, 1 patch
	section mm-stable: 0 series, 0 patches
	section mm-unstable: 43 series, 246 patches
	section mm-nonmm-stable: 0 series, 0 patches
	section mm-nonmm-unstable: 12 series, 14 patches
	EOF
	test_cmp expect actual
'
test_skip_clear

if [ -z "${QS_DEBIAN_QUEUES:-}" ]; then
	test_skip_if "QS_DEBIAN_QUEUES is not set"
elif [ ! -f "$QS_DEBIAN_QUEUES/glibc/queue/series" ]; then
	test_skip_if "no glibc queue in $QS_DEBIAN_QUEUES"
fi
G=${QS_DEBIAN_QUEUES:-/nonexistent}/glibc/queue

test_expect_success 'Debian glibc queue: one section "default" with every patch' '
	quiltsync series --json --series "$G/series" >glibc.json 2>err &&
	test_cmp /dev/null err &&
	jq -r ".sections[].name" glibc.json >actual &&
	echo default >expect &&
	test_cmp expect actual &&
	grep -v -e "^#" -e "^\$" "$G/series" | sed "s/ .*//" | sort >expect &&
	jq -r ".sections[].series[].patches[].name" glibc.json | sort >actual &&
	test_cmp expect actual &&
	jq -r ".sections[].series[].slug" glibc.json >slugs &&
	sort slugs | uniq -d >dups &&
	test_cmp /dev/null dups
'
test_skip_clear

test_done
