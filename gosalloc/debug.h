/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * debug.h - debug mode, sanitizer hooks, fault injection and bad-pointer
 * reports; see debug.c.
 */
#ifndef _GOSALLOC_DEBUG_H
#define _GOSALLOC_DEBUG_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/jump_label.h>
#include <linux/string.h>
#include <linux/types.h>

#include "freelist.h"
#include "sizeclasses.h"
#include "stats.h"

struct gosalloc_span;

/*
 * gosalloc_hooks: debug mode (freelist.h) or fault injection is on; the
 * allocation and free entry points then take their out-of-line hooked
 * paths. Off by default, at the cost of one no-op instruction.
 */
DECLARE_STATIC_KEY_FALSE(gosalloc_hooks);

/*
 * A kernel built with generic KASAN or kmemleak gets told about every
 * object, so the hooked paths are always taken there.
 */
#define GOSALLOC_KASAN		IS_ENABLED(CONFIG_KASAN_GENERIC)
#define GOSALLOC_SANITIZED	(GOSALLOC_KASAN || IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))

static __always_inline bool gosalloc_hooked(void)
{
	return GOSALLOC_SANITIZED || static_branch_unlikely(&gosalloc_hooks);
}

/*
 * In debug mode a small object of n bytes lives in a slot of a larger
 * class: the object, a red zone of at least GOSALLOC_DEBUG_REDZONE bytes,
 * then this trailer at the end of the slot. The object keeps the slot's
 * start, and so the alignment the API promises; the free-list link moves
 * into the trailer, so that all of a free object can be poisoned.
 */
struct gosalloc_debug_track {
	void *link;			/* free-list link while free */
	unsigned long alloc_caller;	/* who allocated it last */
	unsigned long free_caller;	/* who freed it last, or 0 */
	u32 size;			/* bytes requested */
	u32 state;			/* GOSALLOC_DEBUG_LIVE or _FREE */
};

#define GOSALLOC_DEBUG_REDZONE	8
#define GOSALLOC_DEBUG_OVERHEAD	\
	(GOSALLOC_DEBUG_REDZONE + sizeof(struct gosalloc_debug_track))
/* Larger requests are large objects, checked as in normal mode. */
#define GOSALLOC_DEBUG_MAX	(GOSALLOC_MAX_SMALL_SIZE - GOSALLOC_DEBUG_OVERHEAD)

int gosalloc_debug_init(void);
void *gosalloc_debug_alloc(size_t size, gfp_t flags, unsigned long caller);
bool gosalloc_debug_free(struct gosalloc_span *s, const void *p,
			 unsigned long caller);
size_t gosalloc_debug_size(struct gosalloc_span *s, const void *p);
void gosalloc_debug_span_init(struct gosalloc_span *s);
int gosalloc_debug_set(bool on);

/* Sanitizer hooks; no-ops unless the kernel has KASAN or kmemleak. */
void gosalloc_sanitize_alloc(const void *p, size_t size, gfp_t flags);
void gosalloc_sanitize_free(struct gosalloc_span *s, const void *p);
void gosalloc_sanitize_resize(const void *p, size_t size);
void gosalloc_kasan_span(struct gosalloc_span *s, bool free, u8 state);
void gosalloc_kasan_poison_free(const void *p, size_t size);
bool gosalloc_kasan_freed(const void *p);
bool gosalloc_kasan_poisoned(const void *p);
size_t gosalloc_kasan_accessible(const void *p, size_t max);

/* Fault injection: the kernel's fault_attr knobs, in gosalloc's debugfs. */
struct gosalloc_fail {
	unsigned long probability;	/* percent of allocations to fail */
	unsigned long interval;		/* only every interval-th one */
	long times;			/* failures left; -1: no limit */
	atomic_long_t calls;		/* allocations seen while armed */
};

extern struct gosalloc_fail gosalloc_fail;
bool gosalloc_should_fail(gfp_t flags);
int gosalloc_fail_set_probability(unsigned long percent);

/*
 * Zones gosalloc does not serve: its spans come from whatever zone the
 * page allocator gives, and are shared by every caller. Requests for
 * them fail at once, reported once per call site.
 */
#define GOSALLOC_GFP_REFUSED	(__GFP_DMA | __GFP_DMA32)
void gosalloc_refuse_gfp(gfp_t flags, unsigned long caller);

/* One report per call site of a bad free, counted in stats. */
void gosalloc_bad_pointer(const void *p, unsigned long caller,
			  enum gosalloc_stat kind);

/* The last corruption reported in debug mode, for the tests. */
struct gosalloc_debug_report {
	const void *object;
	unsigned int sizeclass;
	unsigned long alloc_caller;
	unsigned long free_caller;	/* or the caller that found it */
	const char *what;
};

extern struct gosalloc_debug_report gosalloc_last_report;

#endif /* _GOSALLOC_DEBUG_H */
