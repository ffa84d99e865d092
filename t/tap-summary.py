#!/usr/bin/env python3
"""Count TAP results in meson's test logs and print the closing line.

usage: tap-summary.py TESTLOG.json|FILE.tap...

Each test's output is read for "ok N" / "not ok N" lines; "# SKIP" marks a
skip (a whole-file "1..0 # SKIP" counts as one). A test that failed
without printing a failing TAP line (a crash, a timeout) counts as one
failure. Prints "N passed, N failed, N skipped" last and exits 1 when
anything failed.
"""
import json
import re
import sys

def tests_of(path):
    """meson's JSON log, a test per line; or one TAP file, as one test."""
    with open(path, encoding="utf-8", errors="replace") as f:
        if path.endswith(".tap"):
            out = f.read()
            ok = re.search(r"^1\.\.[0-9]+", out, re.M) is not None
            yield {"name": path, "stdout": out, "result": "OK" if ok else "FAIL"}
            return
        for line in f:
            yield json.loads(line)


passed = failed = skipped = 0
bad = []
for path in sys.argv[1:]:
    for t in tests_of(path):
        out = t.get("stdout") or ""
        p = f = s = 0
        for l in out.splitlines():
            if re.match(r"^ok\b", l):
                if "# SKIP" in l or "# skip" in l:
                    s += 1
                else:
                    p += 1
            elif re.match(r"^not ok\b", l):
                if "# TODO" in l:
                    continue
                f += 1
            elif re.match(r"^1\.\.0\s*#\s*SKIP", l, re.I):
                s += 1
        if t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and f == 0:
            f = 1
        if f:
            bad.append("%s (%s)" % (t.get("name"), path.split("/")[0]))
        passed += p
        failed += f
        skipped += s
for b in bad:
    print("failed: " + b)
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed else 0)
