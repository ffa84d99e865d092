#!/usr/bin/env python3
"""Check the exit codes the tests saw against the manual.

usage: check-exit-codes.py SOURCE_DIR EXIT_LOG

EXIT_LOG has a line "<code> <command> <test>" for every run of quiltsync
through lib.sh's `quiltsync` (meson sets QS_EXIT_LOG; t/run checks after
the suite). Prints TAP:
- quiltsync(1)'s table lists exactly the codes of cmd/cli.h;
- each command's page lists only codes of that table;
- every code a test saw a command exit with is on that command's page
  (quiltsync(1)'s table for a command without one, or for usage errors
  before any command);
- every code of the table was seen in some test.
"""
import os
import re
import sys

src, log = sys.argv[1], sys.argv[2]
results = []


def check(ok, what, detail=""):
    results.append((ok, what, detail))


def codes_of(path):
    """The codes an EXIT STATUS section names as *N*, or None."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        return None
    m = re.search(r"^# EXIT STATUS\n(.*?)(?=^# |\Z)", text, re.M | re.S)
    if not m:
        return None
    return {int(c) for c in re.findall(r"\*([0-9]+)\*", m.group(1))}


cli = open(os.path.join(src, "cmd", "cli.h"), encoding="utf-8").read()
enum = {int(v) for v in re.findall(r"QS_EXIT_[A-Z]+ = ([0-9]+)", cli)}
table = codes_of(os.path.join(src, "man", "quiltsync.1.scd")) or set()
check(table == enum, "quiltsync(1)'s exit table lists exactly cmd/cli.h's codes",
      "table %s, cli.h %s" % (sorted(table), sorted(enum)))

pages = {}
for name in sorted(os.listdir(os.path.join(src, "man"))):
    m = re.match(r"quiltsync-([a-z-]+)\.1\.scd$", name)
    if not m:
        continue
    codes = codes_of(os.path.join(src, "man", name))
    if codes is None:
        continue
    pages[m.group(1)] = codes
    check(codes <= table, "quiltsync-%s(1) lists only codes of the table" % m.group(1),
          "extra: %s" % sorted(codes - table))

seen = {}
try:
    lines = open(log, encoding="utf-8").read().splitlines()
except OSError:
    lines = []
check(len(lines) > 0, "the suite logged the exits it saw", "no log at %s" % log)
for line in lines:
    parts = line.split()
    if len(parts) < 3 or not parts[0].isdigit():
        continue
    code, command, test = int(parts[0]), parts[1], parts[2]
    seen.setdefault((command, code), set()).add(test)

for (command, code), tests in sorted(seen.items()):
    page = pages.get(command)
    where = "quiltsync-%s(1)" % command if page is not None else "quiltsync(1)"
    listed = (page if page is not None else table)
    # usage errors are every command's (quiltsync(1) says so): 2 is always listed
    check(code in listed or (code == 2 and 2 in table),
          "exit %d of quiltsync %s is in %s" % (code, command or "(none)", where),
          "seen in %s" % ", ".join(sorted(tests)))

codes_seen = {code for (_, code) in seen}
for code in sorted(table):
    check(code in codes_seen, "exit %d of the table is seen in some test" % code)

for i, (ok, what, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, what))
    if not ok and detail:
        print("#   " + detail)
print("1..%d" % len(results))
sys.exit(0 if all(r[0] for r in results) else 1)
