// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading the files a user gives: the config, the series file, patches
 * (decompressed as quilt decompresses them), recorded resolutions. Only
 * regular files are read (a symlink to one is fine): a FIFO would block
 * the build with its lock held, /dev/zero would fill the memory. What is
 * read, and what a compressed patch inflates to, is bounded (a 4.5 MB
 * gzip bomb inflates to 1 GiB).
 */
#include "internal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

#include "banned.h"

/* The limit on what is read, for "n bytes" in messages. */
static int too_large(const char *path, size_t max, const char *what)
{
	return qs__error_set(QS_EPARSE, "'%s' %s more than %zu bytes, the limit "
			     "(max-patch-size in quiltsync.yaml(5))", path, what, max);
}

int qs__read_file_max(qs_buf *out, const char *path, size_t max)
{
	size_t start = out->len;
	struct stat st;
	int fd, ret = 0;

	/*
	 * O_NONBLOCK: opening a FIFO nobody writes to would wait for ever,
	 * with the build's lock held. It changes nothing for a regular file.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return qs__error_os("cannot open", path);
	if (fstat(fd, &st) < 0) {
		ret = qs__error_os("cannot stat", path);
		goto done;
	}
	/* a device (/dev/zero) never ends, a FIFO may never start */
	if (!S_ISREG(st.st_mode)) {
		ret = qs__error_set(QS_EPARSE, "cannot read '%s': %s", path,
				    S_ISDIR(st.st_mode) ? "it is a directory" :
				    "it is not a regular file");
		goto done;
	}
	if ((uint64_t)st.st_size > max) {
		ret = too_large(path, max, "holds");
		goto done;
	}
	if (st.st_size > 0 && (ret = qs_buf_grow(out, (size_t)st.st_size)) < 0)
		goto done;
	for (;;) {
		ssize_t n;

		if ((ret = qs_buf_grow(out, 65536)) < 0)
			goto done;
		n = read(fd, out->ptr + out->len, out->alloc - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = qs__error_os("cannot read", path);
			goto done;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		/* a file that grows while it is read */
		if (out->len - start > max) {
			ret = too_large(path, max, "holds");
			goto done;
		}
	}
done:
	close(fd);
	return ret;
}

int qs__read_file(qs_buf *out, const char *path)
{
	return qs__read_file_max(out, path, QS_READ_MAX_DEFAULT);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int gunzip(qs_buf *out, const qs_buf *in, const char *path,
		  size_t max)
{
	z_stream z;
	int zret, ret = 0;

	memset(&z, 0, sizeof(z));
	/* 16 + MAX_WBITS: gzip framing; members are concatenated by gzip -c */
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return qs__error_oom();
	z.next_in = (Bytef *)in->ptr;
	z.avail_in = (uInt)in->len;
	do {
		if ((ret = qs_buf_grow(out, 65536)) < 0)
			break;
		z.next_out = (Bytef *)out->ptr + out->len;
		z.avail_out = (uInt)(out->alloc - out->len - 1);
		zret = inflate(&z, Z_NO_FLUSH);
		out->len = (size_t)((char *)z.next_out - out->ptr);
		out->ptr[out->len] = '\0';
		if (out->len > max) {
			ret = too_large(path, max, "inflates to");
			break;
		}
		if (zret == Z_STREAM_END && z.avail_in > 0)
			zret = inflateReset(&z);
		if (zret != Z_OK && zret != Z_STREAM_END) {
			ret = qs__error_set(QS_EPARSE, "%s: corrupt gzip data", path);
			break;
		}
	} while (zret != Z_STREAM_END);
	inflateEnd(&z);
	return ret;
}

static int bunzip2(qs_buf *out, const qs_buf *in, const char *path,
		   size_t max)
{
	bz_stream bz;
	int bret, ret = 0;

	memset(&bz, 0, sizeof(bz));
	if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK)
		return qs__error_oom();
	bz.next_in = in->ptr;
	bz.avail_in = (unsigned int)in->len;
	do {
		if ((ret = qs_buf_grow(out, 65536)) < 0)
			break;
		bz.next_out = out->ptr + out->len;
		bz.avail_out = (unsigned int)(out->alloc - out->len - 1);
		bret = BZ2_bzDecompress(&bz);
		out->len = (size_t)(bz.next_out - out->ptr);
		out->ptr[out->len] = '\0';
		if (out->len > max) {
			ret = too_large(path, max, "inflates to");
			break;
		}
		if (bret != BZ_OK && bret != BZ_STREAM_END) {
			ret = qs__error_set(QS_EPARSE, "%s: corrupt bzip2 data", path);
			break;
		}
		if (bret == BZ_OK && bz.avail_in == 0 && bz.avail_out > 0) {
			ret = qs__error_set(QS_EPARSE, "%s: truncated bzip2 data", path);
			break;
		}
	} while (bret != BZ_STREAM_END);
	BZ2_bzDecompressEnd(&bz);
	return ret;
}

/* The formats of liblzma quilt reads: xz, lzma (lzma -c) and lzip. */
enum lzma_format { XZ, LZMA_ALONE, LZIP };

static int unlzma(qs_buf *out, const qs_buf *in, const char *path,
		  size_t max, enum lzma_format format)
{
	static const char *const names[] = { "xz", "lzma", "lzip" };
	lzma_stream xz = LZMA_STREAM_INIT;
	lzma_ret lret;
	int ret = 0;

	if (format == XZ)
		lret = lzma_stream_decoder(&xz, UINT64_MAX, LZMA_CONCATENATED);
	else if (format == LZMA_ALONE)
		lret = lzma_alone_decoder(&xz, UINT64_MAX);
	else
#if LZMA_VERSION >= 50040002
		lret = lzma_lzip_decoder(&xz, UINT64_MAX, LZMA_CONCATENATED);
#else
		return qs__error_set(QS_EPARSE,
				     "%s: reading lzip needs liblzma 5.4 or later", path);
#endif
	if (lret != LZMA_OK)
		return qs__error_oom();
	xz.next_in = (const uint8_t *)in->ptr;
	xz.avail_in = in->len;
	do {
		if ((ret = qs_buf_grow(out, 65536)) < 0)
			break;
		xz.next_out = (uint8_t *)out->ptr + out->len;
		xz.avail_out = out->alloc - out->len - 1;
		lret = lzma_code(&xz, xz.avail_in ? LZMA_RUN : LZMA_FINISH);
		out->len = (size_t)((char *)xz.next_out - out->ptr);
		out->ptr[out->len] = '\0';
		if (out->len > max) {
			ret = too_large(path, max, "inflates to");
			break;
		}
		if (lret != LZMA_OK && lret != LZMA_STREAM_END) {
			ret = qs__error_set(QS_EPARSE, "%s: corrupt %s data", path,
					    names[format]);
			break;
		}
	} while (lret != LZMA_STREAM_END);
	lzma_end(&xz);
	return ret;
}

static int unxz(qs_buf *out, const qs_buf *in, const char *path,
		size_t max)
{
	return unlzma(out, in, path, max, XZ);
}

static int unlzma_alone(qs_buf *out, const qs_buf *in, const char *path,
		size_t max)
{
	return unlzma(out, in, path, max, LZMA_ALONE);
}

static int unlzip(qs_buf *out, const qs_buf *in, const char *path,
		size_t max)
{
	return unlzma(out, in, path, max, LZIP);
}

int qs__read_file_decompressed(qs_buf *out, const char *path, size_t max)
{
	qs_buf raw = QS_BUF_INIT;
	int (*decode)(qs_buf *, const qs_buf *, const char *, size_t) = NULL;
	int ret;

	if (ends_with(path, ".gz"))
		decode = gunzip;
	else if (ends_with(path, ".bz2"))
		decode = bunzip2;
	else if (ends_with(path, ".xz"))
		decode = unxz;
	else if (ends_with(path, ".lzma"))
		decode = unlzma_alone;
	else if (ends_with(path, ".lz"))
		decode = unlzip;
	if (!decode)
		return qs__read_file_max(out, path, max);
	if ((ret = qs__read_file_max(&raw, path, max)) == 0)
		ret = decode(out, &raw, path, max);
	qs_buf_release(&raw);
	return ret;
}
