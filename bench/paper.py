#!/usr/bin/python3
"""CPU training steps at the RevNet paper's sizes (issue 16): rev-opt's store
and reversible steps against PyTorch autograd, on 1 and 2 threads, with the
gradients of each compared to PyTorch in float64.

For each model of paper_models.py (RevNet-38/110/164, CIFAR 32x32,
training-mode BatchNorm) and batch size: `rev-opt --rev-train` (store,
reversible), `rev-run --repeat N --num-threads T --report` (median step
time, measured peak of live heap bytes, bytes allocated per call), and the
same step in PyTorch 1.13 with torch.set_num_threads(T) (median of N timed
steps after one warm-up). Gradients: the largest relative error
max|g - ref| / max|ref| over the parameters, against PyTorch float64 from
the same weights and inputs (parameters whose float64 gradient is zero --
the bias of a convolution followed by BatchNorm -- are skipped).

Writes bench/results/<name>.{json,md}.

PyTorch also runs the RevNets with a hand-written reversible backward
(bench/torch_reversible.py's RevStageFn over each run of couplings: what
MemCNN and RevLib do).

Usage: /usr/bin/python3 bench/paper.py [--build build] [--models revnet38,revnet110]
           [--batch 32] [--repeat 7] [--threads 1,2] [--kernel-library onednn]
           [--name paper]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import paper_models  # noqa: E402
from gradients import load_dir, worst_relative  # noqa: E402
from torch_reversible import paper_reversible_forward  # noqa: E402

warnings.filterwarnings("ignore")


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-3000:]))
    return p.stdout


def torch_model(name, model_dir, dtype):
    """The exported model in PyTorch, with the ONNX file's weights."""
    weights = {i.name: onnx.numpy_helper.to_array(i)
               for i in onnx.load(os.path.join(model_dir, "model.onnx")).graph.initializer}
    model = paper_models.MODELS[name]().to(dtype)
    model.train()
    with torch.no_grad():
        for k, v in model.state_dict().items():
            if k in weights:
                v.copy_(torch.from_numpy(weights[k].astype(np.float64)))
    return model


def torch_gradients(model, x, labels, reversible=False):
    model.zero_grad(set_to_none=True)
    F.cross_entropy(paper_reversible_forward(model, x) if reversible else model(x),
                    labels).backward()
    return {k: p.grad.detach().double().numpy() for k, p in model.named_parameters()}


