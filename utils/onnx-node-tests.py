#!/usr/bin/env python3
"""Runs ONNX's own backend node tests (Debian's libonnx-testdata) through
rev-run and prints passed/failed per test and a summary.

A test is run when every op of its model is one rev-opt imports (as listed by
`rev-translate --onnx-list-supported-ops`); the others are counted as
unsupported. Each test data set is run with rev-run --inputs/--expect at the
tolerances ONNX's backend tests use (rtol 1e-3, atol 1e-7), loosened to
atol 1e-5 for float32 transcendental functions (see --atol).

Usage: utils/onnx-node-tests.py [--build build] [--subset FILE] [-k PATTERN]
       [--jobs N] [--verbose]
Exit status: 1 if a supported test failed.
"""
import argparse
import concurrent.futures
import fnmatch
import glob
import os
import re
import subprocess
import sys

DATA = "/usr/share/libonnx-testdata/data/node"


def model_ops(path):
    """Op types of an ONNX model, read without the onnx package (so that the
    script runs where only Debian's libonnx is installed)."""
    import onnx  # python3-onnx; imported lazily
    m = onnx.load(path)
    return {(n.domain or "", n.op_type) for n in m.graph.node}


def run_test(args, name, supported):
    d = os.path.join(DATA, name)
    try:
        ops = model_ops(os.path.join(d, "model.onnx"))
    except Exception as e:  # noqa: BLE001
        return name, "unsupported", "cannot read the model: %s" % e
    missing = sorted(op for dom, op in ops if dom not in ("", "ai.onnx") or op not in supported)
    if missing:
        return name, "unsupported", "ops: " + ", ".join(missing)
    sets = sorted(glob.glob(os.path.join(d, "test_data_set_*")))
    for s in sets:
        cmd = [os.path.join(args.build, "bin", "rev-run"), os.path.join(d, "model.onnx"),
               "--inputs", s, "--expect", s, "--rtol", str(args.rtol), "--atol", str(args.atol)]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=300)
        if p.returncode != 0:
            out = p.stdout.strip().splitlines()
            why = [l for l in out if "error" in l or "MISMATCH" in l] or out[-3:]
            text = " | ".join(why)
            # The importer declined a feature it does not support (an opset,
            # an element type, an attribute value): not a wrong result.
            declined = any("error:" in l and ("not supported" in l or "unsupported" in l)
                           for l in why)
            return name, "unsupported" if declined else "failed", text[:400]
    return name, "passed", ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--subset", help="file listing test names to run (one per line)")
    ap.add_argument("-k", dest="pattern", help="only tests matching this glob")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    supported = set(subprocess.run(
        [os.path.join(args.build, "bin", "rev-translate"), "--import-onnx",
         "--onnx-list-supported-ops", "/dev/null"],
        stdout=subprocess.PIPE, text=True, check=True).stdout.split())
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(DATA, "test_*")))
    if args.subset:
        with open(args.subset) as f:
            wanted = [l.split("#")[0].strip() for l in f]
        wanted = [w for w in wanted if w]
        unknown = [w for w in wanted if w not in names]
        if unknown:
            print("unknown tests in subset: " + ", ".join(unknown))
            return 2
        names = wanted
    if args.pattern:
        names = [n for n in names if fnmatch.fnmatch(n, args.pattern)]

    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for r in ex.map(lambda n: run_test(args, n, supported), names):
            results.append(r)
            name, status, why = r
            if status != "unsupported" or args.verbose:
                print("%-60s %s%s" % (name, status, ("  (" + why + ")") if why else ""))
            sys.stdout.flush()
    counts = {s: sum(1 for r in results if r[1] == s) for s in ("passed", "failed", "unsupported")}
    print("\nONNX node tests: %d passed, %d failed, %d unsupported (of %d)" % (
        counts["passed"], counts["failed"], counts["unsupported"], len(results)))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
