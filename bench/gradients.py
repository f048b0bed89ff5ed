"""Agreement of two sets of gradients (dicts name -> array, float64), as the
benchmarks and utils/gpu-check.sh report it. Needs only numpy."""
import math
import os

import numpy as np


def angle(a, b):
    """Degrees between all of `a` and all of `b`, as two long vectors."""
    keys = sorted(a)
    x = np.concatenate([np.ravel(a[k]) for k in keys])
    y = np.concatenate([np.ravel(b[k]) for k in keys])
    c = x.dot(y) / np.linalg.norm(x) / np.linalg.norm(y)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def worst_relative(ref, other, floor=1e-6):
    """The largest max|ref - other| / max|ref| over the tensors whose
    largest magnitude is above `floor` (near-zero gradients carry noise
    only): (error, name), or (0.0, "") if there is none."""
    worst = (0.0, "")
    for k in sorted(ref):
        scale = np.abs(ref[k]).max()
        if scale > floor:
            worst = max(worst, (float(np.abs(ref[k] - other[k]).max() / scale), k))
    return worst


def load_dir(path, prefix="grad."):
    """The .npy files of `path` whose names start with `prefix`, as float64,
    keyed by their names without ".npy"."""
    return {f[:-4]: np.load(os.path.join(path, f)).astype(np.float64)
            for f in sorted(os.listdir(path))
            if f.startswith(prefix) and f.endswith(".npy")}
