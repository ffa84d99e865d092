/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qs_queue: slugs, posting keys, grouping on plain lists, and whole
 * queues written to a scratch directory. git hash-object is the oracle
 * for object ids; libgit2's ref-name check for slug validity.
 */
#include "internal.h"
#include "group.h"

#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"

/* A slug as qs_patchset_slug() promises it: [a-z0-9]+(-[a-z0-9]+)*, <= 64. */
static int slug_well_formed(const char *s)
{
	size_t i, len = strlen(s);

	if (len > 64 || (len && (s[0] == '-' || s[len - 1] == '-')))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '-' && s[i + 1] == '-')
			return 0;
		if (!(s[i] == '-' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return 1;
}

static int ref_valid(const char *slug)
{
	char ref[256];
	int valid = 0;

	snprintf(ref, sizeof(ref), "refs/heads/mm-unstable-%s", slug);
	if (git_reference_name_is_valid(&valid, ref) < 0)
		return 0;
	return valid;
}

static void check_slug(const char *title, const char *want)
{
	char *got = NULL;

	if (qs_slugify(&got, title) < 0) {
		ok(0, "slugify '%s': %s", title, qs_error_last()->message);
		return;
	}
	is_str(got, want, "slugify '%s'", title);
	if (*got)
		ok(slug_well_formed(got) && ref_valid(got),
		   "'%s' is well formed and a valid ref name", got);
	free(got);
}

static void test_slugify(void)
{
	char title[256], want[128];
	char *s = NULL;

	check_slug("userfaultfd-wp: Support shmem and hugetlbfs",
		   "userfaultfd-wp-support-shmem-and-hugetlbfs");
	check_slug("mm/page_alloc: cache the result of node_dirty_ok()",
		   "mm-page-alloc-cache-the-result-of-node-dirty-ok");
	check_slug("Revert \"mm/cma.c: remove redundant cma_mutex lock\"",
		   "revert-mm-cma-c-remove-redundant-cma-mutex-lock");
	check_slug("zswap: accounting & cgroup control",
		   "zswap-accounting-cgroup-control");
	check_slug("Folio patches for 5.19", "folio-patches-for-5-19");
	check_slug("mm/swap: remove unneeded p != NULL check in __swap_duplicate",
		   "mm-swap-remove-unneeded-p-null-check-in-swap-duplicate");
	/* apostrophes join, typographic ones too */
	check_slug("Extend and reorganize Highmem's documentation",
		   "extend-and-reorganize-highmems-documentation");
	check_slug("mm: don\xe2\x80\x99t `warn'", "mm-dont-warn");
	/* Latin letters are spelled in ASCII */
	check_slug("\xc3\x86r\xc3\xb8sk\xc3\xb8""bing: Stra\xc3\x9f""e f\xc3\xbcr "
		   "\xc5\x81\xc3\xb3""d\xc5\xba", "aeroskobing-strasse-fur-lodz");
	check_slug("Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9""e \xc5\x92uvre \xc8\x98i",
		   "creme-brulee-oeuvre-si");
	check_slug("Andr\xc3\xa9 N\xc3\xba\xc3\xb1""ez", "andre-nunez");
	/* other scripts and symbols separate words */
	check_slug("\xe4\xbf\xae\xe5\xa4\x8d bug in \xe5\x86\x85\xe5\xad\x98", "bug-in");
	check_slug("foo\xe2\x86\x92""bar \xc3\x97 2", "foo-bar-2");
	check_slug("\xf0\x9f\x90\x9b emoji", "emoji");
	/* invalid UTF-8 separates too */
	check_slug("caf\xe9 au lait", "caf-au-lait");
	check_slug("a\xc3\x28z", "a-z");
	check_slug("\xc0\xaf""etc", "etc");
	check_slug("x\xed\xa0\x80y", "x-y");
	/* nothing a ref name forbids survives */
	check_slug("..lock", "lock");
	check_slug("foo.lock", "foo-lock");
	check_slug(".hidden", "hidden");
	check_slug("a..b", "a-b");
	check_slug("HEAD@{1}", "head-1");
	check_slug("x~1^2:3?*[\\ y", "x-1-2-3-y");
	check_slug("   --foo--   ", "foo");
	check_slug("-", "");
	check_slug("!!!", "");
	check_slug("", "");
	check_slug("\xe4\xbf\xae\xe5\xa4\x8d", "");
	check_slug("ABC_DEF--ghi", "abc-def-ghi");
	/* at most 64 bytes, cut at a word boundary */
	check_slug("mm/hugetlb_vmemmap: disable hugetlb_optimize_vmemmap when "
		   "struct page crosses page boundaries",
		   "mm-hugetlb-vmemmap-disable-hugetlb-optimize-vmemmap-when-struct");
	memset(title, 'a', 80);
	title[80] = '\0';
	memset(want, 'a', 64);
	want[64] = '\0';
	check_slug(title, want);
	/* a word ending exactly at byte 64 is kept whole */
	memset(title, 'b', 64);
	memcpy(title + 64, " tail", 6);
	memset(want, 'b', 64);
	want[64] = '\0';
	check_slug(title, want);
	memset(title, 'c', 63);
	memcpy(title + 63, " d e", 5);
	memset(want, 'c', 63);
	want[63] = '\0';
	check_slug(title, want);
	/* exactly 64 bytes stay as they are */
	memset(title, 'e', 30);
	title[30] = ' ';
	memset(title + 31, 'f', 33);
	title[64] = '\0';
	qs_slugify(&s, title);
	ok(s && strlen(s) == 64 && s[30] == '-', "a 64-byte slug is not cut");
	free(s);
	is_int(qs_slugify(NULL, "x"), QS_EINVAL, "NULL out is QS_EINVAL");
	is_int(qs_slugify(&s, NULL), QS_EINVAL, "NULL title is QS_EINVAL");
}

/* Random bytes, weighted towards ASCII and UTF-8 lead bytes. */
static void test_slugify_random(void)
{
	unsigned int seed = 12345, i, bad = 0, invalid = 0;
	char title[200];

	for (i = 0; i < 5000; i++) {
		size_t len = (seed = seed * 1103515245u + 12345u) % sizeof(title), k;
		char *s = NULL;

		for (k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			title[k] = (char)((seed >> 16) % 3 ? 32 + (seed >> 8) % 95 :
					  1 + (seed >> 8) % 255);
		}
		title[len] = '\0';
		if (qs_slugify(&s, title) < 0 || !slug_well_formed(s)) {
			if (bad++ < 3)
				tap_diag("bad slug for random title %u", i);
		} else if (*s && !ref_valid(s)) {
			invalid++;
		}
		free(s);
	}
	is_int(bad, 0, "5000 random titles give well-formed slugs");
	is_int(invalid, 0, "and valid ref names");
}

static void check_key(const char *msgid, const char *want)
{
	qs_buf key = QS_BUF_INIT;
	int found = qs__posting_key(&key, msgid);

	if (want)
		is_str(found ? key.ptr : NULL, want, "posting key of '%s'", msgid);
	else
		ok(!found && !key.len, "'%s' has no posting key", msgid);
	qs_buf_release(&key);
}

static void test_posting_keys(void)
{
	check_key("20220504011345.662299-31-Liam.Howlett@oracle.com",
		  "20220504011345.662299@oracle.com");
	check_key("20220504011345.662299-1-Liam.Howlett@oracle.com",
		  "20220504011345.662299@oracle.com");
	check_key("20220504010716.661115-16-Liam.Howlett@oracle.com",
		  "20220504010716.661115@oracle.com");
	check_key("1652176897-4754-1-git-send-email-baihaowen@meizu.com",
		  "1652176897-4754@meizu.com");
	check_key("a0680ff30035b56cb7bdd5f59fd400e71712ceb5.1652111464.git.andreyknvl@google.com",
		  "1652111464.git.andreyknvl@google.com");
	check_key("cover.1652147571.git.baolin.wang@linux.alibaba.com",
		  "1652147571.git.baolin.wang@linux.alibaba.com");
	check_key("Yk2rdB7SXZf+2BDF@xz-m1.local", NULL);
	check_key("20220507050916.GA13577@us192.sjc.aristanetworks.com", NULL);
	check_key("163712397076.13692.4727608274002939094@noble.neil.brown.name", NULL);
	check_key("1652176897-4754-1-baihaowen@meizu.com", NULL);
	check_key("fdfecc82-d41e-6d8a-738d-4beb6faa27fb@gmail.com", NULL);
	check_key("20220504011345.662299-31-nobody", NULL);
	check_key("", NULL);
}

static void test_name_stem(void)
{
	const char *names[][2] = {
		{ "foo.patch", "foo" },
		{ "debian/foo.diff.gz", "debian/foo" },
		{ "foo.patch.xz", "foo" },
		{ "foo.bz2", "foo" },
		{ "foo", "foo" },
		{ ".patch", "" },
	};
	size_t i;

	for (i = 0; i < QS_ARRAY_SIZE(names); i++) {
		char *stem = qs__name_stem(names[i][0]);

		is_str(stem, names[i][1], "stem of '%s'", names[i][0]);
		free(stem);
	}
}

/*
 * Grouping on plain lists. Each item is a compact string:
 *   "name"          an active patch
 *   "#name"         starts_group (a separator or area before it)
 *   "##name"        committed ("###name": after a separator);
 *   "@name"         a placeholder; "!name" outside sections
 *   "name|T"        carries `Patch series "T"`; "name|3" "This patch (of 3)"
 *   "name>link"     a Link: message-id
 *   "=2 name"       the item is in section 2 (default 0)
 * Sets are shown as "0 0 1 - 1": each item's series number or '-'.
 */
static void check_group(const char *desc, const char *const *spec, size_t n,
			const char *want)
{
	struct qs__group_item items[32];
	char names[32][64], titles[32][64], links[32][80];
	const char *linkp[32];
	size_t set_of[32], count = 0, i;
	qs_buf got = QS_BUF_INIT;

	memset(items, 0, sizeof(items));
	for (i = 0; i < n; i++) {
		const char *s = spec[i];
		char *p;

		items[i].kind = QS_ENTRY_PATCH;
		if (s[0] == '=') {
			items[i].section = (size_t)(s[1] - '0');
			s += 3;
		}
		if (!strncmp(s, "###", 3)) {
			items[i].kind = QS_ENTRY_COMMITTED;
			items[i].starts_group = 1;
			s += 3;
		} else if (!strncmp(s, "##", 2)) {
			items[i].kind = QS_ENTRY_COMMITTED;
			s += 2;
		} else if (s[0] == '#') {
			items[i].starts_group = 1;
			s++;
		} else if (s[0] == '@') {
			items[i].kind = QS_ENTRY_PLACEHOLDER;
			s++;
		} else if (s[0] == '!') {
			items[i].section = QS__NO_SET;
			s++;
		}
		snprintf(names[i], sizeof(names[i]), "%s", s);
		if ((p = strchr(names[i], '>'))) {
			*p = '\0';
			snprintf(links[i], sizeof(links[i]), "%s", p + 1);
			linkp[i] = links[i];
			items[i].links = &linkp[i];
			items[i].link_count = 1;
		}
		if ((p = strchr(names[i], '|'))) {
			*p = '\0';
			if (p[1] >= '0' && p[1] <= '9') {
				items[i].series_total = (unsigned int)atoi(p + 1);
			} else {
				snprintf(titles[i], sizeof(titles[i]), "%s", p + 1);
				items[i].series_title = titles[i];
			}
		}
		items[i].name = names[i];
	}
	if (qs__group(set_of, &count, items, n) < 0) {
		ok(0, "%s: %s", desc, qs_error_last()->message);
		return;
	}
	for (i = 0; i < n; i++) {
		if (i)
			qs_buf_addch(&got, ' ');
		if (set_of[i] == QS__NO_SET)
			qs_buf_addch(&got, '-');
		else
			qs_buf_addf(&got, "%zu", set_of[i]);
	}
	is_str(got.ptr, want, "%s", desc);
	qs_buf_release(&got);
}

#define GROUP(desc, want, ...) do { \
	const char *const spec_[] = { __VA_ARGS__ }; \
	check_group(desc, spec_, QS_ARRAY_SIZE(spec_), want); \
} while (0)

