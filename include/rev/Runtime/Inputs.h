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
