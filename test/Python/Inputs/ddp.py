"""revopt.torch.compile under torch.nn.parallel.DistributedDataParallel: two
gloo processes train on halves of each batch (5 SGD-momentum steps), with
the compiled module and with the plain one: the bundled RevNet and a RevNet
with 4 blocks per stage (training-mode BatchNorm: each process normalizes
its half in both) and a RevNet without BatchNorm agree within 1e-3; without
BatchNorm both also equal one process training on the whole batch. Prints
one line per check; exits non-zero when one fails."""
import copy
import os
import sys
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F

from revopt_testing import RevNet, batches, bundled_revnet, max_state_difference
from generate import RevBlock  # (utils/models, on the path revopt_testing sets)
import revopt.torch

STEPS = 5
SHAPE = (8, 3, 16, 16)


def relu_conv(c):
    """F and G without BatchNorm."""
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, 3, padding=1))


class NoBatchNormRevNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.blocks = nn.Sequential(RevBlock(16, relu_conv), RevBlock(16, relu_conv))
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(F.adaptive_avg_pool2d(x, 1).flatten(1))


MODELS = {"bundled": bundled_revnet, "revnet-4": lambda: RevNet(blocks=4),
          "no-batchnorm": NoBatchNormRevNet}


def train(module, data, part, parts):
    """STEPS steps on the part-th of `parts` slices of each batch."""
    optimizer = torch.optim.SGD(module.parameters(), lr=0.05, momentum=0.9)
    for step in range(STEPS):
        x, y = data[step % len(data)]
        n = x.shape[0] // parts
        rows = slice(part * n, (part + 1) * n)
        optimizer.zero_grad()
        F.cross_entropy(module(x[rows]), y[rows]).backward()
        optimizer.step()


def worker(rank, world, init_file, out_dir):
    dist.init_process_group("gloo", init_method="file://" + init_file, rank=rank,
                            world_size=world)
    data = batches(3, SHAPE)
    for name, make in MODELS.items():
        torch.manual_seed(0)
        model = make()
        for kind in ("compiled", "plain"):
            module = copy.deepcopy(model)
            if kind == "compiled":
                half = SHAPE[0] // world
                module = revopt.torch.compile(module, data[0][0][:half])
            train(nn.parallel.DistributedDataParallel(module), data, rank, world)
            if rank == 0:
                torch.save(module.state_dict(), os.path.join(out_dir, name + "." + kind))
    dist.destroy_process_group()


def main():
    failed = []
    with tempfile.TemporaryDirectory() as out_dir:
        mp.spawn(worker, args=(2, os.path.join(out_dir, "rendezvous"), out_dir), nprocs=2)
        for name, make in MODELS.items():
            modules = {}
            for kind in ("compiled", "plain"):
                torch.manual_seed(0)
                modules[kind] = make()
                modules[kind].load_state_dict(torch.load(os.path.join(out_dir, name + "." +
                                                                      kind)))
            diff = max_state_difference(modules["compiled"], modules["plain"])
            ok = diff < 1e-3
            print("ddp %s: compiled vs plain, max relative difference %.1e %s" % (
                name, diff, "ok" if ok else "FAILED"))
            if not ok:
                failed.append(name)
        # Without BatchNorm, two halves averaged are the whole batch.
        torch.manual_seed(0)
        whole = revopt.torch.compile(NoBatchNormRevNet(), batches(1, SHAPE)[0][0])
        train(whole, batches(3, SHAPE), 0, 1)
        diff = max_state_difference(modules["compiled"], whole)
        ok = diff < 1e-3
        print("ddp no-batchnorm: two processes vs one on the whole batch, max relative "
              "difference %.1e %s" % (diff, "ok" if ok else "FAILED"))
        if not ok:
            failed.append("whole batch")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
