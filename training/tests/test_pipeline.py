"""Generation (text, image-to-video, continuation, editing), checkpoints,
and the fixtures the browser is tested against."""
import json

import numpy as np
import onnxruntime as ort
import pytest
import torch

from lantern.export import export_all
from lantern.fixtures import attention_fixtures, pipeline_fixtures
from lantern.pipeline import LanternModel, load_checkpoint, save_checkpoint
from lantern.presets import smoke


@pytest.fixture(scope="module")
def model() -> LanternModel:
    torch.manual_seed(1)
    m = LanternModel(smoke().model).eval()
    with torch.no_grad():
        for name, p in m.dit.named_parameters():
            if "ada" in name or "patch_out" in name:
                p.normal_(0, 0.05)
    return m


def test_generate_shapes_and_determinism(model):
    a = model.generate(["a red ball moves left"], seeds=[3], steps=2)
    b = model.generate(["a red ball moves left"], seeds=[3], steps=2)
    c = model.generate(["a red ball moves left"], seeds=[4], steps=2)
    assert a.shape == (1, 8, 3, 32, 32) and a.min() >= 0 and a.max() <= 1
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_image_to_video_and_continuation_hold_the_given_latent(model):
    frames = []
    image = torch.rand(1, 3, 32, 32)
    out = model.generate(["a blue box"], seeds=[1], steps=2, image=image,
                         on_step=lambda i, x0: frames.append(x0))
    assert len(frames) == 2
    torch.testing.assert_close(model.encode_video(out)[:, :, :1].shape, model.still_latent(image).shape)
    previous = model.generate(["a blue box"], seeds=[2], steps=2)
    cont = model.generate(["a blue box"], seeds=[5], steps=2, previous=previous, continue_frames=1)
    # The continuation's first chunk decodes from the previous clip's last latent frame.
    last = model.decode_latent(model.encode_video(previous)[:, :, -1:].repeat(1, 1, 2, 1, 1))[:, :4]
    torch.testing.assert_close(cont[:, :4], last, atol=1e-5, rtol=1e-4)


def test_editing_starts_from_the_clip(model):
    clip = model.generate(["a red star"], seeds=[1], steps=2)
    light = model.generate(["a blue star"], seeds=[9], steps=4, edit=clip, strength=0.05)
    full = model.generate(["a blue star"], seeds=[9], steps=4)
    assert (light - clip).abs().mean() < (full - clip).abs().mean()


def test_checkpoint_round_trip(model, tmp_path):
    """Weights are stored as float16 and come back as float32, each within
    float16's rounding of the original."""
    paths = save_checkpoint(model, tmp_path)
    assert all(p.stat().st_size <= 15 * 1024 * 1024 for p in paths)
    assert all(v.dtype == torch.float16 for p in paths for v in torch.load(p, weights_only=True).values())
    loaded, meta = load_checkpoint(tmp_path)
    assert meta["config"]["name"] == "lantern-smoke" and meta["weights_dtype"] == "float16"
    for (k, v), (k2, v2) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert k == k2 and v2.dtype == torch.float32, k
        # half an ulp: 2^-11 relative for normal float16, 2^-25 absolute for subnormal
        assert torch.all((v2 - v).abs() <= torch.maximum(v.abs() * 2 ** -11, torch.tensor(2 ** -25))), k
        assert torch.equal(v2, v.half().float()), k


def test_checkpoint_loads_float32_shards_from_before_float16(model, tmp_path):
    save_checkpoint(model, tmp_path)
    meta = json.loads((tmp_path / "config.json").read_text())
    torch.save({k: v.detach().clone() for k, v in model.state_dict().items()}, tmp_path / "weights-00.pt")
    meta["shards"] = ["weights-00.pt"]
    del meta["weights_dtype"]
    (tmp_path / "config.json").write_text(json.dumps(meta))
    loaded, _ = load_checkpoint(tmp_path)
    for (k, v), v2 in zip(model.state_dict().items(), loaded.state_dict().values()):
        assert v2.dtype == torch.float32 and torch.equal(v, v2), k