static void test_group(void)
{
	GROUP("no separator: one series", "0 0 0",
	      "a.patch", "b.patch", "c.patch");
	GROUP("a separator ends a series", "0 0 1 1",
	      "a.patch", "b.patch", "#c.patch", "d.patch");
	GROUP("Patch series starts one without a separator", "0 1 1",
	      "a.patch", "b.patch|Frob", "c.patch");
	GROUP("This patch (of N) starts one", "0 1 1",
	      "a.patch", "b.patch|3", "c.patch");
	GROUP("This patch (of 1) does not", "0 0",
	      "a.patch", "b.patch|1");
	GROUP("one posting stays together across a separator", "0 0 1",
	      "a.patch>20220101000000.1234-1-x@example.com",
	      "#b.patch>20220101000000.1234-2-x@example.com",
	      "#c.patch>20220101000000.1234-3-y@example.org");
	GROUP("a Patch series line starts a series even in the same posting", "0 1",
	      "mips.patch>20220504002554.654642-2-x@example.com",
	      "#maple.patch|Maple>20220504002554.654642-1-x@example.com");
	GROUP("This patch (of N) too", "0 1",
	      "a.patch>20220101000000.1234-1-x@example.com",
	      "b.patch|2>20220101000000.1234-2-x@example.com");
	GROUP("a different pid is another posting", "0 1",
	      "a.patch>20220101000000.1234-1-x@example.com",
	      "#b.patch>20220101000000.1235-2-x@example.com");
	GROUP("a follow-up after a separator joins its parent", "0 0 1 0 1",
	      "a.patch", "b.patch", "#c.patch", "a-fix.patch", "d.patch");
	GROUP("a separator before a displaced follow-up still ends the series",
	      "0 0 1 1",
	      "a.patch", "#a-fix.patch", "b.patch", "c.patch");
	GROUP("follow-up forms", "0 0 0 0 0 0 0 1 0 0",
	      "x.patch", "x-fix.patch", "x-fix-fix.patch",
	      "x-fix-checkpatch-fixes.patch", "x-v2.patch", "x-fix-2.patch",
	      "x-checkpatch-fixes.patch", "#y.patch", "x-fix-fix-fix.patch",
	      "x-v2-fix.patch");
	GROUP("no parent: an ordinary patch", "0 1 1",
	      "a.patch", "#mapletree-build-fix.patch", "b-fix-v2.patch");
	GROUP("not follow-up suffixes", "0 1 2 3",
	      "x.patch", "#x-fixed.patch", "#x-2.patch", "#x-update.patch");
	GROUP("the parent must be earlier", "0 1",
	      "a-fix.patch", "#a.patch");
	GROUP("the parent must be in the same section", "0 1 2",
	      "=0 a.patch", "=1 b.patch", "=1 a-fix.patch|Frob");
	GROUP("a committed parent takes no follow-up", "- 0",
	      "##a.patch", "a-fix.patch");
	GROUP("committed entries belong to none and end nothing", "0 - 0",
	      "a.patch", "##b.patch", "c.patch");
	GROUP("a placeholder belongs to none and ends the series", "- 0 - 1",
	      "@mm-stable.patch", "a.patch", "@x.patch", "b.patch");
	GROUP("entries outside sections belong to none", "- 0 0 -",
	      "!origin.patch", "a.patch", "b.patch", "!stop.patch");
	GROUP("a new section starts a series", "0 1",
	      "=0 a.patch", "=1 b.patch");
	GROUP("a separator before a committed entry ends the series", "0 - 1",
	      "a.patch", "###b.patch", "c.patch");
	GROUP("compressed and .diff names", "0 1 0",
	      "dir/a.diff.gz", "#b.patch", "dir/a-fix.diff");
	check_group("empty queue", NULL, 0, "");
}

