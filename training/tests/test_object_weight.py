"""Where the objects are on the latent grid, and the flow loss that weighs them
(`--set object_weight=W`, object_weight.py)."""
import json
import random

import pytest
import torch

from lantern.latent_pool import LatentPool
from lantern.object_weight import loss_weight, object_mask
from lantern.pipeline import LanternModel
from lantern.presets import PRESETS
from lantern.train import denoiser_loss, main
from lantern.world.render import render_background, render_clips
from lantern.world.spec import ClipSpec, ObjectSpec


def ball_clip(**scene) -> ClipSpec:
    """A small red ball held still, its centre at pixel (32, 32) of 128."""
    ball = ObjectSpec(shape="circle", colour="red", size="small", scale=0.1, motion="still", x=0.25, y=0.25)
    return ClipSpec(objects=(ball,), **({"background_colour": "blue"} | scene))


@pytest.mark.parametrize("scene", [{}, {"weather": "rain", "seed": 3}, {"background": "night",
                                                                     "background_colour": None, "seed": 5}])
def test_the_mask_marks_the_cells_an_object_covers_and_no_others(scene):
    clip = ball_clip(**scene)
    video, background = render_clips([clip], frames=4), render_background([clip], frames=4)
    mask = object_mask(video, background, temporal=2, spatial=4)
    assert mask.shape == (1, 1, 2, 32, 32) and mask.dtype == torch.uint8
    # The ball spans pixels 26-38 (cells 6-9 of 4 px); its shadow falls a little beside it.
    assert mask[0, 0, :, 8, 8].all()
    assert not mask[0, 0, :, 20:, :].any() and not mask[0, 0, :, :, 20:].any()
    assert 0.005 < mask.float().mean().item() < 0.05  # a few percent of the clip, as the module says


def test_the_mask_refuses_renders_of_different_clips_or_an_uneven_grid():
    clip = ball_clip()
    video = render_clips([clip], frames=4)
    with pytest.raises(ValueError, match="same shape"):
        object_mask(video, render_background([clip], frames=2), temporal=2, spatial=4)
    with pytest.raises(ValueError, match="divide by"):
        object_mask(video, render_background([clip], frames=4), temporal=3, spatial=4)


def test_the_weight_is_zero_on_given_frames_and_object_weight_on_objects():
    given = torch.tensor([1.0, 0.0, 0.0])[None, None, :, None, None].expand(1, 1, 3, 2, 2)
    objects = torch.zeros(1, 1, 3, 2, 2, dtype=torch.uint8)
    objects[0, 0, :, 0, 0] = 1
    weight = loss_weight(given, objects, 4.0)
    assert weight[0, 0, 0].eq(0).all()  # a given frame carries no loss, object or not
    assert weight[0, 0, 1:, 0, 0].eq(4).all() and weight[0, 0, 1:, 1, 1].eq(1).all()


def smoke_pool(object_weight):
    cfg = PRESETS["smoke"]()
    cfg.pool_clips, cfg.object_weight = 6, object_weight
    torch.manual_seed(0)
    model = LanternModel(cfg.model).eval()
    return cfg, model, LatentPool(model, cfg, random.Random(0), torch.device("cpu"))


def test_the_pool_keeps_each_clips_object_mask_on_the_latent_grid():
    cfg, model, pool = smoke_pool(4.0)
    ae = cfg.model.autoencoder
    size = cfg.model.size // ae.spatial
    assert pool.objects.shape == (6, 1, cfg.model.frames // ae.temporal, size, size)
    background = render_background(pool.specs, size=cfg.model.size, frames=cfg.model.frames)
    video = render_clips(pool.specs, size=cfg.model.size, frames=cfg.model.frames)
    assert torch.equal(pool.objects, object_mask(video, background, ae.temporal, ae.spatial))
    assert pool.objects.any() and not pool.objects.all()
    with pytest.raises(ValueError, match="object_weight 0.0 must be > 0"):
        smoke_pool(0.0)


def test_the_loss_is_a_weighted_mean_that_counts_object_positions_w_times():
    cfg, model, pool = smoke_pool(4.0)
    torch.manual_seed(0)
    x0, still, ids, mask, labels, named, objects = pool.batch(4, 0.0)
    cfg.p_image_condition = cfg.p_continuation = 0.0  # every frame carries loss

    def loss(marks, weight):
        cfg.object_weight = weight
        torch.manual_seed(1)  # the same times and noise each call
        return denoiser_loss(model, x0, still, ids, mask, labels, named, marks, cfg)[0]

    plain = loss(torch.zeros_like(objects), 1.0)
    # Marking nothing, or everything, leaves the mean as it is; marking some moves it.
    torch.testing.assert_close(loss(torch.zeros_like(objects), 4.0), plain)
    torch.testing.assert_close(loss(torch.ones_like(objects), 4.0), plain)
    assert abs(loss(objects, 4.0).item() - plain.item()) > 1e-4


def test_a_run_with_object_weight_logs_how_much_of_the_pool_is_object(tmp_path):
    main(["--preset", "smoke", "--out", str(tmp_path), "--set", "object_weight=4", "--set", "dit_max_steps=2"])
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    pool = next(r for r in records if r["phase"] == "pool")
    assert pool["object_weight"] == 4.0 and 0 < pool["object_share"] < 1
