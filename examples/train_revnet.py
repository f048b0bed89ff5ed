#!/usr/bin/env python3
"""Trains a RevNet on Fashion-MNIST twice, side by side: with plain PyTorch
autograd, and with the same module compiled by rev-opt in reversible mode
(`revopt.torch.compile`: the backward recomputes each reversible block's
inputs from its outputs instead of keeping them). Same initial weights,
same data order, same optimizer (SGD with momentum, the learning rate
falling to 0 along a cosine).

Prints the loss as it goes, then per run: test accuracy, time per training
step, and the bytes autograd keeps for the backward of one step.

    PYTHONPATH=python python3 examples/train_revnet.py [--epochs 1]
        [--batch 100] [--blocks 2] [--steps N] [--data DIR]

The data: Debian's dataset-fashion-mnist package
(/usr/share/datasets/fashion-mnist, gzipped IDX files); utils/setup.sh
installs it.
"""
import argparse
import copy
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import revopt.torch  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"


# -- the model: a RevNet written the ordinary PyTorch way ----------------------

class RevBlock(nn.Module):
    """An additive coupling (Gomez et al. 2017): y1 = x1 + F(x2),
    y2 = x2 + G(y1), F and G BatchNorm-ReLU-convolution."""

    def __init__(self, channels):
        super().__init__()
        half = channels // 2
        self.f = nn.Sequential(nn.BatchNorm2d(half), nn.ReLU(),
                               nn.Conv2d(half, half, 3, padding=1))
        self.g = nn.Sequential(nn.BatchNorm2d(half), nn.ReLU(),
                               nn.Conv2d(half, half, 3, padding=1))

    def forward(self, x):
        x1, x2 = torch.chunk(x, 2, dim=1)
        y1 = x1 + self.f(x2)
        y2 = x2 + self.g(y1)
        return torch.cat([y1, y2], dim=1)


class RevNet(nn.Module):
    def __init__(self, blocks=2, width=32, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, padding=1),
                                  nn.BatchNorm2d(width), nn.ReLU())
        self.stage1 = nn.Sequential(*[RevBlock(width) for _ in range(blocks)])
        self.down = nn.Sequential(nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
                                  nn.BatchNorm2d(2 * width), nn.ReLU())
        self.stage2 = nn.Sequential(*[RevBlock(2 * width) for _ in range(blocks)])
        self.head = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = self.stage2(self.down(self.stage1(self.stem(x))))
        return self.head(F.adaptive_avg_pool2d(x, 1).flatten(1))


# -- data ------------------------------------------------------------------------

def read_idx(path):
    """A gzipped IDX file as a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\0\0" or data[2] != 8:
        raise ValueError("%s is not an IDX file of unsigned bytes" % path)
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    array = np.frombuffer(data, np.uint8, offset=4 + 4 * rank)
    if array.size != int(np.prod(dims)):
        raise ValueError("%s is truncated" % path)
    return array.reshape(dims)


def load(directory, split):
    images = read_idx(os.path.join(directory, "%s-images-idx3-ubyte.gz" % split))
    labels = read_idx(os.path.join(directory, "%s-labels-idx1-ubyte.gz" % split))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    # Normalized with the training set's mean and deviation.
    return (x - 0.2860) / 0.3530, torch.from_numpy(labels.astype(np.int64))


# -- training --------------------------------------------------------------------

def saved_bytes(model, x, y):
    """Bytes autograd keeps for one step's backward."""
    _, kept = revopt.torch.saved_bytes(lambda: F.cross_entropy(model(x), y))
    return kept


def progress(name, step, steps, loss, started):
    width = 30
    done = width * step // steps
    elapsed = time.perf_counter() - started
    sys.stdout.write("\r%-10s [%s%s] %4d/%d  loss %.4f  %5.1f s" % (
        name, "#" * done, "." * (width - done), step, steps, loss, elapsed))
    sys.stdout.flush()