/* The 7-digit abbreviation of git's blob id of `name`. */
static char *hash_name(const char *name)
{
	char *h = sh_line("printf %%s '%s' | git hash-object --stdin", name);

	if (h && strlen(h) > 7)
		h[7] = '\0';
	return h;
}

static void test_slugs_unique(void)
{
	const char *titles[] = { "mm: fix typo", "mm: fix typo", "Other",
				 "mm: fix typo", NULL, "!!!", "", NULL };
	const char *names[] = { "a.patch", "b.patch", "o.patch", "c.patch",
				"0001-Fix-The-Thing.patch.gz", "___.patch",
				"zz.patch", "zz.patch.gz" };
	char *slugs[8], *hb = hash_name("b.patch"), *hc = hash_name("c.patch");
	char *ha = hash_name("zz.patch.gz"), want[128];
	size_t i;

	if (qs__slugs_assign(slugs, titles, names, 8) < 0) {
		ok(0, "slugs_assign: %s", qs_error_last()->message);
		goto done;
	}
	is_str(slugs[0], "mm-fix-typo", "the first keeps the plain slug");
	snprintf(want, sizeof(want), "mm-fix-typo-%s", hb);
	is_str(slugs[1], want, "a clash gets the first patch's name hash (git hash-object)");
	is_str(slugs[2], "other", "others are untouched");
	snprintf(want, sizeof(want), "mm-fix-typo-%s", hc);
	is_str(slugs[3], want, "a third clash gets its own hash");
	is_str(slugs[4], "0001-fix-the-thing", "no title: the first patch's name");
	is_str(slugs[5], "series", "nothing usable: \"series\"");
	is_str(slugs[6], "zz", "empty title: the name");
	snprintf(want, sizeof(want), "zz-%s", ha);
	is_str(slugs[7], want, "a name-derived slug is made unique too");
	for (i = 0; i < 8; i++)
		free(slugs[i]);

	/* the first one goes: the third keeps its slug */
	if (qs__slugs_assign(slugs, titles + 1, names + 1, 3) == 0) {
		is_str(slugs[0], "mm-fix-typo", "after removal the next takes the plain slug");
		snprintf(want, sizeof(want), "mm-fix-typo-%s", hc);
		is_str(slugs[2], want, "and a later clash keeps its slug");
		for (i = 0; i < 3; i++)
			free(slugs[i]);
	}

	/* the hashed slug already taken: a number settles it */
	{
		char t0[64];
		const char *t[] = { t0, "foo", "foo" };
		const char *nm[] = { "a.patch", "z.patch", "b.patch" };

		snprintf(t0, sizeof(t0), "foo %s", hb);
		if (qs__slugs_assign(slugs, t, nm, 3) == 0) {
			is_str(slugs[1], "foo", "plain");
			is_str(slugs[2], "foo-2", "hash taken: numeric suffix");
			for (i = 0; i < 3; i++)
				free(slugs[i]);
		}
	}

	/* long clashing titles stay within 64 bytes, cut at a word */
	{
		const char *t[] = {
			"mm/hugetlb_vmemmap: disable hugetlb_optimize_vmemmap when struct page crosses page boundaries",
			"mm/hugetlb_vmemmap: disable hugetlb_optimize_vmemmap when struct page crosses page boundaries",
		};
		const char *nm[] = { "a.patch", "b.patch" };

		if (qs__slugs_assign(slugs, t, nm, 2) == 0) {
			snprintf(want, sizeof(want),
				 "mm-hugetlb-vmemmap-disable-hugetlb-optimize-vmemmap-when-%s", hb);
			is_str(slugs[1], want, "suffix fits in 64 bytes");
			ok(slug_well_formed(slugs[1]) && ref_valid(slugs[1]),
			   "and is well formed");
			for (i = 0; i < 2; i++)
				free(slugs[i]);
		}
	}
done:
	free(ha);
	free(hb);
	free(hc);
}

