/* SPDX-License-Identifier: GPL-2.0-only */
/* The derived copy of a manifest; see manifest-copy.h. */
#include "internal.h"
#include "manifest-copy.h"
#include "state.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_NAME "manifest-copy"
#define HEADER "quiltsync " COPY_NAME " 1 "
#define SPAN_BYTES 9

static const char *const blob_names[] = { "build.json", "branches.json", "patches.json" };

/*
 * A number of the header, then `sep`: digits without a leading zero,
 * below 4 GiB as the reader's documents are. -1 when it is not one.
 */
static int header_number(size_t *out, const char **p, const char *end, char sep)
{
	const char *s = *p;
	size_t n = 0;

	if (s >= end || *s < '0' || *s > '9' || (*s == '0' && s + 1 < end && s[1] != sep))
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (s - *p >= 10)
			return -1;
		n = n * 10 + (size_t)(*s - '0');
	}
	if (s >= end || *s != sep || n >= UINT32_MAX)
		return -1;
	*out = n;
	*p = s + 1;
	return 0;
}

/* 40 lower-case hex digits, then `sep`. */
static int header_id(char *out, const char **p, const char *end, char sep)
{
	const char *s = *p;
	int i;

	if (end - s < GIT_OID_HEXSZ + 1 || s[GIT_OID_HEXSZ] != sep)
		return -1;
	for (i = 0; i < GIT_OID_HEXSZ; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
	memcpy(out, s, GIT_OID_HEXSZ);
	out[GIT_OID_HEXSZ] = '\0';
	*p = s + GIT_OID_HEXSZ + 1;
	return 0;
}

/*
 * The header line in `head` (`got` bytes of the file): the parent, the
 * lengths of the blobs and the count of patches, and the header's own
 * length. -1 when it is not the header of a copy of `id`.
 */
static int parse_header(struct qs__manifest_copy *out, size_t len[4], size_t *header_len,
			const char *head, size_t got, const char *id)
{
	const char *p = head, *end = memchr(head, '\n', got);
	char commit[GIT_OID_HEXSZ + 1];
	int i;

	if (!end || (size_t)(end - p) < strlen(HEADER) || memcmp(p, HEADER, strlen(HEADER)))
		return -1;
	end++; /* the numbers' last separator is the newline */
	p += strlen(HEADER);
	if (header_id(commit, &p, end, ' ') < 0 || strcmp(commit, id))
		return -1;
	if (end - p >= 2 && p[0] == '-' && p[1] == ' ')
		p += 2;
	else if (header_id(out->parent, &p, end, ' ') < 0)
		return -1;
	for (i = 0; i < 4; i++)
		if (header_number(&len[i], &p, end, i < 3 ? ' ' : '\n') < 0)
			return -1;
	*header_len = (size_t)(p - head);
	return p == end ? 0 : -1;
}

static uint32_t get_le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static void put_le32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)v;
	b[1] = (unsigned char)(v >> 8);
	b[2] = (unsigned char)(v >> 16);
	b[3] = (unsigned char)(v >> 24);
}

/*
 * The index: `n` places in patches.json, in order, within it, not
 * overlapping. Whether they are the patches' is for the parser of each
 * to find out. -1 when it does not fit.
 */
static int read_index(struct qs__json_span *spans, const unsigned char *b, size_t n,
		      size_t patches_len)
{
	uint32_t prev_end = 0;
	size_t i;

	for (i = 0; i < n; i++, b += SPAN_BYTES) {
		spans[i].start = get_le32(b);
		spans[i].end = get_le32(b + 4);
		spans[i].as_written = b[8];
		if (spans[i].start < prev_end || spans[i].start >= spans[i].end ||
		    spans[i].end > patches_len || b[8] > 1)
			return -1;
		prev_end = spans[i].end;
	}
	return 0;
}

