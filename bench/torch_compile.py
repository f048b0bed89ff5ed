#!/usr/bin/python3
"""revopt.torch.compile at the RevNet paper's sizes: a freshly initialized
RevNet-38/110 (paper_models.py, CIFAR 32x32, training-mode BatchNorm) trained
for a few SGD-momentum steps with plain PyTorch (float32 and float64) and
with the compiled module (reversible and store modes), in one process.

Per model and mode: compile time (cold or cached, as found), the median
training-step time against PyTorch's with the same threads, the bytes
autograd keeps for one step (distinct storages seen by saved_tensors_hooks),
and after the steps the largest relative difference of the losses and the
relative distance of all parameters (one vector) to PyTorch float64, next to
PyTorch float32's own.

Writes bench/results/<name>.{json,md}.

Usage: /usr/bin/python3 bench/torch_compile.py [--models revnet38,revnet110]
           [--batch 32] [--steps 6] [--threads 2] [--modes reversible,store]
           [--name torch_compile]
"""
import argparse
import copy
import json
import os
import statistics
import sys
import time
import warnings

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "python"))
import paper_models  # noqa: E402
import revopt.torch  # noqa: E402

warnings.filterwarnings("ignore")


def saved_bytes(model, x, y):
    return revopt.torch.saved_bytes(lambda: F.cross_entropy(model(x), y))[1]


def train(model, data, steps):
    """Losses and step times of `steps` SGD-momentum steps."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses, times = [], []
    for i in range(steps):
        x, y = data[i % len(data)]
        t0 = time.perf_counter()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - t0)
        losses.append(float(loss))
    return losses, times


def state_error(model, reference):
    """|a - ref| / |ref| over all parameters as one vector (Euclidean norms).
    (Per tensor, the largest relative difference is dominated by BatchNorm
    biases that start at 0 and are ~1e-3 after a few steps: PyTorch's own
    float32 is 5-7% from float64 there on RevNet-38.)"""
    a, b = dict(model.named_parameters()), dict(reference.named_parameters())
    diff = sum(float(((a[k].double() - b[k].double()) ** 2).sum()) for k in b)
    norm = sum(float((b[k].double() ** 2).sum()) for k in b)
    return (diff / norm) ** 0.5


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="revnet38,revnet110")
    ap.add_argument("--modes", default="reversible,store")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--name", default="torch_compile")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    rows = []
    for name in args.models.split(","):
        torch.manual_seed(0)
        model = paper_models.MODELS[name]()
        g = torch.Generator().manual_seed(1)
        data = [(torch.randn(args.batch, 3, 32, 32, generator=g),
                 torch.randint(0, 10, (args.batch,), generator=g)) for _ in range(2)]
        f64 = copy.deepcopy(model).double()
        ref_losses, _ = train(f64, [(x.double(), y) for x, y in data], args.steps)
        plain = copy.deepcopy(model)
        plain_losses, plain_times = train(plain, data, args.steps)
        plain_saved = saved_bytes(plain, *data[0])
        base = {"model": name, "batch": args.batch, "threads": args.threads,
                "parameters": sum(p.numel() for p in model.parameters())}
        rows.append(dict(base, what="PyTorch float32", compile_s=0.0,
                         step_ms=1000 * statistics.median(plain_times[1:]),
                         saved_mb=plain_saved / 1e6,
                         loss_error=max(abs(a - b) / abs(b)
                                        for a, b in zip(plain_losses, ref_losses)),
                         state_error=state_error(plain, f64)))
        print(rows[-1], flush=True)
        for mode in args.modes.split(","):
            t0 = time.perf_counter()
            compiled = revopt.torch.compile(copy.deepcopy(model), data[0][0], mode=mode)
            compile_s = time.perf_counter() - t0
            losses, times = train(compiled, data, args.steps)
            rows.append(dict(base, what="revopt %s" % mode, compile_s=compile_s,
                             step_ms=1000 * statistics.median(times[1:]),
                             saved_mb=saved_bytes(compiled, *data[0]) / 1e6,
                             loss_error=max(abs(a - b) / abs(b)
                                            for a, b in zip(losses, ref_losses)),
                             state_error=state_error(compiled, f64)))
            print(rows[-1], flush=True)

    out = os.path.join(ROOT, "bench", "results", args.name)
    with open(out + ".json", "w") as f:
        json.dump(rows, f, indent=1)
    with open(out + ".md", "w") as f:
        f.write("revopt.torch.compile vs PyTorch, %d SGD-momentum steps from a fresh "
                "initialization, batch %d, %d threads (bench/torch_compile.py, %s)\n\n" % (
                    args.steps, args.batch, args.threads, time.strftime("%Y-%m-%d")))
        f.write("| model | run | compile (s) | step (ms) | autograd keeps (MB) | "
                "losses vs float64 | parameters vs float64 (norm) |\n|---|---|---:|---:|---:|---:|---:|\n")
        for r in rows:
            f.write("| %s | %s | %.1f | %.1f | %.1f | %.1e | %.1e |\n" % (
                r["model"], r["what"], r["compile_s"], r["step_ms"], r["saved_mb"],
                r["loss_error"], r["state_error"]))
    print("wrote %s.md" % out)


if __name__ == "__main__":
    main()
