// RUN: rev-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

func.func @element_types(%x1: tensor<4xf32>, %x2: tensor<4xf16>) {
  // expected-error @+1 {{x1 and x2 must have the same element type, but have 'f32' and 'f16'}}
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf16>
    f {
    ^bb0(%a: tensor<4xf16>):
      %c = tosa.cast %a : (tensor<4xf16>) -> tensor<4xf32>
      rev.yield %c : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      %c = tosa.cast %b : (tensor<4xf32>) -> tensor<4xf16>
      rev.yield %c : tensor<4xf16>
    }
  return
}

// -----

func.func @f_arity(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  // expected-error @+1 {{F region must take exactly one argument (x2), but takes 2}}
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>, %a2: tensor<4xf32>):
      rev.yield %a : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      rev.yield %b : tensor<4xf32>
    }
  return
}

// -----

func.func @f_arg_type(%x1: tensor<8xf32>, %x2: tensor<2x4xf32>) {
  // expected-error @+1 {{F region argument must have the type of x2 ('tensor<2x4xf32>'), but has type 'tensor<8xf32>'}}
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<8xf32>, tensor<2x4xf32>
    f {
    ^bb0(%a: tensor<8xf32>):
      rev.yield %a : tensor<8xf32>
    } g {
    ^bb0(%b: tensor<8xf32>):
      %s = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
      %r = tosa.reshape %b, %s : (tensor<8xf32>, !tosa.shape<2>) -> tensor<2x4xf32>
      rev.yield %r : tensor<2x4xf32>
    }
  return
}

// -----

func.func @f_yield_type(%x1: tensor<4xf32>, %x2: tensor<8xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<8xf32>
    f {
    ^bb0(%a: tensor<8xf32>):
      // expected-error @+1 {{in the F region: yielded value #0 must have type 'tensor<4xf32>' (F(x2) has the type of x1), but has type 'tensor<8xf32>'}}
      rev.yield %a : tensor<8xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      %r = tosa.concat %b, %b {axis = 0 : i32} : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
      rev.yield %r : tensor<8xf32>
    }
  return
}

// -----

func.func @g_yield_count(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>):
      rev.yield %a : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      // expected-error @+1 {{in the G region must yield 1 value(s) (G(y1) has the type of x2), but yields 2}}
      rev.yield %b, %b : tensor<4xf32>, tensor<4xf32>
    }
  return
}

// -----

func.func @f_reads_x1(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>):
      // expected-error @+1 {{the F region of 'rev.coupling' reads x1 directly; it may depend on the block's inputs only through its argument}}
      %r = tosa.add %a, %x1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      rev.yield %r : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      rev.yield %b : tensor<4xf32>
    }
  return
}

// -----

// Reading a value computed from x1 outside the op breaks the inverse as a
// direct read does.
func.func @f_captures_tanh_x1(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  // expected-note @+1 {{the value is defined here}}
  %t = tosa.tanh %x1 : (tensor<4xf32>) -> tensor<4xf32>
  // expected-error @+1 {{'rev.coupling' op the F region reads a value computed from x1 outside the op; it may depend on the block's inputs only through its argument}}
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>):
      %r = tosa.add %a, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      rev.yield %r : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      rev.yield %b : tensor<4xf32>
    }
  return
}

// -----

// ...through a chain of ops, into a nested region, and from x2 into G.
func.func @g_captures_chain_of_x2(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  %e = tosa.exp %x2 : (tensor<4xf32>) -> tensor<4xf32>
  // expected-note @+1 {{the value is defined here}}
  %t = tosa.tanh %e : (tensor<4xf32>) -> tensor<4xf32>
  // expected-error @+1 {{'rev.coupling' op the G region reads a value computed from x2 outside the op}}
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    f {
    ^bb0(%a: tensor<4xf32>):
      rev.yield %a : tensor<4xf32>
    } g {
    ^bb0(%b: tensor<4xf32>):
      %r = tosa.add %b, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      rev.yield %r : tensor<4xf32>
    }
  return
}

// -----

