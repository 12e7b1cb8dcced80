#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate gosalloc's size-class table for a page size.

The rules are those of Go's runtime generator:

- object sizes step by 8 bytes, then 16 from 32 bytes, then one eighth of
  the last power of two from 128 bytes, then 256 from 2048 bytes, up to
  32 KiB;
- each class gets the fewest pages per span that leave a tail of at most
  one eighth of the span;
- a size that fits the same number of objects in the same span as the
  previous class replaces it (the larger size wins), unless that would
  pass the rounding limit below (gosalloc's addition: with 4 KiB pages
  Go's rule alone leaves 25 % gaps, such as 768 -> 1024);
- finally each class grows to the largest multiple of 128 bytes that still
  fits the same number of objects in its span, but never to the next
  class's size and never so far that rounding waste passes one eighth.

The generator then checks its invariants and refuses to write a table that
breaks one:

- span tail waste <= 12.5 % for every class;
- rounding waste <= 12.5 % for every class of 128 bytes and more (below
  that, the 8- and 16-byte alignment steps bound it instead);
- every power of two from 8 to PAGE_SIZE is a class, so such requests are
  naturally aligned; every size is a multiple of 8;
- the lookup tables map every size from 0 to 32 KiB to the smallest class
  that fits;
- the reciprocal used to turn an offset in a span into an object index is
  exact for every offset in the span.

Usage: mksizeclasses.py [--page-size N] [--out DIR] [--check]
With --check, compare with the files in DIR instead of writing them.
"""
import argparse
import os
import sys

MAX_SMALL = 32 << 10
SMALL_DIV, SMALL_MAX, LARGE_DIV = 8, 1024, 128
ONE_EIGHTH = 0.125


def power_of_two(x):
    return x & (x - 1) == 0


def rounding_ok(size, prev):
    """May a class of @size follow one of @prev by the rounding limit?"""
    return size < 128 or (size - prev - 1) / size <= ONE_EIGHTH


def steps(div=8):
    """The candidate sizes: by 8 bytes, by 16 from 32 bytes, by 1/@div of
    the last power of two from 128 bytes, by 256 from 2048 bytes."""
    align = size = 8
    while size <= MAX_SMALL:
        if power_of_two(size):
            if size >= 2048:
                align = 256
            elif size >= 128:
                align = size // div
            elif size >= 32:
                align = 16
        yield size
        size += align


def span_pages(size, page, tail=ONE_EIGHTH):
    """The fewest pages per span that leave a tail of at most @tail of
    the span after @size objects."""
    span = page
    while span % size > span * tail:
        span += page
    return span // page


def make_classes(page):
    classes = [(0, 0)]          # class 0: unused, as in Go
    for size in steps():
        npages = span_pages(size, page)
        span = npages * page
        prev_size, prev_npages = classes[-1]
        if (len(classes) > 1 and npages == prev_npages and
                span // size == span // prev_size and
                rounding_ok(size, classes[-2][0])):
            classes[-1] = (size, npages)
        else:
            classes.append((size, npages))
    for i in range(1, len(classes)):
        size, npages = classes[i]
        span = npages * page
        grown = (span // (span // size)) & ~(LARGE_DIV - 1)
        below_next = i + 1 == len(classes) or grown < classes[i + 1][0]
        if grown > size and below_next and rounding_ok(grown, classes[i - 1][0]):
            classes[i] = (grown, npages)
    return classes


def div_magic(size):
    return (0xffffffff // size) + 1


def lookup_tables(classes):
    def smallest(n):
        return next(i for i, (s, _) in enumerate(classes) if i and s >= n)
    by8 = [smallest(max(i * SMALL_DIV, 1))
           for i in range(SMALL_MAX // SMALL_DIV + 1)]
    by128 = [smallest(SMALL_MAX + i * LARGE_DIV)
             for i in range((MAX_SMALL - SMALL_MAX) // LARGE_DIV + 1)]
    return by8, by128


def lookup(by8, by128, n):
    if n <= SMALL_MAX:
        return by8[(n + SMALL_DIV - 1) // SMALL_DIV]
    return by128[(n - SMALL_MAX + LARGE_DIV - 1) // LARGE_DIV]


def rows(classes, page):
    """Per-class figures for the comment rows and the checks."""
    out = []
    for i in range(1, len(classes)):
        size, npages = classes[i]
        span = npages * page
        objects = span // size
        tail = span - objects * size
        prev = classes[i - 1][0]
        rounding = (size - prev - 1) / size
        waste = ((size - prev - 1) * objects + tail) / span
        out.append(dict(cls=i, size=size, npages=npages, span=span,
                        objects=objects, tail=tail, rounding=rounding,
                        waste=waste))
    return out


def check(classes, page):
    errors = []
    by8, by128 = lookup_tables(classes)
    sizes = [s for s, _ in classes[1:]]
    if sizes != sorted(set(sizes)):
        errors.append("sizes are not strictly increasing")
    if sizes[-1] != MAX_SMALL:
        errors.append("largest class is %d, not %d" % (sizes[-1], MAX_SMALL))
    for r in rows(classes, page):
        name = "class %d (%d bytes)" % (r["cls"], r["size"])
        if r["size"] % 8:
            errors.append(name + ": not a multiple of 8")
        if r["tail"] > r["span"] / 8:
            errors.append(name + ": tail waste over 12.5 %")
        if r["size"] >= 128 and r["rounding"] > ONE_EIGHTH:
            errors.append(name + ": rounding waste over 12.5 %")
        if r["objects"] > 0xffff:
            errors.append(name + ": too many objects per span")
        magic = div_magic(r["size"])
        for off in range(0, r["span"]):
            if (off * magic) >> 32 != off // r["size"]:
                errors.append(name + ": reciprocal inexact at %d" % off)
                break
    p = 8
    while p <= page:
        if p not in sizes:
            errors.append("power of two %d is not a class" % p)
        p *= 2
    for n in range(0, MAX_SMALL + 1):
        c = lookup(by8, by128, n)
        fits = [i for i, s in enumerate(sizes, 1) if s >= max(n, 1)]
        if c != fits[0]:
            errors.append("size %d maps to class %d, not %d" % (n, c, fits[0]))
            break
    return errors


HEADER = """\
/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sizeclasses.h - gosalloc's size classes for %(page)d-byte pages.
 *
 * Generated by tools/sizeclasses/mksizeclasses.py; do not edit.
 * "make check" regenerates it and fails if this copy differs.
 */
#ifndef _GOSALLOC_SIZECLASSES_H
#define _GOSALLOC_SIZECLASSES_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/page.h>

#define GOSALLOC_SIZECLASSES_PAGE_SIZE\t%(page)d
#define GOSALLOC_NR_CLASSES\t\t%(nr)d\t/* class 0 is unused */
#define GOSALLOC_MAX_SMALL_SIZE\t\t%(max_small)d
#define GOSALLOC_SMALL_SIZE_DIV\t\t%(small_div)d
#define GOSALLOC_SMALL_SIZE_MAX\t\t%(small_max)d
#define GOSALLOC_LARGE_SIZE_DIV\t\t%(large_div)d

extern const u16 gosalloc_class_to_size[GOSALLOC_NR_CLASSES];
extern const u8 gosalloc_class_to_npages[GOSALLOC_NR_CLASSES];
extern const u16 gosalloc_class_to_nobjs[GOSALLOC_NR_CLASSES];
extern const u32 gosalloc_class_to_divmagic[GOSALLOC_NR_CLASSES];
extern const u8 gosalloc_size_to_class8[%(n8)d];
extern const u8 gosalloc_size_to_class128[%(n128)d];

/*
 * The smallest class that holds @size bytes; @size <= 32 KiB. The table
 * and the index are chosen with masks, not a branch, so that every size
 * runs the same instructions of the fast path.
 */
static __always_inline unsigned int gosalloc_size_to_class(size_t size)
{
\tunsigned long small = -(unsigned long)(size <= GOSALLOC_SMALL_SIZE_MAX);
\tunsigned long i8 = (size + GOSALLOC_SMALL_SIZE_DIV - 1) /
\t\t\t   GOSALLOC_SMALL_SIZE_DIV;
\tunsigned long i128 = (size - GOSALLOC_SMALL_SIZE_MAX +
\t\t\t     GOSALLOC_LARGE_SIZE_DIV - 1) / GOSALLOC_LARGE_SIZE_DIV;
\tunsigned long table = ((unsigned long)gosalloc_size_to_class8 & small) |
\t\t\t      ((unsigned long)gosalloc_size_to_class128 & ~small);

\treturn ((const u8 *)table)[(i8 & small) | (i128 & ~small)];
}

/* Object index of byte @offset of a span of class @cls; exact in a span. */
static __always_inline unsigned int gosalloc_class_index(unsigned int cls,
\t\t\t\t\t\t\t unsigned long offset)
{
\treturn ((u64)offset * gosalloc_class_to_divmagic[cls]) >> 32;
}

#endif /* _GOSALLOC_SIZECLASSES_H */
"""


def c_array(kind, name, values, per_line=8):
    lines = []
    for i in range(0, len(values), per_line):
        lines.append("\t" + ", ".join(str(v) for v in values[i:i + per_line])
                     + ",")
    return "const %s %s[%d] = {\n%s\n};\nEXPORT_SYMBOL_IF_KUNIT(%s);\n" % (
        kind, name, len(values), "\n".join(lines), name)


def source(classes, page):
    by8, by128 = lookup_tables(classes)
    out = ["// SPDX-License-Identifier: GPL-2.0-only",
           "/*",
           " * sizeclasses.c - gosalloc's size classes for %d-byte pages."
           % page,
           " *",
           " * Generated by tools/sizeclasses/mksizeclasses.py; do not edit.",
           " *",
           " * class  bytes/obj  bytes/span  objects  tail waste  max waste",
           ]
    for r in rows(classes, page):
        out.append(" * %5d  %9d  %10d  %7d  %10d  %8.2f%%" %
                   (r["cls"], r["size"], r["span"], r["objects"], r["tail"],
                    100 * r["waste"]))
    out += [" */", "#include <linux/export.h>", "#include <kunit/visibility.h>",
            "", '#include "sizeclasses.h"', "",
            "#if PAGE_SIZE != GOSALLOC_SIZECLASSES_PAGE_SIZE",
            '#error "regenerate with tools/sizeclasses/mksizeclasses.py '
            '--page-size"',
            "#endif", ""]
    objs = [0] + [r["objects"] for r in rows(classes, page)]
    magic = [0] + [div_magic(s) for s, _ in classes[1:]]
    out.append(c_array("u16", "gosalloc_class_to_size",
                       [s for s, _ in classes]))
    out.append(c_array("u8", "gosalloc_class_to_npages",
                       [n for _, n in classes]))
    out.append(c_array("u16", "gosalloc_class_to_nobjs", objs))
    out.append(c_array("u32", "gosalloc_class_to_divmagic", magic, 4))
    out.append(c_array("u8", "gosalloc_size_to_class8", by8, 16))
    out.append(c_array("u8", "gosalloc_size_to_class128", by128, 16)
               .rstrip("\n"))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--page-size", type=int, default=4096)
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "gosalloc"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()

    classes = make_classes(args.page_size)
    errors = check(classes, args.page_size)
    if errors:
        for e in errors:
            print("mksizeclasses: " + e, file=sys.stderr)
        return 1
    by8, by128 = lookup_tables(classes)
    files = {
        "sizeclasses.h": HEADER % dict(
            page=args.page_size, nr=len(classes), max_small=MAX_SMALL,
            small_div=SMALL_DIV, small_max=SMALL_MAX, large_div=LARGE_DIV,
            n8=len(by8), n128=len(by128)),
        "sizeclasses.c": source(classes, args.page_size),
    }
    status = 0
    for name, text in files.items():
        path = os.path.join(args.out, name)
        if args.check:
            try:
                with open(path) as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                print("mksizeclasses: %s differs from the generator's output"
                      % path, file=sys.stderr)
                status = 1
        else:
            with open(path, "w") as f:
                f.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