/*
 * Whole queues in a scratch directory.
 */
static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	if (!(f = fopen(path, "w")))
		return;
	fputs(text, f);
	fclose(f);
}

/* An akpm-style patch file. `extra` goes before the trailers. */
static void write_patch(const char *name, const char *subject,
			const char *extra, const char *link)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "From: Some One <one@example.com>\n"
		 "Subject: %s\n"
		 "\n"
		 "%s"
		 "A change.\n"
		 "\n"
		 "%s%s%s"
		 "Signed-off-by: Some One <one@example.com>\n"
		 "Signed-off-by: Andrew Morton <akpm@linux-foundation.org>\n"
		 "---\n"
		 "\n"
		 " a.c |    1 +\n"
		 " 1 file changed, 1 insertion(+)\n"
		 "\n"
		 "--- a/a.c~%s\n"
		 "+++ a/a.c\n"
		 "@@ -1 +1,2 @@\n"
		 " x\n"
		 "+y\n"
		 "_\n",
		 subject, extra, link ? "Link: https://lkml.kernel.org/r/" : "",
		 link ? link : "", link ? "\n" : "", name);
	write_file(name, text);
}

static const qs_patchset *set_named(const qs_queue *q, const char *slug)
{
	const qs_patchset *set = qs_queue_patchset_byslug(q, slug);

	if (!set)
		tap_diag("no patchset '%s'", slug);
	return set;
}

