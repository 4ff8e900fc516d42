#!/usr/bin/env python3
"""file_cycles.py [SRC] — call-level cycles between the .c files of each
folder of src/ (issue 12): file A calls a function defined in B and B one
defined in A, printed with the functions that make each edge; then every
group of files that call each other round, whatever its length. A call is
a vg_* name followed by "("; a definition, one at the start of a line that
is not static. Exits 0; read the counts."""
import os, re, sys
src = sys.argv[1] if len(sys.argv) > 1 else "src"
defn = re.compile(r"^(?!static)[A-Za-z_][\w \*]*?\b(vg_\w+)\s*\([^;]*$")
call = re.compile(r"\b(vg_\w+)\s*\(")
def strip(t):
    t = re.sub(r"/\*.*?\*/", "", t, flags=re.S)
    t = re.sub(r"//[^\n]*", "", t)
    return re.sub(r'"(\\.|[^"\\])*"', '""', t)
found = 0
sccs = []
for folder in sorted(os.listdir(src)):
    d = os.path.join(src, folder)
    if not os.path.isdir(d):
        continue
    files = sorted(f for f in os.listdir(d) if f.endswith(".c"))
    owner, calls = {}, {}
    for f in files:
        t = strip(open(os.path.join(d, f)).read())
        for line in t.split("\n"):
            m = defn.match(line)
            if m:
                owner[m.group(1)] = f
        calls[f] = set(call.findall(t))
    edges = {}
    for f in files:
        for fn in calls[f]:
            g = owner.get(fn)
            if g and g != f:
                edges.setdefault((f, g), set()).add(fn)
    for (a, b), fns in sorted(edges.items()):
        if a < b and (b, a) in edges:
            found += 1
            print("%s/%s <-> %s: %s -> {%s}; %s -> {%s}" % (folder, a, b, a, ", ".join(sorted(fns)), b,
                                                          ", ".join(sorted(edges[(b, a)]))))
    # longer cycles: strongly connected components of the call graph
    graph = {f: sorted({b for (a, b) in edges if a == f}) for f in files}
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop(); on.discard(w); c.append(w)
                if w == v:
                    break
            comps.append(c)
    for f in files:
        if f not in index:
            visit(f)
    for c in comps:
        if len(c) > 1:
            sccs.append("%s: {%s}" % (folder, ", ".join(sorted(c))))
print("%d cycles between two files" % found)
print("%d groups of files calling each other round (any length)%s" % (len(sccs), "".join("\n  " + c for c in sccs)))