def run(name, model, train_set, test_set, order, args):
    x_train, y_train = train_set
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9,
                                weight_decay=5e-4)
    steps = len(order)
    # The learning rate falls to 0 along a cosine: the end of training
    # settles, and the two runs' accuracies compare the methods rather than
    # where two chaotic trajectories happened to stop.
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    losses, times = [], []
    started = time.perf_counter()
    model.train()
    for step, rows in enumerate(order, 1):
        x, y = x_train[rows], y_train[rows]
        t0 = time.perf_counter()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        schedule.step()
        times.append(time.perf_counter() - t0)
        losses.append(float(loss))
        if step % args.print_every == 0 or step == steps:
            progress(name, step, steps, losses[-1], started)
            if args.log and step % args.print_every == 0:
                sys.stdout.write("\n")
    sys.stdout.write("\n")
    kept = saved_bytes(model, x_train[order[0]], y_train[order[0]])
    model.eval()
    correct = 0
    x_test, y_test = test_set
    with torch.no_grad():
        for i in range(0, len(x_test), args.batch):
            correct += int((model(x_test[i:i + args.batch]).argmax(1) ==
                            y_test[i:i + args.batch]).sum())
    return {"losses": losses, "accuracy": 100.0 * correct / len(x_test),
            "step_ms": 1000 * float(np.median(times[1:] if len(times) > 1 else times)),
            "saved": kept}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DATA, help="Fashion-MNIST's directory (%(default)s)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=100,
                    help="batch size (60000 and 10000 are multiples of the default, "
                         "so every batch has the compiled shape)")
    ap.add_argument("--blocks", type=int, default=2, help="reversible blocks per stage")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--steps", type=int, default=0,
                    help="stop after this many steps (0: the whole epochs)")
    ap.add_argument("--test-size", type=int, default=0,
                    help="evaluate on the first N test images (0: all 10000)")
    ap.add_argument("--mode", default="reversible", choices=["reversible", "checkpoint",
                                                             "store"])
    ap.add_argument("--print-every", type=int, default=20)
    ap.add_argument("--log", action="store_true",
                    help="one line per report instead of a progress bar")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="threads for both runs (torch.set_num_threads and the compiled "
                         "code; default: every core)")
    args = ap.parse_args()

    if not os.path.isdir(args.data):
        sys.exit("train_revnet: no Fashion-MNIST in %s (apt-get install "
                 "dataset-fashion-mnist, or --data DIR)" % args.data)
    train_set, test_set = load(args.data, "train"), load(args.data, "t10k")
    if args.test_size:
        test_set = (test_set[0][:args.test_size], test_set[1][:args.test_size])
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = RevNet(blocks=args.blocks)
    generator = torch.Generator().manual_seed(args.seed)
    order = []
    for _ in range(args.epochs):
        permutation = torch.randperm(len(train_set[0]), generator=generator)
        whole = len(permutation) // args.batch * args.batch
        order += list(permutation[:whole].view(-1, args.batch))
    if args.steps:
        order = order[:args.steps]
    print("Fashion-MNIST: %d training steps of batch %d, RevNet with %d blocks per stage "
          "(%d parameters), %d threads" % (
              len(order), args.batch, args.blocks,
              sum(p.numel() for p in model.parameters()), torch.get_num_threads()))

    plain = copy.deepcopy(model)
    t0 = time.perf_counter()
    compiled = revopt.torch.compile(copy.deepcopy(model), train_set[0][:args.batch],
                                    mode=args.mode)
    print("compiled in %.1f s (cached on disk for the next run)" % (time.perf_counter() - t0))
    results = {"PyTorch": run("PyTorch", plain, train_set, test_set, order, args),
               "rev-opt": run("rev-opt", compiled, train_set, test_set, order, args)}

    a, b = results["PyTorch"], results["rev-opt"]
    print()
    print("| | PyTorch autograd | rev-opt %s |" % args.mode)
    print("|---|---:|---:|")
    print("| final training loss | %.4f | %.4f |" % (a["losses"][-1], b["losses"][-1]))
    print("| test accuracy | %.2f%% | %.2f%% |" % (a["accuracy"], b["accuracy"]))
    print("| time per step (median) | %.1f ms | %.1f ms |" % (a["step_ms"], b["step_ms"]))
    print("| bytes autograd keeps per step | %.1f MB | %.1f MB |" % (
        a["saved"] / 1e6, b["saved"] / 1e6))
    drift = max(abs(x - y) / abs(x) for x, y in zip(a["losses"], b["losses"]))
    print("\nlargest relative difference between the two loss curves: %.1e" % drift)
    print("accuracy difference: %.2f points" % abs(a["accuracy"] - b["accuracy"]))


if __name__ == "__main__":
    main()
