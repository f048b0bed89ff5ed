#!/usr/bin/env python3
"""The model zoo (models/zoo): reversible networks written the ways people
write them, none of them tuned for rev-opt. Debian's PyTorch 1.13.

For each model it writes, in models/zoo/<name>/:
  model.onnx               torch.onnx.export (seeded weights, opset 17)
  inputs/<input>.npy       a batch, and labels.npy (cross-entropy) or
                           target.npy (mse)
  ref/f64/loss.npy, ref/f64/grad.<param>.npy
                           the loss and every parameter's gradient computed
                           by PyTorch in float64 from the float32 weights;
  ref/f64/running_{mean,var}.<buffer>.npy
                           BatchNorm statistics after the step (training
                           mode; PyTorch's unbiased running variance)
  ref/f32/...              the same computed by PyTorch in float32: its
                           distance to ref/f64 is the yardstick for rev's
(test/Integration/zoo/<name>.test states each model's expected tape ratio.)

The models (small enough for CI, each a few seconds to compile and run):
  revnet-evalbn    RevNet, BatchNorm in eval mode (running statistics;
                   exported with TrainingMode.PRESERVE); also -d2 and -d32
                   depth variants without references (peak vs depth)
  revnet-groupnorm RevNet couplings with F, G = GroupNorm, SiLU, conv
  revnet-slicing   couplings written with slicing x[:, :h] and operands in
                   the other order (F(x2) + x1), blocks passing pairs
  irevnet          i-RevNet style: input duplicated (cat([x, x, x, x])),
                   couplings that swap halves, pixel_unshuffle between stages
                   then a fixed channel permutation x[:, perm]
  glow-actnorm     Glow: ActNorm (x * exp(logs) + b), channel flip, affine
                   couplings with scale exp(tanh(s))
  reformer         Reformer-style: x1 = x2 = emb(t), blocks taking and
                   returning pairs, output (x1 + x2) / 2
  revvit           RevViT: patch embedding, reversible attention/MLP blocks
                   with dropout 0.1 in training mode (the references replay
                   rev-opt's masks for inputs/dropout_seed.npy: philox.py)
  irevnet-pad      i-RevNet's injective padding (zero channels appended
                   with F.pad, so the first coupling's x2 is exactly zero),
                   MemCNN-style chunk/cat blocks with subtractive couplings
                   y1 = x1 - F(x2), y2 = x2 - G(y1)
  revnet-mobile    MobileNet-style couplings: BatchNorm, an activation,
                   a depthwise 3x3 and a 1x1 convolution, another activation
                   (ReLU6 and Hardswish, ELU and Softplus, PReLU and SELU)
  mixed            ordinary residual blocks, then a reversible stage

Usage: /usr/bin/python3 utils/models/zoo.py [--out models/zoo] [--only NAME]
"""
import argparse
import copy
import json
import os
import warnings

import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402
import philox  # noqa: E402
from generate import RevBlock, randomize_norms, save  # noqa: E402

warnings.filterwarnings("ignore")


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------

def bn_relu_conv(c):
    return generate.bn_relu_conv(c, c)


class RevNet(nn.Module):
    def __init__(self, blocks, width, make=bn_relu_conv, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1),
                                  nn.BatchNorm2d(width), nn.ReLU())
        self.stage1 = nn.Sequential(*[RevBlock(width, make) for _ in range(blocks)])
        self.down = nn.Sequential(nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
                                  nn.BatchNorm2d(2 * width), nn.ReLU())
        self.stage2 = nn.Sequential(*[RevBlock(2 * width, make) for _ in range(blocks)])
        self.head = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = self.stage2(self.down(self.stage1(self.stem(x))))
        return self.head(F.adaptive_avg_pool2d(x, 1).flatten(1))


def gn_silu_conv(c):
    return nn.Sequential(nn.GroupNorm(2, c), nn.SiLU(), nn.Conv2d(c, c, 3, padding=1))


