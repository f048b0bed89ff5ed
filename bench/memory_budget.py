#!/usr/bin/python3
"""Training steps planned under a memory budget (issue 18): rev-train's
`memory-budget` against the measured peak, the step time and the gradients.

For each model of paper_models.py (RevNet-38/110/164, CIFAR 32x32, batch 32,
training-mode BatchNorm): the store and reversible steps bound the range;
their estimated peaks (rev-memory-report, @train_step) give three budgets a
quarter, half and three quarters of the way from the reversible estimate to
the store estimate, and a fourth halfway between the reversible step with
its non-invertible segments recomputed (recompute-segments) and the
reversible step, where the planner must recompute the segments. Each budget's step is built with `rev-opt
--rev-train="memory-budget=<bytes>"` (the planning time is measured) and run
with `rev-run --repeat N --num-threads T --report`: the measured peak of live
heap bytes (held to <= 1.05 x budget), the median step time, and the largest
gradient error against PyTorch float64 from the same weights and inputs
(paper.py's metric). PyTorch's saved bytes (memory.py's count) are listed for
scale.

Writes bench/results/<name>.{json,md} and bench/memory_budget.svg (measured
peak and budget per step of the range) and bench/memory_budget_time.svg.

Usage: /usr/bin/python3 bench/memory_budget.py [--build build]
           [--models revnet38,revnet110,revnet164] [--batch 32] [--repeat 5] [--threads 2]
           [--name memory_budget]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from gradients import load_dir  # noqa: E402
import paper_models  # noqa: E402
from memory import torch_saved_bytes  # noqa: E402
from paper import run, torch_gradients, torch_model, worst_error  # noqa: E402
from plot import line_plot  # noqa: E402

FRACTIONS = [0.25, 0.5, 0.75]


def tag_of(label):
    """A file name (and rev-opt option value) for a step's label."""
    return "".join(c if c.isalnum() else "_" for c in label)


def build_step(bin_dir, onnx_path, options, work, tag):
    """rev-opt --rev-train; returns (step path, memory report, seconds)."""
    step = os.path.join(work, tag + ".mlir")
    report = os.path.join(work, tag + ".memory.json")
    start = time.perf_counter()
    run([os.path.join(bin_dir, "rev-opt"), onnx_path,
         "--rev-train=loss=cross-entropy " + options,
         "--rev-memory-report=json=%s quiet=true" % report, "-o", step])
    seconds = time.perf_counter() - start
    with open(report) as f:
        functions = {fn["name"]: fn for fn in json.load(f)["functions"]}
    return step, functions, seconds


