"""Export round trip: the ONNX graphs give PyTorch's outputs in onnxruntime.

Tolerances: float32 graphs vs PyTorch float32, atol 1e-4 (op reordering
only); int8 graphs vs PyTorch with the same int8 rounding (fake_quantize),
atol 1e-4; int8 vs float32 weights is the quantization error itself, checked
loosely here (relative 5%) and measured on the shipped model by the
evaluation (README).
"""
import copy

import numpy as np
import onnxruntime as ort
import pytest
import torch

from lantern.export import denoiser_plan, example_inputs, export_all, run_plan
from lantern.pipeline import LanternModel
from lantern.presets import smoke
from lantern.quantize import fake_quantize


def smoke_model(seed: int, **dit) -> LanternModel:
    """The smoke model with `dit` fields replaced, adaLN-Zero's zero init
    lifted so that every path carries signal."""
    import dataclasses

    cfg = smoke().model
    torch.manual_seed(seed)
    m = LanternModel(dataclasses.replace(cfg, dit=dataclasses.replace(cfg.dit, **dit))).eval()
    with torch.no_grad():
        for name, p in m.dit.named_parameters():
            if "ada" in name or "patch_out" in name:
                p.normal_(0, 0.05)
    return m


@pytest.fixture(scope="module")
def model() -> LanternModel:
    return smoke_model(0)


@pytest.fixture(scope="module")
def exported(model, tmp_path_factory):
    out = {}
    for quantize in (False, True):
        folder = tmp_path_factory.mktemp("int8" if quantize else "float")
        out[quantize] = (folder, export_all(model, folder, quantize=quantize))
    # Cross-attention inside the stage graphs, exported over a copy of the float
    # folder: its two-stages-a-block graphs must not survive the export.
    folder = tmp_path_factory.mktemp("matmul")
    for graph in out[False][0].glob("*.onnx"):
        (folder / graph.name).write_bytes(graph.read_bytes())
    out["matmul"] = (folder, export_all(model, folder, quantize=False, cross_attention="matmul"))
    return out


def session_options() -> ort.SessionOptions:
    """Basic graph optimizations, as the browser engine uses: at the extended
    level ORT's CPU provider fuses DequantizeLinear + MatMul into MatMulNBits,
    which also rounds the activations (about 7e-3 off on the smoke text
    encoder), so exact parity is only defined at the basic level."""
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    return so


def run(folder, name, feeds):
    session = ort.InferenceSession(str(folder / f"{name}.onnx"), session_options(), providers=["CPUExecutionProvider"])
    return session.run(None, {k: v.numpy() for k, v in feeds.items()})


def reference_outputs(model):
    ex = example_inputs(model)
    with torch.no_grad():
        return ex, {
            "text_encoder": model.text_encoder(ex["ids"], ex["mask"] > 0),
            "encoder": model.encode_video(ex["video"]),
            "decoder": model.decode_latent(ex["latent"]),
            "denoiser": model.dit(ex["x_in"], ex["t"], ex["text"], fast=False),
        }


FEEDS = {"text_encoder": ("ids", "mask"), "encoder": ("video",), "decoder": ("latent",), "denoiser": ("x_in", "t", "text")}


@pytest.mark.parametrize("quantize", [False, True])
def test_graphs_match_pytorch(model, exported, quantize):
    folder, _ = exported[quantize]
    reference = fake_quantize(copy.deepcopy(model)) if quantize else model
    ex, expected = reference_outputs(reference)
    for name, inputs in FEEDS.items():
        (got,) = run(folder, name, {k: ex[k] for k in inputs})
        np.testing.assert_allclose(got, expected[name].numpy(), atol=1e-4, rtol=1e-4, err_msg=name)


def test_int8_is_close_to_float_and_smaller(model, exported):
    float_dir, float_info = exported[False]
    int8_dir, int8_info = exported[True]
    ex = example_inputs(model)
    feeds = {k: ex[k] for k in FEEDS["denoiser"]}
    (a,) = run(float_dir, "denoiser", feeds)
    (b,) = run(int8_dir, "denoiser", feeds)
    assert np.abs(a - b).max() / np.abs(a).max() < 0.05
    total = lambda info: sum(g["bytes"] for g in info["graphs"].values())
    assert total(int8_info) < 0.5 * total(float_info)


def run_plan_in_ort(folder, plan, ex) -> tuple[dict, int]:
    """Stages run in onnxruntime, attention in numpy between them, as the
    browser does -> (the plan's tensors, attention calls made)."""
    env = {"x_in": ex["x_in"].numpy(), "t": ex["t"].numpy(), "text": ex["text"].numpy()}
    attention_calls = 0
    for step in plan:
        if step["op"] == "run":
            session = ort.InferenceSession(str(folder / f"{step['graph']}.onnx"), session_options(),
                                           providers=["CPUExecutionProvider"])
            names = [o.name for o in session.get_outputs()]
            outs = session.run(None, {g: env[p] for g, p in step["inputs"].items()})
            for name, value in zip(names, outs):
                env[step["outputs"][name]] = value
        else:
            attention_calls += 1
            q, k, v = (torch.from_numpy(env[step[n]]) for n in ("q", "k", "v"))
            assert q.shape[1:] == (step["heads"], step["queries"], step["headDim"])
            if step["rope"]:
                from lantern.dit import apply_rope, rope_tables
                cos, sin = rope_tables(tuple(step["rope"]["grid"]), tuple(step["rope"]["dims"]), step["rope"]["theta"])
                q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            scores = (q @ k.transpose(-1, -2)) * step["scale"]
            env[step["out"]] = (scores.softmax(-1) @ v).numpy()
    return env, attention_calls


