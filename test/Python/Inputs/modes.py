"""revopt.torch.compile's other paths on the bundled RevNet: eval() (the
inference function of an eval-mode export: running statistics read, not
updated), no_grad() in training mode (no tape, running statistics updated),
eval-mode training (frozen BatchNorm), a frozen parameter, a new batch size,
state_dict save and load; and its errors. Prints one line per check; exits
non-zero when one fails."""
import copy
import io
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from revopt_testing import (RevNet, bundled_revnet, gradient_difference, max_state_difference,
                            relative, twins)
import revopt.torch

failed = []


def check(what, ok, detail=""):
    print("%s: %s%s" % (what, detail + " " if detail else "", "ok" if ok else "FAILED"))
    if not ok:
        failed.append(what)


def raises(what, error, needle, call):
    try:
        call()
    except error as e:
        message = str(e)
        check(what, needle in message, "%s: %s" % (type(e).__name__,
                                                   message.splitlines()[0][:150]))
        return message
    check(what, False, "no %s raised" % error.__name__)
    return ""


torch.manual_seed(0)
x = torch.randn(8, 3, 16, 16)
y = torch.randint(0, 10, (8,))
c, plain = twins(bundled_revnet())
compiled = revopt.torch.compile(c, x)
check("state_dict keys", list(compiled.state_dict()) == list(plain.state_dict()),
      "%d entries" % len(compiled.state_dict()))
check("parameters shared", all(a is b for a, b in zip(compiled.parameters(),
                                                      c.parameters())))

# no_grad in training mode: batch statistics, running statistics updated.
with torch.no_grad():
    a, b = compiled(x), plain(x)
check("no_grad output", relative(a, b) < 1e-5 and not a.requires_grad,
      "relative difference %.1e, requires_grad %s" % (relative(a, b), a.requires_grad))
check("no_grad running statistics", max_state_difference(compiled, plain) < 1e-5,
      "%.1e" % max_state_difference(compiled, plain))

# eval(): the running statistics normalize, and are left alone.
compiled.eval()
plain.eval()
before = {k: v.clone() for k, v in compiled.state_dict().items()}
with torch.no_grad():
    a, b = compiled(x), plain(x)
check("eval output", relative(a, b) < 1e-5, "relative difference %.1e" % relative(a, b))
check("eval leaves the state", all(torch.equal(before[k], v)
                                   for k, v in compiled.state_dict().items()))

# Training in eval mode (BatchNorm frozen): gradients through the running
# statistics' normalization.
F.cross_entropy(compiled(x), y).backward()
F.cross_entropy(plain(x), y).backward()
diff = gradient_difference(compiled, plain)
check("eval-mode gradients", diff < 1e-4, "max relative difference %.1e" % diff)
compiled.train()
plain.train()

# A freshly initialized module in eval mode (every BatchNorm weight 1, bias
# 0, running mean 0, variance 1: an eval-mode export would merge them):
# the gradients land on the right parameters.
torch.manual_seed(3)
fresh_c, fresh_plain = twins(RevNet(blocks=1))
fresh_c.eval()
fresh_plain.eval()
fresh = revopt.torch.compile(fresh_c, x)
F.cross_entropy(fresh(x), y).backward()
F.cross_entropy(fresh_plain(x), y).backward()
diff = gradient_difference(fresh, fresh_plain)
check("fresh module, eval mode", diff < 1e-4, "max relative difference %.1e" % diff)

# Mixed modes: a training model whose BatchNorms are set to eval()
# (frozen statistics, as when fine-tuning): running statistics read, not
# updated; the same gradients as PyTorch.
for m in (compiled, plain):
    m.zero_grad(set_to_none=True)
    for b in m.modules():
        if isinstance(b, nn.BatchNorm2d):
            b.eval()
before = {k: v.clone() for k, v in compiled.state_dict().items()}
F.cross_entropy(compiled(x), y).backward()
F.cross_entropy(plain(x), y).backward()
diff = gradient_difference(compiled, plain)
check("frozen BatchNorm in a training model", diff < 1e-4 and all(
    torch.equal(before[k], v) for k, v in compiled.state_dict().items()),
    "max relative difference %.1e, state unchanged" % diff)
for m in (compiled, plain):
    m.train()

