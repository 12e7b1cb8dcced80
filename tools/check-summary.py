#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Summarise a "make check" run: every KUnit case, kselftest case and gate.

Reads OUT/steps.txt ("name exit_status seconds started cpu [reused]" per
step, started in seconds after make check began, cpu the CPU seconds its
processes used on every core; "reused" when the step's recorded pass was
reused instead of running it), the KUnit JSON that kunit.py wrote for
each kunit-* step and the KTAP in the guest log of each kselftest-* step
and of the module-debug step. Prints a table of the steps (cases passed
and failed, when each started, how long it took and the CPU time it used;
the last row the totals, make check's own time and all the CPU time),
each failure by name (a kselftest or guest case with the last lines of
diagnostics printed before it), and a final "N passed, N failed" line;
exits 1 when anything failed.
"""
import json
import os
import re
import sys


def kunit_cases(group, prefix=""):
    """Yield (name, status) for every case in a kunit.py JSON group."""
    for sub in group.get("sub_groups", []):
        yield from kunit_cases(sub, prefix + sub["name"] + ".")
    for case in group.get("test_cases", []):
        yield prefix + case["name"], case["status"]


def kunit_step(out, name, rc):
    path = os.path.join(out, name + ".json")
    results = []
    if os.path.exists(path):
        with open(path) as f:
            results = [(case, status in ("PASS", "SKIP"))
                       for case, status in kunit_cases(json.load(f))]
    if rc == 3:
        results.append(("kernel log holds a warning, BUG or lockdep report "
                        "(see %s.out)" % name, False))
    elif rc != 0 and all(ok for _, ok in results):
        results.append(("kunit.py exited %d (build error, crash or hang; "
                        "see %s.out)" % (rc, name), False))
    return results


TOP = re.compile(r"^(not )?ok \d+ selftests: (\S+): (\S+)")
LEAF = re.compile(r"^# (not )?ok \d+ (.*?)(?: # SKIP.*)?$")
# The last lines of diagnostics a test printed before a failing case are
# shown under it: often all a CI log keeps of why it failed.
NOTES = 3


def with_notes(case, ok, notes):
    """CASE, followed by NOTES lines of its diagnostics when it failed."""
    if ok or not notes:
        return case
    return "\n".join([case] + ["    " + note for note in notes[-NOTES:]])


def kselftest_step(out, name, rc):
    path = os.path.join(out, name + ".log")
    results, leaves, notes = [], [], []
    if os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                m = LEAF.match(line)
                if m:
                    ok = not m.group(1)
                    leaves.append((with_notes(m.group(2), ok, notes), ok))
                    notes = []
                    continue
                if line.startswith("# # "):
                    notes.append(line[2:])
                    continue
                m = TOP.match(line)
                if m:
                    prog = m.group(3)
                    results += [(prog + ": " + leaf, ok) for leaf, ok in leaves]
                    if m.group(1) and all(ok for _, ok in leaves):
                        results.append((prog, False))
                    leaves = []
    return results + guest_failure(name, rc, results)


def guest_failure(name, rc, results):
    """A failure to count when the guest failed but no case says so."""
    if rc == 0 or not all(ok for _, ok in results):
        return []
    why = {124: "guest timed out", 125: "guest crashed or panicked"}
    return [("guest exited %d (%s; see %s.log)" %
             (rc, why.get(rc, "test failed"), name), False)]


KTAP = re.compile(r"^(not )?ok \d+ (.*?)(?: # SKIP.*)?$")


def ktap_step(out, name, rc):
    """A step whose guest prints one flat KTAP list to NAME.log."""
    path = os.path.join(out, name + ".log")
    if not os.path.exists(path):
        return [("%s exited %d before the guest ran (see %s.out)" %
                 (name, rc, name), False)]
    results, notes = [], []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = KTAP.match(line)
            if m:
                ok = not m.group(1)
                results.append((with_notes(m.group(2), ok, notes), ok))
                notes = []
            elif line.startswith("# "):
                notes.append(line)
    return results + guest_failure(name, rc, results)


CASE = re.compile(r"^(not )?ok (\S+)$")


def cases_step(out, name, rc):
    """A step that prints "ok NAME" or "not ok NAME" per case."""
    results = []
    path = os.path.join(out, name + ".out")
    if os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                m = CASE.match(line.rstrip("\n"))
                if m:
                    results.append((m.group(2), not m.group(1)))
    if rc != 0 and all(ok for _, ok in results):
        results.append(("%s exited %d (see %s.out)" % (name, rc, name), False))
    return results


def mmss(secs):
    return "%d:%02d" % (secs // 60, secs % 60)


def main(out):
    passed = failed = 0
    rows, failures = [], []
    with open(os.path.join(out, "steps.txt")) as f:
        steps = [line.split() for line in f if line.strip()]
    steps.sort(key=lambda step: int(step[3]) if len(step) > 3 else 0)
    wall = reused = cpu_total = 0
    for step in steps:
        name, rc, secs = step[0], int(step[1]), int(step[2])
        started = int(step[3]) if len(step) > 3 else 0
        cpu = int(step[4]) if len(step) > 4 and step[4].isdigit() else 0
        cpu_total += cpu
        wall = max(wall, started + secs)
        if name.startswith("kunit-"):
            results = kunit_step(out, name, rc)
        elif name.startswith("kselftest-"):
            results = kselftest_step(out, name, rc)
        elif name == "module-debug":
            results = ktap_step(out, name, rc)
        elif name in ("stat-tool", "dkms", "ordering"):
            results = cases_step(out, name, rc)
        else:
            results = [(name, rc == 0)]
        took, cpu = mmss(secs), mmss(cpu)
        if step[-1] == "reused":
            took = cpu = "reused"
            reused += 1
        ok = sum(1 for _, good in results if good)
        bad = [case for case, good in results if not good]
        passed += ok
        failed += len(bad)
        rows.append("%-20s %6d %6d %8s %8s %8s" %
                    (name, ok, len(bad), mmss(started), took, cpu))
        failures += ["FAILED %s: %s" % (name, case) for case in bad]
    print("%-20s %6s %6s %8s %8s %8s" % ("step", "passed", "failed",
                                          "started", "took", "cpu"))
    print("\n".join(rows))
    print("%-20s %6d %6d %8s %8s %8s" % ("make check", passed, failed, "",
                                          mmss(wall), mmss(cpu_total)))
    if failures:
        print("\n".join(failures))
    if reused:
        print("%d of %d steps reused the pass of an earlier run with the "
              "same inputs (GOSALLOC_CHECK_CACHE=0 runs them)" %
              (reused, len(steps)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out"))
