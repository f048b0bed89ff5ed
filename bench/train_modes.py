#!/usr/bin/python3
"""Training-step benchmark: store, checkpoint and reversible modes against
PyTorch autograd and a hand-written reversible backward in PyTorch
(MemCNN/RevLib style), over the bundled RevNet and the depth sweep.

For each model and mode it runs `rev-opt --rev-train=...` and
`rev-run --repeat N --report`, and reads the median step time and the
measured peak of live heap bytes. It computes the angle between each mode's
parameter gradients and store mode's. PyTorch 1.13 runs the same model (the
ONNX file's weights) on one thread: autograd, and the hand-written
reversible backward; for those it reports the step time and the bytes that
autograd saves for the backward (its tape; PyTorch's allocator gives no
comparable peak). Both run on --threads threads (default 1).

Writes bench/results/train_modes.{json,md} and bench/memory_vs_depth.svg.

Usage: /usr/bin/python3 bench/train_modes.py [--build build] [--repeat 10]
           [--opt 2] [--models revnet,revnet-d2,revnet-d8,revnet-d32]
           [--threads 1] [--name train_modes]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot import line_plot  # noqa: E402
import onnx.numpy_helper
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "utils", "models"))
import generate  # noqa: E402  (the model definitions)
from gradients import angle  # noqa: E402
from torch_reversible import training_steps  # noqa: E402

MODES = ["store", "checkpoint", "reversible"]


def model_dir(name):
    if name.startswith("revnet-d"):
        return os.path.join(ROOT, "models", "depth", name)
    return os.path.join(ROOT, "models", name)


def blocks_of(name):
    return 2 if name == "revnet" else int(name[len("revnet-d"):])


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    return p.stdout


def load_grads(d):
    return {f[:-4]: np.load(os.path.join(d, f)).astype(np.float64)
            for f in sorted(os.listdir(d)) if f.startswith("grad.")}


def rev_opt_run(args, name, tmp):
    d = model_dir(name)
    onnx_path = os.path.join(d, "model.onnx")
    results = {}
    for mode in MODES:
        mlir = os.path.join(tmp, "%s.%s.mlir" % (name, mode))
        out = os.path.join(tmp, "%s.%s.out" % (name, mode))
        report = os.path.join(tmp, "%s.%s.json" % (name, mode))
        run([os.path.join(args.build, "bin", "rev-opt"), onnx_path,
             "--rev-train=mode=%s loss=cross-entropy" % mode, "-o", mlir])
        t0 = time.time()
        run([os.path.join(args.build, "bin", "rev-run"), mlir, "-O",
             str(args.opt), "--weights", onnx_path, "--inputs",
             os.path.join(d, "inputs"), "--repeat", str(args.repeat),
             "--report", report, "--outputs", out,
             "--num-threads", str(args.threads)])
        with open(report) as f:
            r = json.load(f)
        results[mode] = {"median_ms": r["time_ms"]["median"],
                         "min_ms": r["time_ms"]["min"],
                         "peak_bytes": r["peak_bytes"],
                         "compile_and_run_s": time.time() - t0,
                         "grads": load_grads(out)}
        print("  %-10s %-10s median %8.2f ms  peak %10d bytes" % (
            name, mode, results[mode]["median_ms"], r["peak_bytes"]),
            flush=True)
    for mode in MODES:
        results[mode]["angle_deg"] = angle(results[mode]["grads"],
                                           results["store"]["grads"])
    # Reconstruction error per block (numerics=true; -O 0: a check, not
    # a timing).
    mlir = os.path.join(tmp, "%s.numerics.mlir" % name)
    out = os.path.join(tmp, "%s.numerics.out" % name)
    run([os.path.join(args.build, "bin", "rev-opt"), onnx_path,
         "--rev-train=mode=reversible loss=cross-entropy numerics=true",
         "-o", mlir])
    run([os.path.join(args.build, "bin", "rev-run"), mlir, "-O", "0",
         "--weights", onnx_path, "--inputs", os.path.join(d, "inputs"),
         "--outputs", out])
    errs = [float(np.load(os.path.join(out, f))) for f in sorted(os.listdir(out))
            if f.startswith("reconstruction_error.")]
    results["reversible"]["max_reconstruction_error"] = max(errs)
    results["reversible"]["reconstruction_errors"] = errs
    for mode in MODES:
        del results[mode]["grads"]
    return results


# ---------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------

def torch_model(name):
    blocks = blocks_of(name)
    width = 16 if name == "revnet" else 8
    model = generate.RevNet(blocks=blocks, width=width)
    m = onnx.load(os.path.join(model_dir(name), "model.onnx"))
    weights = {i.name: torch.from_numpy(onnx.numpy_helper.to_array(i).copy())
               for i in m.graph.initializer}
    state = model.state_dict()
    for k in state:
        if k in weights:
            state[k] = weights[k]
    model.load_state_dict(state)
    inputs = os.path.join(model_dir(name), "inputs")
    x = torch.from_numpy(np.load(os.path.join(inputs, "x.npy")))
    labels = torch.from_numpy(np.load(os.path.join(inputs, "labels.npy")))
    return model, x, labels


def saved_bytes(model, forward, labels):
    """Bytes autograd keeps from the forward for the backward (its tape)."""
    seen = {}

    def pack(t):
        seen[(t.data_ptr(), t.numel(), t.dtype)] = t.numel() * t.element_size()
        return t

    model.zero_grad(set_to_none=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = F.cross_entropy(forward(), labels)
    loss.backward()
    return sum(seen.values())


def torch_bench(name, repeat, threads):
    torch.set_num_threads(threads)
    model, x, labels = torch_model(name)
    model.train()
    out = {}
    for kind, forward, step in training_steps(model, x, labels):
        step()  # warm up
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1e3)
        out[kind] = {"median_ms": float(np.median(times)),
                     "min_ms": float(np.min(times)),
                     "saved_bytes": saved_bytes(model, forward, labels)}
        print("  %-10s %-18s median %8.2f ms  saved %10d bytes" % (
            name, kind, out[kind]["median_ms"], out[kind]["saved_bytes"]),
            flush=True)
    return out


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def svg_plot(path, sweep):
    """Peak memory (MB) against blocks per stage, one line per mode."""
    names = [n for n in sweep if n.startswith("revnet-d")]
    xs = [blocks_of(n) for n in names]
    series = [(m, "#d62728" if m == "store" else
               "#ff7f0e" if m == "checkpoint" else "#2ca02c",
               [sweep[n][m]["peak_bytes"] / 1e6 for n in names], False)
              for m in MODES]
    series.append(("PyTorch autograd (saved tensors)", "#7f7f7f",
                   [sweep[n]["pytorch"]["saved_bytes"] / 1e6 for n in names],
                   True))
    line_plot(path, "Training-step memory vs depth (RevNet, rev-run measured "
              "peak)", "blocks per stage", "MB", xs, series)


def markdown(results, args):
    lines = ["Training step (forward, loss, backward) per model and mode; "
             "rev-run -O %d, median of %d calls; rev-run and PyTorch %s on %d thread(s). "
             "Peak: live heap bytes measured by rev-run's counting allocator. "
             "Angle: between the mode's parameter gradients and store "
             "mode's. Max reconstruction error: max |x - reconstructed x| "
             "over the couplings' inputs (numerics=true)." % (
                 args.opt, args.repeat, torch.__version__, args.threads), "",
             "| model | mode | step ms | peak MB | vs store time | "
             "vs store peak | gradient angle (deg) | max reconstruction error |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        for m in MODES:
            err = r[m].get("max_reconstruction_error")
            lines.append("| %s | %s | %.2f | %.2f | %.2fx | %.2fx | %.2g | %s |"
                         % (name, m, r[m]["median_ms"],
                            r[m]["peak_bytes"] / 1e6,
                            r[m]["median_ms"] / r["store"]["median_ms"],
                            r[m]["peak_bytes"] / r["store"]["peak_bytes"],
                            r[m]["angle_deg"],
                            "%.2g" % err if err is not None else ""))
        for k in ["pytorch", "pytorch-reversible"]:
            lines.append("| %s | %s | %.2f | (saved %.2f) | %.2fx | | | |" % (
                name, k, r[k]["median_ms"], r[k]["saved_bytes"] / 1e6,
                r[k]["median_ms"] / r["store"]["median_ms"]))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--opt", type=int, default=2)
    ap.add_argument("--models", default="revnet,revnet-d2,revnet-d8,revnet-d32")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--threads", type=int, default=1,
                    help="threads for rev-run (--num-threads) and PyTorch")
    ap.add_argument("--name", default="train_modes",
                    help="basename of the result files")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            print(name, flush=True)
            results[name] = rev_opt_run(args, name, tmp)
            results[name].update(torch_bench(name, args.repeat, args.threads))
    with open(os.path.join(args.out, args.name + ".json"), "w") as f:
        json.dump(results, f, indent=2)
    md = markdown(results, args)
    with open(os.path.join(args.out, args.name + ".md"), "w") as f:
        f.write(md)
    print(md)
    if args.name == "train_modes" and any(n.startswith("revnet-d") for n in results):
        svg_plot(os.path.join(ROOT, "bench", "memory_vs_depth.svg"), results)


if __name__ == "__main__":
    main()
