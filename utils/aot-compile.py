#!/usr/bin/env python3
"""Ahead-of-time compilation: a model (ONNX or MLIR) to a shared library with
a C entry point, and a C header that declares it; or, with --target=gpu, to
a self-contained GPU program.

  utils/aot-compile.py model.onnx -o libmodel.so [--entry NAME]...
                       [--header model.h] [--manifest model.json]
                       [--pass-pipeline PIPELINE]
  utils/aot-compile.py model.onnx --target=gpu -o program [--chip sm_90]
                       [--pass-pipeline PIPELINE]

Steps (each a tool of this project or of the LLVM it was built with, found
through <build>/aot-config.json):
  rev-opt INPUT [--pass-pipeline=...] --rev-lower-cpu="generic-alloc=1 threads=N"
  rev-translate --mlir-to-llvmir
  rev-translate --rev-aot-sources (from the entries' rev.abi signatures: the
      C header, the wrappers, the manifest; a GPU program's main(); see
      lib/Runtime/AOTSources.cpp)
  llc -O3 -filetype=obj -relocation-model=pic
  cc (the wrappers and runtime/cpu's C files), then
  c++ -shared ... -lmlir_c_runner_utils -lomp (libomp: OpenMP, for large
  loops on several threads; set OMP_NUM_THREADS to choose how many)
This script only runs these tools and links their outputs.

GPU programs: rev-opt --rev-lower-gpu (kernels embedded as PTX, compiled by
the driver at load time), rev-translate, llc, and a generated main() linked
with the project's CUDA runtime (build/lib/libRevGPUProgram.a,
libRevCudaRuntime.a) and the driver library: at run time the program needs
only the NVIDIA driver's libcuda.so.1. `program --inputs DIR --outputs DIR
--repeat N --report FILE.json` reads <rev.name>.npy for every argument and
writes every result (see runtime/cuda/GPUProgram.cpp).

The library exports, for every entry (`--entry`, repeatable; default: train_step or
the only public function), `void _mlir_ciface_<entry>(MemRef *arg0, ..., MemRef
*result0, ...)`: every argument and then every result is a pointer to a
strided memref descriptor {allocated, aligned, offset, sizes[rank],
strides[rank]} of a C-ordered array; the caller allocates the results, each
its own buffer (a result may overlap neither an argument nor another
result: the compiled code fuses loops assuming so). The
header spells out the descriptor structs and the argument order (with the
`rev.name` of each). `--manifest FILE` also writes them as JSON, for
programs that bind arguments by name (python/revopt):
  {"entries": {"<entry>": {"arguments": [{"name", "dtype", "shape", "device"}, ...],
                           "results": [...], "checks": ["<message>", ...],
                           "wrapper": "rev_<entry>", "packed": "rev_<entry>_packed"}}}

`int rev_<entry>(...)` (and `int rev_<entry>_packed(void **descriptors)`,
the descriptors' addresses in an array) makes the same call and returns a
status: 0; 1 when a run-time check failed (cross-entropy labels and Gather
indices in range; --no-checks drops them): `int rev_check_status(int64_t
*check, int64_t *value)` then gives the check's number and an offending
value, and
`<entry>_check_messages[check]` says what was checked; 2 when an allocation
failed (`rev_out_of_memory_bytes()`); 3 when a library kernel failed
(`rev_kernels_status(&message)` says why). Results are valid only with 0
(runtime/cpu/RevChecks.c, RevAlloc.c, RevKernels.h).

Float32 convolutions and matrix products call oneDNN (rev-lower-cpu
kernel-library=onednn, the default where rev-opt was built with oneDNN): the
library then links
build/lib/libRevCPUKernels.a and needs libdnnl at run time. oneDNN's threads:
OMP_NUM_THREADS, else one per core; with `--threads N` (N > 0) `rev_<entry>()`
sets N, as the generated loops use.
"""
import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile


def llvm_dirs(build):
    """LLVM's tools and libraries, as rev-opt was configured with
    (<build>/aot-config.json, written by CMake)."""
    path = os.path.join(build, "aot-config.json")
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("aot-compile: cannot read %s (%s): configure and build rev-opt "
                 "first" % (path, e))
    return config["llvm_tools_dir"], config["llvm_lib_dir"]


def run(cmd, **kw):
    p = subprocess.run(cmd, **kw)
    if p.returncode != 0:
        sys.exit("aot-compile: failed: " + " ".join(cmd))
    return p