static void test_queue(void)
{
	qs_queue_options opts = QS_QUEUE_OPTIONS_INIT;
	const char *const placeholders[] = { "mm-stable.patch", NULL };
	char series[512], path[600], want[1400];
	const qs_patchset *set;
	const qs_series_entry *e;
	const qs_error *err;
	const qs_patch *p;
	qs_queue *q = NULL;
	size_t i;
	int ret;

	snprintf(series, sizeof(series), "%s/series", scratch);
	write_patch("frob-1.patch", "mm: frob one",
		    "Patch series \"Frobnicate the widgets\", v2.\n\nCover.\n\n"
		    "This patch (of 3):\n\n",
		    "20220101000000.1234-2-one@example.com");
	write_patch("frob-2.patch", "mm: frob two", "",
		    "20220101000000.1234-3-one@example.com");
	write_patch("frob-3.patch", "mm: frob three", "",
		    "20220101000000.1234-4-one@example.com");
	write_patch("tidy.patch", "mm: tidy up", "", "Yk2rdB7SXZf@xz-m1.local");
	write_patch("frob-1-fix.patch", "frob-1-fix", "", NULL);
	write_patch("other.patch", "mm: tidy up", "", NULL);
	write_patch("later.patch", "kernel: later", "", NULL);
	write_patch("old.patch", "old: committed", "", NULL);
	write_patch("outside.patch", "outside", "", NULL);
	write_file("series",
		   "outside.patch\n"
		   "#BRANCH mm-unstable\n"
		   "mm-stable.patch\n"
		   "##old.patch\n"
		   "##gone.patch\n"
		   "#mm/frob\n"
		   "frob-1.patch\n"
		   "frob-2.patch\n"
		   "#\n"
		   "frob-3.patch\n"
		   "#\n"
		   "#tidy.patch: looks fine\n"
		   "tidy.patch\n"
		   "#\n"
		   "frob-1-fix.patch\n"
		   "other.patch\n"
		   "#\n"
		   "#kernel\n"
		   "later.patch.gz\n"
		   "#ENDBRANCH mm-unstable\n");
	if (sh("cd '%s' && cp later.patch l && gzip -n -f later.patch", scratch))
		tap_diag("gzip failed");

	opts.series.placeholders = placeholders;
	ret = qs_queue_open(&q, series, NULL, &opts);
	if (!ok(ret == 0, "a small queue loads")) {
		tap_diag("%s", qs_error_last()->message);
		return;
	}
	is_str(qs_queue_patches_dir(q), scratch, "patches dir defaults to the series file's");
	is_int(qs_queue_patchset_count(q), 4, "four patch series");

	set = set_named(q, "frobnicate-the-widgets");
	ok(set == qs_queue_patchset_byindex(q, 0), "Patch series title gives the slug");
	is_str(qs_patchset_title(set), "Frobnicate the widgets", "title from Patch series");
	is_str(qs_patchset_area(set), "mm/frob", "area of the first entry");
	is_int(qs_patchset_entry_count(set), 4, "3 patches of one posting and a follow-up");
	is_str(qs_entry_name(qs_patchset_entry_byindex(set, 2)), "frob-3.patch",
	       "the posting stays together across a separator");
	is_str(qs_entry_name(qs_patchset_entry_byindex(set, 3)), "frob-1-fix.patch",
	       "the displaced follow-up joins, in file order");
	is_str(qs_section_name(qs_patchset_section(set)), "mm-unstable", "section");

	set = set_named(q, "mm-tidy-up");
	ok(set == qs_queue_patchset_byindex(q, 1), "subject gives the title otherwise");
	is_int(qs_patchset_entry_count(set), 1, "a single patch");

	set = qs_queue_patchset_byindex(q, 2);
	{
		char *h = hash_name("other.patch");

		snprintf(want, sizeof(want), "mm-tidy-up-%s", h);
		free(h);
	}
	is_str(qs_patchset_slug(set), want, "a same-titled series gets a hashed slug");
	is_str(qs_entry_name(qs_patchset_entry_byindex(set, 0)), "other.patch",
	       "after the follow-up, the next patch starts the next series");

	set = set_named(q, "kernel-later");
	is_str(qs_patchset_area(set), "kernel", "its area");
	ok(qs_queue_patchset_byslug(q, "nope") == NULL, "unknown slug: NULL");

	e = qs_series_entry_byname(qs_queue_series(q), "later.patch.gz");
	p = qs_queue_patch(q, e);
	ok(p && qs_patch_entry(p) == e, "the compressed patch is loaded");
	{
		char *h = sh_line("git hash-object '%s/l'", scratch);

		is_str(qs_patch_content_id(p), h,
		       "content id is git hash-object of the decompressed bytes");
		free(h);
	}
	{
		size_t len = 0;
		const char *c = qs_patch_content(p, &len);

		ok(c && len > 100 && !strncmp(c, "From: Some One", 14),
		   "content is the decompressed text");
	}
	snprintf(path, sizeof(path), "%s/later.patch.gz", scratch);
	is_str(qs_patch_path(p), path, "path as opened");
	ok(qs_diff_file_count(qs_patch_diff(p)) == 1, "its diff is parsed");
	is_str(qs_mail_subject(qs_patch_mail(p)), "kernel: later", "its mail is parsed");

	qs_patch_free((qs_patch *)p);
	ok(qs_patch_diff(p) != NULL, "qs_patch_free leaves a queue's patch alone");
	{
		qs_patch *alone = NULL;
		char *h;

		snprintf(path, sizeof(path), "%s/frob-1.patch", scratch);
		ret = qs_patch_open(&alone, path, NULL);
		ok(ret == 0 && alone, "qs_patch_open reads a patch outside a queue");
		ok(alone && !qs_patch_entry(alone), "it has no entry");
		is_str(qs_mail_series_title(qs_patch_mail(alone)), "Frobnicate the widgets",
		       "its mail is parsed");
		h = sh_line("git hash-object '%s'", path);
		is_str(qs_patch_content_id(alone), h, "its content id");
		free(h);
		qs_patch_free(alone);
		snprintf(path, sizeof(path), "%s/nope.patch", scratch);
		is_int(qs_patch_open(&alone, path, NULL), QS_ENOTFOUND,
		       "qs_patch_open of a missing file");
		ok(alone == NULL, "gives no patch");
		is_int(qs_patch_open(NULL, path, NULL), QS_EINVAL, "NULL out");
	}

	e = qs_series_entry_byname(qs_queue_series(q), "mm-stable.patch");
	ok(e && !qs_queue_patch(q, e) && !qs_queue_patchset_of(q, e),
	   "a placeholder has no patch and no series");
	e = qs_series_entry_byname(qs_queue_series(q), "old.patch");
	ok(e && qs_queue_patch(q, e) && !qs_queue_patchset_of(q, e),
	   "a committed entry's file is read when present, in no series");
	e = qs_series_entry_byname(qs_queue_series(q), "gone.patch");
	ok(e && !qs_queue_patch(q, e), "a committed entry's file may be missing");
	e = qs_series_entry_byname(qs_queue_series(q), "outside.patch");
	ok(e && qs_queue_patch(q, e) && !qs_queue_patchset_of(q, e),
	   "an entry outside sections is loaded, in no series");
	e = qs_series_entry_byname(qs_queue_series(q), "tidy.patch");
	ok(qs_queue_patchset_of(q, e) == qs_queue_patchset_byindex(q, 1),
	   "patchset_of finds an entry's series");
	for (i = 0; i < qs_queue_patchset_count(q); i++)
		ok(slug_well_formed(qs_patchset_slug(qs_queue_patchset_byindex(q, i))),
		   "slug %zu well formed", i);
	qs_queue_free(q);
	q = NULL;

	/* a missing file of an active entry */
	write_file("series2", "#BRANCH mm-unstable\ntidy.patch\n#\nmissing.patch\n"
		   "#ENDBRANCH mm-unstable\n");
	snprintf(series, sizeof(series), "%s/series2", scratch);
	ret = qs_queue_open(&q, series, NULL, NULL);
	is_int(ret, QS_ENOTFOUND, "a missing patch file is QS_ENOTFOUND");
	ok(q == NULL, "and gives no queue");
	err = qs_error_last();
	snprintf(want, sizeof(want),
		 "%s:4: patch file '%s/missing.patch' does not exist", series, scratch);
	is_str(err->message, want, "the message names series:LINE and the file");
	is_str(err->path, series, "error path is the series file");
	is_int(err->line, 4, "error line is the entry's");

	opts.flags = QS_QUEUE_ALLOW_MISSING;
	ret = qs_queue_open(&q, series, scratch, &opts);
	ok(ret == 0, "QS_QUEUE_ALLOW_MISSING loads it anyway");
	e = qs_series_entry_byname(qs_queue_series(q), "missing.patch");
	ok(e && !qs_queue_patch(q, e), "the missing entry has no patch");
	set = qs_queue_patchset_of(q, e);
	is_str(qs_patchset_title(set), "missing", "its series is titled by its name");
	is_int(qs_queue_patchset_count(q), 2, "and grouped by position");
	qs_queue_free(q);
	q = NULL;

	/* a diff the parser rejects: its error, located in the patch file */
	write_file("bad.patch", "From: A <a@example.com>\nSubject: bad\n\nbody\n---\n"
		   "diff --git a/x b/x\nGIT binary patch\nliteral 5\nzzzz\n\n");
	write_file("series4", "tidy.patch\nbad.patch\n");
	snprintf(series, sizeof(series), "%s/series4", scratch);
	ret = qs_queue_open(&q, series, NULL, NULL);
	is_int(ret, QS_EPARSE, "a malformed diff is QS_EPARSE");
	snprintf(path, sizeof(path), "%s/bad.patch", scratch);
	is_str(qs_error_last()->path, path, "naming the patch file");
	is_int(qs_error_last()->line, 9, "and the line in it");

	write_file("series5", "##bad.patch\ntidy.patch\n");
	snprintf(series, sizeof(series), "%s/series5", scratch);
	ret = qs_queue_open(&q, series, NULL, NULL);
	ok(ret == 0, "a malformed committed patch is only a warning");
	e = q ? qs_series_entry_byname(qs_queue_series(q), "bad.patch") : NULL;
	ok(e && !qs_queue_patch(q, e), "and is not loaded");
	qs_queue_free(q);
	q = NULL;

	/* a patch directory given apart from the series file */
	write_file("series3", "tidy.patch\n");
	snprintf(series, sizeof(series), "%s/series3", scratch);
	ret = qs_queue_open(&q, series, "/nonexistent-dir", NULL);
	is_int(ret, QS_ENOTFOUND, "patches are read from the given directory");
	snprintf(want, sizeof(want),
		 "%s:1: patch file '/nonexistent-dir/tidy.patch' does not exist", series);
	is_str(qs_error_last()->message, want, "and named by it");

	opts.version = 99;
	is_int(qs_queue_open(&q, series, NULL, &opts), QS_EINVAL, "bad options version");
	is_int(qs_queue_open(NULL, series, NULL, NULL), QS_EINVAL, "NULL out");
	is_int(qs_queue_open(&q, NULL, NULL, NULL), QS_EINVAL, "NULL path");
	snprintf(series, sizeof(series), "%s/no-such-series", scratch);
	is_int(qs_queue_open(&q, series, NULL, NULL), QS_ENOTFOUND, "no series file");
	ok(qs_queue_patchset_count(NULL) == 0 && !qs_queue_patchset_byindex(NULL, 0) &&
	   !qs_patchset_slug(NULL) && !qs_queue_patch(NULL, NULL),
	   "accessors are NULL-safe");
	qs_queue_free(NULL);
}

