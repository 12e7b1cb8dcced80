// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc_misuse.c - a client that uses gosalloc wrongly, on purpose, for
 * the kselftest gosalloc_misuse.sh.
 *
 * At load it passes gosalloc every kind of bad pointer and bad size, each
 * bad free from a call site of its own, twice (gosalloc reports a call
 * site once and counts every call). With corrupt=1, for a gosalloc loaded with
 * debug=1, it also writes one byte past an object and writes to an object
 * after freeing it. It prints the objects it corrupts, so that the test
 * can match them with gosalloc's reports, and frees every object it
 * allocated that is not lost to a corruption; everything is done before
 * the load returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include <gosalloc.h>

static bool corrupt;
module_param(corrupt, bool, 0444);
MODULE_PARM_DESC(corrupt, "also overflow an object and write after free (for gosalloc debug=1)");

static unsigned int checks_failed;
module_param(checks_failed, uint, 0444);
MODULE_PARM_DESC(checks_failed, "result: defined results that did not hold");

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		pr_err("check failed: %s\n", #cond);			\
		checks_failed++;					\
	}								\
} while (0)

/*
 * Free @p twice from one call site: one report, two counts. The count is
 * read at run time, so that the compiler cannot unroll the loop into two
 * call sites.
 */
static unsigned int twice = 2;

#define free_twice(p) do {						\
	unsigned int __i;						\
									\
	for (__i = 0; __i < READ_ONCE(twice); __i++)			\
		gosalloc_free(p);					\
} while (0)

static noinline void bad_frees(void)
{
	char on_stack[64] = "";
	void *kmem = kmalloc(64, GFP_KERNEL);
	u8 *live = gosalloc_alloc(100, GFP_KERNEL);
	u8 *obj = gosalloc_alloc(100, GFP_KERNEL);
	u8 *large = gosalloc_alloc(SZ_64K, GFP_KERNEL);
	u8 *tiny = gosalloc_alloc(3, GFP_KERNEL);

	if (!kmem || !live || !obj || !large || !tiny) {
		pr_err("allocation failed\n");
		checks_failed++;
		goto out;
	}
	memset(live, 0x5a, 100);
	pr_info("invalid frees: kmalloc'ed %p, stack %p, inside %p, inside large %p\n",
		kmem, on_stack, obj + 8, large + PAGE_SIZE);
	free_twice(kmem);
	free_twice(on_stack);
	free_twice(obj + 8);
	free_twice(large + PAGE_SIZE);
	CHECK(gosalloc_size(obj + 16) == 0);
	CHECK(!gosalloc_realloc(obj + 24, 300, GFP_KERNEL));

	pr_info("double frees: small %p, large %p, tiny %p\n", obj, large,
		tiny);
	gosalloc_free(obj);
	gosalloc_free(obj);	/* caught: the CPU cache's latest object */
	gosalloc_free(large);
	gosalloc_free(large);
	gosalloc_free(tiny);
	gosalloc_free(tiny);

	CHECK(!memchr_inv(live, 0x5a, 100));
out:
	gosalloc_free(live);
	kfree(kmem);
}

static void bad_sizes(void)
{
	void *p, *bulk[4];

	p = gosalloc_alloc(0, GFP_KERNEL);
	CHECK(ZERO_OR_NULL_PTR(p) && p);
	gosalloc_free(p);
	CHECK(!gosalloc_alloc(SIZE_MAX, GFP_KERNEL));
	CHECK(!gosalloc_alloc((size_t)SZ_1G * 4, GFP_KERNEL));
	CHECK(!gosalloc_alloc_array(SIZE_MAX / 2, 3, GFP_KERNEL));
	CHECK(!gosalloc_alloc_bulk(SIZE_MAX, GFP_KERNEL, ARRAY_SIZE(bulk),
				   bulk));
	p = gosalloc_alloc(50, GFP_KERNEL);
	CHECK(p);
	CHECK(!gosalloc_realloc(p, SIZE_MAX, GFP_KERNEL));
	CHECK(gosalloc_realloc(p, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
}

/*
 * The callers the debug-mode reports must name. noipa keeps the compiler
 * from merging functions with identical bodies.
 */
static noinline __attribute__((__noipa__)) u8 *misuse_overflow_alloc(void)
{
	u8 *p = gosalloc_alloc(100, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(p);
	return p;
}

static noinline __attribute__((__noipa__)) void misuse_overflow_free(u8 *p)
{
	gosalloc_free(p);
	barrier();
}

static noinline __attribute__((__noipa__)) u8 *misuse_uaf_alloc(void)
{
	u8 *p = gosalloc_alloc(200, GFP_ATOMIC);

	OPTIMIZER_HIDE_VAR(p);
	return p;
}

static noinline __attribute__((__noipa__)) void misuse_uaf_free(u8 *p)
{
	gosalloc_free(p);
	barrier();
}

static noinline __attribute__((__noipa__)) void misuse_double_free(void *p)
{
	gosalloc_free(p);
	barrier();
}

static void corruptions(void)
{
	u8 *p, *q;
	void *a, *b;

	p = misuse_overflow_alloc();
	if (!p)
		return;
	pr_info("overflow: object %p, one byte written at offset 100\n", p);
	p[100] = 0x41;
	misuse_overflow_free(p);

	/* Same CPU throughout, so that the next allocation reuses p. */
	get_cpu();
	p = misuse_uaf_alloc();
	if (p) {
		misuse_uaf_free(p);
		p[60] = 0x41;
		q = gosalloc_alloc(200, GFP_ATOMIC);
		put_cpu();
		pr_info("write after free: object %p, offset 60; reallocated %p\n",
			p, q);
		gosalloc_free(q);
	} else {
		put_cpu();
	}

	/* A double free that is not the CPU cache's latest object. */
	a = gosalloc_alloc(64, GFP_KERNEL);
	b = gosalloc_alloc(64, GFP_KERNEL);
	if (!a || !b)
		return;
	pr_info("double free in debug mode: object %p\n", a);
	misuse_double_free(a);
	gosalloc_free(b);
	misuse_double_free(a);
}

static int __init gosalloc_misuse_init(void)
{
	bad_frees();
	bad_sizes();
	if (corrupt)
		corruptions();
	pr_info("done, %u checks failed\n", checks_failed);
	return 0;
}

static void __exit gosalloc_misuse_exit(void)
{
}

module_init(gosalloc_misuse_init);
module_exit(gosalloc_misuse_exit);

MODULE_DESCRIPTION("gosalloc misuse test: bad pointers, bad sizes, corruptions");
MODULE_LICENSE("GPL");