def cache_dir():
    """rev-run's compile cache directory (REV_CACHE_DIR; empty disables)."""
    if "REV_CACHE_DIR" in os.environ:
        return os.environ["REV_CACHE_DIR"] or None
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.path.join(os.environ["HOME"], ".cache") if os.environ.get("HOME") else None)
    return os.path.join(base, "rev-opt") if base else None


def host_cpu():
    """This machine's CPU (-mcpu=native code depends on it)."""
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
    except OSError:
        return platform.machine()
    fields = [l for l in info.splitlines() if l.startswith(("model name", "flags"))]
    return platform.machine() + "\n" + "\n".join(sorted(set(fields)))


def cache_key(args, bin_dir, lowering, llc_flags, sources_flags):
    """SHA-256 over the tools' executables, the input and the options."""
    h = hashlib.sha256()
    for part in [os.path.join(bin_dir, t) for t in ("rev-opt", "rev-translate")] + \
            [os.path.join(args.llvm_tools, "llc"), args.input]:
        with open(part, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    for part in [args.pass_pipeline, lowering, " ".join(llc_flags), " ".join(sources_flags),
                 args.cuda if args.target == "gpu" else "", host_cpu()]:
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def cached_lower_to_object(args, bin_dir, tmp, lowering, llc_flags, sources_flags, env=None):
    """lower_to_object through the compile cache: `<key>.aot.o` and
    `<key>.aot.sig` (the object's SHA-256, then the sources JSON) in
    rev-run's cache directory, written atomically; an entry that does not
    verify is reported, removed and rebuilt. --no-cache bypasses it."""
    directory = None if args.no_cache else cache_dir()
    if directory:
        key = cache_key(args, bin_dir, lowering, llc_flags, sources_flags)
        obj_path = os.path.join(directory, key + ".aot.o")
        sig_path = os.path.join(directory, key + ".aot.sig")
        if os.path.exists(obj_path) and os.path.exists(sig_path):
            with open(obj_path, "rb") as f:
                obj = f.read()
            with open(sig_path) as f:
                digest, _, sig = f.read().partition("\n")
            if hashlib.sha256(obj).hexdigest() == digest:
                print("aot-compile: compile cache hit (%s)" % obj_path)
                local = os.path.join(tmp, "model.o")
                with open(local, "wb") as f:
                    f.write(obj)
                return local, json.loads(sig)
            print("aot-compile: warning: compile cache entry %s is corrupt: removed, "
                  "compiling again" % obj_path, file=sys.stderr)
            for p in (obj_path, sig_path):
                os.remove(p)
    obj, sig = lower_to_object(args, bin_dir, tmp, lowering, llc_flags, sources_flags, env)
    if directory:
        os.makedirs(directory, exist_ok=True)
        with open(obj, "rb") as f:
            data = f.read()
        for path, content, mode in [(obj_path, data, "wb"),
                                    (sig_path, hashlib.sha256(data).hexdigest() + "\n" + sig, "w")]:
            fd, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, mode) as f:
                f.write(content)
            os.replace(temporary, path)
    return obj, json.loads(sig)


