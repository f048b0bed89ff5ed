"""Compiling an ONNX model into a shared library with rev-opt's tools, cached
on disk.

`compile_library(onnx_bytes, rev_opt_flags, entries)` runs

    rev-opt model.onnx <rev_opt_flags> -o model.mlir
    utils/aot-compile.py model.mlir --entry E... --manifest manifest.json

and returns a `Library` (library.py) for the result. Results are kept in
`$REV_CACHE_DIR/python/<key>/` (rev-run's cache directory: REV_CACHE_DIR,
else $XDG_CACHE_HOME/rev-opt or ~/.cache/rev-opt; REV_CACHE_DIR= disables),
keyed by the model's bytes, the flags, the entries and the tools' files;
processes compiling the same key wait for each other (a lock file) instead of
compiling twice.
"""
import atexit
import fcntl
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class CompileError(RuntimeError):
    """rev-opt could not compile the model; the message carries its
    diagnostics (each located at the ONNX node at fault)."""


def build_dir():
    """rev-opt's build directory: $REV_BUILD_DIR, else build/ next to this
    package's checkout."""
    directory = os.environ.get("REV_BUILD_DIR") or os.path.join(_REPO, "build")
    if not os.path.exists(os.path.join(directory, "bin", "rev-opt")):
        raise CompileError(
            "rev-opt's tools are not in %s/bin: build rev-opt (`make build` in %s) "
            "or set REV_BUILD_DIR to its build directory" % (directory, _REPO))
    return directory


def _aot_compile_script():
    return os.path.join(_REPO, "utils", "aot-compile.py")


def _cache_root():
    """rev-run's cache directory, as utils/aot-compile.py's cache_dir() finds
    it (REV_CACHE_DIR, else XDG_CACHE_HOME or ~/.cache; None: no cache)."""
    spec = importlib.util.spec_from_file_location("rev_aot_compile",
                                                  _aot_compile_script())
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script.cache_dir()


def _key(onnx_bytes, flags, entries, build):
    """SHA-256 over the model, the options and the tools (path, size and
    modification time of each: a rebuilt tool changes the key)."""
    h = hashlib.sha256(onnx_bytes)
    for part in flags + ["--"] + entries:
        h.update(part.encode() + b"\0")
    tools = [os.path.join(build, "bin", t) for t in ("rev-opt", "rev-translate")]
    for path in tools + [_aot_compile_script(), __file__]:
        st = os.stat(path)
        h.update(("%s %d %d\0" % (path, st.st_size, st.st_mtime_ns)).encode())
    return h.hexdigest()


def _run(cmd, what):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise CompileError("%s failed (exit %d):\n%s" % (what, p.returncode,
                                                          (p.stderr or p.stdout).strip()))
    return p


def _compile_into(directory, onnx_bytes, flags, entries, build):
    model = os.path.join(directory, "model.onnx")
    with open(model, "wb") as f:
        f.write(onnx_bytes)
    mlir = os.path.join(directory, "model.mlir")
    _run([os.path.join(build, "bin", "rev-opt"), model] + flags + ["-o", mlir], "rev-opt")
    cmd = [sys.executable, _aot_compile_script(), mlir, "-o",
           os.path.join(directory, "lib.so"), "--manifest",
           os.path.join(directory, "manifest.json"), "--build", build,
           # PyTorch's OpenMP runtime: one thread pool (RevGompBridge.c).
           "--openmp", "gomp"]
    for e in entries:
        cmd += ["--entry", e]
    _run(cmd, "aot-compile")
    os.remove(mlir)


def compile_library(onnx_bytes, flags, entries):
    """The directory holding lib.so, lib.h, manifest.json and model.onnx for
    this model compiled with these rev-opt flags and entries."""
    build = build_dir()
    root = _cache_root()
    if root is None:
        # No cache: a temporary directory, removed when the process ends (the
        # loaded library stays mapped).
        directory = tempfile.mkdtemp(prefix="revopt-")
        atexit.register(shutil.rmtree, directory, True)
        _compile_into(directory, onnx_bytes, flags, entries, build)
        return directory
    key = _key(onnx_bytes, flags, entries, build)
    parent = os.path.join(root, "python")
    os.makedirs(parent, exist_ok=True)
    directory = os.path.join(parent, key)
    with open(os.path.join(parent, key + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(directory, "manifest.json")):
            return directory
        # Built beside its final place and renamed into it: a failed or
        # interrupted compilation never leaves a partial entry.
        scratch = tempfile.mkdtemp(prefix=key[:16] + ".", dir=parent)
        try:
            _compile_into(scratch, onnx_bytes, flags, entries, build)
            if os.path.exists(directory):
                shutil.rmtree(directory)
            os.replace(scratch, directory)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    return directory
