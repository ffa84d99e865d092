// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pack and index writer; see pack.h. The formats are git's
 * Documentation/gitformat-pack: a pack is "PACK", version 2, the object
 * count, then per object a type-and-size header and zlib data (for an
 * OFS_DELTA, the distance back to its base first), then the SHA-1 of
 * all that. The index lists the ids sorted, with a CRC-32 of each
 * object's bytes in the pack and its offset.
 */
#include "internal.h"
#include "pack.h"
#include "sha1.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "banned.h"

#define PACK_TYPE_OFS_DELTA 6
/* git's default pack.depth: longer chains make every read slower */
#define MAX_DEPTH 50
/* write to the file in pieces this big */
#define OUT_CHUNK (1u << 20)

struct entry {
	git_oid oid;
	uint64_t offset;
	uint32_t crc;
	unsigned int depth;
};

struct qs__packwriter {
	char *dir;		/* objects/pack */
	qs_buf pack_path, idx_path;	/* temporary names */
	int fd;
	struct qs__sha1 sum;
	qs_buf out;		/* bytes not yet written to fd */
	uint64_t offset;	/* bytes of the pack so far */
	struct entry *ents;
	size_t count, added;
	z_stream z;
	int z_ready;
	qs_buf zbuf, delta;
};

static int write_all(int fd, const char *path, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return qs__error_os("cannot write", path);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int flush_out(struct qs__packwriter *w)
{
	int ret = write_all(w->fd, w->pack_path.ptr, w->out.ptr, w->out.len);

	qs_buf_clear(&w->out);
	return ret;
}

/* Everything that goes into the pack goes through here, for its checksum. */
static int emit(struct qs__packwriter *w, const void *data, size_t len)
{
	qs__sha1_update(&w->sum, data, len);
	qs_buf_add(&w->out, data, len);
	if (qs_buf_oom(&w->out))
		return QS_ENOMEM;
	w->offset += len;
	if (w->out.len >= OUT_CHUNK)
		return flush_out(w);
	return 0;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int make_temp(qs_buf *path, const char *dir, const char *prefix)
{
	int fd;

	qs_buf_clear(path);
	qs_buf_addf(path, "%s/%sXXXXXX", dir, prefix);
	if (qs_buf_oom(path))
		return QS_ENOMEM;
	fd = mkstemp(path->ptr);
	if (fd < 0)
		return qs__error_os("cannot create", path->ptr);
	return fd;
}

int qs__pack_begin(struct qs__packwriter **out, const char *objects_dir,
		   size_t count)
{
	struct qs__packwriter *w;
	unsigned char head[12];
	int ret;

	*out = NULL;
	if (count > UINT32_MAX)
		return qs__error_set(QS_EINVAL, "too many objects for one pack");
	w = qs__calloc(1, sizeof(*w));
	if (!w)
		return QS_ENOMEM;
	w->fd = -1;
	qs_buf_init(&w->pack_path);
	qs_buf_init(&w->idx_path);
	qs_buf_init(&w->out);
	qs_buf_init(&w->zbuf);
	qs_buf_init(&w->delta);
	w->count = count;
	w->dir = qs__malloc(strlen(objects_dir) + sizeof("/pack"));
	w->ents = qs__calloc(count ? count : 1, sizeof(*w->ents));
	if (!w->dir || !w->ents) {
		ret = QS_ENOMEM;
		goto fail;
	}
	memcpy(w->dir, objects_dir, strlen(objects_dir));
	memcpy(w->dir + strlen(objects_dir), "/pack", sizeof("/pack"));
	if (mkdir(w->dir, 0777) < 0 && errno != EEXIST) {
		ret = qs__error_os("cannot create", w->dir);
		goto fail;
	}
	if ((w->fd = make_temp(&w->pack_path, w->dir, "tmp_pack_")) < 0) {
		ret = w->fd;
		goto fail;
	}
	/* fast compression: trees of ids hardly compress, deltas are small */
	if (deflateInit(&w->z, Z_BEST_SPEED) != Z_OK) {
		ret = qs__error_set(QS_ENOMEM, "cannot start zlib");
		goto fail;
	}
	w->z_ready = 1;
	qs__sha1_init(&w->sum);
	memcpy(head, "PACK", 4);
	put_be32(head + 4, 2);
	put_be32(head + 8, (uint32_t)count);
	if ((ret = emit(w, head, sizeof(head))) < 0)
		goto fail;
	*out = w;
	return 0;
fail:
	qs__pack_abort(w);
	return ret;
}

/* The object header: type, then the size in 4 + 7*k bits. */
static size_t encode_header(unsigned char *p, unsigned int type, size_t size)
{
	size_t n = 0;
	unsigned char c = (unsigned char)(type << 4 | (size & 15));

	size >>= 4;
	while (size) {
		p[n++] = c | 0x80;
		c = size & 0x7f;
		size >>= 7;
	}
	p[n++] = c;
	return n;
}

/* An OFS_DELTA's distance back to its base, as git encodes it. */
static size_t encode_distance(unsigned char *p, uint64_t d)
{
	unsigned char tmp[10];
	size_t pos = sizeof(tmp) - 1, n;

	tmp[pos] = d & 0x7f;
	while (d >>= 7)
		tmp[--pos] = (unsigned char)(0x80 | (--d & 0x7f));
	n = sizeof(tmp) - pos;
	memcpy(p, tmp + pos, n);
	return n;
}

static void delta_size(qs_buf *b, size_t size)
{
	do {
		unsigned char c = size & 0x7f;

		size >>= 7;
		qs_buf_addch(b, (char)(size ? c | 0x80 : c));
	} while (size);
}

static void delta_copy(qs_buf *b, size_t off, size_t len)
{
	while (len) {
		/* 0x10000 is the most one copy may ask for in git's format 2 */
		size_t n = len < 0x10000 ? len : 0x10000;
		unsigned char op[8];
		size_t k = 1;
		int i;

		op[0] = 0x80;
		for (i = 0; i < 4; i++) {
			if ((off >> (8 * i)) & 0xff) {
				op[k++] = (unsigned char)(off >> (8 * i));
				op[0] |= (unsigned char)(1 << i);
			}
		}
		/* a size of 0x10000 is written as no size bytes at all */
		if (n != 0x10000) {
			for (i = 0; i < 2; i++) {
				if ((n >> (8 * i)) & 0xff) {
					op[k++] = (unsigned char)(n >> (8 * i));
					op[0] |= (unsigned char)(0x10 << i);
				}
			}
		}
		qs_buf_add(b, op, k);
		off += n;
		len -= n;
	}
}

static void delta_insert(qs_buf *b, const unsigned char *p, size_t len)
{
	while (len) {
		size_t n = len < 0x7f ? len : 0x7f;

		qs_buf_addch(b, (char)n);
		qs_buf_add(b, p, n);
		p += n;
		len -= n;
	}
}

/*
 * The delta from `base` to `data` that keeps their common head and
 * tail and inserts what lies between: a patch queue's versions of one
 * file or tree differ in one place far more often than in many.
 */
static void make_delta(qs_buf *b, const unsigned char *base, size_t blen,
		       const unsigned char *data, size_t len)
{
	size_t head = 0, tail = 0, max = blen < len ? blen : len;

	while (head < max && base[head] == data[head])
		head++;
	while (tail < max - head &&
	       base[blen - 1 - tail] == data[len - 1 - tail])
		tail++;
	qs_buf_clear(b);
	delta_size(b, blen);
	delta_size(b, len);
	delta_copy(b, 0, head);
	delta_insert(b, data + head, len - head - tail);
	delta_copy(b, blen - tail, tail);
}

static int deflate_all(struct qs__packwriter *w, const void *data, size_t len)
{
	uLong bound = deflateBound(&w->z, (uLong)len);

	qs_buf_clear(&w->zbuf);
	qs_buf_grow(&w->zbuf, bound);
	if (qs_buf_oom(&w->zbuf))
		return QS_ENOMEM;
	if (deflateReset(&w->z) != Z_OK)
		return qs__error_set(QS_EIO, "zlib cannot reset");
	w->z.next_in = (Bytef *)(uintptr_t)data;
	w->z.avail_in = (uInt)len;
	w->z.next_out = (Bytef *)w->zbuf.ptr;
	w->z.avail_out = (uInt)bound;
	if (deflate(&w->z, Z_FINISH) != Z_STREAM_END)
		return qs__error_set(QS_EIO, "zlib cannot compress an object");
	w->zbuf.len = bound - w->z.avail_out;
	return 0;
}

int qs__pack_add(struct qs__packwriter *w, const git_oid *oid,
		 git_object_t type, const void *data, size_t len,
		 size_t base, const void *base_data, size_t base_len)
{
	struct entry *e;
	unsigned char head[32];
	size_t n;
	int ret;

	if (w->added == w->count)
		return qs__error_set(QS_EINVAL, "more objects than the pack was started for");
	if (len > UINT32_MAX)
		/* uInt-sized zlib calls; no patch makes a 4 GiB object */
		return qs__error_set(QS_EINVAL, "object too large for the pack writer");
	e = &w->ents[w->added];
	git_oid_cpy(&e->oid, oid);
	e->offset = w->offset;
	qs_buf_clear(&w->delta);
	if (base < w->added && w->ents[base].depth < MAX_DEPTH && len >= 64) {
		make_delta(&w->delta, base_data, base_len, data, len);
		if (qs_buf_oom(&w->delta))
			return QS_ENOMEM;
		/* worth it only when it saves most of the object */
		if (w->delta.len > len / 2)
			qs_buf_clear(&w->delta);
	}
	if (w->delta.len) {
		e->depth = w->ents[base].depth + 1;
		n = encode_header(head, PACK_TYPE_OFS_DELTA, w->delta.len);
		n += encode_distance(head + n, e->offset - w->ents[base].offset);
		ret = deflate_all(w, w->delta.ptr, w->delta.len);
	} else {
		e->depth = 0;
		n = encode_header(head, (unsigned int)type, len);
		ret = deflate_all(w, data, len);
	}
	if (ret < 0)
		return ret;
	e->crc = (uint32_t)crc32(crc32(0, head, (uInt)n),
				 (const Bytef *)w->zbuf.ptr, (uInt)w->zbuf.len);
	if ((ret = emit(w, head, n)) < 0 ||
	    (ret = emit(w, w->zbuf.ptr, w->zbuf.len)) < 0)
		return ret;
	w->added++;
	return 0;
}

static int oid_order(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct entry *)a)->oid,
			   &((const struct entry *)b)->oid);
}