class SlicingRevNet(nn.Module):
    """Couplings with slicing and F(x2) + x1; the blocks of a stage pass
    the pair along, joined only at the stage's end."""

    def __init__(self, blocks=3, width=16, classes=10):
        super().__init__()
        h = width // 2
        self.h = h
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1),
                                  nn.BatchNorm2d(width), nn.ReLU())
        self.f = nn.ModuleList([bn_relu_conv(h) for _ in range(blocks)])
        self.g = nn.ModuleList([bn_relu_conv(h) for _ in range(blocks)])
        self.head = nn.Linear(width, classes)

    def forward(self, x):
        x = self.stem(x)
        x1, x2 = x[:, :self.h], x[:, self.h:]
        for f, g in zip(self.f, self.g):
            x1 = f(x2) + x1
            x2 = g(x1) + x2
        x = torch.cat([x1, x2], dim=1)
        return self.head(F.adaptive_avg_pool2d(x, 1).flatten(1))


class IRevBlock(nn.Module):
    """i-RevNet's block: (x1, x2) -> (x2, x1 + F(x2)), written with
    slicing; F = conv, BatchNorm, ReLU, conv."""

    def __init__(self, c):
        super().__init__()
        h = c // 2
        self.h = h
        self.f = nn.Sequential(nn.Conv2d(h, h, 3, padding=1), nn.BatchNorm2d(h),
                               nn.ReLU(), nn.Conv2d(h, h, 3, padding=1))

    def forward(self, x):
        x1, x2 = x[:, :self.h], x[:, self.h:]
        return torch.cat([x2, x1 + self.f(x2)], dim=1)


class IRevNet(nn.Module):
    def __init__(self, blocks=6, classes=10):
        super().__init__()
        self.stage1 = nn.Sequential(*[IRevBlock(8) for _ in range(blocks)])
        self.stage2 = nn.Sequential(*[IRevBlock(32) for _ in range(blocks)])
        g = torch.Generator().manual_seed(7)
        self.register_buffer("perm", torch.randperm(32, generator=g))
        self.head = nn.Linear(32, classes)

    def forward(self, x):
        x = self.stage1(torch.cat([x, x, x, x], dim=1))
        x = F.pixel_unshuffle(x, 2)[:, self.perm]
        x = self.stage2(x)
        return self.head(x.mean(dim=(2, 3)))


def mobile(act1, act2):
    """BatchNorm, act1, depthwise 3x3, 1x1, act2 (MobileNet's inverted
    residual without the expansion)."""
    def make(c):
        return nn.Sequential(nn.BatchNorm2d(c), act1(c),
                             nn.Conv2d(c, c, 3, padding=1, groups=c),
                             nn.Conv2d(c, c, 1), act2(c))
    return make


class MobileRevNet(nn.Module):
    ACTIVATIONS = [(lambda c: nn.ReLU6(), lambda c: nn.Hardswish()),
                   (lambda c: nn.ELU(), lambda c: nn.Softplus()),
                   (lambda c: nn.PReLU(c), lambda c: nn.SELU())]

    def __init__(self, width=16, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.BatchNorm2d(width),
                                  nn.ReLU6())
        self.blocks = nn.Sequential(*[RevBlock(width, mobile(a, b))
                                      for a, b in self.ACTIVATIONS])
        self.head = nn.Linear(width, classes)

    def forward(self, x):
        return self.head(F.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1).flatten(1))


