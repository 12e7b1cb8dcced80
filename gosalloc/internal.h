/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * internal.h - declarations shared by gosalloc's files; see malloc.c for
 * the overview.
 */
#ifndef _GOSALLOC_INTERNAL_H
#define _GOSALLOC_INTERNAL_H

#include <linux/compiler.h>
#include <linux/types.h>

#include "debug.h"
#include "fixalloc.h"
#include "mcache.h"
#include "mcentral.h"
#include "mheap.h"
#include "sizeclasses.h"
#include "stats.h"
#include "tiny.h"

/* The largest object: the largest run the page allocator can give. */
#define GOSALLOC_MAX_SIZE	(PAGE_SIZE << MAX_PAGE_ORDER)

int gosalloc_scavenge_init(void);
void gosalloc_scavenge_exit(void);
unsigned long gosalloc_release_all(void);
void gosalloc_scavenge_kick(void);
extern unsigned int gosalloc_scavenge_delay_ms;

void gosalloc_debugfs_init(void);
void gosalloc_debugfs_exit(void);

#endif /* _GOSALLOC_INTERNAL_H */