/* The index: fan-out, sorted ids, CRCs, offsets, large offsets, sums. */
static int write_index(struct qs__packwriter *w, int fd,
		       const unsigned char *pack_sum)
{
	struct qs__sha1 sum;
	unsigned char b[8], idx_sum[QS_SHA1_SIZE];
	uint32_t fan[256];
	size_t i, nlarge = 0;
	qs_buf idx = QS_BUF_INIT;
	int ret;

	qsort(w->ents, w->count, sizeof(*w->ents), oid_order);
	memset(fan, 0, sizeof(fan));
	for (i = 0; i < w->count; i++)
		fan[w->ents[i].oid.id[0]]++;
	for (i = 1; i < 256; i++)
		fan[i] += fan[i - 1];
	qs_buf_grow(&idx, 8 + 1024 + w->count * 28 + 2 * QS_SHA1_SIZE);
	qs_buf_add(&idx, "\377tOc\0\0\0\2", 8);
	for (i = 0; i < 256; i++) {
		put_be32(b, fan[i]);
		qs_buf_add(&idx, b, 4);
	}
	for (i = 0; i < w->count; i++)
		qs_buf_add(&idx, w->ents[i].oid.id, GIT_OID_RAWSZ);
	for (i = 0; i < w->count; i++) {
		put_be32(b, w->ents[i].crc);
		qs_buf_add(&idx, b, 4);
	}
	for (i = 0; i < w->count; i++) {
		uint64_t off = w->ents[i].offset;

		/* offsets past 2 GiB go to the table of 8-byte offsets */
		put_be32(b, off < 0x80000000u ? (uint32_t)off :
			 (uint32_t)(0x80000000u | nlarge++));
		qs_buf_add(&idx, b, 4);
	}
	for (i = 0; i < w->count; i++) {
		uint64_t off = w->ents[i].offset;

		if (off < 0x80000000u)
			continue;
		put_be32(b, (uint32_t)(off >> 32));
		put_be32(b + 4, (uint32_t)off);
		qs_buf_add(&idx, b, 8);
	}
	qs_buf_add(&idx, pack_sum, QS_SHA1_SIZE);
	if (qs_buf_oom(&idx)) {
		ret = QS_ENOMEM;
		goto done;
	}
	qs__sha1_init(&sum);
	qs__sha1_update(&sum, idx.ptr, idx.len);
	qs__sha1_final(&sum, idx_sum);
	qs_buf_add(&idx, idx_sum, QS_SHA1_SIZE);
	if (qs_buf_oom(&idx)) {
		ret = QS_ENOMEM;
		goto done;
	}
	ret = write_all(fd, w->idx_path.ptr, idx.ptr, idx.len);
done:
	qs_buf_release(&idx);
	return ret;
}

