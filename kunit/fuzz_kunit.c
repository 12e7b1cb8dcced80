// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_kunit.c - KUnit suite gosalloc_fuzz: gosalloc_free() and
 * gosalloc_size() on every byte of a span's pages.
 *
 * For each size class, for tiny objects and for both kinds of large
 * object, a span is filled with live objects of the test's own, each
 * holding a pattern of its own. Then every byte offset of the span's
 * pages is passed to gosalloc_size() and, unless it is the start of a
 * live object, to gosalloc_free(): exactly the starts of live objects
 * must be accepted, every other pointer must be reported (counted in
 * invalid_frees or double_frees), the heap's other statistics must not
 * move, and every live object must keep its pattern. The same pages are
 * tried again once the objects are freed and the span is back in the
 * heap, and once its pages went back to the page allocator; so are the
 * pages around the span's 1 MiB chunk, and the metadata pages that
 * describe it.
 *
 * Within a span gosalloc does not promise to catch a second free of an
 * object that is free but not the most recent free object of its CPU
 * (Documentation/debugging.rst), so the spans tried hold live objects
 * only.
 */
#include <kunit/test.h>
#include <linux/bsearch.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "gosalloc.h"
#include "helpers.h"

struct fuzz {
	struct kunit *test;
	void **live;		/* the live objects in the pages tried, sorted */
	unsigned int nlive;
	u64 reported;		/* calls that must have been reported */
	u64 tried;		/* pointers tried */
	bool failed;		/* stop at the first wrong answer */
};

/* The statistics a rejected pointer must not move. */
static const enum gosalloc_stat fuzz_still[] = {
	GOSALLOC_HEAP_ALLOC, GOSALLOC_MALLOCS, GOSALLOC_FREES,
	GOSALLOC_LARGE_ALLOCS, GOSALLOC_LARGE_FREES,
};

static u64 fuzz_reports(void)
{
	return gosalloc_stat_read(GOSALLOC_INVALID_FREES) +
	       gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
}

static int ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static bool fuzz_is_live(const struct fuzz *f, const void *p)
{
	return f->nlive && bsearch(&p, f->live, f->nlive, sizeof(void *),
				   ptr_cmp);
}

/* A byte of object @p's own pattern, different for every object. */
static u8 fuzz_pattern(const void *p)
{
	return (u8)(((unsigned long)p >> 3) * 0x9e) | 1;
}

static void fuzz_fill(struct fuzz *f)
{
	unsigned int i;

	for (i = 0; i < f->nlive; i++)
		memset(f->live[i], fuzz_pattern(f->live[i]),
		       gosalloc_size(f->live[i]));
}

static void fuzz_check_patterns(struct fuzz *f)
{
	unsigned int i;
	void *p;

	for (i = 0; i < f->nlive; i++) {
		p = f->live[i];
		KUNIT_EXPECT_NULL_MSG(f->test,
				      memchr_inv(p, fuzz_pattern(p),
						 gosalloc_size(p)),
				      "live object %p overwritten", p);
	}
}

/*
 * Try every @step-th byte of [@lo, @hi): accepted exactly at live starts.
 * With @outside, skip addresses of spans in use: they are not ours.
 */
static void fuzz_range(struct fuzz *f, unsigned long lo, unsigned long hi,
		       unsigned long step, bool outside)
{
	struct gosalloc_span *s;
	unsigned long addr;
	void *p;

	for (addr = lo; addr < hi && !f->failed; addr += step) {
		p = (void *)addr;
		f->tried++;
		if (fuzz_is_live(f, p)) {
			KUNIT_EXPECT_NE_MSG(f->test, gosalloc_size(p), 0,
					    "live object %p refused", p);
			continue;
		}
		s = gosalloc_span_lookup(p);
		if (outside && s && gosalloc_span_state(s) != GOSALLOC_SPAN_FREE &&
		    gosalloc_span_state(s) != GOSALLOC_SPAN_DEAD)
			continue;	/* a span in use, not ours */
		if (gosalloc_size(p)) {
			/* Freeing it would corrupt the heap: stop here. */
			KUNIT_FAIL(f->test, "%p (span %p) accepted", p, s);
			f->failed = true;
			return;
		}
		gosalloc_free(p);
		f->reported += 2;
	}
}

/*
 * Try the pages of a span [@base, @base + @bytes) with its live objects,
 * the pages around its chunk, and the metadata that maps and describes
 * it; check the reports and the statistics.
 */
