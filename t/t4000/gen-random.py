#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Random cases for t4000: gen-random.py SEED COUNT DIR

For each case N it writes DIR/N.patch (a unified diff made by GNU diff
from a random file A to an edited copy B, sometimes mangled the ways real
patches are), DIR/N.in (the file the patch is applied to: A itself, or a
stale variant of A with lines added, removed, changed or duplicated, so
that offsets, fuzz and failures happen; absent for some creations) and
DIR/N.args (patch options: -R, -F). Deterministic for a given SEED.
"""
import os
import random
import subprocess
import sys

WORDS = ["a", "b", "c", "x", "{", "}", "", "\treturn 0;", "int i;",
         "\tif (x)", "\t\tgoto out;", "out:", "/* c */", "#include <x.h>"]


def rand_lines(rng, n):
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.55:
            out.append(rng.choice(WORDS))
        else:
            out.append("l%d" % rng.randrange(60))
    return out


def join(lines, eol, final):
    if not lines:
        return ""
    s = eol.join(lines)
    return s + eol if final else s


def edit(rng, lines, nedits, vocab_only=False):
    lines = list(lines)
    for _ in range(nedits):
        op = rng.random()
        pos = rng.randrange(len(lines) + 1)
        if op < 0.35:
            lines[pos:pos] = rand_lines(rng, rng.randrange(1, 4))
        elif op < 0.6 and lines:
            del lines[min(pos, len(lines) - 1):min(pos, len(lines) - 1) + rng.randrange(1, 3)]
        elif op < 0.85 and lines:
            i = min(pos, len(lines) - 1)
            lines[i] = rand_lines(rng, 1)[0] + ("" if vocab_only else "'")
        elif lines:
            i = rng.randrange(len(lines))
            j = min(len(lines), i + rng.randrange(1, 6))
            lines[pos:pos] = lines[i:j]
    return lines


def stale(rng, lines):
    """A variant of the original file the patch was not made against."""
    r = rng.random()
    lines = list(lines)
    if r < 0.3:
        return lines
    if r < 0.5:
        # lines added or removed at the top: pure offsets
        if rng.random() < 0.6 or not lines:
            return rand_lines(rng, rng.randrange(1, 8)) + lines
        return lines[rng.randrange(1, min(len(lines), 5) + 1):]
    if r < 0.6:
        # a copy of a block before it: the first match may move
        i = rng.randrange(len(lines) + 1)
        j = min(len(lines), i + rng.randrange(2, 10))
        return lines[i:j] + rand_lines(rng, rng.randrange(0, 3)) + lines
    return edit(rng, lines, rng.randrange(1, 4))


def make_case(rng, d, n):
    eol = "\r\n" if rng.random() < 0.08 else "\n"
    a_lines = rand_lines(rng, rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 30, 60,
                                          150, 300]))
    b_lines = edit(rng, a_lines, rng.randrange(1, 5 + len(a_lines) // 30),
                   vocab_only=True)
    a_final = rng.random() > 0.1
    b_final = rng.random() > 0.1 if rng.random() < 0.2 else a_final
    a = join(a_lines, eol, a_final)
    b = join(b_lines, eol, b_final)
    if a == b:
        b = b + "end" + eol
    ctx = rng.choice([0, 1, 2, 3, 3, 3, 4, 5])
    fa, fb = os.path.join(d, "%d.a" % n), os.path.join(d, "%d.b" % n)
    with open(fa, "w", newline="") as f:
        f.write(a)
    with open(fb, "w", newline="") as f:
        f.write(b)
    labels = ["--label", "a/f", "--label", "b/f"]
    if not a and rng.random() < 0.5:
        labels = ["--label", "/dev/null", "--label", "b/f"]
    res = subprocess.run(["diff", "-U%d" % ctx, "-a"] + labels + [fa, fb],
                         capture_output=True)
    patch = res.stdout.decode("latin-1")
    os.unlink(fa)
    os.unlink(fb)

    body = patch.split("\n")
    # mangle the patch now and then, as mails and editors do
    m = rng.random()
    if m < 0.08:
        # stated lines off by a few: the first guess moves
        out = []
        for line in body:
            if line.startswith("@@ -"):
                try:
                    head, rest = line[4:].split(" ", 1)
                    start, _, cnt = head.partition(",")
                    start = int(start)
                    # "-0" says the file is empty or new: keep it so
                    if start:
                        start = max(1, start + rng.randrange(-3, 4))
                    line = "@@ -%d%s %s" % (start, "," + cnt if cnt else "", rest)
                except ValueError:
                    pass
            out.append(line)
        body = out
    elif m < 0.13:
        # hunks listed out of order
        heads = [i for i, line in enumerate(body) if line.startswith("@@ ")]
        if len(heads) >= 2:
            hunks = [body[heads[i]:(heads[i + 1] if i + 1 < len(heads) else len(body) - 1)]
                     for i in range(len(heads))]
            rng.shuffle(hunks)
            body = body[:heads[0]] + sum(hunks, []) + [""]
    elif m < 0.17:
        # context lines that lost their leading space
        body = [("" if line == " " else line) for line in body]
    elif m < 0.20:
        # comment lines inside hunks
        body = [line if not line.startswith("+") or rng.random() < 0.7
                else "# note\n" + line for line in body]
    elif m < 0.23:
        # a patch saved with CRLF line ends
        body = [line + "\r" if line else line for line in body[:-1]] + [body[-1]]
    patch = "\n".join(body)

    with open(os.path.join(d, "%d.patch" % n), "w", newline="") as f:
        f.write(patch)
    args = []
    base_lines, base, final = a_lines, a, a_final
    if rng.random() < 0.15:
        args.append("-R")
        base_lines, base, final = b_lines, b, b_final
    if rng.random() < 0.15:
        args.append("-F%d" % rng.choice([0, 1, 3]))
    if base or rng.random() < 0.7:
        t = stale(rng, base_lines) if base_lines else base_lines
        if base and rng.random() < 0.1:
            final = not final
        with open(os.path.join(d, "%d.in" % n), "w", newline="") as f:
            f.write(join(t, eol, final) if t else "")
    with open(os.path.join(d, "%d.args" % n), "w") as f:
        f.write(" ".join(args) + "\n")


def main():
    seed, count, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(seed)
    os.makedirs(d, exist_ok=True)
    for n in range(1, count + 1):
        make_case(rng, d, n)


if __name__ == "__main__":
    main()
