#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The least memory a replay of a kmalloc trace can peak at.

    floor.py [TRACE]   (default: tools/trace/kmalloc.trace)

Replays the trace's allocations and frees (tools/trace/capture.sh) and
prints three peaks, each the highest point the running sum reaches:

  requested  the bytes asked for
  classes    each object rounded up to its gosalloc size class
  spans      each class's objects packed into as few of its spans as
             possible, at that moment

"spans" is what an allocator with gosalloc's size classes and span sizes
(gosalloc/sizeclasses.c) would hold if it kept no object cached on any
CPU and moved every object to pack its spans full: no allocator can do
better with those classes. Tiny requests (1 to 7 bytes, gosalloc's
default tiny_max) count their exact size; large ones (over 32 KiB) their
pages.
"""
import math
import os
import re
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PAGE = 4096
TINY_MAX = 7
SMALL_MAX = 32768


def table(src, name):
    m = re.search(r"%s\[\d+\] = \{(.*?)\};" % name, src, re.S)
    return [int(x) for x in re.findall(r"\d+", m.group(1))]


def main(path):
    with open(os.path.join(TOP, "gosalloc", "sizeclasses.c")) as f:
        src = f.read()
    size = table(src, "gosalloc_class_to_size")
    npages = table(src, "gosalloc_class_to_npages")
    nobjs = table(src, "gosalloc_class_to_nobjs")
    to_class = {}
    cls = 1
    for n in range(1, SMALL_MAX + 1):
        while size[cls] < n:
            cls += 1
        to_class[n] = cls

    count = [0] * len(size)
    spans = [0] * len(size)	# bytes of the spans class c's objects fill
    live = {}
    req = rounded = other = packed = 0
    peak = {"requested": 0, "classes": 0, "spans": 0}
    with open(path) as f:
        for line in f:
            word = line.split()
            if not word or word[0] not in ("a", "f"):
                continue
            if word[0] == "a":
                n = int(word[2])
                c = to_class.get(n) if n > TINY_MAX else None
                live[word[1]] = (n, c)
                sign = 1
            elif word[1] in live:
                n, c = live.pop(word[1])
                sign = -1
            else:
                continue
            req += sign * n
            if c is None:
                n = n if n <= TINY_MAX else math.ceil(n / PAGE) * PAGE
                other += sign * n
                rounded += sign * n
            else:
                count[c] += sign
                rounded += sign * size[c]
                packed -= spans[c]
                spans[c] = math.ceil(count[c] / nobjs[c]) * npages[c] * PAGE
                packed += spans[c]
            peak["requested"] = max(peak["requested"], req)
            peak["classes"] = max(peak["classes"], rounded)
            peak["spans"] = max(peak["spans"], packed + other)
    for what, n in peak.items():
        print("%-10s %8d KiB" % (what, n // 1024))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(TOP, "tools", "trace", "kmalloc.trace"))