def write_atomically(path, content, mode, permissions=0o644):
    """Writes `path` through a temporary file in its directory, renamed into
    place: readers see the old file or the new one, never a partial one."""
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)),
                                     suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as f:
            f.write(content)
        os.chmod(temporary, permissions)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def lower_to_object(args, bin_dir, tmp, lowering, llc_flags, sources_flags, env=None):
    """rev-opt (the user's pipeline, then `lowering`) -> LLVM IR -> object
    file. Returns the object's path and the JSON of `rev-translate
    --rev-aot-sources` (the entries' signatures and the C sources around
    them)."""
    lowered = os.path.join(tmp, "lowered.mlir")
    cmd = [os.path.join(bin_dir, "rev-opt"), args.input]
    if args.pass_pipeline:
        cmd.append("--" + args.pass_pipeline)
    run(cmd + [lowering, "-o", lowered], env=env)
    sig = run([os.path.join(bin_dir, "rev-translate"), lowered, "--rev-aot-sources"] +
              sources_flags, stdout=subprocess.PIPE, text=True).stdout
    ll = os.path.join(tmp, "model.ll")
    run([os.path.join(bin_dir, "rev-translate"), "--mlir-to-llvmir", lowered, "-o", ll])
    obj = os.path.join(tmp, "model.o")
    run([os.path.join(args.llvm_tools, "llc")] + llc_flags +
        ["-filetype=obj", "-relocation-model=pic", ll, "-o", obj])
    return obj, sig


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("-o", "--output", required=True, help="shared library to write")
    ap.add_argument("--entry", action="append",
                    help="function to export, repeatable (default: train_step or the only one)")
    ap.add_argument("--header", help="C header to write (default: next to the library)")
    ap.add_argument("--manifest",
                    help="also write every entry's arguments, results and checks as JSON")
    ap.add_argument("--pass-pipeline", default="",
                    help="rev-opt passes to run before rev-lower-cpu (e.g. rev-train=...)")
    ap.add_argument("--build", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build"))
    ap.add_argument("--target", choices=["cpu", "gpu"], default="cpu")
    ap.add_argument("--kernel-library", choices=["onednn", "none"],
                    help="cpu: who computes float32 convolutions and matrix products "
                         "(rev-lower-cpu's kernel-library; default: oneDNN where rev-opt "
                         "was built with it)")
    ap.add_argument("--no-checks", action="store_true",
                    help="drop the run-time checks of indices (faster; an index out "
                         "of range then reads out of bounds)")
    ap.add_argument("--no-cache", action="store_true",
                    help="neither read nor write the compile cache (rev-run's: "
                         "$REV_CACHE_DIR, else ~/.cache/rev-opt)")
    ap.add_argument("--threads", type=int, default=0,
                    help="cpu: rev-lower-cpu's threads option: 0 (default) = large loops run "
                         "on the OpenMP runtime's threads (OMP_NUM_THREADS, else one per "
                         "core; the library then needs libomp), 1 = serial code, N = N threads")
    ap.add_argument("--openmp", choices=["libomp", "gomp"], default="libomp",
                    help="cpu: the OpenMP runtime the parallel loops run on: LLVM's libomp "
                         "(default), or GCC's libgomp through runtime/cpu/RevGompBridge.c "
                         "(for libraries loaded into processes that already run libgomp, "
                         "such as PyTorch's: one thread pool instead of two)")
    ap.add_argument("--chip", default="sm_90", help="gpu: NVIDIA architecture")
    ap.add_argument("--cuda", default="/usr/local/cuda", help="gpu: CUDA toolkit (driver stub)")
    ap.add_argument("--gpu-memory", choices=["device", "managed"], default="device",
                    help="gpu: rev-lower-gpu's memory option (device, the default: "
                         "buffers, arguments and results that host code never touches "
                         "are device memory, copied explicitly; managed: all managed)")
    ap.add_argument("--gpu-options", default="",
                    help="gpu: more rev-lower-gpu options, space-separated "
                         "(block-reductions=false, say)")
    ap.add_argument("--gpu-format", choices=["auto", "isa", "bin", "fatbin"], default="auto",
                    help="gpu: kernels as PTX (isa: compiled by the driver when loaded), cubin "
                         "(bin) or fatbin (cubin + PTX); auto = fatbin when the toolkit's ptxas "
                         "and fatbinary exist, else isa")
    args = ap.parse_args()
    bin_dir = os.path.join(args.build, "bin")
    args.llvm_tools, args.llvm_lib = llvm_dirs(args.build)
    entries = ["--rev-aot-entry=" + e for e in args.entry or []]
    if args.target == "gpu":
        return compile_gpu(args, bin_dir, entries)

    header = args.header or os.path.splitext(args.output)[0] + ".h"
    with tempfile.TemporaryDirectory() as tmp:
        obj, sources = cached_lower_to_object(
            args, bin_dir, tmp, "--rev-lower-cpu=generic-alloc=1 threads=%d checks=%d%s" % (
                args.threads, 0 if args.no_checks else 1,
                " kernel-library=" + args.kernel_library if args.kernel_library else ""),
            ["-O3", "-mcpu=native"],
            entries + ["--rev-aot-threads=%d" % args.threads])
        # The wrappers rev_<entry>() include the header: compiled from a copy
        # (rev_aot_entries.h, see lib/Runtime/AOTSources.h).
        with open(os.path.join(tmp, "rev_aot_entries.h"), "w") as f:
            f.write(sources["header"])
        # Library kernels (kernel-library=onednn): RevCPUKernels and oneDNN.
        kernel_libs = []
        if sources["kernels"]:
            archive = os.path.join(args.build, "lib", "libRevCPUKernels.a")
            if not os.path.exists(archive):
                sys.exit("aot-compile: the code calls oneDNN's kernels, but %s is "
                         "missing (build rev-opt with oneDNN, or lower with "
                         "kernel-library=none)" % archive)
            kernel_libs = [archive, "-ldnnl"]
        wrapper = os.path.join(tmp, "wrapper.c")
        with open(wrapper, "w") as f:
            f.write(sources["wrapper"])
        runtime_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                   "runtime", "cpu")
        gomp = args.openmp == "gomp"
        c_files = [os.path.join(runtime_dir, c) for c in ("RevChecks.c", "RevAlloc.c")] + \
            [wrapper] + ([os.path.join(runtime_dir, "RevGompBridge.c")] if gomp else [])
        objects = []
        for src in c_files:
            objects.append(os.path.join(tmp, os.path.basename(src)[:-2] + ".o"))
            run(["cc", "-O2", "-fPIC"] + (["-fopenmp"] if gomp else []) +
                ["-I" + tmp, "-I" + runtime_dir, "-c", src, "-o", objects[-1]])
        # (libomp only where the code calls it: --as-needed. oneDNN's OpenMP
        # calls then bind to libomp too, one thread pool. With --openmp gomp
        # the bridge's hidden __kmpc_* definitions take the code's calls to
        # libgomp, which oneDNN runs on as Debian builds it.)
        # Linked next to the output and renamed into place: a failed run
        # never leaves a half-written library.
        library = os.path.join(tmp, "lib.so")
        run(["c++", "-shared", "-o", library, obj] + objects + kernel_libs + [
             "-L" + args.llvm_lib, "-lmlir_c_runner_utils"] +
            # (LLVM's lib directory has a libgomp.so that is libomp: GCC's
            # by its path.)
            ([gcc_libgomp()] if gomp else ["-Wl,--as-needed", "-lomp", "-Wl,--no-as-needed"]) +
            ["-Wl,-rpath," + args.llvm_lib])
        write_atomically(args.output, open(library, "rb").read(), "wb", 0o755)
    write_atomically(header, sources["header"], "w")
    if args.manifest:
        write_atomically(args.manifest,
                         json.dumps({"entries": sources["entries"]}, indent=1) + "\n", "w")
    print("aot-compile: wrote %s and %s (%s)" % (
        args.output, header, ", ".join("entry _mlir_ciface_" + e for e in sources["order"])))