def worst_error(grads, ref):
    """gradients.worst_relative, skipping the parameters whose float64
    gradient is zero up to rounding (below 1e-7 of the largest)."""
    scale = max(np.abs(g).max() for g in ref.values())
    return worst_relative(ref, grads, floor=1e-7 * scale)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--models", default="revnet38,revnet110")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--kernel-library", default=None, choices=["onednn", "none"])
    ap.add_argument("--name", default="paper")
    args = ap.parse_args()
    bin_dir = os.path.join(args.build, "bin")
    threads = [int(t) for t in args.threads.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, REV_CACHE_DIR=os.path.join(work, "cache"))
        for name in args.models.split(","):
            run([sys.executable, os.path.join(ROOT, "bench", "paper_models.py"), work,
                 "--batch", str(args.batch), "--only", name])
            d = os.path.join(work, name)
            x = np.load(os.path.join(d, "inputs", "x.npy"))
            labels = torch.from_numpy(np.load(os.path.join(d, "inputs", "labels.npy")))
            ref = torch_gradients(torch_model(name, d, torch.float64),
                                  torch.from_numpy(x).double(), labels)
            m32 = torch_model(name, d, torch.float32)
            x32 = torch.from_numpy(x)
            # (RevViT: no hand-written reversible baseline here)
            kinds = [("pytorch", False)] + ([("pytorch reversible", True)]
                                            if name.startswith("revnet") else [])
            for kind, reversible in kinds:
                err32 = worst_error(torch_gradients(m32, x32, labels, reversible), ref)
                for t in threads:
                    torch.set_num_threads(t)
                    torch_gradients(m32, x32, labels, reversible)  # warm-up
                    times = []
                    for _ in range(args.repeat):
                        start = time.perf_counter()
                        torch_gradients(m32, x32, labels, reversible)
                        times.append((time.perf_counter() - start) * 1e3)
                    rows.append({"model": name, "batch": args.batch, "threads": t,
                                 "runner": kind, "median_ms": statistics.median(times),
                                 "min_ms": min(times), "grad_err_vs_f64": err32[0],
                                 "grad_err_where": err32[1]})
                    print(rows[-1], flush=True)
            for mode in ["store", "reversible"]:
                step = os.path.join(work, "%s-%s.mlir" % (name, mode))
                run([os.path.join(bin_dir, "rev-opt"), os.path.join(d, "model.onnx"),
                     "--rev-train=mode=%s loss=cross-entropy" % mode, "-o", step])
                for t in threads:
                    report = os.path.join(work, "report.json")
                    outs = os.path.join(work, "out-%s-%s-%d" % (name, mode, t))
                    cmd = [os.path.join(bin_dir, "rev-run"), step, "--weights",
                           os.path.join(d, "model.onnx"), "--inputs", os.path.join(d, "inputs"),
                           "--repeat", str(args.repeat), "--num-threads", str(t),
                           "--report", report, "--outputs", outs]
                    if args.kernel_library:
                        cmd.append("--kernel-library=" + args.kernel_library)
                    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
                    r = json.load(open(report))
                    grads = {k[len("grad."):]: g for k, g in load_dir(outs).items()}
                    err = worst_error(grads, ref)
                    rows.append({"model": name, "batch": args.batch, "threads": t,
                                 "runner": "rev " + mode, "median_ms": r["time_ms"]["median"],
                                 "min_ms": r["time_ms"]["min"], "peak_bytes": r["peak_bytes"],
                                 "allocated_bytes_per_call": r["allocated_bytes"],
                                 "grad_err_vs_f64": err[0], "grad_err_where": err[1]})
                    print(rows[-1], flush=True)
    out = os.path.join(ROOT, "bench", "results", args.name)
    with open(out + ".json", "w") as f:
        json.dump({"repeat": args.repeat, "nproc": os.cpu_count(),
                   "kernel_library": args.kernel_library or "default", "rows": rows}, f, indent=1)
    by = {(r["model"], r["threads"], r["runner"]): r for r in rows}
    with open(out + ".md", "w") as f:
        f.write("| model | batch | threads | PyTorch ms | PyTorch reversible ms | "
                "rev store ms (vs PyTorch) | "
                "rev reversible ms (vs store) | peak MB store / reversible | "
                "allocated MB per call store / reversible | max grad err vs float64: "
                "PyTorch f32 / store / reversible |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
        for name in args.models.split(","):
            for t in threads:
                p, s, v = (by[(name, t, k)] for k in ("pytorch", "rev store", "rev reversible"))
                pr = by.get((name, t, "pytorch reversible"))
                f.write("| %s | %d | %d | %.1f | %s | %.1f (%.2fx) | %.1f (%.2fx) | %.1f / %.1f | "
                        "%.0f / %.0f | %.1e / %.1e / %.1e |\n" % (
                            name, args.batch, t, p["median_ms"],
                            "%.1f" % pr["median_ms"] if pr else "n/a", s["median_ms"],
                            s["median_ms"] / p["median_ms"], v["median_ms"],
                            v["median_ms"] / s["median_ms"], s["peak_bytes"] / 1e6,
                            v["peak_bytes"] / 1e6, s["allocated_bytes_per_call"] / 1e6,
                            v["allocated_bytes_per_call"] / 1e6, p["grad_err_vs_f64"],
                            s["grad_err_vs_f64"], v["grad_err_vs_f64"]))
    print(open(out + ".md").read())


if __name__ == "__main__":
    main()
