/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The applier's object store, its last step: the objects held in memory
 * written as one pack into the repository, and the .keep files that
 * hold each such pack against a concurrent gc until the refs name what
 * it holds (see objstore.h).
 */
#include "objstore-internal.h"
#include "pack.h"

#include <git2/sys/mempack.h>

#include <errno.h>
#include <unistd.h>

int qs__store_keep(struct qs__store *s, const char *line)
{
	char *copy = qs__strdup(line);

	if (!copy)
		return QS_ENOMEM;
	free(s->keep_line);
	s->keep_line = copy;
	return 0;
}

void qs__store_unkeep(struct qs__store *s)
{
	size_t i;

	for (i = 0; i < s->nkeeps; i++) {
		if (unlink(s->keeps[i]) < 0 && errno != ENOENT)
			qs__log(QS_LOG_WARNING, NULL, 0, "cannot remove '%s': %s",
				s->keeps[i], strerror(errno));
		free(s->keeps[i]);
	}
	s->nkeeps = 0;
}

int qs__store_take_keeps(struct qs__store *into, struct qs__store *from)
{
	size_t i;

	if (QS_ARRAY_GROW(into->keeps, into->keeps_alloc,
			  into->nkeeps + from->nkeeps) < 0)
		return QS_ENOMEM;
	for (i = 0; i < from->nkeeps; i++)
		into->keeps[into->nkeeps++] = from->keeps[i];
	from->nkeeps = 0;
	return 0;
}

/*
 * Read a pending object back from memory; `*data` is freed with
 * git_odb_backend_data_free() on the mempack.
 */
static int read_pending(struct qs__store *s, size_t i, void **data,
			size_t *len, git_object_t *type)
{
	if (s->mempack->read(data, len, type, s->mempack, &s->pending[i].oid) < 0)
		return qs__error_git("cannot read an object back from memory");
	return 0;
}

int qs__store_flush(struct qs__store *s)
{
	struct qs__packwriter *w = NULL;
	git_buf objects = GIT_BUF_INIT;
	void *data = NULL, *base = NULL;
	size_t i, len, base_len = 0;
	git_object_t type, base_type;
	int ret = 0;

	if (!s->npending)
		return 0;
	/*
	 * git_mempack_dump() packs only what commits reach, and this store
	 * holds no commits; libgit2's pack builder searches for deltas we
	 * already know (see pack.h). Write the pack from the list instead.
	 */
	if (git_repository_item_path(&objects, qs__store_repository(s),
				     GIT_REPOSITORY_ITEM_OBJECTS) < 0) {
		ret = qs__error_git("the repository has no object directory");
		goto done;
	}
	if ((ret = qs__pack_begin(&w, objects.ptr, s->npending)) < 0)
		goto done;
	for (i = 0; i < s->npending; i++) {
		size_t b = s->pending[i].base;

		if ((ret = read_pending(s, i, &data, &len, &type)) < 0)
			goto done;
		if (b != SIZE_MAX &&
		    (ret = read_pending(s, b, &base, &base_len, &base_type)) < 0)
			goto done;
		ret = qs__pack_add(w, &s->pending[i].oid, type, data, len,
				   b, base, base_len);
		git_odb_backend_data_free(s->mempack, data);
		data = NULL;
		if (base)
			git_odb_backend_data_free(s->mempack, base);
		base = NULL;
		if (ret < 0)
			goto done;
	}
	if (s->keep_line && QS_ARRAY_GROW(s->keeps, s->keeps_alloc, s->nkeeps + 1) < 0) {
		ret = QS_ENOMEM;
		goto done;
	}
	ret = qs__pack_finish(w, s->keep_line,
			      s->keep_line ? &s->keeps[s->nkeeps] : NULL);
	w = NULL;
	if (s->keep_line && s->keeps[s->nkeeps])
		s->nkeeps++;
	if (ret < 0)
		goto done;
	if (git_odb_refresh(s->odb) < 0) {
		ret = qs__error_git("cannot read the new pack");
		goto done;
	}
	git_mempack_reset(s->mempack);
	s->npending = 0;
	s->pending_bytes = 0;
	qs__strmap_clear(&s->latest);
done:
	qs__pack_abort(w);
	git_buf_dispose(&objects);
	return ret;
}