def run_step(bin_dir, step, model_dir, args, env, work, tag):
    report = os.path.join(work, tag + ".run.json")
    outs = os.path.join(work, tag + ".out")
    subprocess.run([os.path.join(bin_dir, "rev-run"), step,
                    "--weights", os.path.join(model_dir, "model.onnx"),
                    "--inputs", os.path.join(model_dir, "inputs"),
                    "--repeat", str(args.repeat), "--num-threads", str(args.threads),
                    "--report", report, "--outputs", outs],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    with open(report) as f:
        r = json.load(f)
    grads = {k[len("grad."):]: g for k, g in load_dir(outs).items()}
    return r, grads


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--models", default="revnet38,revnet110,revnet164")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--name", default="memory_budget")
    args = ap.parse_args()
    bin_dir = os.path.join(args.build, "bin")
    rows = []
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, REV_CACHE_DIR=os.path.join(work, "cache"))
        for name in args.models.split(","):
            paper_models.export(name, work, args.batch)
            d = os.path.join(work, name)
            onnx_path = os.path.join(d, "model.onnx")
            x = np.load(os.path.join(d, "inputs", "x.npy"))
            labels = torch.from_numpy(np.load(os.path.join(d, "inputs", "labels.npy")))
            ref = torch_gradients(torch_model(name, d, torch.float64),
                                  torch.from_numpy(x).double(), labels)
            saved = torch_saved_bytes(torch_model(name, d, torch.float32),
                                      torch.from_numpy(x), "cross-entropy")
            configs = [("reversible + segments", "mode=reversible recompute-segments=true", None),
                       ("reversible", "mode=reversible", None),
                       ("store", "mode=store", None)]
            estimates = {}
            for label, options, _ in configs:
                _, functions, _ = build_step(bin_dir, onnx_path, options, work,
                                             "%s-%s" % (name, tag_of(label)))
                estimates[label] = functions["train_step"]["estimated_peak_bytes"]
            lo, hi = estimates["reversible"], estimates["store"]
            below = int((estimates["reversible + segments"] + lo) / 2)
            configs.insert(1, ("budget below reversible", "memory-budget=%d" % below, below))
            for f in FRACTIONS:
                budget = int(lo + f * (hi - lo))
                configs.insert(-1, ("budget %.0f%%" % (100 * f),
                                    "memory-budget=%d" % budget, budget))
            for label, options, budget in configs:
                tag = "%s-%s" % (name, tag_of(label))
                step, functions, seconds = build_step(bin_dir, onnx_path, options, work, tag)
                plan = functions["model"].get("memory_plan", {})
                r, grads = run_step(bin_dir, step, d, args, env, work, tag)
                err = worst_error(grads, ref)
                row = {"model": name, "batch": args.batch, "threads": args.threads,
                       "config": label, "budget_bytes": budget,
                       "stored": plan.get("stored"), "couplings": plan.get("couplings"),
                       "estimated_peak_bytes": functions["train_step"]["estimated_peak_bytes"],
                       "peak_bytes": r["peak_bytes"], "median_ms": r["time_ms"]["median"],
                       "rev_opt_seconds": seconds, "pytorch_saved_bytes": saved,
                       "grad_err_vs_f64": err[0], "grad_err_where": err[1]}
                rows.append(row)
                print(row, flush=True)
    base = os.path.join(ROOT, "bench", "results", args.name)
    with open(base + ".json", "w") as f:
        json.dump({"batch": args.batch, "threads": args.threads, "repeat": args.repeat,
                   "rows": rows}, f, indent=1)
    mb = lambda b: "%.2f" % (b / 1e6)  # noqa: E731
    lines = ["| model | step | budget (MB) | couplings stored | est. peak (MB) | "
             "measured peak (MB) | peak / budget | step time (ms) | time / reversible | "
             "grad err vs f64 | rev-opt (s) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        rev = next(x for x in rows if x["model"] == r["model"] and x["config"] == "reversible")
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %.1f | %.2f | %.1e | %.2f |" % (
            r["model"], r["config"], mb(r["budget_bytes"]) if r["budget_bytes"] else "-",
            "%d / %d" % (r["stored"], r["couplings"]) if r["couplings"] else "-",
            mb(r["estimated_peak_bytes"]), mb(r["peak_bytes"]),
            "%.3f" % (r["peak_bytes"] / r["budget_bytes"]) if r["budget_bytes"] else "-",
            r["median_ms"], r["median_ms"] / rev["median_ms"], r["grad_err_vs_f64"],
            r["rev_opt_seconds"]))
    models = list(dict.fromkeys(r["model"] for r in rows))
    lines.append("")
    lines.append("PyTorch saved bytes: " + ", ".join(
        "%s %s MB" % (m, mb(next(r for r in rows if r["model"] == m)["pytorch_saved_bytes"]))
        for m in models))
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))

    # Plots: x = position in the range (0 = reversible, 100 = store; the
    # reversible step with segments recomputed at -50, the budget below the
    # reversible step at -25).
    xs = [-50, -25, 0] + [int(100 * f) for f in FRACTIONS] + [100]
    colors = ["#1f77b4", "#d62728", "#2ca02c"]
    peaks, times = [], []
    for m, color in zip(models, colors):
        mine = [r for r in rows if r["model"] == m]
        peaks.append(("%s measured peak" % m, color, [r["peak_bytes"] / 1e6 for r in mine], False))
        budgets = [r["budget_bytes"] or r["estimated_peak_bytes"] for r in mine]
        peaks.append(("%s budget" % m, color, [b / 1e6 for b in budgets], True))
        times.append((m, color, [r["median_ms"] for r in mine], False))
    line_plot(os.path.join(ROOT, "bench", "memory_budget.svg"),
              "Peak under a memory budget (batch %d)" % args.batch,
              "% of the way from the reversible to the store step's estimate "
              "(-50: segments recomputed)", "MB", xs, peaks)
    line_plot(os.path.join(ROOT, "bench", "memory_budget_time.svg"),
              "Step time under a memory budget (%d threads)" % args.threads,
              "% of the way from the reversible to the store step's estimate "
              "(-50: segments recomputed)", "ms", xs, times)


if __name__ == "__main__":
    main()
