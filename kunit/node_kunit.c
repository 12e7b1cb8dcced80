// SPDX-License-Identifier: GPL-2.0-only
/*
 * node_kunit.c - KUnit suite for node placement: gosalloc_alloc_node(),
 * gosalloc_cache_alloc_node(), __GFP_THISNODE, frees of objects of
 * another node, tiny spans and charged spans per node. The cases that
 * move objects between nodes need two nodes with memory and skip on a
 * machine with one (UML, most x86_64 runs); the others run on one node
 * too, where every node asked for is this CPU's.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/nodemask.h>

#include "gosalloc.h"
#include "helpers.h"

/* Objects per class and node in the placement cases. */
#define NODE_TEST_OBJS		3
/* Remote frees in the cross-node case: more than one buffer's worth. */
#define NODE_TEST_REMOTE	(2 * GOSALLOC_REMOTE_BATCH + 5)

/* The node of @p's page: the direct map's, never a vmalloc address. */
static int page_node(const void *p)
{
	return page_to_nid(virt_to_page(p));
}

static void skip_unless_two_nodes(struct kunit *test)
{
	if (num_node_state(N_MEMORY) < 2)
		kunit_skip(test, "needs two nodes with memory");
}

/* A node with memory other than @nid. */
static int other_node(int nid)
{
	int other;

	for_each_node_state(other, N_MEMORY)
		if (other != nid)
			return other;
	return NUMA_NO_NODE;
}

/* @size bytes on @nid with @flags: every object must lie on @nid. */
static void expect_placed(struct kunit *test, size_t size, gfp_t flags,
			  int nid)
{
	void *p[NODE_TEST_OBJS];
	unsigned int i;

	for (i = 0; i < NODE_TEST_OBJS; i++) {
		p[i] = gosalloc_alloc_node(size, flags, nid);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_EQ_MSG(test, page_node(p[i]), nid,
				    "%zu bytes, flags %#x", size,
				    (__force unsigned int)flags);
		memset(p[i], 0xa5, size);
	}
	for (i = 0; i < NODE_TEST_OBJS; i++)
		gosalloc_free(p[i]);
}

static void gosalloc_alloc_node_places_every_class(struct kunit *test)
{
	static const size_t other_sizes[] = { 1, 7, 15, 64 << 10, 1 << 20 };
	unsigned int cls, i;
	int nid;

	skip_unless_two_nodes(test);
	for_each_node_state(nid, N_MEMORY) {
		for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++) {
			expect_placed(test, gosalloc_class_to_size[cls],
				      GFP_KERNEL, nid);
			expect_placed(test, gosalloc_class_to_size[cls],
				      GFP_KERNEL | __GFP_THISNODE, nid);
		}
		for (i = 0; i < ARRAY_SIZE(other_sizes); i++) {
			expect_placed(test, other_sizes[i], GFP_KERNEL, nid);
			expect_placed(test, other_sizes[i],
				      GFP_KERNEL | __GFP_THISNODE, nid);
		}
	}
}

/* The zeroing of __GFP_ZERO holds on the other node's path too. */
static void gosalloc_alloc_node_zeroes(struct kunit *test)
{
	unsigned char *p;
	int nid, i;

	for_each_node_state(nid, N_MEMORY) {
		p = gosalloc_alloc_node(200, GFP_KERNEL, nid);
		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, 0xff, 200);
		gosalloc_free(p);
		p = gosalloc_alloc_node(200, GFP_KERNEL | __GFP_ZERO, nid);
		KUNIT_ASSERT_NOT_NULL(test, p);
		for (i = 0; i < 200; i++)
			if (p[i])
				break;
		KUNIT_EXPECT_EQ(test, i, 200);
		gosalloc_free(p);
	}
}

/*
 * A node that does not exist, or has no memory: NULL with
 * __GFP_THISNODE, memory of some node without. Runs on one node too.
 */
