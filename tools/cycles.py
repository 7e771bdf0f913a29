#!/usr/bin/env python3
"""cycles.py: the file cycles of the build (which .c file calls functions
defined in which other .c file), from `nm` of its objects.

Each object's undefined symbols are resolved to the object that defines
them; that gives a graph of files, and every strongly connected component
of more than one file is a cycle.  Prints each cycle with the symbols that
make its edges, and exits 1 when there is one (0 when none, 2 on error).

    python3 tools/cycles.py [-v] [BUILD_DIR]     (default: build)

The objects are those under BUILD_DIR whose source file is still there (run
from the top of the tree; generated sources sit beside their objects), except build/asan (the same files again) and
build/tests; a symbol defined by more than one object (main) makes no
edge.  -v prints the whole graph too.
"""
import os
import subprocess
import sys


def objects(top):
    """The .o files under top, sorted, without the asan and test builds."""
    out = []
    for d, subs, files in os.walk(top):
        rel = os.path.relpath(d, top)
        if rel.split(os.sep)[0] in ("asan", "tests"):
            subs[:] = []
            continue
        out += [os.path.join(d, f) for f in files if f.endswith(".o") and
                (os.path.exists(os.path.join(rel, f[:-2] + ".c")) or
                 os.path.exists(os.path.join(d, f[:-2] + ".c")))]
    return sorted(out)


def symbols(obj):
    """(defined, undefined) global symbols of obj."""
    res = subprocess.run(["nm", "-g", obj], capture_output=True, text=True,
                         check=True)
    defined, undefined = set(), set()
    for line in res.stdout.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "U":
            undefined.add(f[1])
        elif len(f) == 3 and f[1] not in "Uw":
            defined.add(f[2])
    return defined, undefined


def sccs(nodes, edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                elif nxt in on:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def main(argv):
    if "-h" in argv or "--help" in argv:
        print("usage: cycles.py [-v] [BUILD_DIR]  (default: build)")
        return 0
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    bad = [a for a in args if a.startswith("-")]
    if bad or len(args) > 1:
        print("usage: cycles.py [-v] [BUILD_DIR]", file=sys.stderr)
        return 2
    top = args[0] if args else "build"
    objs = objects(top)
    if not objs:
        print("cycles: no objects under %s (build first)" % top,
              file=sys.stderr)
        return 2
    name = {o: os.path.relpath(o, top)[:-2] + ".c" for o in objs}
    defs, undefs, where = {}, {}, {}
    for o in objs:
        defs[o], undefs[o] = symbols(o)
        for s in defs[o]:
            where.setdefault(s, []).append(o)
    edges = {}		# file -> {file it calls: [symbols]}
    for o in objs:
        for s in undefs[o]:
            d = where.get(s, [])
            if len(d) != 1 or d[0] == o:
                continue
            edges.setdefault(name[o], {}).setdefault(name[d[0]],
                                                     []).append(s)
    files = sorted(name.values())
    if verbose:
        for f in files:
            for t, syms in sorted(edges.get(f, {}).items()):
                print("%s -> %s: %s" % (f, t, " ".join(sorted(syms))))
    cycles = [c for c in sccs(files, edges) if len(c) > 1]
    for c in sorted(cycles):
        print("cycle: %s" % " ".join(c))
        for f in c:
            for t in c:
                if t in edges.get(f, {}):
                    print("  %s -> %s: %s" % (f, t,
                          " ".join(sorted(edges[f][t]))))
    print("cycles: %d among %d files" % (len(cycles), len(files)))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