/*
 * The mmotm convention: a destination in two parts is one section to
 * the queue. Its patches are grouped as if the parts stood together
 * (a follow-up in the second part joins its parent's series in the
 * first), patchsets are ordered by section, and slugs still go by file
 * order: the later namesake in the file gets the suffix, whatever its
 * section's place.
 */
static void test_queue_mmotm(void)
{
	qs_queue_options opts = QS_QUEUE_OPTIONS_INIT;
	const char *const only_block[] = { "block", NULL };
	char series[512], want[128];
	const qs_section *block;
	const qs_patchset *set;
	const qs_series_entry *e;
	qs_queue *q = NULL;
	char *h;

	snprintf(series, sizeof(series), "%s/mmotm-series", scratch);
	write_patch("blk-a.patch", "block: do a", "", NULL);
	write_patch("blk-b.patch", "block: do b", "", NULL);
	write_patch("blk-a-fix.patch", "blk-a-fix", "", NULL);
	write_patch("scsi-a.patch", "block: do b", "", NULL);
	write_file("mmotm-series",
		   "#origin.patch\n"
		   "mm-only-and-missing.patch\n"
		   "#NEXT_PATCHES_START block\n"
		   "blk-a.patch\n"
		   "#NEXT_PATCHES_END\n"
		   "#NEXT_PATCHES_START scsi (for James)\n"
		   "scsi-a.patch\n"
		   "#NEXT_PATCHES_END\n"
		   "#NEXT_PATCHES_START block\n"
		   "blk-b.patch\n"
		   "blk-a-fix.patch\n"
		   "#NEXT_PATCHES_END\n");
	opts.series.convention = QS_SERIES_MMOTM;
	opts.flags = QS_QUEUE_ALLOW_MISSING;
	if (!ok(qs_queue_open(&q, series, NULL, &opts) == 0, "mmotm: a queue in parts loads")) {
		tap_diag("%s", qs_error_last()->message);
		return;
	}
	block = qs_series_section_byname(qs_queue_series(q), "block");
	is_int(qs_queue_patchset_count(q), 3, "mmotm: three series");
	set = qs_queue_patchset_byindex(q, 0);
	ok(qs_patchset_section(set) == block, "mmotm: block's come first");
	is_int(qs_patchset_entry_count(set), 2, "mmotm: blk-a and its fix");
	is_str(qs_entry_name(qs_patchset_entry_byindex(set, 1)), "blk-a-fix.patch",
	       "mmotm: the fix in the second part joins the first part's series");
	set = qs_queue_patchset_byindex(q, 1);
	ok(qs_patchset_section(set) == block, "mmotm: then block's second series");
	is_str(qs_entry_name(qs_patchset_entry_byindex(set, 0)), "blk-b.patch",
	       "mmotm: a new part starts a series");
	h = hash_name("blk-b.patch");
	snprintf(want, sizeof(want), "block-do-b-%s", h);
	free(h);
	is_str(qs_patchset_slug(set), want,
	       "mmotm: later in the file than scsi's namesake, it takes the suffix");
	set = qs_queue_patchset_byindex(q, 2);
	is_str(qs_section_name(qs_patchset_section(set)), "scsi (for James)",
	       "mmotm: scsi's series last");
	is_str(qs_patchset_slug(set), "block-do-b", "mmotm: and it keeps the plain slug");
	qs_queue_free(q);
	q = NULL;

	/* what a build of block reads: neither scsi nor what lies outside */
	opts.flags = 0;
	opts.sections = only_block;
	ok(qs_queue_open(&q, series, NULL, &opts) == 0,
	   "mmotm: block alone loads, the missing patch outside every part unread");
	e = q ? qs_series_entry_byname(qs_queue_series(q), "scsi-a.patch") : NULL;
	ok(e && !qs_queue_patch(q, e), "mmotm: a section not asked for is not read");
	e = q ? qs_series_entry_byname(qs_queue_series(q), "blk-b.patch") : NULL;
	ok(e && qs_queue_patch(q, e), "mmotm: both parts of block are");
	qs_queue_free(q);
	q = NULL;

	/* the same file, read as #BRANCH: an error, not a queue without sections */
	opts.series.convention = QS_SERIES_BRANCH;
	is_int(qs_queue_open(&q, series, NULL, &opts), QS_EPARSE,
	       "mmotm file read as #BRANCH: QS_EPARSE");
	ok(q == NULL, "and no queue");
}

