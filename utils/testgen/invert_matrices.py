"""Writes the inputs of test/Integration/rev-run/invert-matrices.test: a
square 1x1 convolution y = W x + b (16 channels) whose W has condition
number 100 (U diag(s) V^T, s log-spaced from 1 to 1/100), y computed in
float64 from the float32 W, b and x and rounded to float32, and x, the
result f_inverse must give back. Run with /usr/bin/python3 (numpy)."""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "Integration",
                   "rev-run", "Inputs", "invert-matrices")
C = 16


def main():
    rng = np.random.default_rng(20261130)
    u, _ = np.linalg.qr(rng.standard_normal((C, C)))
    v, _ = np.linalg.qr(rng.standard_normal((C, C)))
    w = ((u * np.logspace(0, -2, C)) @ v.T).astype(np.float32)
    b = rng.standard_normal(C).astype(np.float32)
    x = rng.standard_normal((2, 2, 2, C)).astype(np.float32)
    y = (x.astype(np.float64) @ w.astype(np.float64).T + b).astype(np.float32)
    os.makedirs(os.path.join(OUT, "expect"), exist_ok=True)
    np.save(os.path.join(OUT, "y.npy"), y)
    np.save(os.path.join(OUT, "w.npy"), w.reshape(C, 1, 1, C))
    np.save(os.path.join(OUT, "b.npy"), b)
    np.save(os.path.join(OUT, "expect", "x.npy"), x)
    print("cond(W) = %.1f" % np.linalg.cond(w.astype(np.float64)))


if __name__ == "__main__":
    main()
