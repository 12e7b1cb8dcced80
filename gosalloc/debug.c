// SPDX-License-Identifier: GPL-2.0-only
/*
 * debug.c - what gosalloc does for the code that uses it wrongly: bad
 * pointer reports, debug mode, sanitizer hooks and fault injection; see
 * malloc.c for the overview and Documentation/design.rst for the costs.
 *
 * Bad pointers. A free of a pointer gosalloc did not hand out, or of one
 * freed already, is counted in stats and reported once per call site: a
 * small table of the call sites reported so far keeps a buggy loop from
 * flooding the log.
 *
 * Debug mode (module parameter debug=1, read at load). Small objects get
 * a red zone and a trailer (debug.h) that records their callers and
 * state. A freed object is filled with POISON_FREE and checked when it is
 * handed out again; its red zone (POISON_INUSE) is checked when it is
 * freed; every double free is caught, as the trailer's state says whether
 * the object is live. A corruption is reported with the object, its class
 * and the callers that allocated and freed it. Large objects keep their
 * normal layout: their double and invalid frees are caught in every mode.
 *
 * Sanitizers. In a kernel with generic KASAN, gosalloc poisons the shadow
 * of what it holds free and of the bytes past each object's requested
 * size, so that KASAN reports a use-after-free or an out-of-bounds access
 * to a gosalloc object. Tiny objects (1 to 7 bytes, sharing 8-byte KASAN
 * granules) are not poisoned. In a kernel with kmemleak, every object is
 * registered, as slab objects are, so that leaked gosalloc objects are
 * reported and pointers stored in them are followed.
 *
 * This file is built without KASAN instrumentation: it reads and writes
 * objects that KASAN sees as freed.
 *
 * Fault injection. debugfs fail_probability, fail_interval and fail_times
 * mean what the kernel's fault-injection attributes probability, interval
 * and times mean: with probability P and interval N, every Nth allocation
 * fails with probability P percent, until "times" failures were injected.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kasan.h>
#include <linux/kmemleak.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/poison.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/ratelimit.h>
#include <kunit/visibility.h>

#include "internal.h"

static bool debug;
module_param(debug, bool, 0444);
MODULE_PARM_DESC(debug, "poison, red zones and caller tracking for small objects (default: off)");

DEFINE_STATIC_KEY_FALSE(gosalloc_debug);
EXPORT_SYMBOL_IF_KUNIT(gosalloc_debug);
DEFINE_STATIC_KEY_FALSE(gosalloc_hooks);
EXPORT_SYMBOL_IF_KUNIT(gosalloc_hooks);

u16 gosalloc_link_offset[GOSALLOC_NR_CLASSES + 1];
EXPORT_SYMBOL_IF_KUNIT(gosalloc_link_offset);

struct gosalloc_debug_report gosalloc_last_report;
EXPORT_SYMBOL_IF_KUNIT(gosalloc_last_report);

#define GOSALLOC_DEBUG_LIVE	0x4c495645	/* "LIVE" */
#define GOSALLOC_DEBUG_FREE	0x46524545	/* "FREE" */

/* ---- Bad pointers, reported once per call site ---- */

#define GOSALLOC_REPORT_SITES_SHIFT	7
static unsigned long reported_sites[1 << GOSALLOC_REPORT_SITES_SHIFT];
static DEFINE_RATELIMIT_STATE(full_table_ratelimit, 5 * HZ, 10);

/* Is this the first report from @caller? Lock free, any context. */
static bool first_report_from(unsigned long caller)
{
	unsigned int i, mask = ARRAY_SIZE(reported_sites) - 1;
	unsigned int h = hash_long(caller, GOSALLOC_REPORT_SITES_SHIFT);
	unsigned long *slot, seen;

	for (i = 0; i <= mask; i++) {
		slot = &reported_sites[(h + i) & mask];
		seen = READ_ONCE(*slot);
		if (!seen) {
			seen = cmpxchg(slot, 0, caller);
			if (!seen)
				return true;	/* this call claimed the slot */
		}
		if (seen == caller)
			return false;
	}
	return __ratelimit(&full_table_ratelimit);	/* the table is full */
}

/**
 * gosalloc_bad_pointer() - count and report a bad free
 * @p: the pointer
 * @caller: the caller of the gosalloc function it was passed to
 * @kind: GOSALLOC_INVALID_FREES or GOSALLOC_DOUBLE_FREES
 *
 * Context: any context.
 */