static void fuzz_span_pages(struct fuzz *f, unsigned long base,
			    unsigned long bytes, unsigned long step)
{
	unsigned long chunk = ALIGN_DOWN(base, SZ_1M);
	struct gosalloc_span *s = gosalloc_span_lookup((void *)base);
	struct gosalloc_arena *arena = NULL;
	u64 still[ARRAY_SIZE(fuzz_still)], reports = fuzz_reports();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fuzz_still); i++)
		still[i] = gosalloc_stat_read(fuzz_still[i]);
	f->reported = 0;
	fuzz_range(f, base, base + bytes, step, false);
	if (chunk >= PAGE_OFFSET + PAGE_SIZE)
		fuzz_range(f, chunk - PAGE_SIZE, chunk, 8, true);
	fuzz_range(f, chunk + SZ_1M, chunk + SZ_1M + PAGE_SIZE, 8, true);
	if (s && gosalloc_arena_map) {
		unsigned long pfn = gosalloc_addr_to_pfn(base);

		arena = gosalloc_arena_map->arenas[pfn >> GOSALLOC_ARENA_SHIFT];
		fuzz_range(f, (unsigned long)s & PAGE_MASK,
			   ((unsigned long)s & PAGE_MASK) + PAGE_SIZE, 8, false);
	}
	if (arena)
		fuzz_range(f, (unsigned long)arena,
			   (unsigned long)arena + sizeof(*arena), 8, false);
	KUNIT_EXPECT_EQ(f->test, fuzz_reports() - reports, f->reported);
	for (i = 0; i < ARRAY_SIZE(fuzz_still); i++) {
		if (gosalloc_test_heap_shared())
			break;	/* the kernel's kmalloc moves them too */
		KUNIT_EXPECT_EQ_MSG(f->test, gosalloc_stat_read(fuzz_still[i]),
				    still[i], "%s moved",
				    gosalloc_stat_names[fuzz_still[i]]);
	}
	fuzz_check_patterns(f);
}

/* The same pages once free in the heap, then once given back. */
static void fuzz_gone(struct fuzz *f, unsigned long base, unsigned long bytes)
{
	f->nlive = 0;
	gosalloc_test_drain_all();
	gosalloc_mcentral_trim();
	fuzz_span_pages(f, base, bytes, 4);
	gosalloc_mheap_release(ULONG_MAX, 0);
	fuzz_span_pages(f, base, bytes, 4);
}

static void fuzz_report(struct fuzz *f, const char *what, unsigned int arg,
			ktime_t start)
{
	kunit_info(f->test, "%s %u: %llu pointers in %lld ms\n", what, arg,
		   f->tried, ktime_ms_delta(ktime_get(), start));
}

/*
 * Allocate objects of class @cls until one span holds only ours; keep
 * those, free the rest. Return: the span's base, or 0.
 */