class SubtractiveBlock(nn.Module):
    """MemCNN's AdditiveCoupling written with subtractions."""

    def __init__(self, c):
        super().__init__()
        self.Fm = bn_relu_conv(c // 2)
        self.Gm = bn_relu_conv(c // 2)

    def forward(self, x):
        x1, x2 = torch.chunk(x, 2, dim=1)
        y1 = x1 - self.Fm(x2)
        y2 = x2 - self.Gm(y1)
        return torch.cat([y1, y2], dim=1)


class PaddedIRevNet(nn.Module):
    """Injective padding 3 -> 8 channels (x2 of the first block is all zeros:
    its BatchNorm sees a constant channel), then subtractive couplings."""

    def __init__(self, blocks=4, classes=10):
        super().__init__()
        self.blocks = nn.Sequential(*[SubtractiveBlock(8) for _ in range(blocks)])
        self.head = nn.Linear(8, classes)

    def forward(self, x):
        x = self.blocks(F.pad(x, (0, 0, 0, 0, 0, 5)))
        return self.head(x.mean(dim=(2, 3)))


class ActNorm(nn.Module):
    def __init__(self, c, gen):
        super().__init__()
        self.logs = nn.Parameter(0.1 * torch.randn(1, c, 1, 1, generator=gen))
        self.b = nn.Parameter(0.1 * torch.randn(1, c, 1, 1, generator=gen))

    def forward(self, x):
        return x * torch.exp(self.logs) + self.b


class Inv1x1(nn.Module):
    """Glow's invertible 1x1 convolution: a learned channel matrix W,
    initialized as a random rotation (Kingma & Dhariwal 2018)."""

    def __init__(self, c, gen):
        super().__init__()
        self.weight = nn.Parameter(torch.linalg.qr(torch.randn(c, c, generator=gen))[0])

    def forward(self, x):
        return F.conv2d(x, self.weight.view(*self.weight.shape, 1, 1))


class GlowStep(nn.Module):
    """ActNorm, a channel mix (mix="flip": a channel flip; "1x1": Glow's
    invertible 1x1 convolution), affine coupling with scale exp(tanh(s))."""

    def __init__(self, c, hidden, gen, mix="flip"):
        super().__init__()
        self.actnorm = ActNorm(c, gen)
        if mix == "1x1":
            self.inv = Inv1x1(c, gen)
        h = c // 2
        self.nn = nn.Sequential(nn.Conv2d(h, hidden, 3, padding=1), nn.ReLU(),
                                nn.Conv2d(hidden, 2 * h, 3, padding=1))

    def forward(self, x):
        x = self.actnorm(x)
        x = self.inv(x) if hasattr(self, "inv") else x.flip(1)
        x1, x2 = torch.chunk(x, 2, dim=1)
        s, t = torch.chunk(self.nn(x1), 2, dim=1)
        return torch.cat([x1, x2 * torch.exp(torch.tanh(s)) + t], dim=1)


class GlowActNorm(nn.Module):
    def __init__(self, steps=3, gen=None, mix="flip"):
        super().__init__()
        self.steps = nn.Sequential(*[GlowStep(16, 16, gen, mix) for _ in range(steps)])

    def forward(self, x):
        return self.steps(F.pixel_unshuffle(x, 2))


class Attention(nn.Module):
    def __init__(self, dim, heads, dropout=0.0):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(x).reshape(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-2, -1) / (d // h) ** 0.5, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        return self.drop(self.out(y))


def mlp(dim, hidden, dropout=0.0):
    return nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim),
                         nn.Dropout(dropout))


class PairBlock(nn.Module):
    """Takes and returns the pair (x1, x2): Reformer/RevViT."""

    def __init__(self, dim, heads, hidden, dropout=0.0):
        super().__init__()
        self.f = nn.Sequential(nn.LayerNorm(dim), Attention(dim, heads, dropout))
        self.g = nn.Sequential(nn.LayerNorm(dim), mlp(dim, hidden, dropout))

    def forward(self, x1, x2):
        y1 = x1 + self.f(x2)
        y2 = x2 + self.g(y1)
        return y1, y2


class Reformer(nn.Module):
    def __init__(self, vocab=32, dim=16, blocks=3, classes=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList([PairBlock(dim, 2, 32) for _ in range(blocks)])
        self.head = nn.Linear(dim, classes)

    def forward(self, tokens):
        x1 = x2 = self.emb(tokens)
        for blk in self.blocks:
            x1, x2 = blk(x1, x2)
        return self.head(((x1 + x2) / 2).mean(dim=1))


class RevViT(nn.Module):
    """4x4 patches (`tokens` of them: 16 for a 16x16 image), both streams
    start from the patch embedding, reversible attention/MLP pairs."""

    def __init__(self, dim=16, blocks=3, classes=10, dropout=0.1, heads=2, hidden=32,
                 tokens=16):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, 4, stride=4)
        self.pos = nn.Parameter(0.02 * torch.randn(1, tokens, dim))
        self.blocks = nn.ModuleList([PairBlock(dim, heads, hidden, dropout)
                                     for _ in range(blocks)])
        self.norm = nn.LayerNorm(2 * dim)
        self.head = nn.Linear(2 * dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2) + self.pos
        x1 = x2 = x
        for blk in self.blocks:
            x1, x2 = blk(x1, x2)
        x = self.norm(torch.cat([x1, x2], dim=-1))
        return self.head(x.mean(dim=1))


class BasicBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c),
                                  nn.ReLU(), nn.Conv2d(c, c, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(c))

    def forward(self, x):
        return F.relu(x + self.body(x))


