#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
test_description="series files, read as quilt reads them, and akpm's conventions"
. "$(dirname "$0")/lib.sh"

: "${QS_SERIES:?QS_SERIES must name the qs-series helper}"
command -v quilt >/dev/null || skip_all "quilt is not installed"

# A fake patch for quilt push: it records its arguments and succeeds.
mkdir -p "$TRASH/fakebin"
cat >"$TRASH/fakebin/patch" <<'EOF'
#!/bin/sh
printf '%s\n' "$*" >>"$PATCH_LOG"
exit 0
EOF
chmod +x "$TRASH/fakebin/patch"

# What quilt passes to patch, as "NAME p=N R=0|1 opts=OTHER OPTIONS" per
# patch: the arguments before quilt's own "--backup", and the patch name
# from "--prefix=.pc/NAME/". GNU patch takes "-p N" as "-pN".
cat >"$TRASH/normalize.awk" <<'EOF'
{
	n = split($0, t, " "); end = n + 1; name = ""
	for (i = 1; i <= n; i++) if (t[i] == "--backup") { end = i; break }
	for (i = end; i <= n; i++)
		if (t[i] ~ /^--prefix=\.pc\//) {
			name = substr(t[i], 14); sub(/\/$/, "", name)
		}
	p = ""; r = 0; opts = ""
	for (i = 1; i < end; i++) {
		if (t[i] == "-p") { p = t[++i]; continue }
		if (t[i] ~ /^-p/) { p = substr(t[i], 3); continue }
		if (t[i] == "-R") { r = 1; continue }
		opts = opts (opts == "" ? "" : " ") t[i]
	}
	print name " p=" p " R=" r " opts=" opts
}
EOF

# quilt_series DIR PATCHES: `quilt series` in DIR for the patches
# directory PATCHES (relative to DIR or absolute), into DIR/quilt-names.
quilt_series() {
	(cd "$1" && QUILT_PATCHES=$2 quilt --quiltrc /dev/null series >quilt-names)
}

# quilt_push DIR PATCHES: `quilt push -a` with the fake patch; what patch
# was given, normalised, into DIR/quilt-args.
quilt_push() {
	(cd "$1" && rm -rf .pc patch.log &&
	 PATCH_LOG=$PWD/patch.log PATH=$TRASH/fakebin:$PATH QUILT_PATCHES=$2 \
		quilt --quiltrc /dev/null push -a >push.out 2>&1) &&
	awk -f "$TRASH/normalize.awk" "$1/patch.log" >"$1/quilt-args"
}

# setup_fixture NAME: t1000/NAME.series as NAME/patches/series, with a
# small non-empty file for every patch quilt lists (quilt push skips
# empty ones), compressed as its name says.
setup_fixture() {
	mkdir -p "$1/patches" &&
	cp "$TEST_FIXTURES/$1.series" "$1/patches/series" &&
	quilt_series "$1" patches &&
	while IFS= read -r p; do
		mkdir -p "$1/patches/$(dirname "$p")" &&
		case $p in
		*.gz) echo x | gzip >"$1/patches/$p" ;;
		*.bz2) echo x | bzip2 >"$1/patches/$p" ;;
		*.xz) echo x | xz >"$1/patches/$p" ;;
		*) echo x >"$1/patches/$p" ;;
		esac || return 1
	done <"$1/quilt-names"
}

for f in basic options; do
	test_expect_success "$f: the entries are the patches quilt lists" '
		setup_fixture '$f' &&
		"$QS_SERIES" --quilt '$f'/patches/series >'$f'/ours &&
		cut -d" " -f1 '$f'/ours >'$f'/our-names &&
		test_cmp '$f'/quilt-names '$f'/our-names
	'
	test_expect_success "$f: -p, -R and options are what quilt passes to patch" '
		quilt_push '$f' patches &&
		test_cmp '$f'/quilt-args '$f'/ours
	'
done

