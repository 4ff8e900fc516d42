#!/usr/bin/env python3
"""longest_functions.py DIR [N] — the N (default 10) longest C functions
under DIR, in lines from the line holding the name to the closing brace at
column 0 (the code's style: braces of functions at column 0)."""
import os, re, sys
root, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10
rows = []
for d, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith(".c"):
            continue
        p = os.path.join(d, f)
        lines = open(p).read().split("\n")
        for i, l in enumerate(lines):
            if l == "{" and i > 0:
                j = i - 1
                while j > 0 and not re.search(r"\b(\w+)\s*\(", lines[j]):
                    j -= 1
                m = re.search(r"\b(\w+)\s*\(", lines[j])
                k = i + 1
                while k < len(lines) and lines[k] != "}":
                    k += 1
                rows.append((k - j + 1, os.path.relpath(p, root), m.group(1) if m else "?"))
for r in sorted(rows, reverse=True)[:n]:
    print("%4d  %s  %s" % r)
