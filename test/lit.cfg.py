# -*- Python -*-
# lit configuration for rev-opt's regression and integration tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "REV"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.rev_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%llvm_lib_dir", config.llvm_lib_dir))
config.substitutions.append(("%rev_lib_dir", config.rev_lib_dir))
config.substitutions.append(("%rev_src_root", config.rev_src_root))
config.substitutions.append(("%python", config.python_executable))
# python/revopt with this build's tools.
config.substitutions.append(
    ("%revopt_python", "env PYTHONPATH=%s REV_BUILD_DIR=%s %s" % (
        os.path.join(config.rev_src_root, "python"), config.rev_obj_root,
        config.python_executable)))
config.substitutions.append(
    ("%rev_plugin", os.path.join(config.rev_lib_dir, "RevPlugin.so")))
config.substitutions.append(
    ("%mlir_runner_utils",
     os.path.join(config.llvm_lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(
    ("%mlir_c_runner_utils",
     os.path.join(config.llvm_lib_dir, "libmlir_c_runner_utils.so")))

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.rev_tools_dir, append_path=True)
llvm_config.use_default_substitutions()
llvm_config.with_system_environment(["HOME", "TMPDIR", "TMP", "TEMP"])
# rev-run's compile cache in the build tree, not in the user's cache: tests
# that compile the same module share it, and a rebuilt rev-run (another key)
# never reuses old code.
config.environment["REV_CACHE_DIR"] = os.path.join(config.test_exec_root,
                                                   "compile-cache")

tool_dirs = [config.rev_tools_dir, config.llvm_tools_dir]
tools = [
    "rev-opt",
    "rev-translate",
    "rev-run",
    "split-file",
    # Debian's own upstream tools, for the plugin and upstream-pipeline tests.
    ToolSubst("%mlir-opt", os.path.join(config.llvm_tools_dir, "mlir-opt")),
    ToolSubst("%mlir-runner", os.path.join(config.llvm_tools_dir, "mlir-runner")),
    ToolSubst("%mlir-translate",
              os.path.join(config.llvm_tools_dir, "mlir-translate")),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

if config.ptxas and os.path.exists(config.ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.ptxas))

if config.have_onednn:
    config.available_features.add("onednn")

if config.have_cuda_runtime:
    config.available_features.add("cuda-runtime")
    # A folder with CUDA's driver stub as libcuda.so.1: GPU programs start
    # (and fail cleanly in cuInit) on a machine without the NVIDIA driver.
    stub_dir = os.path.join(config.rev_obj_root, "test", "cuda-stub")
    os.makedirs(stub_dir, exist_ok=True)
    stub_link = os.path.join(stub_dir, "libcuda.so.1")
    # (ctest runs several lit processes at once: one of them makes the link)
    try:
        os.symlink(config.cuda_stub, stub_link)
    except FileExistsError:
        pass
    config.substitutions.append(("%cuda_stub_dir", stub_dir))
# A usable NVIDIA GPU and driver (CI has none).
import shutil
import subprocess
if shutil.which("nvidia-smi") and subprocess.run(
        ["nvidia-smi", "-L"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0:
    config.available_features.add("cuda-device")

config.substitutions.append(("%rev_obj_root", config.rev_obj_root))
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")

try:
    import numpy  # noqa: F401
    config.available_features.add("numpy")
except ImportError:
    pass
config.excludes.append("Package")

# The fuzz targets (a build with -DREV_FUZZ=ON): test/Fuzz replays the inputs
# that once crashed them.
if os.path.exists(os.path.join(config.rev_tools_dir, "fuzz-onnx-import")):
    config.available_features.add("fuzzers")

# A sanitized build (REV_SANITIZE): rev's code is instrumented, the programs
# that load it are not always (mlir-opt with the plugin, GPU programs linked
# by aot-compile.py): those tests are unsupported there.
if config.rev_sanitize:
    config.available_features.add("sanitizers")
    # The out-of-memory tests need malloc to fail, not ASan to abort.
    config.environment["ASAN_OPTIONS"] = "allocator_may_return_null=1"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1"