int qs__manifest_copy_map(struct qs__manifest_copy *out, const char *common_dir,
			  const git_oid *id)
{
	qs_buf path = QS_BUF_INIT;
	char head[256], hex[GIT_OID_HEXSZ + 1];
	size_t len[4], header_len;
	uint64_t total;
	struct stat st;
	ssize_t got;
	char *map = MAP_FAILED;
	int fd = -1, ret = 1;

	memset(out, 0, sizeof(*out));
	if (qs__state_path(&path, common_dir, COPY_NAME) < 0)
		return QS_ENOMEM;
	git_oid_tostr(hex, sizeof(hex), id);
	if ((fd = open(path.ptr, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (got = pread(fd, head, sizeof(head), 0)) <= 0 ||
	    parse_header(out, len, &header_len, head, (size_t)got, hex) < 0)
		goto done;
	total = (uint64_t)header_len + len[0] + len[1] + len[2] + (uint64_t)len[3] * SPAN_BYTES;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != total ||
	    total > SIZE_MAX)
		goto done;
	/*
	 * Read-only and private: a copy replaced by a rename leaves this
	 * mapping on the old file, and none is ever written in place.
	 */
	map = mmap(NULL, (size_t)total, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		goto done;
	if (len[3] && !(out->spans = qs__calloc(len[3], sizeof(*out->spans)))) {
		ret = QS_ENOMEM;
		goto done;
	}
	if (read_index(out->spans, (const unsigned char *)map + header_len + len[0] +
		       len[1] + len[2], len[3], len[2]) < 0)
		goto done;
	out->build = map + header_len;
	out->build_len = len[0];
	out->branches = out->build + len[0];
	out->branches_len = len[1];
	out->patches = out->branches + len[1];
	out->patches_len = len[2];
	out->nspans = len[3];
	out->map = map;
	out->map_len = (size_t)total;
	map = MAP_FAILED;
	ret = 0;
done:
	if (ret != 0) {
		free(out->spans);
		memset(out, 0, sizeof(*out));
	}
	if (map != MAP_FAILED)
		munmap(map, (size_t)total);
	if (fd >= 0)
		close(fd);
	qs_buf_release(&path);
	return ret;
}

/* Write the copy for the next load; only logged when it cannot be. */
static void write_copy(const char *common_dir, const struct qs__manifest_copy *c,
		       const char *id)
{
	qs_buf path = QS_BUF_INIT, text = QS_BUF_INIT;
	unsigned char b[SPAN_BYTES];
	size_t i;
	int ret;

	qs_buf_addf(&text, HEADER "%s %s %zu %zu %zu %zu\n", id, c->parent[0] ? c->parent : "-",
		    c->build_len, c->branches_len, c->patches_len, c->nspans);
	qs_buf_add(&text, c->build, c->build_len);
	qs_buf_add(&text, c->branches, c->branches_len);
	qs_buf_add(&text, c->patches, c->patches_len);
	for (i = 0; i < c->nspans; i++) {
		put_le32(b, c->spans[i].start);
		put_le32(b + 4, c->spans[i].end);
		b[8] = c->spans[i].as_written;
		qs_buf_add(&text, b, sizeof(b));
	}
	if (qs_buf_oom(&text) || (ret = qs__state_path(&path, common_dir, COPY_NAME)) < 0)
		ret = QS_ENOMEM;
	else if ((ret = qs__state_dir_create(common_dir)) == 0)
		ret = qs__write_atomic_unlocked(path.ptr, text.ptr, text.len);
	if (ret < 0)
		qs__log(QS_LOG_DEBUG, path.ptr, 0, "no copy of the manifest: %s",
			qs_error_last()->message);
	qs_buf_release(&text);
	qs_buf_release(&path);
}

/* The blobs' bytes in one malloc()ed buffer, for a copy that must outlive the repository. */
static int own_bytes(struct qs__manifest_copy *c)
{
	const char **data[] = { &c->build, &c->branches, &c->patches };
	size_t len[] = { c->build_len, c->branches_len, c->patches_len };
	size_t i, at = 0;

	if (!(c->owned = qs__malloc(len[0] + len[1] + len[2] + 1)))
		return QS_ENOMEM;
	for (i = 0; i < 3; i++) {
		if (*data[i])
			memcpy(c->owned + at, *data[i], len[i]);
		*data[i] = *data[i] ? c->owned + at : NULL;
		at += len[i];
		git_blob_free(c->blob[i]);
		c->blob[i] = NULL;
	}
	return 0;
}

int qs__manifest_copy_read(struct qs__manifest_copy *out, git_repository *repo,
			   git_commit *commit, int patches, int keep)
{
	const char **data[] = { &out->build, &out->branches, &out->patches };
	size_t *len[] = { &out->build_len, &out->branches_len, &out->patches_len };
	const char *common_dir = git_repository_commondir(repo);
	char id[GIT_OID_HEXSZ + 1];
	git_tree *tree = NULL;
	size_t i;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	git_oid_tostr(id, sizeof(id), git_commit_id(commit));
	if (git_commit_parentcount(commit) > 0)
		git_oid_tostr(out->parent, sizeof(out->parent), git_commit_parent_id(commit, 0));
	if (git_commit_tree(&tree, commit) < 0) {
		ret = qs__error_git("cannot read the manifest's tree");
		goto done;
	}
	/* a blob missing is left NULL: the loader says so in its own order */
	for (i = 0; i < (patches ? 3u : 2u); i++) {
		const git_tree_entry *e = git_tree_entry_byname(tree, blob_names[i]);

		if (!e || git_tree_entry_type(e) != GIT_OBJECT_BLOB)
			continue;
		if (git_blob_lookup(&out->blob[i], repo, git_tree_entry_id(e)) < 0) {
			ret = qs__error_git(blob_names[i]);
			goto done;
		}
		*data[i] = git_blob_rawcontent(out->blob[i]);
		*len[i] = (size_t)git_blob_rawsize(out->blob[i]);
	}
	/*
	 * A copy is whole, with its index: what cannot be split gets none,
	 * and the loader's own split says why.
	 */
	if (patches && out->build && out->branches && out->patches) {
		ret = qs__json_split_objects(&out->spans, &out->nspans, out->patches,
					     out->patches_len, 0, "patches.json");
		if (ret == QS_ENOMEM)
			goto done;
		if (ret == 0)
			write_copy(common_dir, out, id);
		ret = 0;
	}
	if (keep) {
		struct qs__manifest_copy mapped;

		/* the copy just written, or else the bytes, kept */
		if (out->spans && qs__manifest_copy_map(&mapped, common_dir,
							git_commit_id(commit)) == 0) {
			qs__manifest_copy_release(out);
			*out = mapped;
		} else {
			ret = own_bytes(out);
		}
	}
done:
	if (ret < 0)
		qs__manifest_copy_release(out);
	git_tree_free(tree);
	return ret;
}

void qs__manifest_copy_release(struct qs__manifest_copy *copy)
{
	size_t i;

	if (!copy)
		return;
	if (copy->map)
		munmap(copy->map, copy->map_len);
	for (i = 0; i < QS_ARRAY_SIZE(copy->blob); i++)
		git_blob_free(copy->blob[i]);
	free(copy->owned);
	free(copy->spans);
	memset(copy, 0, sizeof(*copy));
}

/* `ref`'s id in "<gitdir>/packed-refs"; -1 when it is not there. */
static int packed_ref(git_oid *id, const char *gitdir, const char *ref)
{
	qs_buf path = QS_BUF_INIT, text = QS_BUF_INIT;
	const char *p, *end;
	size_t rlen = strlen(ref);
	int ret = -1;

	qs_buf_addf(&path, "%s/packed-refs", gitdir);
	if (qs_buf_oom(&path) || qs__read_file(&text, path.ptr) < 0) {
		qs_error_clear();
		goto done;
	}
	for (p = text.ptr, end = p + text.len; p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len == GIT_OID_HEXSZ + 1 + rlen && p[GIT_OID_HEXSZ] == ' ' &&
		    !memcmp(p + GIT_OID_HEXSZ + 1, ref, rlen) &&
		    git_oid_fromstrn(id, p, GIT_OID_HEXSZ) == 0) {
			ret = 0;
			break;
		}
		p += len + 1;
	}
done:
	qs_buf_release(&path);
	qs_buf_release(&text);
	return ret;
}

/* Read all of a small file into `out`; 0, or -1 when it cannot be. */
static int read_small(char *out, size_t size, const char *path)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
	return n ? 0 : -1;
}

