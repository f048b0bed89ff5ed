#!/usr/bin/env python3
"""Ahead-of-time compilation: a model (ONNX or MLIR) to a shared library with
a C entry point, and a C header that declares it; or, with --target=gpu, to
a self-contained GPU program.

  utils/aot-compile.py model.onnx -o libmodel.so [--entry NAME]...
                       [--header model.h] [--manifest model.json]
                       [--pass-pipeline PIPELINE]
  utils/aot-compile.py model.onnx --target=gpu -o program [--chip sm_90]
                       [--pass-pipeline PIPELINE]

Steps (each a tool of this project or of Debian's LLVM 22):
  rev-opt INPUT [--pass-pipeline=...] --rev-lower-cpu="generic-alloc=1 threads=N"
  rev-translate --mlir-to-llvmir
  llc -O3 -filetype=obj -relocation-model=pic
  c++ -shared ... -lmlir_c_runner_utils -lomp (libomp: OpenMP, for large
  loops on several threads; set OMP_NUM_THREADS to choose how many)

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
strides[rank]} of a C-ordered array; the caller allocates the results. The
header spells out the descriptor structs and the argument order (with the
`rev.name` of each). `--manifest FILE` also writes them as JSON, for
programs that bind arguments by name (python/revopt):
  {"entries": {"<entry>": {"arguments": [{"name", "dtype", "shape"}, ...],
                           "results": [...], "checks": ["<message>", ...]}}}

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
import io
import json
import os
import platform
import re
import subprocess
import sys
import tempfile

LLVM = "/usr/lib/llvm-22"


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


def cache_key(args, bin_dir, lowering, llc_flags):
    """SHA-256 over the tools' executables, the input and the options."""
    h = hashlib.sha256()
    for part in [os.path.join(bin_dir, t) for t in ("rev-opt", "rev-run", "rev-translate")] + \
            [os.path.join(LLVM, "bin", "llc"), args.input]:
        with open(part, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    for part in [args.pass_pipeline, lowering, " ".join(llc_flags), ",".join(args.entry or []),
                 args.cuda if args.target == "gpu" else "", host_cpu()]:
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def cached_lower_to_object(args, bin_dir, tmp, lowering, llc_flags, env=None):
    """lower_to_object through the compile cache: `<key>.aot.o` and
    `<key>.aot.sig` (rev-run's signature listing and the object's SHA-256)
    in rev-run's cache directory, written atomically; an entry that does not
    verify is reported, removed and rebuilt. --no-cache bypasses it."""
    directory = None if args.no_cache else cache_dir()
    if directory:
        key = cache_key(args, bin_dir, lowering, llc_flags)
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
                return local, parse_signatures(sig)
            print("aot-compile: warning: compile cache entry %s is corrupt: removed, "
                  "compiling again" % obj_path, file=sys.stderr)
            for p in (obj_path, sig_path):
                os.remove(p)
    obj, sig = lower_to_object(args, bin_dir, tmp, lowering, llc_flags, env)
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
    return obj, parse_signatures(sig)


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


def parse_signatures(sig):
    """[(entry, specs, checks)] from rev-run's signature listings (one per
    entry, each starting with its "@<entry>" line): see parse_signature."""
    listings = re.split(r"^(?=@)", sig.strip(), flags=re.M)
    return [parse_signature(l) for l in listings if l.strip()]


def parse_signature(sig):
    """The entry's name, a list of (kind, name, dtype, dims, device) and the
    run-time checks' messages from rev-run's signature listing."""
    lines = sig.strip().splitlines()
    specs, checks = [], []
    for l in lines[1:]:
        m = re.match(r"\s*check\s+(\d+): (.*)$", l)
        if m:
            checks.append(m.group(2))
            continue
        m = re.match(r"\s*(arg|result)\s+(.*): (\w+) \[([0-9,]*)\]( device)?$", l)
        kind, name, dtype, shape, device = m.groups()
        specs.append((kind, name, dtype, [d for d in shape.split(",") if d],
                      device is not None))
    return lines[0].lstrip("@"), specs, checks


def lower_to_object(args, bin_dir, tmp, lowering, llc_flags, env=None):
    """rev-opt (the user's pipeline, then `lowering`) -> LLVM IR -> object
    file. Returns the object's path and rev-run's signature listing."""
    lowered = os.path.join(tmp, "lowered.mlir")
    cmd = [os.path.join(bin_dir, "rev-opt"), args.input]
    if args.pass_pipeline:
        cmd.append("--" + args.pass_pipeline)
    run(cmd + [lowering, "-o", lowered], env=env)
    sig = "".join(
        run([os.path.join(bin_dir, "rev-run"), lowered, "--print-signature", "--no-run"] +
            (["--entry", entry] if entry else []), stdout=subprocess.PIPE, text=True).stdout
        for entry in (args.entry or [None]))
    ll = os.path.join(tmp, "model.ll")
    run([os.path.join(bin_dir, "rev-translate"), "--mlir-to-llvmir", lowered, "-o", ll])
    obj = os.path.join(tmp, "model.o")
    run([os.path.join(LLVM, "bin", "llc")] + llc_flags +
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
    ap.add_argument("--gpu-format", choices=["auto", "isa", "bin", "fatbin"], default="auto",
                    help="gpu: kernels as PTX (isa: compiled by the driver when loaded), cubin "
                         "(bin) or fatbin (cubin + PTX); auto = fatbin when the toolkit's ptxas "
                         "and fatbinary exist, else isa")
    args = ap.parse_args()
    bin_dir = os.path.join(args.build, "bin")
    if args.target == "gpu":
        return compile_gpu(args, bin_dir)

    with tempfile.TemporaryDirectory() as tmp:
        obj, signatures = cached_lower_to_object(
            args, bin_dir, tmp, "--rev-lower-cpu=generic-alloc=1 threads=%d checks=%d%s" % (
                args.threads, 0 if args.no_checks else 1,
                " kernel-library=" + args.kernel_library if args.kernel_library else ""),
            ["-O3", "-mcpu=native"])
        header = args.header or os.path.splitext(args.output)[0] + ".h"
        header_text = header_source(header, signatures)
        # The wrapper rev_<entry>() includes the header: compiled from a copy.
        with open(os.path.join(tmp, os.path.basename(header)), "w") as f:
            f.write(header_text)
        # Library kernels (kernel-library=onednn): RevCPUKernels and oneDNN.
        code = open(obj, "rb").read()
        kernels = b"_mlir_ciface_rev_conv2d_" in code or b"_mlir_ciface_rev_matmul_" in code
        kernel_libs = []
        if kernels:
            archive = os.path.join(args.build, "lib", "libRevCPUKernels.a")
            if not os.path.exists(archive):
                sys.exit("aot-compile: the code calls oneDNN's kernels, but %s is "
                         "missing (build rev-opt with oneDNN, or lower with "
                         "kernel-library=none)" % archive)
            kernel_libs = [archive, "-ldnnl"]
        wrapper = os.path.join(tmp, "wrapper.c")
        with open(wrapper, "w") as f:
            f.write(wrapper_source(os.path.basename(header), signatures, kernels,
                                   args.threads))
        runtime_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                   "runtime", "cpu")
        gomp = args.openmp == "gomp"
        sources = [os.path.join(runtime_dir, c) for c in ("RevChecks.c", "RevAlloc.c")] + \
            [wrapper] + ([os.path.join(runtime_dir, "RevGompBridge.c")] if gomp else [])
        objects = []
        for src in sources:
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
             "-L" + os.path.join(LLVM, "lib"), "-lmlir_c_runner_utils"] +
            # (LLVM's lib directory has a libgomp.so that is libomp: GCC's
            # by its path.)
            ([gcc_libgomp()] if gomp else ["-Wl,--as-needed", "-lomp", "-Wl,--no-as-needed"]) +
            ["-Wl,-rpath," + os.path.join(LLVM, "lib")])
        write_atomically(args.output, open(library, "rb").read(), "wb", 0o755)
    write_atomically(header, header_text, "w")
    if args.manifest:
        write_atomically(args.manifest, manifest_source(signatures), "w")
    print("aot-compile: wrote %s and %s (%s)" % (
        args.output, header, ", ".join("entry _mlir_ciface_" + e for e, _, _ in signatures)))