void gosalloc_bad_pointer(const void *p, unsigned long caller,
			  enum gosalloc_stat kind)
{
	gosalloc_stats_event(kind);
	if (first_report_from(caller))
		pr_err("%s: %p passed by %pS; ignored (reported once per call site)\n",
		       kind == GOSALLOC_DOUBLE_FREES ? "double free" :
		       "pointer not from gosalloc", p, (void *)caller);
}

/**
 * gosalloc_refuse_gfp() - report a request gosalloc does not serve
 * @flags: its gfp flags, asking for a DMA zone (GOSALLOC_GFP_REFUSED)
 * @caller: the caller of the gosalloc function
 *
 * Context: any context.
 */
void gosalloc_refuse_gfp(gfp_t flags, unsigned long caller)
{
	if (first_report_from(caller))
		pr_warn("%pGg from %pS: gosalloc serves no DMA zone, request refused (reported once per call site)\n",
			&flags, (void *)caller);
}

/* ---- Debug mode ---- */

static __always_inline struct gosalloc_debug_track *track_of(const void *obj,
							     unsigned int cls)
{
	return (void *)obj + gosalloc_class_to_size[cls] -
	       sizeof(struct gosalloc_debug_track);
}

/*
 * The first byte of [@p, @p + @n) that is not @c, or NULL. memchr_inv()
 * would do, but it is checked by KASAN, which sees these bytes poisoned.
 */
static const u8 *find_not(const void *p, u8 c, size_t n)
{
	const u8 *b = p;

	for (; n; n--, b++)
		if (*b != c)
			return b;
	return NULL;
}

/* Bytes of the slot before the trailer: object, then red zone. */
static __always_inline size_t slot_body(unsigned int cls)
{
	return gosalloc_class_to_size[cls] - sizeof(struct gosalloc_debug_track);
}

/*
 * The slot for an object of @size bytes: room for the red zone and the
 * trailer, and a power of two for a power-of-two size, so that such
 * objects stay naturally aligned as the API promises.
 */
static size_t slot_size(size_t size)
{
	size_t need = size + GOSALLOC_DEBUG_OVERHEAD;

	return is_power_of_2(size) ? roundup_pow_of_two(need) : need;
}

/* Keep what was reported last, for the tests. */
static void remember_report(const char *what, const void *obj,
			    unsigned int cls, unsigned long alloc_caller,
			    unsigned long free_caller)
{
	gosalloc_last_report = (struct gosalloc_debug_report) {
		.object = obj,
		.sizeclass = cls,
		.alloc_caller = alloc_caller,
		.free_caller = free_caller,
		.what = what,
	};
}

static void report_corruption(const char *what, const void *obj,
			      unsigned int cls,
			      const struct gosalloc_debug_track *t,
			      unsigned long caller, const u8 *bad)
{
	unsigned long free_caller = t->free_caller ?: caller;
	size_t i, n = min_t(size_t, 16, (const u8 *)t - bad);
	u8 bytes[16];

	for (i = 0; i < n; i++)		/* hex dumps are KASAN-checked */
		bytes[i] = bad[i];

	gosalloc_stats_event(GOSALLOC_CORRUPTIONS);
	remember_report(what, obj, cls, t->alloc_caller, free_caller);
	pr_err_ratelimited("%s: object %p (class %u, %u bytes): byte %td overwritten; allocated by %pS, %s %pS\n",
			   what, obj, cls, gosalloc_class_to_size[cls],
			   bad - (const u8 *)obj, (void *)t->alloc_caller,
			   t->free_caller ? "freed by" : "found at free by",
			   (void *)free_caller);
	print_hex_dump(KERN_ERR, KBUILD_MODNAME ": ", DUMP_PREFIX_NONE, 16, 1,
		       bytes, n, false);
}

/* Fill the objects of a new small span as freed ones. */
void gosalloc_debug_span_init(struct gosalloc_span *s)
{
	unsigned int i, cls = s->sizeclass;
	void *obj;

	for (i = 0; i < s->nelems; i++) {
		obj = (void *)s->base + i * s->elemsize;
		memset(obj, POISON_FREE, slot_body(cls));
		*track_of(obj, cls) = (struct gosalloc_debug_track) {
			.state = GOSALLOC_DEBUG_FREE,
		};
	}
}

