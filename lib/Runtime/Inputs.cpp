//===- Inputs.cpp - arguments for a compiled function ---------------------===//

#include "rev/Runtime/Inputs.h"

#include "rev/Dialect/Rev/IR/RevContract.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

namespace rev::runtime {

std::string fileNameFor(llvm::StringRef name) {
  std::string s = name.str();
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

std::vector<std::pair<std::string, Array>>
readTestData(llvm::StringRef dir, llvm::StringRef prefix, std::string &error) {
  std::vector<std::pair<std::string, Array>> out;
  for (int k = 0;; ++k) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, prefix + std::to_string(k) + ".pb");
    if (!llvm::sys::fs::exists(path))
      break;
    std::string name;
    auto a = readTensorProtoFile(path, name);
    if (!a) {
      error = llvm::toString(a.takeError());
      return {};
    }
    out.emplace_back(name, std::move(*a));
  }
  return out;
}

llvm::Expected<Array> randomArray(const TensorSpec &spec,
                                  std::mt19937_64 &rng) {
  auto allocated =
      Array::allocate(spec.dtype, spec.shape, "random '" + spec.name + "'");
  if (!allocated)
    return allocated.takeError();
  Array a = std::move(*allocated);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (int64_t i = 0; i < a.numElements(); ++i) {
    double v = dist(rng);
    if (spec.dtype == DType::F64) {
      std::memcpy(a.data.data() + 8 * i, &v, 8);
    } else {
      float f = static_cast<float>(v);
      std::memcpy(a.data.data() + 4 * i, &f, 4);
    }
  }
  return a;
}

static void setAt(Array &a, int64_t i, double v) {
  if (a.dtype == DType::F64) {
    std::memcpy(a.data.data() + 8 * i, &v, 8);
  } else {
    float f = static_cast<float>(v);
    std::memcpy(a.data.data() + 4 * i, &f, 4);
  }
}

static double dot(const Array &a, const Array &b) {
  double s = 0;
  for (int64_t i = 0; i < a.numElements(); ++i)
    s += a.at(i) * b.at(i);
  return s;
}

llvm::Expected<bool> checkGradients(JITModule &jit, const EntrySignature &f,
                                    const EntrySignature &step,
                                    std::vector<Array> &inputs,
                                    const GradientCheckOptions &options,
                                    llvm::raw_ostream &os) {
  std::mt19937_64 rng(options.seed);
  bool f64 = false;
  for (auto &a : f.args)
    f64 |= a.dtype == DType::F64;
  double h = options.eps ? options.eps : (f64 ? 1e-6 : 1e-3);
  double tol = options.tolerance ? options.tolerance : (f64 ? 1e-6 : 2e-2);
  // Cotangents u for the float results.
  std::vector<Array> cot;
  for (auto &r : f.results) {
    auto u = randomArray(r, rng);
    if (!u)
      return u.takeError();
    cot.push_back(std::move(*u));
  }
  std::vector<const Array *> stepArgs;
  for (Array &a : inputs)
    stepArgs.push_back(&a);
  for (Array &u : cot)
    stepArgs.push_back(&u);
  std::vector<Array> stepOut;
  if (auto err = jit.call(step, stepArgs, stepOut))
    return std::move(err);
  auto evalDot = [&](std::vector<Array> &args, double &out) -> llvm::Error {
    std::vector<const Array *> ptrs;
    for (Array &a : args)
      ptrs.push_back(&a);
    std::vector<Array> ys;
    if (auto err = jit.call(f, ptrs, ys))
      return err;
    out = 0;
    for (size_t r = 0; r < ys.size(); ++r)
      out += dot(cot[r], ys[r]);
    return llvm::Error::success();
  };
  int checks = 0, failures = 0;
  double worst = 0;
  for (size_t r = f.results.size(); r < step.results.size(); ++r) {
    const std::string &gname = step.results[r].name;
    std::string argName = gname.substr(rev::kGradPrefix.size());
    auto it = llvm::find_if(
        f.args, [&](const TensorSpec &s) { return s.name == argName; });
    if (it == f.args.end())
      continue;
    size_t k = it - f.args.begin();
    for (unsigned d = 0; d < options.directions; ++d) {
      auto randomV = randomArray(f.args[k], rng);
      if (!randomV)
        return randomV.takeError();
      Array v = std::move(*randomV);
      double ad = dot(stepOut[r], v);
      std::vector<Array> plus = inputs, minus = inputs;
      for (int64_t i = 0; i < v.numElements(); ++i) {
        setAt(plus[k], i, inputs[k].at(i) + h * v.at(i));
        setAt(minus[k], i, inputs[k].at(i) - h * v.at(i));
      }
      double yp = 0, ym = 0;
      if (auto err = evalDot(plus, yp))
        return std::move(err);
      if (auto err = evalDot(minus, ym))
        return std::move(err);
      double fd = (yp - ym) / (2 * h);
      double scale = std::max({std::fabs(ad), std::fabs(fd), 1e-12});
      double rel = std::fabs(ad - fd) / scale;
      bool ok = rel <= tol || std::fabs(ad - fd) <= 1e-12;
      worst = std::max(worst, rel);
      ++checks;
      failures += !ok;
      os << llvm::format(
          "  %-32s reverse %+.10e  finite diff %+.10e  rel err %.2e %s\n",
          gname.c_str(), ad, fd, rel, ok ? "ok" : "FAIL");
    }
  }
  if (!checks)
    return llvm::createStringError(
        llvm::Twine("no gradient to check (@") + f.function +
        " has no float argument its results depend on)");
  os << "gradient check " << (failures ? "FAILED" : "passed") << ": " << checks
     << " directional derivatives, max rel err " << llvm::format("%.2e", worst)
     << " (tolerance " << llvm::format("%.0e", tol) << ", step "
     << llvm::format("%.0e", h) << ")\n";
  return failures == 0;
}

