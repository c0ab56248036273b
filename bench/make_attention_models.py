"""Writes the onnxruntime-web baselines that `npm run bench` times against
Lantern's WGSL attention, at the built-in model's attention shapes:

  attention_self_matmul.onnx   RoPE as elementwise ops (as the whole-graph
                               export does it), then MatMul-Softmax-MatMul
  attention_cross_matmul.onnx  MatMul-Softmax-MatMul
  attention_self_mha.onnx      com.microsoft.MultiHeadAttention, ORT's fused
  attention_cross_mha.onnx     attention kernel (BSD inputs; it has no RoPE)

Run from the repository root: .venv/bin/python bench/make_attention_models.py
(the outputs are committed, so the benchmark itself needs no Python).
"""
import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = Path(__file__).parent / "models"
BATCH, HEADS, HEAD_DIM = 2, 6, 32  # batch 2: classifier-free guidance runs both halves at once
GRID, DIMS, THETA = (4, 8, 8), (8, 12, 12), 10000.0
TOKENS, TEXT = 256, 48
SCALE = HEAD_DIM ** -0.5


def rope_tables() -> tuple[np.ndarray, np.ndarray]:
    """(N, hd/2) cos and sin, as training/lantern/dit.py rope_tables."""
    f, h, w = GRID
    pos = np.stack(np.meshgrid(np.arange(f), np.arange(h), np.arange(w), indexing="ij"), -1).reshape(-1, 3)
    angles = [pos[:, a:a + 1] * THETA ** (-np.arange(0, d, 2) / d) for a, d in enumerate(DIMS)]
    angle = np.concatenate(angles, -1)  # (N, hd/2)
    return np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)


def const(name: str, value) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(value), name)


def rope_nodes(x: str, out: str) -> list[onnx.NodeProto]:
    """Interleaved-pair rotation of x (B, H, N, hd) with Reshape/Split/Mul/Sub/Add/Concat."""
    return [
        helper.make_node("Reshape", [x, "pairs_shape"], [f"{x}_pairs"]),  # (B, H, N, hd/2, 2)
        helper.make_node("Split", [f"{x}_pairs", "split_halves"], [f"{x}_a", f"{x}_b"], axis=-1),
        helper.make_node("Mul", [f"{x}_a", "rope_cos"], [f"{x}_ac"]),
        helper.make_node("Mul", [f"{x}_b", "rope_sin"], [f"{x}_bs"]),
        helper.make_node("Mul", [f"{x}_a", "rope_sin"], [f"{x}_as"]),
        helper.make_node("Mul", [f"{x}_b", "rope_cos"], [f"{x}_bc"]),
        helper.make_node("Sub", [f"{x}_ac", f"{x}_bs"], [f"{x}_0"]),
        helper.make_node("Add", [f"{x}_as", f"{x}_bc"], [f"{x}_1"]),
        helper.make_node("Concat", [f"{x}_0", f"{x}_1"], [f"{x}_rot"], axis=-1),
        helper.make_node("Reshape", [f"{x}_rot", "head_shape"], [out]),
    ]


def matmul_model(keys: int, rope: bool) -> onnx.ModelProto:
    q_shape, kv_shape = [BATCH, HEADS, TOKENS, HEAD_DIM], [BATCH, HEADS, keys, HEAD_DIM]
    nodes, inits = [], [const("scale", np.float32(SCALE))]
    q, k = "q", "k"
    if rope:
        cos, sin = rope_tables()
        inits += [
            const("rope_cos", cos[..., None]), const("rope_sin", sin[..., None]),  # (N, hd/2, 1)
            const("pairs_shape", np.array([BATCH, HEADS, TOKENS, HEAD_DIM // 2, 2], np.int64)),
            const("head_shape", np.array(q_shape, np.int64)),
            const("split_halves", np.array([1, 1], np.int64)),
        ]
        nodes += rope_nodes("q", "q_rope") + rope_nodes("k", "k_rope")
        q, k = "q_rope", "k_rope"
    nodes += [
        helper.make_node("Transpose", [k], ["k_t"], perm=[0, 1, 3, 2]),
        helper.make_node("MatMul", [q, "k_t"], ["scores"]),  # (B, H, Nq, Nk)
        helper.make_node("Mul", ["scores", "scale"], ["scaled"]),
        helper.make_node("Softmax", ["scaled"], ["weights"], axis=-1),
        helper.make_node("MatMul", ["weights", "v"], ["out"]),  # (B, H, Nq, hd)
    ]
    graph = helper.make_graph(
        nodes, "attention",
        [helper.make_tensor_value_info("q", TensorProto.FLOAT, q_shape),
         helper.make_tensor_value_info("k", TensorProto.FLOAT, kv_shape),
         helper.make_tensor_value_info("v", TensorProto.FLOAT, kv_shape)],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, q_shape)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def mha_model(keys: int) -> onnx.ModelProto:
    hidden = HEADS * HEAD_DIM
    node = helper.make_node("MultiHeadAttention", ["query", "key", "value"], ["out"], domain="com.microsoft",
                            num_heads=HEADS, scale=SCALE)
    graph = helper.make_graph(
        [node], "attention",
        [helper.make_tensor_value_info("query", TensorProto.FLOAT, [BATCH, TOKENS, hidden]),
         helper.make_tensor_value_info("key", TensorProto.FLOAT, [BATCH, keys, hidden]),
         helper.make_tensor_value_info("value", TensorProto.FLOAT, [BATCH, keys, hidden])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [BATCH, TOKENS, hidden])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)], ir_version=8)


def check_matmul_self(model: onnx.ModelProto) -> None:
    """The RoPE-as-ops graph against a direct NumPy computation."""
    import onnxruntime as ort
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((BATCH, HEADS, TOKENS, HEAD_DIM), dtype=np.float32) for _ in range(3))
    cos, sin = rope_tables()

    def rot(x):
        a, b = x[..., 0::2], x[..., 1::2]
        return np.stack((a * cos - b * sin, a * sin + b * cos), -1).reshape(x.shape)

    s = rot(q) @ rot(k).swapaxes(-1, -2) * SCALE
    w = np.exp(s - s.max(-1, keepdims=True))
    expected = (w / w.sum(-1, keepdims=True)) @ v
    got = ort.InferenceSession(model.SerializeToString()).run(None, {"q": q, "k": k, "v": v})[0]
    assert np.abs(got - expected).max() < 1e-4, np.abs(got - expected).max()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    models = {
        "attention_self_matmul": matmul_model(TOKENS, rope=True),
        "attention_cross_matmul": matmul_model(TEXT, rope=False),
        "attention_self_mha": mha_model(TOKENS),
        "attention_cross_mha": mha_model(TEXT),
    }
    check_matmul_self(models["attention_self_matmul"])
    for name, model in models.items():
        onnx.checker.check_model(model)
        onnx.save(model, OUT / f"{name}.onnx")
        print(f"wrote {OUT / name}.onnx")


if __name__ == "__main__":
    main()
