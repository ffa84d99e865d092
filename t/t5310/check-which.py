#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Judge `quiltsync which --json` answers by git log of every branch.

usage: check-which.py REPO BASE ANSWERS.json KIND

For every branch of REPO (refs/heads/*, BASE excluded), `git log
--reverse BASE..BRANCH` is the truth: the k-th commit is the branch's
k-th patch commit. Every answer must name, for each branch it lists
with a commit, a commit that is in that branch's log, whose subject is
the patch's subject, at the position it gives (when it gives one); and
over all answers, every commit of every branch must be named (nothing
missed). KIND (name, subject, commit) says what the queries were: each
query must be answered (name and commit: by exactly the patches that
hold it). Prints one line per problem and exits 1 if there is any.
"""
import json
import subprocess
import sys

repo, base, answers_path, kind = sys.argv[1:5]


def git(*args):
    return subprocess.run(["git", "-C", repo] + list(args), check=True,
                          capture_output=True, text=True).stdout


branches = [r for r in git("for-each-ref", "--format=%(refname:short)",
                           "refs/heads").split() if r != "master"]
log = {}
for b in branches:
    lines = git("log", "--reverse", "--format=%H %s", f"{base}..{b}").splitlines()
    log[b] = {h: (i + 1, s) for i, (h, s) in
              enumerate(line.split(" ", 1) for line in lines)}

answers = json.load(open(answers_path))
problems = []
seen = {b: set() for b in branches}
queries = {}
for a in answers:
    queries.setdefault(a["query"], []).append(a)
    for br in a["branches"]:
        c, name = br.get("commit"), br["name"]
        if not c:
            continue
        if name not in log:
            problems.append(f"{a['patch']}: branch {name} does not exist")
            continue
        if c not in log[name]:
            problems.append(f"{a['patch']}: {c} is not in git log {base}..{name}")
            continue
        pos, subject = log[name][c]
        if subject != a["subject"]:
            problems.append(f"{a['patch']}: {c} in {name} is '{subject}', not '{a['subject']}'")
        if br.get("position") and br["position"] != pos:
            problems.append(f"{a['patch']}: {c} is commit {pos} of {name}, not {br['position']}")
        seen[name].add(c)

# Every commit of every branch is some patch's: nothing was missed.
for b in branches:
    missed = set(log[b]) - seen[b]
    for c in sorted(missed)[:5]:
        problems.append(f"{b}: commit {c} '{log[b][c][1]}' was named by no answer")
    if len(missed) > 5:
        problems.append(f"{b}: and {len(missed) - 5} more commits named by no answer")
if kind == "name":
    for q, found in queries.items():
        if len(found) != 1 or found[0]["patch"] != q:
            problems.append(f"query {q}: {len(found)} answers")
if kind == "commit":
    for q, found in queries.items():
        holders = [a for a in found if any(br.get("commit") == q for br in a["branches"])]
        if len(holders) != 1:
            problems.append(f"commit {q}: held by {len(holders)} patches")

for p in problems[:50]:
    print(p)
if len(problems) > 50:
    print(f"... {len(problems) - 50} more")
print(f"{len(answers)} answers, {sum(len(v) for v in log.values())} commits "
      f"on {len(branches)} branches, {len(problems)} problems", file=sys.stderr)
sys.exit(1 if problems else 0)
