import json

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

    (tmp_path / "model.report.md").unlink()
    score(["--checkpoint", str(tmp_path / "ckpt"), "--count", "3", "--int8-count", "1", "--out", str(out), "--int8-only"])
    assert not (tmp_path / "model.report.md").exists()  # the float32 report was kept, not regenerated
    assert json.loads((tmp_path / "model.summary.json").read_text())["int8"]["clips"] == 1
