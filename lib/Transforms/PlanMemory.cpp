//===- PlanMemory.cpp - store or invert each coupling under a budget ------===//
//
// rev-plan-memory: orders the couplings of the function to train by the
// recomputation storing them saves per byte, and stores the longest prefix
// of that order whose estimated training-step peak fits the budget; the
// others are inverted. Candidates are estimated by building them on a copy
// (a module nested in the one being planned, erased afterwards) with the
// rest of rev-train, then rev::estimatePeaks. See the pass's description.
//
//===----------------------------------------------------------------------===//

#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Dialect/Rev/IR/RevOps.h"
#include "rev/Transforms/Passes.h"
#include "rev/Utils/TypeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <limits>
#include <optional>
#include <tuple>

namespace rev {
#define GEN_PASS_DEF_REVPLANMEMORY
#include "rev/Transforms/Passes.h.inc"
} // namespace rev

using namespace mlir;

namespace {

/// Multiply-adds (or elements, for other ops) of computing `op`'s results.
double costOf(Operation *op) {
  auto elements = [](Value v) -> double {
    auto type = dyn_cast<ShapedType>(v.getType());
    return type && type.hasStaticShape() ? type.getNumElements() : 0;
  };
  double out = 0;
  for (Value r : op->getResults())
    out += elements(r);
  if (isa<tosa::Conv2DOp, tosa::Conv3DOp, tosa::TransposeConv2DOp>(op)) {
    // Weight [Co, kh, kw, Ci]: each output element costs kh * kw * Ci.
    auto weight = dyn_cast<ShapedType>(op->getOperand(1).getType());
    if (weight && weight.hasStaticShape() && weight.getDimSize(0) > 0)
      return out * (weight.getNumElements() / weight.getDimSize(0));
  }
  if (isa<tosa::DepthwiseConv2DOp>(op)) {
    // Weight [kh, kw, C, M]: each output element costs kh * kw.
    auto weight = dyn_cast<ShapedType>(op->getOperand(1).getType());
    if (weight && weight.hasStaticShape() && weight.getRank() == 4)
      return out * weight.getDimSize(0) * weight.getDimSize(1);
  }
  if (auto matmul = dyn_cast<tosa::MatMulOp>(op)) {
    // [N, H, C] x [N, C, W]: each output element costs C.
    auto a = dyn_cast<ShapedType>(matmul.getA().getType());
    if (a && a.hasStaticShape() && a.getRank() == 3)
      return out * a.getDimSize(2);
  }
  return out;
}

/// What storing a coupling trades: the recomputation of its F and G (or S
/// and T) that inverting it costs, and the bytes their results take.
struct CouplingInfo {
  Operation *op;
  double cost = 0;
  double bytes = 0;
};

CouplingInfo describe(Operation *op) {
  CouplingInfo info{op};
  for (Region &region : op->getRegions())
    region.walk([&](Operation *nested) {
      if (nested->hasTrait<OpTrait::ConstantLike>() ||
          nested->hasTrait<OpTrait::IsTerminator>())
        return;
      info.cost += costOf(nested);
      for (Value r : nested->getResults())
        info.bytes += rev::staticByteSize(r.getType()).value_or(0);
    });
  return info;
}

/// "64MB", "1.5GiB", "1000000" -> bytes; "auto" -> MemAvailable.
FailureOr<int64_t> parseBudget(StringRef text, std::string &error) {
  StringRef s = text.trim();
  if (s == "auto") {
    auto meminfo = llvm::MemoryBuffer::getFileAsStream("/proc/meminfo");
    if (meminfo) {
      StringRef rest = (*meminfo)->getBuffer();
      while (!rest.empty()) {
        auto [line, next] = rest.split('\n');
        rest = next;
        if (!line.consume_front("MemAvailable:"))
          continue;
        line = line.trim();
        uint64_t kib;
        if (!line.consumeInteger(10, kib) && line.trim() == "kB")
          return static_cast<int64_t>(kib * 1024);
      }
    }
    error = "memory-budget=auto: this machine's available memory is not "
            "known (no MemAvailable in /proc/meminfo); give a number of bytes";
    return failure();
  }
  // The number, then its unit.
  size_t end = s.find_first_not_of("0123456789.");
  StringRef number = s.take_front(end), unit = s.drop_front(number.size());
  double value;
  if (number.empty() || number.getAsDouble(value) || value <= 0) {
    error = ("memory-budget='" + text +
             "': expected a positive number of bytes with an optional unit "
             "(K, M, G, KiB, MiB, GiB) or auto")
                .str();
    return failure();
  }
  unit = unit.trim();
  if (unit.size() > 1 && unit.ends_with_insensitive("b") &&
      !unit.ends_with_insensitive("ib"))
    unit = unit.drop_back();
  else if (unit.equals_insensitive("b"))
    unit = "";
  double scale = llvm::StringSwitch<double>(unit.lower())
                     .Case("", 1)
                     .Case("k", 1e3)
                     .Case("m", 1e6)
                     .Case("g", 1e9)
                     .Case("kib", 1024.0)
                     .Case("mib", 1024.0 * 1024)
                     .Case("gib", 1024.0 * 1024 * 1024)
                     .Default(0);
  if (scale == 0 || value * scale > 9.0e18) {
    error = ("memory-budget='" + text +
             "': unknown unit or too large; use K, M, G (powers of 1000), "
             "KiB, MiB, GiB (powers of 1024)")
                .str();
    return failure();
  }
  return static_cast<int64_t>(value * scale);
}

/// "0: 100, 2: 150" for the candidates estimated, by number stored.
std::string candidates(const DenseMap<unsigned, int64_t> &estimates) {
  SmallVector<std::pair<unsigned, int64_t>> sorted(estimates.begin(),
                                                   estimates.end());
  llvm::sort(sorted);
  std::string out;
  for (auto [k, peak] : sorted)
    out += (out.empty() ? "" : ", ") + std::to_string(k) + ": " +
           std::to_string(peak);
  return out;
}

/// "123 bytes", or "12345678 bytes (12.35 MB)" from a megabyte on.
std::string bytesText(int64_t bytes) {
  std::string text = std::to_string(bytes) + " bytes";
  if (bytes >= 1000000)
    text += llvm::formatv(" ({0:F2} MB)", bytes / 1e6).str();
  return text;
}

struct RevPlanMemoryPass
    : public rev::impl::RevPlanMemoryBase<RevPlanMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (mode != "reversible") {
      emitError(module.getLoc())
          << "memory-budget plans a reversible step (each "
             "coupling stored or inverted); it does not "
             "combine with mode="
          << mode;
      return signalPassFailure();
    }
    std::string error;
    FailureOr<int64_t> limit = parseBudget(budget, error);
    if (failed(limit)) {
      emitError(module.getLoc()) << "rev-plan-memory: " << error;
      return signalPassFailure();
    }
    func::FuncOp target =
        rev::findTrainedFunction(module, function, "rev-plan-memory");
    if (!target)
      return signalPassFailure();

