/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gosalloc_dropin.h - rebuild an unmodified module on gosalloc.
 *
 * Force-included into every file of a module by one line of its Kbuild
 * file, "ccflags-y += -include" and this header's path (plus the usual
 * KBUILD_EXTRA_SYMBOLS := <gosalloc>/Module.symvers),
 * it includes <linux/slab.h> and <linux/vmalloc.h> and then redefines the
 * kmalloc family, the kmem_cache family and kfree_rcu() as gosalloc's.
 * Every header the module includes afterwards sees the new names too.
 *
 * Frees are foreign-aware: kfree(), kvfree(), ksize() and krealloc() of
 * memory the kernel allocated for the module (kasprintf(), match_strdup(),
 * a vmalloc buffer...) go to the kernel's functions. GFP_DMA requests go
 * to the kernel's kmalloc(): gosalloc does not serve DMA zones. The _node
 * variants place memory on the node asked for, as the kernel's do.
 * GFP_KERNEL_ACCOUNT and SLAB_ACCOUNT charge the caller's memory cgroup
 * as the kernel's do (not for caches with a constructor or
 * SLAB_TYPESAFE_BY_RCU). struct kmem_cache becomes struct gosalloc_cache:
 * a cache must not be passed to a kernel function that takes a struct
 * kmem_cache (mempool_create_slab_pool(), for one). See
 * Documentation/porting.rst.
 */
#ifndef _GOSALLOC_DROPIN_H
#define _GOSALLOC_DROPIN_H

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/rcupdate.h>
#include <linux/version.h>

#include "gosalloc.h"

/* The kernel's own, taken before the names are redefined. */
static inline void *gosalloc_kernel_kmalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags);
}

static inline void *gosalloc_kernel_kmalloc_node(size_t size, gfp_t flags,
						 int node)
{
	return kmalloc_node(size, flags, node);
}

static inline void *gosalloc_kernel_cache_alloc(void *c, gfp_t flags)
{
	return kmem_cache_alloc((struct kmem_cache *)c, flags);
}

static inline void *gosalloc_kernel_cache_alloc_node(void *c, gfp_t flags,
						     int node)
{
	return kmem_cache_alloc_node((struct kmem_cache *)c, flags, node);
}

static inline void gosalloc_kernel_cache_free(void *c, void *p)
{
	kmem_cache_free((struct kmem_cache *)c, p);
}

/* ---- The kmalloc family ---- */

static __always_inline __alloc_size(1) void *
gosalloc_dropin_kmalloc(size_t size, gfp_t flags)
{
	if (unlikely(flags & __GFP_DMA))
		return gosalloc_kernel_kmalloc(size, flags);
	return gosalloc_alloc(size, flags);
}

static __always_inline __alloc_size(1, 2) void *
gosalloc_dropin_kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gosalloc_dropin_kmalloc(bytes, flags);
}

static __always_inline __alloc_size(1) void *
gosalloc_dropin_kmalloc_node(size_t size, gfp_t flags, int node)
{
	if (unlikely(flags & __GFP_DMA))
		return gosalloc_kernel_kmalloc_node(size, flags, node);
	return gosalloc_alloc_node(size, flags, node);
}

static __always_inline __alloc_size(1, 2) void *
gosalloc_dropin_kmalloc_array_node(size_t n, size_t size, gfp_t flags,
				   int node)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gosalloc_dropin_kmalloc_node(bytes, flags, node);
}

static inline void gosalloc_dropin_kfree_sensitive(const void *p)
{
	if (gosalloc_owns(p))
		gosalloc_free_sensitive(p);
	else
		kfree_sensitive(p);
}

static inline void gosalloc_dropin_kfree_const(const void *p)
{
	if (gosalloc_owns(p))
		gosalloc_free(p);
	else
		kfree_const(p);
}

#undef kmalloc
#undef kzalloc
#undef kmalloc_array
#undef kcalloc
#undef krealloc
#undef krealloc_array
#undef kmalloc_node
#undef kzalloc_node
#undef kmalloc_array_node
#undef kcalloc_node
#undef kmalloc_track_caller
#undef kmemdup
#undef kvmalloc
#undef kvzalloc
#undef kvmalloc_node
#undef kvzalloc_node
#undef kvmalloc_array
#undef kvcalloc
#undef kvcalloc_node
#undef kvrealloc

#define kmalloc(size, flags)		gosalloc_dropin_kmalloc(size, flags)
#define kzalloc(size, flags)		kmalloc(size, (flags) | __GFP_ZERO)
#define kmalloc_array(n, size, flags)	gosalloc_dropin_kmalloc_array(n, size, flags)
#define kcalloc(n, size, flags)		kmalloc_array(n, size, (flags) | __GFP_ZERO)
#define kmalloc_node(size, flags, node)					\
	gosalloc_dropin_kmalloc_node(size, flags, node)
