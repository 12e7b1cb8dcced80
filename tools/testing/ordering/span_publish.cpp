// SPDX-License-Identifier: GPL-2.0-only
/*
 * span_publish.cpp: a Relacy model of how gosalloc publishes spans and
 * how a lockless pointer check reads them (issue 14, defect 12).
 *
 * gosalloc_free() and gosalloc_size() take any pointer, a foreign one
 * included, and decide without a lock whether it is the start of a live
 * object: gosalloc_span_lookup() reads the arena page (gosalloc_span_slot())
 * and the map slot (gosalloc_span_at_pfn()), checks base and npages,
 * reads the state (gosalloc_span_state()) and, for a span of objects,
 * the geometry (gosalloc_span_object_start()). The heap writes the
 * geometry, then the state, then the slot, under its lock, which the
 * reader does not take. x86 keeps stores in order, and QEMU's TCG on an
 * x86 host keeps the host's order, so no run there shows what an arm64
 * CPU may do: hence a model, checked under the C++11 memory model.
 *
 * The kernel's accesses in the model:
 *   WRITE_ONCE(), READ_ONCE(), plain stores and loads of a field:
 *	memory_order_relaxed
 *   smp_store_release(), smp_load_acquire(): release, acquire
 *   READ_ONCE() of a pointer the reader then dereferences (the arena
 *	page, the map slot): memory_order_consume, which Relacy takes as
 *	acquire. The kernel's memory model orders accesses made through
 *	an address dependency, as rcu_dereference() relies on, and every
 *	later access of the checker goes through that pointer, so acquire
 *	adds no order the kernel lacks.
 * Span fields are relaxed atomics, not Relacy's plain variables, so that
 * a stale read shows up as the wrong decision the checker asserts on.
 *
 * Cases, each a writer and a checker on two CPUs:
 *   state	a free span carved for another size class
 *		(gosalloc_mheap_alloc_node(): gosalloc_central_span_init(),
 *		then the state); the checker reaches the span through a map
 *		slot set long before, so only the state orders its reads
 *   slot	a new chunk adopted straight into use (pages_adopt() with
 *		charged_place(): base and npages, the geometry, the state,
 *		then span_map()/span_set_slot()); the checker finds the
 *		span through the slot
 *   arena	an arena's descriptor page, zeroed by the page allocator,
 *		then published in the arena map (arenas_prepare()); the
 *		checker must not see what the page held before
 *
 * Usage: span_publish current|old state|slot|arena. "old" models the
 * code before the fix, every store WRITE_ONCE() and the state read
 * READ_ONCE(); Relacy must then find a run where the checker sees a span
 * in use without its fields as set. Exit status 0 when the full search
 * finds no failure, 1 when it finds one.
 */
#include <cstring>
#include <relacy/relacy.hpp>

/*
 * The protocol checked, from the command line: the code as it is, or as
 * it was before the fix ("old"), every store WRITE_ONCE() and the state
 * read READ_ONCE(). Set before the search starts, constant during it.
 */
static rl::memory_order publish = rl::mo_release;	/* smp_store_release() */
static rl::memory_order observe = rl::mo_acquire;	/* smp_load_acquire() */

#define PUBLISH	publish, $
#define OBSERVE	observe, $
#define PLAIN	rl::memory_order_relaxed
#define DEPEND	rl::memory_order_consume	/* READ_ONCE(), dereferenced */

/* enum gosalloc_span_state */
enum { SPAN_DEAD, SPAN_FREE, SPAN_SMALL, SPAN_LARGE, SPAN_TINY, SPAN_CACHE,
	SPAN_MEMCG };

static const unsigned long PAGE = 4096;
static const unsigned long BASE = 0x40000;	/* the span's first page */

/* Two classes of gosalloc/sizeclasses.c: 2 (16 bytes) and 5 (48 bytes). */
struct shape {
	unsigned elemsize, nelems;
};
static const shape OLD_CLASS = { 16, 256 };
static const shape NEW_CLASS = { 48, 85 };

/* As tools/sizeclasses/mksizeclasses.py computes it. */
static unsigned divmagic(unsigned size)
{
	return 0xffffffffu / size + 1;
}

struct span {
	rl::atomic<unsigned long> base, npages;
	rl::atomic<unsigned> state;
	rl::atomic<unsigned> elemsize, divmagic, nelems;

	void set(unsigned long b, unsigned long n, unsigned st, shape c)
	{
		base.store(b, PLAIN);
		npages.store(n, PLAIN);
		state.store(st, PLAIN);
		elemsize.store(c.elemsize, PLAIN);
		divmagic.store(c.elemsize ? ::divmagic(c.elemsize) : 0, PLAIN);
		nelems.store(c.nelems, PLAIN);
	}
};

/* One map slot of an arena's descriptor page is enough here. */
struct arena {
	rl::atomic<span *> slot;
};

/* gosalloc_central_span_init(): the geometry of the class. */
static void central_span_init(span *s, shape c)
{
	s->elemsize.store(c.elemsize, PLAIN);
	s->divmagic.store(divmagic(c.elemsize), PLAIN);
	s->nelems.store(c.nelems, PLAIN);
}

/*
 * gosalloc_span_object_start() on @s, whose state the caller read and
 * found a span of objects; asserts what that read must bring with it.
 */