    // The couplings of the trained function, in forward order (a plan
    // made before is replaced).
    SmallVector<CouplingInfo> couplings;
    for (Operation &op : target.getBody().front())
      if (isa<rev::CouplingOp, rev::AffineCouplingOp>(op)) {
        op.removeAttr(rev::kStoreAttr);
        couplings.push_back(describe(&op));
      }
    // Storing order: most recomputation saved per byte first; later
    // couplings first among equals (their activations are freed first).
    SmallVector<unsigned> order(couplings.size());
    for (unsigned i = 0; i < order.size(); ++i)
      order[i] = i;
    llvm::stable_sort(order, [&](unsigned a, unsigned b) {
      double ra = couplings[a].cost / std::max(1.0, couplings[a].bytes);
      double rb = couplings[b].cost / std::max(1.0, couplings[b].bytes);
      if (ra != rb)
        return ra > rb;
      return a > b;
    });

    // estimate(k): the peak with the first k couplings of `order` stored
    // (and with `segments`, the non-invertible segments recomputed).
    DenseMap<unsigned, int64_t> estimates;
    bool segments = false;
    auto estimate = [&](unsigned k) -> FailureOr<int64_t> {
      auto it = estimates.find(k);
      if (it != estimates.end())
        return it->second;
      SmallVector<bool> store(couplings.size(), false);
      for (unsigned i = 0; i < k; ++i)
        store[order[i]] = true;
      FailureOr<int64_t> peak = build(module, target, store, segments);
      if (succeeded(peak))
        estimates[k] = *peak;
      return peak;
    };

    // One tier: the most couplings stored whose plan fits, if any. Storing
    // usually costs memory (each stored coupling adds its activations to
    // the tape), but on small steps an inverted coupling's backward can
    // hold more than a stored one's, so both ends are tried: all stored
    // (least recomputation) if it fits, else none stored and a binary
    // search between (a prefix that fits, not always the longest).
    unsigned n = couplings.size();
    // (`found`: how many to store, or none if no prefix fits.)
    std::optional<unsigned> found;
    auto searchTier = [&]() -> LogicalResult {
      found.reset();
      // (Both ends are built, so the plan can tell the smallest estimate.)
      FailureOr<int64_t> all = estimate(n), none = estimate(0);
      if (failed(all) || failed(none))
        return failure();
      if (*all <= *limit) {
        found = n;
        return success();
      }
      if (*none > *limit)
        return success(); // no prefix fits
      unsigned lo = 0, hi = n;
      while (hi - lo > 1) {
        unsigned mid = lo + (hi - lo) / 2;
        FailureOr<int64_t> peak = estimate(mid);
        if (failed(peak))
          return failure();
        (*peak <= *limit ? lo : hi) = mid;
      }
      found = lo;
      return success();
    };
    // The smallest estimate seen, and what it stored, for the error.
    int64_t minimum = std::numeric_limits<int64_t>::max();
    unsigned minimumStored = 0;
    bool minimumSegments = false;
    auto noteMinimum = [&]() {
      for (auto [k, peak] : estimates)
        if (peak < minimum) {
          std::tie(minimum, minimumStored) = std::make_pair(peak, k);
          minimumSegments = segments;
        }
    };
    if (failed(searchTier()))
      return signalPassFailure();
    noteMinimum();
    if (!found && recomputeSegments) {
      // No plan fits: also recompute what the couplings do not rebuild (a
      // stem, the strided transitions) from their inputs.
      segments = true;
      estimates.clear();
      if (failed(searchTier()))
        return signalPassFailure();
      noteMinimum();
    }
    if (!found) {
      // (At the function's location, without printing the function.)
      InFlightDiagnostic diag = emitError(target.getLoc());
      diag << "memory budget of " << bytesText(*limit)
           << " is below the estimated peak of every plan of this training "
              "step; the smallest, "
           << bytesText(minimum);
      if (n > 0)
        diag << ", stores " << minimumStored << " of " << n << " couplings";
      if (minimumSegments)
        diag << (n > 0 ? " and" : ",")
             << " recomputes the non-invertible segments";
      diag << ": the smallest feasible budget is " << minimum << " bytes";
      return signalPassFailure();
    }
    unsigned stored = *found;

