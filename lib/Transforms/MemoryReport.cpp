//===- MemoryReport.cpp - tape bytes and estimated peaks ------------------===//
//
// rev-memory-report: per function, the bytes of the tape (the forward's
// results named tape.<n>) and the estimated peak of live tensor bytes
// (rev::PeakEstimator, after rev-rematerialize on a copy), tape entries
// grouped by the block of the model they come from (the ONNX node names'
// first two path components, e.g. /stage1/stage1.0).
//
//===----------------------------------------------------------------------===//

#include "rev/Analysis/MemoryEstimate.h"
#include "rev/Autodiff/Differentiate.h"
#include "rev/Dialect/Rev/IR/RevContract.h"
#include "rev/Transforms/Passes.h"
#include "rev/Utils/TypeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <map>

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVMEMORYREPORT
#include "rev/Transforms/Passes.h.inc"
} // namespace rev

namespace {

/// Sizes are checked for overflow before the report is built.
int64_t bytesOf(Type type) { return rev::staticByteSize(type).value_or(0); }

/// A tensor whose size does not fit in int64 would be counted as garbage.
LogicalResult checkSizes(ModuleOp module) {
  WalkResult walk = module.walk([](Operation *op) {
    auto tooLarge = [&](Type t) { return !rev::staticByteSize(t); };
    for (Value v : op->getResults())
      if (tooLarge(v.getType())) {
        op->emitError() << "a result of type " << v.getType()
                        << " has more bytes than fit in 64 bits";
        return WalkResult::interrupt();
      }
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument a : block.getArguments())
          if (tooLarge(a.getType())) {
            op->emitError() << "an argument of type " << a.getType()
                            << " has more bytes than fit in 64 bits";
            return WalkResult::interrupt();
          }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

/// The model block a location belongs to: the first two components of an
/// ONNX node name ("/stage1/stage1.0/f/f.0/Conv" -> "/stage1/stage1.0").
std::string blockOf(Location loc, Location functionLoc) {
  if (loc == functionLoc)
    return "(no node: loss)";
  std::string name;
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l)) {
      name = n.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (name.empty())
    return "(no name)";
  StringRef s(name);
  s = s.split(" (").first; // drop the op type
  if (!s.starts_with("/"))
    return s.str();
  SmallVector<StringRef> parts;
  s.drop_front().split(parts, '/');
  if (parts.size() <= 1)
    return "/" + parts.front().str();
  // The node itself is the last component: keep up to two module levels.
  size_t keep = std::min<size_t>(2, parts.size() - 1);
  std::string block;
  for (size_t i = 0; i < keep; ++i)
    block += "/" + parts[i].str();
  return block;
}

struct FunctionReport {
  std::string name;
  int64_t argumentBytes = 0, resultBytes = 0, peakBytes = 0;
  int64_t tapeEntries = 0, tapeBytes = 0;
  bool isForward = false;
  std::map<std::string, std::pair<int64_t, int64_t>> tapeByBlock;
  /// Per block, why its entries stay (rev.kept_because, reversible steps):
  /// reason -> (entries, bytes), in first-seen order.
  std::map<std::string,
           std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>>>
      keptByBlock;
  std::vector<std::string> blockOrder;
  DictionaryAttr plan; // rev.memory_plan, if rev-plan-memory made one
};

FunctionReport report(func::FuncOp func,
                      const llvm::StringMap<int64_t> &peaks) {
  FunctionReport r;
  r.name = func.getSymName().str();
  for (Type t : func.getArgumentTypes())
    r.argumentBytes += bytesOf(t);
  for (Type t : func.getResultTypes())
    r.resultBytes += bytesOf(t);
  r.peakBytes = peaks.lookup(func.getSymName());
  r.isForward = static_cast<bool>(func->getAttr(rev::kBackwardAttr));
  // (The forward and backward the plan was for inherit its attribute.)
  if (!func->hasAttr(rev::kBackwardAttr) && !func->hasAttr(rev::kForwardAttr))
    r.plan = func->getAttrOfType<DictionaryAttr>(rev::kMemoryPlanAttr);
  if (!r.isForward || func.isExternal())
    return r;
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    auto name = func.getResultAttrOfType<StringAttr>(i, rev::kNameAttr);
    if (!name || !rev::isTapeName(name.getValue()))
      continue;
    Value v = ret.getOperand(i);
    int64_t bytes = bytesOf(v.getType());
    ++r.tapeEntries;
    r.tapeBytes += bytes;
    std::string block = blockOf(v.getLoc(), func.getLoc());
    auto &entry = r.tapeByBlock[block];
    if (entry.first == 0)
      r.blockOrder.push_back(block);
    entry.first += 1;
    entry.second += bytes;
    if (auto why =
            func.getResultAttrOfType<StringAttr>(i, rev::kKeptBecauseAttr)) {
      auto &reasons = r.keptByBlock[block];
      auto it = llvm::find_if(
          reasons, [&](const auto &e) { return e.first == why.getValue(); });
      if (it == reasons.end())
        it = reasons.insert(reasons.end(), {why.getValue().str(), {0, 0}});
      it->second.first += 1;
      it->second.second += bytes;
    }
  }
  return r;
}

struct RevMemoryReportPass
    : public rev::impl::RevMemoryReportBase<RevMemoryReportPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkSizes(module)))
      return signalPassFailure();
    llvm::StringMap<int64_t> peaks = rev::estimatePeaks(module, modelLowering);
    std::vector<FunctionReport> reports;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        reports.push_back(report(func, peaks));

    if (!quiet) {
      llvm::raw_ostream &os = llvm::errs();
      os << "rev-memory-report: tape and estimated peak of live tensor bytes\n";
      os << llvm::formatv("  {0,-28} {1,12} {2,14} {3,16}\n", "function",
                          "tape entries", "tape bytes", "est. peak bytes");
      for (const FunctionReport &r : reports)
        os << llvm::formatv("  {0,-28} {1,12} {2,14} {3,16}\n", "@" + r.name,
                            r.isForward ? std::to_string(r.tapeEntries) : "-",
                            r.isForward ? std::to_string(r.tapeBytes) : "-",
                            r.peakBytes);
      for (const FunctionReport &r : reports) {
        if (!r.plan)
          continue;
        auto get = [&](StringRef key) {
          auto v = r.plan.getAs<IntegerAttr>(key);
          return v ? v.getInt() : int64_t(0);
        };
        os << llvm::formatv("  memory plan of @{0}: {1} of {2} couplings "
                            "stored (the rest inverted{6}), estimated peak "
                            "{3} bytes for a budget of {4} (smallest: {5})\n",
                            r.name, get("stored"), get("couplings"),
                            get("estimated_peak"), get("budget"),
                            get("minimum_peak"),
                            get(rev::kRecomputeSegmentsKey)
                                ? ", non-invertible segments recomputed"
                                : "");
      }
      for (const FunctionReport &r : reports) {
        if (!r.isForward || r.blockOrder.empty())
          continue;
        os << "  tape of @" << r.name << " by block:\n";
        for (const std::string &block : r.blockOrder) {
          auto [n, bytes] = r.tapeByBlock.at(block);
          os << llvm::formatv("    {0,-40} {1,6} {2,14}\n", block, n, bytes);
          auto kept = r.keptByBlock.find(block);
          if (kept != r.keptByBlock.end())
            for (const auto &[why, count] : kept->second)
              os << llvm::formatv("      {0} x {1}\n", count.first, why);
        }
      }
    }

    if (json.empty())
      return;
    llvm::json::Array functions;
    for (const FunctionReport &r : reports) {
      llvm::json::Object f{{"name", r.name},
                           {"argument_bytes", r.argumentBytes},
                           {"result_bytes", r.resultBytes},
                           {"estimated_peak_bytes", r.peakBytes}};
      if (r.plan) {
        llvm::json::Object plan;
        for (NamedAttribute a : r.plan)
          if (auto v = dyn_cast<IntegerAttr>(a.getValue()))
            plan[a.getName().strref()] = v.getInt();
        f["memory_plan"] = std::move(plan);
      }
      if (r.isForward) {
        f["tape_entries"] = r.tapeEntries;
        f["tape_bytes"] = r.tapeBytes;
        llvm::json::Array blocks;
        for (const std::string &block : r.blockOrder) {
          auto [n, bytes] = r.tapeByBlock.at(block);
          llvm::json::Object b{
              {"block", block}, {"tape_entries", n}, {"tape_bytes", bytes}};
          auto kept = r.keptByBlock.find(block);
          if (kept != r.keptByBlock.end()) {
            llvm::json::Array reasons;
            for (const auto &[why, count] : kept->second)
              reasons.push_back(
                  llvm::json::Object{{"kept_because", why},
                                     {"tape_entries", count.first},
                                     {"tape_bytes", count.second}});
            b["kept"] = std::move(reasons);
          }
          blocks.push_back(std::move(b));
        }
        f["tape_by_block"] = std::move(blocks);
      }
      functions.push_back(std::move(f));
    }
    std::string error;
    auto out = openOutputFile(json, &error);
    if (!out) {
      module.emitError() << "rev-memory-report: " << error;
      return signalPassFailure();
    }
    out->os() << llvm::formatv(
                     "{0:2}", llvm::json::Value(llvm::json::Object{
                                  {"functions", std::move(functions)}}))
              << "\n";
    out->keep();
  }
};

} // namespace

/// rev-rematerialize's budget of ops per recomputation in the model: the
/// lowering runs it with 4 on fused elementwise loops, each of which is
/// several TOSA ops.
static constexpr unsigned kModelledRematerializeOps = 8;

llvm::StringMap<int64_t> rev::estimatePeaks(ModuleOp module,
                                            bool modelLowering) {
  OwningOpRef<ModuleOp> copy;
  if (modelLowering) {
    copy = module.clone();
    module = *copy;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        rematerialize(func.getBody().front(), kModelledRematerializeOps);
  }
  rev::PeakEstimator estimator(module);
  llvm::StringMap<int64_t> peaks;
  for (auto func : module.getOps<func::FuncOp>())
    peaks[func.getSymName()] = estimator.peakOfFunction(func);
  return peaks;
}