static void gosalloc_alloc_node_thisnode_refuses(struct kunit *test)
{
	int none = nr_node_ids, nid;
	void *p;

	KUNIT_EXPECT_NULL(test, gosalloc_alloc_node(64, GFP_KERNEL |
						    __GFP_THISNODE, none));
	p = gosalloc_alloc_node(64, GFP_KERNEL, none);
	KUNIT_EXPECT_NOT_NULL(test, p);
	gosalloc_free(p);
	for_each_node(nid) {
		if (node_state(nid, N_MEMORY))
			continue;
		KUNIT_EXPECT_NULL(test, gosalloc_alloc_node(64, GFP_KERNEL |
							    __GFP_THISNODE,
							    nid));
		p = gosalloc_alloc_node(64, GFP_KERNEL, nid);
		KUNIT_EXPECT_NOT_NULL(test, p);
		gosalloc_free(p);
	}
	p = gosalloc_alloc_node(64, GFP_KERNEL, NUMA_NO_NODE);
	KUNIT_EXPECT_NOT_NULL(test, p);
	gosalloc_free(p);
}

struct remote_test {
	struct kunit *test;
	int home;		/* the node of the freeing CPU */
	int away;		/* the node the objects lie on */
	void *objs[NODE_TEST_REMOTE];
};

/*
 * On a CPU of node home: objects of node away freed there must not
 * enter this CPU's list, must go back to away's central list (counted
 * as remote frees of away), and away's spans must get them back.
 */
static long remote_free_on_cpu(void *arg)
{
	struct remote_test *t = arg;
	unsigned int cpu = raw_smp_processor_id();
	unsigned int cls = gosalloc_size_to_class(3584);
	struct gosalloc_node_stats before, after;
	unsigned long inuse;
	unsigned int i;

	gosalloc_mcache_drain(cpu);
	for (i = 0; i < NODE_TEST_REMOTE; i++) {
		t->objs[i] = gosalloc_alloc_node(3584, GFP_KERNEL, t->away);
		if (!t->objs[i])
			break;
	}
	KUNIT_EXPECT_EQ(t->test, i, NODE_TEST_REMOTE);
	/* One object per span: each free empties a span of node away. */
	inuse = READ_ONCE(gosalloc_node_heap(t->away)->spans_inuse);
	gosalloc_node_stats(t->away, &before);
	while (i--) {
		KUNIT_EXPECT_EQ(t->test, page_node(t->objs[i]), t->away);
		gosalloc_free(t->objs[i]);
	}
	KUNIT_EXPECT_EQ(t->test, gosalloc_test_count(cpu, cls), 0U);
	gosalloc_node_stats(t->away, &after);
	/* Whole batches went home at once, the rest waits for a drain. */
	KUNIT_EXPECT_EQ(t->test, after.remote_frees - before.remote_frees,
			(unsigned long)(NODE_TEST_REMOTE / GOSALLOC_REMOTE_BATCH *
					GOSALLOC_REMOTE_BATCH));
	gosalloc_mcache_drain(cpu);
	gosalloc_node_stats(t->away, &after);
	KUNIT_EXPECT_EQ(t->test, after.remote_frees - before.remote_frees,
			(unsigned long)NODE_TEST_REMOTE);
	/* All back in away's spans: all but one span went to its heap. */
	KUNIT_EXPECT_LE(t->test,
			READ_ONCE(gosalloc_node_heap(t->away)->spans_inuse) +
			NODE_TEST_REMOTE - 1, inuse);
	return 0;
}

static void gosalloc_free_remote_goes_home(struct kunit *test)
{
	struct remote_test *t;
	unsigned int cpu;

	skip_unless_two_nodes(test);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	for_each_online_cpu(cpu) {
		t->home = cpu_to_mem(cpu);
		t->away = other_node(t->home);
		if (t->away == NUMA_NO_NODE)
			continue;
		gosalloc_test_drain_all();
		gosalloc_test_on_cpu(cpu, remote_free_on_cpu, t);
	}
}

