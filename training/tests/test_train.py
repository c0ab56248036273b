"""The smoke preset trains every part end to end and leaves a usable run folder."""
import json

import torch

from lantern.pipeline import load_checkpoint
from lantern.presets import PRESETS
from lantern.train import main


def test_every_preset_is_consistent():
    for name, make in PRESETS.items():
        cfg = make()
        cfg.model.check()
        assert cfg.model.size >= 32 and cfg.batch > 0, name
    shipped = PRESETS["gpu"]().model
    assert (shipped.size, shipped.frames, shipped.fps) == (128, 16, 8)  # the app's default output


def test_shipped_presets_fit_the_30_mb_budget():
    """int8 export: one byte a weight; the denoiser's weights are in the files
    twice (stage graphs and the whole-graph reference)."""
    from lantern.pipeline import LanternModel

    for name in ("cpu", "gpu"):
        model = LanternModel(PRESETS[name]().model)
        count = lambda m: sum(p.numel() for p in m.parameters())
        estimate = 2 * count(model.dit) + count(model.text_encoder) + count(model.autoencoder)
        assert estimate < 28e6, (name, estimate)


def test_smoke_training_run(tmp_path):
    main(["--preset", "smoke", "--out", str(tmp_path), "--seed", "3"])
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    phases = {r["phase"] for r in records}
    assert {"autoencoder", "latent_stats", "pool", "denoiser", "probe", "done"} <= phases
    losses = [r["loss"] for r in records if r["phase"] == "denoiser" and "loss" in r]
    assert losses and all(l == l and l < 100 for l in losses)  # finite
    # Host time per step by phase, to tell a host-bound run from a GPU-bound one.
    timed = [r["host_ms"] for r in records if r["phase"] == "denoiser" and "loss" in r]
    assert timed and all(set(t) == {"batch", "step", "refresh"} and min(t.values()) > 0 for t in timed)
    probe = next(r for r in records if r["phase"] == "probe")
    assert "error" not in probe, probe
    model, meta = load_checkpoint(tmp_path / "checkpoint")
    assert meta["done"] and model.cfg.name == "lantern-smoke"
    clip = model.generate(["a red ball"], seeds=[0], steps=2)
    assert clip.shape == (1, 8, 3, 32, 32) and torch.isfinite(clip).all()
    assert (tmp_path / "samples.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
