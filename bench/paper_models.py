#!/usr/bin/env python3
"""The RevNet paper's CIFAR networks (Gomez et al. 2017, Table 1), exported
to ONNX the ordinary way, for benchmarks at the paper's sizes.

  RevNet-38   3-3-3 units, 32-64-112 channels, basic F/G (two 3x3 convs)
  RevNet-110  9-9-9 units, 32-64-128 channels, basic F/G
  RevNet-164  9-9-9 units, 32-64-128 channels, bottleneck F/G
              (1x1, 3x3, 1x1 convs with a 4x expansion)

A unit is an additive coupling y1 = x1 + F(x2), y2 = x2 + G(y1) written with
torch.chunk and torch.cat; F and G are pre-activation residual functions
(BatchNorm, ReLU, conv); stages are joined by a strided convolution (not
invertible), the head is global average pooling and a linear classifier.
Depth = units x convs per F and G x 2 + 2 (38 = 9 x 4 + 2, 110 = 27 x 4 + 2,
164 = 27 x 6 + 2). BatchNorm in training mode; CIFAR-sized inputs.

  revvit      a small RevViT: 4x4 patches (64 tokens), width 96, 6 reversible
              attention (3 heads) / MLP (x4) pairs

Usage: /usr/bin/python3 bench/paper_models.py OUT_DIR [--batch 32]
           [--only revnet38 ...]
Writes OUT_DIR/<name>/model.onnx and inputs/{x,labels}.npy.
"""
import argparse
import io
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "utils", "models"))
from generate import RevBlock  # noqa: E402  (the unit: y1 = x1 + F(x2), ...)
from zoo import RevViT  # noqa: E402  (pairs y1 = x1 + Attention(x2), y2 = x2 + MLP(y1))

warnings.filterwarnings("ignore")


def basic(c):
    return nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1),
                         nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1))


def bottleneck(c):
    inner = max(c // 4, 1)
    return nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, inner, 1),
                         nn.BatchNorm2d(inner), nn.ReLU(), nn.Conv2d(inner, inner, 3, padding=1),
                         nn.BatchNorm2d(inner), nn.ReLU(), nn.Conv2d(inner, c, 1))


class PaperRevNet(nn.Module):
    def __init__(self, units, channels, residual, expansion=1, classes=10):
        super().__init__()
        widths = [c * expansion for c in channels]
        layers = [nn.Conv2d(3, widths[0], 3, padding=1), nn.BatchNorm2d(widths[0]), nn.ReLU()]
        for s, (n, w) in enumerate(zip(units, widths)):
            if s > 0:
                layers += [nn.Conv2d(widths[s - 1], w, 3, stride=2, padding=1),
                           nn.BatchNorm2d(w), nn.ReLU()]
            layers += [RevBlock(w, residual) for _ in range(n)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(widths[-1], classes)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.body(x), 1).flatten(1)
        return self.head(x)


MODELS = {
    "revnet38": lambda: PaperRevNet([3, 3, 3], [32, 64, 112], basic),
    "revnet110": lambda: PaperRevNet([9, 9, 9], [32, 64, 128], basic),
    "revnet164": lambda: PaperRevNet([9, 9, 9], [32, 64, 128], bottleneck, expansion=4),
    # A small RevViT (Mangalam et al. 2022) for CIFAR: 4x4 patches of a 32x32
    # image (64 tokens), width 96, 6 pairs, 3 heads, MLP x4, no dropout.
    "revvit": lambda: RevViT(dim=96, blocks=6, classes=10, dropout=0.0, heads=3,
                             hidden=384, tokens=64),
}


def export(name, out_dir, batch):
    gen = torch.Generator().manual_seed(38)
    torch.manual_seed(38)
    model = MODELS[name]()
    with torch.no_grad():  # distinct BatchNorm parameters (see TOOLCHAIN.md)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.uniform_(-0.2, 0.2, generator=gen)
    model.train()
    x = torch.randn(batch, 3, 32, 32, generator=gen)
    labels = torch.randint(0, 10, (batch,), generator=gen)
    d = os.path.join(out_dir, name)
    os.makedirs(os.path.join(d, "inputs"), exist_ok=True)
    buf = io.BytesIO()
    torch.onnx.export(model, x, buf, opset_version=17,
                      training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False,
                      input_names=["x"], output_names=["logits"])
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(buf.getvalue())
    np.save(os.path.join(d, "inputs", "x.npy"), x.numpy())
    np.save(os.path.join(d, "inputs", "labels.npy"), labels.numpy())
    return model


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--only", action="append", choices=sorted(MODELS))
    args = ap.parse_args()
    for name in args.only or sorted(MODELS):
        model = export(name, args.out, args.batch)
        print("%-10s %8d parameters" % (name, sum(p.numel() for p in model.parameters())))