/*
 * A program built for version 2 of qs_queue_options (before
 * qs_series_options had a convention) passes this layout.
 */
static void test_queue_options_v2(void)
{
	struct {
		unsigned int version;
		struct {
			unsigned int version;
			const char *const *placeholders;
			const char *section_start, *section_end;
		} series;
		qs_mail_options mail;
		unsigned int flags;
		const char *const *sections;
	} v2 = { 2, { 1, NULL, NULL, NULL }, QS_MAIL_OPTIONS_INIT, 0, NULL };
	const char *const placeholders[] = { "mm-stable.patch", NULL };
	const char *const only[] = { "b", NULL };
	char series[512];
	qs_queue *q = NULL;
	int ret;

	write_file("v2-series", "#BRANCH a\nmm-stable.patch\nnot-here.patch\n#ENDBRANCH a\n"
		   "#BRANCH b\ntidy.patch\n#ENDBRANCH b\n");
	snprintf(series, sizeof(series), "%s/v2-series", scratch);
	v2.series.placeholders = placeholders;
	v2.flags = QS_QUEUE_ALLOW_MISSING;
	v2.sections = only;
	ret = qs_queue_open(&q, series, NULL, (const qs_queue_options *)(const void *)&v2);
	ok(ret == 0, "version 2 options: the queue opens");
	ok(q && qs_series_entry_count(qs_queue_series(q)) == 3, "its series is read");
	ok(q && qs_entry_kind_of(qs_series_entry_byname(qs_queue_series(q), "mm-stable.patch"))
	   == QS_ENTRY_PLACEHOLDER, "its placeholders are found where v2 put them");
	ok(q && qs_queue_patch(q, qs_series_entry_byname(qs_queue_series(q), "tidy.patch")),
	   "its sections are read");
	qs_queue_free(q);
	q = NULL;
	/* without QS_QUEUE_ALLOW_MISSING, not-here.patch is missing: flags are read too */
	v2.flags = 0;
	v2.sections = NULL;
	is_int(qs_queue_open(&q, series, NULL, (const qs_queue_options *)(const void *)&v2),
	       QS_ENOTFOUND, "version 2 options: its flags are read");
	/* version 1 has no sections: the field after flags is not read */
	v2.version = 1;
	v2.flags = QS_QUEUE_ALLOW_MISSING;
	v2.sections = only;
	ret = qs_queue_open(&q, series, NULL, (const qs_queue_options *)(const void *)&v2);
	ok(ret == 0 && q, "version 1 options: the queue opens");
	ok(q && qs_queue_patch(q, qs_series_entry_byname(qs_queue_series(q), "tidy.patch")),
	   "every section is read");
	qs_queue_free(q);
}

int main(void)
{
	git_libgit2_init();
	test_slugify();
	test_slugify_random();
	test_posting_keys();
	test_name_stem();
	test_group();
	test_slugs_unique();

	if (scratch_make("queue")) {
		ok(0, "cannot make a scratch directory");
	} else {
		test_queue();
		test_queue_mmotm();
		test_queue_options_v2();
		scratch_remove();
	}
	git_libgit2_shutdown();
	return done_testing();
}
