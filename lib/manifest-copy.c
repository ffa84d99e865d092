/* SPDX-License-Identifier: GPL-2.0-only */
/* The derived copy of a manifest's patches.json; see manifest-copy.h. */
#include "internal.h"
#include "manifest-copy.h"
#include "state.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_NAME "manifest-patches"

/* The header up to the length: what a copy of this manifest must begin with. */
static int header_prefix(qs_buf *out, const char *manifest_id, const git_oid *blob_id)
{
	char blob[GIT_OID_HEXSZ + 1];

	git_oid_tostr(blob, sizeof(blob), blob_id);
	qs_buf_addf(out, "quiltsync " COPY_NAME " 1 %s %s ", manifest_id, blob);
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}

/*
 * Map the copy at `path` when its header begins with `prefix` and it is
 * as long as the header says. 0 when mapped; 1 when there is no such
 * copy, whatever the reason, as a reader then reads the blob.
 */
static int map_copy(struct qs__manifest_text *out, const char *path,
		    const qs_buf *prefix)
{
	char head[256];
	size_t header_len, len = 0, i;
	struct stat st;
	ssize_t got;
	void *map;
	int fd, ret = 1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 1;
	got = pread(fd, head, sizeof(head), 0);
	if (got <= (ssize_t)prefix->len || memcmp(head, prefix->ptr, prefix->len))
		goto done;
	/* the length: digits without a leading zero, below 4 GiB as JSON's */
	for (i = prefix->len; i < (size_t)got && head[i] >= '0' && head[i] <= '9'; i++) {
		if ((i > prefix->len && len == 0) || i - prefix->len >= 10)
			goto done;
		len = len * 10 + (size_t)(head[i] - '0');
	}
	if (i == prefix->len || i >= (size_t)got || head[i] != '\n' || len >= UINT32_MAX)
		goto done;
	header_len = i + 1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != (uint64_t)header_len + len)
		goto done;
	/*
	 * Read-only and private: a mapping of a file that is replaced by a
	 * rename keeps the old inode, and this one is never written to.
	 */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		goto done;
	out->map = map;
	out->map_len = (size_t)st.st_size;
	out->data = (const char *)map + header_len;
	out->len = len;
	ret = 0;
done:
	close(fd);
	return ret;
}

/* Write the copy for the next reader; only logged when it cannot be. */
static void write_copy(const char *common_dir, const char *path,
		       const qs_buf *prefix, const char *data, size_t len)
{
	qs_buf text = QS_BUF_INIT;
	int ret;

	qs_buf_addbuf(&text, prefix);
	qs_buf_addf(&text, "%zu\n", len);
	qs_buf_add(&text, data, len);
	if (qs_buf_oom(&text))
		ret = QS_ENOMEM;
	else if ((ret = qs__state_dir_create(common_dir)) == 0)
		ret = qs__write_atomic_unlocked(path, text.ptr, text.len);
	if (ret < 0)
		qs__log(QS_LOG_DEBUG, path, 0, "no copy of patches.json: %s",
			qs_error_last()->message);
	qs_buf_release(&text);
}

int qs__manifest_text_read(struct qs__manifest_text *out, git_repository *repo,
			   const char *manifest_id, const git_oid *blob_id,
			   int outlive_repo)
{
	const char *common_dir = git_repository_commondir(repo);
	qs_buf path = QS_BUF_INIT, prefix = QS_BUF_INIT;
	git_blob *blob = NULL;
	const char *data;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = qs__state_path(&path, common_dir, COPY_NAME)) < 0 ||
	    (ret = header_prefix(&prefix, manifest_id, blob_id)) < 0)
		goto done;
	if (map_copy(out, path.ptr, &prefix) == 0)
		goto done;
	if (git_blob_lookup(&blob, repo, blob_id) < 0) {
		ret = qs__error_git("patches.json");
		goto done;
	}
	data = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	write_copy(common_dir, path.ptr, &prefix, data, len);
	if (!outlive_repo) {
		out->blob = blob;
		out->data = data;
		out->len = len;
		blob = NULL;
	} else if (map_copy(out, path.ptr, &prefix) != 0) {
		/* no copy to map (a read-only repository): the blob's bytes, kept */
		if (!(out->owned = qs__malloc(len + 1))) {
			ret = QS_ENOMEM;
			goto done;
		}
		memcpy(out->owned, data, len);
		out->data = out->owned;
		out->len = len;
	}
done:
	git_blob_free(blob);
	qs_buf_release(&prefix);
	qs_buf_release(&path);
	return ret;
}

void qs__manifest_text_release(struct qs__manifest_text *text)
{
	if (!text)
		return;
	if (text->map)
		munmap(text->map, text->map_len);
	git_blob_free(text->blob);
	free(text->owned);
	memset(text, 0, sizeof(*text));
}
