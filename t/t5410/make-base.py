#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Make a base tree on which akpm's snapshot queue applies.

The snapshot of ../shared/corpus comes without the Linux 5.18-rc tree it
applied to. This writes a stand-in: for every file the queue touches,
just the lines its hunks need, so that GNU patch (quilt's applier, the
oracle) applies every patch file that exists, with no fuzz, in each way
the build applies them:

  - each tree in order: mm-hotfixes-stable then mm-hotfixes-unstable;
    mm-stable; those three then mm-unstable (mm-unstable starts on their
    merge); mm-nonmm-stable then mm-nonmm-unstable;
  - each patch series of mm-unstable alone (its per-series branch).

How. A file is a list of blocks, each after a marker line that no patch
touches. Every way of applying ("chain") keeps its own copy of the tree,
patched so far. A hunk that does not apply to a chain's copy gets its
preimage (context and removed lines) as a new block, added to the base
and, at the same place, to every chain's copy: the blocks of earlier
patches are left as they are, so what applied still applies. A hunk with
less context after than before must end the file (patch anchors it
there) and goes last; one with less before, at line 1, goes first.

A series whose patch needs a file that another series creates is left
as it is: the build stacks it on that series, as it should.

Usage: make-base.py SERIES PATCHES OUTDIR
Prints one line per chain: its name and the patches it applied.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HUNK = re.compile(r'^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@')
TREES = [
    ('hotfixes', ['mm-hotfixes-stable', 'mm-hotfixes-unstable']),
    ('mm-stable', ['mm-stable']),
    ('mm-unstable', ['mm-hotfixes-stable', 'mm-hotfixes-unstable',
                     'mm-stable', 'mm-unstable']),
    ('nonmm', ['mm-nonmm-stable', 'mm-nonmm-unstable']),
]


def read_series(path, patches):
    """Sections: name -> [patch file names that exist], and the
    series of mm-unstable (lists of names, split at bare '#' lines and
    area headers, as quiltsync groups akpm's queue)."""
    sections, section = {}, None
    series, current = [], []
    for raw in open(path, encoding='utf-8', errors='surrogateescape'):
        line = raw.rstrip('\n')
        m = re.match(r'^#BRANCH (\S+)', line)
        if m:
            section = m.group(1)
            sections.setdefault(section, [])
            continue
        if re.match(r'^#ENDBRANCH ', line):
            section = None
            continue
        if section == 'mm-unstable' and line.startswith('#') and \
                not re.match(r'^#\S+\.patch', line) and current:
            series.append(current)
            current = []
        if not line.strip() or line.startswith('#') or section is None:
            continue
        name = line.split()[0]
        if not os.path.isfile(os.path.join(patches, name)):
            continue    # a placeholder, or missing: nothing to apply
        sections[section].append(name)
        if section == 'mm-unstable':
            current.append(name)
    if current:
        series.append(current)
    return sections, series


def parse_patch(path):
    """[(file path, [hunk])]; a hunk: (old start, prefix context, suffix
    context, preimage lines, text), text being the hunk as written."""
    text = open(path, 'rb').read().decode('utf-8', 'surrogateescape')
    lines = text.split('\n')
    files, i = [], 0
    while i < len(lines):
        if lines[i].startswith('--- ') and i + 1 < len(lines) and \
                lines[i + 1].startswith('+++ '):
            old = lines[i][4:].split('\t')[0].split('~')[0]
            new = lines[i + 1][4:].split('\t')[0]
            target = new if new != '/dev/null' else old
            target = target.split('/', 1)[1]
            files.append((target, old == '/dev/null', new == '/dev/null',
                          [], lines[i] + '\n' + lines[i + 1] + '\n'))
            i += 2
            continue
        m = HUNK.match(lines[i])
        if m and files:
            old_len = int(m.group(2) if m.group(2) is not None else 1)
            new_len = int(m.group(4) if m.group(4) is not None else 1)
            body, o, n, j = [], 0, 0, i + 1
            while j < len(lines) and (o < old_len or n < new_len):
                if lines[j].startswith('\\'):
                    body.append(lines[j])
                    j += 1
                    continue
                kind = lines[j][:1] or ' '
                if kind in ' -':
                    o += 1
                if kind in ' +':
                    n += 1
                body.append(lines[j])
                j += 1
            kinds = [b[:1] or ' ' for b in body if not b.startswith('\\')]
            prefix = 0
            while prefix < len(kinds) and kinds[prefix] == ' ':
                prefix += 1
            suffix = 0
            while suffix < len(kinds) and kinds[-1 - suffix] == ' ':
                suffix += 1
            pre = [b[1:] for b in body
                   if not b.startswith('\\') and (b[:1] or ' ') in ' -']
            files[-1][3].append((int(m.group(1)), prefix, suffix, pre,
                                 '\n'.join([lines[i]] + body) + '\n'))
            i = j
            continue
        i += 1
    return files


