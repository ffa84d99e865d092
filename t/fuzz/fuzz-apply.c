/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz the apply engine: a small tree and a patch in, every report
 * walked, and the resulting tree applied on again.
 *
 * Input: one byte of options (bits 0-1: -p level; bit 2: -R; bit 3:
 * 3-way; bits 4-5: fuzz factor), then the tree, "\n===\n", the patch.
 * The tree is a list of files separated by "\n%\n"; each starts with a
 * line naming it, prefixed with 'l' for a symlink or 'x' for an
 * executable file, and the rest is its content.
 *
 * The repository lives in memory (an object database of two in-memory
 * stores), made afresh for every input.
 *
 * Beyond crashes, one property: every tree an apply makes passes git's
 * path checks (qs__tree_path_refused, held to git by its unit test), as
 * the base it starts from does; the harness aborts on a tree that does
 * not.
 */
#include "internal.h"
#include "objstore.h"
#include "tree-path.h"

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static const char *find(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; s && (size_t)(end - s) >= n; s++)
		if (!memcmp(s, needle, n))
			return s;
	return NULL;
}

/*
 * Whether `name` may join the tree: git's rules for a path, the ones the
 * property below holds the results to, and no clash of a file with a
 * directory. (libgit2 1.5 leaks an entry when git_index_add() refuses a
 * file/directory clash, so clashes are kept away from it.)
 */
static int name_fits(const char *name, unsigned int mode,
		     char names[16][256], int n)
{
	int i;

	if (strlen(name) >= 256 ||
	    qs__tree_path_refused(name, strlen(name), mode))
		return 0;
	for (i = 0; i < n; i++) {
		size_t a = strlen(names[i]), b = strlen(name);
		size_t m = a < b ? a : b;

		if (!strncmp(names[i], name, m) &&
		    (a == b || (a > b ? names[i][m] : name[m]) == '/'))
			return 0;
	}
	return 1;
}

/* Build the base tree from the tree part; 0 on success. */
static int make_tree(git_oid *out, git_repository *repo, const char *s,
		     const char *end)
{
	git_index *index = NULL;
	char names[16][256];
	int ret = -1, nfiles = 0, nnames = 0;

	if (git_index_new(&index) < 0)
		return -1;
	while (s < end && nfiles++ < 16) {
		const char *next = find(s, end, "\n%\n");
		const char *rec_end = next ? next : end;
		const char *nl = memchr(s, '\n', (size_t)(rec_end - s));
		const char *content = nl ? nl + 1 : rec_end;
		unsigned int mode = 0100644;
		git_index_entry e;
		char *name;
		git_oid blob;

		if (nl && nl > s && (*s == 'l' || *s == 'x')) {
			mode = *s == 'l' ? 0120000 : 0100755;
			s++;
		}
		name = qs__strndup(s, (size_t)((nl ? nl : rec_end) - s));
		if (!name)
			goto done;
		if (strlen(name) != (size_t)((nl ? nl : rec_end) - s) ||
		    !name_fits(name, mode, names, nnames)) {
			free(name);
			s = next ? next + 3 : end;
			continue;
		}
		memcpy(names[nnames++], name, strlen(name) + 1);
		if (git_blob_create_from_buffer(&blob, repo, content,
						(size_t)(rec_end - content)) < 0) {
			free(name);
			goto done;
		}
		memset(&e, 0, sizeof(e));
		e.path = name;
		e.mode = mode;
		git_oid_cpy(&e.id, &blob);
		if (git_index_add(index, &e) < 0)
			git_error_clear();
		free(name);
		s = next ? next + 3 : end;
	}
	ret = git_index_write_tree_to(out, index, repo);
done:
	git_index_free(index);
	return ret;
}

