import json

from lantern.manifest import DEFAULT_SPEED, SPEEDS
from lantern.pipeline import LanternModel, save_checkpoint
from lantern.presets import smoke
from lantern.score import main as score


def test_score_writes_report_and_int8_comparison_and_can_rerun_only_int8(tmp_path):
    save_checkpoint(LanternModel(smoke().model), tmp_path / "ckpt", extra={"denoiser_steps": 0})
    out = tmp_path / "model"
    score(["--checkpoint", str(tmp_path / "ckpt"), "--count", "3", "--int8-count", "2", "--out", str(out)])
    report = json.loads((tmp_path / "model.report.json").read_text())
    summary = json.loads((tmp_path / "model.summary.json").read_text())
    assert report["clips"] == summary["clips"] == 3 and summary["scores"] == report["scores"]
    assert summary["int8"]["clips"] == 2 and summary["int8"]["frames_max_abs_diff"] >= 0
    assert set(summary["int8"]["scores_float32"]) == set(report["scores"])
    # Sampled as the app samples by default, and the summary (the manifest's `evaluation`) says how.
    assert {k: summary[k] for k in ("sampler", "steps", "shift")} == SPEEDS[DEFAULT_SPEED]

    (tmp_path / "model.report.md").unlink()
    score(["--checkpoint", str(tmp_path / "ckpt"), "--count", "3", "--int8-count", "1", "--out", str(out), "--int8-only"])
    assert not (tmp_path / "model.report.md").exists()  # the float32 report was kept, not regenerated
    assert json.loads((tmp_path / "model.summary.json").read_text())["int8"]["clips"] == 1


def test_batched_generation_matches_one_clip_at_a_time():
    """Each clip's noise comes from its own seed, so the batch changes only rounding."""
    import numpy as np
    import torch

    from lantern.score import model_generator

    torch.manual_seed(0)
    model = LanternModel(smoke().model).eval()
    gen = model_generator(model, steps=2, guidance=3.0)
    texts, seeds = ["a red ball moves left", "a blue star on a beach", "a green square"], [0, 5, 0]
    together = gen(texts, seeds)
    alone = np.concatenate([gen([t], [s]) for t, s in zip(texts, seeds)])
    assert together.shape == alone.shape and np.allclose(together, alone, atol=1e-5)


def test_judging_in_worker_processes_gives_the_same_verdicts():
    from lantern.evaluate import evaluate, ground_truth_generator
    from lantern.world.heldout import eval_prompts

    prompts = eval_prompts(6, seed=3)
    serial = evaluate(ground_truth_generator(prompts), prompts, seeds=[0], batch_size=4)
    parallel = evaluate(ground_truth_generator(prompts), prompts, seeds=[0], batch_size=4, workers=2)
    assert parallel.judge_workers == 2 and parallel.verdicts == serial.verdicts and parallel.scores == serial.scores


def test_the_report_gives_single_object_prompts_on_their_own():
    from lantern.evaluate import by_object_count

    def verdict(objects: int, colour: bool) -> dict:
        v = {a: True for a in ("colour", "shape", "motion", "background", "consistency")}
        return {**v, "colour": colour, "objects": [{}] * objects}

    counted = by_object_count([verdict(1, True), verdict(1, False), verdict(2, False), verdict(1, True)])
    assert list(counted) == [1, 2]
    assert counted[1][0] == 3 and counted[1][1]["colour"] == round(100 * 2 / 3, 1)
    assert counted[2] == (1, {"colour": 0.0, "shape": 100.0, "motion": 100.0, "background": 100.0, "consistency": 100.0})
