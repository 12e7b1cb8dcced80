/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gosalloc.h - public interface of the gosalloc allocator.
 *
 * Semantics follow kmalloc() wherever a comment here is silent. The
 * functions are documented where they are defined, in gosalloc/malloc.c,
 * and in Documentation/api.rst.
 */
#ifndef _GOSALLOC_H
#define _GOSALLOC_H

#include <linux/gfp.h>
#include <linux/types.h>

void *gosalloc_alloc(size_t size, gfp_t flags);
void *gosalloc_zalloc(size_t size, gfp_t flags);
void *gosalloc_alloc_array(size_t n, size_t size, gfp_t flags);
void *gosalloc_realloc(const void *p, size_t new_size, gfp_t flags);
void gosalloc_free(const void *p);
size_t gosalloc_size(const void *p);
int gosalloc_alloc_bulk(size_t size, gfp_t flags, size_t nr, void **p);
void gosalloc_free_bulk(size_t nr, void **p);

#endif /* _GOSALLOC_H */
