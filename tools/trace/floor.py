#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The least memory a replay of a kmalloc trace can peak at.

    floor.py [--variants] [TRACE]   (default: tools/trace/kmalloc.trace)

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

With --variants it prints the same peaks for other tables too, built
from tools/sizeclasses/mksizeclasses.py's rules with one of them
changed: classes spaced finer from 128 bytes to 2 KiB (a sixteenth or a
thirty-second of the last power of two, where the generator takes an
eighth), every step a class of its own, none merged; and gosalloc's
classes with spans allowed more tail waste than an eighth, so that they
take fewer pages.
"""
import math
import os
import re
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(TOP, "tools", "sizeclasses"))
import mksizeclasses  # noqa: E402
PAGE = 4096
TINY_MAX = 7
SMALL_MAX = 32768


def table(src, name):
    m = re.search(r"%s\[\d+\] = \{(.*?)\};" % name, src, re.S)
    return [int(x) for x in re.findall(r"\d+", m.group(1))]


def generated():
    """gosalloc's table, as (size, pages per span), class 0 first."""
    with open(os.path.join(TOP, "gosalloc", "sizeclasses.c")) as f:
        src = f.read()
    return list(zip(table(src, "gosalloc_class_to_size"),
                    table(src, "gosalloc_class_to_npages")))


def spaced(div):
    """The generator's steps with 1/@div from 128 bytes to 2 KiB, each a
    class, with the generator's spans."""
    return [(0, 0)] + [(size, mksizeclasses.span_pages(size, PAGE))
                       for size in mksizeclasses.steps(div)]


def peaks(classes, path):
    """Peaks of the replay of @path with @classes, in bytes."""
    size = [c[0] for c in classes]
    npages = [c[1] for c in classes]
    nobjs = [n * PAGE // s if s else 0 for s, n in classes]
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
    return peak


def main(args):
    variants = "--variants" in args
    args = [a for a in args if a != "--variants"]
    path = args[0] if args else os.path.join(TOP, "tools", "trace",
                                             "kmalloc.trace")
    ours = generated()
    peak = peaks(ours, path)
    for what, n in peak.items():
        print("%-10s %8d KiB" % (what, n // 1024))
    if not variants:
        return
    tables = [("as generated", ours),
              ("spaced 1/16", spaced(16)),
              ("spaced 1/32", spaced(32))]
    for tail in (4, 2):
        tables.append(("tails to 1/%d" % tail,
                       [(s, mksizeclasses.span_pages(s, PAGE, 1 / tail)
                         if s else 0) for s, _ in ours]))
    print()
    print("%-14s %7s %9s %9s %9s" % ("table", "classes", "requested",
                                     "classes", "spans"))
    for name, classes in tables:
        peak = peaks(classes, path)
        print("%-14s %7d %9d %9d %9d" % (name, len(classes) - 1,
                                         peak["requested"] // 1024,
                                         peak["classes"] // 1024,
                                         peak["spans"] // 1024))


if __name__ == "__main__":
    main(sys.argv[1:])
