"""Shared by the revopt.torch tests: the models, plain-PyTorch twins, and
the measurements they compare."""
import copy
import os
import sys
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
sys.path.insert(0, os.path.join(SRC, "utils", "models"))
from generate import RevNet  # noqa: E402  (the bundled models' definitions)


def bundled_revnet():
    """models/revnet: generate.py's RevNet with the bundled file's weights."""
    import onnx
    import onnx.numpy_helper
    model = RevNet(blocks=2)
    state = model.state_dict()
    onnx_model = onnx.load(os.path.join(SRC, "models", "revnet", "model.onnx"))
    loaded = 0
    for init in onnx_model.graph.initializer:
        if init.name in state:
            state[init.name].copy_(torch.from_numpy(onnx.numpy_helper.to_array(init)))
            loaded += 1
    assert loaded == sum(1 for k in state if not k.endswith("num_batches_tracked")), loaded
    return model


def saved_bytes(step):
    """revopt.torch.saved_bytes of `step()`; then runs the backward of what
    `step` returns."""
    import revopt.torch
    loss, kept = revopt.torch.saved_bytes(step)
    loss.backward()
    return kept


def relative(a, b):
    """max |a - b| / max |b| (0 when both are 0)."""
    a, b = a.double(), b.double()
    scale = b.abs().max()
    diff = (a - b).abs().max()
    return float(diff / scale) if scale > 0 else float(diff)


def gradient_difference(a, b):
    """The largest difference between the gradients of two modules'
    parameters (those with one in `b`), relative to each gradient's largest
    element, floored at 1e-3 of the largest overall: a convolution's bias
    followed by training-mode BatchNorm has a gradient of zero in exact
    arithmetic, rounding noise in both."""
    pairs = [(p.grad, q.grad) for p, q in zip(a.parameters(), b.parameters())
             if q.grad is not None]
    floor = 1e-3 * max(float(q.abs().max()) for _, q in pairs)
    return max(float((p.double() - q.double()).abs().max()) /
               max(float(q.abs().max()), floor) for p, q in pairs)


def max_state_difference(a, b):
    """The largest relative difference between two modules' parameters and
    buffers (state_dict entries, matched by name)."""
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb), (list(sa)[:5], list(sb)[:5])
    return max(relative(sa[k], sb[k]) for k in sb)


def train(model, steps, batches, lr=0.05, momentum=0.9):
    """`steps` SGD-momentum steps of cross-entropy; the losses."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = []
    for i in range(steps):
        x, y = batches[i % len(batches)]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    return losses


def batches(count, shape, classes=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(shape, generator=g), torch.randint(0, classes, (shape[0],),
                                                            generator=g))
            for _ in range(count)]


def twins(model):
    """Two independent copies of `model` (compiled and plain)."""
    return copy.deepcopy(model), copy.deepcopy(model)
