"""The frame-conditioning measurement (lantern/continuity.py): its frame-pair
metrics on a render whose motion is known, and the whole report on a tiny
random model."""
import json
import math

import numpy as np
import torch

from lantern.continuity import judge_frame, main, pair_change, single_object_prompts
from lantern.pipeline import LanternModel, save_checkpoint
from lantern.presets import smoke
from lantern.world.render import render_clips
from lantern.world.spec import ClipSpec, EvalPrompt, ObjectSpec, screen_track

BLUE_SQUARE_RIGHT = ObjectSpec(shape="square", colour="blue", size="medium", scale=0.2, motion="right", x=0.3,
                               y=0.4, angle=0.3, amount=0.4)


def test_pair_change_measures_a_rendered_motion():
    clip = ClipSpec(objects=(BLUE_SQUARE_RIGHT,), background="plain", background_colour="white")
    prompt = EvalPrompt(prompt="a blue square moves right on white", clip=clip,
                        mentioned=frozenset({"motion", "background"}))
    with torch.no_grad():
        frames = render_clips([clip]).numpy()[0]  # (16, 3, 128, 128)
    first, last = judge_frame(frames[0], prompt), judge_frame(frames[-1], prompt)
    assert (first.colour, first.shape, first.colour_ok, first.shape_ok) == ("blue", "square", True, True)
    track = screen_track(BLUE_SQUARE_RIGHT, "static", 16)
    moved = math.hypot(track.x[-1] - track.x[0], track.y[-1] - track.y[0]) * 128
    change = pair_change(frames[0], frames[-1], first, last)
    assert change["colour_kept"] and change["shape_kept"]
    assert abs(change["position_px"] - moved) < 1.5, (change["position_px"], moved)
    assert change["pixel_change"] > 1
    assert pair_change(frames[3], frames[3], first, first) == {"colour_kept": True, "shape_kept": True,
                                                               "position_px": 0.0, "pixel_change": 0.0}


def test_cases_are_the_scorers_single_object_prompts():
    from lantern.world.heldout import eval_prompts

    prompts = single_object_prompts(6)
    scorer = [p for p in eval_prompts(40, 0) if len(p.clip.objects) == 1]
    assert [p.prompt for p in prompts] == [p.prompt for p in scorer[:6]]


def test_report_on_a_tiny_model(tmp_path):
    torch.manual_seed(0)
    save_checkpoint(LanternModel(smoke().model), tmp_path / "ckpt", extra={"denoiser_steps": 0})
    threads = torch.get_num_threads()
    reports = []
    try:
        for out in ("out", "again"):
            main(["--checkpoint", str(tmp_path / "ckpt"), "--out", str(tmp_path / out), "--cases", "2", "--steps",
                  "2", "--seed", "5", "--threads", "1"])
            reports.append(json.loads((tmp_path / out / "lantern-smoke.continuity.json").read_text()))
    finally:
        torch.set_num_threads(threads)  # --threads sets the whole process's
    report, again = reports
    for key in ("image_to_video", "continuation", "cases_detail"):
        assert report[key] == again[key], key  # seeded: the same numbers every run
    c = report["config"]
    assert (c["cases"], c["seeds"], c["steps"], c["guidance"]) == (2, [5, 6], 2, smoke().model.flow.default_guidance)
    frames, k = c["frames"], c["given_frames"]
    assert k == 4 and len(report["cases_detail"]) == 2
    assert np.isfinite(report["image_to_video"]["psnr_db"]["mean"])
    for source in ("generated", "rendered"):
        rows = report["continuation"][source]
        assert rows["cut"]["pairs"] == rows["decoded_step"]["pairs"] == 2
        assert rows["within_previous"]["pairs"] == 2 * (frames - 1)
        assert rows["within_continuation"]["pairs"] == 2 * (frames - 1 - k)
        assert rows["cut"]["pixel_change"] > 0 and rows["within"]["pixel_change"] > 0
        assert rows["cut_over_within"]["pixel_change"] == round(rows["cut"]["pixel_change"]
                                                                / rows["within"]["pixel_change"], 2)
    md = (tmp_path / "out" / "lantern-smoke.continuity.md").read_text()
    assert "python -m lantern.continuity --checkpoint" in md and "| rendered | **cut / within** |" in md
