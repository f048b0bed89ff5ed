"""Calls the ahead-of-time compiled @conv of ../rev-run/Inputs/conv.mlir
(arguments x, w, b, then the result y, as memref descriptors) on the .npy
inputs in DIR and writes DIR/../aot/y.npy.

With --wrapper, calls rev_conv() instead (the status-returning wrapper) and
prints its status.

Usage: call_conv.py LIBRARY INPUT_DIR OUTPUT_DIR [--wrapper]"""
import ctypes
import os
import sys

import numpy as np


def descriptor(a):
    rank = a.ndim

    class MemRef(ctypes.Structure):
        _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                    ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * rank),
                    ("strides", ctypes.c_int64 * rank)]
    return MemRef(a.ctypes.data, a.ctypes.data, 0,
                  (ctypes.c_int64 * rank)(*a.shape),
                  (ctypes.c_int64 * rank)(*[s // a.itemsize for s in a.strides]))


lib = ctypes.CDLL(sys.argv[1])
args = [np.ascontiguousarray(np.load(os.path.join(sys.argv[2], n + ".npy")))
        for n in ("x", "w", "b")]
y = np.zeros((1, 32, 32, 16), np.float32)
descs = [descriptor(a) for a in args + [y]]
if sys.argv[4:] == ["--wrapper"]:
    print("rev_conv returned", lib.rev_conv(*[ctypes.byref(d) for d in descs]))
else:
    lib._mlir_ciface_conv(*[ctypes.byref(d) for d in descs])
os.makedirs(sys.argv[3], exist_ok=True)
np.save(os.path.join(sys.argv[3], "y.npy"), y)