@pytest.mark.parametrize("variant", [False, "matmul"])
def test_plan_of_stages_reproduces_the_whole_denoiser(model, exported, variant):
    folder, info = exported[variant]
    plan = info["plan"]
    ex = example_inputs(model)
    env, attention_calls = run_plan_in_ort(folder, plan, ex)
    depth = model.cfg.dit.depth
    runs = sum(step["op"] == "run" and not step.get("once", False) for step in plan)
    # kernel cross-attention: two stages and two kernel calls a block; in-graph: one of each.
    assert (runs, attention_calls) == ((1 + depth, depth) if variant else (1 + 2 * depth, 2 * depth))
    (whole,) = run(folder, "denoiser", {k: ex[k] for k in FEEDS["denoiser"]})
    np.testing.assert_allclose(env["v_out"], whole, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("cross_attention", ["kernel", "matmul"])
def test_pytorch_plan_matches_forward(model, cross_attention):
    plan, graphs = denoiser_plan(model.dit, cross_attention)
    ex = example_inputs(model)
    with torch.no_grad():
        env = run_plan(plan, {n: m for n, m, _, _ in graphs}, {k: ex[k] for k in ("x_in", "t", "text")})
        torch.testing.assert_close(env["v_out"], model.dit(ex["x_in"], ex["t"], ex["text"]), atol=1e-5, rtol=1e-4)


def test_first_position_text_pooling_exports_and_matches_pytorch(tmp_path):
    m = smoke_model(1, text_pooling="first")
    export_all(m, tmp_path, quantize=False)
    ex, expected = reference_outputs(m)
    (got,) = run(tmp_path, "denoiser", {k: ex[k] for k in FEEDS["denoiser"]})
    np.testing.assert_allclose(got, expected["denoiser"].numpy(), atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("cross_attention", ["kernel", "matmul"])
def test_x_prediction_exports_with_its_last_stage_reading_x_in_and_t(tmp_path, cross_attention):
    """An x0-predicting model gives v in every graph: the whole denoiser
    matches PyTorch, and the plan's last stage also reads the step's x_in and
    t (which the engine holds for the whole step) to form v = (x_t - x0) / t."""
    m = smoke_model(2, prediction="x")
    info = export_all(m, tmp_path, quantize=False, cross_attention=cross_attention)
    ex, expected = reference_outputs(m)
    (whole,) = run(tmp_path, "denoiser", {k: ex[k] for k in FEEDS["denoiser"]})
    np.testing.assert_allclose(whole, expected["denoiser"].numpy(), atol=1e-4, rtol=1e-4)
    runs = [step for step in info["plan"] if step["op"] == "run"]
    assert {n: runs[-1]["inputs"][n] for n in ("x_in", "t")} == {"x_in": "x_in", "t": "t"}
    assert all("x_in" not in step["inputs"] for step in runs[2:-1])
    env, _ = run_plan_in_ort(tmp_path, info["plan"], ex)
    np.testing.assert_allclose(env["v_out"], whole, atol=1e-4, rtol=1e-4)


def test_in_graph_cross_export_leaves_no_stale_stage_graphs(exported):
    folder, info = exported["matmul"]
    stages = sorted(p.stem for p in folder.glob("dit_stage_*.onnx"))
    assert stages == sorted(n for n in info["graphs"] if n.startswith("dit_stage_"))
    assert len(stages) == 1 + sum(step["op"] == "attention" for step in info["plan"])


def test_unknown_cross_attention_is_refused(model):
    with pytest.raises(ValueError, match="Must be one of: kernel, matmul"):
        denoiser_plan(model.dit, "fused")


@pytest.mark.parametrize("cross_attention", ["kernel", "matmul"])
def test_the_refiner_exports_in_the_last_stage_and_matches_pytorch(tmp_path, cross_attention):
    m = smoke_model(3, prediction="x", out_refine=4)
    with torch.no_grad():
        m.dit.refine_out.weight.normal_(0, 0.05)  # zero-initialised: give it a say
    info = export_all(m, tmp_path, quantize=False, cross_attention=cross_attention)
    ex, expected = reference_outputs(m)
    (whole,) = run(tmp_path, "denoiser", {k: ex[k] for k in FEEDS["denoiser"]})
    np.testing.assert_allclose(whole, expected["denoiser"].numpy(), atol=1e-4, rtol=1e-4)
    env, _ = run_plan_in_ort(tmp_path, info["plan"], ex)
    np.testing.assert_allclose(env["v_out"], whole, atol=1e-4, rtol=1e-4)
