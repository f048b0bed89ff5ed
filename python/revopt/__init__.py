"""rev-opt from Python.

`revopt.torch.compile(module, example_input, mode="reversible")` turns a
PyTorch module into a module whose forward and backward are compiled by
rev-opt: its backward recomputes activations by inverting the reversible
blocks it finds instead of keeping them (see docs/pytorch.md).

The package finds rev-opt's tools in `$REV_BUILD_DIR/bin`, else in the
`build/` directory of the checkout it lives in.
"""

from ._build import CompileError, build_dir

__all__ = ["CompileError", "build_dir"]
