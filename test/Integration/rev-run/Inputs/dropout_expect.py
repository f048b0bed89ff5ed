"""Inputs and expected results of dropout.mlir from utils/models/philox.py
(numpy, written from the Philox paper, not from rev-opt's lowering; its
known-answer tests: philox.py's __main__). Also checks that the kept
fractions are those of the ratios (binomial, 5 standard deviations)."""
import math
import os
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), *[".."] * 4)
sys.path.insert(0, os.path.join(ROOT, "utils", "models"))
from philox import keep_mask  # noqa: E402

out = sys.argv[1]
rng = np.random.default_rng(3)
seed = -123456789012345  # (both 32-bit halves of the key matter)
x = rng.standard_normal((3, 4, 5)).astype(np.float32)
z = rng.standard_normal((40, 50)) + 10.0  # (no zeros of its own)
w = rng.standard_normal((4, 64, 96)).astype(np.float32)  # (n-D vector code)
v = rng.standard_normal((4, 64, 96)).astype(np.float32)
os.makedirs(os.path.join(out, "in"), exist_ok=True)
os.makedirs(os.path.join(out, "ref"), exist_ok=True)
np.save(os.path.join(out, "in", "x.npy"), x)
np.save(os.path.join(out, "in", "z.npy"), z)
np.save(os.path.join(out, "in", "w.npy"), w)
np.save(os.path.join(out, "in", "v.npy"), v)
np.save(os.path.join(out, "in", "dropout_seed.npy"), np.int64(seed))


def dropout(v, stream, ratio):
    keep = keep_mask(seed, stream, v.shape, ratio)
    scale = np.asarray(1.0 / (1.0 - ratio)).astype(v.dtype)
    return np.where(keep, v * scale, 0).astype(v.dtype), keep.mean()


a, _ = dropout(x, 0, 0.3)
b, kept_b = dropout(z, 9, 0.5)
c, kept_c = dropout(z, 10, 0.125)
e, _ = dropout(w + v, 3, 0.1)
np.save(os.path.join(out, "ref", "a.npy"), a)
np.save(os.path.join(out, "ref", "b.npy"), b)
np.save(os.path.join(out, "ref", "c.npy"), c)
np.save(os.path.join(out, "ref", "e.npy"), e)
n = z.size
for kept, ratio in ((kept_b, 0.5), (kept_c, 0.125)):
    sd = math.sqrt(ratio * (1 - ratio) / n)
    ok = abs(kept - (1 - ratio)) <= 5 * sd
    print("kept %.4f of %d at ratio %.3f: %s" % (kept, n, ratio, "ok" if ok else "FAIL"))
# Streams 9 and 10 of one seed are different masks.
print("streams differ: %s" % ("ok" if (b == 0).tolist() != (c == 0).tolist() else "FAIL"))