def gcc_libgomp():
    """GCC's libgomp.so (the one Debian's PyTorch and oneDNN run on)."""
    path = subprocess.run(["cc", "-print-file-name=libgomp.so"], stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    if not os.path.isabs(path):
        sys.exit("aot-compile: --openmp gomp: the C compiler has no libgomp.so")
    return path


def manifest_source(signatures):
    """The entries' arguments, results and run-time checks as JSON."""
    entries = {}
    for entry, specs, checks in signatures:
        listing = {"arguments": [], "results": [], "checks": checks}
        for kind, name, dtype, dims, _ in specs:
            listing["arguments" if kind == "arg" else "results"].append(
                {"name": name, "dtype": dtype, "shape": [int(d) for d in dims]})
        entries[entry] = listing
    return json.dumps({"entries": entries}, indent=1) + "\n"


def c_identifier(name):
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return "_" + ident if ident[0].isdigit() else ident


def c_params(specs):
    """The entry's C parameters ("RevMemRef2 *x") and their names."""
    names = [c_identifier(name) for _, name, _, _, _ in specs]
    return ["RevMemRef%d *%s" % (len(dims), n)
            for (_, _, _, dims, _), n in zip(specs, names)], names


def header_source(header, signatures):
    """The C header: descriptor structs, and for every entry the entry, its
    wrapper and the run-time checks' messages; the status functions."""
    ctypes = {"float32": "float", "float64": "double", "int64": "int64_t",
              "int32": "int32_t", "bool": "bool"}
    with io.StringIO() as f:
        guard = re.sub(r"[^A-Z0-9]", "_", os.path.basename(header).upper())
        f.write("/* Generated by rev-opt's utils/aot-compile.py. */\n")
        f.write("#ifndef %s\n#define %s\n#include <stdbool.h>\n#include <stdint.h>\n\n" % (guard, guard))
        for r in sorted({len(dims) for _, specs, _ in signatures for _, _, _, dims, _ in specs}):
            if r:
                f.write("typedef struct { void *allocated; void *aligned; int64_t offset; "
                        "int64_t sizes[%d]; int64_t strides[%d]; } RevMemRef%d;\n" % (r, r, r))
            else:
                f.write("typedef struct { void *allocated; void *aligned; int64_t offset; } RevMemRef0;\n")
        f.write("\nuint64_t rev_out_of_memory_bytes(void);\n\n")
        f.write("/* Run-time checks: after a call, 1 when one failed (the results are then\n"
                " * not valid), with the check's number and an offending value. */\n"
                "int rev_check_status(int64_t *check, int64_t *value);\n")
        for entry, specs, checks in signatures:
            params, _ = c_params(specs)
            docs = [" *   %-6s %-28s %s[%s]" % (kind, name, ctypes[dtype], ",".join(dims))
                    for kind, name, dtype, dims, _ in specs]
            ident = c_identifier(entry)
            f.write("\n/* @%s. Arguments, then results (allocated by the caller):\n%s\n */\n" % (
                entry, "\n".join(docs)))
            f.write("void _mlir_ciface_%s(%s);\n\n" % (entry, ", ".join(params)))
            f.write("/* The same call with a status: 0, 1 when a run-time check failed (see\n"
                    " * rev_check_status), 2 when an allocation failed (see\n"
                    " * rev_out_of_memory_bytes; the buffers allocated by the call are lost).\n"
                    " * Results are valid only with 0. */\n")
            f.write("int rev_%s(%s);\n" % (ident, ", ".join(params)))
            f.write("/* The same with the descriptors' addresses in an array, in that order\n"
                    " * (for callers through a foreign-function interface). */\n")
            f.write("int rev_%s_packed(void **descriptors);\n" % ident)
            messages = ",\n".join("  \"%s\"" % m.replace("\\", "\\\\").replace('"', '\\"')
                                   for m in checks)
            f.write("static const char *const %s_check_messages[] = {\n%s%s};\n" % (
                ident, messages, "\n" if checks else "  0\n"))
        f.write("\n#endif\n")
        return f.getvalue()


def wrapper_source(header_name, signatures, kernels, threads):
    """rev_<entry>() for every entry: the call, with a jump buffer for a
    failed allocation (runtime/cpu/RevAlloc.c), the run-time checks' status
    and (`kernels`: the code calls library kernels) the kernels' status;
    with `threads` > 0 the kernels use that many threads, as the generated
    loops do."""
    set_threads = ("  rev_kernels_set_num_threads(%d);\n" % threads
                   if kernels and threads > 0 else "")
    source = ("#include <setjmp.h>\n#include \"%s\"\n#include \"RevChecks.h\"\n"
              "#include \"RevKernels.h\"\n\n"
              "void rev_set_jump(jmp_buf *env);\n" % header_name)
    for entry, specs, _ in signatures:
        params, names = c_params(specs)
        source += (
            "\nint rev_%s(%s) {\n"
            "  jmp_buf env;\n"
            "  if (setjmp(env)) {\n    rev_set_jump(0);\n    return 2;\n  }\n"
            "  rev_set_jump(&env);\n"
            "%s"
            "  _mlir_ciface_%s(%s);\n"
            "  rev_set_jump(0);\n"
            "%s"
            "  return rev_check_pending() ? 1 : 0;\n}\n" % (
                c_identifier(entry), ", ".join(params), set_threads, entry, ", ".join(names),
                "  if (rev_kernels_pending())\n    return 3;\n" if kernels else ""))
        source += "\nint rev_%s_packed(void **d) {\n  return rev_%s(%s);\n}\n" % (
            c_identifier(entry), c_identifier(entry),
            ", ".join("d[%d]" % i for i in range(len(specs))))
    return source


def compile_gpu(args, bin_dir):
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
        obj, signatures = cached_lower_to_object(
            args, bin_dir, tmp,
            "--rev-lower-gpu=chip=%s format=%s memory=%s" % (args.chip, fmt, args.gpu_memory),
            ["-O2"], env=dict(os.environ, CUDA_ROOT=args.cuda))
        if len(signatures) != 1:
            sys.exit("aot-compile: a GPU program runs one entry (--entry given %d times)" %
                     len(signatures))
        entry, signature, _ = signatures[0]
        specs, n = [], len(signature)
        for kind, name, dtype, dims, device in signature:
            if len(dims) > 8:
                sys.exit("aot-compile: rank above 8: " + name)
            specs.append('  {"%s", "%s", %d, {%s}, %d, %d},' % (
                name.replace('"', '\\"'), dtype, len(dims), ", ".join(dims) or "0",
                1 if kind == "result" else 0, 1 if device else 0))
        main_c = os.path.join(tmp, "main.c")
        with open(main_c, "w") as f:
            f.write("/* Generated by rev-opt's utils/aot-compile.py --target=gpu. */\n")
            f.write('#include "RevGPUProgram.h"\n\n')
            f.write("void _mlir_ciface_%s(%s);\n\n" % (entry, ", ".join(["void *"] * n)))
            f.write("static const RevTensorSpec specs[] = {\n%s\n};\n\n" % "\n".join(specs))
            f.write("static void call(void **d) {\n  _mlir_ciface_%s(%s);\n}\n\n" % (
                entry, ", ".join("d[%d]" % i for i in range(n))))
            f.write("int main(int argc, char **argv) {\n  return rev_gpu_program_main("
                    "argc, argv, \"%s\", specs, %d, call);\n}\n" % (entry, n))
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
