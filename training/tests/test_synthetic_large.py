"""The synthetic large model's generator at a small size (hidden 64, 2 blocks):
the whole graph composed from the stage graphs computes the DiT, the stage
graphs run as the plan give the same output, and both read one copy of the
weights. Tolerances as test_export.py: int8 graphs against PyTorch with the
same int8 rounding (fake_quantize), atol 1e-4."""
import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from lantern.dit import apply_rope, attention
from lantern.export import rope_cos_sin
from lantern.quantize import fake_quantize
from lantern.synthetic_large import generate, large_config, synthetic_dit, wan_rope_dims

CFG = large_config(dim=64, depth=2, heads=2, mlp_ratio=3.0)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp("large") / "lantern-large"
    manifest = generate(out, CFG, seed=3, log=lambda _: None)
    return out, manifest


def session(path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC  # as the browser (test_export.py)
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def inputs(seed: int = 1) -> dict[str, np.ndarray]:
    g = torch.Generator().manual_seed(seed)
    return {"x_in": torch.randn(2, CFG.in_channels, 4, 16, 16, generator=g).numpy(),
            "t": torch.rand(2, generator=g).numpy(),
            "text": torch.randn(2, 48, CFG.text_dim, generator=g).numpy()}


def test_wan_rope_split():
    assert wan_rope_dims(128) == (44, 42, 42)
    assert sum(wan_rope_dims(32)) == 32


def test_full_size_is_about_1_3b_parameters():
    cfg = large_config()
    with torch.device("meta"):
        from lantern.dit import DiT
        params = sum(p.numel() for p in DiT(cfg).parameters())
    assert (cfg.dim, cfg.depth, cfg.heads, cfg.head_dim) == (1536, 30, 12, 128)
    assert 1.25e9 < params < 1.35e9


def test_whole_graph_matches_pytorch(model):
    out, _ = model
    feeds = inputs()
    (v,) = session(out / "denoiser.onnx").run(None, feeds)
    dit = fake_quantize(synthetic_dit(CFG, seed=3))
    with torch.no_grad():
        expected = dit(*(torch.from_numpy(feeds[k]) for k in ("x_in", "t", "text")), fast=False).numpy()
    assert v.shape == (2, CFG.latent_channels, 4, 16, 16)
    assert np.abs(expected).max() > 0.05  # not a zero model
    np.testing.assert_allclose(v, expected, atol=1e-4, rtol=0)


def test_stage_graphs_run_as_the_plan_give_the_whole_graph(model):
    out, manifest = model
    env = {k: v for k, v in inputs(2).items()}
    for step in manifest["denoiser"]["plan"]:
        if step["op"] == "run":
            s = session(out / f"{step['graph']}.onnx")
            results = s.run(list(step["outputs"]), {g: env[p] for g, p in step["inputs"].items()})
            env.update({step["outputs"][g]: r for g, r in zip(step["outputs"], results)})
        else:
            q, k, v = (torch.from_numpy(env[step[n]]) for n in ("q", "k", "v"))
            if step["rope"]:
                cos, sin = rope_cos_sin(step["rope"])
                q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            env[step["out"]] = attention(q, k, v, fast=False).numpy()
    (whole,) = session(out / "denoiser.onnx").run(None, inputs(2))
    np.testing.assert_allclose(env["v_out"], whole, atol=1e-5, rtol=0)


def test_both_backends_share_one_copy_of_the_weights(model):
    out, manifest = model
    graphs = manifest["graphs"]
    stages = [s["graph"] for s in manifest["denoiser"]["plan"] if s["op"] == "run"]
    # The whole graph's external data are the stage graphs' files, in plan order, shard for shard.
    assert graphs["denoiser"]["externalData"] == [graphs[s]["externalData"][0] for s in stages]
    assert [f["path"] for f in graphs["denoiser"]["externalData"]] == [f"{s}.weights" for s in stages]
    # Every initializer of the whole graph that is not tiny lives in those files.
    whole = onnx.load(str(out / "denoiser.onnx"), load_external_data=False)
    locations = {e.value for t in whole.graph.initializer for e in t.external_data if e.key == "location"}
    assert locations == {f"{s}.weights" for s in stages}
    int8 = [t for t in whole.graph.initializer if t.name.endswith("_int8")]  # not their zero points
    in_stages = sum(t.name.endswith("_int8") for s in stages for t in onnx.load(str(out / f"{s}.onnx"), load_external_data=False).graph.initializer)
    assert len(int8) == in_stages == 26 and all(t.data_location == onnx.TensorProto.EXTERNAL for t in int8)
    # Files: every shard at most 128 MiB and hashed; the weights counted once.
    urls = {}
    for g in graphs.values():
        for s in g["shards"] + [s for f in g.get("externalData", []) for s in f["shards"]]:
            assert 0 < s["bytes"] <= 128 * 2**20 and s["sha256"].startswith("sha256-")
            assert urls.setdefault(s["url"], s) == s
    assert manifest["memory"]["weightsBytes"] == sum(s["bytes"] for s in urls.values())
    assert json.loads((out.parent / "lantern-large.json").read_text()) == manifest
