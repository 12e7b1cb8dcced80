#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench.sh: "make bench". Not written yet: the benchmark modules come
# with the allocator proper. This prints what they will measure.
cat <<'TEXT'
make bench: no benchmark yet. gosalloc is still the page-allocator
skeleton, so there is nothing worth timing against kmalloc.

The benchmarks will run in two environments, Debian's 6.12 kernel under
QEMU with 2 CPUs and a UML kernel (native speed, 1 CPU), and print one
table per environment: gosalloc's time, the kernel's SLUB (kmalloc and
kmem_cache_alloc) measured in the same boot, and their ratio, as median
and spread of repeated runs, in cycles and nanoseconds per operation:

  - hot alloc+free pairs for each size class boundary from 8 B to 32 KiB,
    and one large size (64 KiB);
  - batches: 1000 allocations then 1000 frees, in LIFO and random order;
  - bulk: gosalloc_alloc_bulk/free_bulk against kmem_cache_alloc_bulk;
  - cross-CPU: one CPU allocates, the other frees;
  - parallel: both CPUs at once, throughput against one CPU;
  - memory: a recorded trace of real kmalloc calls replayed through both,
    peak pages held and time.
TEXT
