"""Checks the measured peak memory of a depth sweep (rev-run --report files).

Usage: check_depth_sweep.py store_d2.json store_d8.json store_d32.json \
           rev_d2.json rev_d8.json rev_d32.json

Reversible mode's peak may grow by under 10% from 2 to 32 blocks per stage;
store mode's must grow with depth; at 32 blocks reversible mode needs at most
a fifth of store mode's peak. Prints the table it checked.
"""
import json
import sys


def peak(path):
    with open(path) as f:
        return json.load(f)["peak_bytes"]


def main(paths):
    store = [peak(p) for p in paths[:3]]
    rev = [peak(p) for p in paths[3:]]
    depths = [2, 8, 32]
    print("blocks/stage  store peak  reversible peak  ratio")
    for d, s, r in zip(depths, store, rev):
        print("%12d  %10d  %15d  %5.3f" % (d, s, r, r / s))
    ok = True
    growth = rev[2] / rev[0] - 1
    print("reversible growth 2 -> 32: %+.1f%%" % (100 * growth))
    if growth >= 0.10:
        print("FAIL: reversible peak grows by 10% or more")
        ok = False
    if not (store[0] < store[1] < store[2]):
        print("FAIL: store peak does not grow with depth")
        ok = False
    if rev[2] * 5 > store[2]:
        print("FAIL: at 32 blocks reversible needs more than a fifth of store")
        ok = False
    print("depth sweep: " + ("ok" if ok else "failed"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
