/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * freelist.h - the free-list link of a free object; see malloc.c for the
 * overview.
 *
 * A free small object is linked to the next through a word of its own:
 * its first word, or in debug mode a word of its trailer (debug.h), so
 * that all of a free object's bytes can be poisoned there. The CPU lists
 * (mcache.h), the central lists and the spans (mcentral.c) all link
 * objects through these helpers and nothing else.
 */
#ifndef _GOSALLOC_FREELIST_H
#define _GOSALLOC_FREELIST_H

#include <linux/compiler.h>
#include <linux/jump_label.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/types.h>

#include "sizeclasses.h"

/*
 * gosalloc_debug: debug mode (the "debug" module parameter), which moves
 * the link of small objects into their trailer. Off by default; a disabled
 * static key costs the fast paths one no-op instruction.
 */
DECLARE_STATIC_KEY_FALSE(gosalloc_debug);

static __always_inline bool gosalloc_debug_on(void)
{
	return static_branch_unlikely(&gosalloc_debug);
}

/* Offset of the free-list link in an object of each class (debug mode). */
extern u16 gosalloc_link_offset[GOSALLOC_NR_CLASSES + 1];

/* Where the free-list link of free object @obj of class @cls lives. */
static __always_inline void **gosalloc_link(void *obj, unsigned int cls)
{
	if (gosalloc_debug_on())
		return obj + gosalloc_link_offset[cls];
	return obj;
}

/*
 * Links live in free objects, which KASAN sees as poisoned: gosalloc's
 * own reads and writes of them are not checked.
 */
static __always_inline void *gosalloc_next(void *obj, unsigned int cls)
{
	return READ_ONCE_NOCHECK(*gosalloc_link(obj, cls));
}

static __no_kasan_or_inline void gosalloc_store_link(void **link, void *next)
{
	*link = next;
}

static __always_inline void gosalloc_set_next(void *obj, unsigned int cls,
					      void *next)
{
	gosalloc_store_link(gosalloc_link(obj, cls), next);
}

/* memset() of object memory KASAN may see as poisoned. */
#ifdef CONFIG_KASAN
#define gosalloc_memset	__memset
#else
#define gosalloc_memset	memset
#endif

/*
 * init_on_free for small object @obj of class @cls, about to be linked
 * into a free list: zero all of it but the link word, which the push
 * writes next. The link word is left alone so that a second free racing
 * with the first can never cut a list it is already on. Debug mode
 * poisons free objects instead (debug.c).
 */
static __always_inline bool gosalloc_object_wipe_wanted(void)
{
	return want_init_on_free() && !gosalloc_debug_on();
}

static __always_inline void gosalloc_object_wipe(void *obj, unsigned int cls)
{
	if (gosalloc_object_wipe_wanted())
		gosalloc_memset(obj + sizeof(void *), 0,
				gosalloc_class_to_size[cls] - sizeof(void *));
}

#endif /* _GOSALLOC_FREELIST_H */
