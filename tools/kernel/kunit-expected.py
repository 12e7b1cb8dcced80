#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Drop the reports a kernel's own KUnit suites provoke on purpose.

kunit-expected.py EXPECTED < KERNEL_LOG > CHECKED_LOG

EXPECTED lists, one per line, a regular expression for the first line of
such a report ('#' starts a comment line: say which suite provokes it).
Each line of the log that matches one is dropped with the stack dump that
follows it (the lines a dump is made of: CPU, Tainted, Hardware name,
Stack, Call Trace, an oops's fault and registers, indented lines, the
end-trace marker); a KASAN report
("BUG: KASAN: ...") is dropped whole, up to the line of '=' that closes
it. Everything else is copied, for the caller's check for warnings, BUGs
and lockdep reports.
"""
import re
import sys

KASAN_END = re.compile(r"^=+$")
DUMP = re.compile(r"^(CPU: |Tainted: |Hardware name: |Stack:|Call Trace:|"
                  r"Modules linked in:|RIP: |Code: |---\[ end trace|\s|"
                  # an oops: the page fault, then the registers
                  r"#PF: |PGD |(R[A-Z0-9]{1,2}|[CDEFG]S|CR[0-9]|DR[0-9]):\s)")


def main():
    with open(sys.argv[1]) as f:
        expected = [re.compile(line.rstrip("\n")) for line in f
                    if line.strip() and not line.startswith("#")]
    skipping = False
    in_kasan = False
    for line in sys.stdin:
        if in_kasan:
            in_kasan = not KASAN_END.match(line)
            continue
        if any(e.search(line) for e in expected):
            skipping = True
            in_kasan = line.startswith("BUG: KASAN: ")
            continue
        if skipping and DUMP.match(line):
            continue
        skipping = False
        sys.stdout.write(line)


if __name__ == "__main__":
    main()