# A frozen parameter gets no gradient; the others are unchanged.
for m in (compiled, plain):
    m.zero_grad(set_to_none=True)
    m.head.weight.requires_grad_(False)
F.cross_entropy(compiled(x), y).backward()
F.cross_entropy(plain(x), y).backward()
diff = gradient_difference(compiled, plain)
check("frozen parameter", compiled.head.weight.grad is None and diff < 1e-3,
      "head.weight.grad is %s, the others' max relative difference %.1e" % (
          "None" if compiled.head.weight.grad is None else "set", diff))
for m in (compiled, plain):
    m.head.weight.requires_grad_(True)

# A new batch size compiles again.
with torch.no_grad():
    a, b = compiled(x[:3]), plain(x[:3])
check("new batch size", relative(a, b) < 1e-5, "relative difference %.1e" % relative(a, b))

# state_dict round trip: the compiled module's state loads into a plain one,
# and a plain module's state into the compiled one.
buffer = io.BytesIO()
torch.save(compiled.state_dict(), buffer)
buffer.seek(0)
fresh = bundled_revnet()
fresh.load_state_dict(torch.load(buffer))
check("state_dict save", max_state_difference(fresh, compiled) == 0)
other = bundled_revnet()
with torch.no_grad():
    for p in other.parameters():
        p.mul_(0.5)
compiled.load_state_dict(other.state_dict())
compiled.eval()
other.eval()
with torch.no_grad():
    a, b = compiled(x), other(x)
check("state_dict load", relative(a, b) < 1e-5 and max_state_difference(c, other) == 0,
      "relative difference %.1e" % relative(a, b))
compiled.train()

# A copy (copy.deepcopy, as for an EMA model) compiles its own variants and
# computes what the original does, with its own parameters.
twin = copy.deepcopy(compiled)
twin.eval()
compiled.eval()
with torch.no_grad():
    a, b = twin(x), compiled(x)
check("deepcopy", relative(a, b) == 0 and all(
    p is not q for p, q in zip(twin.parameters(), compiled.parameters())))
compiled.train()

# Errors.
raises("non-contiguous input", ValueError, "not contiguous",
       lambda: compiled(x.transpose(2, 3)))
raises("device", ValueError, "is on meta",
       lambda: compiled(torch.empty(8, 3, 16, 16, device="meta")))
raises("not a tensor", TypeError, "takes tensors", lambda: compiled(x.numpy()))
strict = revopt.torch.compile(bundled_revnet(), x, recompile=False)
raises("recompile=False", ValueError, "recompile=True", lambda: strict(x[:2]))
raises("mode", ValueError, "mode must be one of",
       lambda: revopt.torch.compile(bundled_revnet(), x, mode="fast"))

# A memory budget that holds every block stored: the plan stores them all
# (rev-plan-memory), the gradients are PyTorch's (training-mode BatchNorm in
# float32: 1e-3, as the frozen parameter above). One below the reversible
# step's estimate: a CompileError that names the smallest budget that fits.
c3, plain3 = twins(bundled_revnet())
budgeted = revopt.torch.compile(c3, x, memory_budget="1GiB")
F.cross_entropy(budgeted(x), y).backward()
F.cross_entropy(plain3(x), y).backward()
diff = gradient_difference(budgeted, plain3)
check("memory budget gradients", diff < 1e-3, "max relative difference %.1e" % diff)
raises("memory budget too small", revopt.torch.CompileError, "the smallest feasible budget is",
       lambda: revopt.torch.compile(bundled_revnet(), x, memory_budget=1000)(x))
raises("memory budget with mode", ValueError, "does not combine with mode='store'",
       lambda: revopt.torch.compile(bundled_revnet(), x, mode="store", memory_budget=1000))
raises("memory budget type", ValueError, "memory_budget must be",
       lambda: revopt.torch.compile(bundled_revnet(), x, memory_budget=-1))


class Cumulative(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return self.conv(x).cumsum(1)


message = raises("unsupported op", revopt.torch.CompileError, "CumSum",
                 lambda: revopt.torch.compile(Cumulative(), x))
check("diagnostic names the node", "(CumSum)" in message)
raises("momentum=None", revopt.torch.CompileError, "momentum=None",
       lambda: revopt.torch.compile(nn.Sequential(nn.BatchNorm2d(3, momentum=None)), x))

sys.exit(1 if failed else 0)
