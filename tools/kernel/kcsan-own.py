#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Set aside the KCSAN reports in which gosalloc takes no part.

kcsan-own.py SYMBOLS < KERNEL_LOG > CHECKED_LOG

KCSAN watches the whole kernel, and now and then it finds a race in the
kernel's own code (one seen: arch_dup_task_struct() copying a task while
an interrupt on the same CPU updated the task's irq-trace fields).
SYMBOLS lists the functions of gosalloc and of its tests, one per line
(nm of their objects). A KCSAN report ("BUG: KCSAN: ...", up to the line
of '=' that closes it) whose title and stack frames name none of them is
left out of CHECKED_LOG, and its title goes to standard error. Everything
else is copied, gosalloc's KCSAN reports and reports cut short included,
for the caller's check for reports.
"""
import re
import sys

RULE = re.compile(r"^=+$")
FRAME = re.compile(r"^\s*([A-Za-z_][\w.]*)\+0x[0-9a-f]+/0x[0-9a-f]+")
TITLE = re.compile(r"^BUG: KCSAN: .* in (.*)$")


def names(report):
    """The functions a report names: its title's, then its frames'."""
    found = set()
    title = TITLE.match(report[0])
    if title:
        found.update(n.strip() for n in title.group(1).split("/"))
    for line in report[1:]:
        frame = FRAME.match(line)
        if frame:
            found.add(frame.group(1))
    return found


def main():
    with open(sys.argv[1]) as f:
        ours = {line.strip() for line in f if line.strip()}
    report = None
    for line in sys.stdin:
        if report is None:
            if line.startswith("BUG: KCSAN: "):
                report = [line]
            else:
                sys.stdout.write(line)
            continue
        report.append(line)
        if RULE.match(line):
            if names(report) & ours:
                sys.stdout.writelines(report)
            else:
                sys.stderr.write("not gosalloc's, left out: " + report[0])
            report = None
    if report:
        sys.stdout.writelines(report)


if __name__ == "__main__":
    main()
