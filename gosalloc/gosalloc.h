/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gosalloc.h - public interface of the gosalloc allocator.
 *
 * Semantics follow kmalloc() wherever a comment here is silent. The
 * functions are documented where they are defined, in gosalloc/malloc.c,
 * family.c, cache.c and rcu.c, and in Documentation/api.rst.
 *
 * The attributes are slab.h's: __alloc_size() tells the compiler (and
 * FORTIFY_SOURCE) how large the returned object is, __realloc_size() the
 * same for functions that may return their argument, and __malloc (part
 * of __alloc_size()) that the result aliases nothing else.
 */
#ifndef _GOSALLOC_H
#define _GOSALLOC_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/types.h>

struct rcu_head;
struct gosalloc_cache;

void *gosalloc_alloc(size_t size, gfp_t flags) __alloc_size(1);
void *gosalloc_zalloc(size_t size, gfp_t flags) __alloc_size(1);
void *gosalloc_alloc_array(size_t n, size_t size, gfp_t flags)
	__alloc_size(1, 2);
void *gosalloc_realloc(const void *p, size_t new_size, gfp_t flags)
	__realloc_size(2);
void gosalloc_free(const void *p);
size_t gosalloc_size(const void *p);
int gosalloc_alloc_bulk(size_t size, gfp_t flags, size_t nr, void **p);
void gosalloc_free_bulk(size_t nr, void **p);
void *gosalloc_alloc_node(size_t size, gfp_t flags, int node) __alloc_size(1);

/* The rest of the kmalloc family (family.c). */
void *gosalloc_kvmalloc(size_t size, gfp_t flags) __alloc_size(1);
void *gosalloc_kvzalloc(size_t size, gfp_t flags) __alloc_size(1);
void *gosalloc_kvmalloc_node(size_t size, gfp_t flags, int node)
	__alloc_size(1);
void gosalloc_kvfree(const void *p);
void *gosalloc_kmemdup(const void *src, size_t len, gfp_t flags)
	__realloc_size(2);
char *gosalloc_kstrdup(const char *s, gfp_t flags) __malloc;
char *gosalloc_kstrndup(const char *s, size_t max, gfp_t flags) __malloc;
size_t gosalloc_size_roundup(size_t size);
void gosalloc_free_sensitive(const void *p);
void *gosalloc_realloc_array(const void *p, size_t n, size_t size,
			     gfp_t flags) __realloc_size(2, 3);

/* For gosalloc_dropin.h: memory from gosalloc or the kernel (family.c). */
bool gosalloc_owns(const void *p);
void gosalloc_free_any(const void *p);
size_t gosalloc_size_any(const void *p);
void *gosalloc_realloc_any(const void *p, size_t new_size, gfp_t flags)
	__realloc_size(2);
void *gosalloc_kvrealloc_any(const void *p, size_t new_size, gfp_t flags)
	__realloc_size(2);

/*
 * Named caches of one object size (cache.c), with SLUB's semantics. A
 * cache starts with GOSALLOC_CACHE_MAGIC, so that gosalloc_dropin.h can
 * tell it from a kernel cache a kernel header hands the module (fs.h's
 * names_cachep behind __getname(), for one).
 */
#define GOSALLOC_CACHE_MAGIC	0x676f73616c6c6f63UL	/* "gosalloc" */

struct gosalloc_cache_head {
	unsigned long magic;
};

struct gosalloc_cache *gosalloc_cache_create(const char *name,
					     unsigned int size,
					     unsigned int align,
					     slab_flags_t flags,
					     void (*ctor)(void *));
void *gosalloc_cache_alloc(struct gosalloc_cache *c, gfp_t flags) __malloc;
void *gosalloc_cache_alloc_node(struct gosalloc_cache *c, gfp_t flags,
				int node) __malloc;
void gosalloc_cache_free(struct gosalloc_cache *c, void *p);
int gosalloc_cache_alloc_bulk(struct gosalloc_cache *c, gfp_t flags,
			      size_t nr, void **p);
void gosalloc_cache_free_bulk(struct gosalloc_cache *c, size_t nr, void **p);
void gosalloc_cache_destroy(struct gosalloc_cache *c);
int gosalloc_cache_shrink(struct gosalloc_cache *c);
unsigned int gosalloc_cache_size(const struct gosalloc_cache *c);

/* Frees after an RCU grace period (rcu.c). */
void gosalloc_free_rcu_head(const void *p, struct rcu_head *head);
void gosalloc_free_rcu_mightsleep(const void *p);
void gosalloc_rcu_barrier(void);

/*
 * gosalloc_free_rcu() - free an object after an RCU grace period
 *
 * gosalloc_free_rcu(ptr, rhf) as kfree_rcu(ptr, rhf): @rhf names a
 * struct rcu_head in *@ptr; never sleeps. gosalloc_free_rcu(ptr) as
 * kfree_rcu_mightsleep(ptr): no rcu_head needed, but it may sleep (in
 * synchronize_rcu() when memory is short). @ptr may be NULL, a gosalloc
 * object of any kind (cache objects included) or gosalloc_kvmalloc()
 * memory.
 */
#define gosalloc_free_rcu(...)						\
	CONCATENATE(__gosalloc_free_rcu_, COUNT_ARGS(__VA_ARGS__))(__VA_ARGS__)
#define __gosalloc_free_rcu_1(ptr)	gosalloc_free_rcu_mightsleep(ptr)
#define __gosalloc_free_rcu_2(ptr, rhf)					\
do {									\
	typeof(ptr) ___p = (ptr);					\
									\
	if (___p)							\
		gosalloc_free_rcu_head(___p, (void *)___p +		\
				       offsetof(typeof(*___p), rhf));	\
} while (0)

#endif /* _GOSALLOC_H */