test_expect_success 'options: the model in full' '
	cat >expect <<-\EOF &&
	entry 0 line=2 patch default.patch strip=1 reverse=0 group=1 section=default area=-
	entry 1 line=3 patch p0.patch strip=0 reverse=0 group=0 section=default area=-
	entry 2 line=4 patch p2.patch strip=2 reverse=0 group=0 section=default area=-
	entry 3 line=5 patch p-space.patch strip=3 reverse=0 group=0 section=default area=-
	entry 4 line=6 patch rev.patch strip=1 reverse=1 group=0 section=default area=-
	entry 5 line=7 patch rev-p0.patch strip=0 reverse=1 group=0 section=default area=-
	entry 6 line=8 patch p0-rev.patch strip=0 reverse=1 group=0 section=default area=-
	entry 7 line=9 patch fuzz.patch strip=1 reverse=0 group=0 section=default area=-
	  options: -F 3
	entry 8 line=10 patch fuzz-glued.patch strip=1 reverse=0 group=0 section=default area=-
	  options: -F2
	entry 9 line=11 patch fuzz-long.patch strip=1 reverse=0 group=0 section=default area=-
	  options: --fuzz=1
	entry 10 line=12 patch fuzz-long-space.patch strip=1 reverse=0 group=0 section=default area=-
	  options: --fuzz 2
	entry 11 line=13 patch ws.patch strip=1 reverse=0 group=0 section=default area=-
	  options: -l
	entry 12 line=14 patch ws-long.patch strip=1 reverse=0 group=0 section=default area=-
	  options: --ignore-whitespace
	entry 13 line=15 patch empty.patch strip=1 reverse=0 group=0 section=default area=-
	  options: -E --remove-empty-files
	entry 14 line=16 patch bin.patch strip=1 reverse=0 group=0 section=default area=-
	  options: --binary
	entry 15 line=17 patch all.patch strip=0 reverse=1 group=0 section=default area=-
	  options: -F 1 -l
	  comment: everything
	entry 16 line=18 patch comment.patch strip=0 reverse=0 group=0 section=default area=-
	  comment: -R is commented out
	entry 17 line=19 patch spaced.patch strip=0 reverse=0 group=0 section=default area=-
	  options: -F 2
	  comment: many blanks
	EOF
	"$QS_SERIES" "$TEST_FIXTURES/options.series" >actual &&
	grep -v "^section" actual >entries &&
	test_cmp expect entries
'

test_expect_success 'basic: "##name" is committed, other comments are not entries' '
	"$QS_SERIES" "$TEST_FIXTURES/basic.series" >actual &&
	test_grep "^entry [0-9]* line=16 committed double-hash.patch " actual &&
	test_grep "^section default first=1 last=20 entries=14$" actual
'

# quilt's quirks: what quilt does with each line, then what quiltsync does.

test_expect_success 'quirk: quilt reads an indented comment as a patch named "#"' '
	setup_fixture indented-comment &&
	printf "a.patch\n#\nb.patch\n" >expect &&
	test_cmp expect indented-comment/quilt-names &&
	test_expect_code 6 "$QS_SERIES" indented-comment/patches/series 2>err &&
	echo "error: indented-comment/patches/series:2: indented comment: quilt reads it as patch '\''#'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'quirk: an indented "#name" is a patch named "#name" to quilt' '
	setup_fixture indented-patch &&
	printf "a.patch\n#b.patch\n" >expect &&
	test_cmp expect indented-patch/quilt-names &&
	test_expect_code 6 "$QS_SERIES" indented-patch/patches/series 2>err &&
	echo "error: indented-patch/patches/series:2: indented comment: quilt reads it as patch '\''#b.patch'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'quirk: quilt appends -p1 after --strip=0, and patch obeys the last' '
	setup_fixture strip-long &&
	quilt_push strip-long patches &&
	echo "a.patch p=1 R=0 opts=--strip=0" >expect &&
	test_cmp expect strip-long/quilt-args &&
	test_expect_code 6 "$QS_SERIES" strip-long/patches/series 2>err &&
	echo "error: strip-long/patches/series:1: unsupported patch option '\''--strip=0'\'' for entry '\''a.patch'\'': quilt overrides it with -p1, write -pN" >expect &&
	test_cmp expect err