class Mixed(nn.Module):
    """Two ordinary residual blocks, a strided transition, a reversible
    stage of three couplings."""

    def __init__(self, width=8, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1),
                                  nn.BatchNorm2d(width), nn.ReLU())
        self.res = nn.Sequential(BasicBlock(width), BasicBlock(width))
        self.down = nn.Sequential(nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
                                  nn.BatchNorm2d(2 * width), nn.ReLU())
        self.rev = nn.Sequential(*[RevBlock(2 * width, bn_relu_conv) for _ in range(3)])
        self.head = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = self.rev(self.down(self.res(self.stem(x))))
        return self.head(F.adaptive_avg_pool2d(x, 1).flatten(1))


# ---------------------------------------------------------------------------
# Export and references
# ---------------------------------------------------------------------------

def loss_of(out, loss, labels, target):
    if loss == "cross-entropy":
        return F.cross_entropy(out, labels)
    return F.mse_loss(out, target.to(out.dtype))


def replay_dropout(model, seed):
    """Makes every nn.Dropout of `model` draw rev.dropout's masks
    (philox.py) instead of PyTorch's: the k-th dropout call of a forward
    gets stream k, as rev-opt numbers the Dropout nodes of the exported file
    (the trace writes them in call order). Returns the list whose length
    counts the calls."""
    calls = []
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            # The ratio as the ONNX file holds it (float32).
            p = float(np.float32(m.p))

            def forward(x, p=p):
                keep = philox.keep_mask(seed, len(calls), tuple(x.shape), p)
                calls.append(p)
                return x * torch.from_numpy(keep).to(x.dtype) * (1.0 / (1.0 - p))
            m.forward = forward
    return calls


def references(model, example, loss, labels, target, dtype, train, dropout_seed=None,
               dropouts=0):
    ref = copy.deepcopy(model).to(dtype)
    ref.train(train)
    if dropout_seed is not None:
        calls = replay_dropout(ref, dropout_seed)
    x = example if example.dtype == torch.int64 else example.to(dtype)
    value = loss_of(ref(x), loss, labels, target)
    if dropout_seed is not None and len(calls) != dropouts:
        raise SystemExit("%d dropout calls, but the ONNX file has %d Dropout nodes" % (
            len(calls), dropouts))
    value.backward()
    grads = {n: p.grad.detach().to(torch.float64).numpy()
             for n, p in ref.named_parameters()}
    # The BatchNorm statistics the step updated (training mode), named as
    # the training step returns them: running_mean.<buffer>.
    running = {}
    if train:
        for n, b in ref.named_buffers():
            for stat in ("running_mean", "running_var"):
                if n.endswith("." + stat):
                    running[stat + "." + n] = b.detach().to(torch.float64).numpy()
    return float(value), grads, running


