#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Drop the reports a kernel's own KUnit suites provoke on purpose.

kunit-expected.py EXPECTED < KERNEL_LOG > CHECKED_LOG

EXPECTED lists, one per line, a regular expression for the first line of
such a report ('#' starts a comment line: say which suite provokes it).
Each line of the log that matches one is dropped with the stack dump that
follows it (the lines a dump is made of: CPU, Tainted, Hardware name,
Stack, Call Trace, indented lines, the end-trace marker); everything else
is copied, for the caller's check for warnings, BUGs and lockdep reports.
"""
import re
import sys

DUMP = re.compile(r"^(CPU: |Tainted: |Hardware name: |Stack:|Call Trace:|"
                  r"Modules linked in:|RIP: |Code: |---\[ end trace|\s)")


def main():
    with open(sys.argv[1]) as f:
        expected = [re.compile(line.rstrip("\n")) for line in f
                    if line.strip() and not line.startswith("#")]
    skipping = False
    for line in sys.stdin:
        if any(e.search(line) for e in expected):
            skipping = True
            continue
        if skipping and DUMP.match(line):
            continue
        skipping = False
        sys.stdout.write(line)


if __name__ == "__main__":
    main()
