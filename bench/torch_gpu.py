#!/usr/bin/env python3
"""PyTorch on the GPU, the baseline for utils/gpu-check.sh: the bundled
RevNet's training step (cross-entropy loss) with autograd, and with the
hand-written reversible backward (bench/torch_reversible.py), on CUDA.

Reads the weights and inputs that `utils/gpu-check.sh prepare` writes (one
.npy per ONNX initializer, x.npy, labels.npy), so it needs torch and numpy
but not onnx (the GPU machine has no onnx). For each kind it prints the
median and minimum step time (CUDA-synchronized, after a warm-up step),
the peak of allocated device bytes above what was live before the step
(torch.cuda.max_memory_allocated; this includes the gradients PyTorch
allocates, which rev's programs receive preallocated), the loss, and, with
--reference DIR (rev-run's CPU results), the largest relative gradient
difference and the angle between all gradients.

  python3 bench/torch_gpu.py --inputs gpu-check/inputs [--blocks 2]
      [--width 16] [--repeat 20] [--reference gpu-check/cpu-store]
      [--report out.json]

--paper revnet38 (revnet110, revnet164) builds bench/paper_models.py's
network instead (what `GPU_MODEL=<its folder> GPU_TORCH_ARGS="--paper
revnet38" utils/gpu-check.sh prepare` compiles), with the reversible
backward over each run of couplings.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "utils", "models"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import generate  # noqa: E402
import gradients  # noqa: E402
from torch_reversible import (manual_reversible_forward,  # noqa: E402
                              paper_reversible_forward, training_steps)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--paper", help="a network of bench/paper_models.py (revnet38, ...)")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--reference", help="rev-run's results (grad.*.npy, loss.npy)")
    ap.add_argument("--report")
    ap.add_argument("--device", default="cuda",
                    help="cuda, or cpu to try the script (no memory figures)")
    args = ap.parse_args()
    cuda = args.device == "cuda"
    if cuda and not torch.cuda.is_available():
        sys.exit("torch_gpu: CUDA is not available to PyTorch")
    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    if args.paper:
        import paper_models  # (torch only, like generate)
        if args.paper not in paper_models.MODELS or not args.paper.startswith("revnet"):
            sys.exit("torch_gpu: --paper takes one of the RevNets of bench/paper_models.py")
        model = paper_models.MODELS[args.paper]()
        reversible = paper_reversible_forward
    else:
        model = generate.RevNet(blocks=args.blocks, width=args.width)
        reversible = manual_reversible_forward
    state = model.state_dict()
    for k in state:
        path = os.path.join(args.inputs, k + ".npy")
        if os.path.exists(path):
            state[k] = torch.from_numpy(np.load(path))
        elif not k.endswith("num_batches_tracked"):
            sys.exit("torch_gpu: no weight file for " + k)
    model.load_state_dict(state)
    model.to(dev).train()
    x = torch.from_numpy(np.load(os.path.join(args.inputs, "x.npy"))).to(dev)
    labels = torch.from_numpy(np.load(os.path.join(args.inputs, "labels.npy"))).to(dev)
    initial = {k: v.clone() for k, v in model.state_dict().items()}

    results = {"device": torch.cuda.get_device_name(0) if cuda else "cpu",
               "torch": torch.__version__}
    for kind, _, step in training_steps(model, x, labels, reversible):
        # The gradients of the first step from the initial weights and
        # statistics, as rev's step sees them.
        model.load_state_dict(initial)
        loss = float(step())
        grads = {"grad." + n: p.grad.detach().cpu().numpy().astype(np.float64)
                 for n, p in model.named_parameters()}
        times, peaks = [], []
        for _ in range(args.repeat):
            model.zero_grad(set_to_none=True)
            sync()
            if cuda:
                base = torch.cuda.memory_allocated()
                torch.cuda.reset_peak_memory_stats()
            t0 = time.perf_counter()
            step()
            sync()
            times.append((time.perf_counter() - t0) * 1e3)
            peaks.append(torch.cuda.max_memory_allocated() - base if cuda else 0)
        r = {"median_ms": float(np.median(times)), "min_ms": float(np.min(times)),
             "peak_device_bytes": int(max(peaks)), "loss": loss}
        if args.reference:
            ref = gradients.load_dir(args.reference)
            r["reference_loss"] = float(np.load(os.path.join(args.reference, "loss.npy")))
            r["max_rel"] = gradients.worst_relative(ref, grads)[0]
            r["angle_deg"] = gradients.angle(ref, grads)
        results[kind] = r
        print("%-19s median %8.3f ms  min %8.3f ms  peak %10d B  loss %.6f%s" % (
            kind, r["median_ms"], r["min_ms"], r["peak_device_bytes"], loss,
            "  vs CPU: max rel %.2g, angle %.4f deg" % (r["max_rel"], r["angle_deg"])
            if args.reference else ""), flush=True)
    if args.report:
        with open(args.report, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