#define kzalloc_node(size, flags, node)					\
	kmalloc_node(size, (flags) | __GFP_ZERO, node)
#define kmalloc_array_node(n, size, flags, node)			\
	gosalloc_dropin_kmalloc_array_node(n, size, flags, node)
#define kcalloc_node(n, size, flags, node)				\
	kmalloc_array_node(n, size, (flags) | __GFP_ZERO, node)
#define kmalloc_track_caller(size, flags) kmalloc(size, flags)
#define krealloc(p, size, flags)	gosalloc_realloc_any(p, size, flags)
#define krealloc_array(p, n, size, flags) \
	gosalloc_realloc_array_any(p, n, size, flags)
#define kfree				gosalloc_free_any
#define kfree_sensitive			gosalloc_dropin_kfree_sensitive
#define kfree_const			gosalloc_dropin_kfree_const
#define ksize				gosalloc_size_any
#define kmalloc_size_roundup		gosalloc_size_roundup
#define kmemdup(src, len, flags)	gosalloc_kmemdup(src, len, flags)
#define kstrdup				gosalloc_kstrdup
#define kstrndup			gosalloc_kstrndup
#define kvmalloc(size, flags)		gosalloc_kvmalloc(size, flags)
#define kvzalloc(size, flags)		gosalloc_kvzalloc(size, flags)
#define kvmalloc_node(size, flags, node) gosalloc_kvmalloc_node(size, flags, node)
#define kvzalloc_node(size, flags, node)				\
	kvmalloc_node(size, (flags) | __GFP_ZERO, node)
#define kvmalloc_array(n, size, flags)	gosalloc_dropin_kvmalloc_array(n, size, flags)
#define kvcalloc(n, size, flags)	kvmalloc_array(n, size, (flags) | __GFP_ZERO)
#define kvcalloc_node(n, size, flags, node)				\
	gosalloc_dropin_kvmalloc_array_node(n, size, (flags) | __GFP_ZERO, node)
#define kvrealloc(p, size, flags)	gosalloc_kvrealloc_any(p, size, flags)
#define kvfree				gosalloc_free_any

static inline __realloc_size(2, 3) void *
gosalloc_realloc_array_any(const void *p, size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gosalloc_realloc_any(p, bytes, flags);
}

static inline __alloc_size(1, 2) void *
gosalloc_dropin_kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gosalloc_kvmalloc(bytes, flags);
}

static inline __alloc_size(1, 2) void *
gosalloc_dropin_kvmalloc_array_node(size_t n, size_t size, gfp_t flags,
				    int node)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes)))
		return NULL;
	return gosalloc_kvmalloc_node(bytes, flags, node);
}

/* __free(kfree) and __free(kvfree) cleanups. */
static inline void gosalloc_dropin_free_cleanup(void *p)
{
	void *obj = *(void **)p;

	if (!IS_ERR_OR_NULL(obj))
		gosalloc_free_any(obj);
}

#define __free_kfree	gosalloc_dropin_free_cleanup
#define __free_kvfree	gosalloc_dropin_free_cleanup

/* ---- The kmem_cache family ---- */

#define kmem_cache	gosalloc_cache

/* 6.12 defines kmem_cache_create() as a macro over kmem_cache_args. */
#ifdef kmem_cache_create
#define GOSALLOC_DROPIN_CACHE_ARGS
static inline struct gosalloc_cache *
gosalloc_dropin_cache_create_args(const char *name, unsigned int size,
				  struct kmem_cache_args *args,
				  slab_flags_t flags)
{
	return gosalloc_cache_create(name, size, args ? args->align : 0, flags,
				     args ? args->ctor : NULL);
}

static inline struct gosalloc_cache *
gosalloc_dropin_cache_create_null(const char *name, unsigned int size,
				  void *args, slab_flags_t flags)
{
	return gosalloc_cache_create(name, size, 0, flags, NULL);
}

#undef kmem_cache_create
#define kmem_cache_create(name, size, args, ...)			\
	__builtin_choose_expr(						\
		__builtin_types_compatible_p(typeof(args),		\
					     struct kmem_cache_args *),	\
		gosalloc_dropin_cache_create_args,			\
		__builtin_choose_expr(					\
			__builtin_types_compatible_p(typeof(args), void *), \
			gosalloc_dropin_cache_create_null,		\
			gosalloc_cache_create))(name, size, args, __VA_ARGS__)
#define __kmem_cache_create_args	gosalloc_dropin_cache_create_args
#else
#define kmem_cache_create		gosalloc_cache_create
#endif

#undef kmem_cache_alloc
#undef kmem_cache_alloc_lru
#undef kmem_cache_alloc_node
#undef kmem_cache_zalloc
#undef kmem_cache_alloc_bulk
#undef KMEM_CACHE
#undef KMEM_CACHE_USERCOPY