def export(name, model, example, input_name, loss, out_dir, labels=None,
           target=None, train=True, refs=True, dropout_seed=None):
    d = os.path.join(out_dir, name)
    onnx_bytes = generate.write_model(d, model, example, input_name, "out", 17,
                                      train=train, labels=labels, target=target)
    dropouts = 0
    if dropout_seed is not None:
        save(os.path.join(d, "inputs", "dropout_seed.npy"), np.int64(dropout_seed))
        import onnx
        dropouts = sum(n.op_type == "Dropout"
                       for n in onnx.load_from_string(onnx_bytes).graph.node)
    info = {"loss": loss, "params": sum(p.numel() for p in model.parameters()),
            "onnx_bytes": len(onnx_bytes)}
    if refs:
        for tag, dtype in (("f64", torch.float64), ("f32", torch.float32)):
            value, grads, running = references(model, example, loss, labels, target,
                                               dtype, train, dropout_seed, dropouts)
            rd = os.path.join(d, "ref", tag)
            save(os.path.join(rd, "loss.npy"), np.float64(value).astype(
                np.float64 if tag == "f64" else np.float32))
            for pname, g in list(grads.items()) + list(running.items()):
                save(os.path.join(rd, (pname if pname.startswith("running_") else
                                       "grad." + pname) + ".npy"),
                     g if tag == "f64" else g.astype(np.float32))
    print("%-18s %6d params, %7d bytes of ONNX" % (name, info["params"], info["onnx_bytes"]))
    return info


CLASSIFIERS = {
    "revnet-groupnorm": lambda: RevNet(3, 8, make=gn_silu_conv),
    "revnet-slicing": lambda: SlicingRevNet(),
    "irevnet-pad": lambda: PaddedIRevNet(),
    "revnet-mobile": lambda: MobileRevNet(),
    "mixed": lambda: Mixed(),
}


def build(name, out_dir):
    gen = torch.Generator().manual_seed(1234)
    torch.manual_seed(1234)
    img = lambda b, c=3, s=16: torch.randn(b, c, s, s, generator=gen)
    cls = lambda b, n=10: torch.randint(0, n, (b,), generator=gen)
    if name.startswith("revnet-evalbn"):
        blocks = int(name.split("-d")[1]) if "-d" in name else 3
        model = RevNet(blocks, 8)
        randomize_norms(model, gen)
        refs = "-d" not in name
        x = img(4) if refs else img(16, 3, 32)
        return export(name, model, x, "x", "cross-entropy", out_dir,
                      labels=cls(x.shape[0]), train=False, refs=refs)
    if name == "irevnet":
        model = IRevNet()
        randomize_norms(model, gen)
        return export(name, model, img(4, 2), "x", "cross-entropy", out_dir, labels=cls(4))
    if name == "glow-actnorm":
        model = GlowActNorm(gen=gen)
        x = img(2, 4, 8)
        return export(name, model, x, "x", "mse", out_dir,
                      target=torch.randn(2, 16, 4, 4, generator=gen))
    if name == "glow-1x1":
        model = GlowActNorm(gen=gen, mix="1x1")
        x = img(2, 4, 8)
        return export(name, model, x, "x", "mse", out_dir,
                      target=torch.randn(2, 16, 4, 4, generator=gen))
    if name == "reformer":
        model = Reformer()
        randomize_norms(model, gen)
        t = torch.randint(0, 32, (2, 8), generator=gen)
        return export(name, model, t, "tokens", "cross-entropy", out_dir, labels=cls(2, 4))
    if name == "revvit":
        # Dropout 0.1 in training mode: the references replay rev-opt's
        # masks (replay_dropout) for the seed in inputs/dropout_seed.npy.
        model = RevViT()
        randomize_norms(model, gen)
        x, labels = img(2), cls(2)
        return export(name, model, x, "x", "cross-entropy", out_dir, labels=labels,
                      dropout_seed=20261129)
    if name in CLASSIFIERS:
        # (4 images of 16x16, cross-entropy: the zoo's plain classifiers)
        model = CLASSIFIERS[name]()
        randomize_norms(model, gen)
        return export(name, model, img(4), "x", "cross-entropy", out_dir, labels=cls(4))
    raise SystemExit("unknown model " + name)


MODELS = ["revnet-evalbn", "revnet-evalbn-d2", "revnet-evalbn-d32", "revnet-groupnorm",
          "revnet-slicing", "irevnet", "irevnet-pad", "revnet-mobile", "glow-actnorm", "glow-1x1", "reformer", "revvit", "mixed"]

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                  "models", "zoo"))
    ap.add_argument("--only", action="append")
    args = ap.parse_args()
    for name in args.only or MODELS:
        build(name, args.out)
