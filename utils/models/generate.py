#!/usr/bin/env python3
"""Generates the bundled models under models/ with Debian's PyTorch 1.13.

For each model it writes, in models/<name>/:
  model.onnx                    torch.onnx.export of the model (seeded weights)
  inputs/<input>.npy            a batch of inputs, and the loss input
                                (labels.npy for cross-entropy, target.npy for mse)
  ref/forward/<output>.npy      the model's outputs on that batch
  ref/<loss>/loss.npy           the loss, with PyTorch's mean reduction
  ref/<loss>/grad.<param>.npy   d loss / d param for every trainable parameter
  ref/<loss>/running_*.npy      BatchNorm's running statistics after the step

The references are computed in float64 from the float32 weights (so that
they are the exact answer the float32 computation approximates) and stored
as float32. Everything is deterministic (fixed seeds).

Usage: /usr/bin/python3 utils/models/generate.py [--out models] [--only NAME]
       /usr/bin/python3 utils/models/generate.py --out models/depth \
           --only revnet-d2 --only revnet-d8 --only revnet-d32
"""
import argparse
import copy
import io
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")


# ---------------------------------------------------------------------------
# Models, written the ordinary PyTorch way (nobody rewrote them to be
# reversible: rev-form-couplings has to find the structure).
# ---------------------------------------------------------------------------

def bn_relu_conv(c_in, c_out):
    return nn.Sequential(nn.BatchNorm2d(c_in), nn.ReLU(),
                         nn.Conv2d(c_in, c_out, 3, padding=1))


class RevBlock(nn.Module):
    """RevNet's additive coupling, written with torch.chunk and torch.cat;
    F and G made by `make(half)` (BatchNorm, ReLU, conv by default)."""

    def __init__(self, channels, make=None):
        super().__init__()
        half = channels // 2
        make = make or (lambda c: bn_relu_conv(c, c))
        self.f = make(half)
        self.g = make(half)

    def forward(self, x):
        x1, x2 = torch.chunk(x, 2, dim=1)
        y1 = x1 + self.f(x2)
        y2 = x2 + self.g(y1)
        return torch.cat([y1, y2], dim=1)


class RevNet(nn.Module):
    """Two reversible stages joined by a strided (non-invertible) transition."""

    def __init__(self, blocks=2, width=16, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1),
                                  nn.BatchNorm2d(width), nn.ReLU())
        self.stage1 = nn.Sequential(*[RevBlock(width) for _ in range(blocks)])
        self.down = nn.Sequential(nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
                                  nn.BatchNorm2d(2 * width), nn.ReLU())
        self.stage2 = nn.Sequential(*[RevBlock(2 * width) for _ in range(blocks)])
        self.head = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = self.stage2(self.down(self.stage1(self.stem(x))))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.head(x)


class AffineCoupling(nn.Module):
    """Glow/RealNVP affine coupling: y2 = x2 * sigmoid(s(x1) + 2) + t(x1)."""

    def __init__(self, channels, hidden):
        super().__init__()
        half = channels // 2
        self.nn = nn.Sequential(nn.Conv2d(half, hidden, 3, padding=1), nn.ReLU(),
                                nn.Conv2d(hidden, 2 * half, 3, padding=1))

    def forward(self, x):
        x1, x2 = torch.chunk(x, 2, dim=1)
        s_raw, t = torch.chunk(self.nn(x1), 2, dim=1)
        s = torch.sigmoid(s_raw + 2.0)
        y2 = x2 * s + t
        # Swap the halves so that the next coupling transforms the other one.
        return torch.cat([y2, x1], dim=1)


