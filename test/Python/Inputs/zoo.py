"""revopt.torch.compile on the reversible networks of models/zoo, written
the usual ways (utils/models/zoo.py: GroupNorm, couplings by slicing,
i-RevNet, Glow with ActNorm, a Reformer taking int64 tokens, RevViT, a mix
with a plain residual block, eval-mode BatchNorm, injective padding with
subtractive couplings, MobileNet-style activations, one block applied three
times; Glow with invertible 1x1 convolutions, with invert_matrices; the mix
with recompute_segments), in reversible mode: 3
SGD-momentum steps of a squared-output loss against plain PyTorch (losses
within 1e-4, parameters and buffers within 1e-4 as vectors, each tensor
relative to its norm) and the bytes autograd saves (below plain PyTorch's).
Prints one line per model; exits non-zero when one fails.

(The norms are randomized, as utils/models/zoo.py does: with fresh eval-mode
BatchNorms, which are identities, a ReLU's exact zeros feed the first block
of a stage, and its reconstructed input is within rounding of zero on either
side, so the ReLU masks and the gradient of that BatchNorm's bias differ;
see docs/pytorch.md.)"""
import copy
import os
import sys
import warnings

import torch
import torch.nn as nn

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "..", "utils", "models"))
import zoo  # noqa: E402
import revopt.torch  # noqa: E402

class Tied(nn.Module):
    """One RevNet block applied three times (shared weights): its BatchNorms'
    running statistics are updated three times per step, in turn."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.block = zoo.RevBlock(8)
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        x = self.stem(x)
        for _ in range(3):
            x = self.block(x)
        return self.head(x.mean(dim=(2, 3)))


CASES = {
    "groupnorm": (lambda: zoo.RevNet(3, 8, make=zoo.gn_silu_conv), (4, 3, 16, 16)),
    "slicing": (zoo.SlicingRevNet, (4, 3, 16, 16)),
    "irevnet": (zoo.IRevNet, (4, 2, 16, 16)),
    "glow-actnorm": (lambda: zoo.GlowActNorm(gen=torch.Generator().manual_seed(1)),
                     (2, 4, 8, 8)),
    "reformer": (zoo.Reformer, None),
    "revvit": (zoo.RevViT, (2, 3, 16, 16)),
    "mixed": (zoo.Mixed, (4, 3, 16, 16)),
    "evalbn": (lambda: zoo.RevNet(3, 8), (4, 3, 16, 16)),
    "irevnet-pad": (zoo.PaddedIRevNet, (4, 3, 16, 16)),
    "mobile": (zoo.MobileRevNet, (4, 3, 16, 16)),
    "tied": (Tied, (4, 3, 16, 16)),
    # (compile options: Glow's invertible 1x1 convolutions inverted, the
    # mixed model's residual blocks recomputed)
    "glow-1x1": (lambda: zoo.GlowActNorm(gen=torch.Generator().manual_seed(1), mix="1x1"),
                 (2, 4, 8, 8),
                 {"invert_matrices": True}),
    "mixed-segments": (zoo.Mixed, (4, 3, 16, 16), {"recompute_segments": True}),
}


def loss_of(out):
    return out.float().square().mean()


failed = []
for name, (make, shape, *options) in CASES.items():
    torch.manual_seed(0)
    model = make()
    zoo.randomize_norms(model, torch.Generator().manual_seed(5))
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    if name == "evalbn":
        model.eval()
    x = (torch.randint(0, 32, (2, 8)) if shape is None else torch.randn(shape))
    compiled = revopt.torch.compile(copy.deepcopy(model), x, **(options[0] if options else {}))
    plain = copy.deepcopy(model)
    losses = []
    for m in (compiled, plain):
        optimizer = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
        for step in range(3):
            optimizer.zero_grad()
            loss = loss_of(m(x))
            loss.backward()
            optimizer.step()
        losses.append(float(loss))
    a, b = compiled.state_dict(), plain.state_dict()
    state = max(float((a[k].double() - b[k].double()).norm()) /
                max(float(b[k].double().norm()), 1e-12)
                for k in b if b[k].is_floating_point())
    kept = [revopt.torch.saved_bytes(lambda: loss_of(m(x)))[1] for m in (compiled, plain)]
    ok = abs(losses[0] - losses[1]) <= 1e-4 * abs(losses[1]) and state < 1e-4 and \
        kept[0] < kept[1]
    print("%s: loss %.6f vs %.6f, state %.1e, saved %.2f of plain %s" % (
        name, losses[0], losses[1], state, kept[0] / kept[1], "ok" if ok else "FAILED"))
    if not ok:
        failed.append(name)
sys.exit(1 if failed else 0)
