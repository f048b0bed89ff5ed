//===- LinalgBuilders.h - linalg ops the lowerings build --------*- C++ -*-===//
//
// Internal to lib/Conversion: linalg.generic shapes that several lowering
// passes build (rev-expand-checks, rev-lower-random).
//
//===----------------------------------------------------------------------===//

#ifndef REV_LIB_CONVERSION_LINALGBUILDERS_H
#define REV_LIB_CONVERSION_LINALGBUILDERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace rev {

/// A linalg.generic over every element of `input`: a reduction into 0-d
/// `inits` (`reduce`), or elementwise into `inits` of its shape.
inline mlir::linalg::GenericOp
overAll(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
        mlir::ValueRange inits, bool reduce,
        llvm::function_ref<void(mlir::OpBuilder &, mlir::Location,
                                mlir::ValueRange)>
            body) {
  auto type = mlir::cast<mlir::RankedTensorType>(input.getType());
  unsigned rank = type.getRank();
  mlir::MLIRContext *ctx = b.getContext();
  llvm::SmallVector<mlir::AffineMap> maps{
      mlir::AffineMap::getMultiDimIdentityMap(rank, ctx)};
  maps.append(inits.size(),
              reduce ? mlir::AffineMap::get(rank, 0, ctx)
                     : mlir::AffineMap::getMultiDimIdentityMap(rank, ctx));
  llvm::SmallVector<mlir::utils::IteratorType> iterators(
      rank, reduce ? mlir::utils::IteratorType::reduction
                   : mlir::utils::IteratorType::parallel);
  return mlir::linalg::GenericOp::create(b, loc,
                                         mlir::ValueRange(inits).getTypes(),
                                         input, inits, maps, iterators, body);
}

} // namespace rev

#endif // REV_LIB_CONVERSION_LINALGBUILDERS_H