static bool object_start(span *s, unsigned long p, shape want)
{
	unsigned long base = s->base.load(PLAIN);
	unsigned elemsize = s->elemsize.load(PLAIN);
	unsigned magic = s->divmagic.load(PLAIN);
	unsigned nelems = s->nelems.load(PLAIN);
	unsigned idx = ((unsigned long long)(p - base) * magic) >> 32;

	/* A span seen in use is seen with the geometry it was made with. */
	RL_ASSERT(base == BASE && elemsize == want.elemsize &&
		  magic == divmagic(want.elemsize) && nelems == want.nelems);
	return idx * elemsize == p - base && idx < nelems;
}

/*
 * gosalloc_span_lookup() from the slot on: the span if it covers @p. The
 * slot's reader is gosalloc_span_at_pfn(); base and npages are READ_ONCE()
 * through the span pointer.
 */
static span *lookup(rl::atomic<span *> &slot, unsigned long p)
{
	span *s = slot.load(DEPEND);
	unsigned long base;

	if (!s)
		return nullptr;
	base = s->base.load(PLAIN);
	if (p < base || p - base >= s->npages.load(PLAIN) * PAGE)
		return nullptr;
	return s;
}

/*
 * The pointer checked: the start of object 1 of the old class, inside
 * object 0 of the new one; any answer but "no object" frees the wrong
 * memory.
 */
static const unsigned long PROBE = BASE + 16;

struct state_case : rl::test_suite<state_case, 2> {
	span s;
	arena a;

	void before()
	{
		/* A free run that was a span of the old class. */
		s.set(BASE, 1, SPAN_FREE, OLD_CLASS);
		a.slot.store(&s, PLAIN);
	}

	void thread(unsigned cpu)
	{
		if (cpu == 0) {
			/* gosalloc_mheap_alloc_node(), heap.lock held */
			central_span_init(&s, NEW_CLASS);
			s.state.store(SPAN_SMALL, PUBLISH);
			/* span_map() rewrites the same slot: nothing new. */
			return;
		}
		/* gosalloc_free(PROBE): small_object() */
		span *sp = lookup(a.slot, PROBE);

		if (sp && sp->state.load(OBSERVE) == SPAN_SMALL)
			RL_ASSERT(!object_start(sp, PROBE, NEW_CLASS));
	}
};

struct slot_case : rl::test_suite<slot_case, 2> {
	span s;
	arena a;

	void before()
	{
		/*
		 * A dead descriptor, with the fields of the span it last
		 * was, which covered PROBE too.
		 */
		s.set(BASE - PAGE, 2, SPAN_DEAD, OLD_CLASS);
		a.slot.store(nullptr, PLAIN);
	}

	void thread(unsigned cpu)
	{
		if (cpu == 0) {
			/* pages_adopt(), heap.lock held: span_new() zeroes it */
			s.set(0, 0, SPAN_DEAD, shape{ 0, 0 });
			s.base.store(BASE, PLAIN);
			s.npages.store(1, PLAIN);
			/* charged_place() */
			central_span_init(&s, NEW_CLASS);
			s.state.store(SPAN_MEMCG, PUBLISH);
			/* span_map(): span_set_slot() */
			a.slot.store(&s, PUBLISH);
			return;
		}
		/*
		 * gosalloc_free(PROBE). span_set_slot() promises that a
		 * span found through the slot is seen as set: the range
		 * gosalloc_span_lookup() checks, and the state free_span()
		 * decides by.
		 */
		span *sp = a.slot.load(DEPEND);

		if (!sp)
			return;
		RL_ASSERT(sp->base.load(PLAIN) == BASE &&
			  sp->npages.load(PLAIN) == 1);
		RL_ASSERT(sp->state.load(OBSERVE) == SPAN_MEMCG);
		RL_ASSERT(!object_start(sp, PROBE, NEW_CLASS));
	}
};

struct arena_case : rl::test_suite<arena_case, 2> {
	span junk;			/* what the page's last owner left */
	arena page;
	rl::atomic<arena *> arenas_i;	/* gosalloc_arena_map->arenas[i] */

	void before()
	{
		page.slot.store(&junk, PLAIN);
		arenas_i.store(nullptr, PLAIN);
	}

	void thread(unsigned cpu)
	{
		if (cpu == 0) {
			/* arenas_prepare(): alloc_page(__GFP_ZERO), then map */
			page.slot.store(nullptr, PLAIN);
			arenas_i.store(&page, PUBLISH);
			return;
		}
		/* gosalloc_span_slot(), then gosalloc_span_at_pfn() */
		arena *ap = arenas_i.load(DEPEND);

		if (ap)
			RL_ASSERT(ap->slot.load(DEPEND) != &junk);
	}
};

/*
 * The full search: every interleaving, and for every load each store it
 * may read. Relacy remembers the last three stores to each atomic, so no
 * field here is stored more than three times, its initial value included.
 */
template <typename T> static int check(void)
{
	rl::test_params params;

	params.search_type = rl::sched_full;
	return rl::simulate<T>(params) ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *name = argc == 3 ? argv[2] : "";

	if (argc == 3 && !strcmp(argv[1], "old")) {
		publish = rl::mo_relaxed;	/* WRITE_ONCE() */
		observe = rl::mo_relaxed;	/* READ_ONCE() */
	} else if (argc != 3 || strcmp(argv[1], "current")) {
		name = "";
	}
	if (!strcmp(name, "state"))
		return check<state_case>();
	if (!strcmp(name, "slot"))
		return check<slot_case>();
	if (!strcmp(name, "arena"))
		return check<arena_case>();
	fprintf(stderr, "usage: %s current|old state|slot|arena\n", argv[0]);
	return 2;
}
