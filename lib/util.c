/* SPDX-License-Identifier: GPL-2.0-only */
#include "internal.h"

#include <stdatomic.h>


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

