"""revopt.torch.compile on a module with dropout in training mode: each call
draws a seed from PyTorch's default generator; the compiled forward and
backward use rev-opt's masks (utils/models/philox.py), which a float64
PyTorch copy replays (utils/models/zoo.py's replay_dropout) for the same
seed: outputs and gradients must agree, for an MLP (store and reversible
modes) and for the zoo's RevViT (dropout inside the couplings, reversible
mode: the masks regenerated in recomputed and inverted blocks). Two calls
draw different masks; eval() drops nothing. Prints one line per check;
exits non-zero on a failure."""
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

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.GELU(), nn.Dropout(0.5), nn.Linear(32, 32),
                      nn.Tanh(), nn.Dropout(0.2), nn.Linear(32, 4))
x = torch.randn(6, 8)
failed = []


def check(name, ok, detail):
    print("%s: %s %s" % (name, detail, "ok" if ok else "FAILED"))
    if not ok:
        failed.append(name)


# The zoo's RevViT (dropout 0.2 inside the couplings' F and G): the
# reversible step regenerates the masks in recomputed and inverted blocks.
vit = zoo.RevViT(blocks=2, dropout=0.2)
vit_x = torch.randn(2, 3, 16, 16)


def replayed(name, model, x, mode):
    compiled = revopt.torch.compile(copy.deepcopy(model), x, mode=mode)
    compiled.train()
    compiled(x)  # (compiles: the export runs the module, drawing numbers)
    torch.manual_seed(42)
    out = compiled(x)
    out.square().sum().backward()
    torch.manual_seed(42)
    seed = int(torch.randint(-2**63, 2**63 - 1, (), dtype=torch.int64))
    ref = copy.deepcopy(model).double().train()
    calls = zoo.replay_dropout(ref, seed)
    ref_out = ref(x.double())
    ref_out.square().sum().backward()
    err = float((out.double() - ref_out).abs().max() / ref_out.abs().max())
    grads = max(float((p.grad.double() - q.grad).abs().max() / q.grad.abs().max())
                for p, q in zip(compiled.parameters(), ref.parameters())
                if q.grad.abs().max() > 0)
    check("%s: replayed masks" % name, len(calls) > 0 and err < 1e-5 and grads < 1e-4,
          "%d dropouts, output %.1e, gradients %.1e from float64" % (len(calls), err, grads))
    return compiled


replayed("revvit reversible", vit, vit_x, "reversible")

for mode in ("store", "reversible"):
    compiled = replayed(mode, model, x, mode)
    with torch.no_grad():
        a, b = compiled(x), compiled(x)
    check("%s: new masks per call" % mode, float((a - b).abs().max()) > 1e-3,
          "outputs of two calls %.2g apart" % float((a - b).abs().max()))
    compiled.eval()
    plain = copy.deepcopy(model).eval()
    with torch.no_grad():
        e = float((compiled(x) - plain(x)).abs().max())
    check("%s: eval() drops nothing" % mode, e < 1e-5, "%.1e from PyTorch" % e)
sys.exit(1 if failed else 0)