/* Make a finished temporary file read-only, durable, and final. */
static int publish(const char *tmp, int fd, const char *dir,
		   const char *hex, const char *ext)
{
	qs_buf final = QS_BUF_INIT;
	int ret = 0;

	if (fchmod(fd, 0444) < 0 || fsync(fd) < 0) {
		ret = qs__error_os("cannot write", tmp);
		goto done;
	}
	qs_buf_addf(&final, "%s/pack-%s.%s", dir, hex, ext);
	if (qs_buf_oom(&final)) {
		ret = QS_ENOMEM;
		goto done;
	}
	/* the name is the pack's checksum: an existing file is this one */
	if (rename(tmp, final.ptr) < 0)
		ret = errno == ENOENT ?
		      qs__error_set(QS_EIO, "the temporary file '%s' vanished before it "
				    "was put in place (a concurrent 'git gc --prune=now'?)", tmp) :
		      qs__error_os("cannot rename", tmp);
done:
	qs_buf_release(&final);
	return ret;
}

/*
 * "pack-<hex>.keep", holding `line`, made whole (O_EXCL, then synced)
 * before the pack it keeps is in place. `*out` is its path, or NULL when
 * one was there already (someone else's, not ours to remove).
 */
static int write_keep(const char *dir, const char *hex, const char *line,
		      char **out)
{
	qs_buf path = QS_BUF_INIT;
	int fd, ret = 0;

	*out = NULL;
	qs_buf_addf(&path, "%s/pack-%s.keep", dir, hex);
	if (qs_buf_oom(&path))
		return QS_ENOMEM;
	fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0) {
		if (errno != EEXIST)
			ret = qs__error_os("cannot create", path.ptr);
		qs_buf_release(&path);
		return ret;
	}
	if ((ret = write_all(fd, path.ptr, line, strlen(line))) == 0 &&
	    (ret = write_all(fd, path.ptr, "\n", 1)) == 0 && fsync(fd) < 0)
		ret = qs__error_os("cannot write", path.ptr);
	close(fd);
	if (ret < 0) {
		unlink(path.ptr);
		qs_buf_release(&path);
		return ret;
	}
	*out = qs_buf_detach(&path);
	return 0;
}