func.func @affine_captures_x2(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  // expected-note @+1 {{the value is defined here}}
  %s = tosa.sigmoid %x2 : (tensor<4xf32>) -> tensor<4xf32>
  // expected-error @+1 {{'rev.affine_coupling' op the S/T region reads a value computed from x2 outside the op}}
  %y1, %y2 = rev.affine_coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    st {
    ^bb0(%a: tensor<4xf32>):
      rev.yield %s, %a : tensor<4xf32>, tensor<4xf32>
    }
  return
}

// -----

func.func @missing_regions(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
  // expected-error @+1 {{custom op 'rev.coupling' expected 'f'}}
  return
}

// -----

func.func @region_count(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  // expected-error @+1 {{'rev.coupling' op expected 2 regions}}
  %y:2 = "rev.coupling"(%x1, %x2) ({
    ^bb0(%a: tensor<4xf32>):
      rev.yield %a : tensor<4xf32>
    }) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @result_types(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  // expected-error @+1 {{'rev.coupling' op failed to verify that all of {x1, y1} have same type}}
  %y:2 = "rev.coupling"(%x1, %x2) ({
    ^bb0(%a: tensor<4xf32>):
      rev.yield %a : tensor<4xf32>
    }, {
    ^bb0(%b: tensor<4xf32>):
      rev.yield %b : tensor<4xf32>
    }) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<8xf32>, tensor<4xf32>)
  return
}

// -----

func.func @affine_yield_count(%x1: tensor<4xf32>, %x2: tensor<4xf32>) {
  %y1, %y2 = rev.affine_coupling %x1, %x2 : tensor<4xf32>, tensor<4xf32>
    st {
    ^bb0(%a: tensor<4xf32>):
      // expected-error @+1 {{in the S/T region must yield 2 value(s) (S(x1) and T(x1) have the type of x2), but yields 1}}
      rev.yield %a : tensor<4xf32>
    }
  return
}

// -----

func.func @affine_arg(%x1: tensor<4xf32>, %x2: tensor<3xf32>) {
  // expected-error @+1 {{S/T region argument must have the type of x1 ('tensor<4xf32>'), but has type 'tensor<3xf32>'}}
  %y1, %y2 = rev.affine_coupling %x1, %x2 : tensor<4xf32>, tensor<3xf32>
    st {
    ^bb0(%a: tensor<3xf32>):
      rev.yield %a, %a : tensor<3xf32>, tensor<3xf32>
    }
  return
}

// -----

func.func @yield_outside(%x: tensor<4xf32>) {
  // expected-error @+1 {{'rev.yield' op expects parent op to be one of 'rev.coupling, rev.affine_coupling'}}
  rev.yield %x : tensor<4xf32>
}

// -----

func.func @dynamic(%x1: tensor<?xf32>, %x2: tensor<?xf32>) {
  // expected-error @+1 {{x1 and x2 must have static shapes}}
  %y1, %y2 = rev.coupling %x1, %x2 : tensor<?xf32>, tensor<?xf32>
    f {
    ^bb0(%a: tensor<?xf32>):
      rev.yield %a : tensor<?xf32>
    } g {
    ^bb0(%b: tensor<?xf32>):
      rev.yield %b : tensor<?xf32>
    }
  return
}

// -----

func.func @check_empty_range(%i: tensor<3xi64>) -> tensor<3xi64> {
  // expected-error @+1 {{'rev.check_range' op needs lower < upper, got [5, 5)}}
  %c = rev.check_range %i in [5, 5) "indices" : tensor<3xi64>
  return %c : tensor<3xi64>
}

// -----

func.func @check_range_width(%i: tensor<3xi8>) -> tensor<3xi8> {
  // expected-error @+1 {{'rev.check_range' op range [0, 1000) does not fit i8}}
  %c = rev.check_range %i in [0, 1000) "indices" : tensor<3xi8>
  return %c : tensor<3xi8>
}

// -----

func.func @report_empty_range(%a: tensor<i64>, %b: tensor<i64>) {
  // expected-error @+1 {{'rev.report_range' op needs lower < upper, got [3, 2)}}
  rev.report_range 0 : %a, %b in [3, 2) : tensor<i64>
  return
}