def gcc_libgomp():
    """GCC's libgomp.so (the one Debian's PyTorch and oneDNN run on)."""
    path = subprocess.run(["cc", "-print-file-name=libgomp.so"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    if not os.path.isabs(path):
        sys.exit("aot-compile: --openmp gomp: the C compiler has no libgomp.so")
    return path


def compile_gpu(args, bin_dir, entries):
    lib_dir = os.path.join(args.build, "lib")
    for lib in ("libRevGPUProgram.a", "libRevCudaRuntime.a"):
        if not os.path.exists(os.path.join(lib_dir, lib)):
            sys.exit("aot-compile: %s is missing: the GPU runtime is built only "
                     "when the CUDA toolkit is found at configure time" % lib)
    with tempfile.TemporaryDirectory() as tmp:
        fmt = args.gpu_format
        if fmt == "auto":
            tools = [os.path.join(args.cuda, "bin", t) for t in ("ptxas", "fatbinary")]
            fmt = "fatbin" if all(os.path.exists(t) for t in tools) else "isa"
        args.gpu_format = fmt
        # MLIR's NVVM serializer finds ptxas and fatbinary through CUDA_ROOT.
        if len(entries) > 1:
            sys.exit("aot-compile: a GPU program runs one entry (--entry given %d times)" %
                     len(entries))
        obj, sources = cached_lower_to_object(
            args, bin_dir, tmp,
            ("--rev-lower-gpu=chip=%s format=%s memory=%s %s" %
             (args.chip, fmt, args.gpu_memory, args.gpu_options)).rstrip(),
            ["-O2"], entries + ["--rev-aot-target=gpu"], env=dict(os.environ, CUDA_ROOT=args.cuda))
        entry = sources["order"][0]
        main_c = os.path.join(tmp, "main.c")
        with open(main_c, "w") as f:
            f.write(sources["main"])
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime", "cuda")
        run(["c++", "-O2", "-x", "c", main_c, "-x", "none", obj, "-I" + src,
             "-L" + lib_dir, "-lRevGPUProgram", "-lRevCudaRuntime",
             "-L" + os.path.join(args.cuda, "lib64", "stubs"), "-lcuda",
             "-static-libstdc++", "-static-libgcc", "-o", os.path.join(tmp, "program")])
        write_atomically(args.output, open(os.path.join(tmp, "program"), "rb").read(), "wb",
                         0o755)
    print("aot-compile: wrote %s (GPU program for @%s, %s, %s)" % (
        args.output, entry, args.chip, args.gpu_format))


if __name__ == "__main__":
    main()