/**
 * gosalloc_debug_alloc() - allocate a small object in debug mode
 * @size: bytes wanted, 1 to GOSALLOC_DEBUG_MAX
 * @flags: gfp flags
 * @caller: the caller to record
 *
 * Checks that the slot still holds its poison, then records the caller
 * and fills the red zone.
 *
 * Context: as gosalloc_alloc().
 * Return: the object, or NULL.
 */
void *gosalloc_debug_alloc(size_t size, gfp_t flags, unsigned long caller)
{
	unsigned int cls = gosalloc_size_to_class(slot_size(size));
	struct gosalloc_debug_track *t;
	const u8 *bad;
	void *obj;

	obj = gosalloc_mcache_get(cls, flags);
	if (!obj)
		return NULL;
	t = track_of(obj, cls);
	if (t->state != GOSALLOC_DEBUG_FREE) {
		report_corruption("free object's trailer overwritten", obj, cls,
				  t, caller, (const u8 *)t);
	} else {
		bad = find_not(obj, POISON_FREE, slot_body(cls));
		if (bad)
			report_corruption("write after free", obj, cls, t,
					  caller, bad);
	}
	t->alloc_caller = caller;
	t->free_caller = 0;
	t->size = size;
	t->state = GOSALLOC_DEBUG_LIVE;
	memset(obj + size, POISON_INUSE, slot_body(cls) - size);
	if (want_init_on_alloc(flags))
		memset(obj, 0, size);
	return obj;
}

/**
 * gosalloc_debug_free() - check a small object freed in debug mode
 * @s: its span
 * @p: the object, at the start of a slot of @s
 * @caller: the caller to record
 *
 * A double free, or an object whose trailer was overwritten, is reported
 * and must not be freed. A red zone found overwritten is reported; the
 * object is freed all the same. A freed object is filled with poison.
 *
 * Context: any context.
 * Return: true if @p must go back to the free lists.
 */
bool gosalloc_debug_free(struct gosalloc_span *s, const void *p,
			 unsigned long caller)
{
	unsigned int cls = s->sizeclass;
	struct gosalloc_debug_track *t = track_of(p, cls);
	u32 state = cmpxchg(&t->state, GOSALLOC_DEBUG_LIVE, GOSALLOC_DEBUG_FREE);
	const u8 *bad;

	if (state == GOSALLOC_DEBUG_FREE) {
		gosalloc_stats_event(GOSALLOC_DOUBLE_FREES);
		remember_report("double free", p, cls, t->alloc_caller,
				t->free_caller);
		if (first_report_from(caller))
			pr_err("double free: object %p (class %u) freed by %pS, already freed by %pS, allocated by %pS; ignored (reported once per call site)\n",
			       p, cls, (void *)caller, (void *)t->free_caller,
			       (void *)t->alloc_caller);
		return false;
	}
	if (state != GOSALLOC_DEBUG_LIVE || t->size > slot_body(cls)) {
		report_corruption("live object's trailer overwritten; object leaked",
				  p, cls, t, caller, (const u8 *)t);
		return false;
	}
	bad = find_not(p + t->size, POISON_INUSE, slot_body(cls) - t->size);
	if (bad)
		report_corruption("out-of-bounds write", p, cls, t, caller, bad);
	t->free_caller = caller;
	memset((void *)p, POISON_FREE, slot_body(cls));
	return true;
}

/* The requested size of debug-mode object @p, or 0 if it is not live. */
size_t gosalloc_debug_size(struct gosalloc_span *s, const void *p)
{
	struct gosalloc_debug_track *t = track_of(p, s->sizeclass);

	return READ_ONCE(t->state) == GOSALLOC_DEBUG_LIVE ? t->size : 0;
}

static void debug_start(void)
{
	unsigned int cls;

	for (cls = 1; cls < GOSALLOC_NR_CLASSES; cls++)
		if (gosalloc_class_to_size[cls] >= GOSALLOC_DEBUG_OVERHEAD)
			gosalloc_link_offset[cls] = slot_body(cls);
	static_branch_enable(&gosalloc_debug);
	static_branch_inc(&gosalloc_hooks);
}

static void debug_stop(void)
{
	static_branch_dec(&gosalloc_hooks);
	static_branch_disable(&gosalloc_debug);
}

