#!/usr/bin/env python3
"""Writes the binary ONNX files of test/Import/ONNX/hostile.test: defects the
textual syntax cannot express (tensor data in raw_data that is shorter than
its dims). Run with Debian's python3 (onnx 1.12); the outputs are committed."""
import os
import sys

import onnx
from onnx import TensorProto, helper

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "..", "test", "Import", "ONNX", "Inputs")


def model(name, nodes, inits):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, name, [x], [y], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(m, os.path.join(out, name + ".onnx"))


# An int64 shape whose raw_data holds 2 of the 16 bytes its dims need: ONNX's
# shape inference reads it (data propagation) past its end.
shape = TensorProto(name="shape", data_type=TensorProto.INT64, dims=[2],
                    raw_data=b"\x03\x00")
model("short-raw-int64", [helper.make_node("Reshape", ["x", "shape"], ["y"])],
      [shape])

# The same defect inside a Constant node's value attribute.
value = TensorProto(name="v", data_type=TensorProto.INT64, dims=[2],
                    raw_data=b"\x03")
model("short-raw-constant", [
    helper.make_node("Constant", [], ["shape"], value=value),
    helper.make_node("Reshape", ["x", "shape"], ["y"])], [])

# A required first input given as '' (the textual syntax cannot write a
# leading empty input).
for op, inputs, attrs in [("Relu", [""], {}), ("MatMul", ["", "x"], {}),
                          ("Where", ["", "x", "x"], {}),
                          ("MaxPool", [""], {"kernel_shape": [2]}),
                          ("Div", ["", "x"], {})]:
    model("empty-" + op, [helper.make_node(op, inputs, ["y"], **attrs)], [])
