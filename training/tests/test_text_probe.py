"""The text encoder's linear probe (lantern/text_probe.py)."""
import zlib

import pytest
import torch

from lantern.attribute_head import BACKGROUND_NAMES
from lantern.text_probe import PROBED_WORDS, labelled_captions, markdown, text_probe
from lantern.world.captions import parse_caption
from lantern.world.spec import COLOUR_NAMES, MOTIONS, SHAPES


def test_labels_are_what_each_caption_names():
    captions, labels = labelled_captions(200, seed=5)
    unnamed_backgrounds = 0
    for caption, (colour, shape, motion, background) in zip(captions, labels.tolist()):
        parsed = parse_caption(caption)
        first = parsed.objects[0]
        assert (first.colour, first.shape) == (COLOUR_NAMES[colour], SHAPES[shape]), caption
        assert (motion == len(MOTIONS)) == (first.motion is None), caption
        if motion < len(MOTIONS):
            assert first.motion == MOTIONS[motion], caption
        named = parsed.scene.get("background")
        assert (background == len(BACKGROUND_NAMES)) == (named is None), caption
        unnamed_backgrounds += named is None
    assert 0 < unnamed_backgrounds < 200  # both kinds occur


def _bag_of_words(captions: list[str]) -> torch.Tensor:
    """A fixed random vector per word, one position per word: knows the
    words, not their order."""
    rows = []
    for caption in captions:
        vectors = [torch.randn(64, generator=torch.Generator().manual_seed(zlib.crc32(w.encode())))
                   for w in caption.replace(",", " ").split()]
        rows.append(torch.stack(vectors + [torch.zeros(64)] * (48 - len(vectors))))
    return torch.stack(rows)


def test_an_encoder_that_carries_the_words_reads_far_above_the_majority_class():
    result = text_probe(_bag_of_words, count=1200, iterations=200)
    assert set(result) == set(PROBED_WORDS)
    for attribute in PROBED_WORDS:  # closes at least a third of the gap from the majority class to 100%
        accuracy, majority = result[attribute]["accuracy"], result[attribute]["majority"]
        assert accuracy > majority + (100 - majority) / 3, (attribute, result)


def test_an_encoder_that_ignores_the_caption_reads_the_majority_class_at_best():
    constant = lambda captions: torch.ones(len(captions), 48, 16)
    result = text_probe(constant, count=400, iterations=100)
    for attribute in PROBED_WORDS:
        assert result[attribute]["accuracy"] <= result[attribute]["majority"] + 1.0, (attribute, result)
    assert "| accuracy, held-out captions (%) |" in markdown(result)


def test_too_few_captions_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 40 captions"):
        text_probe(_bag_of_words, count=20)
