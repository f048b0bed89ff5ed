#!/usr/bin/python3
"""Forward-pass benchmark: rev-run against PyTorch CPU on a 3x3 convolution
layer (1x64x56x56, 64 -> 64 channels, padding 1) and on the bundled RevNet's
forward pass, one run on this machine, rev-run and PyTorch each on 1 and 2
threads.

rev-run compiles the ONNX file itself (import, rev-lower-cpu, JIT) and
reports the median time of --repeat calls; the convolution's time includes
the NCHW <-> NHWC transposes at the model's edges. Writes
bench/results/forward.{json,md}.

Usage: /usr/bin/python3 bench/forward.py [--build build] [--repeat 50]
"""
import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "utils", "models"))
import generate  # noqa: E402


def rev_run(build, onnx_path, inputs, repeat, tmp, threads):
    report = os.path.join(tmp, "report.json")
    cmd = [os.path.join(build, "bin", "rev-run"), onnx_path, "--inputs",
           inputs, "--weights", onnx_path, "--repeat", str(repeat),
           "--report", report, "--num-threads", str(threads)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        sys.exit("rev-run failed:\n" + p.stderr[-2000:])
    with open(report) as f:
        r = json.load(f)
    return r["time_ms"]["median"], r["time_ms"]["min"]


def torch_time(fn, repeat, threads):
    torch.set_num_threads(threads)
    with torch.no_grad():
        for _ in range(3):
            fn()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times)), float(np.min(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # The convolution layer.
        torch.manual_seed(0)
        conv = torch.nn.Conv2d(64, 64, 3, padding=1)
        x = torch.randn(1, 64, 56, 56)
        onnx_path = os.path.join(tmp, "conv.onnx")
        torch.onnx.export(conv, x, onnx_path, opset_version=17,
                          input_names=["x"], output_names=["y"])
        inputs = os.path.join(tmp, "inputs")
        os.makedirs(inputs)
        np.save(os.path.join(inputs, "x.npy"), x.numpy())
        flops = 2 * 56 * 56 * 64 * 64 * 9
        for threads in (1, 2):
            med, mn = rev_run(args.build, onnx_path, inputs, args.repeat, tmp,
                              threads)
            rows.append(("conv 3x3 1x64x56x56 64->64", "rev-run (%d thread%s)"
                         % (threads, "s" if threads > 1 else ""), med, mn,
                         flops))
        for threads in (1, 2):
            med, mn = torch_time(lambda: conv(x), args.repeat, threads)
            rows.append(("conv 3x3 1x64x56x56 64->64",
                         "PyTorch %s (%d thread%s)" % (
                             torch.__version__, threads,
                             "s" if threads > 1 else ""), med, mn, flops))

        # The bundled RevNet's forward pass (training mode: batch statistics).
        d = os.path.join(ROOT, "models", "revnet")
        for threads in (1, 2):
            med, mn = rev_run(args.build, os.path.join(d, "model.onnx"),
                              os.path.join(d, "inputs"), args.repeat, tmp,
                              threads)
            rows.append(("RevNet forward (bundled)", "rev-run (%d thread%s)"
                         % (threads, "s" if threads > 1 else ""), med, mn,
                         None))
        model = generate.RevNet(blocks=2)
        m = onnx.load(os.path.join(d, "model.onnx"))
        weights = {i.name: torch.from_numpy(
            onnx.numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
        state = model.state_dict()
        for k in state:
            if k in weights:
                state[k] = weights[k]
        model.load_state_dict(state)
        model.train()
        xr = torch.from_numpy(np.load(os.path.join(d, "inputs", "x.npy")))
        for threads in (1, 2):
            med, mn = torch_time(lambda: model(xr), args.repeat, threads)
            rows.append(("RevNet forward (bundled)", "PyTorch %s (%d thread%s)"
                         % (torch.__version__, threads,
                            "s" if threads > 1 else ""), med, mn, None))

    lines = ["| workload | runner | median ms | min ms | GFLOP/s (median) | "
             "PyTorch, same threads / this (median) |",
             "|---|---|---:|---:|---:|---:|"]
    base = {}
    for w, r, med, mn, fl in rows:
        if r.startswith("PyTorch"):
            base[(w, r.split("(")[1])] = med
    for w, r, med, mn, fl in rows:
        g = "%.1f" % (fl / med / 1e6) if fl else ""
        lines.append("| %s | %s | %.3f | %.3f | %s | %.2f |" % (
            w, r, med, mn, g, base[(w, r.split("(")[1])] / med))
    md = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "forward.md"), "w") as f:
        f.write(md)
    with open(os.path.join(args.out, "forward.json"), "w") as f:
        json.dump([dict(zip(["workload", "runner", "median_ms", "min_ms",
                             "flops"], r)) for r in rows], f, indent=2)
    print(md)


if __name__ == "__main__":
    main()