static void gosalloc_cache_alloc_node_places_objects(struct kunit *test)
{
	struct gosalloc_cache *c;
	void *p[NODE_TEST_OBJS * 20];
	unsigned int i;
	int nid;

	skip_unless_two_nodes(test);
	c = gosalloc_cache_create("gosalloc_node_test", 200, 0, 0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	for_each_node_state(nid, N_MEMORY) {
		for (i = 0; i < ARRAY_SIZE(p); i++) {
			p[i] = gosalloc_cache_alloc_node(c, i & 1 ? GFP_KERNEL :
							 GFP_KERNEL |
							 __GFP_THISNODE, nid);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
			KUNIT_EXPECT_EQ(test, page_node(p[i]), nid);
		}
		for (i = 0; i < ARRAY_SIZE(p); i++)
			gosalloc_cache_free(c, p[i]);
	}
	gosalloc_cache_destroy(c);
}

/* The seed's alignment of a tiny object of @size bytes: 8, 4, 2 or 1. */
static unsigned long tiny_align(size_t size)
{
	return min_t(unsigned long, size & -size, 8);
}

/*
 * Tiny objects for a node, this CPU's or another, keep their exact size
 * and alignment, read as zeroes with __GFP_ZERO, lie on the node, and a
 * second free of one is caught, whatever span (owned or not) holds it.
 */
static void gosalloc_alloc_node_tiny_exact(struct kunit *test)
{
	unsigned int max = READ_ONCE(gosalloc_tiny_max);
	u64 doubles;
	size_t size;
	u8 *p;
	int nid;

	if (!max)
		kunit_skip(test, "no tiny sizes (tiny_max=0)");
	for_each_node_state(nid, N_MEMORY) {
		for (size = 1; size <= max; size++) {
			p = gosalloc_alloc_node(size, GFP_KERNEL | __GFP_ZERO,
						nid);
			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_EQ(test, page_node(p), nid);
			KUNIT_EXPECT_TRUE(test, gosalloc_tiny_is_live(p));
			KUNIT_EXPECT_EQ(test, gosalloc_size(p), size);
			KUNIT_EXPECT_EQ(test, (unsigned long)p &
					(tiny_align(size) - 1), 0UL);
			KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, size));
			doubles = gosalloc_stat_read(GOSALLOC_DOUBLE_FREES);
			gosalloc_free(p);
			KUNIT_EXPECT_FALSE(test, gosalloc_tiny_is_live(p));
			gosalloc_free(p);
			KUNIT_EXPECT_EQ(test,
					gosalloc_stat_read(GOSALLOC_DOUBLE_FREES),
					doubles + 1);
		}
	}
}

#define TINY_NODE_OBJS	64

struct tiny_node_test {
	struct kunit *test;
	u8 *objs[TINY_NODE_OBJS];
};

/*
 * On a CPU that gave up its tiny spans: new tiny objects lie on the node
 * its caches serve, though spans of another node with free slots wait
 * on that node's partial list.
 */
