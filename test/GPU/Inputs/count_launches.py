"""Counts the kernel launch sites (gpu.launch_func) of functions in an MLIR
dump (rev-opt --mlir-print-ir-after=...), and checks the sum against a bound.

usage: count_launches.py FILE FUNC... [--at-most N]
Prints "FUNC: N launch sites" per function and "total: N"; exits 1 when the
total is above N or a function is missing.
"""
import re
import sys


def main(argv):
    bound = None
    if "--at-most" in argv:
        i = argv.index("--at-most")
        bound = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    path, funcs = argv[0], argv[1:]
    lines = open(path).read().split("\n")
    counts = {}
    current, depth = None, 0
    for line in lines:
        if current is None:
            m = re.match(r"\s*func\.func (?:private )?@([\w.]+)\(", line)
            if m and m.group(1) in funcs and m.group(1) not in counts:
                current, depth = m.group(1), 0
                counts[current] = 0
            else:
                continue
        depth += line.count("{") - line.count("}")
        if "gpu.launch_func" in line:
            counts[current] += 1
        if depth <= 0 and line.strip().endswith("}"):
            current = None
    total = 0
    for f in funcs:
        if f not in counts:
            print("%s: not found" % f)
            return 1
        print("%s: %d launch sites" % (f, counts[f]))
        total += counts[f]
    print("total: %d" % total)
    if bound is not None and total > bound:
        print("more than %d" % bound)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
