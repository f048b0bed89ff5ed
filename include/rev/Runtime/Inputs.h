//===- Inputs.h - arguments for a compiled function -------------*- C++ -*-===//
//
// What a driver (rev-run) binds to a compiled entry's arguments besides
// .npy files: ONNX test data directories and random values, the file names
// of tensors, and the finite-difference check of a reverse-mode derivative.
//
//===----------------------------------------------------------------------===//

#ifndef REV_RUNTIME_INPUTS_H
#define REV_RUNTIME_INPUTS_H

#include "rev/Runtime/Array.h"
#include "rev/Runtime/Runner.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace rev::runtime {

/// A file name for a tensor name (ONNX names may contain '/').
std::string fileNameFor(llvm::StringRef name);

/// ONNX test-data files (<prefix><k>.pb, k = 0, 1, ...) in a directory, with
/// their tensor names; sets `error` (and returns nothing) on a bad file.
std::vector<std::pair<std::string, Array>>
readTestData(llvm::StringRef dir, llvm::StringRef prefix, std::string &error);

/// Uniform random values in [-1, 1) of the spec's float type.
llvm::Expected<Array> randomArray(const TensorSpec &spec, std::mt19937_64 &rng);

/// Where the arguments of a compiled entry come from, in this order: a
/// `<rev.name>.npy` in one of `dirs`, else ONNX test data there
/// (input_<k>.pb: by tensor name, else by the argument's position among
/// `graphInputNames`, the imported model's graph inputs), else the ONNX
/// initializer of that name in `weights`, else (with `randomFloats`, for
/// gradient checks) uniform random values from `seed` (a random int64 for
/// the `dropout_seed`).
struct InputSources {
  std::vector<std::string> dirs;
  std::string weights;
  std::vector<std::string> graphInputNames;
  bool randomFloats = false;
  uint64_t seed = 0;
};

/// A value for every argument of `sig`; an error names the argument with
/// no value (and where it was looked for) or whose value has the wrong
/// type or shape (and where that came from).
llvm::Expected<std::vector<Array>> bindInputs(const EntrySignature &sig,
                                              const InputSources &from);

struct GradientCheckOptions {
  double eps = 0;          // finite-difference step; 0: 1e-6 (f64), 1e-3 (f32)
  double tolerance = 0;    // largest relative error; 0: 1e-6 (f64), 2e-2 (f32)
  unsigned directions = 1; // random directions per argument
  uint64_t seed = 1;
};

/// Compares <grad, v> from `step` (reverse mode: @<f>_vjp_step, built by
/// rev-differentiate with loss=vjp) with (<u, f(a + h v)> - <u, f(a - h v)>)
/// / 2h along random directions v, one argument of `f` at a time, for random
/// cotangents u; prints a line per direction and a summary to `os`. Returns
/// whether every direction is within the tolerance, or an error (a failed
/// call, no float argument the results depend on).
llvm::Expected<bool> checkGradients(JITModule &jit, const EntrySignature &f,
                                    const EntrySignature &step,
                                    std::vector<Array> &inputs,
                                    const GradientCheckOptions &options,
                                    llvm::raw_ostream &os);

} // namespace rev::runtime

#endif // REV_RUNTIME_INPUTS_H