'

test_expect_success 'quirk: quilt adds its own -p1 after a bundled -Rp0' '
	setup_fixture bundled &&
	quilt_push bundled patches &&
	echo "a.patch p=1 R=0 opts=-Rp0" >expect &&
	test_cmp expect bundled/quilt-args &&
	test_expect_code 6 "$QS_SERIES" bundled/patches/series 2>err &&
	echo "error: bundled/patches/series:1: unsupported patch option '\''-Rp0'\'' for entry '\''a.patch'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'quirk: quilt loses every option of a name with a backslash, -p1 too' '
	setup_fixture backslash &&
	quilt_push backslash patches &&
	echo "a\\tb.patch p= R=0 opts=" >expect &&
	test_cmp expect backslash/quilt-args &&
	test_expect_code 6 "$QS_SERIES" backslash/patches/series 2>err &&
	echo "error: backslash/patches/series:1: quilt cannot read the options of entry '\''a\\tb.patch'\'': its name holds a quote or backslash" >expect &&
	test_cmp expect err
'

test_expect_success 'quirk: quilt refuses to push a duplicate entry' '
	setup_fixture duplicate &&
	test_must_fail quilt_push duplicate patches &&
	test_grep "is already applied" duplicate/push.out &&
	test_expect_code 6 "$QS_SERIES" duplicate/patches/series 2>err &&
	echo "error: duplicate/patches/series:3: duplicate entry '\''a.patch'\'', first on line 1" >expect &&
	test_cmp expect err
'

test_expect_success 'quirk: with CRLF line ends the CR is part of the name for quilt' '
	setup_fixture crlf &&
	printf "a.patch\r\nb.patch\r\n" >expect &&
	test_cmp expect crlf/quilt-names &&
	test_expect_code 6 "$QS_SERIES" crlf/patches/series 2>err &&
	echo "error: crlf/patches/series:1: carriage return in entry line (CRLF line ends?)" >expect &&
	test_cmp expect err
'

test_expect_success 'quirk: quilt passes a stray word to patch as a file to patch' '
	setup_fixture stray &&
	quilt_push stray patches &&
	echo "a.patch p=1 R=0 opts=extra" >expect &&
	test_cmp expect stray/quilt-args &&
	test_expect_code 6 "$QS_SERIES" stray/patches/series 2>err &&
	echo "error: stray/patches/series:1: stray argument '\''extra'\'' after entry '\''a.patch'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'two -p options, --reverse: errors' '
	test_expect_code 6 "$QS_SERIES" "$TEST_FIXTURES/two-strips.series" 2>err &&
	test_grep ":1: more than one -p option for entry '\''a.patch'\''$" err &&
	test_expect_code 6 "$QS_SERIES" "$TEST_FIXTURES/reverse-long.series" 2>err &&
	test_grep ":1: unsupported patch option '\''--reverse'\'' for entry '\''a.patch'\'': write -R$" err
'

test_expect_success 'a bad section pattern is an invalid argument' '
	test_expect_code 3 "$QS_SERIES" --start "(" --end "x" "$TEST_FIXTURES/basic.series" 2>err &&
	echo "error: invalid section_start pattern '\''('\'': missing closing parenthesis at offset 1" >expect &&
	test_cmp expect err
'

