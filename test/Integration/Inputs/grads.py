"""Gradient sets for the integration checks: loaded from rev-run --outputs
or reference directories, compared by relative error and by angle. Needs
no numpy (the lit Python may not have it)."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import npy  # noqa: E402

FLOOR = 1e-5


def load_dir(path, prefixes=("grad.", "loss.")):
    """The .npy files of `path` whose names start with one of `prefixes`
    (the gradients and the loss by default), keyed by their names without
    ".npy"."""
    out = {}
    for f in sorted(os.listdir(path)):
        if f.endswith(".npy") and f.startswith(prefixes):
            out[f[:-4]] = npy.load(os.path.join(path, f))[1]
    return out


def worst(ref, other):
    """max over tensors of max|ref - other| / scale, where scale is the
    tensor's max|ref|, floored at FLOOR and at 1e-4 of the largest gradient
    entry of all tensors: gradients that vanish mathematically (a bias
    before a training-mode BatchNorm) carry rounding noise only."""
    result = (0.0, "")
    top = max([max(abs(x) for x in v) for k, v in ref.items()
               if k.startswith("grad.") and v] or [0.0])
    floor = max(FLOOR, 1e-4 * top)
    for k in sorted(ref):
        if k not in other:
            return (float("inf"), k + " (missing)")
        a, b = ref[k], other[k]
        if len(a) != len(b):
            return (float("inf"), k + " (size)")
        scale = max(max(abs(x) for x in a), floor)
        err = max(abs(x - y) for x, y in zip(a, b)) / scale
        result = max(result, (err, k))
    return result


def angle(ref, other):
    dot = na = nb = 0.0
    for k in ref:
        if not k.startswith("grad."):
            continue
        for x, y in zip(ref[k], other[k]):
            dot += x * y
            na += x * x
            nb += y * y
    if na == 0 or nb == 0:
        return 0.0 if na == nb else 90.0
    return math.degrees(math.acos(max(-1.0, min(1.0, dot / math.sqrt(na * nb)))))