static long tiny_alloc_on_cpu(void *arg)
{
	struct tiny_node_test *t = arg;
	unsigned int cpu = raw_smp_processor_id();
	unsigned int i;

	gosalloc_mcache_drain(cpu);
	for (i = 0; i < TINY_NODE_OBJS; i++) {
		t->objs[i] = gosalloc_alloc(4, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(t->test, t->objs[i]);
		KUNIT_EXPECT_EQ(t->test, page_node(t->objs[i]), cpu_to_mem(cpu));
	}
	for (i = 0; i < TINY_NODE_OBJS; i++)
		gosalloc_free(t->objs[i]);
	return 0;
}

static void gosalloc_tiny_spans_stay_on_node(struct kunit *test)
{
	struct tiny_node_test *t;
	u8 *away[2];
	unsigned int cpu, i;
	int other;

	skip_unless_two_nodes(test);
	if (READ_ONCE(gosalloc_tiny_max) < 4)
		kunit_skip(test, "4 bytes are not tiny (tiny_max)");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	for_each_online_cpu(cpu) {
		other = other_node(cpu_to_mem(cpu));
		/* Spans of the other node with free slots. */
		for (i = 0; i < ARRAY_SIZE(away); i++) {
			away[i] = gosalloc_alloc_node(4, GFP_KERNEL, other);
			KUNIT_ASSERT_NOT_NULL(test, away[i]);
			KUNIT_EXPECT_EQ(test, page_node(away[i]), other);
		}
		gosalloc_test_on_cpu(cpu, tiny_alloc_on_cpu, t);
		for (i = 0; i < ARRAY_SIZE(away); i++)
			gosalloc_free(away[i]);
	}
}

/* The node of @p's span, from the span descriptor. */
static int span_node(const void *p)
{
	return gosalloc_span_lookup(p)->node;
}

struct charged_node_test {
	struct kunit *test;
	struct gosalloc_memcg *m;
};

/* Without a node, a set's span of this CPU's node comes first. */
static long charged_local_on_cpu(void *arg)
{
	struct charged_node_test *t = arg;
	int home = cpu_to_mem(raw_smp_processor_id());
	void *p = gosalloc_memcg_set_alloc(t->m, 256, GFP_KERNEL, NUMA_NO_NODE);

	KUNIT_ASSERT_NOT_NULL(t->test, p);
	KUNIT_EXPECT_EQ(t->test, page_node(p), home);
	gosalloc_free(p);
	return 0;
}

/*
 * Charged objects for a node lie on it, taken from the set's span of
 * that node among spans of every node, or from a new span grown there;
 * with __GFP_THISNODE too. The set charges nothing here (memcg_kunit.c
 * says why): the placement is what is tested.
 */
static void gosalloc_memcg_set_alloc_node_places(struct kunit *test)
{
	struct gosalloc_memcg *m = gosalloc_memcg_set_new(NULL, GFP_KERNEL);
	struct charged_node_test t = { .test = test, .m = m };
	unsigned int i, n = 0, cpu;
	size_t size;
	void **p;
	int nid;

	KUNIT_ASSERT_NOT_NULL(test, m);
	p = kunit_kcalloc(test, NODE_TEST_OBJS * 4 * num_node_state(N_MEMORY),
			  sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < NODE_TEST_OBJS * 4; i++) {
		size = i & 1 ? 256 : 4096;
		for_each_node_state(nid, N_MEMORY) {
			p[n] = gosalloc_memcg_set_alloc(m, size, i & 2 ?
							GFP_KERNEL :
							GFP_KERNEL |
							__GFP_THISNODE, nid);
			KUNIT_ASSERT_NOT_NULL(test, p[n]);
			KUNIT_EXPECT_EQ(test, page_node(p[n]), nid);
			KUNIT_EXPECT_EQ(test, span_node(p[n]), nid);
			KUNIT_EXPECT_EQ(test, gosalloc_size(p[n]), size);
			n++;
		}
	}
	for_each_online_cpu(cpu)
		gosalloc_test_on_cpu(cpu, charged_local_on_cpu, &t);
	while (n--)
		gosalloc_free(p[n]);
	KUNIT_EXPECT_TRUE(test, gosalloc_memcg_set_destroy(m));
}

/* Sum the nodes' heap_sys; false if one node's heap_inuse exceeds it. */
static bool node_sums(unsigned long *sys)
{
	struct gosalloc_node_stats ns;
	bool ok = true;
	int nid;

	*sys = 0;
	for_each_node(nid) {
		gosalloc_node_stats(nid, &ns);
		*sys += ns.heap_sys;
		ok &= ns.heap_inuse <= ns.heap_sys;
	}
	return ok;
}

/*
 * The debugfs figures of every node add up to the heaps' total. Read
 * while the scavenger may run: a few tries for one consistent reading.
 */
static void gosalloc_node_stats_add_up(struct kunit *test)
{
	unsigned long sys, total;
	unsigned int try;
	bool ok;

	gosalloc_test_drain_all();
	for (try = 0; try < 5; try++) {
		ok = node_sums(&sys);
		total = gosalloc_heap_sum(pages_sys) << PAGE_SHIFT;
		if (ok && sys == total)
			break;
	}
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, sys, total);
}

static struct kunit_case gosalloc_node_cases[] = {
	KUNIT_CASE(gosalloc_alloc_node_places_every_class),
	KUNIT_CASE(gosalloc_alloc_node_zeroes),
	KUNIT_CASE(gosalloc_alloc_node_thisnode_refuses),
	KUNIT_CASE(gosalloc_free_remote_goes_home),
	KUNIT_CASE(gosalloc_cache_alloc_node_places_objects),
	KUNIT_CASE(gosalloc_alloc_node_tiny_exact),
	KUNIT_CASE(gosalloc_tiny_spans_stay_on_node),
	KUNIT_CASE(gosalloc_memcg_set_alloc_node_places),
	KUNIT_CASE(gosalloc_node_stats_add_up),
	{}
};

static struct kunit_suite gosalloc_node_suite = {
	.name = "gosalloc_node",
	.test_cases = gosalloc_node_cases,
};

kunit_test_suite(gosalloc_node_suite);