#define KMEM_CACHE(type, flags)						\
	gosalloc_cache_create(#type, sizeof(struct type),		\
			      __alignof__(struct type), flags, NULL)
#define KMEM_CACHE_USERCOPY(type, flags, field)				\
	((void)offsetof(struct type, field), KMEM_CACHE(type, flags))
#define kmem_cache_create_usercopy(name, size, align, flags, useroffset, \
				   usersize, ctor)			\
	((void)(useroffset), (void)(usersize),				\
	 gosalloc_cache_create(name, size, align, flags, ctor))
/*
 * Kernel headers hand the module kernel caches too (names_cachep behind
 * __getname() and __putname()): those stay the kernel's.
 */
static __always_inline bool gosalloc_dropin_own_cache(struct gosalloc_cache *c)
{
	return likely(((struct gosalloc_cache_head *)c)->magic ==
		      GOSALLOC_CACHE_MAGIC);
}

static __always_inline void *
gosalloc_dropin_cache_alloc(struct gosalloc_cache *c, gfp_t flags)
{
	if (gosalloc_dropin_own_cache(c))
		return gosalloc_cache_alloc(c, flags);
	return gosalloc_kernel_cache_alloc(c, flags);
}

static __always_inline void *
gosalloc_dropin_cache_alloc_node(struct gosalloc_cache *c, gfp_t flags,
				 int node)
{
	if (gosalloc_dropin_own_cache(c))
		return gosalloc_cache_alloc_node(c, flags, node);
	return gosalloc_kernel_cache_alloc_node(c, flags, node);
}

static __always_inline void gosalloc_dropin_cache_free(struct gosalloc_cache *c,
						       void *p)
{
	if (gosalloc_dropin_own_cache(c))
		gosalloc_cache_free(c, p);
	else
		gosalloc_kernel_cache_free(c, p);
}

#define kmem_cache_alloc(c, flags)	gosalloc_dropin_cache_alloc(c, flags)
#define kmem_cache_zalloc(c, flags)	kmem_cache_alloc(c, (flags) | __GFP_ZERO)
#define kmem_cache_alloc_node(c, flags, node)				\
	gosalloc_dropin_cache_alloc_node(c, flags, node)
#define kmem_cache_alloc_lru(c, lru, flags)				\
	((void)(lru), kmem_cache_alloc(c, flags))
#define kmem_cache_alloc_bulk(c, flags, nr, p) \
	gosalloc_cache_alloc_bulk(c, flags, nr, p)
#define kmem_cache_free			gosalloc_dropin_cache_free
#define kmem_cache_free_bulk		gosalloc_cache_free_bulk
#define kmem_cache_destroy		gosalloc_cache_destroy
#define kmem_cache_size			gosalloc_cache_size
#define kmem_cache_shrink		gosalloc_cache_shrink

/* ---- kfree_rcu() ---- */

#undef kfree_rcu
#undef kvfree_rcu
#undef kfree_rcu_mightsleep
#undef kvfree_rcu_mightsleep

#define gosalloc_dropin_free_rcu_2(ptr, rhf)				\
do {									\
	typeof(ptr) ___q = (ptr);					\
									\
	gosalloc_dropin_free_rcu_head(___q, offsetof(typeof(*___q), rhf)); \
} while (0)

/* The kernel's kvfree_call_rcu(): the object from 6.12, the offset before. */
static inline void gosalloc_dropin_kvfree_call_rcu(struct rcu_head *head,
						   void *p, size_t offset)
{
#ifdef GOSALLOC_DROPIN_CACHE_ARGS
	kvfree_call_rcu(head, p);
#else
	kvfree_call_rcu(head, (rcu_callback_t)(unsigned long)offset);
#endif
}

static inline void gosalloc_dropin_free_rcu_head(void *p, size_t offset)
{
	if (!p)
		return;
	if (gosalloc_owns(p))
		gosalloc_free_rcu_head(p, p + offset);
	else
		gosalloc_dropin_kvfree_call_rcu(p + offset, p, offset);
}

static inline void gosalloc_dropin_free_rcu_ptr(void *p)
{
	if (!p)
		return;
	if (gosalloc_owns(p))
		gosalloc_free_rcu_mightsleep(p);
	else
		kvfree_rcu_arg_1(p);
}

#define gosalloc_dropin_free_rcu_1(ptr)	gosalloc_dropin_free_rcu_ptr(ptr)
#define kfree_rcu(...)							\
	CONCATENATE(gosalloc_dropin_free_rcu_, COUNT_ARGS(__VA_ARGS__))(__VA_ARGS__)
#define kvfree_rcu(...)			kfree_rcu(__VA_ARGS__)
#define kfree_rcu_mightsleep(ptr)	gosalloc_dropin_free_rcu_ptr(ptr)
#define kvfree_rcu_mightsleep(ptr)	gosalloc_dropin_free_rcu_ptr(ptr)

#endif /* _GOSALLOC_DROPIN_H */