class GlowFlow(nn.Module):
    """A Glow-style flow: squeeze (pixel_unshuffle), then affine couplings."""

    def __init__(self, channels=4, steps=2, hidden=16):
        super().__init__()
        self.couplings = nn.Sequential(
            *[AffineCoupling(4 * channels, hidden) for _ in range(steps)])

    def forward(self, x):
        return self.couplings(F.pixel_unshuffle(x, 2))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads

        def split(y):
            return y.reshape(b, t, h, d // h).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = torch.softmax(q @ k.transpose(-2, -1) / (d // h) ** 0.5, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        return self.out(y)


class RevTransformerBlock(nn.Module):
    """Reversible transformer block (Reformer): F = attention, G = MLP."""

    def __init__(self, dim, heads, hidden):
        super().__init__()
        half = dim // 2
        self.f = nn.Sequential(nn.LayerNorm(half), Attention(half, heads))
        self.g = nn.Sequential(nn.LayerNorm(half), nn.Linear(half, hidden),
                               nn.GELU(), nn.Linear(hidden, half))

    def forward(self, x):
        x1, x2 = torch.chunk(x, 2, dim=-1)
        y1 = x1 + self.f(x2)
        y2 = x2 + self.g(y1)
        return torch.cat([y1, y2], dim=-1)


class RevTransformer(nn.Module):
    def __init__(self, dim=32, heads=2, hidden=32, blocks=2, classes=4):
        super().__init__()
        self.blocks = nn.Sequential(
            *[RevTransformerBlock(dim, heads, hidden) for _ in range(blocks)])
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        return self.head(self.blocks(x).mean(dim=1))


class BasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.short = None
        if stride != 1 or c_in != c_out:
            self.short = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                       nn.BatchNorm2d(c_out))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class ResNet(nn.Module):
    """A plain (non-reversible) ResNet: nothing for rev-form-couplings."""

    def __init__(self, width=16, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(width), nn.ReLU(),
                                  nn.MaxPool2d(3, stride=2, padding=1))
        self.layer1 = BasicBlock(width, width, 1)
        self.layer2 = BasicBlock(width, 2 * width, 2)
        self.fc = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# ---------------------------------------------------------------------------
# Export and references
# ---------------------------------------------------------------------------