// -----

func.func @report_range_width(%a: memref<i8>, %b: memref<i8>) {
  // expected-error @+1 {{'rev.report_range' op range [0, 1000) does not fit i8}}
  rev.report_range 0 : %a, %b in [0, 1000) : memref<i8>
  return
}

// -----

func.func @report_negative_check(%a: tensor<i64>, %b: tensor<i64>) {
  // expected-error @+1 {{'rev.report_range' op check number -1 is negative}}
  rev.report_range -1 : %a, %b in [0, 2) : tensor<i64>
  return
}

// -----

func.func @report_types(%a: tensor<i64>, %b: tensor<i32>) {
  // expected-error @+1 {{'rev.report_range' op failed to verify that all of {min, max} have same type}}
  "rev.report_range"(%a, %b) {lower = 0 : i64, upper = 2 : i64, check = 0 : i64} : (tensor<i64>, tensor<i32>) -> ()
  return
}

// -----

func.func @report_rank(%a: tensor<2xi64>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'rev.report_range' op operand #0 must be}}
  "rev.report_range"(%a, %b) {lower = 0 : i64, upper = 2 : i64, check = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> ()
  return
}

// -----

// (8 + 1 + 1 - 3 = 7 is not a multiple of the stride 2)
func.func @conv_backward_data_inexact(%g: tensor<2x4x4x6xf32>, %w: tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32> {
  // expected-error @+1 {{'rev.conv2d_backward_data' op output size 4 in dimension 1 does not follow from input 8, kernel 3, pads 1+1, stride 2, dilation 1 (the windows must tile the padded input exactly)}}
  %dx = rev.conv2d_backward_data %g, %w {pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<2x4x4x6xf32>, tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32>
  return %dx : tensor<2x8x8x5xf32>
}

// -----

func.func @conv_backward_filter_channels(%x: tensor<2x8x8x4xf32>, %g: tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32> {
  // expected-error @+1 {{'rev.conv2d_backward_filter' op input [2,8,8,4], weight [6,3,3,5] and output [2,4,4,6] are not the shapes of one convolution}}
  %dw = rev.conv2d_backward_filter %x, %g {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<2x8x8x4xf32>, tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32>
  return %dw : tensor<6x3x3x5xf32>
}

// -----

func.func @conv_backward_filter_stride(%x: tensor<2x8x8x5xf32>, %g: tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32> {
  // expected-error @+1 {{'rev.conv2d_backward_filter' op needs pads >= 0, strides >= 1 and dilations >= 1}}
  %dw = rev.conv2d_backward_filter %x, %g {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 0, 2>, dilation = array<i64: 1, 1>} : (tensor<2x8x8x5xf32>, tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32>
  return %dw : tensor<6x3x3x5xf32>
}

// -----

func.func @library_call_callee(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.library_call' op callee 'conv-2d' is not a C identifier's tail ([A-Za-z0-9_]+)}}
  %y = rev.library_call "conv-2d" ins(%x : tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @library_call_mixed(%x: tensor<4xf32>, %b: memref<4xf32>) {
  // expected-error @+1 {{'rev.library_call' op has results (on tensors) or outputs (on buffers), not both nor neither}}
  rev.library_call "relu_f32" ins(%x : tensor<4xf32>)
  return
}

// -----

func.func @library_call_unranked(%x: memref<*xf32>, %y: memref<4xf32>) {
  // expected-error @+1 {{'rev.library_call' op takes ranked tensors or memrefs, got 'memref<*xf32>'}}
  rev.library_call "relu_f32" ins(%x : memref<*xf32>) outs(%y : memref<4xf32>)
  return
}

// -----

func.func @library_call_buffer_input(%x: tensor<4xf32>, %b: memref<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.library_call' op takes tensors only, got an input of type 'memref<4xf32>'}}
  %y = rev.library_call "relu_f32" ins(%x, %b : tensor<4xf32>, memref<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @gpu_library_call_callee(%x: memref<4xf32>, %y: memref<4xf32>) {
  // expected-error @+1 {{'rev.gpu_library_call' op callee 'relu f32' is not a C identifier's tail ([A-Za-z0-9_]+)}}
  rev.gpu_library_call "relu f32" ins(%x : memref<4xf32>) outs(%y : memref<4xf32>)
  return
}

// -----

func.func @conv_backward_data_attrs(%g: tensor<2x4x4x6xf32>, %w: tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32> {
  // expected-error @+1 {{'rev.conv2d_backward_data' op needs 4 pads, 2 strides and 2 dilations}}
  %dx = rev.conv2d_backward_data %g, %w {pad = array<i64: 1, 1>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<2x4x4x6xf32>, tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32>
  return %dx : tensor<2x8x8x5xf32>
}

// -----

func.func @conv_backward_data_rank(%g: tensor<2x4x6xf32>, %w: tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32> {
  // expected-error @+1 {{'rev.conv2d_backward_data' op needs rank-4 tensors (NHWC, [F, KH, KW, C])}}
  %dx = rev.conv2d_backward_data %g, %w {pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<2x4x6xf32>, tensor<6x3x3x5xf32>) -> tensor<2x8x8x5xf32>
  return %dx : tensor<2x8x8x5xf32>
}

// -----

func.func @conv_backward_filter_dynamic(%x: tensor<?x8x8x5xf32>, %g: tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32> {
  // expected-error @+1 {{'rev.conv2d_backward_filter' op needs static shapes}}
  %dw = rev.conv2d_backward_filter %x, %g {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<?x8x8x5xf32>, tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32>
  return %dw : tensor<6x3x3x5xf32>
}

// -----

func.func @conv_backward_filter_types(%x: tensor<2x8x8x5xf16>, %g: tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32> {
  // expected-error @+1 {{'rev.conv2d_backward_filter' op needs one element type}}
  %dw = rev.conv2d_backward_filter %x, %g {pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<2x8x8x5xf16>, tensor<2x4x4x6xf32>) -> tensor<6x3x3x5xf32>
  return %dw : tensor<6x3x3x5xf32>
}

// -----

func.func @coupling_terminator(%x1: tensor<4xf32>, %x2: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.coupling' op F region must end in 'rev.yield'}}
  %y1, %y2 = "rev.coupling"(%x1, %x2) ({
  ^bb0(%a: tensor<4xf32>):
    "test.terminator"(%a) : (tensor<4xf32>) -> ()
  }, {
  ^bb0(%b: tensor<4xf32>):
    rev.yield %b : tensor<4xf32>
  }) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %y1 : tensor<4xf32>
}

// -----

func.func @random_stream_number(%seed: tensor<i64>) -> tensor<2xi64> {
  // expected-error @+1 {{'rev.random_stream' op needs a stream number >= 0, got -1}}
  %s = rev.random_stream %seed[-1] : tensor<i64> -> tensor<2xi64>
  return %s : tensor<2xi64>
}

// -----

func.func @random_stream_type(%seed: tensor<i64>) -> tensor<3xi64> {
  // expected-error @+1 {{'rev.random_stream' op needs a stream of type tensor<2xi64> (seed, stream), got 'tensor<3xi64>'}}
  %s = rev.random_stream %seed[0] : tensor<i64> -> tensor<3xi64>
  return %s : tensor<3xi64>
}

// -----

func.func @dropout_ratio(%x: tensor<4xf32>, %s: tensor<2xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.dropout' op needs a ratio in [0, 1), got 1}}
  %y = rev.dropout %x, %s {ratio = 1.0 : f64} : tensor<4xf32>, tensor<2xi64>
  return %y : tensor<4xf32>
}

// -----

func.func @dropout_stream(%x: tensor<4xf32>, %s: tensor<4xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{'rev.dropout' op needs a stream of type tensor<2xi64> (seed, stream), got 'tensor<4xi64>'}}
  %y = rev.dropout %x, %s {ratio = 0.5 : f64} : tensor<4xf32>, tensor<4xi64>
  return %y : tensor<4xf32>
}
