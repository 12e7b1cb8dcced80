// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc_fuzz.c - the free fuzzer, reduced, as a client module, for the
 * kselftest gosalloc_fuzz.sh: the KUnit suite gosalloc_fuzz does the full
 * sweep inside a test kernel; this runs in a real kernel, under whatever
 * init_on_alloc and init_on_free it booted with.
 *
 * At load, for every size class (found by asking gosalloc_size() what
 * each request got), for tiny objects and for two large objects, it
 * fills a span with live objects of its own, each with a pattern of its
 * own, then passes pointers into the span's pages to gosalloc_size()
 * and, unless they are the start of a live object, to gosalloc_free():
 * every byte of the span's first and last page (the tail waste is in the
 * last), every eighth byte in between. Exactly the live starts must be
 * accepted, every other call must be counted once in invalid_frees or
 * double_frees, and every live object must keep its pattern. Then it
 * frees its objects; the test checks that the heap is empty after.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "gosalloc.h"
#include "internal.h"

static unsigned long tried;
module_param(tried, ulong, 0444);
MODULE_PARM_DESC(tried, "result: pointers tried");

static unsigned int classes;
module_param(classes, uint, 0444);
MODULE_PARM_DESC(classes, "result: size classes tried");

static unsigned int failures;
module_param(failures, uint, 0444);
MODULE_PARM_DESC(failures, "result: wrong answers, lost reports or overwritten objects");

#define FAIL(fmt, ...) do {					\
	pr_err("FAIL: " fmt "\n", ##__VA_ARGS__);		\
	failures++;						\
} while (0)

static void **live;		/* the live objects in the span tried, sorted */
static unsigned int nlive;

static int ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static bool is_live(const void *p)
{
	return bsearch(&p, live, nlive, sizeof(void *), ptr_cmp);
}

static u8 pattern(const void *p)
{
	return (u8)(((unsigned long)p >> 3) * 0x9e) | 1;
}

static u64 reports(void)
{
	return gosalloc_stat_read(GOSALLOC_INVALID_FREES) +
	       gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
}

/* Try every @step-th byte of [@lo, @hi). Return: reports expected. */
static u64 try_range(unsigned long lo, unsigned long hi, unsigned long step)
{
	unsigned long addr;
	u64 expected = 0;
	void *p;

	for (addr = lo; addr < hi; addr += step) {
		p = (void *)addr;
		tried++;
		if (is_live(p)) {
			if (!gosalloc_size(p))
				FAIL("live object %p refused", p);
			continue;
		}
		if (gosalloc_size(p)) {
			/* Freeing it would corrupt the heap: stop here. */
			FAIL("%p (offset %lu) accepted", p, addr - lo);
			return expected + 1;
		}
		gosalloc_free(p);
		expected += 2;
	}
	return expected;
}

/* Try the span [@base, @base + @bytes) holding the live objects. */
static void try_span(unsigned long base, unsigned long bytes)
{
	unsigned long last = base + bytes - PAGE_SIZE;
	u64 before = reports(), expected;
	unsigned int i;

	for (i = 0; i < nlive; i++)
		memset(live[i], pattern(live[i]), gosalloc_size(live[i]));
	expected = try_range(base, base + PAGE_SIZE, 1);
	if (last > base) {
		expected += try_range(base + PAGE_SIZE, last, 8);
		expected += try_range(last, last + PAGE_SIZE, 1);
	}
	if (reports() - before != expected)
		FAIL("span %#lx: %llu reports for %llu bad calls", base,
		     reports() - before, expected);
	for (i = 0; i < nlive; i++)
		if (memchr_inv(live[i], pattern(live[i]), gosalloc_size(live[i])))
			FAIL("live object %p overwritten", live[i]);
}

/*
 * Allocate @n objects of @size; keep those of one span that holds only
 * ours (all its objects when @whole), free the rest, try the span.
 */
static void try_size(size_t size, unsigned int n, bool whole, void **objs)
{
	unsigned long base = 0, bytes = 0, b, len;
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		objs[i] = gosalloc_alloc(size, GFP_KERNEL);
		if (!objs[i]) {
			FAIL("%zu bytes: allocation failed", size);
			n = i;
			break;
		}
	}
	sort(objs, n, sizeof(void *), ptr_cmp, NULL);
	for (i = 0; i < n && !bytes; i = j) {
		if (!gosalloc_span_range(objs[i], &b, &len))
			break;
		for (j = i; j < n && (unsigned long)objs[j] - b < len; j++)
			;
		if (!whole || j - i == len / gosalloc_size(objs[i])) {
			base = b;
			bytes = len;
		}
	}
	live = objs;
	nlive = 0;
	for (i = 0; i < n; i++) {
		if ((unsigned long)objs[i] - base < bytes)
			objs[nlive++] = objs[i];	/* still sorted */
		else
			gosalloc_free(objs[i]);
	}
	if (!bytes)
		FAIL("%zu bytes: no span holding only our objects", size);
	else
		try_span(base, bytes);
	for (i = 0; i < nlive; i++)
		gosalloc_free(objs[i]);
}

static int __init gosalloc_fuzz_init(void)
{
	unsigned int n = 4096;
	ktime_t start = ktime_get();
	void **objs = kvmalloc_array(n, sizeof(void *), GFP_KERNEL);
	size_t size, got;
	void *p;

	if (!objs)
		return -ENOMEM;
	for (size = 8; size <= SZ_32K; size = got + 1) {
		p = gosalloc_alloc(size, GFP_KERNEL);
		got = gosalloc_size(p);
		gosalloc_free(p);
		if (!got) {
			FAIL("%zu bytes: no object", size);
			break;
		}
		try_size(got, min_t(unsigned int, n,
				    3 * (SZ_32K / got) + 256), true, objs);
		classes++;
	}
	try_size(4, n, false, objs);	/* tiny, if tiny_max allows */
	try_size(SZ_32K + 1, 1, true, objs);
	try_size(SZ_256K + 1, 1, true, objs);
	kvfree(objs);
	pr_info("%u classes, %lu pointers, %u failures, %lld ms\n", classes,
		tried, failures, ktime_ms_delta(ktime_get(), start));
	return 0;
}

static void __exit gosalloc_fuzz_exit(void)
{
}

module_init(gosalloc_fuzz_init);
module_exit(gosalloc_fuzz_exit);

MODULE_DESCRIPTION("gosalloc free fuzzer, reduced: every class, tiny and large objects");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GOSALLOC_INTERNAL);
