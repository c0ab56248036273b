"""lantern.sampler_bench's parts that decide the table: the grid it reads and
the PSNR it reports (the run itself is a benchmark, bench/samplers.md)."""
import json
import math

import numpy as np
import pytest

from lantern.sampler_bench import kept_rows, parse_grid, psnr, table


def test_grid_entries_expand_to_sampler_steps_and_shift():
    assert parse_grid(["heun:4,6", "euler:24"], 2.0) == [("heun", 4, 2.0), ("heun", 6, 2.0), ("euler", 24, 2.0)]
    assert parse_grid(["dpmpp2m@4.5:8,12"], 2.0) == [("dpmpp2m", 8, 4.5), ("dpmpp2m", 12, 4.5)]


@pytest.mark.parametrize("entry", ["ddim:4", "heun", "heun:", "4,6", "euler@:8", "euler@0:8", "euler@x:8"])
def test_a_bad_grid_entry_is_a_named_error(entry):
    with pytest.raises(ValueError, match=r"expected SAMPLER\[@SHIFT\]:STEPS"):
        parse_grid([entry], 2.0)


def test_psnr_of_frames_in_0_1():
    a = np.zeros((2, 3, 4, 4), dtype=np.float32)
    assert psnr(a, a) == math.inf
    assert psnr(a, a + 0.1) == pytest.approx(20.0, abs=1e-4)  # MSE 0.01


def test_table_writes_one_row_per_setting_with_scores_in_percent():
    row = {"sampler": "dpmpp2m", "steps": 8, "shift": 4.0, "evaluations": 8, "time_vs_euler24": 0.35, "psnr_vs_reference": 27.5,
           "scores": {"colour": 46.0, "shape": 13.5, "motion": None, "background": 65.0, "consistency": 50.0}}
    text = table({"prompts": 100, "psnr_prompts": 24, "reference": "euler 100 steps", "guidance": 4.0, "device": "cpu", "rows": [row]})
    assert "| dpmpp2m | 8 | 4.0 | 8 | 0.35 | 27.50 | 46.0 | 13.5 | - | 65.0 | 50.0 |" in text


IDENTITY = {"checkpoint": "checkpoints/x", "prompts": 100, "psnr_prompts": 24, "reference": "euler 100 steps", "guidance": 4.0, "shift": 2.0}


def test_resume_keeps_an_earlier_run_of_the_same_setup_with_euler24_first(tmp_path):
    assert kept_rows(tmp_path / "b", IDENTITY) == []
    rows = [{"sampler": "dpmpp2m", "steps": 8}, {"sampler": "euler", "steps": 24}]
    (tmp_path / "b.json").write_text(json.dumps(IDENTITY | {"device": "cpu", "rows": rows}))
    assert kept_rows(tmp_path / "b", IDENTITY) == [rows[1], rows[0]]


def test_resume_refuses_a_run_of_another_setup(tmp_path):
    (tmp_path / "b.json").write_text(json.dumps(IDENTITY | {"guidance": 3.0, "rows": []}))
    with pytest.raises(ValueError, match="other settings"):
        kept_rows(tmp_path / "b", IDENTITY)