def test_checkpoint_refuses_a_weight_that_overflows_float16(tmp_path):
    m = LanternModel(smoke().model)
    with torch.no_grad():
        next(m.dit.parameters())[0].fill_(1e5)
    with pytest.raises(ValueError, match="overflows torch.float16"):
        save_checkpoint(m, tmp_path)


def read_fixture(folder, name):
    index = json.loads((folder / "index.json").read_text())
    t = index["tensors"][name]
    dtype = {"float32": "<f4", "int32": "<i4", "uint8": "u1"}[t["dtype"]]
    return np.fromfile(folder / t["file"], dtype=dtype).reshape(t["shape"])


def test_fixtures_are_what_the_int8_graphs_compute(model, tmp_path):
    graphs = tmp_path / "graphs"
    export_all(model, graphs, quantize=True)
    fixtures = tmp_path / "fixtures"
    pipeline_fixtures(model, fixtures)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    run = lambda name, feeds: ort.InferenceSession(str(graphs / f"{name}.onnx"), so).run(None, feeds)[0]
    f = lambda name: read_fixture(fixtures, name)
    text = run("text_encoder", {"ids": f("ids").astype(np.int64), "mask": f("mask").astype(np.int64)})
    np.testing.assert_allclose(text, f("text"), atol=1e-4)
    v = run("denoiser", {"x_in": f("denoiser_x_in"), "t": f("denoiser_t"), "text": f("text")})
    np.testing.assert_allclose(v, f("denoiser_v"), atol=1e-3)
    video = run("decoder", {"latent": f("trajectory")[-1]})
    np.testing.assert_allclose(video, f("frames"), atol=2e-3)
    assert f("schedule")[0] == 1.0 and f("schedule")[-1] == 0.0


def test_attention_fixtures_cover_ragged_sizes(tmp_path):
    attention_fixtures(tmp_path)
    index = json.loads((tmp_path / "index.json").read_text())
    sizes = {c["queries"] for c in index["cases"]}
    assert any(n % 16 for n in sizes) and any(c["rope"] for c in index["cases"]) and any(not c["rope"] for c in index["cases"])
    for case in index["cases"]:
        out = read_fixture(tmp_path, f"{case['name']}_out")
        assert out.shape == (case["batch"], case["heads"], case["queries"], case["headDim"])


def test_warm_start_carries_the_text_encoder_and_blocks_into_another_patch():
    from lantern.pipeline import warm_start

    torch.manual_seed(0)
    source = LanternModel(smoke().model)
    with torch.no_grad():
        for p in source.parameters():
            p.normal_(0, 0.05)
    cfg = smoke().model
    cfg.dit.patch = 1  # 4 times the tokens, a patch embedding of another shape
    target = LanternModel(cfg)
    fresh = {k: v.clone() for k, v in target.dit.state_dict().items()}
    taken, left = warm_start(target, source)
    assert {n.split(".")[0] for n in taken} == {"text_encoder", "dit"}
    assert all(n.startswith("dit.") for n in left) and left  # the text encoder fits whole; the patch embedding does not
    for name in left:
        torch.testing.assert_close(target.dit.state_dict()[name[4:]], fresh[name[4:]])  # left as it was made
    for name, tensor in target.text_encoder.state_dict().items():
        torch.testing.assert_close(tensor, source.text_encoder.state_dict()[name])
    block = "blocks.0."
    assert any(n.startswith(f"dit.{block}") for n in taken) and not any(n.startswith(f"dit.{block}") for n in left)
    assert target.generate(["a red ball"], seeds=[0], steps=1).shape == source.generate(["a red ball"], seeds=[0], steps=1).shape


def test_warm_start_refuses_another_vocabulary():
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel

    from lantern.pipeline import warm_start

    other = LanternModel(smoke().model, tokenizer=Tokenizer(WordLevel({"[UNK]": 0, "ball": 1}, unk_token="[UNK]")))
    with pytest.raises(ValueError, match="another vocabulary"):
        warm_start(LanternModel(smoke().model), other)
