#!/usr/bin/python3
"""Memory of a training step: what PyTorch autograd saves against rev's tape
and measured peak, per mode (issue 18).

For each model: PyTorch 1.13 builds the same network (training mode) and
runs one forward and backward with cross-entropy (mse for Glow) under
torch.autograd.graph.saved_tensors_hooks; the bytes of the distinct tensors
it saves for the backward are its tape. rev-opt builds the store,
checkpoint and reversible steps from the ONNX file; rev-memory-report gives
each tape's bytes and rev-run --report the measured peak of live heap bytes
during one step (weights, inputs and gradients are allocated outside it).

Models: the bundled RevNet, Glow flow, reversible transformer and ResNet
(models/, utils/models/generate.py) and the RevNet paper's networks
(bench/paper_models.py: RevNet-38/110/164, CIFAR 32x32, batch 32).

Usage: /usr/bin/python3 bench/memory.py [--build build]
           [--models revnet,glow,revtransformer,resnet,revnet38,revnet110,revnet164]
           [--batch 32] [--name memory]
Writes bench/results/<name>.{json,md}.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "utils", "models"))
import generate  # noqa: E402
import paper_models  # noqa: E402

MODES = ["store", "checkpoint", "reversible"]
BUNDLED = {
    # name: (constructor, input shape, loss)
    "revnet": (lambda: generate.RevNet(blocks=2), (4, 3, 16, 16), "cross-entropy"),
    "glow": (generate.GlowFlow, (2, 4, 8, 8), "mse"),
    "revtransformer": (generate.RevTransformer, (2, 8, 32), "cross-entropy"),
    "resnet": (generate.ResNet, (4, 3, 16, 16), "cross-entropy"),
}
PAPER = ["revnet38", "revnet110", "revnet164"]


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    return p.stdout


def torch_saved_bytes(model, x, loss):
    """Bytes of the distinct tensors autograd saves for the backward."""
    seen = {}

    def pack(t):
        seen[(t.data_ptr(), t.numel(), t.dtype)] = t.numel() * t.element_size()
        return t

    model.train()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(x)
        if loss == "mse":
            value = F.mse_loss(out, torch.zeros_like(out))
        else:
            value = F.cross_entropy(out, torch.zeros(out.shape[0], dtype=torch.long))
    value.backward()
    return sum(seen.values())


def rev_modes(build, onnx_path, inputs, loss, work, name):
    out = {}
    for mode in MODES:
        mlir = os.path.join(work, "%s.%s.mlir" % (name, mode))
        report = os.path.join(work, "%s.%s.memory.json" % (name, mode))
        run([os.path.join(build, "bin", "rev-opt"), onnx_path,
             "--rev-train=mode=%s loss=%s" % (mode, loss),
             "--rev-memory-report=json=%s" % report, "-o", mlir])
        with open(report) as f:
            functions = {fn["name"]: fn for fn in json.load(f)["functions"]}
        forward = next(fn for n, fn in functions.items() if n.endswith("_forward"))
        run_report = os.path.join(work, "%s.%s.run.json" % (name, mode))
        run([os.path.join(build, "bin", "rev-run"), mlir, "--weights", onnx_path,
             "--inputs", inputs, "--report", run_report])
        with open(run_report) as f:
            peak = json.load(f)["peak_bytes"]
        out[mode] = {"tape_bytes": forward.get("tape_bytes", 0),
                     "tape_entries": forward.get("tape_entries", 0),
                     "estimated_peak_bytes": functions["train_step"]["estimated_peak_bytes"],
                     "peak_bytes": peak}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--models", default=",".join(list(BUNDLED) + PAPER))
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--name", default="memory")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="rev-memory-")
    rows = []
    for name in args.models.split(","):
        torch.manual_seed(0)
        if name in BUNDLED:
            make, shape, loss = BUNDLED[name]
            model = make()
            onnx_path = os.path.join(ROOT, "models", name, "model.onnx")
            inputs = os.path.join(ROOT, "models", name, "inputs")
        elif name in PAPER:
            model = paper_models.export(name, work, args.batch)
            shape, loss = (args.batch, 3, 32, 32), "cross-entropy"
            onnx_path = os.path.join(work, name, "model.onnx")
            inputs = os.path.join(work, name, "inputs")
        else:
            sys.exit("unknown model " + name)
        saved = torch_saved_bytes(model, torch.randn(*shape), loss)
        row = {"model": name, "pytorch_saved_bytes": saved,
               "rev": rev_modes(args.build, onnx_path, inputs, loss, work, name)}
        rows.append(row)
        print("%-15s pytorch saves %12d; tape store/checkpoint/reversible %s; peak %s" % (
            name, saved, " / ".join(str(row["rev"][m]["tape_bytes"]) for m in MODES),
            " / ".join(str(row["rev"][m]["peak_bytes"]) for m in MODES)), flush=True)
    base = os.path.join(ROOT, "bench", "results", args.name)
    with open(base + ".json", "w") as f:
        json.dump({"batch": args.batch, "rows": rows}, f, indent=1)
    mb = lambda b: "%.2f" % (b / 1e6)  # noqa: E731
    lines = ["| model | PyTorch saves (MB) | tape store / checkpoint / reversible (MB) | "
             "store tape / PyTorch | measured peak store / checkpoint / reversible (MB) | "
             "PyTorch saves / reversible peak |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        rev = r["rev"]
        lines.append("| %s | %s | %s | %.2f | %s | %.1fx |" % (
            r["model"], mb(r["pytorch_saved_bytes"]),
            " / ".join(mb(rev[m]["tape_bytes"]) for m in MODES),
            rev["store"]["tape_bytes"] / r["pytorch_saved_bytes"],
            " / ".join(mb(rev[m]["peak_bytes"]) for m in MODES),
            r["pytorch_saved_bytes"] / rev["reversible"]["peak_bytes"]))
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