/**
 * gosalloc_debug_set() - switch debug mode on or off, for tests
 * @on: the new mode
 *
 * The layout of small objects changes, so every cache is drained first,
 * and the switch is refused while any small or tiny object is live. The
 * caller makes sure that nothing allocates meanwhile.
 *
 * Context: process context.
 * Return: 0, or -EBUSY while objects are live.
 */
int gosalloc_debug_set(bool on)
{
	unsigned int cls;

	if (on == gosalloc_debug_on())
		return 0;
	gosalloc_release_all();
	for (cls = 1; cls < GOSALLOC_NR_CENTRALS; cls++)
		if (gosalloc_central_nspans(cls))
			return -EBUSY;
	if (on)
		debug_start();
	else
		debug_stop();
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_debug_set);

int gosalloc_debug_init(void)
{
	if (debug) {
		debug_start();
		pr_info("debug mode: poison, red zones and callers for objects up to %zu bytes\n",
			(size_t)GOSALLOC_DEBUG_MAX);
	}
	return 0;
}

/* ---- Sanitizers ---- */

#ifdef CONFIG_KASAN_GENERIC
/* Shadow values, as mm/kasan/kasan.h defines them. */
#define GOSALLOC_KASAN_FREE	0xFF	/* reported as use-after-free */
#define GOSALLOC_KASAN_REDZONE	0xFC	/* reported as out-of-bounds */
#define GOSALLOC_KASAN_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)

static void shadow_set(const void *p, size_t size, u8 value)
{
	memset(kasan_mem_to_shadow(p), value,
	       size >> KASAN_SHADOW_SCALE_SHIFT);
}

/* Make [p, p + size) accessible and [.., p + usable) a red zone. */
static void kasan_object(const void *p, size_t size, size_t usable)
{
	size_t whole = round_down(size, GOSALLOC_KASAN_GRANULE);
	size_t used = round_up(size, GOSALLOC_KASAN_GRANULE);

	shadow_set(p, whole, 0);
	if (used != whole)
		*(u8 *)kasan_mem_to_shadow(p + whole) = size - whole;
	shadow_set(p + used, usable - used, GOSALLOC_KASAN_REDZONE);
}
#else
static void shadow_set(const void *p, size_t size, u8 value) { }
static void kasan_object(const void *p, size_t size, size_t usable) { }
#define GOSALLOC_KASAN_FREE	0
#define GOSALLOC_KASAN_REDZONE	0
#define GOSALLOC_KASAN_GRANULE	1
#endif

/* The bytes KASAN may let the owner of object @p use. */
static size_t kasan_usable(struct gosalloc_span *s, const void *p)
{
	switch (s ? gosalloc_span_state(s) : GOSALLOC_SPAN_DEAD) {
	case GOSALLOC_SPAN_SMALL:
		return s->elemsize;
	case GOSALLOC_SPAN_LARGE:
		return gosalloc_span_bytes(s);
	}
	return 0;	/* tiny objects are not poisoned */
}

/* A new object of @size bytes at @p. */
void gosalloc_sanitize_alloc(const void *p, size_t size, gfp_t flags)
{
	size_t usable;

	kmemleak_alloc(p, size, 1, flags);
	if (!GOSALLOC_KASAN)
		return;
	usable = kasan_usable(gosalloc_span_lookup(p), p);
	if (usable)
		kasan_object(p, size, usable);
}

/* Object @p may now be used up to @size bytes (realloc, size query). */
void gosalloc_sanitize_resize(const void *p, size_t size)
{
	size_t usable;

	if (!GOSALLOC_KASAN)
		return;
	usable = kasan_usable(gosalloc_span_lookup(p), p);
	if (usable)
		kasan_object(p, min(size, usable), usable);
}

/* Object @p of span @s, checked, is about to be freed. */
void gosalloc_sanitize_free(struct gosalloc_span *s, const void *p)
{
	kmemleak_free(p);
	if (GOSALLOC_KASAN && s->state == GOSALLOC_SPAN_SMALL)
		shadow_set(p, s->elemsize, GOSALLOC_KASAN_FREE);
}

/* Poison the @size bytes of object @p as freed, as a pool keeps it. */
void gosalloc_kasan_poison_free(const void *p, size_t size)
{
	shadow_set(p, round_up(size, GOSALLOC_KASAN_GRANULE),
		   GOSALLOC_KASAN_FREE);
}

