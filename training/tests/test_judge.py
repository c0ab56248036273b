"""The judge (lantern/judge/) and the evaluation (lantern/evaluate.py) on
renders whose truth is known, and on clips that must fail."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from lantern.evaluate import TARGETS, evaluate, ground_truth_generator, write_report
from lantern.judge import ATTRIBUTES, judge_clip
from lantern.world.heldout import eval_prompts
from lantern.world.render import render_clips
from lantern.world.spec import ClipSpec, EvalPrompt, ObjectSpec

RED_BALL_LEFT = ObjectSpec(shape="circle", colour="red", size="medium", scale=0.2, motion="left", x=0.7, y=0.5,
                           amount=0.45)
BLUE_SQUARE_RIGHT = ObjectSpec(shape="square", colour="blue", size="medium", scale=0.2, motion="right", x=0.3,
                               y=0.25, angle=0.3, amount=0.4)


def _render(clip: ClipSpec) -> np.ndarray:
    with torch.no_grad():
        return render_clips([clip]).numpy()[0]  # (T, 3, S, S)


def _expect(clip: ClipSpec, mentioned=("motion", "background"), **changes) -> EvalPrompt:
    """An EvalPrompt for `clip` whose first object is changed by `changes`."""
    objects = (replace(clip.objects[0], **changes),) + clip.objects[1:]
    return EvalPrompt(prompt="test clip", clip=replace(clip, objects=objects), mentioned=frozenset(mentioned))


@pytest.fixture(scope="module")
def red_ball() -> tuple[ClipSpec, np.ndarray]:
    clip = ClipSpec(objects=(RED_BALL_LEFT,), background="plain", background_colour="white")
    return clip, _render(clip)


SEEN = ("motion", "background", "style")


def test_true_expectation_passes(red_ball):
    clip, frames = red_ball
    v = judge_clip(frames, _expect(clip, mentioned=SEEN))
    assert (v.colour, v.shape, v.motion, v.background, v.consistency) == (True, True, True, True, True), v
    o = v.objects[0]
    assert o.colour_name == "red" and o.shape_guess == "circle"
    assert o.displacement[0] < -0.3 and abs(o.displacement[1]) < 0.02  # moved left 0.45
    assert v.background_guess == "plain white"


def test_channel_last_frames_judge_alike(red_ball):
    clip, frames = red_ball
    a = judge_clip(frames, _expect(clip))
    b = judge_clip(frames.transpose(0, 2, 3, 1), _expect(clip))
    assert a.objects[0].track == b.objects[0].track and a.objects[0].colour_name == b.objects[0].colour_name


@pytest.mark.parametrize("change, attribute", [
    ({"colour": "blue"}, "colour"),
    ({"motion": "right"}, "motion"),
    ({"motion": "still"}, "motion"),
    ({"shape": "square"}, "shape"),
    ({"shape": "star"}, "shape"),
])
def test_wrong_expectation_fails(red_ball, change, attribute):
    clip, frames = red_ball
    v = judge_clip(frames, _expect(clip, **change))
    assert getattr(v, attribute) is False, v
    others = [a for a in ("colour", "shape", "motion") if a != attribute]
    assert all(getattr(v, a) is True for a in others), v


def test_wrong_background_fails(red_ball):
    clip, frames = red_ball
    expected = _expect(clip, mentioned=SEEN)
    v = judge_clip(frames, replace(expected, clip=replace(expected.clip, background="sky", background_colour=None)))
    assert v.background is False and v.background_guess == "plain white"


def test_background_with_the_style_open(red_ball):
    """Style unnamed, every look is weighed: a sketch's paper (any background
    in sketch) is near white, but plain white fits best as itself."""
    clip, frames = red_ball
    assert judge_clip(frames, _expect(clip)).background is True


def test_background_too_close_to_call():
    """White in dim light and fog renders as gray does in plain light. Asked
    for gray with light and weather unnamed, the judge cannot call it; with
    them named, it is wrong."""
    clip = ClipSpec(objects=(RED_BALL_LEFT,), background="plain", background_colour="white", light="dim",
                    weather="fog")
    frames = _render(clip)
    gray = replace(clip, background_colour="gray")
    assert judge_clip(frames, EvalPrompt("t", gray, frozenset({"motion", "background"}))).background is None
    named = frozenset({"motion", "background", "light", "weather"})
    assert judge_clip(frames, EvalPrompt("t", gray, named)).background is False


def test_background_hidden_by_neon():
    clip = ClipSpec(objects=(RED_BALL_LEFT,), background="sky", background_colour=None, style="neon")
    v = judge_clip(_render(clip), _expect(clip, mentioned=SEEN))
    assert v.background is None and v.colour is True


def test_unmentioned_attributes_are_not_judged(red_ball):
    clip, frames = red_ball
    v = judge_clip(frames, _expect(clip, mentioned=()))
    assert v.motion is None and v.background is None
    assert v.colour is True and v.shape is True


def test_noise_fails():
    clip = ClipSpec(objects=(RED_BALL_LEFT,), background="plain", background_colour="white")
    noise = np.random.default_rng(0).random((16, 3, 128, 128), dtype=np.float32)
    v = judge_clip(noise, _expect(clip))
    assert v.colour is not True and v.shape is not True and v.motion is not True and v.background is not True


def test_blank_clip_fails():
    clip = ClipSpec(objects=(RED_BALL_LEFT,), background="plain", background_colour="white")
    blank = np.ones((16, 3, 128, 128), np.float32)
    v = judge_clip(blank, _expect(clip))
    assert (v.colour, v.shape, v.motion, v.consistency) == (False, False, False, False)
    assert "object not found" in v.objects[0].notes


def test_two_objects_are_told_apart_by_colour():
    clip = ClipSpec(objects=(RED_BALL_LEFT, BLUE_SQUARE_RIGHT), background="sky", background_colour=None)
    frames = _render(clip)
    v = judge_clip(frames, _expect(clip))
    assert [o.colour_name for o in v.objects] == ["red", "blue"]
    assert [o.shape_guess for o in v.objects] == ["circle", "square"]
    assert v.motion is True
    swapped = replace(clip, objects=(replace(RED_BALL_LEFT, motion="right"), replace(BLUE_SQUARE_RIGHT, motion="left")))
    assert judge_clip(frames, _expect(swapped)).motion is False


def test_motion_is_judged_in_scene_coordinates():
    """A still object under a panning camera slides across the screen; named,
    the camera is undone and the object is still."""
    still = ObjectSpec(shape="square", colour="orange", size="medium", scale=0.2, motion="still", x=0.4, y=0.5)
    clip = ClipSpec(objects=(still,), background="meadow", background_colour=None, camera="pan left")
    frames = _render(clip)
    v = judge_clip(frames, _expect(clip, mentioned=("motion", "background", "camera")))
    assert v.motion is True, v.objects[0]
    assert v.objects[0].track[-1][0] == pytest.approx(0.4, abs=0.02)
    assert judge_clip(frames, _expect(clip, mentioned=("motion", "camera"), motion="right")).motion is False


@pytest.fixture(scope="module")
def calibration():
    """The renderer judged as a generator (the judge's calibration)."""
    prompts = eval_prompts(32, seed=11)
    return evaluate(ground_truth_generator(prompts), prompts, seeds=[0])


def test_ground_truth_scores_high(calibration):
    for a in ATTRIBUTES:
        counts = calibration.counts[a]
        assert counts["passed"] + counts["failed"] >= 20, (a, counts)  # most clips are judged
        assert calibration.scores[a] >= 93.0, (a, calibration.scores, calibration.failures)


def test_report_files(calibration, tmp_path):
    write_report(calibration, tmp_path / "r.md", tmp_path / "r.json")
    md = (tmp_path / "r.md").read_text()
    for a in ATTRIBUTES:
        assert f"| {a} | " in md and f">= {TARGETS[a]:.0f}%" in md
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["clips"] == 32 and set(data["scores"]) == set(ATTRIBUTES)
    assert len(data["verdicts"]) == 32 and data["verdicts"][0]["objects"][0]["track"]