/* The property: no path of the tree an apply made is one git refuses. */
static void check_tree(qs_applier *ap, const qs_apply_result *res)
{
	const git_oid *tree = qs_apply_result_tree(res);
	char *path = NULL;
	const char *why = NULL;
	int ret;

	if (!tree)
		return;
	ret = qs__tree_find_refused(&path, &why,
				    qs__store_repository(qs__applier_store(ap)),
				    tree, NULL, 0);
	if (ret == 0) {
		fprintf(stderr, "apply made a tree git refuses: '%s': %s\n",
			path, why);
		abort();
	}
	free(path);
	if (ret != QS_ENOTFOUND && ret != QS_ENOMEM) {
		fprintf(stderr, "cannot read the tree apply made: %s\n",
			qs_error_last()->message);
		abort();
	}
}

static void walk(const qs_apply_result *res)
{
	size_t i;

	sink += qs_apply_result_status(res) + (size_t)qs_apply_result_fuzz(res);
	if (qs_apply_result_error(res))
		sink += strlen(qs_apply_result_error(res));
	for (i = 0; i < qs_apply_result_file_count(res); i++) {
		const qs_file_report *f = qs_apply_result_file_byindex(res, i);

		sink += f->path ? strlen(f->path) : 0;
		sink += f->old_path ? strlen(f->old_path) : 0;
		sink += f->reason ? strlen(f->reason) : 0;
		sink += f->op + f->old_mode + f->new_mode + f->line;
	}
	for (i = 0; i < qs_apply_result_hunk_count(res); i++) {
		const qs_hunk_report *h = qs_apply_result_hunk_byindex(res, i);

		sink += h->path ? strlen(h->path) : 0;
		sink += h->reason ? strlen(h->reason) : 0;
		sink += h->hunk + h->old_line + h->new_line + (size_t)h->offset;
		sink += (size_t)(h->fuzz + h->applied + h->merged + h->conflict);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *sep;
	qs_apply_options opts = QS_APPLY_OPTIONS_INIT;
	git_odb_backend *mem = NULL;
	git_repository *repo = NULL;
	qs_applier *ap = NULL;
	qs_apply_result *res = NULL, *again = NULL;
	qs_diff *diff = NULL;
	git_odb *odb = NULL;
	git_oid base;
	int strip, reverse;
	static int initialised;

	if (!initialised) {
		git_libgit2_init();
		initialised = 1;
	}
	if (size < 1 || size > 65536)
		return 0;
	strip = data[0] & 3;
	reverse = !!(data[0] & 4);
	opts.flags = data[0] & 8 ? QS_APPLY_3WAY : 0;
	opts.fuzz = (data[0] >> 4) & 3;
	s++;
	sep = find(s, end, "\n===\n");
	if (!sep)
		return 0;
	if (git_odb_new(&odb) < 0 || git_mempack_new(&mem) < 0)
		goto done;
	if (git_odb_add_backend(odb, mem, 1) < 0) {
		mem->free(mem);
		goto done;
	}
	if (git_repository_wrap_odb(&repo, odb) < 0 ||
	    make_tree(&base, repo, s, sep) < 0)
		goto done;
	if (qs_diff_parse(&diff, sep + 5, (size_t)(end - sep - 5), NULL) < 0)
		goto done;
	if (qs_applier_new(&ap, repo, &opts) < 0)
		goto done;
	if (qs_apply_diff(&res, ap, &base, diff, strip, reverse) < 0)
		goto done;
	walk(res);
	check_tree(ap, res);
	/* the result is a tree like any other: apply on it, reversed */
	if (qs_apply_result_tree(res) &&
	    qs_apply_diff(&again, ap, qs_apply_result_tree(res), diff, strip,
			  !reverse) == 0) {
		walk(again);
		check_tree(ap, again);
	}
done:
	qs_error_clear();
	git_error_clear();
	qs_apply_result_free(again);
	qs_apply_result_free(res);
	qs_applier_free(ap);
	qs_diff_free(diff);
	git_repository_free(repo);
	git_odb_free(odb);
	return 0;
}