/*
 * KASAN's shadow of the first byte of object @p (0 without KASAN): 0 or
 * a count of usable bytes if usable, GOSALLOC_KASAN_FREE if freed, else
 * a red zone.
 */
static u8 kasan_shadow(const void *p)
{
#ifdef CONFIG_KASAN_GENERIC
	return *(u8 *)kasan_mem_to_shadow(p);
#else
	return 0;
#endif
}

/*
 * The bytes from @p on, up to @max, that KASAN lets its owner use: the
 * size it was allocated with. @max without KASAN.
 */
size_t gosalloc_kasan_accessible(const void *p, size_t max)
{
	size_t n = 0;
	u8 v;

	if (!GOSALLOC_KASAN)
		return max;
	for (; n < max; n += GOSALLOC_KASAN_GRANULE) {
		v = kasan_shadow(p + n);
		if (v)
			return (s8)v < 0 ? n : min(max, n + v);
	}
	return max;
}

/* Is the first byte of object @p poisoned as freed? */
bool gosalloc_kasan_freed(const void *p)
{
	return GOSALLOC_KASAN && kasan_shadow(p) == GOSALLOC_KASAN_FREE;
}

/* Is the first byte of object @p poisoned, as freed or as a red zone? */
bool gosalloc_kasan_poisoned(const void *p)
{
	return GOSALLOC_KASAN && (s8)kasan_shadow(p) < 0;
}

/*
 * Span @s leaves the heap in @state, or goes back to it (@free). A span
 * of a size class is a red zone until its objects are handed out, so
 * that an access past an object into a slot never used, or into the
 * span's tail, is reported; other spans, and every span in debug mode,
 * are usable throughout.
 */
void gosalloc_kasan_span(struct gosalloc_span *s, bool free, u8 state)
{
	u8 value = 0;

	if (free)
		value = GOSALLOC_KASAN_FREE;
	else if (state == GOSALLOC_SPAN_SMALL && !gosalloc_debug_on())
		value = GOSALLOC_KASAN_REDZONE;	/* debug mode writes its poison */
	if (GOSALLOC_KASAN)
		shadow_set((void *)s->base, gosalloc_span_bytes(s), value);
}

/* ---- Fault injection ---- */

struct gosalloc_fail gosalloc_fail = {
	.interval = 1,
	.times = -1,
};
EXPORT_SYMBOL_IF_KUNIT(gosalloc_fail);

/**
 * gosalloc_should_fail() - should this allocation fail on purpose?
 * @flags: its gfp flags; __GFP_NOFAIL allocations never fail
 *
 * Context: any context.
 * Return: true to fail it (counted in stats).
 */
bool gosalloc_should_fail(gfp_t flags)
{
	struct gosalloc_fail *f = &gosalloc_fail;
	unsigned long probability = READ_ONCE(f->probability);
	unsigned long interval = READ_ONCE(f->interval);

	if (!probability || (flags & __GFP_NOFAIL) || !READ_ONCE(f->times))
		return false;
	if (interval > 1 && atomic_long_inc_return(&f->calls) % interval)
		return false;
	if (probability < 100 && get_random_u32_below(100) >= probability)
		return false;
	if (READ_ONCE(f->times) > 0) {
		long left = READ_ONCE(f->times);

		do {
			if (left <= 0)
				return false;
		} while (!try_cmpxchg(&f->times, &left, left - 1));
	}
	gosalloc_stats_event(GOSALLOC_INJECTED_FAILURES);
	return true;
}

static DEFINE_MUTEX(gosalloc_fail_mutex);

/* Arm (@percent > 0) or disarm fault injection; process context. */
int gosalloc_fail_set_probability(unsigned long percent)
{
	if (percent > 100)
		return -EINVAL;
	mutex_lock(&gosalloc_fail_mutex);
	if (!gosalloc_fail.probability && percent)
		static_branch_inc(&gosalloc_hooks);
	else if (gosalloc_fail.probability && !percent)
		static_branch_dec(&gosalloc_hooks);
	atomic_long_set(&gosalloc_fail.calls, 0);
	WRITE_ONCE(gosalloc_fail.probability, percent);
	mutex_unlock(&gosalloc_fail_mutex);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gosalloc_fail_set_probability);
