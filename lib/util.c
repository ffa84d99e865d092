/* SPDX-License-Identifier: GPL-2.0-only */
#include "internal.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

/*
 * Allocation-failure injection, for the tests that walk every error
 * path (t/unit/test-alloc.c). It is compiled into every build so that
 * the test needs no special one; unarmed, an allocation pays one relaxed
 * load of `fail_at` and a branch that is always predicted, next to a
 * malloc() that costs tens of times more.
 *
 * Builds allocate from several threads. `fail_at` and `seen` are atomic
 * so that each allocation gets its own number and exactly one of them
 * fails; which thread's allocation that is depends on scheduling, as
 * with a real shortage. Relaxed order is enough: the numbers matter,
 * not what else the threads see through them, and the threads a build
 * starts after arming see the armed value through pthread_create().
 */
static atomic_long fail_at;	/* 0: unarmed; else the number that fails */
static atomic_long seen;	/* allocations numbered since arming */
static _Atomic(qs__alloc_observer_fn) observer;

void qs__alloc_observe(qs__alloc_observer_fn fn)
{
	atomic_store_explicit(&observer, fn, memory_order_relaxed);
}

void qs__alloc_fail_after(long n)
{
	atomic_store_explicit(&fail_at, 0, memory_order_relaxed);
	atomic_store_explicit(&seen, 0, memory_order_relaxed);
	if (n > 0)
		atomic_store_explicit(&fail_at, n, memory_order_relaxed);
}

long qs__alloc_count(void)
{
	return atomic_load_explicit(&seen, memory_order_relaxed);
}

/* Whether this allocation is the one to fail; sets errno as malloc would. */
static bool injected_failure(void)
{
	long at = atomic_load_explicit(&fail_at, memory_order_relaxed);
	qs__alloc_observer_fn fn;
	long n;

	if (__builtin_expect(at == 0, 1))
		return false;
	n = atomic_fetch_add_explicit(&seen, 1, memory_order_relaxed) + 1;
	fn = atomic_load_explicit(&observer, memory_order_relaxed);
	if (fn)
		fn(n);
	if (n != at)
		return false;
	errno = ENOMEM;
	return true;
}

void *qs__malloc(size_t size)
{
	void *p = injected_failure() ? NULL : malloc(size ? size : 1);

	if (!p)
		qs__error_oom();
	return p;
}

void *qs__calloc(size_t n, size_t size)
{
	void *p = injected_failure() ? NULL : calloc(n ? n : 1, size ? size : 1);

	if (!p)
		qs__error_oom();
	return p;
}

void *qs__reallocarray(void *ptr, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		qs__error_oom();
		return NULL;
	}
	p = injected_failure() ? NULL : realloc(ptr, n && size ? n * size : 1);
	if (!p)
		qs__error_oom();
	return p;
}

char *qs__strndup(const char *s, size_t n)
{
	char *p = qs__malloc(n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *qs__strdup(const char *s)
{
	return qs__strndup(s, strlen(s));
}

long long qs__days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int qs__array_grow(void **array, size_t *alloc, size_t need, size_t size)
{
	size_t n;
	void *p;

	if (need <= *alloc)
		return 0;
	n = *alloc < 8 ? 8 : *alloc;
	while (n < need)
		n = n > SIZE_MAX / 3 ? need : n + n / 2;
	p = qs__reallocarray(*array, n, size);
	if (!p)
		return QS_ENOMEM;
	*array = p;
	*alloc = n;
	return 0;
}

int qs__read_file(qs_buf *out, const char *path)
{
	struct stat st;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return qs__error_os("cannot open", path);
	if (fstat(fd, &st) < 0) {
		ret = qs__error_os("cannot stat", path);
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = qs__error_set(QS_EIO, "cannot read '%s': is a directory",
				    path);
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
	}
done:
	close(fd);
	return ret;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int gunzip(qs_buf *out, const qs_buf *in, const char *path)
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

static int bunzip2(qs_buf *out, const qs_buf *in, const char *path)
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
		  enum lzma_format format)
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
		if (lret != LZMA_OK && lret != LZMA_STREAM_END) {
			ret = qs__error_set(QS_EPARSE, "%s: corrupt %s data", path,
					    names[format]);
			break;
		}
	} while (lret != LZMA_STREAM_END);
	lzma_end(&xz);
	return ret;
}

static int unxz(qs_buf *out, const qs_buf *in, const char *path)
{
	return unlzma(out, in, path, XZ);
}

static int unlzma_alone(qs_buf *out, const qs_buf *in, const char *path)
{
	return unlzma(out, in, path, LZMA_ALONE);
}

static int unlzip(qs_buf *out, const qs_buf *in, const char *path)
{
	return unlzma(out, in, path, LZIP);
}

int qs__read_file_decompressed(qs_buf *out, const char *path)
{
	qs_buf raw = QS_BUF_INIT;
	int (*decode)(qs_buf *, const qs_buf *, const char *) = NULL;
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
		return qs__read_file(out, path);
	if ((ret = qs__read_file(&raw, path)) == 0)
		ret = decode(out, &raw, path);
	qs_buf_release(&raw);
	return ret;
}
