"""Writes test/Integration/rev-run/Inputs/drifting-flow: a small flow whose
inverse amplifies rounding (check-drift.test). Sixteen Glow steps on 4
channels of 4x4 images (ActNorm, channel flip, affine coupling with scale
exp(tanh(s))), with ActNorm scales exp(0.6) and couplings whose scales
saturate, so that the activations grow about 2x per step and inverting the
steps multiplies the rounding of the top by as much. Needs /usr/bin/python3
(torch)."""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
import zoo  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test",
                   "Integration", "rev-run", "Inputs")


class Step(nn.Module):
    def __init__(self, c, gen):
        super().__init__()
        self.actnorm = zoo.ActNorm(c, gen)
        with torch.no_grad():
            self.actnorm.logs.fill_(0.6)
        h = c // 2
        self.nn = nn.Sequential(nn.Conv2d(h, 4, 3, padding=1), nn.ReLU(),
                                nn.Conv2d(4, 2 * h, 3, padding=1))
        with torch.no_grad():
            self.nn[2].weight.mul_(4.0)

    def forward(self, x):
        x = self.actnorm(x).flip(1)
        x1, x2 = torch.chunk(x, 2, dim=1)
        s, t = torch.chunk(self.nn(x1), 2, dim=1)
        return torch.cat([x1, x2 * torch.exp(torch.tanh(s)) + t], dim=1)


def main():
    gen = torch.Generator().manual_seed(11)
    torch.manual_seed(11)
    model = nn.Sequential(*[Step(4, gen) for _ in range(16)])
    x = torch.randn(2, 4, 4, 4, generator=gen)
    zoo.export("drifting-flow", model, x, "x", "mse", OUT,
               target=torch.randn(2, 4, 4, 4, generator=gen), refs=False)
    with torch.no_grad():
        print("output max", model(x).abs().max().item())


if __name__ == "__main__":
    main()
