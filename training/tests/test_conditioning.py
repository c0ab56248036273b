"""The conditioning probe and the caption-loss check (lantern/conditioning.py)."""
import math

import torch

from lantern.conditioning import (
    PROBED, _words_changed, caption_loss, conditioning_probe, markdown, probe_clips, sample_spread, start_check,
)
from lantern.pipeline import LanternModel
from lantern.presets import smoke
from lantern.world.captions import parse_caption


def test_each_swap_changes_that_attribute_of_the_caption_and_keeps_the_others():
    clips = probe_clips(12)
    assert len(clips) == 12
    for p in clips:
        base = parse_caption(p.caption).objects[0]
        colour = parse_caption(p.swapped["colour"]).objects[0]
        shape = parse_caption(p.swapped["shape"]).objects[0]
        assert colour.colour != base.colour and colour.shape == base.shape, (p.caption, p.swapped["colour"])
        assert shape.shape != base.shape and shape.colour == base.colour, (p.caption, p.swapped["shape"])
        assert _words_changed(p.caption, p.swapped["colour"]) <= 2  # the colour word, and 'a'/'an' before it
        for attribute in PROBED:
            assert p.swapped[attribute] != p.caption, attribute


def _model() -> LanternModel:
    torch.manual_seed(0)
    model = LanternModel(smoke().model).eval()
    for parameter in model.dit.parameters():  # adaLN-Zero starts at zero: give every path a say
        parameter.data.normal_(0, 0.05)
    return model


def test_the_probe_measures_how_far_the_text_moves_the_velocity():
    model = _model()
    result = conditioning_probe(model, probe_clips(3))
    for key in ("t=0.9", "t=0.5"):
        assert set(result[key]) == {"text", *PROBED}
        assert all(math.isfinite(v) and v > 0 for v in result[key].values()), result
    assert set(result["words_changed"]) == set(PROBED)
    assert "| 0.9 |" in markdown(result, None)


def test_a_model_that_ignores_its_text_shows_zero():
    model = _model()
    constant = model.encode_text([""])
    model.encode_text = lambda prompts: constant.expand(len(prompts), -1, -1)  # every caption reads as the empty one
    result = conditioning_probe(model, probe_clips(3))
    assert all(v == 0 for v in result["t=0.9"].values()), result


def test_caption_loss_has_the_true_the_empty_and_a_shuffled_caption_per_bin():
    loss = caption_loss(_model(), count=4)
    assert len(loss) == 4
    for row in loss.values():
        assert set(row) == {"true", "empty", "shuffled"} and all(math.isfinite(v) for v in row.values())


def test_where_sampling_starts_the_check_tells_the_caption_s_pull_from_the_noise_s():
    model = _model()
    start = start_check(model, count=3)
    assert list(start) == ["t=1.0", "t=0.99", "t=0.95", "t=0.9"]
    assert all(r["noise"] > 0 and r["empty"] > 0 and r["x0_error"] > 0 for r in start.values()), start
    assert "| 1.0 |" in markdown(conditioning_probe(model, probe_clips(2)), None, start)
    constant = model.encode_text([""])
    model.encode_text = lambda prompts: constant.expand(len(prompts), -1, -1)  # every caption reads as the empty one
    deaf = start_check(model, count=3)
    assert all(r["empty"] == 0 and r["shuffled"] == 0 and r["noise"] > 0 for r in deaf.values()), deaf


def test_the_spread_check_tells_varied_samples_from_samples_collapsed_to_the_mean():
    model = _model()
    spread = sample_spread(model, count=3, steps=4)
    assert list(spread) == ["guidance=1", f"guidance={model.cfg.flow.default_guidance:g}"]
    assert all(math.isfinite(v) and v > 0.05 for v in spread.values()), spread
    assert "guidance 1: " in markdown(conditioning_probe(model, probe_clips(2)), None, None, spread)
    channels = model.cfg.dit.latent_channels
    # x0' = x_t - t v = 0 at every step: every sample is the mean latent
    model.dit.forward = lambda x_in, t, text: x_in[:, :channels] / t[:, None, None, None, None]
    collapsed = sample_spread(model, count=3, steps=4)
    assert all(v < 1e-4 for v in collapsed.values()), collapsed


def test_the_autoencoder_ceiling_judges_the_renderer_s_clips_after_a_round_trip(tmp_path):
    from lantern.evaluate import ground_truth_generator, reconstructed_generator
    from lantern.pipeline import save_checkpoint
    from lantern.world.heldout import eval_prompts

    model = LanternModel(smoke().model).eval()
    save_checkpoint(model, tmp_path)
    prompts = eval_prompts(2, 0)
    texts = [p.prompt for p in prompts]
    clips = reconstructed_generator(prompts, tmp_path)(texts, [0, 0])
    truth = ground_truth_generator(prompts, 32, 8)(texts, [0, 0])
    assert clips.shape == truth.shape == (2, 8, 3, 32, 32)
    expected = model.decode_latent(model.encode_video(torch.from_numpy(truth))).detach().numpy()
    assert abs(clips - expected).max() < 1e-3  # float16 checkpoint weights


def test_latent_statistics_are_per_channel():
    from lantern.conditioning import latent_statistics

    stats = latent_statistics(_model(), count=4)
    channels = smoke().model.autoencoder.latent_channels
    assert len(stats["mean"]) == len(stats["std"]) == channels and all(s > 0 for s in stats["std"])


def test_the_token_rank_ceiling_keeps_k_directions_of_each_denoiser_token(tmp_path):
    import pytest

    from lantern.dit import patchify
    from lantern.evaluate import _token_projection, ground_truth_generator, reconstructed_generator
    from lantern.pipeline import load_checkpoint, save_checkpoint
    from lantern.world.heldout import eval_prompts

    torch.manual_seed(0)
    save_checkpoint(LanternModel(smoke().model).eval(), tmp_path)
    model, _ = load_checkpoint(tmp_path)
    prompts = eval_prompts(2, 0)
    texts = [p.prompt for p in prompts]
    full = reconstructed_generator(prompts, tmp_path, token_rank=16)(texts, [0, 0])  # 4 channels x 2 x 2: all of it
    plain = reconstructed_generator(prompts, tmp_path)(texts, [0, 0])
    assert abs(full - plain).max() < 1e-4
    z = model.encode_video(torch.from_numpy(ground_truth_generator(prompts, 32, 8)(texts, [0, 0]))).detach()
    projected = _token_projection(model, 2)(z)
    tokens = patchify(projected, 2).reshape(-1, 16)
    assert torch.linalg.matrix_rank(tokens - tokens.mean(0), atol=1e-4) <= 2
    assert (projected - z).abs().max() > 1e-3  # two directions of sixteen lose something
    with pytest.raises(ValueError, match="token_rank must lie in"):
        _token_projection(model, 17)
