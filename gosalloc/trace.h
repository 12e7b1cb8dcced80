/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace.h - gosalloc's tracepoints, gosalloc:gosalloc_alloc and
 * gosalloc:gosalloc_free, in the manner of kmem:kmalloc and kmem:kfree;
 * see malloc.c for the overview.
 *
 * Enabling either event switches the allocation and free entry points to
 * their hooked paths (debug.h), which emit them; disabled, they cost the
 * fast paths nothing beyond the hooks' no-op jump.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM gosalloc

#if !defined(_GOSALLOC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _GOSALLOC_TRACE_H

#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>

int gosalloc_trace_reg(void);
void gosalloc_trace_unreg(void);

TRACE_EVENT_FN(gosalloc_alloc,
	       TP_PROTO(unsigned long call_site, const void *ptr,
			size_t bytes_req, size_t bytes_alloc, gfp_t gfp_flags),
	       TP_ARGS(call_site, ptr, bytes_req, bytes_alloc, gfp_flags),
	       TP_STRUCT__entry(__field(unsigned long, call_site)
				__field(const void *, ptr)
				__field(size_t, bytes_req)
				__field(size_t, bytes_alloc)
				__field(unsigned long, gfp_flags)
				__field(int, cpu)),
	       TP_fast_assign(__entry->call_site = call_site;
			      __entry->ptr = ptr;
			      __entry->bytes_req = bytes_req;
			      __entry->bytes_alloc = bytes_alloc;
			      __entry->gfp_flags = (__force unsigned long)gfp_flags;
			      __entry->cpu = raw_smp_processor_id();),
	       TP_printk("call_site=%pS ptr=%p bytes_req=%zu bytes_alloc=%zu gfp_flags=%s cpu=%d",
			 (void *)__entry->call_site, __entry->ptr,
			 __entry->bytes_req, __entry->bytes_alloc,
			 show_gfp_flags(__entry->gfp_flags), __entry->cpu),
	       gosalloc_trace_reg, gosalloc_trace_unreg);

TRACE_EVENT_FN(gosalloc_free,
	       TP_PROTO(unsigned long call_site, const void *ptr),
	       TP_ARGS(call_site, ptr),
	       TP_STRUCT__entry(__field(unsigned long, call_site)
				__field(const void *, ptr)
				__field(int, cpu)),
	       TP_fast_assign(__entry->call_site = call_site;
			      __entry->ptr = ptr;
			      __entry->cpu = raw_smp_processor_id();),
	       TP_printk("call_site=%pS ptr=%p cpu=%d",
			 (void *)__entry->call_site, __entry->ptr,
			 __entry->cpu),
	       gosalloc_trace_reg, gosalloc_trace_unreg);

#endif /* _GOSALLOC_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
