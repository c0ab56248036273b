"""Held-out combinations and phrasings: training never sees them, and the
evaluation prompts are new, true to their clips and judgeable."""
import random
from collections import Counter

import pytest

from lantern.world.captions import captions_for, describe, mentioned_attributes, mismatches, parse_caption
from lantern.world.heldout import (HELDOUT_OBJECT_COMBOS, HELDOUT_SCENE_COMBOS, JUDGED_STYLES, OBJECT_COMBOS,
                                   SCENE_COMBOS, background_key, eval_prompt_kind, eval_prompts, is_heldout_clip,
                                   sample_training_clip)

PROMPTS = 200


@pytest.fixture(scope="module")
def prompts():
    return eval_prompts(PROMPTS, seed=0)


def test_about_eight_percent_of_combinations_are_held_out():
    assert len(HELDOUT_OBJECT_COMBOS) == round(0.08 * len(OBJECT_COMBOS))
    assert len(HELDOUT_SCENE_COMBOS) == round(0.08 * len(SCENE_COMBOS))
    # Every shape keeps most of its combinations for training.
    for shape in {s for s, *_ in OBJECT_COMBOS}:
        assert sum(c[0] == shape for c in HELDOUT_OBJECT_COMBOS) < 0.2 * sum(c[0] == shape for c in OBJECT_COMBOS)


def test_training_never_samples_a_held_out_combination():
    rng = random.Random(11)
    for _ in range(1500):
        assert not is_heldout_clip(sample_training_clip(rng))
    shape, colour, motion = HELDOUT_OBJECT_COMBOS[0]
    with pytest.raises(ValueError):
        sample_training_clip(rng, max_tries=20, objects=[dict(shape=shape, colour=colour, motion=motion)],
                             background="plain", background_colour="black" if colour == "white" else "white")


def test_eval_prompts_are_deterministic_and_different(prompts):
    again = eval_prompts(PROMPTS, seed=0)
    assert [p.prompt for p in again] == [p.prompt for p in prompts]
    assert [p.clip for p in again] == [p.clip for p in prompts]
    assert len({p.prompt for p in prompts}) == PROMPTS
    assert [p.prompt for p in eval_prompts(20, seed=1)] != [p.prompt for p in prompts[:20]]


def test_eval_prompts_are_true_and_judgeable(prompts):
    for p in prompts:
        p.clip.validate()
        assert mismatches(p.prompt, p.clip) == [], p.prompt
        assert {"motion", "background"} <= p.mentioned
        assert mentioned_attributes(p.prompt) == p.mentioned | {"shape", "colour"}, p.prompt
        assert p.clip.style in JUDGED_STYLES
    one = sum(len(p.clip.objects) == 1 for p in prompts) / len(prompts)
    assert 0.65 < one < 0.85
    assert all(len(p.clip.objects) <= 2 for p in prompts)


def test_each_eval_prompt_holds_something_out(prompts):
    kinds = Counter(eval_prompt_kind(p) for p in prompts)
    assert set(kinds) == {"combo", "phrasing", "both"}
    for p in prompts:
        if is_heldout_clip(p.clip):
            # The prompt names the held-out combination, so no training clip
            # (which never holds one) can have this caption.
            key = background_key(p.clip.background, p.clip.background_colour)
            named = [(o.shape, o.colour, o.motion) for o in parse_caption(p.prompt).objects]
            assert (any(n in HELDOUT_OBJECT_COMBOS for n in named)
                    or any((s, key) in HELDOUT_SCENE_COMBOS for s, _, _ in named)), p.prompt


def test_no_eval_prompt_is_a_training_caption_of_its_clip(prompts):
    rng = random.Random(5)
    for p in prompts:
        if eval_prompt_kind(p) == "combo":
            continue  # a held-out clip is never captioned in training (test above)
        train = set(captions_for(p.clip, rng, n=30, split="train"))
        train |= {describe(p.clip, rng, p.mentioned, split="train") for _ in range(30)}
        assert p.prompt not in train


def test_no_eval_prompt_among_sampled_training_captions(prompts):
    rng = random.Random(9)
    train = set()
    for _ in range(1500):
        clip = sample_training_clip(rng, n_objects=1)
        train.update(captions_for(clip, rng, n=4, split="train"))
    assert not train & {p.prompt for p in prompts}