/*
 * The manifest ref's commit, read as git stores it (a loose ref, else a
 * line of packed-refs), and its derived copy mapped, without libgit2:
 * initialising it costs a command that only reads more than the query
 * (mbedTLS parses the whole CA bundle). Only for a repository laid out
 * plainly (a worktree's .git directory, or a bare one); anything else,
 * or a copy of another commit, is 1: libgit2 then does it all.
 */
int qs__manifest_copy_quick(struct qs__manifest_copy *copy, git_oid *id,
			    const char *repository)
{
	static const char ref[] = "refs/quiltsync/manifest";
	qs_buf gitdir = QS_BUF_INIT, path = QS_BUF_INIT;
	char text[GIT_OID_HEXSZ + 2];
	struct stat st;
	int ret = 1;

	qs_buf_addf(&gitdir, "%s/.git", repository);
	if (qs_buf_oom(&gitdir))
		goto done;
	if (stat(gitdir.ptr, &st) < 0 || !S_ISDIR(st.st_mode)) {
		/* bare, or a git directory itself */
		qs_buf_sets(&gitdir, repository);
		qs_buf_addf(&path, "%s/objects", repository);
		if (qs_buf_oom(&path) || stat(path.ptr, &st) < 0 || !S_ISDIR(st.st_mode))
			goto done;
	}
	/* a linked worktree's refs live in its common directory: libgit2 knows */
	qs_buf_clear(&path);
	qs_buf_addf(&path, "%s/commondir", gitdir.ptr);
	if (qs_buf_oom(&path) || stat(path.ptr, &st) == 0)
		goto done;
	qs_buf_clear(&path);
	qs_buf_addf(&path, "%s/%s", gitdir.ptr, ref);
	if (qs_buf_oom(&path))
		goto done;
	if (read_small(text, sizeof(text), path.ptr) == 0) {
		if (strlen(text) != GIT_OID_HEXSZ + 1 || text[GIT_OID_HEXSZ] != '\n' ||
		    git_oid_fromstrn(id, text, GIT_OID_HEXSZ) < 0)
			goto done;
	} else if (errno != ENOENT || packed_ref(id, gitdir.ptr, ref) < 0) {
		goto done;
	}
	ret = qs__manifest_copy_map(copy, gitdir.ptr, id) == 0 ? 0 : 1;
done:
	qs_buf_release(&gitdir);
	qs_buf_release(&path);
	return ret;
}
