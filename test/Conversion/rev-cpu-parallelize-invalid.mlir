// RUN: rev-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(rev-cpu-parallelize))' -verify-diagnostics
// rev-cpu-parallelize runs after bufferization: an scf.forall that still
// has results (tensor shared_outs) cannot become an scf.parallel.

func.func @f(%t: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{rev-cpu-parallelize: cannot turn this scf.forall into a parallel loop (it has results: run the pass after bufferization)}}
  %r = scf.forall (%i) in (4) shared_outs(%o = %t) -> (tensor<4xf32>) {
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %o into %o[0] [4] [1] : tensor<4xf32> into tensor<4xf32>
    }
  }
  return %r : tensor<4xf32>
}