class Tree:
    """The base and the chains' copies; files as lists of lines."""

    def __init__(self):
        self.base = {}
        self.copies = []
        self.markers = 0

    def new_copy(self):
        copy = {k: list(v) for k, v in self.base.items()}
        self.copies.append(copy)
        return copy

    def add_block(self, path, pre, where, gap=0):
        """Give `path` the lines `pre`, in the base and every copy, `gap`
        filler lines after what is there."""
        self.markers += 1
        marker = 'QUILTSYNC-SYNTHESIZED-BLOCK %d' % self.markers
        fill = ['QUILTSYNC-SYNTHESIZED-FILL %d.%d' % (self.markers, i)
                for i in range(gap)]
        for files in [self.base] + self.copies:
            if where == 'whole':
                # a file a patch deletes: exactly what it deletes, no marker
                if path not in files:
                    files[path] = list(pre)
                continue
            f = files.setdefault(path, [])
            if where == 'first':
                f[0:0] = pre + [marker]
                continue
            at = len(f)
            for k, line in enumerate(f):
                if line.startswith('QUILTSYNC-SYNTHESIZED-LAST'):
                    at = k
                    break
            if where == 'last':
                if at != len(f):
                    return False    # two ends of file: cannot be
                f[at:at] = ['QUILTSYNC-SYNTHESIZED-LAST %d' % self.markers] + pre
            else:
                f[at:at] = fill + [marker] + pre
        return True


def write_files(files, root):
    if os.path.isdir(root):
        shutil.rmtree(root)
    for path, lines in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'wb') as out:
            out.write(('\n'.join(lines) + '\n' if lines else '')
                      .encode('utf-8', 'surrogateescape'))


def read_back(files, root, paths):
    for path in paths:
        full = os.path.join(root, path)
        if os.path.exists(full):
            data = open(full, 'rb').read().decode('utf-8', 'surrogateescape')
            files[path] = data.split('\n')[:-1] if data else []
        else:
            files.pop(path, None)


def gnu_patch(root, text, dry):
    args = ['patch', '-p1', '-F0', '-N', '--no-backup-if-mismatch', '-r', '-',
            '-d', root]
    if dry:
        args.append('--dry-run')
    p = subprocess.run(args, input=text.encode('utf-8', 'surrogateescape'),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode('utf-8', 'replace')


def apply_chain(tree, copy, names, patches, work, created):
    """Apply `names` to `copy`, adding blocks where a hunk fails. With
    `created` (the files some patch creates), a patch that needs one of
    them not yet made stops the chain."""
    applied = 0
    for name in names:
        parsed = parse_patch(os.path.join(patches, name))
        touched = [f[0] for f in parsed]
        for path, creates, deletes, hunks, head in parsed:
            if creates:
                continue
            if path not in copy:
                if path in created:
                    return applied, '%s needs %s, made by another series' % (name, path)
                if deletes:
                    tree.add_block(path, [l for h in hunks for l in h[3]], 'whole')
                    continue
            for attempt in range(4):
                write_files({path: copy.get(path, [])}, work)
                text = head + ''.join(h[4] for h in hunks)
                rc, out = gnu_patch(work, text, dry=True)
                if rc == 0 or attempt == 3:
                    break
                failed = [int(x) for x in re.findall(r'Hunk #(\d+) FAILED', out)]
                # patch applies hunks in order: when a block for the failed
                # hunks alone does not do, the later ones and then all
                # come again, in order, after what is there
                if not failed or attempt == 2:
                    failed = list(range(1, len(hunks) + 1))
                elif attempt == 1:
                    failed = list(range(failed[0], len(hunks) + 1))
                prev_end = None
                for k in failed:
                    start, prefix, suffix, pre, _ = hunks[k - 1]
                    where = 'middle'
                    if suffix < prefix:
                        where = 'last'
                    elif prefix < suffix and start <= 1:
                        where = 'first'
                    # as far from the one before as in the real file:
                    # patch looks for a hunk where the one before leads
                    # it to expect it, and code repeats (register and
                    # unregister loops)
                    gap = max(0, start - prev_end) if prev_end else 0
                    prev_end = start + len(pre)
                    if not tree.add_block(path, pre, where, gap):
                        return applied, '%s: %s: two hunks must end the file' % (name, path)
            if rc != 0:
                return applied, '%s does not apply to %s:\n%s' % (name, path, out)
        sub = {p: copy[p] for p in touched if p in copy}
        write_files(sub, work)
        rc, out = gnu_patch(work, open(os.path.join(patches, name), 'rb')
                            .read().decode('utf-8', 'surrogateescape'), dry=False)
        if rc != 0:
            return applied, '%s failed after all:\n%s' % (name, out)
        read_back(copy, work, touched)
        applied += 1
    return applied, None


def main():
    series_path, patches, outdir = sys.argv[1:4]
    sections, series = read_series(series_path, patches)
    tree = Tree()
    work = tempfile.mkdtemp()
    created = set(f[0] for s in sections.values() for n in s
                  for f in parse_patch(os.path.join(patches, n)) if f[1])
    ok = True
    # the per-series chains first: their blocks are the base's own lines
    for names in series:
        copy = tree.new_copy()
        n, err = apply_chain(tree, copy, names, patches, work, created)
        print('series %s: %d of %d%s' % (names[0], n, len(names),
                                         ', stacked: ' + err if err else ''))
        tree.copies.pop()  # done with: later blocks need not reach it
    for name, parts in TREES:
        copy = tree.new_copy()
        names = [n for s in parts for n in sections.get(s, [])]
        n, err = apply_chain(tree, copy, names, patches, work, set())
        print('tree %s: %d of %d' % (name, n, len(names)))
        if err:
            print('error: ' + err, file=sys.stderr)
            ok = False
    write_files(tree.base, outdir)
    shutil.rmtree(work)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
