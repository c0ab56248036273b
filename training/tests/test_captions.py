"""The caption grammar: captions are true of their clip, vary, use the spec's
synonyms, name exactly what describe() is asked to, and keep the splits apart."""
import random
from collections import Counter

import pytest

from lantern.world.captions import (MAX_WORDS, MENTIONABLE, captions_for, describe, is_heldout_phrasing,
                                    mentioned_attributes, mismatches, nameable, parse_caption)
from lantern.world.phrases import NOUNS, words
from lantern.world.spec import ObjectSpec, ClipSpec, sample_clip


@pytest.fixture(scope="module")
def sampled():
    """(clip, split, caption) for 400 random clips, 4 captions per split."""
    rng = random.Random(7)
    out = []
    for _ in range(400):
        clip = sample_clip(rng)
        for split in ("train", "eval"):
            caps = captions_for(clip, rng, n=4, split=split)
            assert len(caps) == 4 and len(set(caps)) == 4
            out += [(clip, split, c) for c in caps]
    return out


def test_every_caption_is_true_and_names_every_object(sampled):
    for clip, _, caption in sampled:
        assert mismatches(caption, clip) == [], caption
        assert len(words(caption)) <= MAX_WORDS, caption


def test_splits_are_apart(sampled):
    for _, split, caption in sampled:
        assert is_heldout_phrasing(caption) == (split == "eval"), caption


def test_captions_vary_from_short_to_full(sampled):
    train = [(clip, c) for clip, split, c in sampled if split == "train"]
    mentioned = [mentioned_attributes(c) for _, c in train]
    assert any(m == {"shape", "colour"} for m in mentioned)  # 'a red ball'
    assert any(m >= {"size", "motion", "background", "style"} for m in mentioned)
    for attribute in MENTIONABLE:
        share = sum(attribute in m for m in mentioned) / len(mentioned)
        assert 0.05 < share < 0.9, (attribute, share)
    text = " ".join(c for _, c in train)
    for joiner in (" while ", " and ", ", "):
        assert joiner in text


def test_synonyms_and_rolls_only_for_circles(sampled):
    seen = Counter()
    for clip, _, caption in sampled:
        parsed = parse_caption(caption)
        for o in parsed.objects:
            seen[o.noun] += 1
            if o.verb == "rolls":
                assert o.shape == "circle", caption
    for shape_words in NOUNS.values():
        for w in shape_words:
            assert seen[w] > 0, w
    text = " ".join(c for _, _, c in sampled)
    for phrase in ("rolls", "towards the left edge", "leftward", "quickly", "fast", "lazily", "bounces",
                   "twirls", "gets bigger", "gets smaller", "the camera pans", "zooming", "8-bit",
                   "as a cartoon", "photorealistic", "pencil sketch", "old film", "at night", "while it snows",
                   "in fog", "dimly lit", "brightly lit", "background"):
        assert phrase in text, phrase


def test_describe_names_exactly_the_chosen_attributes():
    rng = random.Random(3)
    for _ in range(300):
        clip = sample_clip(rng)
        able = sorted(nameable(clip))
        mention = {a for a in able if rng.random() < 0.5}
        if "motion" not in mention:
            mention.discard("speed")
        for split in ("train", "eval"):
            if split == "eval" and not mention - {"size"}:
                with pytest.raises(ValueError):
                    describe(clip, rng, mention, split)
                continue
            caption = describe(clip, rng, mention, split)
            assert mentioned_attributes(caption) == mention | {"shape", "colour"}, (caption, mention)
            assert mismatches(caption, clip) == []
            assert is_heldout_phrasing(caption) == (split == "eval")


def test_describe_refuses_what_has_no_words():
    clip = ClipSpec(objects=(ObjectSpec("circle", "red", "small", 0.12, "bounce"),))  # normal light, no weather
    rng = random.Random(0)
    for bad in ({"light"}, {"weather"}, {"speed", "motion"}, {"speed"}, {"colour"}):
        with pytest.raises(ValueError):
            describe(clip, rng, bad)
    with pytest.raises(ValueError):
        captions_for(clip, rng, split="test")
    assert describe(clip, rng, set()) in {f"a red {w}" for w in NOUNS["circle"]}


def test_deterministic_for_a_seed():
    clip = sample_clip(random.Random(5), n_objects=2)
    assert captions_for(clip, random.Random(1), 6) == captions_for(clip, random.Random(1), 6)


@pytest.mark.parametrize("caption, expected", [
    ("a small red ball slowly rolls to the left on a meadow while a blue box spins, in pixel art style, "
     "the camera pans left, in the rain",
     ([dict(shape="circle", colour="red", size="small", motion="left", speed="slowly"),
       dict(shape="square", colour="blue", motion="spin")],
      dict(background="meadow", style="pixel art", camera="pan left", weather="rain"))),
    ("at night, a white circle moves in a circle", ([dict(shape="circle", colour="white", motion="orbit")],
                                                    dict(background="night"))),
    ("an orange star rises fast against an orange background, zooming out",
     ([dict(shape="star", colour="orange", motion="up", speed="quickly")],
      dict(background="plain", background_colour="orange", camera="zoom out"))),
    ("a grey block bounces up and down, brightly lit", ([dict(shape="square", colour="gray", motion="bounce")],
                                                         dict(light="bright"))),
])
def test_parse(caption, expected):
    objects, scene = expected
    parsed = parse_caption(caption)
    assert parsed.scene == scene
    assert len(parsed.objects) == len(objects)
    for got, want in zip(parsed.objects, objects):
        for k, v in want.items():
            assert getattr(got, k) == v, (k, caption)
