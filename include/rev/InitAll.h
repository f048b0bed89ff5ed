//===- InitAll.h - register everything rev provides -------------*- C++ -*-===//

#ifndef REV_INITALL_H
#define REV_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace rev {

/// Inserts the rev dialect and the external interface models rev attaches to
/// upstream dialects into `registry`.
void registerRevDialects(mlir::DialectRegistry &registry);

/// Registers rev's passes and pass pipelines with the global registry.
void registerRevPasses();

} // namespace rev

#endif // REV_INITALL_H
