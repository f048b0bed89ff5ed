"""Reads float32/float64 .npy files without numpy (the test machine's lit
Python may not have it)."""
import array
import ast
import struct


def load(path):
    """Returns (shape, flat list of floats) of a little-endian .npy file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError(path + ": not a .npy file")
    major = data[6]
    if major == 1:
        (hlen,) = struct.unpack("<H", data[8:10])
        start = 10
    else:
        (hlen,) = struct.unpack("<I", data[8:12])
        start = 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    if header.get("fortran_order"):
        raise ValueError(path + ": Fortran order")
    codes = {"<f4": "f", "<f8": "d"}
    descr = header["descr"]
    if descr not in codes:
        raise ValueError(path + ": unsupported dtype " + descr)
    values = array.array(codes[descr])
    values.frombytes(data[start + hlen:])
    return tuple(header["shape"]), values.tolist()
