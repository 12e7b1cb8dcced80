/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memcg.h - memory-cgroup charging (__GFP_ACCOUNT); see memcg.c.
 */
#ifndef _GOSALLOC_MEMCG_H
#define _GOSALLOC_MEMCG_H

#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "compat.h"
#include "sizeclasses.h"

struct gosalloc_span;

/*
 * The spans of one object cgroup: every small object charged to it lives
 * in one of them, and nothing else does.
 */
struct gosalloc_memcg {
	struct hlist_node node;		/* in the table: table lock; RCU */
	struct obj_cgroup *objcg;	/* a reference held; NULL in tests */
	spinlock_t lock;		/* any context, irqs saved */
	unsigned long nspans;		/* lock: spans, and spans being grown */
	unsigned long nobjs;		/* lock: objects out */
	bool gone;			/* lock: off the table, no new spans */
	struct list_head partial[GOSALLOC_NR_CLASSES];	/* lock */
	struct rcu_head rcu;
};

void *gosalloc_memcg_alloc(size_t size, gfp_t gfp, int nid, bool *charged);
void gosalloc_memcg_free(struct gosalloc_span *s, const void *p,
			 unsigned long caller);
size_t gosalloc_memcg_object_size(struct gosalloc_span *s, const void *p);
void gosalloc_memcg_trim(bool all);
void gosalloc_memcg_stats(u64 *sets, u64 *objs);
struct gosalloc_memcg *gosalloc_memcg_set_new(struct obj_cgroup *objcg,
					      gfp_t gfp);
void *gosalloc_memcg_set_alloc(struct gosalloc_memcg *m, size_t size,
			       gfp_t gfp, int nid);
bool gosalloc_memcg_set_destroy(struct gosalloc_memcg *m);

#ifdef CONFIG_MEMCG
/*
 * The object cgroup an __GFP_ACCOUNT page allocation made here and now
 * is charged to, as the kernel's current_obj_cgroup() finds it (not
 * exported): the active memcg if one is set (set_active_memcg(), for
 * interrupts too), else the task's own cgroup; none for kernel threads
 * and interrupts without one, nor for the root cgroup. rcu_read_lock()
 * held; the object cgroup is valid until rcu_read_unlock().
 */
static inline struct obj_cgroup *gosalloc_current_objcg(void)
{
	struct mem_cgroup *memcg;
	struct obj_cgroup *objcg;

	if (!in_task()) {
		memcg = this_cpu_read(int_active_memcg);
	} else {
		memcg = current->active_memcg;
		if (!memcg && current->mm && !(current->flags & PF_KTHREAD))
			memcg = mem_cgroup_from_task(current);
	}
	/* The root is the cgroup without a parent; it is never charged. */
	for (; memcg && parent_mem_cgroup(memcg);
	     memcg = parent_mem_cgroup(memcg)) {
		objcg = rcu_dereference(memcg->objcg);
		if (objcg)
			return objcg;
	}
	return NULL;
}

/*
 * Has @objcg's cgroup gone offline? Its charges then go to an ancestor,
 * and no task allocates with it any more. rcu_read_lock() held.
 */
static inline bool gosalloc_objcg_dead(struct obj_cgroup *objcg)
{
	struct mem_cgroup *memcg = READ_ONCE(objcg->memcg);

	return rcu_access_pointer(memcg->objcg) != objcg;
}

/* The cgroup @objcg charges now, with a reference (css_put()). */
static inline struct mem_cgroup *gosalloc_objcg_memcg_get(struct obj_cgroup *objcg)
{
	return objcg ? get_mem_cgroup_from_objcg(objcg) : NULL;
}

static inline void gosalloc_memcg_put(struct mem_cgroup *memcg)
{
	if (memcg)
		css_put(&memcg->css);
}

static inline bool gosalloc_objcg_tryget(struct obj_cgroup *objcg)
{
	return obj_cgroup_tryget(objcg);
}

static inline void gosalloc_objcg_put(struct obj_cgroup *objcg)
{
	obj_cgroup_put(objcg);
}
#else
static inline struct obj_cgroup *gosalloc_current_objcg(void)
{
	return NULL;
}

static inline bool gosalloc_objcg_dead(struct obj_cgroup *objcg)
{
	return false;
}

static inline struct mem_cgroup *gosalloc_objcg_memcg_get(struct obj_cgroup *objcg)
{
	return NULL;
}

static inline void gosalloc_memcg_put(struct mem_cgroup *memcg)
{
}

static inline bool gosalloc_objcg_tryget(struct obj_cgroup *objcg)
{
	return false;
}

static inline void gosalloc_objcg_put(struct obj_cgroup *objcg)
{
}
#endif /* CONFIG_MEMCG */

#endif /* _GOSALLOC_MEMCG_H */