def randomize_norms(model, gen):
    """Fresh BatchNorm/LayerNorm parameters are all ones and zeros; make them
    random so that the test sees their gradients distinctly (and so that the
    exporter does not merge equal initializers)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)):
                m.weight.copy_(1.0 + 0.1 * torch.randn(m.weight.shape, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=gen))
                m.running_var.copy_(1.0 + 0.1 * torch.rand(m.running_var.shape, generator=gen))


def save(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    array = np.asarray(array)
    # (ascontiguousarray would turn a 0-d loss into shape (1,))
    np.save(path, array if array.ndim == 0 else np.ascontiguousarray(array))


def write_model(d, model, example, input_name, output_name, opset, train=True,
                labels=None, target=None):
    """Writes d/model.onnx (training mode, or the model's mode as it is with
    train=False) and d/inputs/*.npy; returns the ONNX bytes."""
    os.makedirs(d, exist_ok=True)
    model.train(train)
    buf = io.BytesIO()
    torch.onnx.export(model, example, buf, opset_version=opset,
                      training=(torch.onnx.TrainingMode.TRAINING if train
                                else torch.onnx.TrainingMode.PRESERVE),
                      do_constant_folding=False,
                      input_names=[input_name], output_names=[output_name])
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(buf.getvalue())
    save(os.path.join(d, "inputs", input_name + ".npy"), example.numpy())
    if labels is not None:
        save(os.path.join(d, "inputs", "labels.npy"), labels.numpy())
    if target is not None:
        save(os.path.join(d, "inputs", "target.npy"), target.numpy())
    return buf.getvalue()


def export(name, model, example, input_name, output_name, loss, out_dir,
           opset, labels=None, target=None, refs=True):
    d = os.path.join(out_dir, name)
    onnx_bytes = write_model(d, model, example, input_name, output_name, opset,
                             labels=labels, target=target)
    if not refs:
        print("%-16s %6d params, %7d bytes of ONNX" % (
            name, sum(p.numel() for p in model.parameters()), len(onnx_bytes)))
        return

    # References in float64, from a copy of the float32 model.
    ref = copy.deepcopy(model).double()
    ref.train()
    # BatchNorm's running statistics as ONNX defines the update (the biased
    # batch variance; PyTorch's own buffers use the unbiased one).
    running = {}

    def capture(name, bn):
        def hook(module, inputs):
            x_in = inputs[0].detach()
            axes = [0] + list(range(2, x_in.dim()))
            mean = x_in.mean(dim=axes)
            var = x_in.var(dim=axes, unbiased=False)
            m = bn.momentum
            running["running_mean." + name + ".running_mean"] = (1 - m) * bn.running_mean + m * mean
            running["running_var." + name + ".running_var"] = (1 - m) * bn.running_var + m * var
        return hook
    for mod_name, mod in ref.named_modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.register_forward_pre_hook(capture(mod_name, mod))
    x = example.double()
    out = ref(x)
    save(os.path.join(d, "ref", "forward", output_name + ".npy"),
         out.detach().float().numpy())
    if loss == "cross-entropy":
        value = F.cross_entropy(out, labels)
    else:
        value = F.mse_loss(out, target.double())
    value.backward()
    rd = os.path.join(d, "ref", loss)
    save(os.path.join(rd, "loss.npy"), value.detach().float().numpy())
    for pname, p in ref.named_parameters():
        save(os.path.join(rd, "grad." + pname + ".npy"), p.grad.float().numpy())
    for rname, value in running.items():
        save(os.path.join(rd, rname + ".npy"), value.float().numpy())
    print("%-16s %6d params, %7d bytes of ONNX" % (
        name, sum(p.numel() for p in model.parameters()), len(onnx_bytes)))


def build(name, out_dir):
    gen = torch.Generator().manual_seed(1234)
    torch.manual_seed(1234)
    if name == "revnet":
        model = RevNet(blocks=2)
        randomize_norms(model, gen)
        x = torch.randn(4, 3, 16, 16, generator=gen)
        labels = torch.randint(0, 10, (4,), generator=gen)
        export(name, model, x, "x", "logits", "cross-entropy", out_dir, 17,
               labels=labels)
    elif name.startswith("revnet-d"):
        # The depth sweep (models/depth): N blocks per stage, narrow and with
        # larger activations (16 images of 32x32), the regime RevNets are
        # for: activations, not parameters, dominate memory. Gradients are
        # compared with store mode, so no references are written.
        blocks = int(name[len("revnet-d"):])
        model = RevNet(blocks=blocks, width=8)
        randomize_norms(model, gen)
        x = torch.randn(16, 3, 32, 32, generator=gen)
        labels = torch.randint(0, 10, (16,), generator=gen)
        export(name, model, x, "x", "logits", "cross-entropy", out_dir, 17,
               labels=labels, refs=False)
    elif name == "glow":
        model = GlowFlow()
        x = torch.randn(2, 4, 8, 8, generator=gen)
        target = torch.randn(2, 16, 4, 4, generator=gen)
        export(name, model, x, "x", "z", "mse", out_dir, 17, target=target)
    elif name == "revtransformer":
        model = RevTransformer()
        randomize_norms(model, gen)
        x = torch.randn(2, 8, 32, generator=gen)
        labels = torch.randint(0, 4, (2,), generator=gen)
        export(name, model, x, "x", "logits", "cross-entropy", out_dir, 17,
               labels=labels)
    elif name == "resnet":
        model = ResNet()
        randomize_norms(model, gen)
        x = torch.randn(4, 3, 16, 16, generator=gen)
        labels = torch.randint(0, 10, (4,), generator=gen)
        export(name, model, x, "x", "logits", "cross-entropy", out_dir, 13,
               labels=labels)
    else:
        raise SystemExit("unknown model " + name)


MODELS = ["revnet", "glow", "revtransformer", "resnet"]

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "models"))
    ap.add_argument("--only", action="append")
    args = ap.parse_args()
    for name in args.only or MODELS:
        build(name, args.out)