    Builder b(&getContext());
    for (unsigned i = 0; i < stored; ++i)
      couplings[order[i]].op->setAttr(rev::kStoreAttr, b.getUnitAttr());
    target->setAttr(
        rev::kMemoryPlanAttr,
        b.getDictionaryAttr({
            b.getNamedAttr("budget", b.getI64IntegerAttr(*limit)),
            b.getNamedAttr("estimated_peak",
                           b.getI64IntegerAttr(estimates.lookup(stored))),
            b.getNamedAttr("minimum_peak", b.getI64IntegerAttr(minimum)),
            b.getNamedAttr("couplings", b.getI64IntegerAttr(couplings.size())),
            b.getNamedAttr("stored", b.getI64IntegerAttr(stored)),
            b.getNamedAttr(rev::kRecomputeSegmentsKey,
                           b.getI64IntegerAttr(segments)),
        }));
    if (!explain)
      return;
    for (const CouplingInfo &c : couplings)
      emitRemark(c.op->getLoc())
          << "memory plan: "
          << (c.op->hasAttr(rev::kStoreAttr) ? "stored" : "inverted")
          << " (F and G: " << llvm::formatv("{0:E2}", c.cost)
          << " multiply-adds, " << bytesText(static_cast<int64_t>(c.bytes))
          << " of results)";
    emitRemark(target.getLoc())
        << "memory plan: " << stored << " of " << couplings.size()
        << " couplings stored"
        << (segments ? ", non-invertible segments recomputed" : "")
        << ", estimated peak " << estimates.lookup(stored)
        << " bytes for a budget of " << *limit
        << " (the smallest plan estimated: " << minimum
        << "; candidates built, couplings stored: peak: "
        << candidates(estimates) << ")";
  }

  /// Builds the training step with the couplings in `store` stored, on a
  /// copy nested in `module`, and returns @train_step's estimated peak.
  FailureOr<int64_t> build(ModuleOp module, func::FuncOp target,
                           ArrayRef<bool> store, bool segments) {
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    auto scratch = ModuleOp::create(b, module.getLoc());
    scratch->setAttrs(module->getAttrDictionary());
    IRMapping mapping;
    OpBuilder into = OpBuilder::atBlockEnd(scratch.getBody());
    for (Operation &op : module.getBody()->without_terminator()) {
      if (&op == scratch.getOperation())
        continue;
      Operation *copy = into.clone(op, mapping);
      if (&op != target.getOperation())
        continue;
      // The couplings of the copy, in the same order.
      unsigned i = 0;
      for (Operation &nested : cast<func::FuncOp>(copy).getBody().front())
        if (isa<rev::CouplingOp, rev::AffineCouplingOp>(nested)) {
          if (store[i])
            nested.setAttr(rev::kStoreAttr, into.getUnitAttr());
          ++i;
        }
    }
    OpPassManager pm(ModuleOp::getOperationName());
    rev::RevDifferentiateOptions diff;
    diff.loss = loss;
    diff.function = function;
    diff.wrt.assign(wrt.begin(), wrt.end());
    diff.recomputeElementwise = recomputeElementwise;
    diff.recomputeSegments = segments;
    rev::RevReconstructActivationsOptions reconstruct;
    reconstruct.checkpointEvery = checkpointEvery;
    rev::buildTrainStepPipeline(pm, diff, reconstruct, /*expandMarked=*/true);
    // The candidate's remarks are not the plan's (errors still show).
    ScopedDiagnosticHandler quiet(&getContext(), [](Diagnostic &d) {
      return success(d.getSeverity() != DiagnosticSeverity::Error);
    });
    FailureOr<int64_t> peak = failure();
    if (succeeded(runPipeline(pm, scratch))) {
      llvm::StringMap<int64_t> peaks =
          rev::estimatePeaks(scratch, /*modelLowering=*/true);
      // (rev-differentiate names the step it builds @train_step)
      assert(peaks.count("train_step") && "a candidate without @train_step");
      peak = peaks.lookup("train_step");
    }
    scratch.erase();
    return peak;
  }
};

} // namespace
