//===- LowerRandom.cpp - counter-based random numbers to code -------------===//
//
// rev.random_stream %seed[k] becomes the tensor [seed, k]; rev.dropout a
// linalg.generic that draws one Philox4x32-10 word per element (Salmon et
// al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) from the key
// (seed) and the counter (element position, stream), and keeps the element
// when the word's upper 24 bits reach ceil(ratio * 2^24).
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"
#include "rev/Conversion/Passes.h"
#include "rev/Dialect/Rev/IR/RevOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;

namespace rev {
#define GEN_PASS_DEF_REVLOWERRANDOM
#include "rev/Conversion/Passes.h.inc"

} // namespace rev

namespace {

// Philox4x32's round multipliers and key increments (Weyl sequence).
constexpr uint32_t kMultiplier0 = 0xD2511F53u, kMultiplier1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
constexpr int kRounds = 10;

/// Builds scalar i32 arithmetic at one place.
struct Words {
  OpBuilder &b;
  Location loc;

  Value constant(uint32_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                        static_cast<int64_t>(v));
  }
  Value xorOf(Value x, Value y) { return arith::XOrIOp::create(b, loc, x, y); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  /// The low and high 32-bit halves of an i64.
  std::pair<Value, Value> halves(Value v) {
    Value lo = arith::TruncIOp::create(b, loc, b.getI32Type(), v);
    Value shift = arith::ConstantIntOp::create(b, loc, b.getI64Type(), 32);
    Value hi = arith::TruncIOp::create(
        b, loc, b.getI32Type(), arith::ShRUIOp::create(b, loc, v, shift));
    return {lo, hi};
  }

  /// The high and low words of the 64-bit product of two i32 words. (A
  /// product of zero-extended i64s rather than arith.mului_extended, which
  /// the LLVM lowering does not take on the n-D vectors rev-cpu-codegen
  /// makes; LLVM recognizes the pattern: NVPTX emits mul.wide.u32.)
  std::pair<Value, Value> mulHiLo(Value x, Value y) {
    Type i64 = b.getI64Type();
    Value product =
        arith::MulIOp::create(b, loc, arith::ExtUIOp::create(b, loc, i64, x),
                              arith::ExtUIOp::create(b, loc, i64, y));
    auto [lo, hi] = halves(product);
    return {hi, lo};
  }

  /// The first word of Philox4x32-10 of `counter` under `key`.
  Value philoxWord0(std::array<Value, 4> c, std::array<Value, 2> k) {
    Value m0 = constant(kMultiplier0), m1 = constant(kMultiplier1);
    Value w0 = constant(kWeyl0), w1 = constant(kWeyl1);
    for (int round = 0; round < kRounds; ++round) {
      if (round > 0) {
        k[0] = add(k[0], w0);
        k[1] = add(k[1], w1);
      }
      auto [hi0, lo0] = mulHiLo(m0, c[0]);
      auto [hi1, lo1] = mulHiLo(m1, c[2]);
      c = {xorOf(xorOf(hi1, c[1]), k[0]), lo1, xorOf(xorOf(hi0, c[3]), k[1]),
           lo0};
    }
    return c[0];
  }
};

void lowerStream(rev::RandomStreamOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value seed = tensor::ExtractOp::create(b, loc, op.getSeed(), ValueRange{});
  Value stream = arith::ConstantIntOp::create(b, loc, b.getI64Type(),
                                              op.getStreamAttr().getInt());
  Value pair = tensor::FromElementsOp::create(b, loc, op.getType(),
                                              ValueRange{seed, stream});
  op.replaceAllUsesWith(pair);
  op.erase();
}

void lowerDropout(rev::DropoutOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto type = cast<RankedTensorType>(op.getType());
  auto elementType = cast<FloatType>(type.getElementType());
  unsigned rank = type.getRank();
  double ratio = op.getRatio().convertToDouble();
  // Exact: a power-of-two scaling, then ceil.
  auto threshold = static_cast<uint32_t>(std::ceil(std::ldexp(ratio, 24)));
  // 1 / (1 - ratio) in double, rounded to the element type.
  APFloat scaleValue(1.0 / (1.0 - ratio));
  bool lost = false;
  scaleValue.convert(elementType.getFloatSemantics(),
                     APFloat::rmNearestTiesToEven, &lost);

  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), elementType);
  Value streamTensor = op.getStream();
  auto generic = rev::overAll(
      b, loc, op.getInput(), {init}, /*reduce=*/false,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Words w{nb, nloc};
        // The row-major position of the element.
        Value position =
            arith::ConstantIntOp::create(nb, nloc, nb.getI64Type(), 0);
        for (unsigned d = 0; d < rank; ++d) {
          Value size = arith::ConstantIntOp::create(nb, nloc, nb.getI64Type(),
                                                    type.getDimSize(d));
          Value index = arith::IndexCastUIOp::create(
              nb, nloc, nb.getI64Type(), linalg::IndexOp::create(nb, nloc, d));
          position = arith::AddIOp::create(
              nb, nloc, arith::MulIOp::create(nb, nloc, position, size), index);
        }
        auto read = [&](int64_t i) {
          Value at = arith::ConstantIndexOp::create(nb, nloc, i);
          return tensor::ExtractOp::create(nb, nloc, streamTensor,
                                           ValueRange{at})
              .getResult();
        };
        auto [key0, key1] = w.halves(read(0));
        auto [stream0, stream1] = w.halves(read(1));
        auto [position0, position1] = w.halves(position);
        Value word = w.philoxWord0({position0, position1, stream0, stream1},
                                   {key0, key1});
        Value bits = arith::ShRUIOp::create(nb, nloc, word, w.constant(8));
        Value keep = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::uge,
                                           bits, w.constant(threshold));
        Value scaled = arith::MulFOp::create(
            nb, nloc, args[0],
            arith::ConstantFloatOp::create(nb, nloc, elementType, scaleValue));
        Value zero = arith::ConstantFloatOp::create(
            nb, nloc, elementType,
            APFloat::getZero(elementType.getFloatSemantics()));
        Value result = arith::SelectOp::create(nb, nloc, keep, scaled, zero);
        linalg::YieldOp::create(nb, nloc, result);
      });
  op.replaceAllUsesWith(generic.getResult(0));
  op.erase();
}

struct LowerRandomPass : public rev::impl::RevLowerRandomBase<LowerRandomPass> {
  void runOnOperation() override {
    SmallVector<rev::DropoutOp> dropouts;
    SmallVector<rev::RandomStreamOp> streams;
    getOperation()->walk([&](Operation *op) {
      if (auto d = dyn_cast<rev::DropoutOp>(op))
        dropouts.push_back(d);
      else if (auto s = dyn_cast<rev::RandomStreamOp>(op))
        streams.push_back(s);
    });
    for (rev::DropoutOp op : dropouts)
      lowerDropout(op);
    for (rev::RandomStreamOp op : streams)
      lowerStream(op);
  }
};

} // namespace
