/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * internal.h - declarations shared by gosalloc's files; see malloc.c for
 * the overview.
 */
#ifndef _GOSALLOC_INTERNAL_H
#define _GOSALLOC_INTERNAL_H

#include <linux/compiler.h>
#include <linux/types.h>

struct seq_file;

#include "cache.h"
#include "compat.h"
#include "debug.h"
#include "fixalloc.h"
#include "mcache.h"
#include "mcentral.h"
#include "memcg.h"
#include "mheap.h"
#include "node.h"
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

/* Sampled call sites (profile.c). */
#define GOSALLOC_SAMPLE_RATE_DEFAULT	(128UL << 20)
#define GOSALLOC_SAMPLE_RATE_MAX	BIT(30)
extern unsigned long gosalloc_sample_rate;
void gosalloc_sample_alloc(const void *p, size_t size, unsigned long caller);
void gosalloc_sample_free(struct gosalloc_span *s, const void *p);
void gosalloc_sample_set_rate(unsigned long rate);
int gosalloc_sample_show(struct seq_file *m);
void gosalloc_sample_exit(void);

struct gosalloc_site_sum {
	u64 live_bytes;
	u64 live_objects;
	u64 alloc_bytes;
	u64 alloc_objects;
};

void gosalloc_sample_sum(bool (*match)(unsigned long caller),
			 struct gosalloc_site_sum *out);

void gosalloc_debugfs_init(void);
void gosalloc_debugfs_exit(void);

/* Kernel mode (kmalloc.c, main.c). */
int gosalloc_core_init(void);
void *gosalloc_alloc_from(size_t size, gfp_t flags, int node,
			  unsigned long caller);
void gosalloc_free_from(const void *p, unsigned long caller);
size_t gosalloc_size_quiet(const void *p);
void gosalloc_free_unhooked(const void *p, unsigned long caller);
#ifdef CONFIG_GOSALLOC_KMALLOC
bool gosalloc_kmalloc_active(void);
bool gosalloc_usercopy_bounds(const void *p, unsigned long n,
			      unsigned long *offset);
void gosalloc_kmalloc_quarantine_flush(void);
#else
static inline bool gosalloc_kmalloc_active(void)
{
	return false;
}

static inline void gosalloc_kmalloc_quarantine_flush(void)
{
}
#endif

#endif /* _GOSALLOC_INTERNAL_H */