# Debian's real queues: no markers, so one section "default".
for q in glibc binutils; do
	if [ -z "${QS_DEBIAN_QUEUES:-}" ] || [ ! -f "$QS_DEBIAN_QUEUES/$q/queue/series" ]; then
		test_skip_if "QS_DEBIAN_QUEUES does not hold $q/queue"
	fi
	test_expect_success "debian $q: every patch quilt lists, in order, with its options" '
		mkdir -p '$q' &&
		quilt_series '$q' "$QS_DEBIAN_QUEUES/'$q'/queue" &&
		quilt_push '$q' "$QS_DEBIAN_QUEUES/'$q'/queue" &&
		"$QS_SERIES" --quilt "$QS_DEBIAN_QUEUES/'$q'/queue/series" >'$q'/ours &&
		cut -d" " -f1 '$q'/ours >'$q'/our-names &&
		test_cmp '$q'/quilt-names '$q'/our-names &&
		test_cmp '$q'/quilt-args '$q'/ours
	'
	test_expect_success "debian $q: one section, default, holding them all" '
		"$QS_SERIES" "$QS_DEBIAN_QUEUES/'$q'/queue/series" >'$q'/dump &&
		echo "section default first=1 last=$(wc -l <"$QS_DEBIAN_QUEUES/'$q'/queue/series") entries=$(wc -l <'$q'/quilt-names)" >expect &&
		grep "^section" '$q'/dump >actual &&
		test_cmp expect actual
	'
	test_skip_clear
done

# akpm's queue, 2022-05-10.
AKPM=$QS_SHARED/corpus/akpm-25-new-2022-05-10
if [ ! -f "$AKPM/series" ]; then
	test_skip_if "no akpm corpus in $QS_SHARED"
fi
PLACEHOLDERS="-P origin.patch -P mm-hotfixes-stable.patch -P mm-stable.patch
	-P mm-nonmm-stable.patch -P linux-next.patch -P stop.patch"

test_expect_success 'akpm: the six sections, in order, with their marker lines' '
	"$QS_SERIES" $PLACEHOLDERS --log "$AKPM/series" >akpm 2>akpm-log &&
	cat >expect <<-\EOF &&
	section mm-hotfixes-stable first=2 last=30 entries=11
	section mm-hotfixes-unstable first=31 last=36 entries=1
	section mm-stable first=37 last=422 entries=213
	section mm-unstable first=423 last=854 entries=246
	section mm-nonmm-stable first=863 last=984 entries=49
	section mm-nonmm-unstable first=985 last=1027 entries=14
	EOF
	grep "^section" akpm >actual &&
	test_cmp expect actual
'

