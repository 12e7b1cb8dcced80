/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - what differs between the kernels gosalloc builds against
 * (6.1 LTS to 6.12), in one place; see malloc.c for the overview.
 */
#ifndef _GOSALLOC_COMPAT_H
#define _GOSALLOC_COMPAT_H

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/percpu.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/version.h>

/*
 * PREEMPT_RT turns spinlock_t into a sleeping lock, which gosalloc takes
 * with interrupts off (its CPU caches' slow paths, bulk free, drains in
 * IPIs) and from hardirq context; the page allocator's own locks sleep
 * there too, so raw spinlocks would not do either. Refuse the build, so
 * that DKMS reports it for an -rt kernel instead of a module that would
 * splat at its first free.
 */
#ifdef CONFIG_PREEMPT_RT
#error "gosalloc does not support PREEMPT_RT: its locks are taken with interrupts off"
#endif

/*
 * The largest order the page allocator gives: MAX_PAGE_ORDER from 6.8;
 * before, MAX_ORDER, which counted one past it until 6.4.
 */
#ifndef MAX_PAGE_ORDER
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define MAX_PAGE_ORDER	(MAX_ORDER - 1)
#else
#define MAX_PAGE_ORDER	MAX_ORDER
#endif
#endif

/*
 * Shrinkers: allocated and registered with shrinker_alloc() and
 * shrinker_register() from 6.7; embedded and registered with
 * register_shrinker() before. @ops gives count_objects and scan_objects.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline struct shrinker *
gosalloc_shrinker_create(const struct shrinker *ops, const char *name)
{
	struct shrinker *s = shrinker_alloc(0, "%s", name);

	if (s) {
		s->count_objects = ops->count_objects;
		s->scan_objects = ops->scan_objects;
		shrinker_register(s);
	}
	return s;
}

static inline void gosalloc_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}
#else
static inline struct shrinker *
gosalloc_shrinker_create(const struct shrinker *ops, const char *name)
{
	static struct shrinker shrinker = { .seeks = DEFAULT_SEEKS };

	shrinker.count_objects = ops->count_objects;
	shrinker.scan_objects = ops->scan_objects;
	return register_shrinker(&shrinker, "%s", name) ? NULL : &shrinker;
}

static inline void gosalloc_shrinker_destroy(struct shrinker *s)
{
	if (s)
		unregister_shrinker(s);
}
#endif

/*
 * The kernel's kvrealloc(): (p, size, flags) from 6.12, which moves
 * vmalloc memory too; before, (p, oldsize, newsize, flags), and no module
 * can learn a vmalloc area's size, so only kmalloc memory is resized.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define gosalloc_kernel_kvrealloc(p, size, flags)	kvrealloc(p, size, flags)
#else
static inline void *gosalloc_kernel_kvrealloc(const void *p, size_t size,
					      gfp_t flags)
{
	return is_vmalloc_addr(p) ? NULL : krealloc(p, size, flags);
}
#endif

/*
 * memcg_kmem_online(): memcg_kmem_enabled() before 6.3. True once a
 * cgroup other than the root has kernel memory accounting.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define gosalloc_memcg_kmem_online()	memcg_kmem_enabled()
#else
#define gosalloc_memcg_kmem_online()	memcg_kmem_online()
#endif

/*
 * kvfree_rcu_barrier(), from 6.12: returns once every kfree_rcu() queued
 * before it has freed its object. Before 6.12 nothing waits for the
 * batches kfree_rcu() keeps; rcu_barrier() waits for the grace periods
 * under way, which is what the benchmark's rcu row asks of it there.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define gosalloc_kfree_rcu_barrier()	kvfree_rcu_barrier()
#else
#define gosalloc_kfree_rcu_barrier()	rcu_barrier()
#endif

#endif /* _GOSALLOC_COMPAT_H */
