"""Checks the measured peak memory of a depth sweep (rev-run --report files).

Usage: check_depth_sweep.py store_d2.json store_d8.json store_d32.json \
           rev_d2.json rev_d8.json rev_d32.json [store_dir rev_dir]

Reversible mode's peak may grow by under 10% from 2 to 32 blocks per stage;
store mode's must grow with depth; at 32 blocks reversible mode needs at most
a fifth of store mode's peak. With two output directories (rev-run
--outputs), also checks that the losses agree (relative error under 1e-4)
and that the angle between all parameter gradients, flattened, is under a
degree (the RevNet paper's bound). Prints the table it checked.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grads  # noqa: E402


def peak(path):
    with open(path) as f:
        return json.load(f)["peak_bytes"]


def check_gradients(store_dir, rev_dir):
    store, rev = grads.load_dir(store_dir), grads.load_dir(rev_dir)
    names = [k for k in store if k.startswith("grad.")]
    angle = grads.angle(store, rev)
    ls, lr = store["loss"], rev["loss"]
    loss_err = abs(ls[0] - lr[0]) / abs(ls[0])
    print("%d gradients: angle between store and reversible %.4f degrees; "
          "loss relative error %.2g" % (len(names), angle, loss_err))
    ok = len(names) > 0 and angle < 1.0 and loss_err < 1e-4
    if not ok:
        print("FAIL: gradients or loss disagree")
    return ok


def main(paths):
    store = [peak(p) for p in paths[:3]]
    rev = [peak(p) for p in paths[3:6]]
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
    if len(paths) == 8:
        ok &= check_gradients(paths[6], paths[7])
    print("depth sweep: " + ("ok" if ok else "failed"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