int qs__pack_finish(struct qs__packwriter *w, const char *keep,
		    char **keep_path)
{
	unsigned char pack_sum[QS_SHA1_SIZE];
	char hex[2 * QS_SHA1_SIZE + 1];
	int idx_fd = -1, dir_fd, ret;
	size_t i;

	if (keep_path)
		*keep_path = NULL;
	if (w->added != w->count) {
		ret = qs__error_set(QS_EINVAL, "pack finished with %zu of %zu objects",
				    w->added, w->count);
		goto fail;
	}
	qs__sha1_final(&w->sum, pack_sum);
	qs_buf_add(&w->out, pack_sum, sizeof(pack_sum));
	if (qs_buf_oom(&w->out)) {
		ret = QS_ENOMEM;
		goto fail;
	}
	if ((ret = flush_out(w)) < 0)
		goto fail;
	for (i = 0; i < QS_SHA1_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", pack_sum[i]);
	if ((idx_fd = make_temp(&w->idx_path, w->dir, "tmp_idx_")) < 0) {
		ret = idx_fd;
		goto fail;
	}
	if ((ret = write_index(w, idx_fd, pack_sum)) < 0)
		goto fail;
	/* kept before it exists: no repack between here and the refs drops it */
	if (keep && (ret = write_keep(w->dir, hex, keep, keep_path)) < 0)
		goto fail;
	/* the pack first: git and libgit2 find packs by their index */
	if ((ret = publish(w->pack_path.ptr, w->fd, w->dir, hex, "pack")) < 0)
		goto fail;
	qs_buf_clear(&w->pack_path);
	if ((ret = publish(w->idx_path.ptr, idx_fd, w->dir, hex, "idx")) < 0)
		goto fail;
	qs_buf_clear(&w->idx_path);
	/* the renames themselves must reach the disk before refs name them */
	dir_fd = open(w->dir, O_RDONLY | O_DIRECTORY);
	if (dir_fd >= 0) {
		fsync(dir_fd);
		close(dir_fd);
	}
	close(idx_fd);
	qs__pack_abort(w);
	return 0;
fail:
	if (idx_fd >= 0)
		close(idx_fd);
	qs__pack_abort(w);
	return ret;
}

void qs__pack_abort(struct qs__packwriter *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->pack_path.len)
		unlink(w->pack_path.ptr);
	if (w->idx_path.len)
		unlink(w->idx_path.ptr);
	if (w->z_ready)
		deflateEnd(&w->z);
	qs_buf_release(&w->pack_path);
	qs_buf_release(&w->idx_path);
	qs_buf_release(&w->out);
	qs_buf_release(&w->zbuf);
	qs_buf_release(&w->delta);
	free(w->ents);
	free(w->dir);
	free(w);
}

