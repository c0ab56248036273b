"""The edit-by-instruction measurement (lantern/editing.py): its cases change
exactly one attribute, and the whole report on a tiny random model."""
import json

import torch

from lantern.editing import KINDS, changed_attributes, edit_cases, main, track_distance
from lantern.pipeline import LanternModel, save_checkpoint
from lantern.presets import smoke
from lantern.world.captions import mentioned_attributes, mismatches


def test_every_edit_changes_exactly_its_attribute():
    cases = edit_cases(30)
    assert {c.kind for c in cases} == set(KINDS) and [c.seed for c in cases] == list(range(30))
    for c in cases:
        c.edited.clip.validate()  # the world's rules: colour clear of the background, no spinning circles
        assert changed_attributes(c.original.clip, c.edited.clip) == {c.kind}, (c.kind, c.instruction)
        assert c.instruction and c.original.prompt != c.edited.prompt
        assert mismatches(c.original.prompt, c.original.clip) == [] and mismatches(c.edited.prompt, c.edited.clip) == []
        assert mentioned_attributes(c.original.prompt) == mentioned_attributes(c.edited.prompt)
        assert c.original.mentioned == c.edited.mentioned and {"motion", "background"} <= c.edited.mentioned
    assert [c.edited.prompt for c in edit_cases(6)] == [c.edited.prompt for c in cases[:6]]  # seeded


def test_track_distance():
    assert track_distance([[0.1, 0.2], None, [0.5, 0.5]], [[0.4, 0.6], [0.0, 0.0], [0.5, 0.5]]) == 0.25
    assert track_distance([], [[0.1, 0.1]]) is None


def test_report_on_a_tiny_model(tmp_path):
    torch.manual_seed(0)
    save_checkpoint(LanternModel(smoke().model), tmp_path / "ckpt", extra={"denoiser_steps": 0})
    threads = torch.get_num_threads()
    reports = []
    try:
        for out in ("out", "again"):
            main(["--checkpoint", str(tmp_path / "ckpt"), "--out", str(tmp_path / out), "--cases", "2", "--steps",
                  "2", "--seed", "3", "--threads", "1", "--strength", "0.6", "0.8"])
            reports.append(json.loads((tmp_path / out / "lantern-smoke.editing.json").read_text()))
    finally:
        torch.set_num_threads(threads)  # --threads sets the whole process's
    report, again = reports
    assert report["summary"] == again["summary"] and report["cases_detail"] == again["cases_detail"]  # seeded
    c = report["config"]
    assert (c["cases"], c["seeds"], c["steps"], c["strengths"]) == (2, [3, 4], 2, [0.6, 0.8])
    assert c["default_strength"] == 0.6 and c["default_strength_from"] == "LanternModel.generate"
    assert [d["kind"] for d in report["cases_detail"]] == ["colour", "background"]
    for d in report["cases_detail"]:
        assert set(d["edits"]) == {"0.6", "0.8"}
        for clip in (d["scratch"], *d["edits"].values()):
            assert clip["pixel_change"] >= 0 and len(clip["untouched_kept"]) == 2
    for strength in ("0.6", "0.8"):
        rows = report["summary"][strength]
        assert set(rows) == {"colour", "background", "all"} and rows["all"]["n"] == 2
        assert rows["all"]["edit"]["pixel_change"] is not None
    md = (tmp_path / "out" / "lantern-smoke.editing.md").read_text()
    assert "python -m lantern.editing --checkpoint" in md
    assert "## Strength 0.6 (the manifest's default)" in md and "## Strength 0.8" in md and "| **all** | 2 |" in md