llvm::Expected<std::vector<Array>> bindInputs(const EntrySignature &sig,
                                              const InputSources &from) {
  const std::string &weights = from.weights;
  std::optional<llvm::StringMap<Array>> initializers;
  if (!weights.empty()) {
    auto inits = readONNXInitializers(weights);
    if (!inits)
      return inits.takeError();
    initializers = std::move(*inits);
  }
  std::vector<std::vector<std::pair<std::string, Array>>> testData;
  for (const std::string &dir : from.dirs) {
    if (!llvm::sys::fs::is_directory(dir))
      return llvm::createStringError("--inputs '" + dir +
                                     "' is not a directory");
    std::string error;
    testData.push_back(readTestData(dir, "input_", error));
    if (!error.empty())
      return llvm::createStringError(error);
  }
  // The position of each argument among the ONNX graph inputs (integer
  // inputs bound at import time are not arguments).
  std::vector<size_t> argPositions;
  {
    const std::vector<std::string> &graphInputNames = from.graphInputNames;
    for (auto &spec : sig.args) {
      auto it = llvm::find(graphInputNames, spec.name);
      argPositions.push_back(
          it == graphInputNames.end()
              ? argPositions.size()
              : static_cast<size_t>(it - graphInputNames.begin()));
    }
  }
  std::mt19937_64 rng(from.seed);
  std::vector<Array> inputs(sig.args.size());
  std::vector<std::string> sources(sig.args.size());
  for (auto [k, spec] : llvm::enumerate(sig.args)) {
    bool found = false;
    std::vector<std::string> looked;
    for (auto [d, dir] : llvm::enumerate(from.dirs)) {
      llvm::SmallString<256> path(dir);
      llvm::sys::path::append(path, fileNameFor(spec.name) + ".npy");
      looked.push_back(path.str().str());
      if (llvm::sys::fs::exists(path)) {
        auto a = readNpy(path);
        if (!a)
          return llvm::createStringError("argument '" + spec.name +
                                         "': " + llvm::toString(a.takeError()));
        inputs[k] = std::move(*a);
        sources[k] = path.str().str();
        found = true;
        break;
      }
      // ONNX test data: by tensor name, else by position.
      for (auto &[name, a] : testData[d])
        if (!name.empty() && name == spec.name) {
          inputs[k] = a;
          sources[k] = dir + "/input_*.pb ('" + name + "')";
          found = true;
          break;
        }
      size_t pos = k < argPositions.size() ? argPositions[k] : k;
      if (!found && pos < testData[d].size() &&
          testData[d][pos].first.empty()) {
        inputs[k] = testData[d][pos].second;
        sources[k] = dir + "/input_" + std::to_string(pos) + ".pb";
        found = true;
      }
      if (found)
        break;
    }
    if (!found && initializers) {
      auto it = initializers->find(spec.name);
      if (it != initializers->end()) {
        inputs[k] = it->second;
        sources[k] = "initializer '" + spec.name + "' of " + weights;
        found = true;
      }
    }
    // A random run's dropout seed: any int64 (the masks it draws stay the
    // same for the run, so finite differences see one function).
    if (!found && from.randomFloats && spec.name == rev::kDropoutSeedName &&
        spec.dtype == DType::I64 && spec.shape.empty()) {
      auto seed = Array::allocate(spec.dtype, spec.shape, "random seed");
      if (!seed)
        return seed.takeError();
      int64_t value = static_cast<int64_t>(rng());
      std::memcpy(seed->data.data(), &value, 8);
      inputs[k] = std::move(*seed);
      sources[k] = "a random seed";
      found = true;
    }
    if (!found && from.randomFloats &&
        (spec.dtype == DType::F32 || spec.dtype == DType::F64)) {
      auto random = randomArray(spec, rng);
      if (!random)
        return random.takeError();
      inputs[k] = std::move(*random);
      sources[k] = "random values";
      found = true;
    }
    if (!found) {
      std::string where =
          looked.empty() ? "" : " (looked for " + llvm::join(looked, ", ");
      if (!where.empty())
        where +=
            initializers ? " and the initializers of " + weights + ")" : ")";
      else if (initializers)
        where = " (not an initializer of " + weights + ")";
      return llvm::createStringError("no value for argument #" +
                                     std::to_string(k) + " '" + spec.name +
                                     "' (" + spec.describe() + ")" + where);
    }
    const Array &a = inputs[k];
    if (a.dtype != spec.dtype || a.shape != spec.shape)
      return llvm::createStringError(
          "argument '" + spec.name + "' must be " + spec.describe() + ", but " +
          sources[k] + " holds " + dtypeName(a.dtype) + " " + a.shapeString());
  }
  return inputs;
}

} // namespace rev::runtime