# The expected counts are counted again here from the raw file with
# patterns of our own: lines between "#+BRANCH x" and "#+ENDBRANCH x";
# "##x.patch" committed, uncommented lines active or placeholders.
test_expect_success 'akpm: active, committed and placeholder entries per section' '
	awk "
		/^#+ENDBRANCH / { sec = \"\"; next }
		/^#+BRANCH / { sec = \$2; order[++n] = sec; next }
		sec == \"\" { next }
		/^##[^#].*\\.patch\$/ { c[sec]++; next }
		/^#/ || /^\$/ { next }
		\$1 ~ /^(mm-hotfixes-stable|mm-stable|mm-nonmm-stable)\\.patch\$/ { ph[sec]++; next }
		{ a[sec]++ }
		END { for (i = 1; i <= n; i++) { s = order[i]
			printf \"%s active=%d committed=%d placeholder=%d\\n\", s, a[s], c[s], ph[s] } }
	" "$AKPM/series" >expect &&
	cat >expect-fixed <<-\EOF &&
	mm-hotfixes-stable active=0 committed=10 placeholder=1
	mm-hotfixes-unstable active=1 committed=0 placeholder=0
	mm-stable active=0 committed=212 placeholder=1
	mm-unstable active=246 committed=0 placeholder=0
	mm-nonmm-stable active=0 committed=48 placeholder=1
	mm-nonmm-unstable active=14 committed=0 placeholder=0
	EOF
	test_cmp expect-fixed expect &&
	"$QS_SERIES" $PLACEHOLDERS "$AKPM/series" >akpm &&
	awk "
		/^section/ { order[++n] = \$2 }
		/^entry/ { for (i = 1; i <= NF; i++) if (\$i ~ /^section=/) s = substr(\$i, 9)
			k[s, \$4]++ }
		END { for (i = 1; i <= n; i++) { s = order[i]
			printf \"%s active=%d committed=%d placeholder=%d\\n\", s, k[s, \"patch\"], k[s, \"committed\"], k[s, \"placeholder\"] } }
	" akpm >actual &&
	test_cmp expect actual
'

test_expect_success 'akpm: every uncommented line is an entry once, in order, as quilt lists them' '
	mkdir -p akpmq &&
	quilt_series akpmq "$AKPM" &&
	"$QS_SERIES" --quilt $PLACEHOLDERS "$AKPM/series" >ours &&
	cut -d" " -f1 ours >our-names &&
	test_cmp akpmq/quilt-names our-names &&
	sort our-names >sorted &&
	sort -u our-names >unique &&
	test_cmp sorted unique &&
	test $(wc -l <our-names) = 271
'

test_expect_success 'akpm: entries outside sections' '
	"$QS_SERIES" $PLACEHOLDERS "$AKPM/series" >akpm &&
	grep "section=- " akpm >actual &&
	cat >expect <<-\EOF &&
	entry 0 line=1 placeholder origin.patch strip=1 reverse=0 group=1 section=- area=-
	entry 535 line=1036 placeholder stop.patch strip=1 reverse=0 group=1 section=- area=-
	entry 536 line=1039 placeholder linux-next.patch strip=1 reverse=0 group=0 section=- area=-
	entry 537 line=1040 patch linux-next-rejects.patch strip=1 reverse=0 group=0 section=- area=-
	entry 538 line=1041 patch linux-next-git-rejects.patch strip=1 reverse=0 group=0 section=- area=-
	entry 539 line=1044 patch mm-oom_killc-fix-vm_oom_kill_table-ifdeffery.patch strip=1 reverse=0 group=1 section=- area=-
	entry 540 line=1047 patch delayacct-track-delays-from-write-protect-copy.patch strip=1 reverse=0 group=1 section=- area=taskstats
	EOF
	test_cmp expect actual
'

test_expect_success 'akpm: areas, including commented-out headers of committed entries' '
	"$QS_SERIES" $PLACEHOLDERS "$AKPM/series" >akpm &&
	for want in "line=5 committed .* area=mm/memory-failure" \
		    "line=41 committed .* area=mm/debug" \
		    "line=78 committed mm-vmalloc-fix-a-comment.patch .* area=mm/vmalloc" \
		    "line=80 committed vmap-dont-allow-invalid-pages.patch .* area=mm/vmalloc" \
		    "line=34 patch .* area=mm/cma" \
		    "line=436 patch .* area=mm/memcg" \
		    "line=866 committed .* area=ia64" \
		    "line=951 committed .* area=taskstats" \
		    "line=989 patch .* area=ocfs2" \
		    "line=1022 patch .* area=drivers/tty" \
		    "line=1025 patch .* area=ia64"
	do
		test_grep "^entry [0-9]* $want$" akpm || return 1
	done
'

test_expect_success 'akpm: the notes, on the entries they name or cover' '
	"$QS_SERIES" $PLACEHOLDERS "$AKPM/series" >akpm &&
	awk "/^entry/ { e = \$3 \" \" \$5 } /^  note: / { sub(/^  note: /, \"\"); print e \": \" \$0 }" akpm >notes &&
	test $(wc -l <notes) = 71 &&
	grep "line=436 cgroups-refactor-children-cgroups-in-memcg-tests.patch: https://lkml.kernel.org/r/20220510174341.GC24172@blackbody.suse.cz$" notes &&
	grep -c "blackbody.suse.cz$" notes >count && echo 6 >expect && test_cmp expect count &&
	grep -c ": merge 5/12$" notes >count && echo 32 >expect && test_cmp expect count &&
	grep -c "CA+G9fYveMF-NU-rvrsbaora2g2QWxrkF7AWViuDrJyN9mNScJg@mail.gmail.com$" notes >count &&
	echo 7 >expect && test_cmp expect count &&
	grep -c ": TBU$" notes >count && echo 4 >expect && test_cmp expect count &&
	grep ": Joseph comments$" notes >actual &&
	cat >expect <<-\EOF &&
	line=992 ocfs2-clear-links-count-in-ocfs2_mknod-if-an-error-occurs.patch: Joseph comments
	line=993 ocfs2-fix-ocfs2-corrupt-when-iputting-an-inode.patch: Joseph comments
	EOF
	test_cmp expect actual &&
	grep "line=554 " notes >actual &&
	cat >expect <<-\EOF &&
	line=554 mm-page_isolation-move-has_unmovable_pages-to-mm-page_isolationc.patch: acks? https://lkml.kernel.org/r/CA+G9fYveMF-NU-rvrsbaora2g2QWxrkF7AWViuDrJyN9mNScJg@mail.gmail.com
	line=554 mm-page_isolation-move-has_unmovable_pages-to-mm-page_isolationc.patch: 5/12 merge
	EOF
	test_cmp expect actual
'

test_expect_success 'akpm: every plain note lands on the entry it names' '
	awk "/^#[^ #][^ ]*\\.patch: / { n = \$1; sub(/^#/, \"\", n); sub(/:\$/, \"\", n); want[n] = NR }
	     /^[^#]/ && (\$1 in want) && want[\$1] < NR { print NR \" \" \$1; delete want[\$1] }" \
		"$AKPM/series" >expect &&
	test $(wc -l <expect) = 21 &&
	"$QS_SERIES" $PLACEHOLDERS "$AKPM/series" >akpm &&
	awk "/^entry/ { l = substr(\$3, 6); n = \$5; shown = 0 }
	     /^  note: / && !shown { print l \" \" n; shown = 1 }" akpm >noted &&
	grep -F -x -f expect noted >actual &&
	test_cmp expect actual
'

test_expect_success 'akpm: notes for dropped patches are logged, not attached' '
	"$QS_SERIES" $PLACEHOLDERS --log "$AKPM/series" >akpm 2>log &&
	cat >expect <<-EOF &&
	log: $AKPM/series:577: note names no entry '\''mm-vmscan-activate-swap-backed-executable-folios-after-first-usage.patch'\''
	log: $AKPM/series:732: note names no entry '\''mapletree-build-fix.patch'\''
	EOF
	test_cmp expect log
'

test_expect_success 'akpm: groups start after "#", area headers and section starts' '
	"$QS_SERIES" $PLACEHOLDERS "$AKPM/series" >akpm &&
	for want in "line=34 patch revert-mm-cmac-remove-redundant-cma_mutex-lock.patch .* group=1" \
		    "line=38 placeholder mm-stable.patch .* group=1" \
		    "line=42 committed .* group=0" \
		    "line=436 patch .* group=1" \
		    "line=438 patch .* group=0" \
		    "line=772 patch kasan-update-documentation.patch .* group=1" \
		    "line=773 patch .* group=0" \
		    "line=989 patch .* group=1"
	do
		test_grep "^entry [0-9]* $want " akpm || return 1
	done
'
test_skip_clear

test_expect_success 'series -c: the queue and placeholders of a quiltsync.yaml' '
	demo=$QS_SOURCE_DIR/examples/demo &&
	quiltsync series --json --series "$demo/patches/series" \
		--placeholder origin.patch --placeholder mm-hotfixes-stable.patch \
		--placeholder mm-stable.patch --placeholder mm-nonmm-stable.patch \
		--placeholder stop.patch >expect &&
	quiltsync series --json -c "$demo/quiltsync.yaml" >actual &&
	test_cmp expect actual &&
	test_grep -q "\"placeholder\"" actual
'

test_expect_success 'series -c: a config error is reported with its place, exit 2' '
	printf "series: s\nbogus: 1\n" >bad.yaml &&
	test_expect_code 2 quiltsync series -c bad.yaml 2>err &&
	test_grep -q "bad.yaml:2:1: " err
'

test_done
