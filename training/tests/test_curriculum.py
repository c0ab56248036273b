"""The training curriculum: a simple world first, every attribute named,
fading linearly into the whole world (curriculum.py)."""
import json
import random

import pytest
import torch

from lantern.curriculum import JUDGED_MENTION, always_named, curriculum_share, draw_training_clips
from lantern.pipeline import LanternModel
from lantern.presets import PRESETS
from lantern.train import LatentPool, Log, train_denoiser
from lantern.world.captions import captions_for, mentioned_attributes, nameable
from lantern.world.heldout import is_heldout_clip


def is_simple_world(clip) -> bool:
    return (len(clip.objects), clip.camera, clip.light, clip.weather, clip.style) == (1, "static", "normal", "none",
                                                                                       "flat")


def test_the_share_of_simple_clips_falls_linearly_to_zero_over_the_curriculum():
    assert [curriculum_share(p, 0.4) for p in (0.0, 0.1, 0.2, 0.4, 0.9)] == pytest.approx([1, 0.75, 0.5, 0, 0])
    assert curriculum_share(0.0, 0.0) == 0.0  # off
    with pytest.raises(ValueError, match=r"curriculum 1.5 is not a fraction of the budget: set it in \[0, 1\]"):
        curriculum_share(0.0, 1.5)


def test_simple_clips_come_from_the_simple_world_and_the_rest_from_the_whole_world():
    rng = random.Random(0)
    specs, simple = draw_training_clips(rng, 200, 1.0)
    assert all(simple) and all(is_simple_world(c) for c in specs)
    assert len({c.background for c in specs}) > 3 and len({c.objects[0].motion for c in specs}) > 5
    specs, simple = draw_training_clips(rng, 300, 0.0)
    assert not any(simple) and sum(is_simple_world(c) for c in specs) < 60  # the whole world varies
    specs, simple = draw_training_clips(rng, 400, 0.5)
    assert 150 < sum(simple) < 250 and not any(is_heldout_clip(c) for c in specs)


def test_a_simple_clips_captions_all_name_shape_colour_motion_and_background():
    rng = random.Random(1)
    specs, _ = draw_training_clips(rng, 40, 1.0)
    for clip in specs:
        for caption in captions_for(clip, rng, n=4, always=JUDGED_MENTION):
            assert {"shape", "colour", "motion", "background"} <= mentioned_attributes(caption), caption
    # Without `always`, short captions ('a red ball') are common.
    plain = [c for clip in specs for c in captions_for(clip, rng, n=4)]
    assert sum("background" not in mentioned_attributes(c) for c in plain) > 20


def test_an_attribute_no_caption_names_cannot_be_always_named():
    clip = draw_training_clips(random.Random(2), 1, 1.0)[0][0]
    with pytest.raises(ValueError, match=r"cannot always name \['color'\]"):
        captions_for(clip, random.Random(2), always=frozenset({"motion", "color"}))


def test_the_pool_starts_simple_and_the_curriculum_fades_out_as_it_refreshes(tmp_path):
    cfg = PRESETS["smoke"]()
    cfg.curriculum, cfg.pool_clips, cfg.dit_max_steps, cfg.log_every = 0.5, 8, 8, 1
    torch.manual_seed(0)
    model = LanternModel(cfg.model).eval()
    pool = LatentPool(model, cfg, random.Random(0), torch.device("cpu"))
    assert all(pool.simple) and all(is_simple_world(c) for c in pool.specs)
    train_denoiser(model, cfg, random.Random(0), torch.device("cpu"), Log(tmp_path / "log.jsonl"), tmp_path)
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert next(r for r in records if r["phase"] == "pool")["curriculum"] == 0.5
    shares = [r["simple_clips"] for r in records if r["phase"] == "denoiser" and "loss" in r]
    # Refreshes of 2 clips per step, at shares 1, 0.75, 0.5, 0.25, then 0
    # (or sooner, by the time budget): the pool ends with no simple clip.
    assert shares[0] == 1.0 and shares[-1] == 0.0 and shares == sorted(shares, reverse=True)


def test_name_judged_sets_how_often_the_other_clips_captions_name_motion_and_background():
    rng = random.Random(3)
    assert always_named(rng, True, 0.0) == JUDGED_MENTION  # a curriculum clip, always
    state = rng.getstate()
    assert always_named(rng, False, 0.0) == frozenset() and rng.getstate() == state  # off: no draw
    named = sum(always_named(rng, False, 0.3) == JUDGED_MENTION for _ in range(2000))
    assert 520 < named < 680
    with pytest.raises(ValueError, match=r"name_judged 2 is not a probability"):
        always_named(rng, False, 2)


def test_a_pool_with_name_judged_1_captions_every_clip_with_all_four(tmp_path):
    cfg = PRESETS["smoke"]()
    cfg.name_judged, cfg.pool_clips, cfg.pool_captions = 1.0, 6, 3
    torch.manual_seed(0)
    model = LanternModel(cfg.model).eval()
    pool = LatentPool(model, cfg, random.Random(0), torch.device("cpu"))
    assert not any(pool.simple)
    for clip, ids in zip(pool.specs, pool.ids):
        want = {"motion", "background"} & nameable(clip)  # neon and sketch hide the background
        for k in range(3):
            text = model.tokenizer.decode(ids[k].tolist(), skip_special_tokens=True)
            assert want <= mentioned_attributes(text), (text, clip.style)
