"""Writes the onnxruntime-web baselines that `npm run bench` times against
Lantern's WGSL attention, at the shipped model's attention shapes:

  attention_self_matmul.onnx   RoPE as elementwise ops (as the whole-graph
                               export does it), then MatMul-Softmax-MatMul
  attention_cross_matmul.onnx  MatMul-Softmax-MatMul
  attention_self_mha.onnx      com.microsoft.MultiHeadAttention, ORT's fused
  attention_cross_mha.onnx     attention kernel (BSD inputs; it has no RoPE)

The shapes come from models-manifest/lantern-tiny.json: the first self and the
first cross attention step of `denoiser.plan` (heads, headDim, queries, keys,
scale, rope), with cross keys "text" read as `text.tokens`, as
workers/model-files/manifest.ts does; bench/attention.bench.ts reads the same
steps, so a re-exported model needs only a rerun of this script.

Run from the repository root: .venv/bin/python bench/make_attention_models.py
(the outputs are committed, so the benchmark itself needs no Python).
"""
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "models-manifest" / "lantern-tiny.json"
OUT = Path(__file__).parent / "models"
# Classifier-free guidance runs the conditional and the unconditional clip in
# one batch (manifest sampler.guidanceBatch; GUIDANCE_BATCH in
# workers/engine/denoiser.ts).
BATCH = 2


@dataclass(frozen=True)
class Step:
    """One attention step of the manifest's plan, keys resolved to a count."""
    heads: int
    head_dim: int
    queries: int
    keys: int
    scale: float
    grid: tuple[int, int, int] | None  # RoPE token grid (F, H, W); None without RoPE
    dims: tuple[int, int, int] | None  # RoPE head dims per axis, summing to head_dim
    theta: float | None


def plan_steps(manifest: dict) -> dict[str, Step]:
    """The first self and the first cross attention step of denoiser.plan."""
    if manifest["sampler"]["guidanceBatch"] != "conditional-then-unconditional":
        raise ValueError(f"sampler.guidanceBatch is {manifest['sampler']['guidanceBatch']!r}; "
                         "this script assumes 'conditional-then-unconditional' (batch 2).")
    steps: dict[str, Step] = {}
    for s in manifest["denoiser"]["plan"]:
        if s["op"] != "attention" or s["kind"] in steps:
            continue
        keys = manifest["text"]["tokens"] if s["keys"] == "text" else s["keys"]
        rope = s.get("rope")
        steps[s["kind"]] = Step(
            heads=s["heads"], head_dim=s["headDim"], queries=s["queries"], keys=keys, scale=s["scale"],
            grid=tuple(rope["grid"]) if rope else None, dims=tuple(rope["dims"]) if rope else None,
            theta=float(rope["theta"]) if rope else None)
    missing = {"self", "cross"} - steps.keys()
    if missing:
        raise ValueError(f"{MANIFEST} has no {', '.join(sorted(missing))} attention step in denoiser.plan.")
    if steps["self"].grid is None:
        raise ValueError(f"{MANIFEST}: the first self-attention step has no rope; the self baseline needs one.")
    return steps


def rope_tables(step: Step) -> tuple[np.ndarray, np.ndarray]:
    """(N, hd/2) cos and sin, as training/lantern/dit.py rope_tables."""
    f, h, w = step.grid
    pos = np.stack(np.meshgrid(np.arange(f), np.arange(h), np.arange(w), indexing="ij"), -1).reshape(-1, 3)
    angles = [pos[:, a:a + 1] * step.theta ** (-np.arange(0, d, 2) / d) for a, d in enumerate(step.dims)]
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


def matmul_model(step: Step, rope: bool) -> onnx.ModelProto:
    q_shape = [BATCH, step.heads, step.queries, step.head_dim]
    kv_shape = [BATCH, step.heads, step.keys, step.head_dim]
    nodes, inits = [], [const("scale", np.float32(step.scale))]
    q, k = "q", "k"
    if rope:
        cos, sin = rope_tables(step)
        inits += [
            const("rope_cos", cos[..., None]), const("rope_sin", sin[..., None]),  # (N, hd/2, 1)
            const("pairs_shape", np.array([BATCH, step.heads, step.queries, step.head_dim // 2, 2], np.int64)),
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


def mha_model(step: Step) -> onnx.ModelProto:
    hidden = step.heads * step.head_dim
    node = helper.make_node("MultiHeadAttention", ["query", "key", "value"], ["out"], domain="com.microsoft",
                            num_heads=step.heads, scale=step.scale)
    graph = helper.make_graph(
        [node], "attention",
        [helper.make_tensor_value_info("query", TensorProto.FLOAT, [BATCH, step.queries, hidden]),
         helper.make_tensor_value_info("key", TensorProto.FLOAT, [BATCH, step.keys, hidden]),
         helper.make_tensor_value_info("value", TensorProto.FLOAT, [BATCH, step.keys, hidden])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [BATCH, step.queries, hidden])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)], ir_version=8)


def check_matmul_self(model: onnx.ModelProto, step: Step) -> None:
    """The RoPE-as-ops graph against a direct NumPy computation."""
    import onnxruntime as ort
    rng = np.random.default_rng(0)
    shape = (BATCH, step.heads, step.queries, step.head_dim)
    q, k, v = (rng.standard_normal(shape, dtype=np.float32) for _ in range(3))
    cos, sin = rope_tables(step)

    def rot(x):
        a, b = x[..., 0::2], x[..., 1::2]
        return np.stack((a * cos - b * sin, a * sin + b * cos), -1).reshape(x.shape)

    s = rot(q) @ rot(k).swapaxes(-1, -2) * step.scale
    w = np.exp(s - s.max(-1, keepdims=True))
    expected = (w / w.sum(-1, keepdims=True)) @ v
    got = ort.InferenceSession(model.SerializeToString()).run(None, {"q": q, "k": k, "v": v})[0]
    assert np.abs(got - expected).max() < 1e-4, np.abs(got - expected).max()


def main() -> None:
    steps = plan_steps(json.loads(MANIFEST.read_text()))
    for kind, step in steps.items():
        print(f"{kind}: B{BATCH} H{step.heads} {step.queries}x{step.keys} D{step.head_dim} scale {step.scale}"
              + (f" rope grid {list(step.grid)} dims {list(step.dims)}" if step.grid else ""))
    OUT.mkdir(exist_ok=True)
    models = {
        "attention_self_matmul": matmul_model(steps["self"], rope=True),
        "attention_cross_matmul": matmul_model(steps["cross"], rope=False),
        "attention_self_mha": mha_model(steps["self"]),
        "attention_cross_mha": mha_model(steps["cross"]),
    }
    check_matmul_self(models["attention_self_matmul"], steps["self"])
    for name, model in models.items():
        onnx.checker.check_model(model)
        onnx.save(model, OUT / f"{name}.onnx")
        print(f"wrote {OUT / name}.onnx")


if __name__ == "__main__":
    main()
