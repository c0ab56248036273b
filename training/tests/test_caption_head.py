"""The caption head (lantern/caption_head.py): labels of what a caption
names, its loss, and a run that trains with it."""
import json

import torch

from lantern.attribute_head import BACKGROUND_NAMES
from lantern.caption_head import CLASSES, IGNORE, CaptionHead, caption_labels
from lantern.pipeline import load_checkpoint
from lantern.train import main
from lantern.world.spec import COLOUR_NAMES, MOTIONS, SHAPES


def _names(row: list[int]) -> list[str]:
    lists = (COLOUR_NAMES, SHAPES, MOTIONS + ("unnamed",), BACKGROUND_NAMES + ("unnamed",))
    return [names[i] for names, i in zip(lists, row)]


def test_labels_name_the_first_object_and_the_background_by_where_the_words_stand():
    labels = caption_labels(["a red ball slides to the left on plain green",
                             "a green ball and a red star, with a red background",
                             "a small blue square in a meadow",
                             ""])
    assert _names(labels[0].tolist()) == ["red", "circle", "left", "plain green"]
    assert _names(labels[1].tolist()) == ["green", "circle", "unnamed", "plain red"]
    assert _names(labels[2].tolist()) == ["blue", "square", "unnamed", "meadow"]
    assert labels[3].tolist() == [IGNORE] * 4  # the empty caption (caption dropout) names nothing


def test_the_loss_skips_the_empty_caption_and_is_zero_when_every_caption_is_empty():
    torch.manual_seed(0)
    head = CaptionHead(16)
    pooled = torch.randn(3, 16)
    named = caption_labels(["a red ball on plain green", "a blue star", ""])
    both = head.loss(pooled, named)
    first_two = head.loss(pooled[:2], named[:2])
    torch.testing.assert_close(both, first_two)  # the empty caption adds nothing
    assert abs(both.item() - sum(torch.log(torch.tensor(float(c))).item() for c in CLASSES) / 4) < 0.5
    none = head.loss(pooled[2:], named[2:])
    assert none.item() == 0
    both.backward()
    assert head.out.weight.grad.abs().sum() > 0


def test_a_run_with_the_caption_head_logs_its_loss_and_leaves_it_out_of_the_model(tmp_path):
    main(["--preset", "smoke", "--out", str(tmp_path), "--set", "caption_weight=0.5",
          "--set", "dit_max_steps=6", "--set", "log_every=1"])
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    steps = [r for r in records if r["phase"] == "denoiser" and "loss" in r]
    assert len(steps) == 6 and all(r["caption_loss"] > 0 for r in steps)
    assert all("attribute_loss" not in r for r in steps)
    model, _ = load_checkpoint(tmp_path / "checkpoint")
    assert not any("head" in name for name in model.state_dict())