static unsigned long fuzz_fill_span(struct fuzz *f, unsigned int cls,
				    void **objs, unsigned int n)
{
	unsigned int nelems = gosalloc_class_to_nobjs[cls], i, run = 0;
	unsigned long base = 0, span;

	for (i = 0; i < n; i++) {
		objs[i] = gosalloc_alloc(gosalloc_class_to_size[cls], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(f->test, objs[i]);
	}
	sort(objs, n, sizeof(void *), ptr_cmp, NULL);
	for (i = 0; i < n && !base; i++) {
		span = gosalloc_span_lookup(objs[i])->base;
		run = i && span == gosalloc_span_lookup(objs[i - 1])->base ?
		      run + 1 : 1;
		if (run == nelems)
			base = span;
	}
	f->live = objs;
	f->nlive = 0;
	for (i = 0; i < n; i++) {
		if (gosalloc_span_lookup(objs[i])->base == base)
			objs[f->nlive++] = objs[i];	/* still sorted */
		else
			gosalloc_free(objs[i]);
	}
	return base;
}

static void fuzz_tiny_max_restore(void *max)
{
	gosalloc_tiny_set_max((unsigned long)max);
}

static void gosalloc_free_fuzz_size_classes(struct kunit *test)
{
	unsigned int cls, n, i, max;
	unsigned long base, bytes;
	struct fuzz f = { .test = test };
	ktime_t start;
	void **objs;

	/* Every class, the 8-byte one included, as gosalloc_alloc() sees it. */
	max = gosalloc_tiny_set_max(GOSALLOC_TINY_MAX_DEFAULT);
	gosalloc_test_defer(test, fuzz_tiny_max_restore,
			    (void *)(unsigned long)max);
	for (cls = 1; cls < GOSALLOC_NR_CLASSES && !f.failed; cls++) {
		start = ktime_get();
		f.tried = 0;
		n = 3 * gosalloc_class_to_nobjs[cls] +
		    2 * gosalloc_class_batch[cls];
		objs = kvmalloc_array(n, sizeof(void *), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs);
		base = fuzz_fill_span(&f, cls, objs, n);
		KUNIT_EXPECT_NE_MSG(test, base, 0UL, "class %u: no span", cls);
		bytes = (unsigned long)gosalloc_class_to_npages[cls] << PAGE_SHIFT;
		if (base) {
			fuzz_fill(&f);
			fuzz_span_pages(&f, base, bytes, 1);
		}
		for (i = 0; i < f.nlive; i++)
			gosalloc_free(objs[i]);
		if (base)
			fuzz_gone(&f, base, bytes);
		kvfree(objs);
		fuzz_report(&f, "class", cls, start);
	}
}

/* Tiny objects of @size bytes, in a span full of them. */
static void fuzz_tiny_size(struct kunit *test, size_t size)
{
	unsigned int n = 3 * gosalloc_tiny_slots(size), i;
	struct fuzz f = { .test = test };
	ktime_t start = ktime_get();
	unsigned long base;
	void **objs;

	objs = kvmalloc_array(n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		objs[i] = gosalloc_alloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	sort(objs, n, sizeof(void *), ptr_cmp, NULL);
	base = gosalloc_span_lookup(objs[n / 2])->base;
	f.live = objs;
	for (i = 0; i < n; i++) {
		if (gosalloc_span_lookup(objs[i])->base == base)
			objs[f.nlive++] = objs[i];
		else
			gosalloc_free(objs[i]);
	}
	fuzz_fill(&f);
	fuzz_span_pages(&f, base, PAGE_SIZE, 1);
	for (i = 0; i < f.nlive; i++)
		gosalloc_free(objs[i]);
	fuzz_gone(&f, base, PAGE_SIZE);
	kvfree(objs);
	fuzz_report(&f, "tiny span, live objects of size", size, start);
}

/* Tiny objects of a few sizes up to 15 bytes, each in a span of its own. */
static void gosalloc_free_fuzz_tiny(struct kunit *test)
{
	static const u8 sizes[] = { 1, 3, 4, 6, 8, 15 };
	unsigned int i;

	if (gosalloc_test_heap_shared())
		kunit_skip(test, "kernel mode: no tiny objects (kmalloc's alignment)");
	gosalloc_test_defer(test, fuzz_tiny_max_restore,
			    (void *)(unsigned long)gosalloc_tiny_set_max(15));
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		fuzz_tiny_size(test, sizes[i]);
}

/* A large object of a heap span, and one with pages of its own. */
static void gosalloc_free_fuzz_large(struct kunit *test)
{
	static const size_t sizes[] = {
		SZ_32K + 1, (GOSALLOC_DIRECT_PAGES << PAGE_SHIFT) + 1,
	};
	struct fuzz f = { .test = test };
	unsigned long bytes;
	ktime_t start;
	unsigned int i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		start = ktime_get();
		f.tried = 0;
		p = gosalloc_alloc(sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		bytes = gosalloc_size(p);
		f.live = &p;
		f.nlive = 1;
		fuzz_fill(&f);
		fuzz_span_pages(&f, (unsigned long)p, bytes, 1);
		gosalloc_free(p);
		fuzz_gone(&f, (unsigned long)p, bytes);
		fuzz_report(&f, "large object of bytes", sizes[i], start);
	}
}

static struct kunit_case gosalloc_fuzz_cases[] = {
	KUNIT_CASE_SLOW(gosalloc_free_fuzz_size_classes),
	KUNIT_CASE(gosalloc_free_fuzz_tiny),
	KUNIT_CASE(gosalloc_free_fuzz_large),
	{}
};

static struct kunit_suite gosalloc_fuzz_suite = {
	.name = "gosalloc_fuzz",
	.test_cases = gosalloc_fuzz_cases,
};

kunit_test_suite(gosalloc_fuzz_suite);