int qs__pack_remove_keeps(const char *objects_dir, const char *line)
{
	qs_buf path = QS_BUF_INIT, text = QS_BUF_INIT;
	size_t len = strlen(line);
	struct dirent *de;
	int ret = 0;
	DIR *d;

	qs_buf_addf(&path, "%s/pack", objects_dir);
	if (qs_buf_oom(&path))
		return QS_ENOMEM;
	if (!(d = opendir(path.ptr))) {
		qs_buf_release(&path);
		return 0;	/* no pack yet */
	}
	while (!ret && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 10 || strncmp(de->d_name, "pack-", 5) ||
		    strcmp(de->d_name + n - 5, ".keep"))
			continue;
		qs_buf_clear(&path);
		qs_buf_clear(&text);
		qs_buf_addf(&path, "%s/pack/%s", objects_dir, de->d_name);
		if (qs_buf_oom(&path)) {
			ret = QS_ENOMEM;
			break;
		}
		if (qs__read_file_max(&text, path.ptr, 4096) < 0) {
			qs_error_clear();	/* gone meanwhile, or not ours */
			continue;
		}
		if (text.len == len + 1 && !memcmp(text.ptr, line, len) &&
		    text.ptr[len] == '\n' && unlink(path.ptr) == 0)
			qs__log(QS_LOG_NOTICE, NULL, 0,
				"removed '%s', left by an interrupted build", path.ptr);
	}
	closedir(d);
	qs_buf_release(&path);
	qs_buf_release(&text);
	return ret;
}
