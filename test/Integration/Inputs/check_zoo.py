"""Runs one model of the zoo (models/zoo, utils/models/zoo.py) in the three
modes of rev-train and checks it.

Usage: check_zoo.py MODEL_DIR WORK_DIR [REV_TRAIN_OPTION ...]
                    [--max-tape-ratio R] [--no-refs]
                    [--reversible-option OPTION ...]
       (extra rev-train options such as recompute-segments=true come right
       after WORK_DIR and apply to every mode; --reversible-option adds one
       to the reversible step only, to compare it with the default
       checkpoint step)
       check_zoo.py --flat REV_SHALLOW.json REV_DEEP.json STORE_SHALLOW.json
                    STORE_DEEP.json MAX_GROWTH

For each mode (store, checkpoint, reversible) it builds the training step
(rev-opt --rev-train), reports the tape (rev-memory-report json) and runs it
(rev-run --outputs). Then it checks:
  - gradients: with references (MODEL_DIR/ref/f64 from PyTorch in float64,
    ref/f32 from PyTorch in float32), every mode's loss and gradients are
    within 2x PyTorch float32's own distance to float64 (the largest
    max|g - g64| / max|g64| over the gradients, max|g64| floored at 1e-5
    and at 1e-4 of the largest gradient entry: see worst()), and the angle between all of a mode's
    gradients and float64's is under a degree. Without references
    (--no-refs), the three modes must agree with each other the same way
    (store mode as the reference).
  - running statistics: where the references have them (training-mode
    BatchNorm), the statistics each mode's step returns are within 2x
    PyTorch float32's distance to float64 (floored at 1e-5).
  - tape: the reversible tape is at most R times the checkpoint tape.
Prints a line per mode and "zoo: ok" (exit 0) or what failed (exit 1).
Needs rev-opt and rev-run on PATH; no numpy.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grads import angle, load_dir, worst  # noqa: E402

from grads import FLOOR  # noqa: E402

MODES = ["store", "checkpoint", "reversible"]


def load_running(path):
    """The BatchNorm statistics (running_mean.*, running_var.*) in `path`."""
    return load_dir(path, ("running_",))


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        sys.stdout.write("FAIL: %s\n%s" % (" ".join(cmd), p.stderr[-3000:]))
        sys.exit(1)
    return p


def flat(shallow, deep, store_shallow, store_deep, max_growth):
    """Reversible peaks (rev-run --report) flat with depth; store grows."""
    peaks = []
    for path in (shallow, deep, store_shallow, store_deep):
        with open(path) as f:
            peaks.append(json.load(f)["peak_bytes"])
    growth = peaks[1] / float(peaks[0]) - 1
    store_growth = peaks[3] / float(peaks[2]) - 1
    print("reversible peak %d -> %d bytes (%+.1f%%); store %d -> %d (%+.1f%%)" % (
        peaks[0], peaks[1], 100 * growth, peaks[2], peaks[3], 100 * store_growth))
    ok = growth <= max_growth and store_growth > 1.0
    print("depth: ok" if ok else "depth: FAIL")
    return 0 if ok else 1


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--flat":
        return flat(*sys.argv[2:6], float(sys.argv[6]))
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("work")
    ap.add_argument("--max-tape-ratio", type=float, default=0.5)
    ap.add_argument("--no-refs", action="store_true")
    ap.add_argument("--reversible-option", action="append", default=[])
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    onnx = os.path.join(args.model, "model.onnx")
    loss = "mse" if os.path.exists(os.path.join(args.model, "inputs", "target.npy")) \
        else "cross-entropy"
    os.makedirs(args.work, exist_ok=True)
    tape, grads, peak, running = {}, {}, {}, {}
    for mode in MODES:
        mlir = os.path.join(args.work, mode + ".mlir")
        report = os.path.join(args.work, mode + ".memory.json")
        opts = " ".join(["mode=" + mode, "loss=" + loss] + args.extra +
                        (args.reversible_option if mode == "reversible" else []))
        # (PyTorch updates the running variance with the unbiased batch variance)
        run(["rev-opt", onnx, "--onnx-bn-running-var=unbiased", "--rev-train=" + opts,
             "--rev-memory-report=json=%s quiet=true" % report, "-o", mlir])
        with open(report) as f:
            functions = json.load(f)["functions"]
        tape[mode] = sum(f.get("tape_bytes", 0) for f in functions)
        out = os.path.join(args.work, mode + ".out")
        rj = os.path.join(args.work, mode + ".run.json")
        run(["rev-run", mlir, "-O", "1", "--weights", onnx, "--inputs",
             os.path.join(args.model, "inputs"), "--outputs", out, "--report", rj])
        with open(rj) as f:
            peak[mode] = json.load(f)["peak_bytes"]
        grads[mode] = load_dir(out)
        running[mode] = load_running(out)

    ok = True
    if args.no_refs:
        ref, yard = grads["store"], None
        bound = 1e-4
        print("reference: store mode (no PyTorch references); bound %.2g" % bound)
    else:
        ref = load_dir(os.path.join(args.model, "ref", "f64"))
        f32 = load_dir(os.path.join(args.model, "ref", "f32"))
        yard = worst(ref, f32)
        bound = max(2 * yard[0], FLOOR)
        print("pytorch f32 vs f64: worst %.3g (%s), angle %.4f deg; bound %.3g" % (
            yard[0], yard[1], angle(ref, f32), bound))
    for mode in MODES:
        err = worst(ref, grads[mode])
        ang = angle(ref, grads[mode])
        good = err[0] <= bound and ang < 1.0
        ok &= good
        print("%-10s tape %9d bytes  peak %9d bytes  worst %.3g (%s)  angle %.4f deg  %s" % (
            mode, tape[mode], peak[mode], err[0], err[1], ang, "ok" if good else "FAIL"))
    # The BatchNorm statistics the step returns (training mode), against
    # PyTorch's after the same step, where the references have them.
    ref_running = {} if args.no_refs else \
        load_running(os.path.join(args.model, "ref", "f64"))
    if ref_running:
        yard_r = worst(ref_running, load_running(os.path.join(args.model, "ref", "f32")))
        bound_r = max(2 * yard_r[0], FLOOR)
        for mode in MODES:
            err = worst(ref_running, running[mode])
            good = err[0] <= bound_r
            ok &= good
            print("%-10s running statistics: worst %.3g (%s), bound %.3g  %s" % (
                mode, err[0], err[1], bound_r, "ok" if good else "FAIL"))
    ratio = tape["reversible"] / float(tape["checkpoint"]) if tape["checkpoint"] else 1.0
    print("reversible / checkpoint tape: %.3f (at most %.3f)" % (ratio, args.max_tape_ratio))
    if ratio > args.max_tape_ratio:
        ok = False
        print("FAIL: the reversible tape is too large")
    print("zoo: ok" if ok else "zoo: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
