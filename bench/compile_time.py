#!/usr/bin/env python3
"""Compile time of a training step: cold (empty compile cache) and warm.

For each model: `rev-opt model.onnx --rev-train=...` then `rev-run` of one
step with `--timing` under a fresh REV_CACHE_DIR (cold), then `rev-run`
again with the same cache (warm). Records wall time and peak memory (RSS)
of each process, rev-run's phases (lowering, code generation) and the
number of functions compiled.

Models: the bundled RevNet, the depth sweep (models/depth: 2, 8 and 32
blocks per stage) and the RevNet paper's CIFAR networks (bench/paper_models.py,
exported here at --batch).

Usage: /usr/bin/python3 bench/compile_time.py [--build build] [--mode reversible]
           [--only NAME ...] [--batch 32] [--segment-ops N]
           [--out bench/results/compile_time]
Writes <out>.json and <out>.md. `--plot` instead draws
bench/compile_vs_depth.svg (cold compile time against blocks per stage) from
results/compile_time.json and results/compile_time-segments64.json.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot import line_plot  # noqa: E402


def plot_depth():
    """Cold compile time of the depth sweep, with and without segments."""
    xs, series = [2, 8, 32], []
    for name, label, color in [("compile_time", "no segments", "#d62728"),
                               ("compile_time-segments64", "segments of 64 ops",
                                "#2ca02c")]:
        with open(os.path.join(ROOT, "bench", "results", name + ".json")) as f:
            rows = {r["model"]: r for r in json.load(f)["rows"]}
        series.append((label, color,
                       [rows["revnet-d%d" % d]["total_cold_s"] for d in xs], False))
        series.append((label + ": lowering", color,
                       [rows["revnet-d%d" % d]["lowering_s"] for d in xs], True))
    line_plot(os.path.join(ROOT, "bench", "compile_vs_depth.svg"),
              "Cold compile time vs depth (RevNet reversible step)",
              "blocks per stage", "seconds", xs, series)


def timed(cmd, env):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS MB, stderr)."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "REV_MAXRSS_KB %M"] + cmd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-3000:]))
    rss = int(re.search(r"REV_MAXRSS_KB (\d+)", p.stderr).group(1)) / 1024.0
    return seconds, rss, p.stderr + p.stdout


def phase(log, what):
    m = re.search(r"rev-run: %s took ([0-9.]+) s" % re.escape(what), log)
    return float(m.group(1)) if m else None


def measure(name, model_dir, bin_dir, mode, work, segment_ops):
    onnx = os.path.join(model_dir, "model.onnx")
    train = os.path.join(work, name + ".mlir")
    cache = os.path.join(work, name + ".cache")
    env = dict(os.environ, REV_CACHE_DIR=cache)
    t_opt, rss_opt, _ = timed([os.path.join(bin_dir, "rev-opt"), onnx,
                               "--rev-train=mode=%s loss=cross-entropy" % mode,
                               "-o", train], env)
    run = [os.path.join(bin_dir, "rev-run"), train, "--weights", onnx,
           "--inputs", os.path.join(model_dir, "inputs"), "--timing",
           "--segment-ops=%d" % segment_ops]
    t_cold, rss_cold, log_cold = timed(run, env)
    t_warm, rss_warm, log_warm = timed(run, env)
    step = re.search(r"min ([0-9.]+) ms", log_cold)
    peak = re.search(r"peak heap (\d+) bytes", log_cold)
    functions = re.search(r"compiled (\d+) functions", log_cold)
    return {
        "model": name, "mode": mode, "segment_ops": segment_ops,
        "rev_opt_s": round(t_opt, 2), "rev_opt_rss_mb": round(rss_opt, 1),
        "lowering_s": phase(log_cold, "lowering to the LLVM dialect"),
        "codegen_s": phase(log_cold, "JIT compilation"),
        "rev_run_cold_s": round(t_cold, 2), "rev_run_cold_rss_mb": round(rss_cold, 1),
        "total_cold_s": round(t_opt + t_cold, 2),
        "rev_run_warm_s": round(t_warm, 2),
        "warm_compile_s": round(sum(phase(log_warm, w) or 0 for w in [
            "compile cache lookup (hit)", "loading the cached code"]), 3),
        "functions": int(functions.group(1)) if functions else None,
        "step_ms": float(step.group(1)) if step else None,
        "peak_bytes": int(peak.group(1)) if peak else None,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--mode", default="reversible")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--only", action="append")
    ap.add_argument("--plot", action="store_true",
                    help="only draw bench/compile_vs_depth.svg from the results")
    ap.add_argument("--segment-ops", type=int, default=0,
                    help="rev-run --segment-ops (0: functions are not split)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "compile_time"))
    args = ap.parse_args()
    if args.plot:
        plot_depth()
        return
    bin_dir = os.path.join(args.build, "bin")
    work = tempfile.mkdtemp(prefix="rev-compile-time-")
    models = [("revnet", os.path.join(ROOT, "models", "revnet"))]
    models += [("revnet-d%d" % d, os.path.join(ROOT, "models", "depth", "revnet-d%d" % d))
               for d in (2, 8, 32)]
    paper = ["revnet38", "revnet110", "revnet164"]
    models += [(p, os.path.join(work, "paper", p)) for p in paper]
    if args.only:
        models = [m for m in models if m[0] in args.only]
    wanted = [p for p in paper if any(m[0] == p for m in models)]
    if wanted:
        cmd = [PY, os.path.join(ROOT, "bench", "paper_models.py"), os.path.join(work, "paper"),
               "--batch", str(args.batch)]
        for p in wanted:
            cmd += ["--only", p]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    rows = []
    for name, d in models:
        row = measure(name, d, bin_dir, args.mode, work, args.segment_ops)
        print(json.dumps(row), flush=True)
        rows.append(row)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out + ".json", "w") as f:
        json.dump({"batch_paper_models": args.batch, "nproc": os.cpu_count(), "rows": rows}, f,
                  indent=1)
    with open(args.out + ".md", "w") as f:
        f.write("| model | mode | segment-ops | rev-opt (s) | lowering (s) | "
                "code generation (s) | cold total (s) | warm compile (s) | functions | "
                "peak RSS rev-run (MB) | step (ms, 1 call) | step peak heap (B) |\n"
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
        for r in rows:
            f.write("| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.3f | %s | %.0f | %.1f | %s |\n" % (
                r["model"], r["mode"], r["segment_ops"], r["rev_opt_s"], r["lowering_s"] or 0,
                r["codegen_s"] or 0, r["total_cold_s"], r["warm_compile_s"],
                r["functions"], r["rev_run_cold_rss_mb"], r["step_ms"] or 0,
                "{:,}".format(r["peak_bytes"]) if r["peak_bytes"] else "-"))
    print(open(args.out + ".md").read())


if __name__ == "__main__":
    main()
