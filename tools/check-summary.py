#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Summarise a "make check" run: every KUnit case, kselftest case and gate.

Reads OUT/steps.txt ("name exit_status seconds" per step), the KUnit JSON
that kunit.py wrote for each kunit-* step and the KTAP in each kselftest-*
step's guest log. Prints each failure by name, a count per step, and a
final "N passed, N failed" line; exits 1 when anything failed.
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


def kselftest_step(out, name, rc):
    path = os.path.join(out, name + ".log")
    results, leaves = [], []
    if os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                m = LEAF.match(line)
                if m:
                    leaves.append((m.group(2), not m.group(1)))
                    continue
                m = TOP.match(line)
                if m:
                    prog = m.group(3)
                    results += [(prog + ": " + leaf, ok) for leaf, ok in leaves]
                    if m.group(1) and all(ok for _, ok in leaves):
                        results.append((prog, False))
                    leaves = []
    if rc != 0 and all(ok for _, ok in results):
        why = {124: "guest timed out", 125: "guest crashed or panicked"}
        results.append(("guest exited %d (%s; see %s.log)" %
                        (rc, why.get(rc, "test failed"), name), False))
    return results


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


def main(out):
    passed = failed = 0
    rows = []
    with open(os.path.join(out, "steps.txt")) as f:
        steps = [line.split() for line in f if line.strip()]
    for name, rc, secs in steps:
        rc = int(rc)
        if name.startswith("kunit-"):
            results = kunit_step(out, name, rc)
        elif name.startswith("kselftest-"):
            results = kselftest_step(out, name, rc)
        elif name in ("stat-tool", "dkms"):
            results = cases_step(out, name, rc)
        else:
            results = [(name, rc == 0)]
        ok = sum(1 for _, good in results if good)
        bad = [case for case, good in results if not good]
        passed += ok
        failed += len(bad)
        rows.append("%-16s %4d passed %4d failed %5ss" %
                    (name, ok, len(bad), secs))
        for case in bad:
            rows.append("    FAILED %s: %s" % (name, case))
    print("\n".join(rows))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out"))
