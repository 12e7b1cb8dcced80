/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mcentral.h - per-size-class central lists (MCentral); see malloc.c for
 * the overview.
 */
#ifndef _GOSALLOC_MCENTRAL_H
#define _GOSALLOC_MCENTRAL_H

#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#include "sizeclasses.h"

/* The spans of one size class. */
struct gosalloc_central {
	spinlock_t lock;		/* any context, irqs saved */
	struct list_head partial;	/* spans with free objects: lock */
	struct list_head full;		/* spans with none: lock */
	unsigned long nspans;		/* lock; read anywhere */
} ____cacheline_aligned_in_smp;

extern struct gosalloc_central gosalloc_central[GOSALLOC_NR_CLASSES];

/* A chain of objects linked through their first word. */
struct gosalloc_chain {
	void *head;
	void *tail;
	unsigned int count;
};

void gosalloc_mcentral_init(void);
void gosalloc_mcentral_trim(void);
bool gosalloc_mcentral_grab(unsigned int cls, unsigned int want, gfp_t gfp,
			    struct gosalloc_chain *chain);
void gosalloc_mcentral_release(unsigned int cls, void *head);

#endif /* _GOSALLOC_MCENTRAL_H */
