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

kcsan-own.py --test checks the filter on two reports seen in the arm64
run, one of each kind, and exits non-zero if either goes the wrong way.
"""
import io
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


RULE_LINE = "=" * 66 + "\n"
THEIRS = """BUG: KCSAN: data-race in arch_dup_task_struct / trace_hardirqs_off_finish

write (marked) to 0xfff0000001961848 of 4 bytes by task 2 on cpu 1:
 trace_hardirqs_off_finish+0x3c/0xcc
 el1_interrupt+0x24/0x54
 kcsan_setup_watchpoint+0x264/0x718
 arch_dup_task_struct+0x58/0x178

read to 0xfff0000001961840 of 6208 bytes by task 2 on cpu 1:
 arch_dup_task_struct+0x58/0x178
 kthreadd+0x1b0/0x294
"""
OURS = """BUG: KCSAN: data-race in gosalloc_alloc / gosalloc_alloc

write to 0xfff000003fceb4c0 of 8 bytes by task 209 on cpu 1:
 gosalloc_alloc+0x220/0x494
 context_thread+0x88/0x24c

read to 0xfff000003fceb4c0 of 8 bytes by task 207 on cpu 1:
 gosalloc_alloc+0x214/0x494
 context_thread+0x88/0x24c
"""


def self_test():
    """Set aside the kernel's report, keep gosalloc's and the rest."""
    log = ("    ok 1 a_case\n" + RULE_LINE + THEIRS + RULE_LINE +
           "    ok 2 b_case\n" + RULE_LINE + OURS + RULE_LINE)
    out, err = io.StringIO(), io.StringIO()
    check(io.StringIO(log), {"gosalloc_alloc", "context_thread"}, out, err)
    want = ("    ok 1 a_case\n" + RULE_LINE + "    ok 2 b_case\n" +
            RULE_LINE + OURS + RULE_LINE)
    if out.getvalue() != want or "arch_dup_task_struct" not in err.getvalue():
        sys.exit("kcsan-own.py: the self-test failed")


def main():
    if sys.argv[1] == "--test":
        self_test()
        return
    with open(sys.argv[1]) as f:
        ours = {line.strip() for line in f if line.strip()}
    check(sys.stdin, ours, sys.stdout, sys.stderr)


def check(log, ours, out, err):
    """Copy LOG to OUT without the reports that name nothing in OURS."""
    report = None
    for line in log:
        if report is None:
            if line.startswith("BUG: KCSAN: "):
                report = [line]
            else:
                out.write(line)
            continue
        report.append(line)
        if RULE.match(line):
            if names(report) & ours:
                out.writelines(report)
            else:
                err.write("not gosalloc's, left out: " + report[0])
            report = None
    if report:
        out.writelines(report)


if __name__ == "__main__":
    main()
