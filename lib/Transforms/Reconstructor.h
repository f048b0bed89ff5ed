//===- Reconstructor.h - rev-reconstruct-activations' rewrite ---*- C++ -*-===//
//
// Internal to rev-reconstruct-activations: the rewrite of a forward/backward
// pair (ReconstructActivations.cpp), the rewritten train_step calls
// (ReconstructCalls.cpp), numerics and explanations (ReconstructExplain.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_TRANSFORMS_RECONSTRUCTOR_H
#define REV_LIB_TRANSFORMS_RECONSTRUCTOR_H

#include "rev/Analysis/Availability.h"
#include "rev/Autodiff/Differentiate.h"
#include "rev/Dialect/Rev/IR/RevOps.h"
#include "rev/Interfaces/InvertibleOpInterface.h"
#include "rev/Transforms/Passes.h"
#include "rev/Utils/RegionUtils.h"
#include "rev/Utils/TosaBuilder.h"
#include "rev/Utils/TypeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"

namespace rev::reconstruct {

using namespace mlir;

using rev::nameOf;

inline DictionaryAttr named(MLIRContext *ctx, StringRef name) {
  return rev::namedAttrs(ctx, name);
}

inline int64_t bytesOf(Type type) { return rev::staticByteSize(type).value_or(0); }

inline bool isCoupling(Operation *op) {
  return isa<rev::CouplingOp, rev::AffineCouplingOp>(op);
}

/// How a forward value is had in the backward.
enum class Avail {
  None,    // not reconstructible, not stored
  Arg,     // a function argument (passed to the backward)
  Static,  // a constant, or a pure function of arguments and constants
  Stored,  // a forward result: an output, or a tape entry kept
  Top,     // a coupling's result the rewrite stores (top of a run)
  Derived, // reconstructed by an inverse
};

struct Node {
  Operation *op = nullptr;              // the inverted op, or
  std::optional<rev::SlicePartition> partition; // the slices of a value
  Operation *needAt = nullptr;          // earliest backward op needing it
};

class Reconstructor {
public:
  Reconstructor(func::FuncOp forward, func::FuncOp backward,
                unsigned checkpointEvery, bool explain, bool numerics,
                bool recompute, unsigned checkDrift = 0)
      : forward(forward), backward(backward), ctx(forward.getContext()),
        checkpointEvery(checkpointEvery), explain(explain), numerics(numerics),
        recompute(recompute), checkDrift(checkDrift),
        classes(forward.getBody().front()) {}

  LogicalResult run(ModuleOp module);

  /// What run() did (the pass's statistics).
  struct Stats {
    unsigned entries = 0, inverses = 0, recomputed = 0;
    int64_t bytes = 0;
  } stats;

private:
  LogicalResult findCalls(ModuleOp module);
  Avail availability(Value v);
  bool isStatic(Value v);
  /// The backward value standing for an available forward value.
  /// (`at`: where a recomputed static value goes.)
  Value backwardValueOf(Value v, Operation *at);
  Value materializeStatic(Value v, Operation *at, IRMapping &local);
  void require(Value v, Operation *point);
  LogicalResult materialize(Node &node);
  void rewriteCalls();
  /// Takes off the tape the entries that cheap ops and reductions rebuild
  /// from the entries that stay (the tops among them), rebuilding them in
  /// the backward; returns their forward values.
  FailureOr<DenseSet<Value>> recomputeFromStored();
  /// Why the forward value `v`, a tape entry, cannot be rebuilt.
  std::string whyStored(Value v);
  /// `attrs` (a tape result's) with rev.kept_because: why `v` stays on the
  /// tape (whyStored; numerics=true keeps rebuilt entries too).
  DictionaryAttr withKeptBecause(DictionaryAttr attrs, Value v);
  /// What `user`'s inverse needs that the backward has neither stored nor
  /// rebuilt ("its results", ...), or null if its inverse can be built.
  const char *inverseBlocker(Operation *user);

  func::FuncOp forward, backward;
  MLIRContext *ctx;
  unsigned checkpointEvery;
  bool explain, numerics, recompute;
  unsigned checkDrift; // (the fewest inverted couplings to check; 0: never)
  func::CallOp fwdCall, bwdCall;
  /// numerics: per reversible block, max |stored - reconstructed| (results
  /// the backward gains, and their names).
  SmallVector<Value> errors;
  SmallVector<std::string> errorNames;
  LogicalResult addReconstructionErrors(
      ArrayRef<std::pair<unsigned, Value>> derivedArgs);
  /// check-drift: where at least checkDrift couplings are inverted, for
  /// each coupling input rebuilt by inversion at the bottom of a run,
  /// stores a fingerprint of it (a tape entry of two numbers) and checks
  /// at run time (rev.check_range) that the rebuilt value's fingerprint
  /// moved by at most kMaxDriftPpm millionths of its norm.
  void addDriftChecks(ArrayRef<Value> replaced);
  /// The subsamples addDriftChecks put on the tape.
  DenseSet<Value> driftSamples;

  // Where each backward argument comes from in the call.
  struct Source {
    enum Kind { FwdResult, FwdArg, Other } kind;
    unsigned index;  // forward result / forward argument
    Value external;  // Other: the call operand
  };
  SmallVector<Source> sources;
  /// Appends a backward argument standing for `source`.
  Value addBackwardArg(Type type, DictionaryAttr attrs, Source source);
  /// Makes the forward return `v` as a new tape entry; returns its index.
  unsigned addTapeResult(Value v);
  /// The tape name of the forward result backward argument source `s` is,
  /// or null (a forward argument, an output).
  StringAttr tapeNameOf(const Source &s);
  /// The tape name of forward result `k`, or null (an output).
  StringAttr tapeNameAt(unsigned k);
  /// Erases the backward's arguments set in `erase`, and their sources.
  LogicalResult eraseBackwardArguments(const llvm::BitVector &erase);
  SmallVector<Value> fwdResults; // the forward's return operands
  SmallVector<DictionaryAttr> fwdResultAttrs;
  SmallVector<int> fwdResultOld; // old index of each result (-1: new)

  DenseMap<Value, Avail> avail;
  rev::ValueClassifier classes; // of the forward, as it was before the rewrite
  DenseMap<Value, Node *> producer; // derived value -> node
  std::vector<std::unique_ptr<Node>> nodes;
  DenseMap<Operation *, Node *> nodeOfOp;
  DenseSet<Operation *> keepInputs; // couplings whose inputs stay stored
  IRMapping toBackward;            // forward value -> backward value
  unsigned nextTape = 0;
};

} // namespace rev::reconstruct

#endif // REV_LIB_TRANSFORMS_RECONSTRUCTOR_H
