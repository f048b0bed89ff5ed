"""Calling a library written by utils/aot-compile.py from Python.

Every entry takes strided memref descriptors {allocated, aligned, offset,
sizes[rank], strides[rank]}: its arguments, then its results, which the
caller allocates (C-ordered). `rev_<entry>_packed(void **)` takes their
addresses in an array and returns a status (0 ok, 1 a run-time check failed,
2 out of memory, 3 a library kernel failed). The manifest (`--manifest`)
lists each entry's arguments and results by `rev.name`.
"""
import ctypes
import json
import os
import threading

_descriptor_types = {}


def descriptor_type(rank):
    """The ctypes structure of a rank-`rank` memref descriptor."""
    if rank not in _descriptor_types:
        fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                  ("offset", ctypes.c_int64)]
        if rank:
            fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
        _descriptor_types[rank] = type("MemRef%d" % rank, (ctypes.Structure,),
                                       {"_fields_": fields})
    return _descriptor_types[rank]


class TensorSpec:
    """One argument or result: its rev.name, dtype name and shape."""

    def __init__(self, name, dtype, shape, device=False):
        self.name, self.dtype, self.shape = name, dtype, tuple(shape)
        self.device = device

    def __repr__(self):
        return "%s: %s %s" % (self.name, self.dtype, list(self.shape))


class Entry:
    """One exported function: `call(pointers)` with the data pointer of
    every argument and result, in the manifest's order."""

    def __init__(self, library, name, listing):
        self.library = library
        self.name = name
        self.arguments = [TensorSpec(**t) for t in listing["arguments"]]
        self.results = [TensorSpec(**t) for t in listing["results"]]
        self.checks = listing["checks"]
        self._function = getattr(library.handle, listing["packed"])
        self._function.restype = ctypes.c_int
        self._function.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        specs = self.arguments + self.results
        # The descriptors are built once; a call only sets their pointers.
        self._descriptors = []
        for spec in specs:
            d = descriptor_type(len(spec.shape))()
            if spec.shape:
                stride = 1
                for i in reversed(range(len(spec.shape))):
                    d.sizes[i] = spec.shape[i]
                    d.strides[i] = stride
                    stride *= spec.shape[i]
            self._descriptors.append(d)
        self._array = (ctypes.c_void_p * len(specs))(
            *[ctypes.addressof(d) for d in self._descriptors])
        # One call at a time: the descriptors, and the library's record of
        # failed checks, are shared.
        self._lock = threading.Lock()

    def call(self, pointers):
        """Runs the entry on the buffers at `pointers` (integers: arguments,
        then results). Raises RuntimeError when it fails."""
        with self._lock:
            for d, p in zip(self._descriptors, pointers):
                d.allocated = d.aligned = p
            status = self._function(self._array)
            if status != 0:
                raise RuntimeError("@%s failed: %s" % (self.name,
                                                       self.library.failure(status, self)))


class Library:
    """A shared library and its manifest (a directory written by
    _build.compile_library)."""

    def __init__(self, directory):
        self.directory = directory
        with open(os.path.join(directory, "manifest.json")) as f:
            manifest = json.load(f)
        self.handle = ctypes.CDLL(os.path.join(directory, "lib.so"))
        self.entries = {name: Entry(self, name, listing)
                        for name, listing in manifest["entries"].items()}

    def failure(self, status, entry):
        """What a non-zero status of `entry` means."""
        if status == 1:
            check, value = ctypes.c_int64(), ctypes.c_int64()
            self.handle.rev_check_status(ctypes.byref(check), ctypes.byref(value))
            message = (entry.checks[check.value] if 0 <= check.value < len(entry.checks)
                       else "check %d" % check.value)
            return "run-time check failed: %s; got %d" % (message, value.value)
        if status == 2:
            self.handle.rev_out_of_memory_bytes.restype = ctypes.c_uint64
            return "out of memory: %d bytes" % self.handle.rev_out_of_memory_bytes()
        if status == 3:
            message = ctypes.c_char_p()
            self.handle.rev_kernels_status(ctypes.byref(message))
            return "a library kernel failed: %s" % (message.value or b"?").decode()
        return "status %d" % status
