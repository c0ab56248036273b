"""Weight-only int8 quantization of an exported ONNX graph.

Every large weight (MatMul/Gemm right-hand side, Conv kernel, Gather table)
is stored as int8 with one float scale per output channel (symmetric,
zero point 0) and a DequantizeLinear node restores it to float32 inside the
graph. Activations stay float32, so any execution provider that runs the
float graph runs this one (DequantizeLinear is a standard op since opset
10, per-axis since 13), and the file is about 4x smaller.
"""
from __future__ import annotations

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import helper, numpy_helper

MIN_ELEMENTS = 1024  # smaller tensors (biases, norms, tiny projections) stay float


def _channel_axis(node: onnx.NodeProto, input_index: int, rank: int) -> int | None:
    """Which axis holds the output channels of this weight, or None if the
    tensor is not a weight we quantize."""
    op_type = node.op_type
    if op_type == "MatMul" and input_index == 1 and rank == 2:
        return 1  # (K, N): one scale per output column
    if op_type == "Gemm" and input_index == 1 and rank == 2:
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    if op_type in ("Conv", "ConvTranspose") and input_index == 1:
        return 0 if op_type == "Conv" else 1
    if op_type == "Gather" and input_index == 0 and rank == 2:
        return 0  # embedding table: one scale per row
    return None


def quantize_weights(model: onnx.ModelProto) -> tuple[onnx.ModelProto, dict[str, float]]:
    """-> the quantized model and a summary (weights quantized, bytes before/after)."""
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
    for node in graph.node:
        for i, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, i))
    new_nodes, drop = [], set()
    before = after = 0
    count = 0
    for name, tensor in inits.items():
        w = numpy_helper.to_array(tensor)
        if w.dtype != np.float32 or w.size < MIN_ELEMENTS or name not in consumers:
            continue
        axes = {_channel_axis(node, i, w.ndim) for node, i in consumers[name]}
        if len(axes) != 1 or None in axes:
            continue
        axis = axes.pop()
        reduce = tuple(a for a in range(w.ndim) if a != axis)
        scale = np.abs(w).max(axis=reduce) / 127.0
        scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        drop.add(name)
        graph.initializer.extend([
            numpy_helper.from_array(q, f"{name}_int8"),
            numpy_helper.from_array(scale, f"{name}_scale"),
            numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), f"{name}_zero"),
        ])
        new_nodes.append(helper.make_node("DequantizeLinear", [f"{name}_int8", f"{name}_scale", f"{name}_zero"],
                                          [name], name=f"{name}_dequantize", axis=axis))
        before += w.nbytes
        after += q.nbytes + 2 * scale.nbytes
        count += 1
    kept = [t for t in graph.initializer if t.name not in drop]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = new_nodes + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    return model, {"weights": count, "float_bytes": before, "int8_bytes": after}


def quantize_dequantize(w: torch.Tensor, axis: int) -> torch.Tensor:
    """The int8 rounding of quantize_weights, applied to a torch weight."""
    reduce = tuple(a for a in range(w.dim()) if a != axis)
    scale = (w.abs().amax(dim=reduce, keepdim=True) / 127.0).float()
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    return (torch.clamp(torch.round(w / scale), -127, 127) * scale).to(w.dtype)


@torch.no_grad()
def fake_quantize(model: nn.Module) -> nn.Module:
    """Round the same weights quantize_weights stores as int8 (every Linear,
    Conv and Embedding weight of at least MIN_ELEMENTS, per output channel),
    in place: PyTorch then computes what the int8 ONNX graphs compute."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.Embedding)) and m.weight.numel() >= MIN_ELEMENTS:
            m.weight.copy_(quantize_dequantize(m.weight, 0))
    return model
